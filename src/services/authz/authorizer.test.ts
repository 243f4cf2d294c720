import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from '../../auth/principal.js';
import { Clock } from '../../core/clock.js';
import { AwsError, isAwsError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { loadModel } from '../../protocol/models.js';
import type { IamMode } from '../../server/context.js';
import { createMemoryStore } from '../../store/memory.js';
import { CATALOG } from '../catalog.js';
import type { RequestContext } from '../types.js';
import type { IdentityPolicies } from './identity.js';
import { Authorizer } from './index.js';
import { decodeAuthorizationMessage } from './message.js';

const A = '000000000000';
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const svc = (name: string) => {
  const entry = CATALOG.find((e) => e.name === name)!;
  return { entry, model: loadModel(entry.modelId) };
};
const alice: Principal = { kind: 'user', account: A, arn: `arn:aws:iam::${A}:user/alice`, userId: 'AIDAALICE', name: 'alice' };
const rootP: Principal = { kind: 'root', account: A, arn: `arn:aws:iam::${A}:root`, userId: A };
const anon: Principal = { kind: 'anonymous', account: '', arn: '*', userId: 'anonymous' };

function setup(mode: IamMode, identity: IdentityPolicies = { identity: [] }) {
  const logs: Array<{ level: string; line: string }> = [];
  let loads = 0;
  const authz = new Authorizer({
    mode,
    log: createLogger('debug', (line) => logs.push({ level: line.split(' ')[1]!, line })),
    loader: () => {
      loads++;
      return identity;
    },
  });
  const store = createMemoryStore();
  const run = (service: string, operation: string, input: unknown, principal: Principal) =>
    store.transaction(async (tx) => {
      const ctx = {
        requestId: 'r1', service, operation, account: principal.account, region: 'us-east-1', scope: { account: principal.account, region: 'us-east-1' },
        principal, clock: new Clock(), tx, log: createLogger('silent'), sourceIp: '::ffff:10.0.0.7', responseHeaders: {}, transact: () => { throw new Error('no nested transactions in this test'); }, afterCommit: () => {},
      } as unknown as RequestContext;
      await authz.authorize(svc(service), input, ctx);
    });
  const denial = async (p: Promise<unknown>): Promise<AwsError> => {
    try {
      await p;
    } catch (e) {
      if (isAwsError(e)) return e;
      throw e;
    }
    throw new Error('expected a denial');
  };
  return { authz, run, denial, logs, loads: () => loads };
}

describe('the authorize step', () => {
  test('root callers: no identity policies loaded; user callers: loaded once per request, parsed once per server', async () => {
    const s = setup('enforce', { identity: [{ id: 'p', document: doc({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }) }] });
    await s.run('ec2', 'DescribeRegions', {}, rootP);
    assert.equal(s.loads(), 0);
    for (let i = 0; i < 3; i++) await s.run('ec2', 'DescribeRegions', {}, alice);
    assert.equal(s.loads(), 3);
    assert.equal(s.authz.policies.misses, 1);
    assert.equal(s.authz.policies.hits, 2);
    // Several checks of one request share one load.
    await assert.rejects(s.run('ec2', 'TerminateInstances', { InstanceIds: ['i-1', 'i-2'] }, alice));
    assert.equal(s.loads(), 4);
  });

  test('protocol-specific denials: EC2 with an encoded message, JSON services 400, SNS AuthorizationError', async () => {
    const s = setup('enforce');
    const ec2 = await s.denial(s.run('ec2', 'DescribeRegions', {}, alice));
    assert.equal(ec2.code, 'UnauthorizedOperation');
    assert.equal(ec2.status, 403);
    const encoded = /Encoded authorization failure message: (\S+)$/.exec(ec2.message)![1]!;
    const decoded = JSON.parse(decodeAuthorizationMessage(encoded));
    assert.equal(decoded.context.action, 'ec2:DescribeRegions');
    const ip = decoded.context.conditions.items.find((c: { key: string }) => c.key === 'aws:SourceIp');
    assert.deepEqual(ip.values.items, [{ value: '10.0.0.7' }]);
    const ecr = await s.denial(s.run('ecr', 'GetAuthorizationToken', {}, alice));
    assert.deepEqual([ecr.code, ecr.status], ['AccessDeniedException', 400]);
    const sns = await s.denial(s.run('sns', 'ListTopics', {}, alice));
    assert.deepEqual([sns.code, sns.status], ['AuthorizationError', 403]);
    assert.equal(sns.message, `User: ${alice.arn} is not authorized to perform: sns:ListTopics because no identity-based policy allows the sns:ListTopics action`);
  });

  test('anonymous S3 callers get a plain "Access Denied"; other services name them "anonymous"', async () => {
    const s = setup('enforce');
    const s3 = await s.denial(s.run('s3', 'ListObjectsV2', { Bucket: 'b' }, anon));
    assert.deepEqual([s3.code, s3.status, s3.message], ['AccessDenied', 403, 'Access Denied']);
    const sts = await s.denial(s.run('sts', 'GetAccessKeyInfo', { AccessKeyId: 'AKIAEXAMPLEEXAMPLE00' }, anon));
    assert.equal(sts.message, 'User: anonymous is not authorized to perform: sts:GetAccessKeyInfo because no resource-based policy allows the sts:GetAccessKeyInfo action');
  });

  test('audit mode allows and warns with the explanation; off mode does nothing', async () => {
    const audit = setup('audit');
    await audit.run('iam', 'CreateUser', { UserName: 'bob' }, alice);
    assert.equal(audit.logs.length, 1);
    assert.equal(audit.logs[0]!.level, 'WARN');
    assert.match(audit.logs[0]!.line, /access would be denied .*"action":"iam:CreateUser".*"resource":"arn:aws:iam::000000000000:user\/bob".*"missing":"identity-based policy"/);
    const off = setup('off');
    await off.run('iam', 'CreateUser', { UserName: 'bob' }, alice);
    assert.equal(off.logs.length, 0);
    assert.equal(off.loads(), 0);
  });

  test('enforce mode logs each denial once at info level', async () => {
    const s = setup('enforce', { identity: [{ id: 'arn:aws:iam::aws:policy/X', document: doc({ Sid: 'Nope', Effect: 'Deny', Action: 'iam:*', Resource: '*' }) }] });
    await assert.rejects(s.run('iam', 'CreateUser', { UserName: 'bob' }, alice));
    assert.equal(s.logs.length, 1);
    assert.equal(s.logs[0]!.level, 'INFO');
    assert.match(s.logs[0]!.line, /access denied .*"policy":"arn:aws:iam::aws:policy\/X","policyType":"identity","statement":\{"sid":"Nope","index":0\}/);
  });
});
