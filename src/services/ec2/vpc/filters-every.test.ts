// Every filter name of the VPC core's Describe calls, through the handlers: a value the
// resource has finds it (whether the filter is index-backed or scanned), another value does
// not, and wildcards work on each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../../store/memory.js';
import type { Tx } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { createInternetGateway, describeInternetGateways, attachInternetGateway } from './internet-gateways.js';
import { describeNetworkAcls, NETWORK_ACL_FILTERS } from './network-acls-describe.js';
import type { InternetGatewayRecord, NetworkAclRecord, RouteTableRecord, SecurityGroupRecord, SubnetRecord, VpcRecord } from './records.js';
import { associateRouteTable, createRoute, createRouteTable, describeRouteTables } from './route-tables.js';
import { describeSecurityGroups, SECURITY_GROUP_FILTERS } from './security-groups.js';
import { createSubnet, describeSubnets, SUBNET_FILTERS } from './subnets.js';
import { createVpc, describeVpcs, VPC_FILTERS } from './vpcs.js';

const ctxOf = (tx: Tx): RequestContext => ({
  requestId: 'r', service: 'ec2', operation: 'x', account: '111111111111', region: 'us-east-1',
  scope: { account: '111111111111', region: 'us-east-1' }, clock: { nowMs: () => 0 }, tx,
} as unknown as RequestContext);

type Fields<R> = Record<string, (r: R) => string | string[] | undefined>;

function checkAll<R>(ctx: RequestContext, h: Handler, member: string, idOf: (o: any) => string, id: string, rec: R, fields: Fields<R>): number {
  let checked = 0;
  for (const [name, get] of Object.entries(fields)) {
    const v = get(rec);
    const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (!values.length) continue;
    const hit = (vals: string[]) => (h({ Filters: [{ Name: name, Values: vals }] }, ctx) as Record<string, any[]>)[member]!.map(idOf);
    assert.ok(hit([values[0]!]).includes(id), `${member} ${name}=${values[0]} finds ${id}`);
    assert.ok(!hit(['no-such-value-0']).includes(id), `${member} ${name}=no-such-value excludes ${id}`);
    assert.ok(hit([values[0]!.slice(0, -1) + '*']).includes(id), `${member} ${name} with a wildcard finds ${id}`);
    checked++;
  }
  return checked;
}

test('every filter of DescribeVpcs, DescribeSubnets, DescribeRouteTables, DescribeInternetGateways, DescribeSecurityGroups, DescribeNetworkAcls', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const ctx = ctxOf(tx);
    const vpc = (createVpc({ CidrBlock: '10.0.0.0/16', AmazonProvidedIpv6CidrBlock: true }, ctx) as { Vpc: { VpcId: string } }).Vpc.VpcId;
    createVpc({ CidrBlock: '10.1.0.0/16' }, ctx);
    const v = tx.get<VpcRecord>(ctx.scope, 'ec2:vpc', vpc)!;
    const sub = (createSubnet({ VpcId: vpc, CidrBlock: '10.0.1.0/24', Ipv6CidrBlock: v.ipv6[0]!.cidr.replace('/56', '/64') }, ctx) as { Subnet: { SubnetId: string } }).Subnet.SubnetId;
    const igw = (createInternetGateway({}, ctx) as { InternetGateway: { InternetGatewayId: string } }).InternetGateway.InternetGatewayId;
    attachInternetGateway({ InternetGatewayId: igw, VpcId: vpc }, ctx);
    const rt = (createRouteTable({ VpcId: vpc }, ctx) as { RouteTable: { RouteTableId: string } }).RouteTable.RouteTableId;
    createRoute({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }, ctx);
    associateRouteTable({ RouteTableId: rt, SubnetId: sub }, ctx);

    let n = 0;
    n += checkAll(ctx, describeVpcs, 'Vpcs', (o) => o.VpcId, vpc, v, VPC_FILTERS);
    n += checkAll(ctx, describeSubnets, 'Subnets', (o) => o.SubnetId, sub, tx.get<SubnetRecord>(ctx.scope, 'ec2:subnet', sub)!, SUBNET_FILTERS);
    const rtRec = tx.get<RouteTableRecord>(ctx.scope, 'ec2:route-table', rt)!;
    const rtFields: Fields<RouteTableRecord> = {
      'vpc-id': (t) => t.vpcId, 'route-table-id': (t) => t.id, 'owner-id': (t) => t.ownerId,
      'association.subnet-id': (t) => t.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
      'association.route-table-association-id': (t) => t.associations.map((a) => a.id),
      'association.route-table-id': (t) => t.id, 'association.main': () => 'false',
      'route.destination-cidr-block': (t) => t.routes.flatMap((r) => (r.destinationCidrBlock ? [r.destinationCidrBlock] : [])),
      'route.destination-ipv6-cidr-block': (t) => t.routes.flatMap((r) => (r.destinationIpv6CidrBlock ? [r.destinationIpv6CidrBlock] : [])),
      'route.gateway-id': () => igw, 'route.origin': () => 'CreateRoute', 'route.state': () => 'active',
    };
    n += checkAll(ctx, describeRouteTables, 'RouteTables', (o) => o.RouteTableId, rt, rtRec, rtFields);
    const igwRec = tx.get<InternetGatewayRecord>(ctx.scope, 'ec2:internet-gateway', igw)!;
    n += checkAll(ctx, describeInternetGateways, 'InternetGateways', (o) => o.InternetGatewayId, igw, igwRec, {
      'attachment.vpc-id': (g) => g.attachments.map((a) => a.vpcId), 'attachment.state': () => 'available',
      'internet-gateway-id': (g) => g.id, 'owner-id': (g) => g.ownerId,
    });
    const sg = tx.get<SecurityGroupRecord>(ctx.scope, 'ec2:security-group', v.defaultSecurityGroupId)!;
    n += checkAll(ctx, describeSecurityGroups, 'SecurityGroups', (o) => o.GroupId, sg.id, sg, SECURITY_GROUP_FILTERS(ctx));
    const acl = tx.get<NetworkAclRecord>(ctx.scope, 'ec2:network-acl', v.defaultNetworkAclId)!;
    n += checkAll(ctx, describeNetworkAcls, 'NetworkAcls', (o) => o.NetworkAclId, acl.id, acl, NETWORK_ACL_FILTERS(ctx));
    assert.ok(n >= 70, `checked ${n} filters`);
  });
  store.close();
});
