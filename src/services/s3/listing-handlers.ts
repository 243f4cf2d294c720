/**
 * ListObjects, ListObjectsV2 and ListObjectVersions: S3's members, markers, tokens and messages
 * around the walk of listing.ts (which reads only about the rows a page returns).
 */
import type {
  DeleteMarkerEntry, ListObjectVersionsOutput, ListObjectVersionsRequest, ListObjectsOutput, ListObjectsRequest,
  ListObjectsV2Output, ListObjectsV2Request, ObjectVersion as SdkObjectVersion, _Object,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import { prefixEnd } from '../../store/order.js';
import type { Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { canonicalUserId, requireBucket } from './buckets.js';
import { Cursor, objectKeyOf, s3UrlEncode, versionKeyOf, walk, type Entry, type Page, type RangeRead, type Start } from './listing.js';
import { OBJECT_KIND, VERSION_KIND, ownerScope, type ObjectVersion } from './records.js';
import { restoreStatus } from './restore.js';
import { findVersion } from './versions.js';

/** The most entries one page holds, whatever MaxKeys asks. */
export const PAGE_MAX = 1000;
const INT32_MAX = 2_147_483_647;

type Operation = 'ListObjects' | 'ListObjectsV2' | 'ListObjectVersions';

interface Common {
  Bucket?: string;
  Prefix?: string;
  Delimiter?: string;
  MaxKeys?: number;
  EncodingType?: string;
  OptionalObjectAttributes?: string[];
}

/** The checked parameters every listing shares. */
interface Query {
  bucket: string;
  prefix: string;
  delimiter: string | undefined;
  /** As asked (echoed as MaxKeys). */
  maxKeys: number;
  /** What a page holds. */
  max: number;
  encode: (s: string) => string;
  url: boolean;
  restore: boolean;
}

function query(op: Operation, input: Common): Query {
  const maxKeys = input.MaxKeys ?? PAGE_MAX;
  if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > INT32_MAX) {
    const fields = { ArgumentName: op === 'ListObjectVersions' ? 'max-keys' : 'maxKeys', ArgumentValue: String(input.MaxKeys) };
    if (op !== 'ListObjectVersions') throw new AwsError('InvalidArgument', 'Argument maxKeys must be an integer between 0 and 2147483647', 400, { fields });
    if (maxKeys < 0) throw new AwsError('InvalidArgument', 'max-keys cannot be negative', 400, { fields });
    throw new AwsError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, { fields });
  }
  if (input.EncodingType !== undefined && input.EncodingType !== 'url') {
    throw new AwsError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400, {
      fields: { ArgumentName: 'encoding-type', ArgumentValue: input.EncodingType },
    });
  }
  const url = input.EncodingType === 'url';
  return {
    bucket: input.Bucket!,
    prefix: input.Prefix ?? '',
    delimiter: input.Delimiter ? input.Delimiter : undefined,
    maxKeys,
    max: Math.min(maxKeys, PAGE_MAX),
    encode: url ? s3UrlEncode : (s) => s,
    url,
    restore: input.OptionalObjectAttributes?.includes('RestoreStatus') ?? false,
  };
}

const reader = <T>(tx: Tx, account: string, kind: string): RangeRead<T> => (opts) => tx.list<T>(ownerScope(account), kind, opts);

/** Current versions of the bucket's keys after `after`, delete markers left out. */
function listCurrent(tx: Tx, account: string, q: Query, after: string | undefined): Page<ObjectVersion> {
  const base = `${q.bucket}/`;
  const start: Start = after !== undefined ? { gt: base + after } : {};
  const cursor = new Cursor(reader<ObjectVersion>(tx, account, OBJECT_KIND), base + q.prefix, start, q.delimiter !== undefined);
  return walk([{ cursor, keyOf: objectKeyOf(base), skip: (v) => v.deleteMarker === true }],
    { base, prefix: q.prefix, delimiter: q.delimiter, after, max: q.max });
}

/** LastModified as S3 lists it: whole seconds. */
const listedTime = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

const ownerOf = (v: ObjectVersion) => ({ ID: canonicalUserId(v.owner) });

function objectMembers(v: ObjectVersion, q: Query, nowMs: number, owner: boolean): _Object {
  const out: _Object = {
    Key: q.encode(v.key),
    LastModified: listedTime(v.lastModifiedMs),
    ETag: v.etag,
    Size: v.size,
    StorageClass: v.storageClass as _Object['StorageClass'],
  };
  if (v.checksum) {
    out.ChecksumAlgorithm = [v.checksum.algorithm as NonNullable<_Object['ChecksumAlgorithm']>[number]];
    out.ChecksumType = v.checksum.type;
  }
  if (owner) out.Owner = ownerOf(v);
  if (q.restore) {
    const status = restoreStatus(v, nowMs);
    if (status) out.RestoreStatus = status;
  }
  return out;
}

/** Contents and CommonPrefixes of a page (absent when empty, as S3 sends no element). */
function members(page: Page<ObjectVersion>, q: Query, nowMs: number, owner: boolean): { Contents?: _Object[]; CommonPrefixes?: Array<{ Prefix: string }> } {
  const contents: _Object[] = [];
  const prefixes: Array<{ Prefix: string }> = [];
  for (const e of page.entries) {
    if ('prefix' in e) prefixes.push({ Prefix: q.encode(e.prefix) });
    else contents.push(objectMembers(e.value, q, nowMs, owner));
  }
  return { ...(contents.length ? { Contents: contents } : {}), ...(prefixes.length ? { CommonPrefixes: prefixes } : {}) };
}

/** Where the page ended: its last key or common prefix. */
const lastPosition = (entries: Array<Entry<unknown>>): string | undefined => {
  const last = entries[entries.length - 1];
  return last === undefined ? undefined : 'prefix' in last ? last.prefix : last.key;
};

export const listObjects: Handler<ListObjectsRequest, ListObjectsOutput> = (input, ctx) => {
  const q = query('ListObjects', input);
  const { owner } = requireBucket(ctx.tx, q.bucket);
  const marker = input.Marker ? input.Marker : undefined;
  const page = listCurrent(ctx.tx, owner.account, q, marker);
  const next = lastPosition(page.entries);
  return {
    Name: q.bucket,
    Prefix: q.encode(q.prefix),
    Marker: q.encode(input.Marker ?? ''),
    // Without a delimiter S3 leaves NextMarker out: the client continues after the last key.
    ...(page.truncated && q.delimiter !== undefined && next !== undefined ? { NextMarker: q.encode(next) } : {}),
    MaxKeys: q.maxKeys,
    ...(q.delimiter !== undefined ? { Delimiter: q.encode(q.delimiter) } : {}),
    ...(q.url ? { EncodingType: 'url' } : {}),
    IsTruncated: page.truncated,
    ...members(page, q, ctx.clock.nowMs(), true),
  };
};

/** What a continuation token is bound to: the bucket and the parameters that shape the key sequence. */
const v2Binding = (q: Query) => ({
  service: 's3',
  operation: 'ListObjectsV2',
  query: { Bucket: q.bucket, Prefix: q.prefix, Delimiter: q.delimiter ?? '' },
});

export const listObjectsV2: Handler<ListObjectsV2Request, ListObjectsV2Output> = (input, ctx) => {
  const q = query('ListObjectsV2', input);
  const { owner } = requireBucket(ctx.tx, q.bucket);
  const binding = v2Binding(q);
  // An empty token is no token (S3 lists from the start and echoes it).
  const token = input.ContinuationToken ? input.ContinuationToken : undefined;
  let after: string | undefined;
  if (token !== undefined) {
    after = decodePageToken(binding, token);
    if (after === undefined) {
      throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', 400, { fields: { ArgumentName: 'continuation-token' } });
    }
  } else if (input.StartAfter) {
    after = input.StartAfter;
  }
  const page = listCurrent(ctx.tx, owner.account, q, after);
  const next = lastPosition(page.entries);
  return {
    Name: q.bucket,
    Prefix: q.encode(q.prefix),
    ...(q.delimiter !== undefined ? { Delimiter: q.encode(q.delimiter) } : {}),
    MaxKeys: q.maxKeys,
    ...(q.url ? { EncodingType: 'url' } : {}),
    KeyCount: page.entries.length,
    IsTruncated: page.truncated,
    ...(input.ContinuationToken !== undefined ? { ContinuationToken: input.ContinuationToken } : {}),
    ...(page.truncated && next !== undefined ? { NextContinuationToken: encodePageToken(binding, next) } : {}),
    // A continuation token replaces StartAfter, and S3 then leaves it out.
    ...(input.StartAfter !== undefined && token === undefined ? { StartAfter: q.encode(input.StartAfter) } : {}),
    ...members(page, q, ctx.clock.nowMs(), input.FetchOwner === true),
  };
};

/** Where the version cursors start for KeyMarker / VersionIdMarker. */
function versionStarts(tx: Tx, account: string, bucket: string, keyMarker: string | undefined, versionIdMarker: string | undefined): { objects: Start; versions: Start } {
  if (keyMarker === undefined) return { objects: {}, versions: {} };
  const base = `${bucket}/`;
  const objects: Start = { gt: base + keyMarker };
  const afterKey: Start = { gte: prefixEnd(`${base}${keyMarker}\u0000`)! };
  if (versionIdMarker === undefined) return { objects, versions: afterKey };
  const found = findVersion(tx, account, bucket, keyMarker, versionIdMarker);
  // An ID the key does not have: S3 goes on after the key.
  if (!found) return { objects, versions: afterKey };
  if (found.current) return { objects, versions: { gte: `${base}${keyMarker}\u0000` } };
  return { objects, versions: { gt: found.rowId! } };
}

export const listObjectVersions: Handler<ListObjectVersionsRequest, ListObjectVersionsOutput> = (input, ctx) => {
  const q = query('ListObjectVersions', input);
  const keyMarker = input.KeyMarker ? input.KeyMarker : undefined;
  const versionIdMarker = input.VersionIdMarker ? input.VersionIdMarker : undefined;
  if (versionIdMarker !== undefined) {
    if (keyMarker === undefined) {
      throw new AwsError('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', 400, {
        fields: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker },
      });
    }
    if (versionIdMarker !== 'null' && !/^[A-Za-z0-9._-]{1,1024}$/.test(versionIdMarker)) {
      throw new AwsError('InvalidArgument', 'Invalid version id specified', 400, {
        fields: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker },
      });
    }
  }
  const { owner } = requireBucket(ctx.tx, q.bucket);
  const account = owner.account;
  const base = `${q.bucket}/`;
  const starts = versionStarts(ctx.tx, account, q.bucket, keyMarker, versionIdMarker);
  const range = base + q.prefix;
  const page = walk<ObjectVersion>([
    { cursor: new Cursor(reader<ObjectVersion>(ctx.tx, account, OBJECT_KIND), range, starts.objects, true), keyOf: objectKeyOf(base) },
    { cursor: new Cursor(reader<ObjectVersion>(ctx.tx, account, VERSION_KIND), range, starts.versions, true), keyOf: versionKeyOf(base) },
  ], { base, prefix: q.prefix, delimiter: q.delimiter, after: keyMarker, max: q.max });

  const nowMs = ctx.clock.nowMs();
  const versions: SdkObjectVersion[] = [];
  const markers: DeleteMarkerEntry[] = [];
  const prefixes: Array<{ Prefix: string }> = [];
  for (const e of page.entries) {
    if ('prefix' in e) { prefixes.push({ Prefix: q.encode(e.prefix) }); continue; }
    const v = e.value;
    const latest = e.source === 0;
    if (v.deleteMarker) {
      markers.push({ Owner: ownerOf(v), Key: q.encode(v.key), VersionId: v.versionId, IsLatest: latest, LastModified: listedTime(v.lastModifiedMs) });
      continue;
    }
    const { Key, LastModified, ETag, Size, ChecksumAlgorithm, ChecksumType, Owner, RestoreStatus } = objectMembers(v, q, nowMs, true);
    versions.push({
      ETag, ChecksumAlgorithm, ChecksumType, Size, StorageClass: v.storageClass as SdkObjectVersion['StorageClass'],
      Key, VersionId: v.versionId, IsLatest: latest, LastModified, Owner, RestoreStatus,
    });
  }
  const last = page.entries[page.entries.length - 1];
  return {
    Name: q.bucket,
    Prefix: q.encode(q.prefix),
    KeyMarker: q.encode(input.KeyMarker ?? ''),
    VersionIdMarker: input.VersionIdMarker ?? '',
    ...(page.truncated && last ? (
      'prefix' in last
        ? { NextKeyMarker: q.encode(last.prefix) }
        : { NextKeyMarker: q.encode(last.key), NextVersionIdMarker: last.value.versionId }
    ) : {}),
    MaxKeys: q.maxKeys,
    ...(q.delimiter !== undefined ? { Delimiter: q.encode(q.delimiter) } : {}),
    ...(q.url ? { EncodingType: 'url' } : {}),
    IsTruncated: page.truncated,
    ...(versions.length ? { Versions: versions } : {}),
    ...(markers.length ? { DeleteMarkers: markers } : {}),
    ...(prefixes.length ? { CommonPrefixes: prefixes } : {}),
  };
};

export const listingHandlers: Record<string, Handler> = {
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
};
