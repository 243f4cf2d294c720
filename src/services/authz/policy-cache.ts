import { parsePolicy, type Policy, type PolicyKind } from '../../policy/index.js';
import type { KeyNeeds } from './context.js';

/** A parsed policy and what its text mentions that costs work to supply. */
export interface CachedPolicy {
  policy: Policy;
  needs: KeyNeeds;
}

interface Bucket {
  stamp: number;
  parses: Array<{ kind: PolicyKind; id: string; value: CachedPolicy | Error }>;
}

/**
 * Parsed policies by document text (and kind and reported id), least recently used first
 * out (approximately: hits refresh an entry only once it is in the older half). Keyed on the text itself, so an edited policy is a new entry and never stale. One per
 * server instance.
 */
export class PolicyCache {
  /** Document text -> its parses (one per kind and reported id; nearly always just one). */
  private readonly entries = new Map<string, Bucket>();
  private count = 0;
  /** Insertions so far: a bucket's `stamp` says how recently it was (re)inserted. */
  private clock = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 2000) {}

  /**
   * The parsed policy; throws the PolicyError of a malformed document (also cached). A
   * document without Version is read as 2008-10-17, as AWS reads one.
   */
  get(document: string, kind: PolicyKind, id: string): CachedPolicy {
    // Keyed on the document itself: no key string is built per lookup.
    let bucket = this.entries.get(document);
    let hit = bucket?.parses.find((e) => e.kind === kind && e.id === id)?.value;
    if (hit !== undefined) {
      this.hits++;
      // Refresh recency (Map iteration order is insertion order), but only for entries that
      // have drifted into the older half: moving every hit costs more than the lookup.
      if (this.clock - bucket!.stamp > this.capacity / 2) {
        this.entries.delete(document);
        bucket!.stamp = ++this.clock;
        this.entries.set(document, bucket!);
      }
    } else {
      this.misses++;
      try {
        const policy = parsePolicy(document, { kind, id });
        hit = { policy, needs: { principalTags: /aws:PrincipalTag\//i.test(document), resourceTags: /ResourceTag\//i.test(document) } };
      } catch (e) {
        hit = e as Error;
      }
      if (!bucket) {
        bucket = { stamp: ++this.clock, parses: [] };
        this.entries.set(document, bucket);
      }
      bucket.parses.push({ kind, id, value: hit });
      this.count++;
      while (this.count > this.capacity) {
        const [oldest, evicted] = this.entries.entries().next().value!;
        this.entries.delete(oldest);
        this.count -= evicted.parses.length;
      }
    }
    if (hit instanceof Error) throw hit;
    return hit;
  }

  /** How many parses are held. */
  get size(): number {
    return this.count;
  }
}
