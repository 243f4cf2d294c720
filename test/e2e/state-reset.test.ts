import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../src/auth/credentials.js';
import { fingerprint, populateBulk } from '../../src/state/testkit.js';
import { CLOUDLET, runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/sign.js';

const A = '000000000000';
const B = '111111111111';
type Key = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const creds = (account: string): Key => ({ accessKeyId: account === A ? 'test' : account, secretAccessKey: 'test' });
const trust = (account: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
});

async function whoAmI(url: string, k: Key): Promise<string> {
  try {
    return (await new STSClient(clientConfig(url, 'us-east-1', k)).send(new GetCallerIdentityCommand({}))).Arn!;
  } catch (e) {
    return `error:${(e as Error).name}`;
  }
}

async function post(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST' });
  const text = await r.text();
  return { status: r.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

/** In one account: users with keys, a role and a session of it, a bucket row. */
async function account(cl: Cloudlet, acct: string): Promise<{ user: Key; session: Key }> {
  const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', creds(acct)));
  await iam.send(new CreateUserCommand({ UserName: `u-${acct}` }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: `u-${acct}` }))).AccessKey!;
  const role = (await iam.send(new CreateRoleCommand({ RoleName: `r-${acct}`, AssumeRolePolicyDocument: trust(acct) }))).Role!;
  const s = (await new STSClient(clientConfig(cl.url, 'us-east-1', creds(acct))).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'sess' }))).Credentials!;
  await cl.deps.store.transaction((tx) => tx.put({ account: acct, region: '' }, 's3:bucket', `b-${acct}`, { name: `b-${acct}`, region: 'us-east-1', createdAt: '2026-01-01T00:00:00.000Z' }));
  return {
    user: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! },
    session: { accessKeyId: s.AccessKeyId!, secretAccessKey: s.SecretAccessKey!, sessionToken: s.SessionToken! },
  };
}

async function view(cl: Cloudlet, acct: string, keys: { user: Key; session: Key }): Promise<Record<string, unknown>> {
  const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', creds(acct)));
  return {
    users: (await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName),
    roles: (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName),
    buckets: (await new S3Client({ ...clientConfig(cl.url, 'us-east-1', creds(acct)), forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [],
    user: await whoAmI(cl.url, keys.user),
    session: await whoAmI(cl.url, keys.session),
  };
}

const full = (acct: string) => ({
  users: [`u-${acct}`], roles: [`r-${acct}`], buckets: [`b-${acct}`],
  user: `arn:aws:iam::${acct}:user/u-${acct}`, session: `arn:aws:sts::${acct}:assumed-role/r-${acct}/sess`,
});
const GONE = 'error:InvalidClientTokenId';

for (const mode of ['data dir', 'ephemeral'] as const) {
  describe(`reset with real clients (${mode})`, () => {
    let cl: Cloudlet;
    let dir: string | undefined;
    before(async () => {
      dir = mode === 'data dir' ? mkdtempSync(join(tmpdir(), 'cloudlet-reset-')) : undefined;
      cl = await startTestServer(dir ? { ephemeral: false, dataDir: dir } : {});
    });
    after(async () => {
      await cl.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('one account, one service (iam, sts, s3), then everything; the clock', async () => {
      const ka = await account(cl, A);
      const kb = await account(cl, B);
      assert.deepEqual(await view(cl, A, ka), full(A));
      assert.deepEqual(await view(cl, B, kb), full(B));

      let r = await post(`${cl.url}/_cloudlet/reset?account=${B}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.scope, { account: B });
      assert.deepEqual(await view(cl, B, kb), { users: [], roles: [], buckets: [], user: GONE, session: GONE });
      assert.deepEqual(await view(cl, A, ka), full(A));
      // B's keys and sessions are gone from the cross-account credential index too; A's stay.
      const index = await cl.deps.store.transaction((tx) => tx.list(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND).map((r) => r.id));
      assert.deepEqual(index.sort(), [ka.user.accessKeyId, ka.session.accessKeyId].sort());

      const kb2 = await account(cl, B);
      r = await post(`${cl.url}/_cloudlet/reset?service=sts`);
      assert.equal(r.status, 200);
      assert.deepEqual(await view(cl, A, ka), { ...full(A), session: GONE });
      assert.deepEqual(await view(cl, B, kb2), { ...full(B), session: GONE });

      const cli = await runCli(['reset', '--service', 'iam', '--account', A, '--endpoint', cl.url]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /^reset service iam in account 000000000000: \d+ rows and 0 blobs removed in [\d.]+ ms; clock back to real time\n$/);
      assert.deepEqual(await view(cl, A, ka), { users: [], roles: [], buckets: [`b-${A}`], user: GONE, session: GONE });
      assert.deepEqual(await view(cl, B, kb2), { ...full(B), session: GONE });

      assert.equal((await runCli(['clock', 'advance', '3d', '--endpoint', cl.url])).code, 0);
      r = await post(`${cl.url}/_cloudlet/reset?service=s3&keepClock=true`);
      assert.equal(r.status, 200);
      assert.equal(r.body.clockReset, false);
      assert.deepEqual((await view(cl, B, kb2)).buckets, []);
      assert.equal(cl.deps.clock.offset(), 3 * 86_400_000);

      const keep = await runCli(['reset', '--keep-clock', '--endpoint', cl.url]);
      assert.equal(keep.code, 0, keep.stderr);
      assert.doesNotMatch(keep.stdout, /clock/);
      assert.equal(cl.deps.clock.offset(), 3 * 86_400_000);
      r = await post(`${cl.url}/_cloudlet/reset?service=ec2`);
      assert.equal(r.body.clockReset, true, 'any reset returns the clock to real time unless keepClock=true');
      assert.equal(cl.deps.clock.offset(), 0);
      assert.equal((await runCli(['clock', 'advance', '3d', '--endpoint', cl.url])).code, 0);
      await account(cl, A);
      const all = await runCli(['reset', '--endpoint', cl.url]);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /^reset all state: \d+ rows and 0 blobs removed in [\d.]+ ms; clock back to real time\n$/);
      assert.equal(cl.deps.clock.offset(), 0);
      assert.equal((await fingerprint(cl.deps.store, cl.deps.blobs)).rows, 0);

      for (const bad of ['account=12', 'service=nope', 'keepClock=maybe']) {
        const e = await post(`${cl.url}/_cloudlet/reset?${bad}`);
        assert.equal(e.status, 400, bad);
        assert.match(e.body.message, /12-digit|unknown service|true or false/);
      }
    });

    test('under concurrent load: no 5xx and never a half-reset view', async () => {
      await post(`${cl.url}/_cloudlet/reset`);
      const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', creds(B)));
      const N = 30;
      for (let i = 0; i < N; i++) await iam.send(new CreateUserCommand({ UserName: `load-${i}` }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'load-0' }))).AccessKey!;
      const userKey = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
      const seenCounts = new Map<number, number>();
      const outcomes = new Map<string, number>();
      const bump = <K>(m: Map<K, number>, k: K): void => { m.set(k, (m.get(k) ?? 0) + 1); };
      let stop = false;
      const worker = async (i: number): Promise<void> => {
        while (!stop) {
          if (i % 2) {
            // Raw signed requests, so that a 5xx could not hide behind SDK retries.
            const r = await signedFetch(cl.url, 'iam', {
              method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'Action=ListUsers&Version=2010-05-08&MaxItems=1000',
            }, { accessKeyId: B });
            assert.ok(r.status < 500, `ListUsers answered ${r.status}`);
            bump(seenCounts, ((await r.text()).match(/<UserName>/g) ?? []).length);
          } else {
            const r = await signedFetch(cl.url, 'sts', {
              method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: 'Action=GetCallerIdentity&Version=2011-06-15',
            }, userKey);
            assert.ok(r.status < 500, `GetCallerIdentity answered ${r.status}`);
            const text = await r.text();
            bump(outcomes, r.status === 200 ? 'ok' : (/<Code>([^<]+)/.exec(text)?.[1] ?? String(r.status)));
          }
        }
      };
      const workers = Array.from({ length: 24 }, (_, i) => worker(i));
      // Both kinds of request are answered (services loaded, keys work) before the reset starts.
      while ((outcomes.get('ok') ?? 0) < 20 || (seenCounts.get(N) ?? 0) < 20) await new Promise((r) => setTimeout(r, 10));
      const reset = await post(`${cl.url}/_cloudlet/reset?account=${B}`);
      await new Promise((r) => setTimeout(r, 150));
      stop = true;
      await Promise.all(workers);
      assert.equal(reset.status, 200);
      assert.deepEqual([...seenCounts.keys()].sort((x, y) => x - y), [0, N], `ListUsers saw ${JSON.stringify([...seenCounts])}`);
      assert.deepEqual([...outcomes.keys()].sort(), ['InvalidClientTokenId', 'ok']);
      console.log(`[state] reset under load (${mode}): ListUsers saw ${JSON.stringify(Object.fromEntries(seenCounts))} users; GetCallerIdentity ${JSON.stringify(Object.fromEntries(outcomes))}`);
    });

    test('measured: 1,000 resources and 100 MiB of blobs', async () => {
      await post(`${cl.url}/_cloudlet/reset`);
      const iam = new IAMClient(clientConfig(cl.url));
      // 1,000 resources: 100 IAM users made by the client, 900 rows through the store, 100 blobs of 1 MiB.
      await Promise.all(Array.from({ length: 100 }, (_, i) => iam.send(new CreateUserCommand({ UserName: `m-${i}` }))));
      await populateBulk(cl.deps.store, cl.deps.blobs, { tag: 'measure', rows: 900, blobs: 100, blobBytes: 1024 * 1024 });
      const before = await fingerprint(cl.deps.store, cl.deps.blobs);
      // IAM keeps two index rows beside each user (by name, by unique ID): 1,000 resources are 1,200 rows.
      assert.equal(before.rows, 1200);
      assert.equal(before.blobs, 100);
      const t0 = performance.now();
      const r = await post(`${cl.url}/_cloudlet/reset`);
      const wall = performance.now() - t0;
      assert.equal(r.status, 200);
      assert.equal(r.body.rows, 1200);
      assert.equal(r.body.blobs, 100);
      assert.deepEqual(cl.deps.blobs.ids(), []);
      console.log(`[state] reset of 1,000 resources + 100 MiB of blobs (100 x 1 MiB), ${mode}: ${wall.toFixed(1)} ms over HTTP; requests held back ${r.body.lockedMs} ms`);
      assert.ok(wall < 5000);
    });
  });
}

describe('drop-in admin paths (LocalStack, moto)', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  test('GET /_localstack/health has LocalStack\'s shape', async () => {
    const r = await fetch(`${cl.url}/_localstack/health`);
    assert.equal(r.status, 200);
    const body = await r.json() as { services: Record<string, string>; edition: string; version: string };
    assert.equal(body.edition, 'community');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    for (const s of ['sts', 'iam', 'ec2', 's3', 'ecr']) assert.match(body.services[s]!, /^(running|available)$/, s);
    await new STSClient(clientConfig(cl.url)).send(new GetCallerIdentityCommand({}));
    const again = await (await fetch(`${cl.url}/_localstack/health`)).json() as { services: Record<string, string> };
    assert.equal(again.services.sts, 'running');
    assert.equal((await fetch(`${cl.url}/_localstack/health`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${cl.url}/_localstack/nothing`)).status, 404);
  });

  test('POST /_localstack/state/reset, /_localstack/state/iam/reset, /moto-api/reset', async () => {
    const ka = await account(cl, A);
    let r = await post(`${cl.url}/_localstack/state/iam/reset`);
    assert.equal(r.status, 200);
    assert.deepEqual(await view(cl, A, ka), { users: [], roles: [], buckets: [`b-${A}`], user: GONE, session: GONE });
    r = await post(`${cl.url}/_localstack/state/reset`);
    assert.equal(r.status, 200);
    assert.deepEqual((await view(cl, A, ka)).buckets, []);
    await account(cl, A);
    r = await post(`${cl.url}/moto-api/reset`);
    assert.deepEqual(r, { status: 200, body: { status: 'ok' } });
    assert.equal((await fingerprint(cl.deps.store, cl.deps.blobs)).rows, 0);
    const get = await fetch(`${cl.url}/moto-api/reset`);
    assert.equal(get.status, 400);
    assert.deepEqual(await get.json(), { Error: 'Need to POST to reset Moto' });
    const dash = await fetch(`${cl.url}/moto-api/`);
    assert.equal(dash.status, 200);
    assert.match(dash.headers.get('content-type')!, /text\/html/);
    assert.match(await dash.text(), /<table/);
    assert.equal((await post(`${cl.url}/_localstack/state/nope/reset`)).status, 400);
  });

  test('a bucket called moto-api is still S3\'s, except the two reserved paths', async () => {
    const r = await signedFetch(cl.url, 's3', { method: 'GET', path: '/moto-api', query: { 'list-type': '2' } });
    assert.notEqual(r.headers.get('content-type'), 'application/json');
    assert.match(await r.text(), /<Error>|<ListBucketResult/);
  });

  test('`cloudlet start` prints "Ready." once it serves (what testcontainers\' LocalStack module waits for)', async () => {
    const child = spawn(process.execPath, [...CLOUDLET, 'start', '--ephemeral', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const lines = await new Promise<string[]>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no Ready. line: ${out}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^Ready\.$/m.test(out)) { clearTimeout(timer); ok(out.split('\n')); }
      });
    });
    const url = /ready on (http:\/\/\S+)/.exec(lines[0]!)![1]!;
    assert.equal(lines[1], 'Ready.');
    // The server answers by the time the line is out.
    assert.equal((await fetch(`${url}/_localstack/health`)).status, 200);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  });
});
