// The instance metadata service (IMDSv2) on each instance's loopback listener, and
// `cloudlet exec`, through which boto3, the AWS CLI v1 and v2 and the JS SDK v3 find the
// instance profile role's credentials with their default credential chains.
import assert from 'node:assert/strict';
import { createVerify, X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeSpotPriceHistoryCommand, ModifyInstanceMetadataOptionsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { COMPUTE_KIND, type InstanceRecord } from '../../src/services/ec2/compute/records.js';
import { rejects } from '../helpers/assert.js';
import { awsClis } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
const REGION = 'us-east-1';
const SCOPE = { account: ACCT, region: REGION };
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const onlyDescribe = (vpc: string): string => JSON.stringify({
  Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: ['ec2:DescribeInstances', 'sts:GetCallerIdentity'], Resource: '*' },
    // The keys EC2 adds to instance-profile sessions.
    { Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*', Condition: { ArnLike: { 'ec2:SourceInstanceARN': 'arn:aws:ec2:us-east-1:000000000000:instance/i-*' }, IpAddress: { 'aws:EC2InstanceSourcePrivateIPv4': '10.20.1.0/24' } } },
    { Effect: 'Allow', Action: 'ec2:DescribeSubnets', Resource: '*', Condition: { StringEquals: { 'aws:EC2InstanceSourceVPC': vpc } } },
    { Effect: 'Allow', Action: 'ec2:DescribeSecurityGroups', Resource: '*', Condition: { StringEquals: { 'aws:EC2InstanceSourceVPC': 'vpc-00000000000000000' } } },
  ],
});

let cl: Cloudlet;
let ec2: EC2Client;
let subnetId = '';
let profileArn = '';

async function launch(meta: Partial<InstanceRecord['metadataOptions']> = {}): Promise<string> {
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'architecture', Values: ['x86_64'] }, { Name: 'name', Values: ['al2023-ami-2023*'] }] }));
  const r = await ec2.send(new RunInstancesCommand({
    ImageId: images.Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId,
    IamInstanceProfile: { Arn: profileArn }, UserData: Buffer.from('#!/bin/sh\necho hello\n').toString('base64'),
    MetadataOptions: { HttpTokens: meta.httpTokens ?? 'optional', HttpEndpoint: meta.httpEndpoint ?? 'enabled' },
  }));
  return r.Instances![0]!.InstanceId!;
}

async function stop(id: string): Promise<void> {
  await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
}

async function setMeta(id: string, meta: { httpEndpoint?: 'enabled' | 'disabled' }): Promise<void> {
  await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpEndpoint: meta.httpEndpoint }));
}

async function open(instanceId: string): Promise<string> {
  const r = await fetch(`${cl.url}/_cloudlet/imds/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: ACCT, region: REGION, instanceId }) });
  const body = (await r.json()) as { endpoint: string };
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.endpoint;
}

const token = async (ep: string, ttl = '300'): Promise<string> => {
  const r = await fetch(`${ep}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), ttl);
  return r.text();
};
const get = async (ep: string, path: string, tok?: string): Promise<{ status: number; text: string }> => {
  const r = await fetch(`${ep}${path}`, { headers: tok ? { 'x-aws-ec2-metadata-token': tok } : {} });
  return { status: r.status, text: await r.text() };
};
const advance = (d: string) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: d }) });

before(async () => {
  cl = await startTestServer();
  ec2 = new EC2Client(clientConfig(cl.url));
  const iam = new IAMClient(clientConfig(cl.url));
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  await iam.send(new CreateRoleCommand({ RoleName: 'app-role', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'describe-only', PolicyDocument: onlyDescribe(vpc) }));
  profileArn = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-profile' }))).InstanceProfile!.Arn!;
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app-role' }));
});
after(async () => { await cl.close(); });

describe('IMDSv2 protocol on the instance listener', () => {
  let id = '';
  let ep = '';
  before(async () => { id = await launch(); ep = await open(id); });

  test('one listener per instance, on 127.0.0.1', async () => {
    assert.match(ep, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await open(id), ep);
    const other = await launch();
    assert.notEqual(await open(other), ep);
    const r = await fetch(`${cl.url}/_cloudlet/imds/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instanceId: 'i-0000000000000dead' }) });
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error: string }).error, 'InvalidInstanceID.NotFound');
  });

  test('token PUT: TTL 1..21600 required, X-Forwarded-For refused; tokens checked and expire by the cloudlet clock', async () => {
    const bad = await fetch(`${ep}/latest/api/token`, { method: 'PUT' });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${ep}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21601' } })).status, 400);
    assert.equal((await fetch(`${ep}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.0.0.1' } })).status, 403);
    const t = await token(ep, '60');
    assert.deepEqual(await get(ep, '/latest/meta-data/instance-id', t), { status: 200, text: id });
    assert.equal((await get(ep, '/latest/meta-data/instance-id', 'forged.token')).status, 401);
    const r = await get(ep, '/latest/meta-data/instance-id', `${t.slice(0, -2)}AA`);
    assert.equal(r.status, 401);
    assert.match(r.text, /<title>401 - Unauthorized<\/title>/);
    await advance('61s');
    assert.equal((await get(ep, '/latest/meta-data/instance-id', t)).status, 401, 'expired by the cloudlet clock');
  });

  test('the tree: listings, network interface, placement, user-data, iam/info', async () => {
    const t = await token(ep);
    const md = await get(ep, '/latest/meta-data/', t);
    assert.equal(md.status, 200);
    for (const k of ['ami-id', 'instance-id', 'instance-type', 'local-ipv4', 'mac', 'placement/', 'network/', 'iam/', 'block-device-mapping/']) assert.ok(md.text.split('\n').includes(k), k);
    assert.ok(!md.text.endsWith('\n'));
    assert.equal((await get(ep, '/latest/meta-data/instance-type', t)).text, 't3.micro');
    assert.equal((await get(ep, '/latest/meta-data/placement/region', t)).text, REGION);
    const mac = (await get(ep, '/latest/meta-data/mac', t)).text;
    assert.equal((await get(ep, '/latest/meta-data/network/interfaces/macs/', t)).text, `${mac}/`);
    assert.equal((await get(ep, `/latest/meta-data/network/interfaces/macs/${mac}/subnet-id`, t)).text, subnetId);
    assert.equal((await get(ep, `/latest/meta-data/network/interfaces/macs/${mac}/subnet-ipv4-cidr-block`, t)).text, '10.20.1.0/24');
    assert.equal((await get(ep, `/latest/meta-data/network/interfaces/macs/${mac}/vpc-ipv4-cidr-block`, t)).text, '10.20.0.0/16');
    assert.match((await get(ep, '/latest/meta-data/local-ipv4', t)).text, /^10\.20\.1\.\d+$/);
    assert.equal((await get(ep, '/latest/user-data', t)).text, '#!/bin/sh\necho hello\n');
    assert.equal((await get(ep, '/latest/meta-data/iam/security-credentials/', t)).text, 'app-role');
    const info = JSON.parse((await get(ep, '/latest/meta-data/iam/info', t)).text) as Record<string, string>;
    assert.equal(info.Code, 'Success');
    assert.equal(info.InstanceProfileArn, profileArn);
    assert.equal((await get(ep, '/latest/meta-data/tags/instance', t)).status, 404, 'tags only with InstanceMetadataTags enabled');
    assert.equal((await get(ep, '/latest/meta-data/spot/instance-action', t)).status, 404);
    assert.equal((await get(ep, '/latest/meta-data/nothing-here', t)).status, 404);
  });

  test('role credentials: the same until 15 minutes before expiry, then fresh ones', async () => {
    const t = await token(ep);
    const read = async () => JSON.parse((await get(ep, '/latest/meta-data/iam/security-credentials/app-role', t)).text) as Record<string, string>;
    const a = await read();
    assert.equal(a.Code, 'Success');
    assert.equal(a.Type, 'AWS-HMAC');
    assert.match(a.AccessKeyId!, /^ASIA/);
    assert.equal(Date.parse(a.Expiration!) - Date.parse(a.LastUpdated!), 6 * 3600_000);
    assert.equal((await read()).AccessKeyId, a.AccessKeyId);
    await advance('5h50m');
    const t2 = await token(ep);
    const b = JSON.parse((await get(ep, '/latest/meta-data/iam/security-credentials/app-role', t2)).text) as Record<string, string>;
    assert.notEqual(b.AccessKeyId, a.AccessKeyId);
  });

  test('identity document and its signatures (this server\'s key)', async () => {
    const t = await token(ep);
    const docText = (await get(ep, '/latest/dynamic/instance-identity/document', t)).text;
    const doc = JSON.parse(docText) as Record<string, unknown>;
    assert.equal(doc.instanceId, id);
    assert.equal(doc.accountId, ACCT);
    assert.equal(doc.region, REGION);
    assert.equal(doc.version, '2017-09-30');
    assert.equal(doc.instanceType, 't3.micro');
    const sig = (await get(ep, '/latest/dynamic/instance-identity/signature', t)).text;
    const cert = new X509Certificate(await (await fetch(`${cl.url}/_cloudlet/imds/certificate`)).text());
    assert.ok(createVerify('sha256').update(docText).verify(cert.publicKey, Buffer.from(sig.replace(/\n/g, ''), 'base64')));
    const pkcs7 = (await get(ep, '/latest/dynamic/instance-identity/pkcs7', t)).text;
    assert.ok(Buffer.from(pkcs7.replace(/\n/g, ''), 'base64').includes(Buffer.from(docText)));
  });

  test('the debugging route on the main port answers the same', async () => {
    const r = await get(cl.url, `/_cloudlet/imds/${ACCT}/${REGION}/${id}/latest/meta-data/instance-id`);
    assert.deepEqual(r, { status: 200, text: id });
  });

  test('HttpTokens=required: token-less GET is 401; HttpEndpoint=disabled: 403 Forbidden', async () => {
    const req = await launch({ httpTokens: 'required' });
    const rep = await open(req);
    const r = await get(rep, '/latest/meta-data/instance-id');
    assert.equal(r.status, 401);
    assert.equal((await get(rep, '/latest/meta-data/instance-id', await token(rep))).text, req);
    assert.equal((await get(ep, '/latest/meta-data/instance-id')).text, id, 'optional: IMDSv1 reads allowed');
    await setMeta(req, { httpEndpoint: 'disabled' });
    const d = await fetch(`${rep}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
    assert.equal(d.status, 403);
    assert.match(await d.text(), /403 - Forbidden/);
  });

  test('Spot: the interruption notice shows at spot/instance-action two minutes before the instance goes', async () => {
    const hist = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['t3.micro'], AvailabilityZone: 'us-east-1a', ProductDescriptions: ['Linux/UNIX'] }));
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }));
    const spot = (await ec2.send(new RunInstancesCommand({
      ImageId: images.Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId,
      InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: hist.SpotPriceHistory![0]!.SpotPrice! } },
    }))).Instances![0]!.InstanceId!;
    const sep = await open(spot);
    const clock = async (): Promise<number> => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    // Prices change on the hour: land ten seconds after each hour, inside the two-minute notice.
    const now = await clock();
    await advance(`${Math.ceil((3_600_000 - (now % 3_600_000)) / 1000) + 10}s`);
    let action: { action: string; time: string } | undefined;
    for (let h = 0; h < 72 && !action; h++) {
      const r = await get(sep, '/latest/meta-data/spot/instance-action', await token(sep));
      if (r.status === 200) action = JSON.parse(r.text) as { action: string; time: string };
      else await advance('1h');
    }
    assert.ok(action, 'the price passed the maximum within three days');
    assert.equal(action.action, 'terminate');
    const at = await clock();
    assert.ok(Date.parse(action.time) > at && Date.parse(action.time) - at <= 120_000, `${action.time} is within two minutes of ${new Date(at).toISOString()}`);
    assert.equal((await get(sep, '/latest/meta-data/spot/termination-time', await token(sep))).text, action.time);
    const state = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [spot] }))).Reservations![0]!.Instances![0]!;
    assert.equal((await state()).State!.Name, 'running', 'still running during the notice');
    await advance('2m');
    const gone = await state();
    assert.equal(gone.State!.Name, 'terminated');
    assert.equal(gone.StateReason!.Code, 'Server.SpotInstanceTermination');
  });
});

const NODE_SCRIPT = `
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const endpoint = process.env.AWS_ENDPOINT_URL;
const me = await new STSClient({ endpoint }).send(new GetCallerIdentityCommand({}));
console.log(me.Arn);
try { await new EC2Client({ endpoint }).send(new DescribeInstancesCommand({})); console.log('describe ok'); } catch (e) { console.log('describe', e.name); }
try { await new IAMClient({ endpoint, region: 'us-east-1' }).send(new ListUsersCommand({})); console.log('listusers ok'); } catch (e) { console.log('listusers', e.name, e.message); }
`;
const PY_SCRIPT = `
import boto3, botocore.exceptions, os
s = boto3.session.Session()
print(s.client('sts').get_caller_identity()['Arn'])
try:
    s.client('ec2').describe_instances(); print('describe ok')
except botocore.exceptions.ClientError as e: print('describe', e.response['Error']['Code'])
try:
    s.client('iam').list_users(); print('listusers ok')
except botocore.exceptions.ClientError as e: print('listusers', e.response['Error']['Code'], e.response['Error']['Message'])
`;

describe('cloudlet exec', () => {
  let id = '';
  before(async () => { id = await launch(); });
  const exec = (...cmd: string[]) => runCli(['exec', id, '--endpoint', cl.url, '--region', REGION, '--', ...cmd], {
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: 'nope', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '',
  });
  const session = new RegExp(`arn:aws:sts::${ACCT}:assumed-role/app-role/${id}`);

  test('the environment: no credentials of the caller, IMDS and the server named', async () => {
    const r = await exec(process.execPath, '-e', 'for (const k of ["AWS_ACCESS_KEY_ID","AWS_PROFILE","AWS_EC2_METADATA_DISABLED","AWS_EC2_METADATA_SERVICE_ENDPOINT","AWS_ENDPOINT_URL","AWS_REGION"]) console.log(k + "=" + (process.env[k] ?? "")); process.exit(7)');
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stdout, /^AWS_ACCESS_KEY_ID=$/m);
    assert.match(r.stdout, /^AWS_PROFILE=$/m);
    assert.match(r.stdout, /^AWS_EC2_METADATA_DISABLED=$/m);
    assert.match(r.stdout, /^AWS_EC2_METADATA_SERVICE_ENDPOINT=http:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.match(r.stdout, new RegExp(`^AWS_ENDPOINT_URL=${cl.url}$`, 'm'));
    assert.match(r.stdout, /^AWS_REGION=us-east-1$/m);
  });

  const checkOutput = (out: string) => {
    assert.match(out, session);
    assert.match(out, /^describe (ok|NotImplemented)/m);
    assert.match(out, /^listusers AccessDenied.*not authorized to perform: iam:ListUsers/m);
  };

  test('boto3, the JS SDK v3 and both AWS CLIs find the role through IMDS; the role policy decides; after 7 h they still work', async () => {
    for (const round of [1, 2]) {
      const py = await exec('python3', '-c', PY_SCRIPT);
      assert.equal(py.code, 0, py.stderr);
      checkOutput(py.stdout);
      const node = await runCliIn(fileURLToPath(new URL('../..', import.meta.url)), id);
      assert.equal(node.code, 0, node.stderr);
      checkOutput(node.stdout);
      for (const cli of awsClis()) {
        if (cli.skip) continue;
        // --endpoint-url: AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL (the credentials still come from IMDS).
        const who = await exec(cli.bin, '--endpoint-url', cl.url, 'sts', 'get-caller-identity', '--output', 'text', '--query', 'Arn');
        assert.equal(who.code, 0, `${cli.name}: ${who.stderr}`);
        assert.match(who.stdout, session, cli.name);
        const denied = await exec(cli.bin, '--endpoint-url', cl.url, 'iam', 'list-users');
        assert.notEqual(denied.code, 0, cli.name);
        assert.match(denied.stderr, /AccessDenied.*iam:ListUsers/, cli.name);
      }
      if (round === 1) assert.equal((await advance('7h')).status, 200);
    }
  });

  test('a stopped instance: exec refuses, and the credentials it had handed out stop working', async () => {
    const ep = await open(id);
    const t = await token(ep);
    const c = JSON.parse((await get(ep, '/latest/meta-data/iam/security-credentials/app-role', t)).text) as Record<string, string>;
    const asRole = new EC2Client(clientConfig(cl.url, REGION, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.Token! }));
    const iam = new IAMClient(clientConfig(cl.url, REGION, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.Token! }));
    await rejects(iam.send(new ListUsersCommand({})), 'AccessDenied', 403);
    await asRole.send(new DescribeVpcsCommand({}));
    await asRole.send(new DescribeSubnetsCommand({}));
    await rejects(asRole.send(new DescribeSecurityGroupsCommand({})), 'UnauthorizedOperation', 403);
    await stop(id);
    await rejects(iam.send(new ListUsersCommand({})), 'ExpiredToken', 403);
    await rejects(asRole.send(new DescribeInstancesCommand({})), 'RequestExpired', 400);
    const r = await exec('true');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is stopped/);
    const unknown = await runCli(['exec', 'i-0000000000000dead', '--endpoint', cl.url, '--', 'true']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /InvalidInstanceID\.NotFound/);
    const ghost = await get(ep, '/latest/meta-data/instance-id', t).catch((e: Error) => ({ status: -1, text: e.message }));
    assert.equal(ghost.status, -1, 'nothing answers for a stopped instance');
  });
});

/** `cloudlet exec ... -- node --input-type=module -e SCRIPT` from the repository, so the SDK resolves. */
function runCliIn(cwd: string, id: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'exec', id, '--endpoint', cl.url, '--region', REGION, '--', process.execPath, '--input-type=module', '-e', NODE_SCRIPT], {
      cwd, env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}
