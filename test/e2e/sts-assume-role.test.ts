import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput, type Credentials,
} from '@aws-sdk/client-sts';
import { CreatePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../src/auth/credentials.js';
import type { Credential } from '../../src/auth/principal.js';
import type { SessionPrincipal } from '../../src/services/sts/session.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
const OTHER = '111111111111';

/** Trust: any principal of these accounts whose own policies allow it, with tags and source identity. */
const trustAccounts = (...accounts: string[]) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
    Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
  }],
});

const allow = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

const asCreds = (c: Credentials | undefined) => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });

describe('STS AssumeRole with SDK v3', () => {
  let cl: Cloudlet;
  let sts: STSClient;
  let appRole: { arn: string; id: string };
  let chainRole: { arn: string; id: string };
  let longRole: { arn: string; id: string };
  let crossRole: { arn: string; id: string };
  let policyArn: string;

  const stored = async (accessKeyId: string) =>
    cl.deps.store.transaction((tx) => tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId)!.principal as SessionPrincipal);
  const assume = (input: Partial<AssumeRoleCommandInput>, client = sts) =>
    client.send(new AssumeRoleCommand({ RoleArn: appRole.arn, RoleSessionName: 'session', ...input }));
  const stsWith = (c: Credentials | undefined) => new STSClient(clientConfig(cl.url, 'us-east-1', asCreds(c)));

  before(async () => {
    cl = await startTestServer();
    sts = new STSClient(clientConfig(cl.url));
    const iam = new IAMClient(clientConfig(cl.url));
    const role = async (client: IAMClient, name: string, trust: string, extra: { MaxSessionDuration?: number; Path?: string } = {}) => {
      const r = await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, ...extra }));
      return { arn: r.Role!.Arn!, id: r.Role!.RoleId! };
    };
    appRole = await role(iam, 'app-role', trustAccounts(ACCT));
    // Sessions of app-role may assume further roles and use EC2 and ECR.
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'app-role', PolicyName: 'use',
      PolicyDocument: allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'ec2:DescribeRegions', 'ecr:DescribeRepositories']),
    }));
    chainRole = await role(iam, 'chain-role', trustAccounts(ACCT), { MaxSessionDuration: 43200 });
    longRole = await role(iam, 'long-role', trustAccounts(ACCT), { MaxSessionDuration: 7200, Path: '/team/ops/' });
    const otherIam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: OTHER, secretAccessKey: 'test' }));
    crossRole = await role(otherIam, 'cross-role', trustAccounts(ACCT));
    const p = await iam.send(new CreatePolicyCommand({ PolicyName: 'read-ec2', PolicyDocument: allow(['ec2:Describe*']) }));
    policyArn = p.Policy!.Arn!;
  });
  after(async () => { await cl.close(); });

  test('credentials, assumed-role user and expiry look like AWS and work', async () => {
    const t0 = Date.now();
    const r = await assume({ RoleSessionName: 'alice@example.com' });
    const c = r.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length > 200);
    const exp = c.Expiration!.getTime();
    assert.ok(exp >= Math.floor(t0 / 1000) * 1000 + 3600_000 && exp <= Date.now() + 3600_000, `expiration ${c.Expiration!.toISOString()}`);
    assert.match(appRole.id, /^AROA[A-Z2-7]{17}$/);
    assert.deepEqual(r.AssumedRoleUser, { AssumedRoleId: `${appRole.id}:alice@example.com`, Arn: `arn:aws:sts::${ACCT}:assumed-role/app-role/alice@example.com` });
    assert.equal(r.PackedPolicySize, undefined);

    const id = await stsWith(c).send(new GetCallerIdentityCommand({}));
    assert.equal(id.UserId, `${appRole.id}:alice@example.com`);
    assert.equal(id.Account, ACCT);
    assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/app-role/alice@example.com`);

    const p = await stored(c.AccessKeyId!);
    assert.equal(p.kind, 'assumed-role');
    assert.equal(p.roleArn, appRole.arn);
    assert.equal(p.sessionName, 'alice@example.com');
    assert.equal(p.name, 'app-role');
    assert.equal(p.chained, false);
    assert.equal(p.expiresAt, exp);

    const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', asCreds(c)));
    assert.ok((await ec2.send(new DescribeRegionsCommand({}))).Regions!.length > 10);
    const ecr = new ECRClient(clientConfig(cl.url, 'us-east-1', asCreds(c)));
    assert.deepEqual((await ecr.send(new DescribeRepositoriesCommand({}))).repositories, []);
  });

  test('the assumed-role ARN leaves out the role path', async () => {
    const r = await assume({ RoleArn: longRole.arn, RoleSessionName: 'ops' });
    assert.equal(longRole.arn, `arn:aws:iam::${ACCT}:role/team/ops/long-role`);
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCT}:assumed-role/long-role/ops`);
  });

  test('cross-account: a role of another account gives a session in that account', async () => {
    const r = await assume({ RoleArn: crossRole.arn, RoleSessionName: 'visitor' });
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${OTHER}:assumed-role/cross-role/visitor`);
    const id = await stsWith(r.Credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, OTHER);
    assert.equal(id.UserId, `${crossRole.id}:visitor`);
    assert.equal((await stored(r.Credentials!.AccessKeyId!)).account, OTHER);
  });

  test('a role that does not exist (in its account) is AccessDenied, worded as AWS does', async () => {
    for (const arn of [`arn:aws:iam::${ACCT}:role/nope`, `arn:aws:iam::${OTHER}:role/app-role`, `arn:aws:iam::${ACCT}:role/wrong/path/long-role`]) {
      await assert.rejects(assume({ RoleArn: arn }), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'AccessDenied');
        assert.equal(e.message, `User: arn:aws:iam::${ACCT}:root is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
        assert.equal(e.$metadata.httpStatusCode, 403);
        return true;
      });
    }
  });

  test('RoleSessionName, RoleArn and other members are checked against the model constraints', async () => {
    const validation = (re: RegExp) => (e: Error) => { assert.equal(e.name, 'ValidationError'); assert.match(e.message, re); return true; };
    await assert.rejects(assume({ RoleSessionName: 'a' }),
      validation(/^1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2$/));
    await assert.rejects(assume({ RoleSessionName: 'bad name!' }),
      validation(/Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*/));
    await assert.rejects(assume({ RoleSessionName: 'x'.repeat(65) }), validation(/Member must have length less than or equal to 64/));
    await assert.rejects(assume({ RoleArn: 'arn:short' }), validation(/at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/));
    await assert.rejects(assume({ ExternalId: 'a', SourceIdentity: 'no spaces' }), validation(/^2 validation errors detected: .*'externalId'.*; .*'sourceIdentity'/));
    await assert.rejects(assume({ DurationSeconds: 899 }), validation(/at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/));
    await assert.rejects(assume({ DurationSeconds: 43201 }), validation(/Member must have value less than or equal to 43200/));
  });

  test('DurationSeconds: up to the role\'s MaxSessionDuration', async () => {
    const long = await assume({ RoleArn: longRole.arn, DurationSeconds: 7200 });
    const exp = long.Credentials!.Expiration!.getTime();
    assert.ok(Math.abs(exp - (Date.now() + 7200_000)) < 5000);
    const short = await assume({ DurationSeconds: 900 });
    assert.ok(Math.abs(short.Credentials!.Expiration!.getTime() - (Date.now() + 900_000)) < 5000);
    for (const [arn, d] of [[longRole.arn, 7201], [appRole.arn, 3601]] as const) {
      await assert.rejects(assume({ RoleArn: arn, DurationSeconds: d }), (e: Error) => {
        assert.equal(e.name, 'ValidationError');
        assert.equal(e.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
        return true;
      });
    }
  });

  test('role chaining: one hour at most, marked chained, transitive tags and source identity carry on', async () => {
    const first = await assume({
      Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'cost', Value: '42' }], TransitiveTagKeys: ['team'], SourceIdentity: 'alice',
    });
    assert.equal(first.SourceIdentity, 'alice');
    assert.ok(first.PackedPolicySize! >= 1 && first.PackedPolicySize! <= 100);
    const session = stsWith(first.Credentials);
    await assert.rejects(assume({ RoleArn: chainRole.arn, DurationSeconds: 3601 }, session), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.equal(e.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
      return true;
    });
    const second = await assume({ RoleArn: chainRole.arn, RoleSessionName: 'hop', DurationSeconds: 3600 }, session);
    assert.equal(second.SourceIdentity, 'alice');
    const p = await stored(second.Credentials!.AccessKeyId!);
    assert.equal(p.chained, true);
    assert.deepEqual(p.tags, { team: 'blue' });
    assert.deepEqual(p.transitiveTagKeys, ['team']);
    assert.equal(p.sourceIdentity, 'alice');
    const id = await stsWith(second.Credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/chain-role/hop`);

    // A transitive tag keeps its value down the chain, and so does the source identity.
    await assert.rejects(assume({ RoleArn: chainRole.arn, Tags: [{ Key: 'TEAM', Value: 'red' }] }, session), { name: 'InvalidParameterValue' });
    await assert.rejects(assume({ RoleArn: chainRole.arn, SourceIdentity: 'mallory' }, session), { name: 'InvalidParameterValue' });
    const same = await assume({ RoleArn: chainRole.arn, Tags: [{ Key: 'team', Value: 'blue' }, { Key: 'x', Value: 'y' }] }, session);
    assert.deepEqual((await stored(same.Credentials!.AccessKeyId!)).tags, { team: 'blue', x: 'y' });
    // Without chaining, the default of a long role stays one hour and more may be asked for.
    const direct = await assume({ RoleArn: chainRole.arn, DurationSeconds: 43200 });
    assert.equal((await stored(direct.Credentials!.AccessKeyId!)).chained, false);
  });

  test('session tags: limits, case-insensitive keys, transitive keys must be tags, packed size', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await assert.rejects(assume({ Tags: tags }), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/);
      return true;
    });
    await assert.rejects(assume({ Tags: [{ Key: 'Env', Value: 'a' }, { Key: 'env', Value: 'b' }] }), (e: Error) => {
      assert.equal(e.name, 'InvalidParameterValue');
      assert.match(e.message, /Duplicate tag keys found/);
      return true;
    });
    await assert.rejects(assume({ Tags: [{ Key: 'a', Value: 'b' }], TransitiveTagKeys: ['c'] }), { name: 'InvalidParameterValue' });
    await assert.rejects(assume({ Tags: [{ Key: 'bad\u0000key', Value: 'v' }] }), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern/);
      return true;
    });
    // Long random tags do not compress: the packed form overflows.
    const big = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}-${randomBytes(60).toString('hex')}`, Value: randomBytes(128).toString('hex') }));
    await assert.rejects(assume({ Tags: big }), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'PackedPolicyTooLargeException');
      assert.match(e.message, /^Packed policy consumes \d+% of allotted space/);
      assert.equal(e.$metadata.httpStatusCode, 400);
      return true;
    });
    const ok = await assume({ Tags: [{ Key: 'Project', Value: 'Unicorn' }, { Key: 'Cost-Center', Value: '12345' }] });
    assert.ok(ok.PackedPolicySize! > 0 && ok.PackedPolicySize! < 20, String(ok.PackedPolicySize));
    assert.deepEqual((await stored(ok.Credentials!.AccessKeyId!)).tags, { Project: 'Unicorn', 'Cost-Center': '12345' });
  });

  test('session policies: inline and managed ones are kept for enforcement; bad ones refused', async () => {
    const inline = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }] });
    const r = await assume({ Policy: inline, PolicyArns: [{ arn: policyArn }] });
    assert.ok(r.PackedPolicySize! > 0 && r.PackedPolicySize! <= 100);
    const p = await stored(r.Credentials!.AccessKeyId!);
    assert.equal(p.sessionPolicies!.length, 2);
    assert.equal(p.sessionPolicies![0], inline);
    assert.deepEqual(JSON.parse(p.sessionPolicies![1]!), JSON.parse(allow(['ec2:Describe*'])));

    const aws = await assume({ PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] });
    const awsPolicy = (await stored(aws.Credentials!.AccessKeyId!)).sessionPolicies!;
    assert.equal(awsPolicy.length, 1);
    assert.match(awsPolicy[0]!, /"Statement"/);

    await assert.rejects(assume({ Policy: '{"Version": "2012-10-17", "Statement": [' }), { name: 'MalformedPolicyDocumentException' });
    await assert.rejects(assume({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }) }),
      { name: 'MalformedPolicyDocumentException' });
    await assert.rejects(assume({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Sid: 'x'.repeat(2100) }] }) }), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048/);
      return true;
    });
    const eleven = Array.from({ length: 11 }, () => ({ arn: policyArn }));
    await assert.rejects(assume({ PolicyArns: eleven }), { name: 'ValidationError' });
    await assert.rejects(assume({ PolicyArns: [{ arn: `arn:aws:iam::${ACCT}:policy/does-not-exist` }] }));
  });

  test('MFA: a serial number needs a token code; both mark the session', async () => {
    await assert.rejects(assume({ SerialNumber: `arn:aws:iam::${ACCT}:mfa/alice` }), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.match(e.message, /must provide both MFA serial number and one time pass code/);
      return true;
    });
    const r = await assume({ SerialNumber: `arn:aws:iam::${ACCT}:mfa/alice`, TokenCode: '123456' });
    assert.equal((await stored(r.Credentials!.AccessKeyId!)).mfa, true);
    await assert.rejects(assume({ SerialNumber: `arn:aws:iam::${ACCT}:mfa/alice`, TokenCode: '12345a' }), { name: 'ValidationError' });
  });

  test('credentials stop working at expiry by the cloudlet clock: ExpiredToken (STS), RequestExpired (EC2), ExpiredTokenException (ECR)', async () => {
    const r = await assume({ DurationSeconds: 900 });
    const creds = asCreds(r.Credentials);
    const session = new STSClient(clientConfig(cl.url, 'us-east-1', creds));
    const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', creds));
    const ecr = new ECRClient(clientConfig(cl.url, 'us-east-1', creds));
    await session.send(new GetCallerIdentityCommand({}));
    // Ten seconds short of the expiry (real time moves too, and a loaded machine is slow), then past it.
    cl.deps.clock.advance(890_000);
    try {
      await session.send(new GetCallerIdentityCommand({}));
      cl.deps.clock.advance(12_000);
      await assert.rejects(session.send(new GetCallerIdentityCommand({})), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'ExpiredToken');
        assert.equal(e.message, 'The security token included in the request is expired');
        assert.equal(e.$metadata.httpStatusCode, 403);
        return true;
      });
      await assert.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'RequestExpired' });
      await assert.rejects(ecr.send(new DescribeRepositoriesCommand({})), { name: 'ExpiredTokenException' });
      // Expired sessions cannot mint new ones either.
      await assert.rejects(assume({}, session), { name: 'ExpiredToken' });
    } finally {
      cl.deps.clock.setOffset(0);
    }
  });

  test('session tokens: unknown ASIA key, wrong token, missing token are InvalidClientTokenId', async () => {
    const r = await assume({});
    const c = asCreds(r.Credentials);
    const check = async (creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, sts: string, ec2: string, ecr: string) => {
      await assert.rejects(new STSClient(clientConfig(cl.url, 'us-east-1', creds)).send(new GetCallerIdentityCommand({})), { name: sts });
      await assert.rejects(new EC2Client(clientConfig(cl.url, 'us-east-1', creds)).send(new DescribeRegionsCommand({})), { name: ec2 });
      await assert.rejects(new ECRClient(clientConfig(cl.url, 'us-east-1', creds)).send(new DescribeRepositoriesCommand({})), { name: ecr });
    };
    await check({ ...c, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }, 'InvalidClientTokenId', 'AuthFailure', 'UnrecognizedClientException');
    await check({ ...c, sessionToken: `${c.sessionToken.slice(0, -8)}AAAAAAAA` }, 'InvalidClientTokenId', 'AuthFailure', 'UnrecognizedClientException');
    await check({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, 'InvalidClientTokenId', 'AuthFailure', 'UnrecognizedClientException');
    await check({ ...c, secretAccessKey: 'x'.repeat(40) }, 'SignatureDoesNotMatch', 'AuthFailure', 'InvalidSignatureException');
  });
});
