/**
 * GetCostAndUsage's arithmetic, pure over tagged costed items: metrics summed per time bucket
 * and group, amounts written as AWS writes them (decimal strings, USD or the usage unit).
 */
import { monthStart } from '../cost/usage.js';
import { checkEnum, formatDate, validation, type CeGranularity } from './dates.js';
import { dimensionValue, GROUP_DIMENSIONS, isUsage, normalizedUsage, tagValue, type TaggedItem } from './dimensions.js';
import type { Predicate } from './expression.js';

/** The metric names GetCostAndUsage takes, by their canonical spelling. */
export const METRIC_NAMES = ['AmortizedCost', 'BlendedCost', 'NetAmortizedCost', 'NetUnblendedCost', 'NormalizedUsageAmount', 'UnblendedCost', 'UsageQuantity'] as const;
export type MetricName = typeof METRIC_NAMES[number];

const BY_FOLDED = new Map<string, MetricName>(METRIC_NAMES.map((m) => [m.toLowerCase(), m]));

/** AWS takes "UnblendedCost" and "UNBLENDED_COST" alike and answers under the name asked for. */
export function metricOf(name: string): MetricName {
  const m = BY_FOLDED.get(name.replace(/_/g, '').toLowerCase());
  if (!m) throw validation(`Invalid metric name: ${name}. Valid values are ${METRIC_NAMES.join(', ')}`);
  return m;
}

export interface MetricValue { Amount: string; Unit: string }
export interface GroupDefinition { Type?: string; Key?: string }

/** Decimal text as Cost Explorer writes it: up to 10 places, no trailing zeros, "0" for nothing. */
export function amount(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) < 5e-11) return '0';
  return n.toFixed(10).replace(/\.?0+$/, '');
}

/** Checks GroupBy as AWS does; `dims` are the DIMENSION keys this API groups by. */
export function checkGroupBy(groupBy: GroupDefinition[] | undefined, dims: readonly string[] = GROUP_DIMENSIONS): GroupDefinition[] {
  const defs = groupBy ?? [];
  if (defs.length > 2) throw validation('You can only group by up to two different groups.');
  defs.forEach((d, i) => checkEnum(d.Type, ['DIMENSION', 'TAG', 'COST_CATEGORY'], `groupBy.${i + 1}.member.type`));
  for (const d of defs) {
    if (!d.Type || !d.Key) throw validation('Group Definition is invalid. Both type an key need to be set to a non-empty value.');
    if (d.Type === 'DIMENSION' && !dims.includes(d.Key)) throw validation(`Group Definition dimension is invalid. Valid values are ${dims.join(', ')}`);
  }
  return defs;
}

/** A group's key as AWS writes it: the dimension value, "key$value" for a tag, "name$value" for a cost category. */
export function groupKeyOf(t: TaggedItem, d: GroupDefinition): string {
  if (d.Type === 'TAG') return `${d.Key}$${tagValue(t, d.Key!)}`;
  if (d.Type === 'COST_CATEGORY') return `${d.Key}$`;
  return dimensionValue(t, d.Key!);
}

interface Acc { unblended: number; amortized: number; blended: number; quantity: number; normalized: number; unit: string | null | undefined }
const newAcc = (): Acc => ({ unblended: 0, amortized: 0, blended: 0, quantity: 0, normalized: 0, unit: undefined });

function addTo(acc: Acc, t: TaggedItem): void {
  const i = t.item;
  acc.unblended += i.unblendedCost;
  acc.amortized += i.amortizedCost;
  acc.blended += i.blendedCost;
  if (isUsage(i)) {
    acc.quantity += i.quantity;
    acc.normalized += normalizedUsage(i);
    // One unit across the group's usage is reported as that unit; several make the sum "N/A".
    acc.unit = acc.unit === undefined ? i.line.unit : acc.unit === i.line.unit ? acc.unit : null;
  }
}

function metricValue(acc: Acc, m: MetricName): MetricValue {
  switch (m) {
    case 'UnblendedCost': case 'NetUnblendedCost': return { Amount: amount(acc.unblended), Unit: 'USD' };
    case 'AmortizedCost': case 'NetAmortizedCost': return { Amount: amount(acc.amortized), Unit: 'USD' };
    case 'BlendedCost': return { Amount: amount(acc.blended), Unit: 'USD' };
    case 'UsageQuantity': return { Amount: amount(acc.quantity), Unit: acc.unit ?? 'N/A' };
    case 'NormalizedUsageAmount': return { Amount: amount(acc.normalized), Unit: 'N/A' };
  }
}

export interface ResultByTime {
  TimePeriod: { Start: string; End: string };
  Total: Record<string, MetricValue>;
  Groups: Array<{ Keys: string[]; Metrics: Record<string, MetricValue> }>;
  Estimated: boolean;
}

export interface AggregateQuery {
  buckets: ReadonlyArray<readonly [number, number]>;
  granularity: CeGranularity;
  groupBy: GroupDefinition[];
  /** As the request named them (the answer's keys). */
  metrics: string[];
  filter: Predicate;
  nowMs: number;
}

/** Sums items into per-bucket totals or groups. Feed it with `add`, read `results()`. */
export class Aggregator {
  private readonly totals: Acc[];
  private readonly groups: Array<Map<string, { keys: string[]; acc: Acc }>>;
  private readonly starts: number[];
  private readonly canonical: MetricName[];

  constructor(private readonly q: AggregateQuery) {
    this.totals = q.buckets.map(newAcc);
    this.groups = q.buckets.map(() => new Map());
    this.starts = q.buckets.map(([s]) => s);
    this.canonical = q.metrics.map(metricOf);
  }

  /** The bucket holding `ms`, or -1 outside the period. */
  private bucketOf(ms: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || ms < this.starts[0]! || ms >= this.q.buckets[hi]![1]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= ms) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  add(t: TaggedItem): void {
    if (!this.q.filter(t)) return;
    const b = this.bucketOf(t.item.startMs);
    if (b < 0) return;
    if (this.q.groupBy.length === 0) { addTo(this.totals[b]!, t); return; }
    const keys = this.q.groupBy.map((d) => groupKeyOf(t, d));
    const id = keys.join('\u0000');
    const groups = this.groups[b]!;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys, acc: newAcc() }));
    addTo(g.acc, t);
  }

  private metricsOf(acc: Acc): Record<string, MetricValue> {
    const out: Record<string, MetricValue> = {};
    this.q.metrics.forEach((name, i) => { out[name] = metricValue(acc, this.canonical[i]!); });
    return out;
  }

  results(): ResultByTime[] {
    const current = monthStart(this.q.nowMs);
    const grouped = this.q.groupBy.length > 0;
    return this.q.buckets.map(([s, e], i) => ({
      TimePeriod: { Start: formatDate(s, this.q.granularity), End: formatDate(e, this.q.granularity) },
      Total: grouped ? {} : this.metricsOf(this.totals[i]!),
      Groups: grouped
        ? [...this.groups[i]!.values()].sort((a, b) => cmpKeys(a.keys, b.keys)).map((g) => ({ Keys: g.keys, Metrics: this.metricsOf(g.acc) }))
        : [],
      // The current month's bill is not final (nor any later one).
      Estimated: e > current,
    }));
  }
}

function cmpKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/**
 * One page of results: `limit` entries (a group, or a period's total), starting at entry
 * `offset`. A period split over pages appears on each with its share of the groups.
 */
export function pageOf(results: ResultByTime[], grouped: boolean, offset: number, limit: number): { page: ResultByTime[]; next?: number } {
  const page: ResultByTime[] = [];
  let index = 0;
  for (const r of results) {
    const size = grouped ? Math.max(1, r.Groups.length) : 1;
    if (index + size <= offset) { index += size; continue; }
    if (index >= offset + limit) return { page, next: index };
    const from = Math.max(0, offset - index);
    const to = Math.min(size, offset + limit - index);
    page.push(grouped ? { ...r, Groups: r.Groups.slice(from, to) } : r);
    index += size;
    if (to < size) return { page, next: offset + limit };
  }
  return { page };
}
