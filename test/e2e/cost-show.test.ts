// The seeds' cost lesson, end to end with the AWS CLI v2 and the JS SDK v3: billing alerts on, a
// billing alarm at $10 on EstimatedCharges with an SNS topic and an email subscription; the
// three-tier topology (two NAT gateways with Elastic IPs, four instances tagged team=web/app)
// and an idle Elastic IP; a week on the clock. The alarm fires and the outbox holds the email;
// Cost Explorer groups the week by service and by the team tag and every sum is the price
// table's to the cent; a stopped instance stops its compute line while its gp3 volume keeps
// accruing; the idle address accrues; `cloudlet cost --json` calls out the idle address, the
// NAT gateways and the stopped instance. Setup through the SDK, the user's steps through CLIs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CostExplorerClient, StartCostAllocationTagBackfillCommand, UpdateCostAllocationTagsStatusCommand } from '@aws-sdk/client-cost-explorer';
import { AllocateAddressCommand, DescribeImagesCommand, DescribeVolumesCommand, EC2Client, RunInstancesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceRate, prices } from '../../src/services/cost/prices.js';
import type { CostReport } from '../../src/services/cost/report.js';
import { monthMs, nextMonth } from '../../src/services/cost/usage.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { buildThreeTier, type ThreeTier } from '../helpers/three-tier.js';

const H = 3_600_000;
const DAY = 24 * H;
const aws2 = awsClis()[1]!;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('the cost lesson: a billing alarm, a week of a three-tier topology, the bill', { skip: aws2.skip }, () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let net: ThreeTier;
  const aws = (...args: string[]) => awsJson(aws2.bin, cl.url, args);
  const cloudlet = (...args: string[]) => runCli([...args, '--endpoint', cl.url]);
  const now = async () => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
  const advance = (ms: number) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: `${Math.ceil(ms)}ms` }) });

  // What the bill must hold, from the price table: [rate per hour, held from, held until] per line.
  let monthStartMs: number;
  let endMs: number;
  let alarmFrom: [number, number];
  let built: [number, number];
  let stopAt: [number, number];
  const ids: Record<string, string> = {};
  const volumes: Array<{ id: string; size: number; team: string; name: string }> = [];
  let idleEip: string;
  let alarmState: string;
  let outbox: Array<Record<string, any>>;

  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    // Start at a month's first instant, so the week and the billing metric stay in one month.
    monthStartMs = nextMonth(await now());
    await advance(monthStartMs - (await now()));
    endMs = monthStartMs + 7 * DAY;

    const on = await cloudlet('billing-alerts', 'on');
    assert.equal(on.code, 0, on.stderr);
    const t0 = await now();
    const topic = (await aws('sns', 'create-topic', '--name', 'billing')).TopicArn as string;
    await aws('sns', 'subscribe', '--topic-arn', topic, '--protocol', 'email', '--notification-endpoint', 'owner@example.com');
    const box = async () => ((await (await fetch(`${cl.url}/_cloudlet/sns/outbox?protocol=email`)).json()) as { messages: Array<Record<string, any>> }).messages;
    const link = /(http:\/\/\S+ConfirmSubscription\S+)/.exec((await box())[0]!.body)![1]!;
    assert.equal((await fetch(link)).status, 200);
    await aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'billing-10', '--namespace', 'AWS/Billing', '--metric-name', 'EstimatedCharges',
      '--dimensions', 'Name=Currency,Value=USD', '--statistic', 'Maximum', '--period', '21600', '--evaluation-periods', '1',
      '--threshold', '10', '--comparison-operator', 'GreaterThanThreshold', '--alarm-actions', topic);
    alarmFrom = [t0, await now()];

    const b0 = await now();
    net = await buildThreeTier(ec2);
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
    const launch = async (name: string, team: string, type: _InstanceType, subnet: string, group: string, publicIp: boolean) => {
      const tags = [{ Key: 'team', Value: team }, { Key: 'Name', Value: name }];
      ids[name] = (await ec2.send(new RunInstancesCommand({
        ImageId: ami, InstanceType: type, MinCount: 1, MaxCount: 1,
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet, Groups: [group], AssociatePublicIpAddress: publicIp }],
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }],
      }))).Instances![0]!.InstanceId!;
    };
    await launch('web-1', 'web', 't3.small', net.pub[0]!, net.lbSg, true);
    await launch('web-2', 'web', 't3.small', net.pub[1]!, net.lbSg, true);
    await launch('app-1', 'app', 't3.medium', net.app[0]!, net.appSg, false);
    await launch('app-2', 'app', 't3.medium', net.app[1]!, net.appSg, false);
    idleEip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    built = [b0, await now()];
    for (const v of (await ec2.send(new DescribeVolumesCommand({}))).Volumes!) {
      const tag = (k: string) => v.Tags!.find((t) => t.Key === k)!.Value!;
      assert.equal(v.VolumeType, 'gp3');
      volumes.push({ id: v.VolumeId!, size: v.Size!, team: tag('team'), name: tag('Name') });
    }
    assert.equal(volumes.length, 4);
    // Cost allocation tags: activated, and applied from the month's start.
    const ce = new CostExplorerClient(clientConfig(cl.url));
    const upd = await ce.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: [{ TagKey: 'team', Status: 'Active' }, { TagKey: 'Name', Status: 'Active' }] }));
    assert.deepEqual(upd.Errors, []);
    await ce.send(new StartCostAllocationTagBackfillCommand({ BackfillFrom: new Date(monthStartMs).toISOString() }));
    ce.destroy();

    // Three days, then app-2 is stopped; then the rest of the week.
    assert.equal((await cloudlet('clock', 'advance', '3d')).code, 0);
    const s0 = await now();
    const stopped = await aws('ec2', 'stop-instances', '--instance-ids', ids['app-2']!);
    assert.equal(stopped.StoppingInstances[0].CurrentState.Name, 'stopped');
    stopAt = [s0, await now()];
    await advance(endMs + 60_000 - (await now()));
    alarmState = (await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'billing-10')).MetricAlarms[0].StateValue;
    outbox = (await box()).filter((m) => m.kind === 'Notification');
  });
  after(async () => { ec2?.destroy(); await cl?.close(); });

  // The expected cost of a line held from a bracketed start to a bracketed end: the midpoint,
  // and how far the bracket lets it move (kept well under a cent below).
  const p = prices();
  const held = (perHour: number, from: [number, number], to: [number, number] = [endMs, endMs]) => ({
    usd: (perHour * ((to[0] + to[1]) / 2 - (from[0] + from[1]) / 2)) / H,
    slack: (perHour * ((to[1] - to[0]) + (from[1] - from[0]))) / 2 / H,
  });
  const gbHour = (size: number) => (size * p.ebs.gbMonth.gp3! * H) / monthMs(monthStartMs);
  const sum = (xs: Array<{ usd: number; slack: number }>) => xs.reduce((a, x) => ({ usd: a.usd + x.usd, slack: a.slack + x.slack }), { usd: 0, slack: 0 });
  const close = (got: string | number, want: { usd: number; slack: number }, what: string) => {
    assert.ok(want.slack < 0.002, `${what}: the setup's seconds move it ${want.slack}`);
    assert.ok(Math.abs(Number(got) - want.usd) < 0.005, `${what}: ${got} is not ${want.usd.toFixed(4)} to the cent`);
  };
  const expected = () => {
    const small = instanceRate('t3.small', 'Linux/UNIX', 'us-east-1');
    const medium = instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1');
    const ip = p.vpc.publicIpv4Hour;
    const vol = (team: string) => sum(volumes.filter((v) => v.team === team).map((v) => held(gbHour(v.size), built)));
    const web = sum([held(2 * small, built), held(2 * ip, built), vol('web')]);
    const app = sum([held(medium, built), held(medium, built, stopAt), vol('app')]);
    // Two NAT gateways, their two Elastic IPs, the load balancer's and the idle one. The one
    // alarm is within Always Free's ten alarm metrics a month: it costs nothing.
    const untagged = sum([held(2 * p.vpc.natGatewayHour, built), held(4 * ip, built)]);
    return {
      web, app, untagged,
      compute: sum([held(2 * small + medium, built), held(medium, built, stopAt)]),
      other: sum([held(2 * p.vpc.natGatewayHour, built), vol('web'), vol('app')]),
      vpc: held(6 * ip, built),
      cloudwatch: { usd: 0, slack: 0 },
      idleIp: held(ip, built),
    };
  };
  const costAndUsage = (...extra: string[]) => aws('ce', 'get-cost-and-usage', '--time-period', `Start=${day(monthStartMs)},End=${day(endMs)}`, '--metrics', 'UnblendedCost', ...extra);
  const groups = (r: any) => Object.fromEntries((r.ResultsByTime[0].Groups as any[]).map((g) => [g.Keys[0], g.Metrics.UnblendedCost.Amount as string]));

  test('the billing alarm fired past $10 and the email is in the outbox', () => {
    assert.equal(alarmState, 'ALARM');
    assert.equal(outbox.length, 1, 'one notification: INSUFFICIENT_DATA/OK -> ALARM');
    assert.equal(outbox[0]!.endpoint, 'owner@example.com');
    assert.match(outbox[0]!.subject, /^ALARM: "billing-10" in US East \(N\. Virginia\)$/);
    const body = JSON.parse(outbox[0]!.body.split('\n\n--\n')[0]);
    assert.equal(body.Trigger.MetricName, 'EstimatedCharges');
    assert.equal(body.Trigger.Namespace, 'AWS/Billing');
    assert.equal(body.NewStateValue, 'ALARM');
  });

  test('Cost Explorer by SERVICE: each service is the price table\'s sum to the cent', async () => {
    const e = expected();
    const g = groups(await costAndUsage('--granularity', 'MONTHLY', '--group-by', 'Type=DIMENSION,Key=SERVICE'));
    assert.deepEqual(Object.keys(g).sort(), ['Amazon Elastic Compute Cloud - Compute', 'Amazon Simple Notification Service', 'Amazon Virtual Private Cloud', 'AmazonCloudWatch', 'EC2 - Other']);
    // The alarm's publish and its email: within SNS's Always Free amounts.
    assert.equal(Number(g['Amazon Simple Notification Service']), 0);
    close(g['Amazon Elastic Compute Cloud - Compute']!, e.compute, 'compute');
    close(g['EC2 - Other']!, e.other, 'EC2 - Other (NAT gateway hours, gp3)');
    close(g['Amazon Virtual Private Cloud']!, e.vpc, 'public IPv4');
    close(g.AmazonCloudWatch!, e.cloudwatch, 'the alarm');
  });

  test('the alarm is within Always Free: its alarm-month is counted and charged nothing', async () => {
    const r = await aws('ce', 'get-cost-and-usage', '--time-period', `Start=${day(monthStartMs)},End=${day(endMs)}`, '--granularity', 'MONTHLY',
      '--metrics', 'UnblendedCost', 'UsageQuantity', '--filter', JSON.stringify({ Dimensions: { Key: 'SERVICE', Values: ['AmazonCloudWatch'] } }));
    const total = r.ResultsByTime[0].Total;
    assert.equal(Number(total.UnblendedCost.Amount), 0);
    const months = held(H / monthMs(monthStartMs), alarmFrom);
    assert.ok(Math.abs(Number(total.UsageQuantity.Amount) - months.usd) < 1e-3 + months.slack, `alarm-months ${total.UsageQuantity.Amount} is not ${months.usd}`);
  });

  test('Cost Explorer by the team tag: web, app and the untagged rest, to the cent', async () => {
    const e = expected();
    const g = groups(await costAndUsage('--granularity', 'MONTHLY', '--group-by', 'Type=TAG,Key=team'));
    assert.deepEqual(Object.keys(g).sort(), ['team$', 'team$app', 'team$web']);
    close(g['team$web']!, e.web, 'team web');
    close(g['team$app']!, e.app, 'team app');
    close(g['team$']!, e.untagged, 'untagged');
  });

  test('the stopped instance: its compute line ends at the stop, its gp3 volume keeps accruing every day; the idle IPv4 accrues', async () => {
    const r = await costAndUsage('--granularity', 'DAILY', '--group-by', 'Type=DIMENSION,Key=USAGE_TYPE', '--filter', JSON.stringify({ Tags: { Key: 'Name', Values: ['app-2'] } }));
    const days = (r.ResultsByTime as any[]).map((d) => Object.fromEntries((d.Groups as any[]).map((g) => [g.Keys[0], Number(g.Metrics.UnblendedCost.Amount)])));
    assert.equal(days.length, 7);
    const medium = instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1');
    const size = volumes.find((v) => v.name === 'app-2')!.size;
    for (const [i, d] of days.entries()) {
      if (i < 3) assert.ok(d['BoxUsage:t3.medium']! > 0.99 * 24 * medium, `day ${i + 1} ran`);
      if (i >= 4) assert.equal(d['BoxUsage:t3.medium'], undefined, `day ${i + 1}: no compute after the stop`);
      if (i >= 1) assert.ok(Math.abs(d['EBS:VolumeUsage.gp3']! - 24 * gbHour(size)) < 1e-6, `day ${i + 1}: the volume accrues a full day (${d['EBS:VolumeUsage.gp3']})`);
    }
    const all = groups(await costAndUsage('--granularity', 'MONTHLY', '--group-by', 'Type=DIMENSION,Key=USAGE_TYPE'));
    close(all['PublicIPv4:IdleAddress']!, expected().idleIp, 'the idle address');
  });

  test('cloudlet cost --json calls out the idle address, both NAT gateways and the stopped instance', async () => {
    const r = await cloudlet('cost', '--json', '--region', 'us-east-1');
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as CostReport;
    const idle = new Map(rep.idle.map((x) => [x.resourceId, x]));
    assert.match(idle.get(idleEip)!.reason, /idle Elastic IP/);
    for (const nat of net.natIds) assert.match(idle.get(nat)!.reason, /NAT gateway that processed no traffic/);
    assert.match(idle.get(ids['app-2']!)!.reason, /stopped t3\.medium instance still paying for its storage/);
    assert.deepEqual(rep.instances.map((i) => i.instanceId).sort(), [ids['web-1'], ids['web-2'], ids['app-1']].sort());
    const web = rep.instances.find((i) => i.instanceId === ids['web-1'])!;
    assert.ok(Math.abs(web.stop.savesPerHour - (instanceRate('t3.small', 'Linux/UNIX', 'us-east-1') + p.vpc.publicIpv4Hour)) < 1e-6, 'stopping web-1 ends its compute and its public IPv4');
    assert.equal(web.terminate.deletes.length, 1, 'terminating it also deletes its root volume');
  });
});
