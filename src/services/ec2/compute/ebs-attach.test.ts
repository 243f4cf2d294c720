// AttachVolume / DetachVolume and the contract calls RunInstances and termination make, on a
// memory store with instance rows written as RunInstances writes them (the e2e test of the
// same through RunInstances comes with it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../../core/errors.js';
import { createMemoryStore } from '../../../store/memory.js';
import type { Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { attachVolume, detachVolume } from './ebs-attach.js';
import { createLaunchVolume, getVolume, releaseVolumesAtTermination, snapshotVolume, volumeState } from './ebs-core.js';
import { COMPUTE_KIND, type InstanceRecord } from './records.js';
import { createSnapshots, deleteSnapshot } from './snapshots.js';
import { createVolume, deleteVolume } from './volumes.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const NOW = 1_700_000_000_000;

const ctxOf = (tx: Tx): RequestContext =>
  ({ tx, scope, account: scope.account, region: scope.region, clock: { nowMs: () => NOW } }) as unknown as RequestContext;

function instance(tx: Tx, id: string, o: Partial<InstanceRecord> = {}): InstanceRecord {
  const i = {
    id, imageId: 'ami-0123456789abcdef0', instanceType: 'm5.large', architecture: 'x86_64', zoneName: 'us-east-1a', zoneId: 'use1-az1',
    lastSubnetId: 'subnet-1', lastVpcId: 'vpc-1', networkInterfaceIds: [], privateIp: '10.0.0.4', groups: [],
    placement: { tenancy: 'default' }, blockDevices: [], rootDeviceName: '/dev/xvda', rootDeviceType: 'ebs',
    phase: 'start', sinceMs: NOW - 1000, doneMs: NOW - 1000, runs: [], ...o,
  } as unknown as InstanceRecord;
  tx.put(scope, COMPUTE_KIND.instance, id, i);
  return i;
}

function refuses(fn: () => unknown, code: string, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const I1 = 'i-0000000000000000a';
const I2 = 'i-0000000000000000b';

test('createLaunchVolume: attached at once; a catalog snapshot by size; releaseVolumesAtTermination deletes or detaches', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const ctx = ctxOf(tx);
    const root = createLaunchVolume(ctx, {
      zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/xvda', deleteOnTermination: true,
      snapshotId: 'snap-0123456789abcdef0', snapshotSize: 8, type: 'gp3',
    });
    assert.deepEqual([root.size, root.type, root.iops, root.snapshotId, volumeState(root, NOW)], [8, 'gp3', 3000, 'snap-0123456789abcdef0', 'in-use']);
    refuses(() => createLaunchVolume(ctx, { zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/sdb', deleteOnTermination: true,
      snapshotId: 'snap-0123456789abcdef0', snapshotSize: 8, size: 4 }), 'InvalidParameterValue', /smaller than snapshot/);
    const data = createLaunchVolume(ctx, { zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/sdb', deleteOnTermination: false, size: 20 });
    instance(tx, I1, {
      blockDevices: [{ deviceName: '/dev/xvda', volumeId: root.id, deleteOnTermination: true, attachMs: NOW },
        { deviceName: '/dev/sdb', volumeId: data.id, deleteOnTermination: false, attachMs: NOW }],
    });
    const snap = snapshotVolume(ctx, root.id, 'for an image');
    assert.deepEqual([snap.volumeId, snap.volumeSize, snap.description], [root.id, 8, 'for an image']);
    releaseVolumesAtTermination(ctx, I1);
    refuses(() => getVolume(ctx, root.id), 'InvalidVolume.NotFound');
    const left = getVolume(ctx, data.id);
    assert.deepEqual([left.attachments, volumeState(left, NOW)], [[], 'available']);
  });
});

test('launch volumes follow the account default encryption', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    tx.put(scope, COMPUTE_KIND.setting, 'ebs-encryption-by-default', { enabled: true });
    const v = createLaunchVolume(ctxOf(tx), { zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/xvda', deleteOnTermination: true, size: 8 });
    assert.equal(v.encrypted, true);
    assert.match(v.kmsKeyId!, /^arn:aws:kms:us-east-1:111111111111:key\//);
  });
});

test('AttachVolume / DetachVolume: zone, state, device and root rules; blockDevices kept in step', async () => {
  const store = createMemoryStore();
  await store.transaction(async (tx) => {
    const ctx = ctxOf(tx);
    instance(tx, I1);
    instance(tx, I2, { zoneName: 'us-east-1b', zoneId: 'use1-az2' });
    const v = (await createVolume({ AvailabilityZone: 'us-east-1a', Size: 10 }, ctx)).VolumeId!;
    const far = (await createVolume({ AvailabilityZone: 'us-east-1a', Size: 10 }, ctx)).VolumeId!;
    refuses(() => attachVolume({ VolumeId: far, InstanceId: I2, Device: '/dev/sdf' }, ctx), 'InvalidVolume.ZoneMismatch',
      `The volume '${far}' is not in the same availability zone as instance '${I2}'`);
    refuses(() => attachVolume({ VolumeId: v, InstanceId: 'i-0000000000000000c', Device: '/dev/sdf' }, ctx), 'InvalidInstanceID.NotFound');
    refuses(() => attachVolume({ VolumeId: v, InstanceId: I1, Device: '/dev/foo' }, ctx), 'InvalidParameterValue', /not a valid EBS device name/);
    const a = attachVolume({ VolumeId: v, InstanceId: I1, Device: '/dev/sdf' }, ctx) as { State: string; Device: string };
    assert.deepEqual([a.State, a.Device], ['attaching', '/dev/sdf']);
    assert.equal(volumeState(getVolume(ctx, v), NOW), 'in-use');
    assert.deepEqual(tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, I1)!.blockDevices.map((b) => [b.deviceName, b.volumeId, b.deleteOnTermination]), [['/dev/sdf', v, false]]);
    refuses(() => attachVolume({ VolumeId: v, InstanceId: I1, Device: '/dev/sdg' }, ctx), 'VolumeInUse', `${v} is already attached to an instance`);
    refuses(() => attachVolume({ VolumeId: far, InstanceId: I1, Device: '/dev/xvdf' }, ctx), 'InvalidParameterValue', 'Attachment point /dev/xvdf is already in use');
    refuses(() => deleteVolume({ VolumeId: v }, ctx), 'VolumeInUse', `Volume ${v} is currently attached to ${I1}`);
    const d = detachVolume({ VolumeId: v }, ctx) as { State: string };
    assert.equal(d.State, 'detaching');
    assert.equal(volumeState(getVolume(ctx, v), NOW), 'available');
    assert.deepEqual(tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, I1)!.blockDevices, []);
    refuses(() => detachVolume({ VolumeId: v }, ctx), 'IncorrectState');
    // The root volume of a running instance stays.
    attachVolume({ VolumeId: far, InstanceId: I1, Device: '/dev/xvda' }, ctx);
    refuses(() => detachVolume({ VolumeId: far, Force: true }, ctx), 'OperationNotPermitted', `Unable to detach root volume '${far}' from instance '${I1}'`);
    // A pending instance takes no volume.
    instance(tx, 'i-0000000000000000d', { doneMs: NOW + 60_000 });
    refuses(() => attachVolume({ VolumeId: v, InstanceId: 'i-0000000000000000d', Device: '/dev/sdf' }, ctx), 'IncorrectState');
    await deleteVolume({ VolumeId: v }, ctx);
  });
});

test('Multi-Attach: io1/io2 on Nitro instances only, up to 16', async () => {
  const store = createMemoryStore();
  await store.transaction(async (tx) => {
    const ctx = ctxOf(tx);
    const v = (await createVolume({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'io2', Iops: 1000, MultiAttachEnabled: true }, ctx)).VolumeId!;
    instance(tx, I1);
    instance(tx, I2);
    instance(tx, 'i-0000000000000000e', { instanceType: 't2.micro' });
    attachVolume({ VolumeId: v, InstanceId: I1, Device: '/dev/sdf' }, ctx);
    attachVolume({ VolumeId: v, InstanceId: I2, Device: '/dev/sdf' }, ctx);
    refuses(() => attachVolume({ VolumeId: v, InstanceId: 'i-0000000000000000e', Device: '/dev/sdf' }, ctx), 'InvalidParameterCombination', /Nitro/);
    refuses(() => attachVolume({ VolumeId: v, InstanceId: I1, Device: '/dev/sdg' }, ctx), 'VolumeInUse');
    assert.equal(getVolume(ctx, v).attachments.length, 2);
    refuses(() => detachVolume({ VolumeId: v }, ctx), 'InvalidParameterCombination', /more than one instance/);
    detachVolume({ VolumeId: v, InstanceId: I2 }, ctx);
    assert.deepEqual(getVolume(ctx, v).attachments.map((a) => a.instanceId), [I1]);
  });
});

test('CreateSnapshots: every attached volume, or all but the boot volume; DeleteSnapshot refused while an AMI uses it', async () => {
  const store = createMemoryStore();
  await store.transaction(async (tx) => {
    const ctx = ctxOf(tx);
    const root = createLaunchVolume(ctx, { zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/xvda', deleteOnTermination: true, size: 8 });
    const data = createLaunchVolume(ctx, { zoneName: 'us-east-1a', zoneId: 'use1-az1', instanceId: I1, device: '/dev/sdb', deleteOnTermination: false, size: 20 });
    instance(tx, I1);
    const all = (await createSnapshots({ InstanceSpecification: { InstanceId: I1 }, Description: 'all' }, ctx)).Snapshots!;
    assert.deepEqual(all.map((s) => [s.VolumeId, s.VolumeSize]), [[data.id, 20], [root.id, 8]]);
    const noBoot = (await createSnapshots({ InstanceSpecification: { InstanceId: I1, ExcludeBootVolume: true } }, ctx)).Snapshots!;
    assert.deepEqual(noBoot.map((s) => s.VolumeId), [data.id]);
    const used = all[1]!.SnapshotId!;
    tx.put(scope, COMPUTE_KIND.image, 'ami-0000000000000000a', { id: 'ami-0000000000000000a', state: 'available', snapshotIds: [used] });
    refuses(() => deleteSnapshot({ SnapshotId: used }, ctx), 'InvalidSnapshot.InUse', `The snapshot ${used} is currently in use by ami-0000000000000000a`);
    tx.put(scope, COMPUTE_KIND.image, 'ami-0000000000000000a', { id: 'ami-0000000000000000a', state: 'deregistered', snapshotIds: [used] });
    deleteSnapshot({ SnapshotId: used }, ctx);
    refuses(() => deleteSnapshot({ SnapshotId: used }, ctx), 'InvalidSnapshot.NotFound');
  });
});
