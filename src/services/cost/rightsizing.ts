/**
 * Right-sizing analysis, shared by Cost Explorer's GetRightsizingRecommendation and Compute
 * Optimizer's GetEC2InstanceRecommendations. Pure: it sees an instance's type, a summary of its
 * CloudWatch utilization over the lookback (rightsizing-metrics.ts reads it) and the candidate
 * types with their rates (rightsizing-catalog.ts), and says what AWS's engines say:
 *
 *   insufficient  fewer than 30 hours of CPU data in the lookback (AWS needs 30 hours): no answer
 *   idle          maximum CPU at or below 1% (Cost Explorer's rule) and no traffic to speak of
 *                 (NetworkIn + NetworkOut averaging at most 1 KiB/s: what an instance serving no
 *                 requests exchanges): terminate, saving its whole monthly cost
 *   over          a cheaper type keeps the projected CPU under the headroom: modify to it
 *   under         the current type does not keep it under the headroom: a larger type that does
 *   optimized     neither
 *
 * Projection, as AWS describes it: the same work on a different number of vCPUs, i.e. projected
 * CPU = observed CPU x current vCPUs / target vCPUs (at most 100). "Fits under the headroom":
 * projected x (1 + headroom) <= 100; Compute Optimizer's default is the P99.5 of the 5-minute
 * maxima with 20% headroom, Cost Explorer looks at the maximum. A burstable target must also
 * keep the projected average at or under its baseline (it would run out of credits otherwise).
 * Memory is not measured (that needs the CloudWatch agent, as on AWS); so that a recommendation
 * never gives a workload less memory per vCPU than it has now, another family is a candidate
 * only with at least the current GiB per vCPU (a smaller size of the same family keeps it).
 * Savings are On-Demand rates times 730 hours a month.
 */

export const MONTH_HOURS = 730;
/** AWS needs at least 30 hours of metrics before it recommends. */
export const MIN_DATA_HOURS = 30;
export const IDLE_MAX_CPU = 1;
export const IDLE_NETWORK_BYTES_PER_S = 1024;

export interface TypeSpec {
  type: string;
  /** The family: the part before the dot (m5, c6i, t3). */
  family: string;
  vcpus: number;
  memoryMiB: number;
  arch: string;
  /** On-Demand USD per hour for the instance's platform in its region. */
  rate: number;
  /** Burstable types: baseline utilization of the whole instance (%). */
  baseline?: number;
  hypervisor?: string;
  networkPerformance?: string;
  /** 'EBS only' or the instance store, as the console words it. */
  storage: string;
  instanceStore: boolean;
  ena?: string;
  nvme?: string;
  virtualization: string[];
}

/** A summary of one instance's CloudWatch metrics over the lookback. */
export interface Utilization {
  /** Hours of CPUUtilization data (5-minute periods with data x 5 minutes). */
  hours: number;
  maxCpu: number;
  avgCpu: number;
  /** Percentiles of the 5-minute maxima, keyed 'p90' | 'p95' | 'p99.5'. */
  cpuPercentiles: Record<string, number>;
  /** Per second: averages over the lookback and the highest 5-minute average. */
  network: { inBytes: Rate; outBytes: Rate; inPackets: Rate; outPackets: Rate };
  ebs: { readOps: Rate; writeOps: Rate; readBytes: Rate; writeBytes: Rate };
}
export interface Rate { avg: number; max: number }

export type Finding = 'insufficient' | 'idle' | 'over' | 'under' | 'optimized';
export type PlatformDifference = 'Hypervisor' | 'NetworkInterface' | 'StorageInterface' | 'InstanceStoreAvailability' | 'VirtualizationType' | 'Architecture';

export interface AnalysisOptions {
  /** Which CPU statistic must fit: 'max' (Cost Explorer) or a percentile of the 5-minute maxima. */
  statistic: 'max' | 'p90' | 'p95' | 'p99.5';
  /** Percent of headroom kept above the projected statistic. */
  headroom: number;
  /** Candidates of other families too (Cost Explorer's CROSS_INSTANCE_FAMILY; Compute Optimizer always). */
  crossFamily: boolean;
  /** At most this many options, best first. */
  maxOptions: number;
}

export interface TargetOption {
  spec: TypeSpec;
  /** The statistic that had to fit, projected onto the target. */
  projectedCpu: number;
  projectedMaxCpu: number;
  projectedAvgCpu: number;
  monthlyCost: number;
  /** Current monthly cost minus the target's (negative for a larger type). */
  monthlySavings: number;
  savingsPercent: number;
  platformDifferences: PlatformDifference[];
  sameFamily: boolean;
}

export interface Analysis {
  finding: Finding;
  /** The statistic the fit was judged on, observed on the current type. */
  observedCpu: number;
  monthlyCost: number;
  /** Best first: for 'over' the greatest saving, for 'under' the cheapest larger type that fits. */
  options: TargetOption[];
}

export const familyOf = (type: string): string => type.slice(0, type.indexOf('.') < 0 ? type.length : type.indexOf('.'));

export const projectCpu = (cpu: number, fromVcpus: number, toVcpus: number): number =>
  Math.min(100, (cpu * fromVcpus) / Math.max(1, toVcpus));

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;

export const monthlyCostOf = (rate: number): number => round(rate * MONTH_HOURS, 6);

/** The statistic of a utilization summary that the options must fit. */
export function observedStatistic(u: Utilization, statistic: AnalysisOptions['statistic']): number {
  return statistic === 'max' ? u.maxCpu : (u.cpuPercentiles[statistic] ?? u.maxCpu);
}

export const fitsHeadroom = (cpu: number, headroom: number): boolean => cpu * (1 + headroom / 100) <= 100 + 1e-9;

/** What differs between two types that a move would notice (Compute Optimizer's and Cost Explorer's PlatformDifferences). */
export function platformDifferences(from: TypeSpec, to: TypeSpec): PlatformDifference[] {
  const out: PlatformDifference[] = [];
  if ((from.hypervisor ?? '') !== (to.hypervisor ?? '')) out.push('Hypervisor');
  if ((from.ena ?? 'unsupported') !== (to.ena ?? 'unsupported')) out.push('NetworkInterface');
  if ((from.nvme ?? 'unsupported') !== (to.nvme ?? 'unsupported')) out.push('StorageInterface');
  if (from.instanceStore && !to.instanceStore) out.push('InstanceStoreAvailability');
  if (!from.virtualization.some((v) => to.virtualization.includes(v))) out.push('VirtualizationType');
  if (from.arch !== to.arch) out.push('Architecture');
  return out;
}

export const isIdle = (u: Utilization): boolean =>
  u.maxCpu <= IDLE_MAX_CPU && u.network.inBytes.avg + u.network.outBytes.avg <= IDLE_NETWORK_BYTES_PER_S;

/** Whether a candidate may replace the current type at all (before utilization is considered). */
function eligible(cur: TypeSpec, cand: TypeSpec, crossFamily: boolean): boolean {
  if (cand.type === cur.type) return false;
  if (cand.family === cur.family) return true;
  if (!crossFamily) return false;
  return cand.memoryMiB / cand.vcpus >= cur.memoryMiB / cur.vcpus - 1e-9;
}

function option(cur: TypeSpec, cand: TypeSpec, u: Utilization, observed: number, curMonthly: number): TargetOption {
  const monthlyCost = monthlyCostOf(cand.rate);
  const monthlySavings = round(curMonthly - monthlyCost, 6);
  return {
    spec: cand,
    projectedCpu: projectCpu(observed, cur.vcpus, cand.vcpus),
    projectedMaxCpu: projectCpu(u.maxCpu, cur.vcpus, cand.vcpus),
    projectedAvgCpu: projectCpu(u.avgCpu, cur.vcpus, cand.vcpus),
    monthlyCost, monthlySavings,
    savingsPercent: curMonthly > 0 ? round((monthlySavings / curMonthly) * 100, 4) : 0,
    platformDifferences: platformDifferences(cur, cand),
    sameFamily: cand.family === cur.family,
  };
}

const fits = (o: TargetOption, headroom: number): boolean =>
  fitsHeadroom(o.projectedCpu, headroom) && (o.spec.baseline === undefined || o.projectedAvgCpu <= o.spec.baseline + 1e-9);

/** Best first among fitting options: the larger saving, then fewer platform differences, then the same family, then the name. */
function bySavings(a: TargetOption, b: TargetOption): number {
  return b.monthlySavings - a.monthlySavings || a.platformDifferences.length - b.platformDifferences.length
    || Number(b.sameFamily) - Number(a.sameFamily) || (a.spec.type < b.spec.type ? -1 : a.spec.type > b.spec.type ? 1 : 0);
}

export function analyze(cur: TypeSpec, u: Utilization, pool: readonly TypeSpec[], opts: AnalysisOptions): Analysis {
  const monthlyCost = monthlyCostOf(cur.rate);
  const observed = observedStatistic(u, opts.statistic);
  if (u.hours < MIN_DATA_HOURS) return { finding: 'insufficient', observedCpu: observed, monthlyCost, options: [] };
  const candidates = pool.filter((c) => eligible(cur, c, opts.crossFamily)).map((c) => option(cur, c, u, observed, monthlyCost));
  const cheaper = candidates.filter((o) => o.monthlySavings > 0 && fits(o, opts.headroom)).sort(bySavings).slice(0, opts.maxOptions);
  if (isIdle(u)) return { finding: 'idle', observedCpu: observed, monthlyCost, options: cheaper };
  if (!fitsHeadroom(observed, opts.headroom)) {
    // Under-provisioned: the cheapest larger types that fit (more vCPUs), nearest first.
    const larger = candidates.filter((o) => o.spec.vcpus > cur.vcpus && fits(o, opts.headroom))
      .sort((a, b) => b.monthlySavings - a.monthlySavings || a.platformDifferences.length - b.platformDifferences.length || Number(b.sameFamily) - Number(a.sameFamily) || (a.spec.type < b.spec.type ? -1 : 1))
      .slice(0, opts.maxOptions);
    return { finding: 'under', observedCpu: observed, monthlyCost, options: larger };
  }
  if (cheaper.length) return { finding: 'over', observedCpu: observed, monthlyCost, options: cheaper };
  return { finding: 'optimized', observedCpu: observed, monthlyCost, options: [] };
}

/** The nearest-rank percentile of values (q in 0..100). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
