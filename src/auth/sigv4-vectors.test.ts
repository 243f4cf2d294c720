// SigV4 against the published AWS test vectors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WireRequest } from '../protocol/codec.js';
import { type Credential } from './principal.js';
import { signingKey } from './sigv4.js';
import { presign, check, expectFailure, withHeader, hex } from './sigv4-testkit.js';

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
