// Terraform's hashicorp/aws provider on the seeds' three-tier network (2 public + 2 app + 2 db
// subnets from aws_availability_zones, IGW, a NAT gateway with an EIP per zone, per-tier route
// tables, an S3 gateway endpoint on the app tables, the alb/app/db groups chained by
// referenced_security_group_id rule resources, a database NACL with the ephemeral-port rules):
// apply, a second plan shows no changes (every attribute read back matches), destroy leaves the
// account with only its default VPC's resources.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DescribeAddressesCommand, DescribeInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand, DescribeVpcAttributeCommand, type DescribeVpcAttributeCommandOutput, DescribeVpcEndpointsCommand, DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: the seeds\' three-tier VPC', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-three-tier');

  test('apply, plan -detailed-exitcode = 0, destroy leaves only the default VPC', { timeout: 900_000 }, async () => {
    const applied = await terraformApply(tf, 40);
    assert.match(applied, /"us-east-1a",\s+"us-east-1b"/);
    const vpcId = /vpc_id = "(vpc-[0-9a-f]{17})"/.exec(applied)?.[1];
    assert.ok(vpcId, applied);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
    const inVpc = [{ Name: 'vpc-id', Values: [vpcId] }];
    for (const Attribute of ['enableDnsSupport', 'enableDnsHostnames'] as const) {
      const a: DescribeVpcAttributeCommandOutput = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }));
      assert.equal((Attribute === 'enableDnsSupport' ? a.EnableDnsSupport : a.EnableDnsHostnames)?.Value, true, Attribute);
    }
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: inVpc }))).Subnets!;
    assert.equal(subnets.length, 6);
    const public_ = subnets.filter((s) => s.Tags?.some((t) => t.Key === 'Tier' && t.Value === 'public'));
    assert.deepEqual(public_.map((s) => s.MapPublicIpOnLaunch), [true, true]);
    const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: inVpc }))).NatGateways!;
    assert.equal(nats.length, 2);
    assert.deepEqual(new Set(nats.map((n) => n.SubnetId)), new Set(public_.map((s) => s.SubnetId)));

    // The app tables route 0/0 to their zone's NAT and the S3 prefix list to the endpoint; the db table has only local.
    const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: inVpc }))).RouteTables!;
    const named = (n: string) => tables.filter((t) => t.Tags?.some((g) => g.Key === 'Name' && g.Value!.startsWith(n)));
    for (const t of named('app-')) {
      assert.ok(t.Routes!.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.NatGatewayId?.startsWith('nat-')), JSON.stringify(t.Routes));
      assert.ok(t.Routes!.some((r) => r.DestinationPrefixListId?.startsWith('pl-') && r.GatewayId?.startsWith('vpce-')), JSON.stringify(t.Routes));
    }
    assert.deepEqual(named('db')[0]!.Routes!.map((r) => r.GatewayId), ['local']);
    const ep = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: inVpc }))).VpcEndpoints!;
    assert.equal(ep.length, 1);
    assert.equal(ep[0]!.RouteTableIds!.length, 2);

    // The seeds' tables: group references chain alb -> app -> db.
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: inVpc }))).SecurityGroups!;
    const gid = (n: string) => groups.find((g) => g.GroupName === n)!.GroupId!;
    const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [gid('db')] }] }))).SecurityGroupRules!;
    assert.deepEqual(rules.map((r) => [r.IsEgress, r.FromPort, r.ReferencedGroupInfo?.GroupId]), [[false, 5432, gid('app')]],
      'the db group has only its one ingress rule (Terraform removed the default egress)');

    const acl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [...inVpc, { Name: 'default', Values: ['false'] }] }))).NetworkAcls!;
    assert.equal(acl.length, 1);
    assert.equal(acl[0]!.Associations!.length, 2);
    const egress = acl[0]!.Entries!.filter((e) => e.Egress && e.RuleAction === 'allow');
    assert.deepEqual(egress.map((e) => [e.RuleNumber, e.PortRange?.From, e.PortRange?.To]), [[100, 1024, 65535], [110, 1024, 65535]]);

    await terraformPlanIsClean(tf);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, /Destroy complete! Resources: 40 destroyed/);

    // Only the default VPC and what comes with it remain.
    const vpcs = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!;
    assert.deepEqual(vpcs.map((v) => v.IsDefault), [true]);
    const def = vpcs[0]!.VpcId!;
    const others = (xs: Array<{ VpcId?: string }>) => xs.filter((x) => x.VpcId !== def);
    assert.deepEqual(others((await ec2.send(new DescribeSubnetsCommand({}))).Subnets!), []);
    assert.deepEqual(others((await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables!), []);
    assert.deepEqual(others((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!), []);
    assert.deepEqual(others((await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls!), []);
    const igws = (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways!;
    assert.deepEqual(igws.map((g) => g.Attachments!.map((a) => a.VpcId)), [[def]]);
    assert.deepEqual((await ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
    assert.deepEqual((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints, []);
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
    const natsAfter = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways!;
    assert.ok(natsAfter.every((n) => n.State === 'deleted' || n.State === 'deleting'), 'deleted gateways stay visible for a while, as on AWS');
  });
});
