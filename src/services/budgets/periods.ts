/**
 * Budget periods: a budget's spend resets at each period start (UTC calendar days, months,
 * quarters and years; CUSTOM budgets have one period, their whole TimePeriod), clipped to the
 * budget's own TimePeriod. Pure date arithmetic.
 */

export type TimeUnit = 'DAILY' | 'MONTHLY' | 'QUARTERLY' | 'ANNUALLY' | 'CUSTOM';

export interface Period { startMs: number; endMs: number }

const DAY = 86_400_000;

/** AWS's default end of a budget: 06/15/87 00:00 UTC. */
export const DEFAULT_END_MS = Date.UTC(2087, 5, 15);

/** The calendar period of `unit` that holds `ms` (CUSTOM has no calendar: the caller's window). */
export function calendarPeriod(unit: Exclude<TimeUnit, 'CUSTOM'>, ms: number): Period {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'DAILY': { const s = Math.floor(ms / DAY) * DAY; return { startMs: s, endMs: s + DAY }; }
    case 'MONTHLY': return { startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) };
    case 'QUARTERLY': { const q = Math.floor(m / 3) * 3; return { startMs: Date.UTC(y, q, 1), endMs: Date.UTC(y, q + 3, 1) }; }
    case 'ANNUALLY': return { startMs: Date.UTC(y, 0, 1), endMs: Date.UTC(y + 1, 0, 1) };
  }
}

/** Where a budget created at `nowMs` without a start date starts: the start of the current period. */
export function defaultStart(unit: TimeUnit, nowMs: number): number {
  return calendarPeriod(unit === 'CUSTOM' ? 'DAILY' : unit, nowMs).startMs;
}

/**
 * The budget period holding `ms`, clipped to the budget's [startMs, endMs); undefined outside
 * it (before the budget starts or after it ends).
 */
export function periodAt(unit: TimeUnit, ms: number, budget: Period): Period | undefined {
  if (ms < budget.startMs || ms >= budget.endMs) return undefined;
  if (unit === 'CUSTOM') return { ...budget };
  const p = calendarPeriod(unit, ms);
  return { startMs: Math.max(p.startMs, budget.startMs), endMs: Math.min(p.endMs, budget.endMs) };
}

/** The periods overlapping [fromMs, toMs), oldest first (clipped to the budget), at most `max` of the latest. */
export function periodsBetween(unit: TimeUnit, fromMs: number, toMs: number, budget: Period, max = 1000): Period[] {
  const out: Period[] = [];
  let t = Math.max(fromMs, budget.startMs);
  const end = Math.min(toMs, budget.endMs);
  while (t < end) {
    const p = periodAt(unit, t, budget);
    if (!p) break;
    out.push(p);
    t = p.endMs;
  }
  return out.slice(-max);
}

/** The periods `count` back from the one holding `ms` (inclusive of it): the performance history's default window. */
export function historyWindow(unit: TimeUnit, ms: number): Period {
  const cur = unit === 'CUSTOM' ? { startMs: ms, endMs: ms + DAY } : calendarPeriod(unit, ms);
  switch (unit) {
    // DAILY: the last 60 days; MONTHLY: this month and the 12 before; QUARTERLY: the last four quarters.
    case 'DAILY': return { startMs: cur.startMs - 59 * DAY, endMs: cur.endMs };
    case 'MONTHLY': { const d = new Date(cur.startMs); return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 12, 1), endMs: cur.endMs }; }
    case 'QUARTERLY': { const d = new Date(cur.startMs); return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 9, 1), endMs: cur.endMs }; }
    default: return cur;
  }
}

/** How AWS's notification text names the period: "for the current month", "per day". */
export function periodPhrase(unit: TimeUnit): string {
  switch (unit) {
    case 'DAILY': return 'per day';
    case 'MONTHLY': return 'for the current month';
    case 'QUARTERLY': return 'for the current quarter';
    case 'ANNUALLY': return 'for the current year';
    case 'CUSTOM': return 'for the current budget period';
  }
}
