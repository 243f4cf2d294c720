// `cloudlet cost` and `cloudlet billing-alerts` through the real CLI binary against a running
// server: the report lists what costs money (an instance, its volume, an idle Elastic IP, an
// unattached volume) with the price table's rates; billing alerts turned on publish
// AWS/Billing EstimatedCharges in us-east-1 as the clock moves; bad usage and refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { AllocateAddressCommand, CreateVolumeCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceRate, prices } from '../../src/services/cost/prices.js';
import { HOURS_PER_MONTH, type CostReport } from '../../src/services/cost/report.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT = '000000000000';
let cl: Cloudlet;
let ec2: EC2Client;
let cw: CloudWatchClient;
let instanceId: string;
let idleIp: string;
let looseVolume: string;
const cli = (...args: string[]) => runCli([...args, '--endpoint', cl.url]);

before(async () => {
  cl = await startTestServer();
  ec2 = new EC2Client(clientConfig(cl.url));
  cw = new CloudWatchClient(clientConfig(cl.url));
  const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
  instanceId = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
  idleIp = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  looseVolume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 50, VolumeType: 'gp3' }))).VolumeId!;
});
after(async () => { ec2.destroy(); cw.destroy(); await cl.close(); });

describe('cloudlet cost', () => {
  test('--json: the instance, the idle Elastic IP and the unattached volume at the price table\'s rates; what stopping and terminating would change', async () => {
    const r = await cli('cost', '--json', '--account', ACCOUNT, '--region', 'us-east-1');
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as CostReport;
    const p = prices();
    const inst = rep.resources.find((x) => x.resourceId === instanceId)!;
    assert.ok(Math.abs(inst.lines.find((l) => l.usageType === 'BoxUsage:m5.large')!.perHour - instanceRate('m5.large', 'Linux/UNIX', 'us-east-1')) < 1e-6);
    const idle = Object.fromEntries(rep.idle.map((x) => [x.resourceId, x]));
    assert.ok(Math.abs(idle[idleIp]!.perHour - p.vpc.publicIpv4Hour) < 1e-6);
    assert.ok(Math.abs(idle[looseVolume]!.perMonth - 50 * p.ebs.gbMonth.gp3!) < 1e-3);
    const choice = rep.instances.find((i) => i.instanceId === instanceId)!;
    assert.equal(choice.state, 'running');
    assert.equal(choice.terminate.deletes.length, 1, 'the root volume is deleted on termination');
    assert.ok(choice.stop.keeps.some((k) => k.resourceId === choice.terminate.deletes[0]), 'a stop keeps paying for it');
    assert.ok(Math.abs(rep.perMonth - rep.perHour * HOURS_PER_MONTH) < 0.01);
  });

  test('the terminal report: biggest first, idle resources, stop vs terminate', async () => {
    const r = await cli('cost', '--account', ACCOUNT);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cloudlet cost — account 000000000000, all Regions, at /);
    const compute = `\\$${instanceRate('m5.large', 'Linux/UNIX', 'us-east-1').toFixed(4).replace('.', '\\.')}`;
    assert.match(r.stdout, new RegExp(`BY SERVICE\nSERVICE +PER HOUR +PER MONTH +MONTH TO DATE\nAmazon Elastic Compute Cloud - Compute +${compute} `));
    assert.match(r.stdout, new RegExp(`${idleIp} \\(us-east-1\\): idle Elastic IP`));
    assert.match(r.stdout, new RegExp(`${looseVolume} \\(us-east-1\\): unattached gp3 50 GiB volume`));
    assert.match(r.stdout, new RegExp(`${instanceId} m5\\.large running \\(us-east-1\\)`));
    assert.match(r.stdout, /stop: +saves \$0\.\d{4}\/h/);
  });

  test('bad usage exits 2; an account with nothing says so', async () => {
    const bad = await cli('cost', '--account', '12');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--account must be a 12-digit account ID/);
    assert.equal((await cli('cost', '--bogus')).code, 2);
    const none = await cli('cost', '--account', '222222222222');
    assert.match(none.stdout, /Nothing is costing money/);
  });
});

describe('cloudlet billing-alerts', () => {
  test('on: EstimatedCharges in us-east-1 from the next 6-hour mark, total and per service; off is refused as on AWS', async () => {
    const before = await cli('billing-alerts');
    assert.match(before.stdout, /billing alerts are off for 000000000000/);
    const on = await cli('billing-alerts', 'on');
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /billing alerts are on for 000000000000 .*next at \d{4}-\d\d-\d\dT(00|06|12|18):00:00\.000Z/);
    const off = await cli('billing-alerts', 'off');
    assert.equal(off.code, 1);
    assert.match(off.stderr, /can't disable data collection/);
    assert.equal((await cli('billing-alerts', 'maybe')).code, 2);

    await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '13h' }) });
    const metrics = (await cw.send(new ListMetricsCommand({ Namespace: 'AWS/Billing' }))).Metrics!;
    const dims = metrics.map((m) => m.Dimensions!.map((d) => `${d.Name}=${d.Value}`).sort().join(',')).sort();
    assert.deepEqual(dims, ['Currency=USD', 'Currency=USD,ServiceName=AmazonEC2', 'Currency=USD,ServiceName=AmazonVPC']);
    const now = Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/Billing', MetricName: 'EstimatedCharges', Dimensions: [{ Name: 'Currency', Value: 'USD' }],
      StartTime: new Date(now - 24 * 3_600_000), EndTime: new Date(now), Period: 21600, Statistics: ['Maximum'],
    }));
    const points = stats.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.ok(points.length >= 2, `two or three publications in 13 hours (${points.length})`);
    const last = points.at(-1)!.Maximum!;
    assert.ok(last > 0 && last === Math.round(last * 100) / 100, `in cents: ${last}`);
    const west = new CloudWatchClient(clientConfig(cl.url, 'us-west-2'));
    assert.equal((await west.send(new ListMetricsCommand({ Namespace: 'AWS/Billing' }))).Metrics!.length, 0, 'billing data is in us-east-1 only');
    west.destroy();
    const forced = await cli('billing-alerts', 'off', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /billing alerts are off/);
  });
});
