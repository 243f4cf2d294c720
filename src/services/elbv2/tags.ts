/**
 * ELBv2 tags (AddTags, RemoveTags, DescribeTags) on load balancers, target groups, listeners
 * and rules: one row per resource ARN. AWS's limits: 50 tags per resource, keys 1-128 and
 * values 0-256 characters, no `aws:` prefix.
 */
import type {
  AddTagsInput, AddTagsOutput, DescribeTagsInput, DescribeTagsOutput, RemoveTagsInput, RemoveTagsOutput, Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { KIND, validation } from './records.js';

interface TagRow { tags: Array<{ Key: string; Value: string }> }

export const tagsOf = (ctx: Pick<RequestContext, 'tx' | 'scope'>, arn: string): Array<{ Key: string; Value: string }> =>
  ctx.tx.get<TagRow>(ctx.scope, KIND.tags, arn)?.tags ?? [];

export function checkTags(tags: Tag[] | undefined): Array<{ Key: string; Value: string }> {
  const out: Array<{ Key: string; Value: string }> = [];
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128) throw validation(`Tag key '${key}' must be between 1 and 128 characters`);
    if ((t.Value ?? '').length > 256) throw validation(`Tag value for key '${key}' cannot be longer than 256 characters`);
    if (key.toLowerCase().startsWith('aws:')) throw validation(`Tag key '${key}' cannot begin with 'aws:'`);
    if (out.some((o) => o.Key === key)) throw new AwsError('DuplicateTagKeys', `Tag key '${key}' is duplicated`);
    out.push({ Key: key, Value: t.Value ?? '' });
  }
  return out;
}

export function setTags(ctx: RequestContext, arn: string, tags: Array<{ Key: string; Value: string }>): void {
  if (tags.length > 50) throw new AwsError('TooManyTags', `The quota for the number of tags that can be assigned to a load balancer has been reached`);
  if (tags.length) ctx.tx.put(ctx.scope, KIND.tags, arn, { tags } satisfies TagRow);
  else ctx.tx.delete(ctx.scope, KIND.tags, arn);
}

/** The resource an ARN names must exist: AWS's NotFound code for its type. */
function mustExist(ctx: RequestContext, arn: string): void {
  const kinds: Array<[string, string, string]> = [
    [':loadbalancer/', KIND.lb, 'LoadBalancerNotFound'], [':targetgroup/', KIND.tg, 'TargetGroupNotFound'],
    [':listener/', KIND.listener, 'ListenerNotFound'], [':listener-rule/', KIND.rule, 'RuleNotFound'],
  ];
  for (const [part, kind, code] of kinds) {
    if (!arn.includes(part)) continue;
    if (ctx.tx.get(ctx.scope, kind, arn) === undefined) throw new AwsError(code, `The resource '${arn}' was not found`);
    return;
  }
  throw validation(`'${arn}' is not a valid resource ARN`);
}

export const addTags: Handler<AddTagsInput, AddTagsOutput> = (input, ctx) => {
  const add = checkTags(input.Tags);
  for (const arn of input.ResourceArns ?? []) {
    mustExist(ctx, arn);
    const cur = tagsOf(ctx, arn).filter((t) => !add.some((a) => a.Key === t.Key));
    setTags(ctx, arn, [...cur, ...add]);
  }
  return {};
};

export const removeTags: Handler<RemoveTagsInput, RemoveTagsOutput> = (input, ctx) => {
  for (const arn of input.ResourceArns ?? []) {
    mustExist(ctx, arn);
    setTags(ctx, arn, tagsOf(ctx, arn).filter((t) => !(input.TagKeys ?? []).includes(t.Key)));
  }
  return {};
};

export const describeTags: Handler<DescribeTagsInput, DescribeTagsOutput> = (input, ctx) => {
  const arns = input.ResourceArns ?? [];
  if (arns.length > 20) throw validation(`1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20`);
  return { TagDescriptions: arns.map((arn) => { mustExist(ctx, arn); return { ResourceArn: arn, Tags: tagsOf(ctx, arn) }; }) };
};
