import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../core/errors.js';
import { ServiceModel } from './models.js';
import { decodeQueryInput, MAX_NAME_SEGMENTS, MAX_QUERY_PARAMS, parseForm } from './query-decode.js';

/** A recursive shape: the only way a model path can be deep. */
const model = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'query', serviceId: 'Demo' },
  operations: { Put: { input: { shape: 'Node' } } },
  shapes: { Node: { type: 'structure', members: { a: { shape: 'Node' }, v: { type: 'string' } } } },
} as never);

test('parseForm: pairs, empty pairs, later pairs win', () => {
  const p = parseForm('a=1&&b=&c&a=2');
  assert.deepEqual([...p], [['a', '2'], ['b', ''], ['c', '']]);
});

test(`parseForm: more than ${MAX_QUERY_PARAMS} parameters (query string and body together) is MalformedQueryString`, () => {
  const body = Array.from({ length: MAX_QUERY_PARAMS }, (_, i) => `p${i}=`).join('&');
  assert.equal(parseForm(body).size, MAX_QUERY_PARAMS);
  const t = performance.now();
  assert.throws(() => parseForm(`${body}&one=more`), (e: AwsError) => e.code === 'MalformedQueryString' && e.status === 400);
  assert.throws(() => parseForm('x=1', parseForm(body)), (e: AwsError) => e.code === 'MalformedQueryString');
  assert.ok(performance.now() - t < 1000);
});

test('names deeper than any model are ignored like other unknown names, cheaply', () => {
  const rules = { ec2: false, badValue: () => new AwsError('X', 'x') };
  const decode = (name: string) => decodeQueryInput(model, { shape: 'Node' }, parseForm(`${name}=1`), rules);
  assert.deepEqual(decode(`${'a.'.repeat(MAX_NAME_SEGMENTS - 2)}v`), JSON.parse(`${'{"a":'.repeat(MAX_NAME_SEGMENTS - 2)}{"v":"1"}${'}'.repeat(MAX_NAME_SEGMENTS - 2)}`));
  const t = performance.now();
  assert.deepEqual(decode(`${'a.'.repeat(MAX_NAME_SEGMENTS)}v`), {});
  assert.deepEqual(decode(`${'a.'.repeat(2_000_000)}v`), {});
  assert.ok(performance.now() - t < 1000);
});
