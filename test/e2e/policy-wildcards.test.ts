// The policy engine's worst cases against a real `cloudlet start` process: the reported
// 148-character simulate-custom-policy that stalled the server for seconds, a user whose
// policy has ten stars making real requests, Version-less documents (2008-10-17 semantics)
// accepted and enforced, and the policy size quotas. While the heavy requests run, this test
// process keeps asking the server for its health: a blocked event loop would show there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand,
  GetUserCommand, IAMClient, ListGroupsCommand, PutGroupPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand, SimulateCustomPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClis, awsJson } from '../helpers/cli.js';
import { rejects } from '../helpers/assert.js';
import { startProcess, type Running } from '../helpers/process.js';
import { fuzzPolicy } from '../conformance/fuzz-policy.js';
import { clientConfig } from '../helpers/server.js';

const A = '000000000000';
const SEVEN = `arn:aws:iam::${A}:user/a*a*a*a*a*a*a*b`;
const TEN = `arn:aws:iam::${A}:user/${'a*'.repeat(10)}b`;
const policy = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** The slowest health answer allowed while a heavy request runs (the defect stalled it for seconds). */
const PROMPT_MS = 500;

function healthMs(url: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const req = request(`${url}/_cloudlet/health`, { timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? done(performance.now() - t0) : fail(new Error(`health ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('health timed out')));
    req.on('error', fail);
    req.end();
  });
}

/** Runs `work` while health is probed every 20 ms; the slowest probe comes back with the result. */
async function probing<T>(url: string, work: () => Promise<T>): Promise<{ value: T; worstMs: number; probes: number }> {
  let done = false;
  let worstMs = 0;
  let probes = 0;
  const loop = (async () => {
    while (!done) {
      worstMs = Math.max(worstMs, await healthMs(url));
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { value: await work(), worstMs, probes };
  } finally {
    done = true;
    await loop;
  }
}

/** A document of exactly `size` characters (no white space), padded through its Sid. */
function docOfSize(size: number, statement: Record<string, unknown> = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }): string {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: '', ...statement }] });
  assert.ok(size >= base.length);
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(size - base.length), ...statement }] });
}

interface Simulation { EvaluationResults: Array<{ ResourceSpecificResults: Array<{ EvalResourceDecision: string }> }> }
/** The decision for each resource of a one-action simulation. */
const perResource = (sim: Simulation): string[] => sim.EvaluationResults[0]!.ResourceSpecificResults.map((r) => r.EvalResourceDecision);

let server: Running;
let dir: string;
let iam: IAMClient;

async function userClient(name: string, inline: string): Promise<IAMClient> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: inline }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return new IAMClient(clientConfig(server.url, 'us-east-1', { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-wild-'));
  server = await startProcess(['--port', '0', '--data-dir', dir]);
  iam = new IAMClient(clientConfig(server.url));
  // Warm up first: the first IAM request loads the service's model, which is not what is measured here.
  await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy({ Effect: 'Allow', Action: '*', Resource: '*' })], ActionNames: ['iam:GetUser'] }));
  await healthMs(server.url);
});
after(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
});

for (const cli of awsClis()) {
  describe(`the reported reproduction with ${cli.name}`, { skip: cli.skip }, () => {
    test('simulate-custom-policy, 7 stars against 64 a: implicitDeny, health answered promptly', async () => {
      // The document, verbatim.
      const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"${SEVEN}"}]}`;
      const r = await probing(server.url, () => awsJson<Simulation>(cli.bin, server.url, ['iam', 'simulate-custom-policy', '--policy-input-list', doc,
        '--action-names', 'iam:GetUser', '--resource-arns', `arn:aws:iam::${A}:user/${'a'.repeat(64)}`, `arn:aws:iam::${A}:user/${'a'.repeat(64)}b`]));
      assert.deepEqual(perResource(r.value), ['implicitDeny', 'allowed']);
      assert.ok(r.probes > 0);
      assert.ok(r.worstMs < PROMPT_MS, `health took ${r.worstMs.toFixed(0)} ms`);
    });

    test('fifty stars in Action, Resource and a StringLike condition: the same, at once', async () => {
      const stars = `${'a*'.repeat(50)}b`;
      const doc = policy(
        { Effect: 'Allow', Action: `iam:${stars}`, Resource: '*' },
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/${stars}`, Condition: { StringLike: { 'aws:username': stars } } },
      );
      const r = await probing(server.url, () => awsJson(cli.bin, server.url, ['iam', 'simulate-custom-policy', '--policy-input-list', doc,
        '--action-names', `iam:${'a'.repeat(60)}`, 'iam:GetUser', '--resource-arns', `arn:aws:iam::${A}:user/${'a'.repeat(64)}`,
        '--context-entries', `ContextKeyName=aws:username,ContextKeyValues=${'a'.repeat(64)},ContextKeyType=string`]));
      const results = r.value.EvaluationResults as Array<{ EvalDecision: string }>;
      assert.deepEqual(results.map((e) => e.EvalDecision), ['implicitDeny', 'implicitDeny']);
      assert.ok(r.worstMs < PROMPT_MS, `health took ${r.worstMs.toFixed(0)} ms`);
    });

    test('put-user-policy with a document without Version: accepted, and variables stay literal', async () => {
      const name = `vless-${cli.name.replace(/\W/g, '')}`;
      await awsJson(cli.bin, server.url, ['iam', 'create-user', '--user-name', name]);
      const doc = JSON.stringify({ Statement: [
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/\${aws:username}` },
        { Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*' },
      ] });
      await awsJson(cli.bin, server.url, ['iam', 'put-user-policy', '--user-name', name, '--policy-name', 'old', '--policy-document', doc]);
      const stored = await awsJson(cli.bin, server.url, ['iam', 'get-user-policy', '--user-name', name, '--policy-name', 'old']);
      assert.deepEqual(stored.PolicyDocument, JSON.parse(doc));
      const key = (await awsJson(cli.bin, server.url, ['iam', 'create-access-key', '--user-name', name])).AccessKey;
      const env = { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
      const groups = await awsJson(cli.bin, server.url, ['iam', 'list-groups'], env);
      assert.ok(Array.isArray(groups.Groups));
      // 2008-10-17: `${aws:username}` is text, so the user's own ARN does not match it.
      await assert.rejects(awsJson(cli.bin, server.url, ['iam', 'get-user', '--user-name', name], env), /AccessDenied/);
      // The simulator reads the stored document the same way.
      const sim = await awsJson<Simulation>(cli.bin, server.url, ['iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${A}:user/${name}`,
        '--action-names', 'iam:GetUser', '--resource-arns', `arn:aws:iam::${A}:user/${name}`, `arn:aws:iam::${A}:user/\${aws:username}`]);
      assert.deepEqual(perResource(sim), ['implicitDeny', 'allowed']);
    });
  });
}

describe('a user whose policy has ten stars, making real requests', () => {
  let stars: IAMClient;
  const deny = 'a'.repeat(60);
  const allow = `${'a'.repeat(59)}b`;
  before(async () => {
    await iam.send(new CreateUserCommand({ UserName: deny }));
    await iam.send(new CreateUserCommand({ UserName: allow }));
    stars = await userClient('stars', policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: TEN }));
  });

  test('the matching name is allowed, the other denied, every answer prompt', async () => {
    const r = await probing(server.url, async () => {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        let t0 = performance.now();
        const got = await stars.send(new GetUserCommand({ UserName: allow }));
        times.push(performance.now() - t0);
        assert.equal(got.User!.UserName, allow);
        t0 = performance.now();
        await rejects(stars.send(new GetUserCommand({ UserName: deny })), 'AccessDenied', 403,
          new RegExp(`not authorized to perform: iam:GetUser on resource: arn:aws:iam::${A}:user/${deny} because no identity-based policy allows`));
        times.push(performance.now() - t0);
      }
      return Math.max(...times);
    });
    assert.ok(r.value < 1000, `slowest request ${r.value.toFixed(0)} ms`);
    assert.ok(r.worstMs < PROMPT_MS, `health took ${r.worstMs.toFixed(0)} ms`);
  });

  test('Version-less and Version 2012-10-17 documents differ only in variables', async () => {
    const statements = [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/\${aws:username}` }];
    const modern = await userClient('modern', JSON.stringify({ Version: '2012-10-17', Statement: statements }));
    assert.equal((await modern.send(new GetUserCommand({ UserName: 'modern' }))).User!.UserName, 'modern');
    const old = await userClient('old', JSON.stringify({ Statement: statements }));
    await rejects(old.send(new GetUserCommand({ UserName: 'old' })), 'AccessDenied', 403);
    await rejects(old.send(new ListGroupsCommand({})), 'AccessDenied', 403);
  });
});

test('a trust policy and a session policy without Version are accepted and enforced', async () => {
  await iam.send(new CreateRoleCommand({ RoleName: 'vless-role', AssumeRolePolicyDocument: JSON.stringify({ Statement: [
    { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }] }) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'vless-role', PolicyName: 'all-iam', PolicyDocument: JSON.stringify({ Statement: [
    { Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
  const sts = new STSClient(clientConfig(server.url));
  const session = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/vless-role`, RoleSessionName: 'vless',
    Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*' }] }) }))).Credentials!;
  const asSession = new IAMClient(clientConfig(server.url, 'us-east-1',
    { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! }));
  assert.ok(Array.isArray((await asSession.send(new ListGroupsCommand({}))).Groups));
  // The session policy caps the role's iam:*.
  await rejects(asSession.send(new GetUserCommand({ UserName: 'stars' })), 'AccessDenied', 403, /session policy/);
});

describe('policy size quotas at write time, as AWS words them', () => {
  const limit = (message: string) => [ 'LimitExceededException', 409, message ] as const;

  test('managed policies: 6,144 characters without white space, on create and on new versions', async () => {
    const padded = docOfSize(6144).replace(/,/g, ',\n    ');
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'max', PolicyDocument: padded }));
    await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: created.Policy!.Arn!, PolicyDocument: docOfSize(6145) })),
      ...limit('Cannot exceed quota for PolicySize: 6144'));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: created.Policy!.Arn!, PolicyDocument: docOfSize(6144) }));
  });

  test('inline policies: user 2,048, group 5,120, role 10,240, all of an entity\'s policies together', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'quota-user' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'quota-user', PolicyName: 'one', PolicyDocument: docOfSize(1024) }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'quota-user', PolicyName: 'two', PolicyDocument: docOfSize(1024) }));
    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'quota-user', PolicyName: 'three', PolicyDocument: docOfSize(200) })),
      ...limit('Maximum policy size of 2048 bytes exceeded for user quota-user'));
    // Replacing a policy counts its new size only.
    await iam.send(new PutUserPolicyCommand({ UserName: 'quota-user', PolicyName: 'two', PolicyDocument: docOfSize(1024) }));

    await iam.send(new CreateGroupCommand({ GroupName: 'quota-group' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'quota-group', PolicyName: 'g', PolicyDocument: docOfSize(5120) }));
    await rejects(iam.send(new PutGroupPolicyCommand({ GroupName: 'quota-group', PolicyName: 'g', PolicyDocument: docOfSize(5121) })),
      ...limit('Maximum policy size of 5120 bytes exceeded for group quota-group'));

    const trust = policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'quota-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'quota-role', PolicyName: 'r', PolicyDocument: docOfSize(10240) }));
    await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'quota-role', PolicyName: 'r', PolicyDocument: docOfSize(10241) })),
      ...limit('Maximum policy size of 10240 bytes exceeded for role quota-role'));
  });

  test('trust policies: 2,048 on UpdateAssumeRolePolicy too', async () => {
    const trust = (size: number) => docOfSize(size, { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'quota-trust', AssumeRolePolicyDocument: trust(2048) }));
    await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'quota-trust', PolicyDocument: trust(2049) })),
      ...limit('Cannot exceed quota for ACLSizePerRole: 2048'));
  });
});

test('the policy fuzz target: random pathological documents, no 5xx, every answer and health within 1 s', async () => {
  const s = await fuzzPolicy({ url: server.url, seed: 20261204, cases: 150, timeLimitMs: 60_000 });
  assert.equal(s.cases, 150);
  assert.deepEqual(s.failures, []);
  assert.ok(s.byStatus[200]! > 0 && s.byStatus[400]! > 0, JSON.stringify(s.byStatus));
});
