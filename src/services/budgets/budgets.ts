/** CreateBudget, DescribeBudget(s), UpdateBudget, DeleteBudget. */
import type { Handler } from '../types.js';
import { BUDGET, allBudgets, deleteBudgetRows, duplicate, getBudget, globalScope, limitExceeded, mustBudget, notFound, type BudgetRecord, type NotificationRecord } from './records.js';
import { budgetView, page } from './shapes.js';
import { saveForEvaluation } from './step.js';
import { checkAccount, MAX_BUDGETS, MAX_NOTIFICATIONS, notificationKey, parseBudget, parseNotification, parseSubscribers, parseTags } from './validate.js';
import { duplicateNotification } from './notifications.js';
import { completeActivity } from '../cost/account-plan.js';

export const createBudget: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const now = ctx.clock.nowMs();
  const fields = parseBudget(input.Budget, now);
  const list = (input.NotificationsWithSubscribers ?? []) as any[];
  if (list.length > MAX_NOTIFICATIONS) throw limitExceeded(`A budget can have at most ${MAX_NOTIFICATIONS} notifications`);
  const notifications: NotificationRecord[] = [];
  list.forEach((nw, i) => {
    const n = { ...parseNotification(nw?.Notification, `NotificationsWithSubscribers[${i}].Notification`), state: 'OK' as const, subscribers: parseSubscribers(nw?.Subscribers, `NotificationsWithSubscribers[${i}].Subscribers`) };
    if (notifications.some((x) => notificationKey(x) === notificationKey(n))) throw duplicateNotification(fields.name);
    notifications.push(n);
  });
  const tags = parseTags(input.ResourceTags);
  if (getBudget(ctx.tx, account, fields.name)) throw duplicate(`Error creating budget: ${fields.name} - the budget already exists.`);
  if (ctx.tx.count(globalScope(account), BUDGET) >= MAX_BUDGETS) throw limitExceeded(`You can create up to ${MAX_BUDGETS} budgets per account`);
  const b: BudgetRecord = {
    ...fields, createdMs: now, updatedMs: now, tags, notifications,
    limitLog: fields.limit ? [[now, fields.limit.Amount]] : [], nextEvalMs: now,
  };
  saveForEvaluation(ctx.tx, account, b, now);
  if (b.type === 'COST') completeActivity(ctx.tx, account, 'cost-budget', now);
  return {};
};

export const describeBudget: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const b = mustBudget(ctx.tx, account, input.BudgetName, `Unable to get budget: ${input.BudgetName}`);
  return { Budget: budgetView(b, ctx.clock.nowMs(), input.ShowFilterExpression === true) };
};

export const describeBudgets: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const p = page(allBudgets(ctx.tx, account), (b) => b.name, input, 100, 1000);
  return { Budgets: p.items.map((b) => budgetView(b, ctx.clock.nowMs(), input.ShowFilterExpression === true)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

/**
 * Replaces the budget's definition (name, notifications and tags stay). A changed limit is
 * logged for the performance history; the budget is evaluated again at once.
 */
export const updateBudget: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const now = ctx.clock.nowMs();
  const name = input.NewBudget?.BudgetName;
  const old = typeof name === 'string' ? getBudget(ctx.tx, account, name) : undefined;
  const fields = parseBudget(input.NewBudget, now);
  if (!old) throw notFound(`Unable to update budget: ${fields.name} - the budget doesn't exist.`);
  const hasPeriod = input.NewBudget?.TimePeriod?.Start !== undefined || input.NewBudget?.TimePeriod?.End !== undefined;
  const b: BudgetRecord = {
    ...old,
    ...fields,
    // An update without a TimePeriod keeps the budget's own.
    ...(hasPeriod ? {} : { startMs: old.startMs, endMs: old.endMs }),
    updatedMs: now,
    limitLog: fields.limit && fields.limit.Amount !== old.limit?.Amount ? [...old.limitLog, [now, fields.limit.Amount]] : old.limitLog,
  };
  for (const k of ['limit', 'planned', 'costFilters', 'filterExpression', 'costTypes', 'metrics', 'billingViewArn'] as const) if (!(k in fields)) delete b[k];
  if (b.type !== old.type || b.timeUnit !== old.timeUnit) delete b.spend;
  saveForEvaluation(ctx.tx, account, b, now);
  return {};
};

export const deleteBudget: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  mustBudget(ctx.tx, account, input.BudgetName, `Unable to delete budget: ${input.BudgetName}`);
  deleteBudgetRows(ctx.tx, account, input.BudgetName);
  return {};
};
