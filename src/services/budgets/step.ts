/**
 * The "budgets" fleet step: budgets evaluate on the clock, as AWS updates them "several times a
 * day". A budget evaluates when it is created or changed, then every 8 hours of the clock on
 * the UTC grid (00:00, 08:00, 16:00: every period boundary of a DAILY, MONTHLY, QUARTERLY or
 * ANNUALLY budget is on it, so a period is evaluated at its very end), and at its own end.
 *
 * An evaluation computes the period's ACTUAL and FORECASTED spend (evaluate.ts), moves each
 * notification to ALARM or OK, sends a notification at most once per period when its threshold
 * is crossed, and triggers the actions whose thresholds are crossed (once per period). At a
 * period boundary the closing period is evaluated at its end first, then the new one starts
 * with every notification OK. A budget past its end date is deleted, as AWS deletes it.
 *
 * Budgets live in the account's global scope, so the step works in scopes {account, ''} only.
 * nextDue is one row read: budgets:schedule 'next', the earliest evaluation due.
 */
import type { Scope, Tx } from '../../store/types.js';
import { poke, type FleetStep } from '../fleet/engine.js';
import type { RequestContext } from '../types.js';
import { trigger } from './action-run.js';
import { deliver } from './deliver.js';
import { measureBudgets, type Measured } from './evaluate.js';
import { alertSubject, alertText } from './message.js';
import { periodAt, type Period } from './periods.js';
import { actionsOf, allBudgets, BUDGET, deleteBudgetRows, globalScope, SCHEDULE, type BudgetRecord } from './records.js';
import { limitFor, unitOf } from './shapes.js';
import { crossed } from './thresholds.js';

export const EVAL_EVERY_MS = 8 * 3_600_000;

interface ScheduleRow { dueMs: number }

/** The next instant on the 8-hour UTC grid after `ms`. */
export const nextGridAfter = (ms: number): number => (Math.floor(ms / EVAL_EVERY_MS) + 1) * EVAL_EVERY_MS;

/** When a budget evaluated at `atMs` evaluates next: the grid, its start if it has not begun, its end. */
export function nextEvalAfter(b: Pick<BudgetRecord, 'startMs' | 'endMs'>, atMs: number): number {
  if (atMs < b.startMs) return b.startMs;
  return Math.min(nextGridAfter(atMs), Math.max(b.endMs, atMs + 1));
}

/** Makes sure the account's budgets are evaluated by `dueMs` (a budget was created or changed). */
export function scheduleAt(tx: Tx, account: string, dueMs: number): void {
  const scope = globalScope(account);
  const cur = tx.get<ScheduleRow>(scope, SCHEDULE, 'next');
  if (!cur || dueMs < cur.dueMs) tx.put(scope, SCHEDULE, 'next', { dueMs } satisfies ScheduleRow);
  poke(tx, scope, dueMs);
}

/** A budget saved to evaluate again at once (its definition changed). */
export function saveForEvaluation(tx: Tx, account: string, b: BudgetRecord, nowMs: number): void {
  b.nextEvalMs = nowMs;
  tx.put(globalScope(account), BUDGET, b.name, b);
  scheduleAt(tx, account, nowMs);
}

function refreshSchedule(tx: Tx, scope: Scope, budgets: BudgetRecord[]): void {
  let due: number | undefined;
  for (const b of budgets) if (due === undefined || b.nextEvalMs < due) due = b.nextEvalMs;
  if (due === undefined) tx.delete(scope, SCHEDULE, 'next');
  else tx.put(scope, SCHEDULE, 'next', { dueMs: due } satisfies ScheduleRow);
}

/** Notifications and actions of one budget, for the period `m` measured, as of the sys clock. */
function apply(sys: RequestContext, b: BudgetRecord, m: Measured): void {
  const limit = Number(limitFor(b, m.period.startMs)?.Amount ?? 0);
  const valueOf = (type: 'ACTUAL' | 'FORECASTED'): number | undefined => (type === 'ACTUAL' ? m.actual : m.forecast);
  for (const n of b.notifications) {
    const value = valueOf(n.type);
    if (value === undefined) continue; // no forecast yet: nothing to compare
    if (!crossed(n, value, limit)) { n.state = 'OK'; continue; }
    n.state = 'ALARM';
    if (n.sentPeriodMs === m.period.startMs) continue;
    n.sentPeriodMs = m.period.startMs;
    const facts = {
      account: sys.account, budgetName: b.name, budgetType: b.type, timeUnit: b.timeUnit, unit: unitOf(b), limit,
      notificationType: n.type, op: n.op, threshold: n.threshold, thresholdType: n.thresholdType, value, atMs: sys.clock.nowMs(),
    };
    deliver(sys, n.subscribers, alertSubject(facts), alertText(facts));
  }
  for (const a of actionsOf(sys.tx, sys.account, b.name)) {
    const value = valueOf(a.notificationType);
    if (value === undefined || a.firedPeriodMs === m.period.startMs) continue;
    if (a.status !== 'STANDBY' && a.status !== 'REVERSE_SUCCESS') continue;
    const t = { op: 'GREATER_THAN' as const, threshold: a.threshold.ActionThresholdValue, thresholdType: a.threshold.ActionThresholdType };
    if (crossed(t, value, limit)) trigger(sys, a, m.period.startMs);
  }
}

/** Evaluates every budget of the account due at atMs. */
export function evaluateDue(sys: RequestContext, atMs: number): void {
  const { tx, account } = sys;
  const scope = globalScope(account);
  const budgets = allBudgets(tx, account);
  const due = budgets.filter((b) => b.nextEvalMs <= atMs);
  // A period that ended since the last evaluation is evaluated at its end first.
  const closing = new Map<number, Array<{ b: BudgetRecord; period: Period }>>();
  for (const b of due) {
    if (!b.spend) continue;
    const last = periodAt(b.timeUnit, b.spend.atMs, b);
    if (last && last.endMs <= atMs && b.spend.atMs < last.endMs) closing.set(last.endMs, [...(closing.get(last.endMs) ?? []), { b, period: last }]);
  }
  for (const [endMs, list] of [...closing].sort((x, y) => x[0] - y[0])) {
    const measured = measureBudgets(tx, account, list, endMs);
    for (const { b } of list) apply(sys, b, measured.get(b.name)!);
  }
  const current: Array<{ b: BudgetRecord; period: Period }> = [];
  const gone = new Set<string>();
  for (const b of due) {
    if (atMs >= b.endMs) { gone.add(b.name); continue; }
    const period = periodAt(b.timeUnit, atMs, b);
    if (!period) { b.nextEvalMs = b.startMs; continue; }
    if (b.spend?.periodStartMs !== period.startMs) for (const n of b.notifications) n.state = 'OK';
    current.push({ b, period });
  }
  const measured = measureBudgets(tx, account, current, atMs);
  for (const { b, period } of current) {
    const m = measured.get(b.name)!;
    apply(sys, b, m);
    b.spend = { actual: m.actual, ...(m.forecast === undefined ? {} : { forecast: m.forecast }), atMs, periodStartMs: period.startMs };
    b.nextEvalMs = nextEvalAfter(b, atMs);
  }
  for (const b of due) {
    if (gone.has(b.name)) deleteBudgetRows(tx, account, b.name);
    else tx.put(scope, BUDGET, b.name, b);
  }
  refreshSchedule(tx, scope, budgets.filter((b) => !gone.has(b.name)));
}

export const budgetsStep: FleetStep = {
  name: 'budgets',
  nextDue(tx, scope) {
    if (scope.region !== '') return undefined;
    return tx.get<ScheduleRow>(scope, SCHEDULE, 'next')?.dueMs;
  },
  run(sys, atMs) { evaluateDue(sys, atMs); },
};
