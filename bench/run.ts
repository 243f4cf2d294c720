/**
 * `npm run bench`: cloudlet side by side with moto (the peer for the control plane) and a
 * bare node:http server answering a fixed body (the ceiling), in one run, printed with ratios.
 * Loopback only; every loop is bounded in time.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { haveWrk, wrk, type FixedRequest } from './load.js';
import { rssMb, startPeer, stopPeer, type Peer } from './peers.js';
import { measureStartup, printStartup } from './startup.js';
import { NodeSha256 } from '../test/helpers/sign.js';
import { hostileBodies, printHostile } from './hostile-bodies.js';
import { policyWorst, printPolicyWorst } from './policy-worst.js';
import { vpcBench } from './vpc.js';
import { ec2Bench } from './ec2.js';
import { s3Bench } from './s3.js';
import { tlsBench } from './tls.js';
import { registryBench } from './registry.js';
import { cloudwatchBench } from './cloudwatch.js';
import { alarmsBench } from './alarms.js';
import { costBench } from './cost.js';
import { fleetClockBench } from './fleet-clock.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);


/** A signed query-protocol POST, valid for the next 15 minutes, replayed as is by the load generator. */
async function signedQuery(url: string, service: string, body: string): Promise<FixedRequest> {
  const u = new URL(url);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {},
    headers: { host: u.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body,
  });
  return { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body };
}

const CASES = {
  GetCallerIdentity: { service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15' },
  DescribeAvailabilityZones: { service: 'ec2', body: 'Action=DescribeAvailabilityZones&Version=2016-11-15' },
};

async function send(url: string, req: FixedRequest): Promise<boolean> {
  const r = await fetch(`${url}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
  await r.arrayBuffer();
  return r.status === 200;
}

async function probeFor(url: string): Promise<boolean> {
  return send(url, await signedQuery(url, 'sts', CASES.GetCallerIdentity.body));
}

interface Row { label: string; values: Record<string, number>; unit: string; better: 'lower' | 'higher' }

function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '-';
  return unit === 'req/s' ? n.toFixed(0) : n.toFixed(1);
}

function printTable(rows: Row[], peers: string[]) {
  const head = ['measure', ...peers.map((p) => p), 'cloudlet/moto', 'cloudlet/bare'];
  const body = rows.map((r) => {
    const c = r.values.cloudlet ?? NaN;
    const ratio = (o: number | undefined) => (o === undefined || !o ? '-' : `${(c / o).toFixed(2)}x`);
    return [`${r.label} (${r.unit})`, ...peers.map((p) => fmt(r.values[p] ?? NaN, r.unit)), ratio(r.values.moto), ratio(r.values.bare)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main() {
  if (!haveWrk()) {
    console.error('bench needs wrk (apt-get install -y wrk)');
    process.exit(2);
  }
  const names = ['cloudlet', 'cloudlet --iam off', 'moto', 'bare'];
  const rows: Row[] = [
    { label: 'start to first answer', unit: 'ms', values: {}, better: 'lower' },
    { label: 'idle RSS', unit: 'MB', values: {}, better: 'lower' },
  ];
  const rpsRows = new Map<string, Row>();
  for (const name of names) {
    let peer: Peer | undefined;
    try {
      peer = await startPeer(name, probeFor);
      rows[0]!.values[name] = peer.startMs;
      await new Promise((r) => setTimeout(r, 1000));
      rows[1]!.values[name] = rssMb(peer.child.pid!);
      for (const [op, c] of Object.entries(CASES)) {
        const req = await signedQuery(peer.url, c.service, c.body);
        if (name !== 'bare' && !(await send(peer.url, req))) throw new Error(`${name} does not answer ${op}`);
        for (const conns of [1, 32]) {
          const key = `${op} c=${conns}`;
          const row = rpsRows.get(key) ?? { label: key, unit: 'req/s', values: {}, better: 'higher' as const };
          rpsRows.set(key, row);
          const r = wrk(peer.url, req, conns, SECONDS);
          if (r.non2xx || r.errors) console.error(`warning: ${name} ${key}: ${r.non2xx} non-2xx, ${r.errors} socket errors`);
          row.values[name] = r.rps;
        }
      }
    } catch (err) {
      console.error(`${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  console.log(`\ncloudlet vs moto 5.x vs bare node:http (ceiling); wrk -t1, ${SECONDS}s per cell, loopback\n`);
  printTable([...rows, ...rpsRows.values()], names);
  const c = (k: string) => rpsRows.get(k)?.values ?? {};
  const targets: Array<[string, boolean]> = [
    ['ready in under 500 ms', (rows[0]!.values.cloudlet ?? Infinity) < 500],
    ['idle RSS under 100 MB', (rows[1]!.values.cloudlet ?? Infinity) < 100],
    ...[...rpsRows.keys()].map((k): [string, boolean] => [`${k}: >= 10x moto`, (c(k).cloudlet ?? 0) >= 10 * (c(k).moto ?? Infinity)]),
    ...[...rpsRows.keys()].map((k): [string, boolean] => [`${k}: >= 40% of bare`, (c(k).cloudlet ?? 0) >= 0.4 * (c(k).bare ?? Infinity)]),
  ];
  const off = (k: string) => c(k)['cloudlet --iam off'] ?? 0;
  for (const k of rpsRows.keys()) targets.push([`${k}: enforcement costs under 15% (root caller)`, (c(k).cloudlet ?? 0) >= 0.85 * off(k)]);
  console.log('\ntargets:');
  for (const [t, ok] of targets) console.log(`  ${ok ? 'met   ' : 'MISSED'} ${t}`);
  printStartup(await measureStartup(probeFor));
  printHostile(await hostileBodies());
  printPolicyWorst(policyWorst());
  await vpcBench();
  await ec2Bench();
  await s3Bench();
  await registryBench();
  await cloudwatchBench();
  await alarmsBench();
  await costBench();
  await fleetClockBench();
  await tlsBench((url) => signedQuery(url, 'sts', CASES.GetCallerIdentity.body), probeFor);
}

main().catch((e) => { console.error(e); process.exit(1); });
