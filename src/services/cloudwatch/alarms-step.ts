/**
 * The "alarms" fleet step: every alarm due at an instant is evaluated in one batch (alarms on
 * the same metric, statistic and window share one read of the metric), state changes are
 * recorded with their reasons, actions run, and composite alarms that name a changed alarm
 * re-evaluate at once (as on AWS, where composites follow their children).
 *
 * Schedule: a metric alarm evaluates at the end of each of its periods (a 1-minute alarm every
 * minute, a 5-minute one at :00, :05, ...; high-resolution alarms every 10 or 30 seconds),
 * over the periods ending then: the fleet's metrics step runs first at the same instant, so the
 * period just ended is complete. While an alarm stays in a state with Auto Scaling actions, those
 * actions repeat every minute (AWS: "the alarm continues to invoke the action once per minute");
 * every other action runs only on a state change.
 *
 * nextDue is one row read (cloudwatch:alarm-next, the head of the due queue).
 */
import type { Scope, Tx } from '../../store/types.js';
import type { FleetStep } from '../fleet/engine.js';
import type { RequestContext } from '../types.js';
import { actionKind, actionsOf, runActions, type ActionPorts } from './alarm-actions.js';
import { evaluateAlarm, EXTRA_RANGE_PERIODS, type Evaluation } from './alarms-evaluate.js';
import { addHistory, stateHistory } from './alarms-history.js';
import { evalRule, parseRule } from './alarms-rule.js';
import {
  getAlarm, nextAlarmDue, withReason, parentsOf, saveAlarm, setRepeat, takeDue,
  type AlarmRecord, type AlarmState, type CompositeAlarmRecord, type MetricAlarmRecord,
} from './alarms-records.js';
import { evaluateOne, MathError, type SeriesInput } from './metric-math.js';
import { aggregate, metricKey, statOf, type Agg, type MetricId } from './metrics-store.js';

const MINUTE = 60_000;

/**
 * Per-instant metric reads: one aggregation per metric, period and unit over the widest range
 * the instant's alarms need, each statistic derived from it once (alarms on one metric share it).
 */
interface Read { fromMs: number; aggs?: Map<number, Agg>; stats: Map<string, Map<number, number>> }
type Reads = Map<string, Read>;

const readKey = (id: MetricId, periodS: number, unit?: string) => `${metricKey(id)}\u0001${periodS}\u0001${unit ?? ''}`;

/** Widens the shared read of this alarm's metric to its range (before the batch reads anything). */
function plan(reads: Reads, a: MetricAlarmRecord, atMs: number): void {
  if (!a.metric) return;
  const k = readKey(a.metric, a.periodS, a.unit);
  const fromMs = atMs - (a.evaluationPeriods + EXTRA_RANGE_PERIODS) * a.periodS * 1000;
  const r = reads.get(k);
  if (!r) reads.set(k, { fromMs, stats: new Map() });
  else if (fromMs < r.fromMs) r.fromMs = fromMs;
}

function read(tx: Tx, scope: Scope, reads: Reads, id: MetricId, stat: string, fromMs: number, toMs: number, periodS: number, unit?: string): Map<number, number> {
  const k = readKey(id, periodS, unit);
  let r = reads.get(k);
  if (!r || r.fromMs > fromMs) { r = { fromMs, stats: new Map() }; reads.set(k, r); }
  // Read again at each instant: the metrics step may write a period that ended earlier (basic
  // monitoring's 5-minute datapoints land at the period's start).
  r.aggs ??= aggregate(tx, scope, id, r.fromMs, toMs, periodS, unit ? { unit } : {});
  let m = r.stats.get(stat);
  if (!m) {
    m = new Map();
    for (const [at, agg] of r.aggs) {
      const v = statOf(agg, stat);
      if (v !== undefined && Number.isFinite(v)) m.set(at, v);
    }
    r.stats.set(stat, m);
  }
  return m;
}

/** The datapoints an alarm evaluates at `atMs`, and their sample counts when low counts matter. */
export function alarmPoints(tx: Tx, scope: Scope, a: MetricAlarmRecord, atMs: number, reads: Reads = new Map()): { points: Map<number, number>; samples?: Map<number, number> } {
  const P = a.periodS * 1000;
  const fromMs = atMs - (a.evaluationPeriods + EXTRA_RANGE_PERIODS) * P;
  if (a.metric) {
    const stat = a.extendedStatistic ?? a.statistic!;
    const points = read(tx, scope, reads, a.metric, stat, fromMs, atMs, a.periodS, a.unit);
    const samples = a.extendedStatistic ? read(tx, scope, reads, a.metric, 'SampleCount', fromMs, atMs, a.periodS, a.unit) : undefined;
    return { points, ...(samples ? { samples } : {}) };
  }
  const series: Record<string, SeriesInput> = {};
  const out = a.metrics!.find((q) => q.ReturnData !== false)!;
  for (const q of a.metrics!) {
    if (!q.MetricStat) continue;
    const m = q.MetricStat;
    const id: MetricId = { namespace: m.Metric.Namespace, name: m.Metric.MetricName, dimensions: m.Metric.Dimensions ?? [] };
    const pts = read(tx, scope, reads, id, m.Stat, fromMs, atMs, m.Period, m.Unit);
    series[q.Id] = [...pts].filter(([t]) => t >= fromMs && t < atMs).map(([t, value]) => ({ atMs: t, value }));
  }
  if (out.MetricStat) return { points: new Map(series[out.Id]!.map((p) => [p.atMs, p.value])) };
  // Expressions are evaluated in their listed order, each seeing those before it.
  try {
    for (const q of a.metrics!) {
      if (!q.Expression) continue;
      series[q.Id] = evaluateOne(q.Expression, series, { periodS: a.periodS, startMs: fromMs, endMs: atMs });
    }
  } catch (e) {
    if (e instanceof MathError) return { points: new Map() };
    throw e;
  }
  return { points: new Map((series[out.Id] ?? []).filter((p) => p.atMs >= fromMs && p.atMs < atMs).map((p) => [p.atMs, p.value])) };
}

function hasAsgActions(a: AlarmRecord, state: AlarmState): boolean {
  return a.actionsEnabled && actionsOf(a, state).some((arn) => actionKind(arn) === 'autoscaling');
}

/** Moves the alarm to `state` at atMs: history, actions, repeat schedule. Returns whether it changed. */
export function transition(sys: RequestContext, ports: ActionPorts, a: AlarmRecord, next: { state: AlarmState; reason: string; reasonData: string }, atMs: number, metricValue?: number): boolean {
  if (next.state === a.state) return false;
  withReason(sys.tx, sys.scope, a);
  const old = { state: a.state, reason: a.stateReason, reasonData: a.stateReasonData };
  a.state = next.state;
  a.stateReason = next.reason;
  a.stateReasonData = next.reasonData;
  a.stateUpdatedMs = atMs;
  a.stateTransitionedMs = atMs;
  addHistory(sys.tx, sys.scope, stateHistory(a, atMs, old));
  if (a.type === 'CompositeAlarm' && suppressed(sys, a, atMs)) {
    // Suppressed: no actions; the reason is on the alarm.
  } else {
    runActions(sys, ports, a, old.state, metricValue === undefined ? {} : { metricValue });
  }
  if (a.type === 'MetricAlarm') setRepeat(sys.tx, sys.scope, a.name, hasAsgActions(a, a.state) ? atMs + MINUTE : undefined, metricValue);
  return true;
}

function suppressed(sys: RequestContext, a: CompositeAlarmRecord, atMs: number): boolean {
  delete a.suppressedBy;
  delete a.suppressedReason;
  if (!a.suppressor) return false;
  const s = getAlarm(sys.tx, sys.scope, a.suppressor);
  if (!s) return false;
  if (s.state === 'ALARM') {
    a.suppressedBy = 'Alarm';
    a.suppressedReason = `Alarm is in ALARM state because ${s.arn} is in ALARM state`;
    return true;
  }
  const ext = (a.suppressorExtensionS ?? 60) * 1000;
  if (s.stateTransitionedMs + ext > atMs && s.stateTransitionedMs < atMs) {
    a.suppressedBy = 'ExtensionPeriod';
    a.suppressedReason = `Actions suppressed by ExtensionPeriod: ${s.arn} left ALARM state less than ${ext / 1000} seconds ago`;
    return true;
  }
  return false;
}

const longDate = (ms: number): string => {
  const d = new Date(ms);
  const day = d.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
  const month = d.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  const two = (n: number) => String(n).padStart(2, '0');
  return `${day} ${two(d.getUTCDate())} ${month}, ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
};

/** A composite alarm's state from its rule now; `trigger` is the child that changed (for the reason). */
export function evaluateComposite(tx: Tx, scope: Scope, c: CompositeAlarmRecord, trigger?: AlarmRecord): { state: AlarmState; reason: string; reasonData: string } {
  const value = evalRule(parseRule(c.rule), (name) => getAlarm(tx, scope, name)?.state);
  const state: AlarmState = value ? 'ALARM' : 'OK';
  const t = trigger ?? (c.children.map((n) => getAlarm(tx, scope, n)).filter((x): x is AlarmRecord => !!x).sort((x, y) => y.stateUpdatedMs - x.stateUpdatedMs)[0]);
  const reason = t ? `${t.arn} transitioned to ${t.state} at ${longDate(t.stateUpdatedMs)}` : `Rule ${value ? 'TRUE' : 'FALSE'}`;
  const reasonData = t ? JSON.stringify({ triggeringAlarms: [{ arn: t.arn, state: { value: t.state, timestamp: new Date(t.stateUpdatedMs).toISOString().replace('Z', '+0000') } }] }) : '{}';
  return { state, reason, reasonData };
}

/** Re-evaluates the composites above the changed alarms, transitively (each at most a few times: rules are acyclic). */
export function propagate(sys: RequestContext, ports: ActionPorts, changed: string[], atMs: number): void {
  const queue = [...changed];
  let guard = 0;
  while (queue.length && guard++ < 10_000) {
    const child = getAlarm(sys.tx, sys.scope, queue.shift()!);
    if (!child) continue;
    for (const p of parentsOf(sys.tx, sys.scope, child.name)) {
      const c = getAlarm(sys.tx, sys.scope, p);
      if (!c || c.type !== 'CompositeAlarm') continue;
      if (transition(sys, ports, c, evaluateComposite(sys.tx, sys.scope, c, child), atMs)) {
        saveAlarm(sys.tx, sys.scope, c);
        queue.push(c.name);
      }
    }
  }
}

/** Evaluates one metric alarm at atMs (an evaluation instant) and records what follows. Returns whether its state changed. */
export function evaluateNow(sys: RequestContext, ports: ActionPorts, a: MetricAlarmRecord, atMs: number, reads: Reads = new Map()): boolean {
  const { points, samples } = alarmPoints(sys.tx, sys.scope, a, atMs, reads);
  const ev: Evaluation | undefined = evaluateAlarm({ alarm: a, atMs, points, ...(samples ? { samples } : {}) });
  if (!ev) return false;
  return transition(sys, ports, a, ev, atMs, ev.metricValue);
}

function setRepeatValue(sys: RequestContext, name: string, value: number | undefined): void {
  if (value === undefined) return;
  const row = sys.tx.get<{ repeat?: Record<string, [number, number?]> }>(sys.scope, 'cloudwatch:alarm-next', 'next');
  const cur = row?.repeat?.[name];
  if (cur && cur[1] !== value) setRepeat(sys.tx, sys.scope, name, cur[0], value);
}

export function alarmsStep(ports: () => ActionPorts): FleetStep {
  return {
    name: 'alarms',
    nextDue: (tx, scope) => nextAlarmDue(tx, scope),
    run(sys, atMs) {
      const reads: Reads = new Map();
      const changed: string[] = [];
      const p = ports();
      const due: MetricAlarmRecord[] = [];
      const work = takeDue(sys.tx, sys.scope, atMs);
      for (const name of work.evaluate) {
        const a = getAlarm(sys.tx, sys.scope, name, { reason: false });
        if (!a || a.type !== 'MetricAlarm') continue;
        due.push(a);
        plan(reads, a, atMs);
      }
      const latest = new Map<string, number>();
      for (const a of due) {
        const { points, samples } = alarmPoints(sys.tx, sys.scope, a, atMs, reads);
        const ev = evaluateAlarm({ alarm: a, atMs, points, ...(samples ? { samples } : {}) });
        if (!ev) continue;
        if (ev.metricValue !== undefined) latest.set(a.name, ev.metricValue);
        if (transition(sys, p, a, ev, atMs, ev.metricValue)) {
          saveAlarm(sys.tx, sys.scope, a);
          changed.push(a.name);
        } else if (hasAsgActions(a, a.state)) {
          // The repeat carries the newest value (step scaling sizes its step by it).
          setRepeatValue(sys, a.name, ev.metricValue);
        }
      }
      for (const [name, queuedValue] of work.repeat) {
        const value = latest.get(name) ?? queuedValue;
        const a = getAlarm(sys.tx, sys.scope, name, { reason: false });
        if (!a || a.type !== 'MetricAlarm' || !hasAsgActions(a, a.state) || changed.includes(name)) continue;
        runActions(sys, p, a, a.state, { only: 'autoscaling', ...(value !== undefined ? { metricValue: value } : {}) });
        setRepeat(sys.tx, sys.scope, name, atMs + MINUTE, value);
      }
      if (changed.length) propagate(sys, p, changed, atMs);
    },
  };
}
