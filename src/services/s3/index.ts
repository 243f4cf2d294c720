import { defineService } from '../types.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets, withOwnerCheck } from './buckets.js';
import { configHandlers } from './config-handlers.js';
import { lifecycleHandlers } from './lifecycle-handlers.js';
import { withLifecycle } from './lifecycle.js';
import { listingHandlers } from './listing-handlers.js';
import { lockHandlers } from './lock-handlers.js';
import { multipartHandlers } from './multipart-handlers.js';
import { objectHandlers, OUTSIDE as OBJECT_OUTSIDE } from './object-handlers.js';
import { withSecureSseC } from './object-fields.js';
import { policyHandlers } from './policy-handlers.js';
import { withRequestMeter } from './request-meter.js';

const OUTSIDE: ReadonlySet<string> = new Set([...OBJECT_OUTSIDE, 'UploadPart', 'UploadPartCopy']);

/**
 * S3. One handler map per area; operations that stream bodies run outside the store lock
 * (`outside`) and commit through ctx.transact.
 */
export default defineService({
  name: 's3',
  modelId: 's3-2006-03-01',
  // x-amz-expected-bucket-owner is checked first (buckets.ts); a request naming a bucket then brings the bucket's lifecycle rules up to date (lifecycle.ts).
  // SSE-C over plain HTTP is refused first (object-fields.ts).
  // Requests are metered for the bill (request-meter.ts).
  handlers: withRequestMeter(withSecureSseC(withOwnerCheck(withLifecycle({
    CreateBucket: createBucket,
    DeleteBucket: deleteBucket,
    HeadBucket: headBucket,
    GetBucketLocation: getBucketLocation,
    ListBuckets: listBuckets,
    ...objectHandlers,
    ...configHandlers,
    ...listingHandlers,
    ...multipartHandlers,
    ...policyHandlers,
    ...lifecycleHandlers,
    ...lockHandlers,
  }, OUTSIDE), OUTSIDE)), OUTSIDE),
  outside: OUTSIDE,
});
