/**
 * Every EC2 Describe* call, once: explicit IDs, Filters (values ORed, filters ANDed, `*`/`?`
 * wildcards, `tag:Key`, `tag-key`, `tag-value`, unknown names refused as AWS does),
 * MaxResults/NextToken with AWS's bounds and the IDs+MaxResults combination error. Candidates
 * come from a store index when a filter names an indexed value exactly (vpc-id, an exact
 * tag), so a filtered call reads the matching rows, not every row of the kind.
 */
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, type PageBinding } from '../../core/page-token.js';
import { compareIds } from '../../store/order.js';
import type { Scope } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { applyFilters, type Filter } from './filters.js';
import { checkId, notFound, RESOURCE_TYPES, typeOfId, type ResourceType } from './ids.js';
import { TAGS_KIND, tagsOf, type Tag, type TagsRecord } from './tags.js';

export type FilterValue = string | string[] | undefined;

export interface DescribeInput {
  Filters?: Filter[];
  MaxResults?: number;
  NextToken?: string;
}

export interface DescribeSource<R> {
  operation: string;
  type: ResourceType;
  /** The explicit IDs (VpcIds, SubnetIds ...) and the member's name in AWS's messages ('vpcIds'). */
  ids?: readonly string[];
  idsParam?: string;
  /** Filter name -> the record's value(s). Tag filters are added for every tagged type. */
  fields: Record<string, (r: R) => FilterValue>;
  /** Filter name -> store index (schema.ts INDEXES) giving candidates for exact values. */
  indexes?: Record<string, string>;
  /** Filter name -> the IDs an exact value can match, for values indexed on another kind. */
  candidates?: Record<string, (value: string) => readonly string[]>;
  /** Where the rows live (default: the request's scope). */
  scope?: Scope;
  /** MaxResults bounds (AWS: 5..1000 for most Describe* calls). */
  bounds?: [number, number];
  /** Other request members that shape the result, for the page token's binding. */
  query?: unknown;
  /** Skip rows (e.g. another account's shared view); applied before filters. */
  visible?: (r: R) => boolean;
}

export interface Described<R> {
  id: string;
  record: R;
  tags: Tag[];
}

const hasWildcard = (v: string): boolean => /[*?]/.test(v);
const TAG_FILTERS = new Set(['tag-key', 'tag-value']);

function checkFilterNames(filters: readonly Filter[], fields: Record<string, unknown>): void {
  for (const f of filters) {
    const name = f.Name ?? '';
    if (name in fields || TAG_FILTERS.has(name) || (name.startsWith('tag:') && name.length > 4)) continue;
    throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
}

export function checkMaxResults(max: number | undefined, [lo, hi]: [number, number]): void {
  if (max !== undefined && (!Number.isInteger(max) || max < lo || max > hi)) {
    throw new AwsError('InvalidParameterValue', `Value ( ${max} ) for parameter maxResults is invalid. Parameter must be between ${lo} and ${hi}.`);
  }
}

/**
 * Pages a deterministic list that is not a kind's rows (the instance type catalog, Spot price
 * history, Reserved Instances offerings) by position: the token carries the index of the next
 * item. `items(limit)` may stop once it has `limit` items.
 */
export function pageByPosition<T>(operation: string, query: Record<string, unknown>, input: { MaxResults?: number; NextToken?: string },
  range: [number, number], defaultMax: number, items: (limit: number) => T[]): { page: T[]; next?: string } {
  checkMaxResults(input.MaxResults, range);
  const binding: PageBinding = { service: 'ec2', operation, query };
  const pos = pagePosition(binding, input.NextToken);
  const start = pos === undefined ? 0 : Number(pos);
  const max = input.MaxResults ?? defaultMax;
  const all = items(start + max + 1);
  const page = all.slice(start, start + max);
  return { page, ...(all.length > start + max ? { next: encodePageToken(binding, String(start + max)) } : {}) };
}

/** The position a NextToken carries, or undefined without one; InvalidPaginationToken when it is not ours. */
export function pagePosition(binding: PageBinding, token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const pos = decodePageToken(binding, token);
  if (pos === undefined) throw new AwsError('InvalidPaginationToken', `The specified pagination token is not valid or is expired: ${token}`);
  return pos;
}

/**
 * Candidate IDs from the indexes when some filter pins an indexed value exactly; undefined: scan.
 * Every such filter narrows the set (their intersection), read as index keys only: no row is
 * read or parsed until it is a candidate of all of them.
 */
function indexedCandidates<R>(ctx: RequestContext, scope: Scope, src: DescribeSource<R>, filters: readonly Filter[]): Set<string> | undefined {
  const info = RESOURCE_TYPES[src.type];
  const sets: Set<string>[] = [];
  for (const f of filters) {
    const values = f.Values ?? [];
    if (values.some(hasWildcard)) continue;
    const name = f.Name ?? '';
    const index = src.indexes?.[name];
    const lookup = src.candidates?.[name];
    const out = new Set<string>();
    if (index) {
      for (const v of values) for (const h of ctx.tx.keysBy(scope, info.kind, index, { key: v })) out.add(h.id);
    } else if (lookup) {
      for (const v of values) for (const id of lookup(v)) out.add(id);
    } else if (name.startsWith('tag:') || name === 'tag-key') {
      for (const v of values) {
        const q = name === 'tag-key' ? { prefix: `${v}\u0000` } : { key: `${name.slice(4)}\u0000${v}` };
        // The tag rows of every type share the index; the ID's prefix names the type (an ID
        // of no known form stays a candidate: reading it from this kind decides).
        for (const h of ctx.tx.keysBy(scope, TAGS_KIND, 'tag', q)) {
          const type = typeOfId(h.id);
          if (!type || RESOURCE_TYPES[type].tagType === info.tagType) out.add(h.id);
        }
      }
    } else continue;
    if (!out.size) return out;
    sets.push(out);
  }
  if (!sets.length) return undefined;
  sets.sort((a, b) => a.size - b.size);
  const [first, ...rest] = sets;
  return rest.length ? new Set([...first!].filter((id) => rest.every((s) => s.has(id)))) : first;
}

/** Runs one Describe* call: the matching records in ID order, one page of them. */
export function describe<R>(ctx: RequestContext, input: DescribeInput, src: DescribeSource<R>): { items: Described<R>[]; nextToken?: string } {
  const scope = src.scope ?? ctx.scope;
  const info = RESOURCE_TYPES[src.type];
  const filters = input.Filters ?? [];
  const ids = src.ids ?? [];
  checkFilterNames(filters, src.fields);
  if (ids.length && input.MaxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', `The parameter ${src.idsParam ?? 'ids'} cannot be used with the parameter maxResults`);
  }
  checkMaxResults(input.MaxResults, src.bounds ?? [5, 1000]);
  const binding: PageBinding = { service: 'ec2', operation: src.operation, query: { ids, filters, q: src.query } };
  const after = pagePosition(binding, input.NextToken);
  const max = input.MaxResults ?? Infinity;

  const tagsNeeded = new Map<string, Tag[]>();
  const tags = (id: string): Tag[] => {
    let t = tagsNeeded.get(id);
    if (!t) { t = tagsOf(ctx.tx, scope, id); tagsNeeded.set(id, t); }
    return t;
  };
  const fields: Record<string, (d: Described<R>) => FilterValue> = {};
  for (const [name, get] of Object.entries(src.fields)) fields[name] = (d) => get(d.record);
  fields['tag-key'] = (d) => d.tags.map((t) => t.Key);
  fields['tag-value'] = (d) => d.tags.map((t) => t.Value);
  for (const f of filters) {
    const name = f.Name ?? '';
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      fields[name] = (d) => d.tags.find((t) => t.Key === key)?.Value;
    }
  }
  const keep = (rows: Array<{ id: string; value: R }>): Described<R>[] => {
    const visible = src.visible ? rows.filter((r) => src.visible!(r.value)) : rows;
    return applyFilters(visible.map((r) => ({ id: r.id, record: r.value, tags: tags(r.id) })), filters, fields);
  };

  let matched: Described<R>[];
  if (ids.length) {
    for (const id of ids) checkId(src.type, id);
    const unique = [...new Set(ids)].sort(compareIds);
    const rows: Array<{ id: string; value: R }> = [];
    const missing: string[] = [];
    for (const id of unique) {
      const value = ctx.tx.get<R>(scope, info.kind, id);
      if (value === undefined || (src.visible && !src.visible(value))) missing.push(id);
      else rows.push({ id, value });
    }
    if (missing.length) throw notFound(src.type, missing);
    matched = keep(rows.filter((r) => after === undefined || compareIds(r.id, after) > 0));
  } else {
    const candidates = indexedCandidates(ctx, scope, src, filters);
    matched = [];
    if (candidates) {
      const sorted = [...candidates].filter((id) => after === undefined || compareIds(id, after) > 0).sort(compareIds);
      const rows: Array<{ id: string; value: R }> = [];
      for (const id of sorted) {
        const value = ctx.tx.get<R>(scope, info.kind, id);
        if (value !== undefined) rows.push({ id, value });
      }
      matched = keep(rows);
    } else {
      // Scan in ID order, in chunks, only as far as the page needs.
      let from = after;
      for (;;) {
        const chunk = ctx.tx.list<R>(scope, info.kind, { after: from, limit: 500 });
        matched.push(...keep(chunk));
        if (chunk.length < 500 || matched.length > max) break;
        from = chunk[chunk.length - 1]!.id;
      }
    }
  }
  if (matched.length <= max) return { items: matched };
  const page = matched.slice(0, max);
  return { items: page, nextToken: encodePageToken(binding, page[page.length - 1]!.id) };
}

/** One record by ID, or the type's NotFound (Malformed for a malformed ID). */
export function mustGet<R>(ctx: RequestContext, type: ResourceType, id: string | undefined, scope: Scope = ctx.scope): R {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${RESOURCE_TYPES[type].noun.replace(/ ID$/, 'Id')}`);
  checkId(type, id);
  const r = ctx.tx.get<R>(scope, RESOURCE_TYPES[type].kind, id);
  if (r === undefined) throw notFound(type, [id]);
  return r;
}

/** Boolean filter values as AWS compares them ('true'/'false'). */
export const bool = (b: boolean | undefined): string => (b ? 'true' : 'false');
