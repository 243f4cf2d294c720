/**
 * Analyses per second on a 1,000-subnet network: one /16 VPC cut into 1,000 /26 subnets in
 * three zones, 2 interfaces each, 50 security groups chained by group references, per-zone NAT
 * gateways, 10 route tables, custom ACLs with 20 entries. The network is prepared once (as the
 * service would per analysis) and each question is answered from it; preparation is timed too.
 * Run: node --import tsx src/network/bench.ts [seconds]
 */

import { analyze } from './analyze.js';
import { prepare } from './prepare.js';
import { Topology, aclEntry, allowAll, anyTraffic, tcp } from './testkit.js';
import type { NetSecurityGroup, Question } from './types.js';

function build(): { t: Topology; questions: Question[] } {
  const t = new Topology();
  const vpc = t.vpc('10.0.0.0/16', 'bench');
  const igw = t.igw(vpc);
  const pubRt = t.routeTable(vpc, 'public');
  t.route(pubRt, '0.0.0.0/0', igw.id);
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const pub = zones.map((z, i) => t.subnet(vpc, `10.0.${i}.0/26`, z, { routeTable: pubRt }));
  const nats = pub.map((s) => t.nat(s));
  const rts = Array.from({ length: 10 }, (_, i) => {
    const r = t.routeTable(vpc, `private-${i}`);
    t.route(r, '0.0.0.0/0', nats[i % 3]!.id);
    for (let k = 0; k < 5; k++) t.route(r, `192.168.${i * 5 + k}.0/24`, nats[k % 3]!.id, k === 4 ? 'blackhole' : 'active');
    return r;
  });
  const acls = Array.from({ length: 5 }, (_, i) => t.acl(vpc, [
    ...Array.from({ length: 18 }, (_, k) => aclEntry(10 + k, k % 2 === 1, 'deny', '6', `172.16.${i}.${k}/32`, 22)),
    allowAll(false, 100, '10.0.0.0/16'), aclEntry(110, false, 'allow', '6', '0.0.0.0/0', 443),
    aclEntry(120, false, 'allow', '6', '0.0.0.0/0', 1024, 65535), allowAll(true, 100),
  ]));
  const groups: NetSecurityGroup[] = [];
  for (let g = 0; g < 50; g++) {
    const prev = groups[g - 1];
    groups.push(t.group(vpc, `tier-${g}`, [tcp(443, { cidr: '0.0.0.0/0' }), ...(prev ? [tcp([8000, 8100], { group: prev.id })] : [])], [anyTraffic()]));
  }
  const subnets = [...pub];
  for (let i = 0; subnets.length < 1000; i++) {
    const third = 4 + Math.floor(i / 4), fourth = (i % 4) * 64;
    subnets.push(t.subnet(vpc, `10.0.${third}.${fourth}/26`, zones[i % 3]!, { routeTable: rts[i % 10]!, acl: acls[i % 5]! }));
  }
  const enis = subnets.slice(3).flatMap((s, i) => [
    t.eni(s, [groups[i % 50]!], { instance: true }),
    t.eni(s, [groups[(i + 1) % 50]!, groups[(i + 7) % 50]!], { instance: true, ...(i % 10 === 0 ? { publicIp: true } : {}) }),
  ]);
  const questions: Question[] = [];
  for (let i = 0; i < 200; i++) {
    // Half the pairs follow the group chain (tier g+1 admits tier g on 8000-8100), half are random.
    const k = (i * 37) % (enis.length / 2 - 1);
    const a = i % 2 === 0 ? enis[2 * k]! : enis[(i * 37) % enis.length]!;
    const b = i % 2 === 0 ? enis[2 * (k + 1)]! : enis[(i * 91 + 5) % enis.length]!;
    questions.push({ source: a.instanceId!, destination: b.instanceId!, protocol: 'tcp', destinationPort: 8000 + (i % 101) });
    if (i % 4 === 0) questions.push({ source: a.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    if (i % 8 === 0) questions.push({ source: 'internet', destination: enis[(i * 10) % enis.length]!.id, protocol: 'tcp', destinationPort: 443 });
  }
  return { t, questions };
}

function run(seconds: number): void {
  const { t, questions } = build();
  const snap = t.snapshot();
  let start = process.hrtime.bigint();
  const preps = 20;
  for (let i = 0; i < preps; i++) prepare(snap);
  const prepMs = Number(process.hrtime.bigint() - start) / 1e6 / preps;
  const net = prepare(snap);
  const outcomes: Record<string, number> = {};
  for (const q of questions) {
    const r = analyze(net, q);
    const k = r.NetworkPathFound ? 'found' : r.Explanations[0]!.ExplanationCode;
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  for (let i = 0; i < 500; i++) analyze(net, questions[i % questions.length]!);
  let n = 0;
  start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) analyze(net, questions[(n + i) % questions.length]!);
    n += 100;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  console.log(`${snap.subnets.length} subnets, ${snap.networkInterfaces.length} ENIs, ${snap.securityGroups.length} groups; ${questions.length} questions:`,
    Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', '));
  console.log(`prepare: ${prepMs.toFixed(1)} ms per snapshot`);
  console.log(`${n} analyses in ${elapsed.toFixed(2)} s: ${Math.round(n / elapsed).toLocaleString('en-US')} analyses/s (forward + return path, one core)`);
}

run(Number(process.argv[2] ?? 3));
