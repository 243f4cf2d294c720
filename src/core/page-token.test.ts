import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, decodePageToken, encodePageToken, queryOf } from './page-token.js';

const B = { service: 'ec2', operation: 'DescribeVpcs', query: { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] } };

test('a token round-trips its position, including unicode and empty strings', () => {
  for (const pos of ['vpc-0123456789abcdef0', '', 'é/\u{1F600}', 'a.b.c']) {
    assert.equal(decodePageToken(B, encodePageToken(B, pos)), pos);
  }
});

test('a token is refused for another operation, service or query, or when edited', () => {
  const t = encodePageToken(B, 'vpc-1');
  assert.equal(decodePageToken({ ...B, operation: 'DescribeSubnets' }, t), undefined);
  assert.equal(decodePageToken({ ...B, service: 'iam' }, t), undefined);
  assert.equal(decodePageToken({ ...B, query: {} }, t), undefined);
  const [payload, mac] = t.split('.') as [string, string];
  const forged = Buffer.from(JSON.stringify([1, 'vpc-2'])).toString('base64url');
  assert.equal(decodePageToken(B, `${forged}.${mac}`), undefined);
  assert.equal(decodePageToken(B, `${payload}.${mac.slice(1)}`), undefined);
  assert.equal(decodePageToken(B, payload), undefined);
  assert.equal(decodePageToken(B, ''), undefined);
  assert.equal(decodePageToken(B, '.'), undefined);
});

test('equal queries bind equally whatever their key order; paging members are not part of it', () => {
  const t = encodePageToken({ ...B, query: { a: 1, b: [2, { d: 1, c: undefined }] } }, 'x');
  assert.equal(decodePageToken({ ...B, query: { b: [2, { d: 1 }], a: 1 } }, t), 'x');
  assert.equal(canonicalJson({ b: 1, a: [null, 'x'] }), '{"a":[null,"x"],"b":1}');
  assert.deepEqual(queryOf({ Marker: 'm', MaxItems: 5, UserName: 'u' }, ['Marker', 'MaxItems']), { UserName: 'u' });
});
