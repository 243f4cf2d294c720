import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, GetObjectLegalHoldCommand, GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand, HeadObjectCommand, PutBucketVersioningCommand, PutObjectCommand, PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand, PutObjectRetentionCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
const DAY = 86_400_000;

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
});
after(async () => { s3.destroy(); await cl.close(); });

/** The server's clock (tests move it). */
const now = (): number => cl.deps.clock.nowMs();

async function advance(by: string): Promise<void> {
  const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
  assert.equal(r.status, 200, await r.text());
}

/** A bucket created with Object Lock, and one object in it; its version ID. */
async function lockedObject(bucket: string, key: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}): Promise<string> {
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}`, ...extra }));
  assert.ok(put.VersionId);
  return put.VersionId!;
}

describe('S3 Object Lock: bucket configuration', () => {
  test('a bucket created with Object Lock reports it enabled, versioned, and takes a default retention', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lock-config', ObjectLockEnabledForBucket: true }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-config' }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
    const conf = { ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'GOVERNANCE' as const, Days: 1 } } };
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-config', ObjectLockConfiguration: conf }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-config' }))).ObjectLockConfiguration, conf);
    const yearly = { ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'COMPLIANCE' as const, Years: 1 } } };
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-config', ObjectLockConfiguration: yearly }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-config' }))).ObjectLockConfiguration, yearly);
    // Removing the rule keeps Object Lock on.
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-config', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-config' }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
  });

  test('bad documents: Days with Years, unknown modes, a zero period, Disabled', async () => {
    const put = (c: unknown) => s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-config', ObjectLockConfiguration: c as never }));
    await rejects(put({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1, Years: 1 } } }), 'MalformedXML', 400);
    await rejects(put({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'governance', Days: 1 } } }), 'MalformedXML', 400);
    await rejects(put({ ObjectLockEnabled: 'Disabled' }), 'MalformedXML', 400);
    await rejects(put({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 0 } } }), 'InvalidArgument', 400);
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-config' }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
  });

  test('a plain bucket has none; it can turn Object Lock on once its versioning is Enabled', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lock-later' }));
    await rejects(s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' })), 'ObjectLockConfigurationNotFoundError', 404);
    const conf = { ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'GOVERNANCE' as const, Days: 2 } } };
    await rejects(s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-later', ObjectLockConfiguration: conf })), 'InvalidBucketState', 409);
    await rejects(s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' })), 'ObjectLockConfigurationNotFoundError', 404);
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'lock-later', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectLockConfigurationCommand({ Bucket: 'lock-later', ObjectLockConfiguration: conf }));
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'lock-later' }))).ObjectLockConfiguration, conf);
    await rejects(s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'no-such-lock-bucket' })), 'NoSuchBucket', 404);
  });
});

describe('S3 Object Lock: retention and legal holds on versions', () => {
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lock-objects', ObjectLockEnabledForBucket: true }));
    await s3.send(new CreateBucketCommand({ Bucket: 'no-lock' }));
  });

  test('GOVERNANCE retention: extended freely, shortened or removed only with the bypass header; a locked version is not deleted without it', async () => {
    const vid = await lockedObject('lock-objects', 'gov');
    await rejects(s3.send(new GetObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov' })), 'NoSuchObjectLockConfiguration', 404);
    const until = new Date(Math.floor((now() + 10 * DAY) / 1000) * 1000);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until } }));
    assert.deepEqual((await s3.send(new GetObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', VersionId: vid }))).Retention, { Mode: 'GOVERNANCE', RetainUntilDate: until });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'lock-objects', Key: 'gov' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.equal(head.ObjectLockRetainUntilDate?.getTime(), until.getTime());

    const later = new Date(until.getTime() + DAY);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: later } }));
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until } })), 'AccessDenied', 403);
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'gov', VersionId: vid })), 'AccessDenied', 403);
    // DeleteObjects answers 200 and names the locked key.
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket: 'lock-objects', Delete: { Objects: [{ Key: 'gov', VersionId: vid }] } }));
    assert.deepEqual(batch.Errors?.map((e) => [e.Key, e.Code]), [['gov', 'AccessDenied']]);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until }, BypassGovernanceRetention: true }));
    assert.equal((await s3.send(new GetObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov' }))).Retention?.RetainUntilDate?.getTime(), until.getTime());
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(now() - DAY) } })), 'InvalidArgument', 400);
    // The version is still there; with the bypass header it goes.
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lock-objects', Key: 'gov', VersionId: vid }))).VersionId, vid);
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'gov', VersionId: vid, BypassGovernanceRetention: true }));
    assert.equal(del.VersionId, vid);
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'lock-objects', Key: 'gov', VersionId: vid })), 'NotFound', 404);

    // An empty Retention with the bypass header removes GOVERNANCE retention.
    const vid2 = await lockedObject('lock-objects', 'gov2');
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov2', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until } }));
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov2', Retention: {} })), 'AccessDenied', 403);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov2', Retention: {}, BypassGovernanceRetention: true }));
    await rejects(s3.send(new GetObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'gov2' })), 'NoSuchObjectLockConfiguration', 404);
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'gov2', VersionId: vid2 }));
  });

  test('COMPLIANCE retention: only extended, never turned into GOVERNANCE, not even with the bypass header', async () => {
    const vid = await lockedObject('lock-objects', 'comp');
    const until = new Date(Math.floor((now() + 3 * DAY) / 1000) * 1000);
    await s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'comp', Retention: { Mode: 'COMPLIANCE', RetainUntilDate: until } }));
    const bypass = { BypassGovernanceRetention: true };
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'comp', Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(until.getTime() - DAY) }, ...bypass })), 'AccessDenied', 403);
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'comp', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(until.getTime() + DAY) }, ...bypass })), 'AccessDenied', 403);
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'comp', Retention: {}, ...bypass })), 'AccessDenied', 403);
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'comp', VersionId: vid, ...bypass })), 'AccessDenied', 403);
    assert.deepEqual((await s3.send(new GetObjectRetentionCommand({ Bucket: 'lock-objects', Key: 'comp' }))).Retention, { Mode: 'COMPLIANCE', RetainUntilDate: until });
  });

  test('a legal hold blocks the delete, bypass or not, until it is OFF', async () => {
    const vid = await lockedObject('lock-objects', 'held');
    await rejects(s3.send(new GetObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held' })), 'NoSuchObjectLockConfiguration', 404);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held', LegalHold: { Status: 'ON' } }));
    assert.deepEqual((await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held', VersionId: vid }))).LegalHold, { Status: 'ON' });
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lock-objects', Key: 'held' }))).ObjectLockLegalHoldStatus, 'ON');
    await rejects(s3.send(new PutObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held', LegalHold: { Status: 'on' as never } })), 'MalformedXML', 400);
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'held', VersionId: vid, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held', LegalHold: { Status: 'OFF' } }));
    assert.deepEqual((await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held' }))).LegalHold, { Status: 'OFF' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-objects', Key: 'held', VersionId: vid }));
    await rejects(s3.send(new GetObjectLegalHoldCommand({ Bucket: 'lock-objects', Key: 'held', VersionId: vid })), 'NoSuchVersion', 404);
  });

  test('a bucket without Object Lock refuses retention and legal holds', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'no-lock', Key: 'k', Body: 'x' }));
    const until = new Date(now() + DAY);
    await rejects(s3.send(new PutObjectRetentionCommand({ Bucket: 'no-lock', Key: 'k', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until } })), 'InvalidRequest', 400);
    await rejects(s3.send(new GetObjectRetentionCommand({ Bucket: 'no-lock', Key: 'k' })), 'InvalidRequest', 400);
    await rejects(s3.send(new PutObjectLegalHoldCommand({ Bucket: 'no-lock', Key: 'k', LegalHold: { Status: 'ON' } })), 'InvalidRequest', 400);
    await rejects(s3.send(new GetObjectLegalHoldCommand({ Bucket: 'no-lock', Key: 'k' })), 'InvalidRequest', 400);
  });
});

describe('S3 Object Lock: writes', () => {
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'lock-default', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectLockConfigurationCommand({
      Bucket: 'lock-default', ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
    }));
  });

  test('default retention: the version is kept until the clock passes its date; a simple delete adds a delete marker', async () => {
    const vid = await lockedObject('lock-default', 'report.csv');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'lock-default', Key: 'report.csv' }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    const until = head.ObjectLockRetainUntilDate!.getTime();
    assert.ok(Math.abs(until - (head.LastModified!.getTime() + DAY)) < 2000, `retain until ${new Date(until).toISOString()} is a day after ${head.LastModified!.toISOString()}`);
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'report.csv', VersionId: vid })), 'AccessDenied', 403);
    // A delete without a version ID is allowed: it puts a delete marker on top.
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'report.csv' }));
    assert.equal(marker.DeleteMarker, true);
    assert.ok(marker.VersionId && marker.VersionId !== vid);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'lock-default', Key: 'report.csv' })), 'NoSuchKey', 404);
    // Delete markers are not protected.
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'report.csv', VersionId: marker.VersionId }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'lock-default', Key: 'report.csv' }))).VersionId, vid);

    await advance('23h');
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'report.csv', VersionId: vid })), 'AccessDenied', 403);
    await advance('2h');
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'report.csv', VersionId: vid }));
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'lock-default', Key: 'report.csv' })), 'NotFound', 404);
  });

  test('lock headers on PUT override the default; on a bucket without Object Lock they are refused', async () => {
    const until = new Date(Math.floor((now() + 5 * DAY) / 1000) * 1000);
    const vid = await lockedObject('lock-default', 'own', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until, ObjectLockLegalHoldStatus: 'ON' });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'lock-default', Key: 'own' }));
    assert.equal(got.ObjectLockMode, 'GOVERNANCE');
    assert.equal(got.ObjectLockRetainUntilDate?.getTime(), until.getTime());
    assert.equal(got.ObjectLockLegalHoldStatus, 'ON');
    await got.Body?.transformToString();
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'own', VersionId: vid, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: 'lock-default', Key: 'own', LegalHold: { Status: 'OFF' } }));
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'own', VersionId: vid })), 'AccessDenied', 403);
    await s3.send(new DeleteObjectCommand({ Bucket: 'lock-default', Key: 'own', VersionId: vid, BypassGovernanceRetention: true }));

    await rejects(s3.send(new PutObjectCommand({ Bucket: 'lock-default', Key: 'bad', Body: 'x', ObjectLockMode: 'GOVERNANCE' })), 'InvalidArgument', 400);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'lock-default', Key: 'bad', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(now() - DAY) })), 'InvalidArgument', 400);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'no-lock', Key: 'bad', Body: 'x', ObjectLockLegalHoldStatus: 'ON' })), 'InvalidRequest', 400);
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'no-lock', Key: 'bad' })), 'NotFound', 404);
  });
});
