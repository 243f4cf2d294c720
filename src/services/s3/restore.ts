/**
 * Archived objects (GLACIER, DEEP_ARCHIVE): RestoreObject makes a temporary readable copy that
 * is ready after the tier's retrieval time and lasts the requested days, all on the cloudlet
 * clock. Nothing runs in the background: a restore's state is a function of its stored times
 * and `now` (ongoing until doneMs, readable until expiryMs).
 */
import type { RestoreObjectOutput, RestoreObjectRequest } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { requireBucket } from './buckets.js';
import { dueAfterDays } from './lifecycle-rules.js';
import { OBJECT_KIND, VERSION_KIND, bucketObjectId, ownerScope, type ObjectVersion } from './records.js';
import { findVersion, noSuchKey, readableVersion } from './versions.js';
import { billRestore } from './storage-bill.js';

export const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long a restore takes, per class and tier: the top of AWS's published range. */
export const RESTORE_MS: Record<string, Partial<Record<string, number>>> = {
  GLACIER: { Expedited: 5 * MINUTE, Standard: 5 * HOUR, Bulk: 12 * HOUR },
  DEEP_ARCHIVE: { Standard: 12 * HOUR, Bulk: 48 * HOUR },
};

type Restore = NonNullable<ObjectVersion['restore']>;

/** Whether a restore has finished by `nowMs` (older rows without doneMs go by `ongoing`). */
const restoreDone = (r: Restore, nowMs: number): boolean => (r.doneMs !== undefined ? r.doneMs <= nowMs : !r.ongoing);
const restoreLive = (r: Restore, nowMs: number): boolean => restoreDone(r, nowMs) && (r.expiryMs ?? Infinity) > nowMs;

/** True when GetObject must answer InvalidObjectState: archived, with no finished, unexpired restore. */
export function archivedUnreadable(v: ObjectVersion, nowMs: number): boolean {
  if (!ARCHIVED.has(v.storageClass)) return false;
  return !(v.restore && restoreLive(v.restore, nowMs));
}

/** The x-amz-restore value for HEAD/GET, or undefined when there is no restore to report. */
export function restoreHeader(v: ObjectVersion, nowMs: number): string | undefined {
  const r = v.restore;
  if (!r) return undefined;
  if (!restoreDone(r, nowMs)) return 'ongoing-request="true"';
  if (r.expiryMs !== undefined && r.expiryMs <= nowMs) return undefined;
  return r.expiryMs === undefined ? 'ongoing-request="false"' : `ongoing-request="false", expiry-date="${new Date(r.expiryMs).toUTCString()}"`;
}

/** ListObjectsV2/ListObjectVersions RestoreStatus (OptionalObjectAttributes=RestoreStatus), or undefined. */
export function restoreStatus(v: ObjectVersion, nowMs: number): { IsRestoreInProgress: boolean; RestoreExpiryDate?: Date } | undefined {
  const r = v.restore;
  if (!r) return undefined;
  if (!restoreDone(r, nowMs)) return { IsRestoreInProgress: true };
  if (r.expiryMs !== undefined && r.expiryMs <= nowMs) return undefined;
  return r.expiryMs === undefined ? { IsRestoreInProgress: false } : { IsRestoreInProgress: false, RestoreExpiryDate: new Date(r.expiryMs) };
}

export const invalidObjectState = (storageClass: string, message: string): AwsError =>
  new AwsError('InvalidObjectState', message, 403, { fields: { StorageClass: storageClass } });

export const restoreObject: Handler<RestoreObjectRequest, RestoreObjectOutput> = (input, ctx) => {
  const key = input.Key ?? '';
  if (key === '') throw noSuchKey(key);
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const account = owner.account;
  const v = readableVersion(ctx.tx, account, bucket.name, key, input.VersionId, 'POST');
  const req = input.RestoreRequest;
  if (!req) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  if (req.Type !== undefined) throw new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, { fields: { Header: 'RestoreRequest.Type' } });
  if (!ARCHIVED.has(v.storageClass)) throw invalidObjectState(v.storageClass, "Restore is not allowed for the object's current storage class");
  if (req.Days === undefined) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  if (!Number.isInteger(req.Days) || req.Days < 1) {
    throw new AwsError('InvalidArgument', 'Days must be a positive integer', 400, { fields: { ArgumentName: 'Days', ArgumentValue: String(req.Days) } });
  }
  const tier = req.GlacierJobParameters?.Tier ?? req.Tier ?? 'Standard';
  if (!['Expedited', 'Standard', 'Bulk'].includes(tier)) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const took = RESTORE_MS[v.storageClass]![tier];
  if (took === undefined) {
    throw new AwsError('InvalidArgument', `The ${tier} retrieval tier is not supported for objects in the ${v.storageClass} storage class`, 400, { fields: { ArgumentName: 'Tier', ArgumentValue: tier } });
  }
  const now = ctx.clock.nowMs();
  const prior = v.restore;
  let restore: Restore;
  if (prior && !restoreDone(prior, now)) {
    throw new AwsError('RestoreAlreadyInProgress', 'Object restore is already in progress', 409);
  } else if (prior && restoreLive(prior, now)) {
    // A restored copy is kept longer: its days count again from now.
    restore = { ...prior, ongoing: false, expiryMs: dueAfterDays(now, req.Days) };
  } else {
    const doneMs = now + took;
    restore = { ongoing: true, doneMs, expiryMs: dueAfterDays(doneMs, req.Days), tier };
    billRestore(ctx.tx, account, bucket.name, v, tier, now);
  }
  const found = findVersion(ctx.tx, account, bucket.name, key, v.versionId)!;
  const scope = ownerScope(account);
  const updated: ObjectVersion = { ...found.version, restore };
  if (found.current) ctx.tx.put(scope, OBJECT_KIND, bucketObjectId(bucket.name, key), updated);
  else ctx.tx.put(scope, VERSION_KIND, found.rowId!, updated);
  // 202 Accepted for a new restore, 200 OK when a restored copy is only kept longer (S3's answers).
  if (restore.ongoing) ctx.responseStatus = 202;
  return {};
};
