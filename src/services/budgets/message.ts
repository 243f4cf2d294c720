/**
 * The text AWS Budgets sends to a notification's subscribers (the same text to SNS topics and
 * email addresses), in AWS's layout:
 *
 *   AWS Budget Notification September 26, 2022
 *   AWS Account 017790921725
 *
 *   Dear AWS Customer,
 *
 *   You requested that we alert you when the ACTUAL Cost associated with your Test Budget budget
 *   is greater than $0.16 for the current month. The ACTUAL Cost associated with this budget is
 *   $0.59. You can find additional details below and by accessing the AWS Budgets dashboard [1].
 *
 *   Budget Name: Test Budget
 *   ...
 *
 * and the subject "AWS Budgets: Test Budget has exceeded your alert threshold". Pure.
 */
import { periodPhrase, type TimeUnit } from './periods.js';
import { formatAmount, OP_SYMBOL, OP_WORDS, thresholdAmount, type ComparisonOperator, type ThresholdType } from './thresholds.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "March 04, 2023": the date line of a budget notification (UTC). */
export function notificationDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, '0')}, ${d.getUTCFullYear()}`;
}

export interface AlertFacts {
  account: string;
  budgetName: string;
  budgetType: 'COST' | 'USAGE';
  timeUnit: TimeUnit;
  unit: string;
  limit: number;
  notificationType: 'ACTUAL' | 'FORECASTED';
  op: ComparisonOperator;
  threshold: number;
  thresholdType: ThresholdType;
  /** The actual or forecasted amount that crossed the threshold. */
  value: number;
  atMs: number;
}

export const DASHBOARD = 'https://console.aws.amazon.com/billing/home#/budgets';

/** The subject AWS sends with every budget alert, ACTUAL or FORECASTED alike (the body says which). */
export function alertSubject(f: Pick<AlertFacts, 'budgetName'>): string {
  return `AWS Budgets: ${f.budgetName} has exceeded your alert threshold`;
}

export function alertText(f: AlertFacts): string {
  const kind = f.budgetType === 'COST' ? 'Cost' : 'Usage';
  const at = formatAmount(thresholdAmount(f, f.limit), f.unit);
  const value = formatAmount(f.value, f.unit);
  return [
    `AWS Budget Notification ${notificationDate(f.atMs)}`,
    `AWS Account ${f.account}`,
    '',
    'Dear AWS Customer,',
    '',
    `You requested that we alert you when the ${f.notificationType} ${kind} associated with your ${f.budgetName} budget ${OP_WORDS[f.op]} ${at} ${periodPhrase(f.timeUnit)}. `
      + `The ${f.notificationType} ${kind} associated with this budget is ${value}. You can find additional details below and by accessing the AWS Budgets dashboard [1].`,
    '',
    `Budget Name: ${f.budgetName}`,
    `Budget Type: ${kind}`,
    `Budgeted Amount: ${formatAmount(f.limit, f.unit)}`,
    `Alert Type: ${f.notificationType}`,
    `Alert Threshold: ${OP_SYMBOL[f.op]} ${at}`,
    `${f.notificationType} Amount: ${value}`,
    '',
    `[1] ${DASHBOARD}`,
    '',
  ].join('\n');
}

/** What an action's subscribers are told when its threshold triggers it (executed, or waiting for approval). */
export function actionText(o: { account: string; budgetName: string; actionId: string; actionType: string; status: string; detail: string; atMs: number }): string {
  const pending = o.status === 'PENDING';
  return [
    `AWS Budget Action Notification ${notificationDate(o.atMs)}`,
    `AWS Account ${o.account}`,
    '',
    'Dear AWS Customer,',
    '',
    pending
      ? `The threshold of the ${o.actionType} action ${o.actionId} of your ${o.budgetName} budget has been exceeded. The action is waiting for your approval (ExecuteBudgetAction APPROVE_BUDGET_ACTION).`
      : `The threshold of the ${o.actionType} action ${o.actionId} of your ${o.budgetName} budget has been exceeded, and the action ran: ${o.status}.`,
    '',
    `Budget Name: ${o.budgetName}`,
    `Action ID: ${o.actionId}`,
    `Action Type: ${o.actionType}`,
    `Action Status: ${o.status}`,
    `Details: ${o.detail}`,
    '',
    `[1] ${DASHBOARD}`,
    '',
  ].join('\n');
}

export function actionSubject(budgetName: string, status: string): string {
  return status === 'PENDING' ? `AWS Budgets: an action of ${budgetName} is waiting for your approval` : `AWS Budgets: an action of ${budgetName} has run`;
}
