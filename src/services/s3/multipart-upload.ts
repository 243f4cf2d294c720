/**
 * Multipart uploads: create, upload a part (from the body or copied from an object), complete,
 * abort. Parts stream to the blob store outside the store lock (UploadPart and UploadPartCopy are
 * `outside` operations): a short transaction checks the upload, the body is ingested, a second one
 * commits the part row, so parts of one upload proceed in parallel. A completed object keeps the
 * parts' blobs as its pieces (no concatenation); Complete itself is one transaction.
 */
import { randomBytes } from 'node:crypto';
import type {
  AbortMultipartUploadOutput, AbortMultipartUploadRequest, CompleteMultipartUploadOutput, CompleteMultipartUploadRequest,
  CreateMultipartUploadOutput, CreateMultipartUploadRequest, UploadPartCopyOutput, UploadPartCopyRequest, UploadPartOutput, UploadPartRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { checkExpectedOwner, requireBucket } from './buckets.js';
import { objectAclForWrite } from './acl.js';
import { checksumMember, hashingStream, parseAlgorithm, supportedTypes, type ChecksumAlgorithm } from './checksums.js';
import { ingestBody, MAX_PUT_BYTES, requestedChecksums } from './ingest.js';
import { getLifecycle, expirationHeader } from './lifecycle.js';
import { uploadAbort } from './lifecycle-rules.js';
import { checkPartNumber, checksumsIn, planCompletion, uploadChecksum } from './multipart-complete.js';
import { checkCustomerKeyOnRead, encryptionOutput, writeFields, type WriteInput } from './object-fields.js';
import { lockFieldsForNewObject } from './object-lock.js';
import { readPieces, type ByteRange } from './object-read.js';
import { checkKey, checkWriteConditions, parseCopySource, readCopySource, withAcl } from './object-write.js';
import {
  PART_KIND, UPLOAD_KIND, ownerScope, partRowId, uploadRowId, type ObjectVersion, type PartRecord, type UploadRecord,
} from './records.js';
import { commitVersion } from './versions.js';
import { billRetrieval } from './storage-bill.js';

export const noSuchUpload = (uploadId: string | undefined): AwsError =>
  new AwsError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, {
    fields: { UploadId: uploadId ?? '' },
  });

/** Upload IDs sort by initiation time (ListMultipartUploads lists a key's uploads oldest first), then at random. */
function newUploadId(nowMs: number): string {
  return `${Math.max(0, nowMs).toString(36).padStart(9, '0')}${randomBytes(36).toString('base64url')}`;
}

/** The upload named by bucket, key and ID, with its owner; NoSuchBucket / NoSuchUpload otherwise. */
export function requireUpload(tx: Tx, bucketName: string, key: string, uploadId: string | undefined): { owner: string; upload: UploadRecord; bucket: ReturnType<typeof requireBucket>['bucket'] } {
  const { owner, bucket } = requireBucket(tx, bucketName);
  const upload = uploadId ? tx.get<UploadRecord>(ownerScope(owner.account), UPLOAD_KIND, uploadRowId(bucket.name, key, uploadId)) : undefined;
  if (!upload) throw noSuchUpload(uploadId);
  return { owner: owner.account, upload, bucket };
}

/** Every part row of an upload, in part number order. */
export function uploadParts(tx: Tx, owner: string, bucket: string, uploadId: string): Array<{ id: string; value: PartRecord }> {
  return tx.list<PartRecord>(ownerScope(owner), PART_KIND, { prefix: `${bucket}/${uploadId}/` });
}

/** Deletes an upload's rows; returns its parts' blobs (to delete after the commit). */
function dropUpload(tx: Tx, owner: string, bucket: string, upload: UploadRecord): string[] {
  const scope = ownerScope(owner);
  const blobs: string[] = [];
  for (const row of uploadParts(tx, owner, bucket, upload.uploadId)) {
    blobs.push(row.value.blob);
    tx.delete(scope, PART_KIND, row.id);
  }
  tx.delete(scope, UPLOAD_KIND, uploadRowId(bucket, upload.key, upload.uploadId));
  return blobs;
}

const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequest', message, 400);

/** The checksum algorithm and type CreateMultipartUpload asks for, with S3's allowed combinations. */
function checksumChoice(rawAlgorithm: string | undefined, rawType: string | undefined): Pick<UploadRecord, 'checksumAlgorithm' | 'checksumType'> {
  if (rawType !== undefined && rawType !== 'COMPOSITE' && rawType !== 'FULL_OBJECT') throw invalidRequest('Value for x-amz-checksum-type header is invalid.');
  if (rawAlgorithm === undefined) {
    if (rawType !== undefined) throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return {};
  }
  const algorithm = parseAlgorithm(rawAlgorithm);
  if (!algorithm) throw invalidRequest('Value for x-amz-checksum-algorithm header is invalid.');
  const types = supportedTypes(algorithm);
  const type = (rawType ?? types[0]) as 'COMPOSITE' | 'FULL_OBJECT';
  if (!types.includes(type)) throw invalidRequest(`The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  return { checksumAlgorithm: algorithm, checksumType: type };
}

export const createMultipartUpload: Handler<CreateMultipartUploadRequest, CreateMultipartUploadOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const choice = checksumChoice(input.ChecksumAlgorithm, input.ChecksumType);
  const now = ctx.clock.nowMs();
  const lock = lockFieldsForNewObject(ctx.tx, owner.account, bucket, input, now);
  const template: Partial<ObjectVersion> = {
    ...writeFields(ctx.tx, owner.account, bucket.name, ctx.region, input as WriteInput),
    ...withAcl(objectAclForWrite(ctx.tx, owner.account, bucket.name, ctx.account || owner.account, input)),
  };
  // Only the request's own lock fields: the bucket's default retention applies at completion.
  if (input.ObjectLockMode !== undefined && lock.retention) template.retention = lock.retention;
  if (lock.legalHold !== undefined) template.legalHold = lock.legalHold;
  const upload: UploadRecord = {
    key, uploadId: newUploadId(now), initiatedMs: now, initiator: ctx.principal.arn, owner: owner.account,
    storageClass: template.storageClass ?? 'STANDARD', ...choice, template,
  };
  ctx.tx.put(ownerScope(owner.account), UPLOAD_KIND, uploadRowId(bucket.name, key, upload.uploadId), upload);
  const out: CreateMultipartUploadOutput = {
    Bucket: bucket.name, Key: key, UploadId: upload.uploadId, ...encryptionOutput(template as ObjectVersion) as CreateMultipartUploadOutput,
  };
  if (choice.checksumAlgorithm) {
    out.ChecksumAlgorithm = choice.checksumAlgorithm;
    out.ChecksumType = choice.checksumType;
  }
  const config = getLifecycle(ctx.tx, owner.account, bucket.name);
  const abort = config && uploadAbort(config, key, now);
  if (abort) {
    out.AbortDate = new Date(abort.atMs);
    out.AbortRuleId = abort.ruleId;
  }
  return out;
};

/** A part's bytes are stored: commit its row (replacing an earlier upload of the same number) or drop the blob. */
async function commitPart(ctx: RequestContext, bucketName: string, key: string, uploadId: string, part: PartRecord, also?: (tx: Tx) => void): Promise<void> {
  let replaced: string | undefined;
  try {
    replaced = await ctx.transact((tx) => {
      const { owner, bucket } = requireUpload(tx, bucketName, key, uploadId);
      also?.(tx);
      const id = partRowId(bucket.name, uploadId, part.partNumber);
      const old = tx.get<PartRecord>(ownerScope(owner), PART_KIND, id);
      tx.put(ownerScope(owner), PART_KIND, id, part);
      return old?.blob;
    });
  } catch (err) {
    ctx.blobs.delete(part.blob);
    throw err;
  }
  if (replaced !== undefined && replaced !== part.blob) ctx.blobs.delete(replaced);
}

const mismatch = (expected: ChecksumAlgorithm, actual: ChecksumAlgorithm | undefined): AwsError =>
  invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${actual ? actual.toLowerCase() : 'null'}`);

export const uploadPart: Handler<UploadPartRequest, UploadPartOutput> = async (input, ctx) => {
  const key = checkKey(input.Key);
  const partNumber = checkPartNumber(input.PartNumber);
  const { upload } = await ctx.transact((tx) => {
    checkExpectedOwner(input.ExpectedBucketOwner, requireBucket(tx, input.Bucket!).owner);
    return requireUpload(tx, input.Bucket!, key, input.UploadId);
  });
  checkCustomerKeyOnRead(upload.template as ObjectVersion, input);
  const { algorithm, type, explicit } = uploadChecksum(upload);
  if (explicit) {
    const named = requestedChecksums(ctx.wire.headers).algorithm;
    if (named !== undefined && named !== algorithm) throw mismatch(algorithm, named);
    if (named === undefined && type === 'COMPOSITE') throw mismatch(algorithm, undefined);
  }
  const body = await ingestBody(ctx, input.Body as never, { defaultAlgorithm: algorithm, also: [algorithm] });
  await commitPart(ctx, input.Bucket!, key, upload.uploadId, {
    partNumber, blob: body.blob.id, size: body.blob.size, md5: body.blob.md5, lastModifiedMs: ctx.clock.nowMs(), checksums: body.checksums,
  });
  const out: UploadPartOutput = { ETag: `"${body.blob.md5}"`, ...encryptionOutput(upload.template as ObjectVersion) as UploadPartOutput };
  (out as Record<string, unknown>)[checksumMember(body.checksum.algorithm)] = body.checksum.value;
  return out;
};

/** x-amz-copy-source-range: bytes=first-last, within the source. */
export function copySourceRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  const fields = { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: header };
  if (!m) {
    throw new AwsError('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 400, { fields });
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > end || end >= size) throw new AwsError('InvalidArgument', `Range specified is not valid for source object of size: ${size}`, 400, { fields });
  return { start, end };
}

export const uploadPartCopy: Handler<UploadPartCopyRequest, UploadPartCopyOutput> = async (input, ctx) => {
  const key = checkKey(input.Key);
  const partNumber = checkPartNumber(input.PartNumber);
  const src = parseCopySource(input.CopySource);
  const { upload, source } = await ctx.transact((tx) => {
    checkExpectedOwner(input.ExpectedBucketOwner, requireBucket(tx, input.Bucket!).owner);
    const { upload } = requireUpload(tx, input.Bucket!, key, input.UploadId);
    const v = readCopySource(tx, input, src, ctx.clock.nowMs(), "The operation is not valid for the object's storage class");
    return { upload, source: v };
  });
  checkCustomerKeyOnRead(upload.template as ObjectVersion, input);
  const range = copySourceRange(input.CopySourceRange, source.size);
  const length = range ? range.end - range.start + 1 : source.size;
  if (length > MAX_PUT_BYTES) throw new AwsError('InvalidRequest', 'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120', 400);
  const { algorithm } = uploadChecksum(upload);
  const hasher = hashingStream([algorithm]);
  const blob = await ctx.blobs.write(readPieces(ctx.blobs, source.pieces, range).pipe(hasher));
  const now = ctx.clock.nowMs();
  await commitPart(ctx, input.Bucket!, key, upload.uploadId, {
    partNumber, blob: blob.id, size: blob.size, md5: blob.md5, lastModifiedMs: now, checksums: { ...hasher.checksums },
  }, (tx) => {
    // Reading the source range back from an infrequent-access class is a retrieval, on its bucket's bill.
    billRetrieval(tx, src.bucket, source, length, now, 'UploadPartCopy');
  });
  const result: NonNullable<UploadPartCopyOutput['CopyPartResult']> = { ETag: `"${blob.md5}"`, LastModified: new Date(now) };
  (result as Record<string, unknown>)[checksumMember(algorithm)] = hasher.checksums[algorithm];
  const out: UploadPartCopyOutput = { CopyPartResult: result, ...encryptionOutput(upload.template as ObjectVersion) as UploadPartCopyOutput };
  if (source.versionId !== 'null' || src.versionId !== undefined) out.CopySourceVersionId = source.versionId;
  return out;
};

/** The object's URL as S3 reports it in Location: virtual-hosted when the request was. */
function location(ctx: RequestContext, bucket: string, key: string): string {
  const host = ctx.wire.headers.host ?? ctx.wire.host;
  const proto = ctx.wire.headers['x-forwarded-proto'] ?? 'http';
  const path = key.split('/').map(encodeURIComponent).join('/');
  return ctx.wire.host.startsWith(`${bucket}.`) ? `${proto}://${host}/${path}` : `${proto}://${host}/${bucket}/${path}`;
}

export const completeMultipartUpload: Handler<CompleteMultipartUploadRequest, CompleteMultipartUploadOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const tx = ctx.tx;
  const { owner, upload, bucket } = requireUpload(tx, input.Bucket!, key, input.UploadId);
  // SSE-C: the key, when sent again, must be the upload's.
  if (input.SSECustomerKey !== undefined) checkCustomerKeyOnRead(upload.template as ObjectVersion, input);
  checkWriteConditions(tx, owner, bucket.name, key, input.IfMatch, input.IfNoneMatch);
  const stored = uploadParts(tx, owner, bucket.name, upload.uploadId).map((r) => r.value);
  const plan = planCompletion(upload, stored, input.MultipartUpload?.Parts, {
    checksumType: input.ChecksumType, checksums: checksumsIn(input), objectSize: input.MpuObjectSize,
  });
  const now = ctx.clock.nowMs();
  // The request's lock fields, else the bucket's default retention as it is now.
  const lock = { ...lockFieldsForNewObject(tx, owner, bucket, {}, now) };
  if (upload.template.retention) lock.retention = upload.template.retention;
  if (upload.template.legalHold !== undefined) lock.legalHold = upload.template.legalHold;
  const { version, orphans } = commitVersion(tx, owner, bucket, {
    ...upload.template, ...lock,
    // S3 dates a multipart object by its upload's initiation.
    key, lastModifiedMs: upload.initiatedMs, etag: plan.etag, size: plan.size,
    pieces: plan.parts.map((p) => ({ blob: p.blob, size: p.size })), partSizes: plan.parts.map((p) => p.size),
    owner, storageClass: upload.storageClass, checksum: plan.checksum,
  });
  dropUpload(tx, owner, bucket.name, upload);
  const gone = [...orphans, ...plan.unused];
  ctx.afterCommit(() => { for (const b of gone) ctx.blobs.delete(b); });
  const out: CompleteMultipartUploadOutput = {
    Location: location(ctx, bucket.name, key), Bucket: bucket.name, Key: key, ETag: version.etag,
    ChecksumType: plan.checksum.type, ...encryptionOutput(version) as CompleteMultipartUploadOutput,
  };
  (out as Record<string, unknown>)[checksumMember(plan.checksum.algorithm)] = plan.checksum.value;
  if (bucket.versioning !== undefined) out.VersionId = version.versionId;
  const expiration = expirationHeader(tx, owner, bucket.name, version);
  if (expiration !== undefined) out.Expiration = expiration;
  return out;
};

export const abortMultipartUpload: Handler<AbortMultipartUploadRequest, AbortMultipartUploadOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const { owner, upload, bucket } = requireUpload(ctx.tx, input.Bucket!, key, input.UploadId);
  if (input.IfMatchInitiatedTime !== undefined && Math.floor(input.IfMatchInitiatedTime.getTime() / 1000) !== Math.floor(upload.initiatedMs / 1000)) {
    throw new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { fields: { Condition: 'x-amz-if-match-initiated-time' } });
  }
  const blobs = dropUpload(ctx.tx, owner, bucket.name, upload);
  ctx.afterCommit(() => { for (const b of blobs) ctx.blobs.delete(b); });
  return {};
};
