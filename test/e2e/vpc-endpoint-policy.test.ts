// VPC endpoint policies on requests: an instance's role credentials (from its IMDS) reach EC2
// through the VPC's interface endpoint when it has private DNS, so the endpoint policy must
// allow them too; the same calls from the host, or with private DNS off, do not pass it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, DescribeImagesCommand, DescribeSubnetsCommand, DescribeVpcsCommand,
  DescribeRouteTablesCommand, EC2Client, ModifyVpcAttributeCommand, ModifyVpcEndpointCommand, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const DESCRIBE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 's3:ListAllMyBuckets'], Resource: '*' }] });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let cl: Cloudlet;
let ec2: EC2Client;
let asInstance: EC2Client;
let s3AsInstance: S3Client;
let vpcId: string;
let endpointId: string;

before(async () => {
  cl = await startTestServer();
  ec2 = new EC2Client(clientConfig(cl.url));
  const iam = new IAMClient(clientConfig(cl.url));
  await iam.send(new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'web', PolicyName: 'describe', PolicyDocument: DESCRIBE }));
  const profile = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' }))).InstanceProfile!.Arn!;
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web' }));
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.70.0.0/16' }))).Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.70.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
  const id = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, IamInstanceProfile: { Arn: profile } }))).Instances![0]!.InstanceId!;
  // The role's credentials as the instance sees them, from its metadata service.
  const open = await fetch(`${cl.url}/_cloudlet/imds/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instanceId: id }) });
  const { endpoint } = (await open.json()) as { endpoint: string };
  const token = await (await fetch(`${endpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '600' } })).text();
  const c = (await (await fetch(`${endpoint}/latest/meta-data/iam/security-credentials/web`, { headers: { 'x-aws-ec2-metadata-token': token } })).json()) as Record<string, string>;
  const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.Token! };
  asInstance = new EC2Client(clientConfig(cl.url, 'us-east-1', creds));
  s3AsInstance = new S3Client({ ...clientConfig(cl.url, 'us-east-1', creds), forcePathStyle: true });
  endpointId = (await ec2.send(new CreateVpcEndpointCommand({
    VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.ec2', SubnetIds: [subnet], PrivateDnsEnabled: true,
    PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 'ec2:DescribeVpcs', Resource: '*' }),
  }))).VpcEndpoint!.VpcEndpointId!;
});
after(async () => { await cl.close(); });

describe('VPC endpoint policies', () => {
  test('through the interface endpoint: what its policy allows passes, the rest is denied naming the endpoint policy', async () => {
    assert.ok((await asInstance.send(new DescribeVpcsCommand({}))).Vpcs!.length > 0);
    await rejects(asInstance.send(new DescribeSubnetsCommand({})), 'UnauthorizedOperation', 403, /because no VPC endpoint policy allows the ec2:DescribeSubnets action/);
    // From the host the same call reaches EC2 without the endpoint.
    assert.ok((await ec2.send(new DescribeSubnetsCommand({}))).Subnets!.length > 0);
  });

  test('an explicit deny in the endpoint policy wins over the role policy', async () => {
    await ec2.send(new ModifyVpcEndpointCommand({
      VpcEndpointId: endpointId,
      PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 'ec2:*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'ec2:DescribeVpcs', Resource: '*' }),
    }));
    await rejects(asInstance.send(new DescribeVpcsCommand({})), 'UnauthorizedOperation', 403, /with an explicit deny in a VPC endpoint policy/);
    assert.ok((await asInstance.send(new DescribeSubnetsCommand({}))).Subnets!.length > 0, 'ec2:* now allows DescribeSubnets');
  });

  test('with private DNS off the instance reaches the public endpoint, and the policy no longer applies', async () => {
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: false }));
    assert.ok((await asInstance.send(new DescribeVpcsCommand({}))).Vpcs!.length > 0);
  });

  test('a gateway endpoint on the instance subnet\'s route table: S3 requests meet its policy', async () => {
    assert.ok(await s3AsInstance.send(new ListBucketsCommand({})), 'no endpoint yet: allowed by the role');
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!.RouteTableId!;
    await ec2.send(new CreateVpcEndpointCommand({
      VpcId: vpcId, VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [main],
      PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }),
    }));
    await rejects(s3AsInstance.send(new ListBucketsCommand({})), 'AccessDenied', 403, /because no VPC endpoint policy allows the s3:ListAllMyBuckets action/);
  });
});
