/** Budgets records as the API shows them, and the pagination every Describe* shares. */
import { AwsError } from '../../core/errors.js';
import { expressionOf } from './filters.js';
import { DEFAULT_COST_TYPES } from './measure.js';
import { periodAt } from './periods.js';
import type { ActionRecord, BudgetRecord, NotificationRecord, Spend, SubscriberRecord } from './records.js';
import { amountText } from './thresholds.js';

export const budgetArn = (account: string, name: string): string => `arn:aws:budgets::${account}:budget/${name}`;
export const actionArn = (account: string, name: string, id: string): string => `${budgetArn(account, name)}/action/${id}`;

/** The limit in effect for the period starting at `periodStartMs`: the planned one (or the latest planned before it), else BudgetLimit. */
export function limitFor(b: Pick<BudgetRecord, 'limit' | 'planned'>, periodStartMs: number): Spend | undefined {
  if (!b.planned) return b.limit;
  const key = Math.floor(periodStartMs / 1000);
  let best: [number, Spend] | undefined;
  for (const [k, v] of Object.entries(b.planned)) {
    const s = Number(k);
    if (s <= key && (!best || s > best[0])) best = [s, v];
  }
  if (best) return best[1];
  // Before the first planned period: the earliest one.
  const first = Object.entries(b.planned).sort((x, y) => Number(x[0]) - Number(y[0]))[0];
  return first?.[1];
}

export function unitOf(b: Pick<BudgetRecord, 'limit' | 'planned' | 'type'>): string {
  return b.limit?.Unit ?? Object.values(b.planned ?? {})[0]?.Unit ?? (b.type === 'COST' ? 'USD' : '');
}

export function budgetView(b: BudgetRecord, nowMs: number, showExpression = false): Record<string, unknown> {
  const unit = unitOf(b);
  const current = limitFor(b, periodAt(b.timeUnit, nowMs, b)?.startMs ?? b.startMs);
  const v: Record<string, unknown> = {
    BudgetName: b.name,
    ...(current ? { BudgetLimit: current } : {}),
    ...(b.planned ? { PlannedBudgetLimits: b.planned } : {}),
    CostFilters: b.costFilters ?? {},
    ...(b.type === 'COST' ? { CostTypes: { ...DEFAULT_COST_TYPES, ...(b.costTypes ?? {}) } } : b.costTypes ? { CostTypes: b.costTypes } : {}),
    TimeUnit: b.timeUnit,
    TimePeriod: { Start: new Date(b.startMs), End: new Date(b.endMs) },
    CalculatedSpend: {
      ActualSpend: { Amount: amountText(b.spend?.actual ?? 0), Unit: unit },
      ...(b.spend?.forecast !== undefined ? { ForecastedSpend: { Amount: amountText(b.spend.forecast), Unit: unit } } : {}),
    },
    BudgetType: b.type,
    LastUpdatedTime: new Date(b.updatedMs),
    ...(b.metrics ? { Metrics: b.metrics } : {}),
    ...(b.billingViewArn ? { BillingViewArn: b.billingViewArn } : {}),
    HealthStatus: { Status: 'HEALTHY', LastUpdatedTime: new Date(b.spend?.atMs ?? b.updatedMs) },
  };
  if (showExpression) {
    const e = b.filterExpression ?? (b.costFilters ? expressionOf(b.costFilters) : undefined);
    if (e) v.FilterExpression = e;
  }
  return v;
}

export function notificationView(n: NotificationRecord): Record<string, unknown> {
  return { NotificationType: n.type, ComparisonOperator: n.op, Threshold: n.threshold, ThresholdType: n.thresholdType, NotificationState: n.state };
}

export const subscriberView = (s: SubscriberRecord): Record<string, unknown> => ({ SubscriptionType: s.type, Address: s.address });

export function actionView(a: ActionRecord): Record<string, unknown> {
  return {
    ActionId: a.id, BudgetName: a.budgetName, NotificationType: a.notificationType, ActionType: a.actionType,
    ActionThreshold: a.threshold, Definition: a.definition, ExecutionRoleArn: a.executionRoleArn, ApprovalModel: a.approvalModel,
    Status: a.status, Subscribers: a.subscribers.map(subscriberView),
  };
}

/**
 * One page of `items` (already in order): NextToken names the last item shown, so a page
 * stays right when items are added or removed between calls.
 */
export function page<T>(items: T[], keyOf: (t: T) => string, input: { MaxResults?: number; NextToken?: string }, def: number, max: number): { items: T[]; NextToken?: string } {
  const size = input.MaxResults ?? def;
  if (!Number.isInteger(size) || size < 1 || size > max) throw new AwsError('InvalidParameterException', `MaxResults must be from 1 to ${max}`);
  let from = 0;
  if (input.NextToken !== undefined && input.NextToken !== '') {
    let after: string;
    try {
      const t = JSON.parse(Buffer.from(input.NextToken, 'base64url').toString('utf8')) as { after?: unknown };
      if (typeof t.after !== 'string') throw new Error('no key');
      after = t.after;
    } catch {
      throw new AwsError('InvalidNextTokenException', 'The pagination token is invalid.');
    }
    from = items.findIndex((x) => keyOf(x) > after);
    if (from < 0) from = items.length;
  }
  const shown = items.slice(from, from + size);
  const more = from + size < items.length;
  return { items: shown, ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: keyOf(shown[shown.length - 1]!) })).toString('base64url') } : {}) };
}
