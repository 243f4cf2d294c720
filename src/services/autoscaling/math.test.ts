import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyAdjustment, chooseTermination, nextCron, stepFor, targetCapacity, trackingThresholds, zonesForLaunch, type Candidate } from './math.js';

const c = (id: string, zone: string, launchedMs: number, extra: Partial<Candidate> = {}): Candidate =>
  ({ id, zone, launchedMs, current: true, configAge: 1, protected: false, ...extra });

test('launches fill the emptiest zone first, ties in zone order', () => {
  assert.deepEqual(zonesForLaunch(['a', 'b'], {}, 3), ['a', 'b', 'a']);
  assert.deepEqual(zonesForLaunch(['a', 'b', 'c'], { a: 2, b: 0, c: 1 }, 3), ['b', 'b', 'c']);
});

test('termination: the fullest zone first, then the oldest launch template, then closest to the billing hour; protected never', () => {
  const H = 3_600_000;
  const now = 10 * H;
  const cands = [
    c('i-a1', 'a', now - 30 * 60_000), c('i-a2', 'a', now - 55 * 60_000), c('i-b1', 'b', now - 50 * 60_000),
  ];
  assert.deepEqual(chooseTermination(cands, ['Default'], 1, now), ['i-a2'], 'zone a is fuller; i-a2 is 5 minutes from its hour');
  const stale = [c('i-a1', 'a', now - 55 * 60_000), c('i-a2', 'a', now - 10 * 60_000, { current: false, configAge: 0 }), c('i-b1', 'b', now)];
  assert.deepEqual(chooseTermination(stale, ['Default'], 1, now), ['i-a2'], 'the old template goes first');
  assert.deepEqual(chooseTermination(cands, ['NewestInstance'], 1, now), ['i-a1']);
  assert.deepEqual(chooseTermination(cands, ['OldestInstance'], 2, now), ['i-a2', 'i-b1']);
  assert.deepEqual(chooseTermination([c('i-p', 'a', 0, { protected: true }), c('i-q', 'b', 0)], ['Default'], 2, now), ['i-q']);
});

test('step adjustments: lower bound inclusive above the threshold, upper inclusive below it', () => {
  const steps = [
    { MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
  ];
  assert.equal(stepFor(steps, 70, 70)?.ScalingAdjustment, 1);
  assert.equal(stepFor(steps, 80, 70)?.ScalingAdjustment, 3);
  assert.equal(stepFor(steps, 79.9, 70)?.ScalingAdjustment, 1);
  assert.equal(stepFor(steps, 60, 70)?.ScalingAdjustment, -1);
});

test('adjustments: change, exact, percent (rounded toward zero, at least 1, MinAdjustmentMagnitude), clamped', () => {
  assert.equal(applyAdjustment('ChangeInCapacity', 2, 3, 2, 6), 5);
  assert.equal(applyAdjustment('ChangeInCapacity', 5, 3, 2, 6), 6);
  assert.equal(applyAdjustment('ExactCapacity', 1, 3, 2, 6), 2);
  assert.equal(applyAdjustment('PercentChangeInCapacity', 50, 3, 0, 10), 4);
  assert.equal(applyAdjustment('PercentChangeInCapacity', 10, 3, 0, 10), 4, '0.3 becomes 1');
  assert.equal(applyAdjustment('PercentChangeInCapacity', -50, 5, 0, 10), 3, '-2.5 becomes -2');
  assert.equal(applyAdjustment('PercentChangeInCapacity', 10, 10, 0, 20, 3), 13);
});

test('target tracking: proportional capacity rounded up, clamped, and the alarm thresholds', () => {
  assert.equal(targetCapacity(3, 90, 60, 2, 6), 5);
  assert.equal(targetCapacity(3, 200, 60, 2, 6), 6);
  assert.equal(targetCapacity(6, 20, 60, 2, 6), 2);
  assert.equal(targetCapacity(6, 20, 60, 2, 6, false), 6);
  assert.deepEqual(trackingThresholds(60), { high: 60, low: 54 });
});

test('cron: the next matching minute, in UTC and in a time zone', () => {
  const t0 = Date.parse('2026-12-04T10:00:00Z');
  assert.equal(new Date(nextCron('30 10 * * *', t0)!).toISOString(), '2026-12-04T10:30:00.000Z');
  assert.equal(new Date(nextCron('0 9 * * 1-5', t0)!).toISOString(), '2026-12-07T09:00:00.000Z', 'Friday 10:00 -> Monday 09:00');
  assert.equal(new Date(nextCron('*/15 * * * *', t0)!).toISOString(), '2026-12-04T10:15:00.000Z');
  assert.equal(new Date(nextCron('0 8 * * *', t0, 'America/New_York')!).toISOString(), '2026-12-04T13:00:00.000Z');
  assert.equal(new Date(nextCron('0 0 1 jan *', t0)!).toISOString(), '2027-01-01T00:00:00.000Z');
});
