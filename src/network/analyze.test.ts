import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyze, prepare, isPublicSubnet, NetworkQuestionError, type AnalysisResult, type Question } from './index.js';
import { Topology, aclEntry, allowAll, anyTraffic, tcp, threeTier } from './testkit.js';

const ask = (t: Topology, q: Question): AnalysisResult => analyze(prepare(t.snapshot()), q);
const ids = (r: AnalysisResult, which: 'ForwardPathComponents' | 'ReturnPathComponents' = 'ForwardPathComponents') => r[which].map((h) => h.Component.Id);
const kinds = (r: AnalysisResult, which: 'ForwardPathComponents' | 'ReturnPathComponents' = 'ForwardPathComponents') =>
  ids(r, which).map((id) => id.replace(/-[0-9a-f]+$/, ''));

describe('three-tier topology (seeds)', () => {
  test('public/private is decided by the route to the IGW', () => {
    const n = threeTier();
    const net = prepare(n.t.snapshot());
    assert.deepEqual([...n.pub, ...n.app, ...n.db].map((s) => isPublicSubnet(net, s)), [true, true, false, false, false, false]);
  });

  test('internet -> ALB on 443: found, with the deciding ACL entry, SG rule, and the return route to the IGW', () => {
    const n = threeTier();
    const r = ask(n.t, { source: 'internet', destination: n.alb[0]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(kinds(r), ['igw', 'acl', 'sg', 'eni']);
    const [igw, acl, sg, eni] = r.ForwardPathComponents;
    assert.equal(igw!.Component.Id, n.igw.id);
    assert.deepEqual(igw!.InboundHeader!.DestinationAddresses, [`${n.alb[0]!.publicIp}/32`]);
    assert.deepEqual(igw!.OutboundHeader!.DestinationAddresses, [`${n.alb[0]!.privateIps[0]}/32`]);
    assert.ok(igw!.InboundHeader!.SourceAddresses!.includes('11.0.0.0/8') && !igw!.InboundHeader!.SourceAddresses!.includes('10.0.0.0/8'));
    assert.equal(igw!.InboundHeader!.Protocol, '6');
    assert.deepEqual(acl!.AclRule, { Cidr: '0.0.0.0/0', Egress: false, Protocol: 'all', RuleAction: 'allow', RuleNumber: 100 });
    assert.deepEqual(sg!.SecurityGroupRule, { Direction: 'ingress', SecurityGroupId: n.lbSg.id, Protocol: 'tcp', Cidr: '0.0.0.0/0', PortRange: { From: 443, To: 443 } });
    assert.equal(eni!.Subnet!.Id, n.pub[0]!.id);
    assert.deepEqual(eni!.InboundHeader!.DestinationPortRanges, [{ From: 443, To: 443 }]);
    assert.deepEqual(kinds(r, 'ReturnPathComponents'), ['eni', 'sg', 'acl', 'rtb', 'igw']);
    const ret = r.ReturnPathComponents;
    assert.equal(ret[1]!.SecurityGroupRule, undefined, 'stateful: no rule needed for the reply');
    assert.deepEqual(ret[3]!.RouteTableRoute, { DestinationCidr: '0.0.0.0/0', GatewayId: n.igw.id, Origin: 'CreateRoute', State: 'active' });
    assert.deepEqual(ret[4]!.OutboundHeader!.SourceAddresses, [`${n.alb[0]!.publicIp}/32`]);
    assert.deepEqual(ret[4]!.OutboundHeader!.DestinationPortRanges, [{ From: 1024, To: 65535 }]);
    assert.deepEqual(r.ForwardPathComponents.map((h) => h.SequenceNumber), [1, 2, 3, 4]);
    assert.match(igw!.Component.Arn!, /^arn:aws:ec2:us-east-1:111111111111:internet-gateway\/igw-/);
  });

  test('internet -> database 5432: not found, no public address, and the subnet has no route to the IGW', () => {
    const n = threeTier();
    const r = ask(n.t, { source: 'internet', destination: n.dbInst.instanceId!, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.ExplanationCode, 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
    assert.equal(r.Explanations[0]!.InternetGateway!.Id, n.igw.id);
    const noRoute = r.Explanations.find((e) => e.ExplanationCode === 'NO_ROUTE_TO_DESTINATION');
    assert.equal(noRoute?.RouteTable?.Id, n.dbRt.id);
    assert.equal(noRoute?.Subnet?.Id, n.db[0]!.id);
  });

  test('internet -> database with a public IP still fails: the database ACL admits only the VPC', () => {
    const n = threeTier();
    n.dbInst.publicIp = n.t.eip();
    const r = ask(n.t, { source: 'internet', destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.ExplanationCode, 'SUBNET_ACL_RESTRICTION');
    assert.equal(r.Explanations[0]!.Acl!.Id, n.dbAcl.id);
    assert.equal(r.Explanations[0]!.AclRule!.RuleNumber, 32767);
    assert.equal(r.Explanations[0]!.Direction, 'ingress');
  });

  test('ALB -> app 8080 through the lb/app group references', () => {
    const n = threeTier();
    const r = ask(n.t, { source: n.alb[0]!.id, destination: n.appInst[1]!.instanceId!, protocol: 'tcp', destinationPort: 8080 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(kinds(r), ['eni', 'sg', 'acl', 'rtb', 'acl', 'sg', 'eni', 'i']);
    assert.equal(r.ForwardPathComponents[1]!.SecurityGroupRule!.SecurityGroupId, n.appSg.id);
    assert.equal(r.ForwardPathComponents[5]!.SecurityGroupRule!.SecurityGroupId, n.lbSg.id);
    assert.equal(r.ForwardPathComponents[3]!.RouteTableRoute!.GatewayId, 'local');
  });

  test('app -> database 5432 found through the group reference; the reply passes the ephemeral egress rule', () => {
    const n = threeTier();
    const r = ask(n.t, { source: n.appInst[0]!.instanceId!, destination: n.dbInst.instanceId!, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(kinds(r), ['i', 'eni', 'sg', 'acl', 'rtb', 'acl', 'sg', 'eni', 'i']);
    const dbIn = r.ForwardPathComponents[6]!;
    assert.deepEqual(dbIn.SecurityGroupRule, { Direction: 'ingress', SecurityGroupId: n.appSg.id, Protocol: 'tcp', PortRange: { From: 5432, To: 5432 } });
    assert.deepEqual(r.ForwardPathComponents[5]!.AclRule, { Cidr: '10.0.0.0/16', Egress: false, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, PortRange: { From: 5432, To: 5432 } });
    const dbOut = r.ReturnPathComponents.find((h) => h.Component.Id === n.dbAcl.id)!;
    assert.deepEqual(dbOut.AclRule, { Cidr: '10.0.0.0/16', Egress: true, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, PortRange: { From: 1024, To: 65535 } });
    assert.deepEqual(r.ForwardPathComponents[0]!.OutboundHeader!.SourcePortRanges, [{ From: 1024, To: 65535 }]);
  });

  test('the same after the ephemeral egress rule is removed: not found, the return path names the ACL and its * rule', () => {
    const n = threeTier();
    n.dbAcl.entries = n.dbAcl.entries.filter((e) => !e.egress);
    const r = ask(n.t, { source: n.appInst[0]!.instanceId!, destination: n.dbInst.instanceId!, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, false);
    const e = r.Explanations[0]!;
    assert.equal(e.ExplanationCode, 'SUBNET_ACL_RESTRICTION');
    assert.equal(e.Direction, 'egress');
    assert.equal(e.Acl!.Id, n.dbAcl.id);
    assert.deepEqual(e.AclRule, { Cidr: '0.0.0.0/0', Egress: true, Protocol: 'all', RuleAction: 'deny', RuleNumber: 32767 });
    assert.equal(e.Subnet!.Id, n.db[0]!.id);
    assert.deepEqual(kinds(r, 'ReturnPathComponents'), ['i', 'eni', 'sg'], 'the reply stops at the database subnet boundary');
    assert.ok(r.ForwardPathComponents.length > 0);
  });

  test('an explicit deny below the ephemeral allow decides instead of *', () => {
    const n = threeTier();
    n.dbAcl.entries.push(aclEntry(90, true, 'deny', '6', '10.0.10.0/24', 1024, 65535));
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.AclRule!.RuleNumber, 90);
    // The other zone's app subnet is not denied by rule 90.
    assert.equal(ask(n.t, { source: n.appInst[1]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 }).NetworkPathFound, true);
  });

  test('a narrower reply rule still admits part of the ephemeral range: found, with the narrowed ports', () => {
    const n = threeTier();
    n.dbAcl.entries = [...n.dbAcl.entries.filter((e) => !e.egress), aclEntry(100, true, 'allow', '6', '10.0.0.0/16', 32768, 60999)];
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432 });
    assert.equal(r.NetworkPathFound, true);
    const last = r.ReturnPathComponents[r.ReturnPathComponents.length - 1]!;
    assert.deepEqual(last.InboundHeader!.DestinationPortRanges, [{ From: 32768, To: 60999 }]);
    // A fixed source port outside that range has no way back.
    const fixed = ask(n.t, { source: n.appInst[0]!.id, destination: n.dbInst.id, protocol: 'tcp', destinationPort: 5432, sourcePort: 2000 });
    assert.equal(fixed.NetworkPathFound, false);
  });

  test('a private instance reaches the internet through its zone NAT gateway; the reply is mapped back', () => {
    const n = threeTier();
    const r = ask(n.t, { source: n.appInst[1]!.instanceId!, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.deepEqual(kinds(r), ['i', 'eni', 'sg', 'acl', 'rtb', 'acl', 'nat', 'acl', 'rtb', 'igw']);
    const nat = r.ForwardPathComponents[6]!;
    assert.equal(nat.Component.Id, n.nat[1]!.id);
    assert.deepEqual(nat.OutboundHeader!.SourceAddresses, [`${n.nat[1]!.privateIp}/32`]);
    const igw = r.ForwardPathComponents[9]!;
    assert.deepEqual(igw.OutboundHeader!.SourceAddresses, [`${n.nat[1]!.publicIp}/32`]);
    assert.equal(r.ForwardPathComponents[4]!.RouteTableRoute!.NatGatewayId, n.nat[1]!.id);
    assert.deepEqual(kinds(r, 'ReturnPathComponents'), ['igw', 'acl', 'nat', 'acl', 'rtb', 'acl', 'sg', 'eni', 'i']);
    const back = r.ReturnPathComponents[r.ReturnPathComponents.length - 1]!;
    assert.deepEqual(back.InboundHeader!.DestinationAddresses, [`${n.appInst[1]!.privateIps[0]}/32`]);
  });

  test('nothing initiates from the internet through a NAT gateway', () => {
    const n = threeTier();
    const r = ask(n.t, { source: 'internet', destination: n.nat[0]!.publicIp!, protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.ExplanationCode, 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
  });

  test('a blackhole route (its NAT gateway deleted): BAD_STATE_ROUTE naming the table and route', () => {
    const n = threeTier();
    n.appRt[0]!.routes = n.appRt[0]!.routes.map((r) => (r.target.startsWith('nat-') ? { ...r, state: 'blackhole' as const } : r));
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, false);
    const e = r.Explanations[0]!;
    assert.equal(e.ExplanationCode, 'BAD_STATE_ROUTE');
    assert.equal(e.RouteTable!.Id, n.appRt[0]!.id);
    assert.deepEqual(e.RouteTableRoute, { DestinationCidr: '0.0.0.0/0', NatGatewayId: n.nat[0]!.id, Origin: 'CreateRoute', State: 'blackhole' });
  });

  test('a NAT gateway that is not available: BAD_STATE', () => {
    const n = threeTier();
    n.nat[0]!.state = 'pending';
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.Explanations[0]!.ExplanationCode, 'BAD_STATE');
    assert.equal(r.Explanations[0]!.NatGateway!.Id, n.nat[0]!.id);
  });

  test('a group without the port: ENI_SG_RULES_MISMATCH naming the group', () => {
    const n = threeTier();
    const r = ask(n.t, { source: 'internet', destination: n.alb[0]!.id, protocol: 'tcp', destinationPort: 22 });
    assert.equal(r.NetworkPathFound, false);
    const e = r.Explanations[0]!;
    assert.equal(e.ExplanationCode, 'ENI_SG_RULES_MISMATCH');
    assert.equal(e.Direction, 'ingress');
    assert.equal(e.SecurityGroup!.Id, n.lbSg.id);
    assert.equal(e.NetworkInterface!.Id, n.alb[0]!.id);
    assert.equal(e.Port, 22);
    // Egress: the lb group sends only 8080 to the app group.
    const out = ask(n.t, { source: n.alb[0]!.id, destination: n.appInst[0]!.id, protocol: 'tcp', destinationPort: 9090 });
    assert.equal(out.Explanations[0]!.ExplanationCode, 'ENI_SG_RULES_MISMATCH');
    assert.equal(out.Explanations[0]!.Direction, 'egress');
    assert.equal(out.Explanations[0]!.SecurityGroup!.Id, n.lbSg.id);
  });

  test('the database cannot reach the internet: no route (the route is looked up before the ACL it would cross)', () => {
    const n = threeTier();
    n.dbSg.egress.push(anyTraffic());
    const r = ask(n.t, { source: n.dbInst.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.ExplanationCode, 'NO_ROUTE_TO_DESTINATION');
    assert.equal(r.Explanations[0]!.RouteTable!.Id, n.dbRt.id);
    assert.deepEqual(kinds(r), ['i', 'eni', 'sg']);
  });

  test('S3 through a gateway endpoint: the prefix-list route is more specific than the NAT default', () => {
    const n = threeTier();
    const pl = n.t.prefixList('com.amazonaws.us-east-1.s3', ['52.216.0.0/15', '3.5.0.0/19']);
    const vpce = n.t.gatewayEndpoint(n.vpc, pl, [n.appRt[0]!]);
    const r = ask(n.t, { source: n.appInst[0]!.id, destination: '52.217.10.10', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.ok(ids(r).includes(vpce.id));
    assert.equal(r.ForwardPathComponents.find((h) => h.RouteTableRoute)!.RouteTableRoute!.DestinationPrefixListId, pl.id);
    const udp = ask(n.t, { source: n.appInst[0]!.id, destination: vpce.id, protocol: 'udp', destinationPort: 53 });
    assert.equal(udp.Explanations[0]!.ExplanationCode, 'VPCE_GATEWAY_PROTOCOL_RESTRICTION');
  });

  test('bad questions throw with AWS error codes', () => {
    const n = threeTier();
    assert.throws(() => ask(n.t, { source: 'i-00000000000000bad', destination: 'internet', protocol: 'tcp' }),
      (e: unknown) => e instanceof NetworkQuestionError && e.code === 'InvalidInstanceID.NotFound');
    assert.throws(() => ask(n.t, { source: 'internet', destination: 'internet', protocol: 'tcp' }), NetworkQuestionError);
    assert.throws(() => ask(n.t, { source: n.alb[0]!.id, destination: 'internet', protocol: 'icmp' as 'tcp' }), NetworkQuestionError);
    assert.throws(() => ask(n.t, { source: n.alb[0]!.id, destination: 'internet', protocol: 'tcp', destinationPort: 70000 }), NetworkQuestionError);
  });

  test('answers are deterministic', () => {
    const a = ask(threeTier().t, { source: 'internet', destination: threeTier().alb[0]!.id, protocol: 'tcp', destinationPort: 443 });
    const b = ask(threeTier().t, { source: 'internet', destination: threeTier().alb[0]!.id, protocol: 'tcp', destinationPort: 443 });
    assert.deepEqual(a, b);
  });
});

describe('peering', () => {
  function twoVpcs(routes: { a: boolean; b: boolean }, status = 'active') {
    const t = new Topology();
    const va = t.vpc('10.0.0.0/16'), vb = t.vpc('10.1.0.0/16');
    const ra = t.routeTable(va), rb = t.routeTable(vb);
    const sa = t.subnet(va, '10.0.1.0/24', 'us-east-1a', { routeTable: ra });
    const sb = t.subnet(vb, '10.1.1.0/24', 'us-east-1a', { routeTable: rb });
    const ga = t.group(va, 'client');
    const gb = t.group(vb, 'server', [tcp(5432, { group: ga.id })]);
    const pcx = t.peering(va, vb, status);
    if (routes.a) t.route(ra, '10.1.0.0/16', pcx.id);
    if (routes.b) t.route(rb, '10.0.0.0/16', pcx.id);
    const client = t.eni(sa, [ga], { instance: true }), server = t.eni(sb, [gb], { instance: true });
    return { t, pcx, client, server, ra, rb, gb };
  }
  const q = (x: ReturnType<typeof twoVpcs>): Question => ({ source: x.client.id, destination: x.server.id, protocol: 'tcp', destinationPort: 5432 });

  test('routes on both sides and a group reference across the peering: found', () => {
    const x = twoVpcs({ a: true, b: true });
    const r = ask(x.t, q(x));
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    const hop = r.ForwardPathComponents.find((h) => h.Component.Id === x.pcx.id)!;
    assert.ok(hop.SourceVpc && hop.DestinationVpc);
    assert.equal(r.ForwardPathComponents.find((h) => h.RouteTableRoute)!.RouteTableRoute!.VpcPeeringConnectionId, x.pcx.id);
    assert.ok(ids(r, 'ReturnPathComponents').includes(x.pcx.id));
  });
  test('no routes: NO_ROUTE_TO_DESTINATION on the way out', () => {
    const x = twoVpcs({ a: false, b: false });
    const r = ask(x.t, q(x));
    assert.equal(r.Explanations[0]!.ExplanationCode, 'NO_ROUTE_TO_DESTINATION');
    assert.equal(r.Explanations[0]!.RouteTable!.Id, x.ra.id);
  });
  test('a route on one side only: the reply has no route back', () => {
    const x = twoVpcs({ a: true, b: false });
    const r = ask(x.t, q(x));
    assert.equal(r.NetworkPathFound, false);
    assert.equal(r.Explanations[0]!.ExplanationCode, 'NO_ROUTE_TO_DESTINATION');
    assert.equal(r.Explanations[0]!.RouteTable!.Id, x.rb.id);
    assert.ok(r.ReturnPathComponents.length > 0);
  });
  test('a peering connection that is not active: BAD_STATE', () => {
    const x = twoVpcs({ a: true, b: true }, 'pending-acceptance');
    const r = ask(x.t, q(x));
    assert.equal(r.Explanations[0]!.ExplanationCode, 'BAD_STATE');
    assert.equal(r.Explanations[0]!.VpcPeeringConnection!.Id, x.pcx.id);
  });
  test('group references do not cross inter-Region peering', () => {
    const x = twoVpcs({ a: true, b: true });
    x.pcx.crossRegion = true;
    const r = ask(x.t, q(x));
    assert.equal(r.Explanations[0]!.ExplanationCode, 'ENI_SG_RULES_MISMATCH');
    assert.equal(r.Explanations[0]!.SecurityGroup!.Id, x.gb.id);
  });
});

describe('appliances and IPv6', () => {
  test('a route to an instance with source/destination check on is refused', () => {
    const n = threeTier();
    const box = n.t.eni(n.pub[0]!, [n.t.group(n.vpc, 'fw', [anyTraffic()])], { instance: true });
    n.dbRt.routes.push({ destinationCidr: '0.0.0.0/0', target: box.instanceId!, state: 'active' });
    n.dbSg.egress.push(anyTraffic());
    n.dbAcl.entries.push(allowAll(true, 200), allowAll(false, 200));
    const r = ask(n.t, { source: n.dbInst.id, destination: 'internet', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.Explanations[0]!.ExplanationCode, 'ENI_SOURCE_DEST_CHECK_RESTRICTION');
  });

  test('IPv6 out through an egress-only gateway', () => {
    const t = new Topology();
    const v = t.vpc('10.0.0.0/16');
    v.ipv6Cidrs = ['2600:1f18:abc:de00::/56'];
    const rt = t.routeTable(v);
    rt.routes.push({ destinationCidr: '2600:1f18:abc:de00::/56', target: 'local', state: 'active' });
    const eigw = t.eigw(v);
    t.route(rt, '::/0', eigw.id);
    const s = t.subnet(v, '10.0.1.0/24', 'us-east-1a', { routeTable: rt });
    s.ipv6Cidrs = ['2600:1f18:abc:de01::/64'];
    t.defaultAcl(v).entries.push(allowAll(false, 101, '::/0'), allowAll(true, 101, '::/0'));
    const g = t.group(v, 'web', [], [anyTraffic('::/0')]);
    const e = t.eni(s, [g]);
    e.ipv6Ips = ['2600:1f18:abc:de01::10'];
    const r = ask(t, { source: e.id, destination: '2001:db8::1', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.ok(ids(r).includes(eigw.id));
    assert.deepEqual(r.ForwardPathComponents[0]!.OutboundHeader!.SourceAddresses, ['2600:1f18:abc:de01::10/128']);
  });
});
