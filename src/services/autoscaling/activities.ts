/**
 * Scaling activities (what DescribeScalingActivities tells: description, cause in AWS's
 * wording, status) and the SNS notifications a group's notification configurations ask for.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, DescribeScalingActivitiesType, ActivitiesType } from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { safely, sns } from './peers.js';
import { K, groupPrefix, sub, type ActivityRecord, type GroupRecord } from './records.js';

const INV = 9_999_999_999_999;
const inv = (ms: number): string => String(INV - ms).padStart(13, '0');

export interface NotificationRecord { group: string; topicArn: string; types: string[] }

export function recordActivity(ctx: RequestContext, g: GroupRecord, a: Omit<ActivityRecord, 'id' | 'group' | 'startMs' | 'progress' | 'details'> & { startMs?: number; details?: Record<string, string> }): ActivityRecord {
  const now = ctx.clock.nowMs();
  const id = randomUUID();
  const startMs = a.startMs ?? now;
  const rec: ActivityRecord = {
    id, group: g.name, description: a.description, cause: a.cause, startMs, status: a.status,
    ...(a.endMs !== undefined ? { endMs: a.endMs } : a.status === 'Successful' || a.status === 'Failed' || a.status === 'Cancelled' ? { endMs: now } : {}),
    ...(a.statusMessage ? { statusMessage: a.statusMessage } : {}),
    progress: a.status === 'Successful' || a.status === 'Failed' || a.status === 'Cancelled' ? 100 : 0,
    details: JSON.stringify(a.details ?? {}),
  };
  // Newest first by id; within one instant, later activities first (a sequence the group keeps).
  g.activitySeq = (g.activitySeq ?? 0) + 1;
  ctx.tx.put(ctx.scope, K.activity, sub(g.name, `${inv(startMs)}${String(99_999_999 - (g.activitySeq % 99_999_999)).padStart(8, '0')}${id}`), rec);
  return rec;
}

/** Publishes an Auto Scaling notification (EC2_INSTANCE_LAUNCH, ...) to every topic configured for it. */
export function notify(ctx: RequestContext, g: GroupRecord, type: string, a: ActivityRecord, instanceId?: string, extra: Record<string, unknown> = {}): void {
  const configs = ctx.tx.list<NotificationRecord>(ctx.scope, K.notification, { prefix: groupPrefix(g.name) }).map((r) => r.value)
    .filter((n) => n.types.includes(`autoscaling:${type}`));
  if (!configs.length || !sns) return;
  const now = new Date(ctx.clock.nowMs()).toISOString();
  const body = {
    Origin: 'EC2', Destination: 'AutoScalingGroup', Progress: a.progress, AccountId: ctx.account, Description: a.description,
    RequestId: a.id, EndTime: a.endMs !== undefined ? new Date(a.endMs).toISOString() : now, AutoScalingGroupARN: g.arn, ActivityId: a.id,
    StartTime: new Date(a.startMs).toISOString(), Service: 'AWS Auto Scaling', Time: now, EC2InstanceId: instanceId ?? '',
    StatusCode: a.status, StatusMessage: a.statusMessage ?? '', Details: JSON.parse(a.details), AutoScalingGroupName: g.name,
    Cause: a.cause, Event: `autoscaling:${type}`, ...extra,
  };
  const subject = `Auto Scaling: ${type.startsWith('EC2_INSTANCE_LAUNCH') ? 'launch' : type.startsWith('EC2_INSTANCE_TERMINATE') ? 'termination' : 'test notification'}${type.endsWith('_ERROR') ? ' error' : ''} for group "${g.name}"`;
  for (const n of configs) safely(ctx, 'publish', () => { sns!.publishFromService(ctx, n.topicArn, { subject, message: JSON.stringify(body) }); });
}

export const activityShape = (a: ActivityRecord, g?: GroupRecord): Activity => ({
  ActivityId: a.id, AutoScalingGroupName: a.group, Description: a.description, Cause: a.cause,
  StartTime: new Date(a.startMs), ...(a.endMs !== undefined ? { EndTime: new Date(a.endMs) } : {}),
  StatusCode: a.status as Activity['StatusCode'], ...(a.statusMessage ? { StatusMessage: a.statusMessage } : {}),
  Progress: a.progress, Details: a.details, ...(g ? { AutoScalingGroupARN: g.arn } : {}),
});

export const describeScalingActivities: Handler<DescribeScalingActivitiesType, ActivitiesType> = (input, ctx) => {
  const max = input.MaxRecords ?? 100;
  if (max < 1 || max > 100) throw new AwsError('ValidationError', 'MaxRecords must be between 1 and 100.');
  let rows: ActivityRecord[];
  if (input.AutoScalingGroupName) {
    rows = ctx.tx.list<ActivityRecord>(ctx.scope, K.activity, { prefix: groupPrefix(input.AutoScalingGroupName) }).map((r) => r.value);
  } else {
    rows = ctx.tx.list<ActivityRecord>(ctx.scope, K.activity).map((r) => r.value).sort((a, b) => b.startMs - a.startMs);
  }
  if (input.ActivityIds?.length) rows = rows.filter((a) => input.ActivityIds!.includes(a.id));
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidNextToken', 'The token is not valid.');
  const page = rows.slice(start, start + max);
  const groups = new Map<string, GroupRecord | undefined>();
  const g = (n: string) => { if (!groups.has(n)) groups.set(n, ctx.tx.get<GroupRecord>(ctx.scope, K.group, n)); return groups.get(n); };
  return {
    Activities: page.map((a) => activityShape(a, g(a.group))),
    ...(start + max < rows.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
  };
};
