/**
 * The Block Public Access settings S3 enforces for a bucket: for each of the four flags, the
 * bucket's own setting (s3 PutPublicAccessBlock) OR its owner account's (S3 Control
 * PutPublicAccessBlock). AWS: "Amazon S3 uses the most restrictive combination of the
 * bucket-level and account-level settings." GetPublicAccessBlock on a bucket still reports the
 * bucket's own configuration; only enforcement sees the combination.
 */
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { Tx } from '../../store/types.js';
import { accountPublicAccessBlock } from '../s3control/records.js';
import { publicAccessBlock } from './bucket-policy.js';

export interface EffectivePublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

const FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** A configuration as S3 and S3 Control store it: all four flags, an omitted one false (as they report it back). */
export function storedPublicAccessBlock(cfg: PublicAccessBlockConfiguration): EffectivePublicAccessBlock {
  return Object.fromEntries(FIELDS.map((f) => [f, cfg[f] === true])) as unknown as EffectivePublicAccessBlock;
}

/** The most restrictive combination of two configurations; undefined when neither exists. */
export function combinePublicAccessBlock(
  account: PublicAccessBlockConfiguration | undefined, bucket: PublicAccessBlockConfiguration | undefined,
): EffectivePublicAccessBlock | undefined {
  if (!account && !bucket) return undefined;
  return Object.fromEntries(FIELDS.map((f) => [f, account?.[f] === true || bucket?.[f] === true])) as unknown as EffectivePublicAccessBlock;
}

/** What S3 enforces for `bucket` (owned by `owner`): its own settings combined with the account's. */
export function effectivePublicAccessBlock(tx: Tx, owner: string, bucket: string): EffectivePublicAccessBlock | undefined {
  return combinePublicAccessBlock(accountPublicAccessBlock(tx, owner), publicAccessBlock(tx, owner, bucket));
}

/** For a bucket being created: only the account's settings exist yet. */
export function accountLevelPublicAccessBlock(tx: Tx, account: string): EffectivePublicAccessBlock | undefined {
  return combinePublicAccessBlock(accountPublicAccessBlock(tx, account), undefined);
}
