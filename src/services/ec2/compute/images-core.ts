/**
 * What every AMI operation shares: finding an image the caller may see (its own rows, the
 * public catalog, images other accounts share with it), the Image shape AWS returns, and
 * imageForLaunch (contracts.md) for RunInstances.
 *
 * An image lives in its owner's scope. Sharing it (launchPermission) writes a small share row
 * in each grantee's scope, or in {GLOBAL_ACCOUNT, region} for 'all', naming the owner, so a
 * grantee finds shared images without reading other accounts (as EBS does for snapshots).
 */
import type { BlockDeviceMapping, Image } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { GLOBAL_ACCOUNT, type Scope } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { checkId } from '../ids.js';
import { tagList, tagsOf, type Tag } from '../tags.js';
import { AMAZON_OWNERS, catalogImage } from './images-catalog.js';
import { COMPUTE_KIND, type ImageBlockDevice, type ImageRecord } from './records.js';

export const IMAGE_SHARE_KIND = 'ec2:image-share';
export const IMAGE_BPA_SETTING = 'image-block-public-access';

export interface ImageShareRecord {
  ownerId: string;
}

export interface FoundImage {
  image: ImageRecord;
  /** Where its row and tags live; undefined for catalog images. */
  scope?: Scope;
  own: boolean;
  catalog: boolean;
  ownerAlias?: string;
}

/** "The image id '[ami-1]' does not exist", as DescribeImages and RunInstances answer. */
export function imageNotFound(ids: readonly string[]): AwsError {
  return ids.length === 1
    ? new AwsError('InvalidAMIID.NotFound', `The image id '[${ids[0]}]' does not exist`)
    : new AwsError('InvalidAMIID.NotFound', `The image ids '[${ids.join(', ')}]' do not exist`);
}

export const isPublic = (i: ImageRecord): boolean => i.launchPermissions.includes('all');
export const mayLaunch = (i: ImageRecord, account: string): boolean =>
  i.ownerId === account || isPublic(i) || i.launchPermissions.includes(account);

/** An image the caller may see in `region`: its own, a catalog one, or one shared with it (or public). */
export function findImage(ctx: RequestContext, id: string, region = ctx.region): FoundImage | undefined {
  const mine: Scope = { account: ctx.account, region };
  const own = ctx.tx.get<ImageRecord>(mine, COMPUTE_KIND.image, id);
  if (own && own.state !== 'deregistered') return { image: own, scope: mine, own: true, catalog: false };
  const c = catalogImage(region, id);
  if (c) return { image: c.record, own: false, catalog: true, ...(c.ownerAlias ? { ownerAlias: c.ownerAlias } : {}) };
  for (const holder of [ctx.account, GLOBAL_ACCOUNT]) {
    const share = ctx.tx.get<ImageShareRecord>({ account: holder, region }, IMAGE_SHARE_KIND, id);
    if (!share) continue;
    const scope: Scope = { account: share.ownerId, region };
    const i = ctx.tx.get<ImageRecord>(scope, COMPUTE_KIND.image, id);
    if (i && i.state !== 'deregistered' && mayLaunch(i, ctx.account)) return { image: i, scope, own: false, catalog: false };
  }
  return undefined;
}

/** Every image shared with the caller (explicitly or publicly) by other accounts in its region. */
export function sharedImages(ctx: RequestContext): FoundImage[] {
  const out = new Map<string, FoundImage>();
  for (const holder of [ctx.account, GLOBAL_ACCOUNT]) {
    for (const r of ctx.tx.list<ImageShareRecord>({ account: holder, region: ctx.region }, IMAGE_SHARE_KIND)) {
      if (out.has(r.id) || r.value.ownerId === ctx.account) continue;
      const scope: Scope = { account: r.value.ownerId, region: ctx.region };
      const i = ctx.tx.get<ImageRecord>(scope, COMPUTE_KIND.image, r.id);
      if (i && i.state !== 'deregistered' && mayLaunch(i, ctx.account)) out.set(r.id, { image: i, scope, own: false, catalog: false });
    }
  }
  return [...out.values()];
}

/** The caller's own image or the errors AWS gives: NotFound when invisible, AuthFailure when someone else's. */
export function ownImage(ctx: RequestContext, id: string | undefined, param = 'imageId'): ImageRecord {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${param}`);
  checkId('image', id);
  const f = findImage(ctx, id);
  if (!f) throw imageNotFound([id]);
  if (!f.own) throw new AwsError('AuthFailure', `Not authorized for image:${id}`);
  return f.image;
}

/**
 * The image RunInstances launches (contracts.md): own, shared or public catalog image.
 * For catalog images blockDevices[0].ebs.snapshotId is a deterministic snap- ID that is not a row.
 */
export function imageForLaunch(ctx: RequestContext, imageId: string | undefined): ImageRecord {
  if (imageId === undefined || imageId === '') throw new AwsError('MissingParameter', 'The request must contain the parameter ImageId');
  checkId('image', imageId);
  const f = findImage(ctx, imageId);
  if (!f) throw imageNotFound([imageId]);
  if (imageState(f.image, ctx.clock.nowMs()) !== 'available') {
    throw new AwsError('InvalidAMIID.Unavailable', `The image id '[${imageId}]' is not available`);
  }
  return f.image;
}

export function imageState(i: ImageRecord, nowMs: number): ImageRecord['state'] {
  if (i.state === 'pending' && nowMs >= i.availableMs) return 'available';
  return i.state;
}

export const isDeprecated = (i: ImageRecord, nowMs: number): boolean => i.deprecationMs !== undefined && i.deprecationMs <= nowMs;

export function ownerAliasOf(f: FoundImage): string | undefined {
  return f.ownerAlias ?? (f.catalog && AMAZON_OWNERS.has(f.image.ownerId) ? 'amazon' : undefined);
}

export function blockDeviceShape(b: ImageBlockDevice): BlockDeviceMapping {
  if (b.ebs) {
    return {
      DeviceName: b.deviceName,
      Ebs: {
        DeleteOnTermination: b.ebs.deleteOnTermination, ...(b.ebs.iops !== undefined ? { Iops: b.ebs.iops } : {}),
        ...(b.ebs.snapshotId ? { SnapshotId: b.ebs.snapshotId } : {}), VolumeSize: b.ebs.volumeSize, VolumeType: b.ebs.volumeType,
        ...(b.ebs.throughput !== undefined ? { Throughput: b.ebs.throughput } : {}), Encrypted: b.ebs.encrypted,
      },
    };
  }
  if (b.noDevice) return { DeviceName: b.deviceName, NoDevice: '' };
  return { DeviceName: b.deviceName, ...(b.virtualName ? { VirtualName: b.virtualName } : {}) };
}

/** ISO time with milliseconds, as EC2 prints CreationDate and DeprecationTime. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** Image tags: only the owner sees them, as on AWS. */
export const imageTags = (ctx: RequestContext, f: FoundImage): Tag[] => (f.own && f.scope ? tagsOf(ctx.tx, f.scope, f.image.id) : []);

export function imageShape(ctx: RequestContext, f: FoundImage, tags: Tag[]): Image {
  const i = f.image;
  const alias = ownerAliasOf(f);
  return {
    ImageId: i.id,
    ImageLocation: `${alias ?? i.ownerId}/${i.name}`,
    State: imageState(i, ctx.clock.nowMs()),
    OwnerId: i.ownerId,
    CreationDate: isoTime(i.createMs),
    Public: isPublic(i),
    Architecture: i.architecture,
    ImageType: 'machine',
    ...(alias ? { ImageOwnerAlias: alias } : {}),
    Name: i.name,
    ...(i.description !== undefined && i.description !== '' ? { Description: i.description } : {}),
    RootDeviceType: i.rootDeviceType,
    RootDeviceName: i.rootDeviceName,
    BlockDeviceMappings: i.blockDevices.map(blockDeviceShape),
    VirtualizationType: i.virtualizationType,
    Hypervisor: 'xen',
    EnaSupport: i.enaSupport,
    SriovNetSupport: 'simple',
    // AWS answers lowercase 'windows' although the model's enum spells 'Windows'.
    ...(i.platform ? { Platform: i.platform as unknown as Image['Platform'] } : {}),
    PlatformDetails: i.platformDetails,
    UsageOperation: i.usageOperation,
    ...(i.bootMode ? { BootMode: i.bootMode as Image['BootMode'] } : {}),
    ...(i.imdsSupport ? { ImdsSupport: i.imdsSupport } : {}),
    ...(i.deprecationMs !== undefined ? { DeprecationTime: isoTime(i.deprecationMs) } : {}),
    ...(i.sourceInstanceId ? { SourceInstanceId: i.sourceInstanceId } : {}),
    ...(i.sourceImageId ? { SourceImageId: i.sourceImageId } : {}),
    ...(i.sourceRegion ? { SourceImageRegion: i.sourceRegion } : {}),
    ...(tagList(tags) ? { Tags: tags } : {}),
  };
}

// ---- names, sharing, settings ----------------------------------------------------------

const NAME_RE = /^[A-Za-z0-9()[\]./\-'@_ ]{3,128}$/;

/** AWS's AMI name rules and the per-account-and-region uniqueness (InvalidAMIName.Duplicate). */
export function checkImageName(ctx: RequestContext, name: string | undefined, scope: Scope = ctx.scope): string {
  if (name === undefined || name === '') throw new AwsError('MissingParameter', 'The request must contain the parameter name');
  if (!NAME_RE.test(name)) {
    throw new AwsError('InvalidAMIName.Malformed', "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
  }
  for (const h of ctx.tx.keysBy(scope, COMPUTE_KIND.image, 'name', { key: name })) {
    const other = ctx.tx.get<ImageRecord>(scope, COMPUTE_KIND.image, h.id);
    if (other && other.state !== 'deregistered') throw new AwsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${h.id}`);
  }
  return name;
}

const shareScope = (who: string, region: string): Scope => ({ account: who === 'all' ? GLOBAL_ACCOUNT : who, region });

/** Replaces an own image's launch permissions, keeping the grantees' share rows in step. */
export function setLaunchPermissions(ctx: RequestContext, i: ImageRecord, next: string[]): void {
  for (const who of i.launchPermissions) if (!next.includes(who)) ctx.tx.delete(shareScope(who, ctx.region), IMAGE_SHARE_KIND, i.id);
  for (const who of next) {
    if (!i.launchPermissions.includes(who)) ctx.tx.put(shareScope(who, ctx.region), IMAGE_SHARE_KIND, i.id, { ownerId: i.ownerId } satisfies ImageShareRecord);
  }
  i.launchPermissions = next;
  ctx.tx.put(ctx.scope, COMPUTE_KIND.image, i.id, i);
}

export type ImageBpaState = 'block-new-sharing' | 'unblocked';

export function imageBpaState(ctx: RequestContext): ImageBpaState {
  return ctx.tx.get<{ state: ImageBpaState }>(ctx.scope, COMPUTE_KIND.setting, IMAGE_BPA_SETTING)?.state ?? 'unblocked';
}
