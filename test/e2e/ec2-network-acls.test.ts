import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AssociateVpcCidrBlockCommand, CreateNetworkAclCommand, CreateNetworkAclEntryCommand, CreateSubnetCommand, CreateVpcCommand,
  DeleteNetworkAclCommand, DeleteNetworkAclEntryCommand, DeleteSubnetCommand, DescribeNetworkAclsCommand, EC2Client,
  ReplaceNetworkAclAssociationCommand, ReplaceNetworkAclEntryCommand, type CreateNetworkAclEntryCommandInput, type NetworkAcl,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

describe('EC2 network ACLs with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let vpcId: string;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  });
  after(async () => { await cl.close(); });

  const acl = async (id: string): Promise<NetworkAcl> => (await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [id] }))).NetworkAcls![0]!;
  const entries = (a: NetworkAcl, egress: boolean) => a.Entries!.filter((e) => e.Egress === egress).map((e) => [e.RuleNumber, e.Protocol, e.RuleAction, e.CidrBlock, e.PortRange?.From, e.PortRange?.To]);

  test('a database-tier ACL with the ephemeral-port rules, moved onto the subnets and back; deny-all to start', async () => {
    const dbA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.20.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const dbB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.21.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const created = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'Name', Value: 'db' }] }] }))).NetworkAcl!;
    assert.match(created.NetworkAclId!, /^acl-[0-9a-f]{17}$/);
    assert.equal(created.IsDefault, false);
    assert.deepEqual(created.Tags, [{ Key: 'Name', Value: 'db' }]);
    assert.deepEqual(created.Entries!.map((e) => [e.RuleNumber, e.Egress, e.RuleAction, e.CidrBlock]), [[32767, false, 'deny', '0.0.0.0/0'], [32767, true, 'deny', '0.0.0.0/0']]);
    const id = created.NetworkAclId!;
    const add = (e: Omit<CreateNetworkAclEntryCommandInput, 'NetworkAclId'>) => ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: id, ...e }));
    await add({ RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '10.0.10.0/23', PortRange: { From: 5432, To: 5432 } });
    await add({ RuleNumber: 100, Protocol: 'tcp', RuleAction: 'allow', Egress: true, CidrBlock: '10.0.10.0/23', PortRange: { From: 1024, To: 65535 } });
    await add({ RuleNumber: 200, Protocol: '1', RuleAction: 'deny', Egress: false, CidrBlock: '0.0.0.0/0', IcmpTypeCode: { Type: -1, Code: -1 } });
    const a = await acl(id);
    assert.deepEqual(entries(a, false), [[100, '6', 'allow', '10.0.10.0/23', 5432, 5432], [200, '1', 'deny', '0.0.0.0/0', undefined, undefined], [32767, '-1', 'deny', '0.0.0.0/0', undefined, undefined]]);
    assert.deepEqual(entries(a, true), [[100, '6', 'allow', '10.0.10.0/23', 1024, 65535], [32767, '-1', 'deny', '0.0.0.0/0', undefined, undefined]]);
    assert.deepEqual(a.Entries!.find((e) => e.RuleNumber === 200)!.IcmpTypeCode, { Type: -1, Code: -1 });

    // Each subnet is in exactly one ACL: it leaves the default one when it joins the custom one.
    const dflt = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'default', Values: ['true'] }] }))).NetworkAcls![0]!;
    const assocA = dflt.Associations!.find((x) => x.SubnetId === dbA)!.NetworkAclAssociationId!;
    const assocB = dflt.Associations!.find((x) => x.SubnetId === dbB)!.NetworkAclAssociationId!;
    const newA = (await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assocA, NetworkAclId: id }))).NewAssociationId!;
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assocB, NetworkAclId: id }));
    assert.match(newA, /^aclassoc-[0-9a-f]{17}$/);
    const bySubnet = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [dbA] }] }));
    assert.deepEqual(bySubnet.NetworkAcls!.map((x) => x.NetworkAclId), [id]);
    assert.equal((await acl(dflt.NetworkAclId!)).Associations!.some((x) => x.SubnetId === dbA || x.SubnetId === dbB), false);
    await rejects(ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assocA, NetworkAclId: id })), 'InvalidAssociationID.NotFound', 400, new RegExp(assocA));
    await rejects(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: id })), 'DependencyViolation', 400, new RegExp(id));

    // Entry filters.
    for (const [name, value] of [['entry.port-range.from', '1024'], ['entry.rule-number', '200'], ['entry.protocol', '1'], ['entry.rule-action', 'deny'], ['entry.cidr', '10.0.10.0/23'], ['entry.egress', 'true'], ['entry.icmp.type', '-1'], ['tag:Name', 'db'], ['network-acl-id', id], ['association.association-id', newA]]) {
      const r = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: name, Values: [value] }, { Name: 'default', Values: ['false'] }] }));
      assert.deepEqual(r.NetworkAcls!.map((x) => x.NetworkAclId), [id], name);
    }

    // Forgetting the ephemeral egress rule is one Delete; Replace puts it back.
    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 100, Egress: true }));
    assert.deepEqual(entries(await acl(id), true).map((e) => e[0]), [32767]);
    await rejects(ec2.send(new ReplaceNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: true, CidrBlock: '10.0.10.0/23', PortRange: { From: 1024, To: 65535 } })),
      'InvalidNetworkAclEntry.NotFound', 400, 'The network acl entry identified by 100 does not exist.');
    await add({ RuleNumber: 100, Protocol: '6', RuleAction: 'deny', Egress: true, CidrBlock: '10.0.10.0/23', PortRange: { From: 1024, To: 65535 } });
    await ec2.send(new ReplaceNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 100, Protocol: '6', RuleAction: 'allow', Egress: true, CidrBlock: '10.0.10.0/23', PortRange: { From: 1024, To: 65535 } }));
    assert.deepEqual(entries(await acl(id), true)[0], [100, '6', 'allow', '10.0.10.0/23', 1024, 65535]);

    // Back to the default ACL, then the custom one can go; a deleted subnet leaves its ACL.
    const now = (await acl(id)).Associations!;
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: now.find((x) => x.SubnetId === dbA)!.NetworkAclAssociationId, NetworkAclId: dflt.NetworkAclId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: dbB }));
    assert.deepEqual((await acl(id)).Associations, []);
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: id }));
    await rejects(ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [id] })), 'InvalidNetworkAclID.NotFound', 400, new RegExp(id));
    await rejects(ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: dflt.NetworkAclId })), 'InvalidParameterValue', 400, /default network ACL/);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: dbA }));
  });

  test('entry validation: numbers, duplicates, ports and ICMP required, one CIDR family, nothing changed on refusal', async () => {
    const id = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
    const base = { NetworkAclId: id, RuleAction: 'allow' as const, Egress: false, CidrBlock: '10.0.0.0/16' };
    await ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 10, Protocol: '-1' }));
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 10, Protocol: '-1' })), 'NetworkAclEntryAlreadyExists', 400, 'The network acl entry identified by 10 already exists.');
    // The same number in the other direction is another entry.
    await ec2.send(new CreateNetworkAclEntryCommand({ ...base, Egress: true, RuleNumber: 10, Protocol: '-1' }));
    for (const n of [0, 32767, 40000]) {
      await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: n, Protocol: '-1' })), 'InvalidParameterValue', 400, new RegExp(`\\(${n}\\)`));
    }
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '6' })), 'MissingParameter', 400, /portRange/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '6', PortRange: { From: 100, To: 10 } })), 'InvalidParameterValue', 400);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '1' })), 'MissingParameter', 400, /icmpTypeCode/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: 'bogus' })), 'InvalidParameterValue', 400, /bogus/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '-1', CidrBlock: '10.0.0.1/16' })), 'InvalidParameterValue', 400, /10\.0\.0\.1\/16/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '-1', Ipv6CidrBlock: '::/0' })), 'InvalidParameterCombination', 400);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 20, Protocol: '-1', RuleAction: 'maybe' as 'allow' })), 'InvalidParameterValue', 400, /maybe/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, NetworkAclId: 'acl-0123456789abcdef0', RuleNumber: 20, Protocol: '-1' })), 'InvalidNetworkAclID.NotFound', 400, /acl-0123456789abcdef0/);
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, NetworkAclId: 'acl-xyz', RuleNumber: 20, Protocol: '-1' })), 'InvalidNetworkAclID.Malformed', 400);
    await rejects(ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: id, RuleNumber: 11, Egress: false })), 'InvalidNetworkAclEntry.NotFound', 400);
    assert.deepEqual((await acl(id)).Entries!.map((e) => [e.RuleNumber, e.Egress]), [[10, false], [32767, false], [10, true], [32767, true]], 'the refused calls changed nothing');
    // 20 entries per direction at most.
    for (let n = 11; n < 30; n++) await ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: n, Protocol: '-1' }));
    await rejects(ec2.send(new CreateNetworkAclEntryCommand({ ...base, RuleNumber: 30, Protocol: '-1' })), 'NetworkAclEntryLimitExceeded', 400);
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: id }));
  });

  test('a VPC with IPv6 gives new ACLs the IPv6 * rule too; IPv6 entries', async () => {
    const v6 = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.5.0.0/16', AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
    const a = (await ec2.send(new CreateNetworkAclCommand({ VpcId: v6 }))).NetworkAcl!;
    assert.deepEqual(a.Entries!.map((e) => [e.RuleNumber, e.Egress, e.CidrBlock ?? e.Ipv6CidrBlock]),
      [[32767, false, '0.0.0.0/0'], [32768, false, '::/0'], [32767, true, '0.0.0.0/0'], [32768, true, '::/0']]);
    await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: a.NetworkAclId, RuleNumber: 5, Protocol: '58', RuleAction: 'allow', Egress: false, Ipv6CidrBlock: '::/0', IcmpTypeCode: { Type: 128, Code: 0 } }));
    const r = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'entry.ipv6-cidr', Values: ['::/0'] }, { Name: 'entry.icmp.type', Values: ['128'] }] }));
    assert.deepEqual(r.NetworkAcls!.map((x) => x.NetworkAclId), [a.NetworkAclId]);
    await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId: v6, CidrBlock: '10.6.0.0/16' }));
    await ec2.send(new DeleteNetworkAclCommand({ NetworkAclId: a.NetworkAclId }));
  });
});
