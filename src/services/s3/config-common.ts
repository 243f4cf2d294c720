/**
 * What the bucket configuration operations share: the bucket a request names (with its
 * x-amz-expected-bucket-owner check), S3's MalformedXML, and the tag rules of buckets and objects.
 */
import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { requireBucket } from './buckets.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksumOf, isValidChecksumValue } from './checksums.js';
import { checkContentMd5, checksumMismatch } from './ingest.js';
import type { BucketOwner, BucketRecord } from './records.js';

export const malformedXml = (): AwsError =>
  new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

/**
 * The named bucket (NoSuchBucket when there is none). A caller that names the account it expects
 * to own the bucket gets AccessDenied from any other, as S3 answers.
 */
export function resolveBucket(tx: Tx, input: { Bucket?: string; ExpectedBucketOwner?: string }): { owner: BucketOwner; bucket: BucketRecord } {
  const found = requireBucket(tx, input.Bucket ?? '');
  if (input.ExpectedBucketOwner !== undefined && input.ExpectedBucketOwner !== found.owner.account) {
    throw new AwsError('AccessDenied', 'Access Denied', 403);
  }
  return found;
}

/** Characters S3 takes in tag keys and values: letters, numbers, spaces and _ . : / = + - @. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export interface TagRules {
  /** Most tags a set may hold. */
  max: number;
  /** The refusal for too many. */
  tooMany: () => AwsError;
  /** The refusal for a key in the aws: namespace. */
  reserved: string;
}

export const BUCKET_TAG_RULES: TagRules = {
  max: 50,
  tooMany: () => new AwsError('InvalidTag', 'Bucket tag count cannot be greater than 50', 400),
  reserved: 'System tags cannot be added/updated by requester',
};

export const OBJECT_TAG_RULES: TagRules = {
  max: 10,
  tooMany: () => new AwsError('BadRequest', 'Object tags cannot be greater than 10', 400),
  reserved: 'Your TagKey cannot be prefixed with aws:',
};

/** A TagSet checked against S3's rules: keys 1-128 and values 0-256 characters, unique keys, no aws: keys. */
export function checkTagSet(tagSet: Tag[] | undefined, rules: TagRules): Array<{ Key: string; Value: string }> {
  if (!Array.isArray(tagSet)) throw malformedXml();
  const seen = new Set<string>();
  const out: Array<{ Key: string; Value: string }> = [];
  for (const tag of tagSet) {
    const key = tag?.Key;
    const value = tag?.Value ?? '';
    if (typeof key !== 'string' || typeof value !== 'string') throw malformedXml();
    if (seen.has(key)) throw new AwsError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400, { fields: { TagKey: key } });
    seen.add(key);
    if ([...key].length < 1 || [...key].length > 128 || !TAG_TEXT.test(key)) {
      throw new AwsError('InvalidTag', 'The TagKey you have provided is invalid', 400, { fields: { TagKey: key } });
    }
    if ([...value].length > 256) {
      throw new AwsError('InvalidTag', 'The TagValue you have provided is too long, max length is 256', 400, { fields: { TagKey: key, TagValue: value } });
    }
    if (!TAG_TEXT.test(value)) throw new AwsError('InvalidTag', 'The TagValue you have provided is invalid', 400, { fields: { TagKey: key, TagValue: value } });
    if (key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidTag', rules.reserved, 400, { fields: { TagKey: key } });
    out.push({ Key: key, Value: value });
  }
  if (out.length > rules.max) throw rules.tooMany();
  return out;
}

/** One of the allowed values, or MalformedXML (S3's answer to a value its schema does not list). */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw malformedXml();
  return value as T;
}

/**
 * A configuration body is taken only as sent: Content-MD5 and any x-amz-checksum-* header must
 * match it (the SDKs send one of them with every Put*Configuration), with ingest.ts's errors.
 */
export function checkBodyIntegrity(headers: Record<string, string | undefined>, body: Buffer): void {
  checkContentMd5(headers['content-md5'], createHash('md5').update(body).digest('hex'));
  for (const a of CHECKSUM_ALGORITHMS) {
    const header = checksumHeader(a);
    const value = headers[header];
    if (value === undefined) continue;
    if (!isValidChecksumValue(a, value)) throw new AwsError('InvalidRequest', `Value for ${header} header is invalid.`, 400);
    if (checksumOf(a, body) !== value) throw checksumMismatch(a);
  }
}

/** `handler` after checkBodyIntegrity of its request body. */
export const withBodyIntegrity = (handler: Handler): Handler => (input, ctx) => {
  checkBodyIntegrity(ctx.wire.headers, ctx.wire.body);
  return handler(input, ctx);
};
