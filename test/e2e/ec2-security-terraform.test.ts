// Terraform's hashicorp/aws provider against security groups (inline rules and the
// aws_vpc_security_group_*_rule resources), a network ACL with subnet associations, a network
// interface and an Elastic IP: apply, a second plan shows no changes, destroy leaves nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DescribeAddressesCommand, DescribeNetworkAclsCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: security groups and rules, network ACL, network interface, Elastic IP', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-security');

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 900_000 }, async () => {
    await terraformApply(tf, 15);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['lb', 'app', 'db'] }] }))).SecurityGroups!;
    const by = new Map(groups.map((g) => [g.GroupName, g]));
    assert.deepEqual(by.get('db')!.IpPermissions![0]!.UserIdGroupPairs!.map((p) => p.GroupId), [by.get('app')!.GroupId]);
    // Terraform removed the default allow-all egress of lb; only the rule to app is left.
    assert.deepEqual(by.get('lb')!.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.FromPort]), [['tcp', 8080]]);
    const acl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag:Name', Values: ['db'] }] }))).NetworkAcls![0]!;
    assert.equal(acl.Associations!.length, 1);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.0.10.10'] }] }))).NetworkInterfaces![0]!;
    assert.match(eni.Association!.PublicIp!, /^(192\.0\.2|198\.51\.100|203\.0\.113)\./);

    await terraformPlanIsClean(tf);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, /Destroy complete! Resources: 15 destroyed/);
    assert.deepEqual((await ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
    const left = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!;
    assert.deepEqual(left.map((g) => g.GroupName), ['default'], 'only the default VPC default group is left');
  });
});
