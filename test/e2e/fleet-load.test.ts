import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

/**
 * The workload model and the metrics cloudlet emits itself, end to end: `cloudlet load` and
 * /_cloudlet/load set, list and clear load; as the clock moves a t3.micro in standard mode under
 * sustained 90 % CPU drains its credit balance to zero and is then held at its 10 % baseline
 * (GetMetricStatistics with the JS SDK v3), an alarm on CPUCreditBalance < 1 fires, and an
 * instance with no load idles at a few percent.
 */

const MIN = 60_000;

describe('simulated load and emitted metrics', () => {
  let cl: Cloudlet;
  let cw: CloudWatchClient;
  let ec2: EC2Client;
  let account = '';
  let busy = '';
  let idle = '';
  const clock = async (advance: string) => { await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance }) }); };
  const now = async () => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
  const cli = (...args: string[]) => runCli(['load', ...args, '--endpoint', cl.url, '--account', account, '--region', 'us-east-1']);
  const stats = async (id: string, name: string, stat: 'Average' | 'Minimum' | 'Maximum', fromMs: number, toMs: number, period = 300) =>
    ((await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/EC2', MetricName: name, Dimensions: [{ Name: 'InstanceId', Value: id }], Statistics: [stat],
      StartTime: new Date(fromMs), EndTime: new Date(toMs), Period: period,
    }))).Datapoints ?? []).sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime()).map((d) => ({ at: d.Timestamp!.getTime(), v: d[stat]! }));

  before(async () => {
    cl = await startTestServer();
    cw = new CloudWatchClient(clientConfig(cl.url));
    ec2 = new EC2Client(clientConfig(cl.url));
    const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    const ami = imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, CreditSpecification: { CpuCredits: 'standard' } }));
    busy = run.Instances![0]!.InstanceId!;
    account = run.OwnerId!;
    idle = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
  });
  after(async () => { cw.destroy(); ec2.destroy(); await cl.close(); });

  test('cloudlet load set / list / clear, and the admin endpoint says the same; bad targets and values are refused', async () => {
    let r = await cli('set', idle, '--ramp', '10%..50%', '--over', '1h');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${idle}: cpu ramp 10%\\.\\.50% over 60m`));
    r = await cli('list');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^TARGET\s+CPU\s+REQUESTS\s+EGRESS\s+SET\n/);
    assert.match(r.stdout, new RegExp(`${idle}\\s+ramp 10%\\.\\.50%`));
    const viaApi = (await (await fetch(`${cl.url}/_cloudlet/load?account=${account}&region=us-east-1`)).json()) as { settings: Array<{ target: string; cpu: { kind: string } }> };
    assert.deepEqual(viaApi.settings.map((s) => [s.target, s.cpu.kind]), [[idle, 'ramp']]);
    r = await cli('clear', idle);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /load cleared/);
    assert.match((await cli('list')).stdout, /no load set/);
    const [unknown, tooMuch, nothing] = await Promise.all([cli('set', 'i-0123456789abcdef0', '--cpu', '50%'), cli('set', idle, '--cpu', '150%'), cli('set', idle)]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no instance i-0123456789abcdef0/);
    assert.equal(tooMuch.code, 1);
    assert.match(tooMuch.stderr, /percentage from 0% to 100%/);
    assert.equal(nothing.code, 2);
    const bad = await fetch(`${cl.url}/_cloudlet/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, target: 'lb:nope', requests: '10/s' }) });
    assert.equal(bad.status, 404);
    // Egress: a byte rate (a ramp of byte rates is egress, not requests); other units are refused.
    r = await cli('set', idle, '--ramp', '1MB/s..3MB/s', '--over', '1h');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${idle}: egress ramp 1MB/s\\.\\.3MB/s over 60m`));
    assert.match((await cli('list')).stdout, new RegExp(`${idle}\\s+-\\s+-\\s+ramp 1MB/s`));
    const parsecs = await cli('set', idle, '--egress', '5MB');
    assert.equal(parsecs.code, 1);
    assert.match(parsecs.stderr, /bytes per unit of time such as 5MB\/s/);
    assert.equal((await cli('clear', idle)).code, 0);
  });

  test('a t3.micro in standard mode under sustained 90 % drains its credits and is held at the baseline; the alarm on the balance fires; an idle one idles low', async () => {
    // Four idle hours first: the balance grows (12 credits an hour earned, a few spent at idle).
    await clock('4h');
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'credits-gone', Namespace: 'AWS/EC2', MetricName: 'CPUCreditBalance', Dimensions: [{ Name: 'InstanceId', Value: busy }],
      Statistic: 'Minimum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'LessThanThreshold',
    }));
    const state = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['credits-gone'] }))).MetricAlarms![0]!.StateValue;
    await clock('10m');
    assert.equal(await state(), 'OK', 'credits left');
    const set = await fetch(`${cl.url}/_cloudlet/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, region: 'us-east-1', target: busy, cpu: '90%' }) });
    assert.equal(set.status, 200, await set.clone().text());
    const t0 = Math.floor((await now()) / (5 * MIN)) * 5 * MIN;
    const before = await stats(busy, 'CPUCreditBalance', 'Minimum', t0 - 4 * 3_600_000, t0);
    assert.ok(before.length >= 40, `four hours of 5-minute balances: ${before.length}`);
    assert.ok(before.at(-1)!.v > 20 && before.at(-1)!.v < 48, `earned while idle: ${before.at(-1)!.v}`);

    await clock('1h');
    const t1 = await now();
    const bal = await stats(busy, 'CPUCreditBalance', 'Minimum', t0, t1);
    assert.ok(bal.length >= 10);
    assert.equal(bal.at(-1)!.v, 0, 'drained');
    const cpu = await stats(busy, 'CPUUtilization', 'Average', t0, t1);
    assert.ok(cpu.some((p) => Math.abs(p.v - 90) < 1e-6), 'at 90 % while credits last');
    for (const p of cpu.slice(-4)) assert.ok(Math.abs(p.v - 10) < 1e-6, `held at the 10 % baseline: ${p.v} at ${new Date(p.at).toISOString()}`);
    const usage = await stats(busy, 'CPUCreditUsage', 'Maximum', t1 - 20 * MIN, t1);
    assert.ok(usage.every((u) => Math.abs(u.v - 1) < 1e-6), 'spends what it earns: 1 credit per 5 minutes');
    assert.equal(await state(), 'ALARM');

    const quiet = await stats(idle, 'CPUUtilization', 'Average', t0 - 4 * 3_600_000, t1);
    assert.ok(quiet.length >= 30);
    assert.ok(quiet.every((p) => p.v >= 2 && p.v <= 5), 'idles at 2-5 %');
    const checks = await stats(idle, 'StatusCheckFailed', 'Maximum', t1 - 10 * MIN, t1, 60);
    assert.equal(checks.length, 10, 'status checks every minute');
    assert.ok(checks.every((p) => p.v === 0));
    const names = new Set(((await cw.send(new ListMetricsCommand({ Namespace: 'AWS/EC2', Dimensions: [{ Name: 'InstanceId', Value: idle }] }))).Metrics ?? []).map((m) => m.MetricName));
    for (const n of ['CPUUtilization', 'NetworkIn', 'NetworkOut', 'NetworkPacketsIn', 'NetworkPacketsOut', 'StatusCheckFailed_System', 'CPUCreditUsage', 'CPUSurplusCreditBalance']) assert.ok(names.has(n), n);
  });
});
