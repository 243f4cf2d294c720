/**
 * S3 Object Lock rules: the bucket's configuration document, per-version retention changes, the
 * lock fields a new object gets (its headers, else the bucket's default retention) and the
 * members GetObject/HeadObject report. Pure checks over records; lock-handlers.ts does the I/O.
 *
 * AWS's rules, as S3 answers them:
 * - A configuration needs ObjectLockEnabled=Enabled; a Rule needs DefaultRetention with a Mode and
 *   exactly one of Days and Years (else MalformedXML); a period must be positive (InvalidArgument).
 * - Object Lock comes with the bucket (ObjectLockEnabledForBucket) or is turned on later by
 *   PutObjectLockConfiguration on a bucket whose versioning is Enabled (InvalidBucketState otherwise).
 * - COMPLIANCE retention is never shortened, removed or turned into GOVERNANCE while it lasts;
 *   GOVERNANCE retention is extended freely, and changed otherwise only with
 *   x-amz-bypass-governance-retention: true. Extending means a later date in the same mode.
 * - Legal holds are independent of retention and of the bypass header.
 * - A PUT with lock parameters (its own or the bucket's default) must carry Content-MD5 or an
 *   x-amz-checksum-* header or trailer.
 */
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import { getConfig } from './buckets.js';
import type { BucketRecord, ObjectVersion } from './records.js';

export type LockMode = 'GOVERNANCE' | 'COMPLIANCE';
export const LOCK_CONFIG = 'object-lock';
const DAY_MS = 86_400_000;
/** S3 counts a year as 365 days. */
const YEAR_DAYS = 365;
const MAX_DAYS = 36_500;
const MAX_YEARS = 100;

/** The stored configuration: PutObjectLockConfiguration's document, as checked. */
export interface LockConfiguration {
  ObjectLockEnabled: 'Enabled';
  Rule?: { DefaultRetention: { Mode: LockMode; Days?: number; Years?: number } };
}

const MODES = new Set<string>(['GOVERNANCE', 'COMPLIANCE']);
const isMode = (m: unknown): m is LockMode => typeof m === 'string' && MODES.has(m);

export const malformedXml = (): AwsError =>
  new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

export const lockProtected = (): AwsError => new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', 403);

export const missingLockConfiguration = (): AwsError => new AwsError('InvalidRequest', 'Bucket is missing Object Lock Configuration', 400);

const invalidArgument = (message: string, name: string, value: string): AwsError =>
  new AwsError('InvalidArgument', message, 400, { fields: { ArgumentName: name, ArgumentValue: value } });

/** Checks a PutObjectLockConfiguration document; returns it as it will be stored. */
export function checkLockConfiguration(doc: unknown): LockConfiguration {
  if (!doc || typeof doc !== 'object') throw malformedXml();
  const c = doc as { ObjectLockEnabled?: unknown; Rule?: { DefaultRetention?: { Mode?: unknown; Days?: unknown; Years?: unknown } } };
  if (c.ObjectLockEnabled !== 'Enabled') throw malformedXml();
  if (c.Rule === undefined) return { ObjectLockEnabled: 'Enabled' };
  const d = c.Rule?.DefaultRetention;
  if (!d || !isMode(d.Mode)) throw malformedXml();
  const hasDays = d.Days !== undefined && d.Days !== null;
  const hasYears = d.Years !== undefined && d.Years !== null;
  if (hasDays === hasYears) throw malformedXml();
  const [name, value, max] = hasDays ? ['Days', d.Days, MAX_DAYS] as const : ['Years', d.Years, MAX_YEARS] as const;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalidArgument('Default retention period must be a positive integer value.', name, String(value));
  }
  if (value > max) throw invalidArgument('Default retention period too large.', name, String(value));
  return { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: d.Mode, [name]: value } } };
}

/** The configuration GetObjectLockConfiguration reports for a bucket with Object Lock. */
export function bucketLockConfiguration(tx: Tx, owner: string, bucket: BucketRecord): LockConfiguration | undefined {
  if (!bucket.objectLock) return undefined;
  return getConfig<LockConfiguration>(tx, owner, bucket.name, LOCK_CONFIG) ?? { ObjectLockEnabled: 'Enabled' };
}

/** The retention a version gets from the bucket's default rule when written at nowMs. */
export function defaultRetention(config: LockConfiguration | undefined, nowMs: number): ObjectVersion['retention'] {
  const d = config?.Rule?.DefaultRetention;
  if (!d) return undefined;
  const days = d.Days ?? (d.Years ?? 0) * YEAR_DAYS;
  return { mode: d.Mode, untilMs: nowMs + days * DAY_MS };
}

/**
 * Whether a PutObjectRetention may replace `current` by `next` (undefined: remove it). Throws
 * AccessDenied as S3 does. An expired retention protects nothing.
 */
export function checkRetentionChange(current: ObjectVersion['retention'], next: ObjectVersion['retention'], nowMs: number, bypass: boolean): void {
  if (!current || current.untilMs <= nowMs) return;
  const extends_ = next !== undefined && next.mode === current.mode && next.untilMs >= current.untilMs;
  if (extends_) return;
  if (current.mode === 'GOVERNANCE' && bypass) return;
  throw lockProtected();
}

/** A Retention document's mode and date, checked (both or neither). */
export function checkRetention(doc: { Mode?: unknown; RetainUntilDate?: unknown } | undefined, nowMs: number): ObjectVersion['retention'] {
  if (!doc) throw malformedXml();
  const { Mode: mode, RetainUntilDate: date } = doc;
  if (mode === undefined && date === undefined) return undefined;
  if (!isMode(mode) || !(date instanceof Date) || Number.isNaN(date.getTime())) throw malformedXml();
  if (date.getTime() <= nowMs) throw invalidArgument('The retain until date must be in the future!', 'RetainUntilDate', date.toISOString());
  return { mode, untilMs: date.getTime() };
}

export interface LockHeaders {
  ObjectLockMode?: string;
  ObjectLockRetainUntilDate?: Date | string;
  ObjectLockLegalHoldStatus?: string;
}

const MODE_HEADER = 'x-amz-object-lock-mode';
const DATE_HEADER = 'x-amz-object-lock-retain-until-date';
const HOLD_HEADER = 'x-amz-object-lock-legal-hold';

/**
 * The lock fields of a new version (PutObject, CopyObject, CreateMultipartUpload/Complete): the
 * request's own lock headers, else the bucket's default retention. The headers are checked before
 * the bucket is (as S3 does); lock headers on a bucket without Object Lock are refused. With
 * `headers` (the raw request headers), a write that ends up with lock fields must carry
 * Content-MD5 or a checksum (checkLockIntegrity).
 */
export function lockFieldsForNewObject(tx: Tx, owner: string, bucket: BucketRecord, input: LockHeaders, nowMs: number,
  headers?: Record<string, string | undefined>): Pick<ObjectVersion, 'retention' | 'legalHold'> {
  const out: Pick<ObjectVersion, 'retention' | 'legalHold'> = {};
  const hold = input.ObjectLockLegalHoldStatus;
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') throw invalidArgument("Legal Hold must be either of 'ON' or 'OFF'", HOLD_HEADER, hold);
  const mode = input.ObjectLockMode;
  const rawDate = input.ObjectLockRetainUntilDate;
  if (mode !== undefined && rawDate === undefined) throw invalidArgument(`${DATE_HEADER} and ${MODE_HEADER} must both be supplied`, DATE_HEADER, '');
  if (mode === undefined && rawDate !== undefined) throw invalidArgument(`${DATE_HEADER} and ${MODE_HEADER} must both be supplied`, MODE_HEADER, '');
  if (mode !== undefined && rawDate !== undefined) {
    const date = rawDate instanceof Date ? rawDate : new Date(rawDate);
    if (Number.isNaN(date.getTime())) throw invalidArgument('The retain until date must be provided in ISO 8601 format', DATE_HEADER, String(rawDate));
    if (!isMode(mode)) throw invalidArgument('Unknown wormMode directive.', MODE_HEADER, mode);
    if (date.getTime() <= nowMs) throw invalidArgument('The retain until date must be in the future!', DATE_HEADER, date.toISOString());
    out.retention = { mode, untilMs: date.getTime() };
  }
  if (hold !== undefined) out.legalHold = hold === 'ON';
  if (!bucket.objectLock) {
    if (out.retention || out.legalHold !== undefined) throw missingLockConfiguration();
    return out;
  }
  if (!out.retention) {
    const retention = defaultRetention(getConfig<LockConfiguration>(tx, owner, bucket.name, LOCK_CONFIG), nowMs);
    if (retention) out.retention = retention;
  }
  if (headers) checkLockIntegrity(out, headers);
  return out;
}

/**
 * S3 wants an integrity header on any PUT that carries lock parameters, the bucket's default
 * included: Content-MD5, or an x-amz-checksum-* value in a header or trailer. The SigV4 payload
 * hash and x-amz-sdk-checksum-algorithm alone do not count.
 */
export function checkLockIntegrity(fields: Pick<ObjectVersion, 'retention' | 'legalHold'>, headers: Record<string, string | undefined>): void {
  if (!fields.retention && fields.legalHold === undefined) return;
  if (headers['content-md5'] !== undefined) return;
  const CHECKSUM = /^x-amz-checksum-(?!type$|algorithm$|mode$)[a-z0-9]+$/;
  if (Object.keys(headers).some((h) => CHECKSUM.test(h))) return;
  if ((headers['x-amz-trailer'] ?? '').toLowerCase().split(',').some((t) => CHECKSUM.test(t.trim()))) return;
  throw new AwsError('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters', 400);
}

/** The Object Lock members of GetObject/HeadObject (and their headers): present only when set. */
export function lockOutputFields(v: Pick<ObjectVersion, 'retention' | 'legalHold'>): { ObjectLockMode?: LockMode; ObjectLockRetainUntilDate?: Date; ObjectLockLegalHoldStatus?: 'ON' | 'OFF' } {
  const out: { ObjectLockMode?: LockMode; ObjectLockRetainUntilDate?: Date; ObjectLockLegalHoldStatus?: 'ON' | 'OFF' } = {};
  if (v.retention) {
    out.ObjectLockMode = v.retention.mode;
    out.ObjectLockRetainUntilDate = new Date(v.retention.untilMs);
  }
  if (v.legalHold !== undefined) out.ObjectLockLegalHoldStatus = v.legalHold ? 'ON' : 'OFF';
  return out;
}
