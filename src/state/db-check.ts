/**
 * Checks that make a state database from outside (an imported archive, a snapshot on disk)
 * safe to read: a SQLite file can carry a schema as well as data, and a VIEW or TRIGGER
 * runs whatever query it holds (an endless recursive CTE, say) when cloudlet reads the
 * table it stands in for. better-sqlite3 has no progress handler or interrupt, so instead of
 * bounding a query after it starts, only queries whose cost is bounded are ever run:
 *
 *  1. Before any query touches a table, sqlite_master is read (the schema only; views are
 *     parsed, never run) and the file is refused unless it holds nothing but the plain tables
 *     and indexes of a cloudlet layout: no views, triggers or virtual tables.
 *  2. The file is migrated (if older) by the migrations, which read plain tables only.
 *  3. The result must have exactly the structure a fresh cloudlet database has: the same
 *     tables (columns, types, keys, WITHOUT ROWID) and indexes, compared through PRAGMAs.
 *  4. Rows: every value JSON, every key text (one pass, linear in the rows).
 *
 * With `trusted_schema` off, nothing in the file's schema may call a function with side
 * effects either. What remains is linear in the file's size, which the client chose.
 */
import Database from 'better-sqlite3';
import { CURRENT_DDL } from '../store/schema.js';
import { StateError } from './errors.js';

/** Every table name a cloudlet layout (current or migratable) has had. */
const KNOWN_TABLES = new Set(['meta', 'resources', 'idx', 'settings', 'objects']);

interface MasterRow { type: string; name: string; tbl_name: string; sql: string | null }

const invalid = (label: string, msg: string): StateError => new StateError('InvalidArchive', `${label}: ${msg}`);

/** Opens an untrusted database file for checking and migrating: no schema-borne side effects. */
export function openUntrusted(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function master(db: Database.Database, label: string): MasterRow[] {
  try {
    return db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master').all() as MasterRow[];
  } catch (err) {
    throw invalid(label, `cannot read the schema (${(err as Error).message})`);
  }
}

/** Step 1: only plain tables and indexes with names a cloudlet layout uses. Reads the schema only. */
export function checkLayoutObjects(db: Database.Database, label: string): void {
  for (const o of master(db, label)) {
    const what = `${o.type} ${JSON.stringify(o.name)}`;
    if (o.type === 'view' || o.type === 'trigger') throw invalid(label, `the database contains a ${what}; a cloudlet state database has only tables and indexes`);
    if (o.type === 'table') {
      if (/^\s*create\s+virtual\b/i.test(o.sql ?? '')) throw invalid(label, `the database contains a virtual table ${JSON.stringify(o.name)}`);
      if (!KNOWN_TABLES.has(o.name)) throw invalid(label, `the database has a table ${JSON.stringify(o.name)} that no cloudlet layout has`);
    } else if (o.type === 'index') {
      if (!KNOWN_TABLES.has(o.tbl_name)) throw invalid(label, `the database has an ${what} on an unknown table`);
    } else {
      throw invalid(label, `the database contains a ${what}`);
    }
  }
}

/** A comparable description of every table and index: what the PRAGMAs say, not the SQL text. */
function structure(db: Database.Database): string[] {
  const out: string[] = [];
  const rows = (db.prepare(`SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name`).all() as MasterRow[]);
  const q = (sql: string, name: string): string => JSON.stringify(db.prepare(sql).raw().all(name));
  for (const o of rows) {
    if (o.type === 'table') {
      const list = q(`SELECT type, ncol, wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = ?`, o.name);
      out.push(`table ${o.name} ${list} ${q('SELECT * FROM pragma_table_xinfo(?)', o.name)} ${q('SELECT * FROM pragma_foreign_key_list(?)', o.name)}`);
      out.push(`indexes of ${o.name} ${q('SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name', o.name)}`);
    } else if (o.type === 'index') {
      out.push(`index ${o.name} on ${o.tbl_name} ${q('SELECT * FROM pragma_index_xinfo(?)', o.name)}`);
    } else {
      out.push(`${o.type} ${o.name}`);
    }
  }
  return out;
}

let expected: string[] | undefined;

/** The structure of a database created by this cloudlet (src/store/schema.ts), built once. */
function expectedStructure(): string[] {
  if (!expected) {
    const db = new Database(':memory:');
    try {
      db.exec(CURRENT_DDL);
      expected = structure(db);
    } finally {
      db.close();
    }
  }
  return expected;
}

/** Step 3: exactly the tables and indexes of the current layout. */
export function checkCurrentStructure(db: Database.Database, label: string): void {
  const want = expectedStructure();
  const have = structure(db);
  const extra = have.filter((s) => !want.includes(s));
  const missing = want.filter((s) => !have.includes(s));
  if (extra.length || missing.length) {
    const first = (extra[0] ?? missing[0]!).slice(0, 200);
    throw invalid(label, `the database's tables and indexes are not cloudlet's (${extra.length ? 'unexpected' : 'missing'}: ${first})`);
  }
}

/** Step 4: rows cloudlet can read back. One pass over the rows and the meta table. */
export function checkRows(db: Database.Database, label: string): void {
  const bad = db.prepare(`
    SELECT account, region, kind, id FROM resources
    WHERE typeof(account) != 'text' OR typeof(region) != 'text' OR typeof(kind) != 'text' OR typeof(id) != 'text'
       OR typeof(value) != 'text' OR NOT json_valid(value)
    LIMIT 1`).raw().get() as unknown[] | undefined;
  if (bad) throw invalid(label, `the row ${JSON.stringify(bad.map((v) => String(v).slice(0, 64)))} is not a stored resource (its keys must be text and its value JSON)`);
  const meta = db.prepare(`SELECT key FROM meta WHERE typeof(key) != 'text' OR typeof(value) != 'text' LIMIT 1`).pluck().get();
  if (meta !== undefined) throw invalid(label, `the meta entry ${JSON.stringify(String(meta).slice(0, 64))} is not text`);
}

/**
 * Blob ids the rows mention (any 32-hex run: services keep a blob's id verbatim in the row
 * that owns it; see collectBlobRefs in reset.ts). A blob no row mentions is unreachable.
 */
export function referencedBlobIds(db: Database.Database): Set<string> {
  const out = new Set<string>();
  const re = /(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g;
  for (const json of db.prepare('SELECT value FROM resources').pluck().iterate() as IterableIterator<string>) {
    if (json.length < 32) continue;
    for (const m of json.matchAll(re)) out.add(m[0]);
  }
  return out;
}
