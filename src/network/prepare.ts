/**
 * Indexes a snapshot once (maps by ID and address, parsed CIDRs, routes in longest-prefix
 * order, ACL entries in rule-number order, security group members) so many questions can be
 * asked of it cheaply.
 */

import { formatIp, mustIp, parseCidr, parseIp, type Cidr, type Ip } from './cidr.js';
import { mergeRanges } from './packets.js';
import type {
  AnalysisComponent, NetAcl, NetAclEntry, NetEgressOnlyGateway, NetEni, NetInternetGateway, NetNatGateway, NetPeering,
  NetRoute, NetRouteTable, NetSecurityGroup, NetSubnet, NetVpc, NetVpcEndpoint, NetworkSnapshot,
} from './types.js';

export interface PreparedRoute { readonly route: NetRoute; readonly cidrs: readonly Cidr[]; readonly order: number }
export interface PreparedAclEntry { readonly entry: NetAclEntry; readonly cidr: Cidr | undefined }

export interface Net {
  readonly snap: NetworkSnapshot;
  readonly vpc: Map<string, NetVpc>;
  readonly vpcCidrs: Map<string, Cidr[]>;
  readonly subnet: Map<string, NetSubnet>;
  readonly subnetCidrs: Map<string, Cidr[]>;
  readonly rtb: Map<string, NetRouteTable>;
  readonly routes: Map<string, PreparedRoute[]>;
  readonly igw: Map<string, NetInternetGateway>;
  readonly igwByVpc: Map<string, NetInternetGateway>;
  readonly eigw: Map<string, NetEgressOnlyGateway>;
  readonly nat: Map<string, NetNatGateway>;
  readonly vpce: Map<string, NetVpcEndpoint>;
  readonly pcx: Map<string, NetPeering>;
  readonly eni: Map<string, NetEni>;
  /** Canonical private address (v4 or v6) -> ENI. */
  readonly eniByIp: Map<string, NetEni>;
  readonly eniByPublicIp: Map<string, NetEni>;
  readonly enisByInstance: Map<string, NetEni[]>;
  readonly natByPrivateIp: Map<string, NetNatGateway>;
  readonly natByPublicIp: Map<string, NetNatGateway>;
  readonly sg: Map<string, NetSecurityGroup>;
  readonly sgMembers: Map<string, NetEni[]>;
  readonly acl: Map<string, NetAcl>;
  readonly aclIngress: Map<string, PreparedAclEntry[]>;
  readonly aclEgress: Map<string, PreparedAclEntry[]>;
  readonly prefixList: Map<string, Cidr[]>;
  /** Group ID -> member VPC -> member addresses as [lo, hi] (v4 and v6), for group references. */
  readonly memberRanges: Map<string, Map<string, { v4: [bigint, bigint][]; v6: [bigint, bigint][] }>>;
  /** Memo of parsed rule CIDRs and of CIDR lists for reported address ranges (per prepared network). */
  readonly cidrMemo: Map<string, Cidr | null>;
  readonly rangeMemo: Map<string, string[]>;
}

const byId = <T extends { id: string }>(xs: readonly T[] | undefined): Map<string, T> => new Map((xs ?? []).map((x) => [x.id, x]));
const cidrs = (xs: readonly string[] | undefined): Cidr[] =>
  (xs ?? []).flatMap((s) => { const r = parseCidr(s); return r.ok ? [r.cidr] : []; });
export const ipKey = (s: string): string | undefined => { const ip = parseIp(s); return ip ? formatIp(ip) : undefined; };

export function prepare(snap: NetworkSnapshot): Net {
  const prefixList = new Map((snap.prefixLists ?? []).map((p) => [p.id, cidrs(p.cidrs)]));
  const routes = new Map<string, PreparedRoute[]>();
  for (const t of snap.routeTables) {
    const list: PreparedRoute[] = t.routes.map((route, order) => ({
      route, order,
      cidrs: route.destinationCidr ? cidrs([route.destinationCidr]) : prefixList.get(route.destinationPrefixListId ?? '') ?? [],
    }));
    // CIDR routes before prefix-list routes on equal prefix length (AWS's priority), then table order.
    list.sort((a, b) => Number(!!a.route.destinationPrefixListId) - Number(!!b.route.destinationPrefixListId) || a.order - b.order);
    routes.set(t.id, list);
  }
  const eni = byId(snap.networkInterfaces);
  const eniByIp = new Map<string, NetEni>();
  const eniByPublicIp = new Map<string, NetEni>();
  const enisByInstance = new Map<string, NetEni[]>();
  const sgMembers = new Map<string, NetEni[]>();
  for (const e of snap.networkInterfaces) {
    for (const a of [...e.privateIps, ...(e.ipv6Ips ?? [])]) { const k = ipKey(a); if (k && !eniByIp.has(k)) eniByIp.set(k, e); }
    const pk = e.publicIp ? ipKey(e.publicIp) : undefined;
    if (pk) eniByPublicIp.set(pk, e);
    if (e.instanceId) enisByInstance.set(e.instanceId, [...(enisByInstance.get(e.instanceId) ?? []), e]);
    for (const g of e.securityGroupIds) sgMembers.set(g, [...(sgMembers.get(g) ?? []), e]);
  }
  const memberRanges = new Map<string, Map<string, { v4: [bigint, bigint][]; v6: [bigint, bigint][] }>>();
  const subnetVpc = new Map(snap.subnets.map((x) => [x.id, x.vpcId]));
  for (const e of snap.networkInterfaces) {
    const vpcId = subnetVpc.get(e.subnetId);
    if (!vpcId) continue;
    for (const g of e.securityGroupIds) {
      const byVpc = memberRanges.get(g) ?? new Map();
      memberRanges.set(g, byVpc);
      const slot = byVpc.get(vpcId) ?? { v4: [], v6: [] };
      byVpc.set(vpcId, slot);
      for (const a of [...e.privateIps, ...(e.ipv6Ips ?? [])]) {
        const ip = parseIp(a);
        if (ip) (ip.family === 4 ? slot.v4 : slot.v6).push([ip.value, ip.value]);
      }
    }
  }
  for (const byVpc of memberRanges.values()) for (const slot of byVpc.values()) { slot.v4 = mergeRanges(slot.v4); slot.v6 = mergeRanges(slot.v6); }
  const natByPrivateIp = new Map<string, NetNatGateway>();
  const natByPublicIp = new Map<string, NetNatGateway>();
  for (const n of snap.natGateways) {
    const k = ipKey(n.privateIp); if (k) natByPrivateIp.set(k, n);
    const p = n.publicIp ? ipKey(n.publicIp) : undefined; if (p) natByPublicIp.set(p, n);
  }
  const aclIngress = new Map<string, PreparedAclEntry[]>();
  const aclEgress = new Map<string, PreparedAclEntry[]>();
  for (const a of snap.networkAcls) {
    const prep = (egress: boolean): PreparedAclEntry[] => a.entries
      .filter((e) => e.egress === egress && e.ruleNumber >= 1 && e.ruleNumber <= 32766)
      .map((entry) => ({ entry, cidr: cidrs([entry.cidr])[0] }))
      .sort((x, y) => x.entry.ruleNumber - y.entry.ruleNumber);
    aclIngress.set(a.id, prep(false));
    aclEgress.set(a.id, prep(true));
  }
  const igwByVpc = new Map<string, NetInternetGateway>();
  for (const g of snap.internetGateways) if (g.attachedVpcId && !igwByVpc.has(g.attachedVpcId)) igwByVpc.set(g.attachedVpcId, g);
  return {
    snap,
    vpc: byId(snap.vpcs),
    vpcCidrs: new Map(snap.vpcs.map((v) => [v.id, cidrs([...v.cidrs, ...(v.ipv6Cidrs ?? [])])])),
    subnet: byId(snap.subnets),
    subnetCidrs: new Map(snap.subnets.map((s) => [s.id, cidrs([...s.cidrs, ...(s.ipv6Cidrs ?? [])])])),
    rtb: byId(snap.routeTables), routes,
    igw: byId(snap.internetGateways), igwByVpc,
    eigw: byId(snap.egressOnlyInternetGateways),
    nat: byId(snap.natGateways), natByPrivateIp, natByPublicIp,
    vpce: byId(snap.vpcEndpoints), pcx: byId(snap.peeringConnections),
    eni, eniByIp, eniByPublicIp, enisByInstance,
    sg: byId(snap.securityGroups), sgMembers,
    acl: byId(snap.networkAcls), aclIngress, aclEgress,
    prefixList, memberRanges, cidrMemo: new Map(), rangeMemo: new Map(),
  };
}

const ARN_TYPE: [string, string][] = [
  ['vpc-', 'vpc'], ['subnet-', 'subnet'], ['rtb-', 'route-table'], ['igw-', 'internet-gateway'], ['eigw-', 'egress-only-internet-gateway'],
  ['nat-', 'natgateway'], ['eni-', 'network-interface'], ['sg-', 'security-group'], ['acl-', 'network-acl'], ['i-', 'instance'],
  ['vpce-', 'vpc-endpoint'], ['pcx-', 'vpc-peering-connection'], ['pl-', 'prefix-list'],
];

/** AnalysisComponent for a resource: its own ARN when the snapshot has one, else one built from the ID. */
export function component(net: Net, r: { id: string; arn?: string; name?: string }): AnalysisComponent {
  const type = ARN_TYPE.find(([p]) => r.id.startsWith(p))?.[1] ?? 'resource';
  // A resource of a peered VPC lives in that VPC's account and Region.
  const x = r as { vpcId?: string; subnetId?: string };
  const vpc = net.vpc.get(r.id) ?? net.vpc.get(x.vpcId ?? '') ?? net.vpc.get(net.subnet.get(x.subnetId ?? '')?.vpcId ?? '');
  const c: AnalysisComponent = { Id: r.id, Arn: r.arn ?? `arn:aws:ec2:${vpc?.region ?? net.snap.region}:${vpc?.account ?? net.snap.account}:${type}/${r.id}` };
  if (r.name) c.Name = r.name;
  return c;
}

export const componentById = (net: Net, id: string): AnalysisComponent => {
  const r = net.vpc.get(id) ?? net.subnet.get(id) ?? net.rtb.get(id) ?? net.igw.get(id) ?? net.eigw.get(id) ?? net.nat.get(id) ??
    net.eni.get(id) ?? net.sg.get(id) ?? net.acl.get(id) ?? net.vpce.get(id) ?? net.pcx.get(id);
  return component(net, r ?? { id });
};

/** The route table a subnet uses: its explicit association, else its VPC's main table. */
export function effectiveRouteTable(net: Net, subnet: NetSubnet): NetRouteTable | undefined {
  return net.rtb.get(subnet.routeTableId ?? net.vpc.get(subnet.vpcId)?.mainRouteTableId ?? '');
}

/** A subnet is public exactly when its effective route table has an active route to an internet gateway. */
export function isPublicSubnet(net: Net, subnet: NetSubnet): boolean {
  const t = effectiveRouteTable(net, subnet);
  return !!t && t.routes.some((r) => r.target.startsWith('igw-') && r.state !== 'blackhole' &&
    net.igw.get(r.target)?.attachedVpcId === subnet.vpcId);
}

export const vpcOfEni = (net: Net, e: NetEni): string | undefined => net.subnet.get(e.subnetId)?.vpcId;
export const ipOf = (s: string): Ip => mustIp(s);
