import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DescribeReservedInstancesCommand, DescribeReservedInstancesOfferingsCommand, EC2Client, PurchaseReservedInstancesOfferingCommand,
  type DescribeReservedInstancesOfferingsCommandInput, type ReservedInstancesOffering,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { onDemandPrice } from '../../src/services/ec2/compute/catalog.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const YEAR = 31_536_000;
const YEAR3 = 94_608_000;

/** What an offering costs per hour over its term, upfront part spread over the hours. */
const effective = (o: ReservedInstancesOffering): number =>
  o.FixedPrice! / (o.Duration! / 3600) + o.RecurringCharges!.reduce((n, c) => n + c.Amount!, 0) + o.UsagePrice!;

const advance = async (cl: Cloudlet, by: string): Promise<void> => {
  const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
  assert.equal(r.status, 200, await r.text());
};

describe('EC2 Reserved Instances with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  const offerings = async (input: DescribeReservedInstancesOfferingsCommandInput) =>
    (await ec2.send(new DescribeReservedInstancesOfferingsCommand(input))).ReservedInstancesOfferings!;

  test('offerings for t3.micro: members, filters, stable IDs, zonal offerings', async () => {
    const all = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX' });
    assert.equal(all.length, 12, '2 durations x 3 payment options x 2 classes');
    for (const o of all) {
      assert.match(o.ReservedInstancesOfferingId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual([o.InstanceType, o.ProductDescription, o.Scope, o.InstanceTenancy, o.CurrencyCode, o.Marketplace, o.UsagePrice],
        ['t3.micro', 'Linux/UNIX', 'Region', 'default', 'USD', false, 0]);
      assert.equal(o.AvailabilityZone, undefined);
      assert.equal(o.RecurringCharges![0]!.Frequency, 'Hourly');
      if (o.OfferingType === 'No Upfront') assert.equal(o.FixedPrice, 0);
      if (o.OfferingType === 'All Upfront') assert.equal(o.RecurringCharges![0]!.Amount, 0);
    }
    assert.equal(new Set(all.map((o) => o.ReservedInstancesOfferingId)).size, 12);
    const again = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX' });
    assert.deepEqual(again.map((o) => o.ReservedInstancesOfferingId), all.map((o) => o.ReservedInstancesOfferingId), 'IDs are stable');

    const oneYearAll = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX', OfferingType: 'All Upfront',
      Filters: [{ Name: 'duration', Values: [String(YEAR)] }] });
    assert.deepEqual(oneYearAll.map((o) => o.OfferingClass).sort(), ['convertible', 'standard']);
    const std = await offerings({ InstanceType: 't3.micro', OfferingClass: 'standard', MinDuration: YEAR3,
      Filters: [{ Name: 'product-description', Values: ['Linux/UNIX'] }, { Name: 'fixed-price', Values: ['0'] }] });
    assert.deepEqual(std.map((o) => [o.Duration, o.OfferingType, o.OfferingClass]), [[YEAR3, 'No Upfront', 'standard']]);
    const byId = await offerings({ ReservedInstancesOfferingIds: [all[3]!.ReservedInstancesOfferingId!] });
    assert.deepEqual(byId, [all[3]]);
    const byFilter = await offerings({ Filters: [{ Name: 'reserved-instances-offering-id', Values: [all[5]!.ReservedInstancesOfferingId!] }], InstanceType: 't3.micro' });
    assert.deepEqual(byFilter, [all[5]]);
    assert.deepEqual(await offerings({ InstanceType: 't3.micro', Filters: [{ Name: 'marketplace', Values: ['true'] }] }), []);
    assert.deepEqual(await offerings({ InstanceType: 't3.micro', InstanceTenancy: 'dedicated' }), []);
    const windows = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Windows', OfferingType: 'No Upfront', OfferingClass: 'standard', MaxDuration: YEAR });
    assert.equal(windows.length, 1);
    assert.ok(windows[0]!.RecurringCharges![0]!.Amount! > all.find((o) => o.OfferingType === 'No Upfront' && o.OfferingClass === 'standard' && o.Duration === YEAR)!.RecurringCharges![0]!.Amount!);

    const zonal = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX', AvailabilityZone: 'us-east-1a' });
    assert.equal(zonal.length, 12);
    for (const o of zonal) assert.deepEqual([o.Scope, o.AvailabilityZone], ['Availability Zone', 'us-east-1a']);
    assert.match(zonal[0]!.AvailabilityZoneId!, /^use1-az\d$/);
    const scoped = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX', Filters: [{ Name: 'scope', Values: ['Availability Zone'] }] });
    assert.ok(scoped.length >= 12 && scoped.length % 12 === 0 && scoped.every((o) => o.Scope === 'Availability Zone'));
    await rejects(offerings({ AvailabilityZone: 'us-west-2a' }), 'InvalidParameterValue', 400, /Invalid availability zone/);
    await rejects(offerings({ Filters: [{ Name: 'colour', Values: ['x'] }] }), 'InvalidParameterValue', 400, "The filter 'colour' is invalid");
  });

  test('prices: below On-Demand, 3 years cheaper than 1, All Upfront the cheapest rate, convertible dearer than standard', async () => {
    const od = onDemandPrice('t3.micro', 'us-east-1')!;
    const all = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX' });
    const find = (d: number, t: string, c = 'standard') => all.find((o) => o.Duration === d && o.OfferingType === t && o.OfferingClass === c)!;
    for (const o of all) assert.ok(effective(o) < od, `${o.OfferingType} ${o.Duration} ${o.OfferingClass} below On-Demand`);
    for (const t of ['No Upfront', 'Partial Upfront', 'All Upfront']) {
      for (const c of ['standard', 'convertible']) assert.ok(effective(find(YEAR3, t, c)) < effective(find(YEAR, t, c)), `${t} ${c}`);
    }
    for (const d of [YEAR, YEAR3]) {
      for (const c of ['standard', 'convertible']) {
        assert.ok(effective(find(d, 'All Upfront', c)) < effective(find(d, 'Partial Upfront', c)));
        assert.ok(effective(find(d, 'Partial Upfront', c)) < effective(find(d, 'No Upfront', c)));
      }
      assert.ok(effective(find(d, 'No Upfront', 'convertible')) > effective(find(d, 'No Upfront', 'standard')));
    }
    // The documented factors: 1-year standard No Upfront saves 20 %, All Upfront pays the term at once.
    assert.ok(Math.abs(find(YEAR, 'No Upfront').RecurringCharges![0]!.Amount! - od * 0.8) < 1e-6);
    assert.ok(Math.abs(find(YEAR, 'All Upfront').FixedPrice! - od * 0.75 * 8760) < 0.01);
    const partial = find(YEAR, 'Partial Upfront');
    assert.ok(Math.abs(partial.FixedPrice! - od * 0.77 * 8760 / 2) < 0.01);
    assert.ok(Math.abs(partial.RecurringCharges![0]!.Amount! - od * 0.77 / 2) < 1e-6);
  });

  test('paging: MaxResults and NextToken, bounds', async () => {
    const input = { InstanceType: 't3.micro' as const, ProductDescription: 'Linux/UNIX' as const };
    const whole = await offerings(input);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await ec2.send(new DescribeReservedInstancesOfferingsCommand({ ...input, MaxResults: 5, NextToken: token }));
      assert.ok(r.ReservedInstancesOfferings!.length <= 5);
      seen.push(...r.ReservedInstancesOfferings!.map((o) => o.ReservedInstancesOfferingId!));
      token = r.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, whole.map((o) => o.ReservedInstancesOfferingId));
    const first = await ec2.send(new DescribeReservedInstancesOfferingsCommand({}));
    assert.equal(first.ReservedInstancesOfferings!.length, 100, 'the default page is 100');
    assert.ok(first.NextToken);
    await rejects(ec2.send(new DescribeReservedInstancesOfferingsCommand({ MaxResults: 101 })), 'InvalidParameterValue', 400, /maxResults/);
    await rejects(ec2.send(new DescribeReservedInstancesOfferingsCommand({ ...input, NextToken: first.NextToken })), 'InvalidPaginationToken', 400);
  });

  test('purchase, describe active with Start/End, retire by the clock; errors and the monthly limit', async () => {
    const [o] = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX', OfferingType: 'Partial Upfront',
      OfferingClass: 'standard', MaxDuration: YEAR });
    const before = Date.now();
    const { ReservedInstancesId: id } = await ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: o!.ReservedInstancesOfferingId, InstanceCount: 2 }));
    assert.match(id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const one = async () => (await ec2.send(new DescribeReservedInstancesCommand({ ReservedInstancesIds: [id!] }))).ReservedInstances![0]!;
    let ri = await one();
    assert.deepEqual([ri.State, ri.InstanceCount, ri.InstanceType, ri.Duration, ri.OfferingType, ri.OfferingClass, ri.Scope, ri.ProductDescription],
      ['active', 2, 't3.micro', YEAR, 'Partial Upfront', 'standard', 'Region', 'Linux/UNIX']);
    assert.deepEqual([ri.FixedPrice, ri.UsagePrice, ri.RecurringCharges, ri.CurrencyCode, ri.InstanceTenancy],
      [o!.FixedPrice, 0, o!.RecurringCharges, 'USD', 'default']);
    assert.ok(Math.abs(ri.Start!.getTime() - before) < 60_000);
    assert.equal(ri.End!.getTime() - ri.Start!.getTime(), YEAR * 1000);
    const listed = (await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: ['active'] }, { Name: 'instance-type', Values: ['t3.*'] }] }))).ReservedInstances!;
    assert.deepEqual(listed.map((r) => r.ReservedInstancesId), [id]);
    assert.deepEqual((await ec2.send(new DescribeReservedInstancesCommand({ OfferingClass: 'convertible' }))).ReservedInstances, []);
    // Tags by the reservation's UUID, and the tag filters.
    const { CreateTagsCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(new CreateTagsCommand({ Resources: [id!], Tags: [{ Key: 'team', Value: 'web' }] }));
    assert.deepEqual((await one()).Tags, [{ Key: 'team', Value: 'web' }]);
    assert.equal((await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['web'] }] }))).ReservedInstances!.length, 1);
    await rejects(ec2.send(new CreateTagsCommand({ Resources: ['11111111-2222-4333-8444-555555555555'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidReservedInstancesId', 400);
    assert.deepEqual((await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'duration', Values: [String(YEAR3)] }] }))).ReservedInstances, []);

    await rejects(ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: '11111111-2222-4333-8444-555555555555', InstanceCount: 1 })),
      'InvalidReservedInstancesOfferingId', 400);
    await rejects(ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: o!.ReservedInstancesOfferingId, InstanceCount: 0 })),
      'InvalidParameterValue', 400);
    await rejects(ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: o!.ReservedInstancesOfferingId, InstanceCount: 1,
      LimitPrice: { Amount: 1, CurrencyCode: 'USD' } })), 'InvalidParameterValue', 400, /limit price/);
    await rejects(ec2.send(new DescribeReservedInstancesCommand({ ReservedInstancesIds: ['11111111-2222-4333-8444-555555555555'] })), 'InvalidReservedInstancesId', 400);

    await advance(cl, '366d');
    ri = await one();
    assert.equal(ri.State, 'retired');
    const retired = (await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'state', Values: ['retired'] }] }))).ReservedInstances!;
    assert.deepEqual(retired.map((r) => r.ReservedInstancesId), [id]);

    // A new month (the clock moved a year): 20 regional RIs may be bought, not 21.
    await ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: o!.ReservedInstancesOfferingId, InstanceCount: 20 }));
    await rejects(ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: o!.ReservedInstancesOfferingId, InstanceCount: 1 })),
      'ReservedInstancesLimitExceeded', 400);
    const [zonal] = await offerings({ InstanceType: 't3.micro', ProductDescription: 'Linux/UNIX', AvailabilityZone: 'us-east-1b', OfferingType: 'No Upfront',
      OfferingClass: 'convertible', MinDuration: YEAR3 });
    const { ReservedInstancesId: zid } = await ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: zonal!.ReservedInstancesOfferingId, InstanceCount: 1 }));
    const z = (await ec2.send(new DescribeReservedInstancesCommand({ Filters: [{ Name: 'availability-zone', Values: ['us-east-1b'] }] }))).ReservedInstances!;
    assert.deepEqual(z.map((r) => [r.ReservedInstancesId, r.Scope, r.State, r.Duration]), [[zid, 'Availability Zone', 'active', YEAR3]]);
  });
});

for (const cli of awsClis().filter((c) => c.name === 'aws-cli v2')) {
  describe(`Reserved Instances with the ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    test('describe-reserved-instances-offerings with members and a filter', async () => {
      const r = await awsJson(cli.bin, cl.url, ['ec2', 'describe-reserved-instances-offerings', '--instance-type', 't3.micro',
        '--product-description', 'Linux/UNIX', '--offering-class', 'standard', '--offering-type', 'All Upfront',
        '--filters', `Name=duration,Values=${YEAR3}`]);
      assert.equal(r.ReservedInstancesOfferings.length, 1);
      const o = r.ReservedInstancesOfferings[0];
      assert.deepEqual([o.InstanceType, o.Duration, o.OfferingType, o.OfferingClass, o.Scope, o.CurrencyCode], ['t3.micro', YEAR3, 'All Upfront', 'standard', 'Region', 'USD']);
      assert.ok(o.FixedPrice > 0);
    });
  });
}
