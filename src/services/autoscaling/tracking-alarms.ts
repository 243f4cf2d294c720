/**
 * The two CloudWatch alarms a target tracking policy owns, as AWS creates them:
 * TargetTracking-<group>-AlarmHigh-<uuid> (3 of 3 one-minute periods above the target) and
 * -AlarmLow-<uuid> (15 of 15 below 90% of it), each acting on the policy. Written through the
 * alarms module (a putAlarmFromService when it has one, else its records API).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../types.js';
import { trackingThresholds } from './math.js';
import { deleteAlarmsFromService, putAlarmFromService } from './peers.js';
import { groupPrefix, K, removeGroupRows, type PolicyRecord } from './records.js';

interface AlarmRecordsApi {
  saveAlarm(tx: unknown, scope: unknown, a: unknown, before?: unknown): void;
  getAlarm(tx: unknown, scope: unknown, name: string): any;
  deleteAlarmRow(tx: unknown, scope: unknown, a: unknown): void;
  alarmArn(scope: unknown, name: string): string;
  nextPeriodEnd(afterMs: number, periodS: number): number;
}
const recordsPath = '../cloudwatch/alarms-records.js';
const records = await import(recordsPath).then((m) => m as AlarmRecordsApi).catch(() => undefined);

export interface MetricSpec { namespace: string; name: string; dimensions: Array<{ Name: string; Value: string }>; stat: string; unit?: string; metrics?: unknown[] }

/** The metric a target tracking configuration tracks. */
export function trackedMetric(group: string, cfg: Record<string, any>): MetricSpec {
  const p = cfg.PredefinedMetricSpecification;
  if (p) {
    switch (p.PredefinedMetricType) {
      case 'ASGAverageCPUUtilization': return { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'AutoScalingGroupName', Value: group }], stat: 'Average' };
      case 'ASGAverageNetworkIn': return { namespace: 'AWS/EC2', name: 'NetworkIn', dimensions: [{ Name: 'AutoScalingGroupName', Value: group }], stat: 'Average' };
      case 'ASGAverageNetworkOut': return { namespace: 'AWS/EC2', name: 'NetworkOut', dimensions: [{ Name: 'AutoScalingGroupName', Value: group }], stat: 'Average' };
      case 'ALBRequestCountPerTarget': {
        const label = String(p.ResourceLabel ?? '');
        const tg = label.slice(label.indexOf('targetgroup/'));
        return { namespace: 'AWS/ApplicationELB', name: 'RequestCountPerTarget', dimensions: [{ Name: 'TargetGroup', Value: tg }], stat: 'Sum' };
      }
    }
  }
  const c = cfg.CustomizedMetricSpecification ?? {};
  if (c.Metrics?.length) return { namespace: '', name: '', dimensions: [], stat: '', metrics: c.Metrics };
  return { namespace: c.Namespace, name: c.MetricName, dimensions: c.Dimensions ?? [], stat: c.Statistic ?? 'Average', ...(c.Unit ? { unit: c.Unit } : {}) };
}

function alarmInput(name: string, policyArn: string, m: MetricSpec, high: boolean, threshold: number): Record<string, unknown> {
  return {
    AlarmName: name, AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
    ActionsEnabled: true, AlarmActions: [policyArn], OKActions: [], InsufficientDataActions: [],
    ...(m.metrics ? { Metrics: m.metrics } : { Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions, Statistic: m.stat, ...(m.unit ? { Unit: m.unit } : {}), Period: 60 }),
    EvaluationPeriods: high ? 3 : 15, DatapointsToAlarm: high ? 3 : 15, Threshold: threshold,
    ComparisonOperator: high ? 'GreaterThanThreshold' : 'LessThanThreshold', TreatMissingData: 'missing',
  };
}

function writeRecord(ctx: RequestContext, input: Record<string, any>): void {
  if (!records) return;
  const now = ctx.clock.nowMs();
  const before = records.getAlarm(ctx.tx, ctx.scope, input.AlarmName);
  const next = records.nextPeriodEnd(now, 60);
  const rec = {
    type: 'MetricAlarm', name: input.AlarmName, arn: records.alarmArn(ctx.scope, input.AlarmName), description: input.AlarmDescription,
    actionsEnabled: true, okActions: [], alarmActions: input.AlarmActions, insufficientDataActions: [],
    state: 'INSUFFICIENT_DATA', stateReason: 'Unchecked: Initial alarm creation', stateUpdatedMs: now, stateTransitionedMs: now, configUpdatedMs: now, tags: [],
    ...(input.Metrics ? { metrics: input.Metrics } : { metric: { namespace: input.Namespace, name: input.MetricName, dimensions: input.Dimensions }, statistic: input.Statistic, ...(input.Unit ? { unit: input.Unit } : {}) }),
    periodS: 60, evaluationPeriods: input.EvaluationPeriods, datapointsToAlarm: input.DatapointsToAlarm, threshold: input.Threshold,
    comparison: input.ComparisonOperator, treatMissingData: 'missing', nextEvalMs: next, dueMs: next,
  };
  records.saveAlarm(ctx.tx, ctx.scope, rec, before);
}

/** Creates the policy's two alarms; returns their names and ARNs. */
export function createTrackingAlarms(ctx: RequestContext, group: string, policyArn: string, cfg: Record<string, any>): Array<{ AlarmName: string; AlarmARN: string }> {
  const m = trackedMetric(group, cfg);
  const t = trackingThresholds(Number(cfg.TargetValue));
  const out: Array<{ AlarmName: string; AlarmARN: string }> = [];
  const make = (kind: 'High' | 'Low') => {
    const name = `TargetTracking-${group}-Alarm${kind}-${randomUUID()}`;
    const input = alarmInput(name, policyArn, m, kind === 'High', kind === 'High' ? t.high : t.low);
    if (!putAlarmFromService(ctx, input)) writeRecord(ctx, input);
    out.push({ AlarmName: name, AlarmARN: `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}` });
  };
  make('High');
  if (!cfg.DisableScaleIn) make('Low');
  return out;
}

export function deleteTrackingAlarms(ctx: RequestContext, names: string[]): void {
  if (!names.length) return;
  deleteAlarmsFromService(ctx, names);
  if (!records) return;
  for (const n of names) {
    const a = records.getAlarm(ctx.tx, ctx.scope, n);
    if (a) records.deleteAlarmRow(ctx.tx, ctx.scope, a);
  }
}

/** Removes a group and what belongs to it, its target tracking alarms too (as AWS does). */
export function dropGroup(ctx: RequestContext, name: string): void {
  const alarms = ctx.tx.list<PolicyRecord>(ctx.scope, K.policy, { prefix: groupPrefix(name) }).flatMap((r) => r.value.alarms.map((a) => a.AlarmName));
  deleteTrackingAlarms(ctx, alarms);
  removeGroupRows(ctx.tx, ctx.scope, name);
}
