/**
 * CloudWatch metrics side by side, cloudlet (`npm start`'s bundle, --ephemeral) and moto 5.x
 * (`moto_server`), over the query protocol (what the AWS CLI v2 speaks), SigV4-signed:
 *   - PutMetricData with 20 datapoints per call (5 metrics x 4 timestamps, statistic values and
 *     plain values), the same signed request replayed;
 *   - GetMetricData over a 3-hour window of 5 metrics with 1-minute data (180 datapoints each,
 *     written first), MetricStat Average at Period 60: 900 datapoints per answer (measured before the
 *     writes). p50: one request at a time from node's fetch; c=1 and c=16: wrk with 1 and 16 keep-alive connections.
 * The ratio column is cloudlet's rate over moto's (for p50 rows: moto's time over cloudlet's).
 * Loopback only; every loop bounded in time. Runs alone: `node --import tsx bench/cloudwatch.ts`
 * (BENCH_CLOUDWATCH_BUNDLE=FILE: another build's main.js instead of dist/bundle/main.js).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/helpers/sign.js';
import { haveWrk, wrk, type FixedRequest } from './load.js';
import { timed } from './query-client.js';
import { freePort, startPeer, stopPeer, type Peer } from './peers.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const METRICS = 5;
const WINDOW_MIN = 180;

const signer = new SignatureV4({ service: 'monitoring', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never });

async function signed(url: string, params: Record<string, string>): Promise<FixedRequest> {
  const u = new URL(url);
  const body = new URLSearchParams({ Version: '2010-08-01', ...params }).toString();
  const s = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  });
  return { method: 'POST', path: '/', headers: s.headers as Record<string, string>, body };
}

async function call(url: string, params: Record<string, string>): Promise<string> {
  const req = await signed(url, params);
  const r = await fetch(`${url}/`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${params.Action}: ${r.status} ${text.slice(0, 300)}`);
  return text;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 20 datapoints: 5 metrics x 4 timestamps a minute apart (values, and statistic sets for one metric). */
function putParams(atMs: number): Record<string, string> {
  const p: Record<string, string> = { Action: 'PutMetricData', Namespace: 'Bench/App' };
  let n = 0;
  for (let m = 0; m < METRICS; m++) {
    for (let k = 0; k < 4; k++) {
      const at = `MetricData.member.${++n}`;
      p[`${at}.MetricName`] = `Put${m}`;
      p[`${at}.Dimensions.member.1.Name`] = 'Host';
      p[`${at}.Dimensions.member.1.Value`] = `h${m}`;
      p[`${at}.Timestamp`] = iso(atMs - k * 60_000);
      p[`${at}.Unit`] = 'Milliseconds';
      if (m === 0) {
        Object.assign(p, { [`${at}.StatisticValues.SampleCount`]: '10', [`${at}.StatisticValues.Sum`]: '100', [`${at}.StatisticValues.Minimum`]: '1', [`${at}.StatisticValues.Maximum`]: '20' });
      } else p[`${at}.Value`] = String(10 + m + k);
    }
  }
  return p;
}

/** Three hours of 1-minute data for METRICS metrics, 150 datapoints per call. */
async function seed(url: string, endMs: number): Promise<void> {
  const all: Array<[number, number]> = [];
  for (let m = 0; m < METRICS; m++) for (let i = 0; i < WINDOW_MIN; i++) all.push([m, i]);
  for (let off = 0; off < all.length; off += 150) {
    const p: Record<string, string> = { Action: 'PutMetricData', Namespace: 'Bench/Read' };
    all.slice(off, off + 150).forEach(([m, i], j) => {
      const at = `MetricData.member.${j + 1}`;
      p[`${at}.MetricName`] = `Read${m}`;
      p[`${at}.Timestamp`] = iso(endMs - (WINDOW_MIN - i) * 60_000);
      p[`${at}.Value`] = String((i * 7 + m) % 100);
    });
    await call(url, p);
  }
}

function getParams(startMs: number, endMs: number): Record<string, string> {
  const p: Record<string, string> = { Action: 'GetMetricData', StartTime: iso(startMs), EndTime: iso(endMs) };
  for (let m = 0; m < METRICS; m++) {
    const at = `MetricDataQueries.member.${m + 1}`;
    Object.assign(p, {
      [`${at}.Id`]: `m${m}`, [`${at}.MetricStat.Metric.Namespace`]: 'Bench/Read', [`${at}.MetricStat.Metric.MetricName`]: `Read${m}`,
      [`${at}.MetricStat.Period`]: '60', [`${at}.MetricStat.Stat`]: 'Average',
    });
  }
  return p;
}

const probe = async (url: string) => {
  const req = await signed(url, { Action: 'ListMetrics' });
  const r = await fetch(`${url}/`, { method: 'POST', headers: req.headers, body: req.body });
  await r.arrayBuffer();
  return r.status === 200;
};

type Rates = Record<string, number>;
const PUT = 'PutMetricData (20 datapoints)';
const GET = 'GetMetricData (5 metrics x 180 1-min datapoints)';

/** cloudlet from BENCH_CLOUDWATCH_BUNDLE when set, else as every bench starts it. */
async function start(name: string): Promise<Peer> {
  const bundle = process.env.BENCH_CLOUDWATCH_BUNDLE;
  if (name !== 'cloudlet' || !bundle) return startPeer(name, probe);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, [bundle, 'start', '--ephemeral', '--port', String(port), '--log-level', 'error'], { stdio: 'ignore' });
  for (const deadline = t0 + 30_000; ;) {
    if (child.exitCode !== null) throw new Error(`cloudlet exited with ${child.exitCode}`);
    try { if (await probe(url)) break; } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error('cloudlet did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  return { name, child, url, startMs: performance.now() - t0 };
}

export async function cloudwatchBench(): Promise<Record<string, Rates>> {
  const out: Record<string, Rates> = {};
  if (!haveWrk()) { console.error('cloudwatch bench needs wrk'); return out; }
  for (const name of ['cloudlet', 'moto']) {
    let peer: Peer | undefined;
    try {
      peer = await start(name);
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      await seed(peer.url, now);
      const get = await signed(peer.url, getParams(now - WINDOW_MIN * 60_000, now));
      const sample = await fetch(`${peer.url}/`, { method: 'POST', headers: get.headers, body: get.body }).then((r) => r.text());
      const points = (sample.split('<member>').length - 1 - METRICS) / 2; // each datapoint: a Timestamps and a Values member
      const put = await signed(peer.url, putParams(now));
      if (!(await fetch(`${peer.url}/`, { method: 'POST', headers: put.headers, body: put.body })).ok) throw new Error(`${name} refuses the PutMetricData request`);
      const rates: Rates = { points };
      // Reads first (moto keeps every datapoint in one list per namespace scan: the writes below would slow its reads).
      const getOnce = async () => { const r = await fetch(`${peer!.url}/`, { method: 'POST', headers: get.headers, body: get.body }); await r.arrayBuffer(); if (!r.ok) throw new Error(`GetMetricData ${r.status}`); return 0; };
      const g1 = await timed(getOnce, SECONDS, 5_000);
      rates[`${GET} p50 ms`] = g1.p50;
      const w1 = wrk(peer.url, get, 1, SECONDS);
      rates[`${GET} c=1`] = w1.rps || g1.rps;
      const w16 = wrk(peer.url, get, 16, SECONDS);
      if (w16.non2xx || w16.errors) console.error(`warning: ${name} GetMetricData c=16: ${w16.non2xx} non-2xx, ${w16.errors} socket errors`);
      rates[`${GET} c=16`] = w16.rps;
      const putOnce = async () => { const r = await fetch(`${peer!.url}/`, { method: 'POST', headers: put.headers, body: put.body }); await r.arrayBuffer(); if (!r.ok) throw new Error(`PutMetricData ${r.status}`); return 0; };
      const p1 = await timed(putOnce, SECONDS, 20_000);
      rates[`${PUT} p50 ms`] = p1.p50;
      rates[`${PUT} c=1`] = wrk(peer.url, put, 1, SECONDS).rps || p1.rps;
      const wp = wrk(peer.url, put, 16, SECONDS);
      if (wp.non2xx || wp.errors) console.error(`warning: ${name} PutMetricData c=16: ${wp.non2xx} non-2xx, ${wp.errors} socket errors`);
      rates[`${PUT} c=16`] = wp.rps;
      out[name] = rates;
    } catch (err) {
      console.error(`cloudwatch bench, ${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  printCloudwatch(out);
  return out;
}

function printCloudwatch(out: Record<string, Rates>): void {
  const c = out.cloudlet ?? {};
  const m = out.moto ?? {};
  const keys = [...new Set([...Object.keys(c), ...Object.keys(m)])].filter((k) => k !== 'points');
  console.log(`\nCloudWatch metrics (query protocol), cloudlet vs moto 5.x; wrk -t1, ${SECONDS}s per cell, loopback`);
  console.log(`GetMetricData answers ${c.points ?? '-'} (cloudlet) / ${m.points ?? '-'} (moto) datapoints; p50: one fetch at a time; c=N: wrk, N keep-alive connections`);
  const d = (k: string) => (k.endsWith('ms') ? 2 : 0);
  const rows = keys.map((k) => [k, (c[k] ?? NaN).toFixed(d(k)), (m[k] ?? NaN).toFixed(d(k)), c[k] && m[k] ? `${(k.endsWith('ms') ? m[k]! / c[k]! : c[k]! / m[k]!).toFixed(1)}x` : '-']);
  const head = ['measure (req/s unless ms)', 'cloudlet', 'moto', 'cloudlet/moto'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) cloudwatchBench().catch((e) => { console.error(e); process.exit(1); });
