import { SCHEMA_VERSION } from './schema.js';
import { keyMatches, readDump, rowMatches, writeDump } from './state-ops.js';
import type { ListOptions, MetaChange, RawRow, Row, RowSelector, Scope, StateOps, Store, Tx } from './types.js';

/**
 * Orders ids the way SQLite's BINARY collation orders UTF-8 text: by code point. JS `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters; both
 * stores must page identically, so the memory store cannot use `<`.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) must sort above U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string starting with `prefix`, in code point
 * order; undefined when there is none (empty prefix, or only U+10FFFF). A `prefix +
 * '\uffff'` bound would miss ids continuing with an astral character.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last === 0x10ffff) continue;
    cps.push(last === 0xd7ff ? 0xe000 : last + 1);
    return String.fromCodePoint(...cps);
  }
  return undefined;
}

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
  if (change.clearAll) for (const k of [...keys()]) if (k !== 'schema_version') del(k);
  for (const [k, v] of Object.entries(change.set ?? {})) set(k, v);
}

/** Sorted ids plus values: pages and prefix counts come from binary search, not a sort. */
class Table {
  readonly ids: string[] = [];
  readonly values = new Map<string, string>();

  /** Index of the first id >= key (or > key when strict). */
  lowerBound(key: string, strict = false): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareIds(this.ids[mid]!, key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(id: string, json: string): void {
    if (!this.values.has(id)) this.ids.splice(this.lowerBound(id), 0, id);
    this.values.set(id, json);
  }

  remove(id: string): boolean {
    if (!this.values.delete(id)) return false;
    this.ids.splice(this.lowerBound(id), 1);
    return true;
  }
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
      const table = nestGet(this.data, scope, kind, () => new Table());
      for (const [id, json] of writes) {
        if (json === null) table.remove(id);
        else table.set(id, json);
      }
      if (table.ids.length === 0) nestPrune(this.data, scope, kind);
    }
  }
}

class MemoryTx implements Tx {
  finished = false;

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
  }

  delete(scope: Scope, kind: string, id: string): boolean {
    const existed = this.lookup(scope, kind, id) !== undefined;
    if (existed) nestGet(this.pending, scope, kind, () => new Map()).set(id, null);
    return existed;
  }

  list<T = unknown>(scope: Scope, kind: string, opts: ListOptions = {}): Row<T>[] {
    this.check();
    checkLimit(opts.limit);
    const { prefix, after } = opts;
    const limit = opts.limit ?? Infinity;
    const out: Row<T>[] = [];
    if (limit === 0) return out;
    const accept = (id: string): boolean =>
      inPrefix(id, prefix) && (after === undefined || compareIds(id, after) > 0);
    const writes = nestGet(this.pending, scope, kind);
    const mine = writes ? [...writes.keys()].filter(accept).sort(compareIds) : [];
    const table = nestGet(this.data, scope, kind);
    const ids = table?.ids ?? [];
    let i = 0;
    if (table) {
      const fromAfter = after === undefined ? 0 : table.lowerBound(after, true);
      const fromPrefix = prefix ? table.lowerBound(prefix) : 0;
      i = Math.max(fromAfter, fromPrefix);
    }
    let j = 0;
    // Two-way merge of committed ids and this transaction's writes, both already sorted.
    while (out.length < limit) {
      const committed = i < ids.length && inPrefix(ids[i]!, prefix) ? ids[i]! : undefined;
      const own = mine[j];
      if (committed === undefined && own === undefined) break;
      let id: string;
      if (own === undefined || (committed !== undefined && compareIds(committed, own) < 0)) {
        id = committed!;
        i++;
      } else {
        id = own;
        j++;
        if (committed === own) i++;
      }
      const json = this.lookup(scope, kind, id);
      if (json !== undefined) out.push({ id, value: JSON.parse(json) as T });
    }
    return out;
  }

  count(scope: Scope, kind: string, opts: { prefix?: string } = {}): number {
    this.check();
    const { prefix } = opts;
    const table = nestGet(this.data, scope, kind);
    let n = 0;
    if (table) {
      const end = prefix ? prefixEnd(prefix) : undefined;
      const from = prefix ? table.lowerBound(prefix) : 0;
      const to = end === undefined ? table.ids.length : table.lowerBound(end);
      n = to - from;
    }
    for (const [id, json] of nestGet(this.pending, scope, kind) ?? []) {
      if (!inPrefix(id, prefix)) continue;
      const before = table?.values.has(id) ?? false;
      n += (json !== null ? 1 : 0) - (before ? 1 : 0);
    }
    return n;
  }

  scopes(account?: string): Array<Scope & { kind: string }> {
    this.check();
    const out: Array<Scope & { kind: string }> = [];
    const live = (table: Table | undefined, writes: Map<string, string | null> | undefined): number => {
      let n = table?.ids.length ?? 0;
      for (const [id, json] of writes ?? []) n += (json !== null ? 1 : 0) - (table?.values.has(id) ? 1 : 0);
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
    return nestGet(this.data, scope, kind)?.values.get(id);
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
      for (const id of table.ids) yield { account, region, kind, id, json: table.values.get(id)! };
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
    for (const r of dump.rows) nestGet(data, r, r.kind, () => new Table()).set(r.id, r.json);
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
      for (const id of [...table.ids]) {
        const row = { account, region, kind, id, json: table.values.get(id)! };
        if (candidates.some((s) => rowMatches(s, row))) {
          table.remove(id);
          n++;
        }
      }
      if (table.ids.length === 0) nestPrune(this.store.data, { account, region }, kind);
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
    for (const [, , , table] of nestEntries(this.store.data)) n += table.ids.length;
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
