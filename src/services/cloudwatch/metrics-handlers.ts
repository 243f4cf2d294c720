/**
 * CloudWatch metrics API: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.
 * Storage and statistics: metrics-store.ts; expressions: metric-math.ts.
 */
import type {
  Datapoint, GetMetricStatisticsInput, GetMetricStatisticsOutput, ListMetricsInput, ListMetricsOutput, MetricDatum, PutMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { aggregate, isStatistic, listMetricRows, metricKey, putDatapointsAt, statOf, type MetricId, type PointInput } from './metrics-store.js';
import { getMetricData } from './metric-data.js';
import { checkDimensions, UNITS, validPeriod } from './metrics-validate.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** CloudWatch rejects values it cannot store: beyond 2^360 in magnitude, and NaN or infinities. */
const MAX_VALUE = 2 ** 360;

const invalid = (msg: string) => new AwsError('InvalidParameterValue', msg);
const missing = (name: string) => new AwsError('MissingParameter', `The parameter ${name} is required.`);
const combination = (msg: string) => new AwsError('InvalidParameterCombination', msg);

const tsMs = (d: Date | string | number | undefined): number | undefined =>
  d === undefined ? undefined : d instanceof Date ? d.getTime() : typeof d === 'number' ? d * 1000 : new Date(d).getTime();



function checkNamespace(ns: string | undefined, allowAws: boolean): string {
  if (ns === undefined || ns === '') throw missing('Namespace');
  if (ns.length > 255 || !/^[^:].*$/.test(ns) || /[^\x20-\x7e]/.test(ns) || (!allowAws && ns.startsWith('AWS/'))) {
    throw invalid(`The value ${ns} for parameter Namespace is invalid.`);
  }
  return ns;
}

const checkValue = (v: number, at: string): void => {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_VALUE) throw invalid(`The value ${v} for parameter ${at} is invalid.`);
};

interface Prepared { id: MetricId; unit: string | undefined; point: PointInput }

/** Validates one MetricDatum as AWS does (errors name MetricData.member.N...). */
function prepareDatum(d: MetricDatum, at: string, ns: string, nowMs: number, late: string[], early: string[]): Prepared {
  if (!d.MetricName) throw missing(`${at}.MetricName`);
  if (d.MetricName.length > 255) throw invalid(`The value ${d.MetricName} for parameter ${at}.MetricName is invalid.`);
  const dims = checkDimensions(d.Dimensions, `${at}.Dimensions`);
  const has = { v: d.Value !== undefined, s: d.StatisticValues !== undefined, a: d.Values !== undefined };
  if (has.v && has.s) throw combination(`The parameters ${at}.Value and ${at}.StatisticValues are mutually exclusive and you have specified both.`);
  if (has.v && has.a) throw combination(`The parameters ${at}.Value and ${at}.Values are mutually exclusive and you have specified both.`);
  if (has.s && has.a) throw combination(`The parameters ${at}.StatisticValues and ${at}.Values are mutually exclusive and you have specified both.`);
  if (!has.v && !has.s && !has.a) throw combination(`At least one of the parameters ${at}.Value, ${at}.StatisticValues or ${at}.Values must be specified.`);
  if (d.Counts !== undefined && !has.a) throw combination(`The parameter ${at}.Counts must be specified with ${at}.Values.`);
  if (d.Unit !== undefined && !UNITS.has(d.Unit)) throw invalid(`The value ${d.Unit} for parameter ${at}.Unit is invalid.`);
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
    throw invalid(`The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid.`);
  }
  const atMs = tsMs(d.Timestamp as Date | undefined) ?? nowMs;
  if (Number.isNaN(atMs)) throw invalid(`The parameter ${at}.Timestamp is invalid.`);
  if (atMs < nowMs - 14 * DAY) late.push(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`);
  if (atMs > nowMs + 2 * HOUR) early.push(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  const point: PointInput = { atMs, ...(d.StorageResolution === 1 ? { storageResolution: 1 } : {}) };
  if (has.v) { checkValue(d.Value!, `${at}.Value`); point.value = d.Value!; }
  if (has.s) {
    const s = d.StatisticValues!;
    for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum'] as const) {
      if (s[k] === undefined) throw missing(`${at}.StatisticValues.${k}`);
      checkValue(s[k]!, `${at}.StatisticValues.${k}`);
    }
    if (!(s.SampleCount! > 0)) throw invalid(`The value ${s.SampleCount} for parameter ${at}.StatisticValues.SampleCount is invalid.`);
    if (s.Minimum! > s.Maximum!) throw invalid(`The parameters ${at}.StatisticValues.Minimum must be less than or equal to ${at}.StatisticValues.Maximum.`);
    point.stats = { SampleCount: s.SampleCount!, Sum: s.Sum!, Minimum: s.Minimum!, Maximum: s.Maximum! };
  }
  if (has.a) {
    const vs = d.Values!;
    if (vs.length > 150) throw invalid(`The collection ${at}.Values must not have a size greater than 150.`);
    if (vs.length === 0) throw missing(`${at}.Values`);
    vs.forEach((v, i) => checkValue(v, `${at}.Values.member.${i + 1}`));
    if (d.Counts !== undefined) {
      if (d.Counts.length !== vs.length) throw combination(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
      d.Counts.forEach((c, i) => { if (!(c >= 0) || !Number.isFinite(c)) throw invalid(`The value ${c} for parameter ${at}.Counts.member.${i + 1} is invalid.`); });
    }
    point.values = vs;
    if (d.Counts) point.counts = d.Counts;
  }
  return { id: { namespace: ns, name: d.MetricName, dimensions: dims }, unit: d.Unit, point };
}

export function putMetricData(input: PutMetricDataInput, ctx: RequestContext): Record<string, never> {
  const ns = checkNamespace(input.Namespace, false);
  const data: Array<{ d: MetricDatum; at: string }> = (input.MetricData ?? []).map((d, i) => ({ d, at: `MetricData.member.${i + 1}` }));
  // EntityMetricData: the entity (for CloudWatch's related-telemetry view) is accepted and not kept; its data is stored like MetricData.
  (input.EntityMetricData ?? []).forEach((e, i) => (e.MetricData ?? []).forEach((d, j) => data.push({ d, at: `EntityMetricData.member.${i + 1}.MetricData.member.${j + 1}` })));
  if (input.MetricData === undefined && input.EntityMetricData === undefined) throw missing('MetricData');
  if ((input.MetricData?.length ?? 0) > 1000) throw invalid('The collection MetricData must not have a size greater than 1000.');
  if (data.length > 1000) throw invalid('The collection MetricData must not have a size greater than 1000.');
  const now = ctx.clock.nowMs();
  const late: string[] = [];
  const early: string[] = [];
  const prepared = data.map(({ d, at }) => prepareDatum(d, at, ns, now, late, early));
  if (late.length || early.length) throw invalid([...late, ...early].join('\n'));
  const byMetric = new Map<string, { id: MetricId; unit: string | undefined; points: PointInput[] }[]>();
  for (const p of prepared) {
    const key = `${metricKey(p.id)}\u0000${p.unit ?? ''}`;
    const g = byMetric.get(key);
    if (g) g[0]!.points.push(p.point); else byMetric.set(key, [{ id: p.id, unit: p.unit, points: [p.point] }]);
  }
  for (const [, [g]] of byMetric) {
    putDatapointsAt(ctx.tx, ctx.scope, g!.id, g!.unit, g!.points, now);
  }
  return {};
}

const STANDARD = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;

export function getMetricStatistics(input: GetMetricStatisticsInput, ctx: RequestContext): GetMetricStatisticsOutput {
  const ns = checkNamespace(input.Namespace, true);
  if (!input.MetricName) throw missing('MetricName');
  if (input.StartTime === undefined) throw missing('StartTime');
  if (input.EndTime === undefined) throw missing('EndTime');
  if (input.Period === undefined) throw missing('Period');
  const stats = input.Statistics ?? [];
  const ext = input.ExtendedStatistics ?? [];
  if ((stats.length === 0) === (ext.length === 0)) throw combination('Must specify either Statistics or ExtendedStatistics, but not both.');
  if (stats.length > 5) throw invalid('The collection Statistics must not have a size greater than 5.');
  if (ext.length > 10) throw invalid('The collection ExtendedStatistics must not have a size greater than 10.');
  stats.forEach((s, i) => { if (!(STANDARD as readonly string[]).includes(s)) throw invalid(`The value ${s} for parameter Statistics.member.${i + 1} is invalid.`); });
  ext.forEach((s, i) => { if (!isStatistic(s) || (STANDARD as readonly string[]).includes(s)) throw invalid(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is invalid.`); });
  if (!validPeriod(input.Period)) throw invalid('The parameter Period must be a multiple of 60.'.replace('60.', input.Period < 60 && input.Period > 0 ? '60 or one of 1, 5, 10, 30.' : '60.'));
  if (input.Unit !== undefined && !UNITS.has(input.Unit)) throw invalid(`The value ${input.Unit} for parameter Unit is invalid.`);
  const dims = checkDimensions(input.Dimensions, 'Dimensions');
  const from = tsMs(input.StartTime as Date)!;
  const to = tsMs(input.EndTime as Date)!;
  if (!(from < to)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const count = Math.ceil((to - from) / (input.Period * 1000));
  if (count > 1440) {
    throw combination(`You have requested up to ${count.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
  const id: MetricId = { namespace: ns, name: input.MetricName, dimensions: dims };
  const aggs = aggregate(ctx.tx, ctx.scope, id, from, to, input.Period, { unit: input.Unit, nowMs: ctx.clock.nowMs() });
  const unit = input.Unit ?? listMetricRows(ctx.tx, ctx.scope, ns, input.MetricName).find((m) => metricKey({ namespace: m.ns, name: m.name, dimensions: m.dims }) === metricKey(id))?.units?.[0] ?? 'None';
  const points: Datapoint[] = [];
  for (const [atMs, a] of aggs) {
    const p: Datapoint = { Timestamp: new Date(atMs), Unit: unit as Datapoint['Unit'] };
    for (const s of stats) { const v = statOf(a, s); if (v !== undefined) (p as Record<string, unknown>)[s] = v; }
    if (ext.length) {
      const e: Record<string, number> = {};
      for (const s of ext) { const v = statOf(a, s); if (v !== undefined && Number.isFinite(v)) e[s] = v; }
      p.ExtendedStatistics = e;
    }
    points.push(p);
  }
  return { Label: input.MetricName, Datapoints: points };
}

const PAGE = 500;

export function listMetrics(input: ListMetricsInput, ctx: RequestContext): ListMetricsOutput {
  if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') throw invalid(`The value ${input.RecentlyActive} for parameter RecentlyActive is invalid.`);
  const filters = input.Dimensions ?? [];
  if (filters.length > 10) throw invalid('The collection Dimensions must not have a size greater than 10.');
  filters.forEach((f, i) => { if (!f.Name) throw missing(`Dimensions.member.${i + 1}.Name`); });
  let after = '';
  if (input.NextToken !== undefined) {
    try { after = Buffer.from(input.NextToken, 'base64url').toString('utf8'); } catch { after = ''; }
    if (!after.includes('\u0000')) throw invalid(`The value ${input.NextToken} for parameter NextToken is invalid.`);
  }
  const now = ctx.clock.nowMs();
  // AWS lists metrics with data in the last two weeks; RecentlyActive PT3H: the last three hours.
  const since = now - (input.RecentlyActive ? 3 * HOUR : 14 * DAY);
  const rows = listMetricRows(ctx.tx, ctx.scope, input.Namespace, input.MetricName);
  const out: ListMetricsOutput['Metrics'] = [];
  let next: string | undefined;
  for (const m of rows) {
    const key = metricKey({ namespace: m.ns, name: m.name, dimensions: m.dims });
    if (after && key <= after) continue;
    if (m.lastPutMs < since) continue;
    if (!filters.every((f) => m.dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)))) continue;
    if (out.length === PAGE) { next = Buffer.from(metricKey({ namespace: out[PAGE - 1]!.Namespace!, name: out[PAGE - 1]!.MetricName!, dimensions: out[PAGE - 1]!.Dimensions as MetricId['dimensions'] }), 'utf8').toString('base64url'); break; }
    out.push({ Namespace: m.ns, MetricName: m.name, Dimensions: m.dims });
  }
  // No cross-account observability here: with IncludeLinkedAccounts every metric is the caller's own.
  return { Metrics: out, ...(input.IncludeLinkedAccounts ? { OwningAccounts: out.map(() => ctx.account) } : {}), ...(next ? { NextToken: next } : {}) };
}

export const metricsHandlers: Record<string, Handler> = {
  PutMetricData: putMetricData,
  GetMetricStatistics: getMetricStatistics,
  GetMetricData: getMetricData,
  ListMetrics: listMetrics,
};
