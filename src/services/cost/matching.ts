/**
 * One clock hour of commitments applied to instance usage, in AWS's order (EC2 User Guide, "How
 * Reserved Instances are applied"; Savings Plans User Guide, "How Savings Plans apply to your
 * usage"):
 *   1. zonal Reserved Instances: the same type, Availability Zone, platform and tenancy;
 *   2. regional Reserved Instances: the same type, platform and tenancy in any zone of the
 *      Region; Linux/UNIX ones with default tenancy are size-flexible within the family, counted
 *      in normalization units: the exact size first, then the family's sizes from the smallest;
 *   3. EC2 Instance Savings Plans (their Region and family, any size, platform and tenancy), then
 *   4. Compute Savings Plans (any instance usage), each covering the usage with the highest
 *      savings percentage first, up to the plan's hourly commitment.
 * Usage arrives as instance hours per *class* (instances of one type, platform, tenancy, zone and
 * rate are interchangeable for billing); what covers a class is shared out over its instances by
 * the caller. Pure: no store, no clock.
 */
import { familyOf, normalizationFactor } from './normalization.js';

export interface UsageClass {
  region: string;
  type: string;
  platform: 'Linux/UNIX' | 'Windows';
  tenancy: string;
  zoneName: string;
  /** On-Demand USD per instance hour. */
  odRate: number;
}

export interface RiCommitment {
  kind: 'ri';
  id: string;
  region: string;
  type: string;
  platform: 'Linux/UNIX' | 'Windows';
  tenancy: string;
  /** Zonal reservations only. */
  zoneName?: string;
}

export interface SpCommitment {
  kind: 'sp';
  id: string;
  planType: 'Compute' | 'EC2Instance';
  /** EC2 Instance plans: their Region and family. */
  region?: string;
  family?: string;
  /** USD per instance hour of a class under this plan. */
  rate: (c: UsageClass) => number;
}

export type Commitment = RiCommitment | SpCommitment;

/** Size-flexible: regional, Linux/UNIX, default tenancy. */
export const isFlexible = (k: RiCommitment): boolean => !k.zoneName && k.platform === 'Linux/UNIX' && k.tenancy === 'default';

const tier = (k: Commitment): number =>
  k.kind === 'ri' ? (k.zoneName ? 0 : 1) : k.planType === 'EC2Instance' ? 2 : 3;

/** What covered what in one hour (or per hour of a run of identical hours). */
export interface HourMatch {
  /** Instance hours of class `c` covered by commitment `k`. */
  covers: Array<{ c: number; k: number; hours: number }>;
  /** Per commitment: RIs in their own type's instance hours, Savings Plans in USD. */
  used: Float64Array;
}

/**
 * The matching plan for a fixed set of classes and commitments: per commitment, the classes it
 * may cover in the order it covers them, and the commitments in the order they apply. Built once
 * per window; `match` then runs per hour.
 */
export interface Matcher {
  classes: readonly UsageClass[];
  commitments: readonly Commitment[];
  order: number[];
  eligible: number[][];
  /** Per (k, position in eligible[k]): usage units per instance hour (RIs: normalization factor ratio; SPs: USD). */
  cost: number[][];
}

export function matcher(classes: readonly UsageClass[], commitments: readonly Commitment[]): Matcher {
  const order = commitments.map((_, i) => i).sort((a, b) => tier(commitments[a]!) - tier(commitments[b]!) || a - b);
  const eligible: number[][] = [];
  const cost: number[][] = [];
  commitments.forEach((k, ki) => {
    const list: Array<{ c: number; sort: number; cost: number }> = [];
    classes.forEach((c, ci) => {
      if (k.kind === 'ri') {
        if (c.region !== k.region || c.platform !== k.platform || c.tenancy !== k.tenancy) return;
        if (k.zoneName) {
          if (c.type === k.type && c.zoneName === k.zoneName) list.push({ c: ci, sort: 0, cost: 1 });
        } else if (isFlexible(k)) {
          if (familyOf(c.type) !== familyOf(k.type)) return;
          const nf = normalizationFactor(c.type);
          list.push({ c: ci, sort: c.type === k.type ? -1 : nf, cost: nf / normalizationFactor(k.type) });
        } else if (c.type === k.type) list.push({ c: ci, sort: 0, cost: 1 });
      } else {
        if (k.planType === 'EC2Instance' && (c.region !== k.region || familyOf(c.type) !== k.family)) return;
        const rate = k.rate(c);
        // Highest savings percentage first: the lowest rate per On-Demand dollar.
        list.push({ c: ci, sort: c.odRate > 0 ? rate / c.odRate : 1, cost: rate });
      }
    });
    list.sort((a, b) => a.sort - b.sort || a.c - b.c);
    eligible[ki] = list.map((x) => x.c);
    cost[ki] = list.map((x) => x.cost);
  });
  return { classes, commitments, order, eligible, cost };
}

const EPS = 1e-12;

/**
 * Covers `usage` (instance hours per class in the hour) with `capacity` (per commitment: RIs'
 * instance count active in the hour, Savings Plans' USD commitment for the hour).
 */
export function match(m: Matcher, usage: ArrayLike<number>, capacity: ArrayLike<number>): HourMatch {
  const rem = Float64Array.from(usage);
  const used = new Float64Array(m.commitments.length);
  const covers: HourMatch['covers'] = [];
  for (const k of m.order) {
    let cap = capacity[k]!;
    if (cap <= EPS) continue;
    const list = m.eligible[k]!;
    const cost = m.cost[k]!;
    for (let i = 0; i < list.length && cap > EPS; i++) {
      const c = list[i]!;
      const r = rem[c]!;
      if (r <= EPS) continue;
      const per = cost[i]!;
      const hours = per > 0 ? Math.min(r, cap / per) : r;
      rem[c] = r - hours;
      cap -= hours * per;
      used[k] += hours * per;
      covers.push({ c, k, hours });
    }
  }
  return { covers, used };
}
