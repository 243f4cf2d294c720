/**
 * Topology builder for tests and the bench (and for the EC2 service's tests): AWS-like
 * resources with deterministic IDs, each VPC with its main route table (local routes), default
 * network ACL (rule 100 allow all plus `*`, both directions) and default security group.
 * `threeTier()` builds the seeds' three-tier network in two zones.
 */

import { cidrLast, firstFreeAddress, formatIp, mustCidr } from './cidr.js';
import type {
  NetAcl, NetAclEntry, NetEni, NetInternetGateway, NetNatGateway, NetPeering, NetPrefixList, NetRoute, NetRouteTable,
  NetSecurityGroup, NetSgRule, NetSubnet, NetVpc, NetVpcEndpoint, NetworkSnapshot, NetEgressOnlyGateway,
} from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export const allowAll = (egress: boolean, ruleNumber = 100, cidr = '0.0.0.0/0'): NetAclEntry =>
  ({ ruleNumber, egress, action: 'allow', protocol: '-1', cidr });
export const aclEntry = (ruleNumber: number, egress: boolean, action: 'allow' | 'deny', protocol: string, cidr: string, from?: number, to?: number): NetAclEntry =>
  ({ ruleNumber, egress, action, protocol, cidr, ...(from !== undefined ? { fromPort: from, toPort: to ?? from } : {}) });
export const tcp = (port: number | [number, number], peer: { cidr?: string; group?: string; prefixList?: string }): NetSgRule => {
  const [from, to] = typeof port === 'number' ? [port, port] : port;
  return { protocol: 'tcp', fromPort: from, toPort: to, ...(peer.cidr ? { cidr: peer.cidr } : {}),
    ...(peer.group ? { referencedGroupId: peer.group } : {}), ...(peer.prefixList ? { prefixListId: peer.prefixList } : {}) };
};
export const anyTraffic = (cidr = '0.0.0.0/0'): NetSgRule => ({ protocol: '-1', cidr });

export class Topology {
  readonly vpcs: Mutable<NetVpc>[] = [];
  readonly subnets: Mutable<NetSubnet>[] = [];
  readonly routeTables: Mutable<NetRouteTable>[] = [];
  readonly internetGateways: Mutable<NetInternetGateway>[] = [];
  readonly egressOnly: Mutable<NetEgressOnlyGateway>[] = [];
  readonly natGateways: Mutable<NetNatGateway>[] = [];
  readonly vpcEndpoints: Mutable<NetVpcEndpoint>[] = [];
  readonly peerings: Mutable<NetPeering>[] = [];
  readonly enis: Mutable<NetEni>[] = [];
  readonly groups: Mutable<NetSecurityGroup>[] = [];
  readonly acls: Mutable<NetAcl>[] = [];
  readonly prefixLists: Mutable<NetPrefixList>[] = [];
  private seq = 0;
  private eips = 0;

  constructor(readonly account = ACCOUNT, readonly region = REGION) {}

  /** AWS-style ID: prefix and 17 hex digits, deterministic per builder. */
  id(prefix: string): string { return `${prefix}-${(++this.seq).toString(16).padStart(17, '0')}`; }

  vpc(cidr: string, name?: string): Mutable<NetVpc> {
    const id = this.id('vpc');
    const main = this.routeTable({ id, cidrs: [cidr] });
    const v: Mutable<NetVpc> = { id, cidrs: [cidr], mainRouteTableId: main.id, ...(name ? { name } : {}) };
    this.vpcs.push(v);
    this.acls.push({ id: this.id('acl'), vpcId: id, entries: [allowAll(false), allowAll(true)] });
    const sg = this.group(v, 'default', [], [anyTraffic()]);
    sg.ingress.push({ protocol: '-1', referencedGroupId: sg.id });
    return v;
  }

  defaultAcl(vpc: { id: string }): Mutable<NetAcl> { return this.acls.find((a) => a.vpcId === vpc.id)!; }

  routeTable(vpc: Pick<NetVpc, 'id' | 'cidrs'>, name?: string): Mutable<NetRouteTable> {
    const t: Mutable<NetRouteTable> = { id: this.id('rtb'), vpcId: vpc.id, routes: vpc.cidrs.map((c) => ({ destinationCidr: c, target: 'local', state: 'active' as const, origin: 'CreateRouteTable' })), ...(name ? { name } : {}) };
    this.routeTables.push(t);
    return t;
  }

  route(t: Mutable<NetRouteTable>, dest: string, target: string, state: 'active' | 'blackhole' = 'active'): NetRoute {
    const r: NetRoute = dest.startsWith('pl-') ? { destinationPrefixListId: dest, target, state, origin: 'CreateRoute' } : { destinationCidr: dest, target, state, origin: 'CreateRoute' };
    t.routes.push(r);
    return r;
  }

  subnet(vpc: NetVpc, cidr: string, zone: string, opts: { routeTable?: NetRouteTable; acl?: NetAcl; name?: string } = {}): Mutable<NetSubnet> {
    const s: Mutable<NetSubnet> = { id: this.id('subnet'), vpcId: vpc.id, zone, cidrs: [cidr], networkAclId: (opts.acl ?? this.defaultAcl(vpc)).id,
      ...(opts.routeTable ? { routeTableId: opts.routeTable.id } : {}), ...(opts.name ? { name: opts.name } : {}) };
    this.subnets.push(s);
    return s;
  }

  igw(vpc?: NetVpc): Mutable<NetInternetGateway> {
    const g: Mutable<NetInternetGateway> = { id: this.id('igw'), ...(vpc ? { attachedVpcId: vpc.id } : {}) };
    this.internetGateways.push(g);
    return g;
  }

  eigw(vpc: NetVpc): Mutable<NetEgressOnlyGateway> {
    const g = { id: this.id('eigw'), attachedVpcId: vpc.id };
    this.egressOnly.push(g);
    return g;
  }

  /** An Elastic IP from the documentation range 203.0.113.0/24, as cloudlet allocates them. */
  eip(): string { return `203.0.113.${++this.eips}`; }

  private nextIp(subnet: NetSubnet): string {
    const c = mustCidr(subnet.cidrs[0]!);
    const used: bigint[] = [];
    for (const e of this.enis) if (e.subnetId === subnet.id) for (const a of e.privateIps) used.push(mustCidr(`${a}/32`).network);
    for (const n of this.natGateways) if (n.subnetId === subnet.id) used.push(mustCidr(`${n.privateIp}/32`).network);
    const v = firstFreeAddress(c, used);
    if (v === undefined || v > cidrLast(c)) throw new Error(`subnet ${subnet.id} is full`);
    return formatIp({ family: 4, value: v });
  }

  eni(subnet: NetSubnet, groups: { id: string }[], opts: { publicIp?: string | true; instance?: boolean; sourceDestCheck?: boolean; name?: string; type?: string; ip?: string } = {}): Mutable<NetEni> {
    const e: Mutable<NetEni> = {
      id: this.id('eni'), subnetId: subnet.id, privateIps: [opts.ip ?? this.nextIp(subnet)], securityGroupIds: groups.map((g) => g.id),
      sourceDestCheck: opts.sourceDestCheck ?? true,
      ...(opts.publicIp ? { publicIp: opts.publicIp === true ? this.eip() : opts.publicIp } : {}),
      ...(opts.instance ? { instanceId: this.id('i') } : {}), ...(opts.name ? { name: opts.name } : {}), ...(opts.type ? { interfaceType: opts.type } : {}),
    };
    this.enis.push(e);
    return e;
  }

  nat(subnet: NetSubnet, opts: { connectivity?: 'public' | 'private'; state?: NetNatGateway['state'] } = {}): Mutable<NetNatGateway> {
    const connectivity = opts.connectivity ?? 'public';
    const eni = this.eni(subnet, [], { type: 'nat_gateway' });
    const n: Mutable<NetNatGateway> = { id: this.id('nat'), subnetId: subnet.id, connectivity, state: opts.state ?? 'available', privateIp: eni.privateIps[0]!,
      networkInterfaceId: eni.id, ...(connectivity === 'public' ? { publicIp: this.eip() } : {}) };
    this.natGateways.push(n);
    return n;
  }

  group(vpc: { id: string }, name: string, ingress: NetSgRule[] = [], egress: NetSgRule[] = [anyTraffic()]): Mutable<NetSecurityGroup> {
    const g: Mutable<NetSecurityGroup> = { id: this.id('sg'), vpcId: vpc.id, name, ingress, egress };
    this.groups.push(g);
    return g;
  }

  /** A custom ACL: deny-all until entries are added, as CreateNetworkAcl makes it. */
  acl(vpc: NetVpc, entries: NetAclEntry[] = [], name?: string): Mutable<NetAcl> {
    const a: Mutable<NetAcl> = { id: this.id('acl'), vpcId: vpc.id, entries, ...(name ? { name } : {}) };
    this.acls.push(a);
    return a;
  }

  peering(a: NetVpc, b: NetVpc, status = 'active', crossRegion = false): Mutable<NetPeering> {
    const p: Mutable<NetPeering> = { id: this.id('pcx'), requesterVpcId: a.id, accepterVpcId: b.id, status, ...(crossRegion ? { crossRegion } : {}) };
    this.peerings.push(p);
    return p;
  }

  prefixList(name: string, cidrs: string[]): Mutable<NetPrefixList> {
    const p = { id: this.id('pl'), name, cidrs };
    this.prefixLists.push(p);
    return p;
  }

  /** A gateway endpoint adds a prefix-list route to each of the given tables. */
  gatewayEndpoint(vpc: NetVpc, pl: NetPrefixList, tables: Mutable<NetRouteTable>[], serviceName = `com.amazonaws.${this.region}.s3`): Mutable<NetVpcEndpoint> {
    const e: Mutable<NetVpcEndpoint> = { id: this.id('vpce'), vpcId: vpc.id, type: 'Gateway', serviceName, prefixListId: pl.id, state: 'available' };
    this.vpcEndpoints.push(e);
    for (const t of tables) t.routes.push({ destinationPrefixListId: pl.id, target: e.id, state: 'active', origin: 'CreateRouteTable' });
    return e;
  }

  snapshot(): NetworkSnapshot {
    return {
      account: this.account, region: this.region, vpcs: this.vpcs, subnets: this.subnets, routeTables: this.routeTables,
      internetGateways: this.internetGateways, egressOnlyInternetGateways: this.egressOnly, natGateways: this.natGateways,
      vpcEndpoints: this.vpcEndpoints, peeringConnections: this.peerings, networkInterfaces: this.enis, securityGroups: this.groups,
      networkAcls: this.acls, prefixLists: this.prefixLists,
    };
  }
}

/**
 * The seeds' three-tier network in two zones: VPC 10.0.0.0/16; public 10.0.0.0/24, 10.0.1.0/24
 * (route 0.0.0.0/0 -> IGW, a NAT gateway with an EIP in each, the ALB's interfaces); app
 * 10.0.10.0/24, 10.0.11.0/24 (0.0.0.0/0 -> the zone's NAT); database 10.0.20.0/24, 10.0.21.0/24
 * (local routes only, a custom ACL: 5432 in from the VPC, ephemeral 1024-65535 out to it).
 * Groups as in the seeds' tables: lb (80, 443 from anywhere; out 8080 to app), app (8080 from lb;
 * out 5432 to db, out all), db (5432 from app).
 */
export function threeTier() {
  const t = new Topology();
  const vpc = t.vpc('10.0.0.0/16', 'three-tier');
  const igw = t.igw(vpc);
  const pubRt = t.routeTable(vpc, 'public');
  t.route(pubRt, '0.0.0.0/0', igw.id);
  const zones = ['us-east-1a', 'us-east-1b'];
  const pub = zones.map((z, i) => t.subnet(vpc, `10.0.${i}.0/24`, z, { routeTable: pubRt, name: `public-${z}` }));
  const nat = pub.map((s) => t.nat(s));
  const appRt = zones.map((z, i) => { const r = t.routeTable(vpc, `app-${z}`); t.route(r, '0.0.0.0/0', nat[i]!.id); return r; });
  const app = zones.map((z, i) => t.subnet(vpc, `10.0.${10 + i}.0/24`, z, { routeTable: appRt[i]!, name: `app-${z}` }));
  const dbRt = t.routeTable(vpc, 'database');
  const dbAcl = t.acl(vpc, [
    aclEntry(100, false, 'allow', '6', '10.0.0.0/16', 5432),
    aclEntry(100, true, 'allow', '6', '10.0.0.0/16', 1024, 65535),
  ], 'database');
  const db = zones.map((z, i) => t.subnet(vpc, `10.0.${20 + i}.0/24`, z, { routeTable: dbRt, acl: dbAcl, name: `db-${z}` }));
  const lbSg = t.group(vpc, 'lb', [tcp(80, { cidr: '0.0.0.0/0' }), tcp(443, { cidr: '0.0.0.0/0' })], []);
  const appSg = t.group(vpc, 'app', [tcp(8080, { group: lbSg.id })], []);
  const dbSg = t.group(vpc, 'db', [tcp(5432, { group: appSg.id })], []);
  lbSg.egress.push(tcp(8080, { group: appSg.id }));
  appSg.egress.push(tcp(5432, { group: dbSg.id }), anyTraffic());
  const alb = pub.map((s) => t.eni(s, [lbSg], { publicIp: true, name: 'alb' }));
  const appInst = app.map((s) => t.eni(s, [appSg], { instance: true, name: 'app' }));
  const dbInst = t.eni(db[0]!, [dbSg], { instance: true, name: 'db' });
  return { t, vpc, igw, pubRt, pub, nat, appRt, app, dbRt, dbAcl, db, lbSg, appSg, dbSg, alb, appInst, dbInst };
}
