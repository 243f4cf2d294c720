/**
 * GetCostAndUsage and GetCostAndUsageWithResources: the meter's costed usage (commitments
 * applied) over a period, filtered, grouped and summed per hour, day or month.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import { canonicalJson, decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';
import { Aggregator, checkGroupBy, METRIC_NAMES, metricOf, pageOf, type GroupDefinition, type ResultByTime } from './aggregate.js';
import { bucketsOf, checkEnum, GRANULARITIES, usagePeriod, validation, type CeGranularity } from './dates.js';
import { GROUP_DIMENSIONS } from './dimensions.js';
import { compileFilter, type Expression } from './expression.js';
import { accountUsage, activeTags, forEachTagged } from './tags.js';

/** Entries (a group in a period, or a period's total) per page. AWS does not document its page size. */
export const PAGE_ENTRIES = 500;

interface CostAndUsageInput {
  TimePeriod?: { Start?: string; End?: string };
  Granularity?: CeGranularity;
  Filter?: Expression;
  Metrics?: string[];
  GroupBy?: GroupDefinition[];
  NextPageToken?: string;
}

/**
 * Page tokens carry the offset and a digest of the request they belong to: a token from other
 * parameters is RequestChangedException, one that is not ours InvalidNextTokenException.
 */
export function pageStart(ctx: RequestContext, input: object, token: string | undefined): number {
  if (token === undefined) return 0;
  const raw = decodePageToken({ service: 'ce', operation: ctx.operation }, token);
  const pos = raw === undefined ? undefined : (JSON.parse(raw) as { i?: unknown; q?: unknown });
  if (!pos || typeof pos.i !== 'number' || !Number.isInteger(pos.i) || pos.i < 0) {
    throw new AwsError('InvalidNextTokenException', 'The pagination token is invalid. Try again without a pagination token.');
  }
  if (pos.q !== requestDigest(input)) {
    throw new AwsError('RequestChangedException', 'Your request parameters changed between pages. Try again with the old parameters or without a pagination token.');
  }
  return pos.i;
}

const requestDigest = (input: object): string =>
  createHash('sha256').update(canonicalJson(queryOf(input, ['NextPageToken', 'NextToken']))).digest('base64url').slice(0, 16);

export const pageToken = (ctx: RequestContext, input: object, next: number): string =>
  encodePageToken({ service: 'ce', operation: ctx.operation }, JSON.stringify({ i: next, q: requestDigest(input) }));

function costAndUsage(input: CostAndUsageInput, ctx: RequestContext, opts: { resources: boolean }) {
  const nowMs = ctx.clock.nowMs();
  const g = input.Granularity;
  if (!g) throw validation('Granularity is required');
  checkEnum(g, GRANULARITIES, 'granularity');
  const period = usagePeriod(input.TimePeriod, g, nowMs, { hourlyOnly: opts.resources });
  const metrics = input.Metrics ?? [];
  if (metrics.length === 0) throw validation(`Metrics are required. Valid values are ${METRIC_NAMES.join(', ')}`);
  metrics.forEach(metricOf);
  const dims = opts.resources ? [...GROUP_DIMENSIONS, 'RESOURCE_ID'] : GROUP_DIMENSIONS;
  const groupBy = checkGroupBy(input.GroupBy, dims);
  if (opts.resources && !input.Filter) throw validation('Filter is required');
  const filter = compileFilter(input.Filter);
  const start = pageStart(ctx, input, input.NextPageToken);

  const agg = new Aggregator({ buckets: bucketsOf(period, g), granularity: g, groupBy, metrics, filter, nowMs });
  // Resource-level data exists for EC2 instances only (what AWS's hourly resource data covers).
  const keep = opts.resources ? (s: string) => s === 'Amazon Elastic Compute Cloud - Compute' : () => true;
  forEachTagged(accountUsage(ctx.tx, ctx.account, nowMs), activeTags(ctx.tx, ctx.account), period, g, (t) => {
    if (keep(t.item.line.service)) agg.add(t);
  });
  const all: ResultByTime[] = agg.results();
  const { page, next } = pageOf(all, groupBy.length > 0, start, PAGE_ENTRIES);
  const linked = groupBy.some((d) => d.Type === 'DIMENSION' && d.Key === 'LINKED_ACCOUNT');
  return {
    ...(input.GroupBy ? { GroupDefinitions: input.GroupBy } : {}),
    ResultsByTime: page,
    // The one account's "name" is its ID: cloudlet accounts have no names.
    DimensionValueAttributes: linked ? [{ Value: ctx.account, Attributes: { description: ctx.account } }] : [],
    ...(next !== undefined ? { NextPageToken: pageToken(ctx, input, next) } : {}),
  };
}

export const costAndUsageHandlers: Record<string, Handler> = {
  GetCostAndUsage: (input: CostAndUsageInput, ctx) => costAndUsage(input, ctx, { resources: false }),
  GetCostAndUsageWithResources: (input: CostAndUsageInput, ctx) => costAndUsage(input, ctx, { resources: true }),
};
