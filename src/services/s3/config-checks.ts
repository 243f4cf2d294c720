/**
 * The checks S3 makes of bucket configuration bodies (encryption, versioning, website, logging,
 * notifications, replication, accelerate, request payment), as pure functions: each takes the
 * decoded input and returns what is stored (the input shape, normalised), or throws S3's error.
 */
import { randomBytes } from 'node:crypto';
import type {
  BucketLoggingStatus, NotificationConfiguration, ReplicationConfiguration, ServerSideEncryptionConfiguration,
  VersioningConfiguration, WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { malformedXml, oneOf } from './config-common.js';
import type { BucketRecord } from './records.js';

const invalidArgument = (message: string, name: string, value?: string): AwsError =>
  new AwsError('InvalidArgument', message, 400, { fields: value === undefined ? { ArgumentName: name } : { ArgumentName: name, ArgumentValue: value } });

export const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;

export interface StoredEncryptionRule {
  ApplyServerSideEncryptionByDefault: { SSEAlgorithm: (typeof SSE_ALGORITHMS)[number]; KMSMasterKeyID?: string };
  BucketKeyEnabled: boolean;
}

/** What every bucket has had since January 2023 until someone sets another: SSE-S3. */
export const DEFAULT_ENCRYPTION: StoredEncryptionRule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false };

export function checkEncryption(config: ServerSideEncryptionConfiguration | undefined): { Rules: StoredEncryptionRule[] } {
  const rules = config?.Rules;
  if (!Array.isArray(rules) || rules.length !== 1) throw malformedXml();
  const rule = rules[0]!;
  const def = rule.ApplyServerSideEncryptionByDefault;
  if (!def) throw malformedXml();
  const algorithm = oneOf(def.SSEAlgorithm, SSE_ALGORITHMS);
  if (def.KMSMasterKeyID !== undefined && algorithm === 'AES256') {
    throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
  }
  if (rule.BucketKeyEnabled !== undefined && typeof rule.BucketKeyEnabled !== 'boolean') throw malformedXml();
  const out: StoredEncryptionRule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm }, BucketKeyEnabled: rule.BucketKeyEnabled ?? false };
  if (def.KMSMasterKeyID !== undefined) out.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = def.KMSMasterKeyID;
  return { Rules: [out] };
}

/**
 * The bucket's versioning state after a PutBucketVersioning. Object Lock buckets stay Enabled;
 * so do buckets that replicate. Changing MFA delete takes the x-amz-mfa header.
 */
export function nextVersioning(bucket: BucketRecord, config: VersioningConfiguration | undefined, mfa: string | undefined, replicating: boolean): Pick<BucketRecord, 'versioning' | 'mfaDelete'> {
  if (!config) throw malformedXml();
  const status = config.Status === undefined ? undefined : oneOf(config.Status, ['Enabled', 'Suspended'] as const);
  const mfaDelete = config.MFADelete === undefined ? undefined : oneOf(config.MFADelete, ['Enabled', 'Disabled'] as const);
  if (status === 'Suspended' && bucket.objectLock) {
    throw new AwsError('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.', 409, { fields: { BucketName: bucket.name } });
  }
  if (status === 'Suspended' && replicating) {
    throw new AwsError('InvalidBucketState', 'A replication configuration is present on this bucket, so the versioning state cannot be changed.', 409, { fields: { BucketName: bucket.name } });
  }
  const changesMfa = mfaDelete !== undefined && mfaDelete !== (bucket.mfaDelete ?? 'Disabled');
  if (changesMfa && !(mfa && /\S+ \S+/.test(mfa))) throw new AwsError('AccessDenied', 'Mfa Authentication must be used for this request', 403);
  const out: Pick<BucketRecord, 'versioning' | 'mfaDelete'> = {};
  const v = status ?? bucket.versioning;
  if (v) out.versioning = v;
  const m = mfaDelete ?? bucket.mfaDelete;
  if (m) out.mfaDelete = m;
  return out;
}

export function checkWebsite(config: WebsiteConfiguration | undefined): WebsiteConfiguration {
  if (!config) throw malformedXml();
  const redirect = config.RedirectAllRequestsTo;
  if (redirect) {
    if (config.IndexDocument || config.ErrorDocument || config.RoutingRules) {
      throw invalidArgument('RedirectAllRequestsTo cannot be provided in conjunction with other Routing/Redirect configurations.', 'RedirectAllRequestsTo');
    }
    if (!redirect.HostName) throw malformedXml();
    if (redirect.Protocol !== undefined) oneOf(redirect.Protocol, ['http', 'https'] as const);
    return { RedirectAllRequestsTo: redirect };
  }
  const suffix = config.IndexDocument?.Suffix;
  if (suffix === undefined) throw invalidArgument('A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', 'IndexDocument');
  if (suffix === '' || suffix.includes('/')) throw invalidArgument('The IndexDocument Suffix is not well formed', 'IndexDocument', suffix);
  if (config.ErrorDocument && !config.ErrorDocument.Key) throw malformedXml();
  for (const rule of config.RoutingRules ?? []) {
    if (!rule?.Redirect) throw malformedXml();
    if (rule.Redirect.Protocol !== undefined) oneOf(rule.Redirect.Protocol, ['http', 'https'] as const);
    if (rule.Redirect.ReplaceKeyPrefixWith !== undefined && rule.Redirect.ReplaceKeyWith !== undefined) {
      throw invalidArgument('You can only define ReplaceKeyPrefix or ReplaceKey but not both.', 'Redirect');
    }
    if (rule.Redirect.HttpRedirectCode !== undefined && !/^3\d\d$/.test(rule.Redirect.HttpRedirectCode)) {
      throw invalidArgument('The provided HTTP redirect code is not valid. It should be a string containing a number.', 'HttpRedirectCode', rule.Redirect.HttpRedirectCode);
    }
  }
  const out: WebsiteConfiguration = { IndexDocument: { Suffix: suffix } };
  if (config.ErrorDocument) out.ErrorDocument = { Key: config.ErrorDocument.Key };
  if (config.RoutingRules?.length) out.RoutingRules = config.RoutingRules;
  return out;
}

/** The LoggingEnabled part (undefined turns logging off); the target bucket is checked by the handler. */
export function checkLogging(status: BucketLoggingStatus | undefined): BucketLoggingStatus['LoggingEnabled'] {
  if (!status) throw malformedXml();
  const le = status.LoggingEnabled;
  if (!le) return undefined;
  if (!le.TargetBucket || typeof le.TargetPrefix !== 'string') throw malformedXml();
  for (const g of le.TargetGrants ?? []) {
    if (!g.Grantee?.Type) throw malformedXml();
    oneOf(g.Permission, ['FULL_CONTROL', 'READ', 'WRITE'] as const);
  }
  return le;
}

/** Event types S3 notifications know. */
const EVENTS = new Set([
  's3:ObjectCreated:*', 's3:ObjectCreated:Put', 's3:ObjectCreated:Post', 's3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*', 's3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*', 's3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject', 's3:Replication:*', 's3:Replication:OperationFailedReplication', 's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold', 's3:Replication:OperationReplicatedAfterThreshold',
  's3:ObjectTagging:*', 's3:ObjectTagging:Put', 's3:ObjectTagging:Delete', 's3:ObjectAcl:Put',
  's3:LifecycleExpiration:*', 's3:LifecycleExpiration:Delete', 's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition', 's3:IntelligentTiering',
]);

const DESTINATIONS = [
  ['TopicConfigurations', 'TopicArn', 'sns'],
  ['QueueConfigurations', 'QueueArn', 'sqs'],
  ['LambdaFunctionConfigurations', 'LambdaFunctionArn', 'lambda'],
] as const;

/** A notification configuration with S3's checks; configurations without an Id get one, as S3 gives them. */
export function checkNotifications(config: NotificationConfiguration | undefined): NotificationConfiguration {
  if (!config) throw malformedXml();
  const out: NotificationConfiguration = {};
  const ids = new Set<string>();
  for (const [member, arnMember, service] of DESTINATIONS) {
    const list = config[member] as Array<Record<string, unknown>> | undefined;
    if (!list?.length) continue;
    const checked = list.map((c) => {
      const arn = c[arnMember];
      const events = c.Events;
      if (typeof arn !== 'string' || !Array.isArray(events) || events.length === 0) throw malformedXml();
      if (!new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`).test(arn)) {
        throw invalidArgument('Unable to validate the following destination configurations', arn, 'Invalid ARN');
      }
      for (const e of events) if (typeof e !== 'string' || !EVENTS.has(e)) throw invalidArgument('The event is not supported for notifications', 'Event', String(e));
      const rules = (c.Filter as { Key?: { FilterRules?: Array<{ Name?: string; Value?: string }> } } | undefined)?.Key?.FilterRules ?? [];
      for (const r of rules) {
        if (typeof r.Name !== 'string' || !['prefix', 'suffix'].includes(r.Name.toLowerCase())) {
          throw invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule', r.Name);
        }
      }
      const id = typeof c.Id === 'string' && c.Id !== '' ? c.Id : randomBytes(24).toString('base64url');
      if (ids.has(id)) throw invalidArgument('Configurations must have unique IDs', 'Id', id);
      ids.add(id);
      return { ...c, Id: id };
    });
    (out as Record<string, unknown>)[member] = checked;
  }
  if (config.EventBridgeConfiguration) out.EventBridgeConfiguration = {};
  return out;
}

/** A replication configuration's shape; the buckets it names are checked by the handler. */
export function checkReplication(config: ReplicationConfiguration | undefined): ReplicationConfiguration {
  if (!config || !config.Role || !Array.isArray(config.Rules) || config.Rules.length === 0 || config.Rules.length > 1000) throw malformedXml();
  const ids = new Set<string>();
  for (const r of config.Rules) {
    oneOf(r.Status, ['Enabled', 'Disabled'] as const);
    if (!r.Destination?.Bucket || !/^arn:aws[a-z-]*:s3:::[^/]+$/.test(r.Destination.Bucket)) {
      throw invalidArgument('Invalid bucket ARN', 'Destination', r.Destination?.Bucket);
    }
    if (r.ID !== undefined) {
      if (ids.has(r.ID)) throw invalidArgument('Rule Id must be unique', 'ID', r.ID);
      ids.add(r.ID);
    }
  }
  return config;
}

/** The bucket name inside a replication destination ARN. */
export const bucketOfArn = (arn: string): string => arn.replace(/^arn:aws[a-z-]*:s3:::/, '');
