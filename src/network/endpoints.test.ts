import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
