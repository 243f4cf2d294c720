import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AllocateAddressCommand, AssociateAddressCommand, CreateLaunchTemplateCommand, CreatePlacementGroupCommand, CreateSecurityGroupCommand,
  CreateSubnetCommand, CreateVpcCommand, DeleteSubnetCommand, DescribeImagesCommand, DescribeInstanceAttributeCommand,
  DescribeInstancesCommand, DescribeInstanceStatusCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, DescribeVolumesCommand,
  EC2Client, ModifyInstanceAttributeCommand, ModifyInstanceMetadataOptionsCommand, RunInstancesCommand, StartInstancesCommand,
  StopInstancesCommand, TerminateInstancesCommand, waitUntilInstanceRunning, waitUntilInstanceStopped, waitUntilInstanceTerminated,
  type Instance,
} from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

describe('EC2 instances with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let iam: IAMClient;
  let ami = '';
  let armAmi = '';
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    iam = new IAMClient(clientConfig(cl.url));
    const latest = async (name: string) => {
      const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [name] }] }))).Images!;
      return imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    };
    ami = await latest('al2023-ami-*-kernel-6.1-x86_64');
    armAmi = await latest('al2023-ami-*-kernel-6.1-arm64');
  });
  after(async () => { await cl.close(); });

  const one = async (id: string): Promise<Instance> =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
  const volumesOf = async (id: string) =>
    (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes!;
  const freeIps = async (s: string) => (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [s] }))).Subnets![0]!.AvailableIpAddressCount!;

  test('private subnet with an instance profile: run, stop, modify the type, start, terminate; volumes, IPs and ENIs at each step', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'app', Description: 'app' }))).GroupId!;
    await iam.send(new CreateRoleCommand({
      RoleName: 'app-role',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    const profile = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-profile' }))).InstanceProfile!;
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app-role' }));
    const before = await freeIps(subnet);

    const started = Date.now();
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [sg],
      IamInstanceProfile: { Name: 'app-profile' }, UserData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 10, VolumeType: 'gp3' } }],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'app-1' }] }],
    }));
    const id = run.Instances![0]!.InstanceId!;
    assert.match(id, /^i-[0-9a-f]{17}$/);
    assert.match(run.ReservationId!, /^r-[0-9a-f]{17}$/);
    await waitUntilInstanceRunning({ client: ec2, maxWaitTime: 30, minDelay: 1 }, { InstanceIds: [id] });
    assert.ok(Date.now() - started < 5000, 'with the default boot delay the waiter returns at once');

    let i = await one(id);
    assert.equal(i.State!.Name, 'running');
    assert.equal(i.State!.Code, 16);
    assert.equal(i.SubnetId, subnet);
    assert.equal(i.VpcId, vpc);
    assert.match(i.PrivateIpAddress!, /^10\.20\.1\.\d+$/);
    assert.equal(i.PublicIpAddress, undefined, 'a private subnet maps no public address');
    assert.equal(i.IamInstanceProfile!.Arn, profile.Arn);
    assert.deepEqual(i.SecurityGroups!.map((g) => g.GroupId), [sg]);
    assert.equal(i.MetadataOptions!.HttpTokens, 'required');
    assert.equal(i.Tags!.find((t) => t.Key === 'Name')!.Value, 'app-1');
    assert.equal(i.Placement!.AvailabilityZone, 'us-east-1a');
    assert.equal(i.RootDeviceName, '/dev/xvda');
    assert.equal(await freeIps(subnet), before - 1);
    const eni = i.NetworkInterfaces![0]!;
    assert.equal(eni.Attachment!.DeviceIndex, 0);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 1);
    assert.equal(enis[0]!.Status, 'in-use');
    assert.equal(enis[0]!.PrivateIpAddress, i.PrivateIpAddress);

    const vols = await volumesOf(id);
    assert.equal(vols.length, 2);
    const root = vols.find((v) => v.Attachments![0]!.Device === '/dev/xvda')!;
    const data = vols.find((v) => v.Attachments![0]!.Device === '/dev/sdf')!;
    assert.equal(root.Attachments![0]!.DeleteOnTermination, true);
    assert.ok(root.Size! >= 8);
    assert.ok(root.SnapshotId, 'the root volume comes from the AMI snapshot');
    assert.equal(data.Attachments![0]!.DeleteOnTermination, false);
    assert.equal(data.Size, 10);
    assert.equal(data.VolumeType, 'gp3');
    assert.equal(data.Iops, 3000);

    // Filters: by tag and by state.
    const byTag = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['app-*'] }, { Name: 'instance-state-name', Values: ['running'] }] }));
    assert.deepEqual(byTag.Reservations!.flatMap((r) => r.Instances!.map((x) => x.InstanceId)), [id]);
    const ud = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
    assert.equal(Buffer.from(ud.UserData!.Value!, 'base64').toString(), '#!/bin/sh\necho hi\n');

    await rejects(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.small' } })), 'IncorrectInstanceState', 400, /not in the 'stopped' state/);
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.equal(stop.StoppingInstances![0]!.PreviousState!.Name, 'running');
    await waitUntilInstanceStopped({ client: ec2, maxWaitTime: 30, minDelay: 1 }, { InstanceIds: [id] });
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.small' } }));
    await rejects(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't4g.small' } })), 'InvalidInstanceAttributeValue', 400, /architecture/);
    i = await one(id);
    assert.equal(i.State!.Name, 'stopped');
    assert.equal(i.InstanceType, 't3.small');
    assert.equal(i.StateReason!.Code, 'Client.UserInitiatedShutdown');
    const privateIp = i.PrivateIpAddress;
    await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    i = await one(id);
    assert.equal(i.State!.Name, 'running');
    assert.equal(i.PrivateIpAddress, privateIp, 'stop/start keeps the private address');
    assert.equal((await volumesOf(id)).length, 2);

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await waitUntilInstanceTerminated({ client: ec2, maxWaitTime: 30, minDelay: 1 }, { InstanceIds: [id] });
    i = await one(id);
    assert.equal(i.State!.Name, 'terminated');
    assert.equal(i.PrivateIpAddress, undefined);
    assert.deepEqual(i.NetworkInterfaces, []);
    const left = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [data.VolumeId!] }))).Volumes![0]!;
    assert.equal(left.State, 'available', 'the added volume is detached and kept');
    await rejects(ec2.send(new DescribeVolumesCommand({ VolumeIds: [root.VolumeId!] })), 'InvalidVolume.NotFound', 400);
    assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnet] }] }))).NetworkInterfaces!.length, 0);
    assert.equal(await freeIps(subnet), before);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet }));
    // Visible for an hour after termination, then gone.
    await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '61m' }) });
    await rejects(ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })), 'InvalidInstanceID.NotFound', 400);
  });

  test('public subnet: a public address that a stop drops and a start renews; an Elastic IP stays', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.21.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.21.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const { ModifySubnetAttributeCommand, CreateInternetGatewayCommand, AttachInternetGatewayCommand } = await import('@aws-sdk/client-ec2');
    // An Elastic IP associates only in a VPC with an internet gateway (else Gateway.NotAttached).
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnet, MapPublicIpOnLaunch: { Value: true } }));
    const [a, b] = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.nano', MinCount: 2, MaxCount: 2, SubnetId: subnet }))).Instances!;
    assert.equal(a!.AmiLaunchIndex, 0);
    assert.equal(b!.AmiLaunchIndex, 1);
    const first = (await one(a!.InstanceId!)).PublicIpAddress!;
    const byDns = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'dns-name', Values: [(await one(a!.InstanceId!)).PublicDnsName!] }] }));
    assert.deepEqual(byDns.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId), [a!.InstanceId], 'the dns-name filter takes the public DNS name');
    assert.match(first, /^(192\.0\.2|198\.51\.100|203\.0\.113|198\.1[89]\.\d+)\./);
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: b!.InstanceId }));
    assert.equal((await one(b!.InstanceId!)).PublicIpAddress, eip.PublicIp);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [a!.InstanceId!, b!.InstanceId!] }));
    assert.equal((await one(a!.InstanceId!)).PublicIpAddress, undefined, 'a stopped instance has no non-Elastic public address');
    assert.equal((await one(b!.InstanceId!)).PublicIpAddress, eip.PublicIp, 'the Elastic IP stays');
    await ec2.send(new StartInstancesCommand({ InstanceIds: [a!.InstanceId!, b!.InstanceId!] }));
    assert.ok((await one(a!.InstanceId!)).PublicIpAddress, 'a new public address at start');
    assert.equal((await one(b!.InstanceId!)).PublicIpAddress, eip.PublicIp);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [a!.InstanceId!, b!.InstanceId!] }));
  });

  test('secondary network interfaces at launch: created in the zone, limits checked first, deleted with the instance', async () => {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.24.0.0/16' }))).Vpc!.VpcId!;
    const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.24.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const b = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.24.2.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const other = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.24.3.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const enis = async () => (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).NetworkInterfaces!;
    // t3.nano takes 2 interfaces; a third, a subnet in another zone or a repeated index is refused before anything is made.
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.nano', MinCount: 1, MaxCount: 1, NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: a }, { DeviceIndex: 1, SubnetId: b }, { DeviceIndex: 2, SubnetId: b },
    ] })), 'InvalidParameterValue', 400, /at most 2 network interfaces/);
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: a }, { DeviceIndex: 1, SubnetId: other },
    ] })), 'InvalidParameterValue', 400, /zone/);
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: a }, { DeviceIndex: 0, SubnetId: b },
    ] })), 'InvalidParameterValue', 400, /unique device index/);
    assert.equal((await enis()).length, 0, 'nothing was created');

    const i = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: a }, { DeviceIndex: 1, SubnetId: b, Description: 'data plane' },
    ] }))).Instances![0]!;
    const nics = (await one(i.InstanceId!)).NetworkInterfaces!.sort((x, y) => x.Attachment!.DeviceIndex! - y.Attachment!.DeviceIndex!);
    assert.deepEqual(nics.map((n) => [n.SubnetId, n.Attachment!.DeviceIndex, n.Attachment!.DeleteOnTermination]), [[a, 0, true], [b, 1, true]]);
    assert.equal(nics[1]!.Description, 'data plane');
    assert.match(nics[1]!.PrivateIpAddress!, /^10\.24\.2\./);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    assert.equal((await enis()).length, 0, 'both go with the instance');
  });

  test('bad input: AWS codes, nothing created', async () => {
    const count = async () => (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!).length;
    const n = await count();
    const base = { MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' as const };
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: 'ami-0123456789abcdef0' })), 'InvalidAMIID.NotFound', 400);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: 'ami-xyz' })), 'InvalidAMIID.Malformed', 400);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, InstanceType: 't9.huge' as 't3.micro' })), 'InvalidInstanceType', 400);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, KeyName: 'nope' })), 'InvalidKeyPair.NotFound', 400);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: armAmi })), 'InvalidParameterValue', 400, /architecture/);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, UserData: Buffer.alloc(16_385, 1).toString('base64') })), 'InvalidParameterValue', 400, /16384/);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, MinCount: 3, MaxCount: 2 })), 'InvalidParameterValue', 400);
    const v1 = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.22.0.0/16' }))).Vpc!.VpcId!;
    const v2 = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.23.0.0/16' }))).Vpc!.VpcId!;
    const s1 = (await ec2.send(new CreateSubnetCommand({ VpcId: v1, CidrBlock: '10.22.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const g2 = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: v2, GroupName: 'other', Description: 'other' }))).GroupId!;
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, SubnetId: s1, SecurityGroupIds: [g2] })), 'InvalidParameterValue', 400, /different networks/);
    await rejects(ec2.send(new RunInstancesCommand({ ...base, ImageId: ami, IamInstanceProfile: { Name: 'missing' } })), 'InvalidParameterValue', 400, /iamInstanceProfile/);
    assert.equal(await count(), n, 'refused launches create nothing');
    await rejects(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })), 'InvalidInstanceID.NotFound', 400);
    await rejects(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-bad'] })), 'InvalidInstanceID.Malformed', 400);
  });

  test('default VPC, termination protection, metadata options, status, launch templates and placement groups', async () => {
    const r = await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, DisableApiTermination: true, Placement: { AvailabilityZone: 'us-east-1b' },
    }));
    const i = r.Instances![0]!;
    assert.equal(i.Placement!.AvailabilityZone, 'us-east-1b');
    assert.match(i.PrivateIpAddress!, /^172\.31\./, 'the default VPC');
    assert.ok(i.PublicIpAddress, 'default subnets map public addresses');
    await rejects(ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] })), 'OperationNotPermitted', 400, /disableApiTermination/);
    await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: i.InstanceId, HttpTokens: 'optional', InstanceMetadataTags: 'enabled' }));
    assert.equal((await one(i.InstanceId!)).MetadataOptions!.InstanceMetadataTags, 'enabled');
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [i.InstanceId!] }));
    assert.equal(st.InstanceStatuses![0]!.InstanceStatus!.Status, 'ok');
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: i.InstanceId, DisableApiTermination: { Value: false } }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] }));

    const lt = (await ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'tier', Value: 'web' }] }] },
    }))).LaunchTemplate!;
    const fromLt = (await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'web' }, InstanceType: 't3.small' }))).Instances![0]!;
    assert.equal(fromLt.InstanceType, 't3.small', 'the request overrides the template');
    assert.equal(fromLt.ImageId, ami);
    const tags = Object.fromEntries(fromLt.Tags!.map((t) => [t.Key, t.Value]));
    assert.equal(tags.tier, 'web');
    assert.equal(tags['aws:ec2launchtemplate:id'], lt.LaunchTemplateId);
    assert.equal(tags['aws:ec2launchtemplate:version'], '1');

    await ec2.send(new CreatePlacementGroupCommand({ GroupName: 'parts', Strategy: 'partition', PartitionCount: 3 }));
    const inParts = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 3, MaxCount: 3, Placement: { GroupName: 'parts' } }))).Instances!;
    assert.deepEqual(inParts.map((x) => x.Placement!.PartitionNumber).sort(), [1, 2, 3]);
    await ec2.send(new CreatePlacementGroupCommand({ GroupName: 'spread', Strategy: 'spread' }));
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 8, MaxCount: 8, Placement: { GroupName: 'spread' } })), 'InsufficientInstanceCapacity', 400, /7/);
    await rejects(ec2.send(new CreatePlacementGroupCommand({ GroupName: 'parts', Strategy: 'cluster' })), 'InvalidPlacementGroup.Duplicate', 400);
  });

  test('vCPU quotas: visible and settable through the admin API; VcpuLimitExceeded over the limit', async () => {
    const quotas = async (body?: object) => {
      const r = await fetch(`${cl.url}/_cloudlet/ec2/quotas?account=000000000000&region=us-east-1`, body
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
      assert.equal(r.status, 200);
      return ((await r.json()) as { quotas: Array<{ quotaCode: string; limit: number; used: number }> }).quotas.find((q) => q.quotaCode === 'L-1216C47A')!;
    };
    const before = await quotas();
    assert.equal(before.limit, 1152, "AWS's default for the Standard bucket");
    await quotas({ quotaCode: 'L-1216C47A', value: before.used + 4 });
    const ok = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 2, MaxCount: 2 }));
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })), 'VcpuLimitExceeded', 400, new RegExp(`limit of ${before.used + 4}`));
    assert.equal((await quotas()).used, before.used + 4);
    // A GPU type is another bucket, with its own limit.
    const gpu = (await fetch(`${cl.url}/_cloudlet/ec2/quotas`)).json() as Promise<{ quotas: Array<{ quotaCode: string; limit: number }> }>;
    assert.equal((await gpu).quotas.find((q) => q.quotaCode === 'L-DB2E81BA')!.limit, 64);
    // StartInstances counts every instance it starts: two stopped ones over a limit with room for one start neither.
    const ids = ok.Instances!.map((i) => i.InstanceId!);
    await ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
    await quotas({ quotaCode: 'L-1216C47A', value: before.used + 2 });
    await rejects(ec2.send(new StartInstancesCommand({ InstanceIds: ids })), 'VcpuLimitExceeded', 400, new RegExp(`limit of ${before.used + 2}`));
    assert.equal((await quotas()).used, before.used);
    await ec2.send(new StartInstancesCommand({ InstanceIds: ids.slice(0, 1) }));
    assert.equal((await quotas()).used, before.used + 2);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    assert.equal((await quotas({ quotaCode: 'L-1216C47A', value: null })).limit, 1152);
    const bad = await fetch(`${cl.url}/_cloudlet/ec2/quotas`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quotaCode: 'L-NOPE', value: 1 }) });
    assert.equal(bad.status, 404);
  });

  test('Spot: refused below the market; interrupted when the price moves over the maximum', async () => {
    const { DescribeSpotPriceHistoryCommand, DescribeSpotInstanceRequestsCommand } = await import('@aws-sdk/client-ec2');
    const hist = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['t3.micro'], AvailabilityZone: 'us-east-1a', ProductDescriptions: ['Linux/UNIX'], StartTime: new Date() }));
    const price = Number(hist.SpotPriceHistory![0]!.SpotPrice);
    await rejects(ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1a' },
      InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: (price / 2).toFixed(6) } },
    })), 'SpotMaxPriceTooLow', 400);
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1a' },
      InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: price.toFixed(6) } },
    }));
    const id = run.Instances![0]!.InstanceId!;
    let i = await one(id);
    assert.equal(i.InstanceLifecycle, 'spot');
    const req = (await ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [i.SpotInstanceRequestId!] }))).SpotInstanceRequests![0]!;
    assert.equal(req.State, 'active');
    assert.equal(req.InstanceId, id);
    // The price changes hourly; at the maximum equal to today's price, some later hour is higher.
    for (let h = 0; h < 72 && i.State!.Name === 'running'; h++) {
      await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '1h' }) });
      i = await one(id);
    }
    assert.equal(i.State!.Name, 'terminated');
    assert.equal(i.StateReason!.Code, 'Server.SpotInstanceTermination');
    const closed = (await ec2.send(new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [i.SpotInstanceRequestId!] }))).SpotInstanceRequests![0]!;
    assert.equal(closed.Status!.Code, 'instance-terminated-by-price');
  });
});
