/**
 * CPU credits of burstable instances (T2, T3, T3a, T4g), as the EC2 User Guide documents them
 * ("Key concepts for burstable performance instances", "CPU credits and baseline utilization",
 * "Standard mode concepts", "Unlimited mode concepts"):
 *
 * - One CPU credit is one vCPU at 100 % for one minute. A running instance earns credits at
 *   baseline% x vCPUs x 60 per hour (t3.micro: 10 % x 2 x 60 = 12 an hour) and spends
 *   CPU% x vCPUs per minute. Earned credits accrue up to 24 hours of earnings (t3.micro: 288);
 *   what is earned beyond that is discarded.
 * - T2 Standard gets 30 launch credits per vCPU at each launch or start, spent first, not
 *   counted against the maximum; T3/T3a/T4g get none. T2 loses its balance when it stops; T3,
 *   T3a and T4g keep it for seven days after a stop.
 * - Standard mode: with no credits left, CPU is held at the baseline.
 * - Unlimited mode (the default for T3, T3a, T4g; T2's default is standard): with no credits
 *   left the instance keeps its CPU and spends surplus credits (CPUSurplusCreditBalance), paid
 *   down by credits earned later. Surplus beyond 24 hours of earnings is charged
 *   (CPUSurplusCreditsCharged). Simplification: AWS charges that excess at the end of the hour;
 *   here it is charged in the 5-minute interval it arises, and what is outstanding is charged
 *   when the instance stops.
 *
 * Pure: no store access; emit-ec2.ts keeps the state per instance.
 */

/**
 * Baseline utilization per vCPU (%) and vCPUs per type: the EC2 User Guide's table "CPU credits
 * and baseline utilization for burstable performance instances"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-credits-baseline-concepts.html),
 * columns "vCPUs" and "Baseline utilization per vCPU". Credits earned per hour and the maximum
 * balance follow from them (baseline x vCPUs x 60, x 24).
 */
export const BURSTABLE: Readonly<Record<string, { vcpus: number; baseline: number }>> = {
  't2.nano': { vcpus: 1, baseline: 5 }, 't2.micro': { vcpus: 1, baseline: 10 }, 't2.small': { vcpus: 1, baseline: 20 },
  't2.medium': { vcpus: 2, baseline: 20 }, 't2.large': { vcpus: 2, baseline: 30 }, 't2.xlarge': { vcpus: 4, baseline: 22.5 },
  't2.2xlarge': { vcpus: 8, baseline: 17 },
  't3.nano': { vcpus: 2, baseline: 5 }, 't3.micro': { vcpus: 2, baseline: 10 }, 't3.small': { vcpus: 2, baseline: 20 },
  't3.medium': { vcpus: 2, baseline: 20 }, 't3.large': { vcpus: 2, baseline: 30 }, 't3.xlarge': { vcpus: 4, baseline: 40 },
  't3.2xlarge': { vcpus: 8, baseline: 40 },
  't3a.nano': { vcpus: 2, baseline: 5 }, 't3a.micro': { vcpus: 2, baseline: 10 }, 't3a.small': { vcpus: 2, baseline: 20 },
  't3a.medium': { vcpus: 2, baseline: 20 }, 't3a.large': { vcpus: 2, baseline: 30 }, 't3a.xlarge': { vcpus: 4, baseline: 40 },
  't3a.2xlarge': { vcpus: 8, baseline: 40 },
  't4g.nano': { vcpus: 2, baseline: 5 }, 't4g.micro': { vcpus: 2, baseline: 10 }, 't4g.small': { vcpus: 2, baseline: 20 },
  't4g.medium': { vcpus: 2, baseline: 20 }, 't4g.large': { vcpus: 2, baseline: 30 }, 't4g.xlarge': { vcpus: 4, baseline: 40 },
  't4g.2xlarge': { vcpus: 8, baseline: 40 },
};

/** Launch credits per vCPU for T2 Standard (Standard mode concepts: "Launch credits"). */
export const T2_LAUNCH_CREDITS_PER_VCPU = 30;
/** T3/T3a/T4g keep their balance this long after a stop. */
export const STOPPED_BALANCE_KEPT_MS = 7 * 86_400_000;

export type CreditMode = 'standard' | 'unlimited';

export interface CreditSpec {
  type: string;
  vcpus: number;
  /** Baseline utilization of the whole instance, % (per vCPU baseline: the same number). */
  baseline: number;
  earnedPerHour: number;
  maxBalance: number;
  launchCredits: number;
}

export function creditSpecOf(type: string): CreditSpec | undefined {
  const b = BURSTABLE[type];
  if (!b) return undefined;
  const earnedPerHour = Math.round(b.baseline * b.vcpus * 60) / 100;
  return {
    type, vcpus: b.vcpus, baseline: b.baseline, earnedPerHour, maxBalance: Math.round(earnedPerHour * 2400) / 100,
    launchCredits: type.startsWith('t2.') ? T2_LAUNCH_CREDITS_PER_VCPU * b.vcpus : 0,
  };
}

/** The mode AWS launches a type in when the request names none. */
export const defaultCreditMode = (type: string): CreditMode => (type.startsWith('t2.') ? 'standard' : 'unlimited');

/** One instance's credit state (stored in the metrics step's state row). */
export interface CreditState {
  /** Earned credits accrued (at most maxBalance). */
  earned: number;
  /** Launch credits left (T2 Standard). */
  launch: number;
  /** Surplus credits spent and not yet paid down (unlimited). */
  surplus: number;
}

export const initialCredits = (spec: CreditSpec, mode: CreditMode): CreditState =>
  ({ earned: 0, launch: mode === 'standard' ? spec.launchCredits : 0, surplus: 0 });

export interface CreditStep {
  /** The CPU the instance got (%): the demand, or less when standard mode ran out of credits. */
  cpu: number;
  /** Credits spent in the interval (CPUCreditUsage). */
  usage: number;
  /** Surplus credits charged in the interval (CPUSurplusCreditsCharged). */
  charged: number;
}

const EPS = 1e-9;

/**
 * Advances one instance's credits over `minutes` at a demanded CPU of `demand` % (mutating
 * `st`), returning the CPU it actually got and the credits spent. Earning and spending are
 * continuous; within the interval, a standard instance runs at the demand until its credits
 * are gone and at the baseline after.
 */
export function advanceCredits(st: CreditState, spec: CreditSpec, mode: CreditMode, demand: number, minutes: number): CreditStep {
  const d = Math.min(100, Math.max(0, demand));
  const earn = (spec.baseline / 100) * spec.vcpus * minutes;
  const want = (d / 100) * spec.vcpus * minutes;
  let charged = 0;
  if (want <= earn) {
    // Below the baseline: what is left of the earnings pays down surplus, then accrues.
    let gain = earn - want;
    const pay = Math.min(st.surplus, gain);
    st.surplus -= pay; gain -= pay;
    st.earned = Math.min(spec.maxBalance, st.earned + gain);
    return { cpu: d, usage: want, charged };
  }
  // Above the baseline: the excess comes from launch credits, then earned credits.
  let need = want - earn;
  const fromLaunch = Math.min(st.launch, need);
  st.launch -= fromLaunch; need -= fromLaunch;
  const fromEarned = Math.min(st.earned, need);
  st.earned -= fromEarned; need -= fromEarned;
  if (need <= EPS) return { cpu: d, usage: want, charged };
  if (mode === 'unlimited') {
    st.surplus += need;
    if (st.surplus > spec.maxBalance) { charged = st.surplus - spec.maxBalance; st.surplus = spec.maxBalance; }
    return { cpu: d, usage: want, charged };
  }
  // Standard: only what was there could be spent; the rest of the interval runs at the baseline.
  const usage = want - need;
  return { cpu: (usage / (spec.vcpus * minutes)) * 100, usage, charged };
}

/** CPUCreditBalance: earned plus launch credits. */
export const balanceOf = (st: CreditState): number => st.earned + st.launch;

/** What a stop does to the state: T2 loses everything; others keep it (seven days); outstanding surplus is charged. */
export function stopCredits(st: CreditState, type: string): { state: CreditState | undefined; charged: number } {
  const charged = st.surplus;
  if (type.startsWith('t2.')) return { state: undefined, charged };
  return { state: { earned: st.earned, launch: 0, surplus: 0 }, charged };
}
