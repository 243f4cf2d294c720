import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { box, intersect, mergeRanges, project, reverse, subtract, type Box, type Constraint } from './packets.js';

// Small IPv4-shaped universe: addresses 0..15 and ports 0..7 are enough to hit every split case.
const range = (max: number) => fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => [BigInt(Math.min(a, b)), BigInt(Math.max(a, b))] as [bigint, bigint]);
const arbBox = fc.tuple(range(15), range(15), range(7), range(7)).map(([a, b, c, d]) => box(a, b, c, d));
const arbCons = fc.tuple(fc.option(range(15), { nil: undefined }), fc.option(range(15), { nil: undefined }), fc.option(range(7), { nil: undefined }), fc.option(range(7), { nil: undefined }))
  .map((dims) => dims.map((r) => (r ? [r] : undefined)) as Constraint);
const inBox = (b: Box, p: bigint[]) => p.every((v, d) => b[2 * d]! <= v && v <= b[2 * d + 1]!);
const inCons = (c: Constraint, p: bigint[]) => p.every((v, d) => {
  const rs = c[d]; return !rs || rs.some(([lo, hi]) => lo <= v && v <= hi);
});
const point = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })).map((p) => p.map(BigInt));

test('intersect and subtract partition a box exactly (checked point by point)', () => {
  fc.assert(fc.property(arbBox, arbCons, fc.array(point, { minLength: 20, maxLength: 20 }), (a, c, pts) => {
    // Constraint boxes span the family's full range in unconstrained address dimensions; clamp the check to the box.
    const i = intersect([a], c, 4), s = subtract([a], c, 4);
    for (const p of pts) {
      const inA = inBox(a, p);
      const inI = i.filter((b) => inBox(b, p)).length, inS = s.filter((b) => inBox(b, p)).length;
      if (inA && inCons(c, p) ? inI !== 1 || inS !== 0 : inA ? inI !== 0 || inS !== 1 : inI + inS !== 0) return false;
    }
    return true;
  }), { numRuns: 300 });
});

test('reverse swaps source and destination', () => {
  const [r] = reverse([box([1n, 2n], [3n, 4n], [5n, 6n], [7n, 8n])]);
  assert.deepEqual(r, [3n, 4n, 1n, 2n, 7n, 8n, 5n, 6n]);
});

test('projection merges touching ranges', () => {
  const s = [box([1n, 2n], [0n, 0n], [0n, 0n], [0n, 0n]), box([3n, 5n], [0n, 0n], [0n, 0n], [0n, 0n]), box([9n, 9n], [0n, 0n], [0n, 0n], [0n, 0n])];
  assert.deepEqual(project(s, 0), [[1n, 5n], [9n, 9n]]);
  assert.deepEqual(mergeRanges([[5n, 6n], [1n, 1n], [2n, 3n]]), [[1n, 3n], [5n, 6n]]);
});
