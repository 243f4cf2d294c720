/**
 * The foundation's state edges, driven the way the reproductions in issue 13 drove them: a
 * real server process, plain HTTP and the CLI. Clock values, hostile imports, unreferenced
 * blobs, one server per data directory, file permissions.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { ARCHIVE_FORMAT, blobEntryName, readArchive, writeArchive, type ArchiveEntry } from '../../src/state/archive.js';
import { CURRENT_DDL, SCHEMA_VERSION } from '../../src/store/schema.js';
import { runCli, startProcess, type Running } from '../helpers/process.js';
import { clientConfig } from '../helpers/server.js';

const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-hardening-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dirFor = (label: string): string => join(tmp, `${label}-${n++}`);

async function stop(p: Running): Promise<void> {
  if (p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

const clockOf = async (url: string): Promise<{ status: number; body: { now?: string; offsetMs?: number; error?: string; message?: string } }> => {
  const r = await fetch(`${url}/_cloudlet/clock`);
  return { status: r.status, body: await r.json() as { now?: string; offsetMs?: number } };
};

describe('clock values are checked before they change anything', () => {
  test('a huge advance is refused (text/plain 415, JSON 400); the clock, writes and a restart are unaffected', async () => {
    const dir = dirFor('clock');
    let p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      const ok = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance":"2d"}' });
      assert.equal(ok.status, 200);
      const before = (await clockOf(p.url)).body.offsetMs;
      assert.equal(before, 2 * 86_400_000);

      const plain = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance":"99999999999d"}' });
      assert.equal(plain.status, 415);
      assert.equal((await plain.json() as { error: string }).error, 'UnsupportedMediaType');
      const form = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', body: new URLSearchParams({ advance: '99999999999d' }) });
      assert.equal(form.status, 415);

      for (const advance of ['99999999999d', '36525d1ms', 1e300, '1'.repeat(80)]) {
        const r = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance }) });
        assert.equal(r.status, 400, String(advance));
        const b = await r.json() as { error: string; message: string };
        assert.equal(b.error, 'InvalidParameterValue');
        assert.match(b.message, /100 years|not a duration/);
      }
      const cli = await runClock(p.url, ['advance', '99999999999d']);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /100 years/);

      const now = await clockOf(p.url);
      assert.equal(now.status, 200);
      assert.equal(now.body.offsetMs, before);
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'after-bad-clock' }));
      await stop(p);
      p = await startProcess(['--port', '0', '--data-dir', dir]);
      assert.equal((await clockOf(p.url)).body.offsetMs, before);
    } finally {
      await stop(p);
    }
  });

  test('a bad offset an older version persisted is ignored with a warning: the server starts and serves writes', async () => {
    const dir = dirFor('old-clock');
    let p = await startProcess(['--port', '0', '--data-dir', dir]);
    await stop(p);
    const db = new Database(join(dir, 'state.db'));
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset_ms', ?)`).run(String(99999999999 * 86_400_000));
    db.close();
    p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      assert.match(p.stderr() + (await sleepThen(100, () => p.stderr())), /ignoring the stored clock offset/);
      const c = await clockOf(p.url);
      assert.equal(c.status, 200);
      assert.equal(c.body.offsetMs, 0);
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'after-old-clock' }));
    } finally {
      await stop(p);
    }
    const check = new Database(join(dir, 'state.db'), { readonly: true });
    assert.equal(check.prepare(`SELECT value FROM meta WHERE key = 'clock_offset_ms'`).pluck().get(), '0', 'the record is fixed');
    check.close();
  });
});

async function sleepThen<T>(ms: number, fn: () => T): Promise<T> {
  await new Promise((r) => setTimeout(r, ms));
  return fn();
}

async function runClock(url: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return runCli(['clock', ...args, '--endpoint', url]);
}

// ------------------------------------------------------------------ hostile imports

/** A state.db with the current layout plus `extra` SQL (or instead of it, with `replaceDdl`). */
function hostileDb(file: string, extra: string, replaceDdl?: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.exec(replaceDdl ?? CURRENT_DDL);
  const metaIsTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
  if (metaIsTable) db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
  db.exec(extra);
  db.close();
}

async function archiveOf(dbFile: string, out: string, blobs: Array<{ id: string; file: string }> = []): Promise<string> {
  const entries: ArchiveEntry[] = [{ name: 'state.db', file: dbFile }, ...blobs.map((b) => ({ name: blobEntryName(b.id), file: b.file }))];
  await writeArchive({ format: ARCHIVE_FORMAT, cloudletVersion: 'test', schemaVersion: SCHEMA_VERSION, createdAt: new Date().toISOString() }, entries, createWriteStream(out));
  return out;
}

function upload(url: string, file: string): Promise<{ status: number; body: Record<string, any>; ms: number }> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const req = request(`${url}/_cloudlet/state/import`, { method: 'POST', headers: { 'content-type': 'application/vnd.cloudlet.state+gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, any>, ms: performance.now() - t0 }));
      res.on('error', fail);
    });
    req.on('error', fail);
    pipeline(createReadStream(file), req).catch(() => undefined);
  });
}

const ENDLESS = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)`;

describe('imports cannot be turned against the server', () => {
  test('a state.db whose resources is a VIEW over an endless recursive CTE (and other hostile files) is refused fast; the server stays responsive and stops on SIGTERM', async () => {
    const dir = dirFor('hostile');
    mkdirSync(dir);
    const cases: Array<[string, () => void, RegExp]> = [];
    const add = (name: string, make: (f: string) => void, re: RegExp): void => {
      const f = join(dir, `${name}.db`);
      cases.push([name, () => make(f), re]);
    };
    add('view-cte', (f) => hostileDb(f, '', `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE VIEW resources AS ${ENDLESS} SELECT 'a' AS account, 'b' AS region, 'k' AS kind, CAST(x AS TEXT) AS id, '{}' AS value FROM c;`), /contains a view "resources"/);
    add('meta-view', (f) => hostileDb(f, '', `
      CREATE VIEW meta AS ${ENDLESS} SELECT 'schema_version' AS key, CAST(x AS TEXT) AS value FROM c;
      CREATE TABLE resources (account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account, region, kind, id)) WITHOUT ROWID;
      CREATE TABLE m2 (key TEXT, value TEXT);`), /contains a view "meta"|table "m2"/);
    add('trigger', (f) => hostileDb(f, `CREATE TRIGGER t AFTER INSERT ON resources BEGIN ${ENDLESS} SELECT count(*) FROM c; END;`), /contains a trigger "t"/);
    add('extra-view', (f) => hostileDb(f, `CREATE VIEW v AS ${ENDLESS} SELECT x FROM c;`), /contains a view "v"/);
    add('virtual', (f) => hostileDb(f, `CREATE VIRTUAL TABLE idx2 USING fts5(a);`), /virtual table "idx2"/);
    add('extra-table', (f) => hostileDb(f, `CREATE TABLE evil (x);`), /table "evil" that no cloudlet layout has/);
    add('wrong-columns', (f) => hostileDb(f, '', CURRENT_DDL.replace('value TEXT NOT NULL,\n    PRIMARY KEY (account, region, kind, id)', 'value TEXT NOT NULL, extra TEXT,\n    PRIMARY KEY (account, region, kind, id)')), /tables and indexes are not cloudlet's/);
    add('extra-index', (f) => hostileDb(f, `CREATE INDEX evil_idx ON resources (value);`), /tables and indexes are not cloudlet's/);
    add('not-json', (f) => hostileDb(f, `INSERT INTO resources VALUES ('000000000000', '', 'iam:user', 'x', 'not json');`), /is not a stored resource/);
    let p = await startProcess(['--port', '0', '--data-dir', join(dir, 'data')]);
    try {
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'kept' }));
      for (const [name, make, re] of cases) {
        make();
        const archive = await archiveOf(join(dir, `${name}.db`), join(dir, `${name}.gz`));
        const health = fetch(`${p.url}/_cloudlet/health`).then((r) => r.status);
        const r = await upload(p.url, archive);
        assert.equal(r.status, 400, `${name}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error, 'InvalidArchive', name);
        assert.match(String(r.body.message), re, name);
        assert.ok(r.ms < 1000, `${name} took ${r.ms} ms`);
        assert.equal(await health, 200, name);
      }
      const users = (await new IAMClient(clientConfig(p.url)).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
      assert.deepEqual(users, ['kept'], 'nothing was replaced');
      assert.deepEqual(readdirSync(join(dir, 'data', 'state-work')), [], 'staging emptied');

      // The same file as a snapshot on disk: `state load` refuses it too.
      await stop(p);
      const snap = join(dir, 'data', 'snapshots', 'evil');
      mkdirSync(join(snap, 'd-0abc'), { recursive: true });
      hostileDb(join(snap, 'd-0abc', 'state.db'), '', `
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE VIEW resources AS ${ENDLESS} SELECT 'a' AS account, 'b' AS region, 'k' AS kind, CAST(x AS TEXT) AS id, '{}' AS value FROM c;`);
      writeFileSync(join(snap, 'manifest.json'), JSON.stringify({ format: 1, name: 'evil', data: 'd-0abc', createdAt: new Date().toISOString(), cloudletVersion: 'test', schemaVersion: SCHEMA_VERSION, store: 'sqlite', rows: 0, blobs: 0, blobBytes: 0, clockOffsetMs: 0 }));
      const offline = await runCli(['state', 'load', 'evil', '--data-dir', join(dir, 'data')]);
      assert.equal(offline.code, 1);
      assert.match(offline.stderr, /snapshot evil: the database contains a view "resources"/);
      p = await startProcess(['--port', '0', '--data-dir', join(dir, 'data')]);
      const t0 = performance.now();
      const load = await fetch(`${p.url}/_cloudlet/state/load/evil`, { method: 'POST' });
      assert.equal(load.status, 400);
      assert.ok(performance.now() - t0 < 1000);

      // A slow upload of a hostile archive in flight does not keep SIGTERM from stopping the server.
      const pending = upload(p.url, join(dir, 'view-cte.gz')).catch(() => undefined);
      const t1 = performance.now();
      p.child.kill('SIGTERM');
      await p.exited;
      await pending;
      assert.ok(performance.now() - t1 < 2000, 'stopped promptly');
    } finally {
      await stop(p);
    }
  });

  test('blobs no row references are not kept (import and snapshot load)', async () => {
    const dir = dirFor('blobs');
    mkdirSync(dir);
    const src = await startProcess(['--port', '0', '--data-dir', join(dir, 'src')]);
    const good = join(dir, 'good.gz');
    try {
      await new IAMClient(clientConfig(src.url)).send(new CreateUserCommand({ UserName: 'u1' }));
      const ex = await runCli(['state', 'export', good, '--endpoint', src.url]);
      assert.equal(ex.code, 0, ex.stderr);
    } finally {
      await stop(src);
    }
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await readArchive(createReadStream(good), unpacked);
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(8 * 1024 * 1024, 7));
    const orphan = 'ab'.repeat(16);
    const archive = await archiveOf(join(unpacked, 'state.db'), join(dir, 'orphan.gz'), [{ id: orphan, file: big }]);
    const data = join(dir, 'dest');
    const p = await startProcess(['--port', '0', '--data-dir', data]);
    try {
      const r = await upload(p.url, archive);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.imported.blobsLoaded, 0);
      assert.equal(r.body.imported.blobsDropped, 1);
      assert.ok(!existsSync(join(data, 'blobs', orphan.slice(0, 2), orphan.slice(2))), 'the orphan is not in the blob store');
      assert.deepEqual(readdirSync(join(data, 'state-work')), []);
      const users = (await new IAMClient(clientConfig(p.url)).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
      assert.deepEqual(users, ['u1']);
    } finally {
      await stop(p);
    }
  });
});

// ------------------------------------------------------------------ one server per data directory

describe('one server per data directory', () => {
  test('a second start and offline commands are refused naming the running server; after kill -9 a new start succeeds', async () => {
    const dir = dirFor('lock');
    const first = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      const second = await runCli(['start', '--port', '0', '--data-dir', dir]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`a cloudlet server \\(pid ${first.child.pid}\\) is using .* \\(listening on ${first.url.replace(/[.]/g, '\\.')}\\)`));
      const info = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { pid: number; url: string };
      assert.equal(info.pid, first.child.pid, 'server.json still names the first server');
      for (const args of [['reset', '--data-dir', dir], ['state', 'list', '--data-dir', dir], ['state', 'save', 'x', '--data-dir', dir]]) {
        const r = await runCli(args);
        assert.equal(r.code, 1, args.join(' '));
        assert.match(r.stderr, new RegExp(`pid ${first.child.pid}\\).*--endpoint ${first.url.replace(/[.]/g, '\\.')}`), args.join(' '));
      }
      assert.ok(!existsSync(join(dir, 'snapshots', 'x')));
      await new IAMClient(clientConfig(first.url)).send(new CreateUserCommand({ UserName: 'still-served' }));
      first.child.kill('SIGKILL');
      await first.exited;
      const again = await startProcess(['--port', '0', '--data-dir', dir]);
      try {
        const users = (await new IAMClient(clientConfig(again.url)).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
        assert.deepEqual(users, ['still-served']);
      } finally {
        await stop(again);
      }
      const offline = await runCli(['state', 'list', '--data-dir', dir]);
      assert.equal(offline.code, 0, offline.stderr);
    } finally {
      await stop(first);
    }
  });
});

// ------------------------------------------------------------------ permissions

describe('state files are private', () => {
  const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

  test('the data directory is 0700 and every state file 0600, including snapshots and exported archives; looser ones are narrowed at start', async () => {
    const dir = dirFor('perms');
    let p = await startProcess(['--port', '0', '--data-dir', dir]);
    const archive = join(tmp, `perms-${n++}.gz`);
    try {
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'secret-holder' }));
      assert.equal((await runCli(['state', 'save', 's1', '--endpoint', p.url])).code, 0);
      assert.equal((await runCli(['state', 'export', archive, '--endpoint', p.url])).code, 0);
      assert.equal(mode(dir), '700');
      for (const f of ['state.db', 'state.db-wal', 'state.db-shm', 'server.json', 'lock.db']) assert.equal(mode(join(dir, f)), '600', f);
      for (const d of ['blobs', 'snapshots', 'state-work', 'snapshots/s1']) assert.equal(mode(join(dir, d)), '700', d);
      const data = readdirSync(join(dir, 'snapshots', 's1')).find((e) => e.startsWith('d-'))!;
      assert.equal(mode(join(dir, 'snapshots', 's1', 'manifest.json')), '600');
      assert.equal(mode(join(dir, 'snapshots', 's1', data, 'state.db')), '600');
      assert.equal(mode(archive), '600');
    } finally {
      await stop(p);
    }
    // As an older cloudlet left them.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'state.db'), 0o644);
    chmodSync(join(dir, 'snapshots'), 0o755);
    const snapDb = join(dir, 'snapshots', 's1', readdirSync(join(dir, 'snapshots', 's1')).find((e) => e.startsWith('d-'))!, 'state.db');
    chmodSync(snapDb, 0o644);
    p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      assert.equal(mode(dir), '700');
      assert.equal(mode(join(dir, 'state.db')), '600');
      assert.equal(mode(join(dir, 'snapshots')), '700');
      assert.equal(mode(snapDb), '600');
    } finally {
      await stop(p);
    }
  });
});
