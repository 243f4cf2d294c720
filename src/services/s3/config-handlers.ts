/**
 * Bucket subresources: tagging, default encryption, request payment, versioning, website,
 * accelerate, logging, notifications and replication here; CORS in cors.ts, ownership and ACLs in
 * acl.ts, object tagging in object-tagging.ts. Every operation first resolves the bucket
 * (NoSuchBucket); configurations are stored in their input shape (buckets.ts putConfig) and go
 * with the bucket.
 */
import type {
  DeleteBucketEncryptionRequest, DeleteBucketReplicationRequest, DeleteBucketTaggingRequest, DeleteBucketWebsiteRequest,
  GetBucketAccelerateConfigurationOutput, GetBucketAccelerateConfigurationRequest, GetBucketEncryptionOutput, GetBucketEncryptionRequest,
  GetBucketLoggingOutput, GetBucketLoggingRequest, GetBucketNotificationConfigurationRequest, GetBucketReplicationOutput,
  GetBucketReplicationRequest, GetBucketRequestPaymentOutput, GetBucketRequestPaymentRequest, GetBucketTaggingOutput, GetBucketTaggingRequest,
  GetBucketVersioningOutput, GetBucketVersioningRequest, GetBucketWebsiteOutput, GetBucketWebsiteRequest, NotificationConfiguration,
  PutBucketAccelerateConfigurationRequest, PutBucketEncryptionRequest, PutBucketLoggingRequest, PutBucketNotificationConfigurationRequest,
  PutBucketReplicationRequest, PutBucketRequestPaymentRequest, PutBucketTaggingRequest, PutBucketVersioningRequest, PutBucketWebsiteRequest,
  ReplicationConfiguration, WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { aclHandlers } from './acl.js';
import { deleteConfig, findBucket, getConfig, putConfig } from './buckets.js';
import {
  DEFAULT_ENCRYPTION, bucketOfArn, checkEncryption, checkLogging, checkNotifications, checkReplication, checkWebsite, nextVersioning,
  type StoredEncryptionRule,
} from './config-checks.js';
import { BUCKET_TAG_RULES, checkTagSet, malformedXml, oneOf, resolveBucket, withBodyIntegrity } from './config-common.js';
import { corsHandlers } from './cors.js';
import { objectTaggingHandlers } from './object-tagging.js';
import { BUCKET_KIND, ownerScope, type BucketRecord } from './records.js';

export const TAGGING_CONFIG = 'tagging';
export const ENCRYPTION_CONFIG = 'encryption';
export const REQUEST_PAYMENT_CONFIG = 'request-payment';
export const WEBSITE_CONFIG = 'website';
export const ACCELERATE_CONFIG = 'accelerate';
export const LOGGING_CONFIG = 'logging';
export const NOTIFICATION_CONFIG = 'notification';
export const REPLICATION_CONFIG = 'replication';

/** The bucket's default encryption as PutObject applies and reports it (SSE-S3 unless set). */
export function bucketEncryption(tx: Tx, owner: string, bucket: string): { SSEAlgorithm: string; KMSMasterKeyID?: string; BucketKeyEnabled: boolean } {
  const rule = getConfig<{ Rules: StoredEncryptionRule[] }>(tx, owner, bucket, ENCRYPTION_CONFIG)?.Rules[0] ?? DEFAULT_ENCRYPTION;
  return { ...rule.ApplyServerSideEncryptionByDefault, BucketKeyEnabled: rule.BucketKeyEnabled };
}

// Tagging

const putBucketTagging: Handler<PutBucketTaggingRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  if (!input.Tagging) throw malformedXml();
  const tags = checkTagSet(input.Tagging.TagSet, BUCKET_TAG_RULES);
  if (tags.length === 0) deleteConfig(ctx.tx, owner.account, bucket.name, TAGGING_CONFIG);
  else putConfig(ctx.tx, owner.account, bucket.name, TAGGING_CONFIG, { TagSet: tags });
};

const getBucketTagging: Handler<GetBucketTaggingRequest, GetBucketTaggingOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<GetBucketTaggingOutput>(ctx.tx, owner.account, bucket.name, TAGGING_CONFIG);
  if (!config) throw new AwsError('NoSuchTagSet', 'The TagSet does not exist', 404, { fields: { BucketName: bucket.name } });
  return { TagSet: config.TagSet };
};

const deleteBucketTagging: Handler<DeleteBucketTaggingRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, TAGGING_CONFIG);
};

// Default encryption

const putBucketEncryption: Handler<PutBucketEncryptionRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  putConfig(ctx.tx, owner.account, bucket.name, ENCRYPTION_CONFIG, checkEncryption(input.ServerSideEncryptionConfiguration));
};

const getBucketEncryption: Handler<GetBucketEncryptionRequest, GetBucketEncryptionOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<{ Rules: StoredEncryptionRule[] }>(ctx.tx, owner.account, bucket.name, ENCRYPTION_CONFIG);
  return { ServerSideEncryptionConfiguration: config ?? { Rules: [DEFAULT_ENCRYPTION] } };
};

const deleteBucketEncryption: Handler<DeleteBucketEncryptionRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, ENCRYPTION_CONFIG);
};

// Request payment

const putRequestPayment: Handler<PutBucketRequestPaymentRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const payer = oneOf(input.RequestPaymentConfiguration?.Payer, ['Requester', 'BucketOwner'] as const);
  if (payer === 'BucketOwner') deleteConfig(ctx.tx, owner.account, bucket.name, REQUEST_PAYMENT_CONFIG);
  else putConfig(ctx.tx, owner.account, bucket.name, REQUEST_PAYMENT_CONFIG, { Payer: payer });
};

const getRequestPayment: Handler<GetBucketRequestPaymentRequest, GetBucketRequestPaymentOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  return getConfig<GetBucketRequestPaymentOutput>(ctx.tx, owner.account, bucket.name, REQUEST_PAYMENT_CONFIG) ?? { Payer: 'BucketOwner' };
};

// Versioning

const putBucketVersioning: Handler<PutBucketVersioningRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const scope = ownerScope(owner.account);
  // The row as it is now (commitVersion bumps seq on it).
  const fresh = ctx.tx.get<BucketRecord>(scope, BUCKET_KIND, bucket.name) ?? bucket;
  const replicating = getConfig(ctx.tx, owner.account, bucket.name, REPLICATION_CONFIG) !== undefined;
  const next = nextVersioning(fresh, input.VersioningConfiguration, input.MFA, replicating);
  const { versioning: _v, mfaDelete: _m, ...rest } = fresh;
  ctx.tx.put(scope, BUCKET_KIND, bucket.name, { ...rest, ...next } satisfies BucketRecord);
};

const getBucketVersioning: Handler<GetBucketVersioningRequest, GetBucketVersioningOutput> = (input, ctx) => {
  const { bucket } = resolveBucket(ctx.tx, input);
  const out: GetBucketVersioningOutput = {};
  if (bucket.versioning) out.Status = bucket.versioning;
  if (bucket.mfaDelete) out.MFADelete = bucket.mfaDelete;
  return out;
};

// Website

const putBucketWebsite: Handler<PutBucketWebsiteRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  putConfig(ctx.tx, owner.account, bucket.name, WEBSITE_CONFIG, checkWebsite(input.WebsiteConfiguration));
};

const getBucketWebsite: Handler<GetBucketWebsiteRequest, GetBucketWebsiteOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<WebsiteConfiguration>(ctx.tx, owner.account, bucket.name, WEBSITE_CONFIG);
  if (!config) {
    throw new AwsError('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', 404, { fields: { BucketName: bucket.name } });
  }
  return config;
};

const deleteBucketWebsite: Handler<DeleteBucketWebsiteRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, WEBSITE_CONFIG);
};

// Transfer acceleration

const putAccelerate: Handler<PutBucketAccelerateConfigurationRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const status = oneOf(input.AccelerateConfiguration?.Status, ['Enabled', 'Suspended'] as const);
  if (bucket.name.includes('.')) {
    throw new AwsError('InvalidRequest', 'S3 Transfer Acceleration is not supported for buckets with periods (.) in their names', 400);
  }
  putConfig(ctx.tx, owner.account, bucket.name, ACCELERATE_CONFIG, { Status: status });
};

const getAccelerate: Handler<GetBucketAccelerateConfigurationRequest, GetBucketAccelerateConfigurationOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  // Never configured: an empty AccelerateConfiguration.
  return getConfig<GetBucketAccelerateConfigurationOutput>(ctx.tx, owner.account, bucket.name, ACCELERATE_CONFIG) ?? {};
};

// Server access logging

const putBucketLogging: Handler<PutBucketLoggingRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const enabled = checkLogging(input.BucketLoggingStatus);
  if (!enabled) {
    deleteConfig(ctx.tx, owner.account, bucket.name, LOGGING_CONFIG);
    return;
  }
  const target = findBucket(ctx.tx, enabled.TargetBucket!);
  if (!target) {
    throw new AwsError('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', 400, { fields: { TargetBucket: enabled.TargetBucket! } });
  }
  if (target.owner.account !== owner.account) {
    throw new AwsError('InvalidTargetBucketForLogging', 'The owner for the bucket to be logged and the target bucket must be the same.', 400, { fields: { TargetBucket: enabled.TargetBucket! } });
  }
  if (target.bucket.region !== bucket.region) {
    throw new AwsError('CrossLocationLoggingProhibitted', 'Cross S3 location logging not allowed. ', 403, {
      fields: { TargetBucketLocation: target.bucket.region, SourceBucketLocation: bucket.region },
    });
  }
  putConfig(ctx.tx, owner.account, bucket.name, LOGGING_CONFIG, { LoggingEnabled: enabled });
};

const getBucketLogging: Handler<GetBucketLoggingRequest, GetBucketLoggingOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  return getConfig<GetBucketLoggingOutput>(ctx.tx, owner.account, bucket.name, LOGGING_CONFIG) ?? {};
};

// Event notifications (stored and returned; cloudlet sends none)

const putNotifications: Handler<PutBucketNotificationConfigurationRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = checkNotifications(input.NotificationConfiguration);
  if (Object.keys(config).length === 0) deleteConfig(ctx.tx, owner.account, bucket.name, NOTIFICATION_CONFIG);
  else putConfig(ctx.tx, owner.account, bucket.name, NOTIFICATION_CONFIG, config);
};

const getNotifications: Handler<GetBucketNotificationConfigurationRequest, NotificationConfiguration> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  return getConfig<NotificationConfiguration>(ctx.tx, owner.account, bucket.name, NOTIFICATION_CONFIG) ?? {};
};

// Replication (stored and returned; cloudlet copies nothing)

const putReplication: Handler<PutBucketReplicationRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = checkReplication(input.ReplicationConfiguration);
  if (bucket.versioning !== 'Enabled') {
    throw new AwsError('InvalidRequest', "Versioning must be 'Enabled' on the bucket to apply a replication configuration", 400);
  }
  for (const rule of config.Rules!) {
    const dest = findBucket(ctx.tx, bucketOfArn(rule.Destination!.Bucket!));
    if (!dest) throw new AwsError('InvalidRequest', 'Destination bucket must exist.', 400);
    if (dest.bucket.versioning !== 'Enabled') throw new AwsError('InvalidRequest', 'Destination bucket must have versioning enabled.', 400);
  }
  putConfig(ctx.tx, owner.account, bucket.name, REPLICATION_CONFIG, config);
};

const getReplication: Handler<GetBucketReplicationRequest, GetBucketReplicationOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<ReplicationConfiguration>(ctx.tx, owner.account, bucket.name, REPLICATION_CONFIG);
  if (!config) {
    throw new AwsError('ReplicationConfigurationNotFoundError', 'The replication configuration was not found', 404, { fields: { BucketName: bucket.name } });
  }
  return { ReplicationConfiguration: config };
};

const deleteReplication: Handler<DeleteBucketReplicationRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, REPLICATION_CONFIG);
};

const handlers: Record<string, Handler> = {
  PutBucketTagging: putBucketTagging,
  GetBucketTagging: getBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutBucketRequestPayment: putRequestPayment,
  GetBucketRequestPayment: getRequestPayment,
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
  PutBucketWebsite: putBucketWebsite,
  GetBucketWebsite: getBucketWebsite,
  DeleteBucketWebsite: deleteBucketWebsite,
  PutBucketAccelerateConfiguration: putAccelerate,
  GetBucketAccelerateConfiguration: getAccelerate,
  PutBucketLogging: putBucketLogging,
  GetBucketLogging: getBucketLogging,
  PutBucketNotificationConfiguration: putNotifications,
  GetBucketNotificationConfiguration: getNotifications,
  PutBucketReplication: putReplication,
  GetBucketReplication: getReplication,
  DeleteBucketReplication: deleteReplication,
  ...corsHandlers,
  ...aclHandlers,
  ...objectTaggingHandlers,
};

/** Every Put takes its XML body only as sent (Content-MD5, x-amz-checksum-*). */
export const configHandlers: Record<string, Handler> = Object.fromEntries(
  Object.entries(handlers).map(([name, h]) => [name, name.startsWith('Put') ? withBodyIntegrity(h) : h]),
);
