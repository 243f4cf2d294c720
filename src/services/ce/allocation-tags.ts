/**
 * ListCostAllocationTags, UpdateCostAllocationTagsStatus and the tag backfill: which tag keys
 * Cost Explorer groups and filters by (the rule is in tags.ts).
 */
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import { monthStart } from '../cost/usage.js';
import type { Handler, RequestContext } from '../types.js';
import { checkEnum, DAY, monthsBefore, validation } from './dates.js';
import { globalScope, meteredTagKeys, TAG_KIND, tagType, type AllocationTagRecord } from './tags.js';

export const BACKFILL_KIND = 'ce:tag-backfill';

interface BackfillRecord { fromMs: number; requestedMs: number; completedMs: number }

/** ZonedDateTime as Cost Explorer writes it: ISO 8601 to the second. */
const zoned = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

const invalidToken = (): AwsError => new AwsError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');

/** A key-ordered page: the position is the last key returned, bound to the request's filters. */
function page<T>(ctx: RequestContext, input: Record<string, unknown>, rows: T[], keyOf: (r: T) => string, max: number): { rows: T[]; NextToken?: string } {
  const binding = { service: 'ce', operation: ctx.operation, query: queryOf(input, ['NextToken', 'MaxResults']) };
  let from = 0;
  if (typeof input.NextToken === 'string') {
    const after = decodePageToken(binding, input.NextToken);
    if (after === undefined) throw invalidToken();
    from = rows.findIndex((r) => keyOf(r) > after);
    if (from < 0) from = rows.length;
  }
  const out = rows.slice(from, from + max);
  return { rows: out, ...(from + max < rows.length ? { NextToken: encodePageToken(binding, keyOf(out[out.length - 1]!)) } : {}) };
}

/** Every key Cost Explorer knows: those on metered resources and those given a status. */
function knownTags(ctx: RequestContext, nowMs: number): Map<string, { record?: AllocationTagRecord; usedMs?: number }> {
  const out = new Map<string, { record?: AllocationTagRecord; usedMs?: number }>();
  for (const [key, usedMs] of meteredTagKeys(ctx.tx, ctx.account, nowMs)) out.set(key, { usedMs });
  for (const r of ctx.tx.list<AllocationTagRecord>(globalScope(ctx.account), TAG_KIND)) {
    out.set(r.value.key, { ...out.get(r.value.key), record: r.value });
  }
  return out;
}

interface ListInput { Status?: 'Active' | 'Inactive'; TagKeys?: string[]; Type?: string; NextToken?: string; MaxResults?: number }
interface UpdateInput { CostAllocationTagsStatus?: Array<{ TagKey?: string; Status?: 'Active' | 'Inactive' }> }

export const allocationTagHandlers: Record<string, Handler> = {
  ListCostAllocationTags: (input: ListInput, ctx) => {
    checkEnum(input.Status, ['Active', 'Inactive'], 'status');
    checkEnum(input.Type, ['AWSGenerated', 'UserDefined'], 'type');
    const nowMs = ctx.clock.nowMs();
    const wanted = input.TagKeys ? new Set(input.TagKeys) : undefined;
    const rows = [...knownTags(ctx, nowMs)]
      .map(([key, k]) => ({
        TagKey: key,
        Type: tagType(key),
        Status: k.record?.status ?? 'Inactive',
        ...(k.record ? { LastUpdatedDate: zoned(k.record.updatedMs) } : {}),
        // The month of the last use, as AWS reports it.
        ...(k.usedMs !== undefined ? { LastUsedDate: zoned(monthStart(k.usedMs)) } : {}),
      }))
      .filter((t) => (!wanted || wanted.has(t.TagKey)) && (!input.Status || t.Status === input.Status) && (!input.Type || t.Type === input.Type))
      .sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
    const { rows: out, NextToken } = page(ctx, input as Record<string, unknown>, rows, (r) => r.TagKey, input.MaxResults ?? 100);
    return { CostAllocationTags: out, ...(NextToken ? { NextToken } : {}) };
  },

  /** Per entry, as AWS does: known keys change (or stay, when already so), unknown ones are reported in Errors. */
  UpdateCostAllocationTagsStatus: (input: UpdateInput, ctx) => {
    (input.CostAllocationTagsStatus ?? []).forEach((e, i) => checkEnum(e.Status, ['Active', 'Inactive'], `costAllocationTagsStatus.${i + 1}.member.status`));
    const nowMs = ctx.clock.nowMs();
    const known = knownTags(ctx, nowMs);
    const errors: Array<{ TagKey: string; Code: string; Message: string }> = [];
    for (const e of input.CostAllocationTagsStatus ?? []) {
      const key = e.TagKey ?? '';
      const k = known.get(key);
      if (!k) {
        errors.push({ TagKey: key, Code: 'TagKeysNotFoundException', Message: `Failed to update Cost Allocation Tag: Tag keys not found: ${key}` });
        continue;
      }
      const before = k.record?.status ?? 'Inactive';
      if (before === e.Status) continue;
      const record: AllocationTagRecord = e.Status === 'Active'
        ? { key, status: 'Active', updatedMs: nowMs, effectiveFromMs: nowMs }
        : { key, status: 'Inactive', updatedMs: nowMs };
      ctx.tx.put(globalScope(ctx.account), TAG_KIND, key, record);
      known.set(key, { ...k, record });
    }
    return { Errors: errors };
  },

  /**
   * Applies the active tags to usage from BackfillFrom (the first of a month within the last
   * twelve) on. cloudlet's bill is its own state, so the backfill completes at once.
   */
  StartCostAllocationTagBackfill: (input: { BackfillFrom?: string }, ctx) => {
    const nowMs = ctx.clock.nowMs();
    const fromMs = Date.parse(input.BackfillFrom ?? '');
    if (!Number.isFinite(fromMs)) throw validation(`BackfillFrom is invalid: ${input.BackfillFrom ?? ''}`);
    if (fromMs !== monthStart(fromMs)) throw validation('BackfillFrom must be the first day of a month (a billing start date).');
    if (fromMs > nowMs) throw validation('BackfillFrom cannot be in the future.');
    if (fromMs < monthsBefore(monthStart(nowMs), 12)) throw validation('BackfillFrom cannot precede the previous twelve months.');
    const scope = globalScope(ctx.account);
    const last = ctx.tx.list<BackfillRecord>(scope, BACKFILL_KIND).at(-1)?.value;
    if (last && nowMs - last.requestedMs < DAY) {
      throw new AwsError('BackfillLimitExceededException', 'A request to backfill is already in progress. Once the previous request is complete, you can create another request.');
    }
    for (const r of ctx.tx.list<AllocationTagRecord>(scope, TAG_KIND)) {
      if (r.value.status !== 'Active') continue;
      const from = Math.min(r.value.effectiveFromMs ?? r.value.updatedMs, fromMs);
      ctx.tx.put(scope, TAG_KIND, r.id, { ...r.value, effectiveFromMs: from });
    }
    const rec: BackfillRecord = { fromMs, requestedMs: nowMs, completedMs: nowMs };
    ctx.tx.put(scope, BACKFILL_KIND, String(nowMs).padStart(15, '0'), rec);
    return { BackfillRequest: backfillOut(rec) };
  },

  ListCostAllocationTagBackfillHistory: (input: { NextToken?: string; MaxResults?: number }, ctx) => {
    const rows = ctx.tx.list<BackfillRecord>(globalScope(ctx.account), BACKFILL_KIND).map((r) => ({ id: r.id, value: r.value })).reverse();
    // Newest first; the page position is the id, which falls as the list goes on.
    const keyed = rows.map((r) => ({ ...r, sortKey: String(1e15 - Number(r.id)).padStart(16, '0') }));
    const { rows: out, NextToken } = page(ctx, input as Record<string, unknown>, keyed, (r) => r.sortKey, input.MaxResults ?? 100);
    return { BackfillRequests: out.map((r) => backfillOut(r.value)), ...(NextToken ? { NextToken } : {}) };
  },
};

const backfillOut = (r: BackfillRecord) => ({
  BackfillFrom: zoned(r.fromMs),
  RequestedAt: zoned(r.requestedMs),
  CompletedAt: zoned(r.completedMs),
  BackfillStatus: 'SUCCEEDED',
  LastUpdatedAt: zoned(r.completedMs),
});
