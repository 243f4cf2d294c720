/**
 * The pure parts of Auto Scaling: which zone gets the next instance, which instance goes when
 * the group shrinks (termination policies), how a policy changes the desired capacity (simple,
 * step and target tracking), and when a cron recurrence next fires. No store access.
 */

export interface Candidate {
  id: string;
  zone: string;
  launchedMs: number;
  /** Launch template id/version or configuration name of the instance, and whether it is the group's current one. */
  current: boolean;
  /** Lower sorts older (template version number / configuration creation). */
  configAge: number;
  protected: boolean;
  spot?: boolean;
  instanceType?: string;
}

/** Zones to launch `n` instances in so the counts per zone stay as even as possible (ties: zone order). */
export function zonesForLaunch(zones: readonly string[], counts: Record<string, number>, n: number): string[] {
  const c: Record<string, number> = {};
  for (const z of zones) c[z] = counts[z] ?? 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let best = zones[0]!;
    for (const z of zones) if (c[z]! < c[best]!) best = z;
    c[best]!++;
    out.push(best);
  }
  return out;
}

/** The zones with the most instances among candidates (AZ balance first, as every policy does; tied zones together). */
function fullestZones(cands: readonly Candidate[]): Set<string> {
  const c = new Map<string, number>();
  for (const x of cands) c.set(x.zone, (c.get(x.zone) ?? 0) + 1);
  const top = Math.max(...c.values());
  return new Set([...c].filter(([, n]) => n === top).map(([z]) => z));
}

/** Ms left until the next full hour since launch (billing hour). */
const toBillingHour = (launchedMs: number, nowMs: number): number => {
  const h = 3_600_000;
  const used = (nowMs - launchedMs) % h;
  return h - used;
};

/**
 * Picks `n` instances to terminate. Protected instances never go. Each pick: the fullest zone
 * first (AZ rebalancing), then the group's termination policies in order (Default: oldest
 * launch configuration/template, then closest to the next billing hour, then random — here by
 * id for determinism), each narrowing the candidates.
 */
export function chooseTermination(all: readonly Candidate[], policies: readonly string[], n: number, nowMs: number): string[] {
  let pool = all.filter((c) => !c.protected);
  const out: string[] = [];
  const pols = policies.length ? policies : ['Default'];
  for (let k = 0; k < n && pool.length; k++) {
    const zones = fullestZones(pool);
    let cands = pool.filter((c) => zones.has(c.zone));
    for (const p of pols) {
      if (cands.length <= 1) break;
      const steps = p === 'Default' ? ['OldestLaunchConfiguration', 'OldestLaunchTemplate', 'ClosestToNextInstanceHour'] : [p];
      for (const s of steps) {
        if (cands.length <= 1) break;
        cands = narrow(cands, s, nowMs);
      }
    }
    cands = [...cands].sort((a, b) => a.id.localeCompare(b.id));
    const pick = cands[0]!;
    out.push(pick.id);
    pool = pool.filter((c) => c.id !== pick.id);
  }
  return out;
}

function narrow(c: Candidate[], policy: string, nowMs: number): Candidate[] {
  const keep = (score: (x: Candidate) => number): Candidate[] => {
    const best = Math.min(...c.map(score));
    return c.filter((x) => score(x) === best);
  };
  switch (policy) {
    case 'OldestInstance': return keep((x) => x.launchedMs);
    case 'NewestInstance': return keep((x) => -x.launchedMs);
    case 'OldestLaunchConfiguration':
    case 'OldestLaunchTemplate': {
      const stale = c.filter((x) => !x.current);
      return stale.length ? keep((x) => (x.current ? Infinity : x.configAge)) : c;
    }
    case 'ClosestToNextInstanceHour': return keep((x) => toBillingHour(x.launchedMs, nowMs));
    case 'AllocationStrategy': {
      const spot = c.filter((x) => x.spot);
      return spot.length ? spot : c;
    }
    default: return c;
  }
}

export interface StepAdjustment { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }

/**
 * The step whose interval holds `metric - threshold`: above the threshold the lower bound is
 * inclusive and the upper exclusive; below it the reverse (AWS's rule for StepAdjustments).
 */
export function stepFor(steps: readonly StepAdjustment[], metric: number, threshold: number): StepAdjustment | undefined {
  const d = metric - threshold;
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound ?? -Infinity;
    const hi = s.MetricIntervalUpperBound ?? Infinity;
    return d >= 0 ? lo <= d && d < hi : lo < d && d <= hi;
  });
}

/**
 * The new desired capacity for an adjustment of a type, clamped to [min, max]. A percent change
 * rounds toward zero, except that a change between -1 and 1 becomes -1 or 1, and is at least
 * MinAdjustmentMagnitude in size.
 */
export function applyAdjustment(type: string, adjustment: number, current: number, min: number, max: number, minMagnitude?: number): number {
  let next: number;
  if (type === 'ExactCapacity') next = adjustment;
  else if (type === 'PercentChangeInCapacity') {
    const raw = (current * adjustment) / 100;
    let delta = Math.abs(raw) < 1 && raw !== 0 ? Math.sign(raw) : Math.trunc(raw);
    if (minMagnitude && Math.abs(delta) < minMagnitude && adjustment !== 0) delta = Math.sign(adjustment) * minMagnitude;
    next = current + delta;
  } else next = current + adjustment;
  return Math.max(min, Math.min(max, next));
}

/**
 * Target tracking: the capacity that brings the metric to the target (proportional: the
 * metric's load spread over more or fewer instances), rounded up so the metric ends at or
 * under the target; clamped to [min, max]. `scaleIn` false keeps the current capacity as a floor.
 */
export function targetCapacity(current: number, metric: number, target: number, min: number, max: number, scaleIn = true): number {
  if (target <= 0 || !Number.isFinite(metric)) return current;
  const base = Math.max(current, 1);
  let next = Math.ceil((base * metric) / target - 1e-9);
  if (!scaleIn && next < current) next = current;
  if (next < current && current === 0) next = 0;
  return Math.max(min, Math.min(max, next));
}

/** The thresholds AWS gives a target tracking policy's two alarms. */
export function trackingThresholds(target: number): { high: number; low: number } {
  return { high: target, low: Number((target * 0.9).toFixed(10)) };
}

// --- cron (minute hour day-of-month month day-of-week, as PutScheduledUpdateGroupAction takes it) ---

function field(expr: string, lo: number, hi: number, names: string[] = []): Set<number> {
  const out = new Set<number>();
  for (const part of expr.split(',')) {
    const [rangePart, stepPart] = part.split('/');
    const step = stepPart ? Number(stepPart) : 1;
    let a = lo; let b = hi;
    const val = (s: string): number => {
      const i = names.indexOf(s.toLowerCase().slice(0, 3));
      const n = i >= 0 ? i + (lo === 0 ? 0 : lo) : Number(s);
      if (!Number.isInteger(n)) throw new Error(`bad cron value ${s}`);
      return n;
    };
    if (rangePart !== '*' && rangePart !== '?') {
      const [x, y] = rangePart!.split('-');
      a = val(x!); b = y !== undefined ? val(y) : (stepPart ? hi : a);
    }
    if (!Number.isInteger(step) || step < 1 || a < lo || b > hi + (hi === 6 ? 1 : 0) || a > b) throw new Error(`bad cron field ${part}`);
    for (let v = a; v <= b; v += step) out.add(hi === 6 && v === 7 ? 0 : v);
  }
  return out;
}

export interface Cron { min: Set<number>; hour: Set<number>; dom: Set<number>; mon: Set<number>; dow: Set<number>; domAny: boolean; dowAny: boolean }

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function parseCron(expr: string): Cron {
  const p = expr.trim().split(/\s+/);
  if (p.length !== 5) throw new Error('a recurrence has five fields');
  return {
    min: field(p[0]!, 0, 59), hour: field(p[1]!, 0, 23), dom: field(p[2]!, 1, 31), mon: field(p[3]!, 1, 12, MONTHS),
    dow: field(p[4]!, 0, 6, DAYS), domAny: p[2] === '*' || p[2] === '?', dowAny: p[4] === '*' || p[4] === '?',
  };
}

/** Wall-clock parts of an instant in a time zone (UTC when none). */
function partsIn(ms: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number; dow: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
  const o: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) o[x.type] = x.value;
  return { y: Number(o.year), mo: Number(o.month), d: Number(o.day), h: Number(o.hour) % 24, mi: Number(o.minute), dow: DAYS.indexOf(o.weekday!.toLowerCase().slice(0, 3)) };
}

/** The first minute strictly after `afterMs` that the cron matches in time zone `tz`. */
export function nextCron(expr: string, afterMs: number, tz = 'UTC'): number | undefined {
  const c = parseCron(expr);
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const limit = t + 366 * 2 * 86_400_000;
  while (t < limit) {
    const p = partsIn(t, tz);
    const dayOk = c.domAny && c.dowAny ? true : c.domAny ? c.dow.has(p.dow) : c.dowAny ? c.dom.has(p.d) : c.dom.has(p.d) || c.dow.has(p.dow);
    if (!c.mon.has(p.mo) || !dayOk) { t += 86_400_000 - (p.h * 60 + p.mi) * 60_000; t = Math.floor(t / 60_000) * 60_000; continue; }
    if (!c.hour.has(p.h)) { t += (60 - p.mi) * 60_000; continue; }
    if (!c.min.has(p.mi)) { t += 60_000; continue; }
    return t;
  }
  return undefined;
}
