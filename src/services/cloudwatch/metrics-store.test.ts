import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../store/memory.js';
import { aggregate, alignStart, isStatistic, listMetricRows, POINTS_KIND, putDatapoints, statistic, statOf } from './metrics-store.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const H = 3_600_000;
const M = 60_000;
const DAY = 86_400_000;
const cpu = { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] };

test('a day of 1-minute data is 24 rows; statistics per period, periods without data absent', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const t0 = 1_000 * DAY;
    putDatapoints(tx, scope, cpu, 'Percent', Array.from({ length: 1440 }, (_, i) => ({ atMs: t0 + i * M, value: i % 60 })));
    assert.equal(tx.count(scope, POINTS_KIND), 24);
    const hourly = statistic(tx, scope, cpu, 'Average', t0, t0 + DAY, 3600);
    assert.equal(hourly.length, 24);
    assert.ok(hourly.every((p) => p.value === 29.5));
    assert.deepEqual(statistic(tx, scope, cpu, 'Maximum', t0 - H, t0 + 2 * M, 60).map((p) => [p.atMs - t0, p.value]), [[0, 0], [M, 1]]);
    // Dimensions in another order are the same metric.
    const again = { ...cpu, dimensions: [...cpu.dimensions] };
    assert.equal(statistic(tx, scope, again, 'SampleCount', t0, t0 + DAY, 86400)[0]!.value, 1440);
    assert.equal(listMetricRows(tx, scope, 'AWS/EC2').length, 1);
  });
});

test('percentiles and trimmed statistics from values with counts; statistic sets have none', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const id = { namespace: 'App', name: 'Lat', dimensions: [] };
    putDatapoints(tx, scope, id, undefined, [{ atMs: 0, values: [1, 2, 3, 4, 100], counts: [1, 1, 1, 1, 1] }]);
    const a = aggregate(tx, scope, id, 0, M, 60).get(0)!;
    assert.equal(statOf(a, 'p50'), 3);
    assert.equal(statOf(a, 'p99'), 100);
    assert.equal(statOf(a, 'p0'), 1);
    assert.equal(statOf(a, 'tm80'), 2.5);
    assert.equal(statOf(a, 'TM(20%:80%)'), 3);
    assert.equal(statOf(a, 'tc80'), 4);
    assert.equal(statOf(a, 'PR(:3)'), 60);
    assert.equal(statOf(a, 'IQM'), 3);
    const sets = { namespace: 'App', name: 'Set', dimensions: [] };
    putDatapoints(tx, scope, sets, undefined, [{ atMs: 0, stats: { SampleCount: 2, Sum: 10, Minimum: 4, Maximum: 6 } }]);
    assert.deepEqual(statistic(tx, scope, sets, 'Average', 0, M, 60), [{ atMs: 0, value: 5 }]);
    assert.deepEqual(statistic(tx, scope, sets, 'p90', 0, M, 60), []);
    assert.ok(isStatistic('p99.9') && isStatistic('tm99') && isStatistic('PR(10:)') && !isStatistic('p101') && !isStatistic('Median'));
  });
});

test('retention: sub-minute periods for three hours, then minutes for 15 days, 5 minutes to 63 days, hours after; 455 days pruned', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const now = 2_000 * DAY;
    const id = { namespace: 'App', name: 'Hi', dimensions: [] };
    putDatapoints(tx, scope, id, undefined, [{ atMs: now - 4 * H + 5_000, value: 1, storageResolution: 1 }, { atMs: now - 4 * H + 15_000, value: 1, storageResolution: 1 }]);
    assert.equal(statistic(tx, scope, id, 'Sum', now - 4 * H, now, 10).length, 2, 'no clock given: no retention rule');
    assert.equal(statistic(tx, scope, id, 'Sum', now - 4 * H, now, 10, { nowMs: now }).length, 0);
    assert.deepEqual(statistic(tx, scope, id, 'Sum', now - 4 * H, now, 60, { nowMs: now }).map((p) => p.value), [2]);
    assert.equal(statistic(tx, scope, id, 'Sum', now - 20 * DAY, now, 60, { nowMs: now }).length, 0);
    assert.equal(statistic(tx, scope, id, 'Sum', now - 20 * DAY, now, 300, { nowMs: now }).length, 1);
    assert.equal(statistic(tx, scope, id, 'Sum', now - 70 * DAY, now, 300, { nowMs: now }).length, 0);
    assert.equal(statistic(tx, scope, id, 'Sum', now - 70 * DAY, now, 3600, { nowMs: now }).length, 1);
    assert.equal(alignStart(now + 17_000, 5), now + 15_000);
    assert.equal(alignStart(now + 17_000, 60), now);
    assert.equal(alignStart(now - 20 * DAY + 7 * M, 300, now), now - 20 * DAY + 5 * M);
    // A point 456 days after the first removes the first one's hour.
    putDatapoints(tx, scope, id, undefined, [{ atMs: now - 4 * H + 456 * DAY, value: 1 }]);
    assert.equal(tx.count(scope, POINTS_KIND), 1);
  });
});

test('a metric written a minute at a time with one value is stored as a run and reads as every datapoint; a later write into a run slot merges', async () => {
  const store = createMemoryStore();
  const t0 = 1_000 * DAY;
  const status = { namespace: 'AWS/EC2', name: 'StatusCheckFailed', dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] };
  for (let i = 0; i < 60; i++) await store.transaction((tx) => putDatapoints(tx, scope, status, 'Count', [{ atMs: t0 + i * M, value: 0 }]));
  await store.transaction((tx) => {
    const row = tx.list<{ r?: unknown[]; e?: unknown }>(scope, POINTS_KIND)[0]!.value;
    assert.deepEqual(row, { r: [['Count', 0, 60, 60, 0]] });
    assert.deepEqual(statistic(tx, scope, status, 'SampleCount', t0, t0 + H, 300).map((p) => p.value), Array(12).fill(5));
    putDatapoints(tx, scope, status, 'Count', [{ atMs: t0 + 30 * M, value: 1 }]);
    const five = aggregate(tx, scope, status, t0 + 30 * M, t0 + 31 * M, 60).get(t0 + 30 * M)!;
    assert.deepEqual([five.n, five.s, five.lo, five.hi, statOf(five, 'p50')], [2, 1, 0, 1, 0]);
    assert.equal(statistic(tx, scope, status, 'Sum', t0, t0 + H, 3600)[0]!.value, 1);
  });
});
