/**
 * Spot: requests (one per Spot instance), and interruption by the clock. The Spot price of a
 * type in a zone changes every hour (catalog.ts spotPrice); an instance whose price goes over
 * its request's maximum gets the two-minute notice (IMDS spot/instance-action reads
 * spot.noticeMs) and then stops or terminates as its interruption behaviour says.
 *
 * Nothing ticks: each Spot instance carries the 'due' index key of the next hour to check, and
 * `settle` (called by every instance operation and by IMDS) walks the hours that have passed.
 */
import type {
  CancelSpotInstanceRequestsRequest, CancelSpotInstanceRequestsResult, DescribeSpotInstanceRequestsRequest,
  DescribeSpotInstanceRequestsResult, RequestSpotInstancesRequest, RequestSpotInstancesResult, RunInstancesRequest, SpotInstanceRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe } from '../describe.js';
import { newId } from '../ids.js';
import { setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { spotPrice } from './catalog.js';
import { INSTANCE_KIND, putInstance } from './instances-core.js';
import { applyStop, applyTerminate } from './instances-actions.js';
import { isLive, instanceState } from './lifecycle.js';
import { COMPUTE_KIND, dueKey, type InstanceRecord, type SpotRequestRecord } from './records.js';

const HOUR = 3_600_000;
export const NOTICE_MS = 120_000;
const KIND = COMPUTE_KIND.spotRequest;
/** How far settle walks in one call (two years of hours): further gaps resume on the next call. */
const MAX_HOURS = 2 * 366 * 24;

export function recordSpotRequest(
  ctx: RequestContext, i: InstanceRecord, id: string,
  spot: { maxPrice: number; behavior: 'terminate' | 'stop' | 'hibernate'; type: 'one-time' | 'persistent' },
  input: RunInstancesRequest, tags: Tag[],
): void {
  const now = ctx.clock.nowMs();
  const r: SpotRequestRecord = {
    id, type: spot.type, maxPrice: spot.maxPrice, state: 'active',
    status: { code: 'fulfilled', message: 'Your spot request is fulfilled.', updateMs: now },
    instanceId: i.id, zoneName: i.zoneName, interruptionBehavior: spot.behavior, createMs: now,
    launchSpecification: { ImageId: input.ImageId, InstanceType: i.instanceType, KeyName: input.KeyName, SubnetId: i.subnetId },
  };
  ctx.tx.put(ctx.scope, KIND, id, r);
  setTags(ctx.tx, ctx.scope, 'spot-instances-request', id, tags);
}

/** The next hour boundary after `fromMs`, as the Spot instance's due key (nothing for others). */
export function scheduleSpotCheck(i: InstanceRecord, fromMs: number): void {
  if (i.lifecycle !== 'spot' || !i.spot) return;
  i.due = dueKey(Math.floor(fromMs / HOUR) * HOUR + HOUR);
}

/**
 * Walks the clock hours from `fromMs` (an hour boundary) to `nowMs`: the first whose price is
 * over the instance's maximum, or, when none is, the next hour still to look at.
 */
function firstHourOver(i: InstanceRecord, maxPrice: number, fromMs: number, nowMs: number): { overMs?: number; nextMs: number } {
  let h = fromMs;
  for (let k = 0; h <= nowMs && k < MAX_HOURS; k++, h += HOUR) {
    if (spotPrice(i.instanceType, i.zoneName, h) > maxPrice) return { overMs: h, nextMs: h };
  }
  return { nextMs: h };
}

/**
 * The interruption notice a Spot instance has at `nowMs`, whether or not a call has settled
 * it yet (the metadata service reads it without writing): the first hour since its last check
 * whose price is over the maximum, and the interruption two minutes later.
 */
export function spotNotice(i: InstanceRecord, nowMs: number): { noticeMs: number; interruptMs: number } | undefined {
  if (!i.spot) return undefined;
  if (i.spot.noticeMs !== undefined) {
    return nowMs >= i.spot.noticeMs ? { noticeMs: i.spot.noticeMs, interruptMs: i.spot.interruptMs ?? i.spot.noticeMs + NOTICE_MS } : undefined;
  }
  if (i.due === undefined) return undefined;
  const { overMs } = firstHourOver(i, i.spot.maxPrice, Number(i.due), nowMs);
  return overMs === undefined ? undefined : { noticeMs: overMs, interruptMs: overMs + NOTICE_MS };
}

function closeRequest(ctx: RequestContext, i: InstanceRecord, code: string, message: string, atMs: number): void {
  const r = i.spot && ctx.tx.get<SpotRequestRecord>(ctx.scope, KIND, i.spot.requestId);
  if (!r) return;
  r.status = { code, message, updateMs: atMs };
  r.state = r.type === 'persistent' && i.spot!.interruptionBehavior === 'stop' ? 'disabled' as 'closed' : 'closed';
  ctx.tx.put(ctx.scope, KIND, r.id, r);
}

/** Applies every Spot event the clock has passed: notices, then interruptions. */
export function settle(ctx: RequestContext): void {
  const now = ctx.clock.nowMs();
  const due = ctx.tx.findBy<InstanceRecord>(ctx.scope, INSTANCE_KIND, 'due', { lte: dueKey(now) });
  for (const { value: i } of due) {
    if (!i.spot || !isLive(instanceState(i, Number(i.due)))) {
      delete i.due;
      putInstance(ctx, i);
      continue;
    }
    if (i.spot.noticeMs === undefined) {
      const { overMs, nextMs } = firstHourOver(i, i.spot.maxPrice, Number(i.due), now);
      if (overMs === undefined) {
        i.due = dueKey(nextMs);
        putInstance(ctx, i);
        continue;
      }
      i.spot.noticeMs = overMs;
      i.spot.interruptMs = overMs + NOTICE_MS;
    }
    const at = i.spot.interruptMs!;
    if (at > now) {
      i.due = dueKey(at);
      putInstance(ctx, i);
      continue;
    }
    delete i.due;
    const reason = { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' };
    if (i.spot.interruptionBehavior === 'terminate') applyTerminate(ctx, i, at, reason);
    else applyStop(ctx, i, at, reason);
    closeRequest(ctx, i, i.spot.interruptionBehavior === 'terminate' ? 'instance-terminated-by-price' : 'instance-stopped-by-price',
      'Your Spot Instance was interrupted because the Spot price exceeded your maximum price.', at);
  }
}

function requestShape(ctx: RequestContext, r: SpotRequestRecord, tags: Tag[]): SpotInstanceRequest {
  return {
    SpotInstanceRequestId: r.id, SpotPrice: r.maxPrice.toFixed(6), Type: r.type, State: r.state,
    Status: { Code: r.status.code, Message: r.status.message, UpdateTime: new Date(r.status.updateMs) },
    ...(r.instanceId ? { InstanceId: r.instanceId } : {}),
    LaunchSpecification: r.launchSpecification as SpotInstanceRequest['LaunchSpecification'],
    ...(r.zoneName ? { LaunchedAvailabilityZone: r.zoneName } : {}),
    CreateTime: new Date(r.createMs), ProductDescription: 'Linux/UNIX', InstanceInterruptionBehavior: r.interruptionBehavior,
    ...(r.validUntilMs ? { ValidUntil: new Date(r.validUntilMs) } : {}),
    Tags: tagList(tags) ?? [],
  };
}

/** RequestSpotInstances: each instance launches at once through RunInstances with Spot market options. */
export function requestSpotInstancesWith(run: (input: RunInstancesRequest, ctx: RequestContext) => { Instances?: Array<{ InstanceId?: string }> }): Handler<RequestSpotInstancesRequest, RequestSpotInstancesResult> {
  return (input, ctx) => {
    settle(ctx);
    const count = input.InstanceCount ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new AwsError('InvalidParameterValue', `Value (${count}) for parameter instanceCount is invalid.`);
    const spec = input.LaunchSpecification ?? {};
    const type = (input.Type ?? 'one-time') as 'one-time' | 'persistent';
    const behavior = input.InstanceInterruptionBehavior ?? (type === 'persistent' ? 'terminate' : 'terminate');
    const tags = tagSpecTags(input.TagSpecifications, 'spot-instances-request');
    const now = ctx.clock.nowMs();
    if (input.ValidUntil && input.ValidUntil.getTime() <= now) throw new AwsError('InvalidParameterValue', 'ValidUntil must be in the future');
    const runInput: RunInstancesRequest = {
      ImageId: spec.ImageId, InstanceType: spec.InstanceType, KeyName: spec.KeyName, UserData: spec.UserData,
      SubnetId: spec.SubnetId, SecurityGroupIds: spec.SecurityGroupIds,
      SecurityGroups: spec.SecurityGroups, IamInstanceProfile: spec.IamInstanceProfile, BlockDeviceMappings: spec.BlockDeviceMappings,
      EbsOptimized: spec.EbsOptimized, Placement: spec.Placement as RunInstancesRequest['Placement'],
      NetworkInterfaces: spec.NetworkInterfaces, Monitoring: spec.Monitoring ? { Enabled: !!spec.Monitoring.Enabled } : undefined,
      MinCount: count, MaxCount: count,
      InstanceMarketOptions: {
        MarketType: 'spot',
        SpotOptions: {
          // RunInstances refuses persistent + terminate; RequestSpotInstances allows it (the
          // request, not the instance, is persistent), so the launch goes one-time and the
          // request's type is set below.
          ...(input.SpotPrice ? { MaxPrice: input.SpotPrice } : {}), SpotInstanceType: 'one-time',
          InstanceInterruptionBehavior: 'terminate',
        },
      },
    };
    const res = run(runInput, ctx);
    const out: SpotInstanceRequest[] = [];
    for (const inst of res.Instances ?? []) {
      const i = ctx.tx.get<InstanceRecord>(ctx.scope, INSTANCE_KIND, inst.InstanceId!)!;
      const r = ctx.tx.get<SpotRequestRecord>(ctx.scope, KIND, i.spot!.requestId)!;
      r.interruptionBehavior = behavior as 'terminate';
      r.type = type;
      i.spot!.interruptionBehavior = behavior as 'terminate';
      putInstance(ctx, i);
      if (input.ValidUntil) r.validUntilMs = input.ValidUntil.getTime();
      r.launchSpecification = { ...r.launchSpecification, ...spec };
      ctx.tx.put(ctx.scope, KIND, r.id, r);
      setTags(ctx.tx, ctx.scope, 'spot-instances-request', r.id, tags);
      out.push(requestShape(ctx, r, tags));
    }
    return { SpotInstanceRequests: out };
  };
}

export const describeSpotInstanceRequests: Handler<DescribeSpotInstanceRequestsRequest, DescribeSpotInstanceRequestsResult> = (input, ctx) => {
  settle(ctx);
  const { items, nextToken } = describe<SpotRequestRecord>(ctx, input, {
    operation: 'DescribeSpotInstanceRequests', type: 'spot-instances-request', ids: input.SpotInstanceRequestIds, idsParam: 'spotInstanceRequestId',
    fields: {
      'spot-instance-request-id': (r) => r.id, state: (r) => r.state, 'status-code': (r) => r.status.code, type: (r) => r.type,
      'instance-id': (r) => r.instanceId, 'spot-price': (r) => r.maxPrice.toFixed(6), 'launched-availability-zone': (r) => r.zoneName,
      'launch.instance-type': (r) => r.launchSpecification.InstanceType as string | undefined,
      'launch.image-id': (r) => r.launchSpecification.ImageId as string | undefined,
      'product-description': () => 'Linux/UNIX',
    },
    indexes: { 'instance-id': 'instance' },
  });
  return { SpotInstanceRequests: items.map((d) => requestShape(ctx, d.record, d.tags)), ...(nextToken ? { NextToken: nextToken } : {}) };
};

/** Cancelling leaves the instance running, as on AWS (terminate it separately). */
export const cancelSpotInstanceRequests: Handler<CancelSpotInstanceRequestsRequest, CancelSpotInstanceRequestsResult> = (input, ctx) => {
  const ids = input.SpotInstanceRequestIds ?? [];
  if (!ids.length) throw new AwsError('MissingParameter', 'The request must contain the parameter SpotInstanceRequestId');
  const out = [];
  for (const id of ids) {
    const r = ctx.tx.get<SpotRequestRecord>(ctx.scope, KIND, id);
    if (!r) throw new AwsError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${id}' does not exist`);
    if (r.state === 'active' || r.state === 'open') {
      r.state = 'cancelled';
      r.status = { code: r.instanceId ? 'request-canceled-and-instance-running' : 'canceled-before-fulfillment', message: 'Your Spot request is canceled.', updateMs: ctx.clock.nowMs() };
      ctx.tx.put(ctx.scope, KIND, id, r);
    }
    out.push({ SpotInstanceRequestId: id, State: r.state as 'cancelled' });
  }
  return { CancelledSpotInstanceRequests: out };
};
