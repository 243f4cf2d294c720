/**
 * Layer bytes and who holds them: the only writer of BLOB, LAYER and UPLOAD rows.
 *
 *   BLOB   (BLOB_SCOPE, id = digest): the bytes of one digest, once for every repository of
 *          every account: one or more blob-store blobs read in order, and how many LAYER rows
 *          point here. The same digest stored twice keeps the first copy (storeBlob says which
 *          blob-store blobs to delete).
 *   LAYER  (registry scope, id = repoKey(repo, digest)): this repository holds the digest.
 *   UPLOAD (registry scope, id = upload UUID): an upload in progress; its parts are blob-store
 *          blobs, so an abandoned upload is collected with its row (expireUploads), and a crash
 *          leaves blobs no row mentions, which the start-up orphan sweep removes.
 *
 * All functions but readBlob are synchronous over a Tx; the blob-store deletes they make
 * necessary are returned as ids for the caller to run in ctx.afterCommit.
 */
import type { Readable } from 'node:stream';
import type { BlobStore, Scope, Tx } from '../../store/types.js';
import { referencedDigests } from './images.js';
import { BLOB, BLOB_SCOPE, LAYER, repoKey, repoPrefix, UPLOAD, type BlobRecord, type LayerRecord, type UploadRecord } from './records.js';

/** An upload this old (by the cloudlet clock) is dropped with its parts. */
export const UPLOAD_TTL_MS = 24 * 3600_000;
/** sweepLayers leaves links younger than this: a push uploads its layers before its manifest. */
export const SWEEP_GRACE_MS = 3600_000;

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function blobOf(tx: Tx, digest: string): BlobRecord | undefined {
  return tx.get<BlobRecord>(BLOB_SCOPE, BLOB, digest);
}

/** The repository's link to `digest`, when it has one (and the bytes exist). */
export function hasLayer(tx: Tx, scope: Scope, repo: string, digest: string): LayerRecord | undefined {
  const link = tx.get<LayerRecord>(scope, LAYER, repoKey(repo, digest));
  if (!link || !blobOf(tx, digest)) return undefined;
  return link;
}

/**
 * Records the bytes of `digest` (already verified). Returns the blob-store ids to delete: the
 * given parts when the digest was stored already (content-addressed: the first copy stays).
 */
export function storeBlob(tx: Tx, digest: string, parts: Array<{ blob: string; size: number }>, size: number): string[] {
  if (blobOf(tx, digest)) return parts.map((p) => p.blob);
  tx.put(BLOB_SCOPE, BLOB, digest, { parts, size, refs: 0 } satisfies BlobRecord);
  return [];
}

/** Gives the repository the digest (whose BLOB row must exist); a second link is a no-op. */
export function linkLayer(tx: Tx, scope: Scope, repo: string, digest: string, size: number, nowMs: number): void {
  const id = repoKey(repo, digest);
  if (tx.get<LayerRecord>(scope, LAYER, id)) return;
  const blob = blobOf(tx, digest);
  if (!blob) throw new Error(`linkLayer: no stored bytes for ${digest}`);
  tx.put(BLOB_SCOPE, BLOB, digest, { ...blob, refs: blob.refs + 1 } satisfies BlobRecord);
  tx.put(scope, LAYER, id, { digest, size, atMs: nowMs } satisfies LayerRecord);
}

/** Removes one link; returns the blob-store ids no longer referenced by anything. */
export function unlinkLayer(tx: Tx, scope: Scope, repo: string, digest: string): string[] {
  if (!tx.delete(scope, LAYER, repoKey(repo, digest))) return [];
  const blob = blobOf(tx, digest);
  if (!blob) return [];
  if (blob.refs > 1) {
    tx.put(BLOB_SCOPE, BLOB, digest, { ...blob, refs: blob.refs - 1 } satisfies BlobRecord);
    return [];
  }
  tx.delete(BLOB_SCOPE, BLOB, digest);
  return blob.parts.map((p) => p.blob);
}

export function layersOf(tx: Tx, scope: Scope, repo: string): LayerRecord[] {
  return tx.list<LayerRecord>(scope, LAYER, { prefix: repoPrefix(repo) }).map((r) => r.value);
}

/** Every link and upload of a deleted repository; returns the blob-store ids to delete. */
export function dropRepositoryLayers(tx: Tx, scope: Scope, repo: string): string[] {
  const out: string[] = [];
  for (const l of layersOf(tx, scope, repo)) out.push(...unlinkLayer(tx, scope, repo, l.digest));
  for (const u of tx.list<UploadRecord>(scope, UPLOAD)) {
    if (u.value.repo !== repo) continue;
    tx.delete(scope, UPLOAD, u.id);
    out.push(...u.value.parts.map((p) => p.blob));
  }
  return out;
}

/**
 * Drops the links of `repo` no image refers to (after images were deleted), except links
 * younger than SWEEP_GRACE_MS (a push in progress). Returns the blob-store ids to delete.
 */
export function sweepLayers(tx: Tx, scope: Scope, repo: string, nowMs?: number): string[] {
  const used = referencedDigests(tx, scope, repo);
  const out: string[] = [];
  for (const l of layersOf(tx, scope, repo)) {
    if (used.has(l.digest)) continue;
    if (nowMs !== undefined && nowMs - l.atMs < SWEEP_GRACE_MS) continue;
    out.push(...unlinkLayer(tx, scope, repo, l.digest));
  }
  return out;
}

/** The bytes of a stored blob (a range: `end` inclusive), its parts read in order. */
export function readBlob(blobs: BlobStore, rec: BlobRecord, range?: { start: number; end: number }): Readable {
  const start = range?.start ?? 0;
  const end = range?.end ?? rec.size - 1;
  const pieces: Array<{ blob: string; start: number; end: number }> = [];
  let at = 0;
  for (const p of rec.parts) {
    const pStart = at;
    const pEnd = at + p.size - 1;
    at += p.size;
    if (p.size === 0 || pEnd < start || pStart > end) continue;
    pieces.push({ blob: p.blob, start: Math.max(start, pStart) - pStart, end: Math.min(end, pEnd) - pStart });
  }
  return blobs.readParts(pieces.map((p) => ({ id: p.blob, start: p.start, end: p.end })));
}

// ---- uploads ----

export function getUpload(tx: Tx, scope: Scope, id: string): UploadRecord | undefined {
  return tx.get<UploadRecord>(scope, UPLOAD, id);
}

export function putUpload(tx: Tx, scope: Scope, id: string, rec: UploadRecord): void {
  tx.put(scope, UPLOAD, id, rec);
}

/** Removes an upload row; returns its parts' blob-store ids. */
export function dropUpload(tx: Tx, scope: Scope, id: string): string[] {
  const u = getUpload(tx, scope, id);
  if (!u) return [];
  tx.delete(scope, UPLOAD, id);
  return u.parts.map((p) => p.blob);
}

/** Uploads of the registry started UPLOAD_TTL_MS ago or more: dropped; returns the blob-store ids. */
export function expireUploads(tx: Tx, scope: Scope, nowMs: number): string[] {
  const out: string[] = [];
  for (const u of tx.list<UploadRecord>(scope, UPLOAD)) {
    if (nowMs - u.value.startedAtMs < UPLOAD_TTL_MS) continue;
    tx.delete(scope, UPLOAD, u.id);
    out.push(...u.value.parts.map((p) => p.blob));
  }
  return out;
}

/** Whether expireUploads would collect anything. */
export function hasStaleUploads(tx: Tx, scope: Scope, nowMs: number): boolean {
  return tx.list<UploadRecord>(scope, UPLOAD).some((u) => nowMs - u.value.startedAtMs >= UPLOAD_TTL_MS);
}
