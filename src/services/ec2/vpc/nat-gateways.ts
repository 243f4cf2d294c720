/**
 * NAT gateways: public (an Elastic IP on the gateway's own requester-managed interface) or
 * private, in a subnet, with a private address taken from it. States follow the cloudlet
 * clock, derived on every read from the stored timestamps: `pending` for
 * CLOUDLET_NAT_GATEWAY_DELAY seconds after CreateNatGateway (default 0, so waiters and
 * Terraform never sleep; read when the transition starts), then `available`; DeleteNatGateway
 * makes it `deleting` for the same delay, then `deleted`. Deleted and failed gateways stay visible for an hour, as on AWS.
 * A public gateway in a VPC without an internet gateway fails as AWS's does (state `failed`,
 * FailureCode Gateway.NotAttached). Routes to a gateway that is not available are blackholes
 * (route-targets.ts reads the stored `state`).
 */
import type {
  CreateNatGatewayRequest, CreateNatGatewayResult, DeleteNatGatewayRequest, DeleteNatGatewayResult,
  DescribeNatGatewaysRequest, DescribeNatGatewaysResult, NatGateway,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import { associateWithInterface } from './addresses.js';
import { createInterfaceRecord, K as ENI_K, releaseIpv4, releaseMac, takeIpv4 } from './eni-core.js';
import type { AddressRecord, NetworkInterfaceRecord } from './records-eni.js';
import type { SubnetRecord } from './records.js';

const KIND = RESOURCE_TYPES.natgateway.kind;
/** How long deleted and failed gateways stay visible. */
export const DELETED_VISIBLE_MS = 3_600_000;

export interface NatGatewayAddressRecord {
  allocationId?: string;
  publicIp?: string;
  associationId?: string;
  networkInterfaceId: string;
  privateIp: string;
}

export interface NatGatewayRecord {
  id: string;
  /** Indexed: 'in-vpc' (not 'vpc': see schema.ts). */
  vpcId: string;
  /** Indexed: 'in-subnet'. */
  subnetId: string;
  connectivity: 'public' | 'private';
  /**
   * What route-targets.ts reads: 'pending' until deleted ('available' is derived from the
   * clock), 'deleting' once DeleteNatGateway ran, 'failed' for a gateway that never came up.
   */
  state: 'pending' | 'deleting' | 'failed';
  createdMs: number;
  /** When it becomes (became) available: createdMs plus the delay at creation, so a changed setting moves no state back. */
  availableMs: number;
  deleteMs?: number;
  /** When it is (was) deleted: deleteMs plus the delay at deletion. */
  deletedMs?: number;
  /** The primary address first. Indexed: 'allocation' (addresses.allocationId). */
  addresses: NatGatewayAddressRecord[];
  failureCode?: string;
  failureMessage?: string;
  clientToken?: string;
}

export type NatState = NatGateway['State'] & string;

/** The seconds a transition takes (CLOUDLET_NAT_GATEWAY_DELAY, default 0). */
export function transitionMs(): number {
  const raw = process.env.CLOUDLET_NAT_GATEWAY_DELAY;
  const s = raw === undefined || raw === '' ? 0 : Number(raw);
  return Number.isFinite(s) && s > 0 ? Math.min(s, 3600) * 1000 : 0;
}

/** The state AWS would report now. */
export function natState(g: NatGatewayRecord, nowMs: number): NatState {
  if (g.state === 'failed') return 'failed';
  if (g.state === 'deleting') return nowMs >= (g.deletedMs ?? g.deleteMs ?? 0) ? 'deleted' : 'deleting';
  return nowMs >= (g.availableMs ?? g.createdMs) ? 'available' : 'pending';
}

/** Deleted (or failed) long enough ago that AWS no longer lists it. */
function expired(g: NatGatewayRecord, nowMs: number): boolean {
  const s = natState(g, nowMs);
  const since = s === 'deleted' ? (g.deletedMs ?? g.deleteMs ?? 0) : s === 'failed' ? g.createdMs : undefined;
  return since !== undefined && nowMs - since >= DELETED_VISIBLE_MS;
}

export function natShape(g: NatGatewayRecord, tags: Tag[], nowMs: number): NatGateway {
  const state = natState(g, nowMs);
  return {
    NatGatewayId: g.id, VpcId: g.vpcId, SubnetId: g.subnetId, ConnectivityType: g.connectivity, State: state,
    CreateTime: new Date(g.createdMs),
    ...(state === 'deleted' || state === 'deleting' ? { DeleteTime: new Date(g.deleteMs ?? nowMs) } : {}),
    ...(g.failureCode ? { FailureCode: g.failureCode, FailureMessage: g.failureMessage } : {}),
    NatGatewayAddresses: g.addresses.map((a, i) => ({
      NetworkInterfaceId: a.networkInterfaceId, PrivateIp: a.privateIp, IsPrimary: i === 0,
      ...(a.allocationId ? { AllocationId: a.allocationId, PublicIp: a.publicIp, AssociationId: a.associationId } : {}),
      Status: state === 'deleted' || state === 'deleting' ? 'succeeded' : state === 'failed' ? 'failed' : 'succeeded',
    })),
    Tags: tagList(tags),
  };
}

/** The NAT gateway records of a VPC (deleted and failed ones too), through the 'in-vpc' index. */
export function natGatewaysOfVpc(ctx: RequestContext, vpcId: string): NatGatewayRecord[] {
  return ctx.tx.findBy<NatGatewayRecord>(ctx.scope, KIND, 'in-vpc', { key: vpcId }).map((h) => h.value);
}

/** Drops the VPC's gateways deleted (or failed) more than an hour ago: no call shows them any more. */
function purgeExpired(ctx: RequestContext, vpcId: string): void {
  const now = ctx.clock.nowMs();
  for (const g of natGatewaysOfVpc(ctx, vpcId)) {
    if (!expired(g, now)) continue;
    ctx.tx.delete(ctx.scope, KIND, g.id);
    dropTags(ctx.tx, ctx.scope, g.id);
  }
}

export const createNatGateway: Handler<CreateNatGatewayRequest, CreateNatGatewayResult> = (input, ctx) => {
  const connectivity = input.ConnectivityType ?? 'public';
  if (connectivity !== 'public' && connectivity !== 'private') {
    throw new AwsError('InvalidParameterValue', `Value (${String(connectivity)}) for parameter connectivityType is invalid. Valid values: public, private`);
  }
  if (input.SecondaryAllocationIds?.length || input.SecondaryPrivateIpAddresses?.length || input.SecondaryPrivateIpAddressCount) {
    throw new AwsError('InvalidParameterValue', 'Secondary NAT gateway addresses are not available in cloudlet');
  }
  const subnet = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
  const tags = tagSpecTags(input.TagSpecifications, 'natgateway');
  for (const h of natGatewaysOfVpc(ctx, subnet.vpcId)) {
    // Idempotent retries: the same token gives back the same gateway.
    if (input.ClientToken && h.clientToken === input.ClientToken && !expired(h, ctx.clock.nowMs())) {
      return { ClientToken: input.ClientToken, NatGateway: natShape(h, tagsOf(ctx.tx, ctx.scope, h.id), ctx.clock.nowMs()) };
    }
  }
  purgeExpired(ctx, subnet.vpcId);
  let eip: AddressRecord | undefined;
  if (connectivity === 'public') {
    if (!input.AllocationId) throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId for a public NAT gateway');
    eip = mustGet<AddressRecord>(ctx, 'elastic-ip', input.AllocationId);
    if (eip.association) {
      throw new AwsError('Resource.AlreadyAssociated', `Elastic IP address [${eip.allocationId}] is already associated`);
    }
  } else if (input.AllocationId) {
    throw new AwsError('InvalidParameterCombination', 'A private NAT gateway cannot have an Elastic IP address (AllocationId)');
  }
  const id = newId('natgateway');
  const now = ctx.clock.nowMs();
  const g: NatGatewayRecord = {
    id, vpcId: subnet.vpcId, subnetId: subnet.id, connectivity, state: 'pending', createdMs: now, availableMs: now + transitionMs(), addresses: [],
    ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  const noIgw = eip !== undefined && ctx.tx.countBy(ctx.scope, RESOURCE_TYPES['internet-gateway'].kind, 'vpc', { key: subnet.vpcId }) === 0;
  if (noIgw) {
    // AWS accepts the request and the gateway fails; it holds no address.
    g.state = 'failed';
    g.failureCode = 'Gateway.NotAttached';
    g.failureMessage = `Network ${subnet.vpcId} has no Internet gateway attached`;
  } else {
    const [ip] = takeIpv4(ctx, subnet, input.PrivateIpAddress ? [input.PrivateIpAddress] : [], input.PrivateIpAddress ? 0 : 1);
    const eni = createInterfaceRecord(ctx, {
      subnet, groups: [], privateIps: [ip!], interfaceType: 'nat_gateway', requesterId: 'amazon-nat-gateway',
      description: `Interface for NAT Gateway ${id}`,
    });
    const a: NatGatewayAddressRecord = { networkInterfaceId: eni.id, privateIp: ip! };
    if (eip) {
      a.associationId = associateWithInterface(ctx, eip, eni, ip, false);
      a.allocationId = eip.allocationId;
      a.publicIp = eip.publicIp;
    }
    g.addresses.push(a);
  }
  ctx.tx.put(ctx.scope, KIND, id, g);
  setTags(ctx.tx, ctx.scope, 'natgateway', id, tags);
  return { ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}), NatGateway: natShape(g, tags, now) };
};

/** Gives back what a gateway holds: its Elastic IP association, its interface and address. */
function releaseResources(ctx: RequestContext, g: NatGatewayRecord): void {
  for (const a of g.addresses) {
    if (a.allocationId) {
      const eip = ctx.tx.get<AddressRecord>(ctx.scope, ENI_K.eip, a.allocationId);
      if (eip?.association?.networkInterfaceId === a.networkInterfaceId) {
        delete eip.association;
        ctx.tx.put(ctx.scope, ENI_K.eip, eip.allocationId, eip);
      }
    }
    const eni = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, a.networkInterfaceId);
    if (eni) {
      releaseIpv4(ctx, eni.subnetId, eni.privateIps.length);
      releaseMac(ctx, eni.macAddress);
      ctx.tx.delete(ctx.scope, ENI_K.eni, eni.id);
      dropTags(ctx.tx, ctx.scope, eni.id);
    }
  }
}

export const deleteNatGateway: Handler<DeleteNatGatewayRequest, DeleteNatGatewayResult> = (input, ctx) => {
  const g = mustGet<NatGatewayRecord>(ctx, 'natgateway', input.NatGatewayId);
  const now = ctx.clock.nowMs();
  if (expired(g, now)) throw new AwsError('NatGatewayNotFound', `The natGateway ID '${g.id}' does not exist`);
  if (g.state === 'deleting') return { NatGatewayId: g.id };
  // AWS frees the interface and the Elastic IP once the gateway is deleted; with no delay that is now.
  releaseResources(ctx, g);
  g.state = 'deleting';
  g.deleteMs = now;
  g.deletedMs = now + transitionMs();
  ctx.tx.put(ctx.scope, KIND, g.id, g);
  return { NatGatewayId: g.id };
};

export const describeNatGateways: Handler<DescribeNatGatewaysRequest, DescribeNatGatewaysResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const { items, nextToken } = describe<NatGatewayRecord>(ctx, { Filters: input.Filter, MaxResults: input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeNatGateways', type: 'natgateway', ids: input.NatGatewayIds, idsParam: 'natGatewayIds',
    fields: {
      'nat-gateway-id': (g) => g.id,
      state: (g) => natState(g, now),
      'subnet-id': (g) => g.subnetId,
      'vpc-id': (g) => g.vpcId,
    },
    indexes: { 'vpc-id': 'in-vpc', 'subnet-id': 'in-subnet' },
    visible: (g) => !expired(g, now),
  });
  return { NatGateways: items.map((d) => natShape(d.record, d.tags, now)), NextToken: nextToken };
};
