import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AllocateAddressCommand, AssignIpv6AddressesCommand, AssignPrivateIpAddressesCommand, AssociateAddressCommand, AttachInternetGatewayCommand,
  AttachNetworkInterfaceCommand, CreateInternetGatewayCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand,
  CreateVpcCommand, DeleteNetworkInterfaceCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeAddressesAttributeCommand, DescribeAddressesCommand,
  DescribeNetworkInterfaceAttributeCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, DetachInternetGatewayCommand,
  DisassociateAddressCommand, EC2Client, ModifyNetworkInterfaceAttributeCommand, ReleaseAddressCommand, UnassignIpv6AddressesCommand,
  UnassignPrivateIpAddressesCommand, type AllocateAddressCommandOutput,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const DOC_RANGES = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.(\d+)$/;

describe('EC2 network interfaces and Elastic IPs with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let subnetId = '';
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  const available = async (id: string): Promise<number> =>
    (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }))).Subnets![0]!.AvailableIpAddressCount!;

  test('private IPs: first free, or the one asked for; AvailableIpAddressCount follows; a /28 runs out', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const s = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.9.0.0/28' }))).Subnet!.SubnetId!;
    assert.equal(await available(s), 11);
    const first = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, Description: 'first' }))).NetworkInterface!;
    assert.equal(first.PrivateIpAddress, '10.9.0.4', 'the first four addresses are AWS reserved');
    assert.match(first.MacAddress!, /^02(:[0-9a-f]{2}){5}$/);
    assert.equal(first.Status, 'available');
    assert.equal(first.PrivateDnsName, 'ip-10-9-0-4.ec2.internal');
    assert.equal(first.Groups!.length, 1, 'the VPC default group');
    assert.equal(first.Groups![0]!.GroupName, 'default');
    const asked = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, PrivateIpAddress: '10.9.0.10', SecondaryPrivateIpAddressCount: 2 }))).NetworkInterface!;
    assert.deepEqual(asked.PrivateIpAddresses!.map((p) => [p.PrivateIpAddress, p.Primary]), [['10.9.0.10', true], ['10.9.0.5', false], ['10.9.0.6', false]]);
    assert.equal(await available(s), 7);
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, PrivateIpAddress: '10.9.0.10' })), 'InvalidIPAddress.InUse', 400, /10\.9\.0\.10/);
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, PrivateIpAddress: '10.9.0.1' })), 'InvalidParameterValue', 400, /reserved/);
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, PrivateIpAddress: '10.9.1.1' })), 'InvalidParameterValue', 400, /does not fall within/);
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, SecondaryPrivateIpAddressCount: 7 })), 'InsufficientFreeAddressesInSubnet', 400, new RegExp(s));
    // Refused after its IPv4 address was picked (this subnet has no IPv6 block): the whole call is undone.
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s, Ipv6AddressCount: 1 })), 'InvalidParameterValue', 400, /no IPv6 CIDR block/);
    assert.equal(await available(s), 7, 'refused calls take no address');
    assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [s] }] }))).NetworkInterfaces!.length, 2);
    // Secondary addresses: by count and by list; unassigning gives them back.
    const got = await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, SecondaryPrivateIpAddressCount: 2 }));
    assert.deepEqual(got.AssignedPrivateIpAddresses!.map((a) => a.PrivateIpAddress), ['10.9.0.7', '10.9.0.8']);
    await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, PrivateIpAddresses: ['10.9.0.13'] }));
    await rejects(ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, PrivateIpAddresses: ['10.9.0.5'] })), 'InvalidIPAddress.InUse', 400);
    // AllowReassignment moves a secondary address from another interface.
    await ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, PrivateIpAddresses: ['10.9.0.5'], AllowReassignment: true }));
    const other = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [asked.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
    assert.deepEqual(other.PrivateIpAddresses!.map((p) => p.PrivateIpAddress), ['10.9.0.10', '10.9.0.6']);
    assert.equal(await available(s), 4);
    await rejects(ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, PrivateIpAddresses: ['10.9.0.4'] })), 'InvalidParameterValue', 400, /primary/);
    await ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: first.NetworkInterfaceId, PrivateIpAddresses: ['10.9.0.7', '10.9.0.13'] }));
    assert.equal(await available(s), 6);
    // A subnet with interfaces cannot be deleted.
    await rejects(ec2.send(new DeleteSubnetCommand({ SubnetId: s })), 'DependencyViolation', 400, new RegExp(s));
    await rejects(ec2.send(new DeleteVpcCommand({ VpcId: vpc })), 'DependencyViolation', 400);
    for (const e of [first, asked]) await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: e.NetworkInterfaceId }));
    assert.equal(await available(s), 11);
    await rejects(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: first.NetworkInterfaceId })), 'InvalidNetworkInterfaceID.NotFound', 400, new RegExp(first.NetworkInterfaceId!));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
  });

  test('IPv6 from the subnet /64, attributes, groups of the same VPC only, attach needs an instance, every filter family', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', AmazonProvidedIpv6CidrBlock: true }))).Vpc!;
    const v6block = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
    const v64 = v6block.replace(/::\/56$/, '::/64');
    const s = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.1.0/24', Ipv6CidrBlock: v64, AvailabilityZone: 'us-east-1a' }))).Subnet!;
    subnetId = s.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'eni', Description: 'eni', VpcId: vpc.VpcId }))).GroupId!;
    const e = (await ec2.send(new CreateNetworkInterfaceCommand({
      SubnetId: subnetId, Groups: [sg], Ipv6AddressCount: 2, TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'role', Value: 'web' }] }],
    }))).NetworkInterface!;
    const prefix = v64.replace(/::\/64$/, ':');
    assert.equal(e.Ipv6Addresses!.length, 2);
    for (const a of e.Ipv6Addresses!) assert.ok(a.Ipv6Address!.startsWith(prefix), `${a.Ipv6Address} in ${v64}`);
    assert.deepEqual(e.TagSet, [{ Key: 'role', Value: 'web' }]);
    const more = await ec2.send(new AssignIpv6AddressesCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Ipv6AddressCount: 1 }));
    await ec2.send(new UnassignIpv6AddressesCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Ipv6Addresses: more.AssignedIpv6Addresses }));

    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, SourceDestCheck: { Value: false } }));
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Description: { Value: 'web tier' } }));
    const sdc = await ec2.send(new DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Attribute: 'sourceDestCheck' }));
    assert.equal(sdc.SourceDestCheck!.Value, false);
    const desc = await ec2.send(new DescribeNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Attribute: 'description' }));
    assert.equal(desc.Description!.Value, 'web tier');
    await rejects(ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, SourceDestCheck: { Value: true }, Description: { Value: 'x' } })), 'InvalidParameterCombination', 400);
    const foreign = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'elsewhere', Description: 'default vpc' }))).GroupId!;
    await rejects(ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: e.NetworkInterfaceId, Groups: [foreign] })), 'InvalidParameterValue', 400, /different networks/);
    await rejects(ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: e.NetworkInterfaceId, InstanceId: 'i-0123456789abcdef0', DeviceIndex: 1 })), 'InvalidInstanceID.NotFound', 400, /i-0123456789abcdef0/);
    await rejects(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-zzz'] })), 'InvalidNetworkInterfaceID.Malformed', 400);

    const full = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [e.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
    const filters: Array<[string, string]> = [
      ['subnet-id', subnetId], ['vpc-id', vpc.VpcId!], ['private-ip-address', full.PrivateIpAddress!], ['addresses.private-ip-address', full.PrivateIpAddress!],
      ['group-id', sg], ['group-name', 'eni'], ['status', 'available'], ['mac-address', full.MacAddress!], ['tag:role', 'web'], ['tag-key', 'role'],
      ['ipv6-addresses.ipv6-address', full.Ipv6Addresses![0]!.Ipv6Address!], ['description', 'web*'], ['source-dest-check', 'false'],
      ['availability-zone', 'us-east-1a'], ['interface-type', 'interface'], ['owner-id', '000000000000'], ['requester-managed', 'false'],
      ['network-interface-id', e.NetworkInterfaceId!], ['addresses.primary', 'true'],
    ];
    for (const [name, value] of filters) {
      const r = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: name, Values: [value] }] }));
      assert.deepEqual(r.NetworkInterfaces!.map((x) => x.NetworkInterfaceId), [e.NetworkInterfaceId], name);
    }
    const none = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ['i-0123456789abcdef0'] }] }));
    assert.deepEqual(none.NetworkInterfaces, []);
    await rejects(ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'nope', Values: ['x'] }] })), 'InvalidParameterValue', 400, /nope/);
  });

  test('Elastic IPs: documentation ranges, 5 per region, association rules, release while in use, filters, IGW detach', async () => {
    const alloc: AllocateAddressCommandOutput[] = [];
    for (let i = 0; i < 5; i++) alloc.push(await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'n', Value: String(i) }] }] })));
    for (const a of alloc) {
      assert.match(a.AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
      const m = DOC_RANGES.exec(a.PublicIp!);
      assert.ok(m && Number(m[2]) >= 1 && Number(m[2]) <= 254, a.PublicIp);
      assert.equal(a.Domain, 'vpc');
    }
    assert.equal(new Set(alloc.map((a) => a.PublicIp)).size, 5);
    await rejects(ec2.send(new AllocateAddressCommand({})), 'AddressLimitExceeded', 400, /maximum number of addresses/);
    // Another region and another account have their own quota, and never the same address.
    const eu = new EC2Client(clientConfig(cl.url, 'eu-west-1'));
    const b = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'test' }));
    const elsewhere = [(await eu.send(new AllocateAddressCommand({}))).PublicIp, (await b.send(new AllocateAddressCommand({}))).PublicIp];
    for (const ip of elsewhere) assert.ok(!alloc.some((a) => a.PublicIp === ip), ip);

    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, SecondaryPrivateIpAddressCount: 1 }))).NetworkInterface!;
    const [a0, a1] = alloc;
    await rejects(ec2.send(new AssociateAddressCommand({ AllocationId: a0!.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId })), 'Gateway.NotAttached', 400);
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    const vpc = eni.VpcId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    const as0 = (await ec2.send(new AssociateAddressCommand({ AllocationId: a0!.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId }))).AssociationId!;
    assert.match(as0, /^eipassoc-[0-9a-f]{17}$/);
    const secondary = eni.PrivateIpAddresses![1]!.PrivateIpAddress!;
    await ec2.send(new AssociateAddressCommand({ AllocationId: a1!.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddress: secondary }));
    const seen = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
    assert.equal(seen.Association!.PublicIp, a0!.PublicIp);
    assert.equal(seen.PrivateIpAddresses![1]!.Association!.PublicIp, a1!.PublicIp);
    // Moving a0 onto the secondary address needs AllowReassociation; it then replaces a1 there.
    await rejects(ec2.send(new AssociateAddressCommand({ AllocationId: a0!.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddress: secondary })),
      'Resource.AlreadyAssociated', 400, new RegExp(a0!.AllocationId!));
    await ec2.send(new AssociateAddressCommand({ AllocationId: a0!.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddress: secondary, AllowReassociation: true }));
    const after1 = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [a0!.AllocationId!, a1!.AllocationId!] }))).Addresses!;
    const byId = new Map(after1.map((x) => [x.AllocationId, x]));
    assert.equal(byId.get(a0!.AllocationId)!.PrivateIpAddress, secondary);
    assert.equal(byId.get(a1!.AllocationId)!.AssociationId, undefined);
    await rejects(ec2.send(new AssociateAddressCommand({ AllocationId: a1!.AllocationId, InstanceId: 'i-0123456789abcdef0' })), 'InvalidInstanceID.NotFound', 400);
    await rejects(ec2.send(new ReleaseAddressCommand({ AllocationId: a0!.AllocationId })), 'InvalidIPAddress.InUse', 400, new RegExp(a0!.AllocationId!));
    await rejects(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc })), 'DependencyViolation', 400, /mapped public address/);

    const filters: Array<[string, string]> = [['network-interface-id', eni.NetworkInterfaceId!], ['private-ip-address', secondary], ['public-ip', a0!.PublicIp!],
      ['association-id', byId.get(a0!.AllocationId)!.AssociationId!], ['tag:n', '0'], ['allocation-id', a0!.AllocationId!], ['domain', 'vpc'], ['network-interface-owner-id', '000000000000']];
    for (const [name, value] of filters) {
      const r = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: name, Values: [value] }] }));
      const want = name === 'domain' ? 5 : 1;
      assert.equal(r.Addresses!.length, want, name);
      if (want === 1) assert.equal(r.Addresses![0]!.AllocationId, a0!.AllocationId, name);
    }
    assert.equal((await ec2.send(new DescribeAddressesCommand({ PublicIps: [a1!.PublicIp!] }))).Addresses![0]!.AllocationId, a1!.AllocationId);
    await rejects(ec2.send(new DescribeAddressesCommand({ PublicIps: ['198.51.100.255'] })), 'InvalidAddress.NotFound', 400, /198\.51\.100\.255/);
    await rejects(ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0123456789abcdef0'] })), 'InvalidAllocationID.NotFound', 400, /eipalloc-0123456789abcdef0/);
    const attr = await ec2.send(new DescribeAddressesAttributeCommand({ AllocationIds: [a0!.AllocationId!], Attribute: 'domain-name' }));
    assert.deepEqual(attr.Addresses, [{ AllocationId: a0!.AllocationId, PublicIp: a0!.PublicIp }]);

    await ec2.send(new DisassociateAddressCommand({ AssociationId: byId.get(a0!.AllocationId)!.AssociationId }));
    await rejects(ec2.send(new DisassociateAddressCommand({ AssociationId: byId.get(a0!.AllocationId)!.AssociationId })), 'InvalidAssociationID.NotFound', 400);
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    await ec2.send(new ReleaseAddressCommand({ AllocationId: a0!.AllocationId }));
    await rejects(ec2.send(new ReleaseAddressCommand({ AllocationId: a0!.AllocationId })), 'InvalidAllocationID.NotFound', 400);
    // The freed quota slot can be used again.
    await ec2.send(new AllocateAddressCommand({}));

    // An address asked for by value: free ones only, across accounts; a reset account lets go of its addresses.
    const wanted = ['192.0.2.77', '198.51.100.77', '203.0.113.77'].find((ip) => !alloc.some((x) => x.PublicIp === ip) && !elsewhere.includes(ip))!;
    assert.equal((await b.send(new AllocateAddressCommand({ Address: wanted }))).PublicIp, wanted);
    await rejects(eu.send(new AllocateAddressCommand({ Address: wanted })), 'InvalidAddress.InUse', 400, new RegExp(wanted.replace(/\./g, '\\.')));
    await rejects(eu.send(new AllocateAddressCommand({ Address: '8.8.8.8' })), 'InvalidParameterValue', 400, /8\.8\.8\.8/);
    const reset = await fetch(`${cl.url}/_cloudlet/reset?account=222222222222`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.equal((await eu.send(new AllocateAddressCommand({ Address: wanted }))).PublicIp, wanted);
  });
});
