import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgeOptions } from './edge-options.js';
import { BodyBudget, bodyCap, DEFAULT_LIMITS, looksSigned, overloaded, resolveLimits } from './limits.js';

test('a body budget hands out leases up to its total and takes them back once', () => {
  const b = new BodyBudget(100);
  const a = b.lease();
  const c = b.lease();
  assert.equal(a.take(60), true);
  assert.equal(c.take(50), false, 'past the total: refused');
  assert.equal(c.bytes, 0, 'a refused take takes nothing');
  assert.equal(c.take(40), true);
  assert.equal(b.used, 100);
  a.release();
  a.release();
  assert.equal(b.used, 40, 'a second release gives nothing back twice');
  assert.equal(a.take(1), false, 'a released lease takes no more');
  c.release();
  assert.equal(b.used, 0);
  assert.equal(b.lease().take(100), true);
});

test('limits: defaults, overrides, and bad values refused', () => {
  assert.deepEqual(resolveLimits({}), DEFAULT_LIMITS);
  assert.equal(DEFAULT_LIMITS.bodyBudgetBytes, 256 * 1024 * 1024);
  assert.equal(DEFAULT_LIMITS.maxBodyBytes, 16 * 1024 * 1024);
  assert.equal(resolveLimits({ maxConnections: 7 }).maxConnections, 7);
  assert.equal(resolveLimits({ requestTimeoutMs: 5000 }).headersTimeoutMs, 5000, 'header timeout never exceeds the request timeout');
  assert.throws(() => resolveLimits({ bodyBudgetBytes: 0 }), /bodyBudgetBytes must be a positive integer/);
  assert.throws(() => resolveLimits({ maxConnections: 1.5 }), RangeError);
});

test('flags and environment become options; flags win; bad values name the flag', () => {
  assert.deepEqual(edgeOptions({}, {}), {});
  assert.deepEqual(
    edgeOptions({ 'body-budget-mb': '64', 'headers-timeout': '2.5', 'allowed-hosts': 'a.test, *.b.test,' }, { CLOUDLET_BODY_BUDGET_MB: '1', CLOUDLET_MAX_CONNECTIONS: '9', CLOUDLET_ALLOW_CROSS_SITE: 'true' }),
    { allowedHosts: ['a.test', '*.b.test'], allowCrossSite: true, bodyBudgetBytes: 64 * 1024 * 1024, headersTimeoutMs: 2500, maxConnections: 9 },
  );
  assert.equal(edgeOptions({}, { CLOUDLET_ALLOW_CROSS_SITE: '0' }).allowCrossSite, undefined);
  assert.throws(() => edgeOptions({ 'max-connections': 'lots' }, {}), /--max-connections \(CLOUDLET_MAX_CONNECTIONS\) must be a positive number, got "lots"/);
  assert.throws(() => edgeOptions({}, { CLOUDLET_BODY_TIMEOUT: '-1' }), /--body-timeout/);
});

test('signature shape: what SDKs send counts, anything else gets the small unsigned cap', () => {
  const sig = 'a'.repeat(64).replace(/a/g, '0');
  assert.equal(looksSigned({ authorization: `AWS4-HMAC-SHA256 Credential=test/20261204/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}` }, ''), true);
  assert.equal(looksSigned({ authorization: `AWS4-HMAC-SHA256 Credential=AKIA/20261204/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=${sig}` }, ''), true);
  assert.equal(looksSigned({}, `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20261204%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Signature=${sig}`), true);
  for (const auth of ['Bearer x', 'AWS4-HMAC-SHA256 Credential=x', `AWS test:${sig}`, `AWS4-HMAC-SHA256 Credential=test/2026/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=${sig}`]) {
    assert.equal(looksSigned({ authorization: auth }, ''), false, auth);
  }
  assert.equal(looksSigned({}, 'X-Amz-Signature=zz'), false);
  assert.equal(bodyCap(DEFAULT_LIMITS, true), 16 * 1024 * 1024);
  assert.equal(bodyCap(DEFAULT_LIMITS, false), 1024 * 1024);
  assert.equal(bodyCap({ ...DEFAULT_LIMITS, maxBodyBytes: 1000 }, false), 1000);
});

test('over budget: S3 says SlowDown, the others ServiceUnavailable, both 503 with the reason', () => {
  const b = new BodyBudget(256 * 1024 * 1024);
  b.lease().take(200 * 1024 * 1024);
  const s3 = overloaded(true, b);
  assert.equal(s3.code, 'SlowDown');
  assert.equal(s3.status, 503);
  assert.match(s3.message, /^Please reduce your request rate\./);
  assert.match(s3.message, /holds 200 MiB .* limit is 256 MiB/);
  const q = overloaded(false, b);
  assert.equal(q.code, 'ServiceUnavailable');
  assert.equal(q.status, 503);
  assert.equal(q.sender, false);
});
