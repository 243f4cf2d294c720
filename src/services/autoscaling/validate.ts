/** Lookups and checks the Auto Scaling handlers share, with AWS's error codes and messages. */
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';
import { K, type GroupRecord } from './records.js';

export function mustGroup(ctx: RequestContext, name: string | undefined): GroupRecord {
  const g = name ? ctx.tx.get<GroupRecord>(ctx.scope, K.group, groupName(name)) : undefined;
  if (!g) throw new AwsError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return g;
}

/** A group named by name or by ARN (…:autoScalingGroupName/NAME). */
export const groupName = (n: string): string => (n.startsWith('arn:') ? n.slice(n.indexOf('autoScalingGroupName/') + 21) : n);

export function checkSizes(min: number, max: number, desired: number | undefined): void {
  if (min > max) throw new AwsError('ValidationError', `The minimum size (${min}) must be less than or equal to the maximum size (${max}).`);
  if (desired !== undefined && desired < min) throw new AwsError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
  if (desired !== undefined && desired > max) throw new AwsError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

export function memberOf(g: GroupRecord, id: string | undefined) {
  const m = g.members.find((x) => x.id === id);
  if (!m) throw new AwsError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.name}.`);
  return m;
}

export const PROCESSES = ['Launch', 'Terminate', 'HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions', 'AddToLoadBalancer', 'InstanceRefresh'];
export const TERMINATION_POLICIES = ['Default', 'AllocationStrategy', 'ClosestToNextInstanceHour', 'NewestInstance', 'OldestInstance', 'OldestLaunchConfiguration', 'OldestLaunchTemplate'];
