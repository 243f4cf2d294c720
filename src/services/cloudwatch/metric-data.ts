/**
 * GetMetricData: MetricStat queries read through metrics-store.ts, Expression queries through
 * metric-math.ts (in dependency order; a cycle or an unknown Id is a ValidationError), then the
 * ReturnData results, ordered by ScanBy, cut at MaxDatapoints with a NextToken (a cut result
 * says PartialData).
 */
import type { GetMetricDataInput, GetMetricDataOutput, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';
import { evaluate, MathError, references, type SeriesInput } from './metric-math.js';
import { alignStart, isStatistic, statistic } from './metrics-store.js';
import { checkDimensions, UNITS, validPeriod } from './metrics-validate.js';

const validation = (msg: string) => new AwsError('ValidationError', msg);
const MAX_DATAPOINTS = 100_800;

interface Result { id: string; label: string; points: SeriesInput; messages?: Array<{ Code: string; Value: string }> }

export function getMetricData(input: GetMetricDataInput, ctx: RequestContext): GetMetricDataOutput {
  const queries = input.MetricDataQueries;
  if (!queries || queries.length === 0) throw new AwsError('MissingParameter', 'The parameter MetricDataQueries is required.');
  if (input.StartTime === undefined) throw new AwsError('MissingParameter', 'The parameter StartTime is required.');
  if (input.EndTime === undefined) throw new AwsError('MissingParameter', 'The parameter EndTime is required.');
  if (queries.length > 500) throw validation('The collection MetricDataQueries must not have a size greater than 500.');
  const from = (input.StartTime as Date).getTime();
  const to = (input.EndTime as Date).getTime();
  if (!(from < to)) throw validation('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw validation(`The value ${scanBy} for parameter ScanBy is invalid.`);
  const max = input.MaxDatapoints ?? MAX_DATAPOINTS;
  if (!(max > 0)) throw validation(`The value ${max} for parameter MaxDatapoints is invalid.`);
  const now = ctx.clock.nowMs();

  const byId = new Map<string, { q: MetricDataQuery; at: string }>();
  queries.forEach((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    if (!q.Id) throw new AwsError('MissingParameter', `The parameter ${at}.Id is required.`);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id) || q.Id.length > 255) throw validation(`The value ${q.Id} for parameter ${at}.Id is invalid.`);
    if (byId.has(q.Id)) throw validation(`The values for parameter id in MetricDataQueries are not unique.`);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw validation(`Exactly one element of the metrics list should be specified: ${at} needs either MetricStat or Expression.`);
    }
    if (q.MetricStat) {
      const ms = q.MetricStat;
      if (!ms.Metric?.MetricName) throw new AwsError('MissingParameter', `The parameter ${at}.MetricStat.Metric.MetricName is required.`);
      if (!ms.Metric.Namespace) throw new AwsError('MissingParameter', `The parameter ${at}.MetricStat.Metric.Namespace is required.`);
      if (ms.Period === undefined) throw new AwsError('MissingParameter', `The parameter ${at}.MetricStat.Period is required.`);
      if (!validPeriod(ms.Period)) throw validation(`The value ${ms.Period} for parameter ${at}.MetricStat.Period is invalid.`);
      if (!ms.Stat) throw new AwsError('MissingParameter', `The parameter ${at}.MetricStat.Stat is required.`);
      if (!isStatistic(ms.Stat)) throw validation(`The value ${ms.Stat} for parameter ${at}.MetricStat.Stat is invalid.`);
      if (ms.Unit !== undefined && !UNITS.has(ms.Unit)) throw validation(`The value ${ms.Unit} for parameter ${at}.MetricStat.Unit is invalid.`);
      checkDimensions(ms.Metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`);
    } else if (q.Period !== undefined && !validPeriod(q.Period)) throw validation(`The value ${q.Period} for parameter ${at}.Period is invalid.`);
    byId.set(q.Id, { q, at });
  });
  if (![...byId.values()].some(({ q }) => q.ReturnData !== false)) throw validation('No metric data query has ReturnData set to true.');

  const metricIds = queries.filter((q) => q.MetricStat).map((q) => q.Id!);
  const series: Record<string, SeriesInput> = {};
  const arrays: Record<string, Array<{ label: string; points: SeriesInput }>> = {};
  const labels: Record<string, string> = {};
  const periods: Record<string, number> = {};
  const results = new Map<string, Result[]>();
  const state = new Map<string, 'busy' | 'done'>();

  const run = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'busy') throw validation(`Circular dependency found in expression ${byId.get(id)!.q.Expression}.`);
    state.set(id, 'busy');
    const { q, at } = byId.get(id)!;
    if (q.MetricStat) {
      const ms = q.MetricStat;
      const m = ms.Metric!;
      const pts = statistic(ctx.tx, ctx.scope, { namespace: m.Namespace!, name: m.MetricName!, dimensions: (m.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })) },
        ms.Stat!, from, to, ms.Period!, { unit: ms.Unit, nowMs: now });
      series[id] = pts;
      const props: Record<string, string> = { MetricName: m.MetricName!, Namespace: m.Namespace!, Period: String(ms.Period), Stat: ms.Stat!, Region: ctx.region, AccountId: ctx.account };
      for (const d of m.Dimensions ?? []) props[`Dim.${d.Name}`] = d.Value ?? '';
      labels[id] = q.Label === undefined ? m.MetricName! : dynamicLabel(q.Label, m.MetricName!, pts, props);
      periods[id] = ms.Period!;
      results.set(id, [{ id, label: labels[id]!, points: pts }]);
    } else {
      let refs: ReturnType<typeof references>;
      try { refs = references(q.Expression!); } catch (e) { throw mathError(e, at, q.Expression!); }
      const deps = [...refs.ids.filter((r) => byId.has(r)), ...(refs.usesMetrics ? metricIds : [])];
      for (const r of refs.ids) if (!byId.has(r)) throw validation(`Error in expression ${id}: Unrecognized identifier: ${r}`);
      for (const d of deps) run(d);
      const depPeriods = deps.map((d) => periods[d]).filter((x): x is number => x !== undefined);
      const periodS = q.Period ?? (depPeriods.length ? Math.max(...depPeriods) : 60);
      let out: Array<{ label: string; points: SeriesInput }>;
      try {
        out = evaluate(q.Expression!, series, { periodS, startMs: alignStart(from, periodS, now), endMs: to, labels, metricIds, periods, arrays });
      } catch (e) { throw mathError(e, at, q.Expression!, id); }
      periods[id] = periodS;
      labels[id] = q.Label ?? id;
      if (out.length === 1 && !isArrayExpr(q.Expression!)) {
        series[id] = out[0]!.points;
        const pts = out[0]!.points;
        labels[id] = q.Label === undefined ? id : dynamicLabel(q.Label, id, pts, { Period: String(periodS), Region: ctx.region, AccountId: ctx.account });
        results.set(id, [{ id, label: labels[id]!, points: pts }]);
      } else {
        arrays[id] = out;
        results.set(id, out.map((s) => ({
          id, points: s.points,
          label: q.Label === undefined ? s.label || id : /\$\{/.test(q.Label) ? dynamicLabel(q.Label, s.label || id, s.points, { Period: String(periodS) }) : `${q.Label} ${s.label}`.trim(),
        })));
      }
    }
    state.set(id, 'done');
  };
  for (const id of byId.keys()) run(id);

  // Paging: the token says which result and point to continue from.
  let startResult = 0; let startPoint = 0;
  if (input.NextToken !== undefined) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!m || Number(m[3]) !== from || Number(m[4]) !== to) throw new AwsError('InvalidNextToken', 'The service couldn\'t process the NextToken.');
    startResult = Number(m[1]); startPoint = Number(m[2]);
  }
  const flat: Result[] = [];
  for (const { q } of byId.values()) if (q.ReturnData !== false) flat.push(...results.get(q.Id!)!);
  const out: MetricDataResult[] = [];
  let budget = max;
  let next: string | undefined;
  for (let i = startResult; i < flat.length; i++) {
    const r = flat[i]!;
    const pts = scanBy === 'TimestampDescending' ? [...r.points].reverse() : r.points;
    const offset = i === startResult ? startPoint : 0;
    const take = pts.slice(offset, offset + budget);
    budget -= take.length;
    const partial = offset + take.length < pts.length;
    out.push({
      Id: r.id, Label: r.label, Timestamps: take.map((p) => new Date(p.atMs)), Values: take.map((p) => p.value),
      StatusCode: partial ? 'PartialData' : 'Complete', ...(r.messages ? { Messages: r.messages } : {}),
    });
    if (partial) { next = Buffer.from(`${i}.${offset + take.length}.${from}.${to}`).toString('base64url'); break; }
    if (budget === 0 && i + 1 < flat.length) { next = Buffer.from(`${i + 1}.0.${from}.${to}`).toString('base64url'); break; }
  }
  return { MetricDataResults: out, Messages: [], ...(next ? { NextToken: next } : {}) };
}

/**
 * Dynamic labels: ${LABEL} (the default label), ${AVG} ${SUM} ${MIN} ${MAX} ${FIRST} ${LAST}
 * ${RANGE} ${DATAPOINT_COUNT} over the returned datapoints, ${PROP('MetricName' | 'Namespace' |
 * 'Period' | 'Stat' | 'Region' | 'AccountId' | 'Dim.NAME')}. Unknown ones stay as written.
 */
export function dynamicLabel(label: string, base: string, pts: SeriesInput, props: Record<string, string>): string {
  if (!label.includes('${')) return label;
  const v = pts.map((p) => p.value);
  const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : String(Math.round(x * 1000) / 1000));
  const sum = v.reduce((a, b) => a + b, 0);
  const stats: Record<string, () => string> = {
    LABEL: () => base, AVG: () => num(v.length ? sum / v.length : undefined), SUM: () => num(v.length ? sum : undefined),
    MIN: () => num(v.length ? Math.min(...v) : undefined), MAX: () => num(v.length ? Math.max(...v) : undefined),
    FIRST: () => num(v[0]), LAST: () => num(v[v.length - 1]), RANGE: () => num(v.length ? Math.max(...v) - Math.min(...v) : undefined),
    DATAPOINT_COUNT: () => String(v.length),
  };
  return label.replace(/\$\{([A-Z_]+)\}|\$\{PROP\('([^']+)'\)\}/g, (all, name: string | undefined, prop: string | undefined) =>
    (name ? stats[name]?.() ?? all : props[prop!] ?? all));
}

const isArrayExpr = (e: string): boolean => /METRICS\s*\(|^\s*\[/i.test(e) && !/^\s*(SUM|AVG|MIN|MAX|STDDEV|FIRST|LAST|METRIC_COUNT)\s*\(/i.test(e);

function mathError(e: unknown, at: string, expr: string, id?: string): AwsError {
  if (e instanceof MathError) return validation(`Error in expression ${id ?? at}: ${e.message}`);
  if (e instanceof AwsError) return e;
  void expr;
  throw e;
}
