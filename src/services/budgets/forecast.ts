/**
 * FORECASTED spend: what the period will have cost at its end if the spend goes on as it does
 * now. cloudlet projects the recent run rate (the spend of the last 24 hours of the period, or
 * of the period so far when it is younger) over the time left, and adds the spend so far. AWS
 * forecasts from a learned model of the account's history and needs weeks of data before its
 * first forecast; cloudlet's meter knows exactly what accrues now, so its forecast is the
 * run rate from the first evaluation on (a documented difference).
 */
import type { Period } from './periods.js';

const DAY = 86_400_000;

/** The window whose spend gives the run rate at `atMs`. Empty (start = end) at the period's first instant. */
export function rateWindow(period: Period, atMs: number): Period {
  return { startMs: Math.max(period.startMs, atMs - DAY), endMs: Math.min(atMs, period.endMs) };
}

/**
 * The period's forecast: spend so far + (recent spend / recent time) x time left. Undefined
 * while there is no time to measure a rate over (AWS shows no forecast then either).
 */
export function forecastSpend(o: { actual: number; period: Period; atMs: number; recentSpend: number; window: Period }): number | undefined {
  const measured = o.window.endMs - o.window.startMs;
  if (measured <= 0) return undefined;
  const left = Math.max(0, o.period.endMs - Math.max(o.atMs, o.period.startMs));
  return o.actual + (o.recentSpend / measured) * left;
}
