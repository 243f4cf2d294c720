/**
 * A new account's Free Tier credits (account-plan.ts) on the bill. From sign-up until the
 * credits end, each day's eligible charges — what is left after the Always Free allowances and
 * commitments, not commitment fees or purchases — are paid by the credits granted by then, in
 * the order they were granted, until they run out. The payment shows as items of record type
 * `Credit` (negative costs) on the lines it paid, as Cost Explorer shows credits.
 */
import type { Line, CountRecord } from './types.js';
import { creditsEndMs, type PlanRecord } from './account-plan.js';
import type { CostedItem } from './commitments.js';
import { bucketOf, type Granularity, type Window } from './usage.js';

const DAY = 86_400_000;
const NOT_ELIGIBLE = new Set(['Fee', 'RIFee', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee', 'Credit']);

type AnyLine = Line | CountRecord['line'];

export const lineKey = (l: AnyLine): string => `${l.region}\u0000${l.resourceId}\u0000${l.key}\u0000${l.service}`;
const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

export interface DayCredit { line: AnyLine; net: number; usd: number }

export interface Ledger {
  /** Day start -> line key -> what the credits paid of it (and the line's net charge that day). */
  days: Map<number, Map<string, DayCredit>>;
  granted: number;
  used: number;
}

/** Applies the plan's credits day by day up to untilMs; `daily` lists costed items (without credits) at DAILY. */
export function creditLedger(plan: PlanRecord, untilMs: number, daily: (win: Window, fn: (i: CostedItem) => void) => void): Ledger {
  const end = Math.min(untilMs, creditsEndMs(plan));
  const credits = plan.credits.filter((c) => c.grantedMs <= end).map((c) => ({ ...c, left: c.amount })).sort((a, b) => a.grantedMs - b.grantedMs);
  const ledger: Ledger = { days: new Map(), granted: credits.reduce((a, c) => a + c.amount, 0), used: 0 };
  if (end <= plan.startMs || !credits.length) return ledger;
  const charges = new Map<number, Map<string, DayCredit>>();
  daily({ startMs: plan.startMs, endMs: end }, (i) => {
    if (NOT_ELIGIBLE.has(i.itemType)) return;
    const d = dayOf(i.startMs);
    let m = charges.get(d);
    if (!m) charges.set(d, (m = new Map()));
    const k = lineKey(i.line);
    const e = m.get(k);
    if (e) e.net += i.unblendedCost; else m.set(k, { line: i.line, net: i.unblendedCost, usd: 0 });
  });
  for (const d of [...charges.keys()].sort((a, b) => a - b)) {
    const lines = charges.get(d)!;
    let due = 0;
    for (const e of lines.values()) if (e.net > 0) due += e.net;
    // Credits granted during the day pay for it too.
    let available = 0;
    for (const c of credits) if (c.grantedMs < d + DAY) available += c.left;
    const paid = Math.min(due, available);
    if (paid <= 0) continue;
    let owed = paid;
    for (const c of credits) {
      if (owed <= 0) break;
      if (c.grantedMs >= d + DAY) continue;
      const take = Math.min(c.left, owed);
      c.left -= take; owed -= take;
    }
    const share = paid / due;
    for (const e of lines.values()) if (e.net > 0) e.usd = e.net * share;
    ledger.days.set(d, lines);
    ledger.used += paid;
  }
  return ledger;
}

const creditItem = (account: string, line: AnyLine, startMs: number, endMs: number, usd: number): CostedItem => ({
  account, startMs, endMs, line, quantity: 0, hours: 0, cost: 0, unblendedCost: -usd, amortizedCost: -usd, blendedCost: -usd, itemType: 'Credit',
});

/**
 * Emits the ledger's credits that fall in the window, bucketed by granularity. HOURLY spreads a
 * day's credit over that line's hours by their charges (`hourly`: the window's own items); the
 * other granularities give each bucket the days in it (a day the window cuts, its share by time).
 */
export function emitCredits(
  account: string, ledger: Ledger, win: Window, g: Granularity, fn: (i: CostedItem) => void,
  hourly: Map<string, CostedItem[]> | undefined, region?: string,
): void {
  for (const [d, lines] of ledger.days) {
    const from = Math.max(d, win.startMs);
    const to = Math.min(d + DAY, win.endMs);
    if (to <= from) continue;
    for (const [k, e] of lines) {
      if (e.usd <= 0 || (region && e.line.region !== region)) continue;
      if (g === 'HOURLY') {
        for (const i of hourly?.get(`${d}\u0000${k}`) ?? []) {
          if (i.unblendedCost > 0) fn(creditItem(account, i.line, i.startMs, i.endMs, (e.usd * i.unblendedCost) / e.net));
        }
        continue;
      }
      const usd = e.usd * ((to - from) / DAY);
      const [bs, be] = g === 'NONE' ? [win.startMs, win.endMs] : bucketOf(from, g);
      fn(creditItem(account, e.line, Math.max(bs, win.startMs), Math.min(be, win.endMs), usd));
    }
  }
}

/** The key `emitCredits` finds an hourly item's day and line under. */
export const hourlyKey = (i: CostedItem): string => `${dayOf(i.startMs)}\u0000${lineKey(i.line)}`;
