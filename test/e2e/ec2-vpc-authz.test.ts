// DryRun and tag-based authorization of the VPC API with real IAM users: DryRunOperation only
// when the policy decision allows, aws:RequestTag / aws:ResourceTag / ec2:CreateAction in effect.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateTagsCommand, CreateVpcCommand, DeleteVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const policy = (...Statement: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('EC2 VPC authorization: DryRun and tags', () => {
  let cl: Cloudlet;
  let root: EC2Client;
  let alice: EC2Client;
  let bob: EC2Client;
  let carol: EC2Client;
  before(async () => {
    cl = await startTestServer();
    const iam = new IAMClient(clientConfig(cl.url));
    const user = async (name: string, doc?: string): Promise<EC2Client> => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      if (doc) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      return new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }));
    };
    alice = await user('alice', policy(
      { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
      { Effect: 'Allow', Action: 'ec2:CreateVpc', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
      { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition: { StringEquals: { 'ec2:CreateAction': 'CreateVpc' } } },
      { Effect: 'Allow', Action: 'ec2:DeleteVpc', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:DeleteVpc', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } },
    ));
    bob = await user('bob');
    carol = await user('carol', policy({ Effect: 'Allow', Action: ['ec2:CreateVpc', 'ec2:DeleteVpc'], Resource: '*' }));
    root = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('DryRun answers DryRunOperation for an allowed user and UnauthorizedOperation for a denied one', async () => {
    await rejects(alice.send(new DescribeVpcsCommand({ DryRun: true })), 'DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
    await rejects(bob.send(new DescribeVpcsCommand({ DryRun: true })), 'UnauthorizedOperation', 403, /not authorized.*ec2:DescribeVpcs.*Encoded authorization failure message/s);
    await rejects(bob.send(new DescribeVpcsCommand({})), 'UnauthorizedOperation', 403);
    await rejects(bob.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', DryRun: true })), 'UnauthorizedOperation', 403);
    // A DryRun creates nothing.
    await rejects(alice.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', DryRun: true,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'team', Value: 'blue' }] }] })), 'DryRunOperation', 412);
    const vpcs = (await root.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['10.0.0.0/16'] }] }))).Vpcs!;
    assert.equal(vpcs.length, 0);
  });

  test('aws:RequestTag and ec2:CreateAction decide creates with TagSpecifications; CreateTags alone is denied', async () => {
    await rejects(alice.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' })), 'UnauthorizedOperation', 403);
    await rejects(alice.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'team', Value: 'red' }] }] })), 'UnauthorizedOperation', 403);
    const vpc = (await alice.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'team', Value: 'blue' }] }] }))).Vpc!;
    assert.deepEqual(vpc.Tags, [{ Key: 'team', Value: 'blue' }]);
    await rejects(alice.send(new CreateTagsCommand({ Resources: [vpc.VpcId!], Tags: [{ Key: 'x', Value: 'y' }] })), 'UnauthorizedOperation', 403);
    // Tagging at creation is also ec2:CreateTags: without it, only the untagged create passes.
    await rejects(carol.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'team', Value: 'blue' }] }] })), 'UnauthorizedOperation', 403, /ec2:CreateTags/);
    const plain = (await carol.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!;
    await carol.send(new DeleteVpcCommand({ VpcId: plain.VpcId }));
  });

  test('aws:ResourceTag: a Deny on protected=true stops DeleteVpc of that VPC only', async () => {
    const mk = async (tags: Array<{ Key: string; Value: string }>) => (await root.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: tags }] }))).Vpc!.VpcId!;
    const guarded = await mk([{ Key: 'protected', Value: 'true' }]);
    const open = await mk([{ Key: 'protected', Value: 'false' }]);
    await rejects(alice.send(new DeleteVpcCommand({ VpcId: guarded, DryRun: true })), 'UnauthorizedOperation', 403);
    await rejects(alice.send(new DeleteVpcCommand({ VpcId: guarded })), 'UnauthorizedOperation', 403);
    await rejects(alice.send(new DeleteVpcCommand({ VpcId: open, DryRun: true })), 'DryRunOperation', 412);
    await alice.send(new DeleteVpcCommand({ VpcId: open }));
    await root.send(new DeleteVpcCommand({ VpcId: guarded }));
  });
});
