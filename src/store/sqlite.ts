import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { VERSION } from '../core/version.js';
import type { IndexHit, IndexKey, IndexQuery, ListOptions, MetaChange, RangeOptions, RawRow, Row, RowSelector, Scope, StateOps, Store, Tx } from './types.js';
import {
  Mutex, applyMetaChange, checkLimit, prefixEnd, runExclusive, runSerialised, toJson,
} from './memory.js';
import { boundsOf, boundsSql } from './range.js';
import { SCHEMA_VERSION, ensureIndexes, migrateDatabase, rebuildIndexes } from './schema.js';
import { SqliteIndexes } from './sqlite-index.js';
import { fsyncFileSync, rowMatches } from './state-ops.js';

export { SCHEMA_VERSION };

type Statement = Database.Statement<unknown[], unknown>;

/**
 * Durability: WAL + synchronous=FULL. With WAL, NORMAL already survives kill -9 (a
 * commit is in the WAL file, i.e. the OS page cache, before COMMIT returns); what it
 * loses is the last commits on power loss or an OS crash. FULL fsyncs the WAL on every
 * commit so an acknowledged write also survives those. We pay that fsync because S3
 * object bodies are fsynced by the blob store: with NORMAL, a power cut could keep a
 * body whose metadata row was lost, or acknowledge a PUT that then disappears. The
 * build defaults WAL databases to NORMAL, so FULL is set after switching to WAL.
 *
 * One connection per store, used only from this thread, and the file is assumed to be
 * owned by one process: busy_timeout only covers tools peeking at the file.
 */
export interface SqliteStoreOptions {
  /** Test hook: runs inside a schema migration's transaction, just before it commits. */
  beforeMigrationCommit?: () => void;
}

/**
 * Opening brings the file to the current schema (src/store/schema.ts): an older one is
 * copied to a backup and migrated in one transaction; a newer one is refused before
 * anything is written to it.
 */
export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Store {
  const memory = file === ':memory:' || file === '';
  if (!memory) {
    // State holds secrets: the directory 0700, the file 0600 (SQLite gives -wal/-shm the file's mode).
    mkdirSync(dirname(resolve(file)), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    migrateDatabase(db, {
      label: file, cloudletVersion: VERSION, file: memory ? undefined : file, beforeCommit: opts.beforeMigrationCommit,
    });
    ensureIndexes(db);
    if (!memory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`could not put ${file} in WAL mode (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    return new SqliteStore(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

const WHERE_KIND = 'account = ? AND region = ? AND kind = ?';

class SqliteStore implements Store {
  private readonly mutex = new Mutex();
  private closed = false;
  /**
   * setMeta/clear called while a transaction holds SQLite's transaction open run inside
   * it (one connection); they are replayed if it rolls back, so they never depend on it.
   */
  private replay: Array<() => void> = [];
  private readonly dynamic = new Map<string, Statement>();
  readonly idx: SqliteIndexes;
  readonly s: {
    begin: Statement; commit: Statement; rollback: Statement;
    get: Statement; put: Statement; del: Statement;
    getMeta: Statement; setMeta: Statement;
    firstScope: Statement; firstScopeOf: Statement; nextKind: Statement; nextRegion: Statement; nextAccount: Statement;
  };

  constructor(readonly db: Database.Database) {
    const p = (sql: string): Statement => db.prepare(sql);
    const order = 'ORDER BY account, region, kind LIMIT 1';
    this.idx = new SqliteIndexes(db);
    this.s = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      get: p(`SELECT value FROM resources WHERE ${WHERE_KIND} AND id = ?`).pluck(),
      put: p('INSERT OR REPLACE INTO resources (account, region, kind, id, value) VALUES (?, ?, ?, ?, ?)'),
      del: p(`DELETE FROM resources WHERE ${WHERE_KIND} AND id = ?`),
      getMeta: p('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: p('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      // One index probe per distinct scope instead of a scan over every row. Equalities and one
      // inequality each: SQLite seeks a row-value `(region, kind) > (?, ?)` on its first column
      // only and steps through the rest (230 ms over 700,000 rows of one Region, against 0.02 ms).
      firstScope: p(`SELECT account, region, kind FROM resources ${order}`),
      firstScopeOf: p(`SELECT account, region, kind FROM resources WHERE account = ? ${order}`),
      nextKind: p(`SELECT account, region, kind FROM resources WHERE account = ? AND region = ? AND kind > ? ${order}`),
      nextRegion: p(`SELECT account, region, kind FROM resources WHERE account = ? AND region > ? ${order}`),
      nextAccount: p(`SELECT account, region, kind FROM resources WHERE account > ? ${order}`),
    };
  }

  /** Statements whose WHERE clause depends on which bounds are present, built once each. */
  stmt(key: string, sql: () => string): Statement {
    let st = this.dynamic.get(key);
    if (!st) {
      st = this.db.prepare(sql());
      this.dynamic.set(key, st);
    }
    return st;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    return runSerialised(
      this.mutex,
      () => this.closed,
      () => new SqliteTx(this),
      (tx, ok) => this.end(tx, ok),
      fn,
    );
  }

  /**
   * BEGIN happens on the first write (SqliteTx.write): a read-only transaction then costs
   * no BEGIN/COMMIT, and isolation is already given by the mutex on our single connection.
   */
  private end(tx: SqliteTx, ok: boolean): void {
    tx.finished = true;
    const replay = this.replay;
    this.replay = [];
    if (this.closed) {
      if (ok && tx.wrote) throw new Error('store was closed before the transaction committed');
      return;
    }
    if (!this.db.inTransaction) return;
    if (!ok) return this.rollbackAndReplay(replay);
    try {
      this.s.commit.run();
    } catch (err) {
      this.rollbackAndReplay(replay);
      throw err;
    }
  }

  private rollbackAndReplay(replay: Array<() => void>): void {
    if (this.db.inTransaction) this.s.rollback.run();
    for (const op of replay) op();
  }

  private outside(op: () => void): void {
    if (this.closed) throw new Error('store is closed');
    op();
    if (this.db.inTransaction) this.replay.push(op);
  }

  getMeta(key: string): string | undefined {
    if (this.closed) throw new Error('store is closed');
    return this.s.getMeta.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.outside(() => void this.s.setMeta.run(key, value));
  }

  clear(filter: { account?: string; kindPrefix?: string } = {}): void {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.account !== undefined) { where.push('account = ?'); args.push(filter.account); }
    if (filter.kindPrefix) {
      where.push('kind >= ?');
      args.push(filter.kindPrefix);
      const end = prefixEnd(filter.kindPrefix);
      if (end !== undefined) { where.push('kind < ?'); args.push(end); }
    }
    const sql = `DELETE FROM resources${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    const st = this.stmt(`clear:${where.join()}`, () => sql);
    const stIdx = this.stmt(`clear-idx:${where.join()}`, () => sql.replace('resources', 'idx'));
    this.outside(() => { st.run(...args); stIdx.run(...args); });
  }

  exclusive<T>(fn: (ops: StateOps) => Promise<T> | T): Promise<T> {
    return runExclusive(this.mutex, () => this.closed, () => new SqliteStateOps(this), fn);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** The SQL-able part of a selector as a WHERE clause (without `WHERE`) and its arguments. */
function selectorSql(sel: RowSelector): { sql: string; args: string[] } {
  const where: string[] = [];
  const args: string[] = [];
  if (sel.account !== undefined) { where.push('account = ?'); args.push(sel.account); }
  if (sel.kind !== undefined) { where.push('kind = ?'); args.push(sel.kind); }
  if (sel.kindPrefix) {
    where.push('kind >= ?');
    args.push(sel.kindPrefix);
    const end = prefixEnd(sel.kindPrefix);
    if (end !== undefined) { where.push('kind < ?'); args.push(end); }
  }
  return { sql: where.length ? where.join(' AND ') : '1', args };
}

/**
 * State operations on the SQLite store: SQLite's online backup for dumps, and ATTACH plus
 * one transaction for replacing everything, so a kill -9 at any point leaves the old rows
 * or the new ones (SQLite's own atomic commit), and the connection and its prepared
 * statements stay as they are.
 */
class SqliteStateOps implements StateOps {
  finished = false;

  constructor(private readonly store: SqliteStore) {}

  private get db(): Database.Database {
    if (this.finished) throw new Error('state operations used outside Store.exclusive');
    if (this.store.isClosed) throw new Error('store is closed');
    return this.store.db;
  }

  async dump(file: string): Promise<void> {
    const db = this.db;
    if (existsSync(file)) throw new Error(`dump target ${file} already exists`);
    // The transaction lock is held, so no request transaction is open on this connection;
    // meta written meanwhile on the same connection is carried into the copy by SQLite.
    await db.backup(file);
    chmodSync(file, 0o600);
    const copy = new Database(file);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncFileSync(file);
  }

  replace(file: string, meta?: MetaChange): void {
    const db = this.db;
    db.prepare('ATTACH DATABASE ? AS incoming').run(file);
    try {
      const hasMeta = db.prepare(`SELECT 1 FROM incoming.sqlite_master WHERE type = 'table' AND name = 'meta'`).get() !== undefined;
      const v = hasMeta ? db.prepare(`SELECT value FROM incoming.meta WHERE key = 'schema_version'`).pluck().get() as string | undefined : undefined;
      if (Number(v) !== SCHEMA_VERSION) throw new Error(`${file} has schema version ${v ?? 'none'}; expected ${SCHEMA_VERSION} (migrate it first)`);
      db.transaction(() => {
        db.exec(`
          DELETE FROM main.resources;
          INSERT INTO main.resources (account, region, kind, id, value)
            SELECT account, region, kind, id, value FROM incoming.resources;
          DELETE FROM main.meta;
          INSERT INTO main.meta (key, value) SELECT key, value FROM incoming.meta;
        `);
        rebuildIndexes(db);
        this.applyMeta(db, meta);
      }).immediate();
    } finally {
      db.prepare('DETACH DATABASE incoming').run();
    }
  }

  deleteRows(selectors: RowSelector[], meta?: MetaChange): number {
    const db = this.db;
    const del = this.store.stmt('state:del', () => 'DELETE FROM resources WHERE account = ? AND region = ? AND kind = ? AND id = ?');
    return db.transaction(() => {
      let n = 0;
      for (const sel of selectors) {
        const { sql, args } = selectorSql(sel);
        if (!sel.where) {
          n += db.prepare(`DELETE FROM resources WHERE ${sql}`).run(...args).changes;
          db.prepare(`DELETE FROM idx WHERE ${sql}`).run(...args);
          continue;
        }
        const rows = db.prepare(`SELECT account, region, kind, id, value FROM resources WHERE ${sql}`).raw().all(...args) as string[][];
        for (const [account, region, kind, id, json] of rows) {
          if (rowMatches(sel, { account: account!, region: region!, kind: kind!, id: id!, json: json! })) {
            n += del.run(account, region, kind, id).changes;
            this.store.idx.delete({ account: account!, region: region! }, kind!, id!);
          }
        }
      }
      this.applyMeta(db, meta);
      return n;
    }).immediate();
  }

  /** fn must not use the store: the connection is busy iterating. */
  scan(fn: (row: RawRow) => void): void {
    const it = this.db.prepare('SELECT account, region, kind, id, value FROM resources').raw().iterate() as IterableIterator<string[]>;
    for (const [account, region, kind, id, json] of it) fn({ account: account!, region: region!, kind: kind!, id: id!, json: json! });
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM resources').pluck().get() as number;
  }

  private applyMeta(db: Database.Database, change: MetaChange | undefined): void {
    applyMetaChange(
      change,
      () => db.prepare('SELECT key FROM meta').pluck().all() as string[],
      (k) => db.prepare('DELETE FROM meta WHERE key = ?').run(k),
      (k, v) => this.store.s.setMeta.run(k, v),
    );
  }
}

class SqliteTx implements Tx {
  finished = false;
  wrote = false;

  constructor(private readonly store: SqliteStore) {}

  get<T = unknown>(scope: Scope, kind: string, id: string): T | undefined {
    this.check();
    const json = this.store.s.get.get(scope.account, scope.region, kind, id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  put(scope: Scope, kind: string, id: string, value: unknown): void {
    this.check();
    const json = toJson(value);
    this.write();
    this.store.s.put.run(scope.account, scope.region, kind, id, json);
    this.store.idx.put(scope, kind, id, value);
  }

  delete(scope: Scope, kind: string, id: string): boolean {
    this.check();
    this.write();
    this.store.idx.delete(scope, kind, id);
    return this.store.s.del.run(scope.account, scope.region, kind, id).changes > 0;
  }

  list<T = unknown>(scope: Scope, kind: string, opts: ListOptions = {}): Row<T>[] {
    this.check();
    checkLimit(opts.limit);
    const b = boundsOf(opts);
    if (b.empty) return [];
    const { sql, args } = boundsSql('id', b);
    const st = this.store.stmt(`list${sql}`, () =>
      `SELECT id, value FROM resources WHERE ${WHERE_KIND}${sql} ORDER BY id LIMIT ?`);
    const rows = st.raw().all(scope.account, scope.region, kind, ...args, opts.limit ?? -1) as Array<[string, string]>;
    return rows.map(([id, json]) => ({ id, value: JSON.parse(json) as T }));
  }

  count(scope: Scope, kind: string, opts: RangeOptions = {}): number {
    this.check();
    const b = boundsOf(opts);
    if (b.empty) return 0;
    const { sql, args } = boundsSql('id', b);
    const st = this.store.stmt(`count${sql}`, () => `SELECT count(*) FROM resources WHERE ${WHERE_KIND}${sql}`);
    return st.pluck().get(scope.account, scope.region, kind, ...args) as number;
  }

  findBy<T = unknown>(scope: Scope, kind: string, index: string, query: IndexQuery): IndexHit<T>[] {
    this.check();
    checkLimit(query.limit);
    return this.store.idx.find<T>(scope, kind, index, query);
  }

  countBy(scope: Scope, kind: string, index: string, query: IndexQuery): number {
    this.check();
    return this.store.idx.count(scope, kind, index, query);
  }

  keysBy(scope: Scope, kind: string, index: string, query: IndexQuery): IndexKey[] {
    this.check();
    checkLimit(query.limit);
    return this.store.idx.keys(scope, kind, index, query);
  }

  scopes(account?: string): Array<Scope & { kind: string }> {
    this.check();
    const { s } = this.store;
    const out: Array<Scope & { kind: string }> = [];
    type S = Scope & { kind: string };
    let row = (account === undefined ? s.firstScope.get() : s.firstScopeOf.get(account)) as S | undefined;
    while (row) {
      out.push({ account: row.account, region: row.region, kind: row.kind });
      row = (s.nextKind.get(row.account, row.region, row.kind) ?? s.nextRegion.get(row.account, row.region)
        ?? (account === undefined ? s.nextAccount.get(row.account) : undefined)) as S | undefined;
    }
    return out;
  }

  private write(): void {
    this.wrote = true;
    if (!this.store.db.inTransaction) this.store.s.begin.run();
  }

  private check(): void {
    if (this.finished) throw new Error('transaction already finished');
  }
}
