/**
 * Long clock moves with a fleet running: N instances (half t3.micro, half m5.large, basic
 * monitoring), an Auto Scaling group (min 2) with a target-tracking policy at 60% CPU, and a few
 * alarms on instance CPU, then POST /_cloudlet/clock by 1 day, 30 days and 365 days (in that
 * order, so the last move starts with a month of history). Per move: wall time, the server's CPU
 * time (utime + stime from /proc/PID/stat), its peak RSS so far (VmHWM) and the p50/p99 of a
 * DescribeInstances and a GET /_cloudlet/health sent one at a time while the move runs.
 *
 * cloudlet alone: moto and LocalStack do not emulate time (no clock to advance, no metrics
 * emitted), so there is nothing to set beside these figures.
 * Runs alone: `node --import tsx bench/fleet-clock.ts` (after `npm run build`); BENCH_FLEET_N
 * (default 50) and BENCH_FLEET_MOVES (default "1d,30d,365d") change the shape; BENCH_FLEET_URL and
 * BENCH_FLEET_PID measure a server started by hand (e.g. under --cpu-prof) instead.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startPeer, stopPeer, type Peer } from './peers.js';
import { callQuery } from './query-client.js';

const N = Number(process.env.BENCH_FLEET_N ?? 50);
const MOVES = (process.env.BENCH_FLEET_MOVES ?? '1d,30d,365d').split(',');
const call = (url: string, service: string, params: Record<string, string>): Promise<string> => callQuery(url, params, service);

const probe = async (url: string) => (await fetch(`${url}/_cloudlet/health`)).status === 200;

/** The clock POST over node:http (no client timeout: a slow move must be measured, not cut). */
function advance(url: string, by: string): Promise<void> {
  const u = new URL(`${url}/_cloudlet/clock`);
  const body = JSON.stringify({ advance: by });
  return new Promise((ok, fail) => {
    const q = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
      let text = '';
      r.on('data', (c) => { text += c; });
      r.on('end', () => (r.statusCode === 200 ? ok() : fail(new Error(`clock: ${r.statusCode} ${text}`))));
    });
    q.on('error', fail);
    q.end(body);
  });
}

const TICK_S = 100; // USER_HZ on Linux
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK_S; // fields 14 and 15: utime, stime
}
function memMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Sends `once` one at a time until `stop` resolves; latencies in ms. */
async function sampleWhile(stop: Promise<unknown>, once: () => Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => { done = true; });
  const out: number[] = [];
  while (!done) {
    const t = performance.now();
    // A keep-alive socket the server closed while it was busy resets once: counted by its time, retried.
    await once().catch(() => undefined);
    out.push(performance.now() - t);
  }
  return out;
}
const pct = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN; };

export async function setUp(url: string): Promise<void> {
  const imgs = await call(url, 'ec2', { Action: 'DescribeImages', 'Owner.1': 'amazon', 'Filter.1.Name': 'architecture', 'Filter.1.Value.1': 'x86_64' });
  const ami = /<imageId>(ami-[0-9a-f]+)<\/imageId>/.exec(imgs)?.[1];
  if (!ami) throw new Error('no amazon x86_64 image');
  for (const [type, count] of [['t3.micro', Math.ceil(N / 2)], ['m5.large', Math.floor(N / 2)]] as const) {
    if (count) await call(url, 'ec2', { Action: 'RunInstances', ImageId: ami, InstanceType: type, MinCount: String(count), MaxCount: String(count) });
  }
  await call(url, 'ec2', { Action: 'CreateLaunchTemplate', LaunchTemplateName: 'bench-web', 'LaunchTemplateData.ImageId': ami, 'LaunchTemplateData.InstanceType': 't3.micro' });
  await call(url, 'autoscaling', {
    Action: 'CreateAutoScalingGroup', AutoScalingGroupName: 'bench-web', MinSize: '2', MaxSize: '6', DesiredCapacity: '2',
    'LaunchTemplate.LaunchTemplateName': 'bench-web', 'AvailabilityZones.member.1': 'us-east-1a', 'AvailabilityZones.member.2': 'us-east-1b',
  });
  await call(url, 'autoscaling', {
    Action: 'PutScalingPolicy', AutoScalingGroupName: 'bench-web', PolicyName: 'cpu60', PolicyType: 'TargetTrackingScaling',
    'TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType': 'ASGAverageCPUUtilization', 'TargetTrackingConfiguration.TargetValue': '60',
  });
  const ids = [...(await call(url, 'ec2', { Action: 'DescribeInstances' })).matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]!);
  for (const [k, id] of ids.slice(0, 4).entries()) {
    await call(url, 'monitoring', {
      Action: 'PutMetricAlarm', AlarmName: `bench-cpu-${k}`, Namespace: 'AWS/EC2', MetricName: 'CPUUtilization',
      'Dimensions.member.1.Name': 'InstanceId', 'Dimensions.member.1.Value': id, Statistic: 'Average', Period: '300',
      EvaluationPeriods: '3', Threshold: String(50 + k * 10), ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'missing',
    });
  }
}

interface MoveRow { by: string; wallS: number; cpuS: number; rssMb: number; hwmMb: number; describe: number[]; health: number[] }

export async function fleetClockBench(): Promise<MoveRow[]> {
  console.log(`\nFleet clock moves: ${N} instances (t3.micro + m5.large), an ASG with target tracking, 4 alarms; cloudlet alone (peers do not emulate time)\n`);
  let peer: Peer | undefined;
  const rows: MoveRow[] = [];
  try {
    // BENCH_FLEET_URL + BENCH_FLEET_PID: a server started by hand (under --cpu-prof, say) instead.
    const given = process.env.BENCH_FLEET_URL;
    if (!given) peer = await startPeer('cloudlet', probe);
    const url = given ?? peer!.url;
    const pid = given ? Number(process.env.BENCH_FLEET_PID) : peer!.child.pid!;
    await setUp(url);
    const describe = { Action: 'DescribeInstances' };
    // Warm: the first health answer loads every service model (seconds), which is not the move's doing.
    await call(url, 'ec2', describe);
    await (await fetch(`${url}/_cloudlet/health`)).arrayBuffer();
    for (const by of MOVES) {
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      const move = advance(url, by);
      const [d, h] = await Promise.all([
        sampleWhile(move, () => call(url, 'ec2', describe)),
        sampleWhile(move, async () => { await (await fetch(`${url}/_cloudlet/health`)).arrayBuffer(); }),
        move,
      ]);
      const wallS = (performance.now() - t0) / 1000;
      const m = memMb(pid);
      rows.push({ by, wallS, cpuS: cpuSeconds(pid) - cpu0, rssMb: m.rss, hwmMb: m.hwm, describe: d, health: h });
      console.error(`  ${by}: ${wallS.toFixed(2)} s`);
    }
  } finally {
    if (peer) await stopPeer(peer);
  }
  const head = ['move', 'wall s', 'server CPU s', 'RSS MB', 'peak RSS MB', 'Describe n', 'p50 ms', 'p99 ms', 'health n', 'p99 ms'];
  const cells = rows.map((r) => [r.by, r.wallS.toFixed(2), r.cpuS.toFixed(2), r.rssMb.toFixed(0), r.hwmMb.toFixed(0),
    String(r.describe.length), pct(r.describe, 0.5).toFixed(1), pct(r.describe, 0.99).toFixed(1), String(r.health.length), pct(r.health, 0.99).toFixed(1)]);
  const w = head.map((x, i) => Math.max(x.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  console.log(line(head));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const c of cells) console.log(line(c));
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) fleetClockBench().catch((e) => { console.error(e); process.exit(1); });
