/**
 * Stored shapes of Auto Scaling: groups (with their members embedded: a group holds at most a
 * few hundred), launch configurations, scaling policies, scheduled actions, lifecycle hooks,
 * notification configurations, activities and instance refreshes; plus one per-scope summary
 * row (DUE) holding each group's next due time, so the fleet step's nextDue is one row read.
 * Times are cloudlet-clock milliseconds.
 */
import type { Scope, Tx } from '../../store/types.js';
import { poke } from '../fleet/engine.js';

export const K = {
  group: 'autoscaling:group',
  launchConfig: 'autoscaling:launch-configuration',
  /** id = `${group}\u0000${policy}` */
  policy: 'autoscaling:policy',
  scheduled: 'autoscaling:scheduled-action',
  hook: 'autoscaling:lifecycle-hook',
  notification: 'autoscaling:notification',
  /** id = `${group}\u0000${inverted start time}${activity id}`: newest first by id. */
  activity: 'autoscaling:activity',
  refresh: 'autoscaling:instance-refresh',
  due: 'autoscaling:due',
} as const;

export const sub = (group: string, name: string): string => `${group}\u0000${name}`;
export const groupPrefix = (group: string): string => `${group}\u0000`;

export interface Member {
  id: string;
  zone: string;
  subnetId?: string;
  /** Pending | Pending:Wait | Pending:Proceed | InService | Terminating | Terminating:Wait | Terminating:Proceed | Standby | Detaching | EnteringStandby */
  state: string;
  health: 'Healthy' | 'Unhealthy';
  /** Why it turned unhealthy (EC2 or ELB or a user), for the activity's cause. */
  unhealthyWhy?: string;
  protected: boolean;
  instanceType: string;
  launchTemplate?: { id: string; name: string; version: string };
  launchConfig?: string;
  imageId?: string;
  weight?: number;
  spot?: boolean;
  launchedMs: number;
  inServiceMs?: number;
  /** A lifecycle hook in progress: which, its token, when its heartbeat times out, its default result. */
  hook?: { name: string; token: string; deadlineMs: number; result: string; globalDeadlineMs: number; kind: 'launch' | 'terminate'; cause: string };
  /** Terminating: the cause to record once the hook ends. */
  termCause?: string;
  decrement?: boolean;
}

export interface GroupTag { Key: string; Value: string; PropagateAtLaunch: boolean }

export interface GroupRecord {
  name: string;
  arn: string;
  createdMs: number;
  launchTemplate?: { id: string; name: string; version: string };
  launchConfigurationName?: string;
  mixed?: Record<string, any>;
  min: number;
  max: number;
  desired: number;
  subnets: string[];
  zones: string[];
  healthCheckType: string;
  grace: number;
  targetGroups: string[];
  loadBalancerNames: string[];
  terminationPolicies: string[];
  protectNew: boolean;
  tags: GroupTag[];
  defaultCooldown: number;
  warmup?: number;
  capacityRebalance: boolean;
  maxInstanceLifetime?: number;
  placementGroup?: string;
  context?: string;
  desiredCapacityType?: string;
  suspended: Array<{ ProcessName: string; SuspensionReason: string }>;
  metrics?: { granularity: string; metrics: string[] };
  members: Member[];
  /** Until this instant simple-scaling policies and honoured-cooldown requests wait. */
  cooldownUntilMs: number;
  /** The cause of the capacity change in progress (the first sentence of launch/terminate activities). */
  cause?: string;
  /** Failed launches back off: next try and the current delay. */
  retryMs?: number;
  backoffMs?: number;
  deleting?: boolean;
  forceDelete?: boolean;
  nextHealthMs?: number;
  /** Orders activities recorded at one instant. */
  activitySeq?: number;
}

export const MEMBER_COUNTED = (m: Member): boolean =>
  !['Standby', 'EnteringStandby', 'Detaching', 'Detached', 'Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated'].includes(m.state);

export const weightOf = (m: Member): number => m.weight ?? 1;
export const capacityOf = (g: GroupRecord): number => g.members.filter(MEMBER_COUNTED).reduce((s, m) => s + weightOf(m), 0);

export interface ActivityRecord {
  id: string;
  group: string;
  description: string;
  cause: string;
  startMs: number;
  endMs?: number;
  status: string;
  statusMessage?: string;
  progress: number;
  details: string;
}

export interface PolicyRecord {
  group: string;
  name: string;
  arn: string;
  type: string;
  adjustmentType?: string;
  minAdjustmentMagnitude?: number;
  scalingAdjustment?: number;
  cooldown?: number;
  stepAdjustments?: Array<{ MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }>;
  metricAggregationType?: string;
  warmup?: number;
  targetTracking?: Record<string, any>;
  enabled: boolean;
  alarms: Array<{ AlarmName: string; AlarmARN: string }>;
  lastMs?: number;
}

export interface ScheduledRecord {
  group: string;
  name: string;
  arn: string;
  startMs?: number;
  endMs?: number;
  recurrence?: string;
  timeZone?: string;
  min?: number;
  max?: number;
  desired?: number;
  nextMs?: number;
}

export interface HookRecord {
  group: string;
  name: string;
  transition: string;
  roleArn?: string;
  targetArn?: string;
  metadata?: string;
  heartbeat: number;
  defaultResult: string;
}

export interface RefreshRecord {
  id: string;
  group: string;
  status: string;
  statusReason?: string;
  startMs: number;
  endMs?: number;
  minHealthy: number;
  warmup: number;
  toReplace: string[];
  total: number;
  nextMs?: number;
  preferences: Record<string, unknown>;
}

export const groupArn = (scope: Scope, name: string, uuid: string): string =>
  `arn:aws:autoscaling:${scope.region}:${scope.account}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;

export function getGroup(tx: Tx, scope: Scope, name: string | undefined): GroupRecord | undefined {
  return name ? tx.get<GroupRecord>(scope, K.group, name) : undefined;
}

interface DueRow { groups: Record<string, number> }

/** Stores the group and its next due time (in the summary row), and pokes the engine for it. */
export function putGroup(tx: Tx, scope: Scope, g: GroupRecord, dueMs: number | undefined): void {
  tx.put(scope, K.group, g.name, g);
  setDue(tx, scope, g.name, dueMs);
}

export function setDue(tx: Tx, scope: Scope, name: string, dueMs: number | undefined): void {
  const row = tx.get<DueRow>(scope, K.due, 'due') ?? { groups: {} };
  if (dueMs === undefined) delete row.groups[name];
  else row.groups[name] = dueMs;
  tx.put(scope, K.due, 'due', row);
  if (dueMs !== undefined) poke(tx, scope, dueMs);
}

export function dueOf(tx: Tx, scope: Scope): Record<string, number> {
  return tx.get<DueRow>(scope, K.due, 'due')?.groups ?? {};
}

export function removeGroupRows(tx: Tx, scope: Scope, name: string): void {
  tx.delete(scope, K.group, name);
  setDue(tx, scope, name, undefined);
  for (const kind of [K.policy, K.scheduled, K.hook, K.notification, K.activity, K.refresh]) {
    for (const r of tx.list(scope, kind, { prefix: groupPrefix(name) })) tx.delete(scope, kind, r.id);
  }
}

export const isoSec = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
