// Commitments end to end with the JS SDK v3, month by month on the cloudlet clock. Account 1
// runs a t3.medium for a month at On-Demand, buys a matching Reserved Instance, and the next
// month costs the RI's fees instead (UnblendedCost: the upfront fee plus the recurring charge of
// every hour; AmortizedCost: the effective rate), GetReservationUtilization shows it fully used,
// then partly unused once the instance stops. Account 2 buys a Compute Savings Plan smaller
// than its m5.large's hourly cost: the plan covers usage up to its commitment and the rest is
// On-Demand; queued, deleted and returned plans and AWS's errors along the way. Expectations
// come from the price table, the RI offering and the plan's rates, not from the engine.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CostExplorerClient, GetCostAndUsageCommand, GetReservationCoverageCommand, GetReservationPurchaseRecommendationCommand, GetSavingsPlansPurchaseRecommendationCommand, GetReservationUtilizationCommand, GetSavingsPlansCoverageCommand,
  GetSavingsPlansUtilizationCommand, GetSavingsPlansUtilizationDetailsCommand,
} from '@aws-sdk/client-cost-explorer';
import {
  CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeReservedInstancesCommand, DescribeReservedInstancesOfferingsCommand, EC2Client,
  PurchaseReservedInstancesOfferingCommand, RunInstancesCommand, StopInstancesCommand, type ReservedInstancesOffering,
} from '@aws-sdk/client-ec2';
import {
  CreateSavingsPlanCommand, DeleteQueuedSavingsPlanCommand, DescribeSavingsPlanRatesCommand, DescribeSavingsPlansCommand,
  DescribeSavingsPlansOfferingRatesCommand, DescribeSavingsPlansOfferingsCommand, ListTagsForResourceCommand, ReturnSavingsPlanCommand,
  SavingsplansClient, TagResourceCommand,
} from '@aws-sdk/client-savingsplans';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceRate } from '../../src/services/cost/prices.js';
import { nextMonth } from '../../src/services/cost/usage.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const H = 3_600_000;
const D = 24 * H;
const YEAR = 31_536_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const ACCOUNT2 = { accessKeyId: '222222222222', secretAccessKey: 'test' };
const COMPUTE = { Dimensions: { Key: 'SERVICE' as const, Values: ['Amazon Elastic Compute Cloud - Compute'] } };

const cents = (actual: string | number | undefined, expected: number, what: string): void => {
  const a = Number(actual);
  assert.ok(actual !== undefined && Math.abs(a - expected) < 0.01, `${what}: ${actual} vs ${expected.toFixed(6)}`);
};

async function failure(p: Promise<unknown>): Promise<{ name?: string; message?: string; $metadata?: { httpStatusCode?: number } }> {
  try { await p; } catch (e) { return e as { name?: string }; }
  throw new Error('the call succeeded');
}

describe('Reserved Instances and Savings Plans applied to usage', () => {
  let cl: Cloudlet;
  let nowMs = 0;
  const clock = async (advance: string): Promise<number> => {
    const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance }) });
    assert.equal(r.status, 200);
    return (nowMs = Date.parse(((await r.json()) as { now: string }).now));
  };
  const until = (ms: number) => clock(`${Math.max(0, ms - nowMs)}ms`);
  let ec2: EC2Client, ce: CostExplorerClient, ec2b: EC2Client, ceb: CostExplorerClient, sp: SavingsplansClient;
  // Month starts: the instance runs from m1, the RI is bought at m2, the instance stops at m3 + 10 days.
  let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  let launched = 0, stopped = 0, instanceId = '';
  let offering: ReservedInstancesOffering;
  let riStart = 0;
  let planId = '';
  let spRate = 0;
  let planStart = 0;

  async function launch(client: EC2Client, type: string): Promise<{ id: string; at: number }> {
    const [image] = (await client.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    const vpc = (await client.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await client.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const i = (await client.send(new RunInstancesCommand({ ImageId: image!.ImageId, InstanceType: type as never, MinCount: 1, MaxCount: 1, SubnetId: subnet }))).Instances![0]!;
    return { id: i.InstanceId!, at: i.LaunchTime!.getTime() };
  }

  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    ce = new CostExplorerClient(clientConfig(cl.url));
    ec2b = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT2));
    ceb = new CostExplorerClient(clientConfig(cl.url, 'us-east-1', ACCOUNT2));
    sp = new SavingsplansClient(clientConfig(cl.url, 'us-east-1', ACCOUNT2));
    await clock('0s');
    m1 = nextMonth(nowMs); m2 = nextMonth(m1); m3 = nextMonth(m2); m4 = nextMonth(m3);
    await until(m1);
  });
  after(async () => { await cl.close(); });

  test('Savings Plans: offerings, rates, purchase, queue, delete, return, tags and AWS errors', async () => {
    const offerings = (await sp.send(new DescribeSavingsPlansOfferingsCommand({ planTypes: ['Compute'], durations: [YEAR], paymentOptions: ['No Upfront'] }))).searchResults!;
    assert.equal(offerings.length, 1);
    const o = offerings[0]!;
    assert.deepEqual([o.planType, o.paymentOption, o.durationSeconds, o.currency, o.usageType, o.description],
      ['Compute', 'No Upfront', YEAR, 'USD', 'ComputeSP:1yrNoUpfront', '1 year No Upfront Compute Savings Plan']);
    const ec2Plans = (await sp.send(new DescribeSavingsPlansOfferingsCommand({ planTypes: ['EC2Instance'], filters: [{ name: 'region', values: ['us-east-1'] }, { name: 'instanceFamily', values: ['m5'] }] }))).searchResults!;
    assert.equal(ec2Plans.length, 6, 'two terms x three payment options');
    const rates = (await sp.send(new DescribeSavingsPlansOfferingRatesCommand({
      savingsPlanOfferingIds: [o.offeringId!], filters: [{ name: 'instanceType', values: ['m5.large'] }, { name: 'region', values: ['us-east-1'] }, { name: 'productDescription', values: ['Linux/UNIX'] }, { name: 'tenancy', values: ['shared'] }],
    }))).searchResults!;
    assert.equal(rates.length, 1);
    spRate = Number(rates[0]!.rate);
    const od = instanceRate('m5.large', 'Linux/UNIX', 'us-east-1');
    assert.ok(spRate < od && spRate > od * 0.5, `a discount: ${spRate} vs ${od}`);
    assert.equal(rates[0]!.usageType, 'BoxUsage:m5.large');

    const bad = await failure(sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '0.0000001' })));
    assert.equal(bad.name, 'ValidationException');
    assert.equal((await failure(sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '1', upfrontPaymentAmount: '10' })))).name, 'ValidationException');
    const missing = await failure(sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: '00000000-0000-4000-8000-000000000000', commitment: '1' })));
    assert.deepEqual([missing.name, missing.$metadata?.httpStatusCode], ['ResourceNotFoundException', 404]);

    // Account 2's m5.large, then a plan worth part of its hour (idempotent on its client token).
    await launch(ec2b, 'm5.large');
    planId = (await sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '0.05', clientToken: 'once', tags: { team: 'web' } }))).savingsPlanId!;
    assert.equal((await sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '0.05', clientToken: 'once' }))).savingsPlanId, planId);
    const queued = (await sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '1', purchaseTime: new Date(nowMs + 30 * D) }))).savingsPlanId!;
    const returned = (await sp.send(new CreateSavingsPlanCommand({ savingsPlanOfferingId: o.offeringId!, commitment: '2' }))).savingsPlanId!;
    const states = async () => Object.fromEntries((await sp.send(new DescribeSavingsPlansCommand({}))).savingsPlans!.map((p) => [p.savingsPlanId, p.state]));
    assert.deepEqual(await states(), { [planId]: 'active', [queued]: 'queued', [returned]: 'active' });
    assert.equal((await failure(sp.send(new DeleteQueuedSavingsPlanCommand({ savingsPlanId: planId })))).name, 'ValidationException');
    await sp.send(new DeleteQueuedSavingsPlanCommand({ savingsPlanId: queued }));
    await sp.send(new ReturnSavingsPlanCommand({ savingsPlanId: returned }));
    assert.deepEqual(await states(), { [planId]: 'active', [queued]: 'queued-deleted', [returned]: 'pending-return' });
    const active = await sp.send(new DescribeSavingsPlansCommand({ states: ['active'] }));
    const plan = active.savingsPlans![0]!;
    planStart = Date.parse(plan.start!);
    assert.deepEqual([active.savingsPlans!.length, plan.commitment, plan.recurringPaymentAmount, plan.upfrontPaymentAmount, plan.savingsPlanType], [1, '0.05', '0.05', '0', 'Compute']);
    await sp.send(new TagResourceCommand({ resourceArn: plan.savingsPlanArn!, tags: { env: 'prod' } }));
    assert.deepEqual((await sp.send(new ListTagsForResourceCommand({ resourceArn: plan.savingsPlanArn! }))).tags, { team: 'web', env: 'prod' });
    const planRates = await sp.send(new DescribeSavingsPlanRatesCommand({ savingsPlanId: planId, filters: [{ name: 'instanceType', values: ['m5.large'] }, { name: 'region', values: ['us-east-1'] }, { name: 'productDescription', values: ['Linux/UNIX'] }, { name: 'tenancy', values: ['shared'] }] }));
    assert.deepEqual(planRates.searchResults!.map((r) => Number(r.rate)), [spRate]);
    assert.equal((await failure(sp.send(new DescribeSavingsPlanRatesCommand({ savingsPlanId: '0b6e6a3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b' })))).name, 'ResourceNotFoundException');
  });

  test('an instance runs a month On-Demand; a matching RI is bought', async () => {
    const i = await launch(ec2, 't3.medium');
    launched = i.at;
    instanceId = i.id;
    await until(m2);
    const od = instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1');
    const month = await ce.send(new GetCostAndUsageCommand({ TimePeriod: { Start: day(m1), End: day(m2) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost', 'AmortizedCost'], Filter: COMPUTE }));
    cents(month.ResultsByTime![0]!.Total!.UnblendedCost!.Amount, od * (m2 - launched) / H, 'a month On-Demand');
    // No RI yet: nothing to report.
    const none = await ce.send(new GetReservationUtilizationCommand({ TimePeriod: { Start: day(m1), End: day(m2) }, Granularity: 'MONTHLY' }));
    assert.equal(none.Total!.PurchasedHours, '0');

    const rec = await ce.send(new GetReservationPurchaseRecommendationCommand({ Service: 'Amazon Elastic Compute Cloud - Compute', LookbackPeriodInDays: 'SEVEN_DAYS', TermInYears: 'ONE_YEAR', PaymentOption: 'PARTIAL_UPFRONT' }));
    const detail = rec.Recommendations![0]!.RecommendationDetails![0]!;
    assert.deepEqual([detail.InstanceDetails!.EC2InstanceDetails!.InstanceType, detail.RecommendedNumberOfInstancesToPurchase, detail.AverageUtilization], ['t3.medium', '1', '100']);
    assert.ok(Number(detail.EstimatedMonthlySavingsAmount) > 0);

    [offering] = (await ec2.send(new DescribeReservedInstancesOfferingsCommand({
      InstanceType: 't3.medium', ProductDescription: 'Linux/UNIX', OfferingType: 'Partial Upfront', OfferingClass: 'standard', MinDuration: YEAR, MaxDuration: YEAR,
    }))).ReservedInstancesOfferings!;
    const id = (await ec2.send(new PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: offering!.ReservedInstancesOfferingId!, InstanceCount: 1 }))).ReservedInstancesId!;
    riStart = (await ec2.send(new DescribeReservedInstancesCommand({ ReservedInstancesIds: [id] }))).ReservedInstances![0]!.Start!.getTime();
    assert.ok(riStart >= m2 && riStart < m2 + 60_000);
  });

  test('the next month costs the RI\'s fees: unblended = upfront + recurring hours, amortized = effective rate; 100% used and covered', async () => {
    await until(m3);
    const od = instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1');
    const hours = (m3 - riStart) / H;
    const recurring = offering.RecurringCharges![0]!.Amount!;
    const effective = offering.FixedPrice! / (YEAR / 3600) + recurring;
    const r = await ce.send(new GetCostAndUsageCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost', 'AmortizedCost'], Filter: COMPUTE }));
    const total = r.ResultsByTime![0]!.Total!;
    cents(total.UnblendedCost!.Amount, offering.FixedPrice! + recurring * hours, 'unblended');
    cents(total.AmortizedCost!.Amount, effective * hours, 'amortized');
    const onDemand = od * (m3 - m2) / H;
    cents(onDemand - Number(total.AmortizedCost!.Amount), (od - effective) * hours, 'the month is cheaper by the RI discount');
    const byRecord = await ce.send(new GetCostAndUsageCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'RECORD_TYPE' }], Filter: COMPUTE }));
    const records = Object.fromEntries(byRecord.ResultsByTime![0]!.Groups!.map((g) => [g.Keys![0], Number(g.Metrics!.UnblendedCost!.Amount)]));
    cents(records.DiscountedUsage, 0, 'covered usage is free');
    cents(records.RIFee, recurring * hours, 'the recurring fee');
    cents(records.Fee, offering.FixedPrice!, 'the upfront fee');

    const util = await ce.send(new GetReservationUtilizationCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, Granularity: 'MONTHLY', GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }] }));
    const u = util.UtilizationsByTime![0]!;
    assert.equal(u.Total!.UtilizationPercentage, '100');
    cents(u.Total!.PurchasedHours, hours, 'purchased hours');
    assert.equal(u.Groups![0]!.Attributes!.instanceType, 't3.medium');
    cents(u.Total!.NetRISavings, (od - effective) * hours, 'net savings');
    const cov = await ce.send(new GetReservationCoverageCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, Granularity: 'MONTHLY' }));
    assert.ok(Number(cov.Total!.CoverageHours!.CoverageHoursPercentage) > 99.99, cov.Total!.CoverageHours!.CoverageHoursPercentage);
    const byType = (await ce.send(new GetReservationCoverageCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, GroupBy: [{ Type: 'DIMENSION', Key: 'INSTANCE_TYPE' }], Metrics: ['Hour'] }))).CoveragesByTime!;
    assert.deepEqual(byType.map((t) => [t.TimePeriod!.Start, t.Groups!.map((g) => g.Attributes!.instanceType)]), [[day(m2), ['t3.medium']]], 'no Granularity: one period');
    assert.equal(byType[0]!.Groups![0]!.Coverage!.CoverageCost, undefined, 'only the metric asked for');
    assert.equal((await failure(ce.send(new GetReservationUtilizationCommand({ TimePeriod: { Start: day(m2), End: day(m3) }, Granularity: 'HOURLY' })))).name, 'ValidationException');
    const rec = await ce.send(new GetReservationPurchaseRecommendationCommand({ Service: 'Amazon Elastic Compute Cloud - Compute', LookbackPeriodInDays: 'SEVEN_DAYS' }));
    assert.deepEqual(rec.Recommendations, [], 'the RI covers it all: nothing more to buy');
  });

  test('once the instance stops, the RI\'s hours go unused and still bill', async () => {
    await until(m3 + 10 * D);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    stopped = nowMs;
    await until(m4);
    const util = await ce.send(new GetReservationUtilizationCommand({ TimePeriod: { Start: day(m3), End: day(m4) }, Granularity: 'MONTHLY' }));
    const t = util.UtilizationsByTime![0]!.Total!;
    const purchased = (m4 - m3) / H;
    const used = (stopped - m3) / H;
    cents(t.PurchasedHours, purchased, 'purchased');
    assert.ok(Math.abs(Number(t.TotalActualHours) - used) < 0.01, `used ${t.TotalActualHours} vs ${used}`);
    cents(t.UnusedHours, purchased - used, 'unused');
    assert.ok(Math.abs(Number(t.UtilizationPercentage) - (100 * used) / purchased) < 0.01, t.UtilizationPercentage);
    const effective = offering.FixedPrice! / (YEAR / 3600) + offering.RecurringCharges![0]!.Amount!;
    cents(t.RICostForUnusedHours, (purchased - used) * effective, 'the unused hours at the effective rate');
  });

  test('the Savings Plan covered usage up to its commitment, the rest On-Demand; utilization and coverage', async () => {
    const od = instanceRate('m5.large', 'Linux/UNIX', 'us-east-1');
    const covered = 24 * 0.05 / spRate;
    const dayStart = m1 + D;
    const r = await ceb.send(new GetCostAndUsageCommand({ TimePeriod: { Start: day(dayStart), End: day(dayStart + D) }, Granularity: 'DAILY', Metrics: ['UnblendedCost', 'AmortizedCost'], Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Elastic Compute Cloud - Compute', 'Savings Plans for AWS Compute usage'] } } }));
    const total = r.ResultsByTime![0]!.Total!;
    cents(total.UnblendedCost!.Amount, 24 * 0.05 + (24 - covered) * od, 'unblended: the commitment and the uncovered hours');
    cents(total.AmortizedCost!.Amount, 24 * 0.05 + (24 - covered) * od, 'amortized (No Upfront, fully used)');
    const util = await ceb.send(new GetSavingsPlansUtilizationCommand({ TimePeriod: { Start: day(m1), End: day(m2) }, Granularity: 'MONTHLY' }));
    assert.equal(util.SavingsPlansUtilizationsByTime![0]!.Utilization!.UtilizationPercentage, '100');
    cents(util.Total!.Utilization!.TotalCommitment, 0.05 * ((m2 - planStart) / H), 'the commitment of every hour');
    const details = await ceb.send(new GetSavingsPlansUtilizationDetailsCommand({ TimePeriod: { Start: day(m1), End: day(m2) } }));
    assert.equal(details.SavingsPlansUtilizationDetails!.length, 1, 'the returned plan never applied');
    assert.equal(details.SavingsPlansUtilizationDetails![0]!.Attributes!.SavingsPlansType, 'ComputeSavingsPlans');
    const cov = await ceb.send(new GetSavingsPlansCoverageCommand({ TimePeriod: { Start: day(dayStart), End: day(dayStart + D) }, Granularity: 'DAILY' }));
    const c = cov.SavingsPlansCoverages![0]!.Coverage!;
    cents(c.SpendCoveredBySavingsPlans, 24 * 0.05, 'covered spend');
    cents(c.OnDemandCost, (24 - covered) * od, 'On-Demand spend');
    // What is left uncovered each hour is worth a second plan of about the rest of the hour's spend at plan rates.
    const rec = await sp.send(new DescribeSavingsPlansCommand({ states: ['active'] }));
    assert.equal(rec.savingsPlans!.length, 1);
    const more = await ceb.send(new GetSavingsPlansPurchaseRecommendationCommand({ SavingsPlansType: 'COMPUTE_SP', TermInYears: 'ONE_YEAR', PaymentOption: 'NO_UPFRONT', LookbackPeriodInDays: 'SEVEN_DAYS' }));
    const d = more.SavingsPlansPurchaseRecommendation!.SavingsPlansPurchaseRecommendationDetails![0]!;
    assert.ok(Math.abs(Number(d.HourlyCommitmentToPurchase) - (spRate - 0.05)) < 0.0011, `${d.HourlyCommitmentToPurchase} vs ${spRate - 0.05}`);
    assert.equal(d.EstimatedAverageUtilization, '100');
    // Account 1 has no plans: no data.
    assert.equal((await failure(ce.send(new GetSavingsPlansUtilizationCommand({ TimePeriod: { Start: day(m1), End: day(m2) } })))).name, 'DataUnavailableException');
  });
});
