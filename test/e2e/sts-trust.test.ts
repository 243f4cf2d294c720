// Trust-policy and identity-policy decisions for STS. These are made by the enforcement step of
// the request pipeline (not by the STS handlers): they pass once enforcement is wired in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetFederationTokenCommand, STSClient, type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { startIssuer, type TestIssuer } from '../helpers/oidc.js';

const A = '000000000000';
const B = '111111111111';
const C = '222222222222';

const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const trust = (principal: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const allow = (actions: string[]) => doc({ Effect: 'Allow', Action: actions, Resource: '*' });

function denied(callerArn: string, roleArn: string) {
  return (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'AccessDenied');
    assert.equal(e.message, `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    assert.equal(e.$metadata.httpStatusCode, 403);
    return true;
  };
}

describe('STS trust policies (enforced by the request pipeline)', () => {
  let cl: Cloudlet;
  let issuer: TestIssuer;
  const iamOf = (account: string) => new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: account, secretAccessKey: 'test' }));
  const stsOf = (account: string) => new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: account, secretAccessKey: 'test' }));
  const role = async (account: string, name: string, trustDoc: string) =>
    (await iamOf(account).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustDoc }))).Role!.Arn!;
  const user = async (account: string, name: string, policy?: string) => {
    const iam = iamOf(account);
    const u = await iam.send(new CreateUserCommand({ UserName: name }));
    if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { arn: u.User!.Arn!, sts: new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! })) };
  };
  const assume = (client: STSClient, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) =>
    client.send(new AssumeRoleCommand({ RoleSessionName: 'trust-test', ...input }));

  before(async () => {
    cl = await startTestServer({ iam: 'enforce' });
    issuer = await startIssuer({ path: '/trust' });
  });
  after(async () => {
    await cl.close();
    await issuer.close();
  });

  test('a trust policy that does not name the caller denies AssumeRole', async () => {
    const arn = await role(A, 'only-b', trust({ AWS: `arn:aws:iam::${B}:root` }));
    await assert.rejects(assume(stsOf(A), { RoleArn: arn }), denied(`arn:aws:iam::${A}:root`, arn));
    await assert.rejects(assume(stsOf(C), { RoleArn: arn }), denied(`arn:aws:iam::${C}:root`, arn));
    const ok = await assume(stsOf(B), { RoleArn: arn });
    assert.equal(ok.AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/only-b/trust-test`);
  });

  test('sts:ExternalId: missing or wrong external id is denied', async () => {
    const arn = await role(A, 'vendor', trust({ AWS: `arn:aws:iam::${B}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': 'Unique-1234' } } }));
    await assert.rejects(assume(stsOf(B), { RoleArn: arn }), denied(`arn:aws:iam::${B}:root`, arn));
    await assert.rejects(assume(stsOf(B), { RoleArn: arn, ExternalId: 'guess' }), denied(`arn:aws:iam::${B}:root`, arn));
    await assume(stsOf(B), { RoleArn: arn, ExternalId: 'Unique-1234' });
  });

  test('sts:RoleSessionName conditions apply', async () => {
    const arn = await role(A, 'named', trust({ AWS: `arn:aws:iam::${A}:root` }, { Condition: { StringLike: { 'sts:RoleSessionName': 'ci-*' } } }));
    await assert.rejects(assume(stsOf(A), { RoleArn: arn, RoleSessionName: 'laptop' }), { name: 'AccessDenied' });
    await assume(stsOf(A), { RoleArn: arn, RoleSessionName: 'ci-build-7' });
  });

  test('cross-account: the caller\'s own identity policy must allow sts:AssumeRole too', async () => {
    const arn = await role(B, 'shared', trust({ AWS: `arn:aws:iam::${C}:root` }));
    const plain = await user(C, 'plain');
    await assert.rejects(assume(plain.sts, { RoleArn: arn }), denied(plain.arn, arn));
    // Input is validated before it is authorized.
    await assert.rejects(assume(plain.sts, { RoleArn: arn, RoleSessionName: 'a' }), { name: 'ValidationError' });
    const allowed = await user(C, 'allowed', allow(['sts:AssumeRole']));
    const r = await assume(allowed.sts, { RoleArn: arn });
    assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${B}:assumed-role/shared/trust-test`);
    const otherResource = await user(C, 'narrow', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${B}:role/other` }));
    await assert.rejects(assume(otherResource.sts, { RoleArn: arn }), denied(otherResource.arn, arn));
  });

  test('same account, trust naming the account: users need an identity policy; trust naming the user directly suffices', async () => {
    const byAccount = await role(A, 'by-account', trust({ AWS: `arn:aws:iam::${A}:root` }));
    const nobody = await user(A, 'nobody');
    await assert.rejects(assume(nobody.sts, { RoleArn: byAccount }), denied(nobody.arn, byAccount));
    const direct = await role(A, 'direct', trust({ AWS: nobody.arn }));
    await assume(nobody.sts, { RoleArn: direct });
  });

  test('session tags need sts:TagSession in the trust policy; a source identity needs sts:SetSourceIdentity', async () => {
    const arn = await role(A, 'no-tags', trust({ AWS: `arn:aws:iam::${A}:root` }));
    await assume(stsOf(A), { RoleArn: arn });
    await assert.rejects(assume(stsOf(A), { RoleArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }), { name: 'AccessDenied' });
    await assert.rejects(assume(stsOf(A), { RoleArn: arn, SourceIdentity: 'alice' }), { name: 'AccessDenied' });
  });

  test('a role session needs its own permission to assume the next role', async () => {
    const next = await role(A, 'next', trust({ AWS: `arn:aws:iam::${A}:root` }));
    const start = await role(A, 'start', trust({ AWS: `arn:aws:iam::${A}:root` }));
    const first = await assume(stsOf(A), { RoleArn: start });
    const c = first.Credentials!;
    const session = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }));
    await assert.rejects(assume(session, { RoleArn: next }), denied(first.AssumedRoleUser!.Arn!, next));
    await iamOf(A).send(new PutRolePolicyCommand({ RoleName: 'start', PolicyName: 'hop', PolicyDocument: allow(['sts:AssumeRole']) }));
    await assume(session, { RoleArn: next });
  });

  test('GetFederationToken needs sts:GetFederationToken', async () => {
    const plain = await user(A, 'fed-plain');
    await assert.rejects(plain.sts.send(new GetFederationTokenCommand({ Name: 'bob' })), { name: 'AccessDenied' });
    const allowed = await user(A, 'fed-allowed', allow(['sts:GetFederationToken']));
    await allowed.sts.send(new GetFederationTokenCommand({ Name: 'bob' }));
  });

  test('web identity: the trust policy must name the provider, and its aud/sub conditions must hold', async () => {
    const iam = iamOf(A);
    const providerArn = (await iam.send(new CreateOpenIDConnectProviderCommand({
      Url: issuer.url, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    }))).OpenIDConnectProviderArn!;
    const webTrust = doc({
      Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${issuer.hostPath}:aud`]: 'sts.amazonaws.com', [`${issuer.hostPath}:sub`]: 'system:serviceaccount:prod:api' } },
    });
    const arn = await role(A, 'pod-role', webTrust);
    const anon = new STSClient({ endpoint: cl.url, region: 'us-east-1', maxAttempts: 1 });
    const call = (token: string, roleArn = arn) =>
      anon.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'pod', WebIdentityToken: token }));
    const ok = await call(issuer.token({ sub: 'system:serviceaccount:prod:api' }));
    assert.equal(ok.SubjectFromWebIdentityToken, 'system:serviceaccount:prod:api');
    await assert.rejects(call(issuer.token({ sub: 'system:serviceaccount:dev:api' })), (e: Error) => {
      assert.equal(e.name, 'AccessDenied');
      assert.match(e.message, /Not authorized to perform sts:AssumeRoleWithWebIdentity/);
      return true;
    });
    // A role whose trust policy trusts an AWS principal, not the provider.
    const notFederated = await role(A, 'not-federated', trust({ AWS: `arn:aws:iam::${A}:root` }));
    await assert.rejects(call(issuer.token({ sub: 'system:serviceaccount:prod:api' }), notFederated), { name: 'AccessDenied' });
  });
});
