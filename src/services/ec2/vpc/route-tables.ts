import type {
  AssociateRouteTableRequest, AssociateRouteTableResult, CreateRouteRequest, CreateRouteResult, CreateRouteTableRequest,
  CreateRouteTableResult, DeleteRouteRequest, DeleteRouteTableRequest, DescribeRouteTablesRequest, DescribeRouteTablesResult,
  DisassociateRouteTableRequest, ReplaceRouteRequest, ReplaceRouteTableAssociationRequest, ReplaceRouteTableAssociationResult,
  RouteTable,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { formatCidr } from '../../../network/cidr.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { checkId, newId, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { cidrParam, dependencyViolation } from './common.js';
import type { RouteRecord, RouteTableRecord, SubnetRecord, VpcRecord } from './records.js';
import { routeShape, routeState, routeTarget } from './route-targets.js';
import { prefixListOf } from './prefix-lists.js';

const K = { rtb: RESOURCE_TYPES['route-table'].kind, vpc: RESOURCE_TYPES.vpc.kind };
export const MAX_ROUTES = 500;

export function routeTableShape(ctx: RequestContext, t: RouteTableRecord, tags: Tag[]): RouteTable {
  return {
    RouteTableId: t.id, VpcId: t.vpcId, OwnerId: t.ownerId, PropagatingVgws: [],
    Routes: t.routes.map((r) => routeShape(ctx, t.vpcId, r)),
    Associations: t.associations.map((a) => ({
      RouteTableAssociationId: a.id, RouteTableId: t.id, Main: a.main, AssociationState: { State: 'associated' },
      ...(a.subnetId ? { SubnetId: a.subnetId } : {}), ...(a.gatewayId ? { GatewayId: a.gatewayId } : {}),
    })),
    Tags: tagList(tags),
  };
}

export const createRouteTable: Handler<CreateRouteTableRequest, CreateRouteTableResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const tags = tagSpecTags(input.TagSpecifications, 'route-table');
  const t: RouteTableRecord = {
    id: newId('route-table'), vpcId: vpc.id, ownerId: ctx.account, associations: [],
    routes: [
      ...vpc.cidrs.map((c) => ({ destinationCidrBlock: c.cidr, target: 'local', origin: 'CreateRouteTable' as const })),
      ...vpc.ipv6.map((c) => ({ destinationIpv6CidrBlock: c.cidr, target: 'local', origin: 'CreateRouteTable' as const })),
    ],
  };
  ctx.tx.put(ctx.scope, K.rtb, t.id, t);
  setTags(ctx.tx, ctx.scope, 'route-table', t.id, tags);
  return { RouteTable: routeTableShape(ctx, t, tags) };
};

const ROUTE_TABLE_FILTERS = (ctx: RequestContext): Record<string, (t: RouteTableRecord) => string | string[] | undefined> => ({
  'association.gateway-id': (t) => t.associations.flatMap((a) => (a.gatewayId ? [a.gatewayId] : [])),
  'association.route-table-association-id': (t) => t.associations.map((a) => a.id),
  'association.route-table-id': (t) => (t.associations.length ? t.id : undefined),
  'association.subnet-id': (t) => t.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
  // A table with no main association matches main=false, as on AWS.
  'association.main': (t) => (t.associations.some((a) => a.main) ? 'true' : 'false'),
  'association.association-state': (t) => (t.associations.length ? 'associated' : undefined),
  'owner-id': (t) => t.ownerId,
  'route-table-id': (t) => t.id,
  'route.destination-cidr-block': (t) => t.routes.flatMap((r) => (r.destinationCidrBlock ? [r.destinationCidrBlock] : [])),
  'route.destination-ipv6-cidr-block': (t) => t.routes.flatMap((r) => (r.destinationIpv6CidrBlock ? [r.destinationIpv6CidrBlock] : [])),
  'route.destination-prefix-list-id': (t) => t.routes.flatMap((r) => (r.destinationPrefixListId ? [r.destinationPrefixListId] : [])),
  'route.egress-only-internet-gateway-id': (t) => t.routes.filter((r) => r.target.startsWith('eigw-')).map((r) => r.target),
  'route.gateway-id': (t) => t.routes.filter((r) => r.target === 'local' || r.target.startsWith('igw-') || r.target.startsWith('vpce-')).map((r) => r.target),
  'route.instance-id': (t) => t.routes.filter((r) => r.target.startsWith('i-')).map((r) => r.target),
  'route.nat-gateway-id': (t) => t.routes.filter((r) => r.target.startsWith('nat-')).map((r) => r.target),
  'route.network-interface-id': (t) => t.routes.filter((r) => r.target.startsWith('eni-')).map((r) => r.target),
  'route.vpc-peering-connection-id': (t) => t.routes.filter((r) => r.target.startsWith('pcx-')).map((r) => r.target),
  'route.origin': (t) => t.routes.map((r) => r.origin),
  'route.state': (t) => t.routes.map((r) => routeState(ctx, t.vpcId, r)),
  'vpc-id': (t) => t.vpcId,
});

export const describeRouteTables: Handler<DescribeRouteTablesRequest, DescribeRouteTablesResult> = (input, ctx) => {
  const { items, nextToken } = describe<RouteTableRecord>(ctx, input, {
    operation: 'DescribeRouteTables', type: 'route-table', ids: input.RouteTableIds, idsParam: 'routeTableIds',
    fields: ROUTE_TABLE_FILTERS(ctx), bounds: [5, 100],
    indexes: { 'vpc-id': 'vpc', 'association.subnet-id': 'subnet', 'association.gateway-id': 'gateway', 'association.route-table-association-id': 'assoc' },
  });
  return { RouteTables: items.map((d) => routeTableShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

export const deleteRouteTable: Handler<DeleteRouteTableRequest, object> = (input, ctx) => {
  const t = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  if (t.associations.length) throw dependencyViolation('routeTable', t.id);
  ctx.tx.delete(ctx.scope, K.rtb, t.id);
  dropTags(ctx.tx, ctx.scope, t.id);
  return {};
};

export const associateRouteTable: Handler<AssociateRouteTableRequest, AssociateRouteTableResult> = (input, ctx) => {
  const t = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  const { tx, scope } = ctx;
  if ((input.SubnetId === undefined) === (input.GatewayId === undefined)) {
    throw new AwsError(input.SubnetId === undefined ? 'MissingParameter' : 'InvalidParameterCombination', 'The request must contain exactly one of subnetId and gatewayId');
  }
  const conflict = (): AwsError => new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${t.id} conflicts with an existing association`);
  let assoc: RouteTableRecord['associations'][number];
  if (input.SubnetId !== undefined) {
    const s = mustGet<SubnetRecord>(ctx, 'subnet', input.SubnetId);
    if (s.vpcId !== t.vpcId) throw new AwsError('InvalidParameterValue', `Route table ${t.id} and subnet ${s.id} belong to different networks`);
    if (tx.countBy(scope, K.rtb, 'subnet', { key: s.id }) > 0) throw conflict();
    assoc = { id: newId('route-table-association'), main: false, subnetId: s.id };
  } else {
    const g = input.GatewayId!;
    checkId('internet-gateway', g);
    const igw = mustGet<{ attachments: Array<{ vpcId: string }> }>(ctx, 'internet-gateway', g);
    if (!igw.attachments.some((a) => a.vpcId === t.vpcId)) {
      throw new AwsError('InvalidParameterValue', `route table ${t.id} and network gateway ${g} belong to different networks`);
    }
    if (tx.countBy(scope, K.rtb, 'gateway', { key: g }) > 0) throw conflict();
    assoc = { id: newId('route-table-association'), main: false, gatewayId: g };
  }
  t.associations.push(assoc);
  tx.put(scope, K.rtb, t.id, t);
  return { AssociationId: assoc.id, AssociationState: { State: 'associated' } };
};

function findAssociation(ctx: RequestContext, id: string | undefined): RouteTableRecord {
  const hit = ctx.tx.findBy<RouteTableRecord>(ctx.scope, K.rtb, 'assoc', { key: id ?? '' })[0];
  if (!hit) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${id ?? ''}' does not exist`);
  return hit.value;
}

export const disassociateRouteTable: Handler<DisassociateRouteTableRequest, object> = (input, ctx) => {
  const t = findAssociation(ctx, input.AssociationId);
  const a = t.associations.find((x) => x.id === input.AssociationId)!;
  if (a.main) throw new AwsError('InvalidParameterValue', `Cannot disassociate the main route table association ${a.id}`);
  t.associations = t.associations.filter((x) => x !== a);
  ctx.tx.put(ctx.scope, K.rtb, t.id, t);
  return {};
};

export const replaceRouteTableAssociation: Handler<ReplaceRouteTableAssociationRequest, ReplaceRouteTableAssociationResult> = (input, ctx) => {
  const from = findAssociation(ctx, input.AssociationId);
  const to = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  if (to.vpcId !== from.vpcId) throw new AwsError('InvalidParameterValue', `Route table ${to.id} belongs to another network than association ${input.AssociationId}`);
  const a = from.associations.find((x) => x.id === input.AssociationId)!;
  from.associations = from.associations.filter((x) => x !== a);
  const moved = { ...a, id: newId('route-table-association') };
  const { tx, scope } = ctx;
  if (from.id === to.id) {
    from.associations.push(moved);
    tx.put(scope, K.rtb, from.id, from);
  } else {
    to.associations.push(moved);
    tx.put(scope, K.rtb, from.id, from);
    tx.put(scope, K.rtb, to.id, to);
  }
  if (a.main) {
    const vpc = tx.get<VpcRecord>(scope, K.vpc, to.vpcId);
    if (vpc) { vpc.mainRouteTableId = to.id; tx.put(scope, K.vpc, vpc.id, vpc); }
  }
  return { NewAssociationId: moved.id, AssociationState: { State: 'associated' } };
};

type RouteInput = CreateRouteRequest | ReplaceRouteRequest | DeleteRouteRequest;

/** The one destination a route request names, canonical. */
function destinationOf(input: RouteInput): Pick<RouteRecord, 'destinationCidrBlock' | 'destinationIpv6CidrBlock' | 'destinationPrefixListId'> {
  const given = [input.DestinationCidrBlock, input.DestinationIpv6CidrBlock, input.DestinationPrefixListId].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new AwsError(given.length ? 'InvalidParameterCombination' : 'MissingParameter',
      'The request must contain exactly one of destinationCidrBlock, destinationIpv6CidrBlock and destinationPrefixListId');
  }
  if (input.DestinationCidrBlock !== undefined) return { destinationCidrBlock: formatCidr(cidrParam(input.DestinationCidrBlock, 'destinationCidrBlock', 4)) };
  if (input.DestinationIpv6CidrBlock !== undefined) return { destinationIpv6CidrBlock: formatCidr(cidrParam(input.DestinationIpv6CidrBlock, 'destinationIpv6CidrBlock', 6)) };
  checkId('prefix-list', input.DestinationPrefixListId!);
  return { destinationPrefixListId: input.DestinationPrefixListId! };
}

const sameDest = (a: Partial<RouteRecord>, b: Partial<RouteRecord>): boolean =>
  a.destinationCidrBlock === b.destinationCidrBlock && a.destinationIpv6CidrBlock === b.destinationIpv6CidrBlock &&
  a.destinationPrefixListId === b.destinationPrefixListId;

const destText = (d: Partial<RouteRecord>): string => d.destinationCidrBlock ?? d.destinationIpv6CidrBlock ?? d.destinationPrefixListId ?? '';
const destParam = (d: Partial<RouteRecord>): string =>
  d.destinationCidrBlock ? 'destination-cidr-block' : d.destinationIpv6CidrBlock ? 'destination-ipv6-cidr-block' : 'destination-prefix-list-id';

/** A gateway endpoint's prefix-list route: only ModifyVpcEndpoint/DeleteVpcEndpoints change it. */
const isEndpointRoute = (r: RouteRecord): boolean => r.target.startsWith('vpce-') && r.destinationPrefixListId !== undefined;
const endpointRouteError = (r: RouteRecord, t: RouteTableRecord): AwsError =>
  new AwsError('InvalidParameterValue', `The route ${r.destinationPrefixListId} in ${t.id} belongs to VPC endpoint ${r.target}; change it with ModifyVpcEndpoint`);

const noRoute = (t: RouteTableRecord, d: Partial<RouteRecord>): AwsError =>
  new AwsError('InvalidRoute.NotFound', `no route with ${destParam(d)} ${destText(d)} in route table ${t.id}`);

export const createRoute: Handler<CreateRouteRequest, CreateRouteResult> = (input, ctx) => {
  const t = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  const dest = destinationOf(input);
  if (dest.destinationPrefixListId) prefixListOf(ctx, dest.destinationPrefixListId);
  const target = routeTarget(ctx, input as unknown as Record<string, unknown>, t.vpcId, dest, t.id);
  if (target === 'local') throw new AwsError('InvalidParameterValue', "The route target 'local' is created with the route table; it cannot be added");
  if (t.routes.some((r) => sameDest(r, dest))) {
    throw new AwsError('RouteAlreadyExists', `The route identified by ${destText(dest)} already exists.`);
  }
  if (t.routes.length >= MAX_ROUTES) throw new AwsError('RouteLimitExceeded', `The maximum number of routes (${MAX_ROUTES}) has been reached for ${t.id}`);
  t.routes.push({ ...dest, target, origin: 'CreateRoute' });
  ctx.tx.put(ctx.scope, K.rtb, t.id, t);
  return { Return: true };
};

export const replaceRoute: Handler<ReplaceRouteRequest, object> = (input, ctx) => {
  const t = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  const dest = destinationOf(input);
  const i = t.routes.findIndex((r) => sameDest(r, dest));
  if (i < 0) throw noRoute(t, dest);
  const target = routeTarget(ctx, input as unknown as Record<string, unknown>, t.vpcId, dest, t.id);
  const old = t.routes[i]!;
  if (isEndpointRoute(old)) throw endpointRouteError(old, t);
  if (old.target === 'local' && target !== 'local' && !target.startsWith('eni-')) {
    throw new AwsError('InvalidParameterValue', `The local route ${destText(dest)} of ${t.id} can only be replaced with a network interface target or restored to local`);
  }
  t.routes[i] = { ...dest, target, origin: old.origin === 'CreateRouteTable' ? 'CreateRouteTable' : 'CreateRoute' };
  ctx.tx.put(ctx.scope, K.rtb, t.id, t);
  return {};
};

export const deleteRoute: Handler<DeleteRouteRequest, object> = (input, ctx) => {
  const t = mustGet<RouteTableRecord>(ctx, 'route-table', input.RouteTableId);
  const dest = destinationOf(input);
  const r = t.routes.find((x) => sameDest(x, dest));
  if (!r) throw noRoute(t, dest);
  if (r.origin === 'CreateRouteTable') {
    throw new AwsError('InvalidParameterValue', `cannot remove local route ${destText(dest)} in route table ${t.id}`);
  }
  if (isEndpointRoute(r)) throw endpointRouteError(r, t);
  t.routes = t.routes.filter((x) => x !== r);
  ctx.tx.put(ctx.scope, K.rtb, t.id, t);
  return {};
};
