import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand, type ListMetricsCommandInput, type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { cborOnlyModelDir } from '../helpers/cbor-model.js';
import { runPython } from '../helpers/python.js';
import { needTool } from '../helpers/tools.js';

/**
 * CloudWatch metrics end to end. The JS SDK v3 (3.11xx: JSON 1.0 with the query-compatible
 * error header), boto3 (botocore picks JSON 1.0 from the model's protocol list), the AWS CLI
 * v1 (JSON 1.0) and v2 2.9 (awsQuery), and RPC v2 CBOR through the CLI v1 told the model speaks
 * only CBOR. The clock moves forward only in the last tests (retention, RecentlyActive).
 */

const run = promisify(execFile);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const clis = awsClis();
const v1 = clis.find((c) => c.name === 'aws-cli v1')!;

/**
 * The SDK names a modelled error by its shape (InvalidParameterValueException for the wire code
 * InvalidParameterValue), and the unmodelled ValidationError (x-amzn-query-error) ValidationException.
 */
const SHAPES: Record<string, string> = {
  ValidationError: 'ValidationException',
  InvalidParameterValue: 'InvalidParameterValueException', InvalidParameterCombination: 'InvalidParameterCombinationException', MissingParameter: 'MissingRequiredParameterException',
};

async function expectError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { name: string }) => {
    assert.equal(e.name, SHAPES[code] ?? code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('CloudWatch metrics', () => {
  let cl: Cloudlet;
  let cw: CloudWatchClient;
  let now: number;
  let base: number; // a whole minute two hours ago
  const clock = async (body: unknown) => (await (await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { now: string };

  before(async () => {
    cl = await startTestServer();
    cw = new CloudWatchClient(clientConfig(cl.url));
    now = Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    base = Math.floor(now / HOUR) * HOUR - 2 * HOUR;
  });
  after(async () => { cw.destroy(); await cl.close(); });

  const web = [{ Name: 'Host', Value: 'a' }];

  test('SDK v3: values, values with counts and statistic sets aggregate per period; percentiles', async () => {
    const data: MetricDatum[] = [];
    for (let i = 0; i < 10; i++) data.push({ MetricName: 'Latency', Dimensions: web, Unit: 'Milliseconds', Timestamp: new Date(base + i * MIN), Value: i + 1 });
    data.push({ MetricName: 'Latency', Dimensions: web, Unit: 'Milliseconds', Timestamp: new Date(base + 10 * MIN), Values: [100, 200], Counts: [3, 1] });
    data.push({ MetricName: 'Latency', Dimensions: web, Unit: 'Milliseconds', Timestamp: new Date(base + 20 * MIN), StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 } });
    await cw.send(new PutMetricDataCommand({ Namespace: 'App/Web', MetricData: data }));

    const r = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'App/Web', MetricName: 'Latency', Dimensions: web, StartTime: new Date(base), EndTime: new Date(base + 30 * MIN), Period: 600,
      Statistics: ['Average', 'Sum', 'SampleCount', 'Minimum', 'Maximum'],
    }));
    const pts = (r.Datapoints ?? []).sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.equal(r.Label, 'Latency');
    assert.equal(pts.length, 3);
    assert.deepEqual(pts.map((p) => p.Timestamp!.getTime()), [base, base + 10 * MIN, base + 20 * MIN]);
    assert.deepEqual([pts[0]!.SampleCount, pts[0]!.Sum, pts[0]!.Average, pts[0]!.Minimum, pts[0]!.Maximum], [10, 55, 5.5, 1, 10]);
    assert.deepEqual([pts[1]!.SampleCount, pts[1]!.Sum, pts[1]!.Minimum, pts[1]!.Maximum], [4, 500, 100, 200]);
    assert.deepEqual([pts[2]!.SampleCount, pts[2]!.Average, pts[2]!.Minimum, pts[2]!.Maximum], [4, 10, 5, 15]);
    assert.equal(pts[0]!.Unit, 'Milliseconds');

    const p = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'App/Web', MetricName: 'Latency', Dimensions: web, StartTime: new Date(base), EndTime: new Date(base + 20 * MIN), Period: 1200,
      ExtendedStatistics: ['p50', 'p90', 'p100', 'tm80'],
    }));
    const e = p.Datapoints![0]!.ExtendedStatistics!;
    // 1..10 once each, 100 three times, 200 once: 14 values.
    assert.equal(e.p50, 7);
    assert.equal(e.p90, 100);
    assert.equal(e.p100, 200);
    assert.ok(Math.abs(e.tm80! - (55 + 100 * (11.2 - 10)) / 11.2) < 1e-9, String(e.tm80));

    // Another dimension set is another metric; a unit that does not match gives nothing.
    const other = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', StartTime: new Date(base), EndTime: new Date(base + 30 * MIN), Period: 600, Statistics: ['Sum'] }));
    assert.equal(other.Datapoints!.length, 0);
    const wrongUnit = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', Dimensions: web, StartTime: new Date(base), EndTime: new Date(base + 30 * MIN), Period: 600, Statistics: ['Sum'], Unit: 'Seconds' }));
    assert.equal(wrongUnit.Datapoints!.length, 0);
  });

  test('SDK v3: PutMetricData and GetMetricStatistics refuse what AWS refuses, with its codes', async () => {
    const put = (d: Partial<MetricDatum>, ns = 'App/Bad') => cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'X', ...d } as MetricDatum] }));
    await expectError(put({ Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }), 'InvalidParameterCombination', /MetricData\.member\.1\.Value and MetricData\.member\.1\.StatisticValues are mutually exclusive/);
    await expectError(put({ Timestamp: new Date(now - 15 * DAY), Value: 1 }), 'InvalidParameterValue', /^The parameter MetricData\.member\.1\.Timestamp must specify a time within the past two weeks\.$/);
    await expectError(put({ Timestamp: new Date(now + 3 * HOUR), Value: 1 }), 'InvalidParameterValue', /two hours in the future/);
    await expectError(put({ Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })), Value: 1 }), 'InvalidParameterValue', /Dimensions must not have a size greater than 30/);
    await expectError(put({ Values: Array.from({ length: 151 }, (_, i) => i) }), 'InvalidParameterValue', /Values must not have a size greater than 150/);
    await expectError(put({ Values: [1, 2], Counts: [1] }), 'InvalidParameterCombination', /must be of the same size/);
    await expectError(put({ Value: 1, StorageResolution: 30 }), 'InvalidParameterValue', /StorageResolution/);
    await expectError(put({ Value: 1 }, 'AWS/EC2'), 'InvalidParameterValue', /^The value AWS\/EC2 for parameter Namespace is invalid\.$/);
    await expectError(put({ Value: 1, Unit: 'Furlongs' as never }), 'InvalidParameterValue', /Unit/);
    await expectError(cw.send(new PutMetricDataCommand({ Namespace: 'App/Bad', MetricData: Array.from({ length: 1001 }, () => ({ MetricName: 'X', Value: 1 })) })),
      'InvalidParameterValue', /^The collection MetricData must not have a size greater than 1000\.$/);
    await expectError(cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', StartTime: new Date(now - 2 * DAY), EndTime: new Date(now), Period: 60, Statistics: ['Sum'] })),
      'InvalidParameterCombination', /^You have requested up to 2,880 datapoints, which exceeds the limit of 1,440\./);
    await expectError(cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', StartTime: new Date(now - HOUR), EndTime: new Date(now), Period: 60, Statistics: ['Sum'], ExtendedStatistics: ['p99'] })),
      'InvalidParameterCombination', /^Must specify either Statistics or ExtendedStatistics, but not both\.$/);
    await expectError(cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', StartTime: new Date(now - HOUR), EndTime: new Date(now), Period: 45, Statistics: ['Sum'] })),
      'InvalidParameterValue', /Period/);
    // Nothing of the refused requests was stored.
    const l = await cw.send(new ListMetricsCommand({ Namespace: 'App/Bad' }));
    assert.equal(l.Metrics!.length, 0);
  });

  test('SDK v3: GetMetricData with metric stats and metric math', async () => {
    const t0 = base + HOUR;
    const data: MetricDatum[] = [];
    for (let i = 0; i < 6; i++) {
      data.push({ MetricName: 'Requests', Dimensions: [{ Name: 'Svc', Value: 'api' }], Timestamp: new Date(t0 + i * MIN), Value: 10 * (i + 1), Unit: 'Count' });
      if (i % 2 === 0) data.push({ MetricName: 'Errors', Dimensions: [{ Name: 'Svc', Value: 'api' }], Timestamp: new Date(t0 + i * MIN), Value: i + 1, Unit: 'Count' });
    }
    await cw.send(new PutMetricDataCommand({ Namespace: 'App/Api', MetricData: data }));
    const stat = (name: string) => ({ Metric: { Namespace: 'App/Api', MetricName: name, Dimensions: [{ Name: 'Svc', Value: 'api' }] }, Period: 60, Stat: 'Sum' });
    const r = await cw.send(new GetMetricDataCommand({
      StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        { Id: 'req', MetricStat: stat('Requests'), ReturnData: false },
        { Id: 'err', MetricStat: stat('Errors'), Label: 'errors' },
        { Id: 'rate', Expression: '100 * err / req', Label: 'Error rate' },
        { Id: 'filled', Expression: 'FILL(err, 0)' },
        { Id: 'repeat', Expression: 'FILL(err, REPEAT)' },
        { Id: 'linear', Expression: 'FILL(err, LINEAR)' },
        { Id: 'total', Expression: 'SUM(METRICS())' },
        { Id: 'avg', Expression: 'AVG(req)' },
        { Id: 'cond', Expression: 'IF(req >= 30 AND req < 60, req, 0)' },
        { Id: 'ops', Expression: 'ABS(-req) ^ 1 + CEIL(err / 4) - FLOOR(0.5) + PERIOD(req) * 0' },
        { Id: 'd', Expression: 'DIFF(req)' },
        { Id: 'rt', Expression: 'RATE(req)' },
        { Id: 'both', Expression: 'METRICS()' },
        { Id: 'dyn', Expression: 'req', Label: '${LABEL}: ${MAX} max, ${DATAPOINT_COUNT} points, ${NOPE}' },
      ],
    }));
    const by = new Map(r.MetricDataResults!.map((x) => [x.Id! + (x.Id === 'both' ? `:${x.Label}` : ''), x]));
    const vals = (id: string) => by.get(id)!.Values;
    const ts = (id: string) => by.get(id)!.Timestamps!.map((t) => (t.getTime() - t0) / MIN);
    assert.ok(!by.has('req'), 'ReturnData false is not returned');
    assert.equal(by.get('err')!.Label, 'errors');
    assert.equal(by.get('err')!.StatusCode, 'Complete');
    assert.deepEqual(ts('err'), [0, 2, 4]);
    assert.deepEqual(vals('rate'), [10, 10, 10]);
    assert.equal(by.get('rate')!.Label, 'Error rate');
    assert.deepEqual(vals('filled'), [1, 0, 3, 0, 5, 0]);
    assert.deepEqual(vals('repeat'), [1, 1, 3, 3, 5, 5]);
    assert.deepEqual(vals('linear'), [1, 2, 3, 4, 5, 5]);
    assert.deepEqual(vals('total'), [11, 20, 33, 40, 55, 60]);
    assert.deepEqual(vals('avg'), [35, 35, 35, 35, 35, 35]);
    assert.deepEqual(vals('cond'), [0, 0, 30, 40, 50, 0]);
    assert.deepEqual(vals('ops'), [11, 31, 52]);
    assert.deepEqual(vals('d'), [10, 10, 10, 10, 10]);
    assert.deepEqual(vals('rt'), [10 / 60, 10 / 60, 10 / 60, 10 / 60, 10 / 60]);
    assert.deepEqual([...by.keys()].filter((k) => k.startsWith('both:')).sort(), ['both:Requests', 'both:errors']);
    assert.equal(by.get('dyn')!.Label, 'dyn: 60 max, 6 points, ${NOPE}');

    // Periods start at the (minute-rounded) StartTime, and FILL fills those same periods.
    const five = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0 + 2 * MIN + 17_000), EndTime: new Date(t0 + 12 * MIN), ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ Id: 'r5', MetricStat: { ...stat('Requests'), Period: 300 }, ReturnData: false }, { Id: 'f5', Expression: 'FILL(r5, 0)' }] }));
    assert.deepEqual(five.MetricDataResults!.map((x) => [x.Timestamps!.map((t) => (t.getTime() - t0) / MIN), x.Values]), [[[2, 7], [180, 0]]]);

    // Descending by default; MaxDatapoints pages with a NextToken, the cut result PartialData.
    const q = [{ Id: 'req', MetricStat: stat('Requests') }, { Id: 'err', MetricStat: stat('Errors'), Label: "${PROP('Namespace')} ${PROP('MetricName')} ${PROP('Dim.Svc')} ${PROP('Stat')}" }];
    const p1 = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), MetricDataQueries: q, MaxDatapoints: 4 }));
    assert.deepEqual(p1.MetricDataResults!.map((x) => [x.Id, x.StatusCode, x.Values]), [['req', 'PartialData', [60, 50, 40, 30]]]);
    assert.ok(p1.NextToken);
    const p2 = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), MetricDataQueries: q, MaxDatapoints: 4, NextToken: p1.NextToken }));
    assert.deepEqual(p2.MetricDataResults!.map((x) => [x.Id, x.StatusCode, x.Values]), [['req', 'Complete', [20, 10]], ['err', 'PartialData', [5, 3]]]);
    assert.equal(p2.MetricDataResults![1]!.Label, 'App/Api Errors api Sum');
    assert.ok(p2.NextToken);
    const p3 = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), MetricDataQueries: q, MaxDatapoints: 4, NextToken: p2.NextToken }));
    assert.deepEqual(p3.MetricDataResults!.map((x) => [x.Id, x.Values]), [['err', [1]]]);
    assert.equal(p3.NextToken, undefined);

    // Bad queries.
    const bad = (queries: unknown[]) => cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), MetricDataQueries: queries as never }));
    await expectError(bad([{ Id: 'm1', MetricStat: stat('Requests') }, { Id: 's', Expression: 'SEARCH(\'{App/Api} Requests\', \'Sum\', 60)' }]), 'ValidationError', /Unsupported function: SEARCH/);
    await expectError(bad([{ Id: 'e1', Expression: 'm9 + 1' }]), 'ValidationError', /Unrecognized identifier: m9/);
    await expectError(bad([{ Id: 'e1', Expression: 'e2 + 1' }, { Id: 'e2', Expression: 'e1 * 2' }]), 'ValidationError', /Circular dependency/);
    await expectError(bad([{ Id: 'e1', Expression: '(1 +' }]), 'ValidationError', /Syntax error/);
    await expectError(bad([{ Id: 'M1', MetricStat: stat('Requests') }]), 'ValidationError', /MetricDataQueries\.member\.1\.Id/);
    await expectError(bad([{ Id: 'm1', MetricStat: stat('Requests') }, { Id: 'm1', MetricStat: stat('Errors') }]), 'ValidationError', /not unique/);
    await expectError(bad([{ Id: 'm1', MetricStat: stat('Requests'), Expression: '1' }]), 'ValidationError');
    await expectError(cw.send(new GetMetricDataCommand({ StartTime: new Date(t0), EndTime: new Date(t0 + 6 * MIN), MetricDataQueries: q, NextToken: 'bm9wZQ' })), 'InvalidNextToken');
  });

  test('SDK v3: high-resolution data is kept to the second for three hours, then by the minute', async () => {
    const t0 = Math.floor(now / MIN) * MIN - 30 * MIN;
    const data: MetricDatum[] = Array.from({ length: 20 }, (_, i) => ({ MetricName: 'Hot', Timestamp: new Date(t0 + i * 5000), Value: i, StorageResolution: 1 }));
    data.push({ MetricName: 'Cold', Timestamp: new Date(t0 + 1000), Value: 1 }, { MetricName: 'Cold', Timestamp: new Date(t0 + 40_000), Value: 2 });
    await cw.send(new PutMetricDataCommand({ Namespace: 'App/Hot', MetricData: data }));
    const get = (name: string, period: number) => cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Hot', MetricName: name, StartTime: new Date(t0), EndTime: new Date(t0 + 2 * MIN), Period: period, Statistics: ['Sum', 'SampleCount'] }));
    const hot = await get('Hot', 10);
    assert.equal(hot.Datapoints!.length, 10);
    assert.ok(hot.Datapoints!.every((p) => p.SampleCount === 2));
    // Standard resolution: both values land in the minute.
    const cold = await get('Cold', 10);
    assert.deepEqual(cold.Datapoints!.map((p) => [p.Timestamp!.getTime() - t0, p.Sum]), [[0, 3]]);
    const perMinute = await get('Hot', 60);
    assert.deepEqual(perMinute.Datapoints!.map((p) => p.SampleCount).sort(), [12, 8]);
  });

  test('SDK v3: ListMetrics filters by namespace, name and dimensions (with and without values), pages', async () => {
    await cw.send(new PutMetricDataCommand({ Namespace: 'App/List', MetricData: [
      { MetricName: 'A', Dimensions: [{ Name: 'Env', Value: 'prod' }, { Name: 'Role', Value: 'web' }], Value: 1 },
      { MetricName: 'A', Dimensions: [{ Name: 'Env', Value: 'dev' }], Value: 1 },
      { MetricName: 'B', Value: 1 },
    ] }));
    const names = async (input: ListMetricsCommandInput) =>
      ((await cw.send(new ListMetricsCommand(input))).Metrics ?? []).map((m) => `${m.MetricName}:${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',')}`).sort();
    assert.deepEqual(await names({ Namespace: 'App/List' }), ['A:Env=dev', 'A:Env=prod,Role=web', 'B:']);
    assert.deepEqual(await names({ Namespace: 'App/List', MetricName: 'A' }), ['A:Env=dev', 'A:Env=prod,Role=web']);
    assert.deepEqual(await names({ Namespace: 'App/List', Dimensions: [{ Name: 'Env' }] }), ['A:Env=dev', 'A:Env=prod,Role=web']);
    assert.deepEqual(await names({ Namespace: 'App/List', Dimensions: [{ Name: 'Env', Value: 'prod' }] }), ['A:Env=prod,Role=web']);
    assert.deepEqual(await names({ Namespace: 'App/List', Dimensions: [{ Name: 'Role' }, { Name: 'Env', Value: 'dev' }] }), []);
    assert.deepEqual(await names({ Namespace: 'App/List', RecentlyActive: 'PT3H', IncludeLinkedAccounts: true }), ['A:Env=dev', 'A:Env=prod,Role=web', 'B:']);
    await expectError(cw.send(new ListMetricsCommand({ RecentlyActive: 'PT1H' as never })), 'InvalidParameterValue');
    const linked = await cw.send(new ListMetricsCommand({ Namespace: 'App/List', IncludeLinkedAccounts: true }));
    assert.deepEqual(linked.OwningAccounts, ['000000000000', '000000000000', '000000000000'], 'the test account');

    await cw.send(new PutMetricDataCommand({ Namespace: 'App/Many', MetricData: Array.from({ length: 600 }, (_, i) => ({ MetricName: `m${String(i).padStart(3, '0')}`, Value: i })) }));
    const p1 = await cw.send(new ListMetricsCommand({ Namespace: 'App/Many' }));
    assert.equal(p1.Metrics!.length, 500);
    const p2 = await cw.send(new ListMetricsCommand({ Namespace: 'App/Many', NextToken: p1.NextToken }));
    assert.equal(p2.Metrics!.length, 100);
    assert.equal(p2.NextToken, undefined);
    assert.equal(new Set([...p1.Metrics!, ...p2.Metrics!].map((m) => m.MetricName)).size, 600);
  });

  for (const [name, protocol] of [['RPC v2 CBOR', AwsSmithyRpcV2CborProtocol], ['awsQuery', AwsQueryProtocol]] as const) {
    test(`SDK v3 over ${name} (the client handed that protocol): EntityMetricData, GetMetricData, an error`, async () => {
      const c = new CloudWatchClient({ ...clientConfig(cl.url), protocol } as never);
      try {
        const ns = `App/Sdk${name.length}`;
        const t = new Date(base + 3 * MIN);
        // The entity (related telemetry) is accepted and not kept; its data is stored.
        await c.send(new PutMetricDataCommand({ Namespace: ns, EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service', Name: 'api', Environment: 'prod' } },
          MetricData: [{ MetricName: 'E', Value: 3, Timestamp: t }, { MetricName: 'E', Value: 5, Timestamp: t }] }] }));
        const r = await c.send(new GetMetricDataCommand({ StartTime: new Date(base), EndTime: new Date(base + 10 * MIN),
          MetricDataQueries: [{ Id: 'e', MetricStat: { Metric: { Namespace: ns, MetricName: 'E' }, Period: 60, Stat: 'Sum' } }, { Id: 'x', Expression: 'e / 4' }] }));
        assert.deepEqual(r.MetricDataResults!.map((x) => [x.Id, x.Timestamps!.map((d) => d.getTime()), x.Values]), [['e', [t.getTime()], [8]], ['x', [t.getTime()], [2]]]);
        await expectError(c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: 'E', Value: 1, Values: [1] }] })), 'InvalidParameterCombination', /mutually exclusive/);
      } finally { c.destroy(); }
    });
  }

  test('IAM: cloudwatch:PutMetricData limited by the cloudwatch:namespace condition key; other actions denied', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateUserCommand({ UserName: 'metrics-writer' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'metrics-writer', PolicyName: 'put', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'App/Allowed' } } }] }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'metrics-writer' }))).AccessKey!;
    iam.destroy();
    const user = new CloudWatchClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    try {
      await user.send(new PutMetricDataCommand({ Namespace: 'App/Allowed', MetricData: [{ MetricName: 'ok', Value: 1 }] }));
      await expectError(user.send(new PutMetricDataCommand({ Namespace: 'App/Other', MetricData: [{ MetricName: 'no', Value: 1 }] })), 'AccessDenied', /not authorized to perform: cloudwatch:PutMetricData/);
      await expectError(user.send(new ListMetricsCommand({})), 'AccessDenied', /cloudwatch:ListMetrics/);
    } finally { user.destroy(); }
  });

  test('boto3 (JSON 1.0): put_metric_data and get_metric_data', { skip: needTool('boto3') }, async () => {
    const script = `
import boto3, sys, json, datetime
c = boto3.client('cloudwatch', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
t = datetime.datetime.fromtimestamp(int(sys.argv[2]) / 1000, datetime.timezone.utc)
c.put_metric_data(Namespace='App/Py', MetricData=[{'MetricName': 'Q', 'Timestamp': t + datetime.timedelta(minutes=i), 'Value': float(i)} for i in range(5)])
r = c.get_metric_data(StartTime=t, EndTime=t + datetime.timedelta(minutes=5), ScanBy='TimestampAscending', MetricDataQueries=[
  {'Id': 'q', 'MetricStat': {'Metric': {'Namespace': 'App/Py', 'MetricName': 'Q'}, 'Period': 60, 'Stat': 'Maximum'}},
  {'Id': 'e', 'Expression': 'q * 10'}])
try:
  c.put_metric_data(Namespace='App/Py', MetricData=[{'MetricName': 'Q', 'Value': 1, 'StatisticValues': {'SampleCount': 1, 'Sum': 1, 'Minimum': 1, 'Maximum': 1}}])
  err = None
except c.exceptions.InvalidParameterCombinationException as e:
  err = e.response['Error']['Code']
print(json.dumps({'r': [[x['Id'], x['Values']] for x in r['MetricDataResults']], 'err': err}))
`;
    const out = await runPython(script, [cl.url, String(base)]);
    assert.equal(out.code, 0, out.stderr);
    const j = JSON.parse(out.stdout) as { r: unknown; err: string };
    assert.deepEqual(j.r, [['q', [0, 1, 2, 3, 4]], ['e', [0, 10, 20, 30, 40]]]);
    assert.equal(j.err, 'InvalidParameterCombination');
  });

  for (const cli of clis) {
    test(`${cli.name}: put-metric-data, get-metric-statistics, get-metric-data, list-metrics`, { skip: cli.skip }, async () => {
      const ns = `App/Cli${cli.name.endsWith('v1') ? '1' : '2'}`;
      const at = new Date(base + 5 * MIN).toISOString();
      await awsJson(cli.bin, cl.url, ['cloudwatch', 'put-metric-data', '--namespace', ns, '--metric-data',
        `MetricName=Latency,Value=12.5,Unit=Milliseconds,Timestamp=${at},Dimensions=[{Name=Host,Value=a}]`,
        `MetricName=Latency,Values=1,2,3,Counts=1,1,2,Unit=Milliseconds,Timestamp=${at},Dimensions=[{Name=Host,Value=a}]`]);
      const s = await awsJson(cli.bin, cl.url, ['cloudwatch', 'get-metric-statistics', '--namespace', ns, '--metric-name', 'Latency', '--dimensions', 'Name=Host,Value=a',
        '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 10 * MIN).toISOString(), '--period', '600', '--statistics', 'Sum', 'SampleCount', '--extended-statistics', 'p50'])
        .catch((e: Error) => e);
      // Statistics and ExtendedStatistics together: AWS's InvalidParameterCombination.
      assert.match(String(s), /InvalidParameterCombination.*Must specify either Statistics or ExtendedStatistics, but not both/);
      const s2 = await awsJson(cli.bin, cl.url, ['cloudwatch', 'get-metric-statistics', '--namespace', ns, '--metric-name', 'Latency', '--dimensions', 'Name=Host,Value=a',
        '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 10 * MIN).toISOString(), '--period', '600', '--statistics', 'Sum', 'SampleCount']);
      assert.equal(s2.Datapoints.length, 1);
      assert.equal(s2.Datapoints[0].Sum, 12.5 + 1 + 2 + 6);
      assert.equal(s2.Datapoints[0].SampleCount, 5);
      assert.equal(s2.Datapoints[0].Unit, 'Milliseconds');
      const d = await awsJson(cli.bin, cl.url, ['cloudwatch', 'get-metric-data', '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 10 * MIN).toISOString(),
        '--metric-data-queries', JSON.stringify([{ Id: 'm', MetricStat: { Metric: { Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 60, Stat: 'p50' } }, { Id: 'e', Expression: 'm / 2', Label: 'half' }])]);
      assert.deepEqual(d.MetricDataResults.map((r: { Id: string; Label: string; Values: number[] }) => [r.Id, r.Label, r.Values]), [['m', 'Latency', [3]], ['e', 'half', [1.5]]]);
      const l = await awsJson(cli.bin, cl.url, ['cloudwatch', 'list-metrics', '--namespace', ns, '--dimensions', 'Name=Host']);
      assert.deepEqual(l.Metrics, [{ Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] }]);
      const bad = await runAws(cli.bin, cl.url, ['cloudwatch', 'put-metric-data', '--namespace', ns, '--metric-data', `MetricName=X,Value=1,Timestamp=${new Date(now - 20 * DAY).toISOString()}`]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /\(InvalidParameterValue\) when calling the PutMetricData operation: The parameter MetricData\.member\.1\.Timestamp must specify a time within the past two weeks\./);
    });
  }

  describe('aws-cli v1 over RPC v2 CBOR', { skip: v1.skip ?? needTool('botocore') }, () => {
    let dataPath: string;
    let remove = (): void => {};
    before(async () => {
      ({ dataPath, remove } = await cborOnlyModelDir('cloudwatch'));
    });
    after(() => remove());

    test('put-metric-data and get-metric-data (timestamps as CBOR tag 1), errors read from CBOR', async () => {
      const env = { AWS_DATA_PATH: dataPath };
      const at = new Date(base + 7 * MIN).toISOString();
      await awsJson(v1.bin, cl.url, ['cloudwatch', 'put-metric-data', '--namespace', 'App/Cbor', '--metric-data', `MetricName=C,Value=4,Timestamp=${at}`, `MetricName=C,Value=6,Timestamp=${at}`], env);
      const d = await awsJson(v1.bin, cl.url, ['cloudwatch', 'get-metric-data', '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 10 * MIN).toISOString(),
        '--metric-data-queries', JSON.stringify([{ Id: 'c', MetricStat: { Metric: { Namespace: 'App/Cbor', MetricName: 'C' }, Period: 60, Stat: 'Average' } }])], env);
      assert.deepEqual(d.MetricDataResults[0].Values, [5]);
      const stamp = d.MetricDataResults[0].Timestamps[0];
      assert.equal(typeof stamp === 'number' ? stamp * 1000 : Date.parse(stamp), base + 7 * MIN, String(stamp));
      const bad = await runAws(v1.bin, cl.url, ['cloudwatch', 'put-metric-data', '--namespace', 'AWS/EC2', '--metric-data', 'MetricName=C,Value=1'], env);
      assert.match(bad.stderr, /\(InvalidParameterValue\) when calling the PutMetricData operation: The value AWS\/EC2 for parameter Namespace is invalid\./);
    });
  });

  test('retention by the clock: RecentlyActive after three hours, sub-minute data after three hours, metrics gone from ListMetrics after two weeks', async () => {
    const t0 = Math.floor(now / MIN) * MIN - 30 * MIN;
    await clock({ advance: '4h' });
    const active = await cw.send(new ListMetricsCommand({ Namespace: 'App/List', RecentlyActive: 'PT3H' }));
    assert.equal(active.Metrics!.length, 0);
    assert.equal((await cw.send(new ListMetricsCommand({ Namespace: 'App/List' }))).Metrics!.length, 3);
    const get = (period: number) => cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Hot', MetricName: 'Hot', StartTime: new Date(t0), EndTime: new Date(t0 + 2 * MIN), Period: period, Statistics: ['SampleCount'] }));
    assert.equal((await get(10)).Datapoints!.length, 0, 'no 10-second periods for data older than three hours');
    assert.equal((await get(60)).Datapoints!.length, 2);
    await clock({ advance: '15d' });
    assert.equal((await cw.send(new ListMetricsCommand({ Namespace: 'App/List' }))).Metrics!.length, 0);
    // One-minute periods for data up to 15 days old; beyond, 5-minute periods.
    const lat = (period: number) => cw.send(new GetMetricStatisticsCommand({ Namespace: 'App/Web', MetricName: 'Latency', Dimensions: web, StartTime: new Date(base), EndTime: new Date(base + 30 * MIN), Period: period, Statistics: ['SampleCount'] }));
    assert.equal((await lat(60)).Datapoints!.length, 0);
    assert.deepEqual((await lat(300)).Datapoints!.map((p) => p.SampleCount).sort((a, b) => a! - b!), [4, 4, 5, 5]);
  });
});
