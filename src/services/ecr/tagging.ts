/**
 * Repository tags: TagResource, UntagResource, ListTagsForResource, and the checks
 * CreateRepository shares. ECR's limits: 50 tags a repository, keys 1..128 and values 0..256
 * characters, keys may not start with "aws:".
 */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, TagResourceResponse,
  UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { registryScope, type RepositoryRecord } from './records.js';
import { notFound, requireRepository, updateRepository } from './repositories.js';

export const MAX_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const invalidTag = (detail: string) => new AwsError('InvalidTagParameterException',
  `An invalid parameter has been specified. Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters. (${detail})`);

const tooMany = () => new AwsError('TooManyTagsException',
  'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.');

/** Checks one list of tags; the same key twice keeps the last value. */
export function checkTags(tags: Array<{ Key?: string; Value?: string }>): Array<{ Key: string; Value: string }> {
  const out = new Map<string, string>();
  for (const t of tags) {
    const key = t.Key;
    const value = t.Value ?? '';
    if (typeof key !== 'string' || key.length < 1 || [...key].length > 128) throw invalidTag(`tag key '${key ?? ''}' must be 1 to 128 characters`);
    if ([...value].length > 256) throw invalidTag(`the value of tag '${key}' is longer than 256 characters`);
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag(`tag keys may not begin with 'aws:' (${key})`);
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) throw invalidTag(`tag '${key}' has characters outside letters, digits, spaces and _.:/=+-@`);
    out.set(key, value);
  }
  if (out.size > MAX_TAGS) throw tooMany();
  return [...out].map(([Key, Value]) => ({ Key, Value }));
}

/** The repository an ARN names: arn:aws:ecr:REGION:ACCOUNT:repository/NAME. */
export function repositoryOfArn(ctx: RequestContext, arn: string | undefined): { scope: ReturnType<typeof registryScope>; name: string } {
  const m = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn ?? '');
  if (!m) throw new AwsError('InvalidParameterException', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: ${arn ?? ''}'`);
  if (m[1] !== ctx.region) throw notFound(m[3]!, m[2]!);
  return { scope: registryScope(m[2]!, m[1]!), name: m[3]! };
}

export function tagMap(r: RepositoryRecord): Record<string, string> {
  return Object.fromEntries(r.tags.map((t) => [t.Key, t.Value]));
}

export const tagResource: Handler<TagResourceRequest, TagResourceResponse> = (input, ctx) => {
  const { scope, name } = repositoryOfArn(ctx, input.resourceArn);
  const adding = checkTags(input.tags ?? []);
  updateRepository(ctx.tx, scope, name, (r) => {
    const merged = new Map(r.tags.map((t) => [t.Key, t.Value]));
    for (const t of adding) merged.set(t.Key, t.Value);
    if (merged.size > MAX_TAGS) throw tooMany();
    return { ...r, tags: [...merged].map(([Key, Value]) => ({ Key, Value })) };
  });
  return {};
};

export const untagResource: Handler<UntagResourceRequest, UntagResourceResponse> = (input, ctx) => {
  const { scope, name } = repositoryOfArn(ctx, input.resourceArn);
  const keys = input.tagKeys ?? [];
  for (const k of keys) if (typeof k !== 'string' || k.length < 1 || [...k].length > 128) throw invalidTag(`tag key '${k}' must be 1 to 128 characters`);
  const drop = new Set(keys);
  updateRepository(ctx.tx, scope, name, (r) => ({ ...r, tags: r.tags.filter((t) => !drop.has(t.Key)) }));
  return {};
};

export const listTagsForResource: Handler<ListTagsForResourceRequest, ListTagsForResourceResponse> = (input, ctx) => {
  const { scope, name } = repositoryOfArn(ctx, input.resourceArn);
  return { tags: requireRepository(ctx.tx, scope, name).tags.map((t) => ({ Key: t.Key, Value: t.Value })) };
};
