import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Clock } from '../../core/clock.js';
import { createMemoryStore } from '../../store/memory.js';
import { meteredStore, OPEN_KIND, SEGMENT_KIND } from './meter.js';
import { forEachUsage } from './usage.js';
import { instanceRate } from './prices.js';
import type { UsageItem } from './types.js';

const S = { account: '111111111111', region: 'us-east-1' };
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

function setup() {
  let real = T0;
  const clock = new Clock(0, () => real);
  const store = meteredStore(createMemoryStore(), clock);
  return { store, clock, at: (ms: number) => { real = ms; } };
}

const instance = (phase: 'start' | 'stop' | 'terminate', doneMs: number, extra: Record<string, unknown> = {}) => ({
  id: 'i-1', instanceType: 't3.micro', zoneName: 'us-east-1a', placement: { tenancy: 'default' }, phase, sinceMs: doneMs, doneMs, ...extra,
});

async function usage(store: ReturnType<typeof setup>['store'], from: number, to: number, now: number, g: 'HOURLY' | 'DAILY' | 'MONTHLY' | 'NONE' = 'NONE') {
  const items: UsageItem[] = [];
  await store.transaction((tx) => forEachUsage(tx, S.account, { startMs: from, endMs: to }, g, now, (u) => items.push(u)));
  return items;
}

describe('cost meter', () => {
  it('bills an instance from running to stop, and not while stopped', async () => {
    const { store, at } = setup();
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('start', T0 + 5000)));
    at(T0 + 10 * H + 5000);
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('stop', T0 + 10 * H + 6000)));
    at(T0 + 20 * H);
    const items = await usage(store, T0, T0 + 30 * H, T0 + 20 * H);
    assert.equal(items.length, 1);
    assert.equal(items[0]!.line.usageType, 'BoxUsage:t3.micro');
    assert.equal(items[0]!.quantity, 10);
    assert.ok(Math.abs(items[0]!.cost - 10 * instanceRate('t3.micro', 'Linux/UNIX', 'us-east-1')) < 1e-12);
  });

  it('charges a 60 s minimum and splits by hour', async () => {
    const { store, at } = setup();
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('start', T0 + H - 20_000)));
    at(T0 + H - 10_000);
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('stop', T0 + H)));
    const items = await usage(store, T0, T0 + 2 * H, T0 + 2 * H, 'HOURLY');
    assert.deepEqual(items.map((i) => Math.round(i.hours * 3600)), [20, 40]);
  });

  it('never bills an instance stopped while pending; open segments run to now', async () => {
    const { store, at } = setup();
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('start', T0 + 60_000)));
    at(T0 + 1000);
    await store.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('stop', T0 + 2000)));
    assert.equal((await usage(store, T0, T0 + H, T0 + H)).length, 0);
    at(T0);
    await store.transaction((tx) => tx.put(S, 'ec2:volume', 'vol-1', { id: 'vol-1', type: 'gp3', size: 100, iops: 4000, throughput: 125, createMs: T0 }));
    const items = await usage(store, T0, T0 + 31 * 24 * H, T0 + 40 * 24 * H, 'MONTHLY');
    const gb = items.find((i) => i.line.usageType === 'EBS:VolumeUsage.gp3')!;
    assert.ok(Math.abs(gb.quantity - 100) < 1e-9, `a full January at 100 GB is 100 GB-Mo (${gb.quantity})`);
    assert.ok(Math.abs(gb.cost - 8) < 1e-9);
    const iops = items.find((i) => i.line.usageType === 'EBS:VolumeP-IOPS.gp3')!;
    assert.ok(Math.abs(iops.quantity - 1000) < 1e-9);
  });

  it('re-opens a line when tags change, and closes everything when the record goes', async () => {
    const { store, at } = setup();
    await store.transaction((tx) => tx.put(S, 'ec2:elastic-ip', 'eipalloc-1', { allocationId: 'eipalloc-1', publicIp: '1.2.3.4', allocatedAt: new Date(T0).toISOString() }));
    at(T0 + H);
    await store.transaction((tx) => tx.put(S, 'ec2:tags', 'eipalloc-1', { type: 'elastic-ip', tags: [{ Key: 'team', Value: 'web' }] }));
    at(T0 + 3 * H);
    await store.transaction((tx) => { tx.delete(S, 'ec2:elastic-ip', 'eipalloc-1'); tx.delete(S, 'ec2:tags', 'eipalloc-1'); });
    const items = await usage(store, T0, T0 + 10 * H, T0 + 10 * H);
    assert.deepEqual(items.map((i) => [i.line.usageType, i.line.tags.team ?? '', i.hours]), [
      ['PublicIPv4:IdleAddress', '', 1], ['PublicIPv4:IdleAddress', 'web', 2],
    ]);
    await store.transaction((tx) => {
      assert.equal(tx.list(S, OPEN_KIND).length, 0);
      assert.equal(tx.list(S, SEGMENT_KIND).length, 2);
    });
  });

  it('starts a line a metered resource gains at the change, not at its last metering', async () => {
    const { store, at } = setup();
    at(T0);
    await store.transaction((tx) => {
      tx.put(S, 'ec2:volume', 'vol-1', { id: 'vol-1', type: 'gp3', size: 10, createMs: T0 });
      tx.put(S, 'ec2:elastic-ip', 'eipalloc-1', { allocationId: 'eipalloc-1', publicIp: '1.2.3.4', allocatedAt: new Date(T0).toISOString() });
    });
    at(T0 + 10 * H);
    await store.transaction((tx) => {
      tx.put(S, 'ec2:volume', 'vol-1', { id: 'vol-1', type: 'gp3', size: 10, iops: 4000, createMs: T0 });
      tx.put(S, 'ec2:elastic-ip', 'eipalloc-1', { allocationId: 'eipalloc-1', publicIp: '1.2.3.4', allocatedAt: new Date(T0).toISOString(), association: { instanceId: 'i-1' } });
    });
    const items = await usage(store, T0, T0 + 20 * H, T0 + 20 * H);
    const hours = (ut: string) => items.filter((i) => i.line.usageType === ut).reduce((n, i) => n + i.hours, 0);
    assert.equal(hours('EBS:VolumeP-IOPS.gp3'), 10);
    assert.equal(hours('EBS:VolumeUsage.gp3'), 20);
    assert.equal(hours('PublicIPv4:IdleAddress'), 10);
    assert.equal(hours('PublicIPv4:InUseAddress'), 10);
  });

  it('leaves rolled-back transactions unmetered', async () => {
    const { store } = setup();
    await assert.rejects(store.transaction((tx) => { tx.put(S, 'ec2:instance', 'i-1', instance('start', T0)); throw new Error('no'); }));
    await store.transaction((tx) => assert.equal(tx.list(S, OPEN_KIND).length, 0));
  });
});

describe('sweep of a state from before the meter', () => {
  it('meters unmetered records once, from their own start', async () => {
    const { sweepUnmetered } = await import('./sweep.js');
    const raw = createMemoryStore();
    await raw.transaction((tx) => tx.put(S, 'ec2:instance', 'i-1', instance('start', T0 - 5 * H)));
    assert.equal(await sweepUnmetered(raw, T0), 1);
    assert.equal(await sweepUnmetered(raw, T0), 0);
    const store = meteredStore(raw, new Clock(0, () => T0));
    const items = await usage(store, T0 - 10 * H, T0, T0);
    assert.equal(items[0]!.hours, 5);
  });
});
