/**
 * One evaluation of a metric alarm, as CloudWatch documents it ("Evaluating an alarm",
 * "Configuring how CloudWatch alarms treat missing data"):
 *
 * At a period end T the alarm looks at an evaluation range of EvaluationPeriods + 2 periods
 * ending at T (the datapoint of period [T-P, T) is the newest). With TreatMissingData
 * breaching/notBreaching the last N periods count, missing ones filled in as breaching or
 * not. With missing/ignore the N most recent datapoints present in the range count; none
 * present: INSUFFICIENT_DATA (missing) or the state is kept (ignore); fewer than M datapoints
 * still alarm when the oldest one in the range is M periods old, breaching, and every newer one
 * breaches or is missing ("avoiding premature transitions to alarm").
 * M of N: ALARM when at least M of the N counted datapoints breach, OK otherwise. Alarms on
 * AWS/DynamoDB always ignore missing data, as AWS does.
 *
 * Pure: the datapoints come in, the new state, its reason in AWS's wording and the
 * StateReasonData JSON go out (undefined: the state stays as it is).
 */
import type { AlarmState, MetricAlarmRecord } from './alarms-records.js';

export const EXTRA_RANGE_PERIODS = 2;

export interface EvalInput {
  alarm: MetricAlarmRecord;
  /** The evaluation instant: a period end. */
  atMs: number;
  /** Period start -> value, for the periods of the range that have data. */
  points: Map<number, number>;
  /** Period start -> sample count (percentile alarms that ignore low sample counts). */
  samples?: Map<number, number>;
}

export interface Evaluation {
  state: AlarmState;
  reason: string;
  reasonData: string;
  /** The newest evaluated value (for Auto Scaling's breach figures). */
  metricValue?: number;
}

const OPS: Record<string, { words: string; test: (v: number, t: number) => boolean }> = {
  GreaterThanOrEqualToThreshold: { words: 'greater than or equal to', test: (v, t) => v >= t },
  GreaterThanThreshold: { words: 'greater than', test: (v, t) => v > t },
  LessThanThreshold: { words: 'less than', test: (v, t) => v < t },
  LessThanOrEqualToThreshold: { words: 'less than or equal to', test: (v, t) => v <= t },
};

export const STATIC_OPERATORS = Object.keys(OPS);

/** A double as Java prints it (AWS's reasons and JSON: 90.0, 0.5, 1.0E7). */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) {
    const [m, e] = n.toExponential().split('e');
    return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

const two = (n: number) => String(n).padStart(2, '0');
/** dd/MM/yy HH:mm:ss in UTC, as alarm reasons print datapoint times. */
export function reasonTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** 2026-04-12T10:05:00.000+0000, AWS's date form inside StateReasonData and HistoryData. */
export function awsJsonDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Minimum samples for a percentile to mean something (p99: 100, p90: 10, p50: 2). */
export function minSamplesFor(stat: string): number {
  const m = /^p(\d+(?:\.\d+)?)$/i.exec(stat);
  if (!m) return 0;
  const p = Number(m[1]);
  return p >= 100 ? Infinity : Math.ceil(1 / (1 - p / 100) - 1e-9);
}

export function evaluateAlarm(inp: EvalInput): Evaluation | undefined {
  const a = inp.alarm;
  const P = a.periodS * 1000;
  const N = a.evaluationPeriods;
  const M = a.datapointsToAlarm;
  const op = OPS[a.comparison]!;
  const thr = a.threshold ?? 0;
  const fast = quickState(inp, op.test, thr);
  if (fast !== undefined && fast.state === a.state) return { state: fast.state, reason: a.stateReason, reasonData: a.stateReasonData ?? '', ...(fast.newest !== undefined ? { metricValue: fast.newest } : {}) };
  const range = N + EXTRA_RANGE_PERIODS;
  const starts = Array.from({ length: range }, (_, j) => inp.atMs - (j + 1) * P); // newest first
  const stat = a.extendedStatistic ?? a.statistic;
  if (stat && a.evaluateLowSampleCountPercentile === 'ignore' && minSamplesFor(stat) > 0) {
    const need = minSamplesFor(stat);
    for (const s of starts.slice(0, N)) {
      if (inp.points.has(s) && (inp.samples?.get(s) ?? 0) < need) return undefined;
    }
  }
  const breaches = (v: number) => op.test(v, thr);
  const treat = a.metric?.namespace === 'AWS/DynamoDB' ? 'ignore' : a.treatMissingData;
  let counted: Array<{ at: number; value?: number }>;
  let breachingCount: number;
  let state: AlarmState;
  if (treat === 'breaching' || treat === 'notBreaching') {
    counted = starts.slice(0, N).map((at) => ({ at, value: inp.points.get(at) }));
    breachingCount = counted.filter((d) => (d.value === undefined ? treat === 'breaching' : breaches(d.value))).length;
    state = breachingCount >= M ? 'ALARM' : 'OK';
  } else {
    counted = starts.filter((at) => inp.points.has(at)).slice(0, N).map((at) => ({ at, value: inp.points.get(at)! }));
    if (counted.length === 0) {
      if (treat === 'ignore') return undefined;
      return insufficient(inp, N, starts);
    }
    breachingCount = counted.filter((d) => breaches(d.value!)).length;
    state = breachingCount >= M || premature(inp, starts, M, breaches) ? 'ALARM' : 'OK';
  }
  if (state === a.state) return { state, reason: a.stateReason, reasonData: a.stateReasonData ?? '', metricValue: counted[0]?.value };
  const shown = counted.filter((d) => d.value !== undefined && (state === 'ALARM') === breaches(d.value));
  const n = state === 'ALARM' ? breachingCount : counted.length - breachingCount;
  const min = state === 'ALARM' ? M : N - M + 1;
  const list = shown.map((d) => `${javaDouble(d.value!)} (${reasonTime(d.at)})`).join(', ');
  const reason = `Threshold Crossed: ${n} out of the last ${counted.length} datapoints [${list}] ${n === 1 ? 'was' : 'were'} ${state === 'OK' ? 'not ' : ''}${op.words} the threshold (${javaDouble(thr)}) (minimum ${min} datapoint${min === 1 ? '' : 's'} for ${a.state} -> ${state} transition).`;
  return { state, reason, reasonData: reasonData(inp, counted, starts), metricValue: counted.find((d) => d.value !== undefined)?.value };
}

/**
 * The same decision as evaluateAlarm without building reasons (most evaluations change nothing):
 * undefined when the full path must decide (low sample counts, no data under missing/ignore).
 */
function quickState(inp: EvalInput, test: (v: number, t: number) => boolean, thr: number): { state: AlarmState; newest?: number } | undefined {
  const a = inp.alarm;
  if (a.evaluateLowSampleCountPercentile === 'ignore') return undefined;
  const P = a.periodS * 1000;
  const N = a.evaluationPeriods;
  const M = a.datapointsToAlarm;
  const treat = a.metric?.namespace === 'AWS/DynamoDB' ? 'ignore' : a.treatMissingData;
  const pts = inp.points;
  let newest: number | undefined;
  let b = 0;
  if (treat === 'breaching' || treat === 'notBreaching') {
    for (let j = 0; j < N; j++) {
      const v = pts.get(inp.atMs - (j + 1) * P);
      if (v === undefined) { if (treat === 'breaching') b++; } else { if (newest === undefined) newest = v; if (test(v, thr)) b++; }
    }
    return { state: b >= M ? 'ALARM' : 'OK', ...(newest !== undefined ? { newest } : {}) };
  }
  let n = 0;
  const range = N + EXTRA_RANGE_PERIODS;
  for (let j = 0; j < range && n < N; j++) {
    const v = pts.get(inp.atMs - (j + 1) * P);
    if (v === undefined) continue;
    if (newest === undefined) newest = v;
    n++;
    if (test(v, thr)) b++;
  }
  if (n === 0) return undefined;
  if (b >= M) return { state: 'ALARM', newest: newest! };
  if (M <= 1) return { state: 'OK', newest: newest! };
  // The premature-alarm rule needs the range empty beyond the M-th newest period.
  for (let j = M; j < range; j++) if (pts.has(inp.atMs - (j + 1) * P)) return { state: 'OK', newest: newest! };
  return undefined;
}

/**
 * AWS's "avoiding premature transitions to alarm": the M-th newest period is the oldest datapoint
 * of the whole range (nothing older is present), it breaches, and every newer datapoint present
 * breaches too: ALARM although fewer than M datapoints exist.
 */
function premature(inp: EvalInput, range: number[], M: number, breaches: (v: number) => boolean): boolean {
  if (M <= 1) return false;
  for (let j = M; j < range.length; j++) if (inp.points.has(range[j]!)) return false;
  const oldest = inp.points.get(range[M - 1]!);
  if (oldest === undefined || !breaches(oldest)) return false;
  for (let j = 0; j < M - 1; j++) {
    const v = inp.points.get(range[j]!);
    if (v !== undefined && !breaches(v)) return false;
  }
  return true;
}

function insufficient(inp: EvalInput, N: number, starts: number[]): Evaluation | undefined {
  if (inp.alarm.state === 'INSUFFICIENT_DATA') return { state: 'INSUFFICIENT_DATA', reason: inp.alarm.stateReason, reasonData: inp.alarm.stateReasonData ?? '' };
  const reason = `Insufficient Data: ${N} datapoint${N === 1 ? ' was' : 's were'} unknown.`;
  return { state: 'INSUFFICIENT_DATA', reason, reasonData: reasonData(inp, [], starts) };
}

/** StateReasonData as AWS writes it (numbers as Java doubles, so the JSON is built by hand). */
function reasonData(inp: EvalInput, counted: Array<{ at: number; value?: number }>, starts: number[]): string {
  const a = inp.alarm;
  const N = a.evaluationPeriods;
  const parts: string[] = ['"version":"1.0"', `"queryDate":"${awsJsonDate(inp.atMs)}"`, `"startDate":"${awsJsonDate(starts[N - 1]!)}"`];
  if (a.unit) parts.push(`"unit":${JSON.stringify(a.unit)}`);
  if (a.statistic) parts.push(`"statistic":${JSON.stringify(a.statistic)}`);
  if (a.extendedStatistic) parts.push(`"extendedStatistic":${JSON.stringify(a.extendedStatistic)}`);
  parts.push(`"period":${a.periodS}`);
  const recent = starts.slice(0, N).reverse().map((s) => inp.points.get(s)).filter((v): v is number => v !== undefined);
  parts.push(`"recentDatapoints":[${recent.map(javaDouble).join(',')}]`);
  parts.push(`"threshold":${javaDouble(a.threshold ?? 0)}`);
  const ev = counted.map((d) => {
    const f = [`"timestamp":"${awsJsonDate(d.at)}"`];
    if (d.value !== undefined) {
      const sc = inp.samples?.get(d.at);
      if (sc !== undefined) f.push(`"sampleCount":${javaDouble(sc)}`);
      f.push(`"value":${javaDouble(d.value)}`);
    }
    return `{${f.join(',')}}`;
  });
  parts.push(`"evaluatedDatapoints":[${ev.join(',')}]`);
  return `{${parts.join(',')}}`;
}
