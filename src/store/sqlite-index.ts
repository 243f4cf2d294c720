import type Database from 'better-sqlite3';
import { boundsSql, queryBounds } from './range.js';
import { indexDef, indexesOf, indexKeys } from './schema.js';
import type { IndexHit, IndexKey, IndexQuery, Scope } from './types.js';

type Statement = Database.Statement<unknown[], unknown>;


/**
 * Keeps the idx table in step with resources, inside the writing transaction: only kinds
 * with declared indexes pay anything.
 */
export class SqliteIndexes {
  private readonly clearRow: Statement;
  private readonly insert: Statement;
  private readonly rowKeys: Statement;
  private readonly deleteOne: Statement;
  private readonly dynamic = new Map<string, Statement>();

  constructor(private readonly db: Database.Database) {
    this.clearRow = db.prepare('DELETE FROM idx WHERE account = ? AND region = ? AND kind = ? AND id = ?');
    this.insert = db.prepare('INSERT OR IGNORE INTO idx (account, region, kind, name, key, id) VALUES (?, ?, ?, ?, ?, ?)');
    this.rowKeys = db.prepare('SELECT name, key FROM idx WHERE account = ? AND region = ? AND kind = ? AND id = ?');
    this.deleteOne = db.prepare('DELETE FROM idx WHERE account = ? AND region = ? AND kind = ? AND name = ? AND key = ? AND id = ?');
  }

  /** Writes only the difference to the row's current entries: a record with many keys changes little per update. */
  put(scope: Scope, kind: string, id: string, value: unknown): void {
    const defs = indexesOf(kind);
    if (!defs) return;
    const have = new Set((this.rowKeys.raw().all(scope.account, scope.region, kind, id) as Array<[string, string]>).map(([n, k]) => `${n}\u0000${k}`));
    for (const d of defs) {
      for (const k of indexKeys(d, value)) {
        if (!have.delete(`${d.name}\u0000${k}`)) this.insert.run(scope.account, scope.region, kind, d.name, k, id);
      }
    }
    for (const gone of have) {
      const cut = gone.indexOf('\u0000');
      this.deleteOne.run(scope.account, scope.region, kind, gone.slice(0, cut), gone.slice(cut + 1), id);
    }
  }

  delete(scope: Scope, kind: string, id: string): void {
    if (indexesOf(kind)) this.clearRow.run(scope.account, scope.region, kind, id);
  }

  private stmt(key: string, sql: () => string): Statement {
    let st = this.dynamic.get(key);
    if (!st) { st = this.db.prepare(sql()); this.dynamic.set(key, st); }
    return st;
  }

  find<T>(scope: Scope, kind: string, index: string, q: IndexQuery): IndexHit<T>[] {
    indexDef(kind, index);
    const b = queryBounds(q);
    if (b.empty || q.limit === 0) return [];
    const { sql, args } = boundsSql('i.key', b);
    const st = this.stmt(`find${sql}`, () =>
      'SELECT i.key, i.id, r.value FROM idx i JOIN resources r ON r.account = i.account AND r.region = i.region ' +
      `AND r.kind = i.kind AND r.id = i.id WHERE i.account = ? AND i.region = ? AND i.kind = ? AND i.name = ?${sql} ` +
      'ORDER BY i.key, i.id LIMIT ?');
    const rows = st.raw().all(scope.account, scope.region, kind, index, ...args, q.limit ?? -1) as Array<[string, string, string]>;
    return rows.map(([key, id, json]) => ({ key, id, value: JSON.parse(json) as T }));
  }

  keys(scope: Scope, kind: string, index: string, q: IndexQuery): IndexKey[] {
    indexDef(kind, index);
    const b = queryBounds(q);
    if (b.empty || q.limit === 0) return [];
    const { sql, args } = boundsSql('key', b);
    const st = this.stmt(`keys${sql}`, () =>
      `SELECT key, id FROM idx WHERE account = ? AND region = ? AND kind = ? AND name = ?${sql} ORDER BY key, id LIMIT ?`);
    const rows = st.raw().all(scope.account, scope.region, kind, index, ...args, q.limit ?? -1) as Array<[string, string]>;
    return rows.map(([key, id]) => ({ key, id }));
  }

  count(scope: Scope, kind: string, index: string, q: IndexQuery): number {
    indexDef(kind, index);
    const b = queryBounds(q);
    if (b.empty) return 0;
    const { sql, args } = boundsSql('key', b);
    const st = this.stmt(`count${sql}`, () =>
      `SELECT count(*) FROM idx WHERE account = ? AND region = ? AND kind = ? AND name = ?${sql}`);
    return st.pluck().get(scope.account, scope.region, kind, index, ...args) as number;
  }
}
