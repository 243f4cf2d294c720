import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corsHeaders, createGuard, crossSiteRequest, hostRefusal, isPreflight, isServedName, preflightHeaders, siteOf } from './guard.js';

const g = createGuard({}, '127.0.0.1');

test('Host: loopback names and addresses, *.localhost and LocalStack names are served, any port', () => {
  for (const h of [
    'localhost', 'localhost:4566', '127.0.0.1:4566', '127.0.0.2', '[::1]:4566', '[::1]', 'LOCALHOST:4566',
    'bucket.s3.localhost:4566', 'my.bucket.localhost:4566', '000000000000.dkr.ecr.us-east-1.localhost:4566',
    'localhost.localstack.cloud:4566', 's3.localhost.localstack.cloud', 'localhost.:4566',
  ]) assert.equal(hostRefusal(g, h), undefined, h);
  // No Host at all: only HTTP/1.0 can do that; no browser does.
  assert.equal(hostRefusal(g, undefined), undefined);
});

test('Host: foreign names are refused (DNS rebinding), with a message naming the host and the flag', () => {
  for (const h of ['evil.example:4566', 'evil.example', 'localhost.evil.example', 'evillocalhost', '10.0.0.5:4566', '[::2]:4566', 's3.amazonaws.com']) {
    const why = hostRefusal(g, h);
    assert.ok(why, h);
    assert.match(why!, /--allowed-hosts/);
  }
  assert.match(hostRefusal(g, 'evil.example:4566')!, /"evil\.example"/);
  // Not a host name at all.
  for (const h of ['', 'a b', 'localhost:port', 'user@localhost', 'localhost/x']) assert.match(hostRefusal(g, h)!, /not a host name|does not serve/, JSON.stringify(h));
});

test('Host: --host and --allowed-hosts (exact, *.suffix, .suffix, with or without port) are served', () => {
  const g2 = createGuard({ allowedHosts: ['dev.example.test', '*.apps.test', '.corp.test', 'box:8080', 'fe80::1'] }, '192.168.7.7');
  for (const h of ['dev.example.test:4566', 'a.apps.test', 'x.y.corp.test:1', 'box:4566', '192.168.7.7:4566', '[fe80::1]:4566']) assert.equal(hostRefusal(g2, h), undefined, h);
  for (const h of ['apps.test', 'corp.test', 'example.test', 'other.dev.example.test', '192.168.7.8']) assert.ok(hostRefusal(g2, h), h);
});

test('Host: a server bound to every address serves any IP literal, still no foreign names', () => {
  const wide = createGuard({}, '0.0.0.0');
  assert.equal(hostRefusal(wide, '10.1.2.3:4566'), undefined);
  assert.equal(hostRefusal(wide, '[fd00::5]:4566'), undefined);
  assert.ok(hostRefusal(wide, 'evil.example:4566'));
});

test('Origin: pages on this machine (any port) are same-machine; other sites, null and odd schemes are cross-site', () => {
  for (const o of ['http://localhost:3000', 'https://localhost', 'http://127.0.0.1:8080', 'http://[::1]:5173', 'http://app.localhost:3000']) {
    assert.deepEqual(siteOf(g, { origin: o }), { cross: false, origin: o }, o);
  }
  for (const o of ['http://evil.example', 'https://localhost.evil.example', 'null', 'file://', 'chrome-extension://abc', 'not a url', 'http://10.0.0.5']) {
    const v = siteOf(g, { origin: o, 'sec-fetch-site': 'same-origin' });
    assert.equal(v.cross, true, o);
  }
  assert.match((siteOf(g, { origin: 'null' }) as { reason: string }).reason, /null/);
  assert.match((siteOf(g, { origin: 'http://evil.example' }) as { reason: string }).reason, /http:\/\/evil\.example/);
});

test('Sec-Fetch-Site: cross-site without Origin is cross-site; the other values and no headers are not', () => {
  assert.equal(siteOf(g, { 'sec-fetch-site': 'cross-site' }).cross, true);
  assert.equal(siteOf(g, { 'sec-fetch-site': 'Cross-Site ' }).cross, true);
  for (const v of ['same-origin', 'same-site', 'none']) assert.deepEqual(siteOf(g, { 'sec-fetch-site': v }), { cross: false });
  // CLI, SDKs, curl: neither header.
  assert.deepEqual(siteOf(g, {}), { cross: false });
  // A served Origin wins over the fetch metadata (127.0.0.1:3000 -> localhost:4566 is cross-site to the browser).
  assert.equal(siteOf(g, { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'cross-site' }).cross, false);
});

test('--allow-cross-site serves every origin (CORS headers echo it) but keeps the Host check', () => {
  const open = createGuard({ allowCrossSite: true }, '127.0.0.1');
  assert.deepEqual(siteOf(open, { origin: 'http://evil.example' }), { cross: false, origin: 'http://evil.example' });
  assert.deepEqual(siteOf(open, { 'sec-fetch-site': 'cross-site' }), { cross: false });
  assert.ok(hostRefusal(open, 'evil.example'));
});

test('allowed hosts count as same-machine origins too', () => {
  const g2 = createGuard({ allowedHosts: ['*.dev.test'] }, '127.0.0.1');
  assert.equal(siteOf(g2, { origin: 'https://ui.dev.test:8443' }).cross, false);
  assert.equal(siteOf(g2, { origin: 'https://dev.test' }).cross, true);
  assert.equal(isServedName(g2, 'x.dev.test'), true);
});

test('preflight detection and answers', () => {
  const h = { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-amz-date,content-type,amz-sdk-invocation-id' };
  assert.equal(isPreflight('OPTIONS', h), true);
  assert.equal(isPreflight('OPTIONS', { origin: 'http://localhost:3000' }), false);
  assert.equal(isPreflight('GET', h), false);
  const p = preflightHeaders('http://localhost:3000', h);
  assert.equal(p['access-control-allow-origin'], 'http://localhost:3000');
  assert.equal(p['access-control-allow-headers'], h['access-control-request-headers']);
  assert.match(p['access-control-allow-methods']!, /POST/);
  assert.match(p.vary!, /Origin/);
  assert.equal(p['access-control-allow-private-network'], undefined);
  assert.equal(preflightHeaders('http://localhost:3000', { ...h, 'access-control-request-private-network': 'true' })['access-control-allow-private-network'], 'true');
  const grant = { allowedMethods: ['GET'], allowedHeaders: ['x-a'], exposeHeaders: ['etag'], maxAgeSeconds: 5 };
  const pg = preflightHeaders('http://o.test', h, grant);
  assert.equal(pg['access-control-allow-methods'], 'GET');
  assert.equal(pg['access-control-allow-headers'], 'x-a');
  assert.equal(pg['access-control-max-age'], '5');
  assert.equal(corsHeaders('http://o.test', grant)['access-control-expose-headers'], 'etag');
  assert.match(corsHeaders('http://localhost:3000')['access-control-expose-headers']!, /x-amzn-requestid/);
  const c = crossSiteRequest('OPTIONS', 'b.s3.localhost', '/k', h);
  assert.deepEqual(c, {
    origin: 'http://localhost:3000', method: 'POST', preflight: true, host: 'b.s3.localhost', path: '/k',
    requestHeaders: ['authorization', 'x-amz-date', 'content-type', 'amz-sdk-invocation-id'],
  });
});
