/**
 * Budgets' checks of what a request carries, in its own words (InvalidParameterException),
 * done before anything is written so that a refused request leaves nothing behind. The codec
 * checks required members only: values are checked here (AccountId, BudgetName's pattern,
 * amounts, thresholds, subscribers, tags).
 */
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';
import { compileCostFilters, compileExpression, type CostFilters, type Expression } from './filters.js';
import type { BudgetType, CostTypes } from './measure.js';
import { DEFAULT_END_MS, defaultStart, type TimeUnit } from './periods.js';
import { invalidParameter, type BudgetRecord, type NotificationRecord, type Spend, type SubscriberRecord, type Tag } from './records.js';
import { normalizeAmount } from './thresholds.js';

export const MAX_BUDGETS = 20_000;
export const MAX_NOTIFICATIONS = 10;
export const MAX_EMAIL_SUBSCRIBERS = 10;
export const MAX_SNS_SUBSCRIBERS = 1;
export const MAX_TAGS = 200;

const AMOUNT_RE = /^([0-9]*\.)?[0-9]+$/;
const TOPIC_RE = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The caller may only work with its own account's budgets (no Organizations, so no payer account above it). */
export function checkAccount(ctx: RequestContext, accountId: unknown): string {
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) throw invalidParameter(`Invalid AccountId ${JSON.stringify(accountId)}: an account ID is 12 digits.`);
  if (accountId !== ctx.account) {
    throw new AwsError('AccessDeniedException', `Account ${ctx.account} is not authorized to access the budgets of account ${accountId}: only a management account can, and cloudlet has no AWS Organizations.`);
  }
  return accountId;
}

export function checkName(name: unknown, member = 'BudgetName'): string {
  // The model's pattern: no ':' or backslash, no '/action/' (the action ARNs' separator), no <script>...</script>.
  if (typeof name !== 'string' || name.length < 1 || name.length > 100 || !/^[^:\\]+$/.test(name) || name.includes('/action/') || /<script>[\s\S]*<\/script>/i.test(name)) {
    throw invalidParameter(`Invalid ${member} ${JSON.stringify(name)}: 1 to 100 characters, no ':' or '\\', and not containing '/action/'.`);
  }
  return name;
}

function checkSpend(s: Spend | undefined, member: string, type: BudgetType): Spend {
  if (!s || typeof s.Amount !== 'string' || !AMOUNT_RE.test(s.Amount)) throw invalidParameter(`${member}.Amount must be a decimal number as a string, such as "100.0"`);
  if (typeof s.Unit !== 'string' || s.Unit === '') throw invalidParameter(`${member}.Unit is required`);
  if (type === 'COST' && s.Unit !== 'USD') throw invalidParameter(`${member}.Unit must be USD for a COST budget (got ${s.Unit})`);
  return { Amount: normalizeAmount(s.Amount), Unit: s.Unit };
}

const COST_METRICS = new Set(['BlendedCost', 'UnblendedCost', 'AmortizedCost', 'NetUnblendedCost', 'NetAmortizedCost']);
const USAGE_METRICS = new Set(['UsageQuantity', 'NormalizedUsageAmount', 'Hours']);

const toMs = (v: unknown): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v * 1000 : Date.parse(String(v));
  if (!Number.isFinite(ms)) throw invalidParameter(`Invalid timestamp ${JSON.stringify(v)}`);
  return ms;
};

/** A Budget member checked and turned into the fields of a record (notifications, tags and spend are the caller's). */
export function parseBudget(b: any, nowMs: number): Omit<BudgetRecord, 'createdMs' | 'updatedMs' | 'tags' | 'notifications' | 'limitLog' | 'nextEvalMs'> {
  if (!b || typeof b !== 'object') throw invalidParameter('Budget is required');
  const name = checkName(b.BudgetName);
  const type = b.BudgetType as string;
  if (type === 'RI_UTILIZATION' || type === 'RI_COVERAGE' || type === 'SAVINGS_PLANS_UTILIZATION' || type === 'SAVINGS_PLANS_COVERAGE') {
    throw invalidParameter(`BudgetType ${type} is not supported by cloudlet: COST and USAGE budgets are`);
  }
  if (type !== 'COST' && type !== 'USAGE') throw invalidParameter(`Invalid BudgetType ${JSON.stringify(type)}: COST or USAGE`);
  const unit = b.TimeUnit as TimeUnit;
  if (!['DAILY', 'MONTHLY', 'QUARTERLY', 'ANNUALLY', 'CUSTOM'].includes(unit)) throw invalidParameter(`Invalid TimeUnit ${JSON.stringify(unit)}`);
  if (b.AutoAdjustData !== undefined) throw invalidParameter('AutoAdjustData (auto-adjusting budgets) is not supported by cloudlet: give a BudgetLimit or PlannedBudgetLimits');
  const hasLimit = b.BudgetLimit !== undefined;
  const hasPlanned = b.PlannedBudgetLimits !== undefined && Object.keys(b.PlannedBudgetLimits).length > 0;
  if (!hasLimit && !hasPlanned) throw invalidParameter('Unable to create/update budget - please provide one of the followings: Budget Limit/ Planned Budget Limit/ Auto Adjust Data');
  if (hasLimit && hasPlanned) throw invalidParameter('Only one of BudgetLimit or PlannedBudgetLimits can be present');
  const startIn = toMs(b.TimePeriod?.Start);
  const endIn = toMs(b.TimePeriod?.End);
  if (unit === 'CUSTOM' && (startIn === undefined || endIn === undefined)) throw invalidParameter('A CUSTOM budget needs a TimePeriod with both Start and End');
  const startMs = startIn ?? defaultStart(unit, nowMs);
  const endMs = endIn ?? DEFAULT_END_MS;
  if (startMs >= endMs) throw invalidParameter('The start date of the TimePeriod must come before its end date');
  if (endMs > DEFAULT_END_MS) throw invalidParameter('The end date of the TimePeriod must come before 06/15/87 00:00 UTC');
  const out: ReturnType<typeof parseBudget> = { name, type, timeUnit: unit, startMs, endMs };
  if (hasLimit) out.limit = checkSpend(b.BudgetLimit, 'BudgetLimit', type);
  if (hasPlanned) {
    if (unit !== 'MONTHLY' && unit !== 'QUARTERLY') throw invalidParameter('PlannedBudgetLimits are for MONTHLY and QUARTERLY budgets');
    const planned: Record<string, Spend> = {};
    for (const [k, v] of Object.entries(b.PlannedBudgetLimits as Record<string, Spend>)) {
      if (!/^\d{1,12}$/.test(k)) throw invalidParameter(`PlannedBudgetLimits key ${JSON.stringify(k)} must be a period start in epoch seconds`);
      planned[k] = checkSpend(v, `PlannedBudgetLimits[${k}]`, type);
    }
    out.planned = planned;
  }
  const hasFilters = b.CostFilters !== undefined && Object.keys(b.CostFilters).length > 0;
  if (hasFilters && b.FilterExpression !== undefined) throw invalidParameter('Only one of CostFilters or FilterExpression can be present');
  if (hasFilters) { compileCostFilters(b.CostFilters as CostFilters); out.costFilters = b.CostFilters; }
  if (b.FilterExpression !== undefined) { compileExpression(b.FilterExpression as Expression); out.filterExpression = b.FilterExpression; }
  if (b.CostTypes !== undefined) {
    const ct = b.CostTypes as CostTypes;
    if (ct.UseBlended && ct.UseAmortized) throw invalidParameter('CostTypes: UseBlended and UseAmortized cannot both be true');
    out.costTypes = ct;
  }
  if (b.Metrics !== undefined) {
    const ms = b.Metrics as string[];
    if (!Array.isArray(ms) || ms.length > 1) throw invalidParameter('Metrics takes at most one metric');
    for (const m of ms) {
      if (!(type === 'COST' ? COST_METRICS : USAGE_METRICS).has(m)) throw invalidParameter(`Metric ${m} is not a metric of a ${type} budget`);
    }
    out.metrics = ms;
  }
  if (b.BillingViewArn !== undefined) {
    if (!/^arn:aws[a-z-]*:billing::\d{12}:billingview\/primary$/.test(String(b.BillingViewArn))) {
      throw new AwsError('NotFoundException', `Billing view ${String(b.BillingViewArn)} does not exist: cloudlet has each account's primary view only`);
    }
    out.billingViewArn = b.BillingViewArn;
  }
  return out;
}

/** The identity of a notification: what Describe/Update/Delete name it by. */
export function notificationKey(n: { type: string; op: string; threshold: number; thresholdType: string }): string {
  return `${n.type}|${n.op}|${n.threshold}|${n.thresholdType}`;
}

export function parseNotification(n: any, member = 'Notification'): Omit<NotificationRecord, 'state' | 'subscribers'> {
  if (!n || typeof n !== 'object') throw invalidParameter(`${member} is required`);
  if (n.NotificationType !== 'ACTUAL' && n.NotificationType !== 'FORECASTED') throw invalidParameter(`Invalid ${member}.NotificationType ${JSON.stringify(n.NotificationType)}: ACTUAL or FORECASTED`);
  if (!['GREATER_THAN', 'LESS_THAN', 'EQUAL_TO'].includes(n.ComparisonOperator)) throw invalidParameter(`Invalid ${member}.ComparisonOperator ${JSON.stringify(n.ComparisonOperator)}`);
  const thresholdType = n.ThresholdType ?? 'PERCENTAGE';
  if (thresholdType !== 'PERCENTAGE' && thresholdType !== 'ABSOLUTE_VALUE') throw invalidParameter(`Invalid ${member}.ThresholdType ${JSON.stringify(n.ThresholdType)}`);
  const t = n.Threshold;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 15_000_000_000_000) throw invalidParameter(`${member}.Threshold must be a number from 0 to 15000000000000`);
  if (thresholdType === 'PERCENTAGE' && t > 1_000_000) throw invalidParameter(`${member}.Threshold of a PERCENTAGE notification is at most 1000000 (%)`);
  return { type: n.NotificationType, op: n.ComparisonOperator, threshold: t, thresholdType };
}

export function parseSubscriber(s: any, member = 'Subscriber'): SubscriberRecord {
  if (!s || typeof s !== 'object') throw invalidParameter(`${member} is required`);
  const address = s.Address;
  if (typeof address !== 'string' || address === '') throw invalidParameter(`${member}.Address is required`);
  if (s.SubscriptionType === 'SNS') {
    if (!TOPIC_RE.test(address)) throw invalidParameter(`Invalid SNS topic ARN ${JSON.stringify(address)}`);
  } else if (s.SubscriptionType === 'EMAIL') {
    if (address.length > 320 || !EMAIL_RE.test(address)) throw invalidParameter(`Invalid email address ${JSON.stringify(address)}`);
  } else {
    throw invalidParameter(`Invalid ${member}.SubscriptionType ${JSON.stringify(s.SubscriptionType)}: SNS or EMAIL`);
  }
  return { type: s.SubscriptionType, address };
}

/** A notification's subscribers: 1 to 11, at most one SNS topic and ten email addresses, no duplicates. */
export function parseSubscribers(list: any, member = 'Subscribers'): SubscriberRecord[] {
  if (!Array.isArray(list) || list.length === 0) throw invalidParameter(`${member} must have at least one subscriber`);
  const out = list.map((s, i) => parseSubscriber(s, `${member}[${i}]`));
  checkSubscriberCounts(out);
  const seen = new Set<string>();
  for (const s of out) {
    const k = `${s.type}|${s.address}`;
    if (seen.has(k)) throw new AwsError('DuplicateRecordException', `Subscriber ${s.type} ${s.address} is listed twice`);
    seen.add(k);
  }
  return out;
}

export function checkSubscriberCounts(subs: SubscriberRecord[], code = 'InvalidParameterException'): void {
  const sns = subs.filter((s) => s.type === 'SNS').length;
  const email = subs.length - sns;
  if (sns > MAX_SNS_SUBSCRIBERS || email > MAX_EMAIL_SUBSCRIBERS) {
    throw new AwsError(code, `A notification can have one SNS subscriber and up to 10 email subscribers (this one would have ${sns} SNS and ${email} email)`);
  }
}

export function parseTags(list: any, member = 'ResourceTags'): Tag[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw invalidParameter(`${member} must be a list`);
  if (list.length > MAX_TAGS) throw new AwsError('ServiceQuotaExceededException', `A budget resource can have at most ${MAX_TAGS} tags`);
  const keys = new Set<string>();
  return list.map((t: any, i: number) => {
    if (typeof t?.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) throw invalidParameter(`${member}[${i}].Key must be 1 to 128 characters`);
    if (/^aws:/i.test(t.Key)) throw invalidParameter(`${member}[${i}].Key: the aws: prefix is reserved for AWS`);
    if (typeof t.Value !== 'string' || t.Value.length > 256) throw invalidParameter(`${member}[${i}].Value must be at most 256 characters`);
    if (keys.has(t.Key)) throw invalidParameter(`${member}: the key ${t.Key} is given twice`);
    keys.add(t.Key);
    return { Key: t.Key, Value: t.Value };
  });
}
