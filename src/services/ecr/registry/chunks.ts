/**
 * Upload bodies streamed to the blob store, hashed on the way (node:crypto SHA-256) when the
 * caller holds a hash to continue (hashes.ts); never buffered whole. hashParts hashes stored parts
 * again: an upload whose live hash is gone (a restart), and the ECR API's uploads, whose parts
 * arrive in requests the registry's per-server hashes do not see.
 */
import { createHash, type Hash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { BlobStore } from '../../../store/types.js';

export interface Chunk {
  /** undefined when the chunk was empty (nothing stored). */
  blob?: string;
  size: number;
}

/** Streams `body` into a new blob; every byte goes into `hash` on the way, when given. */
export async function writeChunk(blobs: BlobStore, body: Readable, hash: Hash | undefined, maxBytes?: number): Promise<Chunk> {
  const limit = maxBytes !== undefined ? { maxBytes } : {};
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  // Always through pipeline: a body cut short (the client went away) fails the write, which
  // then leaves no blob (read directly, an aborted request body would leave the write waiting).
  pipeline(body, tap, () => {});
  const info = await blobs.write(tap, { sha256: false, md5: false, ...limit });
  if (info.size === 0) {
    blobs.delete(info.id);
    return { size: 0 };
  }
  return { blob: info.id, size: info.size };
}

/** `hash` (a fresh one when not given) over the stored parts, read in order. */
export async function hashParts(blobs: BlobStore, parts: ReadonlyArray<{ blob: string }>, hash: Hash = createHash('sha256')): Promise<Hash> {
  for (const p of parts) {
    for await (const c of blobs.read(p.blob)) hash.update(c as Buffer);
  }
  return hash;
}

/** `sha256:<hex>` of what went into `hash` (which is then finished). */
export function digestOf(hash: Hash): string {
  return `sha256:${hash.digest('hex')}`;
}

/** Whether `err` is a stored part gone missing (the upload was cancelled or collected meanwhile). */
export function isMissingPart(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
