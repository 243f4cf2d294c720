// Account-level S3 Block Public Access through S3 Control, with real clients: the JS SDK v3
// (@aws-sdk/client-s3-control beside @aws-sdk/client-s3), boto3 and the AWS CLI v2. The clients
// send S3 Control to ACCOUNT.localhost:PORT (the endpoint ruleset prefixes the account ID even
// with a custom endpoint, and disableHostPrefix does not stop it); glibc here does not resolve
// *.localhost, so each client is given a resolver that maps it to the loopback address.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, type AgentOptions } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, DeleteBucketPolicyCommand, GetObjectCommand, GetPublicAccessBlockCommand as GetBucketPabCommand, PutBucketPolicyCommand,
  PutObjectAclCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3ControlClient,
  type PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3-control';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { withHosts } from '../helpers/hosts.js';
import { needTool } from '../helpers/tools.js';
import { runPython } from '../helpers/python.js';
import { signedFetch } from '../helpers/sign.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const B = '222222222222';
type Creds = { accessKeyId: string; secretAccessKey: string };
const ROOT_A: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const publicRead = (bucket: string) => doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` });
const ALL_OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

/** An http.Agent whose lookup sends every *.localhost name to 127.0.0.1 (Node asks with `all` set since 20). */
function localhostAgent(): Agent {
  const lookup: AgentOptions['lookup'] = ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    if (hostname !== 'localhost' && !hostname.endsWith('.localhost')) throw new Error(`unexpected host ${hostname}`);
    if (options?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  }) as AgentOptions['lookup'];
  return new Agent({ lookup });
}

let cl: Cloudlet;
/** http://localhost:PORT: what users pass as --endpoint-url; S3 Control's clients prefix ACCOUNT. */
let endpoint: string;
let s3: S3Client;
let control: S3ControlClient;
const agents: Agent[] = [];
const controlAs = (c: Creds): S3ControlClient => {
  const agent = localhostAgent();
  agents.push(agent);
  return new S3ControlClient({ ...clientConfig(endpoint, 'us-east-1', c), requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
};

async function userKeys(name: string, policy: string): Promise<Creds> {
  const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', ROOT_A));
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  iam.destroy();
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

const putAccountBlock = (cfg: PublicAccessBlockConfiguration) =>
  control.send(new PutPublicAccessBlockCommand({ AccountId: A, PublicAccessBlockConfiguration: cfg }));
const deleteAccountBlock = () => control.send(new DeletePublicAccessBlockCommand({ AccountId: A }));

before(async () => {
  cl = await startTestServer({ iam: 'enforce' });
  endpoint = cl.url.replace('127.0.0.1', 'localhost');
  s3 = new S3Client({ ...clientConfig(cl.url, 'us-east-1', ROOT_A), forcePathStyle: true });
  control = controlAs(ROOT_A);
});
after(async () => {
  s3.destroy();
  control.destroy();
  for (const a of agents) a.destroy();
  await cl.close();
});

describe('S3 Control account-level Block Public Access (JS SDK v3)', () => {
  test('Get before Put is NoSuchPublicAccessBlockConfiguration; Put / Get / Delete round trip', async () => {
    await rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'NoSuchPublicAccessBlockConfiguration', 404,
      'The public access block configuration was not found');
    // Flags left out are reported as false.
    await putAccountBlock({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    const got = await control.send(new GetPublicAccessBlockCommand({ AccountId: A }));
    assert.deepEqual(got.PublicAccessBlockConfiguration, { ...ALL_OFF, BlockPublicAcls: true, RestrictPublicBuckets: true });
    await putAccountBlock({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    assert.equal((await control.send(new GetPublicAccessBlockCommand({ AccountId: A }))).PublicAccessBlockConfiguration?.IgnorePublicAcls, true);
    await deleteAccountBlock();
    await rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'NoSuchPublicAccessBlockConfiguration', 404);
    // Deleting what is not there succeeds.
    await deleteAccountBlock();
  });

  test("another account's ID is AccessDenied, whoever asks; each account has its own settings", async () => {
    await rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: B })), 'AccessDenied', 403, 'Access Denied');
    await rejects(control.send(new PutPublicAccessBlockCommand({ AccountId: B, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } })),
      'AccessDenied', 403);
    const b = controlAs({ accessKeyId: B, secretAccessKey: 'test' });
    await b.send(new PutPublicAccessBlockCommand({ AccountId: B, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }));
    assert.equal((await b.send(new GetPublicAccessBlockCommand({ AccountId: B }))).PublicAccessBlockConfiguration?.BlockPublicPolicy, true);
    await rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'NoSuchPublicAccessBlockConfiguration', 404);
    await b.send(new DeletePublicAccessBlockCommand({ AccountId: B }));
    b.destroy();
    // Unsigned: no account to be.
    const res = await fetch(`${cl.url}/v20180820/configuration/publicAccessBlock`, { headers: { 'x-amz-account-id': A } });
    assert.equal(res.status, 403);
    // S3 Control wraps its errors (S3 does not): the Go SDK (Terraform) reads only this form.
    assert.match(await res.text(), /^<\?xml[^>]*>\s*<ErrorResponse><Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><\/Error><RequestId>/);
  });

  test('IAM: s3:GetAccountPublicAccessBlock / s3:PutAccountPublicAccessBlock on *, explicit Deny wins', async () => {
    const reader = controlAs(await userKeys('pab-reader', doc(
      { Effect: 'Allow', Action: 's3:GetAccountPublicAccessBlock', Resource: '*' },
      { Effect: 'Deny', Action: 's3:PutAccountPublicAccessBlock', Resource: '*' },
    )));
    await putAccountBlock({ BlockPublicPolicy: true });
    assert.equal((await reader.send(new GetPublicAccessBlockCommand({ AccountId: A }))).PublicAccessBlockConfiguration?.BlockPublicPolicy, true);
    await rejects(reader.send(new PutPublicAccessBlockCommand({ AccountId: A, PublicAccessBlockConfiguration: {} })), 'AccessDenied', 403,
      /s3:PutAccountPublicAccessBlock.*explicit deny/);
    // Deleting needs the Put permission.
    await rejects(reader.send(new DeletePublicAccessBlockCommand({ AccountId: A })), 'AccessDenied', 403, /s3:PutAccountPublicAccessBlock/);
    const nobody = controlAs(await userKeys('pab-nobody', doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' })));
    await rejects(nobody.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'AccessDenied', 403, /s3:GetAccountPublicAccessBlock/);
    reader.destroy();
    nobody.destroy();
    await deleteAccountBlock();
  });
});

describe('S3 Control bad input: AWS-shaped errors, never a 5xx but for what is not implemented', () => {
  const PAB = '/v20180820/configuration/publicAccessBlock';
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    signedFetch(cl.url, 's3', { method, path, headers: { 'x-amz-account-id': A, ...headers }, ...(body !== undefined ? { body } : {}) });
  const code = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

  test('malformed, empty and wrong-shaped bodies, odd account IDs, unknown paths, unserved operations', async () => {
    let res = await send('PUT', PAB, { 'content-type': 'application/xml' }, '<PublicAccessBlockConfiguration><BlockPublicAcls>tru');
    assert.equal(res.status, 400);
    assert.equal(await code(res), 'MalformedXML');
    res = await send('PUT', PAB, { 'content-type': 'application/xml' }, '<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>');
    assert.equal(res.status, 400);
    assert.equal(await code(res), 'MalformedXML');
    res = await send('GET', PAB, { 'x-amz-account-id': 'not-an-account' });
    assert.equal(res.status, 403);
    assert.equal(await code(res), 'AccessDenied');
    res = await send('GET', '/v20180820/no/such/thing', {});
    assert.equal(res.status, 400);
    assert.equal(await code(res), 'InvalidRequest');
    // An operation of the model cloudlet does not serve: NotImplemented, honestly.
    res = await send('GET', '/v20180820/accesspoint', {});
    assert.equal(res.status, 501);
    assert.equal(await code(res), 'NotImplemented');
    // Nothing was stored by any of it.
    await rejects(control.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'NoSuchPublicAccessBlockConfiguration', 404);
  });
});

describe('S3 enforces the account-level settings combined with the bucket-level ones', () => {
  test('BlockPublicPolicy: a public bucket policy is refused on a bucket with no bucket-level block, and accepted once the account block is gone', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pab-policy' }));
    await rejects(s3.send(new GetBucketPabCommand({ Bucket: 'pab-policy' })), 'NoSuchPublicAccessBlockConfiguration', 404);
    await putAccountBlock({ BlockPublicPolicy: true });
    await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: 'pab-policy', Policy: publicRead('pab-policy') })), 'AccessDenied', 403,
      /because public policies are blocked by the BlockPublicPolicy block public access setting/);
    // The bucket's own configuration is still absent: only enforcement sees the combination.
    await rejects(s3.send(new GetBucketPabCommand({ Bucket: 'pab-policy' })), 'NoSuchPublicAccessBlockConfiguration', 404);
    // A policy that is not public is not blocked.
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'pab-policy', Policy: doc({ Effect: 'Allow', Principal: { AWS: B }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::pab-policy/*' }) }));
    await deleteAccountBlock();
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'pab-policy', Policy: publicRead('pab-policy') }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'pab-policy' }));
  });

  test('RestrictPublicBuckets: an anonymous GET that a public policy allows is refused while the account block is on', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pab-restrict' }));
    await s3.send(new PutObjectCommand({ Bucket: 'pab-restrict', Key: 'open.txt', Body: 'hello' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'pab-restrict', Policy: publicRead('pab-restrict') }));
    const url = `${cl.url}/pab-restrict/open.txt`;
    let res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello');
    await putAccountBlock({ RestrictPublicBuckets: true });
    res = await fetch(url);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
    // The owner still reads it.
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'pab-restrict', Key: 'open.txt' }))).Body!.transformToString(), 'hello');
    await deleteAccountBlock();
    res = await fetch(url);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });

  test('BlockPublicAcls refuses public ACLs on PutObject, PutObjectAcl and CreateBucket; IgnorePublicAcls stops public-read ACLs from granting', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'pab-acls', ObjectOwnership: 'ObjectWriter' }));
    await s3.send(new PutObjectCommand({ Bucket: 'pab-acls', Key: 'acl.txt', Body: 'acl', ACL: 'public-read' }));
    const url = `${cl.url}/pab-acls/acl.txt`;
    let res = await fetch(url);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await putAccountBlock({ BlockPublicAcls: true });
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'pab-acls', Key: 'acl2.txt', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await rejects(s3.send(new PutObjectAclCommand({ Bucket: 'pab-acls', Key: 'acl.txt', ACL: 'public-read-write' })), 'AccessDenied', 403);
    await rejects(s3.send(new CreateBucketCommand({ Bucket: 'pab-acls-new', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' })), 'AccessDenied', 403);
    // Private ACLs still go through; the existing public ACL still grants (BlockPublicAcls only stops new ones).
    await s3.send(new PutObjectCommand({ Bucket: 'pab-acls', Key: 'private.txt', Body: 'p', ACL: 'private' }));
    res = await fetch(url);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await putAccountBlock({ IgnorePublicAcls: true });
    res = await fetch(url);
    assert.equal(res.status, 403);
    await res.arrayBuffer();
    await deleteAccountBlock();
    res = await fetch(url);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });
});

describe('S3 Control with botocore clients', () => {
  const BOTO3 = `
import json, socket, sys
import boto3
from botocore.exceptions import ClientError
# glibc does not resolve *.localhost: send it to the loopback address, as an /etc/hosts line would.
_gai = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: _gai('127.0.0.1' if str(host).endswith('.localhost') else host, *a, **k)
c = boto3.client('s3control', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
out = {}
def code(fn):
    try:
        fn()
        return 'ok'
    except ClientError as e:
        return e.response['Error']['Code'] + ' ' + str(e.response['ResponseMetadata']['HTTPStatusCode'])
out['before'] = code(lambda: c.get_public_access_block(AccountId='${A}'))
c.put_public_access_block(AccountId='${A}', PublicAccessBlockConfiguration={'BlockPublicPolicy': True, 'IgnorePublicAcls': True})
out['got'] = c.get_public_access_block(AccountId='${A}')['PublicAccessBlockConfiguration']
out['other'] = code(lambda: c.get_public_access_block(AccountId='${B}'))
c.delete_public_access_block(AccountId='${A}')
out['after'] = code(lambda: c.get_public_access_block(AccountId='${A}'))
print(json.dumps(out))
`;

  test('boto3: round trip, NoSuchPublicAccessBlockConfiguration, AccessDenied for another account', { skip: needTool('boto3') }, async () => {
    const r = await runPython(BOTO3, [endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      before: 'NoSuchPublicAccessBlockConfiguration 404',
      got: { ...ALL_OFF, BlockPublicPolicy: true, IgnorePublicAcls: true },
      other: 'AccessDenied 403',
      after: 'NoSuchPublicAccessBlockConfiguration 404',
    });
  });

  // The CLI resolves names through glibc: it runs in a private mount namespace whose /etc/hosts
  // maps the account's name to the loopback address (as test/e2e/ecr-docker.test.ts does).
  test('AWS CLI v2: aws s3control put / get / delete-public-access-block', { skip: needTool('aws2') }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-s3control-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const aws = (...args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
      const run = withHosts(dir, [`127.0.0.1 ${A}.localhost`], '/usr/bin/aws', ['--endpoint-url', endpoint, '--output', 'json', 's3control', ...args]);
      const child = spawn(run.cmd, run.args, {
        env: {
          PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeout: 60_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('close', (code) => done({ status: code ?? -1, stdout, stderr }));
    });
    const probe = await aws('get-public-access-block', '--account-id', A);
    if (/unshare|mount/.test(probe.stderr) && probe.status !== 254 && probe.status !== 255) {
      t.skip(`no private mount namespace here: ${probe.stderr.trim()}`);
      return;
    }
    assert.match(probe.stderr, /NoSuchPublicAccessBlockConfiguration/);
    let r = await aws('put-public-access-block', '--account-id', A, '--public-access-block-configuration', 'BlockPublicAcls=true,RestrictPublicBuckets=true');
    assert.equal(r.status, 0, r.stderr);
    r = await aws('get-public-access-block', '--account-id', A);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).PublicAccessBlockConfiguration, { ...ALL_OFF, BlockPublicAcls: true, RestrictPublicBuckets: true });
    r = await aws('delete-public-access-block', '--account-id', A);
    assert.equal(r.status, 0, r.stderr);
    r = await aws('get-public-access-block', '--account-id', A);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /NoSuchPublicAccessBlockConfiguration/);
  });
});

describe('account-level settings are state like any other', () => {
  test('they survive a restart on a data directory, and a reset of service s3control removes them', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-s3control-state-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const withServer = async (fn: (c: S3ControlClient, server: Cloudlet) => Promise<void>) => {
      const server = await startTestServer({ ephemeral: false, dataDir: dir });
      const agent = localhostAgent();
      const c = new S3ControlClient({ ...clientConfig(server.url.replace('127.0.0.1', 'localhost')), requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
      try { await fn(c, server); } finally { c.destroy(); agent.destroy(); await server.close(); }
    };
    await withServer(async (c) => {
      await c.send(new PutPublicAccessBlockCommand({ AccountId: A, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    });
    await withServer(async (c, server) => {
      const got = await c.send(new GetPublicAccessBlockCommand({ AccountId: A }));
      assert.deepEqual(got.PublicAccessBlockConfiguration, { ...ALL_OFF, IgnorePublicAcls: true });
      const reset = await fetch(`${server.url}/_cloudlet/reset?service=s3control`, { method: 'POST' });
      assert.equal(reset.status, 200);
      await reset.arrayBuffer();
      await rejects(c.send(new GetPublicAccessBlockCommand({ AccountId: A })), 'NoSuchPublicAccessBlockConfiguration', 404);
    });
  });
});
