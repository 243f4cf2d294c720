import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString, escapeUri } from '@smithy/core/protocols';
import type { WireRequest } from '../protocol/codec.js';
import { type Credential, rootPrincipal } from './principal.js';
import { type AuthFailure, SigV4Error, parseAuth, signingKey, verify, type VerifyOptions } from './sigv4.js';

// ---------------------------------------------------------------------------------------------
// Harness: sign with the official SDK signer, hand the verifier what the wire would carry.

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const MIN = 60_000;
const SECRET = 'S3cr3t/Key+With=Chars';

const cred = (accessKeyId: string, secretAccessKey: string, extra: Partial<Credential> = {}): Credential => ({
  accessKeyId,
  secretAccessKey,
  principal: rootPrincipal('123456789012', accessKeyId),
  ...extra,
});

const CREDS: Record<string, Credential> = {
  AKIDROOT: cred('AKIDROOT', SECRET),
  AKIDOFF: cred('AKIDOFF', SECRET, { status: 'Inactive' }),
  ASIATEMP: cred('ASIATEMP', SECRET, {
    sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDH+token/with=chars',
    principal: { ...rootPrincipal('123456789012', 'ASIATEMP'), kind: 'assumed-role', expiresAt: NOW + 60 * MIN },
  }),
  ASIAOLD: cred('ASIAOLD', SECRET, {
    sessionToken: 'old-token',
    principal: { ...rootPrincipal('123456789012', 'ASIAOLD'), kind: 'assumed-role', expiresAt: NOW - 1 },
  }),
  // The AWS documentation's example keys.
  AKIDEXAMPLE: cred('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
  AKIAIOSFODNN7EXAMPLE: cred('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
};
const lookup = (id: string): Credential | undefined => (Object.prototype.hasOwnProperty.call(CREDS, id) ? CREDS[id] : undefined);

interface SdkRequest {
  method: string;
  hostname?: string;
  /** Already percent-encoded, as an SDK serializer produces it. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface SignOpts {
  service?: string;
  region?: string;
  s3?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  date?: number;
  applyChecksum?: boolean;
}

function signer(o: SignOpts): SignatureV4 {
  const credentials = {
    accessKeyId: o.accessKeyId ?? 'AKIDROOT',
    secretAccessKey: o.secretAccessKey ?? SECRET,
    ...(o.sessionToken !== undefined ? { sessionToken: o.sessionToken } : {}),
  };
  return new SignatureV4({
    credentials,
    region: o.region ?? 'us-east-1',
    service: o.service ?? (o.s3 ? 's3' : 'iam'),
    sha256: Sha256,
    uriEscapePath: !o.s3,
    ...(o.applyChecksum !== undefined ? { applyChecksum: o.applyChecksum } : {}),
  });
}

function sdkHttpRequest(r: SdkRequest): any {
  const hostname = r.hostname ?? 'localhost';
  return {
    method: r.method,
    protocol: 'http:',
    hostname,
    path: r.path,
    query: r.query ?? {},
    headers: { host: hostname, ...(r.headers ?? {}) },
    ...(r.body !== undefined ? { body: r.body } : {}),
  };
}

function toWire(signed: any, body: string | Buffer | undefined): WireRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers as Record<string, string>)) headers[k.toLowerCase()] = v;
  return {
    method: signed.method,
    path: signed.path,
    query: buildQueryString(signed.query ?? {}),
    headers,
    body: body === undefined ? Buffer.alloc(0) : Buffer.from(body),
    host: signed.hostname,
  };
}

async function sign(r: SdkRequest, o: SignOpts = {}): Promise<WireRequest> {
  const signed = await signer(o).sign(sdkHttpRequest(r), { signingDate: new Date(o.date ?? NOW) });
  return toWire(signed, r.body);
}

async function presign(r: SdkRequest, o: SignOpts & { expiresIn?: number } = {}): Promise<WireRequest> {
  const signed = await signer(o).presign(sdkHttpRequest(r), {
    signingDate: new Date(o.date ?? NOW),
    expiresIn: o.expiresIn ?? 900,
  });
  return toWire(signed, r.body);
}

const check = (req: WireRequest, o: Partial<VerifyOptions> = {}) => verify(req, { lookup, nowMs: NOW, ...o });

function expectFailure(fn: () => unknown, failure: AuthFailure): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SigV4Error, `expected SigV4Error, got ${String(e)}`);
    assert.equal(e.failure, failure, e.message);
    return true;
  });
}

const withHeader = (r: WireRequest, name: string, value: string | undefined): WireRequest => {
  const headers = { ...r.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...r, headers };
};

const hex = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------------------------------------

describe('published AWS vectors', () => {
  test('IAM ListUsers ("Create a signed AWS API request")', () => {
    const req: WireRequest = {
      method: 'GET',
      path: '/',
      query: 'Action=ListUsers&Version=2010-05-08',
      headers: {
        host: 'iam.amazonaws.com',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
      },
      body: Buffer.alloc(0),
      host: 'iam.amazonaws.com',
    };
    const r = check(req, { nowMs: Date.UTC(2015, 7, 30, 12, 36) });
    assert.equal(r.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(r.service, 'iam');
    assert.equal(r.region, 'us-east-1');
    assert.equal(r.scope, '20150830/us-east-1/iam/aws4_request');
    assert.deepEqual(r.signedHeaders, ['content-type', 'host', 'x-amz-date']);
    assert.equal(r.presigned, false);
    assert.equal(
      signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam').toString('hex'),
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
    expectFailure(() => check({ ...req, query: 'Action=ListUsers&Version=2010-05-09' }, { nowMs: Date.UTC(2015, 7, 30, 12, 36) }), 'signature');
  });

  // The SigV4 test suite (as shipped with botocore), which dates requests with the Date header.
  const suiteNow = Date.UTC(2011, 8, 9, 23, 36);
  const suite: Array<{ name: string; method: string; path: string; query?: string; headers?: Record<string, string>; body?: string; signed: string; sig: string; s3?: boolean }> = [
    { name: 'get-vanilla', method: 'GET', path: '/', signed: 'date;host', sig: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470' },
    { name: 'get-relative-relative', method: 'GET', path: '/foo/bar/../..', signed: 'date;host', sig: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470' },
    { name: 'get-slash-dot-slash', method: 'GET', path: '/./', signed: 'date;host', sig: 'b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470' },
    { name: 'get-slash-pointless-dot', method: 'GET', path: '/./foo', signed: 'date;host', sig: '910e4d6c9abafaf87898e1eb4c929135782ea25bb0279703146455745391e63a' },
    { name: 'get-utf8 (single encoding, S3 rules)', method: 'GET', path: '/%E1%88%B4', signed: 'date;host', sig: '8d6634c189aa8c75c2e51e106b6b5121bed103fdb351f7d7d4381c738823af74', s3: true },
    { name: 'get-vanilla-query-order-key-case', method: 'GET', path: '/', query: 'foo=Zoo&foo=aha', signed: 'date;host', sig: 'be7148d34ebccdc6423b19085378aa0bee970bdc61d144bd1a8c48c33079ab09' },
    { name: 'get-vanilla-query-order-value', method: 'GET', path: '/', query: 'foo=b&foo=a', signed: 'date;host', sig: 'feb926e49e382bec75c9d7dcb2a1b6dc8aa50ca43c25d2bc51143768c0875acc' },
    { name: 'get-vanilla-ut8-query', method: 'GET', path: '/', query: '%E1%88%B4=bar', signed: 'date;host', sig: '6fb359e9a05394cc7074e0feb42573a2601abc0c869a953e8c5c12e4e01f1a8c' },
    { name: 'post-header-key-sort', method: 'POST', path: '/', headers: { zoo: 'zoobar' }, signed: 'date;host;zoo', sig: 'b7a95a52518abbca0964a999a880429ab734f35ebbf1235bd79a5de87756dc4a' },
    { name: 'post-header-value-case', method: 'POST', path: '/', headers: { zoo: 'ZOOBAR' }, signed: 'date;host;zoo', sig: '273313af9d0c265c531e11db70bbd653f3ba074c1009239e8559d3987039cad7' },
    { name: 'get-header-value-trim', method: 'POST', path: '/', headers: { p: 'phfft' }, signed: 'date;host;p', sig: 'debf546796015d6f6ded8626f5ce98597c33b47b9164cf6b17b4642036fcb592' },
    { name: 'post-x-www-form-urlencoded', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'foo=bar', signed: 'content-type;date;host', sig: '5a15b22cf462f047318703b92e6f4f38884e4a7ab7b1d6426ca46a8bd1c26cbc' },
    { name: 'post-vanilla-query', method: 'POST', path: '/', query: 'foo=bar', signed: 'date;host', sig: 'b6e3b79003ce0743a491606ba1035a804593b0efb1e20a11cba83f8c25a57a92' },
  ];
  for (const v of suite) {
    test(`sigv4 test suite: ${v.name}`, () => {
      const req: WireRequest = {
        method: v.method,
        path: v.path,
        query: v.query ?? '',
        headers: {
          host: 'host.foo.com',
          date: 'Mon, 09 Sep 2011 23:36:00 GMT',
          ...(v.headers ?? {}),
          authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=${v.signed}, Signature=${v.sig}`,
        },
        body: Buffer.from(v.body ?? ''),
        host: 'host.foo.com',
      };
      const r = check(req, { nowMs: suiteNow, s3: v.s3 === true });
      assert.equal(r.amzDate, '20110909T233600Z');
      assert.equal(r.service, 'host');
      if (v.body) expectFailure(() => check({ ...req, body: Buffer.from('foo=baz') }, { nowMs: suiteNow }), 'signature');
    });
  }

  const s3Now = Date.UTC(2013, 4, 24);
  const s3Auth = (signed: string, sig: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`;
  const s3Req = (method: string, path: string, query: string, headers: Record<string, string>, body = ''): WireRequest => ({
    method,
    path,
    query,
    headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-date': '20130524T000000Z', ...headers },
    body: Buffer.from(body),
    host: 'examplebucket.s3.amazonaws.com',
  });

  test('S3 GET Object with Range (header auth example)', () => {
    const req = s3Req('GET', '/test.txt', '', {
      range: 'bytes=0-9',
      'x-amz-content-sha256': hex(''),
      authorization: s3Auth('host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
    });
    assert.equal(check(req, { nowMs: s3Now, s3: true }).service, 's3');
    expectFailure(() => check(withHeader(req, 'range', 'bytes=0-10'), { nowMs: s3Now, s3: true }), 'signature');
  });

  test('S3 PUT Object with Date header and a $ in the key (sent raw or encoded)', () => {
    const headers = {
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      authorization: s3Auth('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd'),
    };
    for (const path of ['/test%24file.text', '/test$file.text']) {
      const req = s3Req('PUT', path, '', headers, 'Welcome to Amazon S3.');
      assert.equal(check(req, { nowMs: s3Now, s3: true }).payloadHash, headers['x-amz-content-sha256']);
      expectFailure(() => check({ ...req, body: Buffer.from('Welcome to Amazon S3!') }, { nowMs: s3Now, s3: true }), 'payload-hash');
    }
  });

  test('S3 GET Bucket lifecycle and ListObjects (sub-resource and query examples)', () => {
    const base = { 'x-amz-content-sha256': hex('') };
    const lifecycle = s3Req('GET', '/', 'lifecycle', {
      ...base,
      authorization: s3Auth('host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'),
    });
    check(lifecycle, { nowMs: s3Now, s3: true });
    const list = s3Req('GET', '/', 'max-keys=2&prefix=J', {
      ...base,
      authorization: s3Auth('host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'),
    });
    check(list, { nowMs: s3Now, s3: true });
    expectFailure(() => check({ ...list, query: 'max-keys=3&prefix=J' }, { nowMs: s3Now, s3: true }), 'signature');
  });

  test('S3 presigned GET (query-string auth example)', () => {
    const req: WireRequest = {
      method: 'GET',
      path: '/test.txt',
      query:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: 'examplebucket.s3.amazonaws.com' },
      body: Buffer.alloc(0),
      host: 'examplebucket.s3.amazonaws.com',
    };
    const r = check(req, { nowMs: s3Now + 3600_000, s3: true });
    assert.equal(r.presigned, true);
    assert.equal(r.payloadHash, 'UNSIGNED-PAYLOAD');
    assert.equal(r.expiresAtMs, s3Now + 86400_000);
    expectFailure(() => check(req, { nowMs: s3Now + 86400_000 + 1000, s3: true }), 'presign-expired');
  });

  test('S3 chunked upload seed signature (multiple-chunks example)', () => {
    const req: WireRequest = {
      method: 'PUT',
      path: '/examplebucket/chunkObject.txt',
      query: '',
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class, Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      },
      body: Buffer.alloc(0),
      host: 's3.amazonaws.com',
    };
    const r = check(req, { nowMs: s3Now, s3: true });
    assert.equal(r.chunked, 'signed');
    assert.equal(r.seedSignature, '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
    assert.equal(r.amzDate, '20130524T000000Z');
  });
});

// ---------------------------------------------------------------------------------------------

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
