// Terraform's hashicorp/aws provider on S3: a versioned backup bucket with lifecycle, default
// encryption, public access block, ownership controls and a policy; an Object Lock bucket with
// CORS; objects in both. Apply, a second plan with no changes (every attribute read back
// matches), and a destroy that empties the versioned bucket (force_destroy) and leaves nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GetBucketLifecycleConfigurationCommand, GetBucketVersioningCommand, GetObjectCommand, ListBucketsCommand, S3Client,
} from '@aws-sdk/client-s3';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_s3_bucket and its configuration resources, aws_s3_object', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-s3');

  test('apply, plan -detailed-exitcode = 0, destroy with force_destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 12);
    assert.match(applied, /backup_arn = "arn:aws:s3:::my-backup-bucket"/);
    assert.match(applied, /daily_etag = "[0-9a-f]{32}"/);

    const s3 = new S3Client({ ...clientConfig(tf.cl.url), forcePathStyle: true });
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'my-backup-bucket' }))).Status, 'Enabled');
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'my-backup-bucket' }))).Rules!;
    assert.deepEqual(rules.map((r) => r.ID).sort(), ['abort-uploads', 'archive-then-expire']);
    const daily = await s3.send(new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/2026-12-07.txt' }));
    assert.equal(await daily.Body!.transformToString(), 'backup of the day');

    await terraformPlanIsClean(tf);

    await terraformDestroy(tf);
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
    s3.destroy();
  });
});
