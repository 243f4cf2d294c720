// Cost Explorer over the meter, end to end: real EC2 resources (two tagged instances of different
// types, a gp3 volume, an idle Elastic IP) accrue on the cloudlet clock; GetCostAndUsage groups
// the spend by SERVICE and by the `team` tag (once the cost allocation tag is active and
// backfilled) and every amount equals the price table's arithmetic to the cent; the stopped
// instance's compute stops while its volumes keep accruing; filters, hourly paging, dimension
// values, tags, the forecast, and AWS's errors. The JS SDK v3 and AWS CLI v2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CostExplorerClient, GetCostAndUsageCommand, GetCostAndUsageWithResourcesCommand, GetCostForecastCommand, GetDimensionValuesCommand,
  GetTagsCommand, ListCostAllocationTagsCommand, StartCostAllocationTagBackfillCommand, UpdateCostAllocationTagsStatusCommand,
  type GetCostAndUsageCommandInput, type GetCostAndUsageCommandOutput, type ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import {
  AllocateAddressCommand, CreateSubnetCommand, CreateVolumeCommand, CreateVpcCommand, DescribeImagesCommand, DescribeVolumesCommand,
  EC2Client, RunInstancesCommand, StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceRate, prices } from '../../src/services/cost/prices.js';
import { monthMs, monthStart, nextMonth } from '../../src/services/cost/usage.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const H = 3_600_000;
const D = 24 * H;
const COMPUTE = 'Amazon Elastic Compute Cloud - Compute';
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const hour = (ms: number): string => `${new Date(Math.floor(ms / H) * H).toISOString().slice(0, 19)}Z`;

/** GB-month storage as AWS prorates it: the share of each calendar month held. */
function gbMonths(size: number, rate: number, fromMs: number, toMs: number): number {
  let cost = 0;
  for (let t = fromMs; t < toMs;) {
    const e = Math.min(toMs, nextMonth(t));
    cost += size * rate * ((e - t) / monthMs(t));
    t = e;
  }
  return cost;
}

/** A group's metric summed over every period. */
function sumGroups(results: ResultByTime[], metric = 'UnblendedCost'): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of results) for (const g of r.Groups ?? []) out.set(g.Keys!.join('|'), (out.get(g.Keys!.join('|')) ?? 0) + Number(g.Metrics![metric]!.Amount));
  return out;
}

const cents = (actual: number | undefined, expected: number, what: string): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 0.005, `${what}: ${actual} vs the price table's ${expected.toFixed(6)}`);
};

async function failure(p: Promise<unknown>): Promise<{ name?: string; message?: string }> {
  try { await p; } catch (e) { return e as { name?: string; message?: string }; }
  throw new Error('the call succeeded');
}

describe('Cost Explorer: GetCostAndUsage over the meter', () => {
  let cl: Cloudlet;
  let ce: CostExplorerClient;
  let ec2: EC2Client;
  const clock = async (advance: string): Promise<number> => {
    const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance }) });
    assert.equal(r.status, 200);
    return Date.parse(((await r.json()) as { now: string }).now);
  };
  // Times and what the price table says each resource costs per hour or GB-month.
  let t0 = 0; let tStop = 0; let tEnd = 0;
  let volumes: Array<{ size: number; type: string; team: string }> = [];

  before(async () => {
    cl = await startTestServer();
    ce = new CostExplorerClient(clientConfig(cl.url));
    ec2 = new EC2Client(clientConfig(cl.url));
    const [image] = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const tags = (team: string) => [{ ResourceType: 'instance' as const, Tags: [{ Key: 'team', Value: team }] }, { ResourceType: 'volume' as const, Tags: [{ Key: 'team', Value: team }] }];
    t0 = await clock('1s');
    await ec2.send(new RunInstancesCommand({ ImageId: image!.ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: tags('web') }));
    const db = (await ec2.send(new RunInstancesCommand({ ImageId: image!.ImageId, InstanceType: 't3.small', MinCount: 1, MaxCount: 1, SubnetId: subnet, TagSpecifications: tags('db') }))).Instances![0]!.InstanceId!;
    await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'gp3', TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'db' }] }] }));
    await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'team', Value: 'web' }] }] }));
    volumes = (await ec2.send(new DescribeVolumesCommand({}))).Volumes!.map((v) => ({ size: v.Size!, type: v.VolumeType!, team: v.Tags!.find((t) => t.Key === 'team')!.Value! }));
    assert.equal(volumes.length, 3, 'two root volumes and the data volume');
    await clock('3d');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [db] }));
    tStop = await clock('3d');
    tStop -= 3 * D;
    tEnd = await clock('1s');
  });
  after(async () => { await cl.close(); });

  const rate = { web: () => instanceRate('t3.micro', 'Linux/UNIX', 'us-east-1'), db: () => instanceRate('t3.small', 'Linux/UNIX', 'us-east-1') };
  const volumeCost = (team?: string) => volumes.filter((v) => !team || v.team === team)
    .reduce((a, v) => a + gbMonths(v.size, prices().ebs.gbMonth[v.type]!, t0, tEnd), 0);
  const expected = () => {
    const webCompute = rate.web() * (tEnd - t0) / H;
    const dbCompute = rate.db() * (tStop - t0) / H;
    const ip = prices().vpc.publicIpv4Hour * (tEnd - t0) / H;
    return {
      compute: webCompute + dbCompute, other: volumeCost(), vpc: ip, dbCompute,
      web: webCompute + volumeCost('web') + ip, db: dbCompute + volumeCost('db'),
    };
  };
  const period = () => ({ Start: day(t0), End: day(tEnd + D) });
  const daily = (extra: Partial<GetCostAndUsageCommandInput> = {}) =>
    ce.send(new GetCostAndUsageCommand({ TimePeriod: period(), Granularity: 'DAILY', Metrics: ['UnblendedCost'], ...extra }));

  test('grouped by SERVICE the sums equal the price table to the cent; the total is the sum; Estimated for this month', async () => {
    const r = await daily({ GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }], Metrics: ['UnblendedCost', 'AmortizedCost', 'UsageQuantity'] });
    const e = expected();
    const by = sumGroups(r.ResultsByTime!);
    cents(by.get(COMPUTE), e.compute, 'EC2 compute');
    cents(by.get('EC2 - Other'), e.other, 'EBS volumes');
    cents(by.get('Amazon Virtual Private Cloud'), e.vpc, 'the idle public IPv4 address');
    assert.equal(by.size, 3, [...by.keys()].join(', '));
    cents(sumGroups(r.ResultsByTime!, 'AmortizedCost').get(COMPUTE), e.compute, 'amortized = unblended without commitments');
    const last = r.ResultsByTime!.at(-1)!;
    assert.deepEqual(last.Total, {});
    assert.equal(last.Estimated, true);
    assert.equal(last.Groups![0]!.Metrics!.UnblendedCost!.Unit, 'USD');
    const compute = last.Groups!.find((g) => g.Keys![0] === COMPUTE)!;
    assert.equal(compute.Metrics!.UsageQuantity!.Unit, 'Hrs');
    const total = await daily();
    const sum = total.ResultsByTime!.reduce((a, x) => a + Number(x.Total!.UnblendedCost!.Amount), 0);
    cents(sum, e.compute + e.other + e.vpc, 'ungrouped total');
    assert.deepEqual(total.ResultsByTime![0]!.Groups, []);
    assert.match(total.ResultsByTime![0]!.Total!.UnblendedCost!.Amount!, /^\d+(\.\d{1,10})?$/);
  });

  test('a tag groups only once active, and from then on (backfill applies it to the month); unknown keys are Errors', async () => {
    let tags = (await ce.send(new ListCostAllocationTagsCommand({}))).CostAllocationTags!;
    const team = tags.find((t) => t.TagKey === 'team')!;
    assert.deepEqual([team.Status, team.Type, team.LastUsedDate], ['Inactive', 'UserDefined', `${day(monthStart(tEnd))}T00:00:00Z`]);
    const byTag = async () => sumGroups((await daily({ GroupBy: [{ Type: 'TAG', Key: 'team' }] })).ResultsByTime!);
    assert.deepEqual([...(await byTag()).keys()], ['team$'], 'an inactive tag: everything untagged');

    const upd = await ce.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: [{ TagKey: 'team', Status: 'Active' }, { TagKey: 'no-such-tag', Status: 'Active' }] }));
    assert.deepEqual(upd.Errors!.map((x) => [x.TagKey, x.Code]), [['no-such-tag', 'TagKeysNotFoundException']]);
    tags = (await ce.send(new ListCostAllocationTagsCommand({ Status: 'Active' }))).CostAllocationTags!;
    assert.deepEqual(tags.map((t) => t.TagKey), ['team']);
    const fresh = await byTag();
    cents(fresh.get('team$'), expected().web + expected().db, 'activated now: the usage before it stays untagged');
    assert.ok((fresh.get('team$web') ?? 0) + (fresh.get('team$db') ?? 0) < 0.005, 'only the instants since activation are tagged');

    const bf = await ce.send(new StartCostAllocationTagBackfillCommand({ BackfillFrom: `${day(monthStart(t0))}T00:00:00Z` }));
    assert.equal(bf.BackfillRequest!.BackfillStatus, 'SUCCEEDED');
    const e = expected();
    const by = await byTag();
    cents(by.get('team$web'), e.web, 'team=web (t3.micro, its root volume, the Elastic IP)');
    cents(by.get('team$db'), e.db, 'team=db (t3.small until stopped, its root volume, the data volume)');
    assert.equal(by.get('team$') ?? 0, 0);
    assert.equal((await failure(ce.send(new StartCostAllocationTagBackfillCommand({ BackfillFrom: `${day(monthStart(t0))}T00:00:00Z` })))).name, 'BackfillLimitExceededException');

    // Filters: a tag and a dimension, a negation; a tag's values and keys; dimension values.
    const only = async (Filter: GetCostAndUsageCommandInput['Filter']) =>
      (await daily({ Filter })).ResultsByTime!.reduce((a, x) => a + Number(x.Total!.UnblendedCost!.Amount), 0);
    cents(await only({ And: [{ Tags: { Key: 'team', Values: ['db'] } }, { Dimensions: { Key: 'SERVICE', Values: [COMPUTE] } }] }), e.dbCompute, 'db compute');
    cents(await only({ Not: { Tags: { Key: 'team', Values: ['web'] } } }), e.db, 'not web');
    cents(await only({ Dimensions: { Key: 'INSTANCE_TYPE', Values: ['t3.micro'] } }), rate.web() * (tEnd - t0) / H, 't3.micro');
    assert.deepEqual((await ce.send(new GetTagsCommand({ TimePeriod: period() }))).Tags, ['team']);
    assert.deepEqual((await ce.send(new GetTagsCommand({ TimePeriod: period(), TagKey: 'team' }))).Tags, ['db', 'web']);
    const dv = await ce.send(new GetDimensionValuesCommand({ TimePeriod: period(), Dimension: 'INSTANCE_TYPE' }));
    assert.deepEqual([dv.DimensionValues!.map((v) => v.Value), dv.TotalSize], [['NoInstanceType', 't3.micro', 't3.small'], 3]);
    const services = await ce.send(new GetDimensionValuesCommand({ TimePeriod: period(), Dimension: 'SERVICE', SearchString: 'elastic' }));
    assert.deepEqual(services.DimensionValues!.map((v) => v.Value), [COMPUTE]);
    const regions = await ce.send(new GetDimensionValuesCommand({ TimePeriod: period(), Dimension: 'REGION' }));
    assert.deepEqual(regions.DimensionValues, [{ Value: 'us-east-1', Attributes: { description: 'US East (N. Virginia)' } }]);
  });

  // (The tests run in order: the tag is active from here on.)
  test('the stopped instance: its compute stops, its volumes keep accruing (resource-level data)', async () => {
    const r = await ce.send(new GetCostAndUsageWithResourcesCommand({
      TimePeriod: period(), Granularity: 'DAILY', Metrics: ['UnblendedCost'],
      Filter: { Dimensions: { Key: 'SERVICE', Values: [COMPUTE] } }, GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }],
    }));
    const last = r.ResultsByTime!.at(-1)!;
    assert.equal(last.Groups!.length, 1, 'only the running instance bills compute on the last day');
    cents(Number(last.Groups![0]!.Metrics!.UnblendedCost!.Amount), rate.web() * (tEnd - Math.max(t0, Math.floor(tEnd / D) * D)) / H, 'web compute on the last day');
    const dbVolumes = await daily({ Filter: { And: [{ Tags: { Key: 'team', Values: ['db'] } }, { Dimensions: { Key: 'SERVICE', Values: ['EC2 - Other'] } }] } });
    const lastDay = Number(dbVolumes.ResultsByTime!.at(-1)!.Total!.UnblendedCost!.Amount);
    const from = Math.max(t0, Math.floor(tEnd / D) * D);
    cents(lastDay, volumes.filter((v) => v.team === 'db').reduce((a, v) => a + gbMonths(v.size, prices().ebs.gbMonth[v.type]!, from, tEnd), 0), 'db volumes on the last day');
    assert.ok(lastDay > 0);
  });

  test('HOURLY pages; the pages sum to the daily figures; a token from other parameters is RequestChangedException', async () => {
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: hour(t0), End: hour(tEnd + H) }, Granularity: 'HOURLY', Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }, { Type: 'TAG', Key: 'team' }],
    };
    const first = await ce.send(new GetCostAndUsageCommand(input));
    assert.ok(first.NextPageToken, 'more than one page of hourly groups');
    assert.match(first.ResultsByTime![0]!.TimePeriod!.Start!, /^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
    const all = [...first.ResultsByTime!];
    for (let token: string | undefined = first.NextPageToken; token;) {
      const next: GetCostAndUsageCommandOutput = await ce.send(new GetCostAndUsageCommand({ ...input, NextPageToken: token }));
      all.push(...next.ResultsByTime!);
      token = next.NextPageToken;
    }
    const total = [...sumGroups(all).values()].reduce((a, b) => a + b, 0);
    const e = expected();
    cents(total, e.compute + e.other + e.vpc, 'all hourly pages');
    assert.equal((await failure(ce.send(new GetCostAndUsageCommand({ ...input, Metrics: ['BlendedCost'], NextPageToken: first.NextPageToken })))).name, 'RequestChangedException');
    assert.equal((await failure(ce.send(new GetCostAndUsageCommand({ ...input, NextPageToken: 'bogus' })))).name, 'InvalidNextTokenException');
  });

  test('the forecast carries the run rate forward (the stopped instance excluded), with a prediction interval', async () => {
    const tomorrow = Math.floor(tEnd / D) * D + D;
    const f = await ce.send(new GetCostForecastCommand({ TimePeriod: { Start: day(tomorrow), End: day(tomorrow + D) }, Metric: 'UNBLENDED_COST', Granularity: 'DAILY', PredictionIntervalLevel: 80 }));
    const perDay = 24 * (rate.web() + prices().vpc.publicIpv4Hour) + volumes.reduce((a, v) => a + gbMonths(v.size, prices().ebs.gbMonth[v.type]!, tomorrow, tomorrow + D), 0);
    cents(Number(f.Total!.Amount), perDay, 'tomorrow at today\'s run rate');
    const [b] = f.ForecastResultsByTime!;
    assert.ok(Number(b!.PredictionIntervalLowerBound) <= Number(b!.MeanValue) && Number(b!.MeanValue) <= Number(b!.PredictionIntervalUpperBound));
    const past = await failure(ce.send(new GetCostForecastCommand({ TimePeriod: { Start: day(t0), End: day(tomorrow) }, Metric: 'UNBLENDED_COST', Granularity: 'DAILY' })));
    assert.equal(past.name, 'ValidationException');
  });

  test('bad input: AWS\'s errors, and nothing half-done', async () => {
    const bad = async (input: Partial<GetCostAndUsageCommandInput>, name: string, message: RegExp) => {
      const e = await failure(daily(input));
      assert.equal(e.name, name, e.message);
      assert.match(e.message!, message);
    };
    await bad({ TimePeriod: { Start: day(tEnd), End: day(tEnd) } }, 'ValidationException', /Start date \(and hour\) should be before end date \(and hour\)/);
    await bad({ TimePeriod: { Start: day(t0), End: day(nextMonth(tEnd) + D) } }, 'ValidationException', /end date past the beginning of next month/);
    await bad({ Granularity: 'HOURLY', TimePeriod: { Start: hour(tEnd - 20 * D), End: hour(tEnd) } }, 'ValidationException', /more than 14 days ago for hourly granularity/);
    await bad({ TimePeriod: { Start: day(monthStart(tEnd) - 500 * D), End: day(tEnd) } }, 'ValidationException', /start date needs to be the first day of the month/);
    await bad({ TimePeriod: { Start: day(monthStart(monthStart(tEnd) - 500 * D)), End: day(tEnd) } }, 'BillExpirationException', /expired/);
    await bad({ GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }] }, 'ValidationException', /Group Definition dimension is invalid/);
    await bad({ Filter: { Dimensions: { Key: 'SERVICE', Values: [COMPUTE] }, Tags: { Key: 'team', Values: ['web'] } } }, 'ValidationException', /Expression has more than one roots/);
    await bad({ Filter: { Or: [{ Dimensions: { Key: 'SERVICE', Values: [COMPUTE] } }] } }, 'ValidationException', /Or expression must have at least 2 operands/);
    await bad({ Metrics: ['Dollars'] }, 'ValidationException', /Invalid metric name/);
    await bad({ Granularity: 'WEEKLY' as 'DAILY' }, 'ValidationException', /granularity|Granularity/);
    // A batch with an unknown key changes the known ones and reports the other; deactivation hides the tag again.
    const upd = await ce.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: [{ TagKey: 'team', Status: 'Inactive' }] }));
    assert.deepEqual(upd.Errors, []);
    assert.deepEqual([...sumGroups((await daily({ GroupBy: [{ Type: 'TAG', Key: 'team' }] })).ResultsByTime!).keys()], ['team$']);
    await ce.send(new UpdateCostAllocationTagsStatusCommand({ CostAllocationTagsStatus: [{ TagKey: 'team', Status: 'Active' }] }));
  });

  const v2 = awsClis()[1]!;
  test('AWS CLI v2: get-cost-and-usage grouped by service, and its error for a reversed period', { skip: v2.skip }, async () => {
    const r = await runAws(v2.bin, cl.url, ['ce', 'get-cost-and-usage', '--time-period', `Start=${day(t0)},End=${day(tEnd + D)}`, '--granularity', 'MONTHLY',
      '--metrics', 'UnblendedCost', '--group-by', 'Type=DIMENSION,Key=SERVICE']);
    assert.equal(r.status, 0, r.stderr);
    const by = sumGroups((JSON.parse(r.stdout) as { ResultsByTime: ResultByTime[] }).ResultsByTime);
    const e = expected();
    cents(by.get(COMPUTE), e.compute, 'CLI: EC2 compute');
    cents(by.get('EC2 - Other'), e.other, 'CLI: EBS');
    const err = await runAws(v2.bin, cl.url, ['ce', 'get-cost-and-usage', '--time-period', `Start=${day(tEnd)},End=${day(t0)}`, '--granularity', 'DAILY', '--metrics', 'UnblendedCost']);
    assert.notEqual(err.status, 0);
    assert.match(err.stderr, /ValidationException.*Start date \(and hour\) should be before end date/);
  });
});
