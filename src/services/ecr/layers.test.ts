import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import { blobOf, dropRepositoryLayers, expireUploads, hasLayer, linkLayer, putUpload, readBlob, storeBlob, sweepLayers, UPLOAD_TTL_MS } from './layers.js';
import { registryScope } from './records.js';

const D = `sha256:${'d'.repeat(64)}`;
const A = registryScope('111111111111', 'us-east-1');
const B = registryScope('222222222222', 'eu-west-1');

async function text(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('layers', () => {
  test('one blob per digest shared by repositories of several registries; the last link drops it', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      assert.deepEqual(storeBlob(tx, D, [{ blob: 'p1', size: 3 }], 3), []);
      // The same digest again: the second copy's blobs are to be deleted.
      assert.deepEqual(storeBlob(tx, D, [{ blob: 'p2', size: 3 }], 3), ['p2']);
      linkLayer(tx, A, 'app', D, 3, 1);
      linkLayer(tx, A, 'app', D, 3, 2);
      linkLayer(tx, B, 'other', D, 3, 3);
      assert.equal(blobOf(tx, D)?.refs, 2);
      assert.ok(hasLayer(tx, A, 'app', D));
      assert.equal(hasLayer(tx, A, 'other', D), undefined);
      assert.deepEqual(dropRepositoryLayers(tx, A, 'app'), []);
      assert.equal(blobOf(tx, D)?.refs, 1);
      // No image refers to it, and the link is old enough: swept, and the bytes with it.
      assert.deepEqual(sweepLayers(tx, B, 'other', 3 + 3600_000), ['p1']);
      assert.equal(blobOf(tx, D), undefined);
    });
  });

  test('uploads expire a day after they started, with their parts', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      putUpload(tx, A, 'u1', { repo: 'app', parts: [{ blob: 'x', size: 1 }], size: 1, startedAtMs: 0, via: 'registry', by: 'arn' });
      putUpload(tx, A, 'u2', { repo: 'app', parts: [{ blob: 'y', size: 1 }], size: 1, startedAtMs: 1000, via: 'api', by: 'arn' });
      assert.deepEqual(expireUploads(tx, A, UPLOAD_TTL_MS + 500), ['x']);
    });
  });

  test('readBlob reads ranges across parts', async () => {
    const blobs = createTempBlobStore();
    try {
      const p1 = await blobs.write(Readable.from([Buffer.from('hello ')]));
      const p2 = await blobs.write(Readable.from([Buffer.from('world')]));
      const rec = { parts: [{ blob: p1.id, size: 6 }, { blob: p2.id, size: 5 }], size: 11, refs: 1 };
      assert.equal(await text(readBlob(blobs, rec)), 'hello world');
      assert.equal(await text(readBlob(blobs, rec, { start: 4, end: 7 })), 'o wo');
      assert.equal(await text(readBlob(blobs, rec, { start: 6, end: 10 })), 'world');
    } finally {
      blobs.clear();
      blobs.close();
    }
  });
});
