/**
 * A budget's spend over a period, read from the meter through forEachCostedUsage (so Reserved
 * Instances and Savings Plans count as they do everywhere else), with the cost allocation tags
 * Cost Explorer has active (src/services/ce/tags.ts: forEachTagged). Budgets that share a period
 * window share one pass over the account's usage: each item is offered to every budget's
 * filter, and each budget sums its own measure.
 */
import { accountUsage, activeTags, forEachTagged } from '../ce/tags.js';
import type { Tx } from '../../store/types.js';
import { budgetPredicate, type Predicate } from './filters.js';
import { forecastSpend, rateWindow } from './forecast.js';
import { measureOf, type Measure } from './measure.js';
import type { Period } from './periods.js';
import type { BudgetRecord } from './records.js';

export interface Measured { period: Period; actual: number; forecast?: number }

interface Compiled { name: string; pred: Predicate; measure: Measure }

function compile(b: BudgetRecord): Compiled {
  let pred: Predicate;
  try { pred = budgetPredicate(b); } catch { pred = () => false; } // checked when stored; a stored one that no longer compiles counts nothing
  return { name: b.name, pred, measure: { type: b.type, ...(b.costTypes ? { costTypes: b.costTypes } : {}), ...(b.metrics?.[0] ? { metric: b.metrics[0] } : {}) } };
}

/** Each budget's sum of its measure over [startMs, endMs), as the meter has it at `nowMs`. */
function sums(tx: Tx, account: string, list: Compiled[], startMs: number, endMs: number, nowMs: number): number[] {
  const out = list.map(() => 0);
  if (endMs <= startMs) return out;
  // Through Cost Explorer's tagged usage: commitments applied, only active cost allocation tags seen.
  forEachTagged(accountUsage(tx, account, nowMs), activeTags(tx, account), { startMs, endMs }, 'NONE', (t) => {
    for (let i = 0; i < list.length; i++) if (list[i]!.pred(t)) out[i]! += measureOf(list[i]!.measure, t.item);
  });
  return out;
}

/**
 * The ACTUAL spend of each budget in its period up to `atMs`, and its FORECASTED spend for
 * the whole period (run rate of the recent window over the time left).
 */
export function measureBudgets(tx: Tx, account: string, items: Array<{ b: BudgetRecord; period: Period }>, atMs: number): Map<string, Measured> {
  const groups = new Map<string, { period: Period; list: Compiled[] }>();
  for (const { b, period } of items) {
    const k = `${period.startMs}:${period.endMs}`;
    const g = groups.get(k) ?? { period, list: [] };
    g.list.push(compile(b));
    groups.set(k, g);
  }
  const out = new Map<string, Measured>();
  for (const { period, list } of groups.values()) {
    const to = Math.min(atMs, period.endMs);
    const actual = sums(tx, account, list, period.startMs, to, atMs);
    const window = rateWindow(period, to);
    const recent = window.endMs - window.startMs === to - period.startMs ? actual : sums(tx, account, list, window.startMs, window.endMs, atMs);
    list.forEach((c, i) => {
      const forecast = forecastSpend({ actual: actual[i]!, period, atMs: to, recentSpend: recent[i]!, window });
      out.set(c.name, { period, actual: actual[i]!, ...(forecast === undefined ? {} : { forecast }) });
    });
  }
  return out;
}

/** One budget's spend in one period (its whole length when it has ended by `nowMs`): the performance history's actual amount. */
export function spendIn(tx: Tx, account: string, b: BudgetRecord, period: Period, nowMs: number): number {
  return sums(tx, account, [compile(b)], period.startMs, Math.min(period.endMs, nowMs), nowMs)[0]!;
}
