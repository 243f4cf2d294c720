import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand,
  ListTagsForResourceCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand, TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';

/**
 * CloudWatch alarms end to end with the JS SDK v3: alarms that evaluate as the clock moves
 * (POST /_cloudlet/clock), say why in their history, and act — an SNS notification in the
 * outbox, an EC2 instance stopped — composite alarms that follow their children, SetAlarmState.
 */

const MIN = 60_000;

describe('CloudWatch alarms', () => {
  let cl: Cloudlet;
  let cw: CloudWatchClient;
  let sns: SNSClient;
  let ec2: EC2Client;
  const clock = async (body: unknown) => (await (await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { now: string };
  const now = async () => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
  const alarm = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })));
  const state = async (name: string) => { const r = await alarm(name); return (r.MetricAlarms![0] ?? r.CompositeAlarms![0])!.StateValue; };

  before(async () => {
    cl = await startTestServer();
    cw = new CloudWatchClient(clientConfig(cl.url));
    sns = new SNSClient(clientConfig(cl.url));
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { cw.destroy(); sns.destroy(); ec2.destroy(); await cl.close(); });

  test('a custom metric crosses the threshold: OK -> ALARM as the clock passes the periods, the history says why, SNS delivers the notification', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'ops' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: '+15555550100' }));
    const dims = [{ Name: 'Service', Value: 'checkout' }];
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'checkout-latency', Namespace: 'App', MetricName: 'Latency', Dimensions: dims, Statistic: 'Average', Period: 60,
      EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 60, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [topic], OKActions: [topic],
      Tags: [{ Key: 'team', Value: 'pay' }],
    }));
    assert.equal(await state('checkout-latency'), 'INSUFFICIENT_DATA');
    const t0 = Math.floor((await now()) / MIN) * MIN;
    // Low values first: the alarm settles OK; then three high minutes.
    const put = (m: number, v: number) => cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Latency', Dimensions: dims, Timestamp: new Date(t0 + m * MIN), Value: v }] }));
    for (const [m, v] of [[0, 20], [1, 25], [2, 30], [3, 90], [4, 85], [5, 88]] as const) await put(m, v);
    await clock({ advance: '3m' });
    assert.equal(await state('checkout-latency'), 'OK');
    await clock({ advance: '3m' });
    const a = (await alarm('checkout-latency')).MetricAlarms![0]!;
    assert.equal(a.StateValue, 'ALARM');
    assert.match(a.StateReason!, /^Threshold Crossed: 3 out of the last 3 datapoints \[88\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\), 85\.0 .*, 90\.0 .*\] were greater than the threshold \(60\.0\) \(minimum 3 datapoints for OK -> ALARM transition\)\.$/);
    assert.deepEqual(JSON.parse(a.StateReasonData!).recentDatapoints, [90, 85, 88]);

    const h = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'checkout-latency' }))).AlarmHistoryItems!;
    assert.deepEqual(h.map((i) => i.HistoryItemType), ['Action', 'StateUpdate', 'Action', 'StateUpdate', 'ConfigurationUpdate']);
    assert.equal(h[1]!.HistorySummary, 'Alarm updated from OK to ALARM');
    assert.equal(JSON.parse(h[1]!.HistoryData!).newState.stateReason, a.StateReason);
    assert.equal(h[0]!.HistorySummary, `Successfully executed action ${topic}`);
    assert.equal(h[4]!.HistorySummary, 'Alarm "checkout-latency" created');
    const asc = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'checkout-latency', ScanBy: 'TimestampAscending', MaxRecords: 2 })));
    assert.equal(asc.AlarmHistoryItems![0]!.HistoryItemType, 'ConfigurationUpdate');
    const rest = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'checkout-latency', ScanBy: 'TimestampAscending', NextToken: asc.NextToken }));
    assert.equal(rest.AlarmHistoryItems!.length, 3);

    const outbox = (await (await fetch(`${cl.url}/_cloudlet/sns/outbox?topic=ops`)).json()) as { messages: Array<{ body: string; kind: string }> };
    const notes = outbox.messages.filter((m) => m.kind === 'Notification').map((m) => JSON.parse(m.body) as Record<string, any>);
    assert.deepEqual(notes.map((n) => `${n.OldStateValue}->${n.NewStateValue}`), ['INSUFFICIENT_DATA->OK', 'OK->ALARM']);
    assert.equal(notes[1]!.AlarmName, 'checkout-latency');
    assert.equal(notes[1]!.Trigger.MetricName, 'Latency');
    assert.equal(notes[1]!.Trigger.Threshold, 60);
    assert.equal(notes[1]!.Region, 'US East (N. Virginia)');

    const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'App', MetricName: 'Latency', Dimensions: dims }));
    assert.deepEqual(forMetric.MetricAlarms!.map((x) => x.AlarmName), ['checkout-latency']);
    const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: a.AlarmArn }));
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'pay' }]);
    await cw.send(new TagResourceCommand({ ResourceARN: a.AlarmArn, Tags: [{ Key: 'tier', Value: '1' }] }));
    assert.equal((await cw.send(new ListTagsForResourceCommand({ ResourceARN: a.AlarmArn }))).Tags!.length, 2);
  });

  test('SetAlarmState holds until the next evaluation; a composite alarm follows its children', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'errors', Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
      Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'checkout-down', AlarmRule: 'ALARM("checkout-latency") AND ALARM(errors)' }));
    assert.equal(await state('checkout-down'), 'OK');
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'testing the page' }));
    assert.equal(await state('errors'), 'ALARM');
    const c = (await alarm('checkout-down')).CompositeAlarms![0]!;
    assert.equal(c.StateValue, 'ALARM');
    assert.match(c.StateReason!, /alarm:errors transitioned to ALARM at /);
    const kids = await cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'checkout-down' }));
    assert.deepEqual(kids.MetricAlarms!.map((x) => x.AlarmName), ['checkout-latency', 'errors']);
    const parents = await cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: 'errors' }));
    assert.deepEqual(parents.CompositeAlarms!.map((x) => x.AlarmName), ['checkout-down']);
    assert.equal((await cw.send(new DescribeAlarmsCommand({}))).CompositeAlarms!.length, 0, 'no AlarmTypes: metric alarms only');
    await clock({ advance: '1m' });
    assert.equal(await state('errors'), 'OK', 'the next evaluation sets the state from the data again');
    assert.equal(await state('checkout-down'), 'OK');
    await assert.rejects(cw.send(new PutCompositeAlarmCommand({ AlarmName: 'bad', AlarmRule: 'ALARM(errors) AND (' })), (e: Error) => e.name === 'InvalidFormatFault' || e.name === 'InvalidFormat');
    await assert.rejects(cw.send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'OK', StateReason: 'x' })), { name: 'ResourceNotFound' });
    await assert.rejects(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['errors'] })), /composite alarm checkout-down/);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['checkout-down', 'errors'] }));
    assert.equal((await alarm('errors')).MetricAlarms!.length, 0);
  });

  test('an EC2 stop action stops the instance the alarm watches', async () => {
    const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    const ami = imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    const id = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    await clock({ advance: '1m' });
    const dims = [{ Name: 'InstanceId', Value: id }];
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'idle-stop', Namespace: 'Custom/EC2', MetricName: 'Busy', Dimensions: dims, Statistic: 'Maximum', Period: 300,
      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'LessThanThreshold', AlarmActions: ['arn:aws:automate:us-east-1:ec2:stop'],
    }));
    const t = Math.floor((await now()) / (5 * MIN)) * 5 * MIN;
    await cw.send(new PutMetricDataCommand({ Namespace: 'Custom/EC2', MetricData: [{ MetricName: 'Busy', Dimensions: dims, Timestamp: new Date(t + 1000), Value: 0 }] }));
    await clock({ advance: '5m' });
    assert.equal(await state('idle-stop'), 'ALARM');
    await clock({ advance: '2m' });
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
    assert.equal(inst.State!.Name, 'stopped');
    const h = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'idle-stop', HistoryItemType: 'Action' }))).AlarmHistoryItems!;
    assert.equal(h[0]!.HistorySummary, 'Successfully executed action arn:aws:automate:us-east-1:ec2:stop');
    await assert.rejects(cw.send(new PutMetricAlarmCommand({
      AlarmName: 'no-instance', Namespace: 'App', MetricName: 'Latency', Statistic: 'Average', Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: ['arn:aws:automate:us-east-1:ec2:stop'],
    })), /An EC2 action can only be used if the alarm is monitoring an EC2 instance/);
    await assert.rejects(cw.send(new PutMetricAlarmCommand({
      AlarmName: 'band', Namespace: 'App', MetricName: 'Latency', EvaluationPeriods: 1, ThresholdMetricId: 'ad1',
      ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold', Metrics: [{ Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)' }],
    })), /anomaly detection/);
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: put-metric-alarm with metric math, describe-alarms, set-alarm-state, describe-alarm-history, a composite rule refused`, { skip: cli.skip }, async () => {
      const name = `cli-${cli.name.replace(/\W/g, '')}`;
      await awsJson(cli.bin, cl.url, ['cloudwatch', 'put-metric-alarm', '--alarm-name', name, '--evaluation-periods', '2', '--datapoints-to-alarm', '1',
        '--threshold', '10', '--comparison-operator', 'GreaterThanThreshold', '--treat-missing-data', 'notBreaching',
        '--metrics', JSON.stringify([
          { Id: 'a', MetricStat: { Metric: { Namespace: 'Cli', MetricName: 'A' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
          { Id: 'b', MetricStat: { Metric: { Namespace: 'Cli', MetricName: 'B' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
          { Id: 'e', Expression: 'a + b', Label: 'total', ReturnData: true },
        ])]);
      const d = await awsJson(cli.bin, cl.url, ['cloudwatch', 'describe-alarms', '--alarm-names', name]);
      assert.equal(d.MetricAlarms[0].Metrics.length, 3);
      assert.equal(d.MetricAlarms[0].Metrics[2].Expression, 'a + b');
      assert.equal(d.MetricAlarms[0].StateValue, 'INSUFFICIENT_DATA');
      // The alarm evaluates each minute and would set its state back: start just past a minute
      // (that evaluation finds no data, which is not breaching: OK).
      const t = await now();
      await clock({ advance: `${MIN - (t % MIN) + 1000}ms` });
      await awsJson(cli.bin, cl.url, ['cloudwatch', 'set-alarm-state', '--alarm-name', name, '--state-value', 'ALARM', '--state-reason', 'drill', '--state-reason-data', '{"why":"drill"}']);
      const d2 = await awsJson(cli.bin, cl.url, ['cloudwatch', 'describe-alarms', '--state-value', 'ALARM', '--alarm-name-prefix', 'cli-']);
      assert.deepEqual(d2.MetricAlarms.map((x: { AlarmName: string }) => x.AlarmName), [name]);
      assert.equal(d2.MetricAlarms[0].StateReasonData, '{"why":"drill"}');
      const h = await awsJson(cli.bin, cl.url, ['cloudwatch', 'describe-alarm-history', '--alarm-name', name, '--history-item-type', 'StateUpdate']);
      assert.equal(h.AlarmHistoryItems[0].HistorySummary, 'Alarm updated from OK to ALARM');
      const bad = await runAws(cli.bin, cl.url, ['cloudwatch', 'put-composite-alarm', '--alarm-name', `${name}-c`, '--alarm-rule', `ALARM(${name}) OR`]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /InvalidFormat/);
      await awsJson(cli.bin, cl.url, ['cloudwatch', 'delete-alarms', '--alarm-names', name]);
    });
  }
});
