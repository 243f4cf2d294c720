/**
 * Object Lock operations: the bucket's configuration (Put/GetObjectLockConfiguration) and a
 * version's retention and legal hold (Put/GetObjectRetention, Put/GetObjectLegalHold). The rules
 * are in object-lock.ts; the versions change only through versions.ts.
 */
import type {
  GetObjectLegalHoldOutput, GetObjectLegalHoldRequest, GetObjectLockConfigurationOutput, GetObjectLockConfigurationRequest,
  GetObjectRetentionOutput, GetObjectRetentionRequest, PutObjectLegalHoldOutput, PutObjectLegalHoldRequest,
  PutObjectLockConfigurationOutput, PutObjectLockConfigurationRequest, PutObjectRetentionOutput, PutObjectRetentionRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { putConfig, requireBucket } from './buckets.js';
import {
  LOCK_CONFIG, bucketLockConfiguration, checkLockConfiguration, checkRetention, checkRetentionChange, malformedXml, missingLockConfiguration,
} from './object-lock.js';
import { BUCKET_KIND, ownerScope, type BucketRecord, type ObjectVersion } from './records.js';
import { findVersion, readableVersion, updateVersion } from './versions.js';

const noLockOnObject = (): AwsError =>
  new AwsError('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', 404);

export const putObjectLockConfiguration: Handler<PutObjectLockConfigurationRequest, PutObjectLockConfigurationOutput> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const config = checkLockConfiguration(input.ObjectLockConfiguration);
  if (!bucket.objectLock) {
    // Object Lock can be turned on for an existing bucket, once its versioning is Enabled (and then never off).
    if (bucket.versioning !== 'Enabled') {
      throw new AwsError('InvalidBucketState', "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration", 409, { fields: { BucketName: bucket.name } });
    }
    const scope = ownerScope(owner.account);
    const fresh = ctx.tx.get<BucketRecord>(scope, BUCKET_KIND, bucket.name) ?? bucket;
    ctx.tx.put(scope, BUCKET_KIND, bucket.name, { ...fresh, objectLock: true } satisfies BucketRecord);
  }
  putConfig(ctx.tx, owner.account, bucket.name, LOCK_CONFIG, config);
  return {};
};

export const getObjectLockConfiguration: Handler<GetObjectLockConfigurationRequest, GetObjectLockConfigurationOutput> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const config = bucketLockConfiguration(ctx.tx, owner.account, bucket);
  if (!config) {
    throw new AwsError('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', 404, { fields: { BucketName: bucket.name } });
  }
  return { ObjectLockConfiguration: config };
};

interface Located { owner: string; bucket: BucketRecord; found: { version: ObjectVersion; current: boolean; rowId?: string } }

/** The lock bucket and the version a retention or legal-hold request names (S3's errors for neither). */
function lockedVersion(tx: Tx, bucketName: string, key: string | undefined, versionId: string | undefined, method: string): Located {
  if (!key) throw new AwsError('InvalidArgument', 'A key must be specified', 400);
  const { owner, bucket } = requireBucket(tx, bucketName);
  if (!bucket.objectLock) throw missingLockConfiguration();
  const v = readableVersion(tx, owner.account, bucket.name, key, versionId, method);
  const found = findVersion(tx, owner.account, bucket.name, key, v.versionId)!;
  return { owner: owner.account, bucket, found };
}

export const putObjectRetention: Handler<PutObjectRetentionRequest, PutObjectRetentionOutput> = (input, ctx) => {
  if (input.Retention === undefined) throw malformedXml();
  const { bucket: b } = requireBucket(ctx.tx, input.Bucket!);
  if (!b.objectLock) throw missingLockConfiguration();
  const nowMs = ctx.clock.nowMs();
  const next = checkRetention(input.Retention, nowMs);
  const { owner, bucket, found } = lockedVersion(ctx.tx, input.Bucket!, input.Key, input.VersionId, 'PUT');
  checkRetentionChange(found.version.retention, next, nowMs, input.BypassGovernanceRetention === true);
  const { retention: _old, ...rest } = found.version;
  updateVersion(ctx.tx, owner, bucket.name, found, next ? { ...rest, retention: next } : rest);
  return {};
};

export const getObjectRetention: Handler<GetObjectRetentionRequest, GetObjectRetentionOutput> = (input, ctx) => {
  const { found } = lockedVersion(ctx.tx, input.Bucket!, input.Key, input.VersionId, 'GET');
  const r = found.version.retention;
  if (!r) throw noLockOnObject();
  return { Retention: { Mode: r.mode, RetainUntilDate: new Date(r.untilMs) } };
};

export const putObjectLegalHold: Handler<PutObjectLegalHoldRequest, PutObjectLegalHoldOutput> = (input, ctx) => {
  if (input.LegalHold === undefined) throw malformedXml();
  const { bucket: b } = requireBucket(ctx.tx, input.Bucket!);
  if (!b.objectLock) throw missingLockConfiguration();
  const status = input.LegalHold.Status as string | undefined;
  if (status !== 'ON' && status !== 'OFF') throw malformedXml();
  const { owner, bucket, found } = lockedVersion(ctx.tx, input.Bucket!, input.Key, input.VersionId, 'PUT');
  updateVersion(ctx.tx, owner, bucket.name, found, { ...found.version, legalHold: status === 'ON' });
  return {};
};

export const getObjectLegalHold: Handler<GetObjectLegalHoldRequest, GetObjectLegalHoldOutput> = (input, ctx) => {
  const { found } = lockedVersion(ctx.tx, input.Bucket!, input.Key, input.VersionId, 'GET');
  const hold = found.version.legalHold;
  if (hold === undefined) throw noLockOnObject();
  return { LegalHold: { Status: hold ? 'ON' : 'OFF' } };
};

export const lockHandlers: Record<string, Handler> = {
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObjectRetention: putObjectRetention,
  GetObjectRetention: getObjectRetention,
  PutObjectLegalHold: putObjectLegalHold,
  GetObjectLegalHold: getObjectLegalHold,
};
