/**
 * Bucket policies (Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus) and the bucket's Block
 * Public Access settings (Put/Get/DeletePublicAccessBlock). The authorizer reads both
 * (authz.ts); BlockPublicPolicy (the bucket's or its owner account's) refuses a public policy here.
 */
import type {
  DeleteBucketPolicyRequest, DeletePublicAccessBlockRequest, GetBucketPolicyOutput, GetBucketPolicyRequest,
  GetBucketPolicyStatusOutput, GetBucketPolicyStatusRequest, GetPublicAccessBlockOutput, GetPublicAccessBlockRequest,
  PutBucketPolicyRequest, PutPublicAccessBlockRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { deleteConfig, putConfig } from './buckets.js';
import { PAB_CONFIG, POLICY_CONFIG, bucketPolicy, policyIsPublic, publicAccessBlock, validateBucketPolicy, type StoredPolicy } from './bucket-policy.js';
import { malformedXml, resolveBucket, withBodyIntegrity } from './config-common.js';
import { effectivePublicAccessBlock, storedPublicAccessBlock } from './public-access.js';

const noSuchPolicy = (bucket: string): AwsError =>
  new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { fields: { BucketName: bucket } });

const putBucketPolicy: Handler<PutBucketPolicyRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const text = input.Policy ?? '';
  validateBucketPolicy(text, bucket.name);
  if (effectivePublicAccessBlock(ctx.tx, owner.account, bucket.name)?.BlockPublicPolicy && policyIsPublic(text)) {
    throw new AwsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: `
      + `"arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`, 403);
  }
  putConfig(ctx.tx, owner.account, bucket.name, POLICY_CONFIG, { document: text } satisfies StoredPolicy);
};

const getBucketPolicy: Handler<GetBucketPolicyRequest, GetBucketPolicyOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const doc = bucketPolicy(ctx.tx, owner.account, bucket.name);
  if (doc === undefined) throw noSuchPolicy(bucket.name);
  return { Policy: doc };
};

const deleteBucketPolicy: Handler<DeleteBucketPolicyRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, POLICY_CONFIG);
};

const getBucketPolicyStatus: Handler<GetBucketPolicyStatusRequest, GetBucketPolicyStatusOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const doc = bucketPolicy(ctx.tx, owner.account, bucket.name);
  if (doc === undefined) throw noSuchPolicy(bucket.name);
  return { PolicyStatus: { IsPublic: policyIsPublic(doc) } };
};

const putPublicAccessBlock: Handler<PutPublicAccessBlockRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const cfg = input.PublicAccessBlockConfiguration;
  if (!cfg || typeof cfg !== 'object') throw malformedXml();
  putConfig(ctx.tx, owner.account, bucket.name, PAB_CONFIG, storedPublicAccessBlock(cfg));
};

const getPublicAccessBlock: Handler<GetPublicAccessBlockRequest, GetPublicAccessBlockOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const cfg = publicAccessBlock(ctx.tx, owner.account, bucket.name);
  if (!cfg) {
    throw new AwsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404,
      { fields: { BucketName: bucket.name } });
  }
  return { PublicAccessBlockConfiguration: cfg };
};

const deletePublicAccessBlock: Handler<DeletePublicAccessBlockRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, PAB_CONFIG);
};

export const policyHandlers: Record<string, Handler> = {
  PutBucketPolicy: withBodyIntegrity(putBucketPolicy),
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  PutPublicAccessBlock: withBodyIntegrity(putPublicAccessBlock),
  GetPublicAccessBlock: getPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
};
