/**
 * PutMetricAlarm's checks, with AWS's codes: ValidationError for malformed members,
 * InvalidParameterCombination for members that exclude each other, InvalidParameterValue for
 * values out of range. Anomaly detection bands (ThresholdMetricId, the band operators) are not
 * implemented: NotImplemented, said plainly.
 */
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import { STATIC_OPERATORS } from './alarms-evaluate.js';
import type { AlarmQuery, MetricAlarmRecord } from './alarms-records.js';
import { MathError, parse } from './metric-math.js';
import { isStatistic } from './metrics-store.js';

const v = (msg: string) => new AwsError('ValidationError', msg);
const combo = (msg: string) => new AwsError('InvalidParameterCombination', msg);
const value = (msg: string) => new AwsError('InvalidParameterValue', msg);

export const ANOMALY_OPERATORS = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const MISSING = ['missing', 'notBreaching', 'breaching', 'ignore'];
const UNITS = ['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits',
  'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second',
  'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None'];

export const required = (member: string, x: unknown): void => {
  if (x === undefined || x === null || x === '') throw v(`1 validation error detected: Value null at '${member[0]!.toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`);
};

export function checkName(name: string | undefined, member = 'AlarmName'): string {
  required(member, name);
  if (name!.length > 255) throw v(`1 validation error detected: Value '${name}' at '${member[0]!.toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must have length less than or equal to 255`);
  return name!;
}

export function checkTags(tags: Array<{ Key?: string; Value?: string }> | undefined): Array<{ Key: string; Value: string }> {
  const out = (tags ?? []).map((t) => {
    if (!t.Key || t.Key.length > 128) throw v('Tag keys must be between 1 and 128 characters long.');
    if (t.Value === undefined || t.Value.length > 256) throw v('Tag values must be between 0 and 256 characters long.');
    if (t.Key.startsWith('aws:')) throw value('Invalid tag key: keys with the prefix aws: are reserved.');
    return { Key: t.Key, Value: t.Value };
  });
  if (out.length > 50) throw v('1 validation error detected: Value at \'tags\' failed to satisfy constraint: Member must have length less than or equal to 50');
  return out;
}

function checkPeriod(p: number | undefined, member: string): number {
  required(member, p);
  if (!Number.isInteger(p) || p! < 1 || !(p === 10 || p === 20 || p === 30 || p! % 60 === 0)) {
    throw value(`The parameter ${member} must be 10, 20, 30, or a multiple of 60.`);
  }
  return p!;
}

function checkDims(d: Array<{ Name?: string; Value?: string }> | undefined): Array<{ Name: string; Value: string }> {
  const out = (d ?? []).map((x) => {
    if (!x.Name || x.Value === undefined) throw v('The dimension name and value must be set.');
    return { Name: x.Name, Value: x.Value };
  });
  if (out.length > 30) throw value('The collection Dimensions must not have a size greater than 30.');
  return out;
}

/** The evaluated part of a PutMetricAlarm (everything but names, actions and state). */
export type MetricConfig = Pick<MetricAlarmRecord, 'metric' | 'statistic' | 'extendedStatistic' | 'periodS' | 'unit' | 'evaluationPeriods' | 'datapointsToAlarm' | 'datapointsToAlarmUnset' | 'threshold' | 'comparison' | 'treatMissingData' | 'evaluateLowSampleCountPercentile' | 'metrics'>;

export function checkMetricAlarm(input: PutMetricAlarmInput): MetricConfig {
  required('EvaluationPeriods', input.EvaluationPeriods);
  required('ComparisonOperator', input.ComparisonOperator);
  const op = input.ComparisonOperator!;
  if (ANOMALY_OPERATORS.includes(op) || input.ThresholdMetricId) {
    throw new AwsError('NotImplemented', 'cloudlet does not implement anomaly detection: alarms on an ANOMALY_DETECTION_BAND (ThresholdMetricId, LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold) are not available; use a static threshold', 501);
  }
  if (!STATIC_OPERATORS.includes(op)) {
    throw v(`1 validation error detected: Value '${op}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATIC_OPERATORS, ...ANOMALY_OPERATORS].join(', ')}]`);
  }
  if (input.EvaluationCriteria || input.EvaluationInterval) throw new AwsError('NotImplemented', 'cloudlet does not implement Metrics Insights (PromQL) alarm criteria', 501);
  const N = input.EvaluationPeriods!;
  if (!Number.isInteger(N) || N < 1) throw v(`1 validation error detected: Value '${N}' at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  const M = input.DatapointsToAlarm ?? N;
  if (!Number.isInteger(M) || M < 1) throw v(`1 validation error detected: Value '${M}' at 'datapointsToAlarm' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  if (M > N) throw v('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
  required('Threshold', input.Threshold);
  const treat = input.TreatMissingData ?? 'missing';
  if (!MISSING.includes(treat)) throw v(`The value ${treat} is not valid for TreatMissingData. Valid values are: ${MISSING.join(', ')}`);
  if (input.Unit !== undefined && !UNITS.includes(input.Unit)) throw v(`1 validation error detected: Value '${input.Unit}' at 'unit' failed to satisfy constraint: Member must satisfy enum value set: [${UNITS.join(', ')}]`);
  const base = { evaluationPeriods: N, datapointsToAlarm: M, ...(input.DatapointsToAlarm === undefined ? { datapointsToAlarmUnset: true as const } : {}), threshold: input.Threshold!, comparison: op, treatMissingData: treat as MetricConfig['treatMissingData'] };

  const singleMembers = ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'] as const;
  if (input.Metrics?.length) {
    const used = singleMembers.filter((k) => input[k] !== undefined && !(k === 'Dimensions' && !input.Dimensions?.length));
    if (used.length) throw combo(`The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period and Unit cannot be specified with Metrics (found ${used.join(', ')}).`);
    if (input.EvaluateLowSampleCountPercentile) throw combo('EvaluateLowSampleCountPercentile cannot be specified with Metrics.');
    const metrics = checkQueries(input.Metrics as AlarmQuery[]);
    const out = metrics.find((q) => q.ReturnData !== false)!;
    const periods = metrics.map((q) => q.MetricStat?.Period ?? q.Period).filter((p): p is number => p !== undefined);
    const periodS = out.MetricStat?.Period ?? out.Period ?? (periods.length ? Math.max(...periods) : 60);
    checkSpan(periodS, N);
    return { ...base, periodS, metrics };
  }
  required('MetricName', input.MetricName);
  required('Namespace', input.Namespace);
  if (input.Statistic && input.ExtendedStatistic) throw combo('The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.');
  if (!input.Statistic && !input.ExtendedStatistic) throw combo('One of the parameters Statistic or ExtendedStatistic must be specified.');
  if (input.Statistic && !STATISTICS.includes(input.Statistic)) throw v(`1 validation error detected: Value '${input.Statistic}' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: [${STATISTICS.join(', ')}]`);
  if (input.ExtendedStatistic && (STATISTICS.includes(input.ExtendedStatistic) || !isStatistic(input.ExtendedStatistic))) {
    throw value(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
  }
  const low = input.EvaluateLowSampleCountPercentile;
  if (low !== undefined && low !== '') {
    if (!input.ExtendedStatistic || !/^p/i.test(input.ExtendedStatistic)) throw v('Option unavailable for non-percentiles');
    if (low !== 'evaluate' && low !== 'ignore') throw v(`The value ${low} is not valid for EvaluateLowSampleCountPercentile. Valid values are: evaluate, ignore`);
  }
  const periodS = checkPeriod(input.Period, 'Period');
  checkSpan(periodS, N);
  return {
    ...base, periodS,
    metric: { namespace: input.Namespace!, name: input.MetricName!, dimensions: checkDims(input.Dimensions as never) },
    ...(input.Statistic ? { statistic: input.Statistic } : { extendedStatistic: input.ExtendedStatistic! }),
    ...(input.Unit ? { unit: input.Unit } : {}),
    ...(low ? { evaluateLowSampleCountPercentile: low as 'evaluate' | 'ignore' } : {}),
  };
}

function checkSpan(periodS: number, n: number): void {
  if (periodS < 3600 && periodS * n > 86_400) throw v('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)');
  if (periodS * n > 604_800) throw v('Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800)');
}

function checkQueries(qs: AlarmQuery[]): AlarmQuery[] {
  if (qs.length > 10) throw v('The collection Metrics must not have a size greater than 10.');
  const ids = new Set<string>();
  const out: AlarmQuery[] = [];
  for (const q of qs) {
    required('Metrics.member.Id', q.Id);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw v(`Invalid metrics list: the Id '${q.Id}' must start with a lowercase letter and contain only letters, numbers and underscores.`);
    if (ids.has(q.Id)) throw v(`Invalid metrics list: the Id '${q.Id}' is used more than once.`);
    ids.add(q.Id);
    if (!!q.Expression === !!q.MetricStat) throw v('Invalid metrics list: each element must specify exactly one of Expression or MetricStat.');
    if (q.Expression) {
      try { parse(q.Expression); } catch (e) {
        if (e instanceof MathError) throw v(`Error in expression ${q.Id}: ${e.message}`);
        throw e;
      }
    }
    let ms = q.MetricStat;
    if (ms) {
      required('MetricStat.Metric.MetricName', ms.Metric?.MetricName);
      required('MetricStat.Metric.Namespace', ms.Metric?.Namespace);
      required('MetricStat.Stat', ms.Stat);
      if (!isStatistic(ms.Stat)) throw value(`The value ${ms.Stat} for parameter MetricStat.Stat is not supported.`);
      checkPeriod(ms.Period, 'MetricStat.Period');
      ms = { Metric: { Namespace: ms.Metric.Namespace, MetricName: ms.Metric.MetricName, Dimensions: checkDims(ms.Metric.Dimensions) }, Period: ms.Period, Stat: ms.Stat, ...(ms.Unit ? { Unit: ms.Unit } : {}) };
    }
    out.push({ Id: q.Id, ...(q.Expression ? { Expression: q.Expression } : {}), ...(ms ? { MetricStat: ms } : {}), ...(q.Label ? { Label: q.Label } : {}),
      ...(q.ReturnData !== undefined ? { ReturnData: q.ReturnData } : {}), ...(q.Period ? { Period: q.Period } : {}), ...(q.AccountId ? { AccountId: q.AccountId } : {}) });
  }
  if (out.filter((q) => q.ReturnData !== false).length !== 1) throw v('Exactly one element of the metrics list should return data.');
  return out;
}
