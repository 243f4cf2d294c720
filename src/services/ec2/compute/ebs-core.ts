/**
 * What every EBS operation shares, and the three calls other compute files make (contracts.md):
 * createLaunchVolume (RunInstances), releaseVolumesAtTermination (termination) and
 * snapshotVolume (CreateImage).
 *
 * States follow the clock like NAT gateways: a volume is `creating` until availableMs, a
 * snapshot `pending` until completedMs, an attachment `attaching` until attachedMs; each
 * transition takes CLOUDLET_EBS_DELAY seconds (default 0, so `aws ec2 wait` never sleeps),
 * read when the transition starts.
 *
 * Encryption: the account's EBS defaults (encryption by default, the default KMS key) are
 * setting rows (COMPUTE_KIND.setting). The AWS managed key alias/aws/ebs is shown as
 * arn:aws:kms:REGION:ACCOUNT:key/UUID with a UUID derived from account and region, so it is
 * the same key every time, as on AWS.
 */
import { createHash } from 'node:crypto';
import type { Snapshot, Volume, VolumeAttachment } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { GLOBAL_ACCOUNT, type Scope } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { checkId, newId, notFound } from '../ids.js';
import { dropTags, setTags, tagList, type Tag } from '../tags.js';
import { COMPUTE_KIND, type SnapshotRecord, type VolumeAttachmentRecord, type VolumeRecord, type VolumeType } from './records.js';
import { volumeSpec } from './volume-rules.js';

export const K = {
  volume: COMPUTE_KIND.volume,
  snapshot: COMPUTE_KIND.snapshot,
  setting: COMPUTE_KIND.setting,
  /**
   * A snapshot another account shared with this one: a row in the grantee's scope (or in
   * {GLOBAL_ACCOUNT, region} for 'all'), id = snapshot ID, naming the owner. Lets the grantee
   * find it without reading other accounts' snapshots.
   */
  share: 'ec2:snapshot-share',
  /** CreateVolume's ClientToken -> volume ID (idempotent retries). */
  volumeToken: 'ec2:volume-client-token',
} as const;

/** Fields beyond the shared contract, kept in the same rows. */
export interface EbsVolume extends VolumeRecord {
  autoEnableIO?: boolean;
}

export interface ShareRecord {
  ownerId: string;
}

/** The seconds an EBS transition takes (CLOUDLET_EBS_DELAY, default 0). */
export function ebsDelayMs(): number {
  const raw = process.env.CLOUDLET_EBS_DELAY;
  const s = raw === undefined || raw === '' ? 0 : Number(raw);
  return Number.isFinite(s) && s > 0 ? Math.min(s, 3600) * 1000 : 0;
}

// ---- encryption defaults ---------------------------------------------------------------

export const SETTING = {
  encryptionByDefault: 'ebs-encryption-by-default',
  defaultKmsKey: 'ebs-default-kms-key-id',
  snapshotBlockPublicAccess: 'snapshot-block-public-access',
} as const;

/** The AWS managed key alias/aws/ebs of an account in a region, as a key ARN. */
export function managedEbsKeyArn(account: string, region: string): string {
  const h = createHash('sha256').update(`kms/alias/aws/ebs/${account}/${region}`).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return `arn:aws:kms:${region}:${account}:key/${uuid}`;
}

/**
 * A KMS key as EC2 stores it: key ID, alias, alias ARN or key ARN in, a key ARN out (aliases
 * other than alias/aws/ebs are kept as alias ARNs: cloudlet has no KMS to resolve them).
 */
export function kmsKeyArn(ctx: RequestContext, key: string, region = ctx.region): string {
  if (key === 'alias/aws/ebs' || key === `arn:aws:kms:${region}:${ctx.account}:alias/aws/ebs`) return managedEbsKeyArn(ctx.account, region);
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(key)) return key;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key) || /^mrk-[0-9a-f]{32}$/.test(key)) return `arn:aws:kms:${region}:${ctx.account}:key/${key}`;
  if (/^alias\/[A-Za-z0-9/_-]+$/.test(key)) return `arn:aws:kms:${region}:${ctx.account}:${key}`;
  throw new AwsError('InvalidParameterValue', `Value (${key}) for parameter kmsKeyId is invalid. Invalid KMS key identifier`);
}

const setting = <T>(ctx: RequestContext, name: string, scope: Scope = ctx.scope): T | undefined => ctx.tx.get<T>(scope, K.setting, name);

export const encryptionByDefault = (ctx: RequestContext, scope: Scope = ctx.scope): boolean =>
  setting<{ enabled: boolean }>(ctx, SETTING.encryptionByDefault, scope)?.enabled ?? false;

/** The key new encrypted volumes get when none is named: the account's choice, else alias/aws/ebs. */
export const defaultKmsKey = (ctx: RequestContext, scope: Scope = ctx.scope): string =>
  setting<{ keyId: string }>(ctx, SETTING.defaultKmsKey, scope)?.keyId ?? managedEbsKeyArn(ctx.account, scope.region);

// ---- volumes ---------------------------------------------------------------------------

export type VolumeState = 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted';
export type AttachmentState = 'attaching' | 'attached' | 'detaching' | 'detached';

export function attachmentState(a: VolumeAttachmentRecord, nowMs: number): AttachmentState {
  if (a.detachMs !== undefined) return nowMs >= (a.detachedMs ?? a.detachMs) ? 'detached' : 'detaching';
  return nowMs >= a.attachedMs ? 'attached' : 'attaching';
}

/** The attachments that still exist (a finished detach is gone). */
export const liveAttachments = (v: VolumeRecord, nowMs: number): VolumeAttachmentRecord[] =>
  v.attachments.filter((a) => attachmentState(a, nowMs) !== 'detached');

export function volumeState(v: VolumeRecord, nowMs: number): VolumeState {
  if (v.deleteMs !== undefined) return nowMs >= (v.deletedMs ?? v.deleteMs) ? 'deleted' : 'deleting';
  if (nowMs < v.availableMs) return 'creating';
  return liveAttachments(v, nowMs).length ? 'in-use' : 'available';
}

/** Deleted: no call shows it any more. */
export const volumeGone = (v: VolumeRecord, nowMs: number): boolean => volumeState(v, nowMs) === 'deleted';

export function attachmentShape(v: VolumeRecord, a: VolumeAttachmentRecord, nowMs: number): VolumeAttachment {
  return {
    AttachTime: new Date(a.attachMs), Device: a.device, InstanceId: a.instanceId, State: attachmentState(a, nowMs),
    VolumeId: v.id, DeleteOnTermination: a.deleteOnTermination,
  };
}

export function volumeShape(v: VolumeRecord, tags: Tag[], nowMs: number): Volume {
  return {
    Attachments: liveAttachments(v, nowMs).map((a) => attachmentShape(v, a, nowMs)),
    AvailabilityZone: v.zoneName, AvailabilityZoneId: v.zoneId, CreateTime: new Date(v.createMs), Encrypted: v.encrypted,
    ...(v.kmsKeyId ? { KmsKeyId: v.kmsKeyId } : {}),
    Size: v.size, SnapshotId: v.snapshotId ?? '', State: volumeState(v, nowMs), VolumeId: v.id,
    ...(v.iops !== undefined ? { Iops: v.iops } : {}),
    Tags: tagList(tags), VolumeType: v.type, MultiAttachEnabled: v.multiAttach,
    ...(v.throughput !== undefined ? { Throughput: v.throughput } : {}),
  };
}

/** A volume of the account by ID (Malformed / NotFound as AWS; deleted ones are gone). */
export function getVolume(ctx: RequestContext, id: string | undefined): EbsVolume {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', 'The request must contain the parameter volumeId');
  checkId('volume', id);
  const v = ctx.tx.get<EbsVolume>(ctx.scope, K.volume, id);
  if (!v || volumeGone(v, ctx.clock.nowMs())) throw notFound('volume', [id]);
  return v;
}

export const putVolume = (ctx: RequestContext, v: VolumeRecord): void => { ctx.tx.put(ctx.scope, K.volume, v.id, v); };

/** The volumes with an attachment (live or detaching) to an instance, through the 'instance' index. */
export function volumesOfInstance(ctx: RequestContext, instanceId: string): EbsVolume[] {
  const seen = new Map<string, EbsVolume>();
  for (const h of ctx.tx.findBy<EbsVolume>(ctx.scope, K.volume, 'instance', { key: instanceId })) seen.set(h.id, h.value);
  return [...seen.values()];
}

// ---- snapshots -------------------------------------------------------------------------

export function snapshotState(s: SnapshotRecord, nowMs: number): 'pending' | 'completed' {
  return nowMs >= s.completedMs ? 'completed' : 'pending';
}

export function snapshotProgress(s: SnapshotRecord, nowMs: number): string {
  if (nowMs >= s.completedMs) return '100%';
  const span = s.completedMs - s.startMs;
  return `${span > 0 ? Math.floor(((nowMs - s.startMs) / span) * 100) : 0}%`;
}

export function snapshotShape(s: SnapshotRecord, tags: Tag[], nowMs: number): Snapshot {
  return {
    Description: s.description, Encrypted: s.encrypted, ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    OwnerId: s.ownerId, ...(s.ownerAlias ? { OwnerAlias: s.ownerAlias } : {}),
    Progress: snapshotProgress(s, nowMs), SnapshotId: s.id, StartTime: new Date(s.startMs), State: snapshotState(s, nowMs),
    VolumeId: s.volumeId, VolumeSize: s.volumeSize, StorageTier: s.storageTier,
    ...(snapshotState(s, nowMs) === 'completed' ? { CompletionTime: new Date(s.completedMs) } : {}),
    Tags: tagList(tags),
  };
}

export interface FoundSnapshot {
  snapshot: SnapshotRecord;
  /** Where its row (and tags) live. */
  scope: Scope;
  own: boolean;
}

/** Public sharing is off while the Region's snapshot block public access is block-all-sharing. */
export const publicSharingBlocked = (ctx: RequestContext, scope: Scope): boolean =>
  setting<{ state: string }>(ctx, SETTING.snapshotBlockPublicAccess, scope)?.state === 'block-all-sharing';

/** A snapshot the caller may use: its own, or one shared with it (or with everyone) in `region`. */
export function findSnapshot(ctx: RequestContext, id: string, region = ctx.region): FoundSnapshot | undefined {
  const mine: Scope = { account: ctx.account, region };
  const own = ctx.tx.get<SnapshotRecord>(mine, K.snapshot, id);
  if (own) return { snapshot: own, scope: mine, own: true };
  for (const holder of [ctx.account, GLOBAL_ACCOUNT]) {
    const share = ctx.tx.get<ShareRecord>({ account: holder, region }, K.share, id);
    if (!share) continue;
    const scope: Scope = { account: share.ownerId, region };
    const s = ctx.tx.get<SnapshotRecord>(scope, K.snapshot, id);
    if (!s) continue;
    const allowed = s.createVolumePermissions.includes(ctx.account) || (s.createVolumePermissions.includes('all') && !publicSharingBlocked(ctx, scope));
    if (allowed) return { snapshot: s, scope, own: false };
  }
  return undefined;
}

export function mustFindSnapshot(ctx: RequestContext, id: string | undefined, region = ctx.region): FoundSnapshot {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', 'The request must contain the parameter snapshotId');
  checkId('snapshot', id);
  const f = findSnapshot(ctx, id, region);
  if (!f) throw notFound('snapshot', [id]);
  return f;
}

/** A new snapshot row of a volume (CreateSnapshot, CreateSnapshots, CreateImage). */
export function writeSnapshot(ctx: RequestContext, v: VolumeRecord, description: string, tags: Tag[] = []): SnapshotRecord {
  const now = ctx.clock.nowMs();
  const s: SnapshotRecord = {
    id: newId('snapshot'), volumeId: v.id, volumeSize: v.size, description, encrypted: v.encrypted,
    ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}), ownerId: ctx.account, startMs: now, completedMs: now + ebsDelayMs(),
    createVolumePermissions: [], storageTier: 'standard',
  };
  ctx.tx.put(ctx.scope, K.snapshot, s.id, s);
  setTags(ctx.tx, ctx.scope, 'snapshot', s.id, tags);
  return s;
}

/** A new snapshot row copied from another (CopySnapshot, CopyImage): its own ID, pending until the copy completes. */
export function writeCopiedSnapshot(ctx: RequestContext, o: {
  volumeSize: number; encrypted: boolean; kmsKeyId?: string; description: string; sourceSnapshotId: string; sourceRegion: string;
}, tags: Tag[] = []): SnapshotRecord {
  const now = ctx.clock.nowMs();
  const s: SnapshotRecord = {
    id: newId('snapshot'), volumeId: 'vol-ffffffff', volumeSize: o.volumeSize, description: o.description, encrypted: o.encrypted,
    ...(o.kmsKeyId ? { kmsKeyId: o.kmsKeyId } : {}), ownerId: ctx.account, startMs: now, completedMs: now + ebsDelayMs(),
    createVolumePermissions: [], storageTier: 'standard', sourceSnapshotId: o.sourceSnapshotId, sourceRegion: o.sourceRegion,
  };
  ctx.tx.put(ctx.scope, K.snapshot, s.id, s);
  setTags(ctx.tx, ctx.scope, 'snapshot', s.id, tags);
  return s;
}

// ---- creating volumes ------------------------------------------------------------------

export interface NewVolume {
  zoneName: string;
  zoneId: string;
  size?: number;
  type?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  snapshotId?: string;
  /** The size of a snapshot that is not a row (the public catalog's root snapshots). */
  snapshotSize?: number;
  multiAttach?: boolean;
  tags?: Tag[];
  attachment?: VolumeAttachmentRecord;
}

/** Validates a new volume with AWS's rules and writes its row (and tags). */
export function writeVolume(ctx: RequestContext, o: NewVolume): EbsVolume {
  let snap: SnapshotRecord | undefined;
  if (o.snapshotId !== undefined) {
    checkId('snapshot', o.snapshotId);
    snap = findSnapshot(ctx, o.snapshotId)?.snapshot;
    if (!snap && o.snapshotSize === undefined) throw notFound('snapshot', [o.snapshotId]);
    if (snap && snapshotState(snap, ctx.clock.nowMs()) !== 'completed') {
      throw new AwsError('IncorrectState', `Snapshot is in invalid state - pending`);
    }
  }
  const spec = volumeSpec({
    type: o.type, size: o.size, iops: o.iops, throughput: o.throughput, multiAttach: o.multiAttach,
    ...(o.snapshotId !== undefined ? { snapshotId: o.snapshotId, snapshotSize: snap?.volumeSize ?? o.snapshotSize } : {}),
  });
  if (o.kmsKeyId !== undefined && !o.encrypted && !snap?.encrypted) {
    throw new AwsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  // An encrypted snapshot gives an encrypted volume; otherwise the request or the account default decides.
  const encrypted = (o.encrypted ?? false) || (snap?.encrypted ?? false) || encryptionByDefault(ctx);
  const kmsKeyId = !encrypted ? undefined
    : o.kmsKeyId !== undefined ? kmsKeyArn(ctx, o.kmsKeyId)
    : snap?.encrypted && snap.kmsKeyId ? snap.kmsKeyId
    : defaultKmsKey(ctx);
  const now = ctx.clock.nowMs();
  const v: EbsVolume = {
    id: newId('volume'), zoneName: o.zoneName, zoneId: o.zoneId, size: spec.size, type: spec.type as VolumeType,
    ...(spec.iops !== undefined ? { iops: spec.iops } : {}), ...(spec.throughput !== undefined ? { throughput: spec.throughput } : {}),
    encrypted, ...(kmsKeyId ? { kmsKeyId } : {}), ...(o.snapshotId !== undefined ? { snapshotId: o.snapshotId } : {}),
    multiAttach: spec.multiAttach, createMs: now, availableMs: o.attachment ? now : now + ebsDelayMs(),
    attachments: o.attachment ? [o.attachment] : [],
  };
  putVolume(ctx, v);
  // A new volume has no tags to clear when none are given.
  if (o.tags?.length) setTags(ctx.tx, ctx.scope, 'volume', v.id, o.tags);
  return v;
}

/**
 * A volume of a block device mapping at launch: validated with AWS's rules, written attached
 * to the instance at once (the instance row is written by RunInstances afterwards).
 */
export function createLaunchVolume(ctx: RequestContext, o: {
  zoneName: string; zoneId: string; instanceId: string; device: string; deleteOnTermination: boolean;
  size?: number; type?: VolumeType; iops?: number; throughput?: number; encrypted?: boolean; kmsKeyId?: string;
  snapshotId?: string; snapshotSize?: number; tags?: Tag[];
}): VolumeRecord {
  const now = ctx.clock.nowMs();
  return writeVolume(ctx, {
    zoneName: o.zoneName, zoneId: o.zoneId, size: o.size, type: o.type, iops: o.iops, throughput: o.throughput,
    encrypted: o.encrypted, kmsKeyId: o.kmsKeyId, snapshotId: o.snapshotId, snapshotSize: o.snapshotSize, tags: o.tags,
    attachment: { instanceId: o.instanceId, device: o.device, deleteOnTermination: o.deleteOnTermination, attachMs: now, attachedMs: now },
  });
}

/** Removes a volume row and its tags now. */
export function dropVolume(ctx: RequestContext, v: VolumeRecord): void {
  ctx.tx.delete(ctx.scope, K.volume, v.id);
  dropTags(ctx.tx, ctx.scope, v.id);
}

/**
 * At termination: the instance's volumes marked DeleteOnTermination are deleted, the others
 * detached (available again). The instance row itself is the caller's to write.
 */
export function releaseVolumesAtTermination(ctx: RequestContext, instanceId: string): void {
  const now = ctx.clock.nowMs();
  for (const v of volumesOfInstance(ctx, instanceId)) {
    const mine = v.attachments.filter((a) => a.instanceId === instanceId);
    const others = v.attachments.filter((a) => a.instanceId !== instanceId && attachmentState(a, now) !== 'detached');
    if (mine.some((a) => a.deleteOnTermination && a.detachMs === undefined) && !others.length) { dropVolume(ctx, v); continue; }
    v.attachments = others;
    putVolume(ctx, v);
  }
}

/** A new snapshot of one of the account's volumes (CreateImage). */
export function snapshotVolume(ctx: RequestContext, volumeId: string, description: string): SnapshotRecord {
  return writeSnapshot(ctx, getVolume(ctx, volumeId), description);
}
