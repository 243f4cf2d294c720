/**
 * Making and removing AMIs: CreateImage (a snapshot of each of the instance's EBS volumes; the
 * image is pending until they complete), RegisterImage (from an existing root snapshot),
 * CopyImage (into the caller's Region, its snapshots copied too) and DeregisterImage (snapshots
 * kept unless DeleteAssociatedSnapshots). No block data exists: images and snapshots are metadata.
 */
import type {
  BlockDeviceMapping, CopyImageRequest, CopyImageResult, CreateImageRequest, CreateImageResult, DeregisterImageRequest,
  DeregisterImageResult, RegisterImageRequest, RegisterImageResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { isRegion } from '../../../core/regions.js';
import type { Handler, RequestContext } from '../../types.js';
import { newId } from '../ids.js';
import { dropTags, setTags, tagsOf, tagSpecTags } from '../tags.js';
import { defaultKmsKey, getVolume, K, kmsKeyArn, mustFindSnapshot, snapshotState, writeCopiedSnapshot, writeSnapshot } from './ebs-core.js';
import { catalogSnapshot } from './images-catalog.js';
import { checkImageName, findImage, imageNotFound, ownImage, setLaunchPermissions } from './images-core.js';
import { getInstance } from './instances-core.js';
import { instanceState } from './lifecycle.js';
import { COMPUTE_KIND, type ImageBlockDevice, type ImageRecord, type SnapshotRecord, type VolumeType } from './records.js';

const putImage = (ctx: RequestContext, i: ImageRecord): void => { ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i); };

const snapshotIdsOf = (devices: ImageBlockDevice[]): string[] =>
  devices.flatMap((b) => (b.ebs?.snapshotId ? [b.ebs.snapshotId] : []));

/** Ephemeral and NoDevice entries of a request's mappings (EBS entries are handled by the caller). */
function otherDevices(mappings: BlockDeviceMapping[] | undefined): ImageBlockDevice[] {
  const out: ImageBlockDevice[] = [];
  for (const m of mappings ?? []) {
    if (!m.DeviceName) throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
    if (m.VirtualName) out.push({ deviceName: m.DeviceName, virtualName: m.VirtualName });
    else if (m.NoDevice !== undefined) out.push({ deviceName: m.DeviceName, noDevice: true });
  }
  return out;
}

export const createImage: Handler<CreateImageRequest, CreateImageResult> = (input, ctx) => {
  const i = getInstance(ctx, input.InstanceId);
  const now = ctx.clock.nowMs();
  const state = instanceState(i, now);
  if (state !== 'running' && state !== 'stopped') {
    throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be imaged.`);
  }
  const name = checkImageName(ctx, input.Name);
  const imageTags = tagSpecTags(input.TagSpecifications, 'image', ['snapshot']);
  const snapTags = tagSpecTags((input.TagSpecifications ?? []).filter((s) => s.ResourceType === 'snapshot'), 'snapshot');
  const id = newId('image');
  const skipped = new Set((input.BlockDeviceMappings ?? []).filter((m) => m.NoDevice !== undefined).map((m) => m.DeviceName));
  const blockDevices: ImageBlockDevice[] = [];
  let availableMs = now;
  for (const bd of i.blockDevices) {
    if (skipped.has(bd.deviceName) && bd.deviceName !== i.rootDeviceName) continue;
    const v = getVolume(ctx, bd.volumeId);
    const s = writeSnapshot(ctx, v, `Created by CreateImage(${i.id}) for ${id}`, snapTags);
    availableMs = Math.max(availableMs, s.completedMs);
    blockDevices.push({
      deviceName: bd.deviceName,
      ebs: {
        snapshotId: s.id, volumeSize: v.size, volumeType: v.type, deleteOnTermination: bd.deleteOnTermination, encrypted: v.encrypted,
        ...(v.iops !== undefined ? { iops: v.iops } : {}), ...(v.throughput !== undefined ? { throughput: v.throughput } : {}),
      },
    });
  }
  blockDevices.push(...otherDevices((input.BlockDeviceMappings ?? []).filter((m) => !m.Ebs && !i.blockDevices.some((b) => b.deviceName === m.DeviceName))));
  const source = findImage(ctx, i.imageId)?.image;
  const image: ImageRecord = {
    id, name, ...(input.Description !== undefined ? { description: input.Description } : {}), ownerId: ctx.account,
    architecture: i.architecture as ImageRecord['architecture'], ...(i.platform ? { platform: i.platform } : {}),
    platformDetails: source?.platformDetails ?? (i.platform ? 'Windows' : 'Linux/UNIX'),
    usageOperation: source?.usageOperation ?? (i.platform ? 'RunInstances:0002' : 'RunInstances'),
    rootDeviceName: i.rootDeviceName, rootDeviceType: 'ebs', virtualizationType: 'hvm', enaSupport: source?.enaSupport ?? true,
    ...(source?.bootMode ? { bootMode: source.bootMode } : {}), ...(source?.imdsSupport ? { imdsSupport: source.imdsSupport } : {}),
    blockDevices, snapshotIds: snapshotIdsOf(blockDevices), createMs: now, availableMs, state: 'pending', launchPermissions: [],
    sourceInstanceId: i.id,
  };
  putImage(ctx, image);
  setTags(ctx.tx, ctx.scope, 'image', id, imageTags);
  return { ImageId: id };
};

const ARCHS = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];

export const registerImage: Handler<RegisterImageRequest, RegisterImageResult> = (input, ctx) => {
  const name = checkImageName(ctx, input.Name);
  if (input.ImageLocation) {
    throw new AwsError('InvalidParameterValue', 'Instance store-backed AMIs (ImageLocation) are not offered by cloudlet; register an EBS-backed AMI from a snapshot');
  }
  const arch = input.Architecture ?? 'x86_64';
  if (!ARCHS.includes(arch)) throw new AwsError('InvalidParameterValue', `Value (${arch}) for parameter architecture is invalid.`);
  if ((input.VirtualizationType ?? 'hvm') !== 'hvm') throw new AwsError('InvalidParameterValue', 'Paravirtual images are not offered by cloudlet; use hvm');
  const rootName = input.RootDeviceName;
  if (!rootName) throw new AwsError('MissingParameter', 'The request must contain the parameter rootDeviceName');
  const mappings = input.BlockDeviceMappings ?? [];
  const now = ctx.clock.nowMs();
  const blockDevices: ImageBlockDevice[] = [];
  for (const m of mappings) {
    if (!m.Ebs) continue;
    if (!m.DeviceName) throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
    const e = m.Ebs;
    let size = e.VolumeSize;
    let encrypted = e.Encrypted ?? false;
    if (e.SnapshotId) {
      const s = mustFindSnapshot(ctx, e.SnapshotId).snapshot;
      if (snapshotState(s, now) !== 'completed') throw new AwsError('IncorrectState', `Snapshot '${s.id}' is not in the 'completed' state.`);
      if (size !== undefined && size < s.volumeSize) {
        throw new AwsError('InvalidBlockDeviceMapping', `Volume of size ${size}GB is smaller than snapshot '${s.id}', expect size >= ${s.volumeSize}GB`);
      }
      size ??= s.volumeSize;
      encrypted ||= s.encrypted;
    } else if (m.DeviceName === rootName) {
      throw new AwsError('InvalidBlockDeviceMapping', `The root device ${rootName} needs a snapshot`);
    }
    if (size === undefined) throw new AwsError('InvalidBlockDeviceMapping', `The device ${m.DeviceName} needs a volume size or a snapshot`);
    blockDevices.push({
      deviceName: m.DeviceName,
      ebs: {
        ...(e.SnapshotId ? { snapshotId: e.SnapshotId } : {}), volumeSize: size, volumeType: (e.VolumeType ?? 'gp2') as VolumeType,
        deleteOnTermination: e.DeleteOnTermination ?? true, encrypted,
        ...(e.Iops !== undefined ? { iops: e.Iops } : {}), ...(e.Throughput !== undefined ? { throughput: e.Throughput } : {}),
      },
    });
  }
  if (!blockDevices.some((b) => b.deviceName === rootName)) {
    throw new AwsError('InvalidBlockDeviceMapping', `The root device name ${rootName} has no EBS block device mapping with a snapshot`);
  }
  blockDevices.push(...otherDevices(mappings.filter((m) => !m.Ebs)));
  const tags = tagSpecTags(input.TagSpecifications, 'image');
  const id = newId('image');
  const image: ImageRecord = {
    id, name, ...(input.Description !== undefined ? { description: input.Description } : {}), ownerId: ctx.account,
    architecture: arch as ImageRecord['architecture'], platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances',
    rootDeviceName: rootName, rootDeviceType: 'ebs', virtualizationType: 'hvm', enaSupport: input.EnaSupport ?? false,
    ...(input.BootMode ? { bootMode: input.BootMode } : {}), ...(input.ImdsSupport === 'v2.0' ? { imdsSupport: 'v2.0' as const } : {}),
    blockDevices, snapshotIds: snapshotIdsOf(blockDevices), createMs: now, availableMs: now, state: 'pending', launchPermissions: [],
  };
  putImage(ctx, image);
  setTags(ctx.tx, ctx.scope, 'image', id, tags);
  return { ImageId: id };
};

export const copyImage: Handler<CopyImageRequest, CopyImageResult> = (input, ctx) => {
  const srcRegion = input.SourceRegion;
  if (!srcRegion) throw new AwsError('MissingParameter', 'The request must contain the parameter SourceRegion');
  if (!isRegion(srcRegion)) throw new AwsError('InvalidParameterValue', `Invalid region: ${srcRegion}`);
  if (!input.SourceImageId) throw new AwsError('MissingParameter', 'The request must contain the parameter SourceImageId');
  const found = findImage(ctx, input.SourceImageId, srcRegion);
  if (!found) throw imageNotFound([input.SourceImageId]);
  const src = found.image;
  const now = ctx.clock.nowMs();
  if (src.state === 'pending' && now < src.availableMs) {
    throw new AwsError('InvalidAMIID.Unavailable', `The image id '[${src.id}]' is not available`);
  }
  const name = checkImageName(ctx, input.Name);
  if (input.KmsKeyId !== undefined && !input.Encrypted) {
    throw new AwsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  const id = newId('image');
  const blockDevices: ImageBlockDevice[] = [];
  let availableMs = now;
  for (const b of src.blockDevices) {
    if (!b.ebs?.snapshotId) { blockDevices.push(b); continue; }
    const from = found.catalog
      ? { volumeSize: catalogSnapshot(srcRegion, b.ebs.snapshotId)?.size ?? b.ebs.volumeSize, encrypted: false, kmsKeyId: undefined }
      : mustFindSnapshot(ctx, b.ebs.snapshotId, srcRegion).snapshot;
    const encrypted = from.encrypted || (input.Encrypted ?? false);
    const kmsKeyId = !encrypted ? undefined : input.KmsKeyId !== undefined ? kmsKeyArn(ctx, input.KmsKeyId) : defaultKmsKey(ctx);
    const s = writeCopiedSnapshot(ctx, {
      volumeSize: from.volumeSize, encrypted, ...(kmsKeyId ? { kmsKeyId } : {}), sourceSnapshotId: b.ebs.snapshotId, sourceRegion: srcRegion,
      description: `Copied for DestinationAmi ${id} from SourceAmi ${src.id} for SourceSnapshot ${b.ebs.snapshotId}. Task created on ${new Date(now).toISOString()}.`,
    });
    availableMs = Math.max(availableMs, s.completedMs);
    blockDevices.push({ ...b, ebs: { ...b.ebs, snapshotId: s.id, encrypted } });
  }
  const image: ImageRecord = {
    ...src, id, name, ownerId: ctx.account,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    blockDevices, snapshotIds: snapshotIdsOf(blockDevices), createMs: now, availableMs, state: 'pending', launchPermissions: [],
    sourceImageId: src.id, sourceRegion: srcRegion,
  };
  delete image.deprecationMs;
  delete image.sourceInstanceId;
  putImage(ctx, image);
  const copied = input.CopyImageTags && found.own && found.scope ? tagsOf(ctx.tx, found.scope, src.id) : [];
  const asked = tagSpecTags(input.TagSpecifications, 'image');
  setTags(ctx.tx, ctx.scope, 'image', id, [...copied.filter((t) => !asked.some((a) => a.Key === t.Key)), ...asked]);
  return { ImageId: id };
};

export const deregisterImage: Handler<DeregisterImageRequest, DeregisterImageResult> = (input, ctx) => {
  const i = ownImage(ctx, input.ImageId);
  setLaunchPermissions(ctx, i, []);
  ctx.tx.delete(ctx.scope, COMPUTE_KIND.image, i.id);
  dropTags(ctx.tx, ctx.scope, i.id);
  if (!input.DeleteAssociatedSnapshots) return { Return: true };
  const results = [];
  for (const sid of i.snapshotIds) {
    const inUse = ctx.tx.findBy<ImageRecord>(ctx.scope, COMPUTE_KIND.image, 'snapshot', { key: sid }).some((h) => h.id !== i.id);
    const own = ctx.tx.get<SnapshotRecord>(ctx.scope, K.snapshot, sid);
    if (!own || inUse) {
      results.push({ SnapshotId: sid, ReturnCode: (inUse ? 'skipped' : 'missing-permissions') as never });
      continue;
    }
    ctx.tx.delete(ctx.scope, K.snapshot, sid);
    dropTags(ctx.tx, ctx.scope, sid);
    results.push({ SnapshotId: sid, ReturnCode: 'success' as never });
  }
  return { Return: true, DeleteSnapshotResults: results };
};
