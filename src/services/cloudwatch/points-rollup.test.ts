import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../store/memory.js';
import { POINTS_KIND, putDatapoints, statistic } from './metrics-store.js';
import { rollDay } from './points-rollup.js';
import { decodeRow } from './points-codec.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const M = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;
const T0 = 1_000 * DAY;
const cpu = { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] };
const valueAt = (i: number) => (i * 7) % 13;

/** What every period holds, computed from the values themselves. */
function expected(from: number, to: number, periodMs: number, stat: 'Sum' | 'SampleCount' | 'Maximum' | 'Minimum' | 'p50') {
  const out: Array<{ atMs: number; value: number }> = [];
  for (let p = from; p < to; p += periodMs) {
    const vals: number[] = [];
    for (let t = p; t < Math.min(p + periodMs, to); t += M) vals.push(valueAt((t - T0) / M));
    vals.sort((a, b) => a - b);
    const v = stat === 'Sum' ? vals.reduce((a, b) => a + b, 0) : stat === 'SampleCount' ? vals.length : stat === 'Maximum' ? vals[vals.length - 1]!
      : stat === 'Minimum' ? vals[0]! : vals[Math.ceil(0.5 * vals.length) - 1]!;
    out.push({ atMs: p, value: v });
  }
  return out;
}

test('70 days of 1-minute data: kept as 1-minute for 15 days, 5-minute until 63, hourly beyond, and every query the age allows answers as before', async () => {
  const store = createMemoryStore();
  for (let d = 0; d < 70; d++) {
    await store.transaction((tx) => putDatapoints(tx, scope, cpu, 'Percent',
      Array.from({ length: 1440 }, (_, i) => ({ atMs: T0 + d * DAY + i * M, value: valueAt(d * 1440 + i) }))));
  }
  const now = T0 + 70 * DAY;
  await store.transaction((tx) => {
    // Whole days more than 63 days before the newest datapoint (0..5) and more than 15 (6..53) are one row each; the other 16 days 24 rows each.
    assert.equal(tx.count(scope, POINTS_KIND), 54 + 16 * 24);
    const old = decodeRow(tx.list(scope, POINTS_KIND)[0]!.value as never);
    assert.equal(old.size, 24, 'a day older than 63 days: 24 hourly slots');
    for (const stat of ['Sum', 'SampleCount', 'Maximum', 'Minimum', 'p50'] as const) {
      assert.deepEqual(statistic(tx, scope, cpu, stat, T0, T0 + 3 * DAY, 3600, { nowMs: now }), expected(T0, T0 + 3 * DAY, H, stat), `${stat} hourly, 70 days back`);
      assert.deepEqual(statistic(tx, scope, cpu, stat, T0 + 40 * DAY + 7 * M, T0 + 41 * DAY, 900, { nowMs: now }),
        expected(T0 + 40 * DAY + 5 * M, T0 + 41 * DAY, 15 * M, stat), `${stat} 15-minute periods, 30 days back (start rounded to 5 minutes)`);
      // A query across the 15-day line: rolled and fresh rows together.
      assert.deepEqual(statistic(tx, scope, cpu, stat, T0 + 53 * DAY + 30 * M, T0 + 55 * DAY, 3600, { nowMs: now }),
        expected(T0 + 53 * DAY + 30 * M, T0 + 55 * DAY, H, stat), `${stat} across the 15-day line`);
    }
    assert.deepEqual(statistic(tx, scope, cpu, 'Sum', T0 + 40 * DAY, T0 + 41 * DAY, 60, { nowMs: now }), [], 'finer than the age allows: nothing, as AWS answers');
    assert.deepEqual(statistic(tx, scope, cpu, 'Sum', now - DAY, now, 60, { nowMs: now }), expected(now - DAY, now, M, 'Sum'));
  });
});

test('rollDay merges statistic sets and values into slots of the day, across hour rows', () => {
  const row = rollDay([
    { baseMs: T0, row: { e: { '0|Count': { n: 3, s: 6, lo: 1, hi: 3, u: 'Count' }, '60|Count': 5 } } },
    { baseMs: T0 + H, row: { r: [['Count', 0, 60, 60, 2]] } },
  ], T0, 3600);
  assert.deepEqual([...decodeRow(row)].sort(), [
    ['0|Count', { n: 4, s: 11, lo: 1, hi: 5, u: 'Count', v: [5, 1] }],
    ['3600|Count', { n: 60, s: 120, lo: 2, hi: 2, u: 'Count', v: [2, 60] }],
  ]);
});
