/**
 * DescribeBudgetPerformanceHistory: per period, the budgeted amount and what was actually spent.
 * The actual amounts come from the meter (exact for any past period), the budgeted ones from the
 * limit in effect at the period's end (BudgetLimit as it was changed over time, or the planned
 * limit of that period). Default window as AWS keeps it: DAILY the last 60 days, MONTHLY the
 * current month and the 12 before, QUARTERLY the last four quarters; never before the budget
 * starts. ANNUALLY budgets have no history (AWS keeps none).
 */
import type { Handler } from '../types.js';
import { expressionOf } from './filters.js';
import { spendIn } from './evaluate.js';
import { DEFAULT_COST_TYPES } from './measure.js';
import { historyWindow, periodsBetween, type Period } from './periods.js';
import { invalidParameter, mustBudget, type BudgetRecord } from './records.js';
import { limitFor, page, unitOf } from './shapes.js';
import { amountText } from './thresholds.js';
import { checkAccount, checkName } from './validate.js';

/** The budgeted amount of a period: the planned limit, else BudgetLimit as it stood when the period ended (or now). */
function budgetedIn(b: BudgetRecord, p: Period, nowMs: number): string {
  if (b.planned) return limitFor(b, p.startMs)?.Amount ?? '0.0';
  const at = Math.min(p.endMs, nowMs);
  let amount = b.limitLog[0]?.[1] ?? b.limit?.Amount ?? '0.0';
  for (const [fromMs, a] of b.limitLog) if (fromMs < at) amount = a;
  return amount;
}

const ms = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : new Date(v as string).getTime());

export const describeBudgetPerformanceHistory: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const b = mustBudget(ctx.tx, account, checkName(input.BudgetName), `Unable to get budget performance history: ${input.BudgetName}`);
  const now = ctx.clock.nowMs();
  const from = ms(input.TimePeriod?.Start);
  const to = ms(input.TimePeriod?.End);
  if (from !== undefined && to !== undefined && from >= to) throw invalidParameter('The start of the TimePeriod must come before its end');
  const unit = unitOf(b);
  let periods: Period[] = [];
  if (b.timeUnit !== 'ANNUALLY') {
    const def = historyWindow(b.timeUnit, now);
    periods = periodsBetween(b.timeUnit, from ?? def.startMs, Math.min(to ?? def.endMs, def.endMs), b).filter((p) => p.startMs <= now);
  }
  const p = page(periods, (x) => String(x.startMs).padStart(15, '0'), input, 100, 100);
  const amounts = p.items.map((period) => ({
    BudgetedAmount: { Amount: budgetedIn(b, period, now), Unit: unit },
    ActualAmount: { Amount: amountText(spendIn(ctx.tx, account, b, period, now)), Unit: unit },
    TimePeriod: { Start: new Date(period.startMs), End: new Date(period.endMs) },
  }));
  return {
    BudgetPerformanceHistory: {
      BudgetName: b.name, BudgetType: b.type, CostFilters: b.costFilters ?? {},
      ...(b.type === 'COST' ? { CostTypes: { ...DEFAULT_COST_TYPES, ...(b.costTypes ?? {}) } } : {}),
      TimeUnit: b.timeUnit,
      ...(b.filterExpression || b.costFilters ? { FilterExpression: b.filterExpression ?? expressionOf(b.costFilters!) } : {}),
      ...(b.metrics ? { Metrics: b.metrics } : {}),
      BudgetedAndActualAmountsList: amounts,
    },
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
};
