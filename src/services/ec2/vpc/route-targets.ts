/**
 * Route targets: which input member names which kind of target, whether a target exists
 * (and belongs to the route table's VPC), and whether a stored route is active or a
 * blackhole. A target kind not built yet is refused with its NotFound code, since nothing of
 * it can exist; once its resource file stores records under RESOURCE_TYPES[type].kind, it
 * works here without change. Extra checks for a kind go in TARGET_CHECKS.
 */
import type { Route } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { RequestContext } from '../../types.js';
import { checkId, notFound, RESOURCE_TYPES, typeOfId, type ResourceType } from '../ids.js';
import type { InternetGatewayRecord, RouteRecord } from './records.js';
import { checkPeeringRoute } from './peering.js';
import type { PeeringRecord } from './records-endpoints.js';

/** Input member -> the resource type its ID must be. GatewayId also takes vpce- (gateway endpoints). */
export const TARGET_MEMBERS = {
  GatewayId: 'internet-gateway',
  NatGatewayId: 'natgateway',
  EgressOnlyInternetGatewayId: 'egress-only-internet-gateway',
  NetworkInterfaceId: 'network-interface',
  InstanceId: 'instance',
  VpcPeeringConnectionId: 'vpc-peering-connection',
  VpcEndpointId: 'vpc-endpoint',
} as const satisfies Record<string, ResourceType>;

/** Targets AWS has that cloudlet does not model at all. */
const UNSUPPORTED = ['TransitGatewayId', 'LocalGatewayId', 'CarrierGatewayId', 'CoreNetworkArn', 'OdbNetworkArn'] as const;

type Rec = Record<string, unknown>;

/** Per-kind checks beyond existence: same VPC, IPv6-only targets, states. */
const TARGET_CHECKS: Partial<Record<ResourceType, (rec: Rec, vpcId: string, route: RouteRecord, rtbId: string) => void>> = {
  'internet-gateway': (rec, vpcId, _route, rtbId) => {
    const igw = rec as unknown as InternetGatewayRecord;
    if (!igw.attachments.some((a) => a.vpcId === vpcId)) {
      throw new AwsError('InvalidParameterValue', `route table ${rtbId} and network gateway ${igw.id} belong to different networks`);
    }
  },
  // A gateway endpoint's routes are its own: they come and go with ModifyVpcEndpoint, as on AWS.
  'vpc-endpoint': (rec) => {
    if (rec.type === 'Gateway') {
      throw new AwsError('InvalidParameterValue', `Routes to gateway endpoint ${String(rec.id)} are managed by the endpoint; add its route tables with ModifyVpcEndpoint`);
    }
  },
  'egress-only-internet-gateway': (_rec, _vpcId, route) => {
    if (!route.destinationIpv6CidrBlock) throw new AwsError('InvalidParameterValue', 'Egress-only internet gateways route IPv6 destinations only');
  },
};

/** Generic same-network check for targets whose records carry a vpcId. */
function sameVpc(rec: Rec, vpcId: string, id: string, rtbId: string): void {
  if (typeof rec.vpcId === 'string' && rec.vpcId !== vpcId) {
    throw new AwsError('InvalidParameterValue', `route table ${rtbId} and network gateway ${id} belong to different networks`);
  }
}

/** The target the request names (exactly one), validated against the store. */
export function routeTarget(ctx: RequestContext, input: Rec, vpcId: string, route: Omit<RouteRecord, 'target' | 'origin'>, rtbId: string): string {
  for (const m of UNSUPPORTED) {
    if (input[m] !== undefined) throw new AwsError('InvalidParameterValue', `${m} targets are not available in cloudlet`);
  }
  const given = (Object.keys(TARGET_MEMBERS) as Array<keyof typeof TARGET_MEMBERS>).filter((m) => input[m] !== undefined && input[m] !== '');
  if (given.length !== 1) {
    throw new AwsError(given.length ? 'InvalidParameterCombination' : 'MissingParameter',
      `The request must contain exactly one route target: ${Object.keys(TARGET_MEMBERS).join(', ')}`);
  }
  const member = given[0]!;
  const id = String(input[member]);
  let type: ResourceType = TARGET_MEMBERS[member];
  if (member === 'GatewayId') {
    if (id === 'local') return 'local';
    const t = typeOfId(id);
    if (t === 'vpc-endpoint') type = t;
    else if (id.startsWith('vgw-')) throw new AwsError('InvalidParameterValue', 'Virtual private gateways are not available in cloudlet');
  }
  checkId(type, id);
  const rec = ctx.tx.get<Rec>(ctx.scope, RESOURCE_TYPES[type].kind, id);
  if (!rec) throw notFound(type, [id]);
  sameVpc(rec, vpcId, id, rtbId);
  TARGET_CHECKS[type]?.(rec, vpcId, { ...route, target: id, origin: 'CreateRoute' }, rtbId);
  if (type === 'vpc-peering-connection') checkPeeringRoute(ctx, rec as unknown as PeeringRecord, vpcId, rtbId);
  return id;
}

/** 'active', or 'blackhole' when the target is gone (deleted, detached, failed). */
export function routeState(ctx: Pick<RequestContext, 'tx' | 'scope'>, vpcId: string, r: RouteRecord): 'active' | 'blackhole' {
  if (r.target === 'local') return 'active';
  const type = typeOfId(r.target);
  if (!type) return 'blackhole';
  const rec = ctx.tx.get<Rec>(ctx.scope, RESOURCE_TYPES[type].kind, r.target);
  if (!rec) return 'blackhole';
  if (type === 'internet-gateway') return (rec as unknown as InternetGatewayRecord).attachments.some((a) => a.vpcId === vpcId) ? 'active' : 'blackhole';
  const state = rec.state;
  if (state === 'deleted' || state === 'deleting' || state === 'failed' || state === 'detached') return 'blackhole';
  return 'active';
}

/** A stored route as AWS outputs it. */
export function routeShape(ctx: RequestContext, vpcId: string, r: RouteRecord): Route {
  const out: Route = { Origin: r.origin, State: routeState(ctx, vpcId, r) };
  if (r.destinationCidrBlock) out.DestinationCidrBlock = r.destinationCidrBlock;
  if (r.destinationIpv6CidrBlock) out.DestinationIpv6CidrBlock = r.destinationIpv6CidrBlock;
  if (r.destinationPrefixListId) out.DestinationPrefixListId = r.destinationPrefixListId;
  const type = r.target === 'local' ? undefined : typeOfId(r.target);
  switch (type) {
    case undefined: out.GatewayId = r.target; break;
    case 'internet-gateway': case 'vpc-endpoint': out.GatewayId = r.target; break;
    case 'natgateway': out.NatGatewayId = r.target; break;
    case 'egress-only-internet-gateway': out.EgressOnlyInternetGatewayId = r.target; break;
    case 'network-interface': out.NetworkInterfaceId = r.target; break;
    case 'instance': out.InstanceId = r.target; out.InstanceOwnerId = ctx.account; break;
    case 'vpc-peering-connection': out.VpcPeeringConnectionId = r.target; break;
    default: out.GatewayId = r.target;
  }
  return out;
}
