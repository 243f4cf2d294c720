import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { requestTier } from './request-meter.js';

describe('S3 request tiers', () => {
  it('bills PUT, COPY, POST and LIST at tier 1, GET and the rest at tier 2, DELETE not at all', () => {
    for (const op of ['PutObject', 'CopyObject', 'ListObjectsV2', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'PutBucketTagging', 'RestoreObject']) assert.equal(requestTier(op), 1, op);
    for (const op of ['GetObject', 'HeadObject', 'GetBucketTagging', 'HeadBucket', 'GetObjectAttributes']) assert.equal(requestTier(op), 2, op);
    for (const op of ['DeleteObject', 'DeleteObjects', 'AbortMultipartUpload', 'DeleteBucket']) assert.equal(requestTier(op), undefined, op);
  });
});
