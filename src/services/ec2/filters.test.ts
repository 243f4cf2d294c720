import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../core/errors.js';
import { applyFilters, compileWildcard, MAX_FILTER_VALUES, wildcardMatch } from './filters.js';

const match = (pattern: string, s: string) => wildcardMatch(compileWildcard(pattern), s);

/** A backtracking reference, fine for the short strings below. */
function reference(p: string, s: string): boolean {
  if (p === '') return s === '';
  if (p[0] === '*') return reference(p.slice(1), s) || (s !== '' && reference(p, s.slice(1)));
  if (s === '') return false;
  return (p[0] === '?' || p[0] === s[0]) && reference(p.slice(1), s.slice(1));
}

test('wildcards: * and ? as EC2 reads them, against a backtracking reference', () => {
  const alphabet = ['a', 'b', '*', '?'];
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let i = 0; i < 5000; i++) {
    const p = Array.from({ length: rnd(7) }, () => alphabet[rnd(4)]).join('');
    const s = Array.from({ length: rnd(8) }, () => 'ab'[rnd(2)]).join('');
    assert.equal(match(p, s), reference(p, s), `${p} vs ${s}`);
  }
  assert.ok(match('us-east-1?', 'us-east-1a'));
  assert.ok(match('*east*', 'us-east-1'));
  assert.ok(!match('*west*', 'us-east-1'));
  assert.ok(match('', ''));
  assert.ok(!match('', 'x'));
});

test('a backslash makes *, ? and itself literal', () => {
  assert.ok(match('\\*amazon\\?\\\\', '*amazon?\\'));
  assert.ok(!match('\\*amazon', 'xamazon'));
  assert.ok(match('a\\?*', 'a?b'));
  assert.ok(!match('a\\?*', 'abb'));
});

test('pathological values are answered at once: no backtracking', () => {
  const s = 'a'.repeat(5000);
  const t = performance.now();
  assert.ok(!match(`${'a*'.repeat(2000)}b`, s));
  assert.ok(!match(`*${'?*'.repeat(2000)}b`, s));
  assert.ok(match(`${'*a'.repeat(2000)}*`, s));
  assert.ok(!match('a'.repeat(100_000), s));
  assert.ok(performance.now() - t < 500);
});

test('more than 200 filter values: FilterLimitExceeded, as EC2 says', () => {
  const items = [{ n: 'x' }];
  const fields = { name: (i: { n: string }) => i.n };
  assert.equal(applyFilters(items, [{ Name: 'name', Values: Array(MAX_FILTER_VALUES).fill('x') }], fields).length, 1);
  assert.throws(() => applyFilters(items, [{ Name: 'name', Values: Array(150).fill('x') }, { Name: 'name', Values: Array(51).fill('x') }], fields),
    (e: AwsError) => e.code === 'FilterLimitExceeded' && e.message === 'The maximum number of filter values specified on a single call is 200');
});
