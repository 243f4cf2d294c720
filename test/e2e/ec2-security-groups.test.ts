import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateNetworkInterfaceCommand, CreateSecurityGroupCommand,
  CreateManagedPrefixListCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DeleteNetworkInterfaceCommand, DeleteSecurityGroupCommand,
  DeleteVpcCommand, DescribeSecurityGroupReferencesCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand,
  DescribeStaleSecurityGroupsCommand, EC2Client, ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand, UpdateSecurityGroupRuleDescriptionsIngressCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const tcp = (port: number, src: Partial<IpPermission>): IpPermission => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, ...src });

describe('EC2 security groups with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let vpcId: string;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  });
  after(async () => { await cl.close(); });

  const create = async (name: string, vpc = vpcId): Promise<string> =>
    (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} tier`, VpcId: vpc }))).GroupId!;

  test("the seeds' three groups chained by reference; the database group cannot go while the app group references it", async () => {
    const lb = await create('lb');
    const app = await create('app');
    const db = await create('db');
    const lbIn = await ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: lb, IpPermissions: [tcp(80, { IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTP from the internet' }] }), tcp(443, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] })],
    }));
    assert.equal(lbIn.Return, true);
    assert.equal(lbIn.SecurityGroupRules!.length, 2);
    assert.match(lbIn.SecurityGroupRules![0]!.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
    assert.deepEqual(lbIn.SecurityGroupRules!.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4]),
      [[false, 'tcp', 80, 80, '0.0.0.0/0'], [false, 'tcp', 443, 443, '0.0.0.0/0']]);
    // The default allow-all egress of lb is replaced by the forward to the app tier.
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: lb, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: lb, IpPermissions: [tcp(8080, { UserIdGroupPairs: [{ GroupId: app }] })] }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: app, IpPermissions: [tcp(8080, { UserIdGroupPairs: [{ GroupId: lb }] })] }));
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: app, IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: db }] })] }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: db, IpPermissions: [{ IpProtocol: '6', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: app, Description: 'app tier only' }] }] }));

    const got = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [lb, app, db] }));
    const by = new Map(got.SecurityGroups!.map((g) => [g.GroupId, g]));
    const appG = by.get(app)!;
    assert.equal(appG.GroupName, 'app');
    assert.equal(appG.VpcId, vpcId);
    assert.deepEqual(appG.IpPermissions, [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: lb, UserId: '000000000000' }] }]);
    // -1 comes back without ports, as AWS returns it.
    assert.deepEqual(appG.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]), [['-1', undefined, undefined], ['tcp', 5432, 5432]]);
    assert.deepEqual(by.get(lb)!.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.FromPort, p.UserIdGroupPairs![0]?.GroupId]), [['tcp', 8080, app]]);
    assert.deepEqual(by.get(db)!.IpPermissions![0]!.UserIdGroupPairs, [{ GroupId: app, UserId: '000000000000', Description: 'app tier only' }]);
    assert.equal(by.get(lb)!.IpPermissions![0]!.IpRanges![0]!.Description, 'HTTP from the internet');

    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: db })), 'DependencyViolation', 400, `resource ${db} has a dependent object`);
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: app })), 'DependencyViolation', 400);
    const refs = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-id', Values: [app] }] }));
    assert.deepEqual(refs.SecurityGroups!.map((g) => g.GroupId), [db]);
    const egressRefs = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'egress.ip-permission.group-id', Values: [app] }] }));
    assert.deepEqual(egressRefs.SecurityGroups!.map((g) => g.GroupId), [lb]);
    const names = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'ip-permission.group-name', Values: ['lb'] }] }));
    assert.deepEqual(names.SecurityGroups!.map((g) => g.GroupId), [app]);

    // Tear down in dependency order: the references first, then the groups.
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: db, IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: app }] })] }));
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: app, IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: db }] })] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: db }));
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: app })), 'DependencyViolation', 400);
    const lbRules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [lb] }] }));
    const toApp = lbRules.SecurityGroupRules!.find((r) => r.ReferencedGroupInfo?.GroupId === app)!;
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: lb, SecurityGroupRuleIds: [toApp.SecurityGroupRuleId!] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: app }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: lb }));
    await rejects(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [lb] })), 'InvalidGroup.NotFound', 400, `The security group '${lb}' does not exist`);
  });

  test('create: names unique per VPC, reserved and malformed names, default egress, the default group cannot be deleted', async () => {
    const id = await create('web');
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId })), 'InvalidGroup.Duplicate', 400,
      `The security group 'web' already exists for VPC '${vpcId}'`);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'sg-web', Description: 'x', VpcId: vpcId })), 'InvalidParameterValue', 400, /sg-\*/);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'x', VpcId: vpcId })), 'InvalidGroup.Reserved', 400);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'a'.repeat(256), Description: 'x', VpcId: vpcId })), 'InvalidParameterValue', 400, /Length exceeds maximum of 255/);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'bad<name>', Description: 'x', VpcId: vpcId })), 'InvalidParameterValue', 400, /bad<name>/);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'nodesc', Description: '', VpcId: vpcId })), 'MissingParameter', 400);
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x', VpcId: 'vpc-0123456789abcdef0' })), 'InvalidVpcID.NotFound', 400);
    // The same name in another VPC, and in the default VPC without VpcId.
    const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
    const inOther = await create('web', other);
    const inDefault = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'default vpc' }))).GroupId!;
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web'] }));
    assert.deepEqual(byName.SecurityGroups!.map((g) => g.GroupId), [inDefault]);
    const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0]!;
    assert.deepEqual(g.IpPermissions, []);
    assert.deepEqual(g.IpPermissionsEgress, [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }]);
    assert.equal(g.SecurityGroupArn, `arn:aws:ec2:us-east-1:000000000000:security-group/${id}`);
    const dflt = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups![0]!;
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: dflt.GroupId })), 'CannotDelete', 400, /cannot be deleted by a user/);
    // DryRun answers as AWS does and creates nothing; a group that references only itself can go.
    await rejects(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'dry', Description: 'x', VpcId: vpcId, DryRun: true })), 'DryRunOperation', 412);
    assert.deepEqual((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['dry'] }] }))).SecurityGroups, []);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: id }] }] }));
    for (const x of [id, inOther, inDefault]) await ec2.send(new DeleteSecurityGroupCommand({ GroupId: x }));
    await ec2.send(new DeleteVpcCommand({ VpcId: other }));
  });

  test('rules: protocols by name and number, ICMP, IPv6, prefix lists, duplicates, not found, bad input changes nothing', async () => {
    const id = await create('rules');
    const r = await ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: id, IpPermissions: [
        { IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        { IpProtocol: '17', FromPort: 53, ToPort: 53, Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }] },
        { IpProtocol: '50', IpRanges: [{ CidrIp: '192.168.0.0/16' }] },
        { IpProtocol: '-1', PrefixListIds: [{ PrefixListId: 'pl-63a5400a' }] },
      ],
    }));
    assert.deepEqual(r.SecurityGroupRules!.map((x) => [x.IpProtocol, x.FromPort, x.ToPort]), [['icmp', 8, 0], ['udp', 53, 53], ['50', -1, -1], ['-1', -1, -1]]);
    const perms = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0]!.IpPermissions!;
    assert.deepEqual(perms.map((p) => [p.IpProtocol, p.FromPort, p.ToPort]), [['icmp', 8, 0], ['udp', 53, 53], ['50', undefined, undefined], ['-1', undefined, undefined]]);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })),
      'InvalidPermission.Duplicate', 400, /already exists/);
    // A batch with one bad permission adds nothing.
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] }), tcp(23, { IpRanges: [{ CidrIp: '10.0.0.1/16' }] })] })),
      'InvalidParameterValue', 400, /10\.0\.0\.1\/16/);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] })), 'InvalidParameterValue', 400, /TCP\/UDP/);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(70000, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })] })), 'InvalidParameterValue', 400);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: 'gre', IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] })), 'InvalidParameterValue', 400, /'gre'/);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }] })] })), 'InvalidGroup.NotFound', 400);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-nope', IpPermissions: [tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })] })), 'InvalidGroupId.Malformed', 400);
    const count = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [id] }] }))).SecurityGroupRules!.length;
    assert.equal(count, 5, 'four ingress rules and the default egress, nothing from the refused calls');
    await rejects(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })] })), 'InvalidPermission.NotFound', 400);
    await rejects(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: id, SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] })), 'InvalidSecurityGroupRuleId.NotFound', 400, /sgr-0123456789abcdef0/);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }] })] })),
      'InvalidPrefixListID.NotFound', 400, /pl-0123456789abcdef0/);
    // A prefix list counts its MaxEntries against the 60 rules of a direction.
    const pl = (await ec2.send(new CreateManagedPrefixListCommand({ PrefixListName: 'office', AddressFamily: 'IPv4', MaxEntries: 59 }))).PrefixList!.PrefixListId!;
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [tcp(443, { PrefixListIds: [{ PrefixListId: pl }] })] }));
    await rejects(ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [tcp(444, { IpRanges: [{ CidrIp: '10.0.0.0/8' }] })] })), 'RulesPerSecurityGroupLimitExceeded', 400);
    // A group in another VPC cannot be referenced without peering.
    const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
    const far = await create('far', other);
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { UserIdGroupPairs: [{ GroupId: far }] })] })),
      'InvalidGroup.NotFound', 400, 'You have specified two resources that belong to different networks.');
    // Another account's group: looked up in that account, and refused without peering.
    const b = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'test' }));
    const bVpc = (await b.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
    const bGroup = (await b.send(new CreateSecurityGroupCommand({ GroupName: 'partner', Description: 'b', VpcId: bVpc }))).GroupId!;
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { UserIdGroupPairs: [{ GroupId: bGroup, UserId: '222222222222' }] })] })),
      'InvalidGroup.NotFound', 400, 'You have specified two resources that belong to different networks.');
    await rejects(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: [tcp(22, { UserIdGroupPairs: [{ GroupId: bGroup }] })] })),
      'InvalidGroup.NotFound', 400, `The security group '${bGroup}' does not exist`);
    const stale = await ec2.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId }));
    assert.deepEqual(stale.StaleSecurityGroupSet, []);
    const refs = await ec2.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [id] }));
    assert.deepEqual(refs.SecurityGroupReferenceSet, []);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: far }));
    await ec2.send(new DeleteVpcCommand({ VpcId: other }));
  });

  test('60 rules per direction; DescribeSecurityGroupRules by ID, filters, tags and pages; modify and descriptions', async () => {
    const id = await create('many');
    const perms = Array.from({ length: 59 }, (_, i) => tcp(1000 + i, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] }));
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: perms }));
    await rejects(ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [tcp(2000, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })] })),
      'RulesPerSecurityGroupLimitExceeded', 400);
    // IPv6 rules are counted on their own.
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [tcp(2000, { Ipv6Ranges: [{ CidrIpv6: '::/0' }] })] }));
    const ingress = await ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId: id, IpPermissions: [tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/16' }] })],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'purpose', Value: 'ssh' }] }],
    }));
    const ssh = ingress.SecurityGroupRules![0]!;
    assert.deepEqual(ssh.Tags, [{ Key: 'purpose', Value: 'ssh' }]);
    const byTag = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'tag:purpose', Values: ['ssh'] }] }));
    assert.deepEqual(byTag.SecurityGroupRules!.map((x) => x.SecurityGroupRuleId), [ssh.SecurityGroupRuleId]);
    await ec2.send(new CreateTagsCommand({ Resources: [ssh.SecurityGroupRuleId!], Tags: [{ Key: 'team', Value: 'ops' }] }));
    const byId = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ssh.SecurityGroupRuleId!] }));
    assert.equal(byId.SecurityGroupRules![0]!.Tags!.length, 2);
    assert.equal(byId.SecurityGroupRules![0]!.GroupId, id);
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [id] }], MaxResults: 25, NextToken: token }));
      for (const x of p.SecurityGroupRules!) seen.add(x.SecurityGroupRuleId!);
      token = p.NextToken;
      pages++;
    } while (token);
    assert.equal(seen.size, 62);
    assert.equal(pages, 3);
    await rejects(ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })), 'InvalidParameterValue', 400, /bogus/);
    await ec2.send(new ModifySecurityGroupRulesCommand({
      GroupId: id, SecurityGroupRules: [{ SecurityGroupRuleId: ssh.SecurityGroupRuleId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 2222, ToPort: 2222, CidrIpv4: '10.0.1.0/24', Description: 'moved' } }],
    }));
    const moved = (await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ssh.SecurityGroupRuleId!] }))).SecurityGroupRules![0]!;
    assert.deepEqual([moved.FromPort, moved.ToPort, moved.CidrIpv4, moved.Description], [2222, 2222, '10.0.1.0/24', 'moved']);
    await ec2.send(new UpdateSecurityGroupRuleDescriptionsIngressCommand({ GroupId: id, IpPermissions: [tcp(2222, { IpRanges: [{ CidrIp: '10.0.1.0/24', Description: 'ssh, moved' }] })] }));
    const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }))).SecurityGroups![0]!;
    assert.equal(g.IpPermissions![0]!.IpRanges![0]!.Description, 'ssh, moved');
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }));
  });

  test('a group on a network interface is in use; five groups at most per interface', async () => {
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.9.0/24' }))).Subnet!.SubnetId!;
    const groups = await Promise.all(['g1', 'g2', 'g3', 'g4', 'g5', 'g6'].map((n) => create(n)));
    await rejects(ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: groups })), 'SecurityGroupsPerInterfaceLimitExceeded', 400);
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: groups.slice(0, 5) }))).NetworkInterface!;
    assert.deepEqual(eni.Groups!.map((x) => x.GroupName), ['g1', 'g2', 'g3', 'g4', 'g5']);
    await rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groups[0] })), 'DependencyViolation', 400);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }));
    for (const x of groups) await ec2.send(new DeleteSecurityGroupCommand({ GroupId: x }));
  });
});
