import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@smithy/core/checksum';
import type { HttpRequest } from '@smithy/types';
import type { WireRequest } from '../protocol/codec.js';
import { rootPrincipal } from './principal.js';
import { type ChunkSigningContext, type ChunkVerifierOptions, SigV4Error, createChunkVerifier, signingKey, verify } from './sigv4.js';

// Chunk signatures are computed here from the documented algorithm, independently of the module.
const EMPTY = createHash('sha256').update('').digest('hex');
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const mac = (key: Buffer, s: string) => createHmac('sha256', key).update(s).digest('hex');

const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DOC_KEY = signingKey(DOC_SECRET, '20130524', 'us-east-1', 's3');
const DOC_CTX = { amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request', signingKey: DOC_KEY };

interface Framing {
  chunks: Buffer[];
  seed: string;
  ctx: { amzDate: string; scope: string; signingKey: Buffer };
  signed: boolean;
  trailers?: Array<[string, string]>;
  signTrailers?: boolean;
}

/** Builds an aws-chunked body the way a client would. */
function encode(f: Framing): Buffer {
  const out: Buffer[] = [];
  let prev = f.seed;
  for (const data of [...f.chunks, Buffer.alloc(0)]) {
    let header = data.length.toString(16);
    if (f.signed) {
      prev = mac(f.ctx.signingKey, ['AWS4-HMAC-SHA256-PAYLOAD', f.ctx.amzDate, f.ctx.scope, prev, EMPTY, sha(data)].join('\n'));
      header += `;chunk-signature=${prev}`;
    }
    out.push(Buffer.from(`${header}\r\n`));
    if (data.length > 0) out.push(data, Buffer.from('\r\n'));
  }
  if (f.trailers) {
    for (const [k, v] of f.trailers) out.push(Buffer.from(`${k}:${v}\r\n`));
    if (f.signTrailers) {
      const canonical = f.trailers.map(([k, v]) => `${k}:${v}\n`).join('');
      const sig = mac(f.ctx.signingKey, ['AWS4-HMAC-SHA256-TRAILER', f.ctx.amzDate, f.ctx.scope, prev, sha(canonical)].join('\n'));
      out.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
    }
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** Feeds the body in pieces of the given size; resolves to the decoded bytes and trailers. */
async function decode(body: Buffer, ctx: ChunkSigningContext, piece = 1000, opts?: ChunkVerifierOptions) {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) pieces.push(body.subarray(i, i + piece));
  const v = createChunkVerifier(ctx, opts);
  const out: Buffer[] = [];
  v.on('data', (b: Buffer) => out.push(b));
  await pipeline(Readable.from(pieces), v);
  return { data: Buffer.concat(out), trailers: { ...v.trailers }, emitted: out };
}

async function rejects(body: Buffer, ctx: ChunkSigningContext, piece = 1000, opts?: ChunkVerifierOptions): Promise<Buffer> {
  const emitted: Buffer[] = [];
  const v = createChunkVerifier(ctx, opts);
  v.on('data', (b: Buffer) => emitted.push(b));
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) pieces.push(body.subarray(i, i + piece));
  await assert.rejects(pipeline(Readable.from(pieces), v), (e: unknown) => e instanceof SigV4Error && e.failure === 'signature');
  return Buffer.concat(emitted);
}

const a = (n: number) => Buffer.alloc(n, 'a');

describe('aws-chunked: AWS documentation examples', () => {
  test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: 64 KiB + 1 KiB of "a"', async () => {
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const body = encode({ chunks: [a(65536), a(1024)], seed, ctx: DOC_CTX, signed: true });
    // The documented chunk signatures, so the framing above is the documented one.
    const text = body.toString('latin1');
    for (const sig of [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ]) {
      assert.ok(text.includes(`;chunk-signature=${sig}\r\n`));
    }
    assert.equal(body.length, 66824); // the example's Content-Length
    const ctx = { ...DOC_CTX, seedSignature: seed, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' };
    for (const piece of [1, 7, 4096, 100000]) {
      const { data } = await decode(body, ctx, piece, { decodedLength: 66560 });
      assert.ok(data.equals(a(66560)));
    }
  });

  test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with x-amz-checksum-crc32c', async () => {
    const seed = '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e';
    const body = Buffer.concat([
      Buffer.from('10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n'),
      a(65536),
      Buffer.from('\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n'),
      a(1024),
      Buffer.from('\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n'),
      Buffer.from('x-amz-checksum-crc32c:sOO8/Q==\r\n'),
      Buffer.from('x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n'),
    ]);
    const ctx = { ...DOC_CTX, seedSignature: seed, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' };
    const { data, trailers } = await decode(body, ctx, 333);
    assert.equal(data.length, 66560);
    assert.deepEqual(trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    await rejects(Buffer.from(body.toString('latin1').replace('sOO8/Q==', 'AAAAAA=='), 'latin1'), ctx);
  });
});

describe('aws-chunked: signed chain', () => {
  const seed = 'f'.repeat(64);
  const ctx = { ...DOC_CTX, seedSignature: seed, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' };
  const chunks = [Buffer.from('hello '), Buffer.from('chunked\r\nworld'), Buffer.from([0, 255, 13, 10, 48])];
  const body = encode({ chunks, seed, ctx: DOC_CTX, signed: true });

  test('decodes when fed one byte at a time', async () => {
    const { data } = await decode(body, ctx, 1);
    assert.ok(data.equals(Buffer.concat(chunks)));
  });

  test('a flipped data byte fails, and nothing of that chunk is emitted', async () => {
    const pos = body.indexOf('chunked');
    const bad = Buffer.from(body);
    bad[pos] = 'C'.charCodeAt(0);
    const emitted = await rejects(bad, ctx, 1);
    assert.equal(emitted.toString(), 'hello ');
  });

  test('tampered, reordered, truncated or wrongly seeded bodies fail', async () => {
    const text = body.toString('latin1');
    const sigs = [...text.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m[1] as string);
    const flip = (s: string) => (s[0] === '0' ? '1' : '0') + s.slice(1);
    const parts = text.split(/(?=[0-9a-f]+;chunk-signature=)/);
    const cases: Record<string, Buffer> = {
      'chunk signature altered': Buffer.from(text.replace(sigs[1] as string, flip(sigs[1] as string)), 'latin1'),
      'final chunk signature altered': Buffer.from(text.replace(sigs[3] as string, flip(sigs[3] as string)), 'latin1'),
      'chunks reordered': Buffer.from([parts[1], parts[0], ...parts.slice(2)].join(''), 'latin1'),
      'final chunk missing': body.subarray(0, text.indexOf('0;chunk-signature')),
      'cut inside a chunk': body.subarray(0, 40),
      "another request's seed": encode({ chunks, seed: 'e'.repeat(64), ctx: DOC_CTX, signed: true }),
      'bytes after the end': Buffer.concat([body, Buffer.from('x')]),
      'no chunk-signature': Buffer.from(text.replace(';chunk-signature=', ';chunk-signatur='), 'latin1'),
      'LF-only line': Buffer.from(text.replace('\r\n', '\n'), 'latin1'),
      'bad hex size': Buffer.from(text.replace(/^6;/, 'g;'), 'latin1'),
      'size disagrees with data': Buffer.from(text.replace(/^6;/, '7;'), 'latin1'),
      'trailer in a non-trailer mode': Buffer.concat([body.subarray(0, body.length - 2), Buffer.from('x-amz-checksum-crc32:AAAAAA==\r\n\r\n')]),
    };
    for (const [name, c] of Object.entries(cases)) {
      await assert.doesNotReject(rejects(c, ctx, 5), name);
    }
    // Some SDKs end the body right after the final chunk, without the closing CRLF.
    await decode(body.subarray(0, body.length - 2), ctx);
  });

  test('decoded length must match x-amz-decoded-content-length', async () => {
    const total = Buffer.concat(chunks).length;
    await decode(body, ctx, 10, { decodedLength: total });
    await rejects(body, ctx, 10, { decodedLength: total - 1 });
    await rejects(body, ctx, 10, { decodedLength: total + 1 });
  });

  test('a signed chunk larger than the limit is refused before it is buffered', async () => {
    await rejects(body, ctx, 10, { maxChunkBytes: 8 });
  });

  test('signed trailers: valid, forged, and missing signature', async () => {
    const tctx = { ...ctx, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' };
    const trailers: Array<[string, string]> = [['x-amz-checksum-crc32', 'AAAAAA==']];
    const good = encode({ chunks, seed, ctx: DOC_CTX, signed: true, trailers, signTrailers: true });
    assert.deepEqual((await decode(good, tctx, 3)).trailers, { 'x-amz-checksum-crc32': 'AAAAAA==' });
    await rejects(Buffer.from(good.toString('latin1').replace('AAAAAA==', 'BAAAAA=='), 'latin1'), tctx);
    await rejects(encode({ chunks, seed, ctx: DOC_CTX, signed: true, trailers, signTrailers: false }), tctx);
  });
});

describe('aws-chunked: unsigned trailer (what the JS SDK sends for streamed PutObject)', () => {
  const ctx = { ...DOC_CTX, seedSignature: 'a'.repeat(64), payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' };

  test('with a checksum trailer', async () => {
    const body = encode({ chunks: [Buffer.from('abc'), Buffer.from('defg')], seed: '', ctx: DOC_CTX, signed: false, trailers: [['x-amz-checksum-crc32', 'ZZZZZZ==']] });
    assert.equal(body.toString(), '3\r\nabc\r\n4\r\ndefg\r\n0\r\nx-amz-checksum-crc32:ZZZZZZ==\r\n\r\n');
    const { data, trailers } = await decode(body, ctx, 2);
    assert.equal(data.toString(), 'abcdefg');
    assert.deepEqual(trailers, { 'x-amz-checksum-crc32': 'ZZZZZZ==' });
  });

  test('ending right after "0\\r\\n" with no trailer', async () => {
    const { data } = await decode(Buffer.from('3\r\nabc\r\n0\r\n'), ctx);
    assert.equal(data.toString(), 'abc');
  });

  test('framing errors', async () => {
    for (const bad of ['3\r\nabc\r\n', '3\r\nabcd\r\n0\r\n\r\n', 'zz\r\nabc\r\n0\r\n\r\n', '3\r\nabc\r\n0\r\nno-colon\r\n\r\n', `${'1'.repeat(5000)}\r\n`]) {
      await rejects(Buffer.from(bad), ctx);
    }
  });
});

describe('aws-chunked: end to end with an SDK-signed seed', () => {
  test('verify() then createChunkVerifier(result)', async () => {
    const now = Date.UTC(2024, 4, 1, 12);
    const s = new SignatureV4({ credentials: { accessKeyId: 'AKIDROOT', secretAccessKey: 'sekrit' }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const request: HttpRequest = {
      method: 'PUT',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/bucket/key',
      query: {},
      headers: { host: 'localhost', 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' },
    };
    const signed = await s.sign(request, { signingDate: new Date(now) });
    const wire: WireRequest = { method: 'PUT', path: '/bucket/key', query: '', headers: signed.headers, body: Buffer.alloc(0), host: 'localhost' };
    const result = verify(wire, {
      nowMs: now,
      s3: true,
      lookup: (id) => (id === 'AKIDROOT' ? { accessKeyId: id, secretAccessKey: 'sekrit', principal: rootPrincipal('000000000000', id) } : undefined),
    });
    assert.equal(result.chunked, 'signed');
    const body = encode({ chunks: [Buffer.from('0123456789')], seed: result.seedSignature, ctx: result, signed: true });
    const { data } = await decode(body, result, 4, { decodedLength: 10 });
    assert.equal(data.toString(), '0123456789');
  });

  test('refuses a non-streaming payload hash', () => {
    assert.throws(() => createChunkVerifier({ ...DOC_CTX, seedSignature: '', payloadHash: 'UNSIGNED-PAYLOAD' }), SigV4Error);
  });
});
