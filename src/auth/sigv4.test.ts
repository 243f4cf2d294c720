// SigV4: credentials, time and tokens; malformed authentication; parseAuth.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { WireRequest } from '../protocol/codec.js';
import { type Credential } from './principal.js';
import { SigV4Error, parseAuth } from './sigv4.js';
import { NOW, MIN, SECRET, CREDS, type SdkRequest, sign, presign, check, expectFailure, withHeader, hex } from './sigv4-testkit.js';

describe('credentials, time and tokens', () => {
  const req: SdkRequest = { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' };

  test('wrong secret -> signature, with the canonical request for debugging', async () => {
    const wire = await sign(req, { secretAccessKey: 'not-the-secret', service: 'sts' });
    assert.throws(
      () => check(wire),
      (e: unknown) => e instanceof SigV4Error && e.failure === 'signature' && !!e.details?.canonicalRequest.startsWith('POST\n/\n') && !e.message.includes(SECRET),
    );
  });

  test('unknown and inactive keys', async () => {
    const nobody = await sign(req, { accessKeyId: 'AKIDNOBODY' });
    expectFailure(() => check(nobody), 'unknown-key');
    const off = await sign(req, { accessKeyId: 'AKIDOFF' });
    expectFailure(() => check(off), 'inactive-key');
  });

  test('clock skew both ways', async () => {
    for (const [offset, ok] of [[-14 * MIN, true], [14 * MIN, true], [-16 * MIN, false], [16 * MIN, false], [-24 * 60 * MIN, false]] as const) {
      const wire = await sign(req, { date: NOW + offset });
      if (ok) check(wire);
      else expectFailure(() => check(wire), 'skew');
    }
  });

  test('a fast-forwarded cloudlet clock: skew is judged by the wall clock, expiry by the cloudlet clock', async () => {
    const later = NOW + 2 * 60 * MIN;
    const token = CREDS.ASIATEMP!.sessionToken!;
    const plain = await sign(req);
    check(plain, { nowMs: later, realNowMs: NOW });
    expectFailure(() => check(plain, { nowMs: later }), 'skew');
    const temp = await sign(req, { accessKeyId: 'ASIATEMP', sessionToken: token });
    check(temp, { nowMs: NOW + 59 * MIN, realNowMs: NOW });
    expectFailure(() => check(temp, { nowMs: later, realNowMs: NOW }), 'expired-token');
    const url = await presign({ method: 'GET', path: '/b/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true, expiresIn: 3600 });
    check(url, { s3: true, nowMs: NOW + 59 * MIN, realNowMs: NOW });
    expectFailure(() => check(url, { s3: true, nowMs: later, realNowMs: NOW }), 'presign-expired');
  });

  test('region validator', async () => {
    const wire = await sign(req, { region: 'mars-north-1' });
    expectFailure(() => check(wire, { isValidRegion: (r) => r.startsWith('us-') }), 'bad-region');
    assert.equal(check(wire, { isValidRegion: (r) => r === 'mars-north-1' }).region, 'mars-north-1');
  });

  test('session tokens', async () => {
    const token = CREDS.ASIATEMP!.sessionToken!;
    const good = await sign(req, { accessKeyId: 'ASIATEMP', sessionToken: token });
    assert.ok(good.headers.authorization?.includes('x-amz-security-token'));
    assert.equal(check(good).credential.principal.kind, 'assumed-role');
    // Unsigned token header, so the signature would still match: the token check must catch it.
    const unsignedToken = await sign(req, { accessKeyId: 'ASIATEMP' });
    expectFailure(() => check(unsignedToken), 'token-missing');
    expectFailure(() => check(withHeader(unsignedToken, 'x-amz-security-token', `${token}x`)), 'token-invalid');
    const wrong = await sign(req, { accessKeyId: 'ASIATEMP', sessionToken: 'wrong' });
    expectFailure(() => check(wrong), 'token-invalid');
    // A permanent key presenting a token.
    const stray = await sign(req, { sessionToken: 'stray' });
    expectFailure(() => check(stray), 'token-invalid');
    const old = await sign(req, { accessKeyId: 'ASIAOLD', sessionToken: 'old-token' });
    expectFailure(() => check(old), 'expired-token');
  });

  test('signature in upper-case hex or wrong length is a mismatch, not a crash', async () => {
    const wire = await sign(req);
    const auth = wire.headers.authorization as string;
    const sig = /Signature=([0-9a-f]+)/.exec(auth)![1]!;
    check(withHeader(wire, 'authorization', auth.replace(/,\s*/g, ',')));
    expectFailure(() => check(withHeader(wire, 'authorization', auth.replace(sig, sig.toUpperCase()))), 'signature');
    expectFailure(() => check(withHeader(wire, 'authorization', auth.replace(sig, sig.slice(2)))), 'signature');
    expectFailure(() => check(withHeader(wire, 'authorization', auth.replace(sig, `${sig}00`))), 'signature');
  });

  test('missing authentication', () => {
    const wire: WireRequest = { method: 'GET', path: '/', query: 'Action=ListUsers', headers: { host: 'localhost' }, body: Buffer.alloc(0), host: 'localhost' };
    expectFailure(() => check(wire), 'missing');
    assert.equal(parseAuth(wire), undefined);
  });
});

// ---------------------------------------------------------------------------------------------

describe('malformed authentication', () => {
  const base = (authorization: string, extra: Record<string, string> = { 'x-amz-date': '20240501T120000Z' }): WireRequest => ({
    method: 'GET',
    path: '/',
    query: '',
    headers: { host: 'localhost', ...extra, authorization },
    body: Buffer.alloc(0),
    host: 'localhost',
  });
  const SIG = 'a'.repeat(64);
  const CRED = 'AKIDROOT/20240501/us-east-1/iam/aws4_request';
  const malformedHeaders = [
    '',
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    `AWS AKIDROOT:${SIG}`,
    `AWS4-ECDSA-P256-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`,
    `aws4-hmac-sha256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host`,
    `AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=x-amz-date, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=Host;x-amz-date, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;;x-amz-date, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}, Extra=1`,
    `AWS4-HMAC-SHA256 Credential=${CRED} SignedHeaders=host Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/20240501/us-east-1/iam, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/20240501/us-east-1/iam/aws4_request/x, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/20240501/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/2024-05-01/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=/20240501/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/20240501//iam/aws4_request, SignedHeaders=host, Signature=${SIG}`,
    `AWS4-HMAC-SHA256 Credential=AKIDROOT/20240502/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=${SIG}`,
  ];
  for (const h of malformedHeaders) {
    test(`malformed: ${JSON.stringify(h.slice(0, 90))}`, () => {
      expectFailure(() => check(base(h)), 'malformed');
      assert.equal(parseAuth(base(h)), undefined);
    });
  }

  test('signed header names that are Object.prototype members are just absent headers', () => {
    const h = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=__proto__;constructor;host;tostring, Signature=${SIG}`;
    expectFailure(() => check(base(h)), 'signature');
  });

  test('bad or missing dates', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=${SIG}`;
    for (const extra of [{}, { 'x-amz-date': '2024-05-01T12:00:00Z' }, { 'x-amz-date': '20240532T120000Z' }, { 'x-amz-date': '20240501T250000Z' }, { 'x-amz-date': '' }, { date: 'yesterday' }]) {
      expectFailure(() => check(base(auth, extra as Record<string, string>)), 'malformed');
    }
    // A Date header is accepted when x-amz-date is absent.
    expectFailure(() => check(base(auth, { date: 'Wed, 01 May 2024 12:00:00 GMT' })), 'signature');
  });

  test('malformed presigned parameters', () => {
    const q = (query: string): WireRequest => ({ method: 'GET', path: '/', query, headers: { host: 'localhost' }, body: Buffer.alloc(0), host: 'localhost' });
    const ok = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CRED)}&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
    expectFailure(() => check(q(ok)), 'signature');
    for (const bad of [
      ok.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'),
      ok.replace(/X-Amz-Credential=[^&]+&/, ''),
      ok.replace(/X-Amz-Date=[^&]+&/, ''),
      ok.replace(/X-Amz-SignedHeaders=[^&]+&/, ''),
      ok.replace(/&X-Amz-Signature=[^&]+/, ''),
      ok.replace('X-Amz-Date=20240501T120000Z', 'X-Amz-Date=20240502T120000Z'),
      ok.replace('X-Amz-Date=20240501T120000Z', 'X-Amz-Date=garbage'),
      ok.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=x-amz-date'),
      `${ok}&X-Amz-Signature=${SIG}`,
      `${ok}&X-Amz-Credential=x`,
      ok.replace(encodeURIComponent(CRED), '%E0%A4%A'),
    ]) {
      expectFailure(() => check(q(bad)), 'malformed');
    }
    expectFailure(() => check(q('X-Amz-Signature=abc')), 'malformed');
  });

  test('fuzz: arbitrary Authorization headers and queries only ever raise SigV4Error', () => {
    const pieces = fc.constantFrom('AWS4-HMAC-SHA256', ' ', ',', '=', '/', ';', 'Credential', 'SignedHeaders', 'Signature', 'host', 'x-amz-date', 'aws4_request', 'AKIDROOT', '20240501', 'us-east-1', 'iam', SIG, '%', '%zz', '\t', '__proto__', 'constructor', '&', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Expires', 'X-Amz-Date', 'X-Amz-SignedHeaders');
    const junk = fc.oneof(fc.string(), fc.array(pieces, { maxLength: 20 }).map((a) => a.join('')));
    fc.assert(
      fc.property(junk, junk, fc.string(), (authorization, query, path) => {
        const req: WireRequest = { method: 'GET', path, query, headers: { host: 'h', 'x-amz-date': '20240501T120000Z', authorization }, body: Buffer.alloc(0), host: 'h' };
        for (const r of [req, withHeader(req, 'authorization', undefined)]) {
          parseAuth(r);
          try {
            check(r, { s3: path.length % 2 === 0 });
            assert.fail('a junk request verified');
          } catch (e) {
            if (!(e instanceof SigV4Error)) throw e;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseAuth', () => {
  test('reads the scope of header and query authentication without crypto', async () => {
    const wire = await sign({ method: 'GET', path: '/', query: { Action: 'DescribeRegions' } }, { service: 'ec2', region: 'eu-west-3' });
    const h = parseAuth(wire)!;
    assert.equal(h.kind, 'header');
    assert.equal(h.service, 'ec2');
    assert.equal(h.region, 'eu-west-3');
    assert.equal(h.accessKeyId, 'AKIDROOT');
    assert.equal(h.date, '20240501');
    assert.equal(h.amzDate, '20240501T120000Z');
    assert.ok(h.signedHeaders.includes('host'));
    const p = parseAuth(await presign({ method: 'GET', path: '/b/k' }, { s3: true, region: 'ap-south-1', sessionToken: 't', expiresIn: 120 }))!;
    assert.equal(p.kind, 'query');
    assert.equal(p.service, 's3');
    assert.equal(p.region, 'ap-south-1');
    assert.equal(p.expires, '120');
    assert.equal(p.sessionToken, 't');
  });
});
