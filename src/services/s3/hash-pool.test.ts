import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { hashingStream, type ChecksumAlgorithm, type HashingStream } from './checksums.js';
import { HashPool } from './hash-pool.js';

const pool = new HashPool(2);
after(() => pool.close());

/** Streams `data` in odd-sized pieces through `h`, keeping what comes out. */
async function run(h: HashingStream, data: Buffer, piece = 65_537): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces = function* () {
    for (let i = 0; i < data.length; i += piece) yield data.subarray(i, i + piece);
  };
  await pipeline(Readable.from(pieces()), h, new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
  return Buffer.concat(out);
}

describe('hash pool', () => {
  test('digests and bytes equal the main thread\'s, for every algorithm, the body passed through unchanged', async () => {
    const data = randomBytes(20 * 1024 * 1024 + 123);
    const algorithms: ChecksumAlgorithm[] = ['CRC64NVME', 'SHA256', 'MD5', 'CRC32', 'CRC32C', 'SHA1', 'SHA512', 'XXHASH64', 'XXHASH3', 'XXHASH128'];
    const inline = hashingStream(algorithms);
    await run(inline, data);
    const off = pool.hashingStream(algorithms);
    const passed = await run(off, data);
    assert.ok(passed.equals(data));
    assert.equal(off.md5Hex, inline.md5Hex);
    assert.deepEqual(off.checksums, inline.checksums);
    assert.equal(off.bytes, data.length);
  });

  test('uploads at once keep their jobs apart; an empty body has the empty digests', async () => {
    const bodies = [randomBytes(9 * 1024 * 1024), randomBytes(3 * 1024 * 1024 + 1), Buffer.alloc(0), randomBytes(12 * 1024 * 1024)];
    const results = await Promise.all(bodies.map(async (b) => {
      const off = pool.hashingStream(['CRC64NVME']);
      await run(off, b, 1 << 16);
      return off;
    }));
    for (const [i, b] of bodies.entries()) {
      const inline = hashingStream(['CRC64NVME']);
      await run(inline, b);
      assert.equal(results[i]!.md5Hex, inline.md5Hex, `body ${i}`);
      assert.deepEqual(results[i]!.checksums, inline.checksums, `body ${i}`);
    }
  });

  test('a body cut off mid-way errors the stream and leaves the pool usable', async () => {
    const off = pool.hashingStream(['CRC64NVME']);
    const source = new Readable({ read() {} });
    const done = pipeline(source, off, new Writable({ write(_c, _e, cb) { cb(); } }));
    source.push(randomBytes(3 * 1024 * 1024));
    source.destroy(new Error('client went away'));
    await assert.rejects(done, /client went away/);
    assert.throws(() => off.md5Hex, /before the stream ended/);
    const next = pool.hashingStream(['SHA256']);
    const data = randomBytes(2 * 1024 * 1024);
    await run(next, data);
    const inline = hashingStream(['SHA256']);
    await run(inline, data);
    assert.deepEqual(next.checksums, inline.checksums);
  });

  test('a thread that cannot start fails the upload it had and the pool hashes on the main thread from then on', async () => {
    const broken = new HashPool(1, () => new Worker('throw new Error("no hashing module")', { eval: true }));
    try {
      const first = broken.hashingStream(['CRC64NVME']);
      await assert.rejects(run(first, randomBytes(3 * 1024 * 1024)), /no hashing module/);
      const data = randomBytes(2 * 1024 * 1024);
      const next = broken.hashingStream(['CRC64NVME']);
      await run(next, data);
      const inline = hashingStream(['CRC64NVME']);
      await run(inline, data);
      assert.equal(next.md5Hex, inline.md5Hex);
      assert.deepEqual(next.checksums, inline.checksums);
    } finally {
      await broken.close();
    }
  });
});
