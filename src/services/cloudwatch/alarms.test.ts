import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Scope, Tx } from '../../store/types.js';
import { settleScope } from '../fleet/engine.js';
import { systemContext } from '../fleet/system.js';
import type { ActionPorts } from './alarm-actions.js';
import { alarmHandlers } from './alarm-handlers.js';
import { evaluateAlarm, javaDouble, reasonTime } from './alarms-evaluate.js';
import { describeAlarmHistory } from './alarms-history.js';
import { getAlarm, nextAlarmDue, type MetricAlarmRecord } from './alarms-records.js';
import { evalRule, parseRule } from './alarms-rule.js';
import { alarmsStep } from './alarms-step.js';
import { putDatapoints, type MetricId } from './metrics-store.js';

const scope: Scope = { account: '111111111111', region: 'us-east-1' };
const MIN = 60_000;
const T0 = Date.UTC(2026, 3, 12, 10, 0, 0);
const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };
const metric: MetricId = { namespace: 'App', name: 'Load', dimensions: [{ Name: 'Host', Value: 'a' }] };

interface Calls { sns: string[]; asg: number[]; ec2: string[] }
function stubPorts(calls: Calls): ActionPorts {
  return {
    publish: (_sys, arn, m) => { calls.sns.push(`${arn} ${JSON.parse(m.message).NewStateValue}`); return { messageId: 'm' }; },
    executePolicy: (sys) => { calls.asg.push(sys.clock.nowMs()); },
    ec2: (_sys, action, id) => { calls.ec2.push(`${action} ${id}`); },
  };
}

function world() {
  const store = createMemoryStore();
  const calls: Calls = { sns: [], asg: [], ec2: [] };
  const steps = [alarmsStep(() => stubPorts(calls))];
  const at = (tx: Tx, ms: number) => systemContext(tx, scope, ms, env, 'test');
  return {
    store, calls,
    call: (op: string, input: object, ms: number) => store.transaction((tx) => alarmHandlers[op]!(input, at(tx, ms))),
    put: (values: Array<[minute: number, value: number]>) => store.transaction((tx) => putDatapoints(tx, scope, metric, undefined, values.map(([m, value]) => ({ atMs: T0 + m * MIN, value })))),
    settle: (ms: number) => store.transaction((tx) => settleScope(tx, scope, ms, env, steps)),
    alarm: (name: string) => store.transaction((tx) => getAlarm(tx, scope, name)),
  };
}

const alarmInput = (over: object = {}) => ({
  AlarmName: 'high', Namespace: metric.namespace, MetricName: metric.name, Dimensions: metric.dimensions,
  Statistic: 'Average', Period: 60, EvaluationPeriods: 3, Threshold: 60, ComparisonOperator: 'GreaterThanThreshold', ...over,
});

test('3 of 3 breaching datapoints: OK -> ALARM at the period end, with AWS\'s reason and reason data', async () => {
  const w = world();
  await w.call('PutMetricAlarm', alarmInput(), T0);
  await w.put([[0, 90], [1, 85], [2, 88]]);
  await w.settle(T0 + 2 * MIN);
  assert.equal((await w.alarm('high'))!.state, 'OK', 'two periods in: 2 breaching of 2 present is not 3');
  await w.settle(T0 + 3 * MIN);
  const a = (await w.alarm('high'))!;
  assert.equal(a.state, 'ALARM');
  assert.equal(a.stateReason, 'Threshold Crossed: 3 out of the last 3 datapoints [88.0 (12/04/26 10:02:00), 85.0 (12/04/26 10:01:00), 90.0 (12/04/26 10:00:00)] were greater than the threshold (60.0) (minimum 3 datapoints for OK -> ALARM transition).');
  const data = JSON.parse(a.stateReasonData!);
  assert.deepEqual(data.recentDatapoints, [90, 85, 88]);
  assert.equal(data.period, 60);
  assert.equal(data.evaluatedDatapoints[0].timestamp, '2026-04-12T10:02:00.000+0000');
  assert.match(a.stateReasonData!, /"threshold":60\.0/);
  assert.equal(a.stateUpdatedMs, T0 + 3 * MIN);
  const h = await w.store.transaction((tx) => describeAlarmHistory({ AlarmName: 'high', HistoryItemType: 'StateUpdate' }, systemContext(tx, scope, T0 + 3 * MIN, env, 'test')));
  assert.deepEqual(h.AlarmHistoryItems!.map((i) => i.HistorySummary), ['Alarm updated from OK to ALARM', 'Alarm updated from INSUFFICIENT_DATA to OK']);
  const hd = JSON.parse(h.AlarmHistoryItems![0]!.HistoryData!);
  assert.equal(hd.oldState.stateValue, 'OK');
  assert.equal(hd.newState.stateValue, 'ALARM');
  assert.deepEqual(hd.newState.stateReasonData.recentDatapoints, [90, 85, 88]);
});

test('M of N: 2 of 3 alarms, ALARM -> OK needs N - M + 1 good datapoints', async () => {
  const w = world();
  await w.call('PutMetricAlarm', alarmInput({ DatapointsToAlarm: 2 }), T0);
  await w.put([[0, 90], [1, 10], [2, 95], [3, 10], [4, 10]]);
  await w.settle(T0 + 3 * MIN);
  assert.equal((await w.alarm('high'))!.state, 'ALARM');
  await w.settle(T0 + 4 * MIN);
  const a = (await w.alarm('high'))!;
  assert.equal(a.state, 'OK', '10, 95, 10: two good datapoints of three');
  assert.match(a.stateReason, /^Threshold Crossed: 2 out of the last 3 datapoints \[10\.0 \(12\/04\/26 10:03:00\), 10\.0 \(12\/04\/26 10:01:00\)\] were not greater than the threshold \(60\.0\) \(minimum 2 datapoints for ALARM -> OK transition\)\.$/);
});

test('TreatMissingData with no data at all: missing -> INSUFFICIENT_DATA, breaching -> ALARM, notBreaching -> OK, ignore keeps the state', async () => {
  const w = world();
  for (const t of ['missing', 'breaching', 'notBreaching', 'ignore']) await w.call('PutMetricAlarm', alarmInput({ AlarmName: t, TreatMissingData: t }), T0);
  await w.call('SetAlarmState', { AlarmName: 'ignore', StateValue: 'OK', StateReason: 'by hand' }, T0);
  await w.call('SetAlarmState', { AlarmName: 'missing', StateValue: 'OK', StateReason: 'by hand' }, T0);
  await w.settle(T0 + 10 * MIN);
  assert.equal((await w.alarm('missing'))!.state, 'INSUFFICIENT_DATA');
  assert.equal((await w.alarm('missing'))!.stateReason, 'Insufficient Data: 3 datapoints were unknown.');
  assert.equal((await w.alarm('breaching'))!.state, 'ALARM');
  assert.equal((await w.alarm('notBreaching'))!.state, 'OK');
  assert.equal((await w.alarm('ignore'))!.state, 'OK');
  assert.equal((await w.alarm('ignore'))!.stateReason, 'by hand');
});

/** The rows of AWS's missing-data table (3 of 3, a range of 5; newest last in the strings here). */
test('the missing-data table: missing and ignore look back through the evaluation range; premature ALARM avoided as documented', () => {
  const a = (treat: string, state = 'OK'): MetricAlarmRecord => ({
    type: 'MetricAlarm', name: 'x', arn: 'x', actionsEnabled: true, okActions: [], alarmActions: [], insufficientDataActions: [],
    state: state as 'OK', stateReason: '', stateUpdatedMs: 0, stateTransitionedMs: 0, configUpdatedMs: 0, tags: [],
    metric, statistic: 'Average', periodS: 60, evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 0,
    comparison: 'GreaterThanThreshold', treatMissingData: treat as 'missing', nextEvalMs: 0,
  });
  const at = 10 * MIN;
  const run = (row: string, treat: string) => {
    const points = new Map<number, number>();
    [...row].forEach((c, i) => { if (c !== '-') points.set(at - (5 - i) * MIN, c === 'X' ? 1 : 0); });
    return evaluateAlarm({ alarm: a(treat), atMs: at, points })?.state ?? 'kept';
  };
  const table: Array<[string, string, string, string, string]> = [
    // row      missing   ignore   breaching notBreaching
    ['00X0X', 'OK', 'OK', 'OK', 'OK'],
    ['00000', 'OK', 'OK', 'OK', 'OK'],
    ['0-X-X', 'OK', 'OK', 'ALARM', 'OK'],
    ['---XX', 'OK', 'OK', 'ALARM', 'OK'],
    ['--X-X', 'ALARM', 'ALARM', 'ALARM', 'OK'],
    ['-----', 'INSUFFICIENT_DATA', 'kept', 'ALARM', 'OK'],
    ['--X--', 'ALARM', 'ALARM', 'ALARM', 'OK'],
  ];
  for (const [row, ...want] of table) {
    assert.deepEqual(['missing', 'ignore', 'breaching', 'notBreaching'].map((t) => run(row, t)), want, row);
  }
});

test('percentile alarms: p90 with too few samples is not evaluated when EvaluateLowSampleCountPercentile is ignore', async () => {
  const w = world();
  await w.call('PutMetricAlarm', alarmInput({ AlarmName: 'p-ignore', Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1, EvaluateLowSampleCountPercentile: 'ignore' }), T0);
  await w.call('PutMetricAlarm', alarmInput({ AlarmName: 'p-eval', Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1, EvaluateLowSampleCountPercentile: 'evaluate' }), T0);
  await w.store.transaction((tx) => putDatapoints(tx, scope, metric, undefined, [{ atMs: T0, values: [10, 99], counts: [1, 1] }]));
  await w.settle(T0 + MIN);
  assert.equal((await w.alarm('p-eval'))!.state, 'ALARM', 'p90 of [10, 99] is 99');
  assert.equal((await w.alarm('p-ignore'))!.state, 'INSUFFICIENT_DATA', '2 samples: too few for p90 (10 needed)');
  await w.store.transaction((tx) => putDatapoints(tx, scope, metric, undefined, [{ atMs: T0 + MIN, values: [1, 99], counts: [2, 10] }]));
  await w.settle(T0 + 2 * MIN);
  assert.equal((await w.alarm('p-ignore'))!.state, 'ALARM');
  assert.equal(JSON.parse((await w.alarm('p-ignore'))!.stateReasonData!).evaluatedDatapoints[0].sampleCount, 12);
});

test('metric math alarms: the ReturnData expression over two metrics is what crosses the threshold', async () => {
  const w = world();
  const other: MetricId = { namespace: 'App', name: 'Errors', dimensions: [] };
  await w.call('PutMetricAlarm', {
    AlarmName: 'ratio', EvaluationPeriods: 2, Threshold: 50, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Metrics: [
      { Id: 'load', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Load', Dimensions: metric.dimensions }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'errs', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Errors' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'pct', Expression: '100 * errs / load', ReturnData: true },
    ],
  }, T0);
  await w.put([[0, 10], [1, 10]]);
  await w.store.transaction((tx) => putDatapoints(tx, scope, other, undefined, [{ atMs: T0, value: 6 }, { atMs: T0 + MIN, value: 5 }]));
  await w.settle(T0 + 2 * MIN);
  const a = (await w.alarm('ratio'))!;
  assert.equal(a.state, 'ALARM');
  assert.match(a.stateReason, /\[50\.0 \(12\/04\/26 10:01:00\), 60\.0 \(12\/04\/26 10:00:00\)\] were greater than or equal to the threshold \(50\.0\)/);
  await assert.rejects(w.call('PutMetricAlarm', { AlarmName: 'bad', EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', Metrics: [{ Id: 'a', Expression: 'm1 +', ReturnData: true }] }, T0), { code: 'ValidationError' });
  await assert.rejects(w.call('PutMetricAlarm', { ...alarmInput(), Metrics: [{ Id: 'a', Expression: '1' }] }, T0), { code: 'InvalidParameterCombination' });
});

test('composite rules: grammar, precedence, and a composite that follows its children as they evaluate', async () => {
  const st: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'> = { a: 'ALARM', b: 'OK', c: 'INSUFFICIENT_DATA' };
  const ev = (r: string) => evalRule(parseRule(r), (n) => st[n]);
  assert.equal(ev('ALARM(a) AND OK(b)'), true);
  assert.equal(ev('ALARM(b) OR ALARM(a) AND OK(c)'), false, 'AND binds tighter than OR');
  assert.equal(ev('(ALARM(b) OR ALARM(a)) AND NOT OK(c)'), true);
  assert.equal(ev('INSUFFICIENT_DATA("c") AND TRUE'), true);
  assert.equal(ev('ALARM(arn:aws:cloudwatch:us-east-1:111111111111:alarm:a)'), true);
  for (const bad of ['ALARM(a', 'ALARM(a) AND', 'FOO(a)', 'ALARM()', '']) assert.throws(() => parseRule(bad), { code: 'InvalidFormat' }, bad);

  const w = world();
  await w.call('PutMetricAlarm', alarmInput({ EvaluationPeriods: 1 }), T0);
  await w.call('PutMetricAlarm', alarmInput({ AlarmName: 'quiet', EvaluationPeriods: 1, Threshold: 1000, TreatMissingData: 'notBreaching' }), T0);
  await w.call('PutCompositeAlarm', { AlarmName: 'both', AlarmRule: 'ALARM(high) AND NOT ALARM(quiet)', AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops'] }, T0);
  assert.equal((await w.alarm('both'))!.state, 'OK');
  await assert.rejects(w.call('PutCompositeAlarm', { AlarmName: 'x', AlarmRule: 'ALARM(nope)' }, T0), { code: 'InvalidParameterValue' });
  await assert.rejects(w.call('PutCompositeAlarm', { AlarmName: 'x', AlarmRule: 'ALARM(high) AND' }, T0), { code: 'InvalidFormat' });
  await w.put([[0, 99]]);
  await w.settle(T0 + MIN);
  const c = (await w.alarm('both'))!;
  assert.equal(c.state, 'ALARM');
  assert.match(c.stateReason, /^arn:aws:cloudwatch:us-east-1:111111111111:alarm:high transitioned to ALARM at Sunday 12 April, 2026 10:01:00 UTC$/);
  assert.deepEqual(w.calls.sns, ['arn:aws:sns:us-east-1:111111111111:ops ALARM']);
  await assert.rejects(w.call('DeleteAlarms', { AlarmNames: ['high'] }, T0 + MIN), { code: 'ValidationError' });
  await assert.rejects(w.call('DeleteAlarms', { AlarmNames: ['both', 'ghost'] }, T0 + MIN), { code: 'ResourceNotFound' });
  await w.call('DeleteAlarms', { AlarmNames: ['both', 'high'] }, T0 + MIN);
  assert.equal(await w.alarm('high'), undefined);
});

test('actions: SNS on the transition only; Auto Scaling repeats every minute while in ALARM; disabled actions do nothing', async () => {
  const w = world();
  const policy = 'arn:aws:autoscaling:us-east-1:111111111111:scalingPolicy:0e7a:autoScalingGroupName/web:policyName/out';
  await w.call('PutMetricAlarm', alarmInput({ Period: 300, EvaluationPeriods: 1, AlarmActions: ['arn:aws:sns:us-east-1:111111111111:ops', policy] }), T0);
  await w.put([[0, 90], [5, 90], [10, 90]]);
  await w.settle(T0 + 5 * MIN);
  assert.deepEqual(w.calls.sns, ['arn:aws:sns:us-east-1:111111111111:ops ALARM']);
  assert.deepEqual(w.calls.asg, [T0 + 5 * MIN]);
  await w.settle(T0 + 10 * MIN);
  assert.equal(w.calls.sns.length, 1, 'no repeat of the SNS action');
  assert.deepEqual(w.calls.asg.map((t) => (t - T0) / MIN), [5, 6, 7, 8, 9, 10]);
  await w.call('DisableAlarmActions', { AlarmNames: ['high'] }, T0 + 10 * MIN);
  await w.settle(T0 + 15 * MIN);
  assert.equal(w.calls.asg.length, 6);
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ AlarmName: 'ec2', AlarmActions: ['arn:aws:automate:us-east-1:ec2:stop'] }), T0), /EC2 action can only be used/);
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ AlarmName: 'l', AlarmActions: ['arn:aws:lambda:us-east-1:111111111111:function:f'] }), T0), { code: 'ValidationError' });
});

test('validation: periods, spans, M <= N, anomaly detection answered as not implemented', async () => {
  const w = world();
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ Period: 45 }), T0), { code: 'InvalidParameterValue' });
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ Period: 60, EvaluationPeriods: 1441 }), T0), /more than a day/);
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ DatapointsToAlarm: 4 }), T0), { code: 'ValidationError' });
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ ExtendedStatistic: 'p99' }), T0), { code: 'InvalidParameterCombination' });
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold', ThresholdMetricId: 'ad1' }), T0), { code: 'NotImplemented' });
  await assert.rejects(w.call('PutMetricAlarm', alarmInput({ EvaluateLowSampleCountPercentile: 'ignore' }), T0), /non-percentiles/);
  await assert.rejects(w.call('SetAlarmState', { AlarmName: 'none', StateValue: 'OK', StateReason: 'x' }, T0), { code: 'ResourceNotFound' });
  await w.call('PutMetricAlarm', alarmInput({ Period: 10, EvaluationPeriods: 1 }), T0);
  assert.equal(await w.store.transaction((tx) => nextAlarmDue(tx, scope)), T0 + 10_000, 'a high-resolution alarm evaluates every 10 seconds');
  await assert.rejects(w.call('SetAlarmState', { AlarmName: 'high', StateValue: 'OK', StateReason: 'x', StateReasonData: '{nope' }, T0), { code: 'InvalidFormat' });
});

test('number and date formats of reasons', () => {
  assert.equal(javaDouble(90), '90.0');
  assert.equal(javaDouble(0.5), '0.5');
  assert.equal(javaDouble(12345678), '1.2345678E7');
  assert.equal(reasonTime(Date.UTC(2026, 3, 12, 10, 5, 0)), '12/04/26 10:05:00');
});
