// Terraform's hashicorp/aws provider on an S3 gateway endpoint (its prefix-list route, the
// data source of its list), an interface endpoint with private DNS, a customer managed prefix
// list and an auto-accepted peering connection with a route to it: apply, a second plan shows
// no changes (every attribute it reads back matches), destroy leaves nothing behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DescribeManagedPrefixListsCommand, DescribeNetworkInterfacesCommand, DescribeVpcEndpointsCommand, DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_vpc_endpoint, aws_ec2_managed_prefix_list, aws_vpc_peering_connection', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-endpoints');

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 10);
    assert.match(applied, /peering_status = "active"/);
    assert.match(applied, /"52\.216\.0\.0\/15"/);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
    const eps = (await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints!;
    assert.deepEqual(eps.map((e) => e.VpcEndpointType).sort(), ['Gateway', 'Interface']);

    await terraformPlanIsClean(tf);

    await terraformDestroy(tf);
    assert.equal((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-endpoints'] }] }))).Vpcs!.length, 0);
    assert.equal((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints!.length, 0);
    assert.equal((await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'owner-id', Values: ['000000000000'] }] }))).PrefixLists!.length, 0);
    const pcx = (await ec2.send(new DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections!;
    assert.ok(pcx.every((p) => p.Status!.Code === 'deleted'), 'deleted connections stay visible for a while, as on AWS');
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'interface-type', Values: ['vpc_endpoint'] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 0);
  });
});
