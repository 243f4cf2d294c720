/**
 * The reachability engine's snapshot (src/network/types.ts) from the store records of one
 * account and Region. Only the VPCs a question touches are read, each through the store's
 * 'vpc' indexes (subnets, route tables, gateways, NAT gateways, interfaces, groups, ACLs), so
 * a question costs what its VPCs hold, not what the Region holds. The VPCs come from the
 * question's endpoints: an interface, instance, gateway, or an address (private, or an
 * Elastic IP) that one of the Region's interfaces holds; a VPC peered with one of them is read
 * too, from its own account and Region. Endpoints, peering connections and the prefix lists that
 * routes, groups and gateway endpoints name come along.
 */
import type {
  NetAcl, NetEni, NetNatGateway, NetPeering, NetPrefixList, NetRouteTable, NetSecurityGroup, NetSgRule, NetSubnet, NetVpc, NetVpcEndpoint,
  NetworkSnapshot,
} from '../../../network/index.js';
import { ipKey } from '../../../network/prepare.js';
import type { Scope } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { arnOf, RESOURCE_TYPES, typeOfId } from '../ids.js';
import { tagsOf } from '../tags.js';
import type { EgressOnlyGatewayRecord } from './egress-only-gateways.js';
import { natState, type NatGatewayRecord } from './nat-gateways.js';
import { peeringState } from './peering.js';
import { prefixListCidrs } from './prefix-lists.js';
import type { PeeringRecord, VpcEndpointRecord } from './records-endpoints.js';
import type { AddressRecord, NetworkInterfaceRecord } from './records-eni.js';
import type {
  InternetGatewayRecord, NetworkAclRecord, RouteTableRecord, SecurityGroupRecord, SecurityGroupRuleRecord, SubnetRecord, VpcRecord,
} from './records.js';
import { routeState } from './route-targets.js';

const K = {
  vpc: RESOURCE_TYPES.vpc.kind, subnet: RESOURCE_TYPES.subnet.kind, rtb: RESOURCE_TYPES['route-table'].kind,
  igw: RESOURCE_TYPES['internet-gateway'].kind, eigw: RESOURCE_TYPES['egress-only-internet-gateway'].kind,
  nat: RESOURCE_TYPES.natgateway.kind, eni: RESOURCE_TYPES['network-interface'].kind, sg: RESOURCE_TYPES['security-group'].kind,
  acl: RESOURCE_TYPES['network-acl'].kind, eip: RESOURCE_TYPES['elastic-ip'].kind,
  vpce: RESOURCE_TYPES['vpc-endpoint'].kind, pcx: RESOURCE_TYPES['vpc-peering-connection'].kind,
};

/** The ACL entries the engine adds itself: the `*` rules (32767 IPv4, 32768 IPv6). */
const LAST_NUMBERED_RULE = 32766;

/** What reading a snapshot needs: a request's context, or the admin endpoint's read of one account and Region. */
export type SnapshotContext = Pick<RequestContext, 'tx' | 'scope' | 'account' | 'region' | 'clock'>;

/** The VPC an endpoint of a question lies in, if the store knows it. */
export function vpcOfEndpoint(ctx: SnapshotContext, ref: string): string | undefined {
  const { tx, scope } = ctx;
  const type = typeOfId(ref);
  switch (type) {
    case 'network-interface': return tx.get<NetworkInterfaceRecord>(scope, K.eni, ref)?.vpcId;
    case 'instance': return tx.findBy<NetworkInterfaceRecord>(scope, K.eni, 'instance', { key: ref, limit: 1 })[0]?.value.vpcId;
    case 'internet-gateway': return tx.get<InternetGatewayRecord>(scope, K.igw, ref)?.attachments[0]?.vpcId;
    case 'egress-only-internet-gateway': return tx.get<EgressOnlyGatewayRecord>(scope, K.eigw, ref)?.attachments[0]?.vpcId;
    case 'natgateway': return tx.get<NatGatewayRecord>(scope, K.nat, ref)?.vpcId;
    case 'vpc-endpoint': return tx.get<VpcEndpointRecord>(scope, K.vpce, ref)?.vpcId;
    case 'vpc-peering-connection': {
      // The side of the connection in this account and Region.
      const p = tx.get<PeeringRecord>(scope, K.pcx, ref);
      const mine = (s: PeeringRecord['requester']) => s.ownerId === ctx.account && s.region === ctx.region;
      return p ? (mine(p.requester) ? p.requester.vpcId : mine(p.accepter) ? p.accepter.vpcId : undefined) : undefined;
    }
    default: break;
  }
  const ip = ipKey(ref);
  if (!ip) return undefined;
  const eni = tx.findBy<NetworkInterfaceRecord>(scope, K.eni, 'ip', { key: ip, limit: 1 })[0]?.value;
  if (eni) return eni.vpcId;
  const eip = tx.findBy<AddressRecord>(scope, K.eip, 'ip', { key: ip, limit: 1 })[0]?.value;
  const eniId = eip?.association?.networkInterfaceId;
  return eniId ? tx.get<NetworkInterfaceRecord>(scope, K.eni, eniId)?.vpcId : undefined;
}

const nameOf = (ctx: SnapshotContext, id: string): { name?: string } => {
  const n = tagsOf(ctx.tx, ctx.scope, id).find((t) => t.Key === 'Name')?.Value;
  return n ? { name: n } : {};
};

const sgRule = (r: SecurityGroupRuleRecord): NetSgRule => ({
  ruleId: r.id, protocol: r.ipProtocol,
  ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}), ...(r.toPort !== undefined ? { toPort: r.toPort } : {}),
  ...(r.cidrIpv4 ?? r.cidrIpv6 ? { cidr: (r.cidrIpv4 ?? r.cidrIpv6)! } : {}),
  ...(r.prefixListId ? { prefixListId: r.prefixListId } : {}),
  ...(r.referencedGroupId ? { referencedGroupId: r.referencedGroupId } : {}),
});

/** Builds the snapshot of the given VPCs (unknown IDs are skipped). */
export function buildSnapshot(ctx: SnapshotContext, vpcIds: Iterable<string>): NetworkSnapshot {
  const { tx } = ctx;
  const now = ctx.clock.nowMs();
  const snap = {
    account: ctx.account, region: ctx.region, vpcs: [] as NetVpc[], subnets: [] as NetSubnet[], routeTables: [] as NetRouteTable[],
    internetGateways: [] as NetworkSnapshot['internetGateways'][number][], egressOnlyInternetGateways: [] as { id: string; attachedVpcId?: string }[],
    natGateways: [] as NetNatGateway[], networkInterfaces: [] as NetEni[], securityGroups: [] as NetSecurityGroup[], networkAcls: [] as NetAcl[],
    vpcEndpoints: [] as NetVpcEndpoint[], peeringConnections: [] as NetPeering[], prefixLists: [] as NetPrefixList[],
  };
  // Prefix lists are per account and Region: each is resolved where the route or rule naming it lives.
  const prefixListIds = new Map<string, SnapshotContext>();
  const peeringsSeen = new Set<string>();
  // A peered VPC is read too (one hop), in whichever account and Region it lives, so routes and
  // group references across the connection resolve.
  const todo: Array<{ vpcId: string; scope: Scope }> = [...new Set(vpcIds)].map((vpcId) => ({ vpcId, scope: ctx.scope }));
  const keyOf = (i: { vpcId: string; scope: Scope }): string => `${i.scope.account}/${i.scope.region}/${i.vpcId}`;
  const done = new Set<string>();
  const groupsSeen = new Set<string>();
  const addGroup = (g: SecurityGroupRecord, account: string, region: string): void => {
    if (groupsSeen.has(g.id)) return;
    groupsSeen.add(g.id);
    snap.securityGroups.push({
      id: g.id, vpcId: g.vpcId, name: g.name, arn: arnOf('security-group', region, account, g.id),
      ingress: g.rules.filter((r) => !r.egress).map(sgRule), egress: g.rules.filter((r) => r.egress).map(sgRule),
    });
  };
  const peerHop = new Set(todo.map(keyOf));
  while (todo.length) {
    const item = todo.shift()!;
    const itemKey = keyOf(item);
    if (done.has(itemKey)) continue;
    done.add(itemKey);
    const { scope } = item;
    const { account, region } = scope;
    const here: SnapshotContext = { ...ctx, scope, account, region };
    const v = tx.get<VpcRecord>(scope, K.vpc, item.vpcId);
    if (!v) continue;
    snap.vpcs.push({
      id: v.id, ...nameOf(here, v.id), account, region, mainRouteTableId: v.mainRouteTableId,
      cidrs: v.cidrs.filter((c) => c.state === 'associated').map((c) => c.cidr),
      ipv6Cidrs: v.ipv6.filter((c) => c.state === 'associated').map((c) => c.cidr),
    });
    const rtbOfSubnet = new Map<string, string>();
    for (const { value: t } of tx.findBy<RouteTableRecord>(scope, K.rtb, 'vpc', { key: v.id })) {
      for (const a of t.associations) if (a.subnetId) rtbOfSubnet.set(a.subnetId, t.id);
      snap.routeTables.push({
        id: t.id, vpcId: t.vpcId, ...nameOf(here, t.id),
        routes: t.routes.map((r) => ({
          ...(r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ? { destinationCidr: (r.destinationCidrBlock ?? r.destinationIpv6CidrBlock)! } : {}),
          ...(r.destinationPrefixListId ? { destinationPrefixListId: r.destinationPrefixListId } : {}),
          target: r.target, state: routeState(here, t.vpcId, r), origin: r.origin,
        })),
      });
    }
    for (const { value: a } of tx.findBy<NetworkAclRecord>(scope, K.acl, 'vpc', { key: v.id })) {
      snap.networkAcls.push({
        id: a.id, vpcId: a.vpcId, ...nameOf(here, a.id),
        entries: a.entries.filter((e) => e.ruleNumber <= LAST_NUMBERED_RULE && (e.cidrBlock ?? e.ipv6CidrBlock)).map((e) => ({
          ruleNumber: e.ruleNumber, egress: e.egress, action: e.ruleAction, protocol: e.protocol, cidr: (e.cidrBlock ?? e.ipv6CidrBlock)!,
          ...(e.portRange ? { fromPort: e.portRange.from, toPort: e.portRange.to } : {}),
        })),
      });
    }
    for (const { value: s } of tx.findBy<SubnetRecord>(scope, K.subnet, 'vpc', { key: v.id })) {
      const rtb = rtbOfSubnet.get(s.id);
      snap.subnets.push({
        id: s.id, vpcId: s.vpcId, zone: s.zoneName, ...nameOf(here, s.id), cidrs: [s.cidrBlock],
        ipv6Cidrs: s.ipv6.filter((c) => c.state === 'associated').map((c) => c.cidr),
        ...(rtb ? { routeTableId: rtb } : {}), networkAclId: s.networkAcl?.aclId ?? v.defaultNetworkAclId,
      });
    }
    for (const { value: g } of tx.findBy<InternetGatewayRecord>(scope, K.igw, 'vpc', { key: v.id })) {
      snap.internetGateways.push({ id: g.id, ...nameOf(here, g.id), attachedVpcId: v.id });
    }
    for (const { value: g } of tx.findBy<EgressOnlyGatewayRecord>(scope, K.eigw, 'vpc', { key: v.id })) {
      snap.egressOnlyInternetGateways.push({ id: g.id, attachedVpcId: v.id });
    }
    for (const { value: n } of tx.findBy<NatGatewayRecord>(scope, K.nat, 'in-vpc', { key: v.id })) {
      const a = n.addresses[0];
      if (!a) continue; // A failed gateway holds no address: routes to it are blackholes (routeState).
      const state = natState(n, now);
      snap.natGateways.push({
        id: n.id, ...nameOf(here, n.id), subnetId: n.subnetId, connectivity: n.connectivity, state,
        privateIp: a.privateIp, ...(a.publicIp ? { publicIp: a.publicIp } : {}), networkInterfaceId: a.networkInterfaceId,
      });
    }
    for (const { value: e } of tx.findBy<NetworkInterfaceRecord>(scope, K.eni, 'vpc', { key: v.id })) {
      const primary = e.privateIps[0]?.address;
      const eip = tx.findBy<AddressRecord>(scope, K.eip, 'eni', { key: e.id }).find((h) => h.value.association?.privateIp === primary)?.value;
      // An instance's own (non-Elastic) public address is on its primary interface.
      const instancePublic = !eip && e.attachment?.instanceId && e.attachment.deviceIndex === 0
        ? tx.get<{ publicIp?: string }>(scope, 'ec2:instance', e.attachment.instanceId)?.publicIp : undefined;
      snap.networkInterfaces.push({
        id: e.id, ...nameOf(here, e.id), subnetId: e.subnetId, privateIps: e.privateIps.map((p) => p.address), ipv6Ips: e.ipv6,
        // A NAT gateway's Elastic IP is the gateway's (it translates), not an address its interface answers on.
        ...(eip && e.interfaceType !== 'nat_gateway' ? { publicIp: eip.publicIp } : instancePublic ? { publicIp: instancePublic } : {}), securityGroupIds: e.groups, sourceDestCheck: e.sourceDestCheck,
        ...(e.attachment?.instanceId ? { instanceId: e.attachment.instanceId } : {}),
        interfaceType: e.interfaceType, status: e.attachment ? 'in-use' : 'available',
      });
    }
    for (const { value: g } of tx.findBy<SecurityGroupRecord>(scope, K.sg, 'vpc', { key: v.id })) addGroup(g, account, region);
    for (const { value: e } of tx.findBy<VpcEndpointRecord>(scope, K.vpce, 'vpc', { key: v.id })) {
      if (e.prefixListId) prefixListIds.set(e.prefixListId, here);
      snap.vpcEndpoints.push({
        id: e.id, ...nameOf(here, e.id), vpcId: e.vpcId, type: e.type, serviceName: e.serviceName, state: e.state,
        ...(e.prefixListId ? { prefixListId: e.prefixListId } : {}), networkInterfaceIds: e.networkInterfaceIds,
      });
    }
    for (const index of ['requester-vpc', 'accepter-vpc']) {
      for (const { value: p } of tx.findBy<PeeringRecord>(scope, K.pcx, index, { key: v.id })) {
        if (peeringsSeen.has(p.id)) continue;
        peeringsSeen.add(p.id);
        const state = peeringState(p, now);
        snap.peeringConnections.push({
          id: p.id, ...nameOf(here, p.id), requesterVpcId: p.requester.vpcId, accepterVpcId: p.accepter.vpcId, status: state,
          ...(p.requester.region !== p.accepter.region ? { crossRegion: true } : {}),
        });
        const peer = p.requester.vpcId === v.id ? p.accepter : p.requester;
        const next = { vpcId: peer.vpcId, scope: { account: peer.ownerId, region: peer.region } };
        if (state === 'active' && peerHop.has(itemKey) && !done.has(keyOf(next))) todo.push(next);
      }
    }
  }
  const whereVpc = new Map(snap.vpcs.map((x): [string, SnapshotContext] => {
    const scope = { account: x.account ?? ctx.account, region: x.region ?? ctx.region };
    return [x.id, { ...ctx, scope, ...scope }];
  }));
  for (const t of snap.routeTables) for (const r of t.routes) if (r.destinationPrefixListId) prefixListIds.set(r.destinationPrefixListId, whereVpc.get(t.vpcId) ?? ctx);
  for (const g of snap.securityGroups) for (const r of [...g.ingress, ...g.egress]) if (r.prefixListId) prefixListIds.set(r.prefixListId, whereVpc.get(g.vpcId) ?? ctx);
  for (const [id, where] of prefixListIds) {
    const cidrs = prefixListCidrs(where, id);
    if (cidrs) snap.prefixLists.push({ id, cidrs });
  }
  return snap;
}

/** The snapshot a question between `source` and `destination` needs. */
export function snapshotFor(ctx: SnapshotContext, ...endpoints: Array<string | undefined>): NetworkSnapshot {
  const vpcs = endpoints.flatMap((e) => (e ? [vpcOfEndpoint(ctx, e)] : [])).filter((v): v is string => !!v);
  return buildSnapshot(ctx, vpcs);
}
