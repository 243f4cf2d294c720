import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, evaluateOne, MathError, parse, references } from './metric-math.js';

const M = 60_000;
const opts = { periodS: 60, startMs: 0, endMs: 5 * M };
const s = (...vals: Array<number | null>) => vals.flatMap((v, i) => (v === null ? [] : [{ atMs: i * M, value: v }]));
const vals = (r: Array<{ value: number }>) => r.map((p) => p.value);

test('arithmetic: precedence, right-associative ^, unary minus, series with scalars and series', () => {
  const series = { a: s(1, 2, 3), b: s(10, null, 30) };
  assert.deepEqual(vals(evaluateOne('a + b * 2', series, opts)), [21, 63]);
  assert.deepEqual(vals(evaluateOne('2 ^ 3 ^ 2 + a - a', series, opts)), [512, 512, 512]);
  assert.deepEqual(vals(evaluateOne('-a * (b - 5)', series, opts)), [-5, -75]);
  assert.deepEqual(vals(evaluateOne('a / 0 + 1', series, opts)), [], 'division by zero drops the points');
  // A scalar result is drawn at every period of the window.
  assert.deepEqual(evaluateOne('1 + 1', {}, opts).map((p) => [p.atMs / M, p.value]), [[0, 2], [1, 2], [2, 2], [3, 2], [4, 2]]);
});

test('comparisons and logic give 1 or 0; IF picks per timestamp', () => {
  const series = { a: s(1, 5, 10) };
  assert.deepEqual(vals(evaluateOne('a > 2 && a < 10', series, opts)), [0, 1, 0]);
  assert.deepEqual(vals(evaluateOne('a == 5 OR NOT (a != 10)', series, opts)), [0, 1, 1]);
  assert.deepEqual(vals(evaluateOne('IF(a >= 5, a * 10, -1)', series, opts)), [-1, 50, 100]);
  assert.deepEqual(vals(evaluateOne('IF(a >= 5, a)', series, opts)), [5, 10], 'no else: the point is left out');
});

test('SUM/AVG/MIN/MAX/STDDEV: over an array per timestamp, over one series a scalar', () => {
  const series = { a: s(1, 2, 3), b: s(3, 4, null) };
  assert.deepEqual(vals(evaluateOne('SUM([a, b])', series, opts)), [4, 6, 3]);
  assert.deepEqual(vals(evaluateOne('AVG(METRICS())', series, opts)), [2, 3, 3]);
  assert.deepEqual(vals(evaluateOne('MAX(METRICS("b"))', series, opts)), [3, 4]);
  assert.equal(evaluateOne('MIN(a)', series, opts)[0]!.value, 1);
  assert.equal(evaluateOne('STDDEV(b)', series, opts)[0]!.value, 0.5);
  const arr = evaluate('METRICS() * 2', series, { ...opts, labels: { a: 'A', b: 'B' } });
  assert.deepEqual(arr.map((r) => [r.label, vals(r.points)]), [['A', [2, 4, 6]], ['B', [6, 8]]]);
});

test('FILL with a value, REPEAT and LINEAR over the window; RATE, DIFF, RUNNING_SUM, PERIOD', () => {
  const series = { a: s(null, 2, null, null, 8) };
  assert.deepEqual(vals(evaluateOne('FILL(a, 0)', series, opts)), [0, 2, 0, 0, 8]);
  assert.deepEqual(vals(evaluateOne('FILL(a, REPEAT)', series, opts)), [2, 2, 2, 2, 8]);
  assert.deepEqual(vals(evaluateOne('FILL(a, LINEAR)', series, opts)), [2, 2, 4, 6, 8]);
  assert.deepEqual(vals(evaluateOne('DIFF(a)', series, opts)), [6]);
  assert.deepEqual(vals(evaluateOne('RATE(a)', series, opts)), [6 / 180]);
  assert.deepEqual(vals(evaluateOne('RUNNING_SUM(a)', series, opts)), [2, 10]);
  assert.equal(evaluateOne('PERIOD(a)', series, { ...opts, periods: { a: 300 } })[0]!.value, 300);
  assert.deepEqual(vals(evaluateOne('ABS(CEIL(a / 3) - FLOOR(a / 3) * 10)', series, opts)), [1, 17]);
});

test('errors: unknown functions and identifiers, syntax; references', () => {
  assert.throws(() => evaluate('SEARCH("x", "Sum", 60)', {}, opts), (e: Error) => e instanceof MathError && /Unsupported function: SEARCH/.test(e.message));
  assert.throws(() => evaluate('ANOMALY_DETECTION_BAND(a)', { a: [] }, opts), /Unsupported function: ANOMALY_DETECTION_BAND/);
  assert.throws(() => evaluate('zz + 1', {}, opts), /Unrecognized identifier: zz/);
  assert.throws(() => parse('(1 + 2'), /Syntax error/);
  assert.throws(() => parse('1 2'), /Syntax error/);
  assert.throws(() => parse('a $ b'), /Syntax error/);
  assert.throws(() => evaluateOne('METRICS()', { a: s(1), b: s(2) }, opts), /single time series/);
  assert.deepEqual(references('FILL(m1, REPEAT) + e2 * SUM(METRICS())'), { ids: ['m1', 'e2'], usesMetrics: true });
});
