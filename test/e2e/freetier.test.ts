import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, PutCompositeAlarmCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import type { Cloudlet } from '../../src/server/server.js';
import { prices } from '../../src/services/cost/prices.js';
import { awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { clockAdvance, clockNow, day, intoNextMonth, nextMonth } from '../helpers/clock.js';
import { runPython } from '../helpers/python.js';
import { needTool, toolPath } from '../helpers/tools.js';

/**
 * The AWS Free Tier API over the cost meter: twelve alarms (and a composite one) held for 28
 * days of a month use up the ten free alarm metrics, custom metrics sent in two Regions draw
 * on the ten free metrics; GetFreeTierUsage reports both with a forecast, filters and pages
 * (AWS CLI v1, boto3), and Cost Explorer charges exactly the alarm-months beyond the ten.
 * The CLI v2 from Debian (2.9) predates the Free Tier API.
 */

const H = 3_600_000;
const D = 24 * H;
const monthStart = (ms: number) => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); };

describe('AWS Free Tier: GetFreeTierUsage from the meter, the account plan', { skip: needTool('aws1') }, () => {
  let cl: Cloudlet;
  const aws1 = toolPath('aws1') ?? 'aws';
  const now = () => clockNow(cl.url);
  let alarmsFrom: [number, number];
  let metricsAt: number;
  let asOf: [number, number];
  let month: number;

  before(async () => {
    cl = await startTestServer();
    month = await intoNextMonth(cl.url);
    const a0 = await now();
    const cw = new CloudWatchClient(clientConfig(cl.url));
    for (let i = 0; i < 12; i++) {
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: `free-${i}`, Namespace: 'App', MetricName: 'Latency', Statistic: 'Average', Period: 300, EvaluationPeriods: 1,
        Threshold: 100, ComparisonOperator: 'GreaterThanThreshold',
      }));
    }
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'both', AlarmRule: 'ALARM(free-0) AND ALARM(free-1)' }));
    alarmsFrom = [a0, await now()];
    metricsAt = await now();
    await cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Latency', Value: 5 }] }));
    cw.destroy();
    const west = new CloudWatchClient(clientConfig(cl.url, 'us-west-2'));
    await west.send(new PutMetricDataCommand({ Namespace: 'Batch', MetricData: [{ MetricName: 'Jobs', Value: 1 }] }));
    west.destroy();
    await clockAdvance(cl.url, 28 * 24 * H);
    const e0 = await now();
    asOf = [e0, e0];
  });
  after(async () => { await cl?.close(); });

  const alarmMonths = (): { mid: number; slack: number } => {
    const m = nextMonth(month) - month;
    const lo = (12 * (asOf[0] - alarmsFrom[1])) / m;
    const hi = (12 * (asOf[1] + 60_000 - alarmsFrom[0])) / m;
    return { mid: (lo + hi) / 2, slack: (hi - lo) / 2 };
  };

  test('aws-cli v1: get-free-tier-usage lists the alarms and metrics used this month, with limits and a forecast', async () => {
    const r = await awsJson(aws1, cl.url, ['freetier', 'get-free-tier-usage']);
    const byType = new Map((r.freeTierUsages as any[]).map((u) => [u.usageType, u]));
    assert.deepEqual([...byType.keys()].sort(), ['CW:AlarmMonitorUsage', 'CW:MetricMonitorUsage'], 'no data transfer out was used: not listed');
    const alarms = byType.get('CW:AlarmMonitorUsage');
    assert.equal(alarms.service, 'AmazonCloudWatch');
    assert.equal(alarms.region, 'global');
    assert.equal(alarms.limit, 10);
    assert.equal(alarms.unit, 'Alarms');
    assert.equal(alarms.freeTierType, 'Always Free');
    const want = alarmMonths();
    assert.ok(Math.abs(alarms.actualUsageAmount - want.mid) <= want.slack + 1e-6, `alarm-months ${alarms.actualUsageAmount}, want ${want.mid} ± ${want.slack}`);
    assert.ok(alarms.actualUsageAmount > 10, 'twelve alarms for 28 days pass the ten free');
    // Forecast: the same rate to the month's end, i.e. about twelve alarm-months.
    assert.ok(Math.abs(alarms.forecastedUsageAmount - 12) < 0.5, `forecast ${alarms.forecastedUsageAmount}`);
    const metrics = byType.get('CW:MetricMonitorUsage');
    // One hour of one namespace in each of two Regions: 2 / (hours in the month) metric-months.
    const hours = (nextMonth(metricsAt) - monthStart(metricsAt)) / H;
    assert.ok(Math.abs(metrics.actualUsageAmount - 2 / hours) < 1e-9, `metric-months ${metrics.actualUsageAmount}`);
    assert.equal(metrics.limit, 10);
  });

  test('Cost Explorer charges exactly the alarm-months beyond the ten free; the composite alarm is never free', async () => {
    const ce = new CostExplorerClient(clientConfig(cl.url));
    const r = await ce.send(new GetCostAndUsageCommand({
      TimePeriod: { Start: day(month), End: day(month + 29 * D) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost', 'UsageQuantity'],
      Filter: { Dimensions: { Key: 'USAGE_TYPE', Values: ['CW:AlarmMonitorUsage'] } },
      GroupBy: [{ Type: 'DIMENSION', Key: 'OPERATION' }],
    }));
    ce.destroy();
    const g = new Map(r.ResultsByTime![0]!.Groups!.map((x) => [x.Keys![0]!, x.Metrics!]));
    const p = prices().cloudwatch;
    const want = alarmMonths();
    const standard = g.get('MetricAlarm')!;
    assert.ok(Math.abs(Number(standard.UsageQuantity!.Amount) - want.mid) <= want.slack + 1e-6);
    const charged = Number(standard.UnblendedCost!.Amount);
    assert.ok(Math.abs(charged - (want.mid - 10) * p.alarmMonth) <= want.slack * p.alarmMonth + 1e-6, `charged ${charged} for ${want.mid - 10} alarm-months`);
    const composite = g.get('CompositeAlarm')!;
    const m = nextMonth(month) - month;
    assert.ok(Math.abs(Number(composite.UnblendedCost!.Amount) - (p.compositeAlarmMonth * (asOf[0] - alarmsFrom[1])) / m) < 0.001);
  });

  test('aws-cli v1: filters by dimension and usage percentage; malformed filters are refused', async () => {
    const get = async (filter: unknown) => ((await awsJson(aws1, cl.url, ['freetier', 'get-free-tier-usage', '--filter', JSON.stringify(filter)])).freeTierUsages as any[]).map((u) => u.usageType);
    assert.deepEqual(await get({ Dimensions: { Key: 'USAGE_PERCENTAGE', Values: ['100'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } }), ['CW:AlarmMonitorUsage']);
    assert.deepEqual(await get({ Dimensions: { Key: 'USAGE_TYPE', Values: ['Metric'], MatchOptions: ['CONTAINS'] } }), ['CW:MetricMonitorUsage']);
    assert.deepEqual(await get({ Not: { Dimensions: { Key: 'SERVICE', Values: ['AmazonCloudWatch'], MatchOptions: ['EQUALS'] } } }), []);
    assert.deepEqual((await get({ And: [
      { Dimensions: { Key: 'FREE_TIER_TYPE', Values: ['Always Free'], MatchOptions: ['EQUALS'] } },
      { Dimensions: { Key: 'DESCRIPTION', Values: ['Alarms', 'Metrics'], MatchOptions: ['CONTAINS'] } },
    ] })).sort(), ['CW:AlarmMonitorUsage', 'CW:MetricMonitorUsage']);
    for (const [filter, msg] of [
      [{ Dimensions: { Key: 'SERVICE', Values: ['x'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } }, /does not support the GREATER_THAN_OR_EQUAL/],
      [{ Dimensions: { Key: 'USAGE_PERCENTAGE', Values: ['lots'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] } }, /must be numbers/],
      [{ Not: { Dimensions: { Key: 'REGION', Values: ['global'], MatchOptions: ['EQUALS'] } }, Dimensions: { Key: 'REGION', Values: ['global'], MatchOptions: ['EQUALS'] } }, /exactly one of/],
    ] as const) {
      const bad = await runAws(aws1, cl.url, ['freetier', 'get-free-tier-usage', '--filter', JSON.stringify(filter)]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /ValidationException/);
      assert.match(bad.stderr, msg);
    }
  });

  test('boto3: one usage per page with nextToken; a token used with another filter is refused', { skip: needTool('boto3') }, async () => {
    const script = `
import sys, json, boto3, botocore
c = boto3.client('freetier', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
first = c.get_free_tier_usage(maxResults=1)
second = c.get_free_tier_usage(maxResults=1, nextToken=first['nextToken'])
err = ''
try:
    c.get_free_tier_usage(maxResults=1, nextToken=first['nextToken'], filter={'Dimensions': {'Key': 'REGION', 'Values': ['global'], 'MatchOptions': ['EQUALS']}})
except botocore.exceptions.ClientError as e:
    err = e.response['Error']['Code']
plan = c.get_account_plan_state()
up = ''
try:
    c.upgrade_account_plan(accountPlanType='PAID')
except botocore.exceptions.ClientError as e:
    up = e.response['Error']['Code'] + ': ' + e.response['Error']['Message']
print(json.dumps({'pages': [[u['usageType'] for u in p['freeTierUsages']] for p in (first, second)], 'more': 'nextToken' in second, 'err': err,
  'plan': [plan['accountPlanType'], plan['accountPlanStatus'], plan['accountId'], 'accountPlanRemainingCredits' in plan], 'up': up,
  'activities': c.list_account_activities()['activities']}))
`;
    const out = await runPython(script, [cl.url]);
    assert.equal(out.code, 0, out.stderr);
    const j = JSON.parse(out.stdout);
    assert.deepEqual(j.pages, [['CW:MetricMonitorUsage'], ['CW:AlarmMonitorUsage']]);
    assert.equal(j.more, false);
    assert.equal(j.err, 'ValidationException');
    assert.deepEqual(j.plan, ['PAID', 'ACTIVE', '000000000000', false]);
    assert.match(j.up, /^ValidationException: .*already on the PAID plan/);
    assert.deepEqual(j.activities, []);
  });

  test('aws-cli v1: the account plan; no sign-up activity to get', async () => {
    const plan = await awsJson(aws1, cl.url, ['freetier', 'get-account-plan-state']);
    assert.equal(plan.accountPlanType, 'PAID');
    assert.equal(plan.accountPlanStatus, 'ACTIVE');
    const down = await runAws(aws1, cl.url, ['freetier', 'upgrade-account-plan', '--account-plan-type', 'FREE']);
    assert.notEqual(down.status, 0);
    assert.match(down.stderr, /ValidationException.*only be upgraded to PAID/);
    const act = await runAws(aws1, cl.url, ['freetier', 'get-account-activity', '--activity-id', 'a'.repeat(32)]);
    assert.match(act.stderr, /ResourceNotFoundException/);
    const short = await runAws(aws1, cl.url, ['freetier', 'get-account-activity', '--activity-id', 'abc']);
    assert.notEqual(short.status, 0);
    assert.match(short.stderr, /ValidationException|Invalid length/);
  });
});
