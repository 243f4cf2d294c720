/**
 * How the metrics step writes: datapoints collected per metric over a batch of minutes and
 * written with one putDatapoints call per metric (the CloudWatch metric store reads and writes
 * one row per metric per hour, so a batch costs a row write per metric-hour, not per minute);
 * aggregates over several instances (an Auto Scaling group, an instance type, an AMI) are
 * statistic sets, as CloudWatch keeps aggregated EC2 metrics.
 */
import type { Scope, Tx } from '../../store/types.js';
import { putDatapoints, type MetricId, type PointInput } from '../cloudwatch/metrics-store.js';

export type Dims = Array<{ Name: string; Value: string }>;

/** Dimension keys, remembered per dimension array (callers reuse one array per instance and batch). */
const dimKeys = new WeakMap<Dims, string>();
function dimsKey(dims: Dims): string {
  let k = dimKeys.get(dims);
  if (k === undefined) { k = dims.map((d) => `${d.Name}=${d.Value}`).join('\u0001'); dimKeys.set(dims, k); }
  return k;
}
const keyOf = (ns: string, name: string, dims: Dims): string => `${ns}\u0000${name}\u0000${dimsKey(dims)}`;

export class Writer {
  private readonly m = new Map<string, { id: MetricId; unit: string; points: PointInput[] }>();

  private entry(ns: string, name: string, dims: Dims, unit: string) {
    const k = keyOf(ns, name, dims);
    let e = this.m.get(k);
    if (!e) { e = { id: { namespace: ns, name, dimensions: dims }, unit, points: [] }; this.m.set(k, e); }
    return e;
  }

  add(ns: string, name: string, dims: Dims, unit: string, atMs: number, value: number): void {
    this.entry(ns, name, dims, unit).points.push({ atMs, value });
  }

  stats(ns: string, name: string, dims: Dims, unit: string, atMs: number, stats: NonNullable<PointInput['stats']>): void {
    this.entry(ns, name, dims, unit).points.push({ atMs, stats });
  }

  flush(tx: Tx, scope: Scope): void {
    for (const e of this.m.values()) putDatapoints(tx, scope, e.id, e.unit, e.points);
    this.m.clear();
  }
}

/** Collects values per (metric, dimensions, timestamp) and writes each as one statistic set. */
export class Aggregates {
  private readonly m = new Map<string, { ns: string; name: string; dims: Dims; unit: string; atMs: number; n: number; s: number; lo: number; hi: number }>();

  add(ns: string, name: string, dims: Dims, unit: string, atMs: number, v: number): void {
    const k = `${keyOf(ns, name, dims)}\u0000${atMs}`;
    const e = this.m.get(k);
    if (!e) { this.m.set(k, { ns, name, dims, unit, atMs, n: 1, s: v, lo: v, hi: v }); return; }
    e.n++; e.s += v; e.lo = Math.min(e.lo, v); e.hi = Math.max(e.hi, v);
  }

  flush(w: Writer): void {
    for (const e of this.m.values()) w.stats(e.ns, e.name, e.dims, e.unit, e.atMs, { SampleCount: e.n, Sum: e.s, Minimum: e.lo, Maximum: e.hi });
    this.m.clear();
  }
}
