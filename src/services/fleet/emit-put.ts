/**
 * How the metrics step writes: one datapoint of one metric, through the CloudWatch metric store
 * (putDatapoints), and aggregates over several instances (an Auto Scaling group, an instance
 * type, an AMI) written as statistic sets, as CloudWatch keeps aggregated EC2 metrics.
 */
import type { Scope, Tx } from '../../store/types.js';
import { putDatapoints, type MetricId } from '../cloudwatch/metrics-store.js';

export type Dims = Array<{ Name: string; Value: string }>;

export function put1(tx: Tx, scope: Scope, namespace: string, name: string, dims: Dims, unit: string, atMs: number, value: number): void {
  putDatapoints(tx, scope, { namespace, name, dimensions: dims } satisfies MetricId, unit, [{ atMs, value }]);
}

/** Collects values per (metric, dimensions, timestamp) and writes each as one statistic set. */
export class Aggregates {
  private readonly m = new Map<string, { ns: string; name: string; dims: Dims; unit: string; atMs: number; n: number; s: number; lo: number; hi: number }>();

  add(ns: string, name: string, dims: Dims, unit: string, atMs: number, v: number): void {
    const k = `${ns}\u0000${name}\u0000${dims.map((d) => `${d.Name}=${d.Value}`).join('\u0001')}\u0000${atMs}`;
    const e = this.m.get(k);
    if (!e) { this.m.set(k, { ns, name, dims, unit, atMs, n: 1, s: v, lo: v, hi: v }); return; }
    e.n++; e.s += v; e.lo = Math.min(e.lo, v); e.hi = Math.max(e.hi, v);
  }

  flush(tx: Tx, scope: Scope): void {
    for (const e of this.m.values()) {
      putDatapoints(tx, scope, { namespace: e.ns, name: e.name, dimensions: e.dims }, e.unit,
        [{ atMs: e.atMs, stats: { SampleCount: e.n, Sum: e.s, Minimum: e.lo, Maximum: e.hi } }]);
    }
    this.m.clear();
  }
}
