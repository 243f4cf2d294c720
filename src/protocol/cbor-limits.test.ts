import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cbor } from '@smithy/core/cbor';
import { cborLimitExceeded } from './cbor-limits.js';
import { MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './json-values.js';

const enc = (v: unknown) => cbor.serialize(v);
const nested = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

test('CBOR limits: depth up to 1000, as for JSON', () => {
  assert.equal(cborLimitExceeded(enc({ x: nested(MAX_JSON_DEPTH - 1) })), undefined);
  assert.match(cborLimitExceeded(enc({ x: nested(MAX_JSON_DEPTH) })) ?? '', /nesting depth \(1001\) exceeds the maximum allowed \(1000\)/);
  // Hand-made: a million one-element arrays (the decoder itself overflows its stack on these).
  assert.match(cborLimitExceeded(Buffer.concat([Buffer.from([0xa1, 0x61, 0x78]), Buffer.alloc(1_000_000, 0x81), Buffer.from([0x00])])) ?? '', /nesting depth/);
});

test('CBOR limits: 100,000 map members in all, definite or indefinite; strings and byte strings skipped', () => {
  const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  assert.equal(cborLimitExceeded(enc(wide(MAX_JSON_MEMBERS))), undefined);
  assert.match(cborLimitExceeded(enc(wide(MAX_JSON_MEMBERS + 1))) ?? '', /more than 100000 object members/);
  assert.equal(cborLimitExceeded(enc({ s: '\xff'.repeat(10_000), b: new Uint8Array(10_000).fill(0xbf), n: [1.5, -3, 2 ** 40] })), undefined);
  // An indefinite-length map of 100,001 entries: 0xbf ... 0xff.
  const entries = Array.from({ length: MAX_JSON_MEMBERS + 1 }, (_, i) => {
    const key = Buffer.from(`k${i}`);
    return Buffer.concat([Buffer.from([0x60 + key.length]), key, Buffer.from([0x01])]);
  });
  assert.match(cborLimitExceeded(Buffer.concat([Buffer.from([0xbf]), ...entries, Buffer.from([0xff])])) ?? '', /object members/);
  const t = performance.now();
  // A map that claims 2^32 entries is refused by count before anything is read.
  assert.match(cborLimitExceeded(Buffer.from([0xba, 0xff, 0xff, 0xff, 0xff])) ?? '', /object members/);
  assert.ok(performance.now() - t < 100);
});

test('CBOR limits: truncated or malformed input is left to the decoder', () => {
  for (const bad of [[0x9a, 0xff, 0xff, 0xff, 0xff], [0x5a, 0xff, 0xff, 0xff, 0xff], [0x1c], [0xff], [0xa1, 0x61]]) {
    assert.equal(cborLimitExceeded(Buffer.from(bad)), undefined, JSON.stringify(bad));
  }
});
