/**
 * EBS snapshots: CreateSnapshot(s), CopySnapshot, DeleteSnapshot, DescribeSnapshots and the
 * createVolumePermission attribute. A snapshot lives in its owner's scope; sharing it writes a
 * small share row in each grantee's scope (or the region's GLOBAL_ACCOUNT scope for 'all'), so
 * the grantee's DescribeSnapshots and CreateVolume find it without scanning other accounts.
 * Tags stay with the owner, as on AWS (a grantee sees none).
 */
import type {
  CopySnapshotRequest, CopySnapshotResult, CreateSnapshotRequest, CreateSnapshotsRequest, CreateSnapshotsResult,
  CreateVolumePermission, DeleteSnapshotRequest, DescribeSnapshotAttributeRequest, DescribeSnapshotAttributeResult,
  DescribeSnapshotsRequest, DescribeSnapshotsResult, ModifySnapshotAttributeRequest, ResetSnapshotAttributeRequest, Snapshot,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { encodePageToken, type PageBinding } from '../../../core/page-token.js';
import { isRegion } from '../../../core/regions.js';
import { compareIds } from '../../../store/order.js';
import { GLOBAL_ACCOUNT, type Scope } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, checkMaxResults, pagePosition } from '../describe.js';
import { applyFilters, withTagKeyFields } from '../filters.js';
import { checkId, notFound } from '../ids.js';
import { dropTags, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import {
  defaultKmsKey, findSnapshot, getVolume, K, kmsKeyArn, managedEbsKeyArn, mustFindSnapshot, publicSharingBlocked,
  SETTING, snapshotProgress, snapshotShape, snapshotState, volumesOfInstance, writeCopiedSnapshot, writeSnapshot, type ShareRecord,
} from './ebs-core.js';
import { instanceExpired } from './lifecycle.js';
import { COMPUTE_KIND, type ImageRecord, type InstanceRecord, type SnapshotRecord } from './records.js';

export const createSnapshot: Handler<CreateSnapshotRequest, Snapshot> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  const tags = tagSpecTags(input.TagSpecifications, 'snapshot');
  const s = writeSnapshot(ctx, v, input.Description ?? '', tags);
  return snapshotShape(s, tags, ctx.clock.nowMs());
};

export const createSnapshots: Handler<CreateSnapshotsRequest, CreateSnapshotsResult> = (input, ctx) => {
  const spec = input.InstanceSpecification;
  const id = spec?.InstanceId;
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceSpecification.InstanceId');
  checkId('instance', id);
  const i = ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, id);
  const now = ctx.clock.nowMs();
  if (!i || instanceExpired(i, now)) throw notFound('instance', [id]);
  const tags = tagSpecTags(input.TagSpecifications, 'snapshot');
  const exclude = new Set(spec.ExcludeDataVolumeIds ?? []);
  const out = [];
  const volumes = volumesOfInstance(ctx, id)
    .map((v) => ({ v, a: v.attachments.find((a) => a.instanceId === id && a.detachMs === undefined) }))
    .filter((x) => x.a !== undefined)
    .sort((x, y) => x.a!.device.localeCompare(y.a!.device));
  for (const { v, a } of volumes) {
    const root = a!.device === i.rootDeviceName;
    if (root ? spec.ExcludeBootVolume : exclude.has(v.id)) continue;
    const own = input.CopyTagsFromSource === 'volume' ? tagsOf(ctx.tx, ctx.scope, v.id) : [];
    const merged = [...own.filter((t) => !tags.some((x) => x.Key === t.Key)), ...tags];
    const s = writeSnapshot(ctx, v, input.Description ?? '', merged);
    out.push({
      Description: s.description, Tags: merged, Encrypted: s.encrypted, VolumeId: v.id, State: snapshotState(s, now),
      VolumeSize: s.volumeSize, StartTime: new Date(s.startMs), Progress: snapshotProgress(s, now), OwnerId: s.ownerId, SnapshotId: s.id,
    });
  }
  return { Snapshots: out };
};

export const copySnapshot: Handler<CopySnapshotRequest, CopySnapshotResult> = (input, ctx) => {
  const srcRegion = input.SourceRegion;
  if (!srcRegion) throw new AwsError('MissingParameter', 'The request must contain the parameter SourceRegion');
  if (!isRegion(srcRegion)) throw new AwsError('InvalidParameterValue', `Invalid region: ${srcRegion}`);
  const src = mustFindSnapshot(ctx, input.SourceSnapshotId, srcRegion).snapshot;
  const now = ctx.clock.nowMs();
  if (snapshotState(src, now) !== 'completed') {
    throw new AwsError('IncorrectState', `Snapshot '${src.id}' is not in the 'completed' state.`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'snapshot');
  if (input.KmsKeyId !== undefined && !input.Encrypted && !src.encrypted) {
    throw new AwsError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
  }
  const encrypted = src.encrypted || (input.Encrypted ?? false);
  // A key lives in one Region: a copy to another Region takes that Region's key unless one is named.
  const sameRegionKey = srcRegion === ctx.region && src.ownerId === ctx.account ? src.kmsKeyId : undefined;
  const kmsKeyId = !encrypted ? undefined : input.KmsKeyId !== undefined ? kmsKeyArn(ctx, input.KmsKeyId) : sameRegionKey ?? defaultKmsKey(ctx);
  const s = writeCopiedSnapshot(ctx, {
    volumeSize: src.volumeSize, description: input.Description ?? `[Copied ${src.id} from ${srcRegion}]`, encrypted,
    ...(kmsKeyId ? { kmsKeyId } : {}), sourceSnapshotId: src.id, sourceRegion: srcRegion,
  }, tags);
  return { SnapshotId: s.id, ...(tags.length ? { Tags: tags } : {}) };
};

/** The account's own snapshot (not one shared with it), or NotFound. */
function ownSnapshot(ctx: RequestContext, id: string | undefined): SnapshotRecord {
  const f = mustFindSnapshot(ctx, id);
  if (!f.own) throw new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation on snapshot ${f.snapshot.id}.`, 403);
  return f.snapshot;
}

const shareScope = (ctx: RequestContext, who: string): Scope => ({ account: who === 'all' ? GLOBAL_ACCOUNT : who, region: ctx.region });

function setPermissions(ctx: RequestContext, s: SnapshotRecord, next: string[]): void {
  for (const who of s.createVolumePermissions) if (!next.includes(who)) ctx.tx.delete(shareScope(ctx, who), K.share, s.id);
  for (const who of next) if (!s.createVolumePermissions.includes(who)) ctx.tx.put(shareScope(ctx, who), K.share, s.id, { ownerId: s.ownerId } satisfies ShareRecord);
  s.createVolumePermissions = next;
  ctx.tx.put(ctx.scope, K.snapshot, s.id, s);
}

export const deleteSnapshot: Handler<DeleteSnapshotRequest, object> = (input, ctx) => {
  const s = ownSnapshot(ctx, input.SnapshotId);
  const users = ctx.tx.findBy<ImageRecord>(ctx.scope, COMPUTE_KIND.image, 'snapshot', { key: s.id })
    .filter((h) => h.value.state !== 'deregistered');
  if (users.length) throw new AwsError('InvalidSnapshot.InUse', `The snapshot ${s.id} is currently in use by ${users[0]!.id}`);
  setPermissions(ctx, s, []);
  ctx.tx.delete(ctx.scope, K.snapshot, s.id);
  dropTags(ctx.tx, ctx.scope, s.id);
  return {};
};

// ---- DescribeSnapshots -----------------------------------------------------------------

interface Seen { s: SnapshotRecord; own: boolean; tags: Tag[] }

/** Every snapshot the caller may see: its own, those shared with it, the public ones. */
function visibleSnapshots(ctx: RequestContext): Seen[] {
  const out = new Map<string, Seen>();
  for (const r of ctx.tx.list<SnapshotRecord>(ctx.scope, K.snapshot)) out.set(r.id, { s: r.value, own: true, tags: tagsOf(ctx.tx, ctx.scope, r.id) });
  for (const holder of [ctx.account, GLOBAL_ACCOUNT]) {
    for (const r of ctx.tx.list<ShareRecord>({ account: holder, region: ctx.region }, K.share)) {
      if (out.has(r.id)) continue;
      const f = findSnapshot(ctx, r.id);
      if (f && !f.own) out.set(r.id, { s: f.snapshot, own: false, tags: [] });
    }
  }
  return [...out.values()];
}

export const describeSnapshots: Handler<DescribeSnapshotsRequest, DescribeSnapshotsResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const ids = input.SnapshotIds ?? [];
  if (ids.length && input.MaxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'The parameter snapshotIds cannot be used with the parameter maxResults');
  }
  checkMaxResults(input.MaxResults, [5, 1000]);
  const binding: PageBinding = { service: 'ec2', operation: 'DescribeSnapshots', query: { ids, f: input.Filters, o: input.OwnerIds, r: input.RestorableByUserIds } };
  const after = pagePosition(binding, input.NextToken);
  let rows: Seen[];
  if (ids.length) {
    for (const id of ids) checkId('snapshot', id);
    const missing: string[] = [];
    rows = [];
    for (const id of [...new Set(ids)]) {
      const f = findSnapshot(ctx, id);
      if (!f) missing.push(id);
      else rows.push({ s: f.snapshot, own: f.own, tags: f.own ? tagsOf(ctx.tx, ctx.scope, id) : [] });
    }
    if (missing.length) throw notFound('snapshot', missing);
  } else rows = visibleSnapshots(ctx);
  const owners = (input.OwnerIds ?? []).map((o) => (o === 'self' ? ctx.account : o));
  if (owners.length) rows = rows.filter((r) => owners.includes(r.s.ownerId) || (r.s.ownerAlias !== undefined && owners.includes(r.s.ownerAlias)));
  const restorable = (input.RestorableByUserIds ?? []).map((o) => (o === 'self' ? ctx.account : o));
  if (restorable.length) {
    rows = rows.filter((r) => restorable.some((who) => r.s.createVolumePermissions.includes(who) || (who !== 'all' && r.s.ownerId === who)));
  }
  const fields: Record<string, (r: Seen) => string | string[] | undefined> = {
    description: (r) => r.s.description,
    encrypted: (r) => bool(r.s.encrypted),
    'kms-key-id': (r) => r.s.kmsKeyId,
    'owner-alias': (r) => r.s.ownerAlias,
    'owner-id': (r) => r.s.ownerId,
    progress: (r) => snapshotProgress(r.s, now),
    'snapshot-id': (r) => r.s.id,
    'start-time': (r) => new Date(r.s.startMs).toISOString(),
    status: (r) => snapshotState(r.s, now),
    'storage-tier': (r) => r.s.storageTier,
    'volume-id': (r) => r.s.volumeId,
    'volume-size': (r) => String(r.s.volumeSize),
    'tag-key': (r) => r.tags.map((t) => t.Key),
    'tag-value': (r) => r.tags.map((t) => t.Value),
  };
  const matched = applyFilters(rows, input.Filters, withTagKeyFields(fields, input.Filters, (r) => r.tags))
    .filter((r) => after === undefined || compareIds(r.s.id, after) > 0)
    .sort((a, b) => compareIds(a.s.id, b.s.id));
  const max = input.MaxResults ?? Infinity;
  const page = matched.slice(0, max);
  return {
    Snapshots: page.map((r) => snapshotShape(r.s, r.tags, now)),
    ...(matched.length > max ? { NextToken: encodePageToken(binding, page[page.length - 1]!.s.id) } : {}),
  };
};

// ---- attributes ------------------------------------------------------------------------

const permissionShape = (who: string): CreateVolumePermission => (who === 'all' ? { Group: 'all' } : { UserId: who });

function checkAttribute(a: string | undefined): 'createVolumePermission' | 'productCodes' {
  if (a === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
  if (a !== 'createVolumePermission' && a !== 'productCodes') {
    throw new AwsError('InvalidParameterValue', `Value (${a}) for parameter attribute is invalid. Valid values: productCodes, createVolumePermission`);
  }
  return a;
}

export const describeSnapshotAttribute: Handler<DescribeSnapshotAttributeRequest, DescribeSnapshotAttributeResult> = (input, ctx) => {
  const attr = checkAttribute(input.Attribute);
  const s = ownSnapshot(ctx, input.SnapshotId);
  return attr === 'productCodes'
    ? { SnapshotId: s.id, ProductCodes: [] }
    : { SnapshotId: s.id, CreateVolumePermissions: s.createVolumePermissions.map(permissionShape) };
};

export const modifySnapshotAttribute: Handler<ModifySnapshotAttributeRequest, object> = (input, ctx) => {
  const attr = checkAttribute(input.Attribute ?? 'createVolumePermission');
  if (attr !== 'createVolumePermission') throw new AwsError('InvalidParameterValue', 'The attribute productCodes cannot be modified');
  const s = ownSnapshot(ctx, input.SnapshotId);
  const who = (p: CreateVolumePermission): string => {
    if (p.Group !== undefined) {
      if (p.Group !== 'all') throw new AwsError('InvalidParameterValue', `Value (${p.Group}) for parameter group is invalid. Valid values: all`);
      return 'all';
    }
    if (!p.UserId || !/^\d{12}$/.test(p.UserId)) throw new AwsError('InvalidParameterValue', `Value (${p.UserId ?? ''}) for parameter userId is invalid. Expected a 12-digit account ID`);
    return p.UserId;
  };
  const listed: CreateVolumePermission[] = [...(input.UserIds ?? []).map((UserId) => ({ UserId })), ...(input.GroupNames ?? []).map((Group) => ({ Group: Group as CreateVolumePermission['Group'] }))];
  let add = (input.CreateVolumePermission?.Add ?? []).map(who);
  let remove = (input.CreateVolumePermission?.Remove ?? []).map(who);
  if (listed.length) {
    if (input.OperationType === 'remove') remove = [...remove, ...listed.map(who)];
    else if (input.OperationType === 'add') add = [...add, ...listed.map(who)];
    else throw new AwsError('MissingParameter', 'The request must contain the parameter operationType');
  }
  if (!add.length && !remove.length) throw new AwsError('MissingParameter', 'The request must contain the parameter createVolumePermission');
  if (add.length && s.encrypted && s.kmsKeyId === managedEbsKeyArn(ctx.account, ctx.region)) {
    throw new AwsError('OperationNotPermitted', 'Encrypted snapshots with EBS default key cannot be shared');
  }
  if (add.includes('all')) {
    if (s.encrypted) throw new AwsError('OperationNotPermitted', 'Encrypted snapshots cannot be shared publicly');
    const bpa = ctx.tx.get<{ state: string }>(ctx.scope, K.setting, SETTING.snapshotBlockPublicAccess)?.state;
    if (bpa === 'block-new-sharing' || publicSharingBlocked(ctx, ctx.scope)) {
      throw new AwsError('OperationNotPermitted', 'Public sharing of snapshots is blocked by block public access for snapshots in this Region');
    }
  }
  const next = [...new Set([...s.createVolumePermissions.filter((x) => !remove.includes(x)), ...add.filter((x) => !remove.includes(x))])];
  setPermissions(ctx, s, next);
  return {};
};

export const resetSnapshotAttribute: Handler<ResetSnapshotAttributeRequest, object> = (input, ctx) => {
  const attr = checkAttribute(input.Attribute);
  if (attr !== 'createVolumePermission') throw new AwsError('InvalidParameterValue', 'The attribute productCodes cannot be reset');
  setPermissions(ctx, ownSnapshot(ctx, input.SnapshotId), []);
  return {};
};
