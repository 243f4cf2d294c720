// AMIs end to end: the public catalog, CreateImage from an instance and a launch from it,
// RegisterImage, CopyImage across Regions, launch permissions across accounts, block public
// access for AMIs, deprecation by the clock, DeregisterImage (snapshots kept or deleted); SDK v3
// and the AWS CLI v1/v2.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CopyImageCommand, CreateImageCommand, CreateSnapshotCommand, CreateSubnetCommand, CreateVolumeCommand, CreateVpcCommand,
  DeleteSnapshotCommand, DeregisterImageCommand, DescribeImageAttributeCommand, DescribeImagesCommand, DescribeInstancesCommand,
  DescribeSnapshotsCommand, DescribeVolumesCommand, DisableImageBlockPublicAccessCommand, EC2Client, EnableImageBlockPublicAccessCommand,
  EnableImageDeprecationCommand, GetImageBlockPublicAccessStateCommand, ModifyImageAttributeCommand, RegisterImageCommand,
  ResetImageAttributeCommand, RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const OTHER = { accessKeyId: '111111111111', secretAccessKey: 'test' };

let cl: Cloudlet;
let ec2: EC2Client;
let other: EC2Client;
let west: EC2Client;
let subnet: string;
let al2023: string;

const advance = (d: string) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: d }) });

before(async () => {
  cl = await startTestServer();
  ec2 = new EC2Client(clientConfig(cl.url));
  other = new EC2Client(clientConfig(cl.url, 'us-east-1', OTHER));
  west = new EC2Client(clientConfig(cl.url, 'us-west-2'));
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const found = await ec2.send(new DescribeImagesCommand({
    Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }],
  }));
  al2023 = found.Images!.sort((a, b) => b.CreationDate!.localeCompare(a.CreationDate!))[0]!.ImageId!;
});
after(async () => { await cl.close(); });

describe('AMIs with SDK v3', () => {
  test('the public catalog: owners, name filters, per-Region IDs', async () => {
    const ubuntu = await ec2.send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['ubuntu/images/*'] }] }));
    assert.ok(ubuntu.Images!.length > 0);
    const win = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'platform', Values: ['windows'] }] }));
    assert.ok(win.Images!.length > 0 && win.Images!.every((i) => i.PlatformDetails!.startsWith('Windows')));
    const name = (await ec2.send(new DescribeImagesCommand({ ImageIds: [al2023] }))).Images![0]!.Name!;
    const there = await west.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: [name] }] }));
    assert.equal(there.Images!.length, 1);
    assert.notEqual(there.Images![0]!.ImageId, al2023, 'the same image has another ID in another Region');
    await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nothex'] })), 'InvalidAMIID.Malformed', 400);
    await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })), 'InvalidAMIID.NotFound', 400);
  });

  test('CreateImage from an instance (a snapshot per volume), launch from it, snapshots held while the AMI exists', async () => {
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: al2023, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet,
      BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeSize: 20, VolumeType: 'gp3' } }],
    }));
    const src = run.Instances![0]!.InstanceId!;
    const { ImageId: mine } = await ec2.send(new CreateImageCommand({
      InstanceId: src, Name: 'app-v1', Description: 'my app',
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'app', Value: 'v1' }] }, { ResourceType: 'snapshot', Tags: [{ Key: 'app', Value: 'v1-snap' }] }],
    }));
    await rejects(ec2.send(new CreateImageCommand({ InstanceId: src, Name: 'app-v1' })), 'InvalidAMIName.Duplicate', 400);
    await rejects(ec2.send(new CreateImageCommand({ InstanceId: src, Name: 'x' })), 'InvalidAMIName.Malformed', 400);
    const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [mine!] }))).Images![0]!;
    assert.equal(img.State, 'available');
    assert.equal(img.OwnerId, '000000000000');
    assert.equal(img.Public, false);
    assert.equal(img.SourceInstanceId, src);
    assert.deepEqual(img.Tags, [{ Key: 'app', Value: 'v1' }]);
    const devices = img.BlockDeviceMappings!.map((b) => [b.DeviceName, b.Ebs!.VolumeSize, b.Ebs!.DeleteOnTermination]).sort();
    assert.deepEqual(devices, [['/dev/sdf', 20, false], ['/dev/xvda', 8, true]]);
    const snaps = img.BlockDeviceMappings!.map((b) => b.Ebs!.SnapshotId!);
    const described = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snaps }))).Snapshots!;
    assert.equal(described.length, 2);
    assert.ok(described.every((s) => s.Tags?.some((t) => t.Value === 'v1-snap')));
    const mineOnly = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images!.map((i) => i.ImageId);
    assert.deepEqual(mineOnly, [mine]);

    // A launch from the new AMI: its root volume comes from the AMI's root snapshot.
    const child = (await ec2.send(new RunInstancesCommand({ ImageId: mine!, InstanceType: 't3.small', MinCount: 1, MaxCount: 1, SubnetId: subnet }))).Instances![0]!;
    assert.equal(child.ImageId, mine);
    const vols = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [child.InstanceId!] }] }))).Volumes!;
    const root = vols.find((v) => v.Attachments![0]!.Device === '/dev/xvda')!;
    assert.equal(root.SnapshotId, img.BlockDeviceMappings!.find((b) => b.DeviceName === '/dev/xvda')!.Ebs!.SnapshotId);
    assert.equal(vols.length, 2, 'the data volume of the AMI comes too');
    await rejects(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snaps[0]! })), 'InvalidSnapshot.InUse', 400);

    // Deregistered: the snapshots stay (and can now be deleted).
    assert.equal((await ec2.send(new DeregisterImageCommand({ ImageId: mine! }))).Return, true);
    await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: [mine!] })), 'InvalidAMIID.NotFound', 400);
    assert.equal((await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snaps }))).Snapshots!.length, 2);
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snaps[0]! }));
    await rejects(ec2.send(new RunInstancesCommand({ ImageId: mine!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet })), 'InvalidAMIID.NotFound', 400);
    const still = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [child.InstanceId!] }))).Reservations![0]!.Instances![0]!;
    assert.equal(still.ImageId, mine, 'an instance keeps naming its AMI');
  });

  test('RegisterImage from a snapshot; DeregisterImage with DeleteAssociatedSnapshots', async () => {
    const vol = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10 }));
    const snap = (await ec2.send(new CreateSnapshotCommand({ VolumeId: vol.VolumeId! }))).SnapshotId!;
    await rejects(ec2.send(new RegisterImageCommand({ Name: 'no-root', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [] })), 'InvalidBlockDeviceMapping', 400);
    await rejects(ec2.send(new RegisterImageCommand({
      Name: 'too-small', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snap, VolumeSize: 5 } }],
    })), 'InvalidBlockDeviceMapping', 400, /smaller than snapshot/);
    const { ImageId } = await ec2.send(new RegisterImageCommand({
      Name: 'registered', Architecture: 'arm64', RootDeviceName: '/dev/xvda', EnaSupport: true, ImdsSupport: 'v2.0',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snap, VolumeType: 'gp3' } }],
    }));
    const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images![0]!;
    assert.equal(img.Architecture, 'arm64');
    assert.equal(img.ImdsSupport, 'v2.0');
    assert.equal(img.BlockDeviceMappings![0]!.Ebs!.VolumeSize, 10);
    // An arm64 AMI on an x86_64 type is refused.
    await rejects(ec2.send(new RunInstancesCommand({ ImageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet })), 'InvalidParameterValue', 400, /architecture/);
    const out = await ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }));
    assert.deepEqual(out.DeleteSnapshotResults, [{ SnapshotId: snap, ReturnCode: 'success' }]);
    await rejects(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap] })), 'InvalidSnapshot.NotFound', 400);
  });

  test('launch permissions across accounts, public sharing and block public access, CopyImage, deprecation', async () => {
    const run = await ec2.send(new RunInstancesCommand({ ImageId: al2023, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }));
    const { ImageId: id } = await ec2.send(new CreateImageCommand({ InstanceId: run.Instances![0]!.InstanceId!, Name: 'shared-v1', NoReboot: true }));
    await rejects(other.send(new DescribeImagesCommand({ ImageIds: [id!] })), 'InvalidAMIID.NotFound', 400);
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: id!, LaunchPermission: { Add: [{ UserId: '111111111111' }] } }));
    const seen = (await other.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images!;
    assert.deepEqual(seen.map((i) => i.ImageId), [id]);
    await rejects(other.send(new ModifyImageAttributeCommand({ ImageId: id!, Description: { Value: 'mine now' } })), 'AuthFailure', 400);
    const perms = await ec2.send(new DescribeImageAttributeCommand({ ImageId: id!, Attribute: 'launchPermission' }));
    assert.deepEqual(perms.LaunchPermissions, [{ UserId: '111111111111' }]);
    await rejects(ec2.send(new ModifyImageAttributeCommand({ ImageId: id!, LaunchPermission: { Add: [{ UserId: 'bob' }] } })), 'InvalidAMIAttributeItemValue', 400);

    await ec2.send(new EnableImageBlockPublicAccessCommand({ ImageBlockPublicAccessState: 'block-new-sharing' }));
    assert.equal((await ec2.send(new GetImageBlockPublicAccessStateCommand({}))).ImageBlockPublicAccessState, 'block-new-sharing');
    await rejects(ec2.send(new ModifyImageAttributeCommand({ ImageId: id!, LaunchPermission: { Add: [{ Group: 'all' }] } })), 'OperationNotPermitted', 400, /block public access/);
    await ec2.send(new DisableImageBlockPublicAccessCommand({}));
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: id!, LaunchPermission: { Add: [{ Group: 'all' }] } }));
    assert.equal((await ec2.send(new DescribeImagesCommand({ ImageIds: [id!] }))).Images![0]!.Public, true);
    const third = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'test' }));
    assert.equal((await third.send(new DescribeImagesCommand({ ImageIds: [id!] }))).Images![0]!.Public, true);
    await ec2.send(new ResetImageAttributeCommand({ ImageId: id!, Attribute: 'launchPermission' }));
    await rejects(third.send(new DescribeImagesCommand({ ImageIds: [id!] })), 'InvalidAMIID.NotFound', 400);
    await rejects(other.send(new DescribeImagesCommand({ ImageIds: [id!] })), 'InvalidAMIID.NotFound', 400);

    // A copy in another Region: a new ID and its own snapshots there.
    const { ImageId: copy } = await west.send(new CopyImageCommand({ SourceImageId: id!, SourceRegion: 'us-east-1', Name: 'shared-v1-west', Encrypted: true }));
    const c = (await west.send(new DescribeImagesCommand({ ImageIds: [copy!] }))).Images![0]!;
    assert.equal(c.SourceImageId, id);
    assert.equal(c.SourceImageRegion, 'us-east-1');
    const westSnap = c.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const ws = (await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [westSnap] }))).Snapshots![0]!;
    assert.equal(ws.Encrypted, true);
    await rejects(ec2.send(new DescribeImagesCommand({ ImageIds: [copy!] })), 'InvalidAMIID.NotFound', 400);
    await rejects(west.send(new CopyImageCommand({ SourceImageId: 'ami-0123456789abcdef0', SourceRegion: 'us-east-1', Name: 'nope' })), 'InvalidAMIID.NotFound', 400);

    // Deprecated in an hour: others stop seeing it in listings after the clock passes it, the owner still does.
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: id!, LaunchPermission: { Add: [{ UserId: '111111111111' }] } }));
    const { Return } = await ec2.send(new EnableImageDeprecationCommand({ ImageId: id!, DeprecateAt: new Date(Date.now() + 3_600_000) }));
    assert.equal(Return, true);
    assert.equal((await other.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images!.length, 1);
    await advance('2h');
    assert.equal((await other.send(new DescribeImagesCommand({ ExecutableUsers: ['self'] }))).Images!.length, 0);
    assert.equal((await other.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], IncludeDeprecated: true }))).Images!.length, 1);
    assert.ok((await ec2.send(new DescribeImagesCommand({ ImageIds: [id!] }))).Images![0]!.DeprecationTime);
  });
});

for (const cli of awsClis()) {
  describe(`AMIs with the ${cli.name}`, { skip: cli.skip }, () => {
    test('create-image, wait image-available, describe-images --owners self, deregister-image', async () => {
      const run = await awsJson(cli.bin, cl.url, ['ec2', 'run-instances', '--image-id', al2023, '--instance-type', 't3.micro', '--subnet-id', subnet]);
      const inst = run.Instances[0].InstanceId as string;
      const name = `cli-${cli.name.replace(/\W/g, '')}`;
      const { ImageId } = await awsJson(cli.bin, cl.url, ['ec2', 'create-image', '--instance-id', inst, '--name', name, '--no-reboot']);
      await awsJson(cli.bin, cl.url, ['ec2', 'wait', 'image-available', '--image-ids', ImageId]);
      const listed = await awsJson(cli.bin, cl.url, ['ec2', 'describe-images', '--owners', 'self', '--filters', `Name=name,Values=${name}`]);
      assert.deepEqual(listed.Images.map((i: { ImageId: string }) => i.ImageId), [ImageId]);
      await awsJson(cli.bin, cl.url, ['ec2', 'deregister-image', '--image-id', ImageId]);
      await awsJson(cli.bin, cl.url, ['ec2', 'terminate-instances', '--instance-ids', inst]);
    });
  });
}
