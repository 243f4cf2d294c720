/**
 * ListParts and ListMultipartUploads: range reads over the part rows of one upload
 * (`BUCKET/UPLOAD-ID/PART`) and over the upload rows of a bucket (`BUCKET/KEY \0 UPLOAD-ID`, so
 * uploads list by key, then by initiation time: upload IDs start with it), with the object
 * listings' walk (listing.ts) for prefixes, delimiters and common prefixes.
 */
import type {
  Initiator, ListMultipartUploadsOutput, ListMultipartUploadsRequest, ListPartsOutput, ListPartsRequest, MultipartUpload, Part,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { prefixEnd } from '../../store/order.js';
import type { Handler } from '../types.js';
import { canonicalUserId, requireBucket } from './buckets.js';
import { checksumMember } from './checksums.js';
import { getLifecycle } from './lifecycle.js';
import { uploadAbort } from './lifecycle-rules.js';
import { Cursor, s3UrlEncode, versionKeyOf, walk, type Start } from './listing.js';
import { MAX_PARTS, uploadChecksum } from './multipart-complete.js';
import { requireUpload } from './multipart-upload.js';
import { PART_KIND, UPLOAD_KIND, ownerScope, partRowId, type PartRecord, type UploadRecord } from './records.js';
import { checkKey } from './object-write.js';

const PAGE_MAX = 1000;

/** S3 lists the initiator by canonical ID for an account's root user, else by ARN. */
function initiatorOf(u: UploadRecord): Initiator {
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(u.initiator);
  if (root) return { ID: canonicalUserId(root[1]!), DisplayName: root[1]! };
  return { ID: u.initiator, DisplayName: u.initiator.slice(u.initiator.lastIndexOf('/') + 1) };
}

const ownerOf = (u: UploadRecord) => ({ ID: canonicalUserId(u.owner), DisplayName: u.owner });

function checkMax(value: number | undefined, name: string): number {
  if (value === undefined) return PAGE_MAX;
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) {
    throw new AwsError('InvalidArgument', `Argument ${name} must be an integer between 0 and 2147483647`, 400, { fields: { ArgumentName: name, ArgumentValue: String(value) } });
  }
  return Math.min(value, PAGE_MAX);
}

export const listParts: Handler<ListPartsRequest, ListPartsOutput> = (input, ctx) => {
  const key = checkKey(input.Key);
  const { owner, upload, bucket } = requireUpload(ctx.tx, input.Bucket!, key, input.UploadId);
  const max = checkMax(input.MaxParts, 'max-parts');
  const rawMarker = input.PartNumberMarker;
  let marker = 0;
  if (rawMarker !== undefined && rawMarker !== '') {
    marker = Number(rawMarker);
    if (!/^\d+$/.test(rawMarker) || !Number.isSafeInteger(marker)) {
      throw new AwsError('InvalidArgument', 'Provided part-number-marker not an integer or within integer range', 400, { fields: { ArgumentName: 'part-number-marker', ArgumentValue: rawMarker } });
    }
  }
  const { algorithm, type, explicit } = uploadChecksum(upload);
  const rows = marker >= MAX_PARTS ? [] : ctx.tx.list<PartRecord>(ownerScope(owner), PART_KIND, {
    prefix: `${bucket.name}/${upload.uploadId}/`,
    ...(marker > 0 ? { gt: partRowId(bucket.name, upload.uploadId, marker) } : {}),
    limit: max + 1,
  });
  const page = rows.slice(0, max);
  const truncated = rows.length > max;
  const parts: Part[] = page.map(({ value: p }) => {
    const part: Part = { PartNumber: p.partNumber, LastModified: new Date(p.lastModifiedMs), ETag: `"${p.md5}"`, Size: p.size };
    const sum = p.checksums?.[algorithm];
    if (explicit && sum !== undefined) (part as Record<string, unknown>)[checksumMember(algorithm)] = sum;
    return part;
  });
  const out: ListPartsOutput = {
    Bucket: bucket.name, Key: key, UploadId: upload.uploadId, PartNumberMarker: String(marker), MaxParts: max, IsTruncated: truncated,
    Parts: parts, Initiator: initiatorOf(upload), Owner: ownerOf(upload), StorageClass: upload.storageClass as ListPartsOutput['StorageClass'],
  };
  if (page.length) out.NextPartNumberMarker = String(page[page.length - 1]!.value.partNumber);
  if (explicit) {
    out.ChecksumAlgorithm = algorithm;
    out.ChecksumType = type;
  }
  const config = getLifecycle(ctx.tx, owner, bucket.name);
  const abort = config && uploadAbort(config, key, upload.initiatedMs);
  if (abort) {
    out.AbortDate = new Date(abort.atMs);
    out.AbortRuleId = abort.ruleId;
  }
  return out;
};

export const listMultipartUploads: Handler<ListMultipartUploadsRequest, ListMultipartUploadsOutput> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  if (input.EncodingType !== undefined && input.EncodingType !== 'url') {
    throw new AwsError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400, { fields: { ArgumentName: 'encoding-type', ArgumentValue: input.EncodingType } });
  }
  const max = checkMax(input.MaxUploads, 'max-uploads');
  const encode = input.EncodingType === 'url' ? s3UrlEncode : (s: string) => s;
  const base = `${bucket.name}/`;
  const prefix = input.Prefix ?? '';
  const keyMarker = input.KeyMarker || undefined;
  const uploadIdMarker = keyMarker !== undefined ? input.UploadIdMarker || undefined : undefined;
  let start: Start = {};
  if (keyMarker !== undefined) {
    start = uploadIdMarker !== undefined
      ? { gt: `${base}${keyMarker}\u0000${uploadIdMarker}` }
      : { gte: prefixEnd(`${base}${keyMarker}\u0000`) ?? `${base}${keyMarker}\u0001` };
  }
  const delimiter = input.Delimiter || undefined;
  const scope = ownerScope(owner.account);
  const cursor = new Cursor<UploadRecord>((o) => ctx.tx.list<UploadRecord>(scope, UPLOAD_KIND, o), base + prefix, start, delimiter !== undefined);
  const page = walk([{ cursor, keyOf: versionKeyOf(base) }], { base, prefix, delimiter, after: keyMarker, max });
  const uploads: MultipartUpload[] = [];
  const common: Array<{ Prefix: string }> = [];
  for (const e of page.entries) {
    if ('prefix' in e) {
      common.push({ Prefix: encode(e.prefix) });
      continue;
    }
    const u = e.value;
    const item: MultipartUpload = {
      UploadId: u.uploadId, Key: encode(u.key), Initiated: new Date(u.initiatedMs), StorageClass: u.storageClass as MultipartUpload['StorageClass'],
      Owner: ownerOf(u), Initiator: initiatorOf(u),
    };
    if (u.checksumAlgorithm) {
      item.ChecksumAlgorithm = u.checksumAlgorithm;
      item.ChecksumType = u.checksumType;
    }
    uploads.push(item);
  }
  const out: ListMultipartUploadsOutput = {
    Bucket: bucket.name, KeyMarker: encode(keyMarker ?? ''), UploadIdMarker: uploadIdMarker ?? '', MaxUploads: max, IsTruncated: page.truncated,
  };
  if (prefix !== '' || input.Prefix !== undefined) out.Prefix = encode(prefix);
  if (delimiter !== undefined) out.Delimiter = encode(delimiter);
  if (input.EncodingType === 'url') out.EncodingType = 'url';
  if (page.truncated) {
    const last = page.entries[page.entries.length - 1]!;
    if ('prefix' in last) {
      out.NextKeyMarker = encode(last.prefix);
    } else {
      out.NextKeyMarker = encode(last.value.key);
      out.NextUploadIdMarker = last.value.uploadId;
    }
  }
  if (uploads.length) out.Uploads = uploads;
  if (common.length) out.CommonPrefixes = common;
  return out;
};
