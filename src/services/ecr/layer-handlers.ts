/**
 * The ECR API's layer operations, over the same rows as the registry's blob endpoints
 * (layers.ts): BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart (runs outside
 * the store lock: the part goes to the blob store), CompleteLayerUpload (the parts read back and
 * hashed with node:crypto, ~1 GB/s, outside the lock: the API's requests reach no per-server state
 * to keep a live hash in, as the registry's chunked uploads do), GetDownloadUrlForLayer (a
 * short-lived URL on this server's registry endpoint).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse, CompleteLayerUploadRequest, CompleteLayerUploadResponse,
  GetDownloadUrlForLayerRequest, GetDownloadUrlForLayerResponse, InitiateLayerUploadRequest, InitiateLayerUploadResponse,
  Layer, LayerFailure, UploadLayerPartRequest, UploadLayerPartResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { referencedDigests } from './images.js';
import { blobOf, dropUpload, expireUploads, getUpload, hasLayer, linkLayer, putUpload, storeBlob, UPLOAD_TTL_MS } from './layers.js';
import type { UploadRecord } from './records.js';
import { requestScope, requireRepository } from './repositories.js';
import { signDownload, DOWNLOAD_PARAM } from './registry/access.js';
import { digestOf, hashParts, isMissingPart, writeChunk } from './registry/chunks.js';
import { DIGEST_RE } from './registry/names.js';

/** What InitiateLayerUpload tells clients to send per part. */
export const PART_SIZE = 10 * 1024 * 1024;
/** Every part but the last must be at least this big (ECR's LayerPartTooSmallException). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_BYTES = 20 * 1024 * 1024;

const uploadNotFound = (uploadId: string, repo: string, registryId: string) =>
  new AwsError('UploadNotFoundException', `Upload with id '${uploadId}' is not found in the repository with name '${repo}' in the registry with id '${registryId}'`);

/** The upload, when it is this repository's and this caller's. */
function theUpload(tx: Tx, scope: Scope, ctx: RequestContext, repo: string, uploadId: string | undefined): UploadRecord {
  const u = uploadId ? getUpload(tx, scope, uploadId) : undefined;
  if (!u || u.repo !== repo || u.by !== ctx.principal.arn || ctx.clock.nowMs() - u.startedAtMs >= UPLOAD_TTL_MS) throw uploadNotFound(uploadId ?? '', repo, scope.account);
  return u;
}

const batchCheckLayerAvailability: Handler<BatchCheckLayerAvailabilityRequest, BatchCheckLayerAvailabilityResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const repo = requireRepository(ctx.tx, scope, input.repositoryName!);
  const layers: Layer[] = [];
  const failures: LayerFailure[] = [];
  for (const d of input.layerDigests ?? []) {
    if (!DIGEST_RE.test(d)) {
      failures.push({ layerDigest: d, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const link = hasLayer(ctx.tx, scope, repo.name, d);
    if (!link) failures.push({ layerDigest: d, failureCode: 'MissingLayerDigest', failureReason: 'Could not find layer' });
    else layers.push({ layerDigest: d, layerAvailability: 'AVAILABLE', layerSize: link.size });
  }
  return { layers, failures };
};

const initiateLayerUpload: Handler<InitiateLayerUploadRequest, InitiateLayerUploadResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const repo = requireRepository(ctx.tx, scope, input.repositoryName!);
  // Uploads of this registry started a day ago or more are collected on the way.
  const stale = expireUploads(ctx.tx, scope, ctx.clock.nowMs());
  if (stale.length) ctx.afterCommit(() => { for (const id of stale) ctx.blobs.delete(id); });
  const uploadId = randomUUID();
  putUpload(ctx.tx, scope, uploadId, { repo: repo.name, parts: [], size: 0, startedAtMs: ctx.clock.nowMs(), via: 'api', by: ctx.principal.arn });
  return { uploadId, partSize: PART_SIZE };
};

const uploadLayerPart: Handler<UploadLayerPartRequest, UploadLayerPartResponse> = async (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName!;
  const part = Buffer.from(input.layerPartBlob ?? new Uint8Array());
  const first = input.partFirstByte ?? -1;
  const last = input.partLastByte ?? -1;
  const invalidPart = (received: number) => new AwsError('InvalidLayerPartException',
    'The layer part size is not valid, or the first byte specified is not consecutive to the last byte of a previous layer part upload.', 400,
    // lastValidByteReceived is a number on the wire (the JSON codec writes field values as they are).
    { fields: { registryId: scope.account, repositoryName: name, uploadId: input.uploadId ?? '', lastValidByteReceived: (received - 1) as unknown as string } });
  const before = await ctx.transact((tx) => {
    requireRepository(tx, scope, name);
    const u = theUpload(tx, scope, ctx, name, input.uploadId);
    if (first !== u.size || last - first + 1 !== part.length || part.length === 0) throw invalidPart(u.size);
    if (part.length > MAX_PART_BYTES) throw invalidPart(u.size);
    return u;
  });
  const chunk = await writeChunk(ctx.blobs, Readable.from([part]), undefined);
  return ctx.transact((tx) => {
    const u = getUpload(tx, scope, input.uploadId!);
    if (!u || u.size !== before.size) {
      if (chunk.blob) ctx.afterCommit(() => ctx.blobs.delete(chunk.blob!));
      if (!u) throw uploadNotFound(input.uploadId!, name, scope.account);
      throw invalidPart(u.size);
    }
    const { hashState: _old, ...rest } = u; // written by earlier versions (hash-wasm state); not kept
    const next: UploadRecord = { ...rest, size: u.size + chunk.size, parts: [...u.parts, { blob: chunk.blob!, size: chunk.size }] };
    putUpload(tx, scope, input.uploadId!, next);
    return { registryId: scope.account, repositoryName: name, uploadId: input.uploadId!, lastByteReceived: next.size - 1 };
  });
};

/** Runs outside the store lock (index.ts): a refused upload is dropped in a commit of its own before the error. */
const completeLayerUpload: Handler<CompleteLayerUploadRequest, CompleteLayerUploadResponse> = async (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName!;
  const uploadId = input.uploadId!;
  const digests = input.layerDigests ?? [];
  const u = await ctx.transact((tx) => {
    requireRepository(tx, scope, name);
    return theUpload(tx, scope, ctx, name, uploadId);
  });
  if (u.size === 0) throw new AwsError('EmptyUploadException', 'The specified layer upload does not contain any layer parts.');
  if (u.parts.slice(0, -1).some((p) => p.size < MIN_PART_BYTES)) {
    throw new AwsError('LayerPartTooSmallException', `Layer parts must be at least ${MIN_PART_BYTES} bytes, except the last one.`);
  }
  let actual: string;
  try {
    actual = digestOf(await hashParts(ctx.blobs, u.parts));
  } catch (e) {
    if (isMissingPart(e)) throw uploadNotFound(uploadId, name, scope.account); // cancelled or collected meanwhile
    throw e;
  }
  const refusal = await ctx.transact((tx): AwsError | CompleteLayerUploadResponse => {
    const repo = requireRepository(tx, scope, name);
    const now = theUpload(tx, scope, ctx, name, uploadId);
    if (now.size !== u.size) throw uploadNotFound(uploadId, name, scope.account);
    const drop = (ids: string[]) => { if (ids.length) ctx.afterCommit(() => { for (const id of ids) ctx.blobs.delete(id); }); };
    if (!digests.length || digests.some((d) => d !== actual)) {
      // Nothing of an upload whose digest does not match is kept.
      drop(dropUpload(tx, scope, uploadId));
      return new AwsError('InvalidLayerException', `The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not match the digest specified (${actual}).`);
    }
    if (hasLayer(tx, scope, repo.name, actual)) {
      drop(dropUpload(tx, scope, uploadId));
      return new AwsError('LayerAlreadyExistsException', 'The image layer already exists in the associated repository.');
    }
    dropUpload(tx, scope, uploadId); // its parts become the blob's (or are dropped as a duplicate)
    drop(storeBlob(tx, actual, u.parts, u.size));
    linkLayer(tx, scope, repo.name, actual, u.size, ctx.clock.nowMs());
    return { registryId: scope.account, repositoryName: name, uploadId, layerDigest: actual };
  });
  if (refusal instanceof AwsError) throw refusal;
  return refusal;
};

const getDownloadUrlForLayer: Handler<GetDownloadUrlForLayerRequest, GetDownloadUrlForLayerResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const repo = requireRepository(ctx.tx, scope, input.repositoryName!);
  const digest = input.layerDigest!;
  if (!DIGEST_RE.test(digest) || !hasLayer(ctx.tx, scope, repo.name, digest) || !blobOf(ctx.tx, digest)) {
    throw new AwsError('LayersNotFoundException', `The specified layers could not be found, or the specified layer is not valid for this repository.`);
  }
  if (!referencedDigests(ctx.tx, scope, repo.name).has(digest)) {
    throw new AwsError('LayerInaccessibleException', 'The specified layer is not available because it is not associated with an image. Unassociated image layers may be cleaned up at any time.');
  }
  if (!ctx.principal.accessKeyId) throw new AwsError('LayerInaccessibleException', 'A download URL needs credentials with an access key.');
  const target = { registryId: scope.account, region: scope.region, scope };
  const sig = signDownload(ctx.tx, ctx.principal.accessKeyId, target, repo.name, digest, ctx.clock.nowMs());
  const host = ctx.wire.headers['host'] ?? ctx.wire.host;
  const url = `${ctx.wire.secure ? 'https' : 'http'}://${host}/v2/${scope.account}.dkr.ecr.${scope.region}/${repo.name}/blobs/${digest}?${DOWNLOAD_PARAM}=${encodeURIComponent(sig)}`;
  return { downloadUrl: url, layerDigest: digest };
};

/** ECR operations of this area (see index.ts). */
export const layerHandlers: Record<string, Handler> = {
  BatchCheckLayerAvailability: batchCheckLayerAvailability,
  InitiateLayerUpload: initiateLayerUpload,
  UploadLayerPart: uploadLayerPart,
  CompleteLayerUpload: completeLayerUpload,
  GetDownloadUrlForLayer: getDownloadUrlForLayer,
};
