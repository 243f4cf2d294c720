import type {
  DeleteBucketLifecycleRequest, GetBucketLifecycleConfigurationOutput, GetBucketLifecycleConfigurationRequest,
  LifecycleRule, PutBucketLifecycleConfigurationOutput, PutBucketLifecycleConfigurationRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { deleteConfig, putConfig, requireBucket } from './buckets.js';
import { LIFECYCLE_CONFIG, LIFECYCLE_STATE, getLifecycle, markLifecycleDue } from './lifecycle.js';
import { checkLifecycle, type StoredRule } from './lifecycle-rules.js';
import { restoreObject } from './restore.js';

const putLifecycle: Handler<PutBucketLifecycleConfigurationRequest, PutBucketLifecycleConfigurationOutput> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const config = checkLifecycle(input.LifecycleConfiguration?.Rules, input.TransitionDefaultMinimumObjectSize);
  putConfig(ctx.tx, owner.account, bucket.name, LIFECYCLE_CONFIG, config);
  // The new rules apply to existing objects too: the bucket is looked at on its next request.
  markLifecycleDue(ctx.tx, owner.account, bucket.name);
  return { TransitionDefaultMinimumObjectSize: config.TransitionDefaultMinimumObjectSize as PutBucketLifecycleConfigurationOutput['TransitionDefaultMinimumObjectSize'] };
};

/** A stored rule in the output shape (dates back to Date). */
function ruleOut(r: StoredRule): LifecycleRule {
  const out = { ...r } as LifecycleRule;
  if (r.Expiration) out.Expiration = { ...r.Expiration, Date: r.Expiration.Date === undefined ? undefined : new Date(r.Expiration.Date) };
  if (r.Transitions) {
    out.Transitions = r.Transitions.map((t) => ({ ...t, Date: t.Date === undefined ? undefined : new Date(t.Date) })) as LifecycleRule['Transitions'];
  }
  return out;
}

const getLifecycleConfiguration: Handler<GetBucketLifecycleConfigurationRequest, GetBucketLifecycleConfigurationOutput> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  const config = getLifecycle(ctx.tx, owner.account, bucket.name);
  if (!config) {
    throw new AwsError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404, { fields: { BucketName: bucket.name } });
  }
  return {
    Rules: config.Rules.map(ruleOut),
    TransitionDefaultMinimumObjectSize: config.TransitionDefaultMinimumObjectSize as GetBucketLifecycleConfigurationOutput['TransitionDefaultMinimumObjectSize'],
  };
};

const deleteLifecycle: Handler<DeleteBucketLifecycleRequest, void> = (input, ctx) => {
  const { owner, bucket } = requireBucket(ctx.tx, input.Bucket!);
  deleteConfig(ctx.tx, owner.account, bucket.name, LIFECYCLE_CONFIG);
  deleteConfig(ctx.tx, owner.account, bucket.name, LIFECYCLE_STATE);
};

export const lifecycleHandlers: Record<string, Handler> = {
  PutBucketLifecycleConfiguration: putLifecycle,
  GetBucketLifecycleConfiguration: getLifecycleConfiguration,
  DeleteBucketLifecycle: deleteLifecycle,
  RestoreObject: restoreObject,
};
