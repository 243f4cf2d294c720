import type { Bounds } from './range.js';
import { comparePairs, pairTree, walk, type Pair, type Tree } from './memory-table.js';
import { indexKeys, type IndexDef } from './schema.js';

/** A transaction's writes of one kind: id -> JSON text, null for a delete. */
export type Writes = ReadonlyMap<string, string | null>;

/**
 * One secondary index over one transaction's own writes of one kind, as a sorted tree kept up
 * to date as the transaction writes. Why: a findBy inside a transaction that has written many
 * rows of the kind (RunInstances of 50 looks up each new instance's interfaces and each new
 * address's owner) used to re-read and sort every written row on every call, O(writes) per
 * lookup and O(writes^2) per launch; now a write only marks its id, the next lookup re-keys the
 * marked ids (parsing each once) and seeks the tree. Nothing is computed for kinds a
 * transaction never queries: the index is made on the first lookup.
 */
export class OwnIndex {
  private readonly tree: Tree<Pair, true> = pairTree();
  private readonly keysOf = new Map<string, string[]>();
  private readonly dirty = new Set<string>();

  /** `writes` is the map this index follows; a different map (the kind was cleared) needs a new index. */
  constructor(private readonly def: IndexDef, readonly writes: Writes) {
    for (const id of writes.keys()) this.dirty.add(id);
  }

  /** The id was written (or deleted) since the last lookup. */
  touch(id: string): void {
    this.dirty.add(id);
  }

  /** The (key, id) pairs of the writes with keys within `b`, in (key, id) order. */
  find(b: Bounds): Pair[] {
    this.refresh();
    const start: Pair | undefined = b.lo ? [b.lo.value, ''] : undefined;
    return [...walk(this.tree, b, (p) => p[0], start)].map(([pair]) => pair);
  }

  private refresh(): void {
    for (const id of this.dirty) {
      for (const k of this.keysOf.get(id) ?? []) this.tree.delete([k, id]);
      const json = this.writes.get(id);
      if (json === null || json === undefined) {
        this.keysOf.delete(id);
        continue;
      }
      const keys = indexKeys(this.def, JSON.parse(json));
      this.keysOf.set(id, keys);
      for (const k of keys) this.tree.set([k, id], true);
    }
    this.dirty.clear();
  }
}

/** Two (key, id)-sorted lists as one sorted list (committed pairs and a transaction's own). */
export function mergePairs(a: Pair[], b: Pair[]): Pair[] {
  if (!b.length) return a;
  if (!a.length) return b;
  const out: Pair[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    out.push(comparePairs(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
