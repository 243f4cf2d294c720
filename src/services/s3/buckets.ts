import { createHash } from 'node:crypto';
import type { ListBucketsRequest, ListBucketsOutput } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';

/** A bucket row; bucket names are unique per partition, the row lives in its owner's account scope. */
export interface BucketRecord {
  name: string;
  region: string;
  createdAt: string;
}

export const BUCKET_KIND = 's3:bucket';

/** S3's canonical user ID: 64 hex characters, stable per account. */
export function canonicalUserId(account: string): string {
  return createHash('sha256').update(`cloudlet-canonical-user:${account}`).digest('hex');
}

function requireCaller(ctx: RequestContext): void {
  if (ctx.principal.kind === 'anonymous') throw new AwsError('AccessDenied', 'Access Denied', 403);
}

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
  const rows = ctx.tx.list<BucketRecord>({ account: ctx.account, region: '' }, BUCKET_KIND, {
    prefix: input.Prefix,
    after,
    limit: max + 1,
  }).filter((r) => !input.BucketRegion || r.value.region === input.BucketRegion);
  const page = rows.slice(0, max);
  return {
    Buckets: page.map((r) => ({ Name: r.value.name, CreationDate: new Date(r.value.createdAt), BucketRegion: r.value.region })),
    Owner: { DisplayName: ctx.account, ID: canonicalUserId(ctx.account) },
    ContinuationToken: rows.length > max ? encodePageToken(binding, page[page.length - 1]!.id) : undefined,
    Prefix: input.Prefix,
  };
};
