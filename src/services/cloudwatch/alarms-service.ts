/**
 * Alarms other services own (Auto Scaling's target tracking alarms) and what PutMetricAlarm
 * shares with them: putAlarmFromService / deleteAlarmsFromService take the API's input with the
 * service's system context. Nothing here reaches another service (no action ports), so
 * services that alarms act on may import this module without a cycle.
 */
import type { PutCompositeAlarmInput, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { checkActions } from './alarm-actions.js';
import { addHistory, configHistory, deleteHistory } from './alarms-history.js';
import {
  ALARM_NEXT, alarmArn, deleteAlarmRow, getAlarm, nextPeriodEnd, saveAlarm, setChildren,
  type AlarmRecord, type AlarmState, type MetricAlarmRecord,
} from './alarms-records.js';
import { checkMetricAlarm, checkName, checkTags } from './alarms-validate.js';

/** Alarms per account and Region (CloudWatch's quota). */
export const MAX_ALARMS = 10_000;
export function countRow(ctx: RequestContext): number {
  return ctx.tx.get<{ n: number }>(ctx.scope, ALARM_NEXT, 'count')?.n ?? 0;
}
export function addCount(ctx: RequestContext, d: number): void {
  ctx.tx.put(ctx.scope, ALARM_NEXT, 'count', { n: Math.max(0, countRow(ctx) + d) });
}

function checkDescription(d: string | undefined): void {
  if (d !== undefined && d.length > 1024) throw new AwsError('ValidationError', `1 validation error detected: Value at 'alarmDescription' failed to satisfy constraint: Member must have length less than or equal to 1024`);
}

export function common(ctx: RequestContext, input: PutMetricAlarmInput | PutCompositeAlarmInput, before: AlarmRecord | undefined, instanceAlarm: boolean, composite: boolean) {
  const name = checkName(input.AlarmName);
  checkDescription(input.AlarmDescription);
  if (before && before.type !== (composite ? 'CompositeAlarm' : 'MetricAlarm')) {
    throw new AwsError('ValidationError', `An alarm named ${name} already exists as a ${before.type === 'MetricAlarm' ? 'metric' : 'composite'} alarm.`);
  }
  if (!before && countRow(ctx) >= MAX_ALARMS) throw new AwsError('LimitExceeded', `The maximum number of alarms (${MAX_ALARMS}) for this account in this Region has been reached.`);
  const opts = { instanceAlarm, composite };
  const now = ctx.clock.nowMs();
  return {
    name, arn: alarmArn(ctx.scope, name), now,
    ...(input.AlarmDescription !== undefined ? { description: input.AlarmDescription } : {}),
    actionsEnabled: input.ActionsEnabled ?? true,
    okActions: checkActions(input.OKActions, 'OKActions', ctx.region, opts),
    alarmActions: checkActions(input.AlarmActions, 'AlarmActions', ctx.region, opts),
    insufficientDataActions: checkActions(input.InsufficientDataActions, 'InsufficientDataActions', ctx.region, opts),
    state: before?.state ?? 'INSUFFICIENT_DATA' as AlarmState,
    stateReason: before?.stateReason ?? 'Unchecked: Initial alarm creation',
    ...(before?.stateReasonData ? { stateReasonData: before.stateReasonData } : {}),
    stateUpdatedMs: before?.stateUpdatedMs ?? now,
    stateTransitionedMs: before?.stateTransitionedMs ?? now,
    configUpdatedMs: now,
    // Tags given on an update are ignored, as AWS does (TagResource changes them).
    tags: before ? before.tags : checkTags(input.Tags as never),
  };
}

export const putMetricAlarm: Handler<PutMetricAlarmInput, object> = (input, ctx) => {
  const before = input.AlarmName ? getAlarm(ctx.tx, ctx.scope, input.AlarmName) : undefined;
  const cfg = checkMetricAlarm(input);
  const instanceAlarm = !!cfg.metric?.dimensions.some((d) => d.Name === 'InstanceId');
  const { now, ...base } = common(ctx, input, before, instanceAlarm, false);
  const nextEvalMs = nextPeriodEnd(now, cfg.periodS);
  const a: MetricAlarmRecord = { ...base, type: 'MetricAlarm', ...cfg, nextEvalMs, dueMs: nextEvalMs };
  saveAlarm(ctx.tx, ctx.scope, a, before);
  if (!before) addCount(ctx, 1);
  addHistory(ctx.tx, ctx.scope, configHistory(a, now, before ? 'Update' : 'Create', before));
  return {};
};


/** Removes alarms with their queue entries, composite links and history (the caller has checked them). */
export function removeAlarms(ctx: RequestContext, alarms: AlarmRecord[]): void {
  for (const a of alarms) {
    if (a.type === 'CompositeAlarm') setChildren(ctx.tx, ctx.scope, a.name, a.children, []);
    deleteAlarmRow(ctx.tx, ctx.scope, a);
    deleteHistory(ctx.tx, ctx.scope, a.name);
  }
  addCount(ctx, -alarms.length);
}

/** PutMetricAlarm on behalf of a service (its own alarms: the same checks, the same records). */
export function putAlarmFromService(sys: RequestContext, input: Record<string, unknown>): void {
  void putMetricAlarm(input as unknown as PutMetricAlarmInput, sys);
}

/** Deletes a service's alarms; names that are gone already are skipped. */
export function deleteAlarmsFromService(sys: RequestContext, names: string[]): void {
  removeAlarms(sys, names.map((n) => getAlarm(sys.tx, sys.scope, n)).filter((a): a is AlarmRecord => !!a));
}
