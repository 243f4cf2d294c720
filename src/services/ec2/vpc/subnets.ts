import type {
  AssociateSubnetCidrBlockRequest, AssociateSubnetCidrBlockResult, CreateSubnetRequest, CreateSubnetResult,
  DeleteSubnetRequest, DescribeSubnetsRequest, DescribeSubnetsResult, DisassociateSubnetCidrBlockRequest,
  DisassociateSubnetCidrBlockResult, ModifySubnetAttributeRequest, Subnet,
} from '@aws-sdk/client-ec2';
import { randomInt } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import { zones, type ZoneInfo } from '../../../core/regions.js';
import { cidrLast, containsCidr, formatCidr, maskOf, mustCidr, usableCount, type Cidr } from '../../../network/cidr.js';
import { INDEXES } from '../../../store/schema.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe, mustGet } from '../describe.js';
import { arnOf, newId, newIdWithPrefix, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { cidrParam, dependencyViolation, nowIso } from './common.js';
import type { RouteTableRecord, SubnetRecord, VpcRecord } from './records.js';

const K = { subnet: RESOURCE_TYPES.subnet.kind, acl: RESOURCE_TYPES['network-acl'].kind, rtb: RESOURCE_TYPES['route-table'].kind };

export function availableIps(s: SubnetRecord): number {
  return Math.max(0, Number(usableCount(mustCidr(s.cidrBlock))) - s.usedIpv4);
}

export function subnetShape(ctx: RequestContext, s: SubnetRecord, tags: Tag[]): Subnet {
  return {
    SubnetId: s.id, SubnetArn: arnOf('subnet', ctx.region, s.ownerId, s.id), VpcId: s.vpcId, OwnerId: s.ownerId,
    CidrBlock: s.cidrBlock, AvailabilityZone: s.zoneName, AvailabilityZoneId: s.zoneId, State: 'available',
    AvailableIpAddressCount: availableIps(s), DefaultForAz: s.defaultForAz, MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false, AssignIpv6AddressOnCreation: s.assignIpv6AddressOnCreation,
    Ipv6CidrBlockAssociationSet: s.ipv6.map((b) => ({ AssociationId: b.associationId, Ipv6CidrBlock: b.cidr, Ipv6CidrBlockState: { State: b.state } })),
    EnableDns64: s.enableDns64, Ipv6Native: s.ipv6Native,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: s.hostnameType, EnableResourceNameDnsARecord: s.enableResourceNameDnsARecord,
      EnableResourceNameDnsAAAARecord: s.enableResourceNameDnsAAAARecord,
    },
    Tags: tagList(tags),
  };
}

/** The zone a request names by name or by zone ID (the account's own mapping), or a random one. */
export function zoneParam(ctx: RequestContext, name: string | undefined, id: string | undefined): ZoneInfo {
  const all = zones(ctx.region, ctx.account);
  if (name !== undefined && id !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'Only one of availabilityZone and availabilityZoneId may be specified');
  }
  if (name === undefined && id === undefined) return all[randomInt(0, all.length)]!;
  const z = all.find((x) => (name !== undefined ? x.zoneName === name : x.zoneId === id));
  if (!z) {
    const param = name !== undefined ? 'availabilityZone' : 'availabilityZoneId';
    const list = all.map((x) => (name !== undefined ? x.zoneName : x.zoneId)).join(', ');
    throw new AwsError('InvalidParameterValue', `Value (${name ?? id}) for parameter ${param} is invalid. Subnets can currently only be created in the following availability zones: ${list}.`);
  }
  return z;
}

const hex8 = (v: bigint): string => v.toString(16).padStart(8, '0');

/** The 'cidr' index key of an IPv4 subnet block in a VPC. */
export const subnetCidrKey = (vpcId: string, c: Cidr): string => `${vpcId}|${hex8(c.network)}|${String(c.prefix).padStart(2, '0')}`;

/**
 * Whether a subnet of the VPC overlaps `c`. Subnet blocks are aligned and /16 or smaller, so a
 * block containing `c` starts at c's network masked to one of at most 13 prefixes (exact
 * lookups), and blocks inside `c` start within it (one range read).
 */
export function subnetOverlapping(ctx: RequestContext, vpcId: string, c: Cidr): boolean {
  const { tx, scope } = ctx;
  for (let p = 16; p <= c.prefix; p++) {
    const network = c.network & maskOf(p, 4);
    if (tx.countBy(scope, K.subnet, 'cidr', { key: subnetCidrKey(vpcId, { family: 4, network, prefix: p }) }) > 0) return true;
  }
  return tx.findBy(scope, K.subnet, 'cidr', { gte: `${vpcId}|${hex8(c.network)}|`, lte: `${vpcId}|${hex8(cidrLast(c))}|99`, limit: 1 }).length > 0;
}

/** The checks every new IPv4 subnet block passes: size, inside the VPC, no overlap. */
export function checkSubnetCidr(ctx: RequestContext, vpc: VpcRecord, c: Cidr, text: string): void {
  if (c.prefix < 16 || c.prefix > 28) throw new AwsError('InvalidSubnet.Range', `The CIDR '${text}' is invalid.`);
  if (!vpc.cidrs.some((b) => b.state === 'associated' && containsCidr(mustCidr(b.cidr), c))) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${text}' is invalid.`);
  }
  if (subnetOverlapping(ctx, vpc.id, c)) throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${text}' conflicts with another subnet`);
}

function checkSubnetIpv6(ctx: RequestContext, vpc: VpcRecord, value: string): string {
  const c = cidrParam(value, 'ipv6CidrBlock', 6);
  const text = formatCidr(c);
  if (c.prefix !== 64 || !vpc.ipv6.some((b) => containsCidr(mustCidr(b.cidr), c))) {
    throw new AwsError('InvalidSubnet.Range', `The IPv6 CIDR '${text}' is invalid: it must be a /64 within an IPv6 block of ${vpc.id}.`);
  }
  // Every subnet IPv6 block is a /64 of a VPC /56 (unique to the VPC): overlap is equality.
  if (ctx.tx.countBy(ctx.scope, K.subnet, 'ipv6-cidr', { key: text }) > 0) {
    throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${text}' conflicts with another subnet`);
  }
  return text;
}

export interface NewSubnet {
  vpc: VpcRecord;
  cidr: string;
  zone: ZoneInfo;
  ipv6?: string;
  defaultForAz?: boolean;
  tags?: Tag[];
}

/** Stores a subnet (already validated) in its VPC's default network ACL (the subnet records its ACL). */
export function createSubnetRecord(ctx: RequestContext, o: NewSubnet): SubnetRecord {
  const s: SubnetRecord = {
    id: newId('subnet'), vpcId: o.vpc.id, ownerId: ctx.account, cidrBlock: o.cidr, cidrKey: subnetCidrKey(o.vpc.id, mustCidr(o.cidr)),
    ipv6: o.ipv6 ? [{ associationId: newIdWithPrefix('subnet-cidr-assoc'), cidr: o.ipv6, state: 'associated' }] : [],
    zoneName: o.zone.zoneName, zoneId: o.zone.zoneId, defaultForAz: !!o.defaultForAz, mapPublicIpOnLaunch: !!o.defaultForAz,
    assignIpv6AddressOnCreation: false, enableDns64: false, ipv6Native: false, hostnameType: 'ip-name',
    enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false, usedIpv4: 0, createdAt: nowIso(ctx),
  };
  if (ctx.tx.count(ctx.scope, K.acl, { gte: o.vpc.defaultNetworkAclId, lte: o.vpc.defaultNetworkAclId }) > 0) {
    s.networkAcl = { aclId: o.vpc.defaultNetworkAclId, associationId: newId('network-acl-association') };
  }
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
  if (o.tags?.length) setTags(ctx.tx, ctx.scope, 'subnet', s.id, o.tags);
  return s;
}

export const createSubnet: Handler<CreateSubnetRequest, CreateSubnetResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  if (input.Ipv4IpamPoolId || input.Ipv6IpamPoolId || input.OutpostArn) {
    throw new AwsError('InvalidParameterValue', 'IPAM pools and Outposts are not available in cloudlet');
  }
  let cidr: string | undefined;
  if (input.CidrBlock !== undefined || !input.Ipv6Native) {
    const c = cidrParam(input.CidrBlock, 'cidrBlock', 4);
    cidr = formatCidr(c);
    checkSubnetCidr(ctx, vpc, c, cidr);
  }
  const ipv6 = input.Ipv6CidrBlock !== undefined ? checkSubnetIpv6(ctx, vpc, input.Ipv6CidrBlock) : undefined;
  if (input.Ipv6Native) throw new AwsError('InvalidParameterValue', 'IPv6-only subnets are not available in cloudlet yet');
  const zone = zoneParam(ctx, input.AvailabilityZone, input.AvailabilityZoneId);
  const tags = tagSpecTags(input.TagSpecifications, 'subnet');
  const s = createSubnetRecord(ctx, { vpc, cidr: cidr!, zone, ipv6, tags });
  return { Subnet: { ...subnetShape(ctx, s, tags), State: 'pending' } };
};

export const SUBNET_FILTERS: Record<string, (s: SubnetRecord) => string | string[] | undefined> = {
  'availability-zone': (s) => s.zoneName,
  'availabilityZone': (s) => s.zoneName,
  'availability-zone-id': (s) => s.zoneId,
  'availabilityZoneId': (s) => s.zoneId,
  'available-ip-address-count': (s) => String(availableIps(s)),
  'cidr-block': (s) => s.cidrBlock,
  cidr: (s) => s.cidrBlock,
  cidrBlock: (s) => s.cidrBlock,
  'default-for-az': (s) => bool(s.defaultForAz),
  defaultForAz: (s) => bool(s.defaultForAz),
  'enable-dns64': (s) => bool(s.enableDns64),
  'ipv6-cidr-block-association.ipv6-cidr-block': (s) => s.ipv6.map((b) => b.cidr),
  'ipv6-cidr-block-association.association-id': (s) => s.ipv6.map((b) => b.associationId),
  'ipv6-cidr-block-association.state': (s) => s.ipv6.map((b) => b.state),
  'ipv6-native': (s) => bool(s.ipv6Native),
  'map-customer-owned-ip-on-launch': () => 'false',
  'map-public-ip-on-launch': (s) => bool(s.mapPublicIpOnLaunch),
  'owner-id': (s) => s.ownerId,
  'private-dns-name-options-on-launch.hostname-type': (s) => s.hostnameType,
  'private-dns-name-options-on-launch.enable-resource-name-dns-a-record': (s) => bool(s.enableResourceNameDnsARecord),
  'private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record': (s) => bool(s.enableResourceNameDnsAAAARecord),
  state: () => 'available',
  'subnet-id': (s) => s.id,
  'vpc-id': (s) => s.vpcId,
};

export const describeSubnets: Handler<DescribeSubnetsRequest, DescribeSubnetsResult> = (input, ctx) => {
  const { items, nextToken } = describe<SubnetRecord>(ctx, input, {
    operation: 'DescribeSubnets', type: 'subnet', ids: input.SubnetIds, idsParam: 'subnetIds',
    fields: { ...SUBNET_FILTERS, 'subnet-arn': (s) => arnOf('subnet', ctx.region, s.ownerId, s.id) },
    indexes: { 'vpc-id': 'vpc' },
  });
  return { Subnets: items.map((d) => subnetShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

/** Kinds with a 'subnet' index other than the associations a subnet's deletion removes. */
const SUBNET_DEPENDENT_KINDS = INDEXES.filter((d) => d.name === 'subnet' && d.kind !== K.acl && d.kind !== K.rtb).map((d) => d.kind);

export const deleteSubnet: Handler<DeleteSubnetRequest, object> = (input, ctx) => {
  const s = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
  const { tx, scope } = ctx;
  for (const kind of SUBNET_DEPENDENT_KINDS) {
    if (tx.countBy(scope, kind, 'subnet', { key: s.id }) > 0) throw dependencyViolation('subnet', s.id);
  }
  if (s.usedIpv4 > 0) throw dependencyViolation('subnet', s.id);
  for (const h of tx.findBy<RouteTableRecord>(scope, K.rtb, 'subnet', { key: s.id })) {
    h.value.associations = h.value.associations.filter((a) => a.subnetId !== s.id);
    tx.put(scope, K.rtb, h.id, h.value);
  }
  tx.delete(scope, K.subnet, s.id);
  dropTags(tx, scope, s.id);
  return {};
};

export const modifySubnetAttribute: Handler<ModifySubnetAttributeRequest, object> = (input, ctx) => {
  const s = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
  let changed = 0;
  const set = <K extends keyof SubnetRecord>(key: K, v: SubnetRecord[K] | undefined): void => {
    if (v === undefined) return;
    s[key] = v;
    changed++;
  };
  set('mapPublicIpOnLaunch', input.MapPublicIpOnLaunch?.Value);
  if (input.AssignIpv6AddressOnCreation?.Value && s.ipv6.length === 0) {
    throw new AwsError('InvalidParameterValue', `Subnet ${s.id} has no IPv6 CIDR block: AssignIpv6AddressOnCreation needs one`);
  }
  set('assignIpv6AddressOnCreation', input.AssignIpv6AddressOnCreation?.Value);
  set('enableDns64', input.EnableDns64?.Value);
  set('hostnameType', input.PrivateDnsHostnameTypeOnLaunch as SubnetRecord['hostnameType'] | undefined);
  set('enableResourceNameDnsARecord', input.EnableResourceNameDnsARecordOnLaunch?.Value);
  set('enableResourceNameDnsAAAARecord', input.EnableResourceNameDnsAAAARecordOnLaunch?.Value);
  if (input.MapCustomerOwnedIpOnLaunch?.Value || input.EnableLniAtDeviceIndex !== undefined || input.DisableLniAtDeviceIndex?.Value) {
    throw new AwsError('InvalidParameterValue', 'Customer-owned IPs and LNI device indexes are Outposts features, not available in cloudlet');
  }
  if (input.MapCustomerOwnedIpOnLaunch?.Value === false) changed++;
  if (changed === 0) throw new AwsError('MissingParameter', 'The request must contain an attribute to modify');
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
  return {};
};

export const associateSubnetCidrBlock: Handler<AssociateSubnetCidrBlockRequest, AssociateSubnetCidrBlockResult> = (input, ctx) => {
  const s = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', s.vpcId);
  if (s.ipv6.length) throw new AwsError('InvalidParameterValue', `Subnet ${s.id} already has an IPv6 CIDR block ${s.ipv6[0]!.cidr}`);
  const text = checkSubnetIpv6(ctx, vpc, input.Ipv6CidrBlock ?? '');
  const assoc = { associationId: newIdWithPrefix('subnet-cidr-assoc'), cidr: text, state: 'associated' as const };
  s.ipv6.push(assoc);
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
  return { SubnetId: s.id, Ipv6CidrBlockAssociation: { AssociationId: assoc.associationId, Ipv6CidrBlock: text, Ipv6CidrBlockState: { State: 'associating' } } };
};

export const disassociateSubnetCidrBlock: Handler<DisassociateSubnetCidrBlockRequest, DisassociateSubnetCidrBlockResult> = (input, ctx) => {
  const id = input.AssociationId ?? '';
  const hit = ctx.tx.findBy<SubnetRecord>(ctx.scope, K.subnet, 'ipv6-assoc', { key: id })[0];
  if (!hit) throw new AwsError('InvalidSubnetCidrBlockAssociationID.NotFound', `The subnet CIDR block association ID '${id}' does not exist`);
  const s = hit.value;
  const b = s.ipv6.find((x) => x.associationId === id)!;
  s.ipv6 = s.ipv6.filter((x) => x !== b);
  s.assignIpv6AddressOnCreation = false;
  ctx.tx.put(ctx.scope, K.subnet, s.id, s);
  return { SubnetId: s.id, Ipv6CidrBlockAssociation: { AssociationId: id, Ipv6CidrBlock: b.cidr, Ipv6CidrBlockState: { State: 'disassociating' } } };
};
