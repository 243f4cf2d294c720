/**
 * Elastic IP addresses: allocated from the documentation ranges (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24) and the benchmarking range 198.18.0.0/15 (RFC 2544: never
 * routed on the internet, and big enough for thousands of instances with public IPs), so they
 * can never be confused with real addresses, and
 * claimed in one cloudlet-wide table so no two accounts or regions ever hold the same one;
 * 5 per region; associated with a network interface (or an instance's primary interface),
 * re-association rules, disassociate, release, describe.
 */
import type {
  Address, AllocateAddressRequest, AllocateAddressResult, AssociateAddressRequest, AssociateAddressResult,
  DescribeAddressesAttributeRequest, DescribeAddressesAttributeResult, DescribeAddressesRequest, DescribeAddressesResult,
  DisassociateAddressRequest, ReleaseAddressRequest,
} from '@aws-sdk/client-ec2';
import { randomInt } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import { formatIpv4, parseIpv4 } from '../../../network/cidr.js';
import { GLOBAL_ACCOUNT } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkMaxResults, describe, mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES, typeOfId } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { nowIso } from './common.js';
import { addressesOf } from './eni-core.js';
import { primaryInterfaceOf } from './network-interfaces.js';
import { PUBLIC_IP_KIND, type AddressRecord, type NetworkInterfaceRecord, type PublicIpClaim } from './records-eni.js';

const K = { eip: RESOURCE_TYPES['elastic-ip'].kind, igw: RESOURCE_TYPES['internet-gateway'].kind };
const GLOBAL = { account: GLOBAL_ACCOUNT, region: '' };
/** AWS's default quota of Elastic IPs per Region (DescribeAccountAttributes max-elastic-ips). */
export const MAX_ADDRESSES = 5;
/** RFC 5737's three documentation /24s and RFC 2544's 198.18.0.0/15, without network and broadcast addresses. */
const POOLS = [['192.0.2.0', 256], ['198.51.100.0', 256], ['203.0.113.0', 256], ['198.18.0.0', 131_072]]
  .map(([n, size]) => ({ base: parseIpv4(n as string)!, size: (size as number) - 2 }));
const POOL_NAMES = '192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15';
const POOL_SIZE = POOLS.reduce((n, p) => n + p.size, 0);
/** The documentation ranges come first in POOLS. */
const DOC_SIZE = 3 * 254;
function poolAddress(i: number): string {
  for (const p of POOLS) {
    if (i < p.size) return formatIpv4(p.base + BigInt(i + 1));
    i -= p.size;
  }
  throw new Error('pool index out of range');
}
const inPool = (v: bigint): boolean => POOLS.some((p) => v > p.base && v <= p.base + BigInt(p.size));

/**
 * Claims a public IPv4 address in the cloudlet-wide table: the requested one if free, else a
 * random free one (a random start, then the next free: never more than one pass).
 * Also for the public IPs instances get: `allocationId` is then the ID of the instance or interface.
 */
export function claimPublicIp(ctx: RequestContext, allocationId: string, requested?: string): string {
  const claim: PublicIpClaim = { account: ctx.account, region: ctx.region, allocationId };
  // A claim whose holder is gone (its account was reset) no longer holds the address. The
  // holder is the resource the claim names: an Elastic IP, or whatever else gets a public IP.
  const held = (a: string): boolean => {
    const c = ctx.tx.get<PublicIpClaim>(GLOBAL, PUBLIC_IP_KIND, a);
    const type = c && typeOfId(c.allocationId);
    return !!c && (!type || ctx.tx.get({ account: c.account, region: c.region }, RESOURCE_TYPES[type].kind, c.allocationId) !== undefined);
  };
  if (requested !== undefined) {
    const v = parseIpv4(requested);
    if (v === undefined || !inPool(v)) {
      throw new AwsError('InvalidParameterValue', `Address ${requested} is not in cloudlet's public pools (${POOL_NAMES})`);
    }
    const a = formatIpv4(v);
    if (held(a)) throw new AwsError('InvalidAddress.InUse', `Address ${a} is in use.`);
    ctx.tx.put(GLOBAL, PUBLIC_IP_KIND, a, claim);
    return a;
  }
  // Elastic IPs come from the documentation ranges (a handful per Region); the public IPs of
  // instances and interfaces from every range, so large fleets get one each.
  const size = typeOfId(allocationId) === 'elastic-ip' ? DOC_SIZE : POOL_SIZE;
  const start = randomInt(0, size);
  for (let k = 0; k < size; k++) {
    const a = poolAddress((start + k) % size);
    if (!held(a)) {
      ctx.tx.put(GLOBAL, PUBLIC_IP_KIND, a, claim);
      return a;
    }
  }
  throw new AwsError('InsufficientAddressCapacity', `All ${size} public addresses of the cloudlet are in use.`);
}

export const releasePublicIp = (ctx: RequestContext, ip: string): void => { ctx.tx.delete(GLOBAL, PUBLIC_IP_KIND, ip); };

export function addressShape(a: AddressRecord, tags: Tag[]): Address {
  return {
    AllocationId: a.allocationId, PublicIp: a.publicIp, Domain: a.domain, NetworkBorderGroup: a.networkBorderGroup, PublicIpv4Pool: 'amazon',
    ...(a.association ? {
      AssociationId: a.association.id, NetworkInterfaceId: a.association.networkInterfaceId,
      NetworkInterfaceOwnerId: a.association.networkInterfaceOwnerId, PrivateIpAddress: a.association.privateIp,
      ...(a.association.instanceId ? { InstanceId: a.association.instanceId } : {}),
    } : {}),
    Tags: tagList(tags),
  };
}

export const allocateAddress: Handler<AllocateAddressRequest, AllocateAddressResult> = (input, ctx) => {
  if (input.Domain !== undefined && input.Domain !== 'vpc') {
    throw new AwsError('InvalidParameterValue', `Value (${input.Domain}) for parameter domain is invalid. EC2-Classic is retired: the only domain is vpc.`);
  }
  if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== ctx.region) {
    throw new AwsError('InvalidParameterValue', `Value (${input.NetworkBorderGroup}) for parameter networkBorderGroup is invalid. Valid values: ${ctx.region}`);
  }
  if (input.PublicIpv4Pool !== undefined && input.PublicIpv4Pool !== 'amazon') {
    throw new AwsError('InvalidPublicIpv4PoolID.NotFound', `The public IPv4 pool '${input.PublicIpv4Pool}' does not exist`);
  }
  if (input.CustomerOwnedIpv4Pool !== undefined || input.IpamPoolId !== undefined) {
    throw new AwsError('InvalidParameterValue', 'Customer-owned and IPAM address pools are not available in cloudlet');
  }
  const tags = tagSpecTags(input.TagSpecifications, 'elastic-ip');
  if (ctx.tx.count(ctx.scope, K.eip) >= MAX_ADDRESSES) {
    throw new AwsError('AddressLimitExceeded', `The maximum number of addresses has been reached (${MAX_ADDRESSES} in ${ctx.region}).`);
  }
  const allocationId = newId('elastic-ip');
  const publicIp = claimPublicIp(ctx, allocationId, input.Address);
  const a: AddressRecord = { allocationId, publicIp, domain: 'vpc', networkBorderGroup: ctx.region, allocatedAt: nowIso(ctx) };
  ctx.tx.put(ctx.scope, K.eip, allocationId, a);
  setTags(ctx.tx, ctx.scope, 'elastic-ip', allocationId, tags);
  return { AllocationId: allocationId, PublicIp: publicIp, Domain: 'vpc', NetworkBorderGroup: ctx.region, PublicIpv4Pool: 'amazon' };
};

/** The address a request names by AllocationId, or by PublicIp (which AWS still accepts). */
function addressParam(ctx: RequestContext, allocationId: string | undefined, publicIp: string | undefined): AddressRecord {
  if (allocationId) return mustGet<AddressRecord>(ctx, 'elastic-ip', allocationId);
  if (!publicIp) throw new AwsError('MissingParameter', 'The request must contain the parameter allocationId or publicIp');
  const hit = ctx.tx.findBy<AddressRecord>(ctx.scope, K.eip, 'ip', { key: publicIp, limit: 1 })[0];
  if (!hit) throw new AwsError('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
  return hit.value;
}

/**
 * Associates an address with one private address of an interface. The interface's VPC must
 * have an internet gateway. An address already associated elsewhere moves only with
 * allowReassociation; an Elastic IP already on the target private address is disassociated.
 * Also for NAT gateways, which put their Elastic IP on their own interface.
 */
export function associateWithInterface(ctx: RequestContext, a: AddressRecord, e: NetworkInterfaceRecord, privateIp: string | undefined, allowReassociation: boolean): string {
  const ip = privateIp ?? e.privateIps[0]!.address;
  if (!e.privateIps.some((p) => p.address === ip)) {
    throw new AwsError('InvalidParameterValue', `The private IP address ${ip} is not assigned to network interface ${e.id}`);
  }
  if (ctx.tx.countBy(ctx.scope, K.igw, 'vpc', { key: e.vpcId }) === 0) {
    throw new AwsError('Gateway.NotAttached', `Network ${e.vpcId} is not attached to any internet gateway`);
  }
  if (a.association) {
    if (a.association.networkInterfaceId === e.id && a.association.privateIp === ip) return a.association.id;
    if (!allowReassociation) {
      throw new AwsError('Resource.AlreadyAssociated', `resource ${a.allocationId} is already associated with associate-id ${a.association.id}`);
    }
  }
  const current = addressesOf(ctx, e.id).get(ip);
  if (current && current.allocationId !== a.allocationId) {
    delete current.association;
    ctx.tx.put(ctx.scope, K.eip, current.allocationId, current);
  }
  a.association = {
    id: newId('elastic-ip-association'), networkInterfaceId: e.id, networkInterfaceOwnerId: e.ownerId, privateIp: ip,
    ...(e.attachment?.instanceId ? { instanceId: e.attachment.instanceId } : {}),
  };
  ctx.tx.put(ctx.scope, K.eip, a.allocationId, a);
  return a.association.id;
}

export const associateAddress: Handler<AssociateAddressRequest, AssociateAddressResult> = (input, ctx) => {
  const a = addressParam(ctx, input.AllocationId, input.PublicIp);
  if (input.InstanceId && input.NetworkInterfaceId) {
    throw new AwsError('InvalidParameterCombination', 'Specify either instanceId or networkInterfaceId, not both');
  }
  let e: NetworkInterfaceRecord;
  if (input.NetworkInterfaceId) e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  else if (input.InstanceId) e = primaryInterfaceOf(ctx, input.InstanceId);
  else throw new AwsError('MissingParameter', 'The request must contain the parameter instanceId or networkInterfaceId');
  checkNotManaged(ctx, a, e);
  return { AssociationId: associateWithInterface(ctx, a, e, input.PrivateIpAddress, !!input.AllowReassociation) };
};

/**
 * The Elastic IP of a NAT gateway is the gateway's to manage (its requester-managed
 * interface): AWS answers AuthFailure to moving it or putting another address there.
 */
function checkNotManaged(ctx: RequestContext, a: AddressRecord, target?: NetworkInterfaceRecord): void {
  const current = a.association && ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, RESOURCE_TYPES['network-interface'].kind, a.association.networkInterfaceId);
  for (const e of [current, target]) {
    if (e?.requesterManaged) {
      throw new AwsError('AuthFailure', `You do not have permission to access the specified resource: ${e.id} is managed by ${e.requesterId ?? 'AWS'} (${a.allocationId} is its address).`);
    }
  }
}

export const disassociateAddress: Handler<DisassociateAddressRequest, object> = (input, ctx) => {
  let a: AddressRecord | undefined;
  if (input.AssociationId) {
    a = ctx.tx.findBy<AddressRecord>(ctx.scope, K.eip, 'assoc', { key: input.AssociationId, limit: 1 })[0]?.value;
    if (!a) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
  } else {
    a = addressParam(ctx, undefined, input.PublicIp);
    if (!a.association) throw new AwsError('InvalidAssociationID.NotFound', `The address '${a.publicIp}' is not associated`);
  }
  checkNotManaged(ctx, a);
  delete a.association;
  ctx.tx.put(ctx.scope, K.eip, a.allocationId, a);
  return {};
};

export const releaseAddress: Handler<ReleaseAddressRequest, object> = (input, ctx) => {
  const a = addressParam(ctx, input.AllocationId, input.PublicIp);
  if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== a.networkBorderGroup) {
    throw new AwsError('InvalidParameterValue', `Value (${input.NetworkBorderGroup}) for parameter networkBorderGroup is invalid. The address is in ${a.networkBorderGroup}.`);
  }
  if (a.association) throw new AwsError('InvalidIPAddress.InUse', `Address ${a.allocationId} is in use.`);
  releasePublicIp(ctx, a.publicIp);
  ctx.tx.delete(ctx.scope, K.eip, a.allocationId);
  dropTags(ctx.tx, ctx.scope, a.allocationId);
  return {};
};

const ADDRESS_FILTERS: Record<string, (a: AddressRecord) => string | undefined> = {
  'allocation-id': (a) => a.allocationId,
  'association-id': (a) => a.association?.id,
  domain: (a) => a.domain,
  'instance-id': (a) => a.association?.instanceId,
  'network-border-group': (a) => a.networkBorderGroup,
  'network-interface-id': (a) => a.association?.networkInterfaceId,
  'network-interface-owner-id': (a) => a.association?.networkInterfaceOwnerId,
  'private-ip-address': (a) => a.association?.privateIp,
  'public-ip': (a) => a.publicIp,
  'public-ipv4-pool': () => 'amazon',
};

export const describeAddresses: Handler<DescribeAddressesRequest, DescribeAddressesResult> = (input, ctx) => {
  const ids = [...(input.AllocationIds ?? [])];
  for (const ip of input.PublicIps ?? []) ids.push(addressParam(ctx, undefined, ip).allocationId);
  const { items } = describe<AddressRecord>(ctx, { Filters: input.Filters }, {
    operation: 'DescribeAddresses', type: 'elastic-ip', ids, idsParam: 'allocationIds', fields: ADDRESS_FILTERS,
    indexes: { 'public-ip': 'ip', 'network-interface-id': 'eni', 'association-id': 'assoc', 'instance-id': 'instance' },
  });
  return { Addresses: items.map((d) => addressShape(d.record, d.tags)) };
};

/** The only attribute is domain-name (reverse DNS); cloudlet sets no PTR records, so none is returned. */
export const describeAddressesAttribute: Handler<DescribeAddressesAttributeRequest, DescribeAddressesAttributeResult> = (input, ctx) => {
  if (input.Attribute !== undefined && input.Attribute !== 'domain-name') {
    throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Valid values: domain-name`);
  }
  checkMaxResults(input.MaxResults, [1, 1000]);
  const { items, nextToken } = describe<AddressRecord>(ctx, { MaxResults: input.AllocationIds?.length ? undefined : input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeAddressesAttribute', type: 'elastic-ip', ids: input.AllocationIds, idsParam: 'allocationIds', fields: {}, bounds: [1, 1000],
  });
  return { Addresses: items.map((d) => ({ AllocationId: d.record.allocationId, PublicIp: d.record.publicIp })), NextToken: nextToken };
};

/** Whether an Elastic IP is mapped to an interface of the VPC (DetachInternetGateway refuses then). */
export function hasMappedAddresses(ctx: RequestContext, vpcId: string): boolean {
  // At most MAX_ADDRESSES rows: cheaper than walking the VPC's interfaces.
  return ctx.tx.list<AddressRecord>(ctx.scope, K.eip).some((r) => {
    const eni = r.value.association && ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, RESOURCE_TYPES['network-interface'].kind, r.value.association.networkInterfaceId);
    return eni?.vpcId === vpcId;
  });
}
