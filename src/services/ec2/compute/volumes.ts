/**
 * EBS volumes: CreateVolume, DescribeVolumes, DescribeVolumeStatus, the volume attributes,
 * DeleteVolume, ModifyVolume and DescribeVolumesModifications. Attaching and detaching are in
 * ebs-attach.ts; the rules of sizes and performance in volume-rules.ts (pure).
 *
 * A modification takes effect at once on the volume (AWS reports the target size and type as
 * soon as the modification is accepted); the modification itself is `modifying` for the first
 * half of its span, then `optimizing`, then `completed` (span: twice CLOUDLET_EBS_DELAY).
 * AWS allows one modification per volume every six hours.
 */
import type {
  CreateVolumeRequest, DeleteVolumeRequest, DescribeVolumeAttributeRequest, DescribeVolumeAttributeResult,
  DescribeVolumesModificationsRequest, DescribeVolumesModificationsResult, DescribeVolumesRequest, DescribeVolumesResult,
  DescribeVolumeStatusRequest, DescribeVolumeStatusResult, ModifyVolumeAttributeRequest, ModifyVolumeRequest, ModifyVolumeResult,
  Volume, VolumeModification,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { zones } from '../../../core/regions.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe } from '../describe.js';
import { tagsOf, tagSpecTags } from '../tags.js';
import {
  attachmentState, dropVolume, ebsDelayMs, getVolume, K, liveAttachments, putVolume, volumeGone, volumeShape, volumeState,
  writeVolume, type EbsVolume,
} from './ebs-core.js';
import type { VolumeRecord } from './records.js';
import { modifiedSpec } from './volume-rules.js';

const SIX_HOURS_MS = 6 * 3_600_000;

/** The zone a request names (by name or ID), or AWS's refusal. */
export function zoneOf(ctx: RequestContext, name: string | undefined, id?: string): { zoneName: string; zoneId: string } {
  const all = zones(ctx.region, ctx.account);
  if (name === undefined && id === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter AvailabilityZone');
  const z = all.find((x) => (name === undefined || x.zoneName === name) && (id === undefined || x.zoneId === id));
  if (!z) throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${name ?? id}]`);
  return { zoneName: z.zoneName, zoneId: z.zoneId };
}

export const createVolume: Handler<CreateVolumeRequest, Volume> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  if (input.ClientToken) {
    const prior = ctx.tx.get<{ volumeId: string }>(ctx.scope, K.volumeToken, input.ClientToken);
    const v = prior && ctx.tx.get<EbsVolume>(ctx.scope, K.volume, prior.volumeId);
    if (v && !volumeGone(v, now)) return volumeShape(v, tagsOf(ctx.tx, ctx.scope, v.id), now);
  }
  const zone = zoneOf(ctx, input.AvailabilityZone, (input as { AvailabilityZoneId?: string }).AvailabilityZoneId);
  const tags = tagSpecTags(input.TagSpecifications, 'volume');
  const v = writeVolume(ctx, {
    ...zone, size: input.Size, type: input.VolumeType, iops: input.Iops, throughput: input.Throughput,
    encrypted: input.Encrypted, kmsKeyId: input.KmsKeyId, snapshotId: input.SnapshotId, multiAttach: input.MultiAttachEnabled, tags,
  });
  if (input.ClientToken) ctx.tx.put(ctx.scope, K.volumeToken, input.ClientToken, { volumeId: v.id });
  return volumeShape(v, tags, now);
};

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export const describeVolumes: Handler<DescribeVolumesRequest, DescribeVolumesResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const att = (v: VolumeRecord) => liveAttachments(v, now);
  const { items, nextToken } = describe<EbsVolume>(ctx, { Filters: input.Filters, MaxResults: input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeVolumes', type: 'volume', ids: input.VolumeIds, idsParam: 'volumeIds', bounds: [5, 500],
    fields: {
      'attachment.attach-time': (v) => att(v).map((a) => iso(a.attachMs)!),
      'attachment.delete-on-termination': (v) => att(v).map((a) => bool(a.deleteOnTermination)),
      'attachment.device': (v) => att(v).map((a) => a.device),
      'attachment.instance-id': (v) => att(v).map((a) => a.instanceId),
      'attachment.status': (v) => att(v).map((a) => attachmentState(a, now)),
      'availability-zone': (v) => v.zoneName,
      'availability-zone-id': (v) => v.zoneId,
      'create-time': (v) => iso(v.createMs),
      encrypted: (v) => bool(v.encrypted),
      'multi-attach-enabled': (v) => bool(v.multiAttach),
      'fast-restored': () => 'false',
      size: (v) => String(v.size),
      'snapshot-id': (v) => v.snapshotId ?? '',
      status: (v) => volumeState(v, now),
      'volume-id': (v) => v.id,
      'volume-type': (v) => v.type,
      iops: (v) => (v.iops === undefined ? undefined : String(v.iops)),
      throughput: (v) => (v.throughput === undefined ? undefined : String(v.throughput)),
      'kms-key-id': (v) => v.kmsKeyId,
    },
    indexes: { 'attachment.instance-id': 'instance', 'snapshot-id': 'snapshot' },
    visible: (v) => !volumeGone(v, now),
  });
  return { Volumes: items.map((d) => volumeShape(d.record, d.tags, now)), NextToken: nextToken };
};

export const describeVolumeStatus: Handler<DescribeVolumeStatusRequest, DescribeVolumeStatusResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  // cloudlet's volumes never fail a status check: io-enabled passes, io-performance applies to io1/io2 only.
  const perf = (v: VolumeRecord) => (v.type === 'io1' || v.type === 'io2' ? 'normal' : 'not-applicable');
  const { items, nextToken } = describe<EbsVolume>(ctx, { Filters: input.Filters, MaxResults: input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeVolumeStatus', type: 'volume', ids: input.VolumeIds, idsParam: 'volumeIds',
    fields: {
      'availability-zone': (v) => v.zoneName,
      'volume-status.status': () => 'ok',
      'volume-status.details-name': () => ['io-enabled', 'io-performance'],
      'volume-status.details-status': (v) => ['passed', perf(v)],
      'action.code': () => undefined, 'action.description': () => undefined, 'action.event-id': () => undefined,
      'event.description': () => undefined, 'event.event-id': () => undefined, 'event.event-type': () => undefined,
      'event.not-after': () => undefined, 'event.not-before': () => undefined,
    },
    visible: (v) => !volumeGone(v, now) && volumeState(v, now) !== 'creating',
  });
  return {
    VolumeStatuses: items.map(({ record: v }) => ({
      VolumeId: v.id, AvailabilityZone: v.zoneName, AvailabilityZoneId: v.zoneId, Actions: [], Events: [],
      VolumeStatus: { Status: 'ok', Details: [{ Name: 'io-enabled', Status: 'passed' }, { Name: 'io-performance', Status: perf(v) }] },
      AttachmentStatuses: liveAttachments(v, now).map((a) => ({ InstanceId: a.instanceId, IoPerformance: perf(v) })),
    })),
    NextToken: nextToken,
  };
};

export const describeVolumeAttribute: Handler<DescribeVolumeAttributeRequest, DescribeVolumeAttributeResult> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  switch (input.Attribute as string | undefined) {
    case 'autoEnableIO': return { VolumeId: v.id, AutoEnableIO: { Value: v.autoEnableIO ?? false } };
    case 'productCodes': return { VolumeId: v.id, ProductCodes: [] };
    case undefined: throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
    default: throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Valid values: autoEnableIO, productCodes`);
  }
};

export const modifyVolumeAttribute: Handler<ModifyVolumeAttributeRequest, object> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  if (input.AutoEnableIO?.Value === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter autoEnableIO');
  v.autoEnableIO = input.AutoEnableIO.Value;
  putVolume(ctx, v);
  return {};
};

export const deleteVolume: Handler<DeleteVolumeRequest, object> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  const now = ctx.clock.nowMs();
  const a = liveAttachments(v, now)[0];
  if (a) throw new AwsError('VolumeInUse', `Volume ${v.id} is currently attached to ${a.instanceId}`);
  if (v.deleteMs !== undefined) return {};
  const delay = ebsDelayMs();
  if (!delay) { dropVolume(ctx, v); return {}; }
  v.deleteMs = now;
  v.deletedMs = now + delay;
  putVolume(ctx, v);
  return {};
};

// ---- modifications ---------------------------------------------------------------------

type Mod = NonNullable<VolumeRecord['modifications']>[number];

function modificationState(m: Mod, nowMs: number): 'modifying' | 'optimizing' | 'completed' {
  if (nowMs >= m.endMs) return 'completed';
  return nowMs < m.startMs + (m.endMs - m.startMs) / 2 ? 'modifying' : 'optimizing';
}

function modificationShape(v: VolumeRecord, m: Mod, nowMs: number): VolumeModification {
  const state = modificationState(m, nowMs);
  const span = m.endMs - m.startMs;
  return {
    VolumeId: v.id, ModificationState: state,
    TargetSize: m.target.size, TargetVolumeType: m.target.type, TargetMultiAttachEnabled: m.target.multiAttach,
    ...(m.target.iops !== undefined ? { TargetIops: m.target.iops } : {}), ...(m.target.throughput !== undefined ? { TargetThroughput: m.target.throughput } : {}),
    OriginalSize: m.original.size, OriginalVolumeType: m.original.type, OriginalMultiAttachEnabled: m.original.multiAttach,
    ...(m.original.iops !== undefined ? { OriginalIops: m.original.iops } : {}), ...(m.original.throughput !== undefined ? { OriginalThroughput: m.original.throughput } : {}),
    Progress: state === 'completed' || span <= 0 ? 100 : Math.floor(((nowMs - m.startMs) / span) * 100),
    StartTime: new Date(m.startMs), ...(state === 'completed' ? { EndTime: new Date(m.endMs) } : {}),
  };
}

export const modifyVolume: Handler<ModifyVolumeRequest, ModifyVolumeResult> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  const now = ctx.clock.nowMs();
  const last = v.modifications?.[v.modifications.length - 1];
  if (last && modificationState(last, now) !== 'completed') {
    throw new AwsError('IncorrectModificationState', `Cannot modify volume ${v.id} as it is currently being modified (${modificationState(last, now)}).`);
  }
  if (last && now - last.startMs < SIX_HOURS_MS) {
    throw new AwsError('VolumeModificationRateExceeded', "You've reached the maximum modification rate per volume limit. Wait at least 6 hours between modifications per EBS volume.");
  }
  if (volumeState(v, now) === 'creating') throw new AwsError('IncorrectState', `The volume '${v.id}' is not in a valid state for modification (creating).`);
  const original = { size: v.size, type: v.type, multiAttach: v.multiAttach, ...(v.iops !== undefined ? { iops: v.iops } : {}), ...(v.throughput !== undefined ? { throughput: v.throughput } : {}) };
  const next = modifiedSpec(original, { size: input.Size, type: input.VolumeType, iops: input.Iops, throughput: input.Throughput, multiAttach: input.MultiAttachEnabled });
  if (next.multiAttach !== v.multiAttach && liveAttachments(v, now).length) {
    throw new AwsError('InvalidParameterCombination', `Multi-Attach can be enabled or disabled only while the volume ${v.id} is detached.`);
  }
  const target = { size: next.size, type: next.type, multiAttach: next.multiAttach, ...(next.iops !== undefined ? { iops: next.iops } : {}), ...(next.throughput !== undefined ? { throughput: next.throughput } : {}) };
  const m: Mod = { startMs: now, endMs: now + 2 * ebsDelayMs(), original, target };
  v.modifications = [...(v.modifications ?? []), m];
  v.size = next.size;
  v.type = next.type;
  v.multiAttach = next.multiAttach;
  if (next.iops !== undefined) v.iops = next.iops; else delete v.iops;
  if (next.throughput !== undefined) v.throughput = next.throughput; else delete v.throughput;
  putVolume(ctx, v);
  return { VolumeModification: modificationShape(v, m, now) };
};

export const describeVolumesModifications: Handler<DescribeVolumesModificationsRequest, DescribeVolumesModificationsResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const lastOf = (v: VolumeRecord): Mod | undefined => v.modifications?.[v.modifications.length - 1];
  for (const id of input.VolumeIds ?? []) {
    const v = getVolume(ctx, id);
    if (!lastOf(v)) throw new AwsError('InvalidVolumeModification.NotFound', `Modification for volume '${id}' does not exist.`);
  }
  const num = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
  const { items, nextToken } = describe<EbsVolume>(ctx, { Filters: input.Filters, MaxResults: input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeVolumesModifications', type: 'volume', ids: input.VolumeIds, idsParam: 'volumeIds', bounds: [5, 500],
    fields: {
      'volume-id': (v) => v.id,
      'modification-state': (v) => modificationState(lastOf(v)!, now),
      'target-size': (v) => num(lastOf(v)!.target.size),
      'target-iops': (v) => num(lastOf(v)!.target.iops),
      'target-volume-type': (v) => lastOf(v)!.target.type,
      'target-throughput': (v) => num(lastOf(v)!.target.throughput),
      'target-multi-attach-enabled': (v) => bool(lastOf(v)!.target.multiAttach),
      'original-size': (v) => num(lastOf(v)!.original.size),
      'original-iops': (v) => num(lastOf(v)!.original.iops),
      'original-volume-type': (v) => lastOf(v)!.original.type,
      'original-multi-attach-enabled': (v) => bool(lastOf(v)!.original.multiAttach),
      'start-time': (v) => iso(lastOf(v)!.startMs),
    },
    visible: (v) => !volumeGone(v, now) && lastOf(v) !== undefined,
  });
  return { VolumesModifications: items.map((d) => modificationShape(d.record, lastOf(d.record)!, now)), NextToken: nextToken };
};
