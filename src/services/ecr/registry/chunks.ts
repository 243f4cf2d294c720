/**
 * Upload bodies streamed to the blob store and hashed on the way (hash-wasm SHA-256), the
 * hash state saved after each chunk (UploadRecord.hashState) so the final digest needs no
 * second read of what was stored. Never buffered whole.
 */
import { pipeline, Transform, type Readable } from 'node:stream';
import { createSHA256, type IHasher } from 'hash-wasm';
import type { BlobStore } from '../../../store/types.js';

async function hasherFrom(state: string | undefined): Promise<IHasher> {
  const h = await createSHA256();
  if (state) h.load(Buffer.from(state, 'base64'));
  else h.init();
  return h;
}

export interface Chunk {
  /** undefined when the chunk was empty (nothing stored). */
  blob?: string;
  size: number;
  hashState: string;
}

/** Streams `body` into a new blob, continuing the hash from `state`. */
export async function writeChunk(blobs: BlobStore, body: Readable, state: string | undefined, maxBytes?: number): Promise<Chunk> {
  const h = await hasherFrom(state);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      done(null, chunk);
    },
  });
  // A body cut short (the client went away) fails the write, which then leaves no blob.
  pipeline(body, tap, () => {});
  const info = await blobs.write(tap, { sha256: false, md5: false, ...(maxBytes !== undefined ? { maxBytes } : {}) });
  const hashState = Buffer.from(h.save()).toString('base64');
  if (info.size === 0) {
    blobs.delete(info.id);
    return { size: 0, hashState };
  }
  return { blob: info.id, size: info.size, hashState };
}

/** The same, for a body already in memory (the ECR API's UploadLayerPart). */
export async function hashBuffer(bytes: Uint8Array, state: string | undefined): Promise<string> {
  const h = await hasherFrom(state);
  h.update(bytes);
  return Buffer.from(h.save()).toString('base64');
}

/** `sha256:<hex>` of everything hashed into `state` (the empty string's digest for none). */
export async function digestOf(state: string | undefined): Promise<string> {
  const h = await hasherFrom(state);
  return `sha256:${h.digest('hex')}`;
}
