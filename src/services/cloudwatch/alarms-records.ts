/**
 * CloudWatch alarms as stored, and the rows that schedule their evaluation.
 *
 * Per scope:
 *   cloudwatch:alarm          id = alarm name: the alarm (metric or composite), its state, its schedule
 *   cloudwatch:alarm-period, -next: the evaluation schedule (below)
 *   cloudwatch:alarm-parent   id = `${child}\0${parent}`: which composite alarms name which alarm
 *   cloudwatch:alarm-history  id = `${name}\0${pad(atMs)}${seq}`: history items (alarms-history.ts)
 */
import type { Scope, Tx } from '../../store/types.js';
import { poke } from '../fleet/engine.js';
import type { MetricId } from './metrics-store.js';

export const ALARM = 'cloudwatch:alarm';
export const ALARM_NEXT = 'cloudwatch:alarm-next';
export const ALARM_PARENT = 'cloudwatch:alarm-parent';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One entry of a metric math alarm's Metrics[]. */
export interface AlarmQuery {
  Id: string;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> }; Period: number; Stat: string; Unit?: string };
}

interface AlarmBase {
  name: string;
  arn: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedMs: number;
  stateTransitionedMs: number;
  configUpdatedMs: number;
  tags: Array<{ Key: string; Value: string }>;
  /** Next time the step looks at this alarm (evaluation or a repeated Auto Scaling action); absent: never. */
  dueMs?: number;
}

export interface MetricAlarmRecord extends AlarmBase {
  type: 'MetricAlarm';
  metric?: MetricId;
  statistic?: string;
  extendedStatistic?: string;
  periodS: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  /** DatapointsToAlarm was not given (it defaults to EvaluationPeriods and DescribeAlarms leaves it out, as AWS does). */
  datapointsToAlarmUnset?: true;
  threshold?: number;
  thresholdMetricId?: string;
  comparison: string;
  treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  evaluateLowSampleCountPercentile?: 'evaluate' | 'ignore';
  metrics?: AlarmQuery[];
  /** Next period end at which the alarm evaluates. */
  nextEvalMs: number;
  /** Next minute an Auto Scaling action repeats while the alarm stays in its state (AWS: once a minute). */
  nextRepeatMs?: number;
  /** The newest value the last evaluation saw (what repeated Auto Scaling actions report). */
  lastValue?: number;
}

export interface CompositeAlarmRecord extends AlarmBase {
  type: 'CompositeAlarm';
  rule: string;
  /** Alarm names the rule reads. */
  children: string[];
  suppressor?: string;
  suppressorWaitS?: number;
  suppressorExtensionS?: number;
  /** Set when actions are suppressed. */
  suppressedBy?: 'WaitPeriod' | 'ExtensionPeriod' | 'Alarm';
  suppressedReason?: string;
}

export type AlarmRecord = MetricAlarmRecord | CompositeAlarmRecord;

export const alarmArn = (scope: Scope, name: string): string => `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;

/*
 * The schedule. A metric alarm evaluates at the ends of its periods, aligned to the epoch, so
 * the alarms due at an instant t are those whose period divides t: per scope, rows of alarm
 * names by period (sharded) and one summary row say everything, and an evaluation that changes
 * nothing writes nothing. Auto Scaling actions that repeat each minute are a small map of their
 * own in the summary.
 *   cloudwatch:alarm-period  id = `${periodS}\0${shard}`: names of the metric alarms with that period
 *   cloudwatch:alarm-next    id 'next': {periods: {P: count}, lastMs, repeat: {name: [atMs, value?]}}
 * Parsed alarms are kept per transaction (a settle evaluates the same alarms at every instant).
 */
export const ALARM_PERIOD = 'cloudwatch:alarm-period';
const SHARDS = 16;
interface Summary { periods: Record<string, number>; lastMs: number; repeat: Record<string, [number, number?]> }

function shardOf(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return Math.abs(h) % SHARDS;
}

const memo = new WeakMap<Tx, Map<string, AlarmRecord | null>>();
function memoOf(tx: Tx): Map<string, AlarmRecord | null> {
  let m = memo.get(tx);
  if (!m) { m = new Map(); memo.set(tx, m); }
  return m;
}

/** The state reason and its data live in their own row: an evaluation reads the alarm without them. */
export const ALARM_REASON = 'cloudwatch:alarm-reason';

/** Adds the reason row to a record read without it. */
export function withReason<T extends AlarmRecord>(tx: Tx, scope: Scope, a: T): T {
  if (a.stateReason !== undefined) return a;
  const r = tx.get<{ r: string; d?: string }>(scope, ALARM_REASON, a.name);
  a.stateReason = r?.r ?? '';
  if (r?.d) a.stateReasonData = r.d;
  return a;
}

/** The alarm (and, unless told otherwise, its state reason). The object is the transaction's copy: save it after changing it. */
export function getAlarm(tx: Tx, scope: Scope, name: string, opts: { reason?: boolean } = {}): AlarmRecord | undefined {
  const m = memoOf(tx);
  const key = `${scope.account}\u0000${scope.region}\u0000${name}`;
  let a = m.get(key);
  if (a === undefined) {
    a = tx.get<AlarmRecord>(scope, ALARM, name) ?? null;
    m.set(key, a);
  }
  if (!a) return undefined;
  if (opts.reason !== false) withReason(tx, scope, a);
  return a;
}

function summary(tx: Tx, scope: Scope): Summary {
  return tx.get<Summary>(scope, ALARM_NEXT, 'next') ?? { periods: {}, lastMs: 0, repeat: {} };
}

function putSummary(tx: Tx, scope: Scope, s: Summary): void {
  tx.put(scope, ALARM_NEXT, 'next', s);
  const d = dueOf(s);
  if (d !== undefined) poke(tx, scope, d);
}

function dueOf(s: Summary): number | undefined {
  let d = Infinity;
  for (const p of Object.keys(s.periods)) d = Math.min(d, nextPeriodEnd(s.lastMs, Number(p)));
  for (const [at] of Object.values(s.repeat)) d = Math.min(d, at);
  return Number.isFinite(d) ? d : undefined;
}

function membership(tx: Tx, scope: Scope, name: string, periodS: number, add: boolean, nowMs: number): void {
  const id = `${periodS}\u0000${shardOf(name)}`;
  const cur = tx.get<string[]>(scope, ALARM_PERIOD, id) ?? [];
  const has = cur.includes(name);
  if (add === has) return;
  const next = add ? [...cur, name] : cur.filter((n) => n !== name);
  if (next.length) tx.put(scope, ALARM_PERIOD, id, next); else tx.delete(scope, ALARM_PERIOD, id);
  const s = summary(tx, scope);
  const k = String(periodS);
  s.periods[k] = (s.periods[k] ?? 0) + (add ? 1 : -1);
  if (s.periods[k]! <= 0) delete s.periods[k];
  // Settled up to now already (requests settle first), so no other period ends between lastMs and
  // now: moving lastMs to now keeps their due times and starts the new alarm at its next period end.
  if (add) s.lastMs = Math.max(s.lastMs, nowMs);
  putSummary(tx, scope, s);
}

/** Schedules (or stops) the alarm's repeated Auto Scaling actions. */
export function setRepeat(tx: Tx, scope: Scope, name: string, atMs: number | undefined, value?: number): void {
  const s = summary(tx, scope);
  if (atMs === undefined) {
    if (!(name in s.repeat)) return;
    delete s.repeat[name];
  } else s.repeat[name] = value === undefined ? [atMs] : [atMs, value];
  putSummary(tx, scope, s);
}

/**
 * Stores the alarm. A metric alarm joins its period's row (leaving the old one when the period
 * changed); `opts.nowMs` is when it was created or changed (the first evaluation is the next period end).
 */
export function saveAlarm(tx: Tx, scope: Scope, a: AlarmRecord, before?: AlarmRecord, opts: { nowMs?: number } = {}): void {
  const { dueMs, nextEvalMs, nextRepeatMs, lastValue, stateReason, stateReasonData, ...rest } = a as MetricAlarmRecord;
  void dueMs; void nextEvalMs; void nextRepeatMs; void lastValue;
  if (stateReason !== undefined) tx.put(scope, ALARM_REASON, a.name, { r: stateReason, ...(stateReasonData ? { d: stateReasonData } : {}) });
  tx.put(scope, ALARM, a.name, rest);
  memoOf(tx).set(`${scope.account}\u0000${scope.region}\u0000${a.name}`, a);
  if (a.type !== 'MetricAlarm') return;
  const now = opts.nowMs ?? a.configUpdatedMs;
  if (before?.type === 'MetricAlarm' && before.periodS !== a.periodS) membership(tx, scope, a.name, before.periodS, false, now);
  membership(tx, scope, a.name, a.periodS, true, now);
}

export function deleteAlarmRow(tx: Tx, scope: Scope, a: AlarmRecord): void {
  tx.delete(scope, ALARM_REASON, a.name);
  tx.delete(scope, ALARM, a.name);
  memoOf(tx).set(`${scope.account}\u0000${scope.region}\u0000${a.name}`, null);
  if (a.type === 'MetricAlarm') {
    membership(tx, scope, a.name, a.periodS, false, a.configUpdatedMs);
    setRepeat(tx, scope, a.name, undefined);
  }
}

/** The step's nextDue: one row read. */
export function nextAlarmDue(tx: Tx, scope: Scope): number | undefined {
  const s = tx.get<Summary>(scope, ALARM_NEXT, 'next');
  return s ? dueOf(s) : undefined;
}

/** What falls due at atMs: the alarms to evaluate (their period ends then) and the repeats; marks the instant done. */
export function takeDue(tx: Tx, scope: Scope, atMs: number): { evaluate: string[]; repeat: Array<[string, number | undefined]> } {
  const s = summary(tx, scope);
  const evaluate: string[] = [];
  for (const p of Object.keys(s.periods)) {
    if (nextPeriodEnd(s.lastMs, Number(p)) > atMs) continue;
    for (let sh = 0; sh < SHARDS; sh++) {
      const l = tx.get<string[]>(scope, ALARM_PERIOD, `${p}\u0000${sh}`);
      if (l) for (const n of l) evaluate.push(n);
    }
  }
  const repeat: Array<[string, number | undefined]> = [];
  for (const [n, [at, v]] of Object.entries(s.repeat)) {
    if (at > atMs) continue;
    repeat.push([n, v]);
    delete s.repeat[n];
  }
  s.lastMs = atMs;
  tx.put(scope, ALARM_NEXT, 'next', s);
  return { evaluate, repeat };
}

export function parentsOf(tx: Tx, scope: Scope, child: string): string[] {
  return tx.list<string>(scope, ALARM_PARENT, { prefix: `${child}\u0000` }).map((r) => r.value);
}

export function setChildren(tx: Tx, scope: Scope, parent: string, before: string[], after: string[]): void {
  for (const c of before) if (!after.includes(c)) tx.delete(scope, ALARM_PARENT, `${c}\u0000${parent}`);
  for (const c of after) tx.put(scope, ALARM_PARENT, `${c}\u0000${parent}`, parent);
}

/** The first period end after `afterMs` for a period of `periodS` seconds (ends aligned to the epoch, as CloudWatch aligns periods). */
export function nextPeriodEnd(afterMs: number, periodS: number): number {
  const p = periodS * 1000;
  return (Math.floor(afterMs / p) + 1) * p;
}
