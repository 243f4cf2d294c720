/**
 * What Cost Explorer's reservation and Savings Plans reports read: the costed usage
 * (forEachCostedUsage) over a period in DAILY or MONTHLY buckets, or one bucket for the whole
 * period when no Granularity is given, with filters over the dimensions each report accepts.
 * The reports use Expression like the other operations; dimensions a costed item does not name
 * itself (a plan's type, payment option, Region and family) come from the commitment.
 */
import type { CostedItem } from '../cost/commitments.js';
import type { RequestContext } from '../types.js';
import { amount } from './aggregate.js';
import { bucketsOf, checkEnum, GRANULARITIES, usagePeriod, validation, type Period } from './dates.js';
import { dimensionValue, tagValue, type TaggedItem } from './dimensions.js';
import { compileExpression, type Expression } from './expression.js';
import { accountUsage, activeTags, forEachTagged } from './tags.js';

export interface Buckets {
  granularity?: 'DAILY' | 'MONTHLY';
  period: Period;
  buckets: Array<[number, number]>;
}

/** TimePeriod and Granularity as the commitment reports take them: DAILY or MONTHLY, or none. */
export function commitmentPeriod(input: { TimePeriod?: { Start?: string; End?: string }; Granularity?: string }, ctx: RequestContext, op: string): Buckets {
  const g = input.Granularity;
  checkEnum(g, GRANULARITIES, 'granularity');
  if (g === 'HOURLY') throw validation(`The ${op} operation supports only DAILY and MONTHLY granularities.`);
  const granularity = g as Buckets['granularity'];
  const period = usagePeriod(input.TimePeriod, granularity ?? 'DAILY', ctx.clock.nowMs());
  return { granularity, period, buckets: granularity ? bucketsOf(period, granularity) : [[period.startMs, period.endMs]] };
}

/** Each costed item of the period with the index of its bucket. */
export function forEachInBuckets(ctx: RequestContext, b: Buckets, fn: (t: TaggedItem, bucket: number) => void): void {
  const starts = b.buckets.map(([s]) => s);
  const index = (ms: number): number => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid]! <= ms) lo = mid; else hi = mid - 1; }
    return lo;
  };
  const now = ctx.clock.nowMs();
  forEachTagged(accountUsage(ctx.tx, ctx.account, now), activeTags(ctx.tx, ctx.account), b.period, b.granularity ?? 'NONE', (t) => fn(t, index(t.item.startMs)));
}

export type Resolve = (t: TaggedItem, key: string) => string | undefined;
export type Predicate = (t: TaggedItem) => boolean;

/**
 * A report's Filter: validated as every Expression is (with this report's dimensions), matched
 * with `resolve` first for the dimensions the report knows better than the item does.
 */
export function commitmentFilter(e: Expression | undefined, dims: readonly string[], resolve: Resolve = () => undefined): Predicate {
  if (!e) return () => true;
  compileExpression(e, { dimensions: new Set(dims) });
  const build = (x: Expression): Predicate => {
    if (x.And) { const ps = x.And.map(build); return (t) => ps.every((p) => p(t)); }
    if (x.Or) { const ps = x.Or.map(build); return (t) => ps.some((p) => p(t)); }
    if (x.Not) { const p = build(x.Not); return (t) => !p(t); }
    const v = x.Dimensions ?? x.Tags ?? x.CostCategories!;
    const insensitive = (v.MatchOptions ?? []).includes('CASE_INSENSITIVE');
    const norm = (s: string) => (insensitive ? s.toLowerCase() : s);
    const values = new Set((v.Values ?? []).map(norm));
    const absent = (v.MatchOptions ?? []).includes('ABSENT');
    const valueOf: (t: TaggedItem) => string = x.Dimensions
      ? (t) => resolve(t, v.Key!) ?? dimensionValue(t, v.Key!)
      : x.Tags ? (t) => tagValue(t, v.Key!) : () => '';
    return (t) => { const got = valueOf(t); return absent ? got === '' : values.has(norm(got)); };
  };
  return build(e);
}

export const isInstanceUsage = (i: CostedItem): boolean =>
  'instance' in i.line && i.line.instance?.purchase === 'OnDemand' && i.line.accrual === 'hours'
  && (i.itemType === 'Usage' || i.itemType === 'DiscountedUsage' || i.itemType === 'SavingsPlanCoveredUsage');

/** A percentage as Cost Explorer writes it ("0" when there is nothing to divide). */
export const percent = (part: number, whole: number): string => (whole > 1e-12 ? amount((100 * part) / whole) : '0');

export const interval = (b: Buckets, i: number): { Start: string; End: string } => {
  const [s, e] = b.buckets[i]!;
  return { Start: new Date(s).toISOString().slice(0, 10), End: new Date(e).toISOString().slice(0, 10) };
};

/** SortBy over numeric fields: `fields` names what each key sorts by. */
export function sorter<T>(sortBy: { Key?: string; SortOrder?: string } | undefined, fields: Record<string, (x: T) => number | string>): ((a: T, b: T) => number) | undefined {
  if (!sortBy) return undefined;
  const f = fields[sortBy.Key ?? ''];
  if (!f) throw validation(`SortBy key ${sortBy.Key ?? ''} is not supported. Supported keys are ${Object.keys(fields).join(', ')}`);
  checkEnum(sortBy.SortOrder, ['ASCENDING', 'DESCENDING'], 'sortBy.sortOrder');
  const dir = sortBy.SortOrder === 'DESCENDING' ? -1 : 1;
  return (a, b) => { const x = f(a), y = f(b); return (x < y ? -1 : x > y ? 1 : 0) * dir; };
}
