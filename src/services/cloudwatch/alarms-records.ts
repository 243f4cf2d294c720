/**
 * CloudWatch alarms as stored, and the rows that schedule their evaluation.
 *
 * Per scope:
 *   cloudwatch:alarm          id = alarm name: the alarm (metric or composite), its state, its schedule
 *   cloudwatch:alarm-due      id = `${pad(dueMs)}\0${name}`: the evaluation queue, in time order
 *   cloudwatch:alarm-next     id 'next': the earliest due time in the queue (the step's nextDue is one read)
 *   cloudwatch:alarm-parent   id = `${child}\0${parent}`: which composite alarms name which alarm
 *   cloudwatch:alarm-history  id = `${name}\0${pad(atMs)}${seq}`: history items (alarms-history.ts)
 */
import type { Scope, Tx } from '../../store/types.js';
import { poke } from '../fleet/engine.js';
import type { MetricId } from './metrics-store.js';

export const ALARM = 'cloudwatch:alarm';
export const ALARM_DUE = 'cloudwatch:alarm-due';
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

const pad = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(15, '0');
const dueId = (dueMs: number, name: string): string => `${pad(dueMs)}\u0000${name}`;

export function getAlarm(tx: Tx, scope: Scope, name: string): AlarmRecord | undefined {
  return tx.get<AlarmRecord>(scope, ALARM, name);
}

/**
 * Stores the alarm and keeps its queue entry and the scope's earliest due time in step with
 * `dueMs` (pass the record as it was stored before, if any, to move its queue entry).
 */
export function saveAlarm(tx: Tx, scope: Scope, a: AlarmRecord, before?: AlarmRecord, opts: { deferNext?: boolean } = {}): void {
  if (before?.dueMs !== undefined && before.dueMs !== a.dueMs) tx.delete(scope, ALARM_DUE, dueId(before.dueMs, before.name));
  tx.put(scope, ALARM, a.name, a);
  if (a.dueMs !== undefined && a.dueMs !== before?.dueMs) {
    tx.put(scope, ALARM_DUE, dueId(a.dueMs, a.name), a.name);
    if (!opts.deferNext) lowerNext(tx, scope, a.dueMs);
  }
}

export function deleteAlarmRow(tx: Tx, scope: Scope, a: AlarmRecord): void {
  if (a.dueMs !== undefined) tx.delete(scope, ALARM_DUE, dueId(a.dueMs, a.name));
  tx.delete(scope, ALARM, a.name);
}

function lowerNext(tx: Tx, scope: Scope, dueMs: number): void {
  const cur = tx.get<{ dueMs?: number }>(scope, ALARM_NEXT, 'next');
  if (cur?.dueMs !== undefined && cur.dueMs <= dueMs) return;
  tx.put(scope, ALARM_NEXT, 'next', { dueMs });
  poke(tx, scope, dueMs);
}

/** The step's nextDue: one row read. */
export function nextAlarmDue(tx: Tx, scope: Scope): number | undefined {
  return tx.get<{ dueMs?: number }>(scope, ALARM_NEXT, 'next')?.dueMs;
}

/** Recomputes the earliest due time from the head of the queue (after a batch ran). */
export function refreshNext(tx: Tx, scope: Scope): void {
  const head = tx.list<string>(scope, ALARM_DUE, { limit: 1 })[0];
  if (!head) { tx.delete(scope, ALARM_NEXT, 'next'); return; }
  const dueMs = Number(head.id.slice(0, 15));
  tx.put(scope, ALARM_NEXT, 'next', { dueMs });
  poke(tx, scope, dueMs);
}

/** Alarm names due at or before atMs, in due order. */
export function dueAlarmNames(tx: Tx, scope: Scope, atMs: number): string[] {
  return tx.list<string>(scope, ALARM_DUE, { lt: pad(atMs + 1) }).map((r) => r.value);
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
