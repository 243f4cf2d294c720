/**
 * GetDimensionValues and GetTags: the distinct values of a dimension, the active cost
 * allocation tag keys, or one tag's values, found in the costed usage of a period.
 */
import { region } from '../../core/regions.js';
import type { Handler, RequestContext } from '../types.js';
import { metricOf, type MetricName } from './aggregate.js';
import { checkEnum, DIMENSIONS, usagePeriod, validation } from './dates.js';
import { dimensionValue, isUsage, normalizedUsage, tagValue, type TaggedItem } from './dimensions.js';
import { compileFilter, type Expression } from './expression.js';
import { pageStart, pageToken } from './cost-and-usage.js';
import { accountUsage, activeTags, forEachTagged } from './tags.js';

interface SortDefinition { Key?: string; SortOrder?: 'ASCENDING' | 'DESCENDING' }
interface ValuesInput {
  TimePeriod?: { Start?: string; End?: string };
  SearchString?: string;
  Filter?: Expression;
  SortBy?: SortDefinition[];
  MaxResults?: number;
  NextPageToken?: string;
}

/** Without SortBy AWS answers in pages of this many and ignores MaxResults; with it MaxResults goes up to 1000. */
const UNSORTED_PAGE = 5000;
const SORTED_MAX = 1000;

/** Dimensions that exist only inside cost category rules. */
const RULE_ONLY = new Set(['LINKED_ACCOUNT_NAME', 'SERVICE_CODE']);
/** What the RESERVATIONS and SAVINGS_PLANS contexts search by (the API reference's lists). */
const CONTEXT_DIMENSIONS: Record<string, ReadonlySet<string>> = {
  RESERVATIONS: new Set(['AZ', 'CACHE_ENGINE', 'DEPLOYMENT_OPTION', 'INSTANCE_TYPE', 'LINKED_ACCOUNT', 'PLATFORM', 'REGION', 'SCOPE', 'TAG', 'TENANCY']),
  SAVINGS_PLANS: new Set(['SAVINGS_PLANS_TYPE', 'PAYMENT_OPTION', 'REGION', 'INSTANCE_TYPE_FAMILY', 'LINKED_ACCOUNT', 'SAVINGS_PLAN_ARN']),
};

function sumOf(t: TaggedItem, m: MetricName): number {
  const i = t.item;
  switch (m) {
    case 'UnblendedCost': case 'NetUnblendedCost': return i.unblendedCost;
    case 'AmortizedCost': case 'NetAmortizedCost': return i.amortizedCost;
    case 'BlendedCost': return i.blendedCost;
    case 'UsageQuantity': return isUsage(i) ? i.quantity : 0;
    case 'NormalizedUsageAmount': return normalizedUsage(i);
  }
}

/** The distinct values `valueOf` takes over the period's filtered usage, searched, sorted and paged. */
function distinct(input: ValuesInput, ctx: RequestContext, valuesOf: (t: TaggedItem) => readonly string[], opts: { keep?: (t: TaggedItem) => boolean } = {}) {
  const nowMs = ctx.clock.nowMs();
  const period = usagePeriod(input.TimePeriod, 'DAILY', nowMs);
  const sortBy = (input.SortBy ?? []).map((s, i) => {
    checkEnum(s.SortOrder, ['ASCENDING', 'DESCENDING'], `sortBy.${i + 1}.member.sortOrder`);
    if (!s.Key) throw validation('SortBy key is required');
    return { metric: metricOf(s.Key), desc: s.SortOrder === 'DESCENDING' };
  });
  const max = input.MaxResults;
  if (max !== undefined && sortBy.length && max > SORTED_MAX) throw validation(`MaxResults must be less than or equal to ${SORTED_MAX}`);
  const filter = compileFilter(input.Filter, { anyMatchOption: true });
  const search = input.SearchString?.toLowerCase();
  const found = new Map<string, number[]>();
  forEachTagged(accountUsage(ctx.tx, ctx.account, nowMs), activeTags(ctx.tx, ctx.account), period, 'MONTHLY', (t) => {
    if ((opts.keep && !opts.keep(t)) || !filter(t)) return;
    for (const v of valuesOf(t)) {
      if (search && !v.toLowerCase().includes(search)) continue;
      let sums = found.get(v);
      if (!sums) found.set(v, (sums = sortBy.map(() => 0)));
      sortBy.forEach((s, i) => { sums![i]! += sumOf(t, s.metric); });
    }
  });
  const values = [...found].sort(([a, sa], [b, sb]) => {
    for (let i = 0; i < sortBy.length; i++) {
      if (sa[i] !== sb[i]) return (sa[i]! - sb[i]!) * (sortBy[i]!.desc ? -1 : 1);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }).map(([v]) => v);
  const limit = sortBy.length ? max ?? SORTED_MAX : UNSORTED_PAGE;
  const start = pageStart(ctx, input, input.NextPageToken);
  const page = values.slice(start, start + limit);
  const next = start + limit < values.length ? start + limit : undefined;
  return { page, total: values.length, ...(next !== undefined ? { NextPageToken: pageToken(ctx, input, next) } : {}) };
}

function attributes(dimension: string, value: string, account: string): Record<string, string> {
  if (dimension === 'LINKED_ACCOUNT' && value === account) return { description: account };
  if (dimension === 'REGION') {
    const r = region(value);
    if (r) return { description: r.description };
  }
  return {};
}

export const dimensionValueHandlers: Record<string, Handler> = {
  GetDimensionValues: (input: ValuesInput & { Dimension?: string; Context?: string }, ctx) => {
    const dim = input.Dimension ?? '';
    checkEnum(dim, DIMENSIONS, 'dimension');
    checkEnum(input.Context, ['COST_AND_USAGE', 'RESERVATIONS', 'SAVINGS_PLANS'], 'context');
    if (RULE_ONLY.has(dim)) throw validation(`Dimension ${dim} can only be used in cost category rules`);
    const context = input.Context ?? 'COST_AND_USAGE';
    const allowed = CONTEXT_DIMENSIONS[context];
    if (allowed && !allowed.has(dim)) throw validation(`Dimension ${dim} is not supported in context ${context}. Supported dimensions are ${[...allowed].join(', ')}`);
    // Reservations and Savings Plans apply to instance usage only.
    const keep = allowed ? (t: TaggedItem) => 'instance' in t.item.line && t.item.line.instance !== undefined : undefined;
    const { page, total, NextPageToken } = distinct(input, ctx, (t) => [dimensionValue(t, dim)], { keep });
    return {
      DimensionValues: page.map((v) => ({ Value: v, Attributes: attributes(dim, v, ctx.account) })),
      ReturnSize: page.length,
      TotalSize: total,
      ...(NextPageToken ? { NextPageToken } : {}),
    };
  },

  GetTags: (input: ValuesInput & { TagKey?: string }, ctx) => {
    const key = input.TagKey;
    // Keys: the active tags some usage of the period carries. One key's values include '' for usage without it.
    const { page, total, NextPageToken } = distinct(input, ctx, key !== undefined ? (t) => [tagValue(t, key)] : (t) => Object.keys(t.tags));
    return { Tags: page, ReturnSize: page.length, TotalSize: total, ...(NextPageToken ? { NextPageToken } : {}) };
  },
};
