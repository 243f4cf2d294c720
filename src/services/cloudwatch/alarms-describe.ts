/**
 * DescribeAlarms and DescribeAlarmsForMetric: alarms as the API shows them (MetricAlarm and
 * CompositeAlarm shapes), filtered and paged in name order.
 */
import type {
  CompositeAlarm, DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput, DescribeAlarmsInput, DescribeAlarmsOutput, MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import type { Handler } from '../types.js';
import { ALARM, getAlarm, parentsOf, withReason, type AlarmRecord, type CompositeAlarmRecord, type MetricAlarmRecord } from './alarms-records.js';
import { required } from './alarms-validate.js';

function base(a: AlarmRecord) {
  return {
    AlarmName: a.name, AlarmArn: a.arn, ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(a.configUpdatedMs), ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions, AlarmActions: a.alarmActions, InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state, StateReason: a.stateReason, ...(a.stateReasonData ? { StateReasonData: a.stateReasonData } : {}),
    StateUpdatedTimestamp: new Date(a.stateUpdatedMs), StateTransitionedTimestamp: new Date(a.stateTransitionedMs),
  };
}

export function metricAlarmShape(a: MetricAlarmRecord): MetricAlarm {
  return {
    ...base(a),
    ...(a.metric ? {
      MetricName: a.metric.name, Namespace: a.metric.namespace, Dimensions: a.metric.dimensions,
      ...(a.statistic ? { Statistic: a.statistic as MetricAlarm['Statistic'] } : { ExtendedStatistic: a.extendedStatistic }),
      Period: a.periodS, ...(a.unit ? { Unit: a.unit as MetricAlarm['Unit'] } : {}),
    } : { Metrics: a.metrics as MetricAlarm['Metrics'] }),
    EvaluationPeriods: a.evaluationPeriods, ...(a.datapointsToAlarmUnset ? {} : { DatapointsToAlarm: a.datapointsToAlarm }), Threshold: a.threshold,
    ComparisonOperator: a.comparison as MetricAlarm['ComparisonOperator'], TreatMissingData: a.treatMissingData,
    ...(a.evaluateLowSampleCountPercentile ? { EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile } : {}),
  };
}

function compositeShape(a: CompositeAlarmRecord): CompositeAlarm {
  return {
    ...base(a), AlarmRule: a.rule,
    ...(a.suppressor ? {
      ActionsSuppressor: a.suppressor, ActionsSuppressorWaitPeriod: a.suppressorWaitS, ActionsSuppressorExtensionPeriod: a.suppressorExtensionS,
    } : {}),
    ...(a.suppressedBy ? { ActionsSuppressedBy: a.suppressedBy, ActionsSuppressedReason: a.suppressedReason } : {}),
  };
}

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const TYPES = ['CompositeAlarm', 'MetricAlarm'];

export const describeAlarms: Handler<DescribeAlarmsInput, DescribeAlarmsOutput> = (input, ctx) => {
  const max = input.MaxRecords ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new AwsError('ValidationError', `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`);
  if (input.StateValue && !STATES.includes(input.StateValue)) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${input.StateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [OK, ALARM, INSUFFICIENT_DATA]`);
  }
  for (const t of input.AlarmTypes ?? []) if (!TYPES.includes(t)) throw new AwsError('ValidationError', `1 validation error detected: Value '[${t}]' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]`);
  if (input.AlarmNames?.length && input.AlarmNamePrefix) throw new AwsError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
  if (input.AlarmNames && input.AlarmNames.length > 100) throw new AwsError('ValidationError', "1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
  const family = input.ChildrenOfAlarmName ?? input.ParentsOfAlarmName;
  if (input.ChildrenOfAlarmName && input.ParentsOfAlarmName) throw new AwsError('InvalidParameterCombination', 'ChildrenOfAlarmName and ParentsOfAlarmName cannot be specified together.');
  if (family && (input.AlarmNames?.length || input.AlarmNamePrefix || input.AlarmTypes?.length || input.StateValue || input.ActionPrefix)) {
    throw new AwsError('InvalidParameterCombination', `If ${input.ChildrenOfAlarmName ? 'ChildrenOfAlarmName' : 'ParentsOfAlarmName'} is specified, only MaxRecords and NextToken may also be specified.`);
  }
  let names: string[] | undefined;
  if (input.ChildrenOfAlarmName) {
    const p = getAlarm(ctx.tx, ctx.scope, input.ChildrenOfAlarmName);
    names = p?.type === 'CompositeAlarm' ? [...p.children].sort() : [];
  } else if (input.ParentsOfAlarmName) names = parentsOf(ctx.tx, ctx.scope, input.ParentsOfAlarmName).sort();
  else if (input.AlarmNames?.length) names = [...new Set(input.AlarmNames)].sort();
  // Without AlarmTypes only metric alarms are listed (AWS); the family queries list both kinds.
  const types = family ? new Set(TYPES) : new Set<string>(input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm']);
  const keep = (a: AlarmRecord) => types.has(a.type) && (!input.StateValue || a.state === input.StateValue)
    && (!input.ActionPrefix || [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) => x.startsWith(input.ActionPrefix!)));
  const binding = { service: 'cloudwatch', operation: 'DescribeAlarms', query: { ...input, MaxRecords: undefined, NextToken: undefined } };
  let after: string | undefined;
  if (input.NextToken) {
    after = decodePageToken(binding, input.NextToken);
    if (after === undefined) throw new AwsError('InvalidNextToken', 'The service couldn\'t process the NextToken.');
  }
  const page: AlarmRecord[] = [];
  let more = false;
  if (names) {
    for (const n of names) {
      if (after !== undefined && n <= after) continue;
      const a = getAlarm(ctx.tx, ctx.scope, n);
      if (!a || !keep(a)) continue;
      if (page.length === max) { more = true; break; }
      page.push(a);
    }
  } else {
    let cursor = after;
    outer: for (;;) {
      const rows = ctx.tx.list<AlarmRecord>(ctx.scope, ALARM, { ...(input.AlarmNamePrefix ? { prefix: input.AlarmNamePrefix } : {}), ...(cursor !== undefined ? { after: cursor } : {}), limit: 500 });
      for (const r of rows) {
        if (!keep(r.value)) continue;
        if (page.length === max) { more = true; break outer; }
        page.push(r.value);
      }
      if (rows.length < 500) break;
      cursor = rows[rows.length - 1]!.id;
    }
  }
  for (const a of page) withReason(ctx.tx, ctx.scope, a);
  return {
    MetricAlarms: page.filter((a): a is MetricAlarmRecord => a.type === 'MetricAlarm').map(metricAlarmShape),
    CompositeAlarms: page.filter((a): a is CompositeAlarmRecord => a.type === 'CompositeAlarm').map(compositeShape),
    ...(more ? { NextToken: encodePageToken(binding, page[page.length - 1]!.name) } : {}),
  };
};

export const describeAlarmsForMetric: Handler<DescribeAlarmsForMetricInput, DescribeAlarmsForMetricOutput> = (input, ctx) => {
  required('MetricName', input.MetricName);
  required('Namespace', input.Namespace);
  const dims = (input.Dimensions ?? []).map((d) => `${d.Name}\u0000${d.Value}`).sort().join('\u0001');
  const out: MetricAlarm[] = [];
  for (const r of ctx.tx.list<AlarmRecord>(ctx.scope, ALARM)) {
    const a = r.value;
    if (a.type !== 'MetricAlarm' || !a.metric) continue;
    if (a.metric.name !== input.MetricName || a.metric.namespace !== input.Namespace) continue;
    if (input.Statistic && a.statistic !== input.Statistic) continue;
    if (input.ExtendedStatistic && a.extendedStatistic !== input.ExtendedStatistic) continue;
    if (input.Period && a.periodS !== input.Period) continue;
    if (input.Unit && a.unit !== input.Unit) continue;
    if (input.Dimensions && a.metric.dimensions.map((d) => `${d.Name}\u0000${d.Value}`).sort().join('\u0001') !== dims) continue;
    out.push(metricAlarmShape(withReason(ctx.tx, ctx.scope, a)));
  }
  return { MetricAlarms: out };
};
