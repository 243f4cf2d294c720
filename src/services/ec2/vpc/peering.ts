/**
 * VPC peering connections, within an account and Region or across accounts (PeerOwnerId) and
 * Regions (PeerRegion). The record is written, under one ID, in the requester's and the
 * accepter's {account, region} scopes and every change writes both (records-endpoints.ts),
 * so each side describes it, tags it (tags stay per side, as on AWS), routes to it and deletes
 * it in its own scope. CreateVpcPeeringConnection answers `initiating-request`; the request
 * then is `pending-acceptance`, or `failed` (only the requester sees it) when the peer VPC
 * does not exist or the VPCs' IPv4 blocks overlap, as AWS does ("Failed due to incorrect
 * VPC-ID, Account ID, or overlapping CIDR range"). Only the accepter accepts or rejects;
 * either side deletes an active connection, the requester a pending one. A request not
 * accepted within 7 days expires. Ended connections stay visible as AWS keeps them (deleted
 * and failed 2 hours, rejected 2 days). Routes to a connection need it active and one of its
 * VPCs to be the route table's; once it is deleted they are blackholes (route-targets.ts).
 */
import type {
  AcceptVpcPeeringConnectionRequest, AcceptVpcPeeringConnectionResult, CreateVpcPeeringConnectionRequest,
  CreateVpcPeeringConnectionResult, DeleteVpcPeeringConnectionRequest, DeleteVpcPeeringConnectionResult,
  DescribeVpcPeeringConnectionsRequest, DescribeVpcPeeringConnectionsResult, ModifyVpcPeeringConnectionOptionsRequest,
  ModifyVpcPeeringConnectionOptionsResult, RejectVpcPeeringConnectionRequest, RejectVpcPeeringConnectionResult,
  VpcPeeringConnection, VpcPeeringConnectionVpcInfo,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { region as regionInfo } from '../../../core/regions.js';
import { mustCidr, overlaps } from '../../../network/cidr.js';
import type { Scope } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES } from '../ids.js';
import { setTags, tagList, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import type { PeeringRecord, PeeringSideRecord } from './records-endpoints.js';
import type { VpcRecord } from './records.js';

const KIND = RESOURCE_TYPES['vpc-peering-connection'].kind;
const HOUR = 3_600_000;
const PENDING_MS = 7 * 24 * HOUR;
const VISIBLE_MS: Partial<Record<PeeringRecord['state'], number>> = { deleted: 2 * HOUR, failed: 2 * HOUR, rejected: 48 * HOUR, expired: 48 * HOUR };
const FAILED_MESSAGE = 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range';

const scopeOf = (s: PeeringSideRecord): Scope => ({ account: s.ownerId, region: s.region });
const sameScope = (a: Scope, b: Scope): boolean => a.account === b.account && a.region === b.region;

/** The state AWS would report now (a pending request expires after 7 days). */
export function peeringState(p: PeeringRecord, nowMs: number): PeeringRecord['state'] {
  return p.state === 'pending-acceptance' && nowMs >= p.expirationMs ? 'expired' : p.state;
}

function visible(p: PeeringRecord, nowMs: number): boolean {
  const s = peeringState(p, nowMs);
  const since = s === 'expired' ? p.expirationMs : p.changedMs;
  const keep = VISIBLE_MS[s];
  return keep === undefined || nowMs - since < keep;
}

/** Writes the record in both sides' scopes (once when they are the same; the requester's only when it failed). */
function save(ctx: RequestContext, p: PeeringRecord): void {
  const a = scopeOf(p.requester);
  const b = scopeOf(p.accepter);
  ctx.tx.put(a, KIND, p.id, p);
  if (!sameScope(a, b) && p.state !== 'failed') ctx.tx.put(b, KIND, p.id, p);
}

function side(vpc: VpcRecord | undefined, ownerId: string, vpcId: string, region: string): PeeringSideRecord {
  return {
    ownerId, vpcId, region,
    cidrs: vpc ? vpc.cidrs.filter((c) => c.state === 'associated').map((c) => c.cidr) : [],
    ipv6Cidrs: vpc ? vpc.ipv6.filter((c) => c.state === 'associated').map((c) => c.cidr) : [],
    allowDnsResolutionFromRemoteVpc: false,
  };
}

function info(s: PeeringSideRecord, withBlocks: boolean, withOptions: boolean): VpcPeeringConnectionVpcInfo {
  return {
    OwnerId: s.ownerId, VpcId: s.vpcId, Region: s.region,
    ...(withBlocks && s.cidrs.length ? {
      CidrBlock: s.cidrs[0], CidrBlockSet: s.cidrs.map((CidrBlock) => ({ CidrBlock })),
      Ipv6CidrBlockSet: s.ipv6Cidrs.map((Ipv6CidrBlock) => ({ Ipv6CidrBlock })),
    } : {}),
    ...(withOptions ? {
      PeeringOptions: {
        AllowDnsResolutionFromRemoteVpc: s.allowDnsResolutionFromRemoteVpc,
        AllowEgressFromLocalClassicLinkToRemoteVpc: false, AllowEgressFromLocalVpcToRemoteClassicLink: false,
      },
    } : {}),
  };
}

function message(p: PeeringRecord, state: PeeringRecord['state']): string {
  switch (state) {
    case 'initiating-request': return `Initiating Request to ${p.accepter.ownerId}`;
    case 'pending-acceptance': return `Pending Acceptance by ${p.accepter.ownerId}`;
    case 'active': return 'Active';
    case 'expired': return 'Expired';
    default: return p.message;
  }
}

function shape(p: PeeringRecord, tags: Tag[], nowMs: number, state = peeringState(p, nowMs)): VpcPeeringConnection {
  const active = state === 'active';
  return {
    VpcPeeringConnectionId: p.id,
    RequesterVpcInfo: info(p.requester, true, active),
    AccepterVpcInfo: info(p.accepter, active, active),
    Status: { Code: state as NonNullable<VpcPeeringConnection['Status']>['Code'], Message: message(p, state) },
    ...(state === 'pending-acceptance' || state === 'initiating-request' ? { ExpirationTime: new Date(p.expirationMs) } : {}),
    Tags: tagList(tags) ?? [],
  };
}

/** The connection as the caller's scope holds it, visible now, or NotFound. */
function connection(ctx: RequestContext, id: string | undefined): PeeringRecord {
  const p = mustGet<PeeringRecord>(ctx, 'vpc-peering-connection', id);
  if (!visible(p, ctx.clock.nowMs())) throw new AwsError('InvalidVpcPeeringConnectionID.NotFound', `The vpcPeeringConnection ID '${p.id}' does not exist`);
  return p;
}

const isSide = (ctx: RequestContext, s: PeeringSideRecord): boolean => sameScope(scopeOf(s), ctx.scope);

function transitionError(p: PeeringRecord, state: string, action: string): AwsError {
  return new AwsError('InvalidStateTransition', `Invalid state transition for ${p.id}, attempted to transition from ${state} to ${action}`);
}

export const createVpcPeeringConnection: Handler<CreateVpcPeeringConnectionRequest, CreateVpcPeeringConnectionResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  if (!input.PeerVpcId) throw new AwsError('MissingParameter', 'The request must contain the parameter PeerVpcId');
  mustGetFormat(input.PeerVpcId);
  const peerOwner = input.PeerOwnerId ?? ctx.account;
  if (!/^\d{12}$/.test(peerOwner)) throw new AwsError('InvalidParameterValue', `Value (${peerOwner}) for parameter peerOwnerId is invalid. It must be a 12-digit AWS account ID.`);
  const peerRegion = input.PeerRegion ?? ctx.region;
  if (!regionInfo(peerRegion)) throw new AwsError('InvalidParameterValue', `Value (${peerRegion}) for parameter peerRegion is invalid. It is not a Region.`);
  if (input.PeerVpcId === vpc.id && peerOwner === ctx.account && peerRegion === ctx.region) {
    throw new AwsError('InvalidParameterValue', `A VPC cannot be peered with itself (${vpc.id})`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'vpc-peering-connection');
  const peerScope: Scope = { account: peerOwner, region: peerRegion };
  const peer = ctx.tx.get<VpcRecord>(peerScope, RESOURCE_TYPES.vpc.kind, input.PeerVpcId);
  const now = ctx.clock.nowMs();
  const p: PeeringRecord = {
    id: newId('vpc-peering-connection'),
    requester: side(vpc, ctx.account, vpc.id, ctx.region),
    accepter: side(peer, peerOwner, input.PeerVpcId, peerRegion),
    state: 'pending-acceptance', message: '', changedMs: now, expirationMs: now + PENDING_MS,
  };
  const overlap = peer !== undefined && p.requester.cidrs.some((a) => p.accepter.cidrs.some((b) => overlaps(mustCidr(a), mustCidr(b))));
  if (!peer || overlap) {
    p.state = 'failed';
    p.message = FAILED_MESSAGE;
  }
  save(ctx, p);
  setTags(ctx.tx, ctx.scope, 'vpc-peering-connection', p.id, tags);
  return { VpcPeeringConnection: shape(p, tags, now, 'initiating-request') };
};

function mustGetFormat(id: string): void {
  if (!/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw new AwsError('InvalidVpcID.Malformed', `Invalid id: "${id}"`);
}

export const acceptVpcPeeringConnection: Handler<AcceptVpcPeeringConnectionRequest, AcceptVpcPeeringConnectionResult> = (input, ctx) => {
  const p = connection(ctx, input.VpcPeeringConnectionId);
  const now = ctx.clock.nowMs();
  const state = peeringState(p, now);
  if (!isSide(ctx, p.accepter)) {
    throw new AwsError('OperationNotPermitted', `User ${ctx.account} cannot accept peering ${p.id}`);
  }
  if (state !== 'pending-acceptance') throw transitionError(p, state, 'active');
  // The accepter's blocks as they are now (they may have changed since the request).
  const vpc = ctx.tx.get<VpcRecord>(ctx.scope, RESOURCE_TYPES.vpc.kind, p.accepter.vpcId);
  if (vpc) p.accepter = { ...side(vpc, p.accepter.ownerId, vpc.id, p.accepter.region), allowDnsResolutionFromRemoteVpc: p.accepter.allowDnsResolutionFromRemoteVpc };
  p.state = 'active';
  p.message = 'Active';
  p.changedMs = now;
  save(ctx, p);
  return { VpcPeeringConnection: shape(p, tagsOf(ctx.tx, ctx.scope, p.id), now) };
};

export const rejectVpcPeeringConnection: Handler<RejectVpcPeeringConnectionRequest, RejectVpcPeeringConnectionResult> = (input, ctx) => {
  const p = connection(ctx, input.VpcPeeringConnectionId);
  const now = ctx.clock.nowMs();
  const state = peeringState(p, now);
  if (!isSide(ctx, p.accepter)) throw new AwsError('OperationNotPermitted', `User ${ctx.account} cannot reject peering ${p.id}`);
  if (state !== 'pending-acceptance') throw transitionError(p, state, 'rejected');
  p.state = 'rejected';
  p.message = `Rejected by ${ctx.account}`;
  p.changedMs = now;
  save(ctx, p);
  return { Return: true };
};

export const deleteVpcPeeringConnection: Handler<DeleteVpcPeeringConnectionRequest, DeleteVpcPeeringConnectionResult> = (input, ctx) => {
  const p = connection(ctx, input.VpcPeeringConnectionId);
  const now = ctx.clock.nowMs();
  const state = peeringState(p, now);
  const requester = isSide(ctx, p.requester);
  const allowed = state === 'active' || (state === 'pending-acceptance' && requester);
  if (!allowed) {
    if (state === 'pending-acceptance') throw new AwsError('OperationNotPermitted', `User ${ctx.account} cannot delete pending peering ${p.id}: reject it instead`);
    throw transitionError(p, state, 'deleted');
  }
  p.state = 'deleted';
  p.message = `Deleted by ${ctx.account}`;
  p.changedMs = now;
  save(ctx, p);
  return { Return: true };
};

export const modifyVpcPeeringConnectionOptions: Handler<ModifyVpcPeeringConnectionOptionsRequest, ModifyVpcPeeringConnectionOptionsResult> = (input, ctx) => {
  const p = connection(ctx, input.VpcPeeringConnectionId);
  const state = peeringState(p, ctx.clock.nowMs());
  if (state !== 'active') throw new AwsError('OperationNotPermitted', `Peering ${p.id} is ${state}; options can be changed only while it is active`);
  const out: ModifyVpcPeeringConnectionOptionsResult = {};
  for (const [opts, s, key] of [
    [input.RequesterPeeringConnectionOptions, p.requester, 'RequesterPeeringConnectionOptions'],
    [input.AccepterPeeringConnectionOptions, p.accepter, 'AccepterPeeringConnectionOptions'],
  ] as const) {
    if (!opts) continue;
    if (!isSide(ctx, s)) {
      throw new AwsError('OperationNotPermitted', `User ${ctx.account} cannot change the ${key === 'RequesterPeeringConnectionOptions' ? 'requester' : 'accepter'} options of peering ${p.id}`);
    }
    if (opts.AllowDnsResolutionFromRemoteVpc !== undefined) s.allowDnsResolutionFromRemoteVpc = opts.AllowDnsResolutionFromRemoteVpc;
    out[key] = { AllowDnsResolutionFromRemoteVpc: s.allowDnsResolutionFromRemoteVpc, AllowEgressFromLocalClassicLinkToRemoteVpc: false, AllowEgressFromLocalVpcToRemoteClassicLink: false };
  }
  save(ctx, p);
  return out;
};

export const describeVpcPeeringConnections: Handler<DescribeVpcPeeringConnectionsRequest, DescribeVpcPeeringConnectionsResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const { items, nextToken } = describe<PeeringRecord>(ctx, input, {
    operation: 'DescribeVpcPeeringConnections', type: 'vpc-peering-connection', ids: input.VpcPeeringConnectionIds, idsParam: 'vpcPeeringConnectionIds',
    fields: {
      'accepter-vpc-info.cidr-block': (p) => p.accepter.cidrs, 'accepter-vpc-info.owner-id': (p) => p.accepter.ownerId,
      'accepter-vpc-info.vpc-id': (p) => p.accepter.vpcId, 'requester-vpc-info.cidr-block': (p) => p.requester.cidrs,
      'requester-vpc-info.owner-id': (p) => p.requester.ownerId, 'requester-vpc-info.vpc-id': (p) => p.requester.vpcId,
      'status-code': (p) => peeringState(p, now), 'status-message': (p) => message(p, peeringState(p, now)),
      'vpc-peering-connection-id': (p) => p.id,
      'expiration-time': (p) => new Date(p.expirationMs).toISOString(),
    },
    indexes: { 'requester-vpc-info.vpc-id': 'requester-vpc', 'accepter-vpc-info.vpc-id': 'accepter-vpc' },
    visible: (p) => visible(p, now),
  });
  return { VpcPeeringConnections: items.map((d) => shape(d.record, d.tags, now)), NextToken: nextToken };
};

/**
 * CreateRoute/ReplaceRoute to a peering connection (route-targets.ts): it must be active and
 * one of its VPCs, on the caller's side, the route table's.
 */
export function checkPeeringRoute(ctx: Pick<RequestContext, 'scope' | 'clock'>, rec: PeeringRecord, vpcId: string, rtbId: string): void {
  const state = peeringState(rec, ctx.clock.nowMs());
  if (state !== 'active') {
    throw new AwsError('InvalidParameterValue', `The VPC peering connection ${rec.id} is ${state}; routes can target only an active connection`);
  }
  const mine = [rec.requester, rec.accepter].some((s) => s.vpcId === vpcId && sameScope(scopeOf(s), ctx.scope));
  if (!mine) throw new AwsError('InvalidParameterValue', `route table ${rtbId} and network gateway ${rec.id} belong to different networks`);
}

/**
 * DeleteVpc (vpcs.ts): as AWS does, the VPC's active connections and its own pending requests
 * are deleted with it; a pending request from another account waiting on this VPC must be
 * rejected first (DependencyViolation).
 */
export function peeringsOnVpcDelete(ctx: RequestContext, vpcId: string): void {
  const now = ctx.clock.nowMs();
  const hits = [
    ...ctx.tx.findBy<PeeringRecord>(ctx.scope, KIND, 'requester-vpc', { key: vpcId }),
    ...ctx.tx.findBy<PeeringRecord>(ctx.scope, KIND, 'accepter-vpc', { key: vpcId }),
  ];
  const ending: PeeringRecord[] = [];
  for (const { value: p } of hits) {
    const mine = p.requester.vpcId === vpcId && isSide(ctx, p.requester) ? p.requester : p.accepter.vpcId === vpcId && isSide(ctx, p.accepter) ? p.accepter : undefined;
    if (!mine) continue;
    const state = peeringState(p, now);
    if (state === 'pending-acceptance' && mine === p.accepter && p.requester.ownerId !== ctx.account) {
      throw new AwsError('DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted: reject the pending peering request ${p.id} first.`);
    }
    if (state === 'active' || state === 'pending-acceptance') ending.push(p);
  }
  for (const p of ending) {
    p.state = 'deleted';
    p.message = `Deleted by ${ctx.account}`;
    p.changedMs = now;
    save(ctx, p);
  }
}
