import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createTempBlobStore } from '../../../store/blobs.js';
import { digestOf, hashParts, isMissingPart, writeChunk } from './chunks.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('upload chunks', () => {
  test('one hash carried across chunks gives the digest of the whole; empty chunks store nothing; stored parts hash to the same', async () => {
    const blobs = createTempBlobStore();
    try {
      const whole = Buffer.from('0123456789'.repeat(1000));
      const h = createHash('sha256');
      const a = await writeChunk(blobs, Readable.from([whole.subarray(0, 3333)]), h);
      const empty = await writeChunk(blobs, Readable.from([]), h);
      assert.equal(empty.blob, undefined);
      assert.equal(empty.size, 0);
      const b = await writeChunk(blobs, Readable.from([whole.subarray(3333, 7000), whole.subarray(7000)]), h);
      assert.equal(a.size + b.size, whole.length);
      assert.equal(digestOf(h), sha(whole));
      assert.equal(blobs.ids().length, 2);
      // Unhashed chunks, hashed back from the store (the fallback when no live hash is held).
      const c = await writeChunk(blobs, Readable.from([whole.subarray(0, 10)]), undefined);
      assert.equal(digestOf(await hashParts(blobs, [a, b].map((p) => ({ blob: p.blob! })))), sha(whole));
      assert.equal(digestOf(await hashParts(blobs, [{ blob: c.blob! }, { blob: b.blob! }])), sha(Buffer.concat([whole.subarray(0, 10), whole.subarray(3333)])));
      assert.equal(digestOf(await hashParts(blobs, [])), sha(Buffer.alloc(0)));
      blobs.delete(a.blob!);
      await assert.rejects(hashParts(blobs, [{ blob: a.blob! }]), (e) => isMissingPart(e));
    } finally {
      blobs.clear();
      blobs.close();
    }
  });
});
