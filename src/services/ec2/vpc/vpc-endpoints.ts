/**
 * VPC endpoints. Gateway endpoints (S3, DynamoDB) give each of their route tables a route
 * from the service's managed prefix list to the endpoint (Origin CreateRoute, as
 * DescribeRouteTables shows it on AWS); Interface endpoints take one requester-managed network
 * interface (type vpc_endpoint) in each of their subnets, one subnet per zone, with their
 * security groups (the VPC's default group when none is given). Policies are parsed with the
 * policy engine's grammar; the default is AWS's full-access policy. Endpoints are 'available'
 * at once; deleting one removes its routes and interfaces, and the record (AWS shows
 * 'deleted' briefly; cloudlet does not keep it). While an endpoint exists DeleteVpc answers
 * DependencyViolation (the store's 'vpc' index).
 */
import type {
  CreateVpcEndpointRequest, CreateVpcEndpointResult, DeleteVpcEndpointsRequest, DeleteVpcEndpointsResult,
  DescribeVpcEndpointsRequest, DescribeVpcEndpointsResult, ModifyVpcEndpointRequest, ModifyVpcEndpointResult, VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { parsePolicy } from '../../../policy/parse.js';
import { PolicyError } from '../../../policy/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { checkId, isIdOf, newId, notFound, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import { awsPrefixListByName } from './aws-prefix-lists.js';
import { nowIso } from './common.js';
import { checkGroups, createInterfaceRecord, K as ENI_K, releaseIpv4, releaseMac, takeIpv4 } from './eni-core.js';
import { endpointService, type EndpointType } from './endpoint-services.js';
import type { NetworkInterfaceRecord } from './records-eni.js';
import type { VpcEndpointRecord } from './records-endpoints.js';
import type { RouteTableRecord, SecurityGroupRecord, SubnetRecord, VpcRecord } from './records.js';

const KIND = RESOURCE_TYPES['vpc-endpoint'].kind;
const RTB = RESOURCE_TYPES['route-table'].kind;

/** AWS's default endpoint policy: full access. */
export const DEFAULT_ENDPOINT_POLICY = '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';

function checkPolicy(doc: string): string {
  try {
    parsePolicy(doc, { kind: 'resource' });
  } catch (e) {
    if (e instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', `The endpoint policy is not valid: ${e.message}`);
    throw e;
  }
  return doc;
}

function routeTableOf(ctx: RequestContext, vpcId: string, id: string): RouteTableRecord {
  const rt = mustGet<RouteTableRecord>(ctx, 'route-table', id);
  if (rt.vpcId !== vpcId) throw new AwsError('InvalidParameterValue', `Route table ${id} does not belong to ${vpcId}`);
  return rt;
}

function addRoute(ctx: RequestContext, e: VpcEndpointRecord, rtbId: string): void {
  const rt = routeTableOf(ctx, e.vpcId, rtbId);
  if (rt.routes.some((r) => r.destinationPrefixListId === e.prefixListId)) {
    throw new AwsError('RouteAlreadyExists', `The route identified by ${e.prefixListId} already exists in ${rtbId}.`);
  }
  rt.routes.push({ destinationPrefixListId: e.prefixListId!, target: e.id, origin: 'CreateRoute' });
  ctx.tx.put(ctx.scope, RTB, rt.id, rt);
}

function removeRoute(ctx: RequestContext, e: VpcEndpointRecord, rtbId: string): void {
  const rt = ctx.tx.get<RouteTableRecord>(ctx.scope, RTB, rtbId);
  if (!rt) return;
  rt.routes = rt.routes.filter((r) => r.target !== e.id);
  ctx.tx.put(ctx.scope, RTB, rt.id, rt);
}

/** An interface of the endpoint in a subnet (one per zone: AWS's DuplicateSubnetsInSameZone). */
function addInterface(ctx: RequestContext, e: VpcEndpointRecord, subnetId: string): void {
  const s = mustGet<SubnetRecord>(ctx, 'subnet', subnetId);
  if (s.vpcId !== e.vpcId) throw new AwsError('InvalidParameterValue', `Subnet ${subnetId} does not belong to ${e.vpcId}`);
  for (const other of e.subnetIds) {
    const o = ctx.tx.get<SubnetRecord>(ctx.scope, RESOURCE_TYPES.subnet.kind, other);
    if (o && o.zoneName === s.zoneName) {
      throw new AwsError('DuplicateSubnetsInSameZone', `Found another VPC endpoint subnet in the availability zone of ${subnetId}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);
    }
  }
  const [ip] = takeIpv4(ctx, s, [], 1);
  const eni = createInterfaceRecord(ctx, {
    subnet: s, groups: e.groups, privateIps: [ip!], interfaceType: 'vpc_endpoint', requesterId: 'amazon-vpce',
    description: `VPC Endpoint Interface ${e.id}`,
  });
  e.subnetIds.push(s.id);
  e.networkInterfaceIds.push(eni.id);
}

function removeInterface(ctx: RequestContext, e: VpcEndpointRecord, subnetId: string): void {
  const keep: string[] = [];
  for (const id of e.networkInterfaceIds) {
    const eni = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, id);
    if (eni && eni.subnetId !== subnetId) { keep.push(id); continue; }
    if (eni) {
      releaseIpv4(ctx, eni.subnetId, eni.privateIps.length, eni.privateIps.map((p) => p.address));
      releaseMac(ctx, eni.macAddress);
      ctx.tx.delete(ctx.scope, ENI_K.eni, eni.id);
      dropTags(ctx.tx, ctx.scope, eni.id);
    }
  }
  e.networkInterfaceIds = keep;
  e.subnetIds = e.subnetIds.filter((s) => s !== subnetId);
}

function setGroups(ctx: RequestContext, e: VpcEndpointRecord, groups: string[]): void {
  e.groups = groups;
  for (const id of e.networkInterfaceIds) {
    const eni = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, id);
    if (eni) { eni.groups = groups; ctx.tx.put(ctx.scope, ENI_K.eni, id, eni); }
  }
}

function checkPrivateDns(vpc: VpcRecord): void {
  if (!vpc.enableDnsSupport || !vpc.enableDnsHostnames) {
    throw new AwsError('InvalidParameter', `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.id}`);
  }
}

function shape(ctx: RequestContext, e: VpcEndpointRecord, tags: Tag[]): VpcEndpoint {
  const iface = e.type === 'Interface';
  const short = e.serviceName.split('.').slice(3).join('.');
  const dns = iface ? [`${e.id}-${e.id.slice(5, 13)}.${short}.${ctx.region}.vpce.amazonaws.com`] : [];
  return {
    VpcEndpointId: e.id, VpcEndpointType: e.type, VpcId: e.vpcId, ServiceName: e.serviceName, State: e.state as VpcEndpoint['State'],
    PolicyDocument: e.policyDocument,
    RouteTableIds: e.routeTableIds.filter((id) => ctx.tx.get(ctx.scope, RTB, id) !== undefined),
    SubnetIds: e.subnetIds,
    Groups: e.groups.map((g) => ({ GroupId: g, GroupName: ctx.tx.get<SecurityGroupRecord>(ctx.scope, ENI_K.sg, g)?.name ?? '' })),
    IpAddressType: e.ipAddressType, DnsOptions: { DnsRecordIpType: 'ipv4' },
    PrivateDnsEnabled: e.privateDnsEnabled, RequesterManaged: false, NetworkInterfaceIds: e.networkInterfaceIds,
    DnsEntries: dns.map((DnsName) => ({ DnsName })),
    CreationTimestamp: new Date(e.createdAt), OwnerId: e.ownerId, Tags: tagList(tags) ?? [],
  };
}

export const createVpcEndpoint: Handler<CreateVpcEndpointRequest, CreateVpcEndpointResult> = (input, ctx) => {
  const type = (input.VpcEndpointType ?? 'Gateway') as string;
  if (type !== 'Gateway' && type !== 'Interface') {
    throw new AwsError('InvalidParameterValue', `Value (${type}) for parameter VpcEndpointType is invalid. cloudlet supports Gateway and Interface endpoints`);
  }
  if (input.IpAddressType !== undefined && input.IpAddressType !== 'ipv4') {
    throw new AwsError('InvalidParameterValue', `IpAddressType ${input.IpAddressType} is not available in cloudlet: endpoint services here support ipv4 only`);
  }
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const svc = endpointService(ctx.region, input.ServiceName, type as EndpointType);
  const tags = tagSpecTags(input.TagSpecifications, 'vpc-endpoint');
  if (input.ClientToken) {
    for (const h of ctx.tx.findBy<VpcEndpointRecord>(ctx.scope, KIND, 'vpc', { key: vpc.id })) {
      if (h.value.clientToken === input.ClientToken) return { VpcEndpoint: shape(ctx, h.value, tagsOf(ctx.tx, ctx.scope, h.id)), ClientToken: input.ClientToken };
    }
  }
  const policy = checkPolicy(input.PolicyDocument ?? DEFAULT_ENDPOINT_POLICY);
  const gateway = type === 'Gateway';
  if (gateway && (input.SubnetIds?.length || input.SecurityGroupIds?.length)) {
    throw new AwsError('InvalidParameter', 'Gateway endpoints take RouteTableIds, not SubnetIds or SecurityGroupIds');
  }
  if (!gateway && input.RouteTableIds?.length) throw new AwsError('InvalidParameter', 'Interface endpoints take SubnetIds, not RouteTableIds');
  const privateDns = gateway ? false : (input.PrivateDnsEnabled ?? svc.short !== 's3');
  if (privateDns) checkPrivateDns(vpc);
  const e: VpcEndpointRecord = {
    id: newId('vpc-endpoint'), ownerId: ctx.account, vpcId: vpc.id, type, serviceName: svc.name, state: 'available',
    policyDocument: policy, routeTableIds: [], subnetIds: [], groups: [], networkInterfaceIds: [], privateDnsEnabled: privateDns,
    ipAddressType: 'ipv4', createdAt: nowIso(ctx), ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  if (gateway) {
    e.prefixListId = awsPrefixListByName(ctx.region, svc.name)!.id;
    for (const id of new Set(input.RouteTableIds ?? [])) { addRoute(ctx, e, id); e.routeTableIds.push(id); }
  } else {
    const groups = input.SecurityGroupIds?.length ? input.SecurityGroupIds : [vpc.defaultSecurityGroupId];
    e.groups = checkGroups(ctx, vpc.id, groups, input.SubnetIds?.[0] ?? vpc.id);
    for (const id of new Set(input.SubnetIds ?? [])) addInterface(ctx, e, id);
  }
  ctx.tx.put(ctx.scope, KIND, e.id, e);
  setTags(ctx.tx, ctx.scope, 'vpc-endpoint', e.id, tags);
  return { VpcEndpoint: shape(ctx, e, tags), ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}) };
};

export const modifyVpcEndpoint: Handler<ModifyVpcEndpointRequest, ModifyVpcEndpointResult> = (input, ctx) => {
  const e = mustGet<VpcEndpointRecord>(ctx, 'vpc-endpoint', input.VpcEndpointId);
  const gateway = e.type === 'Gateway';
  if (gateway && (input.AddSubnetIds?.length || input.RemoveSubnetIds?.length || input.AddSecurityGroupIds?.length || input.RemoveSecurityGroupIds?.length)) {
    throw new AwsError('InvalidParameter', 'Gateway endpoints take route tables, not subnets or security groups');
  }
  if (!gateway && (input.AddRouteTableIds?.length || input.RemoveRouteTableIds?.length)) {
    throw new AwsError('InvalidParameter', 'Interface endpoints take subnets, not route tables');
  }
  if (input.ResetPolicy && input.PolicyDocument !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'ResetPolicy and PolicyDocument cannot be given together');
  }
  if (input.PolicyDocument !== undefined) e.policyDocument = checkPolicy(input.PolicyDocument);
  if (input.ResetPolicy) e.policyDocument = DEFAULT_ENDPOINT_POLICY;
  for (const id of input.RemoveRouteTableIds ?? []) {
    checkId('route-table', id);
    if (!e.routeTableIds.includes(id)) throw new AwsError('InvalidParameter', `Route table ${id} is not associated with ${e.id}`);
    removeRoute(ctx, e, id);
    e.routeTableIds = e.routeTableIds.filter((r) => r !== id);
  }
  for (const id of new Set(input.AddRouteTableIds ?? [])) {
    if (e.routeTableIds.includes(id)) continue;
    addRoute(ctx, e, id);
    e.routeTableIds.push(id);
  }
  for (const id of input.RemoveSubnetIds ?? []) {
    checkId('subnet', id);
    if (!e.subnetIds.includes(id)) throw new AwsError('InvalidParameter', `Subnet ${id} is not associated with ${e.id}`);
    removeInterface(ctx, e, id);
  }
  for (const id of new Set(input.AddSubnetIds ?? [])) if (!e.subnetIds.includes(id)) addInterface(ctx, e, id);
  if (input.AddSecurityGroupIds?.length || input.RemoveSecurityGroupIds?.length) {
    const remove = new Set(input.RemoveSecurityGroupIds ?? []);
    const next = [...e.groups.filter((g) => !remove.has(g)), ...(input.AddSecurityGroupIds ?? [])];
    if (!next.length) throw new AwsError('InvalidParameter', `An interface endpoint needs at least one security group (${e.id})`);
    setGroups(ctx, e, checkGroups(ctx, e.vpcId, next, e.subnetIds[0] ?? e.vpcId));
  }
  if (input.PrivateDnsEnabled !== undefined) {
    if (gateway && input.PrivateDnsEnabled) throw new AwsError('InvalidParameter', 'Gateway endpoints have no private DNS');
    if (input.PrivateDnsEnabled) checkPrivateDns(mustGet<VpcRecord>(ctx, 'vpc', e.vpcId));
    e.privateDnsEnabled = input.PrivateDnsEnabled;
  }
  ctx.tx.put(ctx.scope, KIND, e.id, e);
  return { Return: true };
};

export const deleteVpcEndpoints: Handler<DeleteVpcEndpointsRequest, DeleteVpcEndpointsResult> = (input, ctx) => {
  const ids = input.VpcEndpointIds ?? [];
  if (!ids.length) throw new AwsError('MissingParameter', 'The request must contain the parameter VpcEndpointId');
  const unsuccessful: NonNullable<DeleteVpcEndpointsResult['Unsuccessful']> = [];
  for (const id of new Set(ids)) {
    const e = isIdOf('vpc-endpoint', id) ? ctx.tx.get<VpcEndpointRecord>(ctx.scope, KIND, id) : undefined;
    if (!e) {
      const err = isIdOf('vpc-endpoint', id) ? notFound('vpc-endpoint', [id]) : new AwsError('InvalidVpcEndpointId.Malformed', `Invalid id: "${id}"`);
      unsuccessful.push({ ResourceId: id, Error: { Code: err.code, Message: err.message } });
      continue;
    }
    for (const rtb of e.routeTableIds) removeRoute(ctx, e, rtb);
    for (const s of [...e.subnetIds]) removeInterface(ctx, e, s);
    ctx.tx.delete(ctx.scope, KIND, e.id);
    dropTags(ctx.tx, ctx.scope, e.id);
  }
  return { Unsuccessful: unsuccessful };
};

export const describeVpcEndpoints: Handler<DescribeVpcEndpointsRequest, DescribeVpcEndpointsResult> = (input, ctx) => {
  const { items, nextToken } = describe<VpcEndpointRecord>(ctx, input, {
    operation: 'DescribeVpcEndpoints', type: 'vpc-endpoint', ids: input.VpcEndpointIds, idsParam: 'vpcEndpointIds',
    fields: {
      'service-name': (e) => e.serviceName, 'vpc-id': (e) => e.vpcId, 'vpc-endpoint-id': (e) => e.id,
      'vpc-endpoint-type': (e) => e.type, 'vpc-endpoint-state': (e) => e.state, 'ip-address-type': (e) => e.ipAddressType,
    },
    indexes: { 'vpc-id': 'vpc' },
  });
  return { VpcEndpoints: items.map((d) => shape(ctx, d.record, d.tags)), NextToken: nextToken };
};
