/**
 * Budget actions: what runs when a budget crosses a threshold. APPLY_IAM_POLICY and
 * RUN_SSM_DOCUMENTS with STOP_EC2_INSTANCES run for real (action-run.ts); APPLY_SCP_POLICY
 * (AWS Organizations) and STOP_RDS_INSTANCES (RDS) are refused: cloudlet has neither.
 *
 * Status: STANDBY until the threshold is crossed; then an AUTOMATIC action runs
 * (EXECUTION_SUCCESS / EXECUTION_FAILURE) and a MANUAL one waits in PENDING for
 * ExecuteBudgetAction APPROVE_BUDGET_ACTION. RETRY runs a failed action again, REVERSE undoes an
 * IAM action, RESET puts an action back in STANDBY (it may trigger again in this period).
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { execute, reverse } from './action-run.js';
import {
  ACTION, ACTION_HISTORY, actionId, actionsOf, addActionHistory, globalScope, invalidParameter, mustBudget, notFound, saveAction,
  type ActionDefinition, type ActionHistoryRecord, type ActionRecord,
} from './records.js';
import { actionView, page } from './shapes.js';
import { saveForEvaluation } from './step.js';
import { checkAccount, checkName, parseSubscribers, parseTags } from './validate.js';

const ROLE_ARN = /^arn:aws(-eusc|-cn|-us-gov|-iso|-iso-[a-z]{1})?:iam::\d{12}:role(\/[\u0021-\u007F]+\/|\/)[\w+=,.@-]+$/;
const POLICY_ARN = /^arn:aws(-eusc|-cn|-us-gov|-iso|-iso-[a-z]{1})?:iam::(\d{12}|aws):policy(\/[\u0021-\u007F]+\/|\/)[\w+=,.@-]+$/;
const ENTITY = /^([\u0021-\u007F]+\/)?[\w+=,.@-]+$/;
const INSTANCE_ID = /^i-(\w{8}|\w{17})$/;
const REGION = /^\w{2,4}-\w+(-\w+)?-\d$/;
const ACTION_ID = /^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$/;

function checkThreshold(t: any): ActionRecord['threshold'] {
  const v = t?.ActionThresholdValue;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 15_000_000_000_000) throw invalidParameter('ActionThreshold.ActionThresholdValue must be a number from 0 to 15000000000000');
  if (t.ActionThresholdType !== 'PERCENTAGE' && t.ActionThresholdType !== 'ABSOLUTE_VALUE') throw invalidParameter('ActionThreshold.ActionThresholdType must be PERCENTAGE or ABSOLUTE_VALUE');
  return { ActionThresholdValue: v, ActionThresholdType: t.ActionThresholdType };
}

function checkList(list: unknown, member: string, re: RegExp, max = 100): string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length < 1 || list.length > max) throw invalidParameter(`${member} must list 1 to ${max} names`);
  for (const x of list) if (typeof x !== 'string' || !re.test(x)) throw invalidParameter(`Invalid ${member} entry ${JSON.stringify(x)}`);
  return list as string[];
}

function checkDefinition(type: string, d: any): ActionDefinition {
  if (type === 'APPLY_SCP_POLICY') {
    throw invalidParameter('APPLY_SCP_POLICY actions attach service control policies through AWS Organizations, which cloudlet does not have: use APPLY_IAM_POLICY or RUN_SSM_DOCUMENTS');
  }
  if (type === 'APPLY_IAM_POLICY') {
    const iam = d?.IamActionDefinition;
    if (!iam || d.SsmActionDefinition || d.ScpActionDefinition) throw invalidParameter('An APPLY_IAM_POLICY action needs Definition.IamActionDefinition (and no other definition)');
    if (typeof iam.PolicyArn !== 'string' || !POLICY_ARN.test(iam.PolicyArn)) throw invalidParameter(`Invalid IamActionDefinition.PolicyArn ${JSON.stringify(iam.PolicyArn)}`);
    const roles = checkList(iam.Roles, 'IamActionDefinition.Roles', ENTITY);
    const users = checkList(iam.Users, 'IamActionDefinition.Users', ENTITY);
    const groups = checkList(iam.Groups, 'IamActionDefinition.Groups', ENTITY);
    if (!roles && !users && !groups) throw invalidParameter('IamActionDefinition needs at least one of Roles, Users or Groups');
    return { IamActionDefinition: { PolicyArn: iam.PolicyArn, ...(roles ? { Roles: roles } : {}), ...(users ? { Users: users } : {}), ...(groups ? { Groups: groups } : {}) } };
  }
  if (type === 'RUN_SSM_DOCUMENTS') {
    const ssm = d?.SsmActionDefinition;
    if (!ssm || d.IamActionDefinition || d.ScpActionDefinition) throw invalidParameter('A RUN_SSM_DOCUMENTS action needs Definition.SsmActionDefinition (and no other definition)');
    if (ssm.ActionSubType === 'STOP_RDS_INSTANCES') throw invalidParameter('STOP_RDS_INSTANCES stops RDS instances, which cloudlet does not have: STOP_EC2_INSTANCES is supported');
    if (ssm.ActionSubType !== 'STOP_EC2_INSTANCES') throw invalidParameter(`Invalid SsmActionDefinition.ActionSubType ${JSON.stringify(ssm.ActionSubType)}`);
    if (typeof ssm.Region !== 'string' || !REGION.test(ssm.Region)) throw invalidParameter(`Invalid SsmActionDefinition.Region ${JSON.stringify(ssm.Region)}`);
    const ids = checkList(ssm.InstanceIds, 'SsmActionDefinition.InstanceIds', INSTANCE_ID);
    if (!ids) throw invalidParameter('SsmActionDefinition.InstanceIds is required');
    return { SsmActionDefinition: { ActionSubType: 'STOP_EC2_INSTANCES', Region: ssm.Region, InstanceIds: [...new Set(ids)] } };
  }
  throw invalidParameter(`Invalid ActionType ${JSON.stringify(type)}`);
}

function checkRoleArn(arn: unknown): string {
  if (typeof arn !== 'string' || arn.length < 32 || arn.length > 618 || !ROLE_ARN.test(arn)) throw invalidParameter(`Invalid ExecutionRoleArn ${JSON.stringify(arn)}`);
  return arn;
}

function checkApproval(m: unknown): ActionRecord['approvalModel'] {
  if (m !== 'AUTOMATIC' && m !== 'MANUAL') throw invalidParameter(`Invalid ApprovalModel ${JSON.stringify(m)}: AUTOMATIC or MANUAL`);
  return m;
}

function checkType(t: unknown): ActionRecord['notificationType'] {
  if (t !== 'ACTUAL' && t !== 'FORECASTED') throw invalidParameter(`Invalid NotificationType ${JSON.stringify(t)}: ACTUAL or FORECASTED`);
  return t;
}

function mustAction(ctx: RequestContext, input: any, what: string): { account: string; a: ActionRecord } {
  const account = checkAccount(ctx, input.AccountId);
  const name = checkName(input.BudgetName);
  mustBudget(ctx.tx, account, name, what);
  if (typeof input.ActionId !== 'string' || !ACTION_ID.test(input.ActionId)) throw invalidParameter(`Invalid ActionId ${JSON.stringify(input.ActionId)}`);
  const a = ctx.tx.get<ActionRecord>(globalScope(account), ACTION, actionId(name, input.ActionId));
  if (!a) throw notFound(`${what} - the action ${input.ActionId} doesn't exist for budget ${name}.`);
  return { account, a };
}

function record(ctx: RequestContext, a: ActionRecord, eventType: ActionHistoryRecord['eventType'], message: string): void {
  addActionHistory(ctx.tx, ctx.account, { atMs: ctx.clock.nowMs(), status: a.status, eventType, message, action: { ...a } });
}

export const createBudgetAction: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const name = checkName(input.BudgetName);
  const b = mustBudget(ctx.tx, account, name, 'Unable to create action');
  const a: ActionRecord = {
    id: randomUUID(), budgetName: name, notificationType: checkType(input.NotificationType), actionType: input.ActionType,
    threshold: checkThreshold(input.ActionThreshold), definition: checkDefinition(input.ActionType, input.Definition),
    executionRoleArn: checkRoleArn(input.ExecutionRoleArn), approvalModel: checkApproval(input.ApprovalModel), status: 'STANDBY',
    subscribers: parseSubscribers(input.Subscribers), tags: parseTags(input.ResourceTags), createdMs: ctx.clock.nowMs(),
  };
  saveAction(ctx.tx, account, a);
  record(ctx, a, 'CREATE_ACTION', 'The action was created');
  // The threshold may be crossed already: evaluate the budget now.
  saveForEvaluation(ctx.tx, account, b, ctx.clock.nowMs());
  return { AccountId: account, BudgetName: name, ActionId: a.id };
};

export const describeBudgetAction: Handler = (input, ctx) => {
  const { account, a } = mustAction(ctx, input, 'Unable to get action');
  return { AccountId: account, BudgetName: a.budgetName, Action: actionView(a) };
};

export const describeBudgetActionsForBudget: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const name = checkName(input.BudgetName);
  mustBudget(ctx.tx, account, name, 'Unable to get actions');
  const p = page(actionsOf(ctx.tx, account, name), (a) => a.id, input, 100, 100);
  return { Actions: p.items.map(actionView), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

export const describeBudgetActionsForAccount: Handler = (input, ctx) => {
  const account = checkAccount(ctx, input.AccountId);
  const all = ctx.tx.list<ActionRecord>(globalScope(account), ACTION).map((r) => ({ k: r.id, a: r.value }));
  const p = page(all, (x) => x.k, input, 100, 100);
  return { Actions: p.items.map((x) => actionView(x.a)), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};

const BUSY = new Set(['EXECUTION_IN_PROGRESS', 'REVERSE_IN_PROGRESS', 'RESET_IN_PROGRESS']);

export const updateBudgetAction: Handler = (input, ctx) => {
  const { account, a } = mustAction(ctx, input, 'Unable to update action');
  if (BUSY.has(a.status)) throw new AwsError('ResourceLockedException', `The action ${a.id} is ${a.status}: try again when it has finished`);
  const old = actionView(a);
  const next: ActionRecord = {
    ...a,
    ...(input.NotificationType !== undefined ? { notificationType: checkType(input.NotificationType) } : {}),
    ...(input.ActionThreshold !== undefined ? { threshold: checkThreshold(input.ActionThreshold) } : {}),
    ...(input.Definition !== undefined ? { definition: checkDefinition(a.actionType, input.Definition) } : {}),
    ...(input.ExecutionRoleArn !== undefined ? { executionRoleArn: checkRoleArn(input.ExecutionRoleArn) } : {}),
    ...(input.ApprovalModel !== undefined ? { approvalModel: checkApproval(input.ApprovalModel) } : {}),
    ...(input.Subscribers !== undefined ? { subscribers: parseSubscribers(input.Subscribers) } : {}),
  };
  saveAction(ctx.tx, account, next);
  record(ctx, next, 'UPDATE_ACTION', 'The action was updated');
  saveForEvaluation(ctx.tx, account, mustBudget(ctx.tx, account, a.budgetName, 'Unable to update action'), ctx.clock.nowMs());
  return { AccountId: account, BudgetName: a.budgetName, OldAction: old, NewAction: actionView(next) };
};

export const deleteBudgetAction: Handler = (input, ctx) => {
  const { account, a } = mustAction(ctx, input, 'Unable to delete action');
  if (BUSY.has(a.status)) throw new AwsError('ResourceLockedException', `The action ${a.id} is ${a.status}: try again when it has finished`);
  const scope = globalScope(account);
  for (const h of ctx.tx.list(scope, ACTION_HISTORY, { prefix: `${a.id}:` })) ctx.tx.delete(scope, ACTION_HISTORY, h.id);
  ctx.tx.delete(scope, ACTION, actionId(a.budgetName, a.id));
  return { AccountId: account, BudgetName: a.budgetName, Action: actionView(a) };
};

/** Which statuses each execution type applies to. */
const FROM: Record<string, readonly string[]> = {
  APPROVE_BUDGET_ACTION: ['PENDING'],
  RETRY_BUDGET_ACTION: ['EXECUTION_FAILURE', 'REVERSE_FAILURE'],
  REVERSE_BUDGET_ACTION: ['EXECUTION_SUCCESS'],
  RESET_BUDGET_ACTION: ['PENDING', 'EXECUTION_SUCCESS', 'EXECUTION_FAILURE', 'REVERSE_SUCCESS', 'REVERSE_FAILURE', 'RESET_FAILURE'],
};

export const executeBudgetAction: Handler = (input, ctx) => {
  const { account, a } = mustAction(ctx, input, 'Unable to execute action');
  const type = input.ExecutionType as string;
  const from = FROM[type];
  if (!from) throw invalidParameter(`Invalid ExecutionType ${JSON.stringify(type)}`);
  if (BUSY.has(a.status)) throw new AwsError('ResourceLockedException', `The action ${a.id} is ${a.status}: try again when it has finished`);
  if (!from.includes(a.status)) throw invalidParameter(`${type} does not apply to an action in status ${a.status} (it applies in ${from.join(', ')})`);
  if (type === 'REVERSE_BUDGET_ACTION' || (type === 'RETRY_BUDGET_ACTION' && a.status === 'REVERSE_FAILURE')) {
    if (a.actionType !== 'APPLY_IAM_POLICY') throw invalidParameter('Only APPLY_IAM_POLICY actions can be reversed: start the stopped instances with StartInstances');
    reverse(ctx, a);
  } else if (type === 'RESET_BUDGET_ACTION') {
    a.status = 'STANDBY';
    delete a.firedPeriodMs;
    saveAction(ctx.tx, account, a);
    record(ctx, a, 'EXECUTE_ACTION', 'The action was reset to standby');
  } else {
    execute(ctx, a, 'EXECUTE_ACTION');
  }
  return { AccountId: account, BudgetName: a.budgetName, ActionId: a.id, ExecutionType: type };
};

export const describeBudgetActionHistories: Handler = (input, ctx) => {
  const { account, a } = mustAction(ctx, input, 'Unable to get action histories');
  const from = input.TimePeriod?.Start ? new Date(input.TimePeriod.Start).getTime() : -Infinity;
  const to = input.TimePeriod?.End ? new Date(input.TimePeriod.End).getTime() : Infinity;
  const rows = ctx.tx.list<ActionHistoryRecord>(globalScope(account), ACTION_HISTORY, { prefix: `${a.id}:` })
    .filter((r) => r.value.atMs >= from && r.value.atMs < to);
  const p = page(rows, (r) => r.id, input, 100, 100);
  return {
    ActionHistories: p.items.map((r) => ({
      Timestamp: new Date(r.value.atMs), Status: r.value.status, EventType: r.value.eventType,
      ActionHistoryDetails: { Message: r.value.message, Action: actionView(r.value.action) },
    })),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
};
