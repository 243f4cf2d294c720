/**
 * What an alarm does when it enters a state: each action ARN of that state, dispatched to its
 * service with the alarm's system context (principal cloudwatch.amazonaws.com), each outcome
 * recorded as an Action history item, as AWS records them.
 *
 *   arn:aws:sns:REGION:ACCOUNT:TOPIC            the alarm notification JSON AWS publishes
 *   arn:aws:autoscaling:...:scalingPolicy:...   the policy runs (autoscaling/policies.ts)
 *   arn:aws:automate:REGION:ec2:stop|terminate|reboot|recover
 *                                               on the instance of the alarm's InstanceId dimension
 *
 * The services are reached through ActionPorts so evaluation can be tested without them.
 */
import { AwsError } from '../../core/errors.js';
import { region as regionInfo } from '../../core/regions.js';
import type { RequestContext } from '../types.js';
import type { AlarmRecord, AlarmState } from './alarms-records.js';
import { awsJsonDate } from './alarms-evaluate.js';
import { actionHistory, addHistory } from './alarms-history.js';

export interface ActionPorts {
  publish(sys: RequestContext, topicArn: string, m: { subject?: string; message: string }): { messageId: string } | { error: string };
  executePolicy(sys: RequestContext, policyArn: string, alarm: { name: string; arn: string; breachValue?: number; threshold?: number; metricValue?: number }): void;
  ec2(sys: RequestContext, action: 'stop' | 'terminate' | 'reboot' | 'recover', instanceId: string): void;
}

const SNS = /^arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256})$/;
const ASG = /^arn:aws[\w-]*:autoscaling:([a-z0-9-]+):(\d{12}):scalingPolicy:[\w-]+:autoScalingGroupName\/.+:policyName\/.+$/;
const EC2 = /^arn:aws[\w-]*:automate:([a-z0-9-]+):ec2:(stop|terminate|reboot|recover)$/;
const SWF = /^arn:aws[\w-]*:swf:([a-z0-9-]+):(\d{12}):action\/actions\/AWS_EC2\.InstanceId\.(Stop|Terminate|Reboot)\/1\.0$/;

export type ActionKind = 'sns' | 'autoscaling' | 'ec2';

export function actionKind(arn: string): ActionKind | undefined {
  if (SNS.test(arn)) return 'sns';
  if (ASG.test(arn)) return 'autoscaling';
  if (EC2.test(arn) || SWF.test(arn)) return 'ec2';
  return undefined;
}

/** PutMetricAlarm / PutCompositeAlarm checks of one actions list. */
export function checkActions(list: string[] | undefined, member: string, regionName: string, opts: { instanceAlarm: boolean; composite: boolean }): string[] {
  const out = list ?? [];
  if (out.length > 5) throw new AwsError('ValidationError', `The collection ${member} must not have a size greater than 5.`);
  for (const arn of out) {
    const kind = actionKind(arn);
    if (!kind) throw new AwsError('ValidationError', `Invalid arn syntax: ${arn}`);
    if (kind === 'ec2') {
      const r = EC2.exec(arn)?.[1] ?? SWF.exec(arn)?.[1];
      if (r !== regionName) throw new AwsError('ValidationError', `Invalid region ${r} specified. Only ${regionName} is supported.`);
      if (opts.composite) throw new AwsError('ValidationError', 'Composite alarms do not support EC2 actions.');
      if (!opts.instanceAlarm) throw new AwsError('ValidationError', 'Invalid use of EC2 action. An EC2 action can only be used if the alarm is monitoring an EC2 instance.');
    }
  }
  return [...new Set(out)];
}

function ec2Verb(arn: string): 'stop' | 'terminate' | 'reboot' | 'recover' {
  const m = EC2.exec(arn);
  if (m) return m[2] as 'stop';
  return SWF.exec(arn)![3]!.toLowerCase() as 'stop';
}

const upperStat = (s: string | undefined) => (s ? s.toUpperCase() : undefined);

/** The JSON message AWS publishes to SNS for an alarm's state change. */
export function notification(sys: RequestContext, a: AlarmRecord, oldState: AlarmState): { subject: string; message: string } {
  const regionName = regionInfo(sys.region)?.description ?? sys.region;
  const body: Record<string, unknown> = {
    AlarmName: a.name, AlarmDescription: a.description ?? null, AWSAccountId: sys.account,
    AlarmConfigurationUpdatedTimestamp: awsJsonDate(a.configUpdatedMs),
    NewStateValue: a.state, NewStateReason: a.stateReason, StateChangeTime: awsJsonDate(a.stateUpdatedMs),
    Region: regionName, AlarmArn: a.arn, OldStateValue: oldState,
    OKActions: a.okActions, AlarmActions: a.alarmActions, InsufficientDataActions: a.insufficientDataActions,
  };
  if (a.type === 'CompositeAlarm') body.AlarmRule = a.rule;
  else {
    const t: Record<string, unknown> = a.metric
      ? {
          MetricName: a.metric.name, Namespace: a.metric.namespace,
          StatisticType: a.extendedStatistic ? 'ExtendedStatistic' : 'Statistic',
          ...(a.extendedStatistic ? { ExtendedStatistic: a.extendedStatistic } : { Statistic: upperStat(a.statistic) }),
          Unit: a.unit ?? null, Dimensions: a.metric.dimensions.map((d) => ({ value: d.Value, name: d.Name })), Period: a.periodS,
        }
      : { Metrics: a.metrics, Period: a.periodS };
    Object.assign(t, {
      EvaluationPeriods: a.evaluationPeriods, DatapointsToAlarm: a.datapointsToAlarm, ComparisonOperator: a.comparison,
      Threshold: a.threshold, TreatMissingData: a.treatMissingData, EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile ?? '',
    });
    body.Trigger = t;
  }
  return { subject: `${a.state}: "${a.name}" in ${regionName}`.slice(0, 100), message: JSON.stringify(body) };
}

export function actionsOf(a: AlarmRecord, state: AlarmState): string[] {
  return state === 'ALARM' ? a.alarmActions : state === 'OK' ? a.okActions : a.insufficientDataActions;
}

/**
 * Runs the actions of the alarm's (new) state. `only` limits them to one kind (the repeated
 * Auto Scaling actions). Failures are history, never errors: the evaluation goes on.
 */
export function runActions(sys: RequestContext, ports: ActionPorts, a: AlarmRecord, oldState: AlarmState, ctx: { metricValue?: number; only?: ActionKind }): void {
  if (!a.actionsEnabled) return;
  const atMs = sys.clock.nowMs();
  for (const arn of actionsOf(a, a.state)) {
    const kind = actionKind(arn);
    if (!kind || (ctx.only && kind !== ctx.only)) continue;
    let ok = true;
    const detail: { published?: string; error?: string } = {};
    try {
      if (kind === 'sns') {
        const m = notification(sys, a, oldState);
        const r = ports.publish(sys, arn, m);
        if ('error' in r) { ok = false; detail.error = r.error; } else detail.published = m.message;
      } else if (kind === 'autoscaling') {
        ports.executePolicy(sys, arn, {
          name: a.name, arn: a.arn,
          ...(a.type === 'MetricAlarm' && a.threshold !== undefined ? { threshold: a.threshold } : {}),
          ...(ctx.metricValue !== undefined ? { metricValue: ctx.metricValue, breachValue: ctx.metricValue } : {}),
        });
      } else {
        const inst = a.type === 'MetricAlarm' ? a.metric?.dimensions.find((d) => d.Name === 'InstanceId')?.Value : undefined;
        if (!inst) throw new AwsError('ValidationError', 'The alarm does not monitor an EC2 instance');
        ports.ec2(sys, ec2Verb(arn), inst);
      }
    } catch (e) {
      ok = false;
      detail.error = e instanceof AwsError ? `${e.code}: ${e.message}` : String((e as Error)?.message ?? e);
    }
    // Repeated Auto Scaling actions are not written down each minute (AWS's history shows the first).
    if (!ctx.only) addHistory(sys.tx, sys.scope, actionHistory(a, atMs, arn, ok, detail));
  }
}
