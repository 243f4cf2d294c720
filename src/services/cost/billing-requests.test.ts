import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../store/memory.js';
import { meterS3Request, requestTier } from './billing-requests.js';
import { prices } from './prices.js';
import { forEachUsage } from './usage.js';

const ACCOUNT = '111111111111';
const T0 = Date.UTC(2026, 5, 1);

describe('S3 request metering', () => {
  it('sorts operations into Tier 1, Tier 2 and free as S3 prices them', () => {
    assert.deepEqual(['PutObject', 'CopyObject', 'ListObjectsV2', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'].map(requestTier), Array(6).fill('Tier1'));
    assert.deepEqual(['GetObject', 'HeadObject', 'SelectObjectContent', 'GetBucketLocation'].map(requestTier), Array(4).fill('Tier2'));
    assert.deepEqual(['DeleteObject', 'DeleteObjects', 'AbortMultipartUpload'].map(requestTier), [undefined, undefined, undefined]);
  });

  it('counts requests per bucket and hour, in the bucket\'s Region, at the per-1,000 rates', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      tx.put({ account: ACCOUNT, region: '' }, 's3:bucket', 'logs', { name: 'logs', region: 'us-west-2' });
      for (let i = 0; i < 3; i++) meterS3Request(tx, ACCOUNT, 'logs', 'PutObject', T0 + i * 1000);
      for (let i = 0; i < 5; i++) meterS3Request(tx, ACCOUNT, 'logs', 'GetObject', T0 + 3_600_000 + i);
      meterS3Request(tx, ACCOUNT, 'logs', 'DeleteObject', T0);
      meterS3Request(tx, ACCOUNT, 'missing', 'PutObject', T0);
    });
    const got: Record<string, [number, number]> = {};
    await store.transaction((tx) => forEachUsage(tx, ACCOUNT, { startMs: T0, endMs: T0 + 86_400_000 }, 'NONE', T0 + 86_400_000, (u) => {
      const g = got[u.line.usageType] ?? [0, 0];
      got[u.line.usageType] = [g[0] + u.quantity, g[1] + u.cost];
    }));
    assert.deepEqual(Object.keys(got).sort(), ['USW2-Requests-Tier1', 'USW2-Requests-Tier2']);
    const m = prices().regionMultiplier['us-west-2']!;
    assert.equal(got['USW2-Requests-Tier1']![0], 3);
    assert.ok(Math.abs(got['USW2-Requests-Tier1']![1] - 3 * prices().s3.tier1Per1000 / 1000 * m) < 1e-12);
    assert.equal(got['USW2-Requests-Tier2']![0], 5);
  });
});
