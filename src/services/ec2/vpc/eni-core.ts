/**
 * What every network interface needs, whoever creates it (CreateNetworkInterface, and later
 * NAT gateways, interface endpoints and instances through createInterfaceRecord): private
 * IPv4 addresses from the subnet (first free, or the one asked for) with the subnet's
 * usedIpv4 kept in step, IPv6 addresses from the subnet's /64, a MAC address unique in the
 * cloudlet, security group sets (same VPC, at most 5), and the output shape.
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import {
  cidrLast, containsValue, formatIpv4, formatIpv6, isReserved, mustCidr, parseIpv4, parseIpv6, usableCount,
} from '../../../network/cidr.js';
import { GLOBAL_ACCOUNT } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { checkId, newId, randomHex17, RESOURCE_TYPES } from '../ids.js';
import { tagList, type Tag } from '../tags.js';
import { nowIso } from './common.js';
import { MAC_KIND, type AddressRecord, type NetworkInterfaceRecord } from './records-eni.js';
import type { SecurityGroupRecord, SubnetRecord } from './records.js';

export const K = {
  eni: RESOURCE_TYPES['network-interface'].kind, subnet: RESOURCE_TYPES.subnet.kind,
  sg: RESOURCE_TYPES['security-group'].kind, eip: RESOURCE_TYPES['elastic-ip'].kind,
};
const GLOBAL = { account: GLOBAL_ACCOUNT, region: '' };
/** AWS's default quota of security groups per interface. */
export const MAX_GROUPS_PER_ENI = 5;
/** The most private IPv4 (and IPv6) addresses one interface takes (the largest instance types' figure). */
export const MAX_IPS_PER_ENI = 50;

/** The interface holding a private IPv4 address in a subnet (the 'ip' index, not a scan of the subnet). */
export function ownerOfIpv4(ctx: RequestContext, subnetId: string, address: string): NetworkInterfaceRecord | undefined {
  return ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, K.eni, 'ip', { key: address }).find((h) => h.value.subnetId === subnetId)?.value;
}

/** A requested address: inside the subnet, not one of AWS's five reserved ones. */
export function checkRequestedIpv4(s: SubnetRecord, address: string): string {
  const v = parseIpv4(address);
  const c = mustCidr(s.cidrBlock);
  if (v === undefined) throw new AwsError('InvalidParameterValue', `Value (${address}) for parameter privateIpAddress is invalid. It is not a valid IPv4 address.`);
  if (!containsValue(c, 4, v)) throw new AwsError('InvalidParameterValue', `Address ${address} does not fall within the subnet's address range (${s.cidrBlock})`);
  if (isReserved(c, v)) throw new AwsError('InvalidParameterValue', `Address ${address} is in subnet's reserved address range`);
  return formatIpv4(v);
}

/**
 * Takes private IPv4 addresses in a subnet: the `requested` ones (each free, or held by an
 * interface whose address `reassignFrom` lets go) and then `count` more, lowest free first.
 * The search starts at the subnet's ipv4Cursor (nothing below it is free), so taking an
 * address costs index lookups near the cursor, not a read of every interface of the subnet.
 * The subnet's usedIpv4 grows by the number newly taken (written here).
 */
export function takeIpv4(ctx: RequestContext, s: SubnetRecord, requested: string[], count: number, reassignFrom?: Set<string>): string[] {
  const taken: string[] = [];
  let fresh = 0;
  for (const r of requested) {
    const a = checkRequestedIpv4(s, r);
    const owner = ownerOfIpv4(ctx, s.id, a);
    if ((owner && !reassignFrom?.has(a)) || taken.includes(a)) {
      throw new AwsError('InvalidIPAddress.InUse', `The specified address ${a} is already in use in subnet ${s.id}.`);
    }
    if (!owner) fresh++;
    taken.push(a);
  }
  if (count > 0) {
    const c = mustCidr(s.cidrBlock);
    const lo = c.network + 4n;
    const hi = cidrLast(c) - 1n;
    const cursor = s.ipv4Cursor !== undefined ? parseIpv4(s.ipv4Cursor) : undefined;
    let v = cursor !== undefined && cursor > lo ? cursor : lo;
    // Cheap early refusal, before any lookup: not enough addresses left at all.
    if (Number(usableCount(c)) - s.usedIpv4 < count) v = hi + 1n;
    let got = 0;
    for (; v <= hi && got < count; v++) {
      const a = formatIpv4(v);
      if (taken.includes(a) || ownerOfIpv4(ctx, s.id, a)) continue;
      taken.push(a);
      got++;
    }
    if (got < count) {
      throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${s.id}' to satisfy the requested number of addresses.`);
    }
    s.ipv4Cursor = formatIpv4(v);
    fresh += got;
  }
  s.usedIpv4 += fresh;
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
  return taken;
}

/**
 * Gives private IPv4 addresses back to their subnet. Without the addresses, the first-free
 * search starts again from the bottom of the subnet (correct, only slower once).
 */
export function releaseIpv4(ctx: RequestContext, subnetId: string, n: number, addresses?: readonly string[]): void {
  const s = ctx.tx.get<SubnetRecord>(ctx.scope, K.subnet, subnetId);
  if (!s || n === 0) return;
  s.usedIpv4 = Math.max(0, s.usedIpv4 - n);
  const cursor = s.ipv4Cursor !== undefined ? parseIpv4(s.ipv4Cursor) : undefined;
  const freed = addresses?.map((a) => parseIpv4(a)).filter((v): v is bigint => v !== undefined);
  if (!freed || freed.length !== n) delete s.ipv4Cursor;
  else if (cursor !== undefined) {
    const low = freed.reduce((m, v) => (v < m ? v : m), cursor);
    s.ipv4Cursor = formatIpv4(low);
  }
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
}

/** IPv6 addresses from the subnet's /64: the requested ones (free, inside), then `count` random ones. */
export function takeIpv6(ctx: RequestContext, s: SubnetRecord, requested: string[], count: number): string[] {
  if (!requested.length && count === 0) return [];
  const block = s.ipv6.find((b) => b.state === 'associated');
  if (!block) throw new AwsError('InvalidParameterValue', `Subnet ${s.id} has no IPv6 CIDR block: it cannot give IPv6 addresses`);
  const c = mustCidr(block.cidr);
  const used = (a: string): boolean => ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, K.eni, 'ipv6', { key: a }).some((h) => h.value.subnetId === s.id);
  const out: string[] = [];
  for (const r of requested) {
    const v = parseIpv6(r);
    if (v === undefined || !containsValue(c, 6, v)) throw new AwsError('InvalidParameterValue', `Address ${r} does not fall within the subnet's IPv6 range (${block.cidr})`);
    if (isReserved(c, v)) throw new AwsError('InvalidParameterValue', `Address ${r} is in subnet's reserved address range`);
    const a = formatIpv6(v);
    if (used(a) || out.includes(a)) throw new AwsError('InvalidIPAddress.InUse', `The specified address ${a} is already in use in subnet ${s.id}.`);
    out.push(a);
  }
  while (out.length < requested.length + count) {
    const host = BigInt(`0x${randomBytes(8).toString('hex')}`);
    const v = c.network + host;
    const a = formatIpv6(v);
    if (isReserved(c, v) || v > cidrLast(c) || out.includes(a) || used(a)) continue;
    out.push(a);
  }
  return out;
}

/** A locally administered unicast MAC (02:...), claimed so that no two interfaces share one. */
export function claimMac(ctx: RequestContext, eniId: string): string {
  for (;;) {
    const h = randomHex17(); // 40 of its random bits
    const mac = `02:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}`;
    if (ctx.tx.get(GLOBAL, MAC_KIND, mac) === undefined) {
      ctx.tx.put(GLOBAL, MAC_KIND, mac, { account: ctx.account, region: ctx.region, networkInterfaceId: eniId });
      return mac;
    }
  }
}

export const releaseMac = (ctx: RequestContext, mac: string): void => { ctx.tx.delete(GLOBAL, MAC_KIND, mac); };

/** A security group set: existing groups of the interface's VPC, at most five. */
export function checkGroups(ctx: RequestContext, vpcId: string, ids: readonly string[], subnetId: string): string[] {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_GROUPS_PER_ENI) {
    throw new AwsError('SecurityGroupsPerInterfaceLimitExceeded', `The maximum number of security groups per interface has been reached (${MAX_GROUPS_PER_ENI}).`);
  }
  for (const id of unique) {
    checkId('security-group', id);
    const g = ctx.tx.get<SecurityGroupRecord>(ctx.scope, K.sg, id);
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    if (g.vpcId !== vpcId) throw new AwsError('InvalidParameterValue', `Security group ${id} and subnet ${subnetId} belong to different networks.`);
  }
  return unique;
}

export interface NewInterface {
  subnet: SubnetRecord;
  groups: string[];
  description?: string;
  privateIps: string[];
  ipv6?: string[];
  interfaceType?: string;
  requesterId?: string;
  tags?: Tag[];
  /** Attached at creation (a launch's interfaces), so the row is written once. */
  attachment?: NetworkInterfaceRecord['attachment'];
}

/** Stores an interface whose addresses were taken (takeIpv4/takeIpv6) and groups checked. */
export function createInterfaceRecord(ctx: RequestContext, o: NewInterface): NetworkInterfaceRecord {
  const id = newId('network-interface');
  const e: NetworkInterfaceRecord = {
    id, subnetId: o.subnet.id, vpcId: o.subnet.vpcId, ownerId: ctx.account, zoneName: o.subnet.zoneName, zoneId: o.subnet.zoneId,
    description: o.description ?? '', interfaceType: o.interfaceType ?? 'interface',
    ...(o.requesterId ? { requesterId: o.requesterId } : {}), requesterManaged: !!o.requesterId,
    macAddress: claimMac(ctx, id), privateIps: o.privateIps.map((address, i) => ({ address, primary: i === 0 })),
    ipv6: o.ipv6 ?? [], groups: o.groups, sourceDestCheck: true, createdAt: nowIso(ctx),
    ...(o.attachment ? { attachment: o.attachment } : {}),
  };
  ctx.tx.put(ctx.scope, K.eni, id, e);
  return e;
}

export const privateDnsName = (ctx: RequestContext, ip: string): string =>
  `ip-${ip.replace(/\./g, '-')}.${ctx.region === 'us-east-1' ? 'ec2.internal' : `${ctx.region}.compute.internal`}`;

/** Elastic IPs associated with an interface, by private address. */
export function addressesOf(ctx: Pick<RequestContext, 'tx' | 'scope'>, eniId: string): Map<string, AddressRecord> {
  const out = new Map<string, AddressRecord>();
  for (const h of ctx.tx.findBy<AddressRecord>(ctx.scope, K.eip, 'eni', { key: eniId })) out.set(h.value.association!.privateIp, h.value);
  return out;
}

export function interfaceShape(ctx: RequestContext, e: NetworkInterfaceRecord, tags: Tag[]): NetworkInterface {
  const eips = addressesOf(ctx, e.id);
  const assoc = (a: AddressRecord | undefined) => a && {
    AllocationId: a.allocationId, AssociationId: a.association!.id, IpOwnerId: ctx.account, PublicIp: a.publicIp,
    PublicDnsName: `ec2-${a.publicIp.replace(/\./g, '-')}.${ctx.region === 'us-east-1' ? 'compute-1' : `${ctx.region}.compute`}.amazonaws.com`,
  };
  const primary = e.privateIps[0]!.address;
  const groupNames = new Map(e.groups.map((g) => [g, ctx.tx.get<SecurityGroupRecord>(ctx.scope, K.sg, g)?.name ?? '']));
  return {
    NetworkInterfaceId: e.id, SubnetId: e.subnetId, VpcId: e.vpcId, OwnerId: e.ownerId,
    AvailabilityZone: e.zoneName, AvailabilityZoneId: e.zoneId, Description: e.description,
    Groups: e.groups.map((g) => ({ GroupId: g, GroupName: groupNames.get(g) })),
    InterfaceType: e.interfaceType as NetworkInterface['InterfaceType'], MacAddress: e.macAddress,
    PrivateIpAddress: primary, PrivateDnsName: privateDnsName(ctx, primary),
    PrivateIpAddresses: e.privateIps.map((p) => ({
      Primary: p.primary, PrivateIpAddress: p.address, PrivateDnsName: privateDnsName(ctx, p.address),
      ...(eips.has(p.address) ? { Association: assoc(eips.get(p.address)) } : {}),
    })),
    Ipv6Addresses: e.ipv6.map((a) => ({ Ipv6Address: a, IsPrimaryIpv6: false })),
    Ipv4Prefixes: [], Ipv6Prefixes: [],
    RequesterManaged: e.requesterManaged, ...(e.requesterId ? { RequesterId: e.requesterId } : {}),
    SourceDestCheck: e.sourceDestCheck, Status: e.attachment ? 'in-use' : 'available',
    ...(eips.has(primary) ? { Association: assoc(eips.get(primary)) } : {}),
    ...(e.attachment ? {
      Attachment: {
        AttachmentId: e.attachment.id, AttachTime: new Date(e.attachment.attachTime), DeleteOnTermination: e.attachment.deleteOnTermination,
        DeviceIndex: e.attachment.deviceIndex, NetworkCardIndex: e.attachment.networkCardIndex, InstanceId: e.attachment.instanceId,
        InstanceOwnerId: e.attachment.instanceOwnerId, Status: 'attached',
      },
    } : {}),
    TagSet: tagList(tags) ?? [],
  };
}
