// The instance type catalog end to end: DescribeInstanceTypes (facts, filters, paging),
// DescribeInstanceTypeOfferings by region, zone and zone ID, a launch into a zone that does not
// offer the type, DescribeSpotPriceHistory over the clock; SDK v3 and the AWS CLI v1/v2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateSubnetCommand, CreateVpcCommand, DescribeAvailabilityZonesCommand, DescribeImagesCommand, DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand, DescribeSpotPriceHistoryCommand, EC2Client, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let ec2: EC2Client;
const advance = (d: string) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: d }) });

before(async () => {
  cl = await startTestServer();
  ec2 = new EC2Client(clientConfig(cl.url));
});
after(async () => { await cl.close(); });

describe('instance type catalog with SDK v3', () => {
  test('DescribeInstanceTypes: AWS\'s facts, filters, paging, unknown types', async () => {
    const t = (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro', 'm7g.large'] }))).InstanceTypes!;
    const micro = t.find((x) => x.InstanceType === 't3.micro')!;
    assert.equal(micro.VCpuInfo!.DefaultVCpus, 2);
    assert.equal(micro.MemoryInfo!.SizeInMiB, 1024);
    assert.equal(micro.BurstablePerformanceSupported, true);
    assert.equal(micro.FreeTierEligible, true);
    assert.deepEqual(micro.ProcessorInfo!.SupportedArchitectures, ['x86_64']);
    assert.deepEqual(t.find((x) => x.InstanceType === 'm7g.large')!.ProcessorInfo!.SupportedArchitectures, ['arm64']);

    const arm = (await ec2.send(new DescribeInstanceTypesCommand({ Filters: [
      { Name: 'processor-info.supported-architecture', Values: ['arm64'] }, { Name: 'burstable-performance-supported', Values: ['true'] },
    ] }))).InstanceTypes!;
    assert.ok(arm.length >= 5);
    assert.ok(arm.every((x) => x.InstanceType!.startsWith('t4g.')), arm.map((x) => x.InstanceType).join());
    const gpus = (await ec2.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: 'instance-type', Values: ['p4d.*', 'g5.*'] }, { Name: 'vcpu-info.default-vcpus', Values: ['96'] }] }))).InstanceTypes!;
    assert.deepEqual(gpus.map((x) => x.InstanceType).sort(), ['g5.24xlarge', 'p4d.24xlarge']);

    // Paging: every type once, in pages of at most MaxResults.
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken: token, Filters: [{ Name: 'current-generation', Values: ['true'] }] }));
      assert.ok(page.InstanceTypes!.length <= 100);
      for (const x of page.InstanceTypes!) { assert.ok(!seen.has(x.InstanceType!)); seen.add(x.InstanceType!); }
      token = page.NextToken;
      pages++;
    } while (token && pages < 50);
    assert.ok(pages > 2 && seen.size > 200, `${seen.size} types in ${pages} pages`);

    await rejects(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.mega' as never] })), 'InvalidInstanceType', 400, /t3\.mega/);
    await rejects(ec2.send(new DescribeInstanceTypesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })), 'InvalidParameterValue', 400);
    await rejects(ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 1 })), 'InvalidParameterValue', 400);
  });

  test('DescribeInstanceTypeOfferings by region, zone name and zone ID; a type a zone does not offer', async () => {
    const region = (await ec2.send(new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }] }))).InstanceTypeOfferings!;
    assert.deepEqual(region, [{ InstanceType: 't3.micro', LocationType: 'region', Location: 'us-east-1' }]);
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const byName = (await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }] }))).InstanceTypeOfferings!;
    assert.ok(byName.length >= 5);
    assert.ok(byName.every((o) => zones.some((z) => z.ZoneName === o.Location)));
    const byId = (await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone-id', Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }] }))).InstanceTypeOfferings!;
    assert.ok(byId.every((o) => /^use1-az\d$/.test(o.Location!)));
    await rejects(ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'planet' as never })), 'InvalidParameterValue', 400);

    // A type offered in some zones only: a launch into one without it is Unsupported, naming the others.
    const all = (await ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['m5*', 'c5*', 'r5*'] }] }))).InstanceTypeOfferings!;
    const where = new Map<string, Set<string>>();
    for (const o of all) (where.get(o.InstanceType!) ?? where.set(o.InstanceType!, new Set()).get(o.InstanceType!)!).add(o.Location!);
    const partial = [...where].find(([, zs]) => zs.size < zones.length && zs.size > 0);
    assert.ok(partial, 'some type is not in every zone');
    const [type, offered] = partial;
    const missing = zones.map((z) => z.ZoneName!).find((z) => !offered.has(z))!;
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.50.1.0/24', AvailabilityZone: missing }))).Subnet!.SubnetId!;
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: type as never, MinCount: 1, MaxCount: 1, SubnetId: subnet })), 'Unsupported', 400, new RegExp(missing));
  });

  test('DescribeSpotPriceHistory: hourly prices below On-Demand, newest first, moving with the clock', async () => {
    const now = Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    const h = await ec2.send(new DescribeSpotPriceHistoryCommand({
      InstanceTypes: ['m5.large'], ProductDescriptions: ['Linux/UNIX'], AvailabilityZone: 'us-east-1a', StartTime: new Date(now - 24 * 3_600_000),
    }));
    const points = h.SpotPriceHistory!;
    assert.equal(points.length, 25, 'the price at the start and each hourly change since');
    const times = points.map((p) => p.Timestamp!.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(points.every((p) => Number(p.SpotPrice) > 0 && Number(p.SpotPrice) < 0.096), 'm5.large On-Demand is about 0.096');
    assert.ok(new Set(points.map((p) => p.SpotPrice)).size > 5, 'the price moves');
    const windows = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], ProductDescriptions: ['Windows'], AvailabilityZone: 'us-east-1a' }));
    assert.ok(Number(windows.SpotPriceHistory![0]!.SpotPrice) > Number(points[0]!.SpotPrice), 'Windows costs more');
    await advance('3h');
    const later = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], ProductDescriptions: ['Linux/UNIX'], AvailabilityZone: 'us-east-1a' }));
    assert.ok(later.SpotPriceHistory![0]!.Timestamp!.getTime() >= times[0]! + 3 * 3_600_000 - 1);
    await rejects(ec2.send(new DescribeSpotPriceHistoryCommand({ ProductDescriptions: ['Plan 9'] as never })), 'InvalidParameterValue', 400);
  });
});

for (const cli of awsClis()) {
  describe(`instance type catalog with the ${cli.name}`, { skip: cli.skip }, () => {
    test('describe-instance-types, describe-instance-type-offerings, describe-spot-price-history', async () => {
      const t = await awsJson(cli.bin, cl.url, ['ec2', 'describe-instance-types', '--instance-types', 't3.micro']);
      assert.equal(t.InstanceTypes[0].VCpuInfo.DefaultVCpus, 2);
      const o = await awsJson(cli.bin, cl.url, ['ec2', 'describe-instance-type-offerings', '--location-type', 'availability-zone', '--filters', 'Name=instance-type,Values=t3.micro']);
      assert.ok(o.InstanceTypeOfferings.length >= 5);
      const s = await awsJson(cli.bin, cl.url, ['ec2', 'describe-spot-price-history', '--instance-types', 't3.micro', '--product-descriptions', 'Linux/UNIX', '--max-items', '3']);
      assert.equal(s.SpotPriceHistory.length, 3);
    });
  });
}
