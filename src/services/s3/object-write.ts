/**
 * PutObject and CopyObject: bytes first, outside the store lock (ingest.ts), then one short
 * transaction that checks the bucket and the preconditions again and commits the version. A write
 * that loses (a failed precondition, a bucket deleted meanwhile) removes its own blob.
 */
import type { CopyObjectOutput, CopyObjectRequest, PutObjectOutput, PutObjectRequest } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { checkExpectedOwner, requireBucket } from './buckets.js';
import { checksumMember, hashingStream, type ChecksumAlgorithm } from './checksums.js';
import { ingestBody, MAX_PUT_BYTES } from './ingest.js';
import { checkConditions, readPieces } from './object-read.js';
import { checkCustomerKeyOnRead, encryptionOutput, writeFields, type WriteInput } from './object-fields.js';
import type { BucketRecord, ObjectVersion } from './records.js';
import { commitVersion, currentVersion, readableVersion } from './versions.js';
import { expirationHeader } from './lifecycle.js';
import { lockFieldsForNewObject } from './object-lock.js';
import { archivedUnreadable, invalidObjectState } from './restore.js';
import { objectAclForWrite } from './acl.js';
import { billRetrieval } from './storage-bill.js';

/** A stored ACL only when one was asked for (most objects have none: ownership enforced). */
export const withAcl = (acl: ObjectVersion['acl']): Pick<ObjectVersion, 'acl'> => (acl ? { acl } : {});

export function checkKey(key: string | undefined): string {
  if (!key) throw new AwsError('InvalidArgument', 'A key must be specified', 400);
  if (Buffer.byteLength(key) > 1024) throw new AwsError('KeyTooLongError', 'Your key is too long', 400, { fields: { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: '1024' } });
  return key;
}

/** Conditional writes: If-None-Match: * (no current object) and If-Match (the current ETag). */
export function checkWriteConditions(tx: Tx, owner: string, bucket: string, key: string, ifMatch: string | undefined, ifNoneMatch: string | undefined): void {
  if (ifMatch === undefined && ifNoneMatch === undefined) return;
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { fields: { Header: 'If-None-Match' } });
  const cur = currentVersion(tx, owner, bucket, key);
  const live = cur && !cur.deleteMarker ? cur : undefined;
  if (ifNoneMatch === '*' && live) throw new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { fields: { Condition: 'If-None-Match' } });
  if (ifMatch !== undefined) {
    if (!live) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key } });
    checkConditions(live, { IfMatch: ifMatch });
  }
}

/**
 * The checks a PUT makes before reading any byte of the body, in one short transaction: the
 * bucket, its expected owner, the write conditions, and the lock and ACL headers (as S3 does).
 */
async function checkBeforeBody(ctx: RequestContext, input: PutObjectRequest, key: string): Promise<void> {
  await ctx.transact((tx) => {
    const { owner, bucket } = requireBucket(tx, input.Bucket!);
    checkExpectedOwner(input.ExpectedBucketOwner, owner);
    checkWriteConditions(tx, owner.account, bucket.name, key, input.IfMatch, input.IfNoneMatch);
    lockFieldsForNewObject(tx, owner.account, bucket, input, ctx.clock.nowMs(), ctx.wire.headers);
    objectAclForWrite(tx, owner.account, bucket.name, ctx.account || owner.account, input);
  });
}

/** Commits a version whose bytes are already stored, or removes them if the commit is refused. */
export async function commitNew(ctx: RequestContext, bucketName: string, key: string, blobs: string[],
  build: (tx: Tx, owner: string, bucket: BucketRecord) => Omit<ObjectVersion, 'versionId' | 'seq'>, conditions: { ifMatch?: string; ifNoneMatch?: string } = {},
  committed?: (tx: Tx, owner: string, version: ObjectVersion) => void): Promise<{ version: ObjectVersion; bucket: BucketRecord; owner: string }> {
  try {
    const done = await ctx.transact((tx) => {
      const { owner, bucket } = requireBucket(tx, bucketName);
      checkWriteConditions(tx, owner.account, bucket.name, key, conditions.ifMatch, conditions.ifNoneMatch);
      const { version, orphans } = commitVersion(tx, owner.account, bucket, build(tx, owner.account, bucket));
      committed?.(tx, owner.account, version);
      return { version, orphans, bucket, owner: owner.account };
    });
    for (const b of done.orphans) ctx.blobs.delete(b);
    return done;
  } catch (err) {
    for (const b of blobs) ctx.blobs.delete(b);
    throw err;
  }
}

export const putObject: Handler<PutObjectRequest, PutObjectOutput> = async (input, ctx) => {
  const key = checkKey(input.Key);
  if (input.WriteOffsetBytes !== undefined) throw new AwsError('NotImplemented', 'WriteOffsetBytes is only supported by directory buckets', 501);
  await checkBeforeBody(ctx, input, key);
  const body = await ingestBody(ctx, input.Body as never);
  let expiration: string | undefined;
  const { version, bucket } = await commitNew(ctx, input.Bucket!, key, [body.blob.id], (tx, owner, b) => ({
    key, lastModifiedMs: ctx.clock.nowMs(), etag: `"${body.blob.md5}"`, size: body.blob.size,
    pieces: [{ blob: body.blob.id, size: body.blob.size }], owner,
    checksum: { algorithm: body.checksum.algorithm, type: 'FULL_OBJECT', value: body.checksum.value },
    ...writeFields(tx, owner, input.Bucket!, ctx.region, input as WriteInput),
    ...lockFieldsForNewObject(tx, owner, b, input, ctx.clock.nowMs()),
    ...withAcl(objectAclForWrite(tx, owner, b.name, ctx.account || owner, input)),
  } as Omit<ObjectVersion, 'versionId' | 'seq'>), { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch },
  (tx, owner, v) => { expiration = expirationHeader(tx, owner, input.Bucket!, v); });
  const out: PutObjectOutput = { ETag: version.etag, ...encryptionOutput(version) as PutObjectOutput, Size: version.size };
  if (expiration !== undefined) out.Expiration = expiration;
  (out as Record<string, unknown>)[checksumMember(body.checksum.algorithm)] = body.checksum.value;
  out.ChecksumType = 'FULL_OBJECT';
  if (bucket.versioning !== undefined) out.VersionId = version.versionId;
  return out;
};

/** "bucket/key[?versionId=v]", URL-encoded, maybe with a leading '/'. */
export function parseCopySource(raw: string | undefined): { bucket: string; key: string; versionId?: string } {
  const bad = () => new AwsError('InvalidArgument', 'Invalid copy source object key', 400, { fields: { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw ?? '' } });
  if (!raw) throw bad();
  const [path, query] = raw.replace(/^\//, '').split('?', 2) as [string, string | undefined];
  let decoded: string;
  try { decoded = decodeURIComponent(path); } catch { throw bad(); }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw bad();
  const versionId = query ? new URLSearchParams(query).get('versionId') ?? undefined : undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

/** What CopyObject and UploadPartCopy send about their source. */
export type CopySourceInput = Pick<CopyObjectRequest, 'ExpectedSourceBucketOwner' | 'CopySourceIfMatch' | 'CopySourceIfNoneMatch'
  | 'CopySourceIfModifiedSince' | 'CopySourceIfUnmodifiedSince' | 'CopySourceSSECustomerAlgorithm' | 'CopySourceSSECustomerKey' | 'CopySourceSSECustomerKeyMD5'>;

/**
 * The version a copy reads: its bucket's expected owner, the x-amz-copy-source-if-* conditions,
 * the SSE-C key, and not archived (`archivedMessage` is the operation's wording).
 */
export function readCopySource(tx: Tx, input: CopySourceInput, src: { bucket: string; key: string; versionId?: string }, nowMs: number, archivedMessage: string): ObjectVersion {
  const { owner } = requireBucket(tx, src.bucket);
  checkExpectedOwner(input.ExpectedSourceBucketOwner, owner);
  const v = readableVersion(tx, owner.account, src.bucket, src.key, src.versionId, 'GET');
  if (archivedUnreadable(v, nowMs)) throw invalidObjectState(v.storageClass, archivedMessage);
  checkConditions(v, {
    IfMatch: input.CopySourceIfMatch, IfNoneMatch: input.CopySourceIfNoneMatch,
    IfModifiedSince: input.CopySourceIfModifiedSince, IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
  }, { copy: true });
  checkCustomerKeyOnRead(v, { SSECustomerAlgorithm: input.CopySourceSSECustomerAlgorithm, SSECustomerKey: input.CopySourceSSECustomerKey, SSECustomerKeyMD5: input.CopySourceSSECustomerKeyMD5 });
  return v;
}

const COPY_CHANGES = ['StorageClass', 'WebsiteRedirectLocation', 'ServerSideEncryption', 'SSECustomerAlgorithm', 'SSEKMSKeyId'] as const;

export const copyObject: Handler<CopyObjectRequest, CopyObjectOutput> = async (input, ctx) => {
  const key = checkKey(input.Key);
  const src = parseCopySource(input.CopySource);
  const replace = input.MetadataDirective === 'REPLACE';
  if (input.MetadataDirective !== undefined && !replace && input.MetadataDirective !== 'COPY') {
    throw new AwsError('InvalidArgument', 'Unknown metadata directive.', 400, { fields: { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: input.MetadataDirective } });
  }
  const source = await ctx.transact((tx) => {
    const v = readCopySource(tx, input, src, ctx.clock.nowMs(), 'The source object of the COPY operation is not in the active tier and is only stored in Amazon Glacier.');
    const dest = requireBucket(tx, input.Bucket!).owner;
    checkExpectedOwner(input.ExpectedBucketOwner, dest);
    const sameObject = src.bucket === input.Bucket && src.key === key && src.versionId === undefined;
    if (sameObject && !replace && COPY_CHANGES.every((m) => input[m] === undefined) && input.TaggingDirective !== 'REPLACE') {
      throw new AwsError('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.", 400);
    }
    checkWriteConditions(tx, dest.account, input.Bucket!, key, input.IfMatch, input.IfNoneMatch);
    return v;
  });
  if (source.size > MAX_PUT_BYTES) throw new AwsError('InvalidRequest', 'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120', 400);
  const algorithm: ChecksumAlgorithm = (input.ChecksumAlgorithm as ChecksumAlgorithm | undefined) ?? source.checksum?.algorithm ?? 'CRC64NVME';
  const hasher = hashingStream([algorithm]);
  const blob = await ctx.blobs.write(readPieces(ctx.blobs, source.pieces).pipe(hasher));
  const checksum = hasher.checksums[algorithm]!;
  const { version, bucket } = await commitNew(ctx, input.Bucket!, key, [blob.id], (tx, owner, b) => {
    // Reading the source back from an infrequent-access class is a retrieval, on its bucket's bill.
    billRetrieval(tx, src.bucket, source, source.size, ctx.clock.nowMs(), 'CopyObject');
    const fields = writeFields(tx, owner, input.Bucket!, ctx.region, (replace ? input : { ...pickContent(source), StorageClass: input.StorageClass, ServerSideEncryption: input.ServerSideEncryption, SSEKMSKeyId: input.SSEKMSKeyId, BucketKeyEnabled: input.BucketKeyEnabled, SSECustomerAlgorithm: input.SSECustomerAlgorithm, SSECustomerKey: input.SSECustomerKey, SSECustomerKeyMD5: input.SSECustomerKeyMD5 }) as WriteInput);
    if (!replace) {
      if (source.metadata) fields.metadata = source.metadata; else delete fields.metadata;
    }
    if (input.TaggingDirective === 'REPLACE') {
      if (!fields.tags) delete fields.tags;
    } else if (source.tags) {
      fields.tags = source.tags;
    } else {
      delete fields.tags;
    }
    return {
      key, lastModifiedMs: ctx.clock.nowMs(), etag: `"${blob.md5}"`, size: blob.size,
      pieces: [{ blob: blob.id, size: blob.size }], owner,
      checksum: { algorithm, type: 'FULL_OBJECT', value: checksum }, ...fields,
      ...lockFieldsForNewObject(tx, owner, b, input, ctx.clock.nowMs()),
      ...withAcl(objectAclForWrite(tx, owner, b.name, ctx.account || owner, input)),
    } as Omit<ObjectVersion, 'versionId' | 'seq'>;
  }, { ifMatch: input.IfMatch, ifNoneMatch: input.IfNoneMatch });
  const result: NonNullable<CopyObjectOutput['CopyObjectResult']> = { ETag: version.etag, LastModified: new Date(version.lastModifiedMs), ChecksumType: 'FULL_OBJECT' };
  (result as Record<string, unknown>)[checksumMember(algorithm)] = checksum;
  const out: CopyObjectOutput = { CopyObjectResult: result, ...encryptionOutput(version) as CopyObjectOutput };
  if (source.versionId !== 'null' || src.versionId !== undefined) out.CopySourceVersionId = source.versionId;
  if (bucket.versioning !== undefined) out.VersionId = version.versionId;
  return out;
};

function pickContent(v: ObjectVersion): WriteInput {
  return {
    ContentType: v.contentType, ContentEncoding: v.contentEncoding, ContentDisposition: v.contentDisposition,
    ContentLanguage: v.contentLanguage, CacheControl: v.cacheControl, Expires: v.expires, WebsiteRedirectLocation: v.websiteRedirectLocation,
    Tagging: v.tags ? new URLSearchParams(v.tags).toString() : undefined,
  };
}
