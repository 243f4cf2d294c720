/**
 * EC2 instances at scale: RunInstances of N instances in batches (MaxCount = BATCH, each batch
 * tagged team=tK, K = batch % TEAMS), then DescribeInstances with a `tag:team` filter (1/TEAMS of
 * them) and with an `instance-state-name` filter (all of them, first page of 1000), one request at
 * a time: p50/p99 and rate, cloudlet and moto side by side. Then instance-metadata credential
 * GETs per second (cloudlet's per-instance IMDS, moto's /latest/meta-data), when both serve them.
 * Loopback only; every loop is bounded in time. Runs alone: `node --import tsx bench/ec2.ts`.
 */
import { fileURLToPath } from 'node:url';
import { haveWrk, wrk } from './load.js';
import { callQuery, printMeasures, replay, timed, type Measure } from './query-client.js';
import { startPeer, stopPeer, type Peer } from './peers.js';

const N = Number(process.env.BENCH_EC2_N ?? 1000);
const BATCH = 50;
const TEAMS = 10;
const CONCURRENCY = 4;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const MAX_SAMPLES = 5_000;
const BUILD_S = 240;

const call = (url: string, params: Record<string, string>): Promise<string> => callQuery(url, params);

/** An x86_64 Amazon image the peer knows (each has its own catalog and IDs). */
async function amiOf(url: string): Promise<string> {
  const xml = await call(url, { Action: 'DescribeImages', 'Owner.1': 'amazon', 'Filter.1.Name': 'architecture', 'Filter.1.Value.1': 'x86_64' });
  const m = /<imageId>(ami-[0-9a-f]+)<\/imageId>/.exec(xml);
  if (!m) throw new Error('no amazon x86_64 image');
  return m[1]!;
}

interface Built { n: number; seconds: number; firstId: string }

const iam = async (url: string, params: Record<string, string>): Promise<void> => { await callQuery(url, params, 'iam'); };

/** One instance with an instance profile, for the metadata credential measure. */
async function profiledInstance(url: string, ami: string): Promise<string> {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam(url, { Action: 'CreateRole', RoleName: 'bench-role', AssumeRolePolicyDocument: trust });
  await iam(url, { Action: 'CreateInstanceProfile', InstanceProfileName: 'bench-profile' });
  await iam(url, { Action: 'AddRoleToInstanceProfile', InstanceProfileName: 'bench-profile', RoleName: 'bench-role' });
  const xml = await call(url, { Action: 'RunInstances', ImageId: ami, InstanceType: 't3.micro', MinCount: '1', MaxCount: '1', 'IamInstanceProfile.Name': 'bench-profile' });
  return /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(xml)?.[1] ?? '';
}

async function build(url: string): Promise<Built> {
  const ami = await amiOf(url);
  const t0 = performance.now();
  const deadline = t0 + BUILD_S * 1000;
  let next = 0;
  let done = 0;
  const firstId = await profiledInstance(url, ami).catch(() => '');
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next * BATCH < N && performance.now() < deadline) {
      const b = next++;
      await call(url, {
        Action: 'RunInstances', ImageId: ami, InstanceType: 't3.micro', MinCount: String(BATCH), MaxCount: String(BATCH),
        'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'team', 'TagSpecification.1.Tag.1.Value': `t${b % TEAMS}`,
      });
      done += BATCH;
    }
  }));
  return { n: done, seconds: (performance.now() - t0) / 1000, firstId };
}

const describe = async (url: string, params: Record<string, string>): Promise<Measure> =>
  timed(await replay(url, { Action: 'DescribeInstances', ...params }, 'instanceId'), SECONDS, MAX_SAMPLES);

/** The credential document's URL: cloudlet's per-instance IMDS (opened by the admin API), moto's fixed one. */
async function credentialsUrl(name: string, peer: Peer, instanceId: string): Promise<{ url: string; headers: Record<string, string> } | undefined> {
  if (name === 'moto') {
    const base = `${peer.url}/latest/meta-data/iam/security-credentials/`;
    const role = (await (await fetch(base)).text()).split('\n')[0];
    return role ? { url: base + role, headers: {} } : undefined;
  }
  const open = await fetch(`${peer.url}/_cloudlet/imds/open`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: '000000000000', region: 'us-east-1', instanceId }),
  });
  if (open.status !== 200) return undefined;
  const endpoint = ((await open.json()) as { endpoint: string }).endpoint.replace(/\/$/, '');
  const token = await (await fetch(`${endpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })).text();
  const headers = { 'x-aws-ec2-metadata-token': token };
  const role = (await (await fetch(`${endpoint}/latest/meta-data/iam/security-credentials/`, { headers })).text()).split('\n')[0];
  return role ? { url: `${endpoint}/latest/meta-data/iam/security-credentials/${role}`, headers } : undefined;
}

async function probe(url: string): Promise<boolean> {
  try { await call(url, { Action: 'DescribeAvailabilityZones' }); return true; } catch { return false; }
}

export async function ec2Bench(): Promise<void> {
  const results: Record<string, { built: Built; tag?: Measure; state?: Measure; imds?: Measure; imdsWrk?: number }> = {};
  for (const name of ['cloudlet', 'moto']) {
    let peer: Peer | undefined;
    try {
      // N t3.micro are 2N vCPUs, over the default Standard quota (1152): the bench raises it.
      peer = await startPeer(name, probe, name === 'cloudlet' ? ['--ec2-vcpu-quota', String(2 * N + 64)] : []);
      const built = await build(peer.url);
      const r: (typeof results)[string] = { built };
      results[name] = r;
      r.tag = await describe(peer.url, { 'Filter.1.Name': 'tag:team', 'Filter.1.Value.1': 't3' });
      r.state = await describe(peer.url, { 'Filter.1.Name': 'instance-state-name', 'Filter.1.Value.1': 'running', MaxResults: '1000' });
      const creds = await credentialsUrl(name, peer, built.firstId).catch(() => undefined);
      if (creds) {
        r.imds = await timed(async () => { const x = await fetch(creds.url, { headers: creds.headers }); await x.arrayBuffer(); return 1; }, SECONDS, MAX_SAMPLES);
        // Requests per second under load: wrk with 32 connections (SDKs on many instances at once).
        if (haveWrk()) {
          const u = new URL(creds.url);
          const w = wrk(u.origin, { method: 'GET', path: u.pathname, headers: creds.headers, body: '' }, 32, SECONDS);
          if (w.non2xx || w.errors) console.error(`warning: ${name} IMDS: ${w.non2xx} non-2xx, ${w.errors} socket errors`);
          r.imdsWrk = w.rps;
        }
      }
    } catch (err) {
      console.error(`ec2 bench, ${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  const c = results.cloudlet;
  const m = results.moto;
  console.log(`\nEC2 instances: RunInstances of ${N} in batches of ${BATCH} (${CONCURRENCY} at a time), then Describe one request at a time, ${SECONDS}s per cell`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name}: ${r.built.n} instances in ${r.built.seconds.toFixed(1)} s = ${(r.built.n / r.built.seconds).toFixed(0)} instances/s`);
  }
  const f = (x: number | undefined, d = 1) => (x === undefined ? '-' : x.toFixed(d));
  printMeasures((['tag', 'state', 'imds'] as const).map((k) => ({
    label: k === 'tag' ? 'DescribeInstances tag:team' : k === 'state' ? 'DescribeInstances instance-state-name' : 'IMDS credential GET',
    ...(c?.[k] ? { cloudlet: c[k] } : {}), ...(m?.[k] ? { moto: m[k] } : {}),
  })));
  const runRate = (r: typeof c) => (r ? r.built.n / r.built.seconds : 0);
  console.log('targets:');
  console.log(`  ${c && m && runRate(c) >= 50 * runRate(m) ? 'met   ' : 'MISSED'} RunInstances: >= 50x moto's rate`);
  for (const [k, label] of [['tag', 'tag:team'], ['state', 'instance-state-name']] as const) {
    console.log(`  ${c?.[k] && c[k]!.p99 < 20 ? 'met   ' : 'MISSED'} DescribeInstances ${label}: p99 under 20 ms`);
    console.log(`  ${c?.[k] && m?.[k] && c[k]!.rps >= 50 * m[k]!.rps ? 'met   ' : 'MISSED'} DescribeInstances ${label}: >= 50x moto's rate`);
  }
  if (c?.imdsWrk !== undefined || m?.imdsWrk !== undefined) {
    console.log(`  IMDS credential GET, wrk c=32: cloudlet ${f(c?.imdsWrk, 0)} req/s, moto ${f(m?.imdsWrk, 0)} req/s${c?.imdsWrk && m?.imdsWrk ? ` = ${(c.imdsWrk / m.imdsWrk).toFixed(1)}x` : ''}`);
  }
  const imdsRate = (r: typeof c) => r?.imdsWrk ?? r?.imds?.rps ?? 0;
  console.log(`  ${c && m && imdsRate(c) >= 50 * imdsRate(m) ? 'met   ' : 'MISSED'} IMDS credentials: >= 50x moto's rate (wrk c=32)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ec2Bench().catch((e) => { console.error(e); process.exit(1); });
