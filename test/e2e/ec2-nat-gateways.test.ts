// NAT gateways and egress-only internet gateways with SDK v3: states by the cloudlet clock,
// Elastic IPs, private addresses from the subnet, blackholed routes, filters, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AllocateAddressCommand, AssociateAddressCommand, AttachInternetGatewayCommand, DisassociateAddressCommand, CreateEgressOnlyInternetGatewayCommand, CreateInternetGatewayCommand,
  CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand,
  DeleteEgressOnlyInternetGatewayCommand, DeleteNatGatewayCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeAddressesCommand,
  DescribeEgressOnlyInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand,
  DescribeSubnetsCommand, EC2Client, ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const fails = (p: Promise<unknown>, code: string): Promise<void> => rejects(p, code, 400);

describe('EC2 NAT and egress-only gateways with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  const vpcWithSubnet = async (cidr: string, igw: boolean) => {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr.replace(/\/16$/, '/24') }))).Subnet!.SubnetId!;
    if (igw) {
      const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    }
    return { vpcId, subnetId };
  };

  test('a public NAT gateway takes its Elastic IP and an address of the subnet; deleting it frees both and blackholes its routes', async () => {
    const { vpcId, subnetId } = await vpcWithSubnet('10.1.0.0/16', true);
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const before = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!.AvailableIpAddressCount!;
    const nat = (await ec2.send(new CreateNatGatewayCommand({
      SubnetId: subnetId, AllocationId: eip.AllocationId, TagSpecifications: [{ ResourceType: 'natgateway', Tags: [{ Key: 'Name', Value: 'nat-a' }] }],
    }))).NatGateway!;
    assert.match(nat.NatGatewayId!, /^nat-[0-9a-f]{17}$/);
    assert.equal(nat.State, 'available');
    assert.equal(nat.VpcId, vpcId);
    assert.equal(nat.ConnectivityType, 'public');
    const addr = nat.NatGatewayAddresses![0]!;
    assert.equal(addr.PublicIp, eip.PublicIp);
    assert.equal(addr.AllocationId, eip.AllocationId);
    assert.equal(addr.PrivateIp, '10.1.0.4', 'the first free address after the five AWS reserves');
    const after1 = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!.AvailableIpAddressCount!;
    assert.equal(after1, before - 1);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [addr.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
    assert.equal(eni.InterfaceType, 'nat_gateway');
    assert.equal(eni.RequesterManaged, true);
    assert.equal(eni.Association?.PublicIp, eip.PublicIp);
    await fails(ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId })), 'InvalidIPAddress.InUse');
    await fails(ec2.send(new DisassociateAddressCommand({ AssociationId: addr.AssociationId })), 'AuthFailure');
    const other = await ec2.send(new AllocateAddressCommand({}));
    await fails(ec2.send(new AssociateAddressCommand({ AllocationId: other.AllocationId, NetworkInterfaceId: addr.NetworkInterfaceId })), 'AuthFailure');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: other.AllocationId }));
    await fails(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation');

    const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId }));
    const routeState = async () => (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] })))
      .RouteTables![0]!.Routes!.find((r) => r.NatGatewayId === nat.NatGatewayId)!.State;
    assert.equal(await routeState(), 'active');

    const filtered = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'tag:Name', Values: ['nat-a'] }] }));
    assert.deepEqual(filtered.NatGateways!.map((n) => n.NatGatewayId), [nat.NatGatewayId]);
    assert.equal((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending'] }] }))).NatGateways!.length, 0);

    assert.equal((await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }))).NatGatewayId, nat.NatGatewayId);
    const gone = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0]!;
    assert.equal(gone.State, 'deleted');
    assert.ok(gone.DeleteTime instanceof Date);
    assert.equal(await routeState(), 'blackhole');
    const freed = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses![0]!;
    assert.equal(freed.AssociationId, undefined);
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!.AvailableIpAddressCount, before);

    // Visible for an hour after deletion, then gone (the cloudlet clock, not a sleep).
    await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '61m' }) });
    await fails(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] })), 'NatGatewayNotFound');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  });

  test('private NAT gateways need no Elastic IP; bad requests answer AWS errors', async () => {
    const { subnetId } = await vpcWithSubnet('10.2.0.0/16', false);
    const priv = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private', PrivateIpAddress: '10.2.0.50' }))).NatGateway!;
    assert.equal(priv.ConnectivityType, 'private');
    assert.equal(priv.NatGatewayAddresses![0]!.PrivateIp, '10.2.0.50');
    assert.equal(priv.NatGatewayAddresses![0]!.PublicIp, undefined);
    await fails(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private', PrivateIpAddress: '10.2.0.50' })), 'InvalidIPAddress.InUse');
    const once = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private', ClientToken: 'retry-1' }));
    const twice = await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private', ClientToken: 'retry-1' }));
    assert.equal(twice.NatGateway!.NatGatewayId, once.NatGateway!.NatGatewayId, 'a retry with the same ClientToken makes no second gateway');
    assert.equal(twice.ClientToken, 'retry-1');
    await fails(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId })), 'MissingParameter');
    await fails(ec2.send(new CreateNatGatewayCommand({ SubnetId: 'subnet-0123456789abcdef0', AllocationId: 'eipalloc-0123456789abcdef0' })), 'InvalidSubnetID.NotFound');
    await fails(ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: 'eipalloc-0123456789abcdef0' })), 'InvalidAllocationID.NotFound');
    await fails(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0123456789abcdef0' })), 'NatGatewayNotFound');
    await fails(ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'colour', Values: ['red'] }] })), 'InvalidParameterValue');
    // A public gateway in a VPC without an internet gateway fails, as on AWS.
    const eip = await ec2.send(new AllocateAddressCommand({}));
    const failed = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId }))).NatGateway!;
    assert.equal(failed.State, 'failed');
    assert.equal(failed.FailureCode, 'Gateway.NotAttached');
    await ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  });

  test('with CLOUDLET_NAT_GATEWAY_DELAY the states move with the cloudlet clock', async () => {
    const { subnetId } = await vpcWithSubnet('10.4.0.0/16', false);
    const advance = (by: string) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
    const state = async (id: string) => (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways![0]!.State;
    process.env.CLOUDLET_NAT_GATEWAY_DELAY = '60';
    try {
      const id = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, ConnectivityType: 'private' }))).NatGateway!.NatGatewayId!;
      assert.equal(await state(id), 'pending');
      const pending = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending'] }] }));
      assert.deepEqual(pending.NatGateways!.map((g) => g.NatGatewayId), [id]);
      await advance('61s');
      assert.equal(await state(id), 'available');
      await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: id }));
      assert.equal(await state(id), 'deleting');
      await advance('61s');
      assert.equal(await state(id), 'deleted');
    } finally {
      delete process.env.CLOUDLET_NAT_GATEWAY_DELAY;
    }
  });

  test('egress-only internet gateways: IPv6 routes only, DeleteVpc waits for them, routes blackhole when they go', async () => {
    const { vpcId, subnetId } = await vpcWithSubnet('10.3.0.0/16', false);
    const g = (await ec2.send(new CreateEgressOnlyInternetGatewayCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'egress-only-internet-gateway', Tags: [{ Key: 'k', Value: 'v' }] }] }))).EgressOnlyInternetGateway!;
    assert.match(g.EgressOnlyInternetGatewayId!, /^eigw-[0-9a-f]{17}$/);
    assert.deepEqual(g.Attachments, [{ VpcId: vpcId, State: 'attached' }]);
    const listed = await ec2.send(new DescribeEgressOnlyInternetGatewaysCommand({ Filters: [{ Name: 'tag:k', Values: ['v'] }] }));
    assert.deepEqual(listed.EgressOnlyInternetGateways!.map((x) => x.EgressOnlyInternetGatewayId), [g.EgressOnlyInternetGatewayId]);
    const rtb = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await fails(ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId })), 'InvalidParameterValue');
    await ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await fails(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
    assert.equal((await ec2.send(new DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId }))).ReturnCode, true);
    const r = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0]!.Routes!.find((x) => x.EgressOnlyInternetGatewayId);
    assert.equal(r?.State, 'blackhole');
    await fails(ec2.send(new DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId })), 'InvalidGatewayID.NotFound');
  });
});
