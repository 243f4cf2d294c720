/**
 * AttachVolume and DetachVolume. The volume row keeps the attachment (its 'instance' index is
 * how an instance finds its volumes); the instance row's blockDevices lists the device too,
 * changed by a read-modify-write of that one row so nothing else on it moves.
 */
import type { AttachVolumeRequest, DetachVolumeRequest, VolumeAttachment } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkId, notFound } from '../ids.js';
import {
  attachmentShape, ebsDelayMs, getVolume, liveAttachments, putVolume, volumesOfInstance, volumeState,
} from './ebs-core.js';
import { instanceExpired, instanceState } from './lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord, type VolumeAttachmentRecord } from './records.js';
import { checkDeviceName, deviceKey, isNitro, MAX_MULTI_ATTACH } from './volume-rules.js';

function getInstanceRow(ctx: RequestContext, id: string | undefined): InstanceRecord {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', 'The request must contain the parameter instanceId');
  checkId('instance', id);
  const i = ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, id);
  if (!i || instanceExpired(i, ctx.clock.nowMs())) throw notFound('instance', [id]);
  return i;
}

export const attachVolume: Handler<AttachVolumeRequest, VolumeAttachment> = (input, ctx) => {
  const device = checkDeviceName(input.Device);
  const v = getVolume(ctx, input.VolumeId);
  const i = getInstanceRow(ctx, input.InstanceId);
  const now = ctx.clock.nowMs();
  const state = instanceState(i, now);
  if (state !== 'running' && state !== 'stopped') {
    throw new AwsError('IncorrectState', `Instance '${i.id}' is not 'running' or 'stopped'.`);
  }
  if (v.zoneName !== i.zoneName) {
    throw new AwsError('InvalidVolume.ZoneMismatch', `The volume '${v.id}' is not in the same availability zone as instance '${i.id}'`);
  }
  const vs = volumeState(v, now);
  if (vs === 'creating' || vs === 'deleting') throw new AwsError('IncorrectState', `The volume '${v.id}' is not in 'available' state.`);
  const live = liveAttachments(v, now);
  if (live.length) {
    if (!v.multiAttach || live.some((a) => a.instanceId === i.id)) throw new AwsError('VolumeInUse', `${v.id} is already attached to an instance`);
    if (!isNitro(i.instanceType)) {
      throw new AwsError('InvalidParameterCombination', `Multi-Attach volume ${v.id} can be attached only to instances built on the Nitro System; ${i.instanceType} is not.`);
    }
    if (live.length >= MAX_MULTI_ATTACH) {
      throw new AwsError('AttachmentLimitExceeded', `Volume ${v.id} is already attached to the maximum of ${MAX_MULTI_ATTACH} instances`);
    }
  } else if (v.multiAttach && !isNitro(i.instanceType)) {
    throw new AwsError('InvalidParameterCombination', `Multi-Attach volume ${v.id} can be attached only to instances built on the Nitro System; ${i.instanceType} is not.`);
  }
  // The attachment point is taken if the instance maps it, or another volume is (still) attached there.
  const key = deviceKey(device);
  const taken = i.blockDevices.some((b) => deviceKey(b.deviceName) === key)
    || volumesOfInstance(ctx, i.id).some((o) => liveAttachments(o, now).some((a) => a.instanceId === i.id && deviceKey(a.device) === key));
  if (taken) throw new AwsError('InvalidParameterValue', `Attachment point ${device} is already in use`);
  const a: VolumeAttachmentRecord = { instanceId: i.id, device, deleteOnTermination: false, attachMs: now, attachedMs: now + ebsDelayMs() };
  v.attachments = [...live, a];
  putVolume(ctx, v);
  i.blockDevices = [...i.blockDevices, { deviceName: device, volumeId: v.id, deleteOnTermination: false, attachMs: now }];
  ctx.tx.put(ctx.scope, COMPUTE_KIND.instance, i.id, i);
  // AWS answers 'attaching' whatever the delay; DescribeVolumes shows the clock's state.
  return { ...attachmentShape(v, a, now), State: 'attaching' };
};

export const detachVolume: Handler<DetachVolumeRequest, VolumeAttachment> = (input, ctx) => {
  const v = getVolume(ctx, input.VolumeId);
  const now = ctx.clock.nowMs();
  const live = liveAttachments(v, now).filter((a) => a.detachMs === undefined);
  if (!live.length) throw new AwsError('IncorrectState', `Volume '${v.id}' is in the '${volumeState(v, now)}' state.`);
  if (input.InstanceId !== undefined) checkId('instance', input.InstanceId);
  let a: VolumeAttachmentRecord | undefined;
  if (input.InstanceId !== undefined) a = live.find((x) => x.instanceId === input.InstanceId);
  else if (live.length > 1) throw new AwsError('InvalidParameterCombination', `Volume ${v.id} is attached to more than one instance: specify the instance ID`);
  else a = live[0];
  if (a && input.Device !== undefined && a.device !== input.Device) a = undefined;
  if (!a) {
    throw new AwsError('InvalidAttachment.NotFound', `Volume '${v.id}' is not attached to instance '${input.InstanceId ?? ''}'${input.Device ? ` at ${input.Device}` : ''}`);
  }
  const i = ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, a.instanceId);
  if (i && a.device === i.rootDeviceName) {
    const s = instanceState(i, now);
    // The root volume comes off only a stopped instance (Force does not change that).
    if (s !== 'stopped' && s !== 'terminated') {
      throw new AwsError('OperationNotPermitted', `Unable to detach root volume '${v.id}' from instance '${i.id}'`);
    }
  }
  const delay = ebsDelayMs();
  const out = { ...attachmentShape(v, a, now), State: 'detaching' as const };
  if (delay) {
    a.detachMs = now;
    a.detachedMs = now + delay;
    v.attachments = liveAttachments(v, now);
  } else {
    v.attachments = liveAttachments(v, now).filter((x) => x !== a);
  }
  putVolume(ctx, v);
  if (i) {
    i.blockDevices = i.blockDevices.filter((b) => !(b.volumeId === v.id && b.deviceName === a.device));
    ctx.tx.put(ctx.scope, COMPUTE_KIND.instance, i.id, i);
  }
  return out;
};
