/**
 * Start, stop, reboot and terminate, with what each does beyond the state: a stop drops the
 * non-Elastic public address (a new one comes at the next start) and keeps the private address
 * and Elastic IPs; a termination deletes the volumes and interfaces marked DeleteOnTermination,
 * detaches the rest, gives back every address and leaves the VPC free to delete.
 */
import type {
  InstanceStateChange, RebootInstancesRequest, StartInstancesRequest, StartInstancesResult, StopInstancesRequest,
  StopInstancesResult, TerminateInstancesRequest, TerminateInstancesResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkId } from '../ids.js';
import { dropTags } from '../tags.js';
import { claimPublicIp, releasePublicIp } from '../vpc/addresses.js';
import { addressesOf, K as ENI_K, releaseIpv4, releaseMac } from '../vpc/eni-core.js';
import type { NetworkInterfaceRecord } from '../vpc/records-eni.js';
import { checkVcpuQuotaFor } from './catalog.js';
import { releaseVolumesAtTermination } from './ebs-core.js';
import { getInstance, interfacesOf, putInstance, transitionMs } from './instances-core.js';
import { instanceState, STATE_CODE } from './lifecycle.js';
import type { InstanceRecord, InstanceStateName, SpotRequestRecord } from './records.js';
import { COMPUTE_KIND } from './records.js';
import { scheduleSpotCheck, settle } from './spot.js';
import { poke } from '../../fleet/engine.js';

type Reason = { code: string; message: string };
const USER_STOP: Reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

const transitionText = (what: string, atMs: number): string =>
  `${what} (${new Date(atMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT')})`;

function closeRun(i: InstanceRecord, atMs: number): void {
  const last = i.runs[i.runs.length - 1];
  if (last && last[1] === undefined) last[1] = atMs;
}

function dropPublicIp(ctx: RequestContext, i: InstanceRecord): void {
  if (i.publicIp) releasePublicIp(ctx, i.publicIp);
  delete i.publicIp;
}

/** The instance starts stopping at `atMs`; the caller has checked it may. */
export function applyStop(ctx: RequestContext, i: InstanceRecord, atMs: number, reason: Reason): void {
  i.phase = 'stop';
  i.sinceMs = atMs;
  i.doneMs = atMs + transitionMs();
  i.stateReason = reason;
  i.transitionReason = transitionText(reason === USER_STOP ? 'User initiated' : 'Service initiated', atMs);
  closeRun(i, atMs);
  dropPublicIp(ctx, i);
  delete i.due;
  putInstance(ctx, i);
}

function deleteInterface(ctx: RequestContext, e: NetworkInterfaceRecord): void {
  for (const a of addressesOf(ctx, e.id).values()) {
    delete a.association;
    ctx.tx.put(ctx.scope, ENI_K.eip, a.allocationId, a);
  }
  releaseIpv4(ctx, e.subnetId, e.privateIps.length, e.privateIps.map((p) => p.address));
  releaseMac(ctx, e.macAddress);
  ctx.tx.delete(ctx.scope, ENI_K.eni, e.id);
  dropTags(ctx.tx, ctx.scope, e.id);
}

/** The instance starts shutting down at `atMs`: everything it holds is given back now. */
export function applyTerminate(ctx: RequestContext, i: InstanceRecord, atMs: number, reason: Reason): void {
  i.phase = 'terminate';
  i.sinceMs = atMs;
  i.doneMs = atMs + transitionMs();
  i.stateReason = reason;
  i.transitionReason = transitionText(reason.code === 'Client.UserInitiatedShutdown' ? 'User initiated' : 'Service initiated', atMs);
  closeRun(i, atMs);
  dropPublicIp(ctx, i);
  for (const e of interfacesOf(ctx, i.id)) {
    if (e.attachment?.deleteOnTermination) { deleteInterface(ctx, e); continue; }
    delete e.attachment;
    ctx.tx.put(ctx.scope, ENI_K.eni, e.id, e);
    for (const a of addressesOf(ctx, e.id).values()) {
      delete a.association!.instanceId;
      ctx.tx.put(ctx.scope, ENI_K.eip, a.allocationId, a);
    }
  }
  releaseVolumesAtTermination(ctx, i.id);
  delete i.subnetId;
  delete i.vpcId;
  delete i.iamInstanceProfile;
  delete i.due;
  if (i.spot) {
    const r = ctx.tx.get<SpotRequestRecord>(ctx.scope, COMPUTE_KIND.spotRequest, i.spot.requestId);
    if (r && r.state === 'active') {
      r.state = 'closed';
      r.status = { code: 'instance-terminated-by-user', message: 'Spot Instance terminated.', updateMs: atMs };
      ctx.tx.put(ctx.scope, COMPUTE_KIND.spotRequest, r.id, r);
    }
  }
  putInstance(ctx, i);
}

function applyStart(ctx: RequestContext, i: InstanceRecord, atMs: number): void {
  i.phase = 'start';
  i.sinceMs = atMs;
  i.doneMs = atMs + transitionMs();
  delete i.stateReason;
  i.transitionReason = '';
  i.runs.push([atMs]);
  if (i.publicIpOnLaunch) i.publicIp = claimPublicIp(ctx, i.id);
  scheduleSpotCheck(i, atMs);
  putInstance(ctx, i);
  poke(ctx.tx, ctx.scope, atMs); // metrics follow it again (src/services/fleet/emit.ts)
}

/** The instances a call names, every one of them checked before any changes. */
function named(ctx: RequestContext, ids: readonly string[] | undefined): InstanceRecord[] {
  if (!ids?.length) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId');
  for (const id of ids) checkId('instance', id);
  settle(ctx);
  return [...new Set(ids)].map((id) => getInstance(ctx, id));
}

const change = (id: string, prev: InstanceStateName, cur: InstanceStateName): InstanceStateChange => ({
  InstanceId: id, PreviousState: { Code: STATE_CODE[prev], Name: prev }, CurrentState: { Code: STATE_CODE[cur], Name: cur },
});

export const stopInstances: Handler<StopInstancesRequest, StopInstancesResult> = (input, ctx) => {
  const list = named(ctx, input.InstanceIds);
  const now = ctx.clock.nowMs();
  for (const i of list) {
    const s = instanceState(i, now);
    if (s === 'terminated' || s === 'shutting-down') throw new AwsError('IncorrectInstanceState', `This instance '${i.id}' is not in a state from which it can be stopped.`);
    if (i.disableApiStop && s !== 'stopped' && s !== 'stopping') {
      throw new AwsError('OperationNotPermitted', `The instance '${i.id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`);
    }
    if (i.lifecycle === 'spot' && s !== 'stopped' && s !== 'stopping') {
      const r = ctx.tx.get<SpotRequestRecord>(ctx.scope, COMPUTE_KIND.spotRequest, i.spot!.requestId);
      if (!r || r.type !== 'persistent') {
        throw new AwsError('UnsupportedOperation', `You can't stop the Spot Instance '${i.id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`);
      }
    }
    if (input.Hibernate && !i.hibernation) {
      throw new AwsError('UnsupportedHibernationConfiguration', `For hibernation to be supported on instance ${i.id}, it must be launched with hibernation configured.`);
    }
  }
  const out = list.map((i) => {
    const prev = instanceState(i, now);
    if (prev !== 'stopped' && prev !== 'stopping') applyStop(ctx, i, now, USER_STOP);
    return change(i.id, prev, instanceState(i, now));
  });
  return { StoppingInstances: out };
};

export const startInstances: Handler<StartInstancesRequest, StartInstancesResult> = (input, ctx) => {
  const list = named(ctx, input.InstanceIds);
  const now = ctx.clock.nowMs();
  for (const i of list) {
    const s = instanceState(i, now);
    if (s === 'stopping' || s === 'terminated' || s === 'shutting-down') {
      throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be started.`);
    }
  }
  // Every stopped one counts against the vCPU quota, checked once for the call (all or none start).
  checkVcpuQuotaFor(ctx, list.filter((i) => instanceState(i, now) === 'stopped').map((i) => i.instanceType));
  const out = list.map((i) => {
    const prev = instanceState(i, now);
    if (prev === 'stopped') applyStart(ctx, i, now);
    return change(i.id, prev, instanceState(i, now));
  });
  return { StartingInstances: out };
};

export const terminateInstances: Handler<TerminateInstancesRequest, TerminateInstancesResult> = (input, ctx) => {
  const list = named(ctx, input.InstanceIds);
  const now = ctx.clock.nowMs();
  const locked = list.filter((i) => i.disableApiTermination && instanceState(i, now) !== 'terminated');
  if (locked.length) {
    throw new AwsError('OperationNotPermitted', `The instance '${locked[0]!.id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`);
  }
  const out = list.map((i) => {
    const prev = instanceState(i, now);
    if (prev !== 'terminated' && prev !== 'shutting-down') applyTerminate(ctx, i, now, { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
    return change(i.id, prev, instanceState(i, now));
  });
  return { TerminatingInstances: out };
};

export const rebootInstances: Handler<RebootInstancesRequest, object> = (input, ctx) => {
  const list = named(ctx, input.InstanceIds);
  const now = ctx.clock.nowMs();
  for (const i of list) {
    const s = instanceState(i, now);
    if (s === 'terminated' || s === 'shutting-down') throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a state from which it can be rebooted.`);
  }
  return {};
};
