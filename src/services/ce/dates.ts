/**
 * Cost Explorer's time periods: Start inclusive, End exclusive, as `YYYY-MM-DD` or (for hourly
 * data) `YYYY-MM-DDThh:mm:ssZ`, checked against the clock the way AWS checks them. Pure: every
 * rule takes `nowMs`.
 */
import { AwsError } from '../../core/errors.js';
import { monthStart, nextMonth } from '../cost/usage.js';

export type CeGranularity = 'DAILY' | 'MONTHLY' | 'HOURLY';

const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Cost Explorer keeps hourly (and resource-level) data this long. */
export const HOURLY_DAYS = 14;
/** ...and the bill this many months back (longer only with multi-year data, which cloudlet does not offer). */
export const RETAINED_MONTHS = 14;

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})Z)?$/;

export const validation = (message: string): AwsError => new AwsError('ValidationException', message);

/** The model's enums are checked here, with the JSON services' constraint message. */
export function checkEnum(value: string | undefined, allowed: readonly string[], member: string): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
}

export const GRANULARITIES = ['DAILY', 'MONTHLY', 'HOURLY'] as const;
/** The model's Dimension enum. */
export const DIMENSIONS = [
  'AZ', 'INSTANCE_TYPE', 'LINKED_ACCOUNT', 'PAYER_ACCOUNT', 'LINKED_ACCOUNT_NAME', 'OPERATION', 'PURCHASE_TYPE', 'REGION', 'SERVICE',
  'SERVICE_CODE', 'USAGE_TYPE', 'USAGE_TYPE_GROUP', 'RECORD_TYPE', 'OPERATING_SYSTEM', 'TENANCY', 'SCOPE', 'PLATFORM', 'SUBSCRIPTION_ID',
  'LEGAL_ENTITY_NAME', 'DEPLOYMENT_OPTION', 'DATABASE_ENGINE', 'CACHE_ENGINE', 'INSTANCE_TYPE_FAMILY', 'BILLING_ENTITY', 'RESERVATION_ID',
  'RESOURCE_ID', 'RIGHTSIZING_TYPE', 'SAVINGS_PLANS_TYPE', 'SAVINGS_PLAN_ARN', 'PAYMENT_OPTION', 'AGREEMENT_END_DATE_TIME_AFTER',
  'AGREEMENT_END_DATE_TIME_BEFORE', 'INVOICING_ENTITY', 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', 'ANOMALY_TOTAL_IMPACT_PERCENTAGE',
] as const;
export const MATCH_OPTIONS = ['EQUALS', 'ABSENT', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'CASE_SENSITIVE', 'CASE_INSENSITIVE', 'GREATER_THAN_OR_EQUAL'] as const;

/** Milliseconds of a Cost Explorer date, or undefined when it is no real date. */
export function parseDate(s: string): number | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', se = '0'] = m.slice(1).map((x) => x ?? '0') as string[];
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +se);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== +y! || back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || back.getUTCHours() !== +h) return undefined;
  return ms;
}

/** How AWS writes a period's bounds back: a date, or a date and hour for HOURLY. */
export function formatDate(ms: number, g: CeGranularity | undefined): string {
  const iso = new Date(ms).toISOString();
  return g === 'HOURLY' ? `${iso.slice(0, 19)}Z` : iso.slice(0, 10);
}

/** The same day-of-month `months` earlier (clamped to the month's last day), at 00:00 UTC. */
export function monthsBefore(ms: number, months: number): number {
  const d = new Date(ms);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1);
  const last = new Date(nextMonth(first) - DAY).getUTCDate();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, Math.min(d.getUTCDate(), last));
}

export interface Period { startMs: number; endMs: number }

/**
 * A GetCostAndUsage-style period: real dates, Start before End, End no later than the first of
 * next month, HOURLY only within the last 14 days, and nothing older than the retained bill.
 */
export function usagePeriod(tp: { Start?: string; End?: string } | undefined, g: CeGranularity | undefined, nowMs: number, opts: { hourlyOnly?: boolean } = {}): Period {
  const startMs = parseDate(tp?.Start ?? '');
  const endMs = parseDate(tp?.End ?? '');
  if (startMs === undefined) throw validation(`Start date is invalid: ${tp?.Start ?? ''}`);
  if (endMs === undefined) throw validation(`End date is invalid: ${tp?.End ?? ''}`);
  if (startMs >= endMs) throw validation('Start date (and hour) should be before end date (and hour)');
  if (endMs > nextMonth(nowMs)) throw validation('end date past the beginning of next month');
  const today = Math.floor(nowMs / DAY) * DAY;
  if ((g === 'HOURLY' || opts.hourlyOnly) && startMs < today - HOURLY_DAYS * DAY) {
    throw validation(`Start date is more than ${HOURLY_DAYS} days ago for hourly granularity. Please adjust start date as we support only ${HOURLY_DAYS} days of data at hourly granularity.`);
  }
  if (startMs < monthsBefore(today, RETAINED_MONTHS)) {
    if (startMs !== monthStart(startMs)) throw validation('To retrieve data beyond the past 14 months, your start date needs to be the first day of the month.');
    throw new AwsError('BillExpirationException', 'The requested report expired. Update the date interval and try again.');
  }
  if (g !== 'HOURLY' && (startMs % DAY !== 0 || endMs % DAY !== 0)) {
    // Daily and monthly data has no hours: a time of day on either bound is dropped, as the console does.
    const s = Math.floor(startMs / DAY) * DAY;
    const e = Math.ceil(endMs / DAY) * DAY;
    return { startMs: s, endMs: e };
  }
  if (g === 'HOURLY' && (startMs % HOUR !== 0 || endMs % HOUR !== 0)) throw validation('Start and end of an hourly time period must be whole hours');
  return { startMs, endMs };
}

/** The buckets of a period: UTC hours, days or calendar months, the first and last cut to the period. */
export function bucketsOf(p: Period, g: CeGranularity): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = p.startMs; s < p.endMs;) {
    const e = g === 'HOURLY' ? Math.floor(s / HOUR) * HOUR + HOUR : g === 'DAILY' ? Math.floor(s / DAY) * DAY + DAY : nextMonth(s);
    out.push([s, Math.min(e, p.endMs)]);
    s = Math.min(e, p.endMs);
  }
  return out;
}
