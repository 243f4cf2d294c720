// Managed prefix lists, VPC endpoints and VPC peering with SDK v3 (and one AWS CLI run):
// AWS's lists and customer CRUD with versions; the S3 gateway endpoint's prefix-list route in
// DescribeRouteTables; interface endpoints' network interfaces; peering across accounts and
// regions, overlapping CIDRs refused; AWS's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateManagedPrefixListCommand, CreateRouteTableCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand,
  CreateVpcEndpointCommand, DeleteManagedPrefixListCommand, DeleteSubnetCommand, DeleteVpcCommand, DeleteVpcEndpointsCommand,
  DescribeManagedPrefixListsCommand, DescribeNetworkInterfacesCommand, DescribePrefixListsCommand, DescribeRouteTablesCommand,
  DescribeSubnetsCommand, DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand, EC2Client,
  GetManagedPrefixListEntriesCommand, ModifyManagedPrefixListCommand, ModifyVpcAttributeCommand, ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const fails = (p: Promise<unknown>, code: string): Promise<void> => rejects(p, code, 400);

describe('EC2 managed prefix lists, VPC endpoints and peering', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test("AWS's lists: the S3 and DynamoDB lists of the region, in both Describe calls, stable IDs", async () => {
    const old = (await ec2.send(new DescribePrefixListsCommand({}))).PrefixLists!;
    const names = old.map((p) => p.PrefixListName).sort();
    assert.deepEqual(names, ['com.amazonaws.us-east-1.dynamodb', 'com.amazonaws.us-east-1.s3']);
    const s3 = old.find((p) => p.PrefixListName === 'com.amazonaws.us-east-1.s3')!;
    assert.equal(s3.PrefixListId, 'pl-63a5400a');
    assert.ok(s3.Cidrs!.includes('52.216.0.0/15'));
    const managed = (await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'owner-id', Values: ['AWS'] }] }))).PrefixLists!;
    assert.equal(managed.length, 2);
    assert.equal(managed.find((p) => p.PrefixListId === s3.PrefixListId)!.PrefixListArn, 'arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a');
    const entries = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: s3.PrefixListId }))).Entries!;
    assert.deepEqual(entries.map((e) => e.Cidr).sort(), [...s3.Cidrs!].sort());
    // Another region has its own lists, with other IDs.
    const west = new EC2Client(clientConfig(cl.url, 'eu-central-1'));
    const w = (await west.send(new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['*.s3'] }] }))).PrefixLists!;
    assert.equal(w.length, 1);
    assert.equal(w[0]!.PrefixListName, 'com.amazonaws.eu-central-1.s3');
    assert.match(w[0]!.PrefixListId!, /^pl-[0-9a-f]{8}$/);
    assert.notEqual(w[0]!.PrefixListId, s3.PrefixListId);
    const again = (await west.send(new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: ['*.s3'] }] }))).PrefixLists!;
    assert.equal(again[0]!.PrefixListId, w[0]!.PrefixListId);
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: s3.PrefixListId, PrefixListName: 'mine' })), 'InvalidPrefixListModification');
    await fails(ec2.send(new DescribePrefixListsCommand({ PrefixListIds: ['pl-00000000'] })), 'InvalidPrefixListID.NotFound');
  });

  test('customer lists: create, add/remove entries by version, resize, old versions, delete', async () => {
    const pl = (await ec2.send(new CreateManagedPrefixListCommand({
      PrefixListName: 'offices', AddressFamily: 'IPv4', MaxEntries: 3,
      Entries: [{ Cidr: '198.51.100.0/24', Description: 'hq' }, { Cidr: '203.0.113.7/32' }],
      TagSpecifications: [{ ResourceType: 'prefix-list', Tags: [{ Key: 'team', Value: 'net' }] }],
    }))).PrefixList!;
    assert.match(pl.PrefixListId!, /^pl-[0-9a-f]{17}$/);
    assert.equal(pl.Version, 1);
    assert.equal(pl.OwnerId, '000000000000');
    assert.equal(pl.State, 'create-complete');
    const id = pl.PrefixListId!;
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 7, AddEntries: [{ Cidr: '192.0.2.0/24' }] })),
      'PrefixListVersionMismatch');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({
      PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: '192.0.2.0/24' }, { Cidr: '192.0.2.128/25' }],
    })), 'PrefixListMaxEntriesExceeded');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: 'nope' }] })),
      'InvalidParameterValue');
    const v2 = (await ec2.send(new ModifyManagedPrefixListCommand({
      PrefixListId: id, CurrentVersion: 1, AddEntries: [{ Cidr: '192.0.2.0/24' }], RemoveEntries: [{ Cidr: '203.0.113.7/32' }],
    }))).PrefixList!;
    assert.equal(v2.Version, 2);
    const now = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }))).Entries!;
    assert.deepEqual(now.map((e) => e.Cidr), ['192.0.2.0/24', '198.51.100.0/24']);
    assert.equal(now.find((e) => e.Cidr === '198.51.100.0/24')!.Description, 'hq');
    const v1 = (await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id, TargetVersion: 1 }))).Entries!;
    assert.deepEqual(v1.map((e) => e.Cidr), ['198.51.100.0/24', '203.0.113.7/32']);
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 1 })), 'InvalidParameterValue');
    await fails(ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 5, CurrentVersion: 2, AddEntries: [{ Cidr: '10.0.0.0/8' }] })),
      'InvalidParameterCombination');
    const resized = (await ec2.send(new ModifyManagedPrefixListCommand({ PrefixListId: id, MaxEntries: 10, PrefixListName: 'offices-2' }))).PrefixList!;
    assert.equal(resized.MaxEntries, 10);
    assert.equal(resized.Version, 2);
    const byTag = (await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'tag:team', Values: ['net'] }] }))).PrefixLists!;
    assert.deepEqual(byTag.map((p) => [p.PrefixListId, p.PrefixListName]), [[id, 'offices-2']]);
    await fails(ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'com.amazonaws.x', AddressFamily: 'IPv4', MaxEntries: 1 })),
      'InvalidParameterValue');
    await fails(ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'v6', AddressFamily: 'IPv6', MaxEntries: 1, Entries: [{ Cidr: '10.0.0.0/8' }] })),
      'InvalidParameterValue');
    const del = (await ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: id }))).PrefixList!;
    assert.equal(del.State, 'delete-complete');
    await fails(ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id })), 'InvalidPrefixListID.NotFound');
    await fails(ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: 'pl-bad' })), 'InvalidPrefixListId.Malformed');
  });
  test('S3 gateway endpoint: prefix-list routes in its route tables, modify adds/removes them, delete takes them away', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const rtA = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    const rtB = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    const ep = (await ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtA],
      TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'Name', Value: 's3' }] }],
    }))).VpcEndpoint!;
    assert.match(ep.VpcEndpointId!, /^vpce-[0-9a-f]{17}$/);
    assert.equal(ep.VpcEndpointType, 'Gateway');
    assert.equal(ep.State, 'available');
    assert.deepEqual(ep.RouteTableIds, [rtA]);
    assert.deepEqual(JSON.parse(ep.PolicyDocument!), { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });
    const routesOf = async (id: string) => (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id] }))).RouteTables![0]!.Routes!;
    const plRoute = (await routesOf(rtA)).find((r) => r.DestinationPrefixListId);
    assert.deepEqual(plRoute, { DestinationPrefixListId: 'pl-63a5400a', GatewayId: ep.VpcEndpointId, Origin: 'CreateRoute', State: 'active' });
    const byPl = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.destination-prefix-list-id', Values: ['pl-63a5400a'] }] }))).RouteTables!;
    assert.deepEqual(byPl.map((t) => t.RouteTableId), [rtA]);
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.VpcEndpointId, AddRouteTableIds: [rtB], RemoveRouteTableIds: [rtA] }));
    assert.equal((await routesOf(rtA)).some((r) => r.DestinationPrefixListId), false);
    assert.equal((await routesOf(rtB)).find((r) => r.DestinationPrefixListId)!.GatewayId, ep.VpcEndpointId);
    // A policy is parsed; a broken one is refused and changes nothing.
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.VpcEndpointId, PolicyDocument: policy }));
    await fails(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.VpcEndpointId, PolicyDocument: '{"Statement": 5}' })), 'MalformedPolicyDocument');
    const got = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'tag:Name', Values: ['s3'] }] }))).VpcEndpoints!;
    assert.deepEqual(got.map((e) => [e.VpcEndpointId, e.PolicyDocument, e.RouteTableIds]), [[ep.VpcEndpointId, policy, [rtB]]]);
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.VpcEndpointId, ResetPolicy: true }));
    const reset = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0]!;
    assert.equal(JSON.parse(reset.PolicyDocument!).Statement[0].Action, '*');
    for (const [name, value, n] of [['vpc-id', vpcId, 1], ['service-name', 'com.amazonaws.us-east-1.s3', 1], ['vpc-endpoint-type', 'Interface', 0],
      ['vpc-endpoint-state', 'available', 1], ['vpc-endpoint-id', ep.VpcEndpointId!, 1]] as const) {
      const r = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: name, Values: [value] }, { Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints!;
      assert.equal(r.length, n, `${name}=${value}`);
    }
    await fails(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
    await fails(ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.nope' })), 'InvalidServiceName');
    await fails(ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtB] })), 'RouteAlreadyExists');
    const del = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!, 'vpce-0123456789abcdef0'] }));
    assert.deepEqual(del.Unsuccessful!.map((u) => [u.ResourceId, u.Error!.Code]), [['vpce-0123456789abcdef0', 'InvalidVpcEndpointId.NotFound']]);
    assert.equal((await routesOf(rtB)).some((r) => r.DestinationPrefixListId), false);
    await fails(ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] })), 'InvalidVpcEndpointId.NotFound');
  });

  test('interface endpoint: one vpc_endpoint interface per subnet with its groups; private DNS needs the VPC DNS attributes', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.21.0.0/16' }))).Vpc!.VpcId!;
    const sub = async (cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const s1 = await sub('10.21.1.0/24', 'us-east-1a');
    const s2 = await sub('10.21.2.0/24', 'us-east-1b');
    const s3 = await sub('10.21.3.0/24', 'us-east-1a');
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'vpce', Description: 'endpoint' }))).GroupId!;
    await fails(ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.sts', SubnetIds: [s1] })),
      'InvalidParameter');
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const before = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s1] }))).Subnets![0]!.AvailableIpAddressCount!;
    await fails(ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.sts', SubnetIds: [s1, s3],
    })), 'DuplicateSubnetsInSameZone');
    const ep = (await ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.sts', SubnetIds: [s1, s2], SecurityGroupIds: [sg],
    }))).VpcEndpoint!;
    assert.equal(ep.PrivateDnsEnabled, true);
    assert.deepEqual(ep.SubnetIds, [s1, s2]);
    assert.deepEqual(ep.Groups, [{ GroupId: sg, GroupName: 'vpce' }]);
    assert.equal(ep.NetworkInterfaceIds!.length, 2);
    assert.match(ep.DnsEntries![0]!.DnsName!, /\.sts\.us-east-1\.vpce\.amazonaws\.com$/);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ep.NetworkInterfaceIds }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => e.InterfaceType), ['vpc_endpoint', 'vpc_endpoint']);
    assert.deepEqual(new Set(enis.map((e) => e.SubnetId)), new Set([s1, s2]));
    assert.ok(enis.every((e) => e.RequesterManaged && e.Groups![0]!.GroupId === sg && e.Description === `VPC Endpoint Interface ${ep.VpcEndpointId}`));
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s1] }))).Subnets![0]!.AvailableIpAddressCount, before - 1);
    await fails(ec2.send(new DeleteSubnetCommand({ SubnetId: s2 })), 'DependencyViolation');
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.VpcEndpointId, RemoveSubnetIds: [s2] }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s2 }));
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s1] }))).Subnets![0]!.AvailableIpAddressCount, before);
    await fails(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ep.NetworkInterfaceIds![0]!] })), 'InvalidNetworkInterfaceID.NotFound');
  });

  test('DescribeVpcEndpointServices: S3 as Gateway and Interface, DynamoDB, the Interface services; filters', async () => {
    const r = await ec2.send(new DescribeVpcEndpointServicesCommand({}));
    for (const s of ['s3', 'dynamodb', 'ec2', 'sts', 'ecr.api', 'ecr.dkr', 'logs', 'monitoring', 'sns', 'elasticloadbalancing', 'autoscaling']) {
      assert.ok(r.ServiceNames!.includes(`com.amazonaws.us-east-1.${s}`), s);
    }
    const s3 = r.ServiceDetails!.filter((d) => d.ServiceName === 'com.amazonaws.us-east-1.s3');
    assert.deepEqual(s3.map((d) => d.ServiceType![0]!.ServiceType).sort(), ['Gateway', 'Interface']);
    assert.ok(s3.every((d) => d.Owner === 'amazon' && d.VpcEndpointPolicySupported && d.AvailabilityZones!.length >= 3));
    const gw = await ec2.send(new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'service-type', Values: ['Gateway'] }] }));
    assert.deepEqual(gw.ServiceNames, ['com.amazonaws.us-east-1.dynamodb', 'com.amazonaws.us-east-1.s3']);
    await fails(ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: ['com.amazonaws.us-east-1.nope'] })), 'InvalidServiceName');
  });
});
