import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AbortMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketLifecycleCommand, DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, RestoreObjectCommand, S3Client, UploadPartCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
});
after(async () => { s3.destroy(); await cl.close(); });

async function advance(by: string): Promise<void> {
  const res = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200, await res.text());
}

const nowMs = async (): Promise<number> => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
const text = async (body: unknown): Promise<string> => (body as { transformToString(): Promise<string> }).transformToString();
const lifecycle = (Bucket: string, Rules: LifecycleRule[], TransitionDefaultMinimumObjectSize?: 'varies_by_storage_class') =>
  s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules }, TransitionDefaultMinimumObjectSize }));

describe('S3 lifecycle configuration', () => {
  test('put, get and delete, with S3 checks and errors', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lc-config' }));
    await rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' })), 'NoSuchLifecycleConfiguration', 404);
    await rejects(lifecycle('lc-config', [{ ID: 'ia', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 10, StorageClass: 'STANDARD_IA' }] }]),
      'InvalidArgument', 400, "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'");
    await rejects(lifecycle('lc-config', [
      { ID: 'same', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } },
      { ID: 'same', Status: 'Enabled', Filter: {}, Expiration: { Days: 2 } },
    ]), 'InvalidArgument', 400, 'Rule ID must be unique. Found same ID for more than one rule');
    await rejects(lifecycle('lc-config', [{ ID: 'nofilter', Status: 'Enabled', Expiration: { Days: 1 } }]), 'MalformedXML', 400);
    await rejects(lifecycle('lc-config', [{ ID: 'order', Status: 'Enabled', Filter: { Prefix: 'a/' }, Transitions: [{ Days: 90, StorageClass: 'GLACIER' }, { Days: 120, StorageClass: 'DEEP_ARCHIVE' }] }]),
      'InvalidArgument', 400, "'Days' in the 'Transition' action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=a/)' must be 90 days more than 'filter '(prefix=a/)'' in the 'Transition' action for StorageClass 'GLACIER'");
    await rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' })), 'NoSuchLifecycleConfiguration', 404);

    const rules: LifecycleRule[] = [
      { ID: 'tiers', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'keep', Value: 'no' }], ObjectSizeGreaterThan: 1 } },
        Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 90, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } },
      { ID: 'by-date', Status: 'Disabled', Filter: { Prefix: 'old/' }, Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
      { Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 7, NewerNoncurrentVersions: 3 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ];
    const put = await lifecycle('lc-config', rules);
    assert.equal(put.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' }));
    assert.equal(got.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    assert.equal(got.Rules!.length, 3);
    assert.deepEqual(got.Rules![0], rules[0]);
    assert.equal(got.Rules![1]!.Expiration!.Date!.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.ok(got.Rules![2]!.ID, 'a rule given no ID gets one');
    assert.deepEqual(got.Rules![2]!.NoncurrentVersionExpiration, { NoncurrentDays: 7, NewerNoncurrentVersions: 3 });
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: 'lc-config' }));
    await rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' })), 'NoSuchLifecycleConfiguration', 404);
    await rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-no-such-bucket' })), 'NoSuchBucket', 404);
  });
});

describe('S3 lifecycle rules run on the clock', () => {
  test('30-day GLACIER rule: archived after 31 days, unreadable until restored, gone after 366', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lc-archive' }));
    await lifecycle('lc-archive', [{ ID: 'archive-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }]);
    const body = randomBytes(200 * 1024);
    const putAt = await nowMs();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: 'lc-archive', Key: 'logs/small', Body: 'tiny' }));
    await s3.send(new PutObjectCommand({ Bucket: 'lc-archive', Key: 'data/other', Body: randomBytes(200 * 1024) }));
    // S3 counts 365 days from creation, rounded up to the next midnight UTC.
    const expiry = new Date(Math.floor((putAt + 365 * 86_400_000) / 86_400_000) * 86_400_000 + 86_400_000).toUTCString();
    const expiration = `expiry-date="${expiry}", rule-id="archive-logs"`;
    assert.equal(put.Expiration, expiration);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' }))).Expiration, expiration);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'data/other' }))).Expiration, undefined);
    await rejects(s3.send(new RestoreObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big', RestoreRequest: { Days: 1 } })), 'InvalidObjectState', 403);

    await advance('31d');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' }));
    assert.equal(head.StorageClass, 'GLACIER');
    assert.equal(head.Restore, undefined);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'logs/small' }))).StorageClass, undefined, 'under 128 KiB: no transition by default');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'data/other' }))).StorageClass, undefined, 'outside the prefix');
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' })), 'InvalidObjectState', 403, "The operation is not valid for the object's storage class");

    const restoring = await s3.send(new RestoreObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big', RestoreRequest: { Days: 2, GlacierJobParameters: { Tier: 'Standard' } } }));
    assert.equal(restoring.$metadata.httpStatusCode, 202, 'a new restore is Accepted');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' }))).Restore, 'ongoing-request="true"');
    await rejects(s3.send(new RestoreObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big', RestoreRequest: { Days: 2 } })), 'RestoreAlreadyInProgress', 409);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' })), 'InvalidObjectState', 403);

    await advance('6h');
    const restored = await s3.send(new GetObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' }));
    assert.match(restored.Restore ?? '', /^ongoing-request="false", expiry-date="\w{3}, \d{2} \w{3} \d{4} 00:00:00 GMT"$/);
    assert.equal(restored.StorageClass, 'GLACIER');
    assert.ok(Buffer.from(await restored.Body!.transformToByteArray()).equals(body));

    // The restored copy lasts its 2 days (to a midnight), then the object is archived again.
    await advance('3d');
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' })), 'InvalidObjectState', 403);

    await advance('332d'); // 366 days after the PUT
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'logs/big' })), 'NotFound', 404);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lc-archive', Key: 'logs/small' })), 'NoSuchKey', 404);
    const other = await s3.send(new HeadObjectCommand({ Bucket: 'lc-archive', Key: 'data/other' }));
    assert.equal(other.ContentLength, 200 * 1024, 'outside the rule, the object stays');
  });

  test('versioned bucket: noncurrent versions expire by when they became noncurrent, keeping NewerNoncurrentVersions; lone delete markers go', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lc-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'lc-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    await lifecycle('lc-versions', [
      { ID: 'docs', Status: 'Enabled', Filter: { Prefix: 'doc' }, NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 1 } },
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
      { ID: 'markers', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ]);
    const ids: string[] = [];
    for (const v of ['one', 'two', 'three']) ids.push((await s3.send(new PutObjectCommand({ Bucket: 'lc-versions', Key: 'doc', Body: v }))).VersionId!);
    await s3.send(new PutObjectCommand({ Bucket: 'lc-versions', Key: 'tmp/a', Body: 'scratch' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'lc-versions', Key: 'tmp/a' }));
    const versions = async (Prefix: string) => {
      const out = await s3.send(new ListObjectVersionsCommand({ Bucket: 'lc-versions', Prefix }));
      return { versions: (out.Versions ?? []).map((v) => v.VersionId), markers: (out.DeleteMarkers ?? []).length };
    };

    await advance('5d');
    assert.deepEqual(await versions('doc'), { versions: [...ids].reverse(), markers: 0 }, 'not yet 10 days noncurrent');
    assert.deepEqual(await versions('tmp/'), { versions: [], markers: 0 }, 'the noncurrent version went after a day, then its lone marker');

    await advance('6d');
    assert.deepEqual(await versions('doc'), { versions: [ids[2], ids[1]], markers: 0 }, 'the newest noncurrent version is kept');
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'lc-versions', Key: 'doc' }))).Body), 'three');
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lc-versions', Key: 'doc', VersionId: ids[0] })), 'NoSuchVersion', 404);
  });

  test('incomplete multipart uploads are aborted DaysAfterInitiation later', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lc-uploads' }));
    await lifecycle('lc-uploads', [{ ID: 'abort', Status: 'Enabled', Filter: { Prefix: 'big/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }]);
    const stale = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'lc-uploads', Key: 'big/a' }));
    await s3.send(new UploadPartCommand({ Bucket: 'lc-uploads', Key: 'big/a', UploadId: stale.UploadId, PartNumber: 1, Body: 'part' }));
    const kept = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'lc-uploads', Key: 'other/b' }));
    await advance('3d');
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'lc-uploads' }));
    assert.deepEqual((left.Uploads ?? []).map((u) => u.Key), ['other/b']);
    await rejects(s3.send(new UploadPartCommand({ Bucket: 'lc-uploads', Key: 'big/a', UploadId: stale.UploadId, PartNumber: 2, Body: 'more' })), 'NoSuchUpload', 404);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'lc-uploads', Key: 'other/b', UploadId: kept.UploadId }));
  });
});

for (const cli of awsClis()) {
  describe(`S3 lifecycle with ${cli.name} and \`cloudlet clock advance\``, { skip: cli.skip }, () => {
    test('a Glacier rule, a restore and an expiry, through the CLIs', async () => {
      const bucket = `lc-cli-${cli.name.replace(/\W+/g, '')}`;
      const dir = mkdtempSync(join(tmpdir(), 'cloudlet-lc-'));
      const file = join(dir, 'report.bin');
      writeFileSync(file, randomBytes(150 * 1024));
      const aws = (args: string[]) => awsJson(cli.bin, cl.url, args);
      const clock = async (by: string) => {
        const r = await runCli(['clock', 'advance', by, '--endpoint', cl.url]);
        assert.equal(r.code, 0, r.stderr);
      };
      await aws(['s3api', 'create-bucket', '--bucket', bucket]);
      await aws(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', JSON.stringify({
        Rules: [{ ID: 'glacier-then-gone', Status: 'Enabled', Filter: { Prefix: 'reports/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }],
      })]);
      const rules = await aws(['s3api', 'get-bucket-lifecycle-configuration', '--bucket', bucket]);
      assert.equal(rules.Rules[0].ID, 'glacier-then-gone');
      await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'reports/q1.bin', '--body', file]);
      await clock('31d');
      const head = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'reports/q1.bin']);
      assert.equal(head.StorageClass, 'GLACIER');
      assert.match(head.Expiration, /^expiry-date="[^"]+ 00:00:00 GMT", rule-id="glacier-then-gone"$/);
      const refused = await runAws(cli.bin, cl.url, ['s3api', 'get-object', '--bucket', bucket, '--key', 'reports/q1.bin', join(dir, 'out.bin')]);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /InvalidObjectState/);
      await aws(['s3api', 'restore-object', '--bucket', bucket, '--key', 'reports/q1.bin', '--restore-request', JSON.stringify({ Days: 1, GlacierJobParameters: { Tier: 'Expedited' } })]);
      await clock('10m');
      const restored = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'reports/q1.bin']);
      assert.match(restored.Restore, /^ongoing-request="false", expiry-date=/);
      await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'reports/q1.bin', join(dir, 'out.bin')]);
      await clock('340d');
      const gone = await runAws(cli.bin, cl.url, ['s3api', 'head-object', '--bucket', bucket, '--key', 'reports/q1.bin']);
      assert.notEqual(gone.status, 0);
      assert.match(gone.stderr, /404|Not Found/);
    });
  });
}
