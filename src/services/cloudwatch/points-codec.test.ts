import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendToRun, decodeRow, encodeRow, entryKey, forEachEntry, type Entry, type PointsRow } from './points-codec.js';

const one = (x: number, u?: string): Entry => ({ n: 1, s: x, lo: x, hi: x, ...(u ? { u } : {}), v: [x, 1] });
const sorted = (m: Map<string, Entry>) => [...m].sort((a, b) => a[0].localeCompare(b[0]));

test('an hour of the same value every minute is one run, and decodes to the sixty entries written', () => {
  const m = new Map<string, Entry>();
  for (let i = 0; i < 60; i++) m.set(entryKey(i * 60, 'Count'), one(0, 'Count'));
  const row = encodeRow(m);
  assert.deepEqual(row, { r: [['Count', 0, 60, 60, 0]] });
  assert.deepEqual(sorted(decodeRow(row)), sorted(m));
});

test('changing values, statistic sets, values with counts and two units round-trip exactly', () => {
  const m = new Map<string, Entry>([
    [entryKey(0, undefined), one(5)], [entryKey(300, undefined), one(5)], [entryKey(600, undefined), one(7)],
    [entryKey(900, undefined), one(5)], [entryKey(1200, undefined), one(5)], [entryKey(1500, undefined), one(5)],
    [entryKey(60, 'Bytes'), { n: 4, s: 10, lo: 1, hi: 4, u: 'Bytes' }],
    [entryKey(120, 'Bytes'), { n: 3, s: 9, lo: 3, hi: 3, u: 'Bytes', v: [3, 3] }],
    [entryKey(0, 'Bytes'), one(5, 'Bytes')],
  ]);
  const row = JSON.parse(JSON.stringify(encodeRow(m))) as PointsRow;
  assert.deepEqual(row.r, [['', 0, 300, 2, 5], ['', 900, 300, 3, 5]]);
  assert.equal(row.e?.['600'], 7);
  assert.deepEqual(sorted(decodeRow(row)), sorted(m));
});

test('rows written before runs existed (entries only) decode as they are', () => {
  const old: PointsRow = { e: { '0': { n: 2, s: 3, lo: 1, hi: 2, v: [1, 1, 2, 1] }, '60|Percent': one(4, 'Percent') } };
  const seen: Array<[number, Entry]> = [];
  forEachEntry(old, (off, e) => seen.push([off, e]));
  assert.deepEqual(seen, [[0, old.e!['0']], [60, one(4, 'Percent')]]);
});

test('appendToRun grows a run by its next slot only, with the same unit and value, when the slot is free', () => {
  const row: PointsRow = { r: [['Count', 0, 60, 2, 0]] };
  assert.equal(appendToRun(row, 120, 'Percent', 0), false, 'another unit');
  assert.equal(appendToRun(row, 120, 'Count', 1), false, 'another value');
  assert.equal(appendToRun(row, 180, 'Count', 0), false, 'not the next slot');
  assert.equal(appendToRun(row, 60, 'Count', 0), false, 'a slot the run holds');
  assert.equal(appendToRun({ ...row, e: { '120|Count': 3 } }, 120, 'Count', 0), false, 'a slot an entry holds');
  assert.equal(appendToRun(row, 120, 'Count', 0), true);
  assert.deepEqual(row, { r: [['Count', 0, 60, 3, 0]] });
  assert.equal(appendToRun({}, 0, undefined, 1), false);
});
