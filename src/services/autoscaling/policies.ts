/**
 * Scaling policies: PutScalingPolicy (SimpleScaling with its cooldown, StepScaling with step
 * adjustments and warm-up, TargetTrackingScaling with the two alarms AWS creates for it),
 * DescribePolicies, DeletePolicy, ExecutePolicy, and executePolicyFromAlarm (what an alarm
 * action on a policy ARN calls).
 */
import { randomUUID } from 'node:crypto';
import type {
  DeletePolicyType, DescribePoliciesType, ExecutePolicyType, PoliciesType, PolicyARNType, PutScalingPolicyType, ScalingPolicy,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { saveGroup } from './groups.js';
import { applyAdjustment, stepFor, targetCapacity, type StepAdjustment } from './math.js';
import { suspended } from './reconcile.js';
import { capacityOf, groupPrefix, isoSec, K, sub, type GroupRecord, type PolicyRecord } from './records.js';
import { createTrackingAlarms, deleteTrackingAlarms } from './tracking-alarms.js';
import { mustGroup } from './validate.js';

const ADJUSTMENT_TYPES = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'];
const PREDEFINED = ['ASGAverageCPUUtilization', 'ASGAverageNetworkIn', 'ASGAverageNetworkOut', 'ALBRequestCountPerTarget'];

const policyArn = (ctx: RequestContext, group: string, name: string): string =>
  `arn:aws:autoscaling:${ctx.region}:${ctx.account}:scalingPolicy:${randomUUID()}:autoScalingGroupName/${group}:policyName/${name}`;

function checkSteps(steps: StepAdjustment[]): void {
  const sorted = [...steps].sort((a, b) => (a.MetricIntervalLowerBound ?? -Infinity) - (b.MetricIntervalLowerBound ?? -Infinity));
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    if (s.MetricIntervalLowerBound !== undefined && s.MetricIntervalUpperBound !== undefined && s.MetricIntervalUpperBound <= s.MetricIntervalLowerBound) {
      throw new AwsError('ValidationError', 'Step adjustment upper bound must be greater than the lower bound.');
    }
    const next = sorted[i + 1];
    if (next && s.MetricIntervalUpperBound !== next.MetricIntervalLowerBound) {
      throw new AwsError('ValidationError', 'Step adjustments must not overlap and must not have gaps between them.');
    }
  }
  if (sorted.filter((s) => s.MetricIntervalLowerBound === undefined).length > 1 || sorted.filter((s) => s.MetricIntervalUpperBound === undefined).length > 1) {
    throw new AwsError('ValidationError', 'Only one step adjustment may have an unbounded interval on each side.');
  }
}

export const putScalingPolicy: Handler<PutScalingPolicyType, PolicyARNType> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const type = input.PolicyType ?? 'SimpleScaling';
  const id = sub(g.name, input.PolicyName!);
  const before = ctx.tx.get<PolicyRecord>(ctx.scope, K.policy, id);
  if (input.AdjustmentType && !ADJUSTMENT_TYPES.includes(input.AdjustmentType)) throw new AwsError('ValidationError', `Invalid adjustment type ${input.AdjustmentType}`);
  const rec: PolicyRecord = {
    group: g.name, name: input.PolicyName!, arn: before?.arn ?? policyArn(ctx, g.name, input.PolicyName!), type,
    enabled: input.Enabled ?? true, alarms: [],
  };
  if (type === 'SimpleScaling') {
    if (input.ScalingAdjustment === undefined) throw new AwsError('ValidationError', 'ScalingAdjustment is required for SimpleScaling policy type.');
    if (input.StepAdjustments?.length) throw new AwsError('ValidationError', 'StepAdjustments are not supported for SimpleScaling policy type.');
    rec.adjustmentType = input.AdjustmentType ?? 'ChangeInCapacity';
    rec.scalingAdjustment = input.ScalingAdjustment;
    if (input.Cooldown !== undefined) rec.cooldown = input.Cooldown;
  } else if (type === 'StepScaling') {
    if (!input.StepAdjustments?.length) throw new AwsError('ValidationError', 'StepAdjustments are required for StepScaling policy type.');
    if (input.Cooldown !== undefined) throw new AwsError('ValidationError', 'Cooldown is not supported for StepScaling policy type.');
    checkSteps(input.StepAdjustments as StepAdjustment[]);
    rec.adjustmentType = input.AdjustmentType ?? 'ChangeInCapacity';
    rec.stepAdjustments = input.StepAdjustments as StepAdjustment[];
    rec.metricAggregationType = input.MetricAggregationType ?? 'Average';
    if (input.EstimatedInstanceWarmup !== undefined) rec.warmup = input.EstimatedInstanceWarmup;
  } else if (type === 'TargetTrackingScaling') {
    const c = input.TargetTrackingConfiguration;
    if (!c) throw new AwsError('ValidationError', 'TargetTrackingConfiguration is required for TargetTrackingScaling policy type.');
    if (!!c.PredefinedMetricSpecification === !!c.CustomizedMetricSpecification) throw new AwsError('ValidationError', 'Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.');
    const p = c.PredefinedMetricSpecification;
    if (p && !PREDEFINED.includes(p.PredefinedMetricType!)) throw new AwsError('ValidationError', `Invalid predefined metric type ${p.PredefinedMetricType}`);
    if (p?.PredefinedMetricType === 'ALBRequestCountPerTarget' && !p.ResourceLabel) throw new AwsError('ValidationError', 'ResourceLabel is required for ALBRequestCountPerTarget metric type.');
    if (p?.PredefinedMetricType !== 'ALBRequestCountPerTarget' && p?.ResourceLabel) throw new AwsError('ValidationError', `ResourceLabel is not supported for ${p.PredefinedMetricType} metric type.`);
    if (input.AdjustmentType || input.ScalingAdjustment !== undefined || input.StepAdjustments?.length) {
      throw new AwsError('ValidationError', 'AdjustmentType, ScalingAdjustment and StepAdjustments are not supported for TargetTrackingScaling policy type.');
    }
    rec.targetTracking = c as Record<string, any>;
    if (input.EstimatedInstanceWarmup !== undefined) rec.warmup = input.EstimatedInstanceWarmup;
    if (before?.alarms.length) deleteTrackingAlarms(ctx, before.alarms.map((a) => a.AlarmName));
    rec.alarms = createTrackingAlarms(ctx, g.name, rec.arn, c as Record<string, any>);
  } else if (type === 'PredictiveScaling') {
    throw new AwsError('ValidationError', 'cloudlet does not forecast load: PredictiveScaling policies are not supported.');
  } else throw new AwsError('ValidationError', `Invalid policy type ${type}`);
  if (input.MinAdjustmentMagnitude !== undefined) {
    if (rec.adjustmentType !== 'PercentChangeInCapacity') throw new AwsError('ValidationError', 'MinAdjustmentMagnitude is only supported with PercentChangeInCapacity.');
    rec.minAdjustmentMagnitude = input.MinAdjustmentMagnitude;
  }
  if (before && type !== 'TargetTrackingScaling' && before.alarms.length && before.type === 'TargetTrackingScaling') deleteTrackingAlarms(ctx, before.alarms.map((a) => a.AlarmName));
  ctx.tx.put(ctx.scope, K.policy, id, rec);
  return { PolicyARN: rec.arn, ...(rec.alarms.length ? { Alarms: rec.alarms } : {}) };
};

const policyShape = (p: PolicyRecord): ScalingPolicy => ({
  AutoScalingGroupName: p.group, PolicyName: p.name, PolicyARN: p.arn, PolicyType: p.type,
  ...(p.adjustmentType ? { AdjustmentType: p.adjustmentType } : {}), ...(p.minAdjustmentMagnitude !== undefined ? { MinAdjustmentMagnitude: p.minAdjustmentMagnitude } : {}),
  ...(p.scalingAdjustment !== undefined ? { ScalingAdjustment: p.scalingAdjustment } : {}), ...(p.cooldown !== undefined ? { Cooldown: p.cooldown } : {}),
  StepAdjustments: p.stepAdjustments ?? [], ...(p.metricAggregationType ? { MetricAggregationType: p.metricAggregationType } : {}),
  ...(p.warmup !== undefined ? { EstimatedInstanceWarmup: p.warmup } : {}), Alarms: p.alarms,
  ...(p.targetTracking ? { TargetTrackingConfiguration: p.targetTracking as ScalingPolicy['TargetTrackingConfiguration'] } : {}), Enabled: p.enabled,
});

export const describePolicies: Handler<DescribePoliciesType, PoliciesType> = (input, ctx) => {
  const max = input.MaxRecords ?? 50;
  if (max < 1 || max > 100) throw new AwsError('ValidationError', 'MaxRecords must be between 1 and 100.');
  if (input.AutoScalingGroupName) mustGroup(ctx, input.AutoScalingGroupName);
  let ps = ctx.tx.list<PolicyRecord>(ctx.scope, K.policy, input.AutoScalingGroupName ? { prefix: groupPrefix(input.AutoScalingGroupName) } : {}).map((r) => r.value);
  if (input.PolicyNames?.length) ps = ps.filter((p) => input.PolicyNames!.includes(p.name) || input.PolicyNames!.includes(p.arn));
  if (input.PolicyTypes?.length) ps = ps.filter((p) => input.PolicyTypes!.includes(p.type));
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  const page = ps.slice(start, start + max);
  return { ScalingPolicies: page.map(policyShape), ...(start + max < ps.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}) };
};

function findPolicy(ctx: RequestContext, group: string | undefined, nameOrArn: string | undefined): PolicyRecord {
  let p: PolicyRecord | undefined;
  if (nameOrArn?.startsWith('arn:')) p = ctx.tx.list<PolicyRecord>(ctx.scope, K.policy).map((r) => r.value).find((x) => x.arn === nameOrArn);
  else if (group && nameOrArn) p = ctx.tx.get<PolicyRecord>(ctx.scope, K.policy, sub(group, nameOrArn));
  if (!p) throw new AwsError('ValidationError', `No scaling policy found for service namespace: ec2, resource ID: autoScalingGroup/${group ?? ''}, policy name: ${nameOrArn}`);
  return p;
}

export const deletePolicy: Handler<DeletePolicyType, object> = (input, ctx) => {
  if (input.AutoScalingGroupName && !input.PolicyName?.startsWith('arn:')) mustGroup(ctx, input.AutoScalingGroupName);
  const p = findPolicy(ctx, input.AutoScalingGroupName, input.PolicyName);
  deleteTrackingAlarms(ctx, p.alarms.map((a) => a.AlarmName));
  ctx.tx.delete(ctx.scope, K.policy, sub(p.group, p.name));
  return {};
};

/**
 * Runs a policy: the new desired capacity, the cooldown (simple scaling) or warm-up (step),
 * the cause in AWS's words. Returns false when nothing changed.
 */
function run(ctx: RequestContext, g: GroupRecord, p: PolicyRecord, why: string, opts: { honorCooldown: boolean; metric?: number; threshold?: number; alarmName?: string }): void {
  const now = ctx.clock.nowMs();
  const current = g.desired;
  let next = current;
  if (p.type === 'SimpleScaling') {
    if (opts.honorCooldown && now < g.cooldownUntilMs) throw new AwsError('ScalingActivityInProgress', 'The scaling activity was not performed because the group is in cooldown.');
    next = applyAdjustment(p.adjustmentType!, p.scalingAdjustment!, current, g.min, g.max, p.minAdjustmentMagnitude);
    g.cooldownUntilMs = now + (p.cooldown ?? g.defaultCooldown) * 1000;
  } else if (p.type === 'StepScaling') {
    if (opts.metric === undefined) throw new AwsError('ValidationError', 'MetricValue is required for StepScaling policy.');
    if (opts.threshold === undefined) throw new AwsError('ValidationError', 'BreachThreshold is required for StepScaling policy.');
    const step = stepFor(p.stepAdjustments!, opts.metric, opts.threshold);
    if (!step) throw new AwsError('ValidationError', `No step adjustment found for metric value ${opts.metric} and breach threshold ${opts.threshold}`);
    // While instances from an earlier step of this policy warm up, the same breach does not add them again.
    const warm = (p.warmup ?? g.warmup ?? g.defaultCooldown) * 1000;
    const base = p.lastMs !== undefined && now < p.lastMs + warm ? Math.min(current, capacityOf(g)) : current;
    next = applyAdjustment(p.adjustmentType!, step.ScalingAdjustment, base, g.min, g.max, p.minAdjustmentMagnitude);
    if (p.lastMs !== undefined && now < p.lastMs + warm && (step.ScalingAdjustment > 0 ? next <= current : next >= current)) next = current;
    p.lastMs = now;
  } else if (p.type === 'TargetTrackingScaling') {
    if (opts.metric === undefined) return;
    const c = p.targetTracking!;
    const high = opts.alarmName?.includes('-AlarmHigh-') ?? opts.metric > Number(c.TargetValue);
    const t = targetCapacity(capacityOf(g), opts.metric, Number(c.TargetValue), g.min, g.max, !c.DisableScaleIn);
    next = high ? Math.max(current, t) : Math.min(current, t);
    if (!high && c.DisableScaleIn) next = current;
  }
  ctx.tx.put(ctx.scope, K.policy, sub(p.group, p.name), p);
  if (next !== current) {
    g.desired = next;
    g.cause = `At ${isoSec(now)} ${why} changing the desired capacity from ${current} to ${next}.`;
  }
  saveGroup(ctx, g);
}

export const executePolicy: Handler<ExecutePolicyType, object> = (input, ctx) => {
  const g = input.AutoScalingGroupName ? mustGroup(ctx, input.AutoScalingGroupName) : undefined;
  const p = findPolicy(ctx, g?.name, input.PolicyName);
  const group = g ?? mustGroup(ctx, p.group);
  if (p.type === 'TargetTrackingScaling') throw new AwsError('ValidationError', 'ExecutePolicy is not supported for TargetTrackingScaling policy type.');
  if (p.type === 'SimpleScaling' && (input.MetricValue !== undefined || input.BreachThreshold !== undefined)) {
    throw new AwsError('ValidationError', 'MetricValue and BreachThreshold are not supported for SimpleScaling policy type.');
  }
  if (p.type === 'StepScaling' && input.HonorCooldown !== undefined) throw new AwsError('ValidationError', 'HonorCooldown is not supported for StepScaling policy type.');
  run(ctx, group, p, `a user request executed policy ${p.name}`, {
    honorCooldown: input.HonorCooldown ?? false,
    ...(input.MetricValue !== undefined ? { metric: input.MetricValue } : {}), ...(input.BreachThreshold !== undefined ? { threshold: input.BreachThreshold } : {}),
  });
  return {};
};

/** An alarm's action on a policy (cloudwatch alarm-actions.ts calls it from the alarms step). */
export function executePolicyFromAlarm(sys: RequestContext, policyArn: string, alarm: { name: string; arn: string; breachValue?: number; threshold?: number; metricValue?: number }): void {
  const p = sys.tx.list<PolicyRecord>(sys.scope, K.policy).map((r) => r.value).find((x) => x.arn === policyArn);
  if (!p || !p.enabled) return;
  const g = sys.tx.get<GroupRecord>(sys.scope, K.group, p.group);
  if (!g || g.deleting || suspended(g, 'AlarmNotification')) return;
  const now = sys.clock.nowMs();
  if (p.type === 'SimpleScaling' && now < g.cooldownUntilMs) return;
  const metric = alarm.metricValue ?? alarm.breachValue;
  try {
    run(sys, g, p, `a monitor alarm ${alarm.name} in state ALARM triggered policy ${p.name}`, {
      honorCooldown: true, ...(metric !== undefined ? { metric } : {}), ...(alarm.threshold !== undefined ? { threshold: alarm.threshold } : {}), alarmName: alarm.name,
    });
  } catch (e) {
    if (e instanceof AwsError && e.code === 'ScalingActivityInProgress') return;
    throw e;
  }
}
