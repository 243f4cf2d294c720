import { existsSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { createRequire } from 'node:module';
import type DatabaseType from 'better-sqlite3';
import { CURRENT_DDL, SCHEMA_VERSION, readSchemaVersion, rebuildIndexes } from './schema.js';
import type { RawRow, RowSelector } from './types.js';

// The memory store needs SQLite only for dumps and loads: loaded then, so an ephemeral
// server starts without the native module.
let sqlite: typeof DatabaseType | undefined;
function openDb(file: string, opts?: DatabaseType.Options): DatabaseType.Database {
  sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof DatabaseType;
  return new sqlite(file, opts);
}

/** Whether a selector's SQL-able fields (account, kind, kindPrefix) match. */
export function keyMatches(sel: RowSelector, row: { account: string; kind: string }): boolean {
  if (sel.account !== undefined && row.account !== sel.account) return false;
  if (sel.kind !== undefined && row.kind !== sel.kind) return false;
  if (sel.kindPrefix !== undefined && !row.kind.startsWith(sel.kindPrefix)) return false;
  return true;
}

export function rowMatches(sel: RowSelector, row: RawRow): boolean {
  if (!keyMatches(sel, row)) return false;
  if (!sel.where) return true;
  let value: unknown;
  try {
    value = JSON.parse(row.json);
  } catch {
    return false;
  }
  return sel.where(value);
}

/** fsync a file by path (SQLite fsyncs its own writes; this covers files we close ourselves). */
export function fsyncFileSync(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes rows and meta to a new SQLite file of the current schema: the memory store's dump,
 * so that both stores share one portable format.
 */
export function writeDump(file: string, rows: Iterable<RawRow>, meta: Iterable<[string, string]>): void {
  if (existsSync(file)) throw new Error(`dump target ${file} already exists`);
  // Private like all state (0600); SQLite takes the empty file as an empty database.
  closeSync(openSync(file, 'wx', 0o600));
  const db = openDb(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    db.transaction(() => {
      db.exec(CURRENT_DDL);
      const put = db.prepare('INSERT INTO resources (account, region, kind, id, value) VALUES (?, ?, ?, ?, ?)');
      for (const r of rows) put.run(r.account, r.region, r.kind, r.id, r.json);
      const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      for (const [k, v] of meta) setMeta.run(k, v);
      setMeta.run('schema_version', String(SCHEMA_VERSION));
      rebuildIndexes(db);
    }).immediate();
  } finally {
    db.close();
  }
}

/** Reads a dump of the current schema whole (for the memory store, which holds state in memory anyway). */
export function readDump(file: string): { rows: RawRow[]; meta: Array<[string, string]> } {
  const db = openDb(file, { readonly: true, fileMustExist: true });
  try {
    const v = readSchemaVersion(db, file);
    if (v !== SCHEMA_VERSION) throw new Error(`${file} has schema version ${v ?? 'none'}; expected ${SCHEMA_VERSION} (migrate it first)`);
    const rows = (db.prepare('SELECT account, region, kind, id, value FROM resources').raw().all() as string[][])
      .map(([account, region, kind, id, json]) => ({ account: account!, region: region!, kind: kind!, id: id!, json: json! }));
    const meta = db.prepare('SELECT key, value FROM meta').raw().all() as Array<[string, string]>;
    return { rows, meta };
  } finally {
    db.close();
  }
}
