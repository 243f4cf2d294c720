/**
 * Load curves of the workload model: what a load setting asks for over time, as a CPU percent
 * or a request rate per second. A constant, a linear ramp (from the time it was set, over a
 * duration, then holding the end value) or a daily curve (a cosine between a trough and a peak,
 * the peak at a given UTC hour). Pure.
 */
import { parseDuration } from '../../core/clock.js';

export type Curve =
  | { kind: 'constant'; value: number }
  | { kind: 'ramp'; from: number; to: number; startMs: number; overMs: number }
  | { kind: 'daily'; peak: number; trough: number; peakHour: number };

const HOUR = 3_600_000;

/** The curve's value at a clock time. */
export function curveAt(c: Curve, atMs: number): number {
  switch (c.kind) {
    case 'constant': return c.value;
    case 'ramp': {
      if (c.overMs <= 0 || atMs >= c.startMs + c.overMs) return c.to;
      if (atMs <= c.startMs) return c.from;
      return c.from + ((c.to - c.from) * (atMs - c.startMs)) / c.overMs;
    }
    case 'daily': {
      const hourOfDay = ((atMs % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR) / HOUR;
      const phase = (2 * Math.PI * (hourOfDay - c.peakHour)) / 24;
      return c.trough + ((c.peak - c.trough) * (1 + Math.cos(phase))) / 2;
    }
  }
}

/** The curve's mean over [fromMs, toMs): exact for constants and ramps, midpoint rule per minute for the daily curve. */
export function curveMean(c: Curve, fromMs: number, toMs: number): number {
  if (toMs <= fromMs || c.kind === 'constant') return curveAt(c, fromMs);
  if (c.kind === 'ramp') {
    // Piecewise linear: integrate the three pieces.
    const pts = [fromMs, Math.min(Math.max(c.startMs, fromMs), toMs), Math.min(Math.max(c.startMs + c.overMs, fromMs), toMs), toMs];
    let area = 0;
    for (let i = 0; i < 3; i++) area += ((curveAt(c, pts[i]!) + curveAt(c, pts[i + 1]!)) / 2) * (pts[i + 1]! - pts[i]!);
    return area / (toMs - fromMs);
  }
  const n = Math.max(1, Math.round((toMs - fromMs) / 60_000));
  let s = 0;
  for (let i = 0; i < n; i++) s += curveAt(c, fromMs + ((i + 0.5) * (toMs - fromMs)) / n);
  return s / n;
}

export class LoadSpecError extends Error {}

/** "85%" or "85" -> 85 (0..100). */
export function parsePercent(s: string, what = '--cpu'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(s);
  const v = m ? Number(m[1]) : NaN;
  if (!(v >= 0 && v <= 100)) throw new LoadSpecError(`${what} takes a percentage from 0% to 100%, e.g. 85%, got ${JSON.stringify(s)}`);
  return v;
}

/** "1200/s", "1200", "72000/m", "4.32M/h" -> requests per second. */
export function parseRate(s: string, what = '--requests'): number {
  const m = /^\s*(\d+(?:\.\d+)?)([kKM]?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/.exec(s);
  if (!m) throw new LoadSpecError(`${what} takes a request rate such as 1200/s (or /m, /h), got ${JSON.stringify(s)}`);
  const mult = m[2] === 'k' || m[2] === 'K' ? 1e3 : m[2] === 'M' ? 1e6 : 1;
  const per = !m[3] || m[3].startsWith('s') ? 1 : m[3].startsWith('m') ? 60 : 3600;
  const v = (Number(m[1]) * mult) / per;
  if (!(v >= 0 && v <= 1e9)) throw new LoadSpecError(`${what}: ${JSON.stringify(s)} is out of range`);
  return v;
}

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** Whether a value is a byte rate ("5MB/s", "2GiB/h"): what --egress takes. */
export const isByteRate = (s: string): boolean => /\d\s*(?:[kKmMgGtT]i?)?[bB]\s*\//.test(s);

/** "5MB/s", "1.5GB/h", "200KiB/s", "30GB/d" -> bytes per second (MB = 10^6 bytes, MiB = 2^20). */
export function parseByteRate(s: string, what = '--egress'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*((?:[kKmMgGtT]i?)?[bB])\s*\/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$/.exec(s);
  const unit = m ? BYTE_UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new LoadSpecError(`${what} takes bytes per unit of time such as 5MB/s, 2GiB/h or 30GB/d, got ${JSON.stringify(s)}`);
  const per = m[3]!.startsWith('s') ? 1 : m[3]!.startsWith('m') ? 60 : m[3]!.startsWith('h') ? 3600 : 86_400;
  const v = (Number(m[1]) * unit) / per;
  if (!(v >= 0 && v <= 1e12)) throw new LoadSpecError(`${what}: ${JSON.stringify(s)} is out of range (at most 1 TB/s)`);
  return v;
}

/** How a curve is asked for: one value, "A..B" with `over` (a ramp), or daily with peak/trough/peak hour. */
export interface CurveAsk {
  /** "85%" | "1200/s" — a constant. */
  value?: string;
  /** "10%..90%" | "100/s..1200/s" — a ramp, with `over`. */
  ramp?: string;
  over?: string;
  /** A daily curve: peak and trough values, the peak's UTC hour (0..23, default 14). */
  daily?: { peak: string; trough: string; peakHour?: number };
}

/** Builds the curve a setting asks for; `parse` reads one value (percent or rate); `nowMs` starts a ramp. */
export function buildCurve(ask: CurveAsk, parse: (s: string) => number, nowMs: number): Curve {
  const given = [ask.value !== undefined, ask.ramp !== undefined, ask.daily !== undefined].filter(Boolean).length;
  if (given !== 1) throw new LoadSpecError('give one of: a value (85% or 1200/s), a ramp (--ramp A..B --over DURATION) or a daily curve (--daily --peak A --trough B)');
  if (ask.value !== undefined) return { kind: 'constant', value: parse(ask.value) };
  if (ask.ramp !== undefined) {
    const parts = ask.ramp.split('..');
    if (parts.length !== 2) throw new LoadSpecError(`a ramp is FROM..TO, e.g. 10%..90%, got ${JSON.stringify(ask.ramp)}`);
    if (ask.over === undefined) throw new LoadSpecError('a ramp needs --over DURATION (e.g. 1h)');
    let overMs: number;
    try { overMs = parseDuration(ask.over); } catch (e) { throw new LoadSpecError(`--over: ${(e as Error).message}`); }
    if (!(overMs > 0)) throw new LoadSpecError('--over must be longer than zero');
    return { kind: 'ramp', from: parse(parts[0]!), to: parse(parts[1]!), startMs: nowMs, overMs };
  }
  const d = ask.daily!;
  const peakHour = d.peakHour ?? 14;
  if (!Number.isInteger(peakHour) || peakHour < 0 || peakHour > 23) throw new LoadSpecError(`the peak hour is a whole UTC hour 0..23, got ${peakHour}`);
  const peak = parse(d.peak); const trough = parse(d.trough);
  if (trough > peak) throw new LoadSpecError('the trough must not be above the peak');
  return { kind: 'daily', peak, trough, peakHour };
}

/** A curve in words (for `cloudlet load list`). */
export function describeCurve(c: Curve, unit: '%' | '/s' | 'B/s'): string {
  const bytes = (v: number) => {
    const [d, u] = v >= 1e9 ? [1e9, 'GB'] : v >= 1e6 ? [1e6, 'MB'] : v >= 1e3 ? [1e3, 'KB'] : [1, 'B'];
    return `${Math.round((v / d) * 100) / 100}${u}/s`;
  };
  const f = (v: number) => (unit === 'B/s' ? bytes(v) : `${Math.round(v * 100) / 100}${unit}`);
  switch (c.kind) {
    case 'constant': return f(c.value);
    case 'ramp': return `ramp ${f(c.from)}..${f(c.to)} over ${Math.round(c.overMs / 60_000)}m from ${new Date(c.startMs).toISOString()}`;
    case 'daily': return `daily ${f(c.trough)}..${f(c.peak)}, peak at ${String(c.peakHour).padStart(2, '0')}:00 UTC`;
  }
}
