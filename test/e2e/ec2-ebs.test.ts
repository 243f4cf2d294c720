// EBS volumes and snapshots with SDK v3 and the AWS CLI: each volume type and its limits,
// default encryption, ModifyVolume, snapshots, copies across Regions, sharing across accounts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CopySnapshotCommand, CreateSnapshotCommand, CreateVolumeCommand, DeleteSnapshotCommand, DeleteVolumeCommand,
  DescribeSnapshotAttributeCommand, DescribeSnapshotsCommand, DescribeVolumeAttributeCommand, DescribeVolumesCommand,
  DescribeVolumesModificationsCommand, DescribeVolumeStatusCommand, DisableEbsEncryptionByDefaultCommand, EC2Client,
  EnableEbsEncryptionByDefaultCommand, EnableSnapshotBlockPublicAccessCommand, DisableSnapshotBlockPublicAccessCommand,
  GetEbsDefaultKmsKeyIdCommand, GetEbsEncryptionByDefaultCommand, GetSnapshotBlockPublicAccessStateCommand,
  ModifyEbsDefaultKmsKeyIdCommand, ModifySnapshotAttributeCommand, ModifyVolumeAttributeCommand, ModifyVolumeCommand,
  ResetEbsDefaultKmsKeyIdCommand, ResetSnapshotAttributeCommand, AttachVolumeCommand, DetachVolumeCommand, CreateVpcCommand,
  CreateSubnetCommand, DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = { accessKeyId: '111111111111', secretAccessKey: 'test' };
const B = { accessKeyId: '222222222222', secretAccessKey: 'test' };
const KEY_ARN = /^arn:aws:kms:us-east-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('EBS volumes and snapshots with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let west: EC2Client;
  let b: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', A));
    west = new EC2Client(clientConfig(cl.url, 'us-west-2', A));
    b = new EC2Client(clientConfig(cl.url, 'us-east-1', B));
  });
  after(async () => { await cl.close(); });

  const AZ = 'us-east-1a';
  const vol = async (o: Record<string, unknown>) => ec2.send(new CreateVolumeCommand({ AvailabilityZone: AZ, ...o }));

  test('CreateVolume of every type: defaults AWS fills in, available at once, visible to Describe', async () => {
    const gp2 = await vol({ Size: 10, TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'data' }] }] });
    assert.match(gp2.VolumeId!, /^vol-[0-9a-f]{17}$/);
    assert.equal(gp2.VolumeType, 'gp2');
    assert.equal(gp2.Iops, 100);
    assert.equal(gp2.Throughput, undefined);
    assert.equal(gp2.Encrypted, false);
    assert.equal(gp2.MultiAttachEnabled, false);
    assert.equal(gp2.SnapshotId, '');
    assert.deepEqual(gp2.Tags, [{ Key: 'Name', Value: 'data' }]);
    const gp3 = await vol({ Size: 1, VolumeType: 'gp3' });
    assert.deepEqual([gp3.Iops, gp3.Throughput], [3000, 125]);
    const gp3b = await vol({ Size: 100, VolumeType: 'gp3', Iops: 10000, Throughput: 1000 });
    assert.deepEqual([gp3b.Iops, gp3b.Throughput], [10000, 1000]);
    const io1 = await vol({ Size: 100, VolumeType: 'io1', Iops: 5000, MultiAttachEnabled: true });
    assert.deepEqual([io1.Iops, io1.MultiAttachEnabled], [5000, true]);
    const io2 = await vol({ Size: 20000, VolumeType: 'io2', Iops: 100000 });
    assert.equal(io2.Size, 20000);
    for (const t of ['st1', 'sc1']) assert.equal((await vol({ Size: 125, VolumeType: t })).Iops, undefined);
    assert.equal((await vol({ Size: 1024, VolumeType: 'standard' })).VolumeType, 'standard');
    const d = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [gp2.VolumeId!] }))).Volumes![0]!;
    assert.equal(d.State, 'available');
    assert.equal(d.AvailabilityZone, AZ);
    assert.deepEqual(d.Attachments, []);
    const byType = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-type', Values: ['st1', 'sc1'] }] }));
    assert.equal(byType.Volumes!.length, 2);
    const tagged = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:Name', Values: ['data'] }, { Name: 'status', Values: ['available'] }] }));
    assert.deepEqual(tagged.Volumes!.map((v) => v.VolumeId), [gp2.VolumeId]);
    const multi = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'multi-attach-enabled', Values: ['true'] }] }));
    assert.deepEqual(multi.Volumes!.map((v) => v.VolumeId), [io1.VolumeId]);
    // Pages of 5 (DescribeVolumes allows 5..500).
    const p1 = await ec2.send(new DescribeVolumesCommand({ MaxResults: 5 }));
    assert.equal(p1.Volumes!.length, 5);
    const p2 = await ec2.send(new DescribeVolumesCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    assert.equal(p1.Volumes!.length + p2.Volumes!.length, 8);
    assert.equal(p2.NextToken, undefined);
    await rejects(ec2.send(new DescribeVolumesCommand({ MaxResults: 501 })), 'InvalidParameterValue', 400, /between 5 and 500/);
    await rejects(ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })), 'InvalidVolume.NotFound', 400,
      "The volume 'vol-0123456789abcdef0' does not exist");
    const st = (await ec2.send(new DescribeVolumeStatusCommand({ VolumeIds: [io1.VolumeId!] }))).VolumeStatuses![0]!;
    assert.equal(st.VolumeStatus!.Status, 'ok');
    assert.deepEqual(st.VolumeStatus!.Details!.map((x) => x.Name), ['io-enabled', 'io-performance']);
    await ec2.send(new ModifyVolumeAttributeCommand({ VolumeId: gp2.VolumeId, AutoEnableIO: { Value: true } }));
    const attr = await ec2.send(new DescribeVolumeAttributeCommand({ VolumeId: gp2.VolumeId, Attribute: 'autoEnableIO' }));
    assert.equal(attr.AutoEnableIO!.Value, true);
    await ec2.send(new DeleteVolumeCommand({ VolumeId: gp3.VolumeId }));
    await rejects(ec2.send(new DescribeVolumesCommand({ VolumeIds: [gp3.VolumeId!] })), 'InvalidVolume.NotFound', 400);
  });

  test('limits refused with AWS codes and messages', async () => {
    await rejects(vol({ Size: 20000 }), 'InvalidParameterValue', 400, 'Volume of 20000GiB is too large for gp2; maximum is 16384GiB');
    await rejects(vol({ Size: 10, VolumeType: 'io1' }), 'InvalidParameterCombination', 400, 'The parameter iops must be specified for io1 volumes.');
    await rejects(vol({ Size: 10, VolumeType: 'gp2', Iops: 500 }), 'InvalidParameterCombination', 400, 'The parameter iops is not supported for gp2 volumes.');
    await rejects(vol({ Size: 20, VolumeType: 'gp3', Iops: 15000 }), 'InvalidParameterValue', 400, 'Iops to volume size ratio of 750.000000 is too high; maximum is 500');
    await rejects(vol({ Size: 15, VolumeType: 'io1', Iops: 4000 }), 'InvalidParameterValue', 400, 'Iops to volume size ratio of 266.666667 is too high; maximum is 50');
    await rejects(vol({ Size: 100, VolumeType: 'gp3', Throughput: 1000 }), 'InvalidParameterValue', 400, /Throughput \(MiBps\) to iops ratio of 0\.333333 is too high/);
    await rejects(vol({ Size: 100, VolumeType: 'io1', Iops: 1000, Throughput: 200 }), 'InvalidParameterCombination', 400, /throughput can only be specified for volumeType gp3/);
    await rejects(vol({ Size: 100, VolumeType: 'st1' }), 'InvalidParameterValue', 400, 'Volume of 100GiB is too small for st1; minimum is 125GiB');
    await rejects(vol({ Size: 2000, VolumeType: 'standard' }), 'InvalidParameterValue', 400, /maximum is 1024GiB/);
    await rejects(vol({ Size: 10, VolumeType: 'gp3', MultiAttachEnabled: true }), 'InvalidParameterCombination', 400, /Multi-Attach/);
    await rejects(vol({ Size: 10, AvailabilityZone: 'us-east-1z' }), 'InvalidParameterValue', 400, 'Invalid availability zone: [us-east-1z]');
    await rejects(ec2.send(new CreateVolumeCommand({ Size: 10, AvailabilityZone: 'us-west-2a' })), 'InvalidParameterValue', 400, /us-west-2a/);
    await rejects(vol({}), 'MissingParameter', 400, /size or snapshotId/);
    await rejects(vol({ Size: 10, KmsKeyId: 'alias/aws/ebs' }), 'InvalidParameterDependency', 400, /requires the parameter Encrypted/);
  });

  test('ClientToken makes CreateVolume idempotent', async () => {
    const one = await vol({ Size: 3, ClientToken: 'tok-1' });
    const two = await vol({ Size: 3, ClientToken: 'tok-1' });
    assert.equal(one.VolumeId, two.VolumeId);
  });

  test('encryption: explicit, by default for the account, the default KMS key and its changes', async () => {
    const enc = await vol({ Size: 8, Encrypted: true });
    assert.equal(enc.Encrypted, true);
    assert.match(enc.KmsKeyId!, KEY_ARN);
    const managed = enc.KmsKeyId!;
    assert.equal((await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId, managed, 'alias/aws/ebs is one key per account and Region');
    assert.equal((await vol({ Size: 8, Encrypted: true, KmsKeyId: 'alias/aws/ebs' })).KmsKeyId, managed);
    const westKey = (await west.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId!;
    assert.match(westKey, /^arn:aws:kms:us-west-2:111111111111:key\//);
    assert.notEqual(westKey, managed);
    assert.equal((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false);
    assert.equal((await ec2.send(new EnableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, true);
    assert.equal((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, true);
    assert.equal((await west.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false, 'per Region');
    const byDefault = await vol({ Size: 8 });
    assert.deepEqual([byDefault.Encrypted, byDefault.KmsKeyId], [true, managed]);
    const custom = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
    assert.equal((await ec2.send(new ModifyEbsDefaultKmsKeyIdCommand({ KmsKeyId: '11111111-2222-3333-4444-555555555555' }))).KmsKeyId, custom);
    assert.equal((await vol({ Size: 8 })).KmsKeyId, custom);
    assert.equal((await ec2.send(new ResetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId, managed);
    assert.equal((await ec2.send(new DisableEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault, false);
    assert.equal((await vol({ Size: 8 })).Encrypted, false);
    const f = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'encrypted', Values: ['true'] }] }));
    assert.equal(f.Volumes!.length, 4);
  });

  test('ModifyVolume: takes effect, modifications completed, size only grows, one per six hours', async () => {
    const v = await vol({ Size: 10, VolumeType: 'gp2' });
    const m = (await ec2.send(new ModifyVolumeCommand({ VolumeId: v.VolumeId, Size: 50, VolumeType: 'gp3', Iops: 4000 }))).VolumeModification!;
    assert.equal(m.ModificationState, 'completed');
    assert.deepEqual([m.OriginalSize, m.OriginalVolumeType, m.OriginalIops], [10, 'gp2', 100]);
    assert.deepEqual([m.TargetSize, m.TargetVolumeType, m.TargetIops, m.TargetThroughput], [50, 'gp3', 4000, 125]);
    assert.equal(m.Progress, 100);
    const d = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [v.VolumeId!] }))).Volumes![0]!;
    assert.deepEqual([d.Size, d.VolumeType, d.Iops, d.Throughput], [50, 'gp3', 4000, 125]);
    const mods = await ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [v.VolumeId!] }));
    assert.equal(mods.VolumesModifications![0]!.TargetSize, 50);
    const byState = await ec2.send(new DescribeVolumesModificationsCommand({ Filters: [{ Name: 'modification-state', Values: ['completed'] }] }));
    assert.deepEqual(byState.VolumesModifications!.map((x) => x.VolumeId), [v.VolumeId]);
    await rejects(ec2.send(new ModifyVolumeCommand({ VolumeId: v.VolumeId, Size: 100 })), 'VolumeModificationRateExceeded', 400, /6 hours/);
    const w = await vol({ Size: 10 });
    await rejects(ec2.send(new ModifyVolumeCommand({ VolumeId: w.VolumeId, Size: 5 })), 'InvalidParameterValue', 400, /smaller than existing size/);
    await rejects(ec2.send(new ModifyVolumeCommand({ VolumeId: w.VolumeId, VolumeType: 'io1' })), 'InvalidParameterCombination', 400, /iops must be specified/);
    await rejects(ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [w.VolumeId!] })), 'InvalidVolumeModification.NotFound', 400);
  });

  test('snapshots: create, describe and filters, volumes from them (size rule, encryption follows), delete', async () => {
    const v = await vol({ Size: 8 });
    const s = await ec2.send(new CreateSnapshotCommand({
      VolumeId: v.VolumeId, Description: 'nightly', TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'v' }] }],
    }));
    assert.match(s.SnapshotId!, /^snap-[0-9a-f]{17}$/);
    assert.deepEqual([s.State, s.Progress, s.VolumeSize, s.VolumeId, s.OwnerId, s.Encrypted], ['completed', '100%', 8, v.VolumeId, '111111111111', false]);
    assert.deepEqual(s.Tags, [{ Key: 'k', Value: 'v' }]);
    const mine = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'description', Values: ['night*'] }] }));
    assert.deepEqual(mine.Snapshots!.map((x) => x.SnapshotId), [s.SnapshotId]);
    const byVol = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [v.VolumeId!] }, { Name: 'tag:k', Values: ['v'] }, { Name: 'status', Values: ['completed'] }] }));
    assert.equal(byVol.Snapshots!.length, 1);
    await rejects(vol({ Size: 5, SnapshotId: s.SnapshotId }), 'InvalidParameterValue', 400,
      `Volume of size 5GiB is smaller than snapshot '${s.SnapshotId}', expect size>= 8GiB`);
    const from = await vol({ SnapshotId: s.SnapshotId });
    assert.deepEqual([from.Size, from.SnapshotId], [8, s.SnapshotId]);
    assert.equal((await vol({ SnapshotId: s.SnapshotId, Size: 30 })).Size, 30);
    const bySnap = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'snapshot-id', Values: [s.SnapshotId!] }] }));
    assert.equal(bySnap.Volumes!.length, 2);
    // An encrypted snapshot gives encrypted volumes, with its key.
    const ev = await vol({ Size: 8, Encrypted: true });
    const es = await ec2.send(new CreateSnapshotCommand({ VolumeId: ev.VolumeId }));
    assert.deepEqual([es.Encrypted, es.KmsKeyId], [true, ev.KmsKeyId]);
    const fromEnc = await vol({ SnapshotId: es.SnapshotId });
    assert.deepEqual([fromEnc.Encrypted, fromEnc.KmsKeyId], [true, ev.KmsKeyId]);
    await rejects(vol({ SnapshotId: 'snap-0123456789abcdef0' }), 'InvalidSnapshot.NotFound', 400, "The snapshot 'snap-0123456789abcdef0' does not exist");
    await rejects(ec2.send(new DescribeSnapshotsCommand({ MaxResults: 1001 })), 'InvalidParameterValue', 400);
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: es.SnapshotId }));
    await rejects(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [es.SnapshotId!] })), 'InvalidSnapshot.NotFound', 400);
  });

  test('CopySnapshot to another Region: a new ID there, encrypted on request with that Region’s key', async () => {
    const v = await vol({ Size: 9 });
    const s = await ec2.send(new CreateSnapshotCommand({ VolumeId: v.VolumeId }));
    const copy = await west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: s.SnapshotId, Encrypted: true }));
    assert.notEqual(copy.SnapshotId, s.SnapshotId);
    const c = (await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] }))).Snapshots![0]!;
    assert.equal(c.VolumeSize, 9);
    assert.equal(c.Encrypted, true);
    assert.match(c.KmsKeyId!, /^arn:aws:kms:us-west-2:111111111111:key\//);
    assert.equal(c.Description, `[Copied ${s.SnapshotId} from us-east-1]`);
    await rejects(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] })), 'InvalidSnapshot.NotFound', 400);
    const vw = (await west.send(new CreateVolumeCommand({ AvailabilityZone: 'us-west-2a', SnapshotId: copy.SnapshotId }))).VolumeId;
    assert.match(vw!, /^vol-/);
    await rejects(west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: 'snap-0123456789abcdef0' })), 'InvalidSnapshot.NotFound', 400);
  });

  test('with CLOUDLET_EBS_DELAY the states move with the cloudlet clock; a second modification after six hours', async () => {
    const advance = (by: string) => fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
    const state = async (id: string) => (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes![0]!.State;
    process.env.CLOUDLET_EBS_DELAY = '60';
    try {
      const v = (await vol({ Size: 10 })).VolumeId!;
      assert.equal(await state(v), 'creating');
      await rejects(ec2.send(new CreateSnapshotCommand({ VolumeId: v })).then(() => ec2.send(new ModifyVolumeCommand({ VolumeId: v, Size: 20 }))), 'IncorrectState', 400);
      await advance('61s');
      assert.equal(await state(v), 'available');
      const s = (await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [v] }] }))).Snapshots![0]!;
      assert.deepEqual([s.State, s.Progress], ['completed', '100%'], 'the snapshot taken while the volume was creating took its 60 s too');
      const s2 = (await ec2.send(new CreateSnapshotCommand({ VolumeId: v }))).SnapshotId!;
      await advance('30s');
      const mid = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [s2] }))).Snapshots![0]!;
      assert.deepEqual([mid.State, mid.Progress], ['pending', '50%']);
      await rejects(vol({ SnapshotId: s2 }), 'IncorrectState', 400, /pending/);
      const m = (await ec2.send(new ModifyVolumeCommand({ VolumeId: v, Size: 20 }))).VolumeModification!;
      assert.equal(m.ModificationState, 'modifying');
      await advance('61s');
      assert.equal((await ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [v] }))).VolumesModifications![0]!.ModificationState, 'optimizing');
      await advance('61s');
      assert.equal((await ec2.send(new DescribeVolumesModificationsCommand({ VolumeIds: [v] }))).VolumesModifications![0]!.ModificationState, 'completed');
      await rejects(ec2.send(new ModifyVolumeCommand({ VolumeId: v, Size: 30 })), 'VolumeModificationRateExceeded', 400);
      await advance('6h');
      assert.equal((await ec2.send(new ModifyVolumeCommand({ VolumeId: v, Size: 30 }))).VolumeModification!.TargetSize, 30);
      await ec2.send(new DeleteVolumeCommand({ VolumeId: v }));
      assert.equal(await state(v), 'deleting');
      await advance('61s');
      await rejects(ec2.send(new DescribeVolumesCommand({ VolumeIds: [v] })), 'InvalidVolume.NotFound', 400);
    } finally {
      delete process.env.CLOUDLET_EBS_DELAY;
    }
  });

  test('sharing: createVolumePermission with another account, public, reset; block public access', async () => {
    const v = await vol({ Size: 4 });
    const s = (await ec2.send(new CreateSnapshotCommand({ VolumeId: v.VolumeId }))).SnapshotId!;
    await rejects(b.send(new DescribeSnapshotsCommand({ SnapshotIds: [s] })), 'InvalidSnapshot.NotFound', 400);
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: s, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: ['222222222222'] }));
    const perms = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: s, Attribute: 'createVolumePermission' }));
    assert.deepEqual(perms.CreateVolumePermissions, [{ UserId: '222222222222' }]);
    const seen = (await b.send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['self'] }))).Snapshots!;
    assert.deepEqual(seen.map((x) => [x.SnapshotId, x.OwnerId]), [[s, '111111111111']]);
    assert.equal((await b.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.length, 0);
    const bv = await b.send(new CreateVolumeCommand({ AvailabilityZone: AZ, SnapshotId: s }));
    assert.equal(bv.Size, 4);
    await rejects(b.send(new DeleteSnapshotCommand({ SnapshotId: s })), 'UnauthorizedOperation', 403);
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: s, CreateVolumePermission: { Remove: [{ UserId: '222222222222' }], Add: [{ Group: 'all' }] } }));
    const pub = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: s, Attribute: 'createVolumePermission' }));
    assert.deepEqual(pub.CreateVolumePermissions, [{ Group: 'all' }]);
    assert.equal((await b.send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['all'] }))).Snapshots!.length, 1);
    // block-all-sharing hides public snapshots; block-new-sharing refuses making more public.
    await ec2.send(new EnableSnapshotBlockPublicAccessCommand({ State: 'block-all-sharing' }));
    assert.equal((await ec2.send(new GetSnapshotBlockPublicAccessStateCommand({}))).State, 'block-all-sharing');
    await rejects(b.send(new DescribeSnapshotsCommand({ SnapshotIds: [s] })), 'InvalidSnapshot.NotFound', 400);
    await ec2.send(new DisableSnapshotBlockPublicAccessCommand({}));
    assert.equal((await b.send(new DescribeSnapshotsCommand({ SnapshotIds: [s] }))).Snapshots!.length, 1);
    await ec2.send(new ResetSnapshotAttributeCommand({ SnapshotId: s, Attribute: 'createVolumePermission' }));
    await rejects(b.send(new DescribeSnapshotsCommand({ SnapshotIds: [s] })), 'InvalidSnapshot.NotFound', 400);
    await ec2.send(new EnableSnapshotBlockPublicAccessCommand({ State: 'block-new-sharing' }));
    await rejects(ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: s, CreateVolumePermission: { Add: [{ Group: 'all' }] } })), 'OperationNotPermitted', 400, /block public access/);
    await ec2.send(new DisableSnapshotBlockPublicAccessCommand({}));
    // Snapshots encrypted with the AWS managed key cannot be shared.
    const ev = await vol({ Size: 4, Encrypted: true });
    const es = (await ec2.send(new CreateSnapshotCommand({ VolumeId: ev.VolumeId }))).SnapshotId!;
    await rejects(ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: es, CreateVolumePermission: { Add: [{ UserId: '222222222222' }] } })), 'OperationNotPermitted', 400);
  });
});

describe('EBS volumes on instances (RunInstances)', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', A));
  });
  after(async () => { await cl.close(); });

  /** An Amazon Linux instance in us-east-1a. */
  async function launch(): Promise<string> {
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.7.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }));
    const r = await ec2.send(new RunInstancesCommand({ ImageId: images.Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }));
    return r.Instances![0]!.InstanceId!;
  }

  test('attach across zones refused, VolumeInUse, attachment point in use, root stays, detach; terminate deletes DeleteOnTermination volumes', async () => {
    const id = await launch();
    const inst = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
    const i = await inst();
    const rootDevice = i.RootDeviceName!;
    const rootVol = i.BlockDeviceMappings!.find((m) => m.DeviceName === rootDevice)!.Ebs!.VolumeId!;
    const root = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [rootVol] }))).Volumes![0]!;
    assert.equal(root.State, 'in-use');
    assert.deepEqual(root.Attachments!.map((a) => [a.InstanceId, a.Device, a.State, a.DeleteOnTermination]), [[id, rootDevice, 'attached', true]]);
    const far = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', Size: 10 }))).VolumeId!;
    await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: far, InstanceId: id, Device: '/dev/sdf' })), 'InvalidVolume.ZoneMismatch', 400,
      `The volume '${far}' is not in the same availability zone as instance '${id}'`);
    const data = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10 }))).VolumeId!;
    const other = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10 }))).VolumeId!;
    const a = await ec2.send(new AttachVolumeCommand({ VolumeId: data, InstanceId: id, Device: '/dev/sdf' }));
    assert.deepEqual([a.State, a.Device, a.InstanceId], ['attaching', '/dev/sdf', id]);
    const d = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes!;
    assert.deepEqual(d.map((v) => v.VolumeId).sort(), [rootVol, data].sort());
    assert.ok((await inst()).BlockDeviceMappings!.some((m) => m.DeviceName === '/dev/sdf' && m.Ebs!.VolumeId === data));
    await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: data, InstanceId: id, Device: '/dev/sdg' })), 'VolumeInUse', 400, `${data} is already attached to an instance`);
    await rejects(ec2.send(new AttachVolumeCommand({ VolumeId: other, InstanceId: id, Device: '/dev/sdf' })), 'InvalidParameterValue', 400, 'Attachment point /dev/sdf is already in use');
    await rejects(ec2.send(new DeleteVolumeCommand({ VolumeId: data })), 'VolumeInUse', 400, `Volume ${data} is currently attached to ${id}`);
    await rejects(ec2.send(new DetachVolumeCommand({ VolumeId: rootVol })), 'OperationNotPermitted', 400, `Unable to detach root volume '${rootVol}' from instance '${id}'`);
    assert.equal((await ec2.send(new DetachVolumeCommand({ VolumeId: data }))).State, 'detaching');
    assert.equal((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [data] }))).Volumes![0]!.State, 'available');
    assert.ok(!(await inst()).BlockDeviceMappings!.some((m) => m.DeviceName === '/dev/sdf'));
    await ec2.send(new AttachVolumeCommand({ VolumeId: other, InstanceId: id, Device: '/dev/sdh' }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await rejects(ec2.send(new DescribeVolumesCommand({ VolumeIds: [rootVol] })), 'InvalidVolume.NotFound', 400);
    const kept = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [other] }))).Volumes![0]!;
    assert.deepEqual([kept.State, kept.Attachments], ['available', []]);
  });
});

for (const cli of awsClis()) {
  describe(`EBS with the ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    test('create-volume, wait volume-available (at once), create-snapshot, wait snapshot-completed, describe, delete', async () => {
      const v = await awsJson(cli.bin, cl.url, ['ec2', 'create-volume', '--availability-zone', 'us-east-1a', '--size', '20', '--volume-type', 'gp3',
        '--iops', '4000', '--tag-specifications', 'ResourceType=volume,Tags=[{Key=Name,Value=cli}]']);
      assert.match(v.VolumeId, /^vol-[0-9a-f]{17}$/);
      assert.deepEqual([v.Size, v.VolumeType, v.Iops, v.Throughput], [20, 'gp3', 4000, 125]);
      const started = Date.now();
      const w = await runAws(cli.bin, cl.url, ['ec2', 'wait', 'volume-available', '--volume-ids', v.VolumeId]);
      assert.equal(w.status, 0, w.stderr);
      assert.ok(Date.now() - started < 10_000, 'the waiter did not sleep');
      const s = await awsJson(cli.bin, cl.url, ['ec2', 'create-snapshot', '--volume-id', v.VolumeId, '--description', 'from cli']);
      const ws = await runAws(cli.bin, cl.url, ['ec2', 'wait', 'snapshot-completed', '--snapshot-ids', s.SnapshotId]);
      assert.equal(ws.status, 0, ws.stderr);
      const d = await awsJson(cli.bin, cl.url, ['ec2', 'describe-volumes', '--filters', 'Name=tag:Name,Values=cli']);
      assert.deepEqual(d.Volumes.map((x: { VolumeId: string }) => x.VolumeId), [v.VolumeId]);
      const bad = await runAws(cli.bin, cl.url, ['ec2', 'create-volume', '--availability-zone', 'us-east-1a', '--size', '20000']);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /InvalidParameterValue.*Volume of 20000GiB is too large for gp2; maximum is 16384GiB/);
      assert.equal((await runAws(cli.bin, cl.url, ['ec2', 'delete-volume', '--volume-id', v.VolumeId])).status, 0);
      const wd = await runAws(cli.bin, cl.url, ['ec2', 'wait', 'volume-deleted', '--volume-ids', v.VolumeId]);
      assert.equal(wd.status, 0, wd.stderr);
    });
  });
}
