import { createRequire } from 'node:module';
import { compareIds } from './order.js';
import { aboveLo, belowHi, type Bounds } from './range.js';
import { indexesOf, indexKeys, type IndexDef } from './schema.js';

// sorted-btree is CommonJS with `exports.default`. Required rather than imported: an ESM import
// of CommonJS first scans its source for export names, which cost start-up ~10 ms.
const BTree = (createRequire(import.meta.url)('sorted-btree') as typeof import('sorted-btree')).default;
export type Tree<K, V> = import('sorted-btree').default<K, V>;

export type Pair = [key: string, id: string];
export const comparePairs = (a: Pair, b: Pair): number => compareIds(a[0], b[0]) || compareIds(a[1], b[1]);

/** An empty tree of index entries in (key, id) order. */
export const pairTree = (): Tree<Pair, true> => new BTree<Pair, true>(undefined, comparePairs);

/** Walks a tree from the bounds' lower end while keys stay below the upper end. */
export function* walk<K, V>(tree: Tree<K, V>, b: Bounds, keyOf: (k: K) => string, start: K | undefined): Generator<[K, V]> {
  if (b.empty) return;
  for (const [k, v] of tree.entries(start)) {
    const s = keyOf(k);
    if (!aboveLo(s, b.lo)) continue;
    if (!belowHi(s, b.hi)) return;
    yield [k, v];
  }
}

/**
 * One kind in one scope: ids -> JSON text in a B+ tree (O(log n) insert, delete and seek),
 * plus the kind's declared secondary indexes as trees of (key, id).
 */
export class MemoryTable {
  private readonly rows: Tree<string, string> = new BTree<string, string>(undefined, compareIds);
  private readonly defs: readonly IndexDef[];
  private readonly indexes = new Map<string, Tree<Pair, true>>();

  constructor(readonly kind: string) {
    this.defs = indexesOf(kind) ?? [];
    for (const d of this.defs) this.indexes.set(d.name, pairTree());
  }

  get size(): number {
    return this.rows.size;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  json(id: string): string | undefined {
    return this.rows.get(id);
  }

  set(id: string, json: string): void {
    if (this.defs.length) {
      const old = this.rows.get(id);
      const before = old === undefined ? undefined : (JSON.parse(old) as unknown);
      const value = JSON.parse(json) as unknown;
      // Only the difference: a record with many keys (an ACL's associations) changes little per update.
      for (const d of this.defs) {
        const tree = this.indexes.get(d.name)!;
        const had = new Set(before === undefined ? [] : indexKeys(d, before));
        for (const k of indexKeys(d, value)) if (!had.delete(k)) tree.set([k, id], true);
        for (const k of had) tree.delete([k, id]);
      }
    }
    this.rows.set(id, json);
  }

  remove(id: string): boolean {
    const old = this.rows.get(id);
    if (old === undefined) return false;
    if (this.defs.length) this.unindex(id, old);
    this.rows.delete(id);
    return true;
  }

  private unindex(id: string, json: string): void {
    const value = JSON.parse(json) as unknown;
    for (const d of this.defs) for (const k of indexKeys(d, value)) this.indexes.get(d.name)!.delete([k, id]);
  }

  /** Ids within the bounds, in order. */
  *ids(b: Bounds): Generator<string> {
    for (const [id] of walk(this.rows, b, (k) => k, b.lo?.value)) yield id;
  }

  *entries(): Generator<[string, string]> {
    yield* this.rows.entries();
  }

  count(b: Bounds): number {
    if (!b.lo && !b.hi) return b.empty ? 0 : this.rows.size;
    let n = 0;
    for (const _ of this.ids(b)) n++;
    return n;
  }

  /** (key, id) pairs of one index with keys within the bounds, in order. */
  *find(index: string, b: Bounds): Generator<Pair> {
    const tree = this.indexes.get(index);
    if (!tree) return;
    const start: Pair | undefined = b.lo ? [b.lo.value, ''] : undefined;
    for (const [pair] of walk(tree, b, (p) => p[0], start)) yield pair;
  }
}
