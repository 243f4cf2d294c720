import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Clock } from '../../core/clock.js';
import { createMemoryStore } from '../../store/memory.js';
import { PLAN, planScope } from '../savingsplans/records.js';
import { savingsPlanRate } from '../savingsplans/rates.js';
import { forEachCostedUsage, type CostedItem } from './commitments.js';
import { meteredStore } from './meter.js';
import { instanceRate } from './prices.js';
import type { Granularity } from './usage.js';

const A = '111111111111';
const S = { account: A, region: 'us-east-1' };
const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 0, 1);
const YEAR_S = 31_536_000;

function setup() {
  let real = T0;
  const clock = new Clock(0, () => real);
  const store = meteredStore(createMemoryStore(), clock);
  return { store, at: (ms: number) => { real = ms; } };
}

type Store = ReturnType<typeof setup>['store'];

const instance = (id: string, type: string, phase: 'start' | 'stop', doneMs: number, extra: Record<string, unknown> = {}) => ({
  id, instanceType: type, zoneName: 'us-east-1a', placement: { tenancy: 'default' }, phase, sinceMs: doneMs, doneMs, ...extra,
});

function reservation(id: string, type: string, startMs: number, extra: Record<string, unknown> = {}) {
  const od = instanceRate(type, 'Linux/UNIX', 'us-east-1');
  // 1 year Partial Upfront at 0.77 of On-Demand: half up front, half hourly.
  const rate = od * 0.77;
  return {
    id, offeringId: 'o', instanceType: type, scope: 'Region', count: 1, durationS: YEAR_S, fixedPrice: (rate * 8760) / 2, usagePrice: 0,
    recurringHourly: rate / 2, offeringType: 'Partial Upfront', offeringClass: 'standard', productDescription: 'Linux/UNIX', tenancy: 'default',
    startMs, endMs: startMs + YEAR_S * 1000, ...extra,
  };
}

const plan = (id: string, commitment: number, startMs: number, extra: Record<string, unknown> = {}) => ({
  savingsPlanId: id, savingsPlanArn: `arn:aws:savingsplans::${A}:savingsplan/${id}`, offeringId: 'o', start: new Date(startMs).toISOString(),
  end: new Date(startMs + YEAR_S * 1000).toISOString(), state: 'active', savingsPlanType: 'Compute', paymentOption: 'No Upfront', currency: 'USD',
  commitment: String(commitment), upfrontPaymentAmount: '0', recurringPaymentAmount: String(commitment), termDurationInSeconds: YEAR_S, productTypes: ['EC2'], ...extra,
});

async function costed(store: Store, from: number, to: number, now: number, g: Granularity = 'NONE', region?: string): Promise<CostedItem[]> {
  const items: CostedItem[] = [];
  await store.transaction((tx) => forEachCostedUsage(tx, A, { startMs: from, endMs: to }, g, now, (u) => items.push(u), region));
  return items;
}

const sum = (items: CostedItem[], f: (i: CostedItem) => number, type?: string) =>
  items.filter((i) => !type || i.itemType === type).reduce((s, i) => s + f(i), 0);
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

describe('forEachCostedUsage', () => {
  it('passes usage through at On-Demand without commitments', async () => {
    const { store } = setup();
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.medium', 'start', T0)));
    const items = await costed(store, T0, T0 + DAY, T0 + DAY);
    assert.deepEqual(items.map((i) => [i.itemType, i.hours]), [['Usage', 24]]);
    close(items[0]!.unblendedCost, 24 * instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1'), 'unblended');
  });

  it('an RI covers its instance: DiscountedUsage at 0, RIFee every hour, the upfront Fee once, amortized at the effective rate', async () => {
    const { store } = setup();
    const r = reservation('ri-1', 't3.medium', T0);
    await store.transaction((tx) => {
      tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.medium', 'start', T0));
      tx.put(S, 'ec2:reserved-instances', r.id, r);
    });
    const items = await costed(store, T0, T0 + DAY, T0 + DAY);
    const od = instanceRate('t3.medium', 'Linux/UNIX', 'us-east-1');
    const effective = r.fixedPrice / 8760 + r.recurringHourly;
    close(sum(items, (i) => i.hours, 'DiscountedUsage'), 24, 'covered hours');
    assert.equal(sum(items, (i) => i.hours, 'Usage'), 0);
    close(sum(items, (i) => i.unblendedCost, 'DiscountedUsage'), 0, 'covered unblended');
    close(sum(items, (i) => i.unblendedCost, 'RIFee'), 24 * r.recurringHourly, 'recurring fee');
    close(sum(items, (i) => i.unblendedCost, 'Fee'), r.fixedPrice, 'upfront');
    close(sum(items, (i) => i.amortizedCost), 24 * effective, 'amortized total');
    close(sum(items, (i) => i.amortizedCost, 'RIFee'), 0, 'no unused hours');
    const fee = items.find((i) => i.itemType === 'RIFee')!;
    assert.deepEqual([fee.commitment!.total, fee.commitment!.used], [24, 24]);
    close(fee.commitment!.onDemandCost, 24 * od, 'on-demand equivalent');
  });

  it('unused RI hours after a stop, and a mid-hour start shares its hour', async () => {
    const { store, at } = setup();
    const r = reservation('ri-1', 't3.medium', T0);
    await store.transaction((tx) => {
      tx.put(S, 'ec2:reserved-instances', r.id, r);
      tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.medium', 'start', T0 + H / 2));
    });
    at(T0 + 10 * H);
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.medium', 'stop', T0 + 10 * H)));
    const items = await costed(store, T0, T0 + DAY, T0 + DAY, 'HOURLY');
    close(sum(items, (i) => i.hours, 'DiscountedUsage'), 9.5, 'covered');
    const fees = items.filter((i) => i.itemType === 'RIFee');
    assert.equal(fees.length, 24);
    close(fees[0]!.commitment!.used, 0.5, 'first hour half used');
    close(sum(fees, (i) => i.commitment!.total - i.commitment!.used), 14.5, 'unused hours');
    const effective = r.fixedPrice / 8760 + r.recurringHourly;
    close(sum(fees, (i) => i.amortizedCost), 14.5 * effective, 'unused amortized');
    // The same day in one bucket: the same sums.
    const day = await costed(store, T0, T0 + DAY, T0 + DAY, 'DAILY');
    for (const f of [(i: CostedItem) => i.unblendedCost, (i: CostedItem) => i.amortizedCost, (i: CostedItem) => i.quantity]) close(sum(day, f), sum(items, f), 'daily = sum of hours');
  });

  it('a size-flexible RI covers part of a larger instance and all of a smaller one', async () => {
    const { store } = setup();
    const r = reservation('ri-1', 't3.medium', T0);
    await store.transaction((tx) => {
      tx.put(S, 'ec2:reserved-instances', r.id, r);
      tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.large', 'start', T0));
    });
    let items = await costed(store, T0, T0 + DAY, T0 + DAY);
    close(sum(items, (i) => i.hours, 'DiscountedUsage'), 12, 'half of a large');
    close(sum(items, (i) => i.hours, 'Usage'), 12, 'the other half On-Demand');
    close(sum(items, (i) => i.unblendedCost, 'Usage'), 12 * instanceRate('t3.large', 'Linux/UNIX', 'us-east-1'), 'On-Demand half');
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.small', 'start', T0)));
    items = await costed(store, T0, T0 + DAY, T0 + DAY);
    close(sum(items, (i) => i.hours, 'DiscountedUsage'), 24, 'a small fits');
    const fee = items.find((i) => i.itemType === 'RIFee')!;
    close(fee.commitment!.used, 12, 'a small is half a medium');
    close(fee.commitment!.usedUnits!, 24, 'normalized units used');
  });

  it('a Savings Plan covers up to its commitment; the rest is On-Demand', async () => {
    const { store } = setup();
    await store.transaction((tx) => {
      tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.large', 'start', T0));
      tx.put(planScope(A), PLAN, 'sp-1', plan('sp-1', 0.05, T0));
    });
    const items = await costed(store, T0, T0 + DAY, T0 + DAY);
    const od = instanceRate('t3.large', 'Linux/UNIX', 'us-east-1');
    const rate = savingsPlanRate('Compute', YEAR_S, 'No Upfront', 't3.large', 'Linux/UNIX', 'us-east-1');
    const covered = (24 * 0.05) / rate;
    close(sum(items, (i) => i.hours, 'SavingsPlanCoveredUsage'), covered, 'covered hours');
    close(sum(items, (i) => i.unblendedCost, 'SavingsPlanNegation'), -covered * od, 'negation');
    close(sum(items, (i) => i.unblendedCost), 24 * 0.05 + (24 - covered) * od, 'unblended: commitment plus the rest');
    close(sum(items, (i) => i.amortizedCost), 24 * 0.05 + (24 - covered) * od, 'amortized: the same for No Upfront fully used');
    close(sum(items, (i) => i.cost), 24 * od, 'cost stays the On-Demand equivalent');
    // With the RI first, the plan has nothing to cover: its commitment is all unused.
    await store.transaction((tx) => tx.put(S, 'ec2:reserved-instances', 'ri-1', reservation('ri-1', 't3.large', T0)));
    const both = await costed(store, T0, T0 + DAY, T0 + DAY);
    assert.equal(sum(both, (i) => i.hours, 'SavingsPlanCoveredUsage'), 0);
    close(sum(both, (i) => i.amortizedCost, 'SavingsPlanRecurringFee'), 24 * 0.05, 'unused commitment');
  });

  it('a Region filter keeps other Regions and Region-less fees out, but matches across Regions', async () => {
    const { store } = setup();
    await store.transaction((tx) => {
      tx.put({ account: A, region: 'eu-west-1' }, 'ec2:instance', 'i-2', instance('i-2', 't3.large', 'start', T0, { zoneName: 'eu-west-1a' }));
      tx.put(S, 'ec2:instance', 'i-1', instance('i-1', 't3.large', 'start', T0));
      tx.put(planScope(A), PLAN, 'sp-1', plan('sp-1', 0.05, T0));
    });
    const all = await costed(store, T0, T0 + DAY, T0 + DAY);
    const us = await costed(store, T0, T0 + DAY, T0 + DAY, 'NONE', 'us-east-1');
    assert.ok(us.every((i) => i.line.region === 'us-east-1'));
    close(sum(us, (i) => i.hours, 'SavingsPlanCoveredUsage') + sum(us, (i) => i.hours, 'Usage'), 24, 'us hours');
    close(sum(all, (i) => i.amortizedCost, 'SavingsPlanCoveredUsage'), 24 * 0.05, 'one commitment for both Regions');
    assert.ok(sum(all, (i) => i.hours, 'SavingsPlanCoveredUsage') > sum(us, (i) => i.hours, 'SavingsPlanCoveredUsage'));
  });

  it('a year of a thousand instances stopping and starting is matched quickly', async () => {
    const { store, at } = setup();
    const n = 1000;
    await store.transaction((tx) => {
      for (let i = 0; i < n; i++) tx.put(S, 'ec2:instance', `i-${i}`, instance(`i-${i}`, i % 2 ? 'm5.large' : 'm5.xlarge', 'start', T0));
      for (let i = 0; i < 5; i++) tx.put(S, 'ec2:reserved-instances', `ri-${i}`, { ...reservation(`ri-${i}`, 'm5.2xlarge', T0), count: 20 });
      tx.put(planScope(A), PLAN, 'sp-1', plan('sp-1', 10, T0));
    });
    // Each instance stops and starts again every five weeks at its own minute.
    for (let w = 1; w < 52; w += 5) {
      at(T0 + w * 7 * DAY);
      await store.transaction((tx) => { for (let i = 0; i < n; i++) tx.put(S, 'ec2:instance', `i-${i}`, instance(`i-${i}`, i % 2 ? 'm5.large' : 'm5.xlarge', 'stop', T0 + w * 7 * DAY + i * 60_000)); });
      at(T0 + w * 7 * DAY + DAY);
      await store.transaction((tx) => { for (let i = 0; i < n; i++) tx.put(S, 'ec2:instance', `i-${i}`, instance(`i-${i}`, i % 2 ? 'm5.large' : 'm5.xlarge', 'start', T0 + w * 7 * DAY + DAY + i * 60_000)); });
    }
    const end = T0 + 365 * DAY;
    const t = performance.now();
    const items = await costed(store, T0, end, end, 'MONTHLY');
    const ms = performance.now() - t;
    assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
    console.log(`matched ${items.length} items in ${ms.toFixed(0)} ms`);
    const covered = sum(items, (i) => i.hours, 'DiscountedUsage');
    // 100 RIs of 16 units: 100 xlarges (8) and 200 larges (4) whenever they run.
    assert.ok(covered > 0 && sum(items, (i) => i.hours, 'SavingsPlanCoveredUsage') > 0);
    const fees = items.filter((i) => i.itemType === 'RIFee');
    assert.ok(fees.every((f) => f.commitment!.used <= f.commitment!.total + 1e-6));
  });
});
