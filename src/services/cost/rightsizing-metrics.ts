/**
 * An instance's utilization over a lookback, read from the CloudWatch metric store as AWS's
 * engines read CloudWatch: AWS/EC2 CPUUtilization by 5-minute period (the maximum point of each
 * period, as Compute Optimizer uses it, and the average), NetworkIn/Out and NetworkPacketsIn/Out
 * per second, and AWS/EBS Volume{Read,Write}{Ops,Bytes} of the attached volumes per second.
 * Lookbacks older than 63 days are read by the hour (CloudWatch keeps 5-minute data 63 days).
 */
import type { Scope, Tx } from '../../store/types.js';
import { aggregate, type MetricId } from '../cloudwatch/metrics-store.js';
import type { InstanceRecord } from '../ec2/compute/records.js';
import { percentile, type Rate, type Utilization } from './rightsizing.js';

const DAY = 86_400_000;

/** The period the store can answer for a window starting at fromMs. */
export const lookbackPeriodS = (fromMs: number, nowMs: number): number => (nowMs - fromMs > 63 * DAY ? 3600 : 300);

type Dims = MetricId['dimensions'];

function series(tx: Tx, scope: Scope, ns: string, name: string, dims: Dims, fromMs: number, toMs: number, periodS: number, nowMs: number) {
  return aggregate(tx, scope, { namespace: ns, name, dimensions: dims }, fromMs, toMs, periodS, { nowMs });
}

/** A counter metric (bytes, packets, ops per period) as per-second rates: the average over the periods with data and the busiest period. */
function rateOf(sums: Array<Map<number, { s: number }>>, periodS: number): Rate {
  const byPeriod = new Map<number, number>();
  for (const m of sums) for (const [at, a] of m) byPeriod.set(at, (byPeriod.get(at) ?? 0) + a.s);
  if (byPeriod.size === 0) return { avg: 0, max: 0 };
  let total = 0; let max = 0;
  for (const v of byPeriod.values()) { total += v; if (v > max) max = v; }
  return { avg: total / (byPeriod.size * periodS), max: max / periodS };
}

export interface CpuPoint { atMs: number; max: number; avg: number }

/** The CPU series of an instance by period: each period's maximum point and average. */
export function cpuSeries(tx: Tx, scope: Scope, instanceId: string, fromMs: number, toMs: number, periodS: number, nowMs: number): CpuPoint[] {
  const out: CpuPoint[] = [];
  for (const [atMs, a] of series(tx, scope, 'AWS/EC2', 'CPUUtilization', [{ Name: 'InstanceId', Value: instanceId }], fromMs, toMs, periodS, nowMs)) {
    if (a.n > 0) out.push({ atMs, max: a.hi, avg: a.s / a.n });
  }
  return out;
}

export function utilizationOf(tx: Tx, scope: Scope, i: Pick<InstanceRecord, 'id' | 'blockDevices'>, fromMs: number, toMs: number, nowMs: number): Utilization {
  const periodS = lookbackPeriodS(fromMs, nowMs);
  const cpu = cpuSeries(tx, scope, i.id, fromMs, toMs, periodS, nowMs);
  const maxima = cpu.map((p) => p.max);
  let sum = 0;
  for (const p of cpu) sum += p.avg;
  const id: Dims = [{ Name: 'InstanceId', Value: i.id }];
  const ec2 = (name: string): Rate => rateOf([series(tx, scope, 'AWS/EC2', name, id, fromMs, toMs, periodS, nowMs)], periodS);
  const volumes = i.blockDevices.map((b): Dims => [{ Name: 'VolumeId', Value: b.volumeId }]);
  const ebs = (name: string): Rate => rateOf(volumes.map((d) => series(tx, scope, 'AWS/EBS', name, d, fromMs, toMs, periodS, nowMs)), periodS);
  return {
    hours: (cpu.length * periodS) / 3600,
    maxCpu: maxima.reduce((m, x) => (x > m ? x : m), 0),
    avgCpu: cpu.length ? sum / cpu.length : 0,
    cpuPercentiles: { p90: percentile(maxima, 90), p95: percentile(maxima, 95), 'p99.5': percentile(maxima, 99.5) },
    network: { inBytes: ec2('NetworkIn'), outBytes: ec2('NetworkOut'), inPackets: ec2('NetworkPacketsIn'), outPackets: ec2('NetworkPacketsOut') },
    ebs: { readOps: ebs('VolumeReadOps'), writeOps: ebs('VolumeWriteOps'), readBytes: ebs('VolumeReadBytes'), writeBytes: ebs('VolumeWriteBytes') },
  };
}
