import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { crossSiteRequest } from '../../server/guard.js';
import { createMemoryStore } from '../../store/memory.js';
import { putConfig } from './buckets.js';
import { CORS_CONFIG, checkCors, corsDecision, corsTarget, matchCorsRule, s3CorsPolicy, wildcardMatch } from './cors.js';
import { BUCKET_KIND, BUCKET_NAME_KIND, NAME_SCOPE, ownerScope } from './records.js';

const fails = (code: string, message?: RegExp) => (e: AwsError) => e.code === code && (message === undefined || message.test(e.message));

test('CORS configuration: methods S3 knows, at most one wildcard, 1 to 100 rules', () => {
  const rule = { AllowedMethods: ['GET'], AllowedOrigins: ['*'] };
  assert.deepEqual(checkCors([{ ...rule, MaxAgeSeconds: 5, ID: 'a' }]), { CORSRules: [{ ...rule, MaxAgeSeconds: 5, ID: 'a' }] });
  assert.throws(() => checkCors(undefined), fails('MalformedXML'));
  assert.throws(() => checkCors([]), fails('MalformedXML'));
  checkCors(Array.from({ length: 100 }, () => rule));
  assert.throws(() => checkCors(Array.from({ length: 101 }, () => rule)), fails('MalformedXML'));
  assert.throws(() => checkCors([{ AllowedOrigins: ['*'] } as never]), fails('MalformedXML'));
  assert.throws(() => checkCors([{ AllowedMethods: [], AllowedOrigins: ['*'] }]), fails('MalformedXML'));
  assert.throws(() => checkCors([{ AllowedMethods: ['GET'] } as never]), fails('MalformedXML'));
  for (const m of ['PATCH', 'OPTIONS', 'get', '*']) {
    assert.throws(() => checkCors([{ AllowedMethods: [m], AllowedOrigins: ['*'] }]), fails('InvalidRequest', new RegExp(`Unsupported method is \\${m[0]}`)));
  }
  for (const m of ['GET', 'PUT', 'POST', 'DELETE', 'HEAD']) checkCors([{ AllowedMethods: [m], AllowedOrigins: ['*'] }]);
  assert.throws(() => checkCors([{ ...rule, AllowedOrigins: ['http://*.*.example.com'] }]), fails('InvalidRequest', /can not have more than one wildcard/));
  assert.throws(() => checkCors([{ ...rule, AllowedHeaders: ['x-*-*'] }]), fails('InvalidRequest', /AllowedHeader/));
  assert.throws(() => checkCors([{ ...rule, ExposeHeaders: ['*'] }]), fails('InvalidRequest', /ExposeHeader/));
  assert.throws(() => checkCors([{ ...rule, MaxAgeSeconds: -1 }]), fails('MalformedXML'));
});

test('origins and headers match with one wildcard; headers ignore case, origins do not', () => {
  assert.ok(wildcardMatch('*', 'https://a.example'));
  assert.ok(wildcardMatch('https://*.example.com', 'https://app.example.com'));
  assert.ok(!wildcardMatch('https://*.example.com', 'https://example.com'));
  assert.ok(!wildcardMatch('https://*.example.com', 'http://app.example.com'));
  assert.ok(wildcardMatch('x-amz-*', 'x-amz-date'));
  assert.ok(!wildcardMatch('ab*ba', 'aba'), 'head and tail may not overlap');
  const rules = [
    { ID: 'put', AllowedMethods: ['PUT'], AllowedOrigins: ['https://up.example'], AllowedHeaders: ['Content-Type', 'x-amz-*'] },
    { ID: 'get', AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
  ];
  const ask = (origin: string, method: string, requestHeaders: string[] = [], preflight = true) => matchCorsRule(rules, { origin, method, requestHeaders, preflight })?.ID;
  assert.equal(ask('https://up.example', 'PUT', ['content-type', 'x-amz-date']), 'put');
  assert.equal(ask('https://UP.example', 'PUT'), undefined);
  assert.equal(ask('https://up.example', 'PUT', ['authorization']), undefined);
  assert.equal(ask('https://other.example', 'GET'), 'get');
  assert.equal(ask('https://other.example', 'GET', ['x-custom']), undefined, 'a rule without AllowedHeaders grants no request headers');
  assert.equal(ask('https://other.example', 'GET', ['x-custom'], false), 'get', 'actual requests are not asked about headers');
  assert.equal(ask('https://other.example', 'DELETE'), undefined);
});

test('the bucket and key come from the path or a virtual-hosted Host', () => {
  assert.deepEqual(corsTarget('127.0.0.1:4566', '/bkt/a%20b/c'), { bucket: 'bkt', key: 'a b/c' });
  assert.deepEqual(corsTarget('localhost', '/bkt'), { bucket: 'bkt', key: '' });
  assert.deepEqual(corsTarget('bkt.s3.localhost:4566', '/obj'), { bucket: 'bkt', key: 'obj' });
  assert.equal(corsTarget('localhost', '/'), undefined);
  assert.equal(corsTarget('localhost', '/%zz'), undefined);
});

test('decisions: grants from the first matching rule, S3 refusals for preflights, nothing for actual requests', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    for (const name of ['open', 'closed']) {
      tx.put(NAME_SCOPE, BUCKET_NAME_KIND, name, { account: '111111111111', region: 'us-east-1' });
      tx.put(ownerScope('111111111111'), BUCKET_KIND, name, { name, region: 'us-east-1', createdAt: '', seq: 0 });
    }
    putConfig(tx, '111111111111', 'open', CORS_CONFIG, { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://app.example'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 }] });
  });
  const preflight = (path: string, origin: string, method: string, headers = '') =>
    crossSiteRequest('OPTIONS', 'localhost', path, { origin, 'access-control-request-method': method, 'access-control-request-headers': headers });
  const policy = s3CorsPolicy(store);
  assert.deepEqual(await policy(preflight('/open/k', 'https://app.example', 'PUT', 'Content-Type, X-Amz-Date')), {
    allowedMethods: ['GET', 'PUT'], allowedHeaders: ['content-type', 'x-amz-date'], exposeHeaders: ['ETag'], maxAgeSeconds: 60,
  });
  await assert.rejects(async () => policy(preflight('/open/k', 'https://evil.example', 'GET')),
    (e: AwsError) => e.code === 'AccessForbidden' && e.status === 403 && /This CORS request is not allowed/.test(e.message) && e.fields.ResourceType === 'OBJECT' && e.fields.Method === 'GET');
  await assert.rejects(async () => policy(preflight('/closed', 'https://app.example', 'GET')),
    (e: AwsError) => e.code === 'AccessForbidden' && /CORS is not enabled for this bucket/.test(e.message) && e.fields.ResourceType === 'BUCKET');
  await assert.rejects(async () => policy(preflight('/nobucket/k', 'https://app.example', 'GET')), fails('AccessForbidden', /Bucket not found/));
  // Actual requests: a grant, or none (the server then refuses the cross-site request itself).
  const actual = (path: string, origin: string, method = 'GET') => store.transaction((tx) => corsDecision(tx, crossSiteRequest(method, 'localhost', path, { origin })));
  assert.deepEqual((await actual('/open/k', 'https://app.example'))?.exposeHeaders, ['ETag']);
  assert.equal(await actual('/open/k', 'https://evil.example'), undefined);
  assert.equal(await actual('/open/k', 'https://app.example', 'DELETE'), undefined);
  assert.equal(await actual('/closed/k', 'https://app.example'), undefined);
  assert.equal(await actual('/', 'https://app.example'), undefined);
});
