import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { analyze, prepare, type AnalysisResult, type Question } from './index.js';
import { Topology, allowAll, anyTraffic, tcp, threeTier } from './testkit.js';

const ask = (t: Topology, q: Question): AnalysisResult => analyze(prepare(t.snapshot()), q);
const code = (r: AnalysisResult) => r.Explanations[0]?.ExplanationCode;
const ids = (r: AnalysisResult, w: 'ForwardPathComponents' | 'ReturnPathComponents' = 'ForwardPathComponents') => r[w].map((h) => h.Component.Id);

describe('internet as source', () => {
  test('a group open to one range narrows the internet to it', () => {
    const n = threeTier();
    n.lbSg.ingress.splice(0, n.lbSg.ingress.length, tcp(443, { cidr: '198.51.100.0/24' }));
    const r = ask(n.t, { source: 'internet', destination: n.alb[1]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    const eni = r.ForwardPathComponents[r.ForwardPathComponents.length - 1]!;
    assert.deepEqual(eni.InboundHeader!.SourceAddresses, ['198.51.100.0/24']);
  });
  test('a pinned private source address is refused by the internet gateway', () => {
    const n = threeTier();
    const r = ask(n.t, { source: 'internet', sourceIp: '10.9.9.9', destination: n.alb[0]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(r), 'IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS');
  });
  test('a public address in a private subnet: the request arrives, the reply has no way back to the IGW', () => {
    const n = threeTier();
    n.appInst[0]!.publicIp = n.t.eip();
    n.appSg.ingress.push(tcp(22, { cidr: '0.0.0.0/0' }));
    const r = ask(n.t, { source: 'internet', destination: n.appInst[0]!.instanceId!, protocol: 'tcp', destinationPort: 22 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(code(r), 'NO_ROUTE_TO_DESTINATION');
    assert.equal(r.Explanations[0]!.RouteTable!.Id, n.appRt[0]!.id);
    assert.ok(r.ForwardPathComponents.length >= 4 && r.ReturnPathComponents.length > 0);
  });
  test('no internet gateway attached: NO_PATH naming the VPC; a detached gateway makes its routes blackholes', () => {
    const n = threeTier();
    delete n.igw.attachedVpcId;
    const r = ask(n.t, { source: 'internet', destination: n.alb[0]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(r), 'NO_PATH');
    assert.equal(r.Explanations[0]!.Vpc!.Id, n.vpc.id);
    const out = ask(n.t, { source: n.alb[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    n.lbSg.egress.push(anyTraffic());
    const out2 = ask(n.t, { source: n.alb[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(out), 'ENI_SG_RULES_MISMATCH');
    assert.equal(code(out2), 'BAD_STATE_ROUTE');
  });
});

describe('gateways and endpoints as source or destination', () => {
  test('instance -> a named internet gateway, and the NAT gateway itself as the source', () => {
    const n = threeTier();
    n.lbSg.egress.push(anyTraffic());
    const r = ask(n.t, { source: n.alb[0]!.id, destination: n.igw.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(r.ForwardPathComponents.at(-1)!.OutboundHeader!.SourceAddresses, [`${n.alb[0]!.publicIp}/32`]);
    const nat = ask(n.t, { source: n.nat[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(nat.NetworkPathFound, true, JSON.stringify(nat.Explanations));
    assert.equal(ids(nat)[0], n.nat[0]!.id);
  });
  test('a private NAT gateway has no public address to leave an internet gateway with', () => {
    const n = threeTier();
    n.nat[0]!.connectivity = 'private';
    delete n.nat[0]!.publicIp;
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(r), 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS');
    assert.equal(r.Explanations[0]!.InternetGateway!.Id, n.igw.id);
  });
  test('an interface endpoint: reachable from the VPC, never initiating into it', () => {
    const n = threeTier();
    const epSg = n.t.group(n.vpc, 'endpoint', [tcp(443, { cidr: '10.0.0.0/16' })]);
    const eni = n.t.eni(n.app[0]!, [epSg], { type: 'vpc_endpoint' });
    const vpce = { id: n.t.id('vpce'), vpcId: n.vpc.id, type: 'Interface' as const, serviceName: 'com.amazonaws.us-east-1.ssm', networkInterfaceIds: [eni.id] };
    n.t.vpcEndpoints.push(vpce);
    const to = ask(n.t, { source: n.appInst[0]!.id, destination: vpce.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(to.NetworkPathFound, true, JSON.stringify(to.Explanations));
    assert.equal(ids(to).at(-1), eni.id);
    const from = ask(n.t, { source: vpce.id, destination: n.appInst[0]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(from), 'VPCE_INTRA_VPC_TRAFFIC');
  });
  test('a peering connection as the source delivers into the VPC', () => {
    const t = new Topology();
    const a = t.vpc('10.0.0.0/16'), b = t.vpc('10.1.0.0/16');
    const rb = t.routeTable(b);
    const sb = t.subnet(b, '10.1.1.0/24', 'us-east-1a', { routeTable: rb });
    const pcx = t.peering(a, b);
    t.route(rb, '10.0.0.0/16', pcx.id);
    const server = t.eni(sb, [t.group(b, 'server', [tcp(443, { cidr: '10.0.0.0/16' })])]);
    const r = ask(t, { source: pcx.id, destination: server.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(r.ForwardPathComponents[0]!.OutboundHeader!.SourceAddresses, ['10.0.0.0/16']);
    assert.equal(ids(r, 'ReturnPathComponents').at(-1), pcx.id);
  });
});

describe('routing details', () => {
  test('a middlebox with source/destination check off forwards traffic', () => {
    const n = threeTier();
    const fw = n.t.eni(n.pub[0]!, [n.t.group(n.vpc, 'fw', [anyTraffic('10.0.0.0/16')])], { instance: true, sourceDestCheck: false });
    n.t.route(n.appRt[0]!, '10.0.20.0/24', fw.id);
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.ok(ids(r).includes(fw.id));
    assert.equal(r.ForwardPathComponents.find((h) => h.RouteTableRoute?.NetworkInterfaceId)!.RouteTableRoute!.DestinationCidr, '10.0.20.0/24');
  });
  test('an address of the VPC that no interface holds: NO_POSSIBLE_DESTINATION', () => {
    const n = threeTier();
    n.t.defaultAcl(n.vpc).entries.push(allowAll(true, 300));
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: '10.0.11.200', protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(r), 'NO_POSSIBLE_DESTINATION');
  });
  test('a group with no rules at all: SG_HAS_NO_RULES; a rule for the port but another peer: PacketField source-address', () => {
    const n = threeTier();
    n.dbSg.ingress.splice(0);
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(code(r), 'SG_HAS_NO_RULES');
    n.dbSg.ingress.push(tcp(5432, { cidr: '192.0.2.0/24' }));
    const r2 = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(code(r2), 'ENI_SG_RULES_MISMATCH');
    assert.equal(r2.Explanations[0]!.PacketField, 'source-address');
    assert.deepEqual(r2.Explanations[0]!.Addresses, [`${n.appInst[0]!.privateIps[0]}/32`]);
  });
});

describe('properties and robustness', () => {
  test('internet -> ALB is found exactly when some lb rule and the ACL admit the port', () => {
    const portRange = fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 200 })).map(([a, w]) => [a, a + w] as [number, number]);
    fc.assert(fc.property(fc.array(portRange, { maxLength: 4 }), fc.integer({ min: 0, max: 2300 }), fc.option(portRange, { nil: undefined }), (ranges, port, deny) => {
      const n = threeTier();
      n.lbSg.ingress.splice(0, n.lbSg.ingress.length, ...ranges.map((r) => tcp(r, { cidr: '0.0.0.0/0' })));
      if (deny) n.t.defaultAcl(n.vpc).entries.push({ ruleNumber: 50, egress: false, action: 'deny', protocol: '6', cidr: '0.0.0.0/0', fromPort: deny[0], toPort: deny[1] });
      const r = ask(n.t, { source: 'internet', destination: n.alb[0]!.id, protocol: 'tcp', destinationPort: port });
      const sgOk = ranges.some(([a, b]) => a <= port && port <= b);
      const aclOk = !deny || port < deny[0] || port > deny[1];
      if (r.NetworkPathFound !== (sgOk && aclOk)) return false;
      if (!aclOk) return code(r) === 'SUBNET_ACL_RESTRICTION' && r.Explanations[0]!.AclRule!.RuleNumber === 50;
      if (!sgOk) return code(r) === (ranges.length ? 'ENI_SG_RULES_MISMATCH' : 'SG_HAS_NO_RULES');
      return true;
    }), { numRuns: 150 });
  });

  test('IPv6 from the internet through the internet gateway, replies by ::/0', () => {
    const t = new Topology();
    const v = t.vpc('10.0.0.0/16');
    v.ipv6Cidrs = ['2600:1f18:abc:de00::/56'];
    const rt = t.routeTable(v);
    rt.routes.push({ destinationCidr: '2600:1f18:abc:de00::/56', target: 'local', state: 'active' });
    const igw = t.igw(v);
    t.route(rt, '::/0', igw.id);
    const s = t.subnet(v, '10.0.1.0/24', 'us-east-1a', { routeTable: rt });
    t.defaultAcl(v).entries.push(allowAll(false, 101, '::/0'), allowAll(true, 101, '::/0'));
    const e = t.eni(s, [t.group(v, 'web', [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '::/0' }])]);
    e.ipv6Ips = ['2600:1f18:abc:de01::10'];
    const r = ask(t, { source: 'internet', destination: e.id, destinationIp: '2600:1f18:abc:de01::10', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(r.ForwardPathComponents[0]!.InboundHeader!.SourceAddresses, ['2000::/3']);
    assert.equal(ids(r, 'ReturnPathComponents').at(-1), igw.id);
  });

  test('malformed addresses in a snapshot give an answer, not a crash', () => {
    const n = threeTier();
    n.nat[0]!.privateIp = 'not-an-ip';
    n.alb[1]!.privateIps = ['999.1.1.1'];
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, false);
    const r2 = ask(n.t, { source: n.alb[1]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(code(r2), 'NO_PATH');
  });
});
