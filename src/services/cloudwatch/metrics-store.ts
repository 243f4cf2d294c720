/**
 * CloudWatch metric storage: what PutMetricData and the fleet's emitted metrics write, and what
 * GetMetricStatistics, GetMetricData and alarms read.
 *
 * Rows, per {account, region}:
 *   cloudwatch:metric   id = metricKey(id)   one per metric: its identity and lastPutMs (ListMetrics,
 *                                           RecentlyActive), oldestHourMs (retention pruning)
 *   cloudwatch:points   id = metricKey(id) + SEP + hour   one per metric per clock hour: up to 60
 *                       aggregated datapoints (one per minute; one per second for high-resolution
 *                       data), each {n, s, lo, hi} and the raw values with counts (capped) for
 *                       percentiles, encoded by points-codec.ts (a datapoint of one value is a
 *                       number, equal ones in a row one run). A day of 1-minute data is 24 rows.
 * Retention as AWS documents: data older than 455 days is gone (pruned as newer data arrives, never
 * returned); sub-minute periods only for the last 3 hours, then 1-minute periods for 15 days,
 * 5-minute for 63 days, 1-hour beyond (a query whose StartTime is older than a rule allows gets
 * no datapoints, as AWS answers).
 */
import type { Scope, Tx } from '../../store/types.js';
import { billCustomMetricHour } from './custom-metric-meter.js';
import { addValues, appendToRun, decodeRow, encodeRow, entryKey, forEachEntry, type Entry, type PointsRow } from './points-codec.js';
import { FIVE_MINUTE_AGE_MS, HOUR_AGE_MS, rollDay } from './points-rollup.js';

export interface MetricId { namespace: string; name: string; dimensions: Array<{ Name: string; Value: string }> }

export interface PointInput {
  atMs: number;
  value?: number;
  values?: number[];
  counts?: number[];
  stats?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  /** 1: high resolution (kept to the second); 60 (default): standard, kept to the minute. */
  storageResolution?: number;
}

export const METRIC_KIND = 'cloudwatch:metric';
export const POINTS_KIND = 'cloudwatch:points';

export interface MetricRow {
  ns: string; name: string; dims: Array<{ Name: string; Value: string }>; lastPutMs: number; oldestHourMs: number; units?: string[];
  /** The last clock hour a PutMetricData to this custom metric was billed for (custom-metric-meter.ts). */
  billedHourMs?: number;
  /** Days before these are kept in 5-minute and in 1-hour slots, one row per day (points-rollup.ts). */
  rolled5Ms?: number;
  rolled60Ms?: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
export const RETENTION_MS = 455 * DAY;
/** Between the metric key and the hour in a points row id (points-buffer.ts reads ids by it too). */
export const SEP = '\u0002';

const dimsKey = (dims: MetricId['dimensions']): string =>
  [...dims].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map((d) => `${d.Name}\u0003${d.Value}`).join('\u0001');

export function metricKey(id: MetricId): string {
  return `${id.namespace}\u0000${id.name}\u0000${dimsKey(id.dimensions)}`;
}

const hourId = (key: string, hourMs: number): string => `${key}${SEP}${String(hourMs).padStart(15, '0')}`;

/** Present on a deferring transaction (points-buffer.ts): where putDatapoints hands its points instead of writing. */
export const DEFER_POINTS = Symbol('cloudwatch.deferPoints');
export type DeferPoints = (scope: Scope, key: string, id: MetricId, unit: string | undefined, points: PointInput[]) => void;

/** Writes datapoints for one metric (the caller validated them); held back when the transaction defers them. */
export function putDatapoints(tx: Tx, scope: Scope, id: MetricId, unit: string | undefined, points: PointInput[]): void {
  const defer = (tx as Tx & { [DEFER_POINTS]?: DeferPoints })[DEFER_POINTS];
  if (defer) { if (points.length) defer(scope, metricKey(id), id, unit, points); return; }
  putDatapointsAt(tx, scope, id, unit, points, undefined);
}

/** ListMetrics' "last put" moves in steps of a minute at least (fewer rewrites of the metric row; RecentlyActive is by the hour). */
const TOUCH_STEP_MS = 60_000;

/**
 * putDatapoints, and `putMs` (PutMetricData's request time) counts as the metric's last put
 * (RecentlyActive is about when data arrived; emitted metrics count from their timestamps).
 */
export function putDatapointsAt(tx: Tx, scope: Scope, id: MetricId, unit: string | undefined, points: PointInput[], putMs: number | undefined): void {
  if (points.length === 0) return;
  const key = metricKey(id);
  const u = unit && unit !== 'None' ? unit : undefined;
  // Per hour touched: the stored row, and its datapoints decoded once a write needs more than the run fast path.
  const rows = new Map<number, { row: PointsRow; all?: Map<string, Entry> }>();
  let newest = -Infinity;
  let oldestHour = Infinity;
  for (const p of points) {
    const hour = Math.floor(p.atMs / HOUR) * HOUR;
    const gran = p.storageResolution !== undefined && p.storageResolution < 60 ? 1000 : 60_000;
    const off = Math.floor((p.atMs - hour) / gran) * gran / 1000;
    const vals = p.values ?? (p.value !== undefined && !p.stats ? [p.value] : []);
    if (!p.stats && vals.length === 0) continue; // nothing measured
    let r = rows.get(hour);
    if (!r) { r = { row: tx.get<PointsRow>(scope, POINTS_KIND, hourId(key, hour)) ?? {} }; rows.set(hour, r); }
    newest = Math.max(newest, p.atMs);
    oldestHour = Math.min(oldestHour, hour);
    const one = !p.stats && vals.length === 1 && (p.counts?.[0] ?? 1) === 1;
    if (one && !r.all && appendToRun(r.row, off, u, vals[0]!)) continue;
    const all = r.all ?? (r.all = decodeRow(r.row));
    const ek = entryKey(off, u);
    let e = all.get(ek);
    if (!e) { e = { n: 0, s: 0, lo: Infinity, hi: -Infinity, ...(u ? { u } : {}) }; all.set(ek, e); }
    if (p.stats) {
      e.n += p.stats.SampleCount; e.s += p.stats.Sum;
      e.lo = Math.min(e.lo, p.stats.Minimum); e.hi = Math.max(e.hi, p.stats.Maximum);
    }
    for (let i = 0; i < vals.length; i++) {
      const x = vals[i]!; const c = p.counts?.[i] ?? 1;
      e.n += c; e.s += x * c; if (x < e.lo) e.lo = x; if (x > e.hi) e.hi = x;
    }
    if (vals.length) addValues(e, vals, p.values ? p.counts : undefined);
  }
  if (rows.size === 0) return;
  for (const [hour, r] of rows) tx.put(scope, POINTS_KIND, hourId(key, hour), r.all ? encodeRow(r.all) : r.row);
  const m = tx.get<MetricRow>(scope, METRIC_KIND, key);
  const lastPut = Math.max(newest, putMs ?? -Infinity);
  const billedHour = putMs !== undefined ? billCustomMetricHour(tx, scope, id.namespace, m?.billedHourMs, putMs) : m?.billedHourMs;
  if (m && lastPut < m.lastPutMs + TOUCH_STEP_MS && oldestHour >= m.oldestHourMs && (!u || m.units?.includes(u)) && billedHour === m.billedHourMs) return;
  const units = new Set(m?.units ?? []);
  if (u) units.add(u);
  const next: MetricRow = {
    ns: id.namespace, name: id.name, dims: [...id.dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)),
    lastPutMs: Math.max(m?.lastPutMs ?? -Infinity, lastPut), oldestHourMs: Math.min(m?.oldestHourMs ?? Infinity, oldestHour),
    ...(units.size ? { units: [...units] } : {}),
    ...(billedHour !== undefined ? { billedHourMs: billedHour } : {}),
    ...(m?.rolled5Ms !== undefined ? { rolled5Ms: m.rolled5Ms } : {}),
    ...(m?.rolled60Ms !== undefined ? { rolled60Ms: m.rolled60Ms } : {}),
  };
  // Retention: hours older than 455 days before the newest datapoint are deleted (whole days
  // where data is kept in day rows: a day row reaching past the cutoff stays, readers skip its older slots).
  const hourCut = Math.floor((next.lastPutMs - RETENTION_MS) / HOUR) * HOUR;
  const cutoff = next.rolled60Ms !== undefined && hourCut < next.rolled60Ms ? Math.floor(hourCut / DAY) * DAY : hourCut;
  if (next.oldestHourMs < cutoff) {
    for (const r of tx.list(scope, POINTS_KIND, { gte: hourId(key, 0), lt: hourId(key, cutoff) })) tx.delete(scope, POINTS_KIND, r.id);
    next.oldestHourMs = cutoff;
  }
  rollUp(tx, scope, key, next);
  tx.put(scope, METRIC_KIND, key, next);
}

const baseOf = (rowId: string): number => Number(rowId.slice(rowId.lastIndexOf(SEP) + 1));

/**
 * Retention roll-up (points-rollup.ts): each whole day older than 15 days before the newest
 * datapoint becomes one row of 5-minute slots, older than 63 days one of 1-hour slots. The day
 * row takes the id of the day's first hour (its offsets count from the day's start), so readers
 * find it as they find hour rows. Runs when the metric row is rewritten; each day is rolled once per tier.
 */
function rollUp(tx: Tx, scope: Scope, key: string, m: MetricRow): void {
  const firstDay = Math.floor(m.oldestHourMs / DAY) * DAY;
  const tiers: Array<[number, number, 'rolled5Ms' | 'rolled60Ms']> = [[FIVE_MINUTE_AGE_MS, 300, 'rolled5Ms'], [HOUR_AGE_MS, 3600, 'rolled60Ms']];
  for (const [age, granS, field] of tiers) {
    const line = Math.floor((m.lastPutMs - age) / DAY) * DAY;
    const from = Math.max(firstDay, m[field] ?? -Infinity);
    for (let d = from; d < line; d += DAY) {
      const rows = tx.list<PointsRow>(scope, POINTS_KIND, { gte: hourId(key, d), lt: hourId(key, d + DAY) });
      if (rows.length === 0) continue;
      const dayId = hourId(key, d);
      for (const r of rows) if (r.id !== dayId) tx.delete(scope, POINTS_KIND, r.id);
      tx.put(scope, POINTS_KIND, dayId, rollDay(rows.map((r) => ({ baseMs: baseOf(r.id), row: r.value })), d, granS));
    }
    if (line > (m[field] ?? -Infinity)) m[field] = line;
  }
}

export function listMetricRows(tx: Tx, scope: Scope, namespace?: string, name?: string): MetricRow[] {
  const prefix = namespace === undefined ? undefined : name === undefined ? `${namespace}\u0000` : `${namespace}\u0000${name}\u0000`;
  return tx.list<MetricRow>(scope, METRIC_KIND, prefix ? { prefix } : {}).map((r) => r.value);
}

/** The aggregate of one period: counts, sums, extremes, and the values (with counts) when known. */
export interface Agg { n: number; s: number; lo: number; hi: number; vals: number[]; exact: boolean }

/** The period start for a query starting at fromMs: rounded as CloudWatch rounds StartTime. */
export function alignStart(fromMs: number, periodS: number, nowMs?: number): number {
  if (periodS < 60) return Math.floor(fromMs / (periodS * 1000)) * periodS * 1000;
  const age = nowMs === undefined ? 0 : nowMs - fromMs;
  const unit = age > 63 * DAY ? HOUR : age > 15 * DAY ? 300_000 : 60_000;
  return Math.floor(fromMs / unit) * unit;
}

/** The period length a StartTime this old requires (AWS: otherwise no datapoints). */
export function requiredPeriodMultiple(fromMs: number, nowMs: number): number {
  const age = nowMs - fromMs;
  return age > 63 * DAY ? 3600 : age > 15 * DAY ? 300 : age > 3 * HOUR ? 60 : 1;
}

/** Aggregates per period (period starts aligned; periods without data absent). */
export function aggregate(tx: Tx, scope: Scope, id: MetricId, fromMs: number, toMs: number, periodS: number, opts: { unit?: string; nowMs?: number } = {}): Map<number, Agg> {
  const out = new Map<number, Agg>();
  if (!(periodS > 0) || toMs <= fromMs) return out;
  if (opts.nowMs !== undefined && periodS % requiredPeriodMultiple(fromMs, opts.nowMs) !== 0) return out;
  const start = alignStart(fromMs, periodS, opts.nowMs);
  const floorMs = opts.nowMs === undefined ? -Infinity : opts.nowMs - RETENTION_MS;
  const key = metricKey(id);
  const pMs = periodS * 1000;
  const wantUnit = opts.unit && opts.unit !== 'None' ? opts.unit : undefined;
  const startHour = Math.max(0, Math.floor(start / HOUR) * HOUR);
  const rows = tx.list<PointsRow>(scope, POINTS_KIND, { gte: hourId(key, startHour), lt: hourId(key, Math.max(0, toMs)) });
  // A day row (data rolled up past 15 days) starting before the start's hour may hold slots after it.
  const startDay = Math.max(0, Math.floor(start / DAY) * DAY);
  const rolledCould = opts.nowMs === undefined || startDay + DAY <= opts.nowMs - FIVE_MINUTE_AGE_MS;
  if (startDay < startHour && rolledCould) {
    const day = tx.get<PointsRow>(scope, POINTS_KIND, hourId(key, startDay));
    if (day) rows.unshift({ id: hourId(key, startDay), value: day });
  }
  for (const r of rows) {
    const hour = baseOf(r.id);
    forEachEntry(r.value, (off, e) => {
      const at = hour + off * 1000;
      if (at < start || at >= toMs || at < floorMs) return;
      if (opts.unit !== undefined && e.u !== wantUnit) return;
      const p = start + Math.floor((at - start) / pMs) * pMs;
      let a = out.get(p);
      if (!a) { a = { n: 0, s: 0, lo: Infinity, hi: -Infinity, vals: [], exact: true }; out.set(p, a); }
      a.n += e.n; a.s += e.s; a.lo = Math.min(a.lo, e.lo); a.hi = Math.max(a.hi, e.hi);
      if (e.v) { for (const x of e.v) a.vals.push(x); let c = 0; for (let i = 1; i < e.v.length; i += 2) c += e.v[i]!; if (c !== e.n) a.exact = false; } else a.exact = false;
    });
  }
  return new Map([...out].sort((x, y) => x[0] - y[0]));
}

const PCT = /^(p|tm|wm|tc|ts)(\d{1,2}(?:\.\d{1,10})?|100)$/i;
const RANGE = /^(TM|WM|TC|TS|PR)\((\d+(?:\.\d+)?%?)?:(\d+(?:\.\d+)?%?)?\)$/i;

/** Whether `stat` names a statistic this store computes (the standard five, pNN, tmNN, wmNN, tcNN, tsNN, IQM, TM(a%:b%), PR(a:b)...). */
export function isStatistic(stat: string): boolean {
  return ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'].includes(stat) || stat === 'IQM' || PCT.test(stat) || RANGE.test(stat);
}

function sortedPairs(vals: number[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < vals.length; i += 2) pairs.push([vals[i]!, vals[i + 1]!]);
  return pairs.sort((a, b) => a[0] - b[0]);
}

/** Values between two ranks (fractions of the count), lo inclusive, hi inclusive. */
function trimmed(pairs: Array<[number, number]>, loF: number, hiF: number, total: number): { n: number; s: number; lo: number; hi: number } {
  const loR = loF * total; const hiR = hiF * total;
  let seen = 0; let n = 0; let s = 0; let lo = Infinity; let hi = -Infinity;
  for (const [x, c] of pairs) {
    const a = Math.max(seen, loR); const b = Math.min(seen + c, hiR);
    if (b > a) { n += b - a; s += x * (b - a); lo = Math.min(lo, x); hi = Math.max(hi, x); }
    seen += c;
  }
  return { n, s, lo, hi };
}

/** One statistic of an aggregate; undefined when it cannot be computed (percentiles of statistic sets). */
export function statOf(a: Agg, stat: string): number | undefined {
  switch (stat) {
    case 'SampleCount': return a.n;
    case 'Sum': return a.s;
    case 'Average': return a.n ? a.s / a.n : undefined;
    case 'Minimum': return a.lo;
    case 'Maximum': return a.hi;
  }
  let kind: string; let loF = 0; let hiF = 1; let abs: [number, number] | undefined;
  const m = PCT.exec(stat);
  if (stat === 'IQM') { kind = 'tm'; loF = 0.25; hiF = 0.75; }
  else if (m) {
    kind = m[1]!.toLowerCase(); const q = Number(m[2]) / 100;
    if (kind === 'p') {
      if (q === 0) return a.lo;
      if (q === 1) return a.hi;
    }
    hiF = q;
  } else {
    const r = RANGE.exec(stat);
    if (!r) return undefined;
    kind = r[1]!.toLowerCase();
    const pct = (x: string | undefined, d: number) => (x === undefined ? d : x.endsWith('%') ? Number(x.slice(0, -1)) / 100 : NaN);
    if (kind === 'pr') {
      abs = [r[2] === undefined ? -Infinity : Number(r[2].replace('%', '')), r[3] === undefined ? Infinity : Number(r[3].replace('%', ''))];
    } else {
      if ((r[2] && !r[2].endsWith('%')) || (r[3] && !r[3].endsWith('%'))) {
        // Absolute bounds: values between them.
        abs = [r[2] === undefined ? -Infinity : Number(r[2]), r[3] === undefined ? Infinity : Number(r[3])];
      } else { loF = pct(r[2], 0); hiF = pct(r[3], 1); }
    }
  }
  if (!a.vals.length) return undefined;
  const pairs = sortedPairs(a.vals);
  const total = pairs.reduce((t, p) => t + p[1], 0);
  if (abs) {
    let n = 0; let s = 0; let lo = Infinity; let hi = -Infinity;
    for (const [x, c] of pairs) if (x > abs[0] && x <= abs[1]) { n += c; s += x * c; lo = Math.min(lo, x); hi = Math.max(hi, x); }
    if (kind === 'pr') return total ? (n / total) * 100 : undefined;
    return kind === 'tc' ? n : kind === 'ts' ? s : n ? s / n : undefined;
  }
  if (kind === 'p') {
    // Nearest rank.
    const rank = Math.max(1, Math.ceil(hiF * total));
    let seen = 0;
    for (const [x, c] of pairs) { seen += c; if (seen >= rank) return x; }
    return pairs[pairs.length - 1]![0];
  }
  if (kind === 'wm') {
    const t = trimmed(pairs, loF, hiF, total);
    // Winsorized: values outside the bounds clamp to them.
    const below = loF * total; const above = (1 - hiF) * total;
    return total ? (t.s + below * t.lo + above * t.hi) / total : undefined;
  }
  const t = trimmed(pairs, loF, hiF, total);
  if (kind === 'tc') return t.n;
  if (kind === 'ts') return t.s;
  return t.n ? t.s / t.n : undefined;
}

/** One entry per period with data (period starts aligned as CloudWatch aligns them). */
export function statistic(tx: Tx, scope: Scope, id: MetricId, stat: string, fromMs: number, toMs: number, periodS: number,
  opts: { unit?: string; nowMs?: number } = {}): Array<{ atMs: number; value: number }> {
  const out: Array<{ atMs: number; value: number }> = [];
  for (const [atMs, a] of aggregate(tx, scope, id, fromMs, toMs, periodS, opts)) {
    const v = statOf(a, stat);
    if (v !== undefined && Number.isFinite(v)) out.push({ atMs, value: v });
  }
  return out;
}
