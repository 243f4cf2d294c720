import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLimitExceeded, MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from './json-values.js';

test('JSON limits: nesting up to Jackson\'s 1000 levels, strings skipped', () => {
  assert.equal(jsonLimitExceeded(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`), undefined);
  assert.equal(jsonLimitExceeded(`{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`),
    `Document nesting depth (${MAX_JSON_DEPTH + 1}) exceeds the maximum allowed (${MAX_JSON_DEPTH})`);
  // Brackets, colons and escaped quotes inside strings do not count.
  assert.equal(jsonLimitExceeded(JSON.stringify({ s: '[{:\\"'.repeat(5000) })), undefined);
});

test('JSON limits: at most 100,000 object members in all, counted before anything is parsed', () => {
  const members = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`;
  assert.equal(jsonLimitExceeded(members(MAX_JSON_MEMBERS)), undefined);
  assert.equal(jsonLimitExceeded(members(1_000_000)), `The document has more than ${MAX_JSON_MEMBERS} object members`);
  // The count stops at the limit: what follows it is never read, so it need not even be JSON.
  assert.equal(jsonLimitExceeded(`${members(MAX_JSON_MEMBERS + 1).slice(0, -1)},${'{'.repeat(1000)}`), `The document has more than ${MAX_JSON_MEMBERS} object members`);
  assert.equal(jsonLimitExceeded(`[${Array(MAX_JSON_MEMBERS + 1).fill('{"a":1}').join(',')}]`), `The document has more than ${MAX_JSON_MEMBERS} object members`);
});
