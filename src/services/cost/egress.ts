/**
 * What an instance sends to the internet (the workload model's --egress, src/services/fleet/
 * load.ts) on the bill, decided by the instance's network as AWS would carry it. The traffic is
 * modelled as HTTPS (tcp 443) to public addresses; it leaves only if
 *   - a security group of the instance allows egress tcp 443 to 0.0.0.0/0,
 *   - the subnet's network ACL, in rule order, allows it out (tcp 443 to 0.0.0.0/0) and lets the
 *     replies in (tcp to an ephemeral port, 49152, from 0.0.0.0/0),
 *   - the subnet's route to 0.0.0.0/0 is active and goes to an internet gateway (then the
 *     instance needs a public address: billed as its data transfer out) or to an available
 *     public NAT gateway (billed as the NAT gateway's GB processed, plus data transfer out from
 *     it when its own subnet routes to an internet gateway).
 * Anything else drops the packets: nothing is billed, and `egressPath` says why.
 */
import type { Scope, Tx } from '../../store/types.js';
import { natState, type NatGatewayRecord } from '../ec2/vpc/nat-gateways.js';
import type { NetworkAclRecord, SecurityGroupRecord, SubnetRecord } from '../ec2/vpc/records.js';
import { routeState } from '../ec2/vpc/route-targets.js';
import { subnetRouteTable } from '../ec2/vpc/subnet-route-table.js';
import { ec2Tags, SERVICE } from './lines.js';
import { meterCount } from './meter.js';
import { prices, regional, usageType } from './prices.js';
import { GB } from './traffic.js';

const HTTPS = 443;
const EPHEMERAL = 49_152;
const ANYWHERE = '0.0.0.0/0';

export type EgressPath =
  | { via: 'internet-gateway' }
  | { via: 'nat-gateway'; nat: NatGatewayRecord; natToInternet: boolean }
  | { via: 'none'; why: string };

const coversPort = (protocol: string, range: { from?: number; to?: number } | undefined, port: number): boolean =>
  protocol === '-1' || ((protocol === 'tcp' || protocol === '6') && (range?.from ?? 0) <= port && port <= (range?.to ?? 65535));

function groupsAllow(tx: Tx, scope: Scope, groupIds: readonly string[]): boolean {
  for (const id of groupIds) {
    const g = tx.get<SecurityGroupRecord>(scope, 'ec2:security-group', id);
    if (g?.rules.some((r) => r.egress && r.cidrIpv4 === ANYWHERE && coversPort(r.ipProtocol, { from: r.fromPort, to: r.toPort }, HTTPS))) return true;
  }
  return false;
}

/** The first entry (by rule number) of one direction that matches tcp to `port` for 0.0.0.0/0: allow or deny (the implicit * denies). */
function aclDecides(acl: NetworkAclRecord, egress: boolean, port: number): { allow: boolean; rule: string } {
  const entries = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const e of entries) {
    if (e.cidrBlock !== ANYWHERE || !coversPort(e.protocol, e.portRange, port)) continue;
    return { allow: e.ruleAction === 'allow', rule: String(e.ruleNumber) };
  }
  return { allow: false, rule: '*' };
}

function aclBlocks(tx: Tx, scope: Scope, subnet: SubnetRecord, defaultAclId: string | undefined): string | undefined {
  const aclId = subnet.networkAcl?.aclId ?? defaultAclId;
  const acl = aclId ? tx.get<NetworkAclRecord>(scope, 'ec2:network-acl', aclId) : undefined;
  if (!acl) return undefined;
  const out = aclDecides(acl, true, HTTPS);
  if (!out.allow) return `network ACL ${acl.id} rule ${out.rule} denies tcp ${HTTPS} out to ${ANYWHERE}`;
  const back = aclDecides(acl, false, EPHEMERAL);
  if (!back.allow) return `network ACL ${acl.id} rule ${back.rule} denies the replies (tcp ${EPHEMERAL} in from ${ANYWHERE})`;
  return undefined;
}

/** The target of a subnet's active route to 0.0.0.0/0 (its explicit table, else its VPC's main one). */
function defaultRoute(tx: Tx, scope: Scope, vpcId: string, subnetId: string): string | undefined {
  const r = subnetRouteTable(tx, scope, vpcId, subnetId)?.routes.find((x) => x.destinationCidrBlock === ANYWHERE);
  return r && routeState({ tx, scope }, vpcId, r) === 'active' ? r.target : undefined;
}

/** Where an instance's HTTPS to the internet leaves its VPC at atMs, or why it does not. */
export function egressPath(tx: Tx, scope: Scope, i: { vpcId?: string; subnetId?: string; groups: readonly string[] }, hasPublicIp: boolean, atMs: number): EgressPath {
  if (!i.vpcId || !i.subnetId) return { via: 'none', why: 'the instance is not in a subnet' };
  if (!groupsAllow(tx, scope, i.groups)) return { via: 'none', why: `no security group of the instance (${i.groups.join(', ')}) allows egress tcp ${HTTPS} to ${ANYWHERE}` };
  const subnet = tx.get<SubnetRecord>(scope, 'ec2:subnet', i.subnetId);
  const vpc = tx.get<{ defaultNetworkAclId?: string }>(scope, 'ec2:vpc', i.vpcId);
  const blocked = subnet && aclBlocks(tx, scope, subnet, vpc?.defaultNetworkAclId);
  if (blocked) return { via: 'none', why: blocked };
  const target = defaultRoute(tx, scope, i.vpcId, i.subnetId);
  if (!target) return { via: 'none', why: `subnet ${i.subnetId} has no active route to ${ANYWHERE}` };
  if (target.startsWith('igw-')) return hasPublicIp ? { via: 'internet-gateway' } : { via: 'none', why: `subnet ${i.subnetId} routes to ${target} but the instance has no public IPv4 address` };
  if (target.startsWith('nat-')) {
    const nat = tx.get<NatGatewayRecord>(scope, 'ec2:natgateway', target);
    if (!nat || natState(nat, atMs) !== 'available') return { via: 'none', why: `NAT gateway ${target} is not available` };
    if (nat.connectivity !== 'public') return { via: 'none', why: `NAT gateway ${target} is private: it does not reach the internet` };
    const natTarget = defaultRoute(tx, scope, nat.vpcId, nat.subnetId);
    return { via: 'nat-gateway', nat, natToInternet: natTarget?.startsWith('igw-') ?? false };
  }
  return { via: 'none', why: `subnet ${i.subnetId} routes ${ANYWHERE} to ${target}, not to the internet` };
}

/** Meters `bytes` an instance sent to the internet in the hour of atMs, along its egress path. */
export function meterInstanceEgress(
  tx: Tx, scope: Scope, i: { id: string; vpcId?: string; subnetId?: string; groups: readonly string[] }, hasPublicIp: boolean, bytes: number, atMs: number,
): EgressPath {
  const path = egressPath(tx, scope, i, hasPublicIp, atMs);
  if (bytes <= 0 || path.via === 'none') return path;
  const gb = bytes / GB;
  const dto = usageType(scope.region, 'DataTransfer-Out-Bytes');
  const outRate = regional(prices().dataTransfer.outGb, scope.region);
  const common = { ...SERVICE.ec2Other, region: scope.region, unit: 'GB', quantity: 1 };
  if (path.via === 'internet-gateway') {
    meterCount(tx, scope, { ...common, resourceId: i.id, tags: ec2Tags(tx, scope, i.id), key: dto, usageType: dto, operation: 'RunInstances', rate: outRate }, gb, atMs);
    return path;
  }
  const nat = { ...common, resourceId: path.nat.id, tags: ec2Tags(tx, scope, path.nat.id), operation: 'NatGateway' };
  const processed = usageType(scope.region, 'NatGateway-Bytes');
  meterCount(tx, scope, { ...nat, key: processed, usageType: processed, rate: regional(prices().vpc.natGatewayGb, scope.region) }, gb, atMs);
  if (path.natToInternet) meterCount(tx, scope, { ...nat, key: dto, usageType: dto, rate: outRate }, gb, atMs);
  return path;
}
