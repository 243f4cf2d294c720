import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, ClockValueError, MAX_CLOCK_OFFSET_MS, checkClockOffset, offsetFromMeta, parseDuration } from './clock.js';

test('parseDuration reads units and plain seconds, refuses anything else', () => {
  assert.equal(parseDuration('31d'), 31 * 86_400_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('45'), 45_000);
  for (const bad of ['', 'soon', '-5d', '5 d', '1e9', `${'1'.repeat(70)}d`, '5d5']) {
    assert.throws(() => parseDuration(bad), ClockValueError, bad);
  }
});

test('an advance past 100 years is refused and changes nothing', () => {
  const c = new Clock(0, () => 1_000);
  c.advance(parseDuration('31d'));
  const before = c.offset();
  assert.throws(() => c.advance(parseDuration('99999999999d')), /at most 3155760000000 ms \(100 years\)/);
  assert.throws(() => c.advance(Number.POSITIVE_INFINITY), ClockValueError);
  assert.throws(() => c.advance(-1), /only moves forward/);
  assert.equal(c.offset(), before);
  assert.ok(!Number.isNaN(c.now().getTime()));
  c.advance(MAX_CLOCK_OFFSET_MS - before);
  assert.equal(c.offset(), MAX_CLOCK_OFFSET_MS);
  assert.doesNotThrow(() => c.now().toISOString());
});

test('setOffset and the constructor take only offsets in range', () => {
  assert.throws(() => new Clock(-1), ClockValueError);
  assert.throws(() => new Clock(Number.NaN), ClockValueError);
  assert.throws(() => new Clock(0).setOffset(MAX_CLOCK_OFFSET_MS + 1), ClockValueError);
  assert.equal(checkClockOffset(0), 0);
});

test('a stored offset out of range is ignored with a warning, not fatal', () => {
  const warnings: string[] = [];
  const warn = (m: string): number => warnings.push(m);
  assert.equal(offsetFromMeta(undefined, warn), 0);
  assert.equal(offsetFromMeta('86400000', warn), 86_400_000);
  assert.deepEqual(warnings, []);
  assert.equal(offsetFromMeta(String(99999999999 * 86_400_000), warn), 0);
  assert.equal(offsetFromMeta('-5', warn), 0);
  assert.equal(offsetFromMeta('not a number', warn), 0);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0]!, /ignoring the stored clock offset .* the clock runs at real time/);
});
