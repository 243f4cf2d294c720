// Terraform's hashicorp/aws provider against the VPC API: apply, a second plan shows no
// changes (every attribute it reads back matches), destroy leaves nothing behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeInternetGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_vpc, aws_subnet, aws_internet_gateway, aws_route_table', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-vpc');

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    await terraformApply(tf, 5);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-main'] }] }))).Vpcs!;
    assert.equal(vpc.length, 1);
    const vpcId = vpc[0]!.VpcId!;
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets!;
    assert.deepEqual(subnets.map((s) => [s.CidrBlock, s.MapPublicIpOnLaunch]), [['10.0.1.0/24', true]]);
    const rts = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnets[0]!.SubnetId!] }] }))).RouteTables!;
    assert.ok(rts[0]!.Routes!.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId?.startsWith('igw-') && r.State === 'active'));

    await terraformPlanIsClean(tf);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, /Destroy complete! Resources: 5 destroyed/);
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['false'] }] }))).Vpcs, []);
    const igws = (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways!;
    assert.equal(igws.length, 1, 'only the default VPC gateway is left');
  });
});
