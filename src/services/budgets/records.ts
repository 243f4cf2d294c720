/**
 * Budgets rows, all in the account's global scope {account, region: ''}:
 *   budgets:budget          id = budget name; its notifications and their subscribers inside
 *                           (at most 10 x 11: small), its last computed spend, its next evaluation
 *   budgets:action          id = `${budgetName}:${actionId}` (':' never occurs in a budget name,
 *                           so a budget's actions are one prefix)
 *   budgets:action-history  id = `${actionId}:${zero-padded ms}:${seq}`: one action's events in time order
 *   budgets:schedule        id = 'next': the earliest evaluation due (what the fleet step's nextDue reads)
 */
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import type { Expression, CostFilters } from './filters.js';
import type { BudgetType, CostTypes } from './measure.js';
import type { TimeUnit } from './periods.js';
import type { ComparisonOperator, ThresholdType } from './thresholds.js';

export const BUDGET = 'budgets:budget';
export const ACTION = 'budgets:action';
export const ACTION_HISTORY = 'budgets:action-history';
export const SCHEDULE = 'budgets:schedule';

export const globalScope = (account: string): Scope => ({ account, region: '' });

export interface Spend { Amount: string; Unit: string }
export interface Tag { Key: string; Value: string }

export interface SubscriberRecord { type: 'EMAIL' | 'SNS'; address: string }

export interface NotificationRecord {
  type: 'ACTUAL' | 'FORECASTED';
  op: ComparisonOperator;
  threshold: number;
  thresholdType: ThresholdType;
  state: 'OK' | 'ALARM';
  subscribers: SubscriberRecord[];
  /** The start of the period this notification last sent in: it sends once per period. */
  sentPeriodMs?: number;
}

export interface BudgetRecord {
  name: string;
  type: BudgetType;
  timeUnit: TimeUnit;
  limit?: Spend;
  /** Epoch seconds of a period start -> its limit. */
  planned?: Record<string, Spend>;
  costFilters?: CostFilters;
  filterExpression?: Expression;
  costTypes?: CostTypes;
  metrics?: string[];
  autoAdjust?: { AutoAdjustType: 'HISTORICAL' | 'FORECAST'; HistoricalOptions?: { BudgetAdjustmentPeriod: number; LookBackAvailablePeriods?: number }; LastAutoAdjustTimeMs?: number };
  billingViewArn?: string;
  startMs: number;
  endMs: number;
  createdMs: number;
  updatedMs: number;
  tags: Tag[];
  notifications: NotificationRecord[];
  /** [fromMs, limit] each time BudgetLimit changed: the performance history's budgeted amounts. */
  limitLog: Array<[number, string]>;
  /** What the last evaluation found (CalculatedSpend). */
  spend?: { actual: number; forecast?: number; atMs: number; periodStartMs: number };
  /** When the next evaluation is due. */
  nextEvalMs: number;
}

export type ActionStatus = 'STANDBY' | 'PENDING' | 'EXECUTION_IN_PROGRESS' | 'EXECUTION_SUCCESS' | 'EXECUTION_FAILURE'
  | 'REVERSE_IN_PROGRESS' | 'REVERSE_SUCCESS' | 'REVERSE_FAILURE' | 'RESET_IN_PROGRESS' | 'RESET_FAILURE';

export interface ActionDefinition {
  IamActionDefinition?: { PolicyArn: string; Roles?: string[]; Groups?: string[]; Users?: string[] };
  ScpActionDefinition?: { PolicyId: string; TargetIds: string[] };
  SsmActionDefinition?: { ActionSubType: 'STOP_EC2_INSTANCES' | 'STOP_RDS_INSTANCES'; Region: string; InstanceIds: string[] };
}

export interface ActionRecord {
  id: string;
  budgetName: string;
  notificationType: 'ACTUAL' | 'FORECASTED';
  actionType: 'APPLY_IAM_POLICY' | 'APPLY_SCP_POLICY' | 'RUN_SSM_DOCUMENTS';
  threshold: { ActionThresholdValue: number; ActionThresholdType: ThresholdType };
  definition: ActionDefinition;
  executionRoleArn: string;
  approvalModel: 'AUTOMATIC' | 'MANUAL';
  status: ActionStatus;
  subscribers: SubscriberRecord[];
  tags: Tag[];
  createdMs: number;
  /** The start of the period in which the threshold last triggered it: once per period. */
  firedPeriodMs?: number;
  /** What the last execution changed, so a reverse undoes exactly that. */
  applied?: { attached?: Array<{ kind: 'role' | 'user' | 'group'; name: string }>; stopped?: string[] };
}

export interface ActionHistoryRecord {
  atMs: number;
  status: ActionStatus;
  eventType: 'SYSTEM' | 'CREATE_ACTION' | 'DELETE_ACTION' | 'UPDATE_ACTION' | 'EXECUTE_ACTION';
  message: string;
  action: ActionRecord;
}

export const actionId = (budgetName: string, id: string): string => `${budgetName}:${id}`;
export const padMs = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(15, '0');

export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterException', message);
export const notFound = (message: string): AwsError => new AwsError('NotFoundException', message);
export const duplicate = (message: string): AwsError => new AwsError('DuplicateRecordException', message);
export const limitExceeded = (message: string): AwsError => new AwsError('CreationLimitExceededException', message);

export function getBudget(tx: Tx, account: string, name: string): BudgetRecord | undefined {
  return tx.get<BudgetRecord>(globalScope(account), BUDGET, name);
}

export function mustBudget(tx: Tx, account: string, name: string, what: string): BudgetRecord {
  const b = getBudget(tx, account, name);
  if (!b) throw notFound(`${what} - the budget doesn't exist.`);
  return b;
}

export function allBudgets(tx: Tx, account: string): BudgetRecord[] {
  return tx.list<BudgetRecord>(globalScope(account), BUDGET).map((r) => r.value);
}

export function actionsOf(tx: Tx, account: string, budgetName: string): ActionRecord[] {
  return tx.list<ActionRecord>(globalScope(account), ACTION, { prefix: `${budgetName}:` }).map((r) => r.value);
}

export function saveAction(tx: Tx, account: string, a: ActionRecord): void {
  tx.put(globalScope(account), ACTION, actionId(a.budgetName, a.id), a);
}

export function addActionHistory(tx: Tx, account: string, h: ActionHistoryRecord): void {
  const scope = globalScope(account);
  const prefix = `${h.action.id}:${padMs(h.atMs)}:`;
  const seq = tx.count(scope, ACTION_HISTORY, { prefix });
  tx.put(scope, ACTION_HISTORY, `${prefix}${String(seq).padStart(4, '0')}`, h);
}

/** Removes a budget with everything under it: its actions and their history. */
export function deleteBudgetRows(tx: Tx, account: string, name: string): void {
  const scope = globalScope(account);
  for (const a of actionsOf(tx, account, name)) {
    for (const h of tx.list(scope, ACTION_HISTORY, { prefix: `${a.id}:` })) tx.delete(scope, ACTION_HISTORY, h.id);
    tx.delete(scope, ACTION, actionId(name, a.id));
  }
  tx.delete(scope, BUDGET, name);
}
