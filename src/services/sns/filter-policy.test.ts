import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter, parseFilterPolicy, type MessageAttribute } from './filter-policy.js';

const attrs = (o: Record<string, string | number | string[]>): Record<string, MessageAttribute> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v)
    ? { DataType: 'String.Array', StringValue: JSON.stringify(v) }
    : typeof v === 'number' ? { DataType: 'Number', StringValue: String(v) } : { DataType: 'String', StringValue: v }]));

const m = (policy: unknown, a: Record<string, string | number | string[]>): boolean =>
  matchesFilter(parseFilterPolicy(JSON.stringify(policy)), 'MessageAttributes', { body: 'x', attributes: attrs(a) });

const b = (policy: unknown, body: unknown): boolean =>
  matchesFilter(parseFilterPolicy(JSON.stringify(policy), 'MessageBody'), 'MessageBody', { body: JSON.stringify(body) });

describe('SNS filter policies', () => {
  it('exact strings and numbers, OR within a key, AND across keys', () => {
    assert.equal(m({ color: ['red', 'blue'] }, { color: 'blue' }), true);
    assert.equal(m({ color: ['red'] }, { color: 'green' }), false);
    assert.equal(m({ color: ['red'], size: [3] }, { color: 'red', size: 3 }), true);
    assert.equal(m({ color: ['red'], size: [3] }, { color: 'red', size: 4 }), false);
    assert.equal(m({ color: ['red'] }, {}), false);
    assert.equal(m({ size: [3] }, { size: '3' }), false, 'a number condition does not match a String attribute');
  });
  it('prefix, suffix, equals-ignore-case', () => {
    assert.equal(m({ c: [{ prefix: 'eu-' }] }, { c: 'eu-west-1' }), true);
    assert.equal(m({ c: [{ prefix: 'eu-' }] }, { c: 'us-east-1' }), false);
    assert.equal(m({ c: [{ suffix: '.png' }] }, { c: 'a.png' }), true);
    assert.equal(m({ c: [{ 'equals-ignore-case': 'ReD' }] }, { c: 'rEd' }), true);
  });
  it('anything-but (list, single value, prefix), not matching an absent attribute', () => {
    assert.equal(m({ c: [{ 'anything-but': ['red', 'blue'] }] }, { c: 'green' }), true);
    assert.equal(m({ c: [{ 'anything-but': ['red', 'blue'] }] }, { c: 'red' }), false);
    assert.equal(m({ c: [{ 'anything-but': 'red' }] }, { c: 'red' }), false);
    assert.equal(m({ n: [{ 'anything-but': [1, 2] }] }, { n: 3 }), true);
    assert.equal(m({ c: [{ 'anything-but': { prefix: 'test-' } }] }, { c: 'test-x' }), false);
    assert.equal(m({ c: [{ 'anything-but': { prefix: 'test-' } }] }, { c: 'prod-x' }), true);
    assert.equal(m({ c: [{ 'anything-but': 'red' }] }, {}), false);
  });
  it('numeric ranges', () => {
    assert.equal(m({ p: [{ numeric: ['>', 0, '<=', 100] }] }, { p: 100 }), true);
    assert.equal(m({ p: [{ numeric: ['>', 0, '<=', 100] }] }, { p: 0 }), false);
    assert.equal(m({ p: [{ numeric: ['=', 301.5] }] }, { p: 301.5 }), true);
    assert.equal(m({ p: [{ numeric: ['>=', 10] }] }, { p: 9.99 }), false);
  });
  it('exists true and false', () => {
    assert.equal(m({ c: [{ exists: true }] }, { c: 'x' }), true);
    assert.equal(m({ c: [{ exists: true }] }, {}), false);
    assert.equal(m({ c: [{ exists: false }] }, {}), true);
    assert.equal(m({ c: [{ exists: false }] }, { c: 'x' }), false);
  });
  it('String.Array attributes match when one element does', () => {
    assert.equal(m({ tags: ['b'] }, { tags: ['a', 'b'] }), true);
    assert.equal(m({ tags: ['z'] }, { tags: ['a', 'b'] }), false);
  });
  it('$or between sub-policies', () => {
    const p = { source: ['aws.cloudwatch'], $or: [{ metric: ['CPU'] }, { ns: ['AWS/EC2'] }] };
    assert.equal(m(p, { source: 'aws.cloudwatch', metric: 'CPU' }), true);
    assert.equal(m(p, { source: 'aws.cloudwatch', ns: 'AWS/EC2' }), true);
    assert.equal(m(p, { source: 'aws.cloudwatch', ns: 'AWS/ELB' }), false);
  });
  it('MessageBody scope: nested keys, arrays, null, booleans; a body that is not JSON never matches', () => {
    const p = { store: { city: ['Paris'], open: [true] }, items: { qty: [{ numeric: ['>', 2] }] } };
    assert.equal(b(p, { store: { city: 'Paris', open: true }, items: [{ qty: 1 }, { qty: 5 }] }), true);
    assert.equal(b(p, { store: { city: 'Paris', open: false }, items: [{ qty: 5 }] }), false);
    assert.equal(b({ a: [null] }, { a: null }), true);
    assert.equal(matchesFilter(parseFilterPolicy('{"a":["x"]}', 'MessageBody'), 'MessageBody', { body: 'not json' }), false);
  });
  it('rejects bad policies with InvalidParameter', () => {
    for (const bad of ['[]', '{"a":"x"}', '{"a":[]}', '{"a":[{"numeric":[">","x"]}]}', '{"a":[{"nope":1}]}', '{"a":[{"exists":"yes"}]}', 'x', '{"a":{"b":["c"]}}']) {
      assert.throws(() => parseFilterPolicy(bad), (e: Error & { code?: string }) => e.code === 'InvalidParameter', bad);
    }
    assert.doesNotThrow(() => parseFilterPolicy('{"a":{"b":["c"]}}', 'MessageBody'));
  });
});
