/**
 * Retention roll-up, as CloudWatch keeps data: 1-minute (and finer) datapoints are available for
 * 15 days, then as 5-minute datapoints until 63 days, then as 1-hour datapoints until 455 days.
 * A query reaching further back than those ages must ask for a period of 5 minutes or an hour
 * (metrics-store's requiredPeriodMultiple; otherwise it gets nothing), aligned to that unit, so
 * every period it can ask for is a union of whole 5-minute (or hour) slots: merging the finer
 * datapoints into those slots changes no answer, and bounds what a metric keeps to
 * 15 x 1440 + 48 x 288 + 392 x 24 slots whatever runs for a year.
 *
 * rollDay is the pure step: the rows of one day (hour rows, or a day row rolled before) merged
 * into one row whose base is the day's start and whose slots are `granS` seconds; counts, sums
 * and extremes add up, kept values (for percentiles) merge as PutMetricData's values do (past
 * 500 distinct values in one slot they fold into the nearest kept ones, so percentiles of old,
 * very varied data are close rather than exact).
 */
import { addValues, encodeRow, entryKey, forEachEntry, type Entry, type PointsRow } from './points-codec.js';

export const DAY_MS = 86_400_000;
/** Data older than this (before the newest datapoint) is kept in 5-minute slots. */
export const FIVE_MINUTE_AGE_MS = 15 * DAY_MS;
/** Data older than this is kept in 1-hour slots. */
export const HOUR_AGE_MS = 63 * DAY_MS;

/** One day's rows (each with the clock time its offsets count from) as one row of `granS`-second slots based at dayMs. */
export function rollDay(rows: Array<{ baseMs: number; row: PointsRow }>, dayMs: number, granS: number): PointsRow {
  const out = new Map<string, Entry>();
  for (const { baseMs, row } of rows) {
    forEachEntry(row, (off, e) => {
      const at = (baseMs - dayMs) / 1000 + off;
      const slot = Math.floor(at / granS) * granS;
      const k = entryKey(slot, e.u);
      const into = out.get(k);
      if (!into) { out.set(k, { n: e.n, s: e.s, lo: e.lo, hi: e.hi, ...(e.u ? { u: e.u } : {}), ...(e.v ? { v: [...e.v] } : {}) }); return; }
      mergeEntry(into, e);
    });
  }
  return encodeRow(out);
}

function mergeEntry(into: Entry, e: Entry): void {
  into.n += e.n; into.s += e.s; into.lo = Math.min(into.lo, e.lo); into.hi = Math.max(into.hi, e.hi);
  // Kept values merge (equal values add their counts); an entry without them (a statistic set)
  // leaves the count above its values' total, which readers already take as "not exact".
  if (!e.v) return;
  const vals: number[] = []; const counts: number[] = [];
  for (let i = 0; i < e.v.length; i += 2) { vals.push(e.v[i]!); counts.push(e.v[i + 1]!); }
  addValues(into, vals, counts);
}
