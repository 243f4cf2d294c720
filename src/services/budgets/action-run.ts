/**
 * Running budget actions for real. AWS Budgets acts as the action's execution role, so the
 * role must exist, trust budgets.amazonaws.com, and be allowed what the action does (checked
 * with IAM's own policy simulation); then:
 *   APPLY_IAM_POLICY   attaches the managed policy to the roles, users and groups (IAM's own
 *                      Attach*Policy handlers); a reverse detaches what this run attached.
 *   RUN_SSM_DOCUMENTS  STOP_EC2_INSTANCES stops the instances through EC2's StopInstances in
 *                      their Region, so they stop exactly as a StopInstances call stops them.
 * Everything is checked before anything changes: a run that fails changes nothing and the
 * action shows EXECUTION_FAILURE with the reason in its history.
 */
import { evaluate, parsePolicy } from '../../policy/index.js';
import { attachGroupPolicy, attachRolePolicy, attachUserPolicy, detachGroupPolicy, detachRolePolicy, detachUserPolicy } from '../iam/attach.js';
import { find, mustManaged } from '../iam/entities.js';
import { simulatePrincipalPolicy } from '../iam/simulate.js';
import { stopInstances } from '../ec2/compute/instances-actions.js';
import { isAwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';
import { deliver } from './deliver.js';
import { actionSubject, actionText } from './message.js';
import { addActionHistory, saveAction, type ActionHistoryRecord, type ActionRecord, type ActionStatus } from './records.js';

type Holder = 'role' | 'user' | 'group';
const BUDGETS = 'budgets.amazonaws.com';

class RunFailure extends Error {}

/** "path/name" (the definition may carry a path) -> name. */
const entityName = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

function history(ctx: RequestContext, a: ActionRecord, status: ActionStatus, eventType: ActionHistoryRecord['eventType'], message: string): void {
  addActionHistory(ctx.tx, ctx.account, { atMs: ctx.clock.nowMs(), status, eventType, message, action: { ...a, status } });
}

/** The execution role, trusted by Budgets and allowed `actions` on `resources`. */
function checkRole(ctx: RequestContext, a: ActionRecord, needs: Array<{ action: string; resource: string }>): void {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(a.executionRoleArn);
  const role = m && m[1] === ctx.account ? find(ctx.tx, ctx.account, 'role', m[2]!) : undefined;
  if (!role || role.arn !== a.executionRoleArn) throw new RunFailure(`The execution role ${a.executionRoleArn} does not exist`);
  const trust = evaluate({
    action: 'sts:AssumeRole', resource: role.arn, resourceAccount: ctx.account,
    principal: { kind: 'service', service: BUDGETS, arn: BUDGETS, account: '' },
    context: { 'aws:SourceAccount': ctx.account },
  }, { identity: [], resource: parsePolicy(role.assumeRolePolicyDocument, { kind: 'resource' }) }, { now: () => ctx.clock.nowMs() });
  if (trust.decision !== 'Allow') throw new RunFailure(`AWS Budgets (${BUDGETS}) may not assume the execution role ${role.arn}: its trust policy does not allow it`);
  for (const n of needs) {
    const r = simulatePrincipalPolicy({ PolicySourceArn: role.arn, ActionNames: [n.action], ResourceArns: [n.resource] }, ctx) as { EvaluationResults?: Array<{ EvalDecision?: string }> };
    const d = r.EvaluationResults?.[0]?.EvalDecision;
    if (d !== 'allowed') throw new RunFailure(`The execution role ${role.arn} is not authorized to perform ${n.action} on ${n.resource} (${d ?? 'implicitDeny'})`);
  }
}

const ATTACH = { role: attachRolePolicy, user: attachUserPolicy, group: attachGroupPolicy };
const DETACH = { role: detachRolePolicy, user: detachUserPolicy, group: detachGroupPolicy };
const NAME_MEMBER = { role: 'RoleName', user: 'UserName', group: 'GroupName' } as const;
const ATTACH_ACTION = { role: 'iam:AttachRolePolicy', user: 'iam:AttachUserPolicy', group: 'iam:AttachGroupPolicy' };
const DETACH_ACTION = { role: 'iam:DetachRolePolicy', user: 'iam:DetachUserPolicy', group: 'iam:DetachGroupPolicy' };

function iamTargets(a: ActionRecord): Array<{ kind: Holder; name: string }> {
  const d = a.definition.IamActionDefinition!;
  return [
    ...(d.Roles ?? []).map((n) => ({ kind: 'role' as const, name: entityName(n) })),
    ...(d.Users ?? []).map((n) => ({ kind: 'user' as const, name: entityName(n) })),
    ...(d.Groups ?? []).map((n) => ({ kind: 'group' as const, name: entityName(n) })),
  ];
}

function runIam(ctx: RequestContext, a: ActionRecord): { detail: string; applied: ActionRecord['applied'] } {
  const d = a.definition.IamActionDefinition!;
  const targets = iamTargets(a).map((t) => {
    const rec = find(ctx.tx, ctx.account, t.kind, t.name);
    if (!rec) throw new RunFailure(`The IAM ${t.kind} ${t.name} does not exist`);
    return { ...t, arn: rec.arn, attached: rec.attachedPolicies.includes(d.PolicyArn) };
  });
  try { mustManaged(ctx.tx, ctx.account, d.PolicyArn, 'attach'); } catch { throw new RunFailure(`The policy ${d.PolicyArn} does not exist or is not attachable`); }
  checkRole(ctx, a, targets.map((t) => ({ action: ATTACH_ACTION[t.kind], resource: t.arn })));
  const attached: Array<{ kind: Holder; name: string }> = [];
  for (const t of targets) {
    if (t.attached) continue;
    ATTACH[t.kind]({ [NAME_MEMBER[t.kind]]: t.name, PolicyArn: d.PolicyArn }, ctx);
    attached.push({ kind: t.kind, name: t.name });
  }
  return { detail: `Attached ${d.PolicyArn} to ${targets.map((t) => `${t.kind} ${t.name}`).join(', ')}`, applied: { attached } };
}

function runStop(ctx: RequestContext, a: ActionRecord): { detail: string; applied: ActionRecord['applied'] } {
  const d = a.definition.SsmActionDefinition!;
  const regional: RequestContext = { ...ctx, region: d.Region, scope: { account: ctx.account, region: d.Region } };
  checkRole(ctx, a, d.InstanceIds.map((id) => ({ action: 'ec2:StopInstances', resource: `arn:aws:ec2:${d.Region}:${ctx.account}:instance/${id}` })));
  let out;
  try {
    // EC2 checks every instance before it stops any: a bad ID stops none.
    out = stopInstances({ InstanceIds: d.InstanceIds }, regional) as { StoppingInstances?: Array<{ InstanceId?: string; PreviousState?: { Name?: string } }> };
  } catch (e) {
    if (isAwsError(e)) throw new RunFailure(`StopInstances in ${d.Region} failed: ${e.code}: ${e.message}`);
    throw e;
  }
  const stopped = (out.StoppingInstances ?? []).filter((s) => s.PreviousState?.Name !== 'stopped' && s.PreviousState?.Name !== 'stopping').map((s) => s.InstanceId!);
  return { detail: `Stopped ${stopped.length ? stopped.join(', ') : 'no instance (all were stopped already)'} in ${d.Region}`, applied: { stopped } };
}

/** Runs the action now: EXECUTION_SUCCESS or EXECUTION_FAILURE, with its history. Returns what it did (or why not). */
export function execute(ctx: RequestContext, a: ActionRecord, eventType: 'SYSTEM' | 'EXECUTE_ACTION'): string {
  history(ctx, a, 'EXECUTION_IN_PROGRESS', eventType, 'The action is running');
  let detail: string;
  try {
    const r = a.actionType === 'APPLY_IAM_POLICY' ? runIam(ctx, a) : runStop(ctx, a);
    a.status = 'EXECUTION_SUCCESS';
    a.applied = r.applied;
    detail = r.detail;
  } catch (e) {
    if (!(e instanceof RunFailure)) throw e;
    a.status = 'EXECUTION_FAILURE';
    detail = e.message;
  }
  history(ctx, a, a.status, eventType, detail);
  saveAction(ctx.tx, ctx.account, a);
  return detail;
}

/** Undoes an IAM action's attachments (those this action made): REVERSE_SUCCESS or REVERSE_FAILURE. */
export function reverse(ctx: RequestContext, a: ActionRecord): string {
  history(ctx, a, 'REVERSE_IN_PROGRESS', 'EXECUTE_ACTION', 'The action is being reversed');
  const d = a.definition.IamActionDefinition!;
  let detail: string;
  try {
    const made = (a.applied?.attached ?? []).map((t) => {
      const rec = find(ctx.tx, ctx.account, t.kind, t.name);
      return { ...t, rec };
    }).filter((t) => t.rec?.attachedPolicies.includes(d.PolicyArn));
    checkRole(ctx, a, made.map((t) => ({ action: DETACH_ACTION[t.kind], resource: t.rec!.arn })));
    for (const t of made) DETACH[t.kind]({ [NAME_MEMBER[t.kind]]: t.name, PolicyArn: d.PolicyArn }, ctx);
    a.status = 'REVERSE_SUCCESS';
    delete a.applied;
    detail = made.length ? `Detached ${d.PolicyArn} from ${made.map((t) => `${t.kind} ${t.name}`).join(', ')}` : 'Nothing to detach';
  } catch (e) {
    if (!(e instanceof RunFailure)) throw e;
    a.status = 'REVERSE_FAILURE';
    detail = e.message;
  }
  history(ctx, a, a.status, 'EXECUTE_ACTION', detail);
  saveAction(ctx.tx, ctx.account, a);
  return detail;
}

/**
 * The budget's threshold for the action was crossed in the period starting at periodStartMs:
 * an AUTOMATIC action runs now, a MANUAL one waits for approval (PENDING). Its subscribers are
 * told either way.
 */
export function trigger(sys: RequestContext, a: ActionRecord, periodStartMs: number): void {
  a.firedPeriodMs = periodStartMs;
  let detail: string;
  if (a.approvalModel === 'MANUAL') {
    a.status = 'PENDING';
    detail = 'The budget exceeded the action threshold; the action waits for approval';
    history(sys, a, 'PENDING', 'SYSTEM', detail);
    saveAction(sys.tx, sys.account, a);
  } else {
    detail = execute(sys, a, 'SYSTEM');
  }
  deliver(sys, a.subscribers, actionSubject(a.budgetName, a.status), actionText({
    account: sys.account, budgetName: a.budgetName, actionId: a.id, actionType: a.actionType, status: a.status, detail, atMs: sys.clock.nowMs(),
  }));
}
