/**
 * Cost allocation tags: which resource tag keys Cost Explorer may group and filter by.
 *
 * AWS's rule, which cloudlet follows: a user-defined tag key that appears on metered resources is
 * listed (Inactive) by ListCostAllocationTags; only once it is activated does Cost Explorer see
 * it, and then only for usage from the activation on (StartCostAllocationTagBackfill applies the
 * active tags to earlier months). Grouping by a tag that is not active puts everything under the
 * key with an empty value ("team$"), as AWS does for usage without the tag; filtering by one
 * matches only an empty value. Deactivating a tag hides it from all of Cost Explorer again.
 *
 * Rows: ce:cost-allocation-tag (global scope {account, ''}), id = the tag key.
 */
import type { Tx } from '../../store/types.js';
import { forEachCostedUsage, type CostedItem } from '../cost/commitments.js';
import { segmentsOf, type Granularity, type Window } from '../cost/usage.js';
import { monthsBefore, RETAINED_MONTHS } from './dates.js';
import type { TaggedItem } from './dimensions.js';

export const TAG_KIND = 'ce:cost-allocation-tag';

export interface AllocationTagRecord {
  key: string;
  status: 'Active' | 'Inactive';
  /** When the status last changed. */
  updatedMs: number;
  /** Active tags apply to usage from here on: the activation, or earlier after a backfill. */
  effectiveFromMs?: number;
}

export const tagType = (key: string): 'AWSGenerated' | 'UserDefined' => (key.startsWith('aws:') ? 'AWSGenerated' : 'UserDefined');

export const globalScope = (account: string) => ({ account, region: '' });

/** Active tag keys and the instant each applies from. */
export function activeTags(tx: Tx, account: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of tx.list<AllocationTagRecord>(globalScope(account), TAG_KIND)) {
    if (r.value.status === 'Active') out.set(r.value.key, r.value.effectiveFromMs ?? r.value.updatedMs);
  }
  return out;
}

export type UsageSource = (win: Window, g: Granularity, fn: (item: CostedItem) => void) => void;

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

function pick(tags: Record<string, string>, keys: readonly string[]): Readonly<Record<string, string>> {
  let out: Record<string, string> | undefined;
  for (const k of keys) {
    const v = tags[k];
    if (v !== undefined) (out ??= {})[k] = v;
  }
  return out ?? EMPTY;
}

/**
 * Costed usage with the tags in force for it. The window is cut where a tag starts to apply, so
 * every piece of usage carries exactly the tags active over all of it (usage is linear in time
 * between state changes, so the cut is exact, whatever the granularity).
 */
export function forEachTagged(source: UsageSource, active: ReadonlyMap<string, number>, win: Window, g: Granularity, fn: (t: TaggedItem) => void): void {
  const cuts = [...new Set([...active.values()].filter((ms) => ms > win.startMs && ms < win.endMs))].sort((a, b) => a - b);
  let from = win.startMs;
  for (const to of [...cuts, win.endMs]) {
    const keys = [...active].filter(([, at]) => at <= from).map(([k]) => k);
    source({ startMs: from, endMs: to }, g, (item) => fn({ item, tags: keys.length ? pick(item.line.tags, keys) : EMPTY }));
    from = to;
  }
}

/** The account's costed usage source (commitments applied), for forEachTagged. */
export const accountUsage = (tx: Tx, account: string, nowMs: number): UsageSource =>
  (win, g, fn) => forEachCostedUsage(tx, account, win, g, nowMs, fn);

/** Tag keys on the account's metered resources over the retained bill, and when each was last used. */
export function meteredTagKeys(tx: Tx, account: string, nowMs: number): Map<string, number> {
  const out = new Map<string, number>();
  const win = { startMs: monthsBefore(nowMs, RETAINED_MONTHS), endMs: nowMs };
  for (const { seg } of segmentsOf(tx, account, win, nowMs)) {
    const used = Math.min(nowMs, seg.endMs ?? nowMs);
    for (const k of Object.keys(seg.line.tags)) out.set(k, Math.max(out.get(k) ?? 0, used));
  }
  return out;
}
