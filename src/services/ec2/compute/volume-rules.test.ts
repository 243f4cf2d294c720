import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../../core/errors.js';
import { checkDeviceName, deviceKey, gp2Iops, isNitro, modifiedSpec, volumeSpec, type VolumeSpec } from './volume-rules.js';

/** Asserts an AwsError with this code and (exact or matching) message. */
function refuses(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('gp2: 1-16384 GiB, IOPS 3 per GiB between 100 and 16000, not settable', () => {
  assert.deepEqual(volumeSpec({ type: 'gp2', size: 8 }), { type: 'gp2', size: 8, iops: 100, multiAttach: false });
  assert.equal(volumeSpec({ type: 'gp2', size: 1000 }).iops, 3000);
  assert.equal(volumeSpec({ type: 'gp2', size: 16384 }).iops, 16000);
  assert.equal(gp2Iops(5334), 16000);
  assert.equal(volumeSpec({ size: 1 }).type, 'gp2', 'gp2 is the default type');
  refuses(() => volumeSpec({ type: 'gp2', size: 20000 }), 'InvalidParameterValue', 'Volume of 20000GiB is too large for gp2; maximum is 16384GiB');
  refuses(() => volumeSpec({ type: 'gp2', size: 0 }), 'InvalidParameterValue', /size is invalid/);
  refuses(() => volumeSpec({ type: 'gp2', size: 10, iops: 300 }), 'InvalidParameterCombination', 'The parameter iops is not supported for gp2 volumes.');
  refuses(() => volumeSpec({ type: 'gp2', size: 10, throughput: 200 }), 'InvalidParameterCombination', 'The parameter throughput can only be specified for volumeType gp3.');
});

test('gp3: 3000 IOPS / 125 MiB/s by default at any size, up to 16000 IOPS (500 per GiB) and 1000 MiB/s (0.25 per IOPS)', () => {
  assert.deepEqual(volumeSpec({ type: 'gp3', size: 1 }), { type: 'gp3', size: 1, iops: 3000, throughput: 125, multiAttach: false });
  assert.deepEqual(volumeSpec({ type: 'gp3', size: 32, iops: 16000, throughput: 1000 }), { type: 'gp3', size: 32, iops: 16000, throughput: 1000, multiAttach: false });
  refuses(() => volumeSpec({ type: 'gp3', size: 16385 }), 'InvalidParameterValue', 'Volume of 16385GiB is too large for gp3; maximum is 16384GiB');
  refuses(() => volumeSpec({ type: 'gp3', size: 20, iops: 15000 }), 'InvalidParameterValue', 'Iops to volume size ratio of 750.000000 is too high; maximum is 500');
  refuses(() => volumeSpec({ type: 'gp3', size: 100, iops: 16001 }), 'InvalidParameterValue', 'Volume iops of 16001 is too high; maximum is 16000.');
  refuses(() => volumeSpec({ type: 'gp3', size: 100, iops: 2000 }), 'InvalidParameterValue', 'Volume iops of 2000 is too low; minimum is 3000.');
  refuses(() => volumeSpec({ type: 'gp3', size: 100, throughput: 1001, iops: 16000 }), 'InvalidParameterValue', 'Throughput (MiBps) of 1001 is too high; maximum is 1000');
  refuses(() => volumeSpec({ type: 'gp3', size: 100, throughput: 100 }), 'InvalidParameterValue', 'Throughput (MiBps) of 100 is too low; minimum is 125');
  refuses(() => volumeSpec({ type: 'gp3', size: 100, throughput: 1000 }), 'InvalidParameterValue',
    'Throughput (MiBps) to iops ratio of 0.333333 is too high; maximum is 0.250000 MiBps per iops');
  assert.equal(volumeSpec({ type: 'gp3', size: 100, throughput: 750 }).throughput, 750, '750 MiB/s at 3000 IOPS is exactly 0.25');
});

test('io1: 4-16384 GiB, 100-64000 IOPS at most 50 per GiB, IOPS required', () => {
  assert.deepEqual(volumeSpec({ type: 'io1', size: 4, iops: 200 }), { type: 'io1', size: 4, iops: 200, multiAttach: false });
  refuses(() => volumeSpec({ type: 'io1', size: 10 }), 'InvalidParameterCombination', 'The parameter iops must be specified for io1 volumes.');
  refuses(() => volumeSpec({ type: 'io1', size: 3, iops: 100 }), 'InvalidParameterValue', 'Volume of 3GiB is too small for io1; minimum is 4GiB');
  refuses(() => volumeSpec({ type: 'io1', size: 16385, iops: 100 }), 'InvalidParameterValue', 'Volume of 16385GiB is too large for io1; maximum is 16384GiB');
  refuses(() => volumeSpec({ type: 'io1', size: 100, iops: 99 }), 'InvalidParameterValue', 'Volume iops of 99 is too low; minimum is 100.');
  refuses(() => volumeSpec({ type: 'io1', size: 2000, iops: 64001 }), 'InvalidParameterValue', 'Volume iops of 64001 is too high; maximum is 64000.');
  refuses(() => volumeSpec({ type: 'io1', size: 15, iops: 4000 }), 'InvalidParameterValue', 'Iops to volume size ratio of 266.666667 is too high; maximum is 50');
  refuses(() => volumeSpec({ type: 'io1', size: 100, iops: 1000, throughput: 200 }), 'InvalidParameterCombination', /throughput can only be specified for volumeType gp3/);
  assert.equal(volumeSpec({ type: 'io1', size: 100, iops: 1000, multiAttach: true }).multiAttach, true);
});

test('io2 (Block Express): 4-65536 GiB, 100-256000 IOPS at most 1000 per GiB', () => {
  assert.equal(volumeSpec({ type: 'io2', size: 65536, iops: 256000 }).size, 65536);
  assert.equal(volumeSpec({ type: 'io2', size: 10, iops: 10000 }).iops, 10000);
  refuses(() => volumeSpec({ type: 'io2', size: 10 }), 'InvalidParameterCombination', 'The parameter iops must be specified for io2 volumes.');
  refuses(() => volumeSpec({ type: 'io2', size: 65537, iops: 1000 }), 'InvalidParameterValue', 'Volume of 65537GiB is too large for io2; maximum is 65536GiB');
  refuses(() => volumeSpec({ type: 'io2', size: 1000, iops: 256001 }), 'InvalidParameterValue', 'Volume iops of 256001 is too high; maximum is 256000.');
  refuses(() => volumeSpec({ type: 'io2', size: 10, iops: 10001 }), 'InvalidParameterValue', 'Iops to volume size ratio of 1000.100000 is too high; maximum is 1000');
});

test('st1 and sc1: 125-16384 GiB, no IOPS; standard: 1-1024 GiB', () => {
  for (const type of ['st1', 'sc1'] as const) {
    assert.deepEqual(volumeSpec({ type, size: 125 }), { type, size: 125, multiAttach: false });
    refuses(() => volumeSpec({ type, size: 124 }), 'InvalidParameterValue', `Volume of 124GiB is too small for ${type}; minimum is 125GiB`);
    refuses(() => volumeSpec({ type, size: 16385 }), 'InvalidParameterValue', `Volume of 16385GiB is too large for ${type}; maximum is 16384GiB`);
    refuses(() => volumeSpec({ type, size: 500, iops: 500 }), 'InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`);
  }
  assert.deepEqual(volumeSpec({ type: 'standard', size: 1024 }), { type: 'standard', size: 1024, multiAttach: false });
  refuses(() => volumeSpec({ type: 'standard', size: 1025 }), 'InvalidParameterValue', 'Volume of 1025GiB is too large for standard; maximum is 1024GiB');
  refuses(() => volumeSpec({ type: 'gp4', size: 10 }), 'InvalidParameterValue', 'Value (gp4) for parameter volumeType is invalid. Valid values: standard, io1, io2, gp2, sc1, st1, gp3');
});

test('Multi-Attach only for io1/io2; size from a snapshot, never smaller than it', () => {
  refuses(() => volumeSpec({ type: 'gp3', size: 10, multiAttach: true }), 'InvalidParameterCombination', /Multi-Attach is supported only for io1 and io2/);
  assert.equal(volumeSpec({ snapshotId: 'snap-1', snapshotSize: 8 }).size, 8);
  assert.equal(volumeSpec({ size: 20, snapshotId: 'snap-1', snapshotSize: 8 }).size, 20);
  refuses(() => volumeSpec({ size: 5, snapshotId: 'snap-0123456789abcdef0', snapshotSize: 8 }), 'InvalidParameterValue',
    "Volume of size 5GiB is smaller than snapshot 'snap-0123456789abcdef0', expect size>= 8GiB");
  refuses(() => volumeSpec({ type: 'st1', snapshotId: 'snap-1', snapshotSize: 8 }), 'InvalidParameterValue', /too small for st1; minimum is 125GiB/);
  refuses(() => volumeSpec({ type: 'gp2' }), 'MissingParameter', 'The request must contain the parameter size or snapshotId');
});

test('ModifyVolume: size only grows, IOPS carry over, type changes recompute what the new type has', () => {
  const gp2: VolumeSpec = { type: 'gp2', size: 8, iops: 100, multiAttach: false };
  assert.deepEqual(modifiedSpec(gp2, { size: 100 }), { type: 'gp2', size: 100, iops: 300, multiAttach: false });
  assert.deepEqual(modifiedSpec(gp2, { type: 'gp3' }), { type: 'gp3', size: 8, iops: 3000, throughput: 125, multiAttach: false });
  refuses(() => modifiedSpec(gp2, { size: 4 }), 'InvalidParameterValue', /New size cannot be smaller than existing size/);
  refuses(() => modifiedSpec(gp2, { type: 'io1' }), 'InvalidParameterCombination', 'The parameter iops must be specified for io1 volumes.');
  refuses(() => modifiedSpec(gp2, { size: 8 }), 'InvalidParameterValue', /equal to the current/);
  refuses(() => modifiedSpec(gp2, {}), 'MissingParameter', /at least one/);
  const io1: VolumeSpec = { type: 'io1', size: 100, iops: 1000, multiAttach: false };
  assert.deepEqual(modifiedSpec(io1, { type: 'io2' }), { type: 'io2', size: 100, iops: 1000, multiAttach: false });
  assert.deepEqual(modifiedSpec(io1, { type: 'gp2' }), { type: 'gp2', size: 100, iops: 300, multiAttach: false });
  const gp3: VolumeSpec = { type: 'gp3', size: 100, iops: 6000, throughput: 500, multiAttach: false };
  assert.deepEqual(modifiedSpec(gp3, { size: 200 }), { type: 'gp3', size: 200, iops: 6000, throughput: 500, multiAttach: false });
  refuses(() => modifiedSpec({ type: 'standard', size: 10, multiAttach: false }, { type: 'gp3' }), 'InvalidParameterValue', /standard/);
});

test('device names: /dev/sd[a-z], /dev/xvd[a-z], /dev/xvd[b-c][a-z], Windows xvd*; sdf and xvdf are one attachment point', () => {
  for (const d of ['/dev/sdf', '/dev/sdp', '/dev/sda1', '/dev/xvdh', '/dev/xvdba', '/dev/hdb', 'xvdf', 'xvdcz']) assert.equal(checkDeviceName(d), d);
  for (const d of ['/dev/foo', 'sdf', '/dev/sd', '/dev/xvdda', '/dev/sdf16', '']) {
    refuses(() => checkDeviceName(d), d ? 'InvalidParameterValue' : 'MissingParameter', d ? `Value (${d}) for parameter device is invalid. ${d} is not a valid EBS device name.` : /device/);
  }
  assert.equal(deviceKey('/dev/sdf'), deviceKey('/dev/xvdf'));
  assert.notEqual(deviceKey('/dev/sdf'), deviceKey('/dev/sdg'));
  assert.ok(isNitro('m5.large') && isNitro('t3.micro') && !isNitro('t2.micro') && !isNitro('m4.xlarge'));
});
