/**
 * What a write says about the object beyond its bytes (content headers, metadata, tags, storage
 * class, encryption), validated as S3 does; and those fields back as GetObject/HeadObject members.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { getConfig } from './buckets.js';
import { checksumMember } from './checksums.js';
import type { ObjectVersion } from './records.js';

export const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER',
  'DEEP_ARCHIVE', 'GLACIER_IR', 'OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE', 'FSX_OPENZFS', 'FSX_ONTAP',
]);

export interface WriteInput {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: Date | string;
  WebsiteRedirectLocation?: string;
  Metadata?: Record<string, string>;
  StorageClass?: string;
  Tagging?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
}

/** Content headers, metadata, storage class, tags and encryption of a new version. */
export function writeFields(tx: Tx, owner: string, bucket: string, region: string, input: WriteInput): Partial<ObjectVersion> {
  const out: Partial<ObjectVersion> = {};
  const storageClass = input.StorageClass ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass)) throw new AwsError('InvalidStorageClass', 'The storage class you specified is not valid', 400, { fields: { StorageClassRequested: storageClass } });
  out.storageClass = storageClass;
  // aws-chunked is how the body travelled, not how the object is encoded.
  const encoding = input.ContentEncoding?.split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked').join(', ');
  if (input.ContentType !== undefined) out.contentType = input.ContentType;
  if (encoding) out.contentEncoding = encoding;
  if (input.ContentDisposition !== undefined) out.contentDisposition = input.ContentDisposition;
  if (input.ContentLanguage !== undefined) out.contentLanguage = input.ContentLanguage;
  if (input.CacheControl !== undefined) out.cacheControl = input.CacheControl;
  if (input.Expires !== undefined) out.expires = input.Expires instanceof Date ? input.Expires.toUTCString() : String(input.Expires);
  if (input.WebsiteRedirectLocation !== undefined) out.websiteRedirectLocation = input.WebsiteRedirectLocation;
  if (input.Metadata && Object.keys(input.Metadata).length) out.metadata = checkedMetadata(input.Metadata);
  if (input.Tagging !== undefined && input.Tagging !== '') out.tags = parseTagging(input.Tagging);
  Object.assign(out, encryption(tx, owner, bucket, region, input));
  return out;
}

function checkedMetadata(meta: Record<string, string>): Record<string, string> {
  let bytes = 0;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) {
    const key = k.toLowerCase();
    bytes += Buffer.byteLength(key) + Buffer.byteLength(v);
    out[key] = v;
  }
  if (bytes > 2048) throw new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400, { fields: { Size: String(bytes), MaxSizeAllowed: '2048' } });
  return out;
}

/** x-amz-tagging: a URL query string of tags; S3's limits (10 tags, 128/256 characters). */
export function parseTagging(header: string): Record<string, string> {
  const tags: Record<string, string> = {};
  const params = new URLSearchParams(header);
  for (const [k, v] of params) {
    if (k in tags) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400, { fields: { TagKey: k } });
    if (k.length === 0 || k.length > 128) throw new AwsError('InvalidTag', 'The TagKey you have provided is invalid', 400, { fields: { TagKey: k } });
    if (v.length > 256) throw new AwsError('InvalidTag', 'The TagValue you have provided is too long, max length is 256', 400, { fields: { TagKey: k, TagValue: v } });
    if (k.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidTag', 'Your TagKey cannot be prefixed with aws:', 400, { fields: { TagKey: k } });
    tags[k] = v;
  }
  if (Object.keys(tags).length > 10) throw new AwsError('BadRequest', 'Object tags cannot be greater than 10', 400);
  return tags;
}

interface EncryptionConfig {
  Rules?: Array<{ ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string }; BucketKeyEnabled?: boolean }>;
}

/** The account's AWS managed key for S3 (aws/s3), as S3 reports it when no key is named. */
const managedKmsKey = (region: string, account: string): string =>
  `arn:aws:kms:${region}:${account}:key/${createHash('sha256').update(`aws/s3:${account}:${region}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5')}`;

function encryption(tx: Tx, owner: string, bucket: string, region: string, input: WriteInput): Pick<ObjectVersion, 'sse' | 'sseCustomer'> {
  if (input.SSECustomerAlgorithm !== undefined || input.SSECustomerKey !== undefined) {
    if (input.ServerSideEncryption !== undefined) throw new AwsError('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', 400);
    return { sseCustomer: customerKey(input) };
  }
  const algorithm = input.ServerSideEncryption;
  if (algorithm !== undefined) {
    if (algorithm !== 'AES256' && algorithm !== 'aws:kms' && algorithm !== 'aws:kms:dsse') {
      throw new AwsError('InvalidArgument', 'The encryption method specified is not supported', 400, { fields: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: algorithm } });
    }
    if (algorithm === 'AES256') {
      if (input.SSEKMSKeyId !== undefined) throw new AwsError('InvalidArgument', 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', 400);
      return { sse: { algorithm } };
    }
    return { sse: kms(algorithm, input.SSEKMSKeyId, input.BucketKeyEnabled, input.SSEKMSEncryptionContext, region, owner) };
  }
  const rule = getConfig<EncryptionConfig>(tx, owner, bucket, 'encryption')?.Rules?.[0];
  const def = rule?.ApplyServerSideEncryptionByDefault;
  if (def?.SSEAlgorithm === 'aws:kms' || def?.SSEAlgorithm === 'aws:kms:dsse') {
    return { sse: kms(def.SSEAlgorithm, def.KMSMasterKeyID, rule?.BucketKeyEnabled, undefined, region, owner) };
  }
  return { sse: { algorithm: 'AES256' } };
}

function kms(algorithm: 'aws:kms' | 'aws:kms:dsse', keyId: string | undefined, bucketKey: boolean | undefined, context: string | undefined, region: string, account: string): NonNullable<ObjectVersion['sse']> {
  const sse: NonNullable<ObjectVersion['sse']> = { algorithm, kmsKeyId: keyId ?? managedKmsKey(region, account) };
  if (bucketKey) sse.bucketKey = true;
  if (context !== undefined) sse.context = context;
  return sse;
}

/** SSE-C keys travel only over TLS: S3 refuses any request naming one over plain HTTP, before anything else. */
export function withSecureSseC<H extends Record<string, (input: any, ctx: RequestContext) => unknown>>(handlers: H): H {
  const out: Record<string, (input: any, ctx: RequestContext) => unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = (input: Record<string, unknown> | undefined, ctx: RequestContext) => {
      if (!ctx.wire?.secure && input && (input.SSECustomerAlgorithm ?? input.SSECustomerKey ?? input.SSECustomerKeyMD5
        ?? input.CopySourceSSECustomerAlgorithm ?? input.CopySourceSSECustomerKey ?? input.CopySourceSSECustomerKeyMD5) !== undefined) {
        throw new AwsError('InvalidRequest', 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.', 400);
      }
      return handler(input, ctx);
    };
  }
  return out as H;
}

/** SSE-C: AES256, a 256-bit key, and its MD5 when sent must match. Only the MD5 is kept. */
export function customerKey(input: Pick<WriteInput, 'SSECustomerAlgorithm' | 'SSECustomerKey' | 'SSECustomerKeyMD5'>): { algorithm: string; keyMd5: string } {
  if (input.SSECustomerAlgorithm !== 'AES256') {
    throw new AwsError('InvalidEncryptionAlgorithmError', 'The encryption request you specified is not valid. The valid value is AES256.', 400);
  }
  const key = Buffer.from(input.SSECustomerKey ?? '', 'base64');
  if (key.length !== 32) throw new AwsError('InvalidArgument', 'The secret key was invalid for the specified algorithm.', 400, { fields: { ArgumentName: 'x-amz-server-side-encryption-customer-key' } });
  const md5 = createHash('md5').update(key).digest('base64');
  if (input.SSECustomerKeyMD5 !== undefined && input.SSECustomerKeyMD5 !== md5) {
    throw new AwsError('InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.', 400, { fields: { ArgumentName: 'x-amz-server-side-encryption-customer-key-MD5' } });
  }
  return { algorithm: 'AES256', keyMd5: md5 };
}

/** A read of an SSE-C object must bring the same key; a read of any other object must not bring one. */
export function checkCustomerKeyOnRead(v: ObjectVersion, input: Pick<WriteInput, 'SSECustomerAlgorithm' | 'SSECustomerKey' | 'SSECustomerKeyMD5'>): void {
  if (!v.sseCustomer) {
    if (input.SSECustomerKey !== undefined) throw new AwsError('InvalidRequest', 'The encryption parameters are not applicable to this object.', 400);
    return;
  }
  if (input.SSECustomerKey === undefined) {
    throw new AwsError('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.', 400);
  }
  const given = customerKey(input);
  if (given.keyMd5 !== v.sseCustomer.keyMd5) throw new AwsError('AccessDenied', 'Access Denied', 403);
}

/** The encryption members of an output. */
export function encryptionOutput(v: ObjectVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v.sseCustomer) {
    out.SSECustomerAlgorithm = v.sseCustomer.algorithm;
    out.SSECustomerKeyMD5 = v.sseCustomer.keyMd5;
  } else if (v.sse) {
    out.ServerSideEncryption = v.sse.algorithm;
    if (v.sse.kmsKeyId) out.SSEKMSKeyId = v.sse.kmsKeyId;
    if (v.sse.bucketKey) out.BucketKeyEnabled = true;
  }
  return out;
}

/** The members GetObject and HeadObject share. `versioned`: the bucket ever had versioning, so IDs are reported. */
export function objectOutput(v: ObjectVersion, opts: { versioned: boolean; checksums: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AcceptRanges: 'bytes',
    LastModified: new Date(v.lastModifiedMs),
    ETag: v.etag,
    ContentType: v.contentType ?? 'binary/octet-stream',
    ...encryptionOutput(v),
  };
  if (opts.versioned || v.versionId !== 'null') out.VersionId = v.versionId;
  if (v.contentEncoding !== undefined) out.ContentEncoding = v.contentEncoding;
  if (v.contentDisposition !== undefined) out.ContentDisposition = v.contentDisposition;
  if (v.contentLanguage !== undefined) out.ContentLanguage = v.contentLanguage;
  if (v.cacheControl !== undefined) out.CacheControl = v.cacheControl;
  if (v.expires !== undefined) {
    out.ExpiresString = v.expires;
    const d = new Date(v.expires);
    if (!Number.isNaN(d.getTime())) out.Expires = d;
  }
  if (v.websiteRedirectLocation !== undefined) out.WebsiteRedirectLocation = v.websiteRedirectLocation;
  if (v.metadata) out.Metadata = v.metadata;
  if (v.storageClass !== 'STANDARD') out.StorageClass = v.storageClass;
  if (v.partSizes) out.PartsCount = v.partSizes.length;
  if (opts.checksums && v.checksum) {
    out[checksumMember(v.checksum.algorithm)] = v.checksum.value;
    out.ChecksumType = v.checksum.type;
  }
  if (v.retention) {
    out.ObjectLockMode = v.retention.mode;
    out.ObjectLockRetainUntilDate = new Date(v.retention.untilMs);
  }
  if (v.legalHold !== undefined) out.ObjectLockLegalHoldStatus = v.legalHold ? 'ON' : 'OFF';
  return out;
}
