/**
 * Object tagging: Put/Get/DeleteObjectTagging on the current version or the one versionId names.
 * Tags live in ObjectVersion.tags (as PutObject's x-amz-tagging sets them); the version changes in
 * place through versions.ts (same ID). Delete markers have no tags (MethodNotAllowed, as S3).
 */
import type {
  DeleteObjectTaggingOutput, DeleteObjectTaggingRequest, GetObjectTaggingOutput, GetObjectTaggingRequest,
  PutObjectTaggingOutput, PutObjectTaggingRequest, Tag,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { OBJECT_TAG_RULES, checkTagSet, malformedXml, resolveBucket } from './config-common.js';
import type { BucketRecord, ObjectVersion } from './records.js';
import { findVersion, readableVersion, updateVersion } from './versions.js';

interface Target { Bucket?: string; Key?: string; VersionId?: string; ExpectedBucketOwner?: string }

function locate(ctx: RequestContext, input: Target, method: string) {
  if (!input.Key) throw new AwsError('InvalidArgument', 'A key must be specified', 400);
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const v = readableVersion(ctx.tx, owner.account, bucket.name, input.Key, input.VersionId, method);
  const found = findVersion(ctx.tx, owner.account, bucket.name, input.Key, v.versionId)!;
  return { owner: owner.account, bucket, found };
}

/** x-amz-version-id as S3 sends it: for versions of a bucket that has had versioning, and any non-null ID. */
const versionIdOf = (bucket: BucketRecord, v: ObjectVersion): string | undefined =>
  bucket.versioning !== undefined || v.versionId !== 'null' ? v.versionId : undefined;

/** A TagSet as stored on a version. */
export function objectTags(tagSet: Tag[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of checkTagSet(tagSet, OBJECT_TAG_RULES)) tags[t.Key] = t.Value;
  return tags;
}

const putObjectTagging: Handler<PutObjectTaggingRequest, PutObjectTaggingOutput> = (input, ctx) => {
  if (!input.Tagging) throw malformedXml();
  const tags = objectTags(input.Tagging.TagSet);
  const { owner, bucket, found } = locate(ctx, input, 'PUT');
  const { tags: _old, ...rest } = found.version;
  const next: ObjectVersion = Object.keys(tags).length ? { ...rest, tags } : rest;
  updateVersion(ctx.tx, owner, bucket.name, found, next);
  return { VersionId: versionIdOf(bucket, found.version) };
};

const getObjectTagging: Handler<GetObjectTaggingRequest, GetObjectTaggingOutput> = (input, ctx) => {
  const { bucket, found } = locate(ctx, input, 'GET');
  const tags = found.version.tags ?? {};
  return { VersionId: versionIdOf(bucket, found.version), TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
};

const deleteObjectTagging: Handler<DeleteObjectTaggingRequest, DeleteObjectTaggingOutput> = (input, ctx) => {
  const { owner, bucket, found } = locate(ctx, input, 'DELETE');
  if (found.version.tags) {
    const { tags: _old, ...rest } = found.version;
    updateVersion(ctx.tx, owner, bucket.name, found, rest);
  }
  return { VersionId: versionIdOf(bucket, found.version) };
};

export const objectTaggingHandlers: Record<string, Handler> = {
  PutObjectTagging: putObjectTagging,
  GetObjectTagging: getObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
};
