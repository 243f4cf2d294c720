import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { BlobReadStream, BufferPool } from './blob-stream.js';
import { createTempBlobStore } from './blobs.js';

const blobs = createTempBlobStore();
after(() => blobs.close());

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const openFds = (): number => readdirSync('/proc/self/fd').length;

async function put(data: Buffer): Promise<string> {
  return (await blobs.write(Readable.from([data]))).id;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Serves one stream per request through sendTo, and fetches it back (or only `stopAfter` bytes). */
async function viaHttp(make: () => Readable, stopAfter?: number): Promise<{ body: Buffer; sent: Promise<void> }> {
  let sent!: Promise<void>;
  const server = createServer((_req, res: ServerResponse) => {
    const s = make();
    assert.ok(s instanceof BlobReadStream && s.sendable);
    res.writeHead(200);
    sent = s.sendTo(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<Buffer>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (res: IncomingMessage) => {
        const parts: Buffer[] = [];
        let got = 0;
        res.on('data', (c: Buffer) => {
          parts.push(c);
          got += c.length;
          if (stopAfter !== undefined && got >= stopAfter) {
            res.destroy();
            resolve(Buffer.concat(parts));
          }
        });
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      }).on('error', reject);
    });
    return { body, sent };
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('blob read streams', () => {
  test('readParts: ranges of several blobs in order, through the Readable side and through sendTo', async () => {
    const a = randomBytes(3 * 1024 * 1024 + 17);
    const b = randomBytes(1024 * 1024);
    const c = randomBytes(100);
    const ids = [await put(a), await put(b), await put(c)];
    const parts = [{ id: ids[0]!, start: 5, end: a.length - 1 }, { id: ids[1]! }, { id: ids[2]!, start: 10, end: 19 }];
    const want = Buffer.concat([a.subarray(5), b, c.subarray(10, 20)]);
    assert.equal(md5(await readAll(blobs.readParts(parts))), md5(want));
    const { body, sent } = await viaHttp(() => blobs.readParts(parts));
    await sent;
    assert.equal(body.length, want.length);
    assert.equal(md5(body), md5(want));
  });

  test('sendTo reuses its pooled buffers: a second large GET allocates none', async () => {
    const data = randomBytes(6 * 1024 * 1024);
    const id = await put(data);
    const pool = new BufferPool(1024 * 1024, 4);
    const taken = new Set<Buffer>();
    const take = pool.take.bind(pool);
    pool.take = () => {
      const b = take();
      taken.add(b);
      return b;
    };
    const stream = () => new BlobReadStream([{ open: () => { throw new Error('opened lazily only'); }, fd: openFd(id), start: 0, end: data.length - 1 }], pool);
    const first = await viaHttp(stream);
    await first.sent;
    const afterFirst = taken.size;
    const second = await viaHttp(stream);
    await second.sent;
    assert.equal(md5(first.body), md5(data));
    assert.equal(md5(second.body), md5(data));
    assert.ok(afterFirst <= 3, `at most two buffers in flight and one being read: ${afterFirst}`);
    assert.equal(taken.size, afterFirst, 'the second response took only buffers the first gave back');
  });

  test('a client that leaves mid-body stops the reads and closes the file', async () => {
    const data = randomBytes(32 * 1024 * 1024);
    const id = await put(data);
    const before = openFds();
    const { body, sent } = await viaHttp(() => blobs.read(id), 1024 * 1024);
    await sent;
    assert.ok(body.length < data.length);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(openFds(), before, 'no file descriptor left open');
  });

  test('a stream read through its Readable side is no longer sendable; small reads get buffers of their size', async () => {
    const data = randomBytes(5000);
    const s = blobs.read(await put(data), { start: 1000, end: 1999 }) as BlobReadStream;
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]!.buffer.byteLength, 1000, 'a buffer of the range\'s size, not a pooled MiB');
    assert.deepEqual(chunks[0], data.subarray(1000, 2000));
    assert.equal(s.sendable, false);
    await assert.rejects(s.sendTo(new (await import('node:stream')).PassThrough()), /read already/);
  });

  test('a missing blob errors with ENOENT; a later part that vanished errors when its turn comes', async () => {
    await assert.rejects(readAll(blobs.read('0'.repeat(32))), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    const a = await put(randomBytes(10));
    const gone = await put(randomBytes(10));
    const s = blobs.readParts([{ id: a }, { id: gone }]);
    blobs.delete(gone);
    await assert.rejects(readAll(s), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});

function openFd(id: string): number {
  // The pool test builds its own stream over the store's file: read() opens one and we take it over.
  const s = blobs.read(id) as unknown as { segments: Array<{ fd?: number }> };
  const fd = s.segments[0]!.fd!;
  s.segments[0]!.fd = undefined;
  return fd;
}
