/**
 * The hop-by-hop walk of one direction of a path: leave an interface (security group egress),
 * leave its subnet (ACL egress), take the subnet's route (longest prefix; blackholes), go
 * through the target (internet gateway address mapping, NAT translation, peering, endpoints,
 * appliances), enter the next subnet (ACL ingress) and interface (security group ingress).
 * The return direction uses the same walk with `isReturn`: security groups pass (stateful),
 * ACLs are evaluated again on the reply packets (stateless), NAT translations are undone.
 */

import { mustCidr, type Family } from './cidr.js';
import { DA, DP, SA, SP, cidrRange, intersect, isEmpty, project, setDim, single, subtract, addressStrings, portRanges, type Box } from './packets.js';
import { component, effectiveRouteTable, ipKey, vpcOfEni, type Net, type PreparedRoute } from './prepare.js';
import { evaluateAcl, evaluateSgs } from './rules.js';
import { formatIp, parseIp } from './cidr.js';
import type {
  AnalysisPacketHeader, AnalysisRouteTableRoute, Explanation, NetEni, NetInternetGateway, NetNatGateway, NetRouteTable, NetSubnet, PathComponent,
} from './types.js';

export type Goal =
  | { kind: 'eni'; eni: NetEni }
  | { kind: 'nat'; nat: NetNatGateway }
  | { kind: 'external'; igwId?: string; vpceId?: string; anyEndpoint?: boolean }
  | { kind: 'pcx'; pcxId: string };

export interface NatRecord { natId: string; sa: [bigint, bigint]; sp: [bigint, bigint][] }

export interface Ctx {
  readonly net: Net;
  readonly family: Family;
  readonly proto: number;
  readonly isReturn: boolean;
  readonly goal: Goal;
  readonly hops: Omit<PathComponent, 'SequenceNumber'>[];
  readonly nat: NatRecord[];
  steps: number;
}

export type Outcome = { ok: true; set: Box[] } | { ok: false; explanations: Explanation[]; hops: Omit<PathComponent, 'SequenceNumber'>[] };

const MAX_STEPS = 64;
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => cidrRange(mustCidr(c)));
const SHARED_V4 = [cidrRange(mustCidr('100.64.0.0/10'))];

/** Address list of one dimension as CIDRs; the internet's dozen blocks are computed once per network. */
function addrs(ctx: Ctx, set: readonly Box[], dim: number): string[] {
  const p = project(set, dim);
  const key = `${ctx.family}|${p.map(([a, b]) => `${a}-${b}`).join(',')}`;
  let v = ctx.net.rangeMemo.get(key);
  if (!v) { v = addressStrings(set, dim, ctx.family); if (ctx.net.rangeMemo.size < 10_000) ctx.net.rangeMemo.set(key, v); }
  return [...v];
}

export function header(ctx: Ctx, set: readonly Box[]): AnalysisPacketHeader {
  return {
    DestinationAddresses: addrs(ctx, set, DA),
    DestinationPortRanges: portRanges(set, DP),
    Protocol: String(ctx.proto),
    SourceAddresses: addrs(ctx, set, SA),
    SourcePortRanges: portRanges(set, SP),
  };
}

const fail = (ctx: Ctx, ...explanations: Explanation[]): Outcome => ({ ok: false, explanations, hops: [...ctx.hops] });
const comp = (ctx: Ctx, r: { id: string; arn?: string; name?: string }) => component(ctx.net, r);
const subnetVpc = (ctx: Ctx, s: NetSubnet) => ({ Subnet: comp(ctx, s), Vpc: comp(ctx, ctx.net.vpc.get(s.vpcId) ?? { id: s.vpcId }) });
const vpcComp = (ctx: Ctx, id: string) => comp(ctx, ctx.net.vpc.get(id) ?? { id });

function eniHop(ctx: Ctx, eni: NetEni): Omit<PathComponent, 'SequenceNumber'> {
  const s = ctx.net.subnet.get(eni.subnetId);
  const hop: Omit<PathComponent, 'SequenceNumber'> = { Component: comp(ctx, eni) };
  if (eni.instanceId) hop.AttachedTo = comp(ctx, { id: eni.instanceId, ...(eni.instanceArn ? { arn: eni.instanceArn } : {}) });
  if (s) Object.assign(hop, subnetVpc(ctx, s));
  return hop;
}

/** An ACL crossing; pushes the hop or answers SUBNET_ACL_RESTRICTION naming the entry that denied. */
function crossAcl(ctx: Ctx, subnet: NetSubnet, egress: boolean, set: Box[]): Box[] | Outcome {
  const acl = ctx.net.acl.get(subnet.networkAclId) ?? { id: subnet.networkAclId };
  const d = evaluateAcl(ctx.net, subnet.networkAclId, egress, set, ctx.family, ctx.proto);
  if (isEmpty(d.allowed)) {
    return fail(ctx, {
      ExplanationCode: 'SUBNET_ACL_RESTRICTION', Direction: egress ? 'egress' : 'ingress', Acl: comp(ctx, acl),
      ...(d.denyRule ? { AclRule: d.denyRule } : {}), Component: comp(ctx, acl), ...subnetVpc(ctx, subnet),
    });
  }
  ctx.hops.push({ Component: comp(ctx, acl), ...(d.allowRule ? { AclRule: d.allowRule } : {}) });
  return d.allowed;
}

/** Security groups of an interface; on the return path they pass (connection tracking). */
function crossSgs(ctx: Ctx, eni: NetEni, direction: 'ingress' | 'egress', set: Box[]): Box[] | Outcome {
  const first = eni.securityGroupIds[0];
  if (!first && eni.interfaceType && eni.interfaceType !== 'interface') return set; // NAT/endpoint interfaces carry no groups
  if (ctx.isReturn) {
    if (first) ctx.hops.push({ Component: comp(ctx, ctx.net.sg.get(first) ?? { id: first }) });
    return set;
  }
  const d = evaluateSgs(ctx.net, eni, direction, set, ctx.family, ctx.proto);
  if (isEmpty(d.allowed)) {
    const groups = eni.securityGroupIds.map((g) => comp(ctx, ctx.net.sg.get(g) ?? { id: g }));
    const s = ctx.net.subnet.get(eni.subnetId);
    const noRules = eni.securityGroupIds.every((g) => !(direction === 'ingress' ? ctx.net.sg.get(g)?.ingress : ctx.net.sg.get(g)?.egress)?.length);
    // Which packet field no rule admits: the peer address when some rule has the port, else the port.
    const portOnly = evaluateSgs(ctx.net, eni, direction, set, ctx.family, ctx.proto, true);
    const field = !isEmpty(portOnly.allowed) ? (direction === 'ingress' ? 'source-address' : 'destination-address') : 'destination-port';
    const port = single(set, DP);
    return fail(ctx, {
      ExplanationCode: noRules ? 'SG_HAS_NO_RULES' : 'ENI_SG_RULES_MISMATCH', Direction: direction, NetworkInterface: comp(ctx, eni), Component: comp(ctx, eni),
      ...(groups[0] ? { SecurityGroup: groups[0] } : {}), SecurityGroups: groups,
      ...(s ? { Subnet: comp(ctx, s), Vpc: vpcComp(ctx, s.vpcId) } : {}),
      PacketField: field, ...(port !== undefined ? { Port: Number(port) } : {}), Protocols: [String(ctx.proto)],
      ...(field !== 'destination-port' ? { Addresses: addressStrings(set, direction === 'ingress' ? SA : DA, ctx.family) } : {}),
    });
  }
  ctx.hops.push({ Component: comp(ctx, ctx.net.sg.get(d.groupId!) ?? { id: d.groupId! }), ...(d.rule ? { SecurityGroupRule: d.rule } : {}) });
  return d.allowed;
}

const isOutcome = (x: Box[] | Outcome): x is Outcome => !Array.isArray(x);

function guard(ctx: Ctx): Outcome | undefined {
  if (++ctx.steps > MAX_STEPS) return fail(ctx, { ExplanationCode: 'NO_PATH' });
  return undefined;
}

/** Traffic leaving an interface: security group egress, then the subnet's route. */
export function leaveEni(ctx: Ctx, eni: NetEni, set: Box[]): Outcome {
  ctx.hops.push(eniHop(ctx, eni));
  const s = crossSgs(ctx, eni, 'egress', set);
  if (isOutcome(s)) return s;
  const subnet = ctx.net.subnet.get(eni.subnetId);
  if (!subnet) return fail(ctx, { ExplanationCode: 'UNASSOCIATED_COMPONENT', Component: comp(ctx, eni) });
  return routeOut(ctx, subnet, s);
}

function routeShape(r: PreparedRoute): AnalysisRouteTableRoute {
  const route = r.route;
  const t = route.target;
  const out: AnalysisRouteTableRoute = route.destinationPrefixListId
    ? { DestinationPrefixListId: route.destinationPrefixListId } : { DestinationCidr: route.destinationCidr! };
  if (t === 'local' || t.startsWith('igw-') || t.startsWith('vpce-')) out.GatewayId = t;
  else if (t.startsWith('nat-')) out.NatGatewayId = t;
  else if (t.startsWith('eigw-')) out.EgressOnlyInternetGatewayId = t;
  else if (t.startsWith('eni-')) out.NetworkInterfaceId = t;
  else if (t.startsWith('i-')) out.InstanceId = t;
  else if (t.startsWith('pcx-')) out.VpcPeeringConnectionId = t;
  else if (t.startsWith('tgw-')) out.TransitGatewayId = t;
  out.Origin = route.origin ?? (t === 'local' ? 'CreateRouteTable' : 'CreateRoute');
  out.State = route.state ?? 'active';
  return out;
}

/** Splits the packets by the route each destination takes (longest prefix first) and follows each. */
export function routeOut(ctx: Ctx, subnet: NetSubnet, set: Box[]): Outcome {
  const g = guard(ctx); if (g) return g;
  const rt = effectiveRouteTable(ctx.net, subnet);
  if (!rt) return fail(ctx, { ExplanationCode: 'NO_ROUTE_TO_DESTINATION', ...subnetVpc(ctx, subnet) });
  const pairs = (ctx.net.routes.get(rt.id) ?? []).flatMap((pr) => pr.cidrs.filter((c) => c.family === ctx.family).map((c) => ({ pr, c })));
  pairs.sort((a, b) => b.c.prefix - a.c.prefix); // stable: equal lengths keep CIDR-before-prefix-list, table order
  let remaining = set;
  const branches: { pr: PreparedRoute; part: Box[] }[] = [];
  for (const { pr, c } of pairs) {
    const cons = [undefined, [cidrRange(c)], undefined, undefined];
    const part = intersect(remaining, cons, ctx.family);
    if (!part.length) continue;
    const same = branches.find((b) => b.pr === pr);
    if (same) same.part.push(...part); else branches.push({ pr, part });
    remaining = subtract(remaining, cons, ctx.family);
    if (isEmpty(remaining)) break;
  }
  if (!branches.length) {
    return fail(ctx, { ExplanationCode: 'NO_ROUTE_TO_DESTINATION', RouteTable: comp(ctx, rt), Component: comp(ctx, rt), ...subnetVpc(ctx, subnet),
      Destination: goalComponent(ctx), Addresses: addressStrings(set, DA, ctx.family) });
  }
  let first: Outcome | undefined;
  for (const b of branches) {
    const mark = ctx.hops.length, natMark = ctx.nat.length;
    const r = takeRoute(ctx, subnet, rt, b.pr, b.part);
    if (r.ok) return r;
    first ??= r;
    ctx.hops.length = mark;
    ctx.nat.length = natMark; // translations of an abandoned branch must not open a way back
  }
  return first!;
}

export function goalComponent(ctx: Ctx) {
  const g = ctx.goal;
  if (g.kind === 'eni') return comp(ctx, g.eni);
  if (g.kind === 'nat') return comp(ctx, g.nat);
  if (g.kind === 'pcx') return comp(ctx, ctx.net.pcx.get(g.pcxId) ?? { id: g.pcxId });
  const id = g.igwId ?? g.vpceId;
  return id ? comp(ctx, ctx.net.igw.get(id) ?? ctx.net.vpce.get(id) ?? { id }) : { Id: 'internet' };
}

type Next = { kind: 'eni'; eni: NetEni } | { kind: 'nat'; nat: NetNatGateway } | { kind: 'leave' } | { kind: 'none' };

/** Where a local route delivers: the goal when its address is among the destinations, else the owner of the one address. */
function localTarget(ctx: Ctx, vpcId: string, set: Box[]): { next: Next; set: Box[] } {
  const g = ctx.goal;
  const goalIps = g.kind === 'eni' ? (ctx.family === 4 ? g.eni.privateIps : g.eni.ipv6Ips ?? []) : g.kind === 'nat' ? [g.nat.privateIp] : [];
  for (const a of goalIps) {
    const k = ipKey(a); if (!k) continue;
    const v = parseKey(k);
    const part = intersect(set, [undefined, [[v, v]], undefined, undefined], ctx.family);
    if (part.length) return { next: g.kind === 'eni' ? { kind: 'eni', eni: g.eni } : { kind: 'nat', nat: (g as { nat: NetNatGateway }).nat }, set: part };
  }
  const one = single(set, DA);
  if (one === undefined) return { next: { kind: 'none' }, set };
  const key = formatIp({ family: ctx.family, value: one });
  const eni = ctx.net.eniByIp.get(key);
  if (eni && vpcOfEni(ctx.net, eni) === vpcId) {
    const nat = ctx.net.natByPrivateIp.get(key);
    return { next: nat ? { kind: 'nat', nat } : { kind: 'eni', eni }, set };
  }
  const nat = ctx.net.natByPrivateIp.get(key);
  if (nat && ctx.net.subnet.get(nat.subnetId)?.vpcId === vpcId) return { next: { kind: 'nat', nat }, set };
  return { next: { kind: 'none' }, set };
}

const parseKey = (k: string): bigint => parseIp(k)!.value;
/** An address from the snapshot as a number; undefined when the snapshot holds a malformed one. */
const addrValue = (s: string | undefined): bigint | undefined => (s ? parseIp(s)?.value : undefined);

function takeRoute(ctx: Ctx, subnet: NetSubnet, rt: NetRouteTable, pr: PreparedRoute, set: Box[]): Outcome {
  const net = ctx.net;
  const route = pr.route;
  const t = route.target;
  const rtHop = { Component: comp(ctx, rt), RouteTableRoute: routeShape(pr) };
  const badRoute = () => fail(ctx, { ExplanationCode: 'BAD_STATE_ROUTE', RouteTable: comp(ctx, rt), RouteTableRoute: { ...routeShape(pr), State: 'blackhole' },
    Component: comp(ctx, rt), ...subnetVpc(ctx, subnet) });
  if (route.state === 'blackhole') return badRoute();
  // Resolve the target first: whether the packet leaves the subnet decides if the ACL applies.
  let leaving = true;
  let local: { next: Next; set: Box[] } | undefined;
  let appliance: NetEni | undefined;
  if (t === 'local') {
    local = localTarget(ctx, subnet.vpcId, set);
    set = local.set;
    const n = local.next;
    if (n.kind === 'eni') leaving = n.eni.subnetId !== subnet.id;
    else if (n.kind === 'nat') leaving = n.nat.subnetId !== subnet.id;
  } else if (t.startsWith('igw-')) {
    if (net.igw.get(t)?.attachedVpcId !== subnet.vpcId) return badRoute();
  } else if (t.startsWith('nat-')) {
    const nat = net.nat.get(t);
    if (!nat) return badRoute();
    leaving = nat.subnetId !== subnet.id;
  } else if (t.startsWith('eni-') || t.startsWith('i-')) {
    appliance = t.startsWith('eni-') ? net.eni.get(t) : net.enisByInstance.get(t)?.[0];
    if (!appliance) return badRoute();
    leaving = appliance.subnetId !== subnet.id;
  } else if (t.startsWith('pcx-')) {
    if (!net.pcx.get(t)) return badRoute();
  } else if (t.startsWith('vpce-')) {
    if (!net.vpce.get(t)) return badRoute();
  } else if (t.startsWith('eigw-')) {
    if (net.eigw.get(t)?.attachedVpcId !== subnet.vpcId) return badRoute();
  } else {
    return fail(ctx, { ExplanationCode: 'UNSUPPORTED_COMPONENT', Component: { Id: t } });
  }
  if (leaving) {
    const a = crossAcl(ctx, subnet, true, set);
    if (isOutcome(a)) return a;
    set = a;
  }
  ctx.hops.push(rtHop);
  if (local) {
    const n = local.next;
    if (n.kind === 'eni') return arriveEni(ctx, n.eni, set, subnet.id);
    if (n.kind === 'nat') return arriveNat(ctx, n.nat, set, subnet.id);
    return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', RouteTable: comp(ctx, rt), RouteTableRoute: routeShape(pr), Component: comp(ctx, rt),
      Addresses: addressStrings(set, DA, ctx.family), Vpc: vpcComp(ctx, subnet.vpcId) });
  }
  if (t.startsWith('igw-')) return egressIgw(ctx, net.igw.get(t)!, set, subnet.vpcId);
  if (t.startsWith('nat-')) {
    if (ctx.isReturn && !ctx.nat.some((r) => r.natId === t)) {
      // A reply sent into a NAT gateway it never came through is translated away from its peer: no route back.
      return fail(ctx, { ExplanationCode: 'NO_ROUTE_TO_DESTINATION', RouteTable: comp(ctx, rt), RouteTableRoute: routeShape(pr), Component: comp(ctx, rt),
        ...subnetVpc(ctx, subnet), Destination: goalComponent(ctx), Addresses: addressStrings(set, DA, ctx.family) });
    }
    return arriveNat(ctx, net.nat.get(t)!, set, subnet.id);
  }
  if (appliance) return throughAppliance(ctx, appliance, set, subnet.id);
  if (t.startsWith('pcx-')) return crossPeering(ctx, t, subnet.vpcId, set);
  if (t.startsWith('vpce-')) return atGatewayEndpoint(ctx, t, set);
  return atEgressOnly(ctx, t, set, subnet.vpcId);
}

/** Final delivery into an interface: ACL ingress when entering from another subnet, SG ingress. */
export function arriveEni(ctx: Ctx, eni: NetEni, set: Box[], fromSubnetId: string | undefined): Outcome {
  const subnet = ctx.net.subnet.get(eni.subnetId);
  if (!subnet) return fail(ctx, { ExplanationCode: 'UNASSOCIATED_COMPONENT', Component: comp(ctx, eni) });
  if (fromSubnetId !== subnet.id) {
    const a = crossAcl(ctx, subnet, false, set);
    if (isOutcome(a)) return a;
    set = a;
  }
  const s = crossSgs(ctx, eni, 'ingress', set);
  if (isOutcome(s)) return s;
  ctx.hops.push(eniHop(ctx, eni));
  if (ctx.goal.kind === 'eni' && ctx.goal.eni.id === eni.id) {
    if (eni.instanceId) ctx.hops.push({ Component: comp(ctx, { id: eni.instanceId, ...(eni.instanceArn ? { arn: eni.instanceArn } : {}) }), InboundHeader: header(ctx, s) });
    else ctx.hops[ctx.hops.length - 1]!.InboundHeader = header(ctx, s);
    return { ok: true, set: s };
  }
  return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Component: comp(ctx, eni), NetworkInterface: comp(ctx, eni), Destination: goalComponent(ctx) });
}

/** A route to an instance or interface: a middlebox, which must have source/destination check off. */
function throughAppliance(ctx: Ctx, eni: NetEni, set: Box[], fromSubnetId: string): Outcome {
  if (ctx.goal.kind === 'eni' && ctx.goal.eni.id === eni.id) return arriveEni(ctx, eni, set, fromSubnetId);
  if (eni.sourceDestCheck) {
    return fail(ctx, { ExplanationCode: 'ENI_SOURCE_DEST_CHECK_RESTRICTION', Component: comp(ctx, eni), NetworkInterface: comp(ctx, eni) });
  }
  const subnet = ctx.net.subnet.get(eni.subnetId)!;
  if (fromSubnetId !== subnet.id) {
    const a = crossAcl(ctx, subnet, false, set);
    if (isOutcome(a)) return a;
    set = a;
  }
  const i = crossSgs(ctx, eni, 'ingress', set);
  if (isOutcome(i)) return i;
  return leaveEni(ctx, eni, i);
}

/** Leaving through an internet gateway: the private source must map to a public address. */
function egressIgw(ctx: Ctx, igw: NetInternetGateway, set: Box[], vpcId: string): Outcome {
  const igwC = comp(ctx, igw);
  let out = set;
  if (ctx.family === 4) {
    const src = single(set, SA);
    const key = src === undefined ? undefined : formatIp({ family: 4, value: src });
    const eni = key ? ctx.net.eniByIp.get(key) : undefined;
    const nat = key ? ctx.net.natByPrivateIp.get(key) : undefined;
    const pub = (eni && vpcOfEni(ctx.net, eni) === vpcId ? eni.publicIp : undefined) ?? (nat?.connectivity === 'public' ? nat.publicIp : undefined);
    if (!pub) {
      return fail(ctx, { ExplanationCode: 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS', Component: igwC, InternetGateway: igwC, Vpc: vpcComp(ctx, vpcId),
        ...(key ? { Address: key } : {}) });
    }
    out = subtract(set, [undefined, PRIVATE_V4, undefined, undefined], 4);
    if (isEmpty(out)) {
      return fail(ctx, { ExplanationCode: 'IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS', Component: igwC, InternetGateway: igwC, Vpc: vpcComp(ctx, vpcId) });
    }
    const v = addrValue(pub);
    if (v === undefined) return fail(ctx, { ExplanationCode: 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS', Component: igwC, InternetGateway: igwC });
    out = setDim(out, SA, [v, v]);
  }
  ctx.hops.push({ Component: igwC, InboundHeader: header(ctx, set), OutboundHeader: header(ctx, out), Vpc: vpcComp(ctx, vpcId) });
  const g = ctx.goal;
  if (g.kind === 'external' && !g.vpceId && (!g.igwId || g.igwId === igw.id)) return { ok: true, set: out };
  return fail(ctx, { ExplanationCode: 'IGW_NAT_REFLECTION', Component: igwC, InternetGateway: igwC });
}

function atEgressOnly(ctx: Ctx, id: string, set: Box[], vpcId: string): Outcome {
  const c = comp(ctx, ctx.net.eigw.get(id) ?? { id });
  ctx.hops.push({ Component: c, InboundHeader: header(ctx, set), OutboundHeader: header(ctx, set), Vpc: vpcComp(ctx, vpcId) });
  const g = ctx.goal;
  if (g.kind === 'external' && !g.vpceId && !g.igwId) return { ok: true, set };
  return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Component: c, Destination: goalComponent(ctx) });
}

/**
 * Entering through an internet gateway: the destination must be the public address of an
 * interface (or, for replies, a NAT gateway's Elastic IP) in the gateway's VPC.
 */
export function ingressIgw(ctx: Ctx, igw: NetInternetGateway, set: Box[]): Outcome {
  const igwC = comp(ctx, igw);
  const vpcId = igw.attachedVpcId ?? '';
  const dst = single(set, DA);
  const key = dst === undefined ? undefined : formatIp({ family: ctx.family, value: dst });
  let eni: NetEni | undefined, nat: NetNatGateway | undefined, priv: string | undefined;
  if (ctx.family === 4 && key) {
    eni = ctx.net.eniByPublicIp.get(key);
    if (eni && vpcOfEni(ctx.net, eni) === vpcId) priv = eni.privateIps[0];
    else {
      eni = undefined;
      nat = ctx.isReturn ? ctx.net.natByPublicIp.get(key) : undefined;
      if (nat && ctx.net.subnet.get(nat.subnetId)?.vpcId === vpcId) priv = nat.privateIp; else nat = undefined;
    }
  } else if (key) {
    eni = ctx.net.eniByIp.get(key);
    if (eni && vpcOfEni(ctx.net, eni) === vpcId) priv = key; else eni = undefined;
  }
  if (!priv) {
    return fail(ctx, { ExplanationCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS', Component: igwC, InternetGateway: igwC, Vpc: vpcComp(ctx, vpcId),
      ...(key ? { Address: key } : {}), Destination: goalComponent(ctx) });
  }
  let inside: Box[] = set;
  if (ctx.family === 4) {
    inside = subtract(set, [[...PRIVATE_V4, ...SHARED_V4], undefined, undefined, undefined], 4);
    if (isEmpty(inside)) return fail(ctx, { ExplanationCode: 'IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS', Component: igwC, InternetGateway: igwC });
    const v = addrValue(priv);
    if (v === undefined) return fail(ctx, { ExplanationCode: 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS', Component: igwC, InternetGateway: igwC });
    inside = setDim(inside, DA, [v, v]);
  }
  ctx.hops.push({ Component: igwC, InboundHeader: header(ctx, set), OutboundHeader: header(ctx, inside), Vpc: vpcComp(ctx, vpcId) });
  if (nat) return arriveNat(ctx, nat, inside, undefined);
  return arriveEni(ctx, eni!, inside, undefined);
}

/** A NAT gateway: forward, it rewrites the source (its private IP, a new ephemeral port); replies are mapped back. */
export function arriveNat(ctx: Ctx, nat: NetNatGateway, set: Box[], fromSubnetId: string | undefined): Outcome {
  const c = comp(ctx, nat);
  const subnet = ctx.net.subnet.get(nat.subnetId);
  if (!subnet) return fail(ctx, { ExplanationCode: 'UNASSOCIATED_COMPONENT', Component: c });
  if (nat.state !== 'available') return fail(ctx, { ExplanationCode: 'BAD_STATE', Component: c, NatGateway: c, State: nat.state });
  if (fromSubnetId !== subnet.id) {
    const a = crossAcl(ctx, subnet, false, set);
    if (isOutcome(a)) return a;
    set = a;
  }
  const natIp = addrValue(nat.privateIp);
  if (natIp === undefined) return fail(ctx, { ExplanationCode: 'UNASSOCIATED_COMPONENT', Component: c, NatGateway: c });
  if (ctx.goal.kind === 'nat' && ctx.goal.nat.id === nat.id) {
    ctx.hops.push({ Component: c, InboundHeader: header(ctx, set), ...subnetVpc(ctx, subnet) });
    return { ok: true, set };
  }
  let out: Box[];
  if (ctx.isReturn) {
    const rec = ctx.nat.find((r) => r.natId === nat.id);
    if (!rec || single(set, DA) !== natIp) {
      return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Component: c, NatGateway: c, Destination: goalComponent(ctx) });
    }
    out = rec.sp.flatMap((r) => setDim(setDim(set, DA, rec.sa), DP, r));
  } else {
    const vpcRanges = (ctx.net.vpcCidrs.get(subnet.vpcId) ?? []).filter((x) => x.family === ctx.family).map(cidrRange);
    const inVpc = intersect(set, [vpcRanges, undefined, undefined, undefined], ctx.family);
    if (isEmpty(inVpc) || ctx.family !== 4) {
      return fail(ctx, { ExplanationCode: 'NGW_REQUIRES_SOURCE_IN_VPC', Component: c, NatGateway: c, Vpc: vpcComp(ctx, subnet.vpcId) });
    }
    const sa = project(inVpc, SA)[0]!;
    ctx.nat.push({ natId: nat.id, sa, sp: project(inVpc, SP) });
    out = setDim(setDim(inVpc, SA, [natIp, natIp]), SP, [1024n, 65535n]);
  }
  ctx.hops.push({ Component: c, InboundHeader: header(ctx, set), OutboundHeader: header(ctx, out), ...subnetVpc(ctx, subnet) });
  return routeOut(ctx, subnet, out);
}

function crossPeering(ctx: Ctx, id: string, fromVpc: string, set: Box[]): Outcome {
  const p = ctx.net.pcx.get(id)!;
  const c = comp(ctx, p);
  if (p.status !== 'active') return fail(ctx, { ExplanationCode: 'BAD_STATE', Component: c, VpcPeeringConnection: c, State: p.status });
  const toVpc = p.requesterVpcId === fromVpc ? p.accepterVpcId : p.requesterVpcId;
  if (!ctx.net.vpc.has(toVpc)) {
    // The peer VPC belongs to another account or Region that the snapshot does not hold.
    return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Component: c, VpcPeeringConnection: c, DestinationVpc: { Id: toVpc } });
  }
  const ranges = (ctx.net.vpcCidrs.get(toVpc) ?? []).filter((x) => x.family === ctx.family).map(cidrRange);
  const inPeer = ranges.length ? intersect(set, [undefined, ranges, undefined, undefined], ctx.family) : [];
  if (isEmpty(inPeer)) {
    return fail(ctx, { ExplanationCode: 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', Component: c, VpcPeeringConnection: c, DestinationVpc: vpcComp(ctx, toVpc),
      Cidrs: (ctx.net.vpc.get(toVpc)?.cidrs ?? []).slice() });
  }
  ctx.hops.push({ Component: c, SourceVpc: vpcComp(ctx, fromVpc), DestinationVpc: vpcComp(ctx, toVpc) });
  if (ctx.goal.kind === 'pcx' && ctx.goal.pcxId === id) return { ok: true, set: inPeer };
  return deliverInVpc(ctx, toVpc, inPeer);
}

/** Arrival into a VPC from outside its subnets (peering, endpoint replies): the local route delivers. */
export function deliverInVpc(ctx: Ctx, vpcId: string, set: Box[]): Outcome {
  const g = guard(ctx); if (g) return g;
  const t = localTarget(ctx, vpcId, set);
  if (t.next.kind === 'eni') return arriveEni(ctx, t.next.eni, t.set, undefined);
  if (t.next.kind === 'nat') return arriveNat(ctx, t.next.nat, t.set, undefined);
  return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Vpc: vpcComp(ctx, vpcId), Destination: goalComponent(ctx), Addresses: addressStrings(set, DA, ctx.family) });
}

function atGatewayEndpoint(ctx: Ctx, id: string, set: Box[]): Outcome {
  const e = ctx.net.vpce.get(id)!;
  const c = comp(ctx, e);
  if (ctx.proto !== 6) return fail(ctx, { ExplanationCode: 'VPCE_GATEWAY_PROTOCOL_RESTRICTION', Component: c, VpcEndpoint: c, Protocols: [String(ctx.proto)] });
  ctx.hops.push({ Component: c, InboundHeader: header(ctx, set), Vpc: vpcComp(ctx, e.vpcId) });
  const g = ctx.goal;
  if (g.kind === 'external' && (g.vpceId === id || (g.anyEndpoint && !g.igwId && !g.vpceId))) return { ok: true, set };
  return fail(ctx, { ExplanationCode: 'NO_POSSIBLE_DESTINATION', Component: c, Destination: goalComponent(ctx) });
}

