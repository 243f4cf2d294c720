// SigV4: requests and presigned URLs signed by the official SDK signer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildQueryString, escapeUri } from '@smithy/core/protocols';
import { NOW, MIN, CREDS, type SdkRequest, signer, sdkHttpRequest, toWire, sign, presign, check, expectFailure, withHeader, hex } from './sigv4-testkit.js';

describe('requests signed by the official SDK signer', () => {
  const nonS3: Array<[string, SdkRequest]> = [
    ['plain GET', { method: 'GET', path: '/', query: { Action: 'ListUsers', Version: '2010-05-08' } }],
    ['spaces, plus, unicode in query', { method: 'GET', path: '/', query: { 'a b': 'c d', plus: '1+1=2', uni: 'héllo wörld ✓ 🚀', 'ключ': 'значение' } }],
    ['repeated keys, out of order', { method: 'GET', path: '/', query: { tag: ['z', 'a', 'M', 'a b', ''], x: '1' } }],
    ['empty values', { method: 'GET', path: '/', query: { empty: '', other: 'v', z: '' } }],
    ['reserved characters', { method: 'GET', path: '/', query: { "!*'();:@&=+$,/?#[]": "!*'();:@&=+$,/?#[] ~-._", '%': '%25%' } }],
    ['keys differing only by case and punctuation', { method: 'GET', path: '/', query: { a: '1', A: '2', 'a-b': '3', a_b: '4', 'a.b': '5', 'a~b': '6' } }],
    ['encoded path characters (double encoding)', { method: 'GET', path: '/a%20b/c%2Fd/%C3%A9/~user/%7Etilde', query: {} }],
    ['dot segments and empty segments', { method: 'GET', path: '/foo/./bar/../baz//qux/', query: {} }],
    ['path with reserved characters', { method: 'DELETE', path: "/2015-03-31/functions/my%3Afunc/policy/%21%2A%27%28%29", query: { Qualifier: '$LATEST' } }],
    ['JSON POST', { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{"Limit":5}' }],
    ['form POST', { method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=CreateUser&UserName=b%C3%B6b&Path=%2Fa%2Fb%2F&Version=2010-05-08' }],
    ['binary body', { method: 'PUT', path: '/blob', body: Buffer.from([0, 1, 2, 255, 254, 0x0d, 0x0a]) }],
    ['headers with extra whitespace', { method: 'GET', path: '/', headers: { 'x-amz-meta-a': 'one   two\t three', 'x-custom': 'a  b', 'content-type': 'text/plain;   charset=utf-8' } }],
  ];
  for (const [name, req] of nonS3) {
    for (const applyChecksum of [true, false]) {
      test(`${name} (non-S3, x-amz-content-sha256 ${applyChecksum ? 'sent' : 'absent'})`, async () => {
        const wire = await sign(req, { applyChecksum });
        const r = check(wire);
        assert.equal(r.accessKeyId, 'AKIDROOT');
        assert.equal(r.credential, CREDS.AKIDROOT);
        assert.equal(r.payloadHash, hex(wire.body));
        // Any change to what was signed breaks the signature.
        expectFailure(() => check({ ...wire, method: wire.method === 'GET' ? 'HEAD' : 'GET' }), 'signature');
        expectFailure(() => check({ ...wire, path: `${wire.path}x` }), 'signature');
        expectFailure(() => check({ ...wire, query: wire.query ? `${wire.query}&extra=1` : 'extra=1' }), 'signature');
        expectFailure(() => check(withHeader(wire, 'host', 'evil.example.com')), 'signature');
        if (wire.body.length > 0) {
          const tampered = Buffer.from(wire.body);
          tampered[0] = (tampered[0] as number) ^ 1;
          expectFailure(() => check({ ...wire, body: tampered }), applyChecksum ? 'payload-hash' : 'signature');
        }
      });
    }
  }

  // Header whitespace as a client may send it: the verifier canonicalises the value as received.
  test('header value whitespace runs are collapsed when verifying', async () => {
    const wire = await sign({ method: 'GET', path: '/', headers: { 'x-amz-meta-a': 'one two three' } });
    check(withHeader(wire, 'x-amz-meta-a', 'one \t two   three'));
    expectFailure(() => check(withHeader(wire, 'x-amz-meta-a', 'onetwo three')), 'signature');
  });

  const s3Keys = ['plain.txt', 'a b/c+d', 'é/ü/日本語', "~!*'()", 'with%percent', 'a//double', 'dots/./and/../kept', 'sp ace/', 'q?x=1&y#z'];
  for (const key of s3Keys) {
    test(`S3 object key ${JSON.stringify(key)}`, async () => {
      const path = `/bucket/${key.split('/').map(escapeUri).join('/')}`;
      const wire = await sign({ method: 'PUT', path, headers: { 'content-type': 'text/plain', 'x-amz-meta-k': 'v' }, body: 'data' }, { s3: true });
      const r = check(wire, { s3: true });
      assert.equal(r.service, 's3');
      assert.equal(r.payloadHash, hex('data'));
      // S3 paths are neither normalised nor double-encoded: the non-S3 rules must not match.
      if (/%|\/\.|\/\//.test(path)) expectFailure(() => check(wire, { s3: false }), 'signature');
      expectFailure(() => check({ ...wire, path: path.replace('bucket', 'other') }, { s3: true }), 'signature');
    });
  }

  test('S3 sub-resources and list parameters', async () => {
    const queries: Array<Record<string, string>> = [{ uploads: '' }, { 'list-type': '2', prefix: 'a b/', delimiter: '/', 'continuation-token': 'x+y/z=' }, { acl: '' }, { versionId: 'v1', 'response-content-disposition': 'attachment; filename="a b.txt"' }];
    for (const query of queries) {
      const wire = await sign({ method: 'GET', path: '/bucket', query }, { s3: true });
      check(wire, { s3: true });
    }
  });

  test('x-amz-content-sha256 variants on S3', async () => {
    const unsigned = await sign({ method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'anything' }, { s3: true });
    assert.equal(check(unsigned, { s3: true }).payloadHash, 'UNSIGNED-PAYLOAD');
    assert.equal(check(unsigned, { s3: true }).chunked, undefined);
    for (const [marker, mode] of [
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'signed'],
      ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'signed-trailer'],
      ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'unsigned-trailer'],
    ] as const) {
      const wire = await sign({ method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': marker, 'content-encoding': 'aws-chunked' } }, { s3: true });
      assert.equal(check(wire, { s3: true }).chunked, mode);
    }
    const bogus = await sign({ method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': 'not-a-hash' } }, { s3: true });
    expectFailure(() => check(bogus, { s3: true }), 'payload-hash');
    const wrong = await sign({ method: 'PUT', path: '/b/k', headers: { 'x-amz-content-sha256': hex('other') }, body: 'data' }, { s3: true });
    expectFailure(() => check(wrong, { s3: true }), 'payload-hash');
    // A streamed body (empty buffer) cannot be checked here: the caller hashes the stream.
    check({ ...wrong, body: Buffer.alloc(0) }, { s3: true });
  });

  test('property: any query, header value and path segment the SDK signs verifies', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(text.filter((k) => k.length > 0 && k !== '__proto__'), fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 5 }),
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
        fc.array(text.filter((s) => s.length > 0), { maxLength: 3 }),
        fc.boolean(),
        async (query, headerValue, segments, s3) => {
          const path = `/${segments.map(escapeUri).join('/')}`;
          const value = headerValue.replace(/[\r\n]/g, ' ');
          const wire = await sign({ method: 'POST', path, query, headers: { 'x-amz-meta-v': value }, body: 'b' }, { s3 });
          // Node's HTTP parser drops a header value's leading and trailing whitespace.
          const received = withHeader(wire, 'x-amz-meta-v', value.trim());
          check(received, { s3 });
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('presigned URLs', () => {
  // As the S3 presigner prepares it: the UNSIGNED-PAYLOAD marker is hoisted into the URL.
  const get: SdkRequest = {
    method: 'GET',
    path: '/bucket/some%20key',
    query: { 'x-id': 'GetObject', 'response-content-type': 'text/plain' },
    headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  };

  test('valid S3 presigned URL, through its whole lifetime', async () => {
    const wire = await presign(get, { s3: true, expiresIn: 3600 });
    assert.match(wire.query, /x-amz-content-sha256=UNSIGNED-PAYLOAD/i);
    for (const t of [NOW - 14 * MIN, NOW, NOW + 3599_000, NOW + 3600_000]) {
      const r = check(wire, { s3: true, nowMs: t });
      assert.equal(r.presigned, true);
      assert.equal(r.payloadHash, 'UNSIGNED-PAYLOAD');
    }
    expectFailure(() => check(wire, { s3: true, nowMs: NOW + 3601_000 }), 'presign-expired');
    expectFailure(() => check(wire, { s3: true, nowMs: NOW - 16 * MIN }), 'skew');
  });

  test('S3 presigned URL signed without a payload-hash parameter defaults to UNSIGNED-PAYLOAD', async () => {
    const s = signer({ s3: true });
    const req = sdkHttpRequest(get);
    // What botocore does: the payload hash is UNSIGNED-PAYLOAD but not placed in the URL.
    const signed = await s.presign(req, {
      signingDate: new Date(NOW),
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
    });
    assert.doesNotMatch(buildQueryString(signed.query ?? {}), /content-sha256/i);
    const wire = withHeader(toWire(signed, undefined), 'x-amz-content-sha256', undefined);
    check(wire, { s3: true });
  });

  test('presigned PUT body is not covered', async () => {
    const wire = await presign({ method: 'PUT', path: '/bucket/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { s3: true });
    check({ ...wire, body: Buffer.from('whatever the holder uploads') }, { s3: true });
  });

  test('non-S3 presigned request (STS GetCallerIdentity, as EKS tokens use)', async () => {
    const wire = await presign({ method: 'GET', path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { 'x-k8s-aws-id': 'cluster' } }, { service: 'sts', expiresIn: 60 });
    const r = check(wire);
    assert.equal(r.service, 'sts');
    assert.deepEqual(r.signedHeaders, ['host', 'x-k8s-aws-id']);
    expectFailure(() => check(withHeader(wire, 'x-k8s-aws-id', 'other')), 'signature');
    expectFailure(() => check(wire, { nowMs: NOW + 61_000 }), 'presign-expired');
  });

  test('tampered presigned URLs', async () => {
    const wire = await presign(get, { s3: true });
    const cases = [
      wire.query.replace('response-content-type=text%2Fplain', 'response-content-type=text%2Fhtml'),
      wire.query.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=3600'),
      `${wire.query}&extra=1`,
      wire.query.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`),
      wire.query.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=deadbeef'),
    ];
    for (const query of cases) expectFailure(() => check({ ...wire, query }, { s3: true }), 'signature');
    expectFailure(() => check({ ...wire, path: '/bucket/other' }, { s3: true }), 'signature');
    expectFailure(() => check({ ...wire, method: 'PUT' }, { s3: true }), 'signature');
  });

  test('bad X-Amz-Expires values', async () => {
    const wire = await presign(get, { s3: true });
    for (const bad of ['0', '604801', '-1', '1.5', 'abc', '', '99999999', '1e3']) {
      const query = wire.query.replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${bad}`);
      expectFailure(() => check({ ...wire, query }, { s3: true }), 'presign-bad-expires');
    }
    const missing = wire.query.replace(/&?X-Amz-Expires=\d+/, '');
    expectFailure(() => check({ ...wire, query: missing }, { s3: true }), 'malformed');
  });

  test('presigned with a session token', async () => {
    const token = CREDS.ASIATEMP!.sessionToken!;
    const wire = await presign(get, { s3: true, accessKeyId: 'ASIATEMP', sessionToken: token });
    assert.match(wire.query, /X-Amz-Security-Token=/);
    check(wire, { s3: true });
    const other = wire.query.replace(/X-Amz-Security-Token=[^&]+/, 'X-Amz-Security-Token=nope');
    expectFailure(() => check({ ...wire, query: other }, { s3: true }), 'token-invalid');
    const none = wire.query.replace(/&?X-Amz-Security-Token=[^&]+/, '');
    expectFailure(() => check({ ...wire, query: none }, { s3: true }), 'token-missing');
  });

  test('header auth and presigned parameters together are refused', async () => {
    const wire = await presign(get, { s3: true });
    const header = await sign(get, { s3: true });
    expectFailure(() => check(withHeader(wire, 'authorization', header.headers.authorization), { s3: true }), 'malformed');
  });
});

// ---------------------------------------------------------------------------------------------
