/**
 * kill -9 in the middle of save, load, import and schema migration, repeated: after a
 * restart the state is the old one or the new one, whole, and earlier snapshots are intact.
 * The states are large enough (20,000 rows, 1,500 blobs each) that the operations take long
 * enough to be hit at different points; each kill's timing and outcome is logged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { Clock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import { StateManager } from '../../src/state/manager.js';
import { fingerprint, fingerprintDataDir, fingerprintSnapshot, populateBulk, writeV0Database, type StateFingerprint } from '../../src/state/testkit.js';
import { openDiskBlobStore } from '../../src/store/blobs.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { RawRow } from '../../src/store/types.js';
import { CLOUDLET, startProcess, type Running } from '../helpers/process.js';

const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-crash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = 20_000;
const BLOBS = 1_500;
const ROUNDS = 4;

/** The state manager on a stopped server's directory, as `cloudlet state --data-dir` uses it. */
async function offline<T>(dir: string, fn: (m: StateManager, store: ReturnType<typeof openSqliteStore>, blobs: ReturnType<typeof openDiskBlobStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore(join(dir, 'state.db'));
  const blobs = openDiskBlobStore(join(dir, 'blobs'));
  const m = new StateManager({
    store, blobs, clock: new Clock(Number(store.getMeta('clock_offset_ms') ?? 0)), log: createLogger('silent'),
    version: 'test', root: dir, storeKind: 'sqlite', services: ['iam', 'sts', 's3'],
  });
  try {
    return await fn(m, store, blobs);
  } finally {
    await m.close();
    store.close();
    blobs.close();
  }
}

async function stop(p: Running): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

/** Starts the server (which finishes whatever a crash interrupted), stops it, reads the state. */
async function restartAndRead(dir: string): Promise<StateFingerprint> {
  await stop(await startProcess(['--port', '0', '--data-dir', dir]));
  return fingerprintDataDir(dir);
}

function post(url: string, uploadFile?: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (uploadFile) pipeline(createReadStream(uploadFile), req).catch(() => undefined);
    else req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a server, begins `op`, and kills the server with SIGKILL `delay` ms later. */
async function killDuring(dir: string, op: (url: string) => Promise<unknown>, delay: number): Promise<'finished' | 'killed'> {
  const p = await startProcess(['--port', '0', '--data-dir', dir]);
  let finished = false;
  const running = op(p.url).then(() => { finished = true; }, () => undefined);
  await sleep(delay);
  p.child.kill('SIGKILL');
  await p.exited;
  await running;
  return finished ? 'finished' : 'killed';
}

async function timed(op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

/**
 * Kill points spread over the operation's measured duration and a little past it (a fresh
 * server is slower than the warm one that was timed), a little different each round.
 */
const spread = (i: number): number => 0.15 + (1.85 * (i + 0.2 + Math.random() * 0.6)) / ROUNDS;
const delays = (ms: number): number[] => Array.from({ length: ROUNDS }, (_, i) => Math.max(1, Math.round(ms * spread(i))));

function noLeftovers(dir: string): void {
  assert.deepEqual(readdirSync(join(dir, 'state-work')), [], 'staging emptied');
  assert.ok(!existsSync(join(dir, 'state-journal.json')), 'journal finished');
  for (const name of readdirSync(join(dir, 'snapshots'))) {
    const entries = readdirSync(join(dir, 'snapshots', name));
    assert.deepEqual(entries.filter((e) => !e.startsWith('d-')), ['manifest.json'], `snapshot ${name}`);
    assert.equal(entries.filter((e) => e.startsWith('d-')).length, 1, `snapshot ${name} has one data directory`);
  }
}

describe('kill -9 during state operations', () => {
  const dir = join(tmp, 'data');
  const archive = join(tmp, 'b.cloudlet-state.gz');
  let A: StateFingerprint;
  let B: StateFingerprint;

  before(async () => {
    mkdirSync(dir);
    await offline(dir, async (m, store, blobs) => {
      await populateBulk(store, blobs, { tag: 'b', rows: ROWS, blobs: BLOBS, blobBytes: 8 * 1024 });
      B = await fingerprint(store, blobs);
      await m.save('b');
      await m.save('victim');
      await m.exportArchive(createWriteStream(archive));
      await m.reset();
      await populateBulk(store, blobs, { tag: 'a', rows: ROWS, blobs: BLOBS, blobBytes: 8 * 1024 });
      A = await fingerprint(store, blobs);
      await m.save('a');
    });
    assert.notEqual(A.digest, B.digest);
  });

  /** Puts state A back as the live state (offline), for the next round. */
  const backToA = (): Promise<void> => offline(dir, async (m) => { await m.load('a'); });
  const which = (f: StateFingerprint): string => (f.digest === A.digest ? 'old (A)' : f.digest === B.digest ? 'new (B)' : 'A MIX');

  test('save: the live state and earlier snapshots are untouched; the new snapshot is whole or absent', async () => {
    const p = await startProcess(['--port', '0', '--data-dir', dir]);
    const ms = await timed(() => post(`${p.url}/_cloudlet/state/save/calibrate`));
    await stop(p);
    await offline(dir, (m) => m.delete('calibrate'));
    for (const [i, delay] of delays(ms).entries()) {
      const name = i % 2 ? 'victim' : `new${i}`;
      const outcome = await killDuring(dir, (url) => post(`${url}/_cloudlet/state/save/${name}`), delay);
      const live = await restartAndRead(dir);
      const snap = await fingerprintSnapshot(dir, name);
      const got = !snap ? 'absent' : snap.digest === A.digest ? 'the new one (A)' : snap.digest === B.digest ? 'the previous one (B)' : 'A MIX';
      console.log(`[crash] save ${name}: killed at ${delay} of ~${Math.round(ms)} ms (${outcome}); snapshot ${got}`);
      assert.equal(live.digest, A.digest, 'live state unchanged');
      assert.equal((await fingerprintSnapshot(dir, 'a'))!.digest, A.digest);
      assert.equal((await fingerprintSnapshot(dir, 'b'))!.digest, B.digest);
      if (name === 'victim') assert.ok(snap && (snap.digest === A.digest || snap.digest === B.digest), 'the overwritten snapshot is the old or the new, whole');
      else assert.ok(!snap || snap.digest === A.digest, 'the new snapshot is whole or absent');
      noLeftovers(dir);
    }
  });

  test('load: the live state is the old or the new one, whole; snapshots intact', async () => {
    const p = await startProcess(['--port', '0', '--data-dir', dir]);
    const ms = await timed(() => post(`${p.url}/_cloudlet/state/load/b`));
    await stop(p);
    for (const delay of delays(ms)) {
      await backToA();
      const outcome = await killDuring(dir, (url) => post(`${url}/_cloudlet/state/load/b`), delay);
      const live = await restartAndRead(dir);
      console.log(`[crash] load b: killed at ${delay} of ~${Math.round(ms)} ms (${outcome}); state ${which(live)}`);
      assert.ok(live.digest === A.digest || live.digest === B.digest, `state is ${which(live)}`);
      assert.equal((await fingerprintSnapshot(dir, 'a'))!.digest, A.digest);
      assert.equal((await fingerprintSnapshot(dir, 'b'))!.digest, B.digest);
      noLeftovers(dir);
    }
  });

  test('import: the live state is the old or the new one, whole', async () => {
    await backToA();
    const p = await startProcess(['--port', '0', '--data-dir', dir]);
    const ms = await timed(() => post(`${p.url}/_cloudlet/state/import`, archive));
    await stop(p);
    for (const delay of delays(ms)) {
      await backToA();
      const outcome = await killDuring(dir, (url) => post(`${url}/_cloudlet/state/import`, archive), delay);
      const live = await restartAndRead(dir);
      console.log(`[crash] import: killed at ${delay} of ~${Math.round(ms)} ms (${outcome}); state ${which(live)}`);
      assert.ok(live.digest === A.digest || live.digest === B.digest, `state is ${which(live)}`);
      assert.equal((await fingerprintSnapshot(dir, 'b'))!.digest, B.digest);
      noLeftovers(dir);
    }
  });
});

describe('kill -9 during a schema migration', () => {
  const V0_ROWS = 150_000;
  const source = join(tmp, 'v0');
  let migrated: StateFingerprint;

  before(async () => {
    mkdirSync(source);
    const rows = function* (): Generator<RawRow> {
      for (let i = 0; i < V0_ROWS; i++) {
        yield { account: String(100000000000 + (i % 7)), region: i % 3 ? 'us-east-1' : '', kind: `svc:thing${i % 5}`, id: `id-${i}`, json: JSON.stringify({ i, pad: 'p'.repeat(i % 200) }) };
      }
    };
    writeV0Database(join(source, 'state.db'), rows(), 3_600_000);
    const check = join(tmp, 'v0-check');
    cpSync(source, check, { recursive: true });
    migrated = await fingerprintDataDir(check);
    assert.equal(migrated.rows, V0_ROWS);
    assert.equal(migrated.meta.clock_offset_ms, '3600000');
  });

  /** Time from spawn to the ready line. */
  function startTimed(dir: string): Promise<{ ms: number; p: Running }> {
    const t0 = performance.now();
    return startProcess(['--port', '0', '--data-dir', dir]).then((p) => ({ ms: performance.now() - t0, p }));
  }

  test('the file is schema 0 untouched or schema 1 complete; the restart finishes the job', async () => {
    const calib = join(tmp, 'v0-calibrate');
    cpSync(source, calib, { recursive: true });
    const { ms, p } = await startTimed(calib);
    await stop(p);
    const empty = join(tmp, 'empty');
    const base = await startTimed(empty);
    await stop(base.p);
    const migrationMs = ms - base.ms;
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(tmp, `v0-${round}`);
      cpSync(source, dir, { recursive: true });
      // Kill somewhere between just before the migration and its end.
      const delay = Math.round(base.ms * 0.8 + migrationMs * spread(round));
      const child = spawn(process.execPath, [...CLOUDLET, 'start', '--port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let ready = false;
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes(' ready on ')) ready = true; });
      const exited = new Promise((r) => child.on('exit', r));
      await sleep(delay);
      child.kill('SIGKILL');
      await exited;
      // A backup beside the file means the kill landed after the migration began.
      const midway = existsSync(join(dir, 'state.db.pre-migration-v0.bak'));
      // Opening the file read-write rolls back a half-done migration, as the next start would.
      const db = new Database(join(dir, 'state.db'));
      let layout: string;
      try {
        const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
        if (tables.includes('objects')) {
          assert.deepEqual(tables, ['objects', 'settings']);
          assert.equal(db.prepare('SELECT count(*) FROM objects').pluck().get(), V0_ROWS);
          layout = 'schema 0, untouched';
        } else {
          // All steps (0 -> 1 -> 2) commit in one transaction: never a layout in between.
          assert.deepEqual(tables, ['idx', 'meta', 'resources']);
          assert.equal(db.prepare('SELECT count(*) FROM resources').pluck().get(), V0_ROWS);
          layout = 'current schema, complete';
        }
      } finally {
        db.close();
      }
      console.log(`[crash] migration: killed at ${delay} ms (start ~${Math.round(base.ms)} ms + migration ~${Math.round(migrationMs)} ms${ready ? ', after ready' : ''}${midway ? ', migration under way' : ''}): ${layout}`);
      const after = await restartAndRead(dir);
      assert.equal(after.digest, migrated.digest);
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('pre-migration')), []);
    }
  });
});
