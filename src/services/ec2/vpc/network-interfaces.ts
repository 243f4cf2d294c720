/**
 * Network interface operations: create, attach, detach, delete, secondary IPv4 and IPv6
 * addresses, attributes (description, source/dest check, groups), and DescribeNetworkInterfaces
 * with its filters (index-backed for subnet, VPC, group, instance, address and attachment).
 */
import type {
  AssignIpv6AddressesRequest, AssignIpv6AddressesResult, AssignPrivateIpAddressesRequest, AssignPrivateIpAddressesResult,
  AttachNetworkInterfaceRequest, AttachNetworkInterfaceResult, CreateNetworkInterfaceRequest, CreateNetworkInterfaceResult,
  DeleteNetworkInterfaceRequest, DescribeNetworkInterfaceAttributeRequest, DescribeNetworkInterfaceAttributeResult,
  DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult, DetachNetworkInterfaceRequest,
  ModifyNetworkInterfaceAttributeRequest, UnassignIpv6AddressesRequest, UnassignIpv6AddressesResult,
  UnassignPrivateIpAddressesRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe, mustGet } from '../describe.js';
import { checkId, newId, notFound, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagSpecTags } from '../tags.js';
import { nowIso } from './common.js';
import {
  addressesOf, checkGroups, createInterfaceRecord, interfaceShape, K, MAX_IPS_PER_ENI, privateDnsName, releaseIpv4, releaseMac,
  ownerOfIpv4, takeIpv4, takeIpv6,
} from './eni-core.js';
import type { AddressRecord, NetworkInterfaceRecord } from './records-eni.js';
import type { SecurityGroupRecord, SubnetRecord, VpcRecord } from './records.js';

const put = (ctx: RequestContext, e: NetworkInterfaceRecord): void => ctx.tx.put(ctx.scope, K.eni, e.id, e);

function countParam(n: number | undefined, param: string): number {
  if (n === undefined) return 0;
  if (!Number.isInteger(n) || n < 0 || n > MAX_IPS_PER_ENI) {
    throw new AwsError('InvalidParameterValue', `Value (${n}) for parameter ${param} is invalid. It must be between 0 and ${MAX_IPS_PER_ENI}.`);
  }
  return n;
}

function checkIpCount(e: { privateIps: unknown[]; ipv6: unknown[] }, addV4: number, addV6: number): void {
  if (e.privateIps.length + addV4 > MAX_IPS_PER_ENI) {
    throw new AwsError('PrivateIpAddressLimitExceeded', `Number of private addresses will exceed limit (${MAX_IPS_PER_ENI}).`);
  }
  if (e.ipv6.length + addV6 > MAX_IPS_PER_ENI) {
    throw new AwsError('Ipv6AddressLimitExceeded', `Number of IPv6 addresses will exceed limit (${MAX_IPS_PER_ENI}).`);
  }
}

export const createNetworkInterface: Handler<CreateNetworkInterfaceRequest, CreateNetworkInterfaceResult> = (input, ctx) => {
  const s = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
  if (input.InterfaceType !== undefined && (input.InterfaceType as string) !== 'interface') {
    throw new AwsError('InvalidParameterValue', `Value (${input.InterfaceType}) for parameter interfaceType is invalid: cloudlet creates 'interface' network interfaces (EFA and trunk interfaces are not modelled)`);
  }
  if (input.Ipv4Prefixes?.length || input.Ipv4PrefixCount || input.Ipv6Prefixes?.length || input.Ipv6PrefixCount) {
    throw new AwsError('InvalidParameterValue', 'Prefix delegation (Ipv4Prefixes, Ipv6Prefixes) is not available in cloudlet');
  }
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', s.vpcId);
  const groups = checkGroups(ctx, s.vpcId, input.Groups?.length ? input.Groups : [vpc.defaultSecurityGroupId], s.id);
  const listed = input.PrivateIpAddresses ?? [];
  const primaries = listed.filter((p) => p.Primary);
  if (primaries.length > 1) throw new AwsError('InvalidParameterValue', 'Only one private IP address can be primary');
  if (input.PrivateIpAddress && primaries.length && primaries[0]!.PrivateIpAddress !== input.PrivateIpAddress) {
    throw new AwsError('InvalidParameterCombination', 'PrivateIpAddress and the primary address of PrivateIpAddresses differ');
  }
  const first = input.PrivateIpAddress ?? primaries[0]?.PrivateIpAddress;
  const requested = [...(first ? [first] : []), ...listed.map((p) => p.PrivateIpAddress!).filter((a) => a && a !== first)];
  const extra = countParam(input.SecondaryPrivateIpAddressCount, 'secondaryPrivateIpAddressCount');
  const v6count = countParam(input.Ipv6AddressCount, 'ipv6AddressCount');
  const v6listed = (input.Ipv6Addresses ?? []).map((a) => a.Ipv6Address ?? '');
  const total = Math.max(requested.length, 1) + extra;
  checkIpCount({ privateIps: [], ipv6: [] }, total, v6count + v6listed.length);
  const description = input.Description ?? '';
  if (description.length > 255) throw new AwsError('InvalidParameterValue', 'The description of a network interface is at most 255 characters');
  const tags = tagSpecTags(input.TagSpecifications, 'network-interface');
  const v4 = takeIpv4(ctx, s, requested, total - requested.length);
  const v6 = takeIpv6(ctx, s, v6listed, v6count || (s.assignIpv6AddressOnCreation && !v6listed.length && input.Ipv6AddressCount === undefined ? 1 : 0));
  const e = createInterfaceRecord(ctx, { subnet: s, groups, description, privateIps: v4, ipv6: v6, tags });
  setTags(ctx.tx, ctx.scope, 'network-interface', e.id, tags);
  return { NetworkInterface: interfaceShape(ctx, e, tags) };
};

/** The instance an attachment names: it must exist (instances are stored by the compute work). */
interface InstanceLike { zoneName?: string; placement?: { availabilityZone?: string }; vpcId?: string; state?: string | { name?: string } }
function instanceParam(ctx: RequestContext, id: string | undefined): InstanceLike {
  return mustGet<InstanceLike>(ctx, 'instance', id);
}

export const attachNetworkInterface: Handler<AttachNetworkInterfaceRequest, AttachNetworkInterfaceResult> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  if (input.DeviceIndex === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter deviceIndex');
  if (!Number.isInteger(input.DeviceIndex) || input.DeviceIndex < 0 || input.DeviceIndex > 31) {
    throw new AwsError('InvalidParameterValue', `Value (${input.DeviceIndex}) for parameter deviceIndex is invalid.`);
  }
  const inst = instanceParam(ctx, input.InstanceId);
  if (e.attachment) throw new AwsError('InvalidParameterValue', `Interface: [${e.id}] in use.`);
  const zone = inst.zoneName ?? inst.placement?.availabilityZone;
  if (zone && zone !== e.zoneName) {
    throw new AwsError('InvalidParameterCombination', `The network interface ${e.id} (${e.zoneName}) and instance ${input.InstanceId} (${zone}) must be in the same availability zone.`);
  }
  if (inst.vpcId && inst.vpcId !== e.vpcId) throw new AwsError('InvalidParameterValue', `Network interface ${e.id} and instance ${input.InstanceId} belong to different networks.`);
  const taken = ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, K.eni, 'instance', { key: input.InstanceId! })
    .some((h) => h.value.attachment?.deviceIndex === input.DeviceIndex);
  if (taken) throw new AwsError('InvalidParameterValue', `Instance '${input.InstanceId}' already has an interface attached at device index '${input.DeviceIndex}'.`);
  e.attachment = {
    id: newId('network-interface-attachment'), instanceId: input.InstanceId, instanceOwnerId: ctx.account, deviceIndex: input.DeviceIndex,
    networkCardIndex: input.NetworkCardIndex ?? 0, attachTime: nowIso(ctx), deleteOnTermination: false,
  };
  put(ctx, e);
  for (const a of addressesOf(ctx, e.id).values()) {
    a.association!.instanceId = input.InstanceId;
    ctx.tx.put(ctx.scope, K.eip, a.allocationId, a);
  }
  return { AttachmentId: e.attachment.id, NetworkCardIndex: e.attachment.networkCardIndex };
};

export const detachNetworkInterface: Handler<DetachNetworkInterfaceRequest, object> = (input, ctx) => {
  const id = input.AttachmentId ?? '';
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter attachmentId');
  const e = ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, K.eni, 'attach', { key: id, limit: 1 })[0]?.value;
  if (!e?.attachment) throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${id}' does not exist`);
  if (e.attachment.deviceIndex === 0) throw new AwsError('OperationNotPermitted', `The network interface at device index 0 cannot be detached (${e.id}).`);
  delete e.attachment;
  put(ctx, e);
  for (const a of addressesOf(ctx, e.id).values()) {
    delete a.association!.instanceId;
    ctx.tx.put(ctx.scope, K.eip, a.allocationId, a);
  }
  return {};
};

/** Elastic IPs on an interface's addresses go back to the account, unassociated. */
function disassociateAddresses(ctx: RequestContext, eniId: string, only?: Set<string>): void {
  for (const [ip, a] of addressesOf(ctx, eniId)) {
    if (only && !only.has(ip)) continue;
    delete a.association;
    ctx.tx.put(ctx.scope, K.eip, a.allocationId, a);
  }
}

export const deleteNetworkInterface: Handler<DeleteNetworkInterfaceRequest, object> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  if (e.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `The network interface '${e.id}' is currently in use.`);
  if (e.requesterManaged) throw new AwsError('OperationNotPermitted', `The network interface '${e.id}' is managed by ${e.requesterId ?? 'AWS'} and cannot be deleted by you.`);
  disassociateAddresses(ctx, e.id);
  releaseIpv4(ctx, e.subnetId, e.privateIps.length, e.privateIps.map((p) => p.address));
  releaseMac(ctx, e.macAddress);
  ctx.tx.delete(ctx.scope, K.eni, e.id);
  dropTags(ctx.tx, ctx.scope, e.id);
  return {};
};

export const assignPrivateIpAddresses: Handler<AssignPrivateIpAddressesRequest, AssignPrivateIpAddressesResult> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  if (input.Ipv4Prefixes?.length || input.Ipv4PrefixCount) throw new AwsError('InvalidParameterValue', 'Prefix delegation is not available in cloudlet');
  const listed = input.PrivateIpAddresses ?? [];
  const count = countParam(input.SecondaryPrivateIpAddressCount, 'secondaryPrivateIpAddressCount');
  if (!listed.length && !count) throw new AwsError('MissingParameter', 'The request must contain the parameter privateIpAddress or secondaryPrivateIpAddressCount');
  if (listed.length && count) throw new AwsError('InvalidParameterCombination', 'Specify either privateIpAddress or secondaryPrivateIpAddressCount, not both');
  checkIpCount(e, listed.length + count, 0);
  const s = mustGet<SubnetRecord>(ctx, 'subnet', e.subnetId);
  const moving = new Map<string, string>();
  for (const a of listed) {
    const owner = ownerOfIpv4(ctx, s.id, a);
    if (!owner) continue;
    if (owner.id === e.id) throw new AwsError('InvalidParameterValue', `Address ${a} is already assigned to ${e.id}`);
    if (!input.AllowReassignment || owner.privateIps.find((p) => p.address === a)?.primary) {
      throw new AwsError('InvalidIPAddress.InUse', `The specified address ${a} is already in use in subnet ${s.id}.`);
    }
    moving.set(a, owner.id);
  }
  const got = takeIpv4(ctx, s, listed, count, new Set(moving.keys()));
  for (const [a, ownerId] of moving) {
    const owner = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, K.eni, ownerId)!;
    owner.privateIps = owner.privateIps.filter((p) => p.address !== a);
    put(ctx, owner);
    disassociateAddresses(ctx, owner.id, new Set([a]));
  }
  const fresh = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, K.eni, e.id)!;
  fresh.privateIps.push(...got.map((address) => ({ address, primary: false })));
  put(ctx, fresh);
  return { NetworkInterfaceId: e.id, AssignedPrivateIpAddresses: got.map((PrivateIpAddress) => ({ PrivateIpAddress })) };
};

export const unassignPrivateIpAddresses: Handler<UnassignPrivateIpAddressesRequest, object> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  const list = input.PrivateIpAddresses ?? [];
  if (!list.length) throw new AwsError('MissingParameter', 'The request must contain the parameter privateIpAddress');
  const missing = list.filter((a) => !e.privateIps.some((p) => p.address === a));
  if (missing.length) throw new AwsError('InvalidParameterValue', `Some of the specified addresses are not assigned to interface ${e.id}: ${missing.join(', ')}`);
  const primary = list.find((a) => e.privateIps.find((p) => p.address === a)!.primary);
  if (primary) throw new AwsError('InvalidParameterValue', `The primary private IP address ${primary} of ${e.id} cannot be unassigned.`);
  const gone = new Set(list);
  e.privateIps = e.privateIps.filter((p) => !gone.has(p.address));
  put(ctx, e);
  disassociateAddresses(ctx, e.id, gone);
  releaseIpv4(ctx, e.subnetId, gone.size, [...gone]);
  return {};
};

export const assignIpv6Addresses: Handler<AssignIpv6AddressesRequest, AssignIpv6AddressesResult> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  const listed = input.Ipv6Addresses ?? [];
  const count = countParam(input.Ipv6AddressCount, 'ipv6AddressCount');
  if (!listed.length && !count) throw new AwsError('MissingParameter', 'The request must contain the parameter ipv6Addresses or ipv6AddressCount');
  checkIpCount(e, 0, listed.length + count);
  const got = takeIpv6(ctx, mustGet<SubnetRecord>(ctx, 'subnet', e.subnetId), listed, count);
  e.ipv6.push(...got);
  put(ctx, e);
  return { NetworkInterfaceId: e.id, AssignedIpv6Addresses: got };
};

export const unassignIpv6Addresses: Handler<UnassignIpv6AddressesRequest, UnassignIpv6AddressesResult> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  const list = input.Ipv6Addresses ?? [];
  if (!list.length) throw new AwsError('MissingParameter', 'The request must contain the parameter ipv6Addresses');
  const missing = list.filter((a) => !e.ipv6.includes(a));
  if (missing.length) throw new AwsError('InvalidParameterValue', `Some of the specified addresses are not assigned to interface ${e.id}: ${missing.join(', ')}`);
  e.ipv6 = e.ipv6.filter((a) => !list.includes(a));
  put(ctx, e);
  return { NetworkInterfaceId: e.id, UnassignedIpv6Addresses: list };
};

export const modifyNetworkInterfaceAttribute: Handler<ModifyNetworkInterfaceAttributeRequest, object> = (input, ctx) => {
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  const given = [input.Description !== undefined, input.SourceDestCheck !== undefined, input.Groups !== undefined, input.Attachment !== undefined]
    .filter(Boolean).length;
  if (given === 0) throw new AwsError('MissingParameter', 'The request must contain exactly one attribute to modify');
  if (given > 1) throw new AwsError('InvalidParameterCombination', 'Fields for multiple attribute types specified');
  if (input.Description !== undefined) {
    const d = input.Description.Value ?? '';
    if (d.length > 255) throw new AwsError('InvalidParameterValue', 'The description of a network interface is at most 255 characters');
    e.description = d;
  }
  if (input.SourceDestCheck !== undefined) e.sourceDestCheck = input.SourceDestCheck.Value ?? true;
  if (input.Groups !== undefined) {
    if (!input.Groups.length) throw new AwsError('InvalidParameterValue', 'An interface needs at least one security group');
    e.groups = checkGroups(ctx, e.vpcId, input.Groups, e.subnetId);
  }
  if (input.Attachment !== undefined) {
    if (!e.attachment || e.attachment.id !== input.Attachment.AttachmentId) {
      throw new AwsError('InvalidAttachmentID.NotFound', `The attachment ID '${input.Attachment.AttachmentId ?? ''}' does not exist`);
    }
    if (input.Attachment.DeleteOnTermination !== undefined) e.attachment.deleteOnTermination = input.Attachment.DeleteOnTermination;
  }
  put(ctx, e);
  return {};
};

const ATTRIBUTES = ['description', 'groupSet', 'sourceDestCheck', 'attachment', 'associatePublicIpAddress'] as const;

export const describeNetworkInterfaceAttribute: Handler<DescribeNetworkInterfaceAttributeRequest, DescribeNetworkInterfaceAttributeResult> = (input, ctx) => {
  const attr = input.Attribute as (typeof ATTRIBUTES)[number] | undefined;
  if (!attr || !ATTRIBUTES.includes(attr)) {
    throw new AwsError('InvalidParameterValue', `Value (${attr ?? ''}) for parameter attribute is invalid. Valid values: ${ATTRIBUTES.join(', ')}`);
  }
  const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', input.NetworkInterfaceId);
  const shape = interfaceShape(ctx, e, []);
  switch (attr) {
    case 'description': return { NetworkInterfaceId: e.id, Description: { Value: e.description } };
    case 'groupSet': return { NetworkInterfaceId: e.id, Groups: shape.Groups };
    case 'sourceDestCheck': return { NetworkInterfaceId: e.id, SourceDestCheck: { Value: e.sourceDestCheck } };
    case 'attachment': return { NetworkInterfaceId: e.id, ...(shape.Attachment ? { Attachment: shape.Attachment } : {}) };
    default: return { NetworkInterfaceId: e.id, AssociatePublicIpAddress: addressesOf(ctx, e.id).size > 0 };
  }
};

const eips = (ctx: RequestContext, e: NetworkInterfaceRecord): AddressRecord[] => [...addressesOf(ctx, e.id).values()];

const ENI_FILTERS = (ctx: RequestContext): Record<string, (e: NetworkInterfaceRecord) => string | string[] | undefined> => ({
  'addresses.private-ip-address': (e) => e.privateIps.map((p) => p.address),
  'addresses.primary': (e) => e.privateIps.map((p) => bool(p.primary)),
  'addresses.association.public-ip': (e) => eips(ctx, e).map((a) => a.publicIp),
  'addresses.association.owner-id': (e) => eips(ctx, e).map(() => ctx.account),
  'association.allocation-id': (e) => eips(ctx, e).map((a) => a.allocationId),
  'association.association-id': (e) => eips(ctx, e).map((a) => a.association!.id),
  'association.public-ip': (e) => eips(ctx, e).map((a) => a.publicIp),
  'association.ip-owner-id': (e) => eips(ctx, e).map(() => ctx.account),
  'attachment.attachment-id': (e) => e.attachment?.id,
  'attachment.instance-id': (e) => e.attachment?.instanceId,
  'attachment.instance-owner-id': (e) => e.attachment?.instanceOwnerId,
  'attachment.device-index': (e) => (e.attachment ? String(e.attachment.deviceIndex) : undefined),
  'attachment.status': (e) => (e.attachment ? 'attached' : undefined),
  'attachment.attach-time': (e) => e.attachment?.attachTime,
  'attachment.delete-on-termination': (e) => (e.attachment ? bool(e.attachment.deleteOnTermination) : undefined),
  'availability-zone': (e) => e.zoneName,
  description: (e) => e.description,
  'group-id': (e) => e.groups,
  'group-name': (e) => e.groups.map((g) => ctx.tx.get<SecurityGroupRecord>(ctx.scope, K.sg, g)?.name ?? ''),
  'ipv6-addresses.ipv6-address': (e) => e.ipv6,
  'interface-type': (e) => e.interfaceType,
  'mac-address': (e) => e.macAddress,
  'network-interface-id': (e) => e.id,
  'owner-id': (e) => e.ownerId,
  'private-ip-address': (e) => e.privateIps.map((p) => p.address),
  'private-dns-name': (e) => privateDnsName(ctx, e.privateIps[0]!.address),
  'requester-id': (e) => e.requesterId,
  'requester-managed': (e) => bool(e.requesterManaged),
  'source-dest-check': (e) => bool(e.sourceDestCheck),
  status: (e) => (e.attachment ? 'in-use' : 'available'),
  'subnet-id': (e) => e.subnetId,
  'vpc-id': (e) => e.vpcId,
});

export const describeNetworkInterfaces: Handler<DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult> = (input, ctx) => {
  const { items, nextToken } = describe<NetworkInterfaceRecord>(ctx, input, {
    operation: 'DescribeNetworkInterfaces', type: 'network-interface', ids: input.NetworkInterfaceIds, idsParam: 'networkInterfaceIds',
    fields: ENI_FILTERS(ctx),
    indexes: {
      'subnet-id': 'subnet', 'vpc-id': 'vpc', 'group-id': 'group', 'attachment.instance-id': 'instance', 'attachment.attachment-id': 'attach',
      'private-ip-address': 'ip', 'addresses.private-ip-address': 'ip',
    },
  });
  return { NetworkInterfaces: items.map((d) => interfaceShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

/** The interface at device index 0 of an instance (what an Elastic IP for an instance goes to). */
export function primaryInterfaceOf(ctx: RequestContext, instanceId: string): NetworkInterfaceRecord {
  checkId('instance', instanceId);
  if (ctx.tx.get(ctx.scope, RESOURCE_TYPES.instance.kind, instanceId) === undefined) throw notFound('instance', [instanceId]);
  const e = ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, K.eni, 'instance', { key: instanceId })
    .map((h) => h.value).find((x) => x.attachment?.deviceIndex === 0);
  if (!e) throw new AwsError('InvalidInstanceID', `The instance ${instanceId} has no network interface at device index 0`);
  return e;
}
