// Managed prefix lists, VPC endpoints and VPC peering with SDK v3 (and one AWS CLI run):
// AWS's lists and customer CRUD with versions; the S3 gateway endpoint's prefix-list route in
// DescribeRouteTables; interface endpoints' network interfaces; peering across accounts and
// regions, overlapping CIDRs refused; AWS's errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AcceptVpcPeeringConnectionCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand, AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInsightsPathCommand, CreateNetworkInterfaceCommand, StartNetworkInsightsAnalysisCommand, CreateInternetGatewayCommand, CreateManagedPrefixListCommand, DeleteRouteCommand,
  GetManagedPrefixListAssociationsCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateVpcPeeringConnectionCommand, DeleteVpcPeeringConnectionCommand, DescribeVpcPeeringConnectionsCommand,
  ModifyVpcPeeringConnectionOptionsCommand, RejectVpcPeeringConnectionCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand,
  CreateVpcEndpointCommand, DeleteManagedPrefixListCommand, DeleteSubnetCommand, DeleteVpcCommand, DeleteVpcEndpointsCommand,
  DescribeManagedPrefixListsCommand, DescribeNetworkInterfacesCommand, DescribePrefixListsCommand, DescribeRouteTablesCommand,
  DescribeSubnetsCommand, DescribeVpcEndpointServicesCommand, DescribeVpcEndpointsCommand, EC2Client,
  GetManagedPrefixListEntriesCommand, ModifyManagedPrefixListCommand, ModifyVpcAttributeCommand, ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT_A = { accessKeyId: '111111111111', secretAccessKey: 'test' };
const ACCOUNT_B = { accessKeyId: '222222222222', secretAccessKey: 'test' };
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
  test('a route to a customer prefix list: unknown lists refused, associations listed, the list cannot go while in use', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.22.0.0/16' }))).Vpc!.VpcId!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
    const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await fails(ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationPrefixListId: 'pl-0123456789abcdef0', GatewayId: igw })), 'InvalidPrefixListID.NotFound');
    const pl = (await ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'partners', AddressFamily: 'IPv4', MaxEntries: 2, Entries: [{ Cidr: '192.0.2.0/24' }] }))).PrefixList!.PrefixListId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationPrefixListId: pl, GatewayId: igw }));
    const assoc = (await ec2.send(new GetManagedPrefixListAssociationsCommand({ PrefixListId: pl }))).PrefixListAssociations!;
    assert.deepEqual(assoc, [{ ResourceId: rtb, ResourceOwner: '000000000000' }]);
    await fails(ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: pl })), 'PrefixListInUse');
    await ec2.send(new DeleteRouteCommand({ RouteTableId: rtb, DestinationPrefixListId: pl }));
    assert.deepEqual((await ec2.send(new GetManagedPrefixListAssociationsCommand({ PrefixListId: pl }))).PrefixListAssociations, []);
    await ec2.send(new DeleteManagedPrefixListCommand({ PrefixListId: pl }));
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
    // The endpoint's routes are its own: not deleted, replaced or added through the route API.
    await fails(ec2.send(new DeleteRouteCommand({ RouteTableId: rtA, DestinationPrefixListId: 'pl-63a5400a' })), 'InvalidParameterValue');
    await fails(ec2.send(new CreateRouteCommand({ RouteTableId: rtB, DestinationPrefixListId: 'pl-63a5400a', GatewayId: ep.VpcEndpointId })), 'InvalidParameterValue');
    assert.equal((await routesOf(rtB)).some((r) => r.DestinationPrefixListId), false);
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
  test('peering across two accounts: pending for the accepter only to accept, routes need it active, deleted -> blackhole', async () => {
    const a = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT_A));
    const b = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT_B));
    const vpcA = (await a.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const vpcB = (await b.send(new CreateVpcCommand({ CidrBlock: '10.31.0.0/16' }))).Vpc!.VpcId!;
    const created = (await a.send(new CreateVpcPeeringConnectionCommand({
      VpcId: vpcA, PeerVpcId: vpcB, PeerOwnerId: '222222222222',
      TagSpecifications: [{ ResourceType: 'vpc-peering-connection', Tags: [{ Key: 'Name', Value: 'a-b' }] }],
    }))).VpcPeeringConnection!;
    assert.match(created.VpcPeeringConnectionId!, /^pcx-[0-9a-f]{17}$/);
    assert.deepEqual(created.Status, { Code: 'initiating-request', Message: 'Initiating Request to 222222222222' });
    assert.deepEqual(created.Tags, [{ Key: 'Name', Value: 'a-b' }]);
    const id = created.VpcPeeringConnectionId!;
    const seenBy = async (c: EC2Client) => (await c.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0]!;
    const pendingB = await seenBy(b);
    assert.equal(pendingB.Status!.Code, 'pending-acceptance');
    assert.equal(pendingB.Status!.Message, 'Pending Acceptance by 222222222222');
    assert.deepEqual(pendingB.RequesterVpcInfo!.CidrBlock, '10.30.0.0/16');
    assert.equal(pendingB.AccepterVpcInfo!.OwnerId, '222222222222');
    assert.deepEqual(pendingB.Tags, [], 'tags stay with the side that set them');
    assert.ok(pendingB.ExpirationTime instanceof Date);
    // The requester cannot accept; a route to a pending connection is refused.
    await fails(a.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'OperationNotPermitted');
    const rtA = (await a.send(new CreateRouteTableCommand({ VpcId: vpcA }))).RouteTable!.RouteTableId!;
    await fails(a.send(new CreateRouteCommand({ RouteTableId: rtA, DestinationCidrBlock: '10.31.0.0/16', VpcPeeringConnectionId: id })), 'InvalidParameterValue');
    const accepted = (await b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))).VpcPeeringConnection!;
    assert.equal(accepted.Status!.Code, 'active');
    assert.equal(accepted.AccepterVpcInfo!.CidrBlock, '10.31.0.0/16');
    assert.equal((await seenBy(a)).Status!.Code, 'active');
    await fails(b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'InvalidStateTransition');
    await a.send(new CreateRouteCommand({ RouteTableId: rtA, DestinationCidrBlock: '10.31.0.0/16', VpcPeeringConnectionId: id }));
    const rtB = (await b.send(new CreateRouteTableCommand({ VpcId: vpcB }))).RouteTable!.RouteTableId!;
    await b.send(new CreateRouteCommand({ RouteTableId: rtB, DestinationCidrBlock: '10.30.0.0/16', VpcPeeringConnectionId: id }));
    // A third VPC of account A is not part of the connection.
    const vpcC = (await a.send(new CreateVpcCommand({ CidrBlock: '10.32.0.0/16' }))).Vpc!.VpcId!;
    const rtC = (await a.send(new CreateRouteTableCommand({ VpcId: vpcC }))).RouteTable!.RouteTableId!;
    await fails(a.send(new CreateRouteCommand({ RouteTableId: rtC, DestinationCidrBlock: '10.31.0.0/16', VpcPeeringConnectionId: id })), 'InvalidParameterValue');
    const opts = await b.send(new ModifyVpcPeeringConnectionOptionsCommand({ VpcPeeringConnectionId: id, AccepterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } }));
    assert.equal(opts.AccepterPeeringConnectionOptions!.AllowDnsResolutionFromRemoteVpc, true);
    await fails(b.send(new ModifyVpcPeeringConnectionOptionsCommand({ VpcPeeringConnectionId: id, RequesterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: true } })),
      'OperationNotPermitted');
    assert.equal((await seenBy(a)).AccepterVpcInfo!.PeeringOptions!.AllowDnsResolutionFromRemoteVpc, true);
    const filtered = (await a.send(new DescribeVpcPeeringConnectionsCommand({ Filters: [
      { Name: 'accepter-vpc-info.owner-id', Values: ['222222222222'] }, { Name: 'status-code', Values: ['active'] },
      { Name: 'requester-vpc-info.vpc-id', Values: [vpcA] }, { Name: 'tag:Name', Values: ['a-b'] },
    ] }))).VpcPeeringConnections!;
    assert.deepEqual(filtered.map((p) => p.VpcPeeringConnectionId), [id]);
    await b.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
    const gone = await seenBy(a);
    assert.deepEqual(gone.Status, { Code: 'deleted', Message: 'Deleted by 222222222222' });
    const route = (await a.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtA] }))).RouteTables![0]!.Routes!.find((r) => r.VpcPeeringConnectionId);
    assert.equal(route!.State, 'blackhole');
    await fails(a.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'InvalidStateTransition');
    await fails(a.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: ['pcx-0123456789abcdef0'] })), 'InvalidVpcPeeringConnectionID.NotFound');
  });

  test('DeleteVpc ends its connections; the accepter of a pending request from another account must reject it first', async () => {
    const a = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT_A));
    const b = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT_B));
    const vpcA = (await a.send(new CreateVpcCommand({ CidrBlock: '10.33.0.0/16' }))).Vpc!.VpcId!;
    const vpcB = (await b.send(new CreateVpcCommand({ CidrBlock: '10.34.0.0/16' }))).Vpc!.VpcId!;
    const id = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcB, PeerOwnerId: '222222222222' }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await fails(b.send(new DeleteVpcCommand({ VpcId: vpcB })), 'DependencyViolation');
    await a.send(new DeleteVpcCommand({ VpcId: vpcA }));
    const seen = (await b.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0]!;
    assert.deepEqual(seen.Status, { Code: 'deleted', Message: 'Deleted by 111111111111' });
    await b.send(new DeleteVpcCommand({ VpcId: vpcB }));
    // Same account, active: the connection goes with either VPC.
    const v1 = (await a.send(new CreateVpcCommand({ CidrBlock: '10.35.0.0/16' }))).Vpc!.VpcId!;
    const v2 = (await a.send(new CreateVpcCommand({ CidrBlock: '10.36.0.0/16' }))).Vpc!.VpcId!;
    const p2 = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: v1, PeerVpcId: v2 }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await a.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: p2 }));
    await a.send(new DeleteVpcCommand({ VpcId: v2 }));
    const after2 = (await a.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [p2] }))).VpcPeeringConnections![0]!;
    assert.equal(after2.Status!.Code, 'deleted');
  });

  test('Reachability Analyzer crosses an active peering connection, and not once it is deleted', async () => {
    const net = async (cidr: string, sub: string) => {
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
      const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: sub }))).Subnet!.SubnetId!;
      const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
      await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
      const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'app', Description: 'app' }))).GroupId!;
      const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [sg] }))).NetworkInterface!.NetworkInterfaceId!;
      return { vpcId, rtb, sg, eni };
    };
    const a = await net('10.71.0.0/16', '10.71.1.0/24');
    const b = await net('10.72.0.0/16', '10.72.1.0/24');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: b.sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.71.0.0/16' }] }] }));
    const pcx = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: a.rtb, DestinationCidrBlock: '10.72.0.0/16', VpcPeeringConnectionId: pcx }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.71.0.0/16', VpcPeeringConnectionId: pcx }));
    const path = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: a.eni, Destination: b.eni, Protocol: 'tcp', DestinationPort: 443 }))).NetworkInsightsPath!.NetworkInsightsPathId!;
    const run = async () => (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path }))).NetworkInsightsAnalysis!;
    const found = await run();
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    assert.ok(found.ForwardPathComponents!.some((c) => c.Component?.Id === pcx), 'the path goes through the peering connection');
    await ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    const cut = await run();
    assert.equal(cut.NetworkPathFound, false);
    assert.ok(cut.Explanations!.length > 0);
  });

  test('Reachability Analyzer reaches S3 through the gateway endpoint only while the route table has its route', async () => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.73.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.73.1.0/24' }))).Subnet!.SubnetId!;
    const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface!.NetworkInterfaceId!;
    const vpce = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtb] }))).VpcEndpoint!.VpcEndpointId!;
    const path = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: eni, Destination: vpce, Protocol: 'tcp', DestinationPort: 443 }))).NetworkInsightsPath!.NetworkInsightsPathId!;
    const run = async () => (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: path }))).NetworkInsightsAnalysis!;
    const found = await run();
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: vpce, RemoveRouteTableIds: [rtb] }));
    const cut = await run();
    assert.equal(cut.NetworkPathFound, false);
    assert.ok(cut.Explanations!.length > 0);
  });

  test('peering across regions, rejected by the accepter; overlapping CIDRs and an unknown peer VPC fail', async () => {
    const east = new EC2Client(clientConfig(cl.url, 'us-east-1', ACCOUNT_A));
    const west = new EC2Client(clientConfig(cl.url, 'us-west-2', ACCOUNT_A));
    const vpcE = (await east.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
    const vpcW = (await west.send(new CreateVpcCommand({ CidrBlock: '10.41.0.0/16' }))).Vpc!.VpcId!;
    const id = (await east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: vpcW, PeerRegion: 'us-west-2' }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    const inWest = (await west.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0]!;
    assert.equal(inWest.Status!.Code, 'pending-acceptance');
    assert.equal(inWest.RequesterVpcInfo!.Region, 'us-east-1');
    assert.equal(inWest.AccepterVpcInfo!.Region, 'us-west-2');
    // The same account, but the accepter side is the other Region.
    await fails(east.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'OperationNotPermitted');
    assert.equal((await west.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))).Return, true);
    const rejected = (await east.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0]!;
    assert.deepEqual(rejected.Status, { Code: 'rejected', Message: 'Rejected by 111111111111' });
    await fails(west.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'InvalidStateTransition');
    // A west VPC overlapping the east one: the request fails, and only the requester sees it.
    const vpcO = (await west.send(new CreateVpcCommand({ CidrBlock: '10.40.128.0/17' }))).Vpc!.VpcId!;
    const failed = (await east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: vpcO, PeerRegion: 'us-west-2' }))).VpcPeeringConnection!;
    const f = (await east.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [failed.VpcPeeringConnectionId!] }))).VpcPeeringConnections![0]!;
    assert.deepEqual(f.Status, { Code: 'failed', Message: 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range' });
    await fails(west.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [failed.VpcPeeringConnectionId!] })), 'InvalidVpcPeeringConnectionID.NotFound');
    const vpcE2 = (await east.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/24' }))).Vpc!.VpcId!;
    const same = (await east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: vpcE2 }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    assert.equal((await east.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [same] }))).VpcPeeringConnections![0]!.Status!.Code, 'failed');
    const nowhere = (await east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: 'vpc-0123456789abcdef0' }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    assert.equal((await east.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [nowhere] }))).VpcPeeringConnections![0]!.Status!.Code, 'failed');
    await fails(east.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: nowhere })), 'InvalidStateTransition');
    await fails(east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: 'vpc-x' })), 'InvalidVpcID.Malformed');
    await fails(east.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcE, PeerVpcId: vpcW, PeerRegion: 'mars-1' })), 'InvalidParameterValue');
  });
});

for (const cli of awsClis()) {
  describe(`EC2 endpoints and peering with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    const ec2 = (args: string[], key = 'test') => awsJson(cli.bin, cl.url, ['ec2', ...args], { AWS_ACCESS_KEY_ID: key });

    test('S3 gateway endpoint route, a customer prefix list, and a peering request accepted by the other account', async () => {
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.50.0.0/16'])).Vpc.VpcId as string;
      const rtb = (await ec2(['create-route-table', '--vpc-id', vpc])).RouteTable.RouteTableId as string;
      const ep = (await ec2(['create-vpc-endpoint', '--vpc-id', vpc, '--service-name', 'com.amazonaws.us-east-1.s3', '--route-table-ids', rtb])).VpcEndpoint;
      const routes = (await ec2(['describe-route-tables', '--route-table-ids', rtb])).RouteTables[0].Routes as Array<Record<string, string>>;
      assert.ok(routes.some((r) => r.DestinationPrefixListId === 'pl-63a5400a' && r.GatewayId === ep.VpcEndpointId && r.State === 'active'));
      const pl = (await ec2(['create-managed-prefix-list', '--prefix-list-name', 'cli', '--address-family', 'IPv4', '--max-entries', '2',
        '--entries', 'Cidr=192.0.2.0/24,Description=doc'])).PrefixList;
      await ec2(['modify-managed-prefix-list', '--prefix-list-id', pl.PrefixListId, '--current-version', '1', '--add-entries', 'Cidr=198.51.100.0/24']);
      const entries = (await ec2(['get-managed-prefix-list-entries', '--prefix-list-id', pl.PrefixListId])).Entries as Array<{ Cidr: string }>;
      assert.deepEqual(entries.map((e) => e.Cidr), ['192.0.2.0/24', '198.51.100.0/24']);
      const peerVpc = (await ec2(['create-vpc', '--cidr-block', '10.51.0.0/16'], '222222222222')).Vpc.VpcId as string;
      const pcx = (await ec2(['create-vpc-peering-connection', '--vpc-id', vpc, '--peer-vpc-id', peerVpc, '--peer-owner-id', '222222222222'])).VpcPeeringConnection;
      const acc = (await ec2(['accept-vpc-peering-connection', '--vpc-peering-connection-id', pcx.VpcPeeringConnectionId], '222222222222')).VpcPeeringConnection;
      assert.equal(acc.Status.Code, 'active');
      const del = await ec2(['delete-vpc-endpoints', '--vpc-endpoint-ids', ep.VpcEndpointId]);
      assert.deepEqual(del.Unsuccessful, []);
    });
  });
}
