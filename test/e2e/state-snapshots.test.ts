import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, IAMClient, ListAccessKeysCommand,
  ListRolesCommand, ListUsersCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../src/auth/credentials.js';
import type { Credential } from '../../src/auth/principal.js';
import { fingerprint } from '../../src/state/testkit.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
type Key = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const trustRoot = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' }],
});
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

async function identity(cl: Cloudlet, k: Key): Promise<string> {
  try {
    return (await new STSClient(clientConfig(cl.url, 'us-east-1', k)).send(new GetCallerIdentityCommand({}))).Arn!;
  } catch (e) {
    return `error:${(e as Error).name}`;
  }
}

/** What clients see: users, roles, buckets, repositories, and who each key signs as. */
async function view(cl: Cloudlet, keys: Record<string, Key>): Promise<Record<string, unknown>> {
  const iam = new IAMClient(clientConfig(cl.url));
  const who: Record<string, string> = {};
  for (const [name, k] of Object.entries(keys)) who[name] = await identity(cl, k);
  return {
    users: (await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName).sort(),
    roles: (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName).sort(),
    buckets: (await new S3Client({ ...clientConfig(cl.url), forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name) ?? [],
    repos: (await new ECRClient(clientConfig(cl.url)).send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName),
    clockOffsetMs: ((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { offsetMs: number }).offsetMs,
    who,
  };
}

function rawRequest(base: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => done({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.path = path;
    req.end();
  });
}

async function post(url: string): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST' });
  return { status: r.status, body: await r.json() };
}

for (const mode of ['data dir', 'ephemeral'] as const) {
  describe(`state snapshots with real clients (${mode})`, () => {
    let cl: Cloudlet;
    let dir: string | undefined;
    let iam: IAMClient;
    const keys: Record<string, Key> = {};

    before(async () => {
      dir = mode === 'data dir' ? mkdtempSync(join(tmpdir(), 'cloudlet-snap-')) : undefined;
      cl = await startTestServer(dir ? { ephemeral: false, dataDir: dir } : {});
      iam = new IAMClient(clientConfig(cl.url));
    });
    after(async () => {
      await cl.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('save, change, load: clients see exactly the saved state (IAM, STS sessions, S3, ECR, blobs, clock)', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'alice' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'all', PolicyDocument: allowAll }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
      keys.alice = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
      const role = (await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: trustRoot }))).Role!;
      const s = (await new STSClient(clientConfig(cl.url)).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'first' }))).Credentials!;
      keys.session = { accessKeyId: s.AccessKeyId!, secretAccessKey: s.SecretAccessKey!, sessionToken: s.SessionToken! };
      // S3 and ECR rows and a blob, written as those services store them (their create calls come later).
      const blob = await cl.deps.blobs.write(Readable.from([Buffer.from('object body')]));
      await cl.deps.store.transaction((tx) => {
        tx.put({ account: ACCT, region: '' }, 's3:bucket', 'saved-bucket', { name: 'saved-bucket', region: 'us-east-1', createdAt: '2026-01-01T00:00:00.000Z' });
        tx.put({ account: ACCT, region: 'us-east-1' }, 'ecr:repository', 'saved-repo', {
          name: 'saved-repo', arn: `arn:aws:ecr:us-east-1:${ACCT}:repository/saved-repo`, registryId: ACCT, uri: 'x/saved-repo',
          createdAt: '2026-01-01T00:00:00.000Z', imageTagMutability: 'MUTABLE', scanOnPush: false, encryptionType: 'AES256',
        });
        tx.put({ account: ACCT, region: 'us-east-1' }, 's3:object', 'saved-bucket/key', { blobId: blob.id });
      });
      // Less than the session's hour, so the saved session stays valid.
      assert.equal((await runCli(['clock', 'advance', '20m', '--endpoint', cl.url])).code, 0);

      const saved = await fingerprint(cl.deps.store, cl.deps.blobs);
      const seen = await view(cl, keys);
      assert.deepEqual(seen.who, { alice: `arn:aws:iam::${ACCT}:user/alice`, session: `arn:aws:sts::${ACCT}:assumed-role/app/first` });
      const save = await runCli(['state', 'save', 'base', '--endpoint', cl.url]);
      assert.equal(save.code, 0, save.stderr);
      assert.match(save.stdout, /^saved snapshot base: \d+ rows, 1 blobs/);

      // Change everything: new user and key, a new session, the role deleted, rows and blob gone, clock back.
      await iam.send(new CreateUserCommand({ UserName: 'bob' }));
      const k2 = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
      keys.bob = { accessKeyId: k2.AccessKeyId!, secretAccessKey: k2.SecretAccessKey! };
      const s2 = (await new STSClient(clientConfig(cl.url)).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'second' }))).Credentials!;
      keys.session2 = { accessKeyId: s2.AccessKeyId!, secretAccessKey: s2.SecretAccessKey!, sessionToken: s2.SessionToken! };
      await iam.send(new DeleteRoleCommand({ RoleName: 'app' }));
      assert.equal((await post(`${cl.url}/_cloudlet/reset?service=s3`)).status, 200);
      assert.equal((await post(`${cl.url}/_cloudlet/reset?service=ecr`)).status, 200);
      assert.equal((await runCli(['clock', 'reset', '--endpoint', cl.url])).code, 0);
      const changed = await view(cl, keys);
      assert.deepEqual(changed.users, ['alice', 'bob']);
      assert.deepEqual(changed.buckets, []);
      assert.equal((changed.who as Record<string, string>).bob, `arn:aws:iam::${ACCT}:user/bob`);

      const list = await runCli(['state', 'list', '--endpoint', cl.url]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^NAME\s+SAVED\s+ROWS\s+BLOBS\s+SIZE\nbase\s/);

      const load = await runCli(['state', 'load', 'base', '--endpoint', cl.url]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal((await fingerprint(cl.deps.store, cl.deps.blobs)).digest, saved.digest);
      const restored = await view(cl, keys);
      assert.ok(Math.abs((restored.clockOffsetMs as number) - 20 * 60_000) < 1000);
      assert.deepEqual(restored, {
        ...seen,
        who: { ...(seen.who as object), bob: 'error:InvalidClientTokenId', session2: 'error:InvalidClientTokenId' },
      });
      const body = cl.deps.store.transaction((tx) => tx.get<{ blobId: string }>({ account: ACCT, region: 'us-east-1' }, 's3:object', 'saved-bucket/key'));
      let text = '';
      for await (const c of cl.deps.blobs.read((await body)!.blobId)) text += String(c);
      assert.equal(text, 'object body');

      if (dir) {
        assert.ok(existsSync(join(dir, 'snapshots', 'base', 'manifest.json')));
        assert.deepEqual(readdirSync(join(dir, 'state-work')), []);
      }
      const del = await runCli(['state', 'delete', 'base', '--endpoint', cl.url]);
      assert.equal(del.code, 0, del.stderr);
      assert.match((await runCli(['state', 'list', '--endpoint', cl.url])).stdout, /^no snapshots/);
      const gone = await runCli(['state', 'load', 'base', '--endpoint', cl.url]);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /no snapshot named "base"/);
    });

    test('a snapshot taken while requests arrive is one point in time', async () => {
      // CreateAccessKey writes two rows (the user's key list and the global key index) in one
      // transaction; a snapshot taken between the two would break the pairing.
      const users = Array.from({ length: 40 }, (_, i) => `load-${i}`);
      for (const u of users) await iam.send(new CreateUserCommand({ UserName: u }));
      const creating = Promise.all(users.flatMap((u) => [0, 1].map(() => iam.send(new CreateAccessKeyCommand({ UserName: u })))));
      await new Promise((r) => setTimeout(r, 15));
      const saved = await post(`${cl.url}/_cloudlet/state/save/busy`);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      await creating;
      assert.equal((await post(`${cl.url}/_cloudlet/state/load/busy`)).status, 200);
      let keysSeen = 0;
      for (const u of users) {
        const listed = (await iam.send(new ListAccessKeysCommand({ UserName: u }))).AccessKeyMetadata!.map((m) => m.AccessKeyId!).sort();
        const indexed = await cl.deps.store.transaction((tx) => tx.list<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND)
          .filter((r) => r.value.principal.name === u).map((r) => r.id).sort());
        assert.deepEqual(listed, indexed, u);
        keysSeen += listed.length;
      }
      assert.ok(keysSeen < users.length * 2, `the snapshot should have caught the load mid-way (saw ${keysSeen} keys)`);
      console.log(`[state] snapshot under load captured ${keysSeen} of ${users.length * 2} access keys, each pair whole`);
    });

    test('bad names and unknown snapshots answer clear JSON errors', async () => {
      for (const bad of ['a%2Fb', 'x'.repeat(65), 'sp%20ace', '%C3%BC', '%ZZ']) {
        const r = await post(`${cl.url}/_cloudlet/state/save/${bad}`);
        assert.equal(r.status, 400, bad);
        assert.equal(r.body.error, 'InvalidSnapshotName');
        assert.match(r.body.message, /A-Z a-z 0-9/);
      }
      // fetch() would collapse dot segments; a raw request sends them as they are.
      for (const dots of ['..', '%2E%2E', '.']) {
        const raw = await rawRequest(cl.url, 'POST', `/_cloudlet/state/save/${dots}`);
        assert.equal(raw.status, 400, dots);
        assert.match(raw.body, /InvalidSnapshotName/);
      }
      const r = await post(`${cl.url}/_cloudlet/state/load/never-saved`);
      assert.equal(r.status, 404);
      assert.deepEqual(Object.keys(r.body).sort(), ['error', 'message']);
      assert.equal(r.body.error, 'NoSuchSnapshot');
      const d = await fetch(`${cl.url}/_cloudlet/state/snapshots/never-saved`, { method: 'DELETE' });
      assert.equal(d.status, 404);
      const g = await fetch(`${cl.url}/_cloudlet/state/snapshots/never-saved`);
      assert.equal(g.status, 404);
      const body = await fetch(`${cl.url}/_cloudlet/state/save`, { method: 'POST', body: '{"name":"from-body"}' });
      assert.equal(body.status, 200);
      const info = await (await fetch(`${cl.url}/_cloudlet/state/snapshots/from-body`)).json() as { name: string; store: string };
      assert.equal(info.name, 'from-body');
      assert.equal(info.store, mode === 'data dir' ? 'sqlite' : 'memory');
      const cli = await runCli(['state', 'save', '../escape', '--endpoint', cl.url]);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /invalid snapshot name/);
    });
  });
}

test('an ephemeral server keeps its snapshots in a temporary directory removed on close', async () => {
  const cl = await startTestServer();
  const root = (await cl.deps.state!()).root;
  assert.ok(root.startsWith(tmpdir()));
  assert.equal((await post(`${cl.url}/_cloudlet/state/save/tmp`)).status, 200);
  assert.ok(existsSync(join(root, 'snapshots', 'tmp', 'manifest.json')));
  await cl.close();
  assert.ok(!existsSync(root));
});
