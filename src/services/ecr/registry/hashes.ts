/**
 * The live SHA-256 of each chunked upload in progress, per server (ServerDeps.uploadHashes), so a
 * PUT that ends an upload of several requests needs no second read of what was stored: node:crypto
 * hashes about 5x faster than a hash whose state can be saved (hash-wasm), and nothing is saved.
 *
 * An entry stands for the upload's first `offset` bytes, ending with the part `lastBlob` (blob ids
 * are random and never reused, so a matching entry is the hash of exactly the parts the row lists,
 * even after a state restore). An entry missing (a restart, an eviction) or not matching: the caller
 * hashes the stored parts again (chunks.ts hashParts), once, when the upload ends.
 *
 * Bounded: one entry per upload, dropped when the upload ends or is cancelled, those of uploads past
 * UPLOAD_TTL_MS dropped on the way, and at most `cap` entries (the least recently advanced go first;
 * an entry is a few hundred bytes).
 */
import { createHash, type Hash } from 'node:crypto';
import type { ServerDeps } from '../../../server/context.js';
import { UPLOAD_TTL_MS } from '../layers.js';

declare module '../../../server/context.js' {
  interface ServerDeps {
    /** The registry's live hashes of chunked uploads in progress (hashes.ts); made on first use. */
    uploadHashes?: UploadHashes;
  }
}

interface Entry {
  offset: number;
  lastBlob: string;
  hash: Hash;
  /** The upload's startedAtMs: the entry goes when the upload expires. */
  startedAtMs: number;
}

export const MAX_LIVE_HASHES = 512;

export class UploadHashes {
  private readonly live = new Map<string, Entry>();

  constructor(private readonly cap = MAX_LIVE_HASHES) {}

  /**
   * A hash to continue upload `id` from `offset` (whose last stored part is `lastBlob`): a fresh
   * one at offset 0, a copy of the held one when it matches (the held one stays as it is, for a
   * request that fails half way), undefined otherwise.
   */
  resume(id: string, offset: number, lastBlob: string | undefined): Hash | undefined {
    if (offset === 0 && lastBlob === undefined) return createHash('sha256');
    const e = this.live.get(id);
    if (!e || e.offset !== offset || e.lastBlob !== lastBlob) return undefined;
    return e.hash.copy();
  }

  /** Holds `hash` as upload `id`'s first `offset` bytes, ending with part `lastBlob` (call once that is committed). */
  keep(id: string, offset: number, lastBlob: string, hash: Hash, startedAtMs: number, nowMs: number): void {
    this.live.delete(id);
    for (const [k, e] of this.live) if (nowMs - e.startedAtMs >= UPLOAD_TTL_MS) this.live.delete(k);
    this.live.set(id, { offset, lastBlob, hash, startedAtMs });
    while (this.live.size > this.cap) this.live.delete(this.live.keys().next().value!);
  }

  forget(id: string): void {
    this.live.delete(id);
  }

  get size(): number {
    return this.live.size;
  }
}

export function uploadHashes(deps: ServerDeps): UploadHashes {
  return (deps.uploadHashes ??= new UploadHashes());
}
