/**
 * Tags of every EC2 resource, kept in one kind (`ec2:tags`, one row per tagged resource,
 * indexed by `Key\0Value` and by resource type), so that CreateTags/DeleteTags/DescribeTags
 * work for every resource type and tag filters of every Describe* call use one index.
 * Resource files call tagSpecTags() before creating anything (validation changes nothing)
 * and setTags() after; dropTags() when the resource goes.
 */
import type {
  CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, TagDescription, TagSpecification,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import { compareIds } from '../../store/order.js';
import type { Scope, Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { applyFilters } from './filters.js';
import { notFound, parseArn, RESOURCE_TYPES, typeOfId, type ResourceType } from './ids.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface TagsRecord {
  /** The tag resource type ('vpc', 'subnet', ...). */
  type: string;
  tags: Tag[];
}

export const TAGS_KIND = 'ec2:tags';
export const MAX_TAGS = 50;

export function tagsOf(tx: Tx, scope: Scope, id: string): Tag[] {
  return tx.get<TagsRecord>(scope, TAGS_KIND, id)?.tags ?? [];
}

/** Tags as AWS outputs them: omitted when there are none (clients see an empty list either way). */
export const tagList = (tags: Tag[]): Tag[] | undefined => (tags.length ? tags : undefined);

export function setTags(tx: Tx, scope: Scope, type: ResourceType, id: string, tags: Tag[]): void {
  if (tags.length) tx.put(scope, TAGS_KIND, id, { type: RESOURCE_TYPES[type].tagType, tags } satisfies TagsRecord);
  else tx.delete(scope, TAGS_KIND, id);
}

export function dropTags(tx: Tx, scope: Scope, id: string): void {
  tx.delete(scope, TAGS_KIND, id);
}

/** AWS's checks on one tag's key and value. */
export function checkTag(key: unknown, value: unknown): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new AwsError('InvalidParameterValue', 'Tag keys must be between 1 and 128 characters; an empty tag key is not allowed');
  }
  if ([...key].length > 128) throw new AwsError('InvalidParameterValue', `Tag key exceeds the maximum length of 128 characters: ${key}`);
  if (key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use: ${key}`);
  if (typeof value === 'string' && [...value].length > 256) {
    throw new AwsError('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters (tag key ${key})`);
  }
}

function tooMany(n: number): AwsError {
  return new AwsError('TagLimitExceeded', `The maximum number of tags per resource is ${MAX_TAGS}; the request would give it ${n}`);
}

/** Merges tags over existing ones (a key given twice: the last value wins, as on AWS). */
function merged(existing: Tag[], add: Array<{ Key?: string; Value?: string }>): Tag[] {
  const out = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of add) out.set(t.Key!, t.Value ?? '');
  return [...out].map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The tags a create call's TagSpecifications give the new resource of `type`, validated
 * before anything is created. `allowed`: further types the operation tags (RunInstances
 * tags volumes and interfaces too), which are accepted but not returned here.
 */
export function tagSpecTags(specs: TagSpecification[] | undefined, type: ResourceType, allowed: readonly string[] = []): Tag[] {
  let tags: Tag[] = [];
  const seen = new Set<string>();
  const own = RESOURCE_TYPES[type].tagType;
  for (const spec of specs ?? []) {
    const rt = spec.ResourceType as string | undefined;
    if (!rt) throw new AwsError('InvalidParameterValue', 'Tag specification resource type must have a value');
    if (rt !== own && !allowed.includes(rt)) {
      throw new AwsError('InvalidParameterValue', `'${rt}' is not a valid taggable resource type for this operation.`);
    }
    if (seen.has(rt)) throw new AwsError('InvalidParameterValue', `The same resource type may not be specified more than once in tag specifications: ${rt}`);
    seen.add(rt);
    for (const t of spec.Tags ?? []) checkTag(t.Key, t.Value);
    const these = merged([], spec.Tags ?? []);
    if (these.length > MAX_TAGS) throw tooMany(these.length);
    if (rt === own) tags = these;
  }
  return tags;
}

/** The resource's record, by ID, or the type's NotFound; InvalidID for IDs of no known type. */
function resourceOf(ctx: RequestContext, id: string): ResourceType {
  const type = typeOfId(id);
  if (!type) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
  // Security group rules live inside their group's record (found through its 'rule' index);
  // key pair rows are keyed by name, their IDs found through the 'id' index.
  const exists = type === 'security-group-rule'
    ? ctx.tx.countBy(ctx.scope, RESOURCE_TYPES['security-group'].kind, 'rule', { key: id }) > 0
    : type === 'key-pair'
      ? ctx.tx.countBy(ctx.scope, RESOURCE_TYPES['key-pair'].kind, 'id', { key: id }) > 0
      : ctx.tx.get(ctx.scope, RESOURCE_TYPES[type].kind, id) !== undefined;
  if (!exists) throw notFound(type, [id]);
  return type;
}

export const createTags: Handler<CreateTagsRequest, object> = (input, ctx) => {
  const ids = input.Resources ?? [];
  if (!ids.length) throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  if (!input.Tags?.length) throw new AwsError('MissingParameter', 'The request must contain the parameter tagSet');
  for (const t of input.Tags) checkTag(t.Key, t.Value);
  const types = ids.map((id) => resourceOf(ctx, id));
  const next = ids.map((id) => merged(tagsOf(ctx.tx, ctx.scope, id), input.Tags!));
  for (const t of next) if (t.length > MAX_TAGS) throw tooMany(t.length);
  ids.forEach((id, i) => setTags(ctx.tx, ctx.scope, types[i]!, id, next[i]!));
  return {};
};

export const deleteTags: Handler<DeleteTagsRequest, object> = (input, ctx) => {
  const ids = input.Resources ?? [];
  if (!ids.length) throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet');
  for (const t of input.Tags ?? []) {
    if (typeof t.Key === 'string' && t.Key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use: ${t.Key}`);
    }
  }
  const types = ids.map((id) => resourceOf(ctx, id));
  ids.forEach((id, i) => {
    const have = tagsOf(ctx.tx, ctx.scope, id);
    // No Tags: every tag goes. A tag with a Value goes only if the value matches.
    const left = input.Tags === undefined || input.Tags.length === 0 ? [] : have.filter((t) => !input.Tags!.some(
      (d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value)));
    setTags(ctx.tx, ctx.scope, types[i]!, id, left);
  });
  return {};
};

export const describeTags: Handler<DescribeTagsRequest, DescribeTagsResult> = (input, ctx) => {
  const filters = input.Filters ?? [];
  const fields: Record<string, (t: TagDescription) => string | undefined> = {
    key: (t) => t.Key, value: (t) => t.Value, 'resource-id': (t) => t.ResourceId, 'resource-type': (t) => t.ResourceType,
  };
  for (const f of filters) {
    const name = f.Name ?? '';
    if (name.startsWith('tag:')) fields[name] = (t) => (t.Key === name.slice(4) ? t.Value : undefined);
    else if (!(name in fields)) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
  return describeTagsPage(ctx, input, filters, fields);
};

function describeTagsPage(ctx: RequestContext, input: DescribeTagsRequest, filters: NonNullable<DescribeTagsRequest['Filters']>,
  fields: Record<string, (t: TagDescription) => string | undefined>): DescribeTagsResult {
  const binding = { service: 'ec2', operation: 'DescribeTags', query: { filters } };
  if (input.MaxResults !== undefined && (input.MaxResults < 5 || input.MaxResults > 1000)) {
    throw new AwsError('InvalidParameterValue', `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.`);
  }
  const after = positionOf(binding, input.NextToken);
  const max = input.MaxResults ?? Infinity;
  const exact = (name: string): string[] | undefined => {
    const f = filters.find((x) => x.Name === name);
    return f && f.Values?.length && !f.Values.some((v) => /[*?]/.test(v)) ? f.Values : undefined;
  };
  let rows: Array<{ id: string; value: TagsRecord }>;
  const byId = exact('resource-id');
  const byKey = exact('key');
  const byType = exact('resource-type');
  if (byId) {
    rows = byId.flatMap((id) => { const v = ctx.tx.get<TagsRecord>(ctx.scope, TAGS_KIND, id); return v ? [{ id, value: v }] : []; });
  } else if (byKey) {
    rows = byKey.flatMap((k) => ctx.tx.findBy<TagsRecord>(ctx.scope, TAGS_KIND, 'tag', { prefix: `${k}\u0000` }));
  } else if (byType) {
    rows = byType.flatMap((t) => ctx.tx.findBy<TagsRecord>(ctx.scope, TAGS_KIND, 'type', { key: t }));
  } else {
    rows = ctx.tx.list<TagsRecord>(ctx.scope, TAGS_KIND);
  }
  const unique = new Map(rows.map((r) => [r.id, r.value]));
  const all: Array<TagDescription & { pos: string }> = [];
  for (const [id, rec] of unique) {
    for (const t of rec.tags) all.push({ ResourceId: id, ResourceType: rec.type as TagDescription['ResourceType'], Key: t.Key, Value: t.Value, pos: `${id}\u0000${t.Key}` });
  }
  all.sort((a, b) => compareIds(a.pos, b.pos));
  const matched = applyFilters(all.filter((t) => after === undefined || compareIds(t.pos, after) > 0), filters, fields);
  const page = matched.slice(0, max);
  const out = page.map(({ pos: _pos, ...t }) => t);
  return matched.length > max
    ? { Tags: out, NextToken: encodePageToken(binding, page[page.length - 1]!.pos) }
    : { Tags: out };
}

function positionOf(binding: { service: string; operation: string; query: unknown }, token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const pos = decodePageToken(binding, token);
  if (pos === undefined) throw new AwsError('InvalidPaginationToken', `The specified pagination token is not valid or is expired: ${token}`);
  return pos;
}

/** aws:ResourceTag values of the resource an EC2 ARN names (for the authorizer). */
export function resourceTagsOfArn(tx: Tx, arn: string): Record<string, string> | undefined {
  const p = parseArn(arn);
  if (!p) return undefined;
  const tags = tagsOf(tx, { account: p.account, region: p.region }, p.id);
  if (!tags.length) return undefined;
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}
