/**
 * Alarm history: what DescribeAlarmHistory shows. Items are kept per alarm in time order
 * (id = name \0 time \0 sequence); AWS keeps 30 days of history, so older items are pruned
 * whenever an alarm gains a new one. HistoryData is AWS's JSON for each type (StateUpdate:
 * old and new state with their reason data; ConfigurationUpdate: the alarm created, updated
 * or deleted; Action: the action's outcome).
 */
import type { DescribeAlarmHistoryInput, DescribeAlarmHistoryOutput } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken } from '../../core/page-token.js';
import type { RequestContext } from '../types.js';
import type { Scope, Tx } from '../../store/types.js';
import type { AlarmRecord, AlarmState } from './alarms-records.js';

export const ALARM_HISTORY = 'cloudwatch:alarm-history';
const RETAIN_MS = 30 * 24 * 3600 * 1000;

export type HistoryType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface HistoryItem {
  name: string;
  alarmType: 'MetricAlarm' | 'CompositeAlarm';
  atMs: number;
  type: HistoryType;
  summary: string;
  data: string;
}

const pad = (ms: number) => String(ms).padStart(15, '0');

const HISTORY_SEQ = 'cloudwatch:alarm-hseq';

/**
 * Appends an item. Ids come from a per-alarm counter row (no range read: a settle is one long
 * transaction, and range reads over rows it wrote grow with it); items older than 30 days are
 * pruned at most once a day per alarm.
 */
export function addHistory(tx: Tx, scope: Scope, item: HistoryItem): void {
  const prefix = `${item.name}\u0000`;
  const seq = tx.get<{ n: number; prunedMs: number }>(scope, HISTORY_SEQ, item.name) ?? { n: 0, prunedMs: item.atMs };
  tx.put(scope, ALARM_HISTORY, `${prefix}${pad(item.atMs)}\u0000${String(seq.n).padStart(9, '0')}`, item);
  seq.n++;
  if (item.atMs - seq.prunedMs > 24 * 3600 * 1000) {
    seq.prunedMs = item.atMs;
    for (const r of tx.list(scope, ALARM_HISTORY, { prefix, lt: `${prefix}${pad(item.atMs - RETAIN_MS)}` })) tx.delete(scope, ALARM_HISTORY, r.id);
  }
  tx.put(scope, HISTORY_SEQ, item.name, seq);
}

export function deleteHistory(tx: Tx, scope: Scope, name: string): void {
  tx.delete(scope, HISTORY_SEQ, name);
  for (const r of tx.list(scope, ALARM_HISTORY, { prefix: `${name}\u0000` })) tx.delete(scope, ALARM_HISTORY, r.id);
}

/** The StateUpdate item of a transition. */
export function stateHistory(a: AlarmRecord, atMs: number, old: { state: AlarmState; reason: string; reasonData?: string }): HistoryItem {
  const side = (v: AlarmState, r: string, d?: string) => `{"stateValue":"${v}","stateReason":${JSON.stringify(r)}${d ? `,"stateReasonData":${d}` : ''}}`;
  return {
    name: a.name, alarmType: a.type, atMs, type: 'StateUpdate',
    summary: `Alarm updated from ${old.state} to ${a.state}`,
    data: `{"version":"1.0","oldState":${side(old.state, old.reason, old.reasonData)},"newState":${side(a.state, a.stateReason, a.stateReasonData)}}`,
  };
}

/** The alarm's configuration as ConfigurationUpdate history shows it. */
function configOf(a: AlarmRecord): Record<string, unknown> {
  const base = {
    alarmName: a.name, alarmArn: a.arn, alarmDescription: a.description, actionsEnabled: a.actionsEnabled,
    okactions: a.okActions, alarmActions: a.alarmActions, insufficientDataActions: a.insufficientDataActions,
    timestamp: new Date(a.configUpdatedMs).toISOString().replace('Z', '+0000'),
  };
  if (a.type === 'CompositeAlarm') return { ...base, alarmRule: a.rule, actionsSuppressor: a.suppressor };
  return {
    ...base, namespace: a.metric?.namespace, metricName: a.metric?.name,
    dimensions: a.metric?.dimensions.map((d) => ({ name: d.Name, value: d.Value })),
    statistic: a.statistic?.toUpperCase(), extendedStatistic: a.extendedStatistic, period: a.periodS, unit: a.unit,
    evaluationPeriods: a.evaluationPeriods, datapointsToAlarm: a.datapointsToAlarm, threshold: a.threshold,
    comparisonOperator: a.comparison, treatMissingData: a.treatMissingData, metrics: a.metrics,
  };
}

export function configHistory(a: AlarmRecord, atMs: number, kind: 'Create' | 'Update' | 'Delete', before?: AlarmRecord): HistoryItem {
  const summary = kind === 'Create' ? `Alarm "${a.name}" created` : kind === 'Update' ? `Alarm "${a.name}" updated` : `Alarm "${a.name}" deleted`;
  const body: Record<string, unknown> = { version: '1.0', type: kind };
  if (kind === 'Create') body.createdAlarm = configOf(a);
  else if (kind === 'Update') { body.updatedAlarm = configOf(a); if (before) body.originalAlarm = configOf(before); }
  else body.deletedAlarm = configOf(a);
  return { name: a.name, alarmType: a.type, atMs, type: 'ConfigurationUpdate', summary, data: JSON.stringify(body) };
}

export function actionHistory(a: AlarmRecord, atMs: number, action: string, ok: boolean, detail: { published?: string; error?: string }): HistoryItem {
  const body: Record<string, unknown> = {
    actionState: ok ? 'Succeeded' : 'Failed', stateUpdateTimestamp: a.stateUpdatedMs,
    ...(action.startsWith('arn:aws:sns:') ? { notificationResource: action } : { actionResource: action }),
    ...(detail.published ? { publishedMessage: detail.published } : {}),
    ...(detail.error ? { error: detail.error } : {}),
  };
  return {
    name: a.name, alarmType: a.type, atMs, type: 'Action',
    summary: ok ? `Successfully executed action ${action}` : `Failed to execute action ${action}${detail.error ? `. Received error: "${detail.error}"` : ''}`,
    data: JSON.stringify(body),
  };
}

const TYPES = new Set(['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction']);

export function describeAlarmHistory(input: DescribeAlarmHistoryInput, ctx: RequestContext): DescribeAlarmHistoryOutput {
  const max = input.MaxRecords ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new AwsError('InvalidParameterValue', `The value ${max} for parameter MaxRecords is not valid.`);
  if (input.HistoryItemType && !TYPES.has(input.HistoryItemType)) throw new AwsError('InvalidParameterValue', `The value ${input.HistoryItemType} for parameter HistoryItemType is not valid.`);
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw new AwsError('InvalidParameterValue', `The value ${scanBy} for parameter ScanBy is not valid.`);
  const from = input.StartDate ? new Date(input.StartDate).getTime() : -Infinity;
  const to = input.EndDate ? new Date(input.EndDate).getTime() : Infinity;
  const types = input.AlarmTypes?.length ? new Set<string>(input.AlarmTypes) : undefined;
  const rows = tx(ctx).list<HistoryItem>(ctx.scope, ALARM_HISTORY, input.AlarmName ? { prefix: `${input.AlarmName}\u0000` } : {});
  const keyed = rows
    .filter((r) => r.value.atMs >= from && r.value.atMs <= to
      && (!input.HistoryItemType || r.value.type === input.HistoryItemType)
      && (!types || types.has(r.value.alarmType) || !types.size))
    .map((r) => ({ key: `${pad(r.value.atMs)}\u0000${r.id}`, item: r.value }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  if (scanBy === 'TimestampDescending') keyed.reverse();
  const binding = { service: 'cloudwatch', operation: 'DescribeAlarmHistory', query: { n: input.AlarmName, t: input.HistoryItemType, s: scanBy, a: input.AlarmTypes, f: input.StartDate, e: input.EndDate } };
  let start = 0;
  if (input.NextToken) {
    const pos = decodePageToken(binding, input.NextToken);
    if (pos === undefined) throw new AwsError('InvalidNextToken', 'The service couldn\'t process the NextToken.');
    start = keyed.findIndex((k) => (scanBy === 'TimestampDescending' ? k.key < pos : k.key > pos));
    if (start < 0) start = keyed.length;
  }
  const page = keyed.slice(start, start + max);
  const more = start + max < keyed.length;
  return {
    AlarmHistoryItems: page.map(({ item }) => ({
      AlarmName: item.name, AlarmType: item.alarmType, Timestamp: new Date(item.atMs), HistoryItemType: item.type,
      HistorySummary: item.summary, HistoryData: item.data,
    })),
    ...(more ? { NextToken: encodePageToken(binding, page[page.length - 1]!.key) } : {}),
  };
}

const tx = (ctx: RequestContext): Tx => ctx.tx;
