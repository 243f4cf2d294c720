import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../store/memory.js';
import type { Store } from '../../store/types.js';
import { allowanceOf } from './free-tier.js';
import { meterCount } from './meter.js';
import { prices, regional, usageType } from './prices.js';
import { SERVICE } from './lines.js';
import { forEachUsage, type Granularity } from './usage.js';
import type { CountRecord, UsageItem } from './types.js';

const ACCOUNT = '111111111111';
const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const NEXT = Date.UTC(2026, 3, 1);

const metric = (region: string, ns: string): CountRecord['line'] => {
  const ut = usageType(region, 'CW:MetricMonitorUsage');
  return { ...SERVICE.cloudwatch, key: ut, usageType: ut, operation: 'MetricStorage', unit: 'Metrics', quantity: 1, rate: regional(prices().cloudwatch.metricMonth, region), resourceId: ns, region, tags: {} };
};
const alarm = (region: string, id: string, operation: 'MetricAlarm' | 'CompositeAlarm'): CountRecord['line'] => {
  const ut = usageType(region, 'CW:AlarmMonitorUsage');
  const rate = operation === 'MetricAlarm' ? prices().cloudwatch.alarmMonth : prices().cloudwatch.compositeAlarmMonth;
  return { ...SERVICE.cloudwatch, key: ut, usageType: ut, operation, unit: 'Alarms', quantity: 1, rate: regional(rate, region), resourceId: id, region, tags: {} };
};
const out = (region: string): CountRecord['line'] => {
  const ut = usageType(region, 'DataTransfer-Out-Bytes');
  return { ...SERVICE.elb, key: ut, usageType: ut, operation: 'LoadBalancing:Application', unit: 'GB', quantity: 1, rate: regional(prices().dataTransfer.outGb, region), resourceId: 'lb', region, tags: {} };
};

async function record(store: Store, items: Array<[line: CountRecord['line'], quantity: number, atMs: number]>): Promise<void> {
  await store.transaction((tx) => {
    for (const [line, q, at] of items) meterCount(tx, { account: ACCOUNT, region: line.region }, line, q, at);
  });
}

async function usage(store: Store, from: number, to: number, g: Granularity = 'NONE', region?: string): Promise<UsageItem[]> {
  const items: UsageItem[] = [];
  await store.transaction((tx) => forEachUsage(tx, ACCOUNT, { startMs: from, endMs: to }, g, NEXT + 40 * 24 * H, (u) => items.push(u), region));
  return items;
}

const charged = (items: UsageItem[]) => items.reduce((a, i) => a + i.cost, 0);
const quantity = (items: UsageItem[]) => items.reduce((a, i) => a + i.quantity, 0);
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} is not ${b}`);

describe('Always Free allowances', () => {
  it('knows which lines draw on an allowance: not composite alarms, not other usage', () => {
    assert.equal(allowanceOf(alarm('us-west-2', 'a', 'MetricAlarm'))?.id, 'cloudwatch-alarms');
    assert.equal(allowanceOf(alarm('us-east-1', 'a', 'CompositeAlarm')), undefined);
    assert.equal(allowanceOf(metric('eu-west-1', 'App'))?.id, 'cloudwatch-metrics');
    assert.equal(allowanceOf(out('ap-northeast-1'))?.id, 'data-transfer-out');
    assert.equal(allowanceOf({ ...metric('us-east-1', 'x'), usageType: 'CW:Requests' }), undefined);
  });

  it('ten metric-months a month across Regions, used up in the order they happened', async () => {
    const store = createMemoryStore();
    const east = metric('us-east-1', 'App');
    const west = metric('us-west-2', 'App');
    await record(store, [
      ...Array.from({ length: 6 }, (_, h) => [east, 1, T0 + h * H] as [CountRecord['line'], number, number]),
      ...Array.from({ length: 6 }, (_, h) => [west, 1, T0 + (6 + h) * H] as [CountRecord['line'], number, number]),
    ]);
    const all = await usage(store, T0, NEXT, 'HOURLY');
    near(quantity(all), 12, 'usage keeps its quantity');
    // The first ten hours are free; the two us-west-2 hours after them are charged.
    near(charged(all), 2 * west.rate, 'all Regions');
    assert.deepEqual(all.map((i) => i.cost > 0), [...Array(10).fill(false), true, true]);
    near(all.reduce((a, i) => a + (i.freeCost ?? 0), 0), 6 * east.rate + 4 * west.rate, 'the waived part');
    // One Region's view still sees the other's usage draw first.
    near(charged(await usage(store, T0, NEXT, 'MONTHLY', 'us-west-2')), 2 * west.rate, 'us-west-2 alone');
    near(charged(await usage(store, T0, NEXT, 'DAILY', 'us-east-1')), 0, 'us-east-1 alone');
  });

  it('a window that starts mid-month counts the month\'s earlier usage; the next month starts afresh', async () => {
    const store = createMemoryStore();
    const east = metric('us-east-1', 'App');
    await record(store, [
      [east, 8, T0 + 2 * H],
      [east, 5, T0 + 5 * 24 * H],
      [east, 4, NEXT + 3 * H],
    ]);
    near(charged(await usage(store, T0 + 24 * H, NEXT)), 3 * east.rate, 'days 2..31: 2 of the 5 free');
    near(charged(await usage(store, T0 + 10 * 24 * H, NEXT + 10 * 24 * H, 'MONTHLY')), 0, 'April\'s 4 are free again');
    const april = await usage(store, NEXT, NEXT + 24 * H);
    near(april[0]!.free!, 4, 'free quantity');
  });

  it('the eleventh alarm is charged; composite alarms never draw on the allowance', async () => {
    const store = createMemoryStore();
    const lines = Array.from({ length: 11 }, (_, i) => alarm('us-east-1', `a${i}`, 'MetricAlarm'));
    const composite = alarm('us-east-1', 'c', 'CompositeAlarm');
    await record(store, [...lines.map((l, i) => [l, 1, T0 + i * H] as [CountRecord['line'], number, number]), [composite, 1, T0]]);
    const items = await usage(store, T0, NEXT);
    const byId = new Map(items.map((i) => [i.line.resourceId, i.cost]));
    for (let i = 0; i < 10; i++) near(byId.get(`a${i}`)!, 0, `alarm ${i}`);
    near(byId.get('a10')!, lines[10]!.rate, 'the eleventh');
    near(byId.get('c')!, composite.rate, 'the composite alarm');
  });

  it('100 GB of data transfer out, aggregated across Regions, partly covering the piece that crosses it', async () => {
    const store = createMemoryStore();
    const a = out('us-east-1');
    const b = out('eu-west-1');
    await record(store, [[a, 60, T0], [b, 60, T0 + H]]);
    const items = await usage(store, T0, NEXT);
    const eu = items.find((i) => i.line.region === 'eu-west-1')!;
    near(eu.free!, 40, 'eu-west-1 free GB');
    near(eu.cost, 20 * b.rate, 'eu-west-1 charged for 20 GB');
    near(charged(items), 20 * b.rate, 'total');
  });
});
