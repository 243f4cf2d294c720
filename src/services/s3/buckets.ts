import { createHash } from 'node:crypto';
import type {
  CreateBucketOutput, CreateBucketRequest, DeleteBucketRequest, GetBucketLocationOutput, GetBucketLocationRequest,
  HeadBucketOutput, HeadBucketRequest, ListBucketsOutput, ListBucketsRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import { isRegion } from '../../core/regions.js';
import type { Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { ACL_CONFIG, bucketAclForCreate } from './acl.js';
import {
  BUCKET_KIND, BUCKET_NAME_KIND, CONFIG_KIND, NAME_SCOPE, OBJECT_KIND, PART_KIND, UPLOAD_KIND, VERSION_KIND,
  configRowId, ownerScope, type BucketOwner, type BucketRecord, type PartRecord,
} from './records.js';

export { BUCKET_KIND, type BucketRecord } from './records.js';

/** S3's canonical user ID: 64 hex characters, stable per account. */
export function canonicalUserId(account: string): string {
  return createHash('sha256').update(`cloudlet-canonical-user:${account}`).digest('hex');
}

function requireCaller(ctx: RequestContext): void {
  if (ctx.principal.kind === 'anonymous') throw new AwsError('AccessDenied', 'Access Denied', 403);
}

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why a name breaks the general purpose bucket naming rules, or undefined when it keeps them. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be between 3 and 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'can consist only of lowercase letters, numbers, periods (.), and hyphens (-)';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or number';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return 'must not start with a reserved prefix';
  if (RESERVED_SUFFIXES.some((p) => name.endsWith(p))) return 'must not end with a reserved suffix';
  return undefined;
}

export const noSuchBucket = (name: string): AwsError =>
  new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { fields: { BucketName: name } });

/** The bucket a request names, wherever its owner is. */
export function findBucket(tx: Tx, name: string): { owner: BucketOwner; bucket: BucketRecord } | undefined {
  const owner = tx.get<BucketOwner>(NAME_SCOPE, BUCKET_NAME_KIND, name);
  if (!owner) return undefined;
  const bucket = tx.get<BucketRecord>(ownerScope(owner.account), BUCKET_KIND, name);
  return bucket ? { owner, bucket } : undefined;
}

/** x-amz-expected-bucket-owner (and the copy source's): a bucket of another account is AccessDenied, as S3 answers. */
export function checkExpectedOwner(expected: string | undefined, owner: BucketOwner): void {
  if (expected !== undefined && expected !== owner.account) throw new AwsError('AccessDenied', 'Access Denied', 403);
}

/**
 * Wraps handlers so every request naming a bucket and an expected owner is checked first.
 * Handlers in `outside` check in their own transactions.
 */
export function withOwnerCheck(handlers: Record<string, Handler>, outside: ReadonlySet<string>): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    out[name] = outside.has(name) ? handler : (input: { Bucket?: string; ExpectedBucketOwner?: string } | undefined, ctx: RequestContext) => {
      if (input?.ExpectedBucketOwner !== undefined && input.Bucket) {
        const found = findBucket(ctx.tx, input.Bucket);
        if (found) checkExpectedOwner(input.ExpectedBucketOwner, found.owner);
      }
      return handler(input, ctx);
    };
  }
  return out;
}

export function requireBucket(tx: Tx, name: string): { owner: BucketOwner; bucket: BucketRecord } {
  const found = findBucket(tx, name);
  if (!found) throw noSuchBucket(name);
  return found;
}

/** One stored bucket configuration (CORS, lifecycle, policy, ...), in its input shape. */
export function getConfig<T>(tx: Tx, owner: string, bucket: string, config: string): T | undefined {
  return tx.get<T>(ownerScope(owner), CONFIG_KIND, configRowId(bucket, config));
}

export function putConfig(tx: Tx, owner: string, bucket: string, config: string, value: unknown): void {
  tx.put(ownerScope(owner), CONFIG_KIND, configRowId(bucket, config), value);
}

export function deleteConfig(tx: Tx, owner: string, bucket: string, config: string): boolean {
  return tx.delete(ownerScope(owner), CONFIG_KIND, configRowId(bucket, config));
}

export const createBucket: Handler<CreateBucketRequest, CreateBucketOutput> = (input, ctx) => {
  requireCaller(ctx);
  const name = input.Bucket ?? '';
  const problem = bucketNameProblem(name);
  if (problem) throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.', 400, { fields: { BucketName: name } });
  const region = bucketRegion(input, ctx.region);
  const ownership = input.ObjectOwnership ?? 'BucketOwnerEnforced';
  if (ownership === 'BucketOwnerEnforced' && input.ACL && input.ACL !== 'private') {
    throw new AwsError('InvalidBucketAclWithObjectOwnership', 'Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting', 400);
  }
  const taken = ctx.tx.get<BucketOwner>(NAME_SCOPE, BUCKET_NAME_KIND, name);
  if (taken) {
    if (taken.account !== ctx.account) {
      throw new AwsError('BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', 409, { fields: { BucketName: name } });
    }
    // us-east-1 answers a repeat create by the owner with success, as it always has.
    if (taken.region === 'us-east-1' && region === 'us-east-1') return { Location: `/${name}`, BucketArn: `arn:aws:s3:::${name}` };
    throw new AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { fields: { BucketName: name } });
  }
  const record: BucketRecord = { name, region, createdAt: new Date(ctx.clock.nowMs()).toISOString(), seq: 0 };
  if (input.ObjectLockEnabledForBucket) {
    record.objectLock = true;
    record.versioning = 'Enabled';
  }
  ctx.tx.put(NAME_SCOPE, BUCKET_NAME_KIND, name, { account: ctx.account, region } satisfies BucketOwner);
  ctx.tx.put(ownerScope(ctx.account), BUCKET_KIND, name, record);
  putConfig(ctx.tx, ctx.account, name, 'ownership', { Rules: [{ ObjectOwnership: ownership }] });
  // x-amz-acl / x-amz-grant-* on a bucket with ACLs on (ObjectWriter, BucketOwnerPreferred).
  const acl = bucketAclForCreate(ctx.account, ownership, input);
  if (acl) putConfig(ctx.tx, ctx.account, name, ACL_CONFIG, acl);
  return { Location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.${region}.amazonaws.com/`, BucketArn: `arn:aws:s3:::${name}` };
};

/** The Region a new bucket goes to: S3's LocationConstraint rules for the endpoint's Region. */
function bucketRegion(input: CreateBucketRequest, endpointRegion: string): string {
  const constraint = input.CreateBucketConfiguration?.LocationConstraint as string | undefined;
  if (constraint === undefined || constraint === '') {
    if (endpointRegion === 'us-east-1') return 'us-east-1';
    throw new AwsError('IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.', 400);
  }
  if (constraint === 'EU') return 'eu-west-1';
  if (constraint === 'us-east-1' || !isRegion(constraint)) {
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { fields: { LocationConstraint: constraint } });
  }
  if (constraint !== endpointRegion) {
    throw new AwsError('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400);
  }
  return constraint;
}

export const headBucket: Handler<HeadBucketRequest, HeadBucketOutput> = (input, ctx) => {
  const { bucket } = requireBucket(ctx.tx, input.Bucket!);
  return { BucketRegion: bucket.region, BucketArn: `arn:aws:s3:::${bucket.name}` };
};

export const getBucketLocation: Handler<GetBucketLocationRequest, GetBucketLocationOutput> = (input, ctx) => {
  const { bucket } = requireBucket(ctx.tx, input.Bucket!);
  return bucket.region === 'us-east-1' ? {} : { LocationConstraint: bucket.region as GetBucketLocationOutput['LocationConstraint'] };
};

export const deleteBucket: Handler<DeleteBucketRequest, void> = (input, ctx) => {
  const name = input.Bucket!;
  const { owner } = requireBucket(ctx.tx, name);
  const scope = ownerScope(owner.account);
  const range = { prefix: `${name}/` };
  if (ctx.tx.count(scope, OBJECT_KIND, range) > 0 || ctx.tx.count(scope, VERSION_KIND, range) > 0) {
    throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { fields: { BucketName: name } });
  }
  // Uploads still in progress go with the bucket, and their parts' bytes after the commit.
  const blobs: string[] = [];
  for (const row of ctx.tx.list<PartRecord>(scope, PART_KIND, range)) {
    blobs.push(row.value.blob);
    ctx.tx.delete(scope, PART_KIND, row.id);
  }
  for (const row of ctx.tx.list(scope, UPLOAD_KIND, range)) ctx.tx.delete(scope, UPLOAD_KIND, row.id);
  for (const row of ctx.tx.list(scope, CONFIG_KIND, { prefix: `${name}\u0000` })) ctx.tx.delete(scope, CONFIG_KIND, row.id);
  ctx.tx.delete(scope, BUCKET_KIND, name);
  ctx.tx.delete(NAME_SCOPE, BUCKET_NAME_KIND, name);
  ctx.afterCommit(() => { for (const b of blobs) ctx.blobs.delete(b); });
};

export const listBuckets: Handler<ListBucketsRequest, ListBucketsOutput> = (input, ctx) => {
  requireCaller(ctx);
  const max = input.MaxBuckets ?? 10_000;
  if (max < 1 || max > 10_000) throw new AwsError('InvalidArgument', 'Argument max-buckets must be an integer between 1 and 10000.');
  const binding = { service: 's3', operation: 'ListBuckets', query: { Prefix: input.Prefix, BucketRegion: input.BucketRegion } };
  let after: string | undefined;
  if (input.ContinuationToken !== undefined) {
    after = decodePageToken(binding, input.ContinuationToken);
    if (after === undefined) throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect');
  }
  // With a Region filter the page is cut after filtering, so no bucket of that Region is skipped
  // (an account holds at most 10,000 buckets by default).
  const rows = ctx.tx.list<BucketRecord>(ownerScope(ctx.account), BUCKET_KIND, {
    prefix: input.Prefix,
    after,
    ...(input.BucketRegion ? {} : { limit: max + 1 }),
  }).filter((r) => !input.BucketRegion || r.value.region === input.BucketRegion);
  const page = rows.slice(0, max);
  return {
    Buckets: page.map((r) => ({ Name: r.value.name, CreationDate: new Date(r.value.createdAt), BucketRegion: r.value.region, BucketArn: `arn:aws:s3:::${r.value.name}` })),
    Owner: { DisplayName: ctx.account, ID: canonicalUserId(ctx.account) },
    ContinuationToken: rows.length > max ? encodePageToken(binding, page[page.length - 1]!.id) : undefined,
    Prefix: input.Prefix,
  };
};
