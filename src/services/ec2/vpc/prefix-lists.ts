/**
 * Managed prefix lists: AWS's own (aws-prefix-lists.ts, data, owner 'AWS') and customer lists
 * (stored, versioned: every change of entries makes a new version, CurrentVersion must match
 * the true one, MaxEntries bounds the entries). Security group rules and routes name lists by
 * ID; the store's 'prefix-list' indexes on route tables and security groups answer
 * GetManagedPrefixListAssociations and refuse deleting a list in use.
 */
import type {
  CreateManagedPrefixListRequest, CreateManagedPrefixListResult, DeleteManagedPrefixListRequest, DeleteManagedPrefixListResult,
  DescribeManagedPrefixListsRequest, DescribeManagedPrefixListsResult, DescribePrefixListsRequest, DescribePrefixListsResult,
  GetManagedPrefixListAssociationsRequest, GetManagedPrefixListAssociationsResult, GetManagedPrefixListEntriesRequest,
  GetManagedPrefixListEntriesResult, ManagedPrefixList, ModifyManagedPrefixListRequest, ModifyManagedPrefixListResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { encodePageToken, type PageBinding } from '../../../core/page-token.js';
import { formatCidr, parseCidr } from '../../../network/cidr.js';
import { compareIds } from '../../../store/order.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkMaxResults, pagePosition } from '../describe.js';
import { applyFilters, withTagKeyFields } from '../filters.js';
import { arnOf, checkId, newId, notFound, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import { awsPrefixListById, awsPrefixLists, type AwsPrefixList } from './aws-prefix-lists.js';
import { nowIso } from './common.js';
import type { PrefixListEntryRecord, PrefixListRecord } from './records-endpoints.js';

export const PL_KIND = RESOURCE_TYPES['prefix-list'].kind;
/** AWS's quota of entries a customer list may be sized for. */
const MAX_MAX_ENTRIES = 1000;

/** A list as the engine and the Describe calls see it, whoever owns it. */
interface AnyList {
  id: string; name: string; owner: string; family: 'IPv4' | 'IPv6'; maxEntries: number; version?: number;
  entries: PrefixListEntryRecord[]; state: string; customer?: PrefixListRecord;
}

const fromAws = (p: AwsPrefixList): AnyList => ({
  id: p.id, name: p.name, owner: 'AWS', family: 'IPv4', maxEntries: p.cidrs.length, entries: p.cidrs.map((cidr) => ({ cidr })), state: 'create-complete',
});
const fromCustomer = (r: PrefixListRecord): AnyList => ({
  id: r.id, name: r.name, owner: r.ownerId, family: r.addressFamily, maxEntries: r.maxEntries, version: r.version,
  entries: r.entries, state: r.state, customer: r,
});

/** A list by ID (AWS's or the account's), or InvalidPrefixListID.NotFound. */
export function prefixListOf(ctx: Pick<RequestContext, 'tx' | 'scope' | 'region'>, id: string | undefined): AnyList {
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter PrefixListId');
  checkId('prefix-list', id);
  const aws = awsPrefixListById(ctx.region, id);
  if (aws) return fromAws(aws);
  const r = ctx.tx.get<PrefixListRecord>(ctx.scope, PL_KIND, id);
  if (!r) throw notFound('prefix-list', [id]);
  return fromCustomer(r);
}

/** The CIDRs of a list, for the reachability snapshot; undefined when there is no such list. */
export function prefixListCidrs(ctx: Pick<RequestContext, 'tx' | 'scope' | 'region'>, id: string): string[] | undefined {
  const aws = awsPrefixListById(ctx.region, id);
  if (aws) return aws.cidrs;
  return ctx.tx.get<PrefixListRecord>(ctx.scope, PL_KIND, id)?.entries.map((e) => e.cidr);
}

function shape(ctx: RequestContext, l: AnyList, tags: Tag[]): ManagedPrefixList {
  return {
    PrefixListId: l.id, AddressFamily: l.family, State: l.state as ManagedPrefixList['State'],
    PrefixListArn: l.customer ? arnOf('prefix-list', ctx.region, l.owner, l.id) : `arn:aws:ec2:${ctx.region}:aws:prefix-list/${l.id}`,
    PrefixListName: l.name, MaxEntries: l.maxEntries, OwnerId: l.owner,
    ...(l.version !== undefined ? { Version: l.version } : {}),
    Tags: tagList(tags) ?? [],
  };
}

function checkName(name: string | undefined): string {
  if (name === undefined || name === '') throw new AwsError('MissingParameter', 'The request must contain the parameter PrefixListName');
  if ([...name].length > 255) throw new AwsError('InvalidParameterValue', `The prefix list name '${name}' exceeds 255 characters`);
  if (name.toLowerCase().startsWith('com.amazonaws')) {
    throw new AwsError('InvalidParameterValue', `The prefix list name '${name}' is invalid: names starting with com.amazonaws are reserved`);
  }
  return name;
}

function checkMaxEntries(n: number | undefined): number {
  if (n === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MaxEntries');
  if (!Number.isInteger(n) || n < 1 || n > MAX_MAX_ENTRIES) {
    throw new AwsError('InvalidParameterValue', `Value (${n}) for parameter MaxEntries is invalid. It must be between 1 and ${MAX_MAX_ENTRIES}.`);
  }
  return n;
}

function entryCidr(raw: string | undefined, family: 'IPv4' | 'IPv6'): string {
  if (raw === undefined || raw === '') throw new AwsError('MissingParameter', 'The request must contain the parameter Cidr of each entry');
  const r = parseCidr(raw, family === 'IPv4' ? 4 : 6);
  if (!r.ok) {
    throw new AwsError('InvalidParameterValue', `The CIDR '${raw}' is not a valid ${family} CIDR block for prefix list entries`);
  }
  // AWS stores the network address (10.0.0.1/24 becomes 10.0.0.0/24).
  return formatCidr(r.cidr);
}

function checkDescription(d: string | undefined): void {
  if (d !== undefined && [...d].length > 255) throw new AwsError('InvalidParameterValue', 'Prefix list entry descriptions are at most 255 characters');
}

function tooMany(n: number, max: number): AwsError {
  return new AwsError('PrefixListMaxEntriesExceeded', `The prefix list would have ${n} entries; its maximum is ${max} (MaxEntries).`);
}

export const createManagedPrefixList: Handler<CreateManagedPrefixListRequest, CreateManagedPrefixListResult> = (input, ctx) => {
  const name = checkName(input.PrefixListName);
  const max = checkMaxEntries(input.MaxEntries);
  const family = input.AddressFamily;
  if (family !== 'IPv4' && family !== 'IPv6') {
    throw new AwsError(family ? 'InvalidParameterValue' : 'MissingParameter',
      family ? `Value (${family}) for parameter AddressFamily is invalid. Valid values: IPv4, IPv6` : 'The request must contain the parameter AddressFamily');
  }
  const tags = tagSpecTags(input.TagSpecifications, 'prefix-list');
  if (input.ClientToken) {
    for (const h of ctx.tx.list<PrefixListRecord>(ctx.scope, PL_KIND)) {
      if (h.value.clientToken === input.ClientToken) return { PrefixList: shape(ctx, fromCustomer(h.value), tagsOf(ctx.tx, ctx.scope, h.id)) };
    }
  }
  const entries: PrefixListEntryRecord[] = [];
  for (const e of input.Entries ?? []) {
    checkDescription(e.Description);
    const cidr = entryCidr(e.Cidr, family);
    if (entries.some((x) => x.cidr === cidr)) throw new AwsError('InvalidRequest', `The CIDR '${cidr}' is given twice in the prefix list entries`);
    entries.push({ cidr, ...(e.Description !== undefined ? { description: e.Description } : {}) });
  }
  if (entries.length > max) throw tooMany(entries.length, max);
  const r: PrefixListRecord = {
    id: newId('prefix-list'), ownerId: ctx.account, name, addressFamily: family, maxEntries: max, version: 1, entries, history: [],
    state: 'create-complete', createdAt: nowIso(ctx), ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  ctx.tx.put(ctx.scope, PL_KIND, r.id, r);
  setTags(ctx.tx, ctx.scope, 'prefix-list', r.id, tags);
  return { PrefixList: shape(ctx, fromCustomer(r), tags) };
};

/** The account's own list, or the error AWS gives for AWS's lists and unknown IDs. */
function ownList(ctx: RequestContext, id: string | undefined): PrefixListRecord {
  const l = prefixListOf(ctx, id);
  if (!l.customer) throw new AwsError('InvalidPrefixListModification', `The prefix list '${l.id}' is managed by AWS and cannot be modified or deleted`);
  return l.customer;
}

export const modifyManagedPrefixList: Handler<ModifyManagedPrefixListRequest, ModifyManagedPrefixListResult> = (input, ctx) => {
  const r = ownList(ctx, input.PrefixListId);
  const adds = input.AddEntries ?? [];
  const removes = input.RemoveEntries ?? [];
  const changesEntries = adds.length > 0 || removes.length > 0;
  if (changesEntries && input.MaxEntries !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'You cannot modify the entries of a prefix list and modify the size of a prefix list at the same time.');
  }
  if (input.CurrentVersion !== undefined && Number(input.CurrentVersion) !== r.version) {
    throw new AwsError('PrefixListVersionMismatch', `The prefix list '${r.id}' has version ${r.version}, not ${String(input.CurrentVersion)}`);
  }
  if (changesEntries && input.CurrentVersion === undefined) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter CurrentVersion to change entries');
  }
  if (input.PrefixListName !== undefined) r.name = checkName(input.PrefixListName);
  if (input.MaxEntries !== undefined) {
    const max = checkMaxEntries(input.MaxEntries);
    if (max < r.entries.length) {
      throw new AwsError('InvalidParameterValue', `MaxEntries (${max}) cannot be less than the prefix list's ${r.entries.length} entries`);
    }
    r.maxEntries = max;
  }
  if (changesEntries) {
    const next = r.entries.map((e) => ({ ...e }));
    for (const e of removes) {
      const cidr = entryCidr(e.Cidr, r.addressFamily);
      const i = next.findIndex((x) => x.cidr === cidr);
      if (i < 0) throw new AwsError('InvalidPrefixListModification', `The CIDR '${cidr}' is not an entry of prefix list '${r.id}'`);
      next.splice(i, 1);
    }
    for (const e of adds) {
      checkDescription(e.Description);
      const cidr = entryCidr(e.Cidr, r.addressFamily);
      const have = next.find((x) => x.cidr === cidr);
      // Adding an existing CIDR replaces its description, as AWS does.
      if (have) { if (e.Description !== undefined) have.description = e.Description; continue; }
      next.push({ cidr, ...(e.Description !== undefined ? { description: e.Description } : {}) });
    }
    if (next.length > r.maxEntries) throw tooMany(next.length, r.maxEntries);
    r.history.push({ version: r.version, entries: r.entries });
    r.entries = next;
    r.version += 1;
    r.state = 'modify-complete';
  }
  ctx.tx.put(ctx.scope, PL_KIND, r.id, r);
  return { PrefixList: shape(ctx, fromCustomer(r), tagsOf(ctx.tx, ctx.scope, r.id)) };
};

/** Route tables and security groups naming a list (the store's 'prefix-list' indexes). */
function associations(ctx: RequestContext, id: string): Array<{ ResourceId: string; ResourceOwner: string }> {
  const out: Array<{ ResourceId: string; ResourceOwner: string }> = [];
  for (const kind of [RESOURCE_TYPES['route-table'].kind, RESOURCE_TYPES['security-group'].kind]) {
    for (const h of ctx.tx.findBy(ctx.scope, kind, 'prefix-list', { key: id })) out.push({ ResourceId: h.id, ResourceOwner: ctx.account });
  }
  return out.sort((a, b) => compareIds(a.ResourceId, b.ResourceId));
}

export const deleteManagedPrefixList: Handler<DeleteManagedPrefixListRequest, DeleteManagedPrefixListResult> = (input, ctx) => {
  const r = ownList(ctx, input.PrefixListId);
  const used = associations(ctx, r.id);
  if (used.length) {
    throw new AwsError('PrefixListInUse', `The prefix list '${r.id}' is referenced by ${used.map((u) => u.ResourceId).join(', ')} and cannot be deleted`);
  }
  ctx.tx.delete(ctx.scope, PL_KIND, r.id);
  dropTags(ctx.tx, ctx.scope, r.id);
  return { PrefixList: { ...shape(ctx, fromCustomer(r), []), State: 'delete-complete' } };
};

/** One page of items in order of `key`, with the shared page-token format. */
function page<T>(operation: string, query: unknown, items: T[], key: (t: T) => string, max: number | undefined, token: string | undefined,
  bounds: [number, number]): { items: T[]; nextToken?: string } {
  checkMaxResults(max, bounds);
  const binding: PageBinding = { service: 'ec2', operation, query };
  const after = pagePosition(binding, token);
  const rest = after === undefined ? items : items.filter((i) => key(i) > after);
  const n = max ?? Infinity;
  if (rest.length <= n) return { items: rest };
  const out = rest.slice(0, n);
  return { items: out, nextToken: encodePageToken(binding, key(out[out.length - 1]!)) };
}

function allLists(ctx: RequestContext): AnyList[] {
  const own = ctx.tx.list<PrefixListRecord>(ctx.scope, PL_KIND).map((h) => fromCustomer(h.value));
  return [...awsPrefixLists(ctx.region).map(fromAws), ...own].sort((a, b) => compareIds(a.id, b.id));
}

function byIds(ctx: RequestContext, lists: AnyList[], ids: readonly string[] | undefined): AnyList[] {
  if (!ids?.length) return lists;
  for (const id of ids) checkId('prefix-list', id);
  const missing = ids.filter((id) => !lists.some((l) => l.id === id));
  if (missing.length) throw notFound('prefix-list', [...new Set(missing)]);
  const want = new Set(ids);
  return lists.filter((l) => want.has(l.id));
}

export const describeManagedPrefixLists: Handler<DescribeManagedPrefixListsRequest, DescribeManagedPrefixListsResult> = (input, ctx) => {
  const lists = byIds(ctx, allLists(ctx), input.PrefixListIds);
  const withTags = lists.map((l) => ({ l, tags: l.customer ? tagsOf(ctx.tx, ctx.scope, l.id) : [] }));
  const tagFields: Record<string, (x: { l: AnyList; tags: Tag[] }) => string | string[] | undefined> = {
    'owner-id': (x) => x.l.owner, 'prefix-list-id': (x) => x.l.id, 'prefix-list-name': (x) => x.l.name,
    'tag-key': (x) => x.tags.map((t) => t.Key), 'tag-value': (x) => x.tags.map((t) => t.Value),
  };
  const matched = applyFilters(withTags, input.Filters, withTagKeyFields(tagFields, input.Filters, (x) => x.tags));
  const { items, nextToken } = page('DescribeManagedPrefixLists', { ids: input.PrefixListIds ?? [], f: input.Filters ?? [] }, matched,
    (x) => x.l.id, input.MaxResults, input.NextToken, [1, 100]);
  return { PrefixLists: items.map((x) => shape(ctx, x.l, x.tags)), NextToken: nextToken };
};

/** The older call: AWS's service lists only, with their CIDRs. */
export const describePrefixLists: Handler<DescribePrefixListsRequest, DescribePrefixListsResult> = (input, ctx) => {
  const lists = awsPrefixLists(ctx.region).map(fromAws);
  if (input.PrefixListIds?.length) {
    for (const id of input.PrefixListIds) checkId('prefix-list', id);
    const missing = input.PrefixListIds.filter((id) => !lists.some((l) => l.id === id));
    if (missing.length) throw notFound('prefix-list', [...new Set(missing)]);
  }
  const chosen = input.PrefixListIds?.length ? lists.filter((l) => input.PrefixListIds!.includes(l.id)) : lists;
  const matched = applyFilters(chosen, input.Filters, { 'prefix-list-id': (l) => l.id, 'prefix-list-name': (l) => l.name });
  const { items, nextToken } = page('DescribePrefixLists', { ids: input.PrefixListIds ?? [], f: input.Filters ?? [] }, matched,
    (l) => l.id, input.MaxResults, input.NextToken, [5, 1000]);
  return { PrefixLists: items.map((l) => ({ PrefixListId: l.id, PrefixListName: l.name, Cidrs: l.entries.map((e) => e.cidr) })), NextToken: nextToken };
};

export const getManagedPrefixListEntries: Handler<GetManagedPrefixListEntriesRequest, GetManagedPrefixListEntriesResult> = (input, ctx) => {
  const l = prefixListOf(ctx, input.PrefixListId);
  let entries = l.entries;
  if (input.TargetVersion !== undefined) {
    const v = Number(input.TargetVersion);
    const current = l.version ?? 1;
    const old = l.customer?.history.find((h) => h.version === v);
    if (v === current) entries = l.entries;
    else if (old) entries = old.entries;
    else throw new AwsError('InvalidParameterValue', `The prefix list '${l.id}' has no version ${String(input.TargetVersion)}`);
  }
  const sorted = [...entries].sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
  const { items, nextToken } = page('GetManagedPrefixListEntries', { id: l.id, v: input.TargetVersion ?? null }, sorted,
    (e) => e.cidr, input.MaxResults, input.NextToken, [1, 100]);
  return { Entries: items.map((e) => ({ Cidr: e.cidr, ...(e.description !== undefined ? { Description: e.description } : {}) })), NextToken: nextToken };
};

export const getManagedPrefixListAssociations: Handler<GetManagedPrefixListAssociationsRequest, GetManagedPrefixListAssociationsResult> = (input, ctx) => {
  const l = prefixListOf(ctx, input.PrefixListId);
  const { items, nextToken } = page('GetManagedPrefixListAssociations', { id: l.id }, associations(ctx, l.id),
    (a) => a.ResourceId, input.MaxResults, input.NextToken, [5, 255]);
  return { PrefixListAssociations: items, NextToken: nextToken };
};
