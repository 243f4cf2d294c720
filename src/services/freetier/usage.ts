/**
 * GetFreeTierUsage: this calendar month's usage of each Always Free allowance the account has
 * used (AWS lists an offer only once it has usage), across every Region, from the cost meter —
 * the same ledger that makes that usage cost nothing on the bill. The forecast extends the
 * month so far to the whole month at the same rate.
 */
import { AwsError } from '../../core/errors.js';
import { allowances } from '../cost/free-tier.js';
import { allowanceUsage, monthStart, nextMonth } from '../cost/usage.js';
import { pageByPosition } from './paging.js';
import type { Handler } from '../types.js';

type Dimension = 'SERVICE' | 'OPERATION' | 'USAGE_TYPE' | 'REGION' | 'FREE_TIER_TYPE' | 'DESCRIPTION' | 'USAGE_PERCENTAGE';
type MatchOption = 'EQUALS' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'GREATER_THAN_OR_EQUAL';

export interface Expression {
  Or?: Expression[];
  And?: Expression[];
  Not?: Expression;
  Dimensions?: { Key: Dimension; Values: string[]; MatchOptions: MatchOption[] };
}

export interface FreeTierUsage {
  service: string;
  operation: string;
  usageType: string;
  region: string;
  actualUsageAmount: number;
  forecastedUsageAmount: number;
  limit: number;
  unit: string;
  description: string;
  freeTierType: string;
}

interface Request { filter?: Expression; maxResults?: number; nextToken?: string }

const FREE_TIER_TYPE = 'Always Free';
const MAX_DEPTH = 8;

const fail = (message: string): never => { throw new AwsError('ValidationException', message); };

/** Refuses a malformed expression before anything is matched, as AWS does. */
export function checkExpression(e: Expression, depth = 0): void {
  if (depth > MAX_DEPTH) fail(`The filter expression is nested more than ${MAX_DEPTH} levels deep.`);
  const set = (['And', 'Or', 'Not', 'Dimensions'] as const).filter((k) => e[k] !== undefined);
  if (set.length !== 1) fail(`Each filter expression must set exactly one of And, Or, Not or Dimensions; this one sets ${set.length ? set.join(', ') : 'none'}.`);
  if (e.And || e.Or) {
    const list = (e.And ?? e.Or)!;
    if (list.length === 0) fail(`${e.And ? 'And' : 'Or'} needs at least one expression.`);
    for (const x of list) checkExpression(x, depth + 1);
  }
  if (e.Not) checkExpression(e.Not, depth + 1);
  const d = e.Dimensions;
  if (!d) return;
  if (d.MatchOptions.length === 0) fail(`MatchOptions for ${d.Key} needs at least one match option.`);
  const numeric = d.Key === 'USAGE_PERCENTAGE';
  for (const m of d.MatchOptions) {
    if (numeric !== (m === 'GREATER_THAN_OR_EQUAL')) {
      fail(numeric ? `USAGE_PERCENTAGE supports only the GREATER_THAN_OR_EQUAL match option, not ${m}.` : `${d.Key} does not support the ${m} match option; GREATER_THAN_OR_EQUAL applies to USAGE_PERCENTAGE only.`);
    }
  }
  if (numeric) for (const v of d.Values) if (!/^\d+(\.\d+)?$/.test(v)) fail(`USAGE_PERCENTAGE values must be numbers (a percentage of the limit), not ${JSON.stringify(v)}.`);
}

const field = (u: FreeTierUsage, k: Dimension): string | number => {
  switch (k) {
    case 'SERVICE': return u.service;
    case 'OPERATION': return u.operation;
    case 'USAGE_TYPE': return u.usageType;
    case 'REGION': return u.region;
    case 'FREE_TIER_TYPE': return u.freeTierType;
    case 'DESCRIPTION': return u.description;
    case 'USAGE_PERCENTAGE': return u.limit > 0 ? (u.actualUsageAmount / u.limit) * 100 : 0;
  }
};

const holds = (have: string | number, m: MatchOption, v: string): boolean => {
  if (m === 'GREATER_THAN_OR_EQUAL') return Number(have) >= Number(v);
  const s = String(have);
  return m === 'EQUALS' ? s === v : m === 'STARTS_WITH' ? s.startsWith(v) : m === 'ENDS_WITH' ? s.endsWith(v) : s.includes(v);
};

/** A value matches when every match option holds for it; the dimension, when any value matches. */
export function matches(u: FreeTierUsage, e: Expression): boolean {
  if (e.And) return e.And.every((x) => matches(u, x));
  if (e.Or) return e.Or.some((x) => matches(u, x));
  if (e.Not) return !matches(u, e.Not);
  const d = e.Dimensions!;
  const have = field(u, d.Key);
  return d.Values.some((v) => d.MatchOptions.every((m) => holds(have, m, v)));
}

/** The month's usage of each allowance with any, in the allowance table's order. */
export function usages(used: Map<string, number>, monthStartMs: number, nowMs: number): FreeTierUsage[] {
  const elapsed = nowMs - monthStartMs;
  const month = nextMonth(monthStartMs) - monthStartMs;
  const out: FreeTierUsage[] = [];
  for (const a of allowances()) {
    const actual = used.get(a.id) ?? 0;
    if (actual <= 0) continue;
    out.push({
      service: a.service, operation: a.operation, usageType: a.usageType, region: 'global',
      actualUsageAmount: actual, forecastedUsageAmount: elapsed > 0 ? (actual * month) / elapsed : actual,
      limit: a.limit, unit: a.unit, description: a.description, freeTierType: FREE_TIER_TYPE,
    });
  }
  return out;
}

export const getFreeTierUsage: Handler<Request, { freeTierUsages: FreeTierUsage[]; nextToken?: string }> = (input, ctx) => {
  if (input.filter) checkExpression(input.filter);
  const now = ctx.clock.nowMs();
  const start = monthStart(now);
  const all = usages(allowanceUsage(ctx.tx, ctx.account, { startMs: start, endMs: now }, now), start, now)
    .filter((u) => !input.filter || matches(u, input.filter));
  const { page, nextToken } = pageByPosition('GetFreeTierUsage', input, all, 'The nextToken is not valid: use the token from the previous answer, with the same filter.');
  return { freeTierUsages: page, ...(nextToken ? { nextToken } : {}) };
};
