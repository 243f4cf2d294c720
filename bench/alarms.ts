/**
 * CloudWatch alarm evaluation at scale: ALARMS alarms (default 10,000) on METRICS metrics (300)
 * in one account, half with 1-minute and half with 5-minute periods, N of 1..5 and M of N,
 * every TreatMissingData mode, Average/Maximum/p90. Each metric gets a datapoint every minute
 * for a simulated day (a slow wave, so alarms change state through the day), written two hours
 * at a time just before the clock moves over them (PutMetricData takes timestamps at most two
 * hours ahead); the measured figure is the wall time of the clock moves (POST /_cloudlet/clock
 * answers once every alarm has been evaluated up to the new time), i.e. the day's evaluations.
 *
 * moto stores alarms but never evaluates them, so there is no evaluation figure to set beside
 * cloudlet's: the table says so instead of a ratio. PutMetricAlarm (one request at a time and 16
 * in flight) is measured on both. Loopback only; every loop bounded.
 * Runs alone: `node --import tsx bench/alarms.ts` (after `npm run build`).
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startPeer, stopPeer, type Peer } from './peers.js';
import { callQuery } from './query-client.js';

const ALARMS = Number(process.env.BENCH_ALARMS ?? 10_000);
const METRICS = Number(process.env.BENCH_ALARM_METRICS ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const MIN = 60_000;
const HOUR = 60 * MIN;

const call = (url: string, params: Record<string, string>): Promise<string> => callQuery(url, params, 'monitoring');

const probe = async (url: string) => (await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' })).status < 500;

const TREAT = ['missing', 'notBreaching', 'breaching', 'ignore'];
const STATS: Array<[string, string]> = [['Statistic', 'Average'], ['Statistic', 'Maximum'], ['ExtendedStatistic', 'p90']];

function alarmParams(i: number): Record<string, string> {
  const n = 1 + (i % 5);
  const [sk, sv] = STATS[i % STATS.length]!;
  return {
    Action: 'PutMetricAlarm', AlarmName: `bench-${String(i).padStart(5, '0')}`, Namespace: 'Bench/Alarms', MetricName: `m${i % METRICS}`,
    'Dimensions.member.1.Name': 'Host', 'Dimensions.member.1.Value': `h${i % METRICS}`,
    [sk]: sv, Period: i % 2 ? '300' : '60', EvaluationPeriods: String(n), DatapointsToAlarm: String(1 + (i % n)),
    Threshold: String(40 + (i % 5) * 10), ComparisonOperator: i % 3 ? 'GreaterThanThreshold' : 'LessThanOrEqualToThreshold',
    TreatMissingData: TREAT[i % TREAT.length]!,
  };
}

async function putAlarms(url: string, count: number, concurrency: number, budgetS: number, offset = 0): Promise<{ n: number; seconds: number }> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count && performance.now() - t0 < budgetS * 1000) {
      const i = next++;
      await call(url, alarmParams(offset + i));
      done++;
    }
  }));
  return { n: done, seconds: (performance.now() - t0) / 1000 };
}

/** The value of metric m at minute t: a wave of six hours, phase-shifted per metric, 10..90. */
const valueAt = (m: number, t: number) => 50 + 40 * Math.sin((2 * Math.PI * t) / (6 * HOUR) + m);

async function putData(url: string, fromMs: number, toMs: number): Promise<void> {
  const points: Array<[number, number]> = [];
  for (let t = fromMs; t < toMs; t += MIN) for (let m = 0; m < METRICS; m++) points.push([m, t]);
  const batches: Array<Array<[number, number]>> = [];
  for (let off = 0; off < points.length; off += 1000) batches.push(points.slice(off, off + 1000));
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < batches.length) {
      const b = batches[next++]!;
      const p: Record<string, string> = { Action: 'PutMetricData', Namespace: 'Bench/Alarms' };
      b.forEach(([m, t], j) => {
        const at = `MetricData.member.${j + 1}`;
        p[`${at}.MetricName`] = `m${m}`;
        p[`${at}.Dimensions.member.1.Name`] = 'Host';
        p[`${at}.Dimensions.member.1.Value`] = `h${m}`;
        p[`${at}.Timestamp`] = new Date(t).toISOString();
        p[`${at}.Value`] = valueAt(m, t).toFixed(2);
      });
      await call(url, p);
    }
  }));
}

const clockPost = async (url: string, body: unknown) => {
  const r = await fetch(`${url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${await r.text()}`);
  return Date.parse(((await r.json()) as { now: string }).now);
};

async function countStates(url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of ['OK', 'ALARM', 'INSUFFICIENT_DATA']) {
    let n = 0;
    let token: string | undefined;
    do {
      const xml = await call(url, { Action: 'DescribeAlarms', StateValue: s, MaxRecords: '100', ...(token ? { NextToken: token } : {}) });
      n += (xml.match(/<AlarmName>/g) ?? []).length;
      token = /<NextToken>([^<]+)<\/NextToken>/.exec(xml)?.[1];
    } while (token);
    out[s] = n;
  }
  return out;
}

export async function alarmsBench(): Promise<void> {
  console.log(`\nCloudWatch alarms: ${ALARMS} alarms on ${METRICS} metrics (1- and 5-minute periods), a simulated day of 1-minute data\n`);
  const rows: string[][] = [['measure', 'cloudlet', 'moto', 'cloudlet/moto']];
  let put1: Record<string, number> = {};
  let put16: Record<string, number> = {};
  let day: { seconds: number; evaluations: number; states: Record<string, number>; transitions: number } | undefined;
  for (const name of ['cloudlet', 'moto']) {
    let peer: Peer | undefined;
    try {
      peer = await startPeer(name, probe);
      const url = peer.url;
      // PutMetricAlarm rates: one at a time, then 16 in flight (moto: a time budget, a few thousand at most).
      const one = await putAlarms(url, name === 'cloudlet' ? 500 : 300, 1, SECONDS * 2);
      put1 = { ...put1, [name]: one.n / one.seconds };
      const rest = name === 'cloudlet' ? ALARMS - one.n : 2_000;
      const many = await putAlarms(url, rest, 16, name === 'cloudlet' ? 600 : SECONDS * 4, one.n);
      put16 = { ...put16, [name]: many.n / many.seconds };
      if (name !== 'cloudlet') continue;
      // The day: data two hours at a time, then the clock over those two hours (timed).
      let now = await clockPost(url, { advance: '0s' });
      const start = Math.ceil(now / HOUR) * HOUR;
      now = await clockPost(url, { advance: `${Math.round((start - now) / 1000)}s` });
      let seconds = 0;
      for (let h = 0; h < 24; h += 2) {
        await putData(url, start + h * HOUR, start + (h + 2) * HOUR);
        const t0 = performance.now();
        await clockPost(url, { advance: '2h' });
        seconds += (performance.now() - t0) / 1000;
      }
      const evaluations = Math.ceil(ALARMS / 2) * 1440 + Math.floor(ALARMS / 2) * 288;
      const hist = await call(url, { Action: 'DescribeAlarmHistory', AlarmName: 'bench-00000', HistoryItemType: 'StateUpdate', MaxRecords: '100' });
      day = { seconds, evaluations, states: await countStates(url), transitions: (hist.match(/<HistoryItemType>/g) ?? []).length };
    } catch (err) {
      console.error(`${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  const ratio = (r: Record<string, number>) => (r.cloudlet && r.moto ? `${(r.cloudlet / r.moto).toFixed(1)}x` : '-');
  rows.push(['PutMetricAlarm c=1 (req/s)', (put1.cloudlet ?? NaN).toFixed(0), (put1.moto ?? NaN).toFixed(0), ratio(put1)]);
  rows.push(['PutMetricAlarm c=16 (req/s)', (put16.cloudlet ?? NaN).toFixed(0), (put16.moto ?? NaN).toFixed(0), ratio(put16)]);
  if (day) {
    rows.push(['a day of evaluation, wall (s)', day.seconds.toFixed(2), 'does not evaluate', '-']);
    rows.push(['evaluations per second', (day.evaluations / day.seconds).toFixed(0), 'does not evaluate', '-']);
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [k, r] of rows.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
    if (k === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
  if (day) {
    console.log(`\n${day.evaluations.toLocaleString('en-US')} evaluations in the day; states at its end: ${Object.entries(day.states).map(([k, v]) => `${k} ${v}`).join(', ')}; bench-00000 changed state ${day.transitions} times`);
    console.log(`target: a day of ${ALARMS} alarms in under 60 s: ${day.seconds < 60 ? 'met' : 'MISSED'} (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end)`);
  }
  console.log('moto: does not evaluate (its alarms keep the state they were created or set with, whatever the data): no evaluation ratio is printed');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) alarmsBench().catch((e) => { console.error(e); process.exit(1); });
