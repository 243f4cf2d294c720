/**
 * How one stored hour of a metric (a cloudwatch:points row) is encoded, so that what is stored
 * grows with how much the data varies, not with how many datapoints there are: an emitted
 * metric that holds still (an idle instance's StatusCheckFailed is 0 every minute, its CPU the
 * same few percent every five) is one run per hour, not sixty objects.
 *
 * A row holds, per datapoint slot (its offset in seconds from the row's base time, and its unit):
 *   e: entries as before, {n, s, lo, hi, u?, v?} (rows written before runs existed hold only these)
 *      or a bare number x for a datapoint of one value x (n 1, sum = min = max = x, values [x, 1]);
 *   r: runs [unit, firstOffset, stepS, count, x]: the single value x at firstOffset,
 *      firstOffset + stepS, ... (count slots).
 * Decoding gives back exactly the entries that were written, so every reader (statistics,
 * percentiles, alarms) sees the same datapoints as before; encodeRow is canonical (runs of two
 * or more equal single values at one step), appendToRun the fast path for the emitter's
 * common write: the next slot of a run with the same value.
 */

/** One stored aggregated datapoint. v: flat [value, count, value, count, ...]. */
export interface Entry { n: number; s: number; lo: number; hi: number; u?: string; v?: number[] }
/** [unit ('' for none), first offset (s), step (s), count, value]. */
export type Run = [string, number, number, number, number];
export interface PointsRow { e?: Record<string, Entry | number>; r?: Run[] }

/** The entry key of a slot: its offset, and its unit when it has one (as rows have always been keyed). */
export const entryKey = (offS: number, unit: string | undefined): string => (unit ? `${offS}|${unit}` : String(offS));

const single = (x: number, u: string | undefined): Entry => ({ n: 1, s: x, lo: x, hi: x, ...(u ? { u } : {}), v: [x, 1] });

function unitOfKey(k: string): string | undefined {
  const bar = k.indexOf('|');
  return bar < 0 ? undefined : k.slice(bar + 1);
}

/** The value of an entry that is one datapoint of one value (storable as a bare number), else undefined. */
function singleValue(e: Entry): number | undefined {
  const v = e.v;
  return e.n === 1 && v !== undefined && v.length === 2 && v[1] === 1 && v[0] === e.s && e.s === e.lo && e.lo === e.hi ? e.s : undefined;
}

/** Calls fn for every stored datapoint of the row: its offset (s) and its entry (entries of bare numbers and runs are made fresh; stored objects are the row's own). */
export function forEachEntry(row: PointsRow, fn: (offS: number, e: Entry) => void): void {
  if (row.e) {
    for (const [k, e] of Object.entries(row.e)) {
      const off = parseInt(k, 10);
      fn(off, typeof e === 'number' ? single(e, unitOfKey(k)) : e);
    }
  }
  if (row.r) {
    for (const [u, first, step, count, x] of row.r) {
      for (let i = 0; i < count; i++) fn(first + i * step, single(x, u || undefined));
    }
  }
}

/** Every datapoint of the row by entry key, as plain entries (to change one and encode again). */
export function decodeRow(row: PointsRow): Map<string, Entry> {
  const out = new Map<string, Entry>();
  forEachEntry(row, (off, e) => { out.set(entryKey(off, e.u), e); });
  return out;
}

/** The canonical encoding of a row's datapoints: equal single values at one step become runs. */
export function encodeRow(entries: Map<string, Entry>): PointsRow {
  const e: Record<string, Entry | number> = {};
  const singles = new Map<string, Array<[number, number]>>(); // unit -> [offset, value]
  for (const [k, en] of entries) {
    const x = singleValue(en);
    if (x === undefined) { e[k] = en; continue; }
    const u = en.u ?? '';
    let list = singles.get(u);
    if (!list) singles.set(u, (list = []));
    list.push([parseInt(k, 10), x]);
  }
  const r: Run[] = [];
  for (const [u, list] of singles) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < list.length;) {
      const [off, x] = list[i]!;
      const next = list[i + 1];
      if (next && next[1] === x) {
        const step = next[0] - off;
        let j = i + 1;
        while (j + 1 < list.length && list[j + 1]![1] === x && list[j + 1]![0] - list[j]![0] === step) j++;
        r.push([u, off, step, j - i + 1, x]);
        i = j + 1;
      } else {
        e[entryKey(off, u || undefined)] = x;
        i++;
      }
    }
  }
  return { ...(Object.keys(e).length ? { e } : {}), ...(r.length ? { r } : {}) };
}

/**
 * The fast path of a write of one single-valued datapoint: when it is the next slot of a run
 * with the same unit and value, and that slot holds nothing yet, the run grows by one (the row
 * is changed in place) and true is returned; otherwise false and the row is untouched.
 */
export function appendToRun(row: PointsRow, offS: number, unit: string | undefined, x: number): boolean {
  const u = unit ?? '';
  const runs = row.r;
  if (!runs) return false;
  let hit: Run | undefined;
  for (const run of runs) {
    if (run[0] !== u) continue;
    const [, first, step, count] = run;
    if (offS >= first && offS < first + step * count && (offS - first) % step === 0) return false; // taken
    if (offS === first + step * count && run[4] === x) hit = run;
  }
  if (!hit || row.e?.[entryKey(offS, unit)] !== undefined) return false;
  hit[3]++;
  return true;
}

/** Distinct values kept per datapoint for percentiles; beyond, a value counts toward the nearest kept one. */
const VALUE_CAP = 500;

/** Adds values (with counts) to an entry's kept values. */
export function addValues(e: Entry, values: number[], counts: number[] | undefined): void {
  const v = e.v ?? (e.v = []);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    const c = counts?.[i] ?? 1;
    // The same value again (common: a gauge that holds still) only adds to its count.
    let same = -1;
    for (let j = 0; j < v.length; j += 2) if (v[j] === x) { same = j; break; }
    if (same >= 0) { v[same + 1]! += c; continue; }
    if (v.length < VALUE_CAP * 2) { v.push(x, c); continue; }
    // Capped: fold into the nearest kept value so counts stay right and percentiles stay close.
    let best = 0;
    for (let j = 2; j < v.length; j += 2) if (Math.abs(v[j]! - x) < Math.abs(v[best]! - x)) best = j;
    v[best + 1]! += c;
  }
}
