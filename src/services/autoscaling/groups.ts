/**
 * Groups: CreateAutoScalingGroup, UpdateAutoScalingGroup, DeleteAutoScalingGroup,
 * DescribeAutoScalingGroups (names, tag filters, paging), DescribeAutoScalingInstances.
 */
import { randomUUID } from 'node:crypto';
import type {
  AutoScalingGroup, AutoScalingGroupNamesType, AutoScalingGroupsType, AutoScalingInstancesType, CreateAutoScalingGroupType,
  DeleteAutoScalingGroupType, DescribeAutoScalingInstancesType, UpdateAutoScalingGroupType, LaunchTemplateSpecification,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { templateOf } from '../ec2/compute/launch-templates.js';
import { recordActivity } from './activities.js';
import { subnetOf } from './launch.js';
import { nextDueOf, suspended } from './reconcile.js';
import { dropGroup } from './tracking-alarms.js';
import { groupArn, isoSec, K, putGroup, type GroupRecord, type GroupTag, type Member } from './records.js';
import { checkSizes, groupName, mustGroup, TERMINATION_POLICIES } from './validate.js';
import { zones as regionZones } from '../../core/regions.js';

export function resolveTemplate(ctx: RequestContext, spec: LaunchTemplateSpecification | undefined): { id: string; name: string; version: string } {
  try {
    const t = templateOf(ctx, spec?.LaunchTemplateId, spec?.LaunchTemplateName);
    return { id: t.id, name: t.name, version: spec?.Version ?? '$Default' };
  } catch (e) {
    throw new AwsError('ValidationError', `You must use a valid fully-formed launch template. ${(e as Error).message}`);
  }
}

function subnetsOf(ctx: RequestContext, ids: string | undefined): string[] {
  const list = (ids ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) if (!subnetOf(ctx, s)) throw new AwsError('ValidationError', `The subnet ID '${s}' does not exist`);
  return [...new Set(list)];
}

function checkZones(ctx: RequestContext, zs: string[]): void {
  const known = regionZones(ctx.region, ctx.account).map((z) => z.zoneName);
  for (const z of zs) if (!known.includes(z)) throw new AwsError('ValidationError', `Invalid Availability Zone: ${z}`);
}

function checkPolicies(p: string[] | undefined): string[] {
  for (const x of p ?? []) if (!TERMINATION_POLICIES.includes(x) && !x.startsWith('arn:aws:lambda:')) throw new AwsError('ValidationError', `Termination policy ${x} is not valid.`);
  return p?.length ? p : ['Default'];
}

function checkLaunchConfig(ctx: RequestContext, name: string): void {
  if (!ctx.tx.get(ctx.scope, K.launchConfig, name)) throw new AwsError('ValidationError', `Launch configuration name not found - Launch configuration ${name} not found`);
}

function checkHealthType(t: string | undefined): string {
  const v = t ?? 'EC2';
  for (const part of v.split(',')) if (!['EC2', 'ELB', 'VPC_LATTICE', 'EBS'].includes(part.trim())) throw new AwsError('ValidationError', `Invalid health check type: ${v}`);
  return v;
}

export const createAutoScalingGroup: Handler<CreateAutoScalingGroupType, object> = (input, ctx) => {
  const name = input.AutoScalingGroupName!;
  if (ctx.tx.get(ctx.scope, K.group, name)) throw new AwsError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
  const sources = [input.LaunchTemplate, input.LaunchConfigurationName, input.MixedInstancesPolicy, input.InstanceId].filter((x) => x !== undefined).length;
  if (sources === 0) throw new AwsError('ValidationError', 'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
  if (sources > 1) throw new AwsError('ValidationError', 'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
  const lt = input.LaunchTemplate ? resolveTemplate(ctx, input.LaunchTemplate) : undefined;
  if (input.MixedInstancesPolicy) {
    const spec = input.MixedInstancesPolicy.LaunchTemplate?.LaunchTemplateSpecification;
    if (!spec) throw new AwsError('ValidationError', 'A launch template must be specified in the mixed instances policy.');
    resolveTemplate(ctx, spec);
  }
  if (input.LaunchConfigurationName) checkLaunchConfig(ctx, input.LaunchConfigurationName);
  const subnets = subnetsOf(ctx, input.VPCZoneIdentifier);
  const zones = input.AvailabilityZones ?? [];
  checkZones(ctx, zones);
  if (!subnets.length && !zones.length) throw new AwsError('ValidationError', 'At least one Availability Zone or VPC Subnet is required.');
  const min = input.MinSize!; const max = input.MaxSize!;
  checkSizes(min, max, input.DesiredCapacity);
  const desired = input.DesiredCapacity ?? min;
  const now = ctx.clock.nowMs();
  const tags: GroupTag[] = (input.Tags ?? []).map((t) => {
    if (!t.Key) throw new AwsError('ValidationError', 'Tag key must not be empty.');
    if (t.Key.toLowerCase().startsWith('aws:')) throw new AwsError('ValidationError', `Tag keys starting with 'aws:' are reserved for internal use`);
    return { Key: t.Key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false };
  });
  const g: GroupRecord = {
    name, arn: groupArn(ctx.scope, name, randomUUID()), createdMs: now,
    ...(lt ? { launchTemplate: lt } : {}), ...(input.LaunchConfigurationName ? { launchConfigurationName: input.LaunchConfigurationName } : {}),
    ...(input.MixedInstancesPolicy ? { mixed: input.MixedInstancesPolicy as Record<string, any> } : {}),
    min, max, desired, subnets,
    zones: zones.length ? [...zones].sort() : [...new Set(subnets.map((s) => subnetOf(ctx, s)!.zoneName))].sort(),
    healthCheckType: checkHealthType(input.HealthCheckType), grace: input.HealthCheckGracePeriod ?? (input.HealthCheckType === 'ELB' ? 300 : 0),
    targetGroups: input.TargetGroupARNs ?? [], loadBalancerNames: input.LoadBalancerNames ?? [],
    terminationPolicies: checkPolicies(input.TerminationPolicies), protectNew: input.NewInstancesProtectedFromScaleIn ?? false,
    tags, defaultCooldown: input.DefaultCooldown ?? 300, ...(input.DefaultInstanceWarmup !== undefined ? { warmup: input.DefaultInstanceWarmup } : {}),
    capacityRebalance: input.CapacityRebalance ?? false, ...(input.MaxInstanceLifetime ? { maxInstanceLifetime: input.MaxInstanceLifetime } : {}),
    ...(input.PlacementGroup ? { placementGroup: input.PlacementGroup } : {}), ...(input.Context ? { context: input.Context } : {}),
    ...(input.DesiredCapacityType ? { desiredCapacityType: input.DesiredCapacityType } : {}),
    suspended: [], members: [], cooldownUntilMs: 0,
  };
  for (const tg of input.TrafficSources ?? []) if (tg.Identifier && !g.targetGroups.includes(tg.Identifier)) g.targetGroups.push(tg.Identifier);
  if (desired > 0) g.cause = `At ${isoSec(now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.`;
  putGroup(ctx.tx, ctx.scope, g, now);
  return {};
};

export const updateAutoScalingGroup: Handler<UpdateAutoScalingGroupType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  const min = input.MinSize ?? g.min; const max = input.MaxSize ?? g.max;
  if (min > max) checkSizes(min, max, undefined);
  let desired = input.DesiredCapacity;
  if (desired !== undefined) checkSizes(min, max, desired);
  else desired = Math.max(min, Math.min(max, g.desired));
  if (input.LaunchTemplate) { g.launchTemplate = resolveTemplate(ctx, input.LaunchTemplate); delete g.launchConfigurationName; delete g.mixed; }
  if (input.LaunchConfigurationName) { checkLaunchConfig(ctx, input.LaunchConfigurationName); g.launchConfigurationName = input.LaunchConfigurationName; delete g.launchTemplate; delete g.mixed; }
  if (input.MixedInstancesPolicy) { g.mixed = { ...(g.mixed ?? {}), ...(input.MixedInstancesPolicy as Record<string, any>) }; delete g.launchTemplate; delete g.launchConfigurationName; }
  if (input.VPCZoneIdentifier !== undefined) {
    g.subnets = subnetsOf(ctx, input.VPCZoneIdentifier);
    g.zones = [...new Set(g.subnets.map((s) => subnetOf(ctx, s)!.zoneName))].sort();
  }
  if (input.AvailabilityZones) { checkZones(ctx, input.AvailabilityZones); if (!g.subnets.length) g.zones = [...input.AvailabilityZones].sort(); }
  if (input.HealthCheckType) g.healthCheckType = checkHealthType(input.HealthCheckType);
  if (input.HealthCheckGracePeriod !== undefined) g.grace = input.HealthCheckGracePeriod;
  if (input.TerminationPolicies) g.terminationPolicies = checkPolicies(input.TerminationPolicies);
  if (input.NewInstancesProtectedFromScaleIn !== undefined) g.protectNew = input.NewInstancesProtectedFromScaleIn;
  if (input.DefaultCooldown !== undefined) g.defaultCooldown = input.DefaultCooldown;
  if (input.DefaultInstanceWarmup !== undefined) g.warmup = input.DefaultInstanceWarmup;
  if (input.CapacityRebalance !== undefined) g.capacityRebalance = input.CapacityRebalance;
  if (input.MaxInstanceLifetime !== undefined) g.maxInstanceLifetime = input.MaxInstanceLifetime;
  if (input.Context !== undefined) g.context = input.Context;
  const parts = [input.MinSize !== undefined ? `min: ${min}` : '', input.MaxSize !== undefined ? `max: ${max}` : '', input.DesiredCapacity !== undefined ? `desired: ${desired}` : ''].filter(Boolean);
  const before = g.desired;
  g.min = min; g.max = max; g.desired = desired;
  if (desired !== before) {
    g.cause = `At ${isoSec(now)} a user request update of AutoScalingGroup constraints to ${parts.join(', ')} changing the desired capacity from ${before} to ${desired}.`;
  }
  putGroup(ctx.tx, ctx.scope, g, now);
  return {};
};

export const deleteAutoScalingGroup: Handler<DeleteAutoScalingGroupType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  if (!input.ForceDelete) {
    if (g.members.length) throw new AwsError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
    if (g.deleting) throw new AwsError('ScalingActivityInProgress', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.');
    dropGroup(ctx, g.name);
    return {};
  }
  g.deleting = true;
  g.min = 0; g.desired = 0;
  g.cause = `At ${isoSec(now)} a user request deleted the AutoScalingGroup changing the desired capacity from ${g.members.length} to 0.`;
  if (!g.members.length) { dropGroup(ctx, g.name); return {}; }
  g.suspended = g.suspended.filter((s) => s.ProcessName !== 'Terminate');
  putGroup(ctx.tx, ctx.scope, g, now);
  return {};
};

export function memberShape(g: GroupRecord, m: Member) {
  return {
    InstanceId: m.id, InstanceType: m.instanceType, AvailabilityZone: m.zone, LifecycleState: m.state as 'InService', HealthStatus: m.health,
    ...(m.launchTemplate ? { LaunchTemplate: { LaunchTemplateId: m.launchTemplate.id, LaunchTemplateName: m.launchTemplate.name, Version: m.launchTemplate.version } } : {}),
    ...(m.launchConfig ? { LaunchConfigurationName: m.launchConfig } : {}),
    ProtectedFromScaleIn: m.protected, ...(m.weight ? { WeightedCapacity: String(m.weight) } : {}),
  };
}

export function groupShape(g: GroupRecord): AutoScalingGroup {
  return {
    AutoScalingGroupName: g.name, AutoScalingGroupARN: g.arn,
    ...(g.launchConfigurationName ? { LaunchConfigurationName: g.launchConfigurationName } : {}),
    ...(g.launchTemplate ? { LaunchTemplate: { LaunchTemplateId: g.launchTemplate.id, LaunchTemplateName: g.launchTemplate.name, Version: g.launchTemplate.version } } : {}),
    ...(g.mixed ? { MixedInstancesPolicy: g.mixed } : {}),
    MinSize: g.min, MaxSize: g.max, DesiredCapacity: g.desired, DefaultCooldown: g.defaultCooldown, AvailabilityZones: g.zones,
    LoadBalancerNames: g.loadBalancerNames, TargetGroupARNs: g.targetGroups, HealthCheckType: g.healthCheckType, HealthCheckGracePeriod: g.grace,
    Instances: g.members.filter((m) => m.state !== 'Terminated').map((m) => memberShape(g, m)), CreatedTime: new Date(g.createdMs),
    SuspendedProcesses: g.suspended, VPCZoneIdentifier: g.subnets.join(','),
    EnabledMetrics: (g.metrics?.metrics ?? []).map((Metric) => ({ Metric, Granularity: g.metrics!.granularity })),
    ...(g.deleting ? { Status: 'Delete in progress' } : {}),
    Tags: g.tags.map((t) => ({ ResourceId: g.name, ResourceType: 'auto-scaling-group', Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch })),
    TerminationPolicies: g.terminationPolicies, NewInstancesProtectedFromScaleIn: g.protectNew,
    ServiceLinkedRoleARN: `arn:aws:iam::${g.arn.split(':')[4]}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    ...(g.maxInstanceLifetime ? { MaxInstanceLifetime: g.maxInstanceLifetime } : {}), CapacityRebalance: g.capacityRebalance,
    ...(g.placementGroup ? { PlacementGroup: g.placementGroup } : {}), ...(g.context ? { Context: g.context } : {}),
    ...(g.desiredCapacityType ? { DesiredCapacityType: g.desiredCapacityType } : {}), ...(g.warmup !== undefined ? { DefaultInstanceWarmup: g.warmup } : {}),
    TrafficSources: g.targetGroups.map((Identifier) => ({ Identifier, Type: 'elbv2' })),
  } as AutoScalingGroup;
}

function page<T>(rows: T[], token: string | undefined, max: number): { rows: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidNextToken', 'The token is not valid.');
  return { rows: rows.slice(start, start + max), ...(start + max < rows.length ? { next: Buffer.from(String(start + max)).toString('base64') } : {}) };
}

export const describeAutoScalingGroups: Handler<AutoScalingGroupNamesType, AutoScalingGroupsType> = (input, ctx) => {
  const max = input.MaxRecords ?? 50;
  if (max < 1 || max > 100) throw new AwsError('ValidationError', 'MaxRecords must be between 1 and 100.');
  let gs = input.AutoScalingGroupNames?.length
    ? input.AutoScalingGroupNames.map((n) => ctx.tx.get<GroupRecord>(ctx.scope, K.group, groupName(n))).filter((g): g is GroupRecord => !!g)
    : ctx.tx.list<GroupRecord>(ctx.scope, K.group).map((r) => r.value);
  for (const f of input.Filters ?? []) {
    const vals = f.Values ?? [];
    const n = f.Name ?? '';
    gs = gs.filter((g) => {
      if (n === 'tag-key') return g.tags.some((t) => vals.includes(t.Key));
      if (n === 'tag-value') return g.tags.some((t) => vals.includes(t.Value));
      if (n.startsWith('tag:')) return g.tags.some((t) => t.Key === n.slice(4) && vals.includes(t.Value));
      throw new AwsError('ValidationError', `Filter type ${n} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>`);
    });
  }
  const p = page(gs, input.NextToken, max);
  return { AutoScalingGroups: p.rows.map(groupShape), ...(p.next ? { NextToken: p.next } : {}) };
};

export const describeAutoScalingInstances: Handler<DescribeAutoScalingInstancesType, AutoScalingInstancesType> = (input, ctx) => {
  const max = input.MaxRecords ?? 50;
  if (max < 1 || max > 50) throw new AwsError('ValidationError', 'MaxRecords must be between 1 and 50.');
  const all = ctx.tx.list<GroupRecord>(ctx.scope, K.group).flatMap((r) => r.value.members.map((m) => ({ g: r.value, m })));
  const rows = input.InstanceIds?.length ? all.filter((x) => input.InstanceIds!.includes(x.m.id)) : all;
  const p = page(rows, input.NextToken, max);
  return {
    AutoScalingInstances: p.rows.map(({ g, m }) => ({ ...memberShape(g, m), AutoScalingGroupName: g.name })),
    ...(p.next ? { NextToken: p.next } : {}),
  };
};

/** After a handler changes a group: stored, due now if it has work. */
export function saveGroup(ctx: RequestContext, g: GroupRecord): void {
  putGroup(ctx.tx, ctx.scope, g, Math.min(nextDueOf(ctx, g, ctx.clock.nowMs()) ?? Infinity, ctx.clock.nowMs()));
}

export { recordActivity, suspended };
