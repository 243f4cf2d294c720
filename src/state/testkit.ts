/**
 * Helpers for tests of state operations: a fingerprint of a whole state (to check "exactly
 * the saved state", or "old or new, never a mix"), and a writer of the schema 0 layout.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { openDiskBlobStore } from '../store/blobs.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { BlobStore, RawRow, Store } from '../store/types.js';

export interface StateFingerprint {
  /** sha256 over everything below. */
  digest: string;
  rows: number;
  blobs: number;
  /** Rows as sorted JSON lines [account, region, kind, id, json]. */
  rowLines: string[];
  /** Blob id -> sha256 of its bytes. */
  blobHashes: Record<string, string>;
  meta: Record<string, string>;
}

/** Meta keys that are bookkeeping, not state. */
const VOLATILE_META = new Set(['state_commit']);

async function hashBlob(blobs: BlobStore, id: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of blobs.read(id) as AsyncIterable<Buffer>) h.update(chunk);
  return h.digest('hex');
}

function digestOf(rowLines: string[], blobHashes: Record<string, string>, meta: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify([rowLines, blobHashes, meta])).digest('hex');
}

/** Every row, the schema version and clock offset, and every blob's content, at one point in time. */
export async function fingerprint(store: Store, blobs: BlobStore, metaKeys = ['schema_version', 'clock_offset_ms']): Promise<StateFingerprint> {
  return store.exclusive(async (ops) => {
    const rowLines: string[] = [];
    ops.scan((r) => rowLines.push(JSON.stringify([r.account, r.region, r.kind, r.id, r.json])));
    rowLines.sort();
    const blobHashes: Record<string, string> = {};
    for (const id of blobs.ids().sort()) blobHashes[id] = await hashBlob(blobs, id);
    const meta: Record<string, string> = {};
    for (const k of metaKeys) {
      const v = store.getMeta(k);
      if (v !== undefined && !VOLATILE_META.has(k)) meta[k] = v;
    }
    if (meta.clock_offset_ms === undefined) meta.clock_offset_ms = '0';
    const digest = digestOf(rowLines, blobHashes, meta);
    return { digest, rows: rowLines.length, blobs: Object.keys(blobHashes).length, rowLines, blobHashes, meta };
  });
}

/**
 * Writes rows in the schema 0 layout (see src/store/schema.ts): scope 'ACCOUNT/REGION',
 * kinds 'svc.thing', settings with the clock in seconds. Row values are kept as they are.
 */
export function writeV0Database(file: string, rows: Iterable<Omit<RawRow, 'json'> & { json: string }>, clockOffsetMs = 0): number {
  const db = new Database(file);
  let n = 0;
  try {
    db.pragma('journal_mode = DELETE');
    db.exec(`
      CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE objects (
        scope TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (scope, kind, name)
      );
    `);
    db.transaction(() => {
      const put = db.prepare('INSERT INTO objects (scope, kind, name, body) VALUES (?, ?, ?, ?)');
      for (const r of rows) {
        const colon = r.kind.indexOf(':');
        const kind = colon < 0 ? r.kind : `${r.kind.slice(0, colon)}.${r.kind.slice(colon + 1)}`;
        put.run(`${r.account}/${r.region}`, kind, r.id, r.json);
        n++;
      }
      db.prepare(`INSERT INTO settings (name, value) VALUES ('format', '0'), ('clock_offset_s', ?)`).run(String(clockOffsetMs / 1000));
    })();
  } finally {
    db.close();
  }
  return n;
}

/** The fingerprint of a stopped server's data directory (opening it runs its recovery). */
export async function fingerprintDataDir(dir: string): Promise<StateFingerprint> {
  const store = openSqliteStore(join(dir, 'state.db'));
  const blobs = openDiskBlobStore(join(dir, 'blobs'));
  try {
    return await fingerprint(store, blobs);
  } finally {
    store.close();
    blobs.close();
  }
}

/**
 * The fingerprint of a saved snapshot, read from its files (DATA_DIR/snapshots/NAME):
 * equal to the fingerprint the live state had when it was saved. Undefined when there is no
 * complete snapshot of that name.
 */
export async function fingerprintSnapshot(dataDir: string, name: string): Promise<StateFingerprint | undefined> {
  const dir = join(dataDir, 'snapshots', name);
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { data: string };
  const data = join(dir, manifest.data);
  const db = new Database(join(data, 'state.db'), { readonly: true });
  const rowLines: string[] = [];
  const meta: Record<string, string> = {};
  try {
    for (const [account, region, kind, id, json] of db.prepare('SELECT account, region, kind, id, value FROM resources').raw().iterate() as IterableIterator<string[]>) {
      rowLines.push(JSON.stringify([account, region, kind, id, json]));
    }
    for (const k of ['schema_version', 'clock_offset_ms']) {
      const v = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(k) as string | undefined;
      if (v !== undefined) meta[k] = v;
    }
  } finally {
    db.close();
  }
  if (meta.clock_offset_ms === undefined) meta.clock_offset_ms = '0';
  rowLines.sort();
  const blobHashes: Record<string, string> = {};
  const ids: Array<[string, string]> = [];
  const blobsDir = join(data, 'blobs');
  if (existsSync(blobsDir)) {
    for (const fan of readdirSync(blobsDir)) for (const rest of readdirSync(join(blobsDir, fan))) ids.push([fan + rest, join(blobsDir, fan, rest)]);
  }
  ids.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [id, file] of ids) {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) h.update(chunk);
    blobHashes[id] = h.digest('hex');
  }
  return { digest: digestOf(rowLines, blobHashes, meta), rows: rowLines.length, blobs: ids.length, rowLines, blobHashes, meta };
}

/**
 * Writes `rows` rows and `blobs` blobs of `blobBytes` each, tagged, directly through a store and
 * blob store (for bulk states in tests and measurements). Row values reference the blobs.
 */
export async function populateBulk(
  store: Store, blobStore: BlobStore,
  opts: { tag: string; rows: number; blobs: number; blobBytes: number; account?: string },
): Promise<string[]> {
  const ids: string[] = [];
  const account = opts.account ?? '000000000000';
  for (let i = 0; i < opts.blobs; i++) {
    const seed = createHash('sha256').update(`${opts.tag}/${i}`).digest();
    const chunk = Buffer.alloc(Math.min(opts.blobBytes, 1024 * 1024));
    for (let j = 0; j < chunk.length; j += 32) seed.copy(chunk, j);
    let left = opts.blobBytes;
    const body = Readable.from((function* () {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        yield n === chunk.length ? chunk : chunk.subarray(0, n);
      }
    })());
    ids.push((await blobStore.write(body)).id);
  }
  const perTx = 500;
  for (let start = 0; start < opts.rows; start += perTx) {
    await store.transaction((tx) => {
      for (let i = start; i < Math.min(opts.rows, start + perTx); i++) {
        const blobId = ids.length ? ids[i % ids.length] : undefined;
        tx.put({ account, region: i % 2 ? 'us-east-1' : 'eu-west-1' }, `bulk:${opts.tag}`, `r${String(i).padStart(7, '0')}`, { tag: opts.tag, i, blobId });
      }
    });
  }
  return ids;
}
