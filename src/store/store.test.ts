import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreConformance } from './conformance.js';
import { compareIds, createMemoryStore, prefixEnd } from './memory.js';
import { INDEX_META, SCHEMA_VERSION } from './schema.js';
import { openSqliteStore } from './sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'cloudlet-store-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(root, `db${n++}`, 'nested', 'state.db');

runStoreConformance('memory', () => createMemoryStore());
runStoreConformance('sqlite', () => openSqliteStore(freshFile()));

const S = { account: '111111111111', region: 'us-east-1' };

describe('id order helpers', () => {
  test('compareIds agrees with UTF-8 byte order', () => {
    const samples = ['', 'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff',
      '\u{10000}', '\u{1F600}', '\u{10FFFF}', 'a\u{10000}', 'a\uffff', 'ab', 'a\u0000'];
    for (const x of samples) {
      for (const y of samples) {
        assert.equal(Math.sign(compareIds(x, y)), Buffer.compare(Buffer.from(x), Buffer.from(y)), `${x} vs ${y}`);
      }
    }
  });

  test('prefixEnd bounds exactly the strings with the prefix', () => {
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('\u{10FFFF}'), undefined);
    assert.equal(prefixEnd('ab'), 'ac');
    assert.equal(prefixEnd('a\u{10FFFF}'), 'b');
    assert.equal(prefixEnd('a\ud7ff'), 'a\ue000');
    assert.equal(prefixEnd('a\uffff'), 'a\u{10000}');
  });
});

describe('sqlite store', () => {
  test('creates missing directories, uses WAL + synchronous=FULL, schema_version current', () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    // synchronous is per connection, so it can only be read through the store's own.
    const own = (store as unknown as { db: Database.Database }).db;
    assert.equal(own.pragma('synchronous', { simple: true }), 2);
    store.close();
    const db = new Database(file);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get(), String(SCHEMA_VERSION));
      const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'resources'`).pluck().get() as string;
      assert.match(sql, /WITHOUT ROWID/);
    } finally {
      db.close();
    }
  });

  test('reopening after close keeps rows and meta', async () => {
    const file = freshFile();
    let store = openSqliteStore(file);
    await store.transaction((tx) => {
      tx.put(S, 'k', 'a', { nested: [1, { two: 2 }] });
      tx.put(S, 'k', 'b', 'bee');
    });
    store.setMeta('clock.offset', '42');
    store.close();
    store = openSqliteStore(file);
    try {
      assert.equal(store.getMeta('clock.offset'), '42');
      await store.transaction((tx) => {
        assert.deepEqual(tx.list(S, 'k'), [{ id: 'a', value: { nested: [1, { two: 2 }] } }, { id: 'b', value: 'bee' }]);
      });
    } finally {
      store.close();
    }
  });

  test('refuses a database from a newer schema', () => {
    const file = freshFile();
    openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
    db.close();
    assert.throws(() => openSqliteStore(file), /schema version 99/);
  });

  test('migrates a schema 1 database: the secondary indexes are built from its rows', async () => {
    const file = freshFile();
    openSqliteStore(file).close();
    const db = new Database(file);
    db.exec(`DROP TABLE idx; DELETE FROM meta WHERE key = '${INDEX_META}'; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    db.prepare('INSERT INTO resources VALUES (?, ?, ?, ?, ?)').run(S.account, S.region, 'ec2:subnet', 'subnet-1', JSON.stringify({ vpcId: 'vpc-1' }));
    db.close();
    const store = openSqliteStore(file);
    try {
      assert.equal(store.getMeta('schema_version'), String(SCHEMA_VERSION));
      await store.transaction((tx) => assert.deepEqual(tx.findBy(S, 'ec2:subnet', 'vpc', { key: 'vpc-1' }).map((h) => h.id), ['subnet-1']));
    } finally {
      store.close();
    }
  });

  test('rebuilds the idx table at open when the declared indexes changed', async () => {
    const file = freshFile();
    const first = openSqliteStore(file);
    await first.transaction((tx) => tx.put(S, 'ec2:subnet', 'subnet-1', { vpcId: 'vpc-1' }));
    first.close();
    const db = new Database(file);
    db.exec(`DELETE FROM idx; UPDATE meta SET value = 'older' WHERE key = '${INDEX_META}'`);
    db.close();
    const store = openSqliteStore(file);
    try {
      await store.transaction((tx) => assert.equal(tx.countBy(S, 'ec2:subnet', 'vpc', { key: 'vpc-1' }), 1));
    } finally {
      store.close();
    }
  });

  test('memory store inserts stay logarithmic: 200,000 rows in random order', async () => {
    const store = createMemoryStore();
    try {
      const t0 = performance.now();
      await store.transaction((tx) => {
        for (let i = 0; i < 200_000; i++) tx.put(S, 'k', ((i * 7919) % 200_003).toString(36), i);
      });
      // A sorted array with splice needs tens of seconds here; a B+ tree well under a few.
      assert.ok(performance.now() - t0 < 8000, `took ${performance.now() - t0} ms`);
      await store.transaction((tx) => assert.equal(tx.count(S, 'k'), 200_000));
    } finally {
      store.close();
    }
  });

  test('kill -9 keeps every acknowledged commit and no half transaction', async () => {
    const dir = mkdtempSync(join(root, 'crash-'));
    const file = join(dir, 'state.db');
    const script = join(dir, 'child.mts');
    // Four writers keep the mutex contended; each tx yields between its two puts so
    // the kill can land inside an open SQLite transaction.
    writeFileSync(script, `
      import { openSqliteStore } from ${JSON.stringify(new URL('./sqlite.ts', import.meta.url).href)};
      const store = openSqliteStore(process.argv[2]);
      const S = { account: '111111111111', region: 'us-east-1' };
      let next = 0;
      async function writer() {
        for (;;) {
          const i = next++;
          await store.transaction(async (tx) => {
            tx.put(S, 'pair', i + '/a', { i, pad: 'x'.repeat(i % 500) });
            await new Promise((r) => setImmediate(r));
            tx.put(S, 'pair', i + '/b', { i });
          });
          process.stdout.write(i + '\\n');
        }
      }
      for (let w = 0; w < 4; w++) writer();
    `);
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Set<number>();
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`child exited early: code ${code}, signal ${signal}`));
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acked.add(Number(line));
        // Stdout is read asynchronously, so the child is past this point when it dies.
        if (acked.size >= 300 && !child.killed) child.kill('SIGKILL');
      });
    });
    assert.ok(acked.size >= 300);
    const store = openSqliteStore(file);
    try {
      const rows = await store.transaction((tx) => tx.list<{ i: number }>(S, 'pair'));
      const halves = new Map<number, string[]>();
      for (const { id } of rows) {
        const [i, half] = id.split('/') as [string, string];
        halves.set(Number(i), [...(halves.get(Number(i)) ?? []), half]);
      }
      for (const i of acked) assert.deepEqual(halves.get(i)?.sort(), ['a', 'b'], `acknowledged tx ${i} lost`);
      for (const [i, h] of halves) assert.deepEqual(h.sort(), ['a', 'b'], `tx ${i} is half there`);
      assert.ok(halves.size >= acked.size);
    } finally {
      store.close();
    }
  });
});
