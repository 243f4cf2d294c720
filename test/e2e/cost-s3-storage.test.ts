import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, UploadPartCopyCommand, DeleteObjectCommand, GetObjectCommand, PutBucketLifecycleConfigurationCommand, PutObjectCommand,
  RestoreObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { prices } from '../../src/services/cost/prices.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { clockAdvance, clockNow, intoNextMonth, nextMonth } from '../helpers/clock.js';
import { usageByType } from '../helpers/cost.js';

/**
 * S3's charges beyond storage and requests, through the SDK and Cost Explorer: retrieval from
 * STANDARD_IA (a GET and a copy's source), the 128 KiB minimum of a small IA object, the rest of
 * the 30-day minimum when it is deleted after 10 days, the same when a lifecycle rule moves an
 * object out of STANDARD_IA early, an archived object's 32 KiB index and 8 KiB of STANDARD
 * metadata, and an Expedited restore's bytes and request.
 */

const D = 86_400_000;
const KIB = 1024;
const GIB = 2 ** 30;

describe('S3 on the bill: retrieval, minimum sizes and durations, restores', () => {
  let cl: Cloudlet;
  let s3: S3Client;
  let month: number;
  let monthLen: number;
  const now = () => clockNow(cl.url);
  const advance = (ms: number) => clockAdvance(cl.url, ms);
  const times: Record<string, number> = {};

  before(async () => {
    cl = await startTestServer();
    s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
    month = await intoNextMonth(cl.url);
    monthLen = nextMonth(month) - month;
    await s3.send(new CreateBucketCommand({ Bucket: 'bill' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bill', Key: 'small', Body: Buffer.alloc(KIB, 1), StorageClass: 'STANDARD_IA' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bill', Key: 'big', Body: Buffer.alloc(MIB, 2), StorageClass: 'STANDARD_IA' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bill', Key: 'cold', Body: Buffer.alloc(MIB, 3), StorageClass: 'GLACIER' }));
    times.put = await now();
    // A GET of the whole 1 MiB object and a 100-byte range; a copy reads it once more.
    await (await s3.send(new GetObjectCommand({ Bucket: 'bill', Key: 'big' }))).Body!.transformToByteArray();
    await (await s3.send(new GetObjectCommand({ Bucket: 'bill', Key: 'big', Range: 'bytes=0-99' }))).Body!.transformToByteArray();
    await s3.send(new CopyObjectCommand({ Bucket: 'bill', Key: 'big-copy', CopySource: 'bill/big' }));
    // A multipart copy of its first 1,000 bytes reads those once more.
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bill', Key: 'part-copy' }));
    await s3.send(new UploadPartCopyCommand({ Bucket: 'bill', Key: 'part-copy', UploadId: mp.UploadId, PartNumber: 1, CopySource: 'bill/big', CopySourceRange: 'bytes=0-999' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'bill', Key: 'part-copy', UploadId: mp.UploadId }));
    times.restore = await now();
    await s3.send(new RestoreObjectCommand({ Bucket: 'bill', Key: 'cold', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } } }));
    // A lifecycle rule moves what is in STANDARD_IA to GLACIER at day 5 of its life: 25 days early.
    await s3.send(new PutObjectCommand({ Bucket: 'bill', Key: 'moves/ia', Body: Buffer.alloc(MIB, 4), StorageClass: 'STANDARD_IA' }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: 'bill', LifecycleConfiguration: { Rules: [{ ID: 'cold', Status: 'Enabled', Filter: { Prefix: 'moves/' }, Transitions: [{ Days: 5, StorageClass: 'GLACIER' }] }] },
    }));
    await advance(10 * D);
    times.deleted = await now();
    await s3.send(new DeleteObjectCommand({ Bucket: 'bill', Key: 'small' }));
    await advance(2 * D);
    times.end = await now();
  });
  after(async () => { s3?.destroy(); await cl?.close(); });

  const byUsageType = () => usageByType(cl.url, 'Amazon Simple Storage Service', month, month + 14 * D);
  const near = (got: number | undefined, want: number, rel: number, what: string) =>
    assert.ok(got !== undefined && Math.abs(got - want) <= Math.abs(want) * rel + 1e-12, `${what}: ${got} is not ${want}`);
  const p = prices().s3;
  // Lifecycle days count to the next midnight UTC, as S3 rounds them.
  const transitionAt = () => Math.ceil((times.put! + 5 * D) / D) * D;

  test('retrieval from STANDARD_IA: the GET\'s bytes, the range\'s, the copy\'s source and a part copy\'s range, per GB', async () => {
    const u = await byUsageType();
    const bytes = MIB + 100 + MIB + 1000;
    near(u.get('Retrieval-SIA')?.q, bytes / GIB, 1e-6, 'GB retrieved');
    near(u.get('Retrieval-SIA')?.usd, (bytes / GIB) * p.retrievalGb.STANDARD_IA!, 1e-6, 'retrieval cost');
  });

  test('a 1 KiB STANDARD_IA object bills as 128 KiB; deleted at day 10 it pays 20 more days, and one moved by lifecycle after 5 days the rest of 30', async () => {
    const u = await byUsageType();
    // Small-object storage: the 127 KiB short of the minimum, for the ten days it was kept.
    near(u.get('TimedStorage-SIA-SmObjects')?.q, ((127 * KIB) / GIB) * ((times.deleted! - times.put!) / monthLen), 0.01, 'small-object GB-months');
    const small = ((128 * KIB) / GIB) * ((times.put! + 30 * D - times.deleted!) / monthLen);
    const moved = (MIB / GIB) * ((times.put! + 30 * D - transitionAt()) / monthLen);
    near(u.get('EarlyDelete-SIA')?.q, small + moved, 0.01, 'early-delete GB-months');
    near(u.get('EarlyDelete-SIA')?.usd, (small + moved) * p.gbMonth.STANDARD_IA!, 0.01, 'early-delete cost');
    // STANDARD_IA storage itself: 'big' all along, 'small' until deleted, the moved one until its transition (not until the rules ran).
    const sia = (MIB * (times.end! - times.put!) + KIB * (times.deleted! - times.put!) + MIB * (transitionAt() - times.put!)) / GIB / monthLen;
    near(u.get('TimedStorage-SIA-ByteHrs')?.q, sia, 0.01, 'STANDARD_IA GB-months');
  });

  test('an archived object: its 32 KiB index at the GLACIER rate, 8 KiB at STANDARD\'s; an Expedited restore pays per GB and per request, and its copy as STANDARD until it expires', async () => {
    const u = await byUsageType();
    const held = (times.end! - times.put!) / monthLen;
    // The restored object, and the lifecycle-moved one since its transition.
    const archived = ((MIB + 32 * KIB) / GIB) * (held + (times.end! - transitionAt()) / monthLen);
    near(u.get('TimedStorage-GlacierByteHrs')?.q, archived, 0.01, 'GLACIER GB-months with the index');
    // STANDARD: the copy of 'big', 8 KiB of metadata per archived object, and the restored copy
    // from the Expedited restore's end (5 minutes) to its expiry (the midnight a day later).
    const done = times.restore! + 5 * 60_000;
    const expiry = Math.ceil((done + D) / D) * D;
    const standard = (MIB * (times.end! - times.put!) + 8 * KIB * (times.end! - times.put!) + 8 * KIB * (times.end! - transitionAt()) + MIB * (expiry - done)) / GIB / monthLen;
    near(u.get('TimedStorage-ByteHrs')?.q, standard, 0.01, 'STANDARD GB-months with the metadata and the restored copy');
    near(u.get('Expedited-Retrieval-Bytes')?.usd, (MIB / GIB) * p.restore.GLACIER!.Expedited!.gb, 1e-6, 'Expedited GB');
    near(u.get('Requests-Tier6')?.usd, p.restore.GLACIER!.Expedited!.per1000 / 1000, 1e-6, 'one Expedited request');
  });
});

const MIB = 2 ** 20;

describe('S3 Intelligent-Tiering on the bill: tiers by the clock, a read brings an object back', () => {
  let cl: Cloudlet;
  let s3: S3Client;
  let month: number;
  const t: Record<string, number> = {};
  const now = () => clockNow(cl.url);
  const advance = (ms: number) => clockAdvance(cl.url, ms);
  /** GB-months of `bytes` held over [from, to), month by month. */
  const gbMonths = (bytes: number, from: number, to: number): number => {
    let sum = 0;
    for (let a = from; a < to;) {
      const m0 = Date.UTC(new Date(a).getUTCFullYear(), new Date(a).getUTCMonth(), 1);
      const m1 = nextMonth(a);
      const b = Math.min(to, m1);
      sum += (bytes / GIB) * ((b - a) / (m1 - m0));
      a = b;
    }
    return sum;
  };

  before(async () => {
    cl = await startTestServer();
    s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
    month = await intoNextMonth(cl.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'tiers' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tiers', Key: 'big', Body: Buffer.alloc(MIB, 5), StorageClass: 'INTELLIGENT_TIERING' }));
    await s3.send(new PutObjectCommand({ Bucket: 'tiers', Key: 'tiny', Body: Buffer.alloc(KIB, 6), StorageClass: 'INTELLIGENT_TIERING' }));
    t.put = await now();
    await advance(40 * D);
    t.read = await now();
    await (await s3.send(new GetObjectCommand({ Bucket: 'tiers', Key: 'big' }))).Body!.transformToByteArray();
    await (await s3.send(new GetObjectCommand({ Bucket: 'tiers', Key: 'big' }))).Body!.transformToByteArray();
    await advance(5 * D);
    t.end = await now();
  });
  after(async () => { s3?.destroy(); await cl?.close(); });

  test('Frequent for 30 days, Infrequent for the next 10; read, Frequent again; monitoring for the monitored object only', async () => {
    const q = new Map([...await usageByType(cl.url, 'Amazon Simple Storage Service', month, month + 50 * D)].map(([k, v]) => [k, v.q]));
    const near = (got: number | undefined, want: number, what: string) => assert.ok(got !== undefined && Math.abs(got - want) <= want * 0.01, `${what}: ${got} is not ${want}`);
    const toIa = t.put! + 30 * D;
    near(q.get('TimedStorage-INT-FA-ByteHrs'), gbMonths(MIB, t.put!, toIa) + gbMonths(MIB, t.read!, t.end!) + gbMonths(KIB, t.put!, t.end!), 'Frequent');
    near(q.get('TimedStorage-INT-IA-ByteHrs'), gbMonths(MIB, toIa, t.read!), 'Infrequent');
    assert.equal(q.get('TimedStorage-INT-AIA-ByteHrs'), undefined, 'never 90 days without a read');
    near(q.get('Monitoring-Automation-INT'), gbMonths(GIB, t.put!, t.end!), 'one monitored object, in object-months');
  });
});
