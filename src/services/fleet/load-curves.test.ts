import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCurve, curveAt, curveMean, describeCurve, isByteRate, LoadSpecError, parseByteRate, parsePercent, parseRate } from './load-curves.js';

const H = 3_600_000;

test('values: percentages and rates', () => {
  assert.equal(parsePercent('85%'), 85);
  assert.equal(parsePercent('12.5'), 12.5);
  assert.throws(() => parsePercent('120%'), LoadSpecError);
  assert.equal(parseRate('1200/s'), 1200);
  assert.equal(parseRate('72000/m'), 1200);
  assert.equal(parseRate('3.6k/h'), 1);
  assert.throws(() => parseRate('fast'), LoadSpecError);
});

test('a constant, a ramp from the time it is set, a daily curve peaking at its hour', () => {
  const c = buildCurve({ value: '85%' }, (s) => parsePercent(s), 0);
  assert.equal(curveAt(c, 123), 85);
  const r = buildCurve({ ramp: '10%..90%', over: '1h' }, (s) => parsePercent(s), 10 * H);
  assert.equal(curveAt(r, 9 * H), 10);
  assert.equal(curveAt(r, 10.5 * H), 50);
  assert.equal(curveAt(r, 12 * H), 90);
  assert.equal(curveMean(r, 10 * H, 11 * H), 50);
  assert.equal(curveMean(r, 10.5 * H, 11.5 * H), 0.5 * 70 + 0.5 * 90);
  const d = buildCurve({ daily: { peak: '1000/s', trough: '100/s', peakHour: 18 } }, (s) => parseRate(s), 0);
  assert.equal(curveAt(d, 18 * H), 1000);
  assert.ok(Math.abs(curveAt(d, 6 * H) - 100) < 1e-9);
  assert.ok(Math.abs(curveAt(d, 24 * H + 12 * H) - 550) < 1e-9);
  assert.throws(() => buildCurve({ ramp: '10%..90%' }, (s) => parsePercent(s), 0), /--over/);
  assert.throws(() => buildCurve({ value: '1%', ramp: '1%..2%' }, (s) => parsePercent(s), 0), LoadSpecError);
  assert.throws(() => buildCurve({ daily: { peak: '10%', trough: '20%' } }, (s) => parsePercent(s), 0), /trough/);
});

test('byte rates for --egress: decimal and binary units, per second to per day', () => {
  assert.equal(parseByteRate('5MB/s'), 5e6);
  assert.equal(parseByteRate('2 GiB / h'), 2 ** 31 / 3600);
  assert.equal(parseByteRate('30GB/d'), 30e9 / 86_400);
  assert.equal(parseByteRate('512B/s'), 512);
  assert.equal(parseByteRate('1.5kb/min'), 25);
  for (const bad of ['5MB', '5/s', 'lots/s', '5XB/s', '2TB/s']) assert.throws(() => parseByteRate(bad), LoadSpecError, bad);
  assert.ok(isByteRate('1MB/s..3MB/s'));
  assert.ok(!isByteRate('100/s..1200/s'));
  assert.equal(describeCurve({ kind: 'constant', value: 2.5e6 }, 'B/s'), '2.5MB/s');
});
