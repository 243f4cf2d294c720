import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curveAskOf } from './load-admin.js';
import { loadCommand, setBody } from './load-cli.js';

test('cloudlet load set flags become the endpoint\'s JSON; a ramp or daily curve is CPU or requests by its values', () => {
  assert.deepEqual(setBody('i-1', { cpu: '85%' }), { target: 'i-1', cpu: '85%' });
  assert.deepEqual(setBody('lb:web', { requests: '1200/s' }), { target: 'lb:web', requests: '1200/s' });
  assert.deepEqual(setBody('asg:g', { ramp: '10%..90%', over: '1h' }), { target: 'asg:g', cpu: { ramp: '10%..90%', over: '1h' } });
  assert.deepEqual(setBody('lb:web', { ramp: '100/s..900/s', over: '30m' }), { target: 'lb:web', requests: { ramp: '100/s..900/s', over: '30m' } });
  assert.deepEqual(setBody('i-1', { cpu: '10%..50%', over: '2h' }), { target: 'i-1', cpu: { ramp: '10%..50%', over: '2h' } });
  assert.deepEqual(setBody('lb:web', { daily: true, peak: '2000/s', trough: '100/s', 'peak-hour': '18' }),
    { target: 'lb:web', requests: { daily: { peak: '2000/s', trough: '100/s', peakHour: 18 } } });
  assert.throws(() => setBody('i-1', { daily: true, peak: '90%' }), /--trough/);
  assert.throws(() => setBody('i-1', {}), /give --cpu/);
  assert.deepEqual(curveAskOf({ daily: { peak: '90%', trough: '10%', peakHour: 3 } }, 'cpu'), { daily: { peak: '90%', trough: '10%', peakHour: 3 } });
  assert.deepEqual(curveAskOf(85, 'cpu'), { value: '85' });
});

test('bad usage exits 2 before any request', async () => {
  assert.equal((await loadCommand(['frobnicate'])).code, 2);
  assert.equal((await loadCommand(['set'])).code, 2);
  assert.equal((await loadCommand(['list', '--account', '12'])).code, 2);
  assert.equal((await loadCommand(['set', 'i-1', '--bogus', 'x'])).code, 2);
});
