import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createTempBlobStore } from '../../../store/blobs.js';
import { digestOf, hashBuffer, writeChunk } from './chunks.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('upload chunks', () => {
  test('the hash state carried across chunks gives the digest of the whole; empty chunks store nothing', async () => {
    const blobs = createTempBlobStore();
    try {
      const whole = Buffer.from('0123456789'.repeat(1000));
      const a = await writeChunk(blobs, Readable.from([whole.subarray(0, 3333)]), undefined);
      const empty = await writeChunk(blobs, Readable.from([]), a.hashState);
      assert.equal(empty.blob, undefined);
      const b = await writeChunk(blobs, Readable.from([whole.subarray(3333, 7000), whole.subarray(7000)]), empty.hashState);
      assert.equal(a.size + b.size, whole.length);
      assert.equal(await digestOf(b.hashState), sha(whole));
      assert.equal(blobs.ids().length, 2);
      assert.equal(await digestOf(await hashBuffer(whole.subarray(3333), await hashBuffer(whole.subarray(0, 3333), undefined))), sha(whole));
      assert.equal(await digestOf(undefined), sha(Buffer.alloc(0)));
    } finally {
      blobs.clear();
      blobs.close();
    }
  });
});
