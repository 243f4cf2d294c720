import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AssociateRouteTableCommand, AssociateSubnetCidrBlockCommand, AssociateVpcCidrBlockCommand, AttachInternetGatewayCommand,
  CreateDefaultSubnetCommand, CreateDefaultVpcCommand, CreateInternetGatewayCommand, CreateRouteCommand,
  CreateRouteTableCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DeleteInternetGatewayCommand,
  DeleteRouteCommand, DeleteRouteTableCommand, DeleteSubnetCommand, DeleteTagsCommand, DeleteVpcCommand,
  DescribeAccountAttributesCommand, DescribeAvailabilityZonesCommand, DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  DescribeTagsCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, DetachInternetGatewayCommand,
  DisassociateRouteTableCommand, DisassociateVpcCidrBlockCommand, EC2Client, ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand, paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT_B = { accessKeyId: '222222222222', secretAccessKey: 'test' };

describe('EC2 VPC core with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('default VPC: made on first use, per account and region, with /20 subnets in zone-letter order, IGW and route', async () => {
    for (const [region, creds] of [['us-east-1', undefined], ['eu-west-1', undefined], ['us-east-1', ACCOUNT_B]] as const) {
      const c = new EC2Client(clientConfig(cl.url, region, creds));
      const vpcs = await c.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
      assert.equal(vpcs.Vpcs!.length, 1, `${region}`);
      const vpc = vpcs.Vpcs![0]!;
      assert.equal(vpc.CidrBlock, '172.31.0.0/16');
      assert.equal(vpc.IsDefault, true);
      assert.equal(vpc.OwnerId, creds ? '222222222222' : '000000000000');
      const zones = (await c.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
      const subnets = (await c.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }))).Subnets!;
      const byZone = [...subnets].sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
      assert.deepEqual(byZone.map((s) => s.AvailabilityZone), zones.map((z) => z.ZoneName));
      byZone.forEach((s, i) => {
        assert.equal(s.CidrBlock, `172.31.${i * 16}.0/20`);
        assert.equal(s.DefaultForAz, true);
        assert.equal(s.MapPublicIpOnLaunch, true);
        assert.equal(s.AvailableIpAddressCount, 4091);
        assert.equal(s.AvailabilityZoneId, zones[i]!.ZoneId);
      });
      const igws = (await c.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }))).InternetGateways!;
      assert.equal(igws.length, 1);
      const main = (await c.send(new DescribeRouteTablesCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'association.main', Values: ['true'] }],
      }))).RouteTables!;
      assert.equal(main.length, 1);
      assert.deepEqual(main[0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]),
        [['172.31.0.0/16', 'local', 'active'], ['0.0.0.0/0', igws[0]!.InternetGatewayId, 'active']]);
      const attrs = (await c.send(new DescribeAccountAttributesCommand({}))).AccountAttributes!;
      const attr = (n: string) => attrs.find((a) => a.AttributeName === n)?.AttributeValues?.map((v) => v.AttributeValue);
      assert.deepEqual(attr('default-vpc'), [vpc.VpcId]);
      assert.deepEqual(attr('supported-platforms'), ['VPC']);
      assert.deepEqual(attr('max-elastic-ips'), ['5']);
      assert.deepEqual(attr('vpc-max-security-groups-per-interface'), ['5']);
    }
    // Different accounts and regions have different default VPCs.
    const ids = await Promise.all([['us-east-1', undefined], ['eu-west-1', undefined], ['us-east-1', ACCOUNT_B]].map(async ([r, cr]) =>
      (await new EC2Client(clientConfig(cl.url, r as string, cr as typeof ACCOUNT_B | undefined)).send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId));
    assert.equal(new Set(ids).size, 3);
  });

  test('deleting the default VPC, CreateDefaultVpc and CreateDefaultSubnet', async () => {
    const c = new EC2Client(clientConfig(cl.url, 'ap-southeast-2'));
    const vpc = (await c.send(new DescribeVpcsCommand({}))).Vpcs![0]!;
    await rejects(c.send(new CreateDefaultVpcCommand({})), 'DefaultVpcAlreadyExists', 400);
    await rejects(c.send(new DeleteVpcCommand({ VpcId: vpc.VpcId })), 'DependencyViolation', 400,
      `The vpc '${vpc.VpcId}' has dependencies and cannot be deleted.`);
    const subnets = (await c.send(new DescribeSubnetsCommand({}))).Subnets!;
    for (const s of subnets) await c.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId }));
    const igw = (await c.send(new DescribeInternetGatewaysCommand({}))).InternetGateways![0]!;
    await rejects(c.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId })), 'DependencyViolation', 400);
    await c.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId }));
    await c.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId }));
    await c.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
    assert.deepEqual((await c.send(new DescribeVpcsCommand({}))).Vpcs, []);
    const attrs = (await c.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] }))).AccountAttributes!;
    assert.equal(attrs[0]!.AttributeValues![0]!.AttributeValue, 'none');
    await rejects(c.send(new CreateDefaultSubnetCommand({ AvailabilityZone: 'ap-southeast-2a' })), 'DefaultVpcDoesNotExist', 400);
    const made = (await c.send(new CreateDefaultVpcCommand({}))).Vpc!;
    assert.equal(made.IsDefault, true);
    const fresh = (await c.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    assert.equal(fresh.length, 3);
    const a = fresh.find((s) => s.AvailabilityZone === 'ap-southeast-2a')!;
    await c.send(new DeleteSubnetCommand({ SubnetId: a.SubnetId }));
    const again = (await c.send(new CreateDefaultSubnetCommand({ AvailabilityZone: 'ap-southeast-2a' }))).Subnet!;
    assert.equal(again.CidrBlock, '172.31.0.0/20');
    assert.equal(again.DefaultForAz, true);
    await rejects(c.send(new CreateDefaultSubnetCommand({ AvailabilityZone: 'ap-southeast-2a' })), 'DefaultSubnetAlreadyExistsInAvailabilityZone', 400);
  });

  test('CreateVpc: ranges, defaults that come with it, attributes, secondary CIDRs and IPv6', async () => {
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', 400, "The CIDR '10.0.0.0/8' is invalid.");
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/29' })), 'InvalidVpc.Range', 400);
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/33' })), 'InvalidParameterValue', 400, /10\.0\.0\.0\/33/);
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: 'banana' })), 'InvalidParameterValue', 400, /banana/);
    const before = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length;
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', AmazonProvidedIpv6CidrBlock: true,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'main' }] }] }))).Vpc!;
    assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);
    assert.deepEqual(vpc.Tags, [{ Key: 'Name', Value: 'main' }]);
    assert.equal((await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, before + 1);
    const v6 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
    assert.match(v6, /^2600:1f18:[0-9a-f:]+\/56$/);
    // The main route table, default security group and default network ACL.
    const rts = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }))).RouteTables!;
    assert.equal(rts.length, 1);
    assert.equal(rts[0]!.Associations![0]!.Main, true);
    assert.deepEqual(rts[0]!.Routes!.map((r) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock), ['10.1.0.0/16', v6]);
    const sgs = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups!;
    assert.equal(sgs.length, 1);
    assert.deepEqual(sgs[0]!.IpPermissions![0]!.UserIdGroupPairs!.map((p) => p.GroupId), [sgs[0]!.GroupId]);
    assert.deepEqual(sgs[0]!.IpPermissionsEgress![0]!.IpRanges, [{ CidrIp: '0.0.0.0/0' }]);
    assert.deepEqual(sgs[0]!.IpPermissionsEgress![0]!.Ipv6Ranges, [{ CidrIpv6: '::/0' }]);
    const acls = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'default', Values: ['true'] }] }))).NetworkAcls!;
    assert.equal(acls.length, 1);
    assert.deepEqual(acls[0]!.Entries!.map((e) => `${e.Egress ? 'out' : 'in'} ${e.RuleNumber} ${e.RuleAction} ${e.CidrBlock ?? e.Ipv6CidrBlock}`), [
      'in 100 allow 0.0.0.0/0', 'in 101 allow ::/0', 'in 32767 deny 0.0.0.0/0', 'in 32768 deny ::/0',
      'out 100 allow 0.0.0.0/0', 'out 101 allow ::/0', 'out 32767 deny 0.0.0.0/0', 'out 32768 deny ::/0',
    ]);
    // Attributes.
    const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute: 'enableDnsHostnames' }));
    assert.equal(dns.EnableDnsHostnames!.Value, false);
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true } }));
    assert.equal((await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute: 'enableDnsHostnames' }))).EnableDnsHostnames!.Value, true);
    assert.equal((await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute: 'enableDnsSupport' }))).EnableDnsSupport!.Value, true);
    await rejects(ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } })), 'InvalidParameterCombination', 400);
    // Secondary CIDRs: AWS's restrictions.
    await rejects(ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.VpcId, CidrBlock: '192.168.0.0/16' })), 'InvalidVpc.Range', 400, /restricted/);
    await rejects(ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.VpcId, CidrBlock: '10.1.128.0/17' })), 'InvalidVpc.Range', 400, /overlaps/);
    const sec = await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.VpcId, CidrBlock: '10.2.0.0/16' }));
    const rt2 = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rts[0]!.RouteTableId!] }))).RouteTables![0]!;
    assert.ok(rt2.Routes!.some((r) => r.DestinationCidrBlock === '10.2.0.0/16' && r.GatewayId === 'local'));
    const sub = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.2.1.0/24' }))).Subnet!;
    await rejects(ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: sec.CidrBlockAssociation!.AssociationId })), 'InvalidCidrBlock.InUse', 400);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: sub.SubnetId }));
    await ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: sec.CidrBlockAssociation!.AssociationId }));
    await rejects(ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: vpc.CidrBlockAssociationSet![0]!.AssociationId })), 'OperationNotPermitted', 400);
    for (const n of [3, 4, 5, 6]) await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.VpcId, CidrBlock: `10.${n}.0.0/16` }));
    await rejects(ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: vpc.VpcId, CidrBlock: '10.7.0.0/16' })), 'CidrLimitExceeded', 400);
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
    await rejects(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] })), 'InvalidVpcID.NotFound', 400, `The vpc ID '${vpc.VpcId}' does not exist`);
    await rejects(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-nothex'] })), 'InvalidVpcID.Malformed', 400);
  });

  test('subnets: arithmetic, ranges, conflicts, zones by name and ID, IPv6 /64s, attributes', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.10.0.0/16', AmazonProvidedIpv6CidrBlock: true }))).Vpc!;
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.0.0/24', AvailabilityZone: zones[0]!.ZoneName }))).Subnet!;
    assert.equal(a.AvailableIpAddressCount, 251);
    assert.equal(a.AvailabilityZoneId, zones[0]!.ZoneId);
    const b = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.1.0/28', AvailabilityZoneId: zones[1]!.ZoneId }))).Subnet!;
    assert.equal(b.AvailableIpAddressCount, 11);
    assert.equal(b.AvailabilityZone, zones[1]!.ZoneName);
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.0.128/25' })), 'InvalidSubnet.Conflict', 400, "The CIDR '10.10.0.128/25' conflicts with another subnet");
    // A block around existing ones conflicts too; the block right after one does not.
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.0.0/20' })), 'InvalidSubnet.Conflict', 400);
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.1.0/24' })), 'InvalidSubnet.Conflict', 400);
    const next = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.1.16/28' }))).Subnet!;
    await ec2.send(new DeleteSubnetCommand({ SubnetId: next.SubnetId }));
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.11.0.0/24' })), 'InvalidSubnet.Range', 400, "The CIDR '10.11.0.0/24' is invalid.");
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.2.0/29' })), 'InvalidSubnet.Range', 400);
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.3.0/24', AvailabilityZone: 'us-east-1z' })), 'InvalidParameterValue', 400, /us-east-1z/);
    await rejects(ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.10.3.0/24' })), 'InvalidVpcID.NotFound', 400);
    const v6 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!.replace('/56', '/64');
    const c = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.10.4.0/22', Ipv6CidrBlock: v6 }))).Subnet!;
    assert.equal(c.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock, v6);
    assert.equal(c.AvailableIpAddressCount, 1019);
    await rejects(ec2.send(new AssociateSubnetCidrBlockCommand({ SubnetId: a.SubnetId, Ipv6CidrBlock: v6 })), 'InvalidSubnet.Conflict', 400);
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: a.SubnetId, MapPublicIpOnLaunch: { Value: true } }));
    const got = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [a.SubnetId!] }))).Subnets![0]!;
    assert.equal(got.MapPublicIpOnLaunch, true);
    await rejects(ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId })), 'DependencyViolation', 400);
    // New subnets are in the VPC's default ACL.
    const acl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [b.SubnetId!] }] }))).NetworkAcls!;
    assert.equal(acl.length, 1);
    assert.equal(acl[0]!.IsDefault, true);
    for (const s of [a, b, c]) await ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId }));
    await rejects(ec2.send(new DeleteSubnetCommand({ SubnetId: a.SubnetId })), 'InvalidSubnetID.NotFound', 400);
    await ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
  });

  test('route tables and internet gateways: associations, main moves, routes, blackholes', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!;
    const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.21.0.0/16' }))).Vpc!;
    const sub = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.20.0.0/24' }))).Subnet!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'k', Value: 'v' }] }] }))).InternetGateway!;
    const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.VpcId }))).RouteTable!;
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId })),
      'InvalidParameterValue', 400, /belong to different networks/);
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' })),
      'InvalidInternetGatewayID.NotFound', 400);
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123456789abcdef0' })),
      'NatGatewayNotFound', 400);
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId }));
    await rejects(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: other.VpcId })), 'Resource.AlreadyAssociated', 400);
    const igw2 = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!;
    await rejects(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw2.InternetGatewayId, VpcId: vpc.VpcId })), 'Resource.AlreadyAssociated', 400);
    await rejects(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw2.InternetGatewayId, VpcId: vpc.VpcId })), 'Gateway.NotAttached', 400);
    await ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId }));
    await rejects(ec2.send(new CreateRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId })),
      'RouteAlreadyExists', 400, 'The route identified by 0.0.0.0/0 already exists.');
    await rejects(ec2.send(new ReplaceRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '1.0.0.0/8', GatewayId: igw.InternetGatewayId })),
      'InvalidRoute.NotFound', 400);
    await rejects(ec2.send(new DeleteRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '10.20.0.0/16' })), 'InvalidParameterValue', 400, /local route/);
    const assoc = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt.RouteTableId, SubnetId: sub.SubnetId }));
    await rejects(ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt.RouteTableId, SubnetId: sub.SubnetId })), 'Resource.AlreadyAssociated', 400);
    await rejects(ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt.RouteTableId })), 'DependencyViolation', 400);
    // Move "main" to the custom table and back.
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!;
    const mainAssoc = main.Associations!.find((x) => x.Main)!.RouteTableAssociationId!;
    const moved = await ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: mainAssoc, RouteTableId: rt.RouteTableId }));
    const nowMain = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables!;
    assert.deepEqual(nowMain.map((t) => t.RouteTableId), [rt.RouteTableId]);
    await ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: moved.NewAssociationId, RouteTableId: main.RouteTableId }));
    await rejects(ec2.send(new DisassociateRouteTableCommand({ AssociationId: 'rtbassoc-0123456789abcdef0' })), 'InvalidAssociationID.NotFound', 400);
    // A gateway that goes leaves a blackhole.
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw.InternetGatewayId, VpcId: vpc.VpcId }));
    const bh = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.state', Values: ['blackhole'] }] }))).RouteTables!;
    assert.deepEqual(bh.map((t) => t.RouteTableId), [rt.RouteTableId]);
    assert.equal(bh[0]!.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')!.State, 'blackhole');
    await ec2.send(new DeleteRouteCommand({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: '0.0.0.0/0' }));
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.AssociationId }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt.RouteTableId }));
    for (const g of [igw, igw2]) await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: g.InternetGatewayId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: sub.SubnetId }));
    for (const v of [vpc, other]) await ec2.send(new DeleteVpcCommand({ VpcId: v.VpcId }));
  });

  test('tags: TagSpecifications errors, CreateTags/DeleteTags/DescribeTags, tag filters', async () => {
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue', 400, /'subnet' is not a valid taggable resource type/);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: many }] })), 'TagLimitExceeded', 400);
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'aws:x', Value: 'v' }] }] })), 'InvalidParameterValue', 400);
    await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }] })), 'InvalidParameterValue', 400);
    const count = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.30.0.0/16'] }] }))).Vpcs!.length;
    assert.equal(count, 0, 'failed creates changed nothing');
    const v1 = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'Name', Value: 'web-1' }] }] }))).Vpc!;
    const v2 = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.31.0.0/16' }))).Vpc!;
    await ec2.send(new CreateTagsCommand({ Resources: [v2.VpcId!], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'Name', Value: 'web-2' }] }));
    const byTag = async (f: { Name: string; Values: string[] }[]) => (await ec2.send(new DescribeVpcsCommand({ Filters: f }))).Vpcs!.map((v) => v.VpcId).sort();
    assert.deepEqual(await byTag([{ Name: 'tag:env', Values: ['prod'] }]), [v1.VpcId]);
    assert.deepEqual(await byTag([{ Name: 'tag:env', Values: ['prod', 'dev'] }]), [v1.VpcId, v2.VpcId].sort());
    assert.deepEqual(await byTag([{ Name: 'tag:Name', Values: ['web-*'] }, { Name: 'tag:env', Values: ['d?v'] }]), [v2.VpcId]);
    assert.deepEqual(await byTag([{ Name: 'tag-key', Values: ['env'] }]), [v1.VpcId, v2.VpcId].sort());
    assert.deepEqual(await byTag([{ Name: 'tag-value', Values: ['web-1'] }]), [v1.VpcId]);
    assert.deepEqual(await byTag([{ Name: 'tag:env', Values: ['prod'] }, { Name: 'cidr', Values: ['10.31.0.0/16'] }]), []);
    await rejects(ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })), 'InvalidParameterValue', 400, "The filter 'colour' is invalid");
    const tags = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v1.VpcId!, v2.VpcId!] }] }))).Tags!;
    assert.equal(tags.length, 4);
    assert.ok(tags.every((t) => t.ResourceType === 'vpc'));
    const envs = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }, { Name: 'value', Values: ['dev'] }] }))).Tags!;
    assert.deepEqual(envs, [{ Key: 'env', Value: 'dev', ResourceId: v2.VpcId, ResourceType: 'vpc' }]);
    await ec2.send(new DeleteTagsCommand({ Resources: [v2.VpcId!], Tags: [{ Key: 'env', Value: 'not-this' }] }));
    assert.equal((await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v2.VpcId!] }] }))).Tags!.length, 2);
    await ec2.send(new DeleteTagsCommand({ Resources: [v2.VpcId!], Tags: [{ Key: 'env' }] }));
    assert.deepEqual((await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v2.VpcId!] }] }))).Tags!.map((t) => t.Key), ['Name']);
    await rejects(ec2.send(new CreateTagsCommand({ Resources: ['vpc-0123456789abcdef0'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidVpcID.NotFound', 400);
    await rejects(ec2.send(new CreateTagsCommand({ Resources: ['nonsense'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidID', 400);
    await rejects(ec2.send(new CreateTagsCommand({ Resources: [v2.VpcId!], Tags: many })), 'TagLimitExceeded', 400);
    for (const v of [v1, v2]) await ec2.send(new DeleteVpcCommand({ VpcId: v.VpcId }));
    assert.equal((await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [v1.VpcId!] }] }))).Tags!.length, 0);
  });

  test('pagination: MaxResults bounds, pages cover everything once, tokens bound to the query', async () => {
    const c = new EC2Client(clientConfig(cl.url, 'sa-east-1'));
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push((await c.send(new CreateVpcCommand({ CidrBlock: `10.${40 + i}.0.0/16` }))).Vpc!.VpcId!);
    const seen: string[] = [];
    for await (const page of paginateDescribeVpcs({ client: c, pageSize: 5 }, { Filters: [{ Name: 'is-default', Values: ['false'] }] })) {
      assert.ok(page.Vpcs!.length <= 5);
      seen.push(...page.Vpcs!.map((v) => v.VpcId!));
    }
    assert.deepEqual(seen.sort(), [...made].sort());
    const first = await c.send(new DescribeVpcsCommand({ MaxResults: 5 }));
    assert.ok(first.NextToken);
    await rejects(c.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: first.NextToken, Filters: [{ Name: 'is-default', Values: ['false'] }] })),
      'InvalidPaginationToken', 400);
    await rejects(c.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: 'garbage' })), 'InvalidPaginationToken', 400);
    await rejects(c.send(new DescribeVpcsCommand({ MaxResults: 4 })), 'InvalidParameterValue', 400, /between 5 and 1000/);
    await rejects(c.send(new DescribeVpcsCommand({ MaxResults: 1001 })), 'InvalidParameterValue', 400);
    await rejects(c.send(new DescribeVpcsCommand({ MaxResults: 5, VpcIds: [made[0]!] })), 'InvalidParameterCombination', 400);
    await rejects(c.send(new DescribeVpcsCommand({ VpcIds: [made[0]!, 'vpc-0123456789abcdef0', 'vpc-0123456789abcdef1'] })), 'InvalidVpcID.NotFound', 400,
      "The vpc IDs 'vpc-0123456789abcdef0, vpc-0123456789abcdef1' do not exist");
    await c.send(new CreateTagsCommand({ Resources: made, Tags: [{ Key: 'page', Value: 'yes' }, { Key: 'n', Value: '1' }] }));
    const tagSeen: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: token, Filters: [{ Name: 'resource-type', Values: ['vpc'] }] }));
      assert.ok(page.Tags!.length <= 5);
      tagSeen.push(...page.Tags!.map((t) => `${t.ResourceId}/${t.Key}`));
      token = page.NextToken;
    } while (token);
    assert.equal(tagSeen.length, 24);
    assert.equal(new Set(tagSeen).size, 24);
  });
});
