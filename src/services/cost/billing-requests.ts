/**
 * S3 request charges as event counts (meter.ts meterCount): Tier 1 (PUT, COPY, POST, LIST) and
 * Tier 2 (GET, SELECT and every other request) per bucket and hour, with the usage types the
 * Cost and Usage Report uses (Requests-Tier1, Requests-Tier2, Region-prefixed outside us-east-1).
 * DELETE and CANCEL requests are free (AWS: "DELETE and CANCEL requests are free").
 *
 * For the request pipeline to call once an S3 operation has run against a bucket in the
 * request's transaction; one row read and one written per request.
 */
import type { Tx } from '../../store/types.js';
import { bucketOf, SERVICE } from './lines.js';
import { meterCount } from './meter.js';
import { prices, regional, usageType } from './prices.js';

export type RequestTier = 'Tier1' | 'Tier2';

const TIER1 = /^(Put|Copy|Create|Complete|List|Upload|Post|Restore|Write)/;
const FREE = /^(Delete|AbortMultipartUpload$)/;

/** The price tier of an S3 operation, or undefined for a free one. */
export function requestTier(operation: string): RequestTier | undefined {
  if (FREE.test(operation)) return undefined;
  return TIER1.test(operation) ? 'Tier1' : 'Tier2';
}

/** Counts one request against `bucket` (nothing for a bucket that does not exist or a free operation). */
export function meterS3Request(tx: Tx, account: string, bucket: string | undefined, operation: string, nowMs: number): void {
  if (!bucket) return;
  const tier = requestTier(operation);
  if (!tier) return;
  const b = bucketOf(tx, account, bucket);
  if (!b) return;
  const p = prices().s3;
  const ut = usageType(b.region, `Requests-${tier}`);
  meterCount(tx, { account, region: b.region }, {
    key: ut, ...SERVICE.s3, usageType: ut, operation, unit: 'Requests', quantity: 1,
    rate: regional((tier === 'Tier1' ? p.tier1Per1000 : p.tier2Per1000) / 1000, b.region),
    resourceId: bucket, region: b.region, tags: b.tags,
  }, 1, nowMs);
}
