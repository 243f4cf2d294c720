// Security group references across a VPC peering connection: same account and another
// account, DescribeSecurityGroupReferences, and stale references once the peering is gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AcceptVpcPeeringConnectionCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand,
  CreateVpcPeeringConnectionCommand, DeleteVpcPeeringConnectionCommand, DescribeSecurityGroupReferencesCommand,
  DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, DescribeStaleSecurityGroupsCommand, EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const B = '222222222222';

describe('EC2 security group references over VPC peering (SDK v3)', () => {
  let cl: Cloudlet;
  let a: EC2Client;
  let b: EC2Client;
  before(async () => {
    cl = await startTestServer();
    a = new EC2Client(clientConfig(cl.url));
    b = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
  });
  after(async () => { await cl.close(); });

  const vpc = async (c: EC2Client, cidr: string) => (await c.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const group = async (c: EC2Client, name: string, vpcId: string) =>
    (await c.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))).GroupId!;
  const ssh = (pair: { GroupId: string; UserId?: string }) => [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [pair] }];

  test('a peered VPC of the same account: allowed once active, shown with its VPC and connection, stale after deletion', async () => {
    const v1 = await vpc(a, '10.10.0.0/16');
    const v2 = await vpc(a, '10.20.0.0/16');
    const g1 = await group(a, 'here', v1);
    const g2 = await group(a, 'there', v2);
    const pcx = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: v1, PeerVpcId: v2 }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    // Pending acceptance is not a network yet.
    await rejects(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g1, IpPermissions: ssh({ GroupId: g2 }) })), 'InvalidGroup.NotFound', 400, /different networks/);
    await a.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    const r = await a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: g1, IpPermissions: ssh({ GroupId: g2 }) }));
    assert.deepEqual(r.SecurityGroupRules![0]!.ReferencedGroupInfo, { GroupId: g2, UserId: '000000000000', VpcId: v2, VpcPeeringConnectionId: pcx, PeeringStatus: 'active' });
    const pair = (await a.send(new DescribeSecurityGroupsCommand({ GroupIds: [g1] }))).SecurityGroups![0]!.IpPermissions![0]!.UserIdGroupPairs![0]!;
    assert.deepEqual(pair, { GroupId: g2, UserId: '000000000000', VpcId: v2, VpcPeeringConnectionId: pcx, PeeringStatus: 'active' });
    const refs = await a.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [g2] }));
    assert.deepEqual(refs.SecurityGroupReferenceSet, [{ GroupId: g2, ReferencingVpcId: v1, VpcPeeringConnectionId: pcx }]);
    assert.deepEqual((await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: v1 }))).StaleSecurityGroupSet, []);

    await a.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    const stale = (await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: v1 }))).StaleSecurityGroupSet!;
    assert.deepEqual(stale.map((s) => [s.GroupId, s.StaleIpPermissions![0]!.FromPort, s.StaleIpPermissions![0]!.UserIdGroupPairs![0]!.GroupId]), [[g1, 22, g2]]);
    // The stale rule can still be revoked by its permission.
    await a.send(new RevokeSecurityGroupIngressCommand({ GroupId: g1, IpPermissions: ssh({ GroupId: g2 }) }));
    assert.deepEqual((await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: v1 }))).StaleSecurityGroupSet, []);
  });

  test("another account's group across a peering: referenced with its UserId; gone with its account's group", async () => {
    const va = await vpc(a, '10.30.0.0/16');
    const vb = await vpc(b, '10.40.0.0/16');
    const ga = await group(a, 'ours', va);
    const gb = await group(b, 'theirs', vb);
    const pcx = (await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: va, PeerVpcId: vb, PeerOwnerId: B }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await rejects(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ga, IpPermissions: ssh({ GroupId: gb, UserId: B }) })), 'InvalidGroup.NotFound', 400, /different networks/);
    await b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    const r = await a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ga, IpPermissions: ssh({ GroupId: gb, UserId: B }) }));
    const rule = r.SecurityGroupRules![0]!;
    assert.deepEqual(rule.ReferencedGroupInfo, { GroupId: gb, UserId: B, VpcId: vb, VpcPeeringConnectionId: pcx, PeeringStatus: 'active' });
    const listed = (await a.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [rule.SecurityGroupRuleId!] }))).SecurityGroupRules![0]!;
    assert.equal(listed.ReferencedGroupInfo!.UserId, B);
    // The same group referenced without its UserId is looked up in our account, where it does not exist.
    await rejects(a.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ga, IpPermissions: ssh({ GroupId: gb }) })), 'InvalidGroup.NotFound', 400, new RegExp(gb));
    await a.send(new RevokeSecurityGroupIngressCommand({ GroupId: ga, SecurityGroupRuleIds: [rule.SecurityGroupRuleId!] }));
  });
});
