// Terraform's hashicorp/aws provider against security groups (inline rules and the
// aws_vpc_security_group_*_rule resources), a network ACL with subnet associations, a network
// interface and an Elastic IP: apply, a second plan shows no changes, destroy leaves nothing.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  DescribeAddressesCommand, DescribeNetworkAclsCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { terraform, terraformDir } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: security groups and rules, network ACL, network interface, Elastic IP', { skip: needTool('terraform') }, () => {
  let cl: Cloudlet;
  let dir: string;
  before(async () => {
    cl = await startTestServer();
    dir = terraformDir('terraform-security', 'cloudlet-tf-sec-');
  });
  after(async () => {
    await cl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 900_000 }, async () => {
    const vars = ['-var', `endpoint=${cl.url}`];
    const init = await terraform(dir, ['init']);
    assert.equal(init.status, 0, init.out);
    const apply = await terraform(dir, ['apply', '-auto-approve', ...vars]);
    assert.equal(apply.status, 0, apply.out);
    assert.match(apply.out, /Apply complete! Resources: 15 added/);

    const ec2 = new EC2Client(clientConfig(cl.url));
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['lb', 'app', 'db'] }] }))).SecurityGroups!;
    const by = new Map(groups.map((g) => [g.GroupName, g]));
    assert.deepEqual(by.get('db')!.IpPermissions![0]!.UserIdGroupPairs!.map((p) => p.GroupId), [by.get('app')!.GroupId]);
    // Terraform removed the default allow-all egress of lb; only the rule to app is left.
    assert.deepEqual(by.get('lb')!.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.FromPort]), [['tcp', 8080]]);
    const acl = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag:Name', Values: ['db'] }] }))).NetworkAcls![0]!;
    assert.equal(acl.Associations!.length, 1);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.0.10.10'] }] }))).NetworkInterfaces![0]!;
    assert.match(eni.Association!.PublicIp!, /^(192\.0\.2|198\.51\.100|203\.0\.113)\./);

    const plan = await terraform(dir, ['plan', '-detailed-exitcode', ...vars]);
    assert.equal(plan.status, 0, plan.out);
    assert.match(plan.out, /No changes/);

    const destroy = await terraform(dir, ['destroy', '-auto-approve', ...vars]);
    assert.equal(destroy.status, 0, destroy.out);
    assert.match(destroy.out, /Destroy complete! Resources: 15 destroyed/);
    assert.deepEqual((await ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
    assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
    const left = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!;
    assert.deepEqual(left.map((g) => g.GroupName), ['default'], 'only the default VPC default group is left');
  });
});
