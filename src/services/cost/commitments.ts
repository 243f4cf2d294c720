/**
 * Commitments applied to usage: Reserved Instances, then Savings Plans, in AWS's order. Every
 * view of cost that knows commitments (Cost Explorer's AmortizedCost, BlendedCost,
 * NetUnblendedCost, coverage and utilization, budgets, billing's EstimatedCharges) reads usage
 * through `forEachCostedUsage`.
 *
 * Only On-Demand instance hours can be covered; every other item passes through untouched. The
 * matching is per clock hour (matching.ts), but hours are not walked one by one: between two
 * changes (an instance starting or stopping, a commitment starting or ending) every hour is
 * matched alike, so each run of identical hours is matched once, and an hour holding a change
 * mid-hour is matched alone with each instance's share of it. What covers a class of
 * interchangeable instances is kept as a step function of the covered share over time, so each
 * instance's covered hours in any bucket are a difference of two integrals.
 *
 * How the views read (AWS's Cost and Usage Report):
 *   DiscountedUsage          covered by an RI: unblended 0, amortized the RI's effective rate
 *   RIFee                    the recurring fee of every reserved hour, used or not; amortized:
 *                            the effective cost of the hours left unused
 *   Fee                      an RI's upfront payment when it starts; amortized 0
 *   SavingsPlanCoveredUsage  unblended at On-Demand, amortized at the plan's rate
 *   SavingsPlanNegation      minus the On-Demand cost of covered usage (unblended only)
 *   SavingsPlanRecurringFee  the recurring commitment of every hour; amortized: the unused commitment
 *   SavingsPlanUpfrontFee    a plan's upfront payment when it starts; amortized 0
 * One account has no blending: BlendedCost equals UnblendedCost.
 */
import type { Tx } from '../../store/types.js';
import { heldCommitments, type Held } from './commitment-sources.js';
import { match, matcher, type UsageClass } from './matching.js';
import { normalizationFactor } from './normalization.js';
import type { Line, UsageItem } from './types.js';
import { bucketOf, forEachUsage, segmentsOf, type Granularity, type Window } from './usage.js';
import { creditsEndMs, freePlanEndMs, planOf, type PlanRecord } from './account-plan.js';
import { creditLedger, emitCredits, hourlyKey } from './credits.js';

/** What a commitment provided in an item's period (on its RIFee / SavingsPlanRecurringFee items). */
export interface CommitmentUse {
  /** RIs: reserved instance hours; Savings Plans: USD of commitment. */
  total: number;
  /** Of which used (RIs: in hours of the reserved type, so a size-flexible RI's smaller instances count by size). */
  used: number;
  /** RIs: the same in normalized units. */
  totalUnits?: number;
  usedUnits?: number;
  amortizedUpfront: number;
  amortizedRecurring: number;
  /** What the usage it covered would have cost On-Demand. */
  onDemandCost: number;
}

export interface CostedItem extends UsageItem {
  /** What the bill charges for this usage (0 for usage an RI or Savings Plan covers; fees are items of their own). */
  unblendedCost: number;
  /** Upfront and recurring commitment fees spread over the usage they covered (and unused commitment as its own item). */
  amortizedCost: number;
  /** The family-wide average rate (one account: equal to unblended). */
  blendedCost: number;
  /** What covered it, when something did (fee items name their own commitment). */
  coveredBy?: { type: 'ReservedInstances' | 'SavingsPlan'; id: string; arn?: string; planType?: 'Compute' | 'EC2Instance' };
  /** 'Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation', 'RIFee', 'Fee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'. */
  itemType: string;
  /** Fee items: what the commitment provided and what of it was used in the item's period. */
  commitment?: CommitmentUse;
}
// `cost` (UsageItem's On-Demand cost) is the On-Demand equivalent on usage items and 0 on fees
// and negations: summing it over a view gives what the usage would cost without commitments.

const HOUR = 3_600_000;
const TINY = 1e-9;

// Fields listed, not spread: a million items a year at DAILY, and spread objects cost several times more.
const plain = (u: UsageItem): CostedItem => ({
  // An Always Free allowance waives a charge, as a commitment would: `cost` keeps the list price.
  account: u.account, startMs: u.startMs, endMs: u.endMs, line: u.line, quantity: u.quantity, hours: u.hours, cost: u.freeCost ? u.cost + u.freeCost : u.cost,
  unblendedCost: u.cost, amortizedCost: u.cost, blendedCost: u.cost, itemType: 'Usage',
});

/** On-Demand instance hours: what RIs and Savings Plans can cover. */
const isCoverable = (line: UsageItem['line']): line is Line =>
  'instance' in line && line.instance?.purchase === 'OnDemand' && line.accrual === 'hours';

/**
 * Usage with commitments applied, and a new account's Free Tier credits (credits.ts) as items of
 * record type Credit. With no commitment every cost equals the On-Demand one.
 */
export function forEachCostedUsage(tx: Tx, account: string, win: Window, g: Granularity, nowMs: number, fn: (item: CostedItem) => void, region?: string): void {
  const plan = planOf(tx, account);
  if (!plan?.credits.length) return costedUsage(tx, account, win, g, nowMs, fn, region);
  const hourly = g === 'HOURLY' ? new Map<string, CostedItem[]>() : undefined;
  costedUsage(tx, account, win, g, nowMs, hourly ? (i) => {
    fn(i);
    const k = hourlyKey(i);
    const list = hourly.get(k);
    if (list) list.push(i); else hourly.set(k, [i]);
  } : fn, region);
  const until = Math.min(win.endMs, nowMs);
  if (until <= win.startMs) return;
  const ledger = creditLedger(plan, until, (w, f) => costedUsage(tx, account, w, 'DAILY', nowMs, f));
  emitCredits(account, ledger, win, g, fn, hourly, region);
}

export interface CreditsState { granted: number; used: number; remaining: number; endMs: number; expired: boolean }

/**
 * A signed-up account's credits at nowMs: granted, used by the bill, what is left (to the cent:
 * a credit used up to a rounding error is used up) until they end, and whether a Free plan has
 * expired (its six months passed or its credits ran out).
 */
export function creditsState(tx: Tx, account: string, plan: PlanRecord, nowMs: number): CreditsState {
  const l = creditLedger(plan, nowMs, (w, f) => costedUsage(tx, account, w, 'DAILY', nowMs, f));
  const endMs = creditsEndMs(plan);
  const remaining = nowMs >= endMs ? 0 : Math.max(0, Math.round((l.granted - l.used) * 100) / 100);
  const expired = plan.type === 'FREE' && (nowMs >= freePlanEndMs(plan) || remaining <= 0);
  return { granted: l.granted, used: l.used, remaining, endMs, expired };
}

function costedUsage(tx: Tx, account: string, win: Window, g: Granularity, nowMs: number, fn: (item: CostedItem) => void, region?: string): void {
  const until = Math.min(win.endMs, nowMs);
  const held = until > win.startMs ? heldCommitments(tx, account, win.startMs, until) : [];
  if (!held.length) {
    forEachUsage(tx, account, win, g, nowMs, (u) => fn(plain(u)), region);
    return;
  }
  forEachUsage(tx, account, win, g, nowMs, (u) => { if (!isCoverable(u.line)) fn(plain(u)); }, region);
  // A Compute Savings Plan covers any Region, so with plans every Region's usage is matched.
  const plans = held.some((h) => h.k.kind === 'sp');
  const scoped = region && !plans ? held.filter((h) => h.feeLine.region === region) : held;
  applyCommitments(tx, account, win, g, nowMs, scoped, fn, region, region && !plans ? region : undefined);
}

interface Piece { line: Line; from: number; to: number; c: number }

/** The covered share of one class by one commitment over time: steps [s, e) of ratio r, cum = integral before s. */
interface Steps { s: number[]; e: number[]; r: number[]; cum: number[] }

function addStep(t: Steps, x: number, y: number, r: number): void {
  const n = t.s.length;
  if (n && t.e[n - 1] === x && t.r[n - 1] === r) { t.e[n - 1] = y; return; }
  t.cum.push(n ? t.cum[n - 1]! + t.r[n - 1]! * (t.e[n - 1]! - t.s[n - 1]!) : 0);
  t.s.push(x); t.e.push(y); t.r.push(r);
}

/** The integral of the covered share up to `ms` (in ms). */
function integral(t: Steps, ms: number): number {
  let lo = 0, hi = t.s.length - 1, i = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.s[mid]! <= ms) { i = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return i < 0 ? 0 : t.cum[i]! + t.r[i]! * (Math.min(ms, t.e[i]!) - t.s[i]!);
}

interface Used { used: number; units: number; od: number }

function applyCommitments(tx: Tx, account: string, win: Window, g: Granularity, nowMs: number, held: Held[], fn: (item: CostedItem) => void, region: string | undefined, segRegion: string | undefined): void {
  const end = Math.min(win.endMs, nowMs);
  const label = (bs: number, be: number) => (g === 'NONE' ? { startMs: win.startMs, endMs: win.endMs } : { startMs: Math.max(bs, win.startMs), endMs: Math.min(be, win.endMs) });

  // Instance pieces, billed as forEachUsage bills them, grouped into classes.
  const classes: UsageClass[] = [];
  const classOf = new Map<string, number>();
  const pieces: Piece[] = [];
  for (const { seg } of segmentsOf(tx, account, win, nowMs, segRegion)) {
    const line = seg.line;
    if (!isCoverable(line)) continue;
    const segEnd = seg.endMs === undefined ? nowMs : (seg.billedEndMs ?? seg.endMs);
    const from = Math.max(seg.startMs, win.startMs);
    const to = seg.endMs === undefined ? Math.min(segEnd, end) : Math.min(segEnd, win.endMs);
    if (to <= from) continue;
    const inst = line.instance!;
    const key = `${line.region}\u0000${inst.type}\u0000${inst.platform}\u0000${inst.tenancy}\u0000${inst.zoneName}\u0000${line.rate}`;
    let c = classOf.get(key);
    if (c === undefined) {
      classOf.set(key, (c = classes.length));
      classes.push({ region: line.region, type: inst.type, platform: inst.platform, tenancy: inst.tenancy, zoneName: inst.zoneName, odRate: line.rate });
    }
    pieces.push({ line, from, to, c });
  }
  const nC = classes.length;
  const nK = held.length;
  const m = matcher(classes, held.map((h) => h.k));
  const per = new Float64Array(nC * nK); // capacity used per covered instance hour, by (k, c)
  m.eligible.forEach((list, k) => list.forEach((c, i) => { per[k * nC + c] = m.cost[k]![i]!; }));

  // Level changes of usage (per class) and capacity (per commitment), and the hours they cut.
  const evT: number[] = [], evI: number[] = [], evD: number[] = [];
  const ev = (t: number, i: number, d: number) => { evT.push(t); evI.push(i); evD.push(d); };
  for (const p of pieces) { ev(p.from, p.c, p.line.quantity); ev(p.to, p.c, -p.line.quantity); }
  held.forEach((h, k) => {
    const a = Math.max(h.startMs, win.startMs), b = Math.min(h.endMs, end);
    if (b > a) { ev(a, nC + k, h.capacity); ev(b, nC + k, -h.capacity); }
  });
  const order = evT.map((_, i) => i).sort((a, b) => evT[a]! - evT[b]!);
  const cuts = new Set<number>();
  for (const t of evT) {
    if (t % HOUR === 0) cuts.add(t);
    else { const h = Math.floor(t / HOUR) * HOUR; cuts.add(h); cuts.add(h + HOUR); }
  }
  const bounds = [...cuts].sort((a, b) => a - b);

  const level = new Float64Array(nC + nK);
  const steps = new Map<number, Steps>();
  const classKs: number[][] = Array.from({ length: nC }, () => []);
  const used: Array<Map<number, Used>> = held.map(() => new Map());
  let active = 0; // commitments with capacity now
  const apply = (j: number) => {
    const i = evI[j]!;
    const before = level[i]! > TINY;
    level[i] = level[i]! + evD[j]!;
    if (Math.abs(level[i]!) < TINY) level[i] = 0;
    if (i >= nC && before !== level[i]! > TINY) active += before ? -1 : 1;
  };
  let ei = 0;
  const acc = new Float64Array(nC + nK);
  for (let b = 0; b + 1 < bounds.length; b++) {
    const x = bounds[b]!, y = bounds[b + 1]!;
    while (ei < order.length && evT[order[ei]!]! <= x) apply(order[ei++]!);
    let hourly: Float64Array = level;
    let wasActive = active > 0;
    if (ei < order.length && evT[order[ei]!]! < y) {
      // One hour with changes inside: each level counts for the share of the hour it held.
      acc.fill(0);
      let prev = x;
      while (ei < order.length && evT[order[ei]!]! < y) {
        const j = order[ei++]!;
        const dt = evT[j]! - prev;
        if (dt > 0) for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + level[i]! * dt;
        prev = evT[j]!;
        apply(j);
        wasActive ||= active > 0;
      }
      for (let i = 0; i < acc.length; i++) acc[i] = (acc[i]! + level[i]! * (y - prev)) / HOUR;
      hourly = acc;
    }
    if (!wasActive) continue;
    const usage = hourly.subarray(0, nC);
    const capacity = hourly.subarray(nC);
    const hm = match(m, usage, capacity);
    if (!hm.covers.length) continue;
    for (const { c, k, hours } of hm.covers) {
      const key = c * nK + k;
      let st = steps.get(key);
      if (!st) { steps.set(key, (st = { s: [], e: [], r: [], cum: [] })); classKs[c]!.push(k); }
      addStep(st, x, y, hours / usage[c]!);
    }
    // What each commitment used, by bucket (a run of hours may span buckets; one changing hour never does).
    const perHour = new Map<number, Used>();
    for (const { c, k, hours } of hm.covers) {
      const u = perHour.get(k) ?? { used: 0, units: 0, od: 0 };
      u.used += hours * per[k * nC + c]!;
      u.units += hours * normalizationFactor(classes[c]!.type);
      u.od += hours * classes[c]!.odRate;
      perHour.set(k, u);
    }
    for (let t = x; t < y;) {
      const [bs, be] = bucketOf(t, g);
      const pe = Math.min(y, be);
      const f = (pe - t) / HOUR;
      for (const [k, u] of perHour) {
        const into = used[k]!;
        const cur = into.get(bs) ?? { used: 0, units: 0, od: 0 };
        cur.used += u.used * f; cur.units += u.units * f; cur.od += u.od * f;
        into.set(bs, cur);
      }
      t = pe;
    }
  }

  emitUsage(pieces, classKs, steps, held, per, nC, nK, g, label, fn, region, account);
  emitFees(held, used, win, end, g, label, fn, region, account);
}

function emitUsage(
  pieces: Piece[], classKs: number[][], steps: Map<number, Steps>, held: Held[], per: Float64Array,
  nC: number, nK: number, g: Granularity, label: (bs: number, be: number) => { startMs: number; endMs: number },
  fn: (item: CostedItem) => void, region: string | undefined, account: string,
): void {
  for (const p of pieces) {
    if (region && p.line.region !== region) continue;
    const ks = classKs[p.c]!;
    const q = p.line.quantity;
    const rate = p.line.rate;
    for (let t = p.from; t < p.to;) {
      const [bs, be] = bucketOf(t, g);
      const pe = Math.min(p.to, be);
      const when = label(bs, be);
      let rest = (pe - t) / HOUR;
      for (const k of ks) {
        const st = steps.get(p.c * nK + k)!;
        const hours = (integral(st, pe) - integral(st, t)) / HOUR;
        if (hours <= TINY) continue;
        rest -= hours;
        const h = held[k]!;
        const quantity = q * hours;
        const od = quantity * rate;
        const amortized = quantity * per[k * nC + p.c]! * h.effectivePerUnit;
        if (h.k.kind === 'ri') {
          fn({ account, ...when, line: p.line, quantity, hours, cost: od, unblendedCost: 0, amortizedCost: amortized, blendedCost: 0, coveredBy: h.coveredBy, itemType: 'DiscountedUsage' });
        } else {
          fn({ account, ...when, line: p.line, quantity, hours, cost: od, unblendedCost: od, amortizedCost: amortized, blendedCost: od, coveredBy: h.coveredBy, itemType: 'SavingsPlanCoveredUsage' });
          fn({ account, ...when, line: p.line, quantity: 0, hours: 0, cost: 0, unblendedCost: -od, amortizedCost: 0, blendedCost: -od, coveredBy: h.coveredBy, itemType: 'SavingsPlanNegation' });
        }
      }
      if (rest > TINY) {
        const quantity = q * rest;
        const cost = quantity * rate;
        fn({ account, ...when, line: p.line, quantity, hours: rest, cost, unblendedCost: cost, amortizedCost: cost, blendedCost: cost, itemType: 'Usage' });
      }
      t = pe;
    }
  }
}

function emitFees(
  held: Held[], used: Array<Map<number, Used>>, win: Window, end: number, g: Granularity,
  label: (bs: number, be: number) => { startMs: number; endMs: number }, fn: (item: CostedItem) => void, region: string | undefined, account: string,
): void {
  held.forEach((h, k) => {
    if (region && h.feeLine.region !== region) return;
    if (h.upfront > 0 && h.startMs >= win.startMs && h.startMs < end) {
      const [bs, be] = bucketOf(h.startMs, g);
      fn({ account, ...label(bs, be), line: h.feeLine, quantity: 1, hours: 0, cost: 0, unblendedCost: h.upfront, amortizedCost: 0, blendedCost: h.upfront, coveredBy: h.coveredBy, itemType: h.upfrontType });
    }
    const ri = h.k.kind === 'ri';
    const nf = h.k.kind === 'ri' ? normalizationFactor(h.k.type) : 1;
    for (let t = Math.max(h.startMs, win.startMs), stop = Math.min(h.endMs, end); t < stop;) {
      const [bs, be] = bucketOf(t, g);
      const pe = Math.min(stop, be);
      const hours = (pe - t) / HOUR;
      const u = used[k]!.get(bs) ?? { used: 0, units: 0, od: 0 };
      const total = h.capacity * hours;
      const usedNow = Math.min(u.used, total);
      const recurring = h.recurringHourly * hours;
      const use: CommitmentUse = {
        total, used: usedNow, amortizedUpfront: (h.upfront / h.termHours) * hours, amortizedRecurring: recurring, onDemandCost: u.od,
        ...(ri ? { totalUnits: total * nf, usedUnits: Math.min(u.units, total * nf) } : {}),
      };
      const unused = (total - usedNow) * h.effectivePerUnit;
      fn({
        account, ...label(bs, be), line: h.feeLine, quantity: ri ? total : hours, hours: 0, cost: 0, unblendedCost: recurring,
        amortizedCost: unused, blendedCost: recurring, coveredBy: h.coveredBy, itemType: h.recurringType, commitment: use,
      });
      t = pe;
    }
  });
}
