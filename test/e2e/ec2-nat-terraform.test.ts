// Terraform's hashicorp/aws provider on NAT gateways, Elastic IPs, an egress-only internet
// gateway and Reachability Analyzer (aws_ec2_network_insights_path/_analysis): apply, a second
// plan shows no changes (every attribute it reads back matches), destroy leaves nothing behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DescribeAddressesCommand, DescribeEgressOnlyInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeNetworkInsightsPathsCommand,
  DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_nat_gateway, aws_eip, aws_egress_only_internet_gateway, aws_ec2_network_insights_*', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-nat');

  test('apply (the analysis finds the way out through the NAT), plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 14);
    assert.match(applied, /path_found = true/);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
    const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'tag:Name', Values: ['tf-nat'] }] }))).NatGateways!;
    assert.equal(nats.length, 1);
    assert.equal(nats[0]!.State, 'available');

    await terraformPlanIsClean(tf);

    await terraformDestroy(tf);
    assert.equal((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-nat'] }] }))).Vpcs!.length, 0);
    const left = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nats[0]!.NatGatewayId!] }))).NatGateways!;
    assert.equal(left[0]!.State, 'deleted', 'deleted gateways stay visible for an hour, as on AWS');
    assert.equal((await ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 0);
    assert.equal((await ec2.send(new DescribeEgressOnlyInternetGatewaysCommand({}))).EgressOnlyInternetGateways!.length, 0);
    assert.equal((await ec2.send(new DescribeNetworkInsightsPathsCommand({}))).NetworkInsightsPaths!.length, 0);
  });
});
