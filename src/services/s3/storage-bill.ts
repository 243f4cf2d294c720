/**
 * S3 charges beyond storage and requests (S3 pricing; usage types as AWS's usage reports name
 * them), as counts in the hour they happen:
 *   - retrieval: bytes read back (GET, or the source of a copy) from STANDARD_IA, ONEZONE_IA and
 *     GLACIER_IR, per GB (Retrieval-SIA, Retrieval-ZIA, Retrieval-GIR);
 *   - restores from GLACIER and DEEP_ARCHIVE: per GB and per request by tier
 *     (Expedited-/Standard-/Bulk-Retrieval-Bytes; Requests-Tier6/Tier3/Tier5, Requests-GDA-Tier3/Tier5);
 *   - minimum storage duration: a version deleted, overwritten or transitioned before 30
 *     (STANDARD_IA, ONEZONE_IA), 90 (GLACIER_IR, GLACIER) or 180 days (DEEP_ARCHIVE) in its
 *     class pays for the rest of them at that class's rate (EarlyDelete-SIA, -ZIA, -GIR,
 *     EarlyDelete-ByteHrs, EarlyDelete-GDA), counted from when it entered the class, at its
 *     billable size (at least 128 KiB in the infrequent-access classes; plus the 32 KiB index
 *     of an archived object).
 * Storage itself (with the small-object minimum and the archive overhead) is cost/lines.ts.
 */
import type { Tx } from '../../store/types.js';
import { bucketOf, SERVICE } from '../cost/lines.js';
import { meterCount } from '../cost/meter.js';
import { prices, regional, usageType } from '../cost/prices.js';
import { monthMs } from '../cost/usage.js';
import { findBucket } from './buckets.js';
import { ownerScope, type ObjectVersion } from './records.js';

const GIB = 2 ** 30;
const DAY = 86_400_000;

const RETRIEVAL: Record<string, string> = { STANDARD_IA: 'Retrieval-SIA', ONEZONE_IA: 'Retrieval-ZIA', GLACIER_IR: 'Retrieval-GIR' };
const EARLY: Record<string, string> = {
  STANDARD_IA: 'EarlyDelete-SIA', ONEZONE_IA: 'EarlyDelete-ZIA', GLACIER_IR: 'EarlyDelete-GIR', GLACIER: 'EarlyDelete-ByteHrs', DEEP_ARCHIVE: 'EarlyDelete-GDA',
};
const RESTORE_BYTES: Record<string, string> = { Expedited: 'Expedited-Retrieval-Bytes', Standard: 'Standard-Retrieval-Bytes', Bulk: 'Bulk-Retrieval-Bytes' };
const RESTORE_REQUESTS: Record<string, Record<string, string>> = {
  GLACIER: { Expedited: 'Requests-Tier6', Standard: 'Requests-Tier3', Bulk: 'Requests-Tier5' },
  DEEP_ARCHIVE: { Standard: 'Requests-GDA-Tier3', Bulk: 'Requests-GDA-Tier5' },
};

function count(tx: Tx, owner: string, bucketName: string, base: string, operation: string, unit: string, rate: number, quantity: number, atMs: number): void {
  if (!(quantity > 0)) return;
  const bucket = bucketOf(tx, owner, bucketName);
  if (!bucket) return;
  const ut = usageType(bucket.region, base);
  meterCount(tx, ownerScope(owner), {
    ...SERVICE.s3, key: ut, usageType: ut, operation, unit, quantity: 1, rate: regional(rate, bucket.region),
    resourceId: bucketName, region: bucket.region, tags: bucket.tags,
  }, quantity, atMs);
}

/** Bytes read back from a version (a GET's body, a copy's source range), on its bucket owner's bill. */
export function billRetrieval(tx: Tx, bucketName: string, v: Pick<ObjectVersion, 'storageClass'>, bytes: number, atMs: number, operation = 'GetObject'): void {
  const base = RETRIEVAL[v.storageClass];
  const owner = base && findBucket(tx, bucketName)?.owner.account;
  if (owner) count(tx, owner, bucketName, base, operation, 'GB', prices().s3.retrievalGb[v.storageClass] ?? 0, bytes / GIB, atMs);
}

/** A restore of an archived version: its bytes and the request, at the tier's rates. */
export function billRestore(tx: Tx, owner: string, bucketName: string, v: Pick<ObjectVersion, 'storageClass' | 'size'>, tier: string, atMs: number): void {
  const rates = prices().s3.restore[v.storageClass]?.[tier];
  const request = RESTORE_REQUESTS[v.storageClass]?.[tier];
  if (!rates || !request) return;
  count(tx, owner, bucketName, RESTORE_BYTES[tier]!, 'RestoreObject', 'GB', rates.gb, v.size / GIB, atMs);
  count(tx, owner, bucketName, request, 'RestoreObject', 'Requests', rates.per1000 / 1000, 1, atMs);
}

/** The bytes a version bills as in its class: the small-object minimum, the archive index. */
export function billableBytes(v: Pick<ObjectVersion, 'storageClass' | 'size'>): number {
  const p = prices().s3;
  const archived = v.storageClass === 'GLACIER' || v.storageClass === 'DEEP_ARCHIVE';
  return Math.max(v.size, (p.minimumObjectKib[v.storageClass] ?? 0) * 1024) + (archived ? p.archiveOverheadKib.archive * 1024 : 0);
}

/**
 * A version leaves its storage class at atMs (deleted, overwritten, or transitioned to another):
 * the rest of the class's minimum storage duration is billed now. Delete markers hold nothing.
 */
export function billEarlyRemoval(tx: Tx, owner: string, bucketName: string, v: ObjectVersion & { transitionedMs?: number }, atMs: number): void {
  const days = prices().s3.minimumDays[v.storageClass];
  const base = EARLY[v.storageClass];
  if (!days || !base || v.deleteMarker) return;
  const since = v.transitionedMs ?? v.lastModifiedMs;
  const left = since + days * DAY - atMs;
  if (left <= 0) return;
  const gbMonths = (billableBytes(v) / GIB) * (left / monthMs(atMs));
  count(tx, owner, bucketName, base, 'DeleteObject', 'GB-Mo', prices().s3.gbMonth[v.storageClass] ?? 0, gbMonths, atMs);
}
