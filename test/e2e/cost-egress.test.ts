import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand, type Expression } from '@aws-sdk/client-cost-explorer';
import { CreateSecurityGroupCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand, type RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import type { CostReport } from '../../src/services/cost/report.js';
import { prices } from '../../src/services/cost/prices.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { clockAdvance, clockNow, day, intoNextMonth } from '../helpers/clock.js';
import { buildThreeTier, type ThreeTier } from '../helpers/three-tier.js';

/**
 * Instances' traffic to the internet on the bill (the workload model's --egress): in the seeds'
 * three-tier network, an app instance behind a NAT gateway pays the NAT gateway's GB processed
 * and the NAT gateway's data transfer out; a web instance with a public IP pays its own data
 * transfer out; one without a public IP, and one whose security group allows no egress, send
 * nothing and pay nothing. The first 100 GB of data transfer out are Always Free.
 */

const H = 3_600_000;
const D = 24 * H;
const GB = 2 ** 30;
const RATE = 1e6; // 1 MB/s

describe('instance egress: NAT gateway GB processed and data transfer out, by the network', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let net: ThreeTier;
  const ids: Record<string, string> = {};
  let month: number;
  let setAt: number;
  let endAt: number;
  const now = () => clockNow(cl.url);
  const advance = (ms: number) => clockAdvance(cl.url, ms);
  const cloudlet = (...args: string[]) => runCli([...args, '--endpoint', cl.url]);

  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    month = await intoNextMonth(cl.url);
    net = await buildThreeTier(ec2);
    const web = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: 'web', Description: 'web tier' }))).GroupId!;
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
    const run = async (name: string, extra: Partial<RunInstancesCommandInput>) => {
      ids[name] = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, ...extra }))).Instances![0]!.InstanceId!;
    };
    await run('app', { SubnetId: net.app[0], SecurityGroupIds: [net.appSg] });
    await run('public', { NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.pub[0], Groups: [web], AssociatePublicIpAddress: true }] });
    await run('no-ip', { SubnetId: net.pub[1], SecurityGroupIds: [web] });
    // The seeds' lb group has no egress rule at all.
    await run('walled', { SubnetId: net.app[1], SecurityGroupIds: [net.lbSg] });
    setAt = await now();
    for (const name of Object.keys(ids)) {
      const r = await cloudlet('load', 'set', ids[name]!, '--egress', '1MB/s');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /egress 1MB\/s/);
    }
    await advance(D);
    endAt = await now();
  });
  after(async () => { ec2?.destroy(); await cl?.close(); });

  /** GB one instance sent over the day at 1 MB/s (the last five-minute period may not have closed yet). */
  const dayGb = () => ({ max: (RATE * (endAt - setAt)) / 1000 / GB, min: (RATE * (endAt - setAt - 5 * 60_000 - 60_000)) / 1000 / GB });
  const within = (got: number, want: { min: number; max: number }, what: string) =>
    assert.ok(got >= want.min - 1e-9 && got <= want.max + 1e-9, `${what}: ${got} is not within ${want.min}..${want.max}`);

  const usage = async (filter: Expression, groupBy?: string) => {
    const ce = new CostExplorerClient(clientConfig(cl.url));
    const r = await ce.send(new GetCostAndUsageCommand({
      TimePeriod: { Start: day(month), End: day(month + 2 * D) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost', 'UsageQuantity'], Filter: filter,
      ...(groupBy ? { GroupBy: [{ Type: 'DIMENSION', Key: groupBy }] } : {}),
    }));
    ce.destroy();
    return r.ResultsByTime![0]!;
  };
  const usageType = (v: string): Expression => ({ Dimensions: { Key: 'USAGE_TYPE', Values: [v] } });

  test('the NAT gateway bills the app instance\'s bytes as GB processed, at the price table\'s rate', async () => {
    const t = (await usage(usageType('NatGateway-Bytes'))).Total!;
    const gb = Number(t.UsageQuantity!.Amount);
    within(gb, dayGb(), 'NAT GB processed (one instance\'s day)');
    assert.ok(Math.abs(Number(t.UnblendedCost!.Amount) - gb * prices().vpc.natGatewayGb) < 1e-6);
  });

  test('data transfer out: the NAT gateway\'s and the public instance\'s, nothing from the others; the first 100 GB are free', async () => {
    const r = await usage(usageType('DataTransfer-Out-Bytes'), 'OPERATION');
    const g = new Map(r.Groups!.map((x) => [x.Keys![0]!, x.Metrics!]));
    assert.deepEqual([...g.keys()].sort(), ['NatGateway', 'RunInstances']);
    within(Number(g.get('NatGateway')!.UsageQuantity!.Amount), dayGb(), 'out through the NAT gateway');
    within(Number(g.get('RunInstances')!.UsageQuantity!.Amount), dayGb(), 'out from the public instance');
    const total = Number(g.get('NatGateway')!.UsageQuantity!.Amount) + Number(g.get('RunInstances')!.UsageQuantity!.Amount);
    assert.ok(total > 100, 'two days\' worth of 1 MB/s is past the free 100 GB');
    const cost = Number(g.get('NatGateway')!.UnblendedCost!.Amount) + Number(g.get('RunInstances')!.UnblendedCost!.Amount);
    assert.ok(Math.abs(cost - (total - 100) * prices().dataTransfer.outGb) < 1e-6, `charged ${cost} for ${total - 100} GB beyond the free 100`);
  });

  test('NetworkOut carries the egress; cloudlet cost no longer calls the busy NAT gateway idle', async () => {
    const cw = new CloudWatchClient(clientConfig(cl.url));
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/EC2', MetricName: 'NetworkOut', Dimensions: [{ Name: 'InstanceId', Value: ids['no-ip']! }],
      StartTime: new Date(setAt - H), EndTime: new Date(endAt), Period: D, Statistics: ['Sum'],
    }));
    cw.destroy();
    // The instance without a public IP still sends (NetworkOut counts it); the internet gateway drops it.
    const sum = (stats.Datapoints ?? []).reduce((a, d) => a + d.Sum!, 0);
    // Plus the idle trickle of 500 B/s over the queried 25 hours.
    within(sum / GB, { min: dayGb().min, max: dayGb().max + (500 * 25 * 3600) / GB }, 'NetworkOut of the instance without a public IP, in GB');
    const r = await cloudlet('cost', '--json', '--region', 'us-east-1');
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as CostReport;
    const idle = new Set(rep.idle.map((x) => x.resourceId));
    assert.ok(!idle.has(net.natIds[0]!), 'the NAT gateway the app instance uses processed traffic');
    assert.ok(idle.has(net.natIds[1]!), 'the walled instance\'s security group let nothing reach the other NAT gateway');
    // Where each instance's traffic goes, and why the dropped ones pay nothing.
    const via = new Map(rep.egress.map((e) => [e.instanceId, e]));
    assert.equal(via.get(ids.app!)!.via, `NAT gateway ${net.natIds[0]}`);
    assert.ok(Math.abs(via.get(ids.app!)!.perGb - (prices().vpc.natGatewayGb + prices().dataTransfer.outGb)) < 1e-9);
    assert.equal(via.get(ids.public!)!.via, 'internet gateway');
    assert.match(via.get(ids['no-ip']!)!.why!, /no public IPv4 address/);
    assert.match(via.get(ids.walled!)!.why!, /no security group of the instance .* allows egress tcp 443/);
    const text = await cloudlet('cost', '--region', 'us-east-1');
    assert.match(text.stdout, /TRAFFIC TO THE INTERNET/);
    assert.match(text.stdout, new RegExp(`${ids.walled}.*dropped — no security group`));
  });
});
