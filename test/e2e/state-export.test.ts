import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Cloudlet } from '../../src/server/server.js';
import { openDiskBlobStore } from '../../src/store/blobs.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { fingerprint, fingerprintDataDir, populateBulk } from '../../src/state/testkit.js';
import { runCli, startProcess } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
type Key = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const trustRoot = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' }],
});

const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dirFor = (label: string): string => join(tmp, `${label}-${n++}`);

async function whoAmI(url: string, k: Key): Promise<string> {
  try {
    return (await new STSClient(clientConfig(url, 'us-east-1', k)).send(new GetCallerIdentityCommand({}))).Arn!;
  } catch (e) {
    return `error:${(e as Error).name}`;
  }
}

/** Users, a key, a role session, rows and blobs, made with real clients where they exist. */
async function build(cl: Cloudlet, tag: string): Promise<{ user: Key; session: Key }> {
  const iam = new IAMClient(clientConfig(cl.url));
  for (let i = 0; i < 5; i++) await iam.send(new CreateUserCommand({ UserName: `${tag}-${i}` }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: `${tag}-0` }))).AccessKey!;
  const role = (await iam.send(new CreateRoleCommand({ RoleName: `${tag}-role`, AssumeRolePolicyDocument: trustRoot }))).Role!;
  const s = (await new STSClient(clientConfig(cl.url)).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: `${tag}-s` }))).Credentials!;
  await populateBulk(cl.deps.store, cl.deps.blobs, { tag, rows: 200, blobs: 5, blobBytes: 300_000 });
  return {
    user: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! },
    session: { accessKeyId: s.AccessKeyId!, secretAccessKey: s.SecretAccessKey!, sessionToken: s.SessionToken! },
  };
}

describe('export on one data dir, import into another', () => {
  let a: Cloudlet;
  let b: Cloudlet;
  let aDir: string;
  let bDir: string;
  let keys: { user: Key; session: Key };
  const archive = join(tmp, 'a.cloudlet-state.gz');

  before(async () => {
    aDir = dirFor('a');
    bDir = dirFor('b');
    a = await startTestServer({ ephemeral: false, dataDir: aDir });
    b = await startTestServer({ ephemeral: false, dataDir: bDir });
    keys = await build(a, 'from-a');
    await build(b, 'only-b');
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test('through the running servers (CLI): same rows, blobs and clock; A\'s keys and sessions work on B', async () => {
    assert.equal((await runCli(['clock', 'advance', '15m', '--endpoint', a.url])).code, 0);
    const want = await fingerprint(a.deps.store, a.deps.blobs);
    const ex = await runCli(['state', 'export', archive, '--endpoint', a.url]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /^exported the state to .*a\.cloudlet-state\.gz \(\d+\.\d (KiB|MiB)\)/);
    assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.partial-')), []);
    const im = await runCli(['state', 'import', archive, '--endpoint', b.url]);
    assert.equal(im.code, 0, im.stderr);
    assert.match(im.stdout, /imported .*: \d+ rows, 5 blobs \(written by cloudlet \S+ at /);
    assert.equal((await fingerprint(b.deps.store, b.deps.blobs)).digest, want.digest);
    assert.equal(b.deps.clock.offset(), 15 * 60_000);
    const users = (await new IAMClient(clientConfig(b.url)).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName).sort();
    assert.deepEqual(users, ['from-a-0', 'from-a-1', 'from-a-2', 'from-a-3', 'from-a-4']);
    assert.equal(await whoAmI(b.url, keys.user), `arn:aws:iam::${ACCT}:user/from-a-0`);
    assert.equal(await whoAmI(b.url, keys.session), `arn:aws:sts::${ACCT}:assumed-role/from-a-role/from-a-s`);
    assert.deepEqual(readdirSync(join(bDir, 'state-work')), []);
  });

  test('a snapshot exports too (--snapshot NAME)', async () => {
    assert.equal((await runCli(['state', 'save', 'snap', '--endpoint', a.url])).code, 0);
    const want = await fingerprint(a.deps.store, a.deps.blobs);
    const file = join(tmp, 'snap.gz');
    const ex = await runCli(['state', 'export', file, '--snapshot', 'snap', '--endpoint', a.url]);
    assert.equal(ex.code, 0, ex.stderr);
    const r = await fetch(`${b.url}/_cloudlet/state/import`, { method: 'POST', body: readFileSync(file) });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal((await fingerprint(b.deps.store, b.deps.blobs)).digest, want.digest);
    const missing = await runCli(['state', 'export', join(tmp, 'x.gz'), '--snapshot', 'nope', '--endpoint', a.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no snapshot named "nope"/);
    assert.ok(!existsSync(join(tmp, 'x.gz')));
  });

  test('bad archives are refused with clear errors and change nothing', async () => {
    const before = await fingerprint(b.deps.store, b.deps.blobs);
    const good = readFileSync(archive);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated.gz', good.subarray(0, Math.floor(good.length * 0.6)), /truncated/],
      ['random.gz', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) % 256)), /not a cloudlet state archive/],
      ['empty.gz', Buffer.alloc(0), /not a cloudlet state archive|truncated/],
    ];
    const raw = gunzipSync(good);
    const newer = Buffer.from(raw);
    newer.writeUInt32BE(2, 8);
    cases.push(['newer.gz', gzipSync(newer), /format version 2, newer than this cloudlet reads \(1\); upgrade cloudlet/]);
    const corrupt = Buffer.from(raw);
    corrupt[raw.length - 200] ^= 0xff;
    cases.push(['corrupt.gz', gzipSync(corrupt), /corrupt \(sha256 mismatch\)|the end record/]);
    for (const [name, bytes, re] of cases) {
      const file = join(tmp, name);
      writeFileSync(file, bytes);
      const r = await runCli(['state', 'import', file, '--endpoint', b.url]);
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, re, name);
    }
    const none = await runCli(['state', 'import', join(tmp, 'does-not-exist.gz'), '--endpoint', b.url]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no archive file/);
    assert.equal((await fingerprint(b.deps.store, b.deps.blobs)).digest, before.digest);
    assert.deepEqual(readdirSync(join(bDir, 'state-work')), []);
  });

  test('--data-dir refuses a directory a live server owns', async () => {
    const r = await runCli(['state', 'list', '--data-dir', aDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a cloudlet server \(pid \d+\) is using .*; run the command against it \(--endpoint http:\/\/127\.0\.0\.1:\d+\)/);
  });
});

test('on stopped servers\' directories (--data-dir): export, import into a fresh directory, start, same state', async () => {
  const src = dirFor('offline-src');
  const cl = await startTestServer({ ephemeral: false, dataDir: src });
  const keys = await build(cl, 'offline');
  const want = await fingerprint(cl.deps.store, cl.deps.blobs);
  await cl.close();
  const file = join(tmp, 'offline.gz');
  const ex = await runCli(['state', 'export', file, '--data-dir', src]);
  assert.equal(ex.code, 0, ex.stderr);
  const dest = dirFor('offline-dest');
  const im = await runCli(['state', 'import', file, '--data-dir', dest]);
  assert.equal(im.code, 0, im.stderr);
  assert.equal((await fingerprintDataDir(dest)).digest, want.digest);
  const save = await runCli(['state', 'save', 'copy', '--data-dir', dest]);
  assert.equal(save.code, 0, save.stderr);
  assert.match((await runCli(['state', 'list', '--data-dir', dest])).stdout, /^NAME.*\ncopy\s/);
  const reset = await runCli(['reset', '--data-dir', dest]);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /^reset all state: \d+ rows and 5 blobs removed/);
  assert.equal((await runCli(['state', 'load', 'copy', '--data-dir', dest])).code, 0);
  const p = await startProcess(['--port', '0', '--data-dir', dest]);
  try {
    assert.equal(await whoAmI(p.url, keys.user), `arn:aws:iam::${ACCT}:user/offline-0`);
    assert.equal(await whoAmI(p.url, keys.session), `arn:aws:sts::${ACCT}:assumed-role/offline-role/offline-s`);
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  assert.equal((await fingerprintDataDir(dest)).digest, want.digest);
  const nowhere = await runCli(['state', 'list', '--data-dir', join(tmp, 'never-made')]);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /holds no cloudlet state/);
});

test('ephemeral and data-dir servers exchange archives over HTTP', async () => {
  const eph = await startTestServer();
  const disk = await startTestServer({ ephemeral: false, dataDir: dirFor('disk') });
  try {
    const keys = await build(eph, 'eph');
    const want = await fingerprint(eph.deps.store, eph.deps.blobs);
    const res = await fetch(`${eph.url}/_cloudlet/state/export`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.cloudlet.state+gzip');
    const body = Buffer.from(await res.arrayBuffer());
    const imp = await fetch(`${disk.url}/_cloudlet/state/import`, { method: 'POST', body });
    const j = await imp.json() as { imported: { store: string; schemaVersion: number; rowsLoaded: number } };
    assert.equal(imp.status, 200);
    assert.equal(j.imported.store, 'memory');
    assert.equal(j.imported.rowsLoaded, want.rows);
    assert.equal((await fingerprint(disk.deps.store, disk.deps.blobs)).digest, want.digest);
    assert.equal(await whoAmI(disk.url, keys.session), `arn:aws:sts::${ACCT}:assumed-role/eph-role/eph-s`);
    // And back.
    await fetch(`${eph.url}/_cloudlet/reset`, { method: 'POST' });
    const back = await fetch(`${disk.url}/_cloudlet/state/export`);
    const r2 = await fetch(`${eph.url}/_cloudlet/state/import`, { method: 'POST', body: Readable.toWeb(Readable.from([Buffer.from(await back.arrayBuffer())])) as ReadableStream, duplex: 'half' } as RequestInit);
    assert.equal(r2.status, 200);
    assert.equal((await fingerprint(eph.deps.store, eph.deps.blobs)).digest, want.digest);
  } finally {
    await eph.close();
    await disk.close();
  }
});

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssMiB(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

test('export and import stream: 128 MiB of blobs move without the server holding a blob in memory', { skip: !existsSync('/proc/self/status') }, async () => {
  const src = dirFor('big-src');
  const store = openSqliteStore(join(src, 'state.db'));
  const blobs = openDiskBlobStore(join(src, 'blobs'));
  await populateBulk(store, blobs, { tag: 'big', rows: 50, blobs: 2, blobBytes: 64 * 1024 * 1024 });
  store.close();
  blobs.close();
  const want = await fingerprintDataDir(src);
  const file = join(tmp, 'big.gz');
  const p = await startProcess(['--port', '0', '--data-dir', src]);
  let exportGrowth: number;
  try {
    await fetch(`${p.url}/_cloudlet/health`);
    const base = peakRssMiB(p.child.pid!)!;
    const ex = await runCli(['state', 'export', file, '--endpoint', p.url]);
    assert.equal(ex.code, 0, ex.stderr);
    exportGrowth = peakRssMiB(p.child.pid!)! - base;
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
  const dest = dirFor('big-dest');
  const q = await startProcess(['--port', '0', '--data-dir', dest]);
  let importGrowth: number;
  try {
    await fetch(`${q.url}/_cloudlet/health`);
    const base = peakRssMiB(q.child.pid!)!;
    const im = await runCli(['state', 'import', file, '--endpoint', q.url]);
    assert.equal(im.code, 0, im.stderr);
    importGrowth = peakRssMiB(q.child.pid!)! - base;
  } finally {
    q.child.kill('SIGTERM');
    await q.exited;
  }
  console.log(`[state] 128 MiB export: server peak RSS +${exportGrowth.toFixed(1)} MiB; import: +${importGrowth.toFixed(1)} MiB; archive ${(statSync(file).size / 1048576).toFixed(1)} MiB`);
  // Each blob is 64 MiB: holding one whole would show as 64 MiB or more. Below that is the code
  // and SQLite caches the import loads (its schema and row checks open the staged database twice).
  assert.ok(exportGrowth < 48, `export grew the server's peak RSS by ${exportGrowth} MiB`);
  assert.ok(importGrowth < 60, `import grew the server's peak RSS by ${importGrowth} MiB`);
  assert.equal((await fingerprintDataDir(dest)).digest, want.digest);
});
