import type {
  DeleteObjectOutput, DeleteObjectRequest, DeleteObjectsOutput, DeleteObjectsRequest, GetObjectAttributesOutput,
  GetObjectAttributesRequest, GetObjectOutput, GetObjectRequest, HeadObjectOutput, HeadObjectRequest,
} from '@aws-sdk/client-s3';
import { AwsError, isAwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { requireBucket } from './buckets.js';
import { checksumMember } from './checksums.js';
import { checkCustomerKeyOnRead, objectOutput } from './object-fields.js';
import { checkConditions, parseRange, partRange, readPieces, type ByteRange } from './object-read.js';
import { checkKey, copyObject, putObject } from './object-write.js';
import { OBJECT_KIND, VERSION_KIND, bucketObjectId, ownerScope, type ObjectVersion } from './records.js';
import { prices } from '../cost/prices.js';
import { lifecycleMembers } from './lifecycle.js';
import { archivedUnreadable, invalidObjectState } from './restore.js';
import { commitVersion, currentVersion, findVersion, lockRefusal, readableVersion, removeVersion } from './versions.js';
import { billRetrieval } from './storage-bill.js';

/** Operations that stream bytes and so run outside the store lock. */
export const OUTSIDE = ['PutObject', 'CopyObject'] as const;

interface Read {
  owner: string;
  version: ObjectVersion;
  range?: ByteRange;
  output: Record<string, unknown>;
}

/** What GetObject and HeadObject share: the version, its preconditions, the range, the members. */
function readObject(tx: Tx, ctx: RequestContext, input: GetObjectRequest | HeadObjectRequest, method: string): Read {
  const key = checkKey(input.Key);
  const { owner, bucket } = requireBucket(tx, input.Bucket!);
  const v = readableVersion(tx, owner.account, bucket.name, key, input.VersionId, method);
  checkConditions(v, input);
  checkCustomerKeyOnRead(v, input);
  if (method === 'GET' && archivedUnreadable(v, ctx.clock.nowMs())) {
    throw invalidObjectState(v.storageClass, "The operation is not valid for the object's storage class");
  }
  let range: ByteRange | undefined;
  if (input.PartNumber !== undefined) {
    if (input.Range !== undefined) throw new AwsError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter', 400);
    range = partRange(v, input.PartNumber);
  } else {
    range = parseRange(input.Range, v.size);
  }
  const whole = !range || (range.start === 0 && range.end === v.size - 1 && input.PartNumber === undefined);
  const output = objectOutput(v, { versioned: bucket.versioning !== undefined, checksums: input.ChecksumMode === 'ENABLED' && whole });
  if (input.PartNumber !== undefined && v.checksum?.parts && input.ChecksumMode === 'ENABLED') {
    output[checksumMember(v.checksum.algorithm)] = v.checksum.parts[input.PartNumber - 1];
    output.ChecksumType = v.checksum.type;
  }
  if (input.PartNumber !== undefined) output.PartsCount = (v.partSizes ?? [v.size]).length;
  output.ContentLength = range ? range.end - range.start + 1 : v.size;
  if (range) output.ContentRange = `bytes ${range.start}-${range.end}/${v.size}`;
  if (v.tags && method === 'GET') output.TagCount = Object.keys(v.tags).length;
  Object.assign(output, lifecycleMembers(tx, owner.account, bucket.name, v, ctx.clock.nowMs()));
  overrides(output, input);
  return { owner: owner.account, version: v, range, output };
}

/** response-content-type & co. replace the stored headers in this answer only. */
function overrides(out: Record<string, unknown>, input: GetObjectRequest | HeadObjectRequest): void {
  if (input.ResponseContentType !== undefined) out.ContentType = input.ResponseContentType;
  if (input.ResponseContentEncoding !== undefined) out.ContentEncoding = input.ResponseContentEncoding;
  if (input.ResponseContentDisposition !== undefined) out.ContentDisposition = input.ResponseContentDisposition;
  if (input.ResponseContentLanguage !== undefined) out.ContentLanguage = input.ResponseContentLanguage;
  if (input.ResponseCacheControl !== undefined) out.CacheControl = input.ResponseCacheControl;
  if (input.ResponseExpires !== undefined) out.ExpiresString = input.ResponseExpires.toUTCString();
}

/**
 * A read brings an INTELLIGENT_TIERING object that has left the Frequent tier back to it (its
 * tiers count again from now: cost/lines.ts). One write only when the tier changes.
 */
function backToFrequent(tx: Tx, owner: string, bucket: string, v: ObjectVersion, nowMs: number): void {
  const it = prices().s3.intelligentTiering;
  if (v.storageClass !== 'INTELLIGENT_TIERING' || v.size < it.minMonitoredKib * 1024) return;
  if (nowMs - (v.lastAccessMs ?? v.lastModifiedMs) < it.infrequentAfterDays * 86_400_000) return;
  const found = findVersion(tx, owner, bucket, v.key, v.versionId);
  if (!found) return;
  const updated: ObjectVersion = { ...found.version, lastAccessMs: nowMs };
  if (found.current) tx.put(ownerScope(owner), OBJECT_KIND, bucketObjectId(bucket, v.key), updated);
  else tx.put(ownerScope(owner), VERSION_KIND, found.rowId!, updated);
}

export const getObject: Handler<GetObjectRequest, GetObjectOutput> = (input, ctx) => {
  const { owner, version, range, output } = readObject(ctx.tx, ctx, input, 'GET');
  billRetrieval(ctx.tx, input.Bucket!, version, range ? range.end - range.start + 1 : version.size, ctx.clock.nowMs());
  backToFrequent(ctx.tx, owner, input.Bucket!, version, ctx.clock.nowMs());
  return { ...output, Body: readPieces(ctx.blobs, version.pieces, range) } as GetObjectOutput;
};

export const headObject: Handler<HeadObjectRequest, HeadObjectOutput> = (input, ctx) => {
  try {
    return readObject(ctx.tx, ctx, input, 'HEAD').output as HeadObjectOutput;
  } catch (err) {
    // HEAD answers carry no body, so S3 sends only the status: the SDKs name the error by it.
    if (isAwsError(err) && err.code === 'NoSuchKey') throw new AwsError('NotFound', 'Not Found', 404, { headers: err.headers });
    if (isAwsError(err) && err.code === 'NoSuchBucket') throw new AwsError('NotFound', 'Not Found', 404);
    throw err;
  }
};

const bypassGovernance = (ctx: RequestContext): boolean => ctx.wire.headers['x-amz-bypass-governance-retention']?.toLowerCase() === 'true';

interface Deleted { DeleteMarker?: boolean; VersionId?: string }

/** One key's delete: a delete marker in a versioned bucket, or the version named, or the object. */
function deleteOne(ctx: RequestContext, tx: Tx, bucketName: string, key: string, versionId: string | undefined, ifMatch?: string): { result: Deleted; orphans: string[] } {
  const { owner, bucket } = requireBucket(tx, bucketName);
  const account = owner.account;
  if (bypassGovernance(ctx) && !bucket.objectLock) {
    throw new AwsError('InvalidArgument', 'x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.', 400, {
      fields: { ArgumentName: 'x-amz-bypass-governance-retention' },
    });
  }
  if (versionId !== undefined) {
    const found = findVersion(tx, account, bucket.name, key, versionId);
    if (!found) {
      if (versionId !== 'null' && !/^[A-Za-z0-9._-]{1,1024}$/.test(versionId)) {
        throw new AwsError('InvalidArgument', 'Invalid version id specified', 400, { fields: { ArgumentName: 'versionId', ArgumentValue: versionId } });
      }
      return { result: { VersionId: versionId }, orphans: [] };
    }
    const refusal = lockRefusal(found.version, ctx.clock.nowMs(), bypassGovernance(ctx));
    if (refusal) throw refusal;
    const orphans = removeVersion(tx, account, bucket.name, key, found, ctx.clock.nowMs());
    return { result: { VersionId: versionId, ...(found.version.deleteMarker ? { DeleteMarker: true } : {}) }, orphans };
  }
  const cur = currentVersion(tx, account, bucket.name, key);
  if (ifMatch !== undefined) {
    if (!cur || cur.deleteMarker) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key } });
    checkConditions(cur, { IfMatch: ifMatch });
  }
  if (bucket.versioning === undefined) {
    if (!cur) return { result: {}, orphans: [] };
    return { result: {}, orphans: removeVersion(tx, account, bucket.name, key, { version: cur, current: true }, ctx.clock.nowMs()) };
  }
  const { version, orphans } = commitVersion(tx, account, bucket, {
    key, lastModifiedMs: ctx.clock.nowMs(), deleteMarker: true, etag: '', size: 0, pieces: [], owner: account, storageClass: 'STANDARD',
  });
  return { result: { DeleteMarker: true, VersionId: version.versionId }, orphans };
}

export const deleteObject: Handler<DeleteObjectRequest, DeleteObjectOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const { result, orphans } = deleteOne(ctx, ctx.tx, input.Bucket!, key, input.VersionId, input.IfMatch);
  ctx.afterCommit(() => { for (const b of orphans) ctx.blobs.delete(b); });
  return result;
};

export const deleteObjects: Handler<DeleteObjectsRequest, DeleteObjectsOutput> = (input, ctx) => {
  requireBucket(ctx.tx, input.Bucket!);
  const objects = input.Delete?.Objects ?? [];
  if (objects.length === 0 || objects.length > 1000) {
    throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  }
  const out: DeleteObjectsOutput = { Deleted: [], Errors: [] };
  const orphans: string[] = [];
  for (const o of objects) {
    try {
      const key = checkKey(o.Key);
      const { result, orphans: gone } = deleteOne(ctx, ctx.tx, input.Bucket!, key, o.VersionId, o.ETag);
      orphans.push(...gone);
      if (!input.Delete?.Quiet) {
        out.Deleted!.push({
          Key: key, ...(o.VersionId !== undefined ? { VersionId: o.VersionId } : {}),
          ...(result.DeleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: result.VersionId } : {}),
        });
      }
    } catch (err) {
      if (!isAwsError(err) || err.status >= 500) throw err;
      out.Errors!.push({ Key: o.Key, VersionId: o.VersionId, Code: err.code, Message: err.message });
    }
  }
  ctx.afterCommit(() => { for (const b of orphans) ctx.blobs.delete(b); });
  if (!out.Deleted!.length) delete out.Deleted;
  if (!out.Errors!.length) delete out.Errors;
  return out;
};

export const getObjectAttributes: Handler<GetObjectAttributesRequest, GetObjectAttributesOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const v = readableVersion(ctx.tx, owner.account, bucket.name, key, input.VersionId, 'GET');
  checkCustomerKeyOnRead(v, input);
  const want = new Set(input.ObjectAttributes ?? []);
  const out: GetObjectAttributesOutput = { LastModified: new Date(v.lastModifiedMs) };
  if (bucket.versioning !== undefined) out.VersionId = v.versionId;
  if (want.has('ETag')) out.ETag = v.etag.replace(/"/g, '');
  if (want.has('ObjectSize')) out.ObjectSize = v.size;
  if (want.has('StorageClass')) out.StorageClass = v.storageClass as GetObjectAttributesOutput['StorageClass'];
  if (want.has('Checksum') && v.checksum) {
    out.Checksum = { [checksumMember(v.checksum.algorithm)]: v.checksum.value, ChecksumType: v.checksum.type } as GetObjectAttributesOutput['Checksum'];
  }
  if (want.has('ObjectParts') && v.partSizes) {
    const max = input.MaxParts ?? 1000;
    const marker = input.PartNumberMarker ? Number(input.PartNumberMarker) : 0;
    const parts = v.partSizes.map((size, i) => ({ PartNumber: i + 1, Size: size, ...(v.checksum?.parts ? { [checksumMember(v.checksum.algorithm)]: v.checksum.parts[i] } : {}) }))
      .filter((p) => p.PartNumber > marker);
    const page = parts.slice(0, max);
    out.ObjectParts = {
      TotalPartsCount: v.partSizes.length, PartNumberMarker: String(marker), MaxParts: max, IsTruncated: parts.length > max,
      Parts: page, ...(parts.length > max ? { NextPartNumberMarker: String(page[page.length - 1]!.PartNumber) } : {}),
    } as GetObjectAttributesOutput['ObjectParts'];
  }
  return out;
};

export const objectHandlers: Record<string, Handler> = {
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  GetObjectAttributes: getObjectAttributes,
};
