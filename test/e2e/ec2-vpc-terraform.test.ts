// Terraform's hashicorp/aws provider against the VPC API: apply, a second plan shows no
// changes (every attribute it reads back matches), destroy leaves nothing behind.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DescribeInternetGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { terraform, terraformDir } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_vpc, aws_subnet, aws_internet_gateway, aws_route_table', { skip: needTool('terraform') }, () => {
  let cl: Cloudlet;
  let dir: string;
  before(async () => {
    cl = await startTestServer();
    dir = terraformDir('terraform-vpc', 'cloudlet-tf-vpc-');
  });
  after(async () => {
    await cl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const vars = ['-var', `endpoint=${cl.url}`];
    const init = await terraform(dir, ['init']);
    assert.equal(init.status, 0, init.out);
    const apply = await terraform(dir, ['apply', '-auto-approve', ...vars]);
    assert.equal(apply.status, 0, apply.out);
    assert.match(apply.out, /Apply complete! Resources: 5 added/);

    const ec2 = new EC2Client(clientConfig(cl.url));
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-main'] }] }))).Vpcs!;
    assert.equal(vpc.length, 1);
    const vpcId = vpc[0]!.VpcId!;
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets!;
    assert.deepEqual(subnets.map((s) => [s.CidrBlock, s.MapPublicIpOnLaunch]), [['10.0.1.0/24', true]]);
    const rts = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnets[0]!.SubnetId!] }] }))).RouteTables!;
    assert.ok(rts[0]!.Routes!.some((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId?.startsWith('igw-') && r.State === 'active'));

    const plan = await terraform(dir, ['plan', '-detailed-exitcode', ...vars]);
    assert.equal(plan.status, 0, plan.out);
    assert.match(plan.out, /No changes/);

    const destroy = await terraform(dir, ['destroy', '-auto-approve', ...vars]);
    assert.equal(destroy.status, 0, destroy.out);
    assert.match(destroy.out, /Destroy complete! Resources: 5 destroyed/);
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['false'] }] }))).Vpcs, []);
    const igws = (await ec2.send(new DescribeInternetGatewaysCommand({}))).InternetGateways!;
    assert.equal(igws.length, 1, 'only the default VPC gateway is left');
  });
});
