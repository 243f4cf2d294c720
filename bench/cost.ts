/**
 * The cost meter over a simulated year (issue 19): RESOURCES resources (half t3.micro instances,
 * launched with RunInstances in batches of 100, each with its gp2 root volume and public IPv4
 * address; half 20 GiB gp3 volumes from CreateVolume), every one tagged team=tN, then CHANGES
 * state changes spread over one calendar year in ROUNDS rounds, the clock moved (POST
 * /_cloudlet/clock) between them: each round starts a batch of stopped instances
 * (StartInstances, 50 ids a call), lets them run ten clock minutes, stops them, modifies a
 * batch of volumes (ModifyVolume: IOPS between 3000 and 4000, one GiB more) and retags a batch of
 * resources (CreateTags, 50 a call); a quarter of each round's changes of each kind. The clock
 * ends at the year's end. Measured: the wall time of the whole run (set-up, changes, clock moves),
 * the server's peak RSS (VmHWM of its process), then GetCostAndUsage over that year: MONTHLY over
 * the year grouped by SERVICE, and DAILY over one month grouped by TAG team (p50/p95).
 *
 * Why instances run in bursts: the fleet engine emits each running instance's AWS/EC2 and AWS/EBS
 * metrics every clock minute and keeps them (455 days), about 17 ms of CPU and 1.6 MB per
 * instance-day in memory, so a year of thousands of running instances is out of reach whatever
 * the meter does; the meter's own work is per state change, not per clock time.
 *
 * Peers: cloudlet `--ephemeral` (memory store) and `-d` (a data directory: SQLite, what `npm start`
 * uses), and moto 5.x for the same EC2 calls (no clock: moto has none). moto meters nothing: its
 * GetCostAndUsage answers a canned result (here fed cloudlet's own answers through
 * /moto-api/static/ce/cost-and-usage-results, so both send the same bytes): that ratio compares
 * latency only.
 * Alone: `npm run build && node --import tsx bench/cost.ts`. Full size (what the README reports):
 * BENCH_COST_RESOURCES=10000 BENCH_COST_CHANGES=100000. BENCH_COST_PEERS=cloudlet,cloudlet -d,moto;
 * BENCH_COST_CPU_PROF=DIR: cloudlet runs with --cpu-prof into DIR; BENCH_COST_DATA_DIR=DIR: `cloudlet -d`'s
 * data directory (kept, to look at the rows; it must not exist yet).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/helpers/sign.js';
import { freePort, startPeer, stopPeer, type Peer } from './peers.js';
import { callQuery } from './query-client.js';

const RESOURCES = Number(process.env.BENCH_COST_RESOURCES ?? 2_000);
const CHANGES = Number(process.env.BENCH_COST_CHANGES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 100);
const BURST_MS = 10 * 60_000;
const CE_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CE_MAX_SAMPLES = 500;
const CONCURRENCY = 4;
const TEAMS = 10;
const LAUNCH_BATCH = 100;
const ID_BATCH = 50;
const PEERS = (process.env.BENCH_COST_PEERS ?? 'cloudlet,cloudlet -d,moto').split(',');
const MAIN = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));

// ---- servers ----

interface Server { name: string; url: string; pid: number; clock: boolean; stop(): Promise<void> }

const probe = async (url: string): Promise<boolean> => {
  try { await callQuery(url, { Action: 'DescribeAvailabilityZones' }); return true; } catch { return false; }
};

/** cloudlet as `npm start` runs it (the bundle), ephemeral or on a fresh data directory, the vCPU quota raised for the fleet. */
async function startCloudlet(name: string, dataDir: string | undefined, vcpus: number): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prof = process.env.BENCH_COST_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_COST_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, MAIN, 'start', ...(dataDir ? ['--data-dir', dataDir] : ['--ephemeral']),
    '--port', String(port), '--log-level', 'error', '--ec2-vcpu-quota', String(vcpus)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
  const t0 = performance.now();
  while (!(await probe(url))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${err.trim()}`);
    if (performance.now() - t0 > 30_000) throw new Error(`${name} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    name, url, pid: child.pid!, clock: true,
    stop: async () => {
      child.kill(prof.length ? 'SIGINT' : 'SIGTERM');
      await new Promise((r) => { const t = setTimeout(r, prof.length ? 30_000 : 3000); child.once('exit', () => { clearTimeout(t); r(undefined); }); });
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function startMoto(): Promise<Server> {
  const p: Peer = await startPeer('moto', probe);
  return { name: 'moto', url: p.url, pid: p.child.pid!, clock: false, stop: () => stopPeer(p) };
}

/** Peak resident memory of a process and its descendants (moto runs behind a pyenv shim). */
function hwmMb(pid: number): number {
  const tree = (p: number): number[] => [p, ...spawnSync('pgrep', ['-P', String(p)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number).flatMap(tree)];
  let kb = 0;
  for (const p of tree(pid)) {
    try { kb += Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return kb / 1024;
}

// ---- calls ----

const ec2 = (url: string, params: Record<string, string>): Promise<string> => callQuery(url, params);

const clockTo = async (url: string, targetMs: number, nowMs: number): Promise<number> => {
  const r = await fetch(`${url}/_cloudlet/clock`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: `${Math.max(0, Math.round(targetMs - nowMs))}ms` }),
  });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${await r.text()}`);
  return Date.parse(((await r.json()) as { now: string }).now);
};

const clockNow = async (url: string): Promise<number> => Date.parse(((await (await fetch(`${url}/_cloudlet/clock`)).json()) as { now: string }).now);

/** Runs fn over items, `CONCURRENCY` at a time. */
async function pool<T>(items: T[], fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i]!, i); }
  }));
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const ids = (ps: string[], prefix: string): Record<string, string> => Object.fromEntries(ps.map((id, i) => [`${prefix}.${i + 1}`, id]));

const signers = new Map<string, SignatureV4>();

/** A JSON 1.1 call to Cost Explorer (global: signed for us-east-1). */
async function ceCall(url: string, op: string, input: unknown): Promise<{ status: number; text: string }> {
  let signer = signers.get('ce');
  if (!signer) {
    signer = new SignatureV4({ service: 'ce', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never });
    signers.set('ce', signer);
  }
  const u = new URL(url);
  const body = JSON.stringify(input);
  const s = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSInsightsIndexService.${op}` }, body,
  });
  const r = await fetch(`${url}/`, { method: 'POST', headers: s.headers as Record<string, string>, body });
  return { status: r.status, text: await r.text() };
}

// ---- the year ----

interface YearResult {
  setupS: number; changesS: number; clockS: number; totalS: number;
  calls: number; changes: number; instances: number; volumes: number;
  /** Peak RSS at the year's end, and once GetCostAndUsage has been called. */
  hwm: number; hwmCe?: number;
  yearStart: number; yearEnd: number;
}

const monthAfter = (ms: number, n = 1): number => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1); };

async function year(s: Server): Promise<YearResult> {
  const url = s.url;
  const nInstances = Math.floor(RESOURCES / 2);
  const nVolumes = RESOURCES - nInstances;
  const perKind = Math.floor(CHANGES / ROUNDS / 4);
  if (perKind > nInstances || perKind > nVolumes) throw new Error(`${perKind} changes of a kind per round need at least that many instances and volumes`);
  const xml = await ec2(url, { Action: 'DescribeImages', 'Owner.1': 'amazon', 'Filter.1.Name': 'architecture', 'Filter.1.Value.1': 'x86_64' });
  const ami = /<imageId>(ami-[0-9a-f]+)<\/imageId>/.exec(xml)?.[1];
  if (!ami) throw new Error('no amazon x86_64 image');
  // A default subnet holds about 4,000 addresses: the fleet is spread over the Region's zones.
  const offers = await ec2(url, { Action: 'DescribeInstanceTypeOfferings', LocationType: 'availability-zone', 'Filter.1.Name': 'instance-type', 'Filter.1.Value.1': 't3.micro' });
  const zones = [...new Set([...offers.matchAll(/<location>([a-z0-9-]+)<\/location>/g)].map((m) => m[1]!))].sort();
  if (!zones.length) throw new Error('no availability zones');
  let calls = 0;
  let clockMs = 0;
  let now = s.clock ? await clockNow(url) : Date.now();
  const move = async (to: number): Promise<void> => {
    if (!s.clock) return;
    const t = performance.now();
    now = await clockTo(url, to, now);
    clockMs += performance.now() - t;
  };
  const call = async (params: Record<string, string>): Promise<string> => { calls++; return ec2(url, params); };
  const t0 = performance.now();

  // Set-up: the resources, tagged; the instances stopped once booted.
  const instances: string[] = [];
  await pool(chunks(Array.from({ length: nInstances }, (_, i) => i), LAUNCH_BATCH), async (b, k) => {
    const team = `t${k % TEAMS}`;
    const out = await call({
      Action: 'RunInstances', ImageId: ami, InstanceType: 't3.micro', MinCount: String(b.length), MaxCount: String(b.length), 'Placement.AvailabilityZone': zones[k % zones.length]!,
      'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'team', 'TagSpecification.1.Tag.1.Value': team,
      'TagSpecification.2.ResourceType': 'volume', 'TagSpecification.2.Tag.1.Key': 'team', 'TagSpecification.2.Tag.1.Value': team,
    });
    instances.push(...[...out.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]!));
  });
  const volumes: string[] = [];
  await pool(Array.from({ length: nVolumes }, (_, i) => i), async (i) => {
    const out = await call({
      Action: 'CreateVolume', AvailabilityZone: zones[i % zones.length]!, VolumeType: 'gp3', Size: '20',
      'TagSpecification.1.ResourceType': 'volume', 'TagSpecification.1.Tag.1.Key': 'team', 'TagSpecification.1.Tag.1.Value': `t${i % TEAMS}`,
    });
    volumes.push(/<volumeId>(vol-[0-9a-f]+)<\/volumeId>/.exec(out)![1]!);
  });
  if (instances.length !== nInstances || volumes.length !== nVolumes) throw new Error(`made ${instances.length} instances and ${volumes.length} volumes`);
  await move(now + 2 * 60_000);
  await pool(chunks(instances, ID_BATCH), async (b) => { await call({ Action: 'StopInstances', ...ids(b, 'InstanceId') }); });
  if (s.clock) {
    // Cost Explorer groups by a tag only once it is an active cost allocation tag (from then on).
    const r = await ceCall(url, 'UpdateCostAllocationTagsStatus', { CostAllocationTagsStatus: [{ TagKey: 'team', Status: 'Active' }] });
    if (r.status !== 200) throw new Error(`UpdateCostAllocationTagsStatus: ${r.status} ${r.text.slice(0, 200)}`);
  }
  // The year: the next UTC calendar month on, twelve months.
  const yearStart = monthAfter(now);
  const yearEnd = monthAfter(yearStart, 12);
  await move(yearStart);
  const setupMs = performance.now() - t0;
  const setupClockMs = clockMs;

  const step = (yearEnd - yearStart) / ROUNDS;
  const resources = [...instances, ...volumes];
  let changes = 0;
  let iNext = 0;
  let vNext = 0;
  let tNext = 0;
  const take = <T>(xs: T[], from: number, n: number): T[] => Array.from({ length: n }, (_, k) => xs[(from + k) % xs.length]!);
  for (let r = 0; r < ROUNDS; r++) {
    await move(yearStart + r * step + 3_600_000);
    const batch = take(instances, iNext, perKind);
    iNext += perKind;
    await pool(chunks(batch, ID_BATCH), async (b) => { await call({ Action: 'StartInstances', ...ids(b, 'InstanceId') }); });
    await move(now + BURST_MS);
    await pool(chunks(batch, ID_BATCH), async (b) => { await call({ Action: 'StopInstances', ...ids(b, 'InstanceId') }); });
    const mods = take(volumes, vNext, perKind);
    const pass = Math.floor(vNext / volumes.length);
    vNext += perKind;
    await pool(mods, async (v) => {
      await call({ Action: 'ModifyVolume', VolumeId: v, Iops: pass % 2 ? '3000' : '4000', Size: String(21 + pass) });
    });
    const tagged = take(resources, tNext, perKind);
    tNext += perKind;
    await pool(chunks(tagged, ID_BATCH), async (b, j) => {
      await call({ Action: 'CreateTags', ...ids(b, 'ResourceId'), 'Tag.1.Key': 'team', 'Tag.1.Value': `t${(3 * r + j) % TEAMS}` });
    });
    changes += 4 * perKind;
  }
  await move(yearEnd);
  const totalMs = performance.now() - t0;
  return {
    setupS: setupMs / 1000, changesS: (totalMs - setupMs - (clockMs - setupClockMs)) / 1000, clockS: (clockMs - setupClockMs) / 1000, totalS: totalMs / 1000,
    calls, changes, instances: instances.length, volumes: volumes.length, hwm: hwmMb(s.pid), yearStart, yearEnd,
  };
}

// ---- Cost Explorer ----

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function queries(y: Pick<YearResult, 'yearStart' | 'yearEnd'>): Array<{ label: string; input: unknown }> {
  const month = monthAfter(y.yearStart, 5);
  return [
    {
      label: 'MONTHLY, the year, by SERVICE',
      input: { TimePeriod: { Start: day(y.yearStart), End: day(y.yearEnd) }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost', 'UsageQuantity'], GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] },
    },
    {
      label: 'DAILY, one month, by TAG team',
      input: { TimePeriod: { Start: day(month), End: day(monthAfter(month)) }, Granularity: 'DAILY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'TAG', Key: 'team' }] },
    },
  ];
}

interface Latency { p50: number; p95: number; n: number; bytes: number; groups: number; total?: number; byGroup: Map<string, number> }

async function latency(url: string, input: unknown): Promise<Latency | string> {
  const first = await ceCall(url, 'GetCostAndUsage', input);
  if (first.status !== 200) return `${first.status} ${first.text.slice(0, 160)}`;
  const samples: number[] = [];
  const t0 = performance.now();
  while ((performance.now() - t0 < CE_SECONDS * 1000 || samples.length < 5) && samples.length < CE_MAX_SAMPLES) {
    const t = performance.now();
    const r = await ceCall(url, 'GetCostAndUsage', input);
    if (r.status !== 200) return `${r.status} ${r.text.slice(0, 160)}`;
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  const out = JSON.parse(first.text) as { ResultsByTime?: Array<{ Groups?: Array<{ Keys?: string[]; Metrics?: Record<string, { Amount: string }> }>; Total?: Record<string, { Amount: string }> }> };
  let groups = 0;
  let total = 0;
  const byGroup = new Map<string, number>();
  for (const t of out.ResultsByTime ?? []) {
    groups += t.Groups?.length ?? 0;
    for (const g of t.Groups ?? []) {
      const c = Number(g.Metrics?.UnblendedCost?.Amount ?? 0);
      total += c;
      byGroup.set(g.Keys?.join(',') ?? '', (byGroup.get(g.Keys?.join(',') ?? '') ?? 0) + c);
    }
    if (!t.Groups?.length) total += Number(t.Total?.UnblendedCost?.Amount ?? 0);
  }
  return { p50: at(0.5), p95: at(0.95), n: samples.length, bytes: first.text.length, groups, total, byGroup };
}

/** Feeds moto's canned-result queue with cloudlet's answers, in the order they will be asked. */
async function feedMoto(url: string, answers: string[]): Promise<void> {
  const r = await fetch(`${url}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results: answers.map((a) => JSON.parse(a)) }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`moto ce queue: ${r.status} ${await r.text()}`);
}

// ---- the run ----

export async function costBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-bench-cost-'));
  const years = new Map<string, YearResult>();
  const ce = new Map<string, Array<Latency | string>>();
  const errors = new Map<string, string>();
  const cloudletAnswers: string[] = [];
  let span: Pick<YearResult, 'yearStart' | 'yearEnd'> | undefined;
  const load0 = loadavg()[0]!;
  console.log(`\nCost meter: a simulated year of ${RESOURCES.toLocaleString('en-US')} resources (${Math.floor(RESOURCES / 2)} t3.micro instances with root volumes and public IPv4, ${RESOURCES - Math.floor(RESOURCES / 2)} gp3 volumes), ${CHANGES.toLocaleString('en-US')} state changes in ${ROUNDS} rounds (Start/StopInstances, ModifyVolume, CreateTags; ${CONCURRENCY} calls in flight), instances running ${BURST_MS / 60_000} clock minutes a round`);
  for (const name of PEERS) {
    let s: Server | undefined;
    try {
      const vcpus = 2 * Math.floor(RESOURCES / 2) + 64;
      const dataDir = process.env.BENCH_COST_DATA_DIR ?? join(root, 'data');
      s = name === 'moto' ? await startMoto() : await startCloudlet(name, name === 'cloudlet -d' ? dataDir : undefined, vcpus);
      const y = await year(s);
      years.set(name, y);
      span ??= y;
      const qs = queries(span);
      if (name === 'moto') {
        if (cloudletAnswers.length === qs.length) await feedMoto(s.url, cloudletAnswers);
      }
      const rs: Array<Latency | string> = [];
      for (const q of qs) {
        rs.push(await latency(s.url, q.input));
        if (name !== 'moto' && cloudletAnswers.length < qs.length) {
          const r = await ceCall(s.url, 'GetCostAndUsage', q.input);
          if (r.status === 200) cloudletAnswers.push(r.text);
        }
      }
      ce.set(name, rs);
      y.hwmCe = hwmMb(s.pid);
    } catch (err) {
      errors.set(name, (err as Error).message);
    } finally {
      if (s) await s.stop();
    }
  }
  rmSync(root, { recursive: true, force: true });
  print(years, ce, errors, load0);
}

function print(years: Map<string, YearResult>, ce: Map<string, Array<Latency | string>>, errors: Map<string, string>, load0: number): void {
  const names = PEERS.filter((n) => years.has(n));
  const f = (x: number | undefined, d = 1): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
  const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}x` : '-');
  const head = ['measure', ...names, 'cloudlet/moto'];
  const rows: string[][] = [];
  const row = (label: string, get: (y: YearResult) => number | undefined, d = 1, cmp = true): void => {
    rows.push([label, ...names.map((n) => (n === 'moto' && !cmp ? 'no clock' : f(get(years.get(n)!), d))),
      cmp ? ratio(years.get('cloudlet') && get(years.get('cloudlet')!), years.get('moto') && get(years.get('moto')!)) : '-']);
  };
  row('whole run, wall (s)', (y) => y.totalS);
  row('  set-up: create, tag, stop (s)', (y) => y.setupS);
  row('  the year\'s API calls (s)', (y) => y.changesS);
  row('  the year\'s clock moves (s)', (y) => (y.clockS || undefined), 1, false);
  row('API calls', (y) => y.calls, 0);
  row('state changes per second (the year\'s API calls)', (y) => y.changes / y.changesS, 0);
  row('server peak RSS, VmHWM, at the year\'s end (MB)', (y) => y.hwm, 0);
  row('  and after GetCostAndUsage (MB)', (y) => y.hwmCe, 0);
  const qs = queries(years.values().next().value ?? { yearStart: 0, yearEnd: 0 });
  qs.forEach((q, i) => {
    const l = (n: string): Latency | undefined => { const x = ce.get(n)?.[i]; return typeof x === 'object' ? x : undefined; };
    for (const k of ['p50', 'p95'] as const) {
      rows.push([`GetCostAndUsage ${q.label}, ${k} (ms)`, ...names.map((n) => { const x = ce.get(n)?.[i]; return typeof x === 'string' ? 'fails' : f(l(n)?.[k], 2); }), ratio(l('cloudlet')?.[k], l('moto')?.[k])]);
    }
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  console.log(line(head));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const r of rows) console.log(line(r));
  const any = years.values().next().value as YearResult | undefined;
  if (any) console.log(`  the year: ${day(any.yearStart)} to ${day(any.yearEnd)} (end exclusive), ${any.changes.toLocaleString('en-US')} changes, ${ROUNDS * 2 + 3} clock moves on cloudlet`);
  qs.forEach((q, i) => {
    for (const n of names) {
      const x = ce.get(n)?.[i];
      if (typeof x === 'string') console.log(`  ${n} GetCostAndUsage ${q.label}: ${x}`);
      else if (x) {
        console.log(`  ${n} GetCostAndUsage ${q.label}: ${x.n} calls, ${x.groups} groups, ${(x.bytes / 1024).toFixed(1)} KiB answer${n === 'moto' ? ' (canned)' : `, $${f(x.total, 2)} in all`}`);
        if (n === names[0] && n !== 'moto') console.log(`    ${[...x.byGroup].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} $${v.toFixed(2)}`).join('; ')}`);
      }
    }
  });
  console.log('  ratios: cloudlet (ephemeral) over moto; for s, ms and MB lower is better, for changes per second higher. moto\'s run has no clock moves (it has no clock), cloudlet\'s whole run includes them');
  console.log('  moto meters nothing: it has no clock and no usage, and its GetCostAndUsage answers a canned result (fed cloudlet\'s answers here, so the bytes match): the GetCostAndUsage ratio is a latency comparison only; for the year, the ratio compares the same EC2 API calls');
  const load1 = loadavg()[0]!;
  console.log(`  load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after`);
  for (const [n, e] of errors) console.log(`  ${n}: FAILED ${e}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) costBench().catch((e) => { console.error(e); process.exit(1); });
