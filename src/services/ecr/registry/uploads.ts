/**
 * Blob uploads: POST /v2/NAME/blobs/uploads/ (a session, a monolithic upload with ?digest=, or a
 * cross-repository mount with ?mount=&from=), PATCH (a chunk, Content-Range checked: 416 out of
 * order), PUT ?digest= (an optional last chunk, then the digest checked against the hash state:
 * DIGEST_INVALID and nothing kept on a mismatch), GET (status) and DELETE (cancel).
 * As ECR actions: InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload.
 *
 * Bodies stream into blob-store blobs outside any transaction (chunks.ts); each step commits
 * in a short transaction after, and checks the upload did not move meanwhile. Hashed with
 * node:crypto on the way: a monolithic upload (or a session's first and last chunk) in one go;
 * a chunked upload's hash lives in memory between its requests (hashes.ts), and when it is gone
 * (a restart) the stored parts are hashed again when the upload ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { dropUpload, getUpload, hasLayer, linkLayer, putUpload, storeBlob, UPLOAD_TTL_MS } from '../layers.js';
import type { UploadRecord } from '../records.js';
import { findRepository } from '../repositories.js';
import { authorizeAs, baseUrl } from './access.js';
import { dropBlobs, nameUnknown, open, repoUrl, transaction, type Answer, type Call, type Named, type Session } from './call.js';
import { checkDigest } from './blobs.js';
import { digestOf, hashParts, isMissingPart, writeChunk, type Chunk } from './chunks.js';
import { uploadHashes } from './hashes.js';
import { RegistryError, isRegistryError } from './errors.js';
import { parseContentRange, REPOSITORY_NAME } from './names.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uploadUnknown(uuid: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', 404, { uuid });
}

function rangeHeader(size: number): string {
  return `0-${size > 0 ? size - 1 : 0}`;
}

function sessionAnswer(call: Call, named: Named, uuid: string, size: number, status: number): Answer {
  return {
    status,
    headers: {
      location: `${repoUrl(call, baseUrl(call.wire), named)}/blobs/uploads/${uuid}`,
      'docker-upload-uuid': uuid, range: rangeHeader(size), 'content-length': '0',
    },
    body: Buffer.alloc(0),
  };
}

function created(call: Call, named: Named, digest: string): Answer {
  return {
    status: 201,
    headers: { location: `${repoUrl(call, baseUrl(call.wire), named)}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' },
    body: Buffer.alloc(0),
  };
}

/** The upload, if it is this repository's and this caller's. */
function theUpload(s: Session, uuid: string): UploadRecord {
  if (!UUID_RE.test(uuid)) throw uploadUnknown(uuid);
  const u = getUpload(s.ctx.tx, s.target.scope, uuid);
  if (!u || u.repo !== s.name || u.by !== s.caller.principal.arn || s.nowMs - u.startedAtMs >= UPLOAD_TTL_MS) throw uploadUnknown(uuid);
  return u;
}

function hasBody(call: Call): boolean {
  const len = call.wire.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return call.wire.headers['transfer-encoding'] !== undefined;
}

/** A chunk's Content-Range must start where the upload is; 416 otherwise. */
function checkRange(call: Call, named: Named, uuid: string, size: number): void {
  const raw = call.wire.headers['content-range'];
  if (raw === undefined) return;
  const r = parseContentRange(raw);
  const len = call.wire.headers['content-length'];
  if (!r || r.start !== size || (len !== undefined && Number(len) !== r.end - r.start + 1)) {
    const a = sessionAnswer(call, named, uuid, size, 416);
    throw new RegistryError('BLOB_UPLOAD_INVALID', `the chunk's Content-Range ${raw} does not continue the upload (${size} bytes received)`, 416, { uuid, received: size }, a.headers);
  }
}

export async function startUpload(call: Call, named: Named): Promise<Answer> {
  const mount = call.query.get('mount');
  const from = call.query.get('from');
  const digest = call.query.get('digest');
  if (mount !== null) {
    checkDigest(mount);
    const mounted = await open(call, named, 'InitiateLayerUpload', {}, async (s, tx) => {
      if (!from || !REPOSITORY_NAME.test(from) || !findRepository(tx, s.target.scope, from) || !hasLayer(tx, s.target.scope, from, mount)) return false;
      try {
        await authorizeAs(call.deps, s.ctx, 'GetDownloadUrlForLayer', { registryId: s.target.registryId, repositoryName: from, layerDigest: mount });
      } catch (e) {
        if (isRegistryError(e) && e.code === 'DENIED') return false;
        throw e;
      }
      const src = hasLayer(tx, s.target.scope, from, mount)!;
      linkLayer(tx, s.target.scope, s.name, mount, src.size, s.nowMs);
      return true;
    });
    if (mounted) return created(call, named, mount);
    // The spec's fallback: an ordinary upload session.
  } else if (digest !== null) {
    return monolithic(call, named, digest);
  }
  const uuid = randomUUID();
  await open(call, named, 'InitiateLayerUpload', {}, (s, tx) => {
    putUpload(tx, s.target.scope, uuid, { repo: s.name, parts: [], size: 0, startedAtMs: s.nowMs, via: 'registry', by: s.caller.principal.arn });
  });
  call.req.resume();
  return sessionAnswer(call, named, uuid, 0, 202);
}

async function monolithic(call: Call, named: Named, digest: string): Promise<Answer> {
  checkDigest(digest);
  const s = await open(call, named, 'InitiateLayerUpload', {}, async (s) => {
    await authorizeAs(call.deps, s.ctx, 'CompleteLayerUpload', { registryId: s.target.registryId, repositoryName: s.name, uploadId: 'monolithic', layerDigests: [digest] });
    return s;
  });
  const hash = createHash('sha256');
  const chunk = await writeChunk(call.deps.blobs, call.req, hash);
  await finish(call, named, s, digest, [], chunk, undefined, digestOf(hash));
  return created(call, named, digest);
}

/** The last stored part's blob id (what a live hash is matched against). */
function lastBlobOf(u: UploadRecord): string | undefined {
  return u.parts.at(-1)?.blob;
}

/** Verifies the digest (`actual`: the content's) and stores the blob; on a mismatch keeps nothing (the upload included). */
async function finish(call: Call, named: Named, s: Session, digest: string, parts: UploadRecord['parts'], last: Chunk, uuid: string | undefined, actual: string): Promise<void> {
  const all = last.blob ? [...parts, { blob: last.blob, size: last.size }] : parts;
  const size = all.reduce((n, p) => n + p.size, 0);
  // A refusal is returned, not thrown, so that what it drops is committed (a throw rolls back,
  // and afterCommit deletes never run).
  const refusal = await transaction(call, (tx, after): RegistryError | undefined => {
    const drop = (ids: string[]) => dropBlobs(call, after, ids);
    if (uuid !== undefined) {
      const now = getUpload(tx, s.target.scope, uuid);
      if (!now || now.size !== size - last.size) {
        drop(last.blob ? [last.blob] : []);
        return uploadUnknown(uuid);
      }
      dropUpload(tx, s.target.scope, uuid); // its parts become the blob's (or are dropped below)
    }
    if (actual !== digest) {
      drop(all.map((p) => p.blob));
      return new RegistryError('DIGEST_INVALID', `provided digest did not match uploaded content: the content's digest is ${actual}`, 400, { digest, actual });
    }
    if (!findRepository(tx, s.target.scope, s.name)) {
      drop(all.map((p) => p.blob));
      return nameUnknown(s.name, s.target.registryId);
    }
    drop(storeBlob(tx, digest, all, size));
    linkLayer(tx, s.target.scope, s.name, digest, size, call.deps.clock.nowMs());
    return undefined;
  });
  if (refusal) throw refusal;
}

export async function patchUpload(call: Call, named: Named, uuid: string): Promise<Answer> {
  const { s, u } = await open(call, named, 'UploadLayerPart', { uploadId: uuid }, (s) => {
    const u = theUpload(s, uuid);
    checkRange(call, named, uuid, u.size);
    return { s, u };
  });
  const hashes = uploadHashes(call.deps);
  // Not held (a restart): the chunk is stored unhashed, and the parts hashed when the upload ends.
  const hash = hasBody(call) ? hashes.resume(uuid, u.size, lastBlobOf(u)) : undefined;
  const chunk: Chunk = hasBody(call) ? await writeChunk(call.deps.blobs, call.req, hash) : { size: 0 };
  if (!hasBody(call)) call.req.resume();
  // A refusal is returned (not thrown: a rollback would skip the chunk's delete).
  const size = await transaction(call, (tx, after): number | RegistryError => {
    const now = getUpload(tx, s.target.scope, uuid);
    if (!now || now.size !== u.size || lastBlobOf(now) !== lastBlobOf(u)) {
      dropBlobs(call, after, chunk.blob ? [chunk.blob] : []);
      if (!now) return uploadUnknown(uuid);
      return new RegistryError('BLOB_UPLOAD_INVALID', 'another chunk of this upload arrived meanwhile', 416, { uuid }, sessionAnswer(call, named, uuid, now.size, 416).headers);
    }
    const { hashState: _old, ...rest } = now; // written by earlier versions (hash-wasm state); not kept
    const next: UploadRecord = { ...rest, size: now.size + chunk.size, parts: chunk.blob ? [...now.parts, { blob: chunk.blob, size: chunk.size }] : now.parts };
    putUpload(tx, s.target.scope, uuid, next);
    return next.size;
  });
  if (size instanceof RegistryError) throw size;
  if (hash && chunk.blob) hashes.keep(uuid, size, chunk.blob, hash, u.startedAtMs, call.deps.clock.nowMs());
  return sessionAnswer(call, named, uuid, size, 202);
}

export async function putUploadEnd(call: Call, named: Named, uuid: string): Promise<Answer> {
  const digest = call.query.get('digest');
  if (digest === null) throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload', 400);
  checkDigest(digest);
  const { s, u } = await open(call, named, 'CompleteLayerUpload', { uploadId: uuid, layerDigests: [digest] }, (s) => {
    const u = theUpload(s, uuid);
    if (hasBody(call)) checkRange(call, named, uuid, u.size);
    return { s, u };
  });
  const hashes = uploadHashes(call.deps);
  try {
    const hash = hashes.resume(uuid, u.size, lastBlobOf(u));
    const last: Chunk = hasBody(call) ? await writeChunk(call.deps.blobs, call.req, hash) : { size: 0 };
    if (!hasBody(call)) call.req.resume();
    let actual: string;
    try {
      // No live hash (a restart, or it was evicted): every part read and hashed again.
      actual = digestOf(hash ?? await hashParts(call.deps.blobs, last.blob ? [...u.parts, { blob: last.blob }] : u.parts));
    } catch (e) {
      if (last.blob) call.deps.blobs.delete(last.blob);
      if (isMissingPart(e)) throw uploadUnknown(uuid); // cancelled or collected meanwhile
      throw e;
    }
    await finish(call, named, s, digest, u.parts, last, uuid, actual);
  } finally {
    hashes.forget(uuid); // done, refused (nothing kept), or unknown now
  }
  return created(call, named, digest);
}

export async function uploadStatus(call: Call, named: Named, uuid: string): Promise<Answer> {
  const size = await open(call, named, 'InitiateLayerUpload', {}, (s) => theUpload(s, uuid).size);
  const a = sessionAnswer(call, named, uuid, size, 204);
  return { ...a, body: Buffer.alloc(0) };
}

export async function cancelUpload(call: Call, named: Named, uuid: string): Promise<Answer> {
  await open(call, named, 'InitiateLayerUpload', {}, (s, tx, after) => {
    theUpload(s, uuid);
    dropBlobs(call, after, dropUpload(tx, s.target.scope, uuid));
  });
  uploadHashes(call.deps).forget(uuid);
  return { status: 204, headers: { 'content-length': '0' }, body: Buffer.alloc(0) };
}
