/**
 * Filtered EC2 Describe* at scale: N subnets, N security groups and N network interfaces in one
 * account, spread over VPCS VPCs (so `vpc-id` selects 1/VPCS of them) and tagged team=t0..t99 (so
 * `tag:team` selects 1%), built through the API in concurrent batches, then DescribeSubnets and
 * DescribeSecurityGroups with each filter measured one request at a time: p50/p99 latency and rate,
 * cloudlet and moto side by side. moto builds slowly, so its build stops at a time budget and the
 * size it reached is printed beside its figures. Loopback only; every loop is bounded in time.
 * Runs alone too: `node --import tsx bench/vpc.ts` (after `npm run build`).
 */
import { fileURLToPath } from 'node:url';
import { callQuery, printMeasures, replay, timed, type Measure } from './query-client.js';
import { startPeer, stopPeer, type Peer } from './peers.js';

const N = Number(process.env.BENCH_VPC_N ?? 10_000);
const VPCS = 20;
const TEAMS = 100;
const CONCURRENCY = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const MAX_SAMPLES = 5_000;
/** Build budgets: cloudlet must build all of N; moto's build stops here and reports what it reached. */
const BUILD_S: Record<string, number> = { cloudlet: 600, moto: Number(process.env.BENCH_VPC_MOTO_BUILD_S ?? 240) };

const call = (url: string, params: Record<string, string>): Promise<string> => callQuery(url, params);

function field(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml);
  if (!m) throw new Error(`no ${name} in ${xml.slice(0, 300)}`);
  return m[1]!;
}

const tagSpec = (type: string, i: number) => ({
  'TagSpecification.1.ResourceType': type, 'TagSpecification.1.Tag.1.Key': 'team', 'TagSpecification.1.Tag.1.Value': `t${i % TEAMS}`,
});

interface Built { n: number; vpcs: string[]; seconds: number }

/** Subnet i, group i and interface i (in subnet i, carrying group i) live in VPC i % VPCS. */
async function build(url: string, budgetS: number): Promise<Built> {
  const t0 = performance.now();
  const vpcs: string[] = [];
  for (let k = 0; k < VPCS; k++) vpcs.push(field(await call(url, { Action: 'CreateVpc', CidrBlock: `10.${k}.0.0/16` }), 'vpcId'));
  const deadline = t0 + budgetS * 1000;
  let next = 0;
  let done = 0;
  const one = async (i: number) => {
    const vpc = vpcs[i % VPCS]!;
    const j = Math.floor(i / VPCS);
    const subnet = field(await call(url, { Action: 'CreateSubnet', VpcId: vpc, CidrBlock: `10.${i % VPCS}.${j >> 4}.${(j & 15) << 4}/28`, ...tagSpec('subnet', i) }), 'subnetId');
    const group = field(await call(url, { Action: 'CreateSecurityGroup', VpcId: vpc, GroupName: `g${i}`, GroupDescription: 'bench', ...tagSpec('security-group', i) }), 'groupId');
    await call(url, { Action: 'CreateNetworkInterface', SubnetId: subnet, 'SecurityGroupId.1': group, ...tagSpec('network-interface', i) });
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < N && performance.now() < deadline) {
      const i = next++;
      await one(i);
      done++;
    }
  }));
  return { n: done, vpcs, seconds: (performance.now() - t0) / 1000 };
}

const measure = async (url: string, params: Record<string, string>, idTag: string): Promise<Measure> =>
  timed(await replay(url, params, idTag), SECONDS, MAX_SAMPLES);

const CASES: Array<{ label: string; action: string; idTag: string; filter: (b: Built) => [string, string] }> = [
  { label: 'DescribeSubnets vpc-id', action: 'DescribeSubnets', idTag: 'subnetId', filter: (b) => ['vpc-id', b.vpcs[3]!] },
  { label: 'DescribeSubnets tag:team', action: 'DescribeSubnets', idTag: 'subnetId', filter: () => ['tag:team', 't7'] },
  { label: 'DescribeSecurityGroups vpc-id', action: 'DescribeSecurityGroups', idTag: 'groupId', filter: (b) => ['vpc-id', b.vpcs[3]!] },
  { label: 'DescribeSecurityGroups tag:team', action: 'DescribeSecurityGroups', idTag: 'groupId', filter: () => ['tag:team', 't7'] },
];

async function probe(url: string): Promise<boolean> {
  try {
    await call(url, { Action: 'DescribeAvailabilityZones' });
    return true;
  } catch {
    return false;
  }
}

export async function vpcBench(): Promise<void> {
  const results: Record<string, { built: Built; m: Measure[] }> = {};
  for (const name of ['cloudlet', 'moto']) {
    let peer: Peer | undefined;
    try {
      peer = await startPeer(name, probe);
      const built = await build(peer.url, BUILD_S[name]!);
      const m: Measure[] = [];
      for (const c of CASES) {
        const [fname, value] = c.filter(built);
        m.push(await measure(peer.url, { Action: c.action, 'Filter.1.Name': fname, 'Filter.1.Value.1': value }, c.idTag));
      }
      results[name] = { built, m };
    } catch (err) {
      console.error(`vpc bench, ${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  console.log(`\nVPC Describe* at scale: ${VPCS} VPCs, team tags t0..t${TEAMS - 1}; one request at a time, ${SECONDS}s per cell`);
  for (const [name, r] of Object.entries(results)) {
    const full = r.built.n === N ? '' : ` (of ${N}: its build stopped at the ${BUILD_S[name]} s budget)`;
    console.log(`  ${name}: ${r.built.n} subnets + ${r.built.n} security groups + ${r.built.n} ENIs built in ${r.built.seconds.toFixed(0)} s${full}`);
  }
  const c = results.cloudlet?.m;
  const mo = results.moto?.m;
  printMeasures(CASES.map((k, i) => ({ label: k.label, ...(c?.[i] ? { cloudlet: c[i] } : {}), ...(mo?.[i] ? { moto: mo[i] } : {}) })));
  if (mo && results.moto!.built.n !== N) console.log(`  (moto's figures are at ${results.moto!.built.n} of each kind, not ${N}: its rate at ${N} would be lower still)`);
  console.log('targets:');
  CASES.forEach((k, i) => {
    const a = c?.[i];
    const b = mo?.[i];
    console.log(`  ${a && a.p99 < 20 ? 'met   ' : 'MISSED'} ${k.label}: p99 under 20 ms`);
    console.log(`  ${a && b && a.rps >= 50 * b.rps ? 'met   ' : 'MISSED'} ${k.label}: >= 50x moto's rate`);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) vpcBench().catch((e) => { console.error(e); process.exit(1); });
