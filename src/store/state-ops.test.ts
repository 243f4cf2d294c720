import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openDiskBlobStore } from './blobs.js';
import { createMemoryStore } from './memory.js';
import { migrationBackupName, SCHEMA_VERSION } from './schema.js';
import { openSqliteStore } from './sqlite.js';
import { GLOBAL_ACCOUNT, type Store } from './types.js';
import { writeV0Database } from '../state/testkit.js';

const root = mkdtempSync(join(tmpdir(), 'cloudlet-stateops-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(root, `d${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const A = { account: '111111111111', region: 'us-east-1' };
const B = { account: '222222222222', region: '' };
const G = { account: GLOBAL_ACCOUNT, region: '' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FIXTURE = new URL('../../test/fixtures/state-v0/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('fixture.json', FIXTURE), 'utf8')) as { rows: number; accessKeyId: string; clockOffsetMs: number };

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => openSqliteStore(join(fresh(), 'state.db'))],
];

async function seed(store: Store): Promise<void> {
  await store.transaction((tx) => {
    for (let i = 0; i < 20; i++) tx.put(A, 'iam:user', `u${i}`, { i });
    tx.put(A, 's3:bucket', 'b', { name: 'b' });
    tx.put(B, 'iam:role', 'r', { name: 'r' });
    tx.put(G, 'access-key', 'AKIA1', { principal: { account: A.account } });
    tx.put(G, 'access-key', 'AKIA2', { principal: { account: B.account } });
  });
  store.setMeta('clock_offset_ms', '42');
}

const allRows = (store: Store): Promise<string[]> => store.exclusive((ops) => {
  const out: string[] = [];
  ops.scan((r) => out.push(`${r.account}|${r.region}|${r.kind}|${r.id}|${r.json}`));
  return out.sort();
});

for (const [name, make] of stores) {
  describe(`state operations: ${name} store`, () => {
    test('dump then replace restores rows and meta exactly, in one step', async () => {
      const store = make();
      const dir = fresh();
      try {
        await seed(store);
        const before = await allRows(store);
        await store.exclusive((ops) => ops.dump(join(dir, 'dump.db')));
        // The dump is self-contained: no WAL beside it, rollback journal mode.
        const db = new Database(join(dir, 'dump.db'), { readonly: true });
        assert.equal(db.pragma('journal_mode', { simple: true }), 'delete');
        assert.equal(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get(), String(SCHEMA_VERSION));
        db.close();
        assert.deepEqual(readdirSync(dir), ['dump.db']);
        await store.transaction((tx) => {
          tx.put(A, 'iam:user', 'later', 1);
          tx.delete(A, 'iam:user', 'u3');
        });
        store.setMeta('clock_offset_ms', '7');
        store.setMeta('extra', 'x');
        await store.exclusive((ops) => ops.replace(join(dir, 'dump.db'), { set: { marker: 'm' } }));
        assert.deepEqual(await allRows(store), before);
        assert.equal(store.getMeta('clock_offset_ms'), '42');
        assert.equal(store.getMeta('extra'), undefined);
        assert.equal(store.getMeta('marker'), 'm');
        assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
        await assert.rejects(store.exclusive((ops) => ops.dump(join(dir, 'dump.db'))), /exists/);
      } finally {
        store.close();
      }
    });

    test('deleteRows: selectors by account, kind prefix, kind and value; meta in the same step', async () => {
      const store = make();
      try {
        await seed(store);
        const removed = await store.exclusive((ops) => ops.deleteRows([
          { account: A.account, kindPrefix: 'iam:', where: (v) => (v as { i: number }).i % 2 === 0 },
          { account: G.account, kind: 'access-key', where: (v) => (v as { principal: { account: string } }).principal.account === A.account },
        ], { set: { m: '1' } }));
        assert.equal(removed, 11);
        const rows = await allRows(store);
        assert.equal(rows.length, 24 - 11);
        assert.ok(rows.some((r) => r.includes('AKIA2')) && !rows.some((r) => r.includes('AKIA1')));
        assert.equal(store.getMeta('m'), '1');
        const all = await store.exclusive((ops) => ops.deleteRows([{}], { clearAll: true, set: { clock_offset_ms: '0' } }));
        assert.equal(all, 13);
        assert.equal(await store.exclusive((ops) => ops.count()), 0);
        assert.equal(store.getMeta('m'), undefined);
        assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
        assert.equal(store.getMeta('clock_offset_ms'), '0');
      } finally {
        store.close();
      }
    });

    test('exclusive waits for transactions in flight and holds new ones back', async () => {
      const store = make();
      try {
        const events: string[] = [];
        const tx1 = store.transaction(async (tx) => {
          tx.put(A, 'k', 'a', 1);
          await sleep(20);
          events.push('tx1 done');
        });
        const ex = store.exclusive(async (ops) => {
          events.push(`exclusive sees ${ops.count()}`);
          await sleep(20);
          events.push('exclusive done');
        });
        const tx2 = store.transaction((tx) => { events.push(`tx2 sees ${tx.count(A, 'k')}`); });
        await Promise.all([tx1, ex, tx2]);
        assert.deepEqual(events, ['tx1 done', 'exclusive sees 1', 'exclusive done', 'tx2 sees 1']);
        let leaked: Parameters<Parameters<Store['exclusive']>[0]>[0] | undefined;
        await store.exclusive((ops) => { leaked = ops; });
        assert.throws(() => leaked!.count(), /outside Store.exclusive/);
        await assert.rejects(store.exclusive(() => { throw new Error('boom'); }), /boom/);
        await store.transaction((tx) => tx.put(A, 'k', 'b', 1));
      } finally {
        store.close();
      }
    });

    test('replace refuses a database of another schema version and changes nothing', async () => {
      const store = make();
      const dir = fresh();
      try {
        await seed(store);
        const before = await allRows(store);
        writeV0Database(join(dir, 'v0.db'), [{ account: A.account, region: '', kind: 'iam:user', id: 'x', json: '{}' }]);
        await assert.rejects(store.exclusive((ops) => ops.replace(join(dir, 'v0.db'))), /schema version/);
        assert.deepEqual(await allRows(store), before);
      } finally {
        store.close();
      }
    });
  });
}

describe('schema migrations', () => {
  const copyFixture = (): string => {
    const dir = fresh();
    cpSync(new URL('data', FIXTURE), dir, { recursive: true });
    return dir;
  };

  test('the schema 0 fixture opens migrated: rows, kinds, scopes and the clock carried over; backup removed', async () => {
    const dir = copyFixture();
    const store = openSqliteStore(join(dir, 'state.db'));
    try {
      assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
      assert.equal(store.getMeta('clock_offset_ms'), String(fixture.clockOffsetMs));
      await store.transaction((tx) => {
        assert.equal(tx.get<{ name: string }>({ account: '000000000000', region: '' }, 'iam:user', 'legacy-user')?.name, 'legacy-user');
        assert.ok(tx.get(G, 'access-key', fixture.accessKeyId));
        assert.equal(tx.count({ account: '000000000000', region: 'us-east-1' }, 'ecr:repository'), 1);
        assert.equal(tx.scopes().length, fixture.rows);
      });
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('pre-migration')), []);
    } finally {
      store.close();
    }
    const db = new Database(join(dir, 'state.db'), { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    db.close();
    assert.deepEqual(tables, ['idx', 'meta', 'resources']);
  });

  test('a migration that fails rolls back: the file stays schema 0, and the next open migrates it', async () => {
    const dir = copyFixture();
    const file = join(dir, 'state.db');
    assert.throws(() => openSqliteStore(file, { beforeMigrationCommit: () => { throw new Error('power cut'); } }), /power cut/);
    const db = new Database(file, { readonly: true });
    assert.equal(db.prepare(`SELECT value FROM settings WHERE name = 'format'`).pluck().get(), '0');
    assert.equal(db.prepare('SELECT count(*) FROM objects').pluck().get(), fixture.rows);
    db.close();
    // The backup taken before the attempt is still there until a migration commits.
    assert.ok(existsSync(migrationBackupName(file, 0)));
    const store = openSqliteStore(file);
    assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
    store.close();
    assert.ok(!existsSync(migrationBackupName(file, 0)));
  });

  test('a newer schema is refused with a clear message and the file is left byte for byte', () => {
    const dir = fresh();
    const file = join(dir, 'state.db');
    openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare(`UPDATE meta SET value = '7' WHERE key = 'schema_version'`).run();
    db.pragma('journal_mode = DELETE');
    db.close();
    const hash = (): string => createHash('sha256').update(readFileSync(file)).digest('hex');
    const before = hash();
    const mtime = statSync(file).mtimeMs;
    assert.throws(() => openSqliteStore(file), (err: Error) =>
      /schema version 7/.test(err.message) && /newer cloudlet/.test(err.message) && /left untouched/.test(err.message));
    assert.equal(hash(), before);
    assert.equal(statSync(file).mtimeMs, mtime);
    assert.deepEqual(readdirSync(dir), ['state.db']);
  });

  test('a database that is not cloudlet state is refused', () => {
    const dir = fresh();
    const file = join(dir, 'state.db');
    const db = new Database(file);
    db.exec('CREATE TABLE something (x)');
    db.close();
    assert.throws(() => openSqliteStore(file), /not a cloudlet state database/);
    writeFileSync(join(dir, 'junk.db'), 'this is not sqlite at all, not even close.'.repeat(100));
    assert.throws(() => openSqliteStore(join(dir, 'junk.db')), /not a database/);
  });
});

describe('blob store: state operations', () => {
  test('ids, linkTo (hard link), adopt (keeps present ids, durable)', async () => {
    const dir = fresh();
    const blobs = openDiskBlobStore(join(dir, 'blobs'));
    try {
      const a = await blobs.write(Readable.from([Buffer.from('alpha')]));
      const b = await blobs.write(Readable.from([Buffer.from('beta')]));
      assert.deepEqual(blobs.ids().sort(), [a.id, b.id].sort());
      mkdirSync(join(dir, 'out'));
      await blobs.linkTo(a.id, join(dir, 'out', 'a'));
      assert.equal(readFileSync(join(dir, 'out', 'a'), 'utf8'), 'alpha');
      assert.equal(statSync(join(dir, 'out', 'a')).nlink, 2);
      await assert.rejects(blobs.linkTo('0'.repeat(32), join(dir, 'out', 'none')), { code: 'ENOENT' });
      blobs.delete(a.id);
      assert.equal(readFileSync(join(dir, 'out', 'a'), 'utf8'), 'alpha', 'a snapshot link outlives the blob');
      writeFileSync(join(dir, 'out', 'c'), 'gamma');
      const cId = 'c'.repeat(32);
      const added = await blobs.adopt([{ id: a.id, file: join(dir, 'out', 'a') }, { id: b.id, file: join(dir, 'out', 'a') }, { id: cId, file: join(dir, 'out', 'c') }]);
      assert.deepEqual(added.sort(), [a.id, cId].sort());
      assert.equal(await text(blobs.read(b.id)), 'beta', 'a present id is left as it is');
      assert.equal(await text(blobs.read(cId)), 'gamma');
      await assert.rejects(blobs.adopt([{ id: '../../etc', file: join(dir, 'out', 'c') }]), /not a blob id/);
    } finally {
      blobs.close();
    }
  });
});

async function text(r: Readable): Promise<string> {
  let s = '';
  for await (const c of r) s += String(c);
  return s;
}
