import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssumeRoleCommand, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, GetFederationTokenCommand,
  GetSessionTokenCommand, STSClient, type Credentials,
} from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../src/auth/credentials.js';
import type { Credential } from '../../src/auth/principal.js';
import { encodeAuthorizationMessage } from '../../src/services/authz/message.js';
import type { SessionPrincipal } from '../../src/services/sts/session.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
const asCreds = (c: Credentials | undefined) => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
const allow = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const near = (d: Date | undefined, ms: number) => assert.ok(Math.abs(d!.getTime() - (Date.now() + ms)) < 5000, `${d?.toISOString()} is not now + ${ms / 1000}s`);

describe('STS GetSessionToken, GetFederationToken, GetCallerIdentity, DecodeAuthorizationMessage', () => {
  let cl: Cloudlet;
  let root: STSClient;
  let alice: STSClient;
  let aliceArn: string;
  let aliceId: string;
  let roleArn: string;

  const stored = async (accessKeyId: string) =>
    cl.deps.store.transaction((tx) => tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId)!.principal as SessionPrincipal);
  const stsWith = (c: Credentials | undefined) => new STSClient(clientConfig(cl.url, 'us-east-1', asCreds(c)));

  before(async () => {
    cl = await startTestServer();
    root = new STSClient(clientConfig(cl.url));
    const iam = new IAMClient(clientConfig(cl.url));
    const u = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/staff/' }));
    aliceArn = u.User!.Arn!;
    aliceId = u.User!.UserId!;
    await iam.send(new PutUserPolicyCommand({
      UserName: 'alice', PolicyName: 'sts',
      PolicyDocument: allow(['sts:AssumeRole', 'sts:GetFederationToken', 'sts:DecodeAuthorizationMessage']),
    }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' }] });
    roleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust, MaxSessionDuration: 14400 }))).Role!.Arn!;
  });
  after(async () => { await cl.close(); });

  test('GetCallerIdentity with an IAM user\'s keys', async () => {
    const id = await alice.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, ACCT);
    assert.equal(id.Arn, `arn:aws:iam::${ACCT}:user/staff/alice`);
    assert.equal(id.Arn, aliceArn);
    assert.match(id.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(id.UserId, aliceId);
  });

  test('GetSessionToken for a user: 12 hours by default, up to 36, the same identity', async () => {
    const r = await alice.send(new GetSessionTokenCommand({}));
    assert.match(r.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    near(r.Credentials!.Expiration, 43200_000);
    const id = await stsWith(r.Credentials).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: id.UserId, Account: id.Account, Arn: id.Arn }, { UserId: aliceId, Account: ACCT, Arn: aliceArn });
    const p = await stored(r.Credentials!.AccessKeyId!);
    assert.equal(p.kind, 'user');
    assert.equal(p.name, 'alice');
    assert.equal(p.mfa, undefined);

    near((await alice.send(new GetSessionTokenCommand({ DurationSeconds: 129600 }))).Credentials!.Expiration, 129600_000);
    near((await alice.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!.Expiration, 900_000);
    await assert.rejects(alice.send(new GetSessionTokenCommand({ DurationSeconds: 129601 })), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600/);
      return true;
    });
    await assert.rejects(alice.send(new GetSessionTokenCommand({ DurationSeconds: 899 })), { name: 'ValidationError' });
  });

  test('GetSessionToken for root: at most one hour', async () => {
    const r = await root.send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    near(r.Credentials!.Expiration, 3600_000);
    near((await root.send(new GetSessionTokenCommand({}))).Credentials!.Expiration, 3600_000);
    const id = await stsWith(r.Credentials).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: id.UserId, Account: id.Account, Arn: id.Arn }, { UserId: ACCT, Account: ACCT, Arn: `arn:aws:iam::${ACCT}:root` });
  });

  test('GetSessionToken with MFA marks the session (no MFA devices in cloudlet: any six digits)', async () => {
    const r = await alice.send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${ACCT}:mfa/alice`, TokenCode: '000000' }));
    assert.equal((await stored(r.Credentials!.AccessKeyId!)).mfa, true);
    await assert.rejects(alice.send(new GetSessionTokenCommand({ TokenCode: '123456' })), { name: 'AccessDenied' });
    await assert.rejects(alice.send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${ACCT}:mfa/alice`, TokenCode: '1234' })), (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6/);
      return true;
    });
  });

  test('session credentials cannot call GetSessionToken or GetFederationToken', async () => {
    const viaToken = stsWith((await alice.send(new GetSessionTokenCommand({}))).Credentials);
    const viaRole = stsWith((await alice.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's1' }))).Credentials);
    for (const client of [viaToken, viaRole]) {
      await assert.rejects(client.send(new GetSessionTokenCommand({})), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'AccessDenied');
        assert.equal(e.message, 'Cannot call GetSessionToken with session credentials');
        assert.equal(e.$metadata.httpStatusCode, 403);
        return true;
      });
      await assert.rejects(client.send(new GetFederationTokenCommand({ Name: 'bob' })), { name: 'AccessDenied' });
    }
  });

  test('GetSessionToken credentials may assume a role, and that is not role chaining', async () => {
    const viaToken = stsWith((await alice.send(new GetSessionTokenCommand({}))).Credentials);
    const r = await viaToken.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'from-token', DurationSeconds: 14400 }));
    near(r.Credentials!.Expiration, 14400_000);
    assert.equal((await stored(r.Credentials!.AccessKeyId!)).chained, false);
  });

  test('GetSessionToken credentials expire by the cloudlet clock', async () => {
    const s = stsWith((await alice.send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
    await s.send(new GetCallerIdentityCommand({}));
    cl.deps.clock.advance(901_000);
    try {
      await assert.rejects(s.send(new GetCallerIdentityCommand({})), { name: 'ExpiredToken' });
      await alice.send(new GetCallerIdentityCommand({}));
    } finally {
      cl.deps.clock.setOffset(0);
    }
  });

  test('GetFederationToken: a federated-user session with the session policy, caller remembered', async () => {
    const policy = allow(['s3:ListAllMyBuckets']);
    const r = await alice.send(new GetFederationTokenCommand({ Name: 'bob', Policy: policy, Tags: [{ Key: 'dept', Value: 'qa' }] }));
    assert.deepEqual(r.FederatedUser, { FederatedUserId: `${ACCT}:bob`, Arn: `arn:aws:sts::${ACCT}:federated-user/bob` });
    near(r.Credentials!.Expiration, 43200_000);
    assert.ok(r.PackedPolicySize! > 0);
    const id = await stsWith(r.Credentials).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ UserId: id.UserId, Account: id.Account, Arn: id.Arn }, { UserId: `${ACCT}:bob`, Account: ACCT, Arn: `arn:aws:sts::${ACCT}:federated-user/bob` });
    const p = await stored(r.Credentials!.AccessKeyId!);
    assert.equal(p.kind, 'federated-user');
    assert.deepEqual(p.sessionPolicies, [policy]);
    assert.equal(p.userArn, aliceArn);
    assert.deepEqual(p.tags, { dept: 'qa' });

    // No session policy: the session may do nothing, recorded as an empty list.
    const bare = await alice.send(new GetFederationTokenCommand({ Name: 'carol' }));
    assert.deepEqual((await stored(bare.Credentials!.AccessKeyId!)).sessionPolicies, []);
    // Federated sessions call no STS operation but GetCallerIdentity.
    const fed = stsWith(r.Credentials);
    await assert.rejects(fed.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' })), { name: 'AccessDenied' });
    await assert.rejects(fed.send(new GetSessionTokenCommand({})), { name: 'AccessDenied' });
    await assert.rejects(alice.send(new GetFederationTokenCommand({ Name: 'b' })), { name: 'ValidationError' });
    await assert.rejects(alice.send(new GetFederationTokenCommand({ Name: 'x'.repeat(33) })), { name: 'ValidationError' });
    const rootFed = await root.send(new GetFederationTokenCommand({ Name: 'ops', DurationSeconds: 129600 }));
    near(rootFed.Credentials!.Expiration, 3600_000);
  });

  test('DecodeAuthorizationMessage returns the decoded explanation; junk is InvalidAuthorizationMessageException', async () => {
    const explanation = { allowed: false, explicitDeny: false, context: { action: 'ec2:RunInstances', principal: { arn: aliceArn } } };
    const encoded = encodeAuthorizationMessage(explanation);
    const r = await alice.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    assert.equal(typeof JSON.parse(r.DecodedMessage!), 'object');
    assert.match(r.DecodedMessage!, /ec2:RunInstances/);
    await assert.rejects(alice.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'not-a-message!' })), { name: 'InvalidAuthorizationMessageException' });
  });
});
