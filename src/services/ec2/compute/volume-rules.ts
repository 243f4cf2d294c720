/**
 * EBS volume rules, pure: the size, IOPS and throughput each volume type allows (AWS's EBS
 * volume types page), the defaults AWS fills in, the device names AttachVolume accepts, and
 * what ModifyVolume may change. No store, no clock: CreateVolume, RunInstances' block device
 * mappings and ModifyVolume all validate through here, so they refuse the same things alike.
 *
 * io2: since 30 April 2025 every io2 volume is io2 Block Express (AWS's Provisioned IOPS page),
 * so its limits are Block Express's: 4-65536 GiB, 100-256000 IOPS, 1000 IOPS per GiB.
 */
import { AwsError } from '../../../core/errors.js';
import type { VolumeType } from './records.js';

export const VOLUME_TYPES: readonly VolumeType[] = ['standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3'];

export interface TypeLimits {
  minSize: number;
  maxSize: number;
  /** Provisioned IOPS range (io1/io2/gp3); undefined: IOPS cannot be set. */
  iops?: { min: number; max: number; perGiB: number; required: boolean; default?: number };
  /** gp3 only. */
  throughput?: { min: number; max: number; perIops: number; default: number };
  multiAttach: boolean;
}

export const LIMITS: Record<VolumeType, TypeLimits> = {
  gp2: { minSize: 1, maxSize: 16384, multiAttach: false },
  gp3: {
    minSize: 1, maxSize: 16384, multiAttach: false,
    iops: { min: 3000, max: 16000, perGiB: 500, required: false, default: 3000 },
    throughput: { min: 125, max: 1000, perIops: 0.25, default: 125 },
  },
  io1: { minSize: 4, maxSize: 16384, multiAttach: true, iops: { min: 100, max: 64000, perGiB: 50, required: true } },
  io2: { minSize: 4, maxSize: 65536, multiAttach: true, iops: { min: 100, max: 256000, perGiB: 1000, required: true } },
  st1: { minSize: 125, maxSize: 16384, multiAttach: false },
  sc1: { minSize: 125, maxSize: 16384, multiAttach: false },
  standard: { minSize: 1, maxSize: 1024, multiAttach: false },
};

/** gp2's baseline: 3 IOPS per GiB, at least 100, at most 16000 (not settable). */
export const gp2Iops = (size: number): number => Math.max(100, Math.min(16000, 3 * size));

export interface VolumeSpecInput {
  type?: string;
  size?: number;
  iops?: number;
  throughput?: number;
  multiAttach?: boolean;
  /** Creating from a snapshot: its ID (for messages) and size. */
  snapshotId?: string;
  snapshotSize?: number;
}

export interface VolumeSpec {
  type: VolumeType;
  size: number;
  /** As AWS reports it: gp2's baseline, gp3's default, or the provisioned value; none for st1/sc1/standard. */
  iops?: number;
  throughput?: number;
  multiAttach: boolean;
}

export function checkVolumeType(type: string): VolumeType {
  if (!(VOLUME_TYPES as readonly string[]).includes(type)) {
    throw new AwsError('InvalidParameterValue', `Value (${type}) for parameter volumeType is invalid. Valid values: ${VOLUME_TYPES.join(', ')}`);
  }
  return type as VolumeType;
}

const ratio = (n: number): string => n.toFixed(6);

function checkSize(type: VolumeType, size: number): void {
  const l = LIMITS[type];
  if (!Number.isInteger(size) || size < 1) {
    throw new AwsError('InvalidParameterValue', `Value (${size}) for parameter size is invalid. Size must be a positive integer`);
  }
  if (size > l.maxSize) throw new AwsError('InvalidParameterValue', `Volume of ${size}GiB is too large for ${type}; maximum is ${l.maxSize}GiB`);
  if (size < l.minSize) throw new AwsError('InvalidParameterValue', `Volume of ${size}GiB is too small for ${type}; minimum is ${l.minSize}GiB`);
}

/** IOPS and throughput of a type at a size, as given or defaulted, or AWS's refusal. */
function performance(type: VolumeType, size: number, iops: number | undefined, throughput: number | undefined): Pick<VolumeSpec, 'iops' | 'throughput'> {
  const l = LIMITS[type];
  if (throughput !== undefined && !l.throughput) {
    throw new AwsError('InvalidParameterCombination', 'The parameter throughput can only be specified for volumeType gp3.');
  }
  if (!l.iops) {
    if (iops !== undefined) throw new AwsError('InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`);
    return type === 'gp2' ? { iops: gp2Iops(size) } : {};
  }
  if (iops === undefined && l.iops.required) {
    throw new AwsError('InvalidParameterCombination', `The parameter iops must be specified for ${type} volumes.`);
  }
  const io = iops ?? l.iops.default!;
  if (!Number.isInteger(io)) throw new AwsError('InvalidParameterValue', `Value (${io}) for parameter iops is invalid. Iops must be an integer`);
  if (io > l.iops.max) throw new AwsError('InvalidParameterValue', `Volume iops of ${io} is too high; maximum is ${l.iops.max}.`);
  if (io < l.iops.min) throw new AwsError('InvalidParameterValue', `Volume iops of ${io} is too low; minimum is ${l.iops.min}.`);
  // gp3's 3000 IOPS baseline holds at any size; the ratio bounds what is provisioned above it.
  if (io > (l.iops.default ?? 0) && io / size > l.iops.perGiB) {
    throw new AwsError('InvalidParameterValue', `Iops to volume size ratio of ${ratio(io / size)} is too high; maximum is ${l.iops.perGiB}`);
  }
  if (!l.throughput) return { iops: io };
  const tp = throughput ?? l.throughput.default;
  if (!Number.isInteger(tp)) throw new AwsError('InvalidParameterValue', `Value (${tp}) for parameter throughput is invalid. Throughput must be an integer`);
  if (tp > l.throughput.max) throw new AwsError('InvalidParameterValue', `Throughput (MiBps) of ${tp} is too high; maximum is ${l.throughput.max}`);
  if (tp < l.throughput.min) throw new AwsError('InvalidParameterValue', `Throughput (MiBps) of ${tp} is too low; minimum is ${l.throughput.min}`);
  if (tp > l.throughput.default && tp / io > l.throughput.perIops) {
    throw new AwsError('InvalidParameterValue', `Throughput (MiBps) to iops ratio of ${ratio(tp / io)} is too high; maximum is ${ratio(l.throughput.perIops)} MiBps per iops`);
  }
  return { iops: io, throughput: tp };
}

/** A new volume's type, size, IOPS and throughput, or AWS's error for the request. */
export function volumeSpec(o: VolumeSpecInput): VolumeSpec {
  const type = checkVolumeType(o.type ?? 'gp2');
  if (o.size === undefined && o.snapshotSize === undefined) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter size or snapshotId');
  }
  const size = o.size ?? o.snapshotSize!;
  checkSize(type, size);
  if (o.snapshotSize !== undefined && size < o.snapshotSize) {
    throw new AwsError('InvalidParameterValue', `Volume of size ${size}GiB is smaller than snapshot '${o.snapshotId ?? ''}', expect size>= ${o.snapshotSize}GiB`);
  }
  const multiAttach = o.multiAttach ?? false;
  if (multiAttach && !LIMITS[type].multiAttach) {
    throw new AwsError('InvalidParameterCombination', `Multi-Attach is supported only for io1 and io2 volumes; the volume type is ${type}.`);
  }
  return { type, size, ...performance(type, size, o.iops, o.throughput), multiAttach };
}

export interface ModifyInput {
  size?: number;
  type?: string;
  iops?: number;
  throughput?: number;
  multiAttach?: boolean;
}

/**
 * The volume after a ModifyVolume: only what the request names changes; size only grows;
 * IOPS and throughput carry over where the new type has them (gp2 recomputes its baseline).
 */
export function modifiedSpec(current: VolumeSpec, m: ModifyInput): VolumeSpec {
  if (m.size === undefined && m.type === undefined && m.iops === undefined && m.throughput === undefined && m.multiAttach === undefined) {
    throw new AwsError('MissingParameter', 'The request must contain at least one of the parameters size, volumeType, iops, throughput or multiAttachEnabled');
  }
  if (current.type === 'standard') {
    throw new AwsError('InvalidParameterValue', 'Volumes of type standard (magnetic) cannot be modified');
  }
  const type = m.type === undefined ? current.type : checkVolumeType(m.type);
  const size = m.size ?? current.size;
  if (size < current.size) {
    throw new AwsError('InvalidParameterValue', `New size cannot be smaller than existing size. Existing size: ${current.size}GiB, requested size: ${size}GiB`);
  }
  checkSize(type, size);
  const keep = LIMITS[type].iops && (type === current.type || LIMITS[current.type].iops) ? current.iops : undefined;
  // Moving from gp3/io1/io2 to a type without provisioned IOPS drops them.
  const iops = m.iops ?? (LIMITS[type].iops ? keep : undefined);
  const throughput = m.throughput ?? (LIMITS[type].throughput && current.type === 'gp3' ? current.throughput : undefined);
  const multiAttach = m.multiAttach ?? (LIMITS[type].multiAttach ? current.multiAttach : false);
  if (multiAttach && !LIMITS[type].multiAttach) {
    throw new AwsError('InvalidParameterCombination', `Multi-Attach is supported only for io1 and io2 volumes; the volume type is ${type}.`);
  }
  const next: VolumeSpec = { type, size, ...performance(type, size, iops, throughput), multiAttach };
  if (next.type === current.type && next.size === current.size && next.iops === current.iops && next.throughput === current.throughput && next.multiAttach === current.multiAttach) {
    throw new AwsError('InvalidParameterValue', `New parameters are equal to the current parameters of the volume`);
  }
  return next;
}

/**
 * Device names AttachVolume accepts (AWS's device naming page): /dev/sd[a-z] (with partition
 * 1-15 for the root's /dev/sda1), /dev/xvd[a-z], /dev/xvd[b-c][a-z], /dev/hd[a-z], and the
 * Windows forms xvd[a-z] / xvd[b-c][a-z] without /dev/.
 */
const DEVICE_RE = /^(?:\/dev\/(?:sd[a-z](?:[1-9]|1[0-5])?|xvd[a-z]|xvd[b-c][a-z]|hd[a-z])|xvd[a-z]|xvd[b-c][a-z])$/;

export function checkDeviceName(device: string | undefined): string {
  if (!device) throw new AwsError('MissingParameter', 'The request must contain the parameter device');
  if (!DEVICE_RE.test(device)) {
    throw new AwsError('InvalidParameterValue', `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`);
  }
  return device;
}

/** /dev/sdf and /dev/xvdf name the same attachment point on a Linux instance. */
export const deviceKey = (device: string): string => device.replace(/^\/dev\//, '').replace(/^(sd|xvd|hd)/, '').replace(/\d+$/, '');

/** Instance families on the Xen hypervisor: Multi-Attach needs a Nitro instance. */
const XEN = /^(t1|t2|m1|m2|m3|m4|c1|c3|c4|r3|r4|x1|x1e|i2|d2|g2|g3|g3s|p2|p3|f1|h1|cc2|cr1|hs1)\./;
export const isNitro = (instanceType: string): boolean => !XEN.test(instanceType);

/** At most 16 Nitro instances share one Multi-Attach volume. */
export const MAX_MULTI_ATTACH = 16;
