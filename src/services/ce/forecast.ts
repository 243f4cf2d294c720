/**
 * GetCostForecast and GetUsageForecast. cloudlet knows what accrues now, so the forecast is the
 * run rate carried forward: usage already accrued today, every open line (a running instance, a
 * volume, an address) held to the period's end at its rate (commitments applied), and the recent
 * daily average of event usage (requests, GB processed). The prediction interval widens with how
 * much the daily cost varied over the last 14 days.
 */
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { CostedItem } from '../cost/commitments.js';
import type { Window } from '../cost/usage.js';
import type { Handler } from '../types.js';
import { amount } from './aggregate.js';
import { bucketsOf, checkEnum, DAY, formatDate, GRANULARITIES, parseDate, validation, type CeGranularity } from './dates.js';
import { isUsage, normalizedUsage, type TaggedItem } from './dimensions.js';
import { compileFilter, type Expression, type Predicate } from './expression.js';
import { accountUsage, activeTags, forEachTagged } from './tags.js';

const HISTORY_DAYS = 14;
const COUNT_DAYS = 7;

type Measure = (i: CostedItem) => number;

const COST_METRICS: Record<string, Measure> = {
  UNBLENDED_COST: (i) => i.unblendedCost,
  NET_UNBLENDED_COST: (i) => i.unblendedCost,
  AMORTIZED_COST: (i) => i.amortizedCost,
  NET_AMORTIZED_COST: (i) => i.amortizedCost,
  BLENDED_COST: (i) => i.blendedCost,
};
const USAGE_METRICS: Record<string, Measure> = {
  USAGE_QUANTITY: (i) => (isUsage(i) ? i.quantity : 0),
  NORMALIZED_USAGE_AMOUNT: normalizedUsage,
};

/** Event usage (counts) has no accrual of its own: it is projected from its recent average. */
const METRIC_ENUM = ['BLENDED_COST', 'UNBLENDED_COST', 'AMORTIZED_COST', 'NET_UNBLENDED_COST', 'NET_AMORTIZED_COST', 'USAGE_QUANTITY', 'NORMALIZED_USAGE_AMOUNT'];

const isCount = (i: CostedItem): boolean => !('accrual' in i.line);

export interface ForecastBucket { startMs: number; endMs: number; mean: number; sigma: number }

/**
 * The forecast of `measure` over each bucket of [win.startMs, win.endMs) (which starts at or
 * after today's midnight). Also the units the usage is measured in, for GetUsageForecast.
 */
export function forecastBuckets(tx: Tx, account: string, win: Window, g: 'DAILY' | 'MONTHLY', nowMs: number, measure: Measure, filter: Predicate = () => true): { buckets: ForecastBucket[]; units: Set<string>; history: boolean } {
  const buckets = bucketsOf(win, g).map(([s, e]) => ({ startMs: s, endMs: e, mean: 0, sigma: 0 }));
  const at = (ms: number): ForecastBucket | undefined => buckets.find((b) => b.startMs <= ms && ms < b.endMs);
  const active = activeTags(tx, account);
  const units = new Set<string>();
  const take = (t: TaggedItem): boolean => {
    if (!filter(t)) return false;
    if (isUsage(t.item)) units.add(t.item.line.unit);
    return true;
  };
  // What accrued already inside the period (today so far).
  if (win.startMs < nowMs) {
    forEachTagged(accountUsage(tx, account, nowMs), active, { startMs: win.startMs, endMs: Math.min(nowMs, win.endMs) }, 'DAILY', (t) => {
      if (take(t)) at(t.item.startMs)!.mean += measure(t.item);
    });
  }
  // Open lines carried to the end: the meter's usage as if the clock stood at the period's end.
  const from = Math.max(nowMs, win.startMs);
  if (from < win.endMs) {
    forEachTagged(accountUsage(tx, account, win.endMs), active, { startMs: from, endMs: win.endMs }, 'DAILY', (t) => {
      if (!isCount(t.item) && take(t)) at(t.item.startMs)!.mean += measure(t.item);
    });
  }
  // History: the last 14 days' daily totals (their spread) and the last 7 days' events (their rate).
  const today = Math.floor(nowMs / DAY) * DAY;
  const daily = new Array<number>(HISTORY_DAYS).fill(0);
  let events = 0;
  let history = false;
  forEachTagged(accountUsage(tx, account, nowMs), active, { startMs: today - HISTORY_DAYS * DAY, endMs: today }, 'DAILY', (t) => {
    history = true;
    if (!filter(t)) return;
    const d = Math.floor((t.item.startMs - (today - HISTORY_DAYS * DAY)) / DAY);
    daily[d]! += measure(t.item);
    if (isCount(t.item) && t.item.startMs >= today - COUNT_DAYS * DAY) events += measure(t.item);
  });
  const perDay = events / COUNT_DAYS;
  const mean = daily.reduce((a, b) => a + b, 0) / HISTORY_DAYS;
  const sd = Math.sqrt(daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (HISTORY_DAYS - 1));
  for (const b of buckets) {
    const ahead = Math.max(0, b.endMs - Math.max(nowMs, b.startMs)) / DAY;
    b.mean += perDay * ahead;
    b.sigma = sd * Math.sqrt(ahead);
  }
  return { buckets, units, history: history || buckets.some((b) => b.mean > 0) };
}

/** Two-sided normal quantile for a confidence level in percent (Acklam's rational approximation). */
export function zFor(levelPct: number): number {
  const p = 0.5 + levelPct / 200;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const plow = 0.02425;
  if (p > 1 - plow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

interface ForecastInput {
  TimePeriod?: { Start?: string; End?: string };
  Metric?: string;
  Granularity?: CeGranularity;
  Filter?: Expression;
  PredictionIntervalLevel?: number;
}

function forecastPeriod(input: ForecastInput, nowMs: number): { win: Window; g: 'DAILY' | 'MONTHLY' } {
  const g = input.Granularity;
  checkEnum(g, GRANULARITIES, 'granularity');
  if (g !== 'DAILY' && g !== 'MONTHLY') throw validation(`Granularity ${g ?? ''} is not supported for forecasts. Supported values are DAILY and MONTHLY`);
  const s = input.TimePeriod?.Start ?? '';
  const e = input.TimePeriod?.End ?? '';
  const startMs = parseDate(s);
  const endMs = parseDate(e);
  if (startMs === undefined) throw validation(`Start date is invalid: ${s}`);
  if (endMs === undefined) throw validation(`End date is invalid: ${e}`);
  if (startMs >= endMs) throw validation(`Requested Start: ${s} must be before requested End: ${e}`);
  const today = Math.floor(nowMs / DAY) * DAY;
  if (startMs < today) throw validation(`Start date must be equal to or later than the current date: ${formatDate(today, 'DAILY')}`);
  // Three months of daily forecasts, eighteen of monthly ones.
  const limit = g === 'DAILY' ? Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth() + 3, new Date(today).getUTCDate()) : Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth() + 18, 1);
  if (endMs > limit) throw validation(`End date is too far in the future: a ${g} forecast can end no later than ${formatDate(limit, 'DAILY')}`);
  return { win: { startMs: Math.floor(startMs / DAY) * DAY, endMs: Math.ceil(endMs / DAY) * DAY }, g };
}

function answer(input: ForecastInput, buckets: ForecastBucket[], unit: string) {
  const level = input.PredictionIntervalLevel;
  const z = level !== undefined ? zFor(level) : 0;
  const bounds = (mean: number, sigma: number) => level === undefined ? {} : {
    PredictionIntervalLowerBound: amount(Math.max(0, mean - z * sigma)),
    PredictionIntervalUpperBound: amount(mean + z * sigma),
  };
  const total = buckets.reduce((a, b) => a + b.mean, 0);
  return {
    Total: { Amount: amount(total), Unit: unit },
    ForecastResultsByTime: buckets.map((b) => ({
      TimePeriod: { Start: formatDate(b.startMs, 'DAILY'), End: formatDate(b.endMs, 'DAILY') },
      MeanValue: amount(b.mean),
      ...bounds(b.mean, b.sigma),
    })),
  };
}

const noHistory = (): AwsError => new AwsError('DataUnavailableException', 'Insufficient amount of historical data to generate forecast.');

export const forecastHandlers: Record<string, Handler> = {
  GetCostForecast: (input: ForecastInput, ctx) => {
    checkEnum(input.Metric, METRIC_ENUM, 'metric');
    const measure = COST_METRICS[input.Metric ?? ''];
    if (!measure) throw validation(`Metric ${input.Metric ?? ''} is not supported for a cost forecast. Supported values are ${Object.keys(COST_METRICS).join(', ')}`);
    const nowMs = ctx.clock.nowMs();
    const { win, g } = forecastPeriod(input, nowMs);
    const filter = compileFilter(input.Filter);
    const { buckets, history } = forecastBuckets(ctx.tx, ctx.account, win, g, nowMs, measure, filter);
    if (!history) throw noHistory();
    return answer(input, buckets, 'USD');
  },

  GetUsageForecast: (input: ForecastInput, ctx) => {
    checkEnum(input.Metric, METRIC_ENUM, 'metric');
    const measure = USAGE_METRICS[input.Metric ?? ''];
    if (!measure) throw validation(`Metric ${input.Metric ?? ''} is not supported for a usage forecast. Supported values are ${Object.keys(USAGE_METRICS).join(', ')}`);
    const nowMs = ctx.clock.nowMs();
    const { win, g } = forecastPeriod(input, nowMs);
    const filter = compileFilter(input.Filter);
    const { buckets, units, history } = forecastBuckets(ctx.tx, ctx.account, win, g, nowMs, measure, filter);
    if (!history) throw noHistory();
    if (input.Metric === 'USAGE_QUANTITY' && units.size > 1) {
      throw new AwsError('UnresolvableUsageUnitException', 'Cost Explorer was unable to identify the usage unit. Provide UsageType/UsageTypeGroup filter selections that contain matching units, for example: hours.');
    }
    return answer(input, buckets, input.Metric === 'USAGE_QUANTITY' ? [...units][0] ?? 'N/A' : 'N/A');
  },
};

/**
 * For budgets: the forecast cost (unblended, or amortized) from today's midnight (or the window's
 * start, if later) to the window's end: today's accrued cost plus the run rate carried forward.
 * Add the actual cost before today for a month-end forecast.
 */
export function forecastCost(tx: Tx, account: string, win: Window, nowMs: number, opts: { amortized?: boolean; filter?: Predicate } = {}): number {
  const start = Math.max(win.startMs, Math.floor(nowMs / DAY) * DAY);
  if (start >= win.endMs) return 0;
  const measure: Measure = opts.amortized ? (i) => i.amortizedCost : (i) => i.unblendedCost;
  const { buckets } = forecastBuckets(tx, account, { startMs: start, endMs: win.endMs }, 'MONTHLY', nowMs, measure, opts.filter);
  return buckets.reduce((a, b) => a + b.mean, 0);
}
