import { SCHEMA_VERSION } from './schema.js';
import { keyMatches, readDump, rowMatches, writeDump } from './state-ops.js';
import { MemoryTable as Table } from './memory-table.js';
import { compareIds, prefixEnd } from './order.js';
import { boundsOf, inBounds, queryBounds } from './range.js';
import { indexDef, INDEX_META } from './schema.js';
import { mergePairs, OwnIndex } from './own-index.js';
import type { IndexHit, IndexKey, IndexQuery, ListOptions, RangeOptions, MetaChange, RawRow, Row, RowSelector, Scope, StateOps, Store, Tx } from './types.js';

export { compareIds, prefixEnd };

export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new RangeError(`list limit must be a non-negative integer, got ${limit}`);
  }
}

/** JSON text is the stored form in both stores, so values round-trip identically. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('store values must be JSON-serialisable (got undefined)');
  return text;
}

/**
 * FIFO lock handed from one holder to the next. tryAcquire lets an uncontended
 * transaction start synchronously, which keeps request latency free of extra ticks.
 */
export class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  tryAcquire(): boolean {
    if (this.locked) return false;
    this.locked = true;
    return true;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/**
 * Runs fn under the mutex: `begin` returns the per-transaction state, `end` commits
 * (ok=true) or rolls back. A commit failure rejects like a failure of fn.
 */
export function runSerialised<S, T>(
  mutex: Mutex,
  isClosed: () => boolean,
  begin: () => S & Tx,
  end: (state: S, ok: boolean) => void,
  fn: (tx: Tx) => Promise<T> | T,
): Promise<T> {
  const run = (): Promise<T> => {
    let state: (S & Tx) | undefined;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      try {
        if (state) end(state, ok);
      } finally {
        mutex.release();
      }
    };
    try {
      if (isClosed()) throw new Error('store is closed');
      state = begin();
      const result = fn(state);
      if (result !== null && typeof (result as PromiseLike<T>)?.then === 'function') {
        return Promise.resolve(result).then(
          (value) => { finish(true); return value; },
          (err: unknown) => { finish(false); throw err; },
        );
      }
      finish(true);
      return Promise.resolve(result as T);
    } catch (err) {
      try { finish(false); } catch { /* the original error matters more */ }
      return Promise.reject(err);
    }
  };
  return mutex.tryAcquire() ? run() : mutex.acquire().then(run);
}

/**
 * Runs fn under the mutex with no transaction open (Store.exclusive). `ops` stops working
 * once fn settles, so a leaked handle cannot touch state outside the lock.
 */
export async function runExclusive<O extends { finished: boolean }, T>(
  mutex: Mutex,
  isClosed: () => boolean,
  makeOps: () => O,
  fn: (ops: O) => Promise<T> | T,
): Promise<T> {
  await mutex.acquire();
  let ops: O | undefined;
  try {
    if (isClosed()) throw new Error('store is closed');
    ops = makeOps();
    return await fn(ops);
  } finally {
    if (ops) ops.finished = true;
    mutex.release();
  }
}

/** Applies a MetaChange to a key/value map-like target. */
export function applyMetaChange(
  change: MetaChange | undefined,
  keys: () => Iterable<string>,
  del: (key: string) => void,
  set: (key: string, value: string) => void,
): void {
  if (!change) return;
  if (change.clearAll) for (const k of [...keys()]) if (k !== 'schema_version' && k !== INDEX_META) del(k);
  for (const [k, v] of Object.entries(change.set ?? {})) set(k, v);
}

/** account -> region -> kind -> V, so no separator can make two scopes collide. */
type Nest<V> = Map<string, Map<string, Map<string, V>>>;

function nestGet<V>(nest: Nest<V>, s: Scope, kind: string, create: () => V): V;
function nestGet<V>(nest: Nest<V>, s: Scope, kind: string): V | undefined;
function nestGet<V>(nest: Nest<V>, s: Scope, kind: string, create?: () => V): V | undefined {
  let regions = nest.get(s.account);
  if (!regions) { if (!create) return undefined; regions = new Map(); nest.set(s.account, regions); }
  let kinds = regions.get(s.region);
  if (!kinds) { if (!create) return undefined; kinds = new Map(); regions.set(s.region, kinds); }
  let v = kinds.get(kind);
  if (v === undefined && create) { v = create(); kinds.set(kind, v); }
  return v;
}

function* nestEntries<V>(nest: Nest<V>, account?: string): Generator<[string, string, string, V]> {
  for (const [a, regions] of nest) {
    if (account !== undefined && a !== account) continue;
    for (const [r, kinds] of regions) for (const [k, v] of kinds) yield [a, r, k, v];
  }
}

function nestPrune<V>(nest: Nest<V>, s: Scope, kind: string): void {
  const regions = nest.get(s.account);
  const kinds = regions?.get(s.region);
  if (!regions || !kinds) return;
  kinds.delete(kind);
  if (kinds.size === 0) regions.delete(s.region);
  if (regions.size === 0) nest.delete(s.account);
}

const inPrefix = (id: string, prefix: string | undefined): boolean => !prefix || id.startsWith(prefix);

class MemoryStore implements Store {
  readonly data: Nest<Table> = new Map();
  readonly meta = new Map<string, string>([['schema_version', String(SCHEMA_VERSION)]]);
  private readonly mutex = new Mutex();
  /** Writes of the transaction in flight; null marks a delete. */
  private pending: Nest<Map<string, string | null>> | undefined;
  private closed = false;

  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    return runSerialised(
      this.mutex,
      () => this.closed,
      () => this.begin(),
      (tx, ok) => this.end(tx, ok),
      fn,
    );
  }

  getMeta(key: string): string | undefined {
    this.assertOpen();
    return this.meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.assertOpen();
    this.meta.set(key, value);
  }

  clear(filter: { account?: string; kindPrefix?: string } = {}): void {
    this.assertOpen();
    // Also drops matching writes of an in-flight transaction, as SQLite does when the
    // DELETE runs inside its open transaction: both stores behave the same.
    for (const nest of [this.data, this.pending] as Array<Nest<unknown> | undefined>) {
      if (!nest) continue;
      for (const [a, r, k] of [...nestEntries(nest, filter.account)]) {
        if (inPrefix(k, filter.kindPrefix)) nestPrune(nest, { account: a, region: r }, k);
      }
    }
  }

  exclusive<T>(fn: (ops: StateOps) => Promise<T> | T): Promise<T> {
    return runExclusive(this.mutex, () => this.closed, () => new MemoryStateOps(this), fn);
  }

  close(): void {
    this.closed = true;
    this.data.clear();
  }

  assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  private begin(): MemoryTx {
    const pending: Nest<Map<string, string | null>> = new Map();
    this.pending = pending;
    return new MemoryTx(this.data, pending);
  }

  private end(tx: MemoryTx, ok: boolean): void {
    const pending = this.pending;
    this.pending = undefined;
    tx.finished = true;
    if (!ok || !pending) return;
    if (this.closed) {
      if (pending.size > 0) throw new Error('store was closed before the transaction committed');
      return;
    }
    for (const [account, region, kind, writes] of nestEntries(pending)) {
      const scope = { account, region };
      const table = nestGet(this.data, scope, kind, () => new Table(kind));
      for (const [id, json] of writes) {
        if (json === null) table.remove(id);
        else table.set(id, json);
      }
      if (table.size === 0) nestPrune(this.data, scope, kind);
    }
  }
}

const kindKey = (scope: Scope, kind: string): string => `${scope.account}\u0000${scope.region}\u0000${kind}`;

class MemoryTx implements Tx {
  finished = false;
  /** Indexes over this transaction's own writes, by scope and kind, then index name (own-index.ts). */
  private readonly own = new Map<string, Map<string, OwnIndex>>();

  constructor(
    private readonly data: Nest<Table>,
    private readonly pending: Nest<Map<string, string | null>>,
  ) {}

  get<T = unknown>(scope: Scope, kind: string, id: string): T | undefined {
    const json = this.lookup(scope, kind, id);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  put(scope: Scope, kind: string, id: string, value: unknown): void {
    this.check();
    nestGet(this.pending, scope, kind, () => new Map()).set(id, toJson(value));
    this.touch(scope, kind, id);
  }

  delete(scope: Scope, kind: string, id: string): boolean {
    const existed = this.lookup(scope, kind, id) !== undefined;
    if (existed) nestGet(this.pending, scope, kind, () => new Map()).set(id, null);
    this.touch(scope, kind, id);
    return existed;
  }

  private touch(scope: Scope, kind: string, id: string): void {
    if (!this.own.size) return;
    const byName = this.own.get(kindKey(scope, kind));
    if (byName) for (const ix of byName.values()) ix.touch(id);
  }

  list<T = unknown>(scope: Scope, kind: string, opts: ListOptions = {}): Row<T>[] {
    this.check();
    checkLimit(opts.limit);
    const b = boundsOf(opts);
    const limit = opts.limit ?? Infinity;
    const out: Row<T>[] = [];
    if (limit === 0 || b.empty) return out;
    const writes = nestGet(this.pending, scope, kind);
    const mine = writes ? [...writes.keys()].filter((id) => inBounds(id, b)).sort(compareIds) : [];
    const committed = nestGet(this.data, scope, kind)?.ids(b) ?? [][Symbol.iterator]();
    let c = committed.next();
    let j = 0;
    // Two-way merge of committed ids and this transaction's writes, both already sorted.
    while (out.length < limit) {
      const cid = c.done ? undefined : c.value;
      const own = mine[j];
      if (cid === undefined && own === undefined) break;
      let id: string;
      if (own === undefined || (cid !== undefined && compareIds(cid, own) < 0)) {
        id = cid!;
        c = committed.next();
      } else {
        id = own;
        j++;
        if (cid === own) c = committed.next();
      }
      const json = this.lookup(scope, kind, id);
      if (json !== undefined) out.push({ id, value: JSON.parse(json) as T });
    }
    return out;
  }

  count(scope: Scope, kind: string, opts: RangeOptions = {}): number {
    this.check();
    const b = boundsOf(opts);
    const table = nestGet(this.data, scope, kind);
    let n = table?.count(b) ?? 0;
    for (const [id, json] of nestGet(this.pending, scope, kind) ?? []) {
      if (!inBounds(id, b)) continue;
      n += (json !== null ? 1 : 0) - (table?.has(id) ? 1 : 0);
    }
    return n;
  }

  findBy<T = unknown>(scope: Scope, kind: string, index: string, query: IndexQuery): IndexHit<T>[] {
    this.check();
    checkLimit(query.limit);
    const pairs = this.pairs(scope, kind, index, query);
    const out: IndexHit<T>[] = [];
    for (const [key, id] of pairs.slice(0, query.limit ?? pairs.length)) {
      out.push({ key, id, value: JSON.parse(this.lookup(scope, kind, id)!) as T });
    }
    return out;
  }

  countBy(scope: Scope, kind: string, index: string, query: IndexQuery): number {
    this.check();
    return this.pairs(scope, kind, index, query).length;
  }

  keysBy(scope: Scope, kind: string, index: string, query: IndexQuery): IndexKey[] {
    this.check();
    checkLimit(query.limit);
    const pairs = this.pairs(scope, kind, index, query);
    return pairs.slice(0, query.limit ?? pairs.length).map(([key, id]) => ({ key, id }));
  }

  /** Committed (key, id) pairs not overwritten by this transaction, plus its own writes' pairs. */
  private pairs(scope: Scope, kind: string, index: string, query: IndexQuery): Array<[string, string]> {
    const def = indexDef(kind, index);
    const b = queryBounds(query);
    if (b.empty) return [];
    const writes = nestGet(this.pending, scope, kind);
    const out: Array<[string, string]> = [];
    for (const [key, id] of nestGet(this.data, scope, kind)?.find(index, b) ?? []) {
      if (!writes?.has(id)) out.push([key, id]);
    }
    if (!writes?.size) return out;
    const k = kindKey(scope, kind);
    let byName = this.own.get(k);
    if (!byName) this.own.set(k, (byName = new Map()));
    let ix = byName.get(index);
    // A store clear() during the transaction drops its writes map: index the new one afresh.
    if (ix?.writes !== writes) byName.set(index, (ix = new OwnIndex(def, writes)));
    return mergePairs(out, ix.find(b));
  }

  scopes(account?: string): Array<Scope & { kind: string }> {
    this.check();
    const out: Array<Scope & { kind: string }> = [];
    const live = (table: Table | undefined, writes: Map<string, string | null> | undefined): number => {
      let n = table?.size ?? 0;
      for (const [id, json] of writes ?? []) n += (json !== null ? 1 : 0) - (table?.has(id) ? 1 : 0);
      return n;
    };
    for (const [a, r, k, table] of nestEntries(this.data, account)) {
      if (live(table, nestGet(this.pending, { account: a, region: r }, k)) > 0) out.push({ account: a, region: r, kind: k });
    }
    for (const [a, r, k, writes] of nestEntries(this.pending, account)) {
      const scope = { account: a, region: r };
      if (!nestGet(this.data, scope, k) && live(undefined, writes) > 0) out.push({ ...scope, kind: k });
    }
    return out.sort(
      (x, y) => compareIds(x.account, y.account) || compareIds(x.region, y.region) || compareIds(x.kind, y.kind),
    );
  }

  private lookup(scope: Scope, kind: string, id: string): string | undefined {
    this.check();
    const own = nestGet(this.pending, scope, kind)?.get(id);
    if (own !== undefined) return own ?? undefined;
    return nestGet(this.data, scope, kind)?.json(id);
  }

  private check(): void {
    if (this.finished) throw new Error('transaction already finished');
  }
}

/**
 * State operations on the memory store. Each is synchronous between its own awaits, so it
 * is atomic for everything else on the event loop; dumps go to SQLite files, the one
 * portable form of state shared with the SQLite store.
 */
class MemoryStateOps implements StateOps {
  finished = false;

  constructor(private readonly store: MemoryStore) {}

  private check(): void {
    if (this.finished) throw new Error('state operations used outside Store.exclusive');
    this.store.assertOpen();
  }

  private *rows(): Generator<RawRow> {
    for (const [account, region, kind, table] of nestEntries(this.store.data)) {
      for (const [id, json] of table.entries()) yield { account, region, kind, id, json };
    }
  }

  async dump(file: string): Promise<void> {
    this.check();
    writeDump(file, this.rows(), this.store.meta);
  }

  replace(file: string, meta?: MetaChange): void {
    this.check();
    const dump = readDump(file);
    const { data } = this.store;
    data.clear();
    for (const r of dump.rows) nestGet(data, r, r.kind, () => new Table(r.kind)).set(r.id, r.json);
    this.store.meta.clear();
    for (const [k, v] of dump.meta) this.store.meta.set(k, v);
    this.store.meta.set('schema_version', String(SCHEMA_VERSION));
    this.applyMeta(meta);
  }

  deleteRows(selectors: RowSelector[], meta?: MetaChange): number {
    this.check();
    let n = 0;
    for (const [account, region, kind, table] of [...nestEntries(this.store.data)]) {
      const candidates = selectors.filter((s) => keyMatches(s, { account, kind }));
      if (candidates.length === 0) continue;
      for (const [id, json] of [...table.entries()]) {
        const row = { account, region, kind, id, json };
        if (candidates.some((s) => rowMatches(s, row))) {
          table.remove(id);
          n++;
        }
      }
      if (table.size === 0) nestPrune(this.store.data, { account, region }, kind);
    }
    this.applyMeta(meta);
    return n;
  }

  scan(fn: (row: RawRow) => void): void {
    this.check();
    for (const row of this.rows()) fn(row);
  }

  count(): number {
    this.check();
    let n = 0;
    for (const [, , , table] of nestEntries(this.store.data)) n += table.size;
    return n;
  }

  private applyMeta(change: MetaChange | undefined): void {
    const { meta } = this.store;
    applyMetaChange(change, () => meta.keys(), (k) => meta.delete(k), (k, v) => meta.set(k, v));
  }
}

export function createMemoryStore(): Store {
  return new MemoryStore();
}
