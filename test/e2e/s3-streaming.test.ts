/**
 * Bodies as they travel: aws-chunked with chunk signatures (verified while streaming), unsigned
 * aws-chunked with a checksum trailer, and an upload that stalls mid-body while other requests go on.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { chunkSignature } from '../../src/auth/sigv4-chunked.js';
import { signingKey } from '../../src/auth/sigv4.js';
import type { Cloudlet } from '../../src/server/server.js';
import { checksumOf } from '../../src/services/s3/checksums.js';
import { rejects } from '../helpers/assert.js';
import { NodeSha256 } from '../helpers/sign.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'streams' }));
});
after(async () => { s3.destroy(); await cl.close(); });

/** Signs the headers of a PUT whose body is sent separately (the payload hash is given). */
async function signPut(path: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const u = new URL(cl.url);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query: {}, headers: { host: u.host, ...headers } });
  return signed.headers as Record<string, string>;
}

function send(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(`${cl.url}${path}`, { method: 'PUT', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** An aws-chunked body signed chunk by chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
function signedChunks(data: Buffer, chunk: number, seed: string, amzDate: string, tamper = false): Buffer {
  const key = signingKey('test', amzDate.slice(0, 8), 'us-east-1', 's3');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const parts: Buffer[] = [];
  let prev = seed;
  for (let off = 0; ; off += chunk) {
    const piece = data.subarray(off, off + chunk);
    const sig = chunkSignature(key, amzDate, scope, prev, createHash('sha256').update(piece).digest('hex'));
    prev = sig;
    const sent = tamper && off === chunk ? Buffer.from(piece).fill(0x41) : piece;
    parts.push(Buffer.from(`${piece.length.toString(16)};chunk-signature=${sig}\r\n`), sent, Buffer.from('\r\n'));
    if (piece.length === 0) break;
  }
  return Buffer.concat(parts);
}

describe('S3 streaming bodies', () => {
  const data = Buffer.alloc(200_000, 'streamed data ');

  test('a signed aws-chunked upload is verified chunk by chunk and stored; a tampered chunk stores nothing', async () => {
    for (const [key, tamper] of [['chunked-ok', false], ['chunked-bad', true]] as const) {
      const headers = await signPut(`/streams/${key}`, {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
      });
      const seed = /Signature=([0-9a-f]{64})/.exec(headers['authorization']!)![1]!;
      const body = signedChunks(data, 65_536, seed, headers['x-amz-date']!, tamper);
      const r = await send(`/streams/${key}`, { ...headers, 'content-length': String(body.length) }, body);
      if (!tamper) {
        assert.equal(r.status, 200, r.text);
        const got = await s3.send(new GetObjectCommand({ Bucket: 'streams', Key: key }));
        assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
        assert.equal(got.ContentEncoding, undefined, 'aws-chunked is how the body travelled, not an encoding of the object');
      } else {
        assert.equal(r.status, 403, r.text);
        assert.match(r.text, /<Code>SignatureDoesNotMatch<\/Code>/);
        await rejects(s3.send(new HeadObjectCommand({ Bucket: 'streams', Key: key })), 'NotFound', 404);
      }
    }
  });

  test('an unsigned aws-chunked body with a CRC32C trailer: checked against the bytes', async () => {
    for (const [key, good] of [['trailer-ok', true], ['trailer-bad', false]] as const) {
      const crc = checksumOf('CRC32C', good ? data : Buffer.from('other'));
      const headers = await signPut(`/streams/${key}`, {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32c',
      });
      const body = Buffer.concat([
        Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-crc32c:${crc}\r\n\r\n`),
      ]);
      const r = await send(`/streams/${key}`, { ...headers, 'content-length': String(body.length) }, body);
      if (good) {
        assert.equal(r.status, 200, r.text);
        const head = await s3.send(new HeadObjectCommand({ Bucket: 'streams', Key: key, ChecksumMode: 'ENABLED' }));
        assert.equal(head.ChecksumCRC32C, crc);
      } else {
        assert.equal(r.status, 400, r.text);
        assert.match(r.text, /<Code>BadDigest<\/Code><Message>The CRC32C you specified did not match the calculated checksum.<\/Message>/);
        await rejects(s3.send(new HeadObjectCommand({ Bucket: 'streams', Key: key })), 'NotFound', 404);
      }
    }
  });

  test('an upload stalled mid-body holds up no other request, and leaves nothing when the client goes', async () => {
    const blobsBefore = cl.deps.blobs.ids().length;
    const headers = await signPut('/streams/stalled', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const req = request(`${cl.url}/streams/stalled`, { method: 'PUT', headers: { ...headers, 'content-length': String(10 * 1024 * 1024) } });
    req.on('error', () => { /* destroyed below */ });
    req.write(Buffer.alloc(64 * 1024, 1));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await s3.send(new ListBucketsCommand({}));
    const took = performance.now() - t0;
    assert.ok(took < 1000, `5 ListBuckets took ${Math.round(took)} ms during a stalled upload`);
    req.destroy();
    await new Promise((r) => setTimeout(r, 200));
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'streams', Key: 'stalled' })), 'NotFound', 404);
    assert.equal(cl.deps.blobs.ids().length, blobsBefore, 'the cut-off body left no blob');
  });
});
