// Terraform's hashicorp/aws provider on NAT gateways, Elastic IPs, an egress-only internet
// gateway and Reachability Analyzer (aws_ec2_network_insights_path/_analysis): apply, a second
// plan shows no changes (every attribute it reads back matches), destroy leaves nothing behind.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  DescribeAddressesCommand, DescribeEgressOnlyInternetGatewaysCommand, DescribeNatGatewaysCommand, DescribeNetworkInsightsPathsCommand,
  DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { terraform, terraformDir } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_nat_gateway, aws_eip, aws_egress_only_internet_gateway, aws_ec2_network_insights_*', { skip: needTool('terraform') }, () => {
  let cl: Cloudlet;
  let dir: string;
  before(async () => {
    cl = await startTestServer();
    dir = terraformDir('terraform-nat', 'cloudlet-tf-nat-');
  });
  after(async () => {
    await cl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply (the analysis finds the way out through the NAT), plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const vars = ['-var', `endpoint=${cl.url}`];
    const init = await terraform(dir, ['init']);
    assert.equal(init.status, 0, init.out);
    const apply = await terraform(dir, ['apply', '-auto-approve', ...vars]);
    assert.equal(apply.status, 0, apply.out);
    assert.match(apply.out, /Apply complete! Resources: 14 added/);
    assert.match(apply.out, /path_found = true/);

    const ec2 = new EC2Client(clientConfig(cl.url));
    const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'tag:Name', Values: ['tf-nat'] }] }))).NatGateways!;
    assert.equal(nats.length, 1);
    assert.equal(nats[0]!.State, 'available');

    const plan = await terraform(dir, ['plan', '-detailed-exitcode', ...vars]);
    assert.equal(plan.status, 0, `a second plan must show no changes:\n${plan.out}`);

    const destroy = await terraform(dir, ['destroy', '-auto-approve', ...vars]);
    assert.equal(destroy.status, 0, destroy.out);
    assert.equal((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-nat'] }] }))).Vpcs!.length, 0);
    const left = (await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nats[0]!.NatGatewayId!] }))).NatGateways!;
    assert.equal(left[0]!.State, 'deleted', 'deleted gateways stay visible for an hour, as on AWS');
    assert.equal((await ec2.send(new DescribeAddressesCommand({}))).Addresses!.length, 0);
    assert.equal((await ec2.send(new DescribeEgressOnlyInternetGatewaysCommand({}))).EgressOnlyInternetGateways!.length, 0);
    assert.equal((await ec2.send(new DescribeNetworkInsightsPathsCommand({}))).NetworkInsightsPaths!.length, 0);
  });
});
