/**
 * What users do to a group's capacity and members: SetDesiredCapacity (HonorCooldown),
 * SetInstanceHealth, SetInstanceProtection, TerminateInstanceInAutoScalingGroup, Attach/Detach
 * instances, target groups and traffic sources, Enter/ExitStandby, Suspend/ResumeProcesses,
 * Enable/DisableMetricsCollection.
 */
import type {
  ActivitiesType, ActivityType, AttachInstancesQuery, AttachLoadBalancerTargetGroupsType, AttachTrafficSourcesType, DescribeLoadBalancerTargetGroupsRequest,
  DescribeLoadBalancerTargetGroupsResponse, DescribeTrafficSourcesRequest, DescribeTrafficSourcesResponse, DetachInstancesQuery, DetachLoadBalancerTargetGroupsType,
  DetachTrafficSourcesType, DisableMetricsCollectionQuery, EnableMetricsCollectionQuery, EnterStandbyQuery, ExitStandbyQuery, ScalingProcessQuery,
  SetDesiredCapacityType, SetInstanceHealthQuery, SetInstanceProtectionQuery, TerminateInstanceInAutoScalingGroupType, EnterStandbyAnswer, ExitStandbyAnswer, DetachInstancesAnswer,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { activityShape, recordActivity } from './activities.js';
import { saveGroup } from './groups.js';
import { ec2Instance, ec2State, terminateEc2 } from './launch.js';
import { elb, safely } from './peers.js';
import { beginTerminate, suspended } from './reconcile.js';
import { capacityOf, isoSec, K, type GroupRecord, type Member } from './records.js';
import { memberOf, mustGroup, PROCESSES } from './validate.js';
import { setTags, tagsOf } from '../ec2/tags.js';

export const GROUP_METRICS = [
  'GroupMinSize', 'GroupMaxSize', 'GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances', 'GroupStandbyInstances',
  'GroupTerminatingInstances', 'GroupTotalInstances', 'GroupInServiceCapacity', 'GroupPendingCapacity', 'GroupStandbyCapacity',
  'GroupTerminatingCapacity', 'GroupTotalCapacity', 'WarmPoolDesiredCapacity', 'WarmPoolWarmedCapacity', 'WarmPoolPendingCapacity',
  'WarmPoolTerminatingCapacity', 'WarmPoolTotalCapacity', 'GroupAndWarmPoolDesiredCapacity', 'GroupAndWarmPoolTotalCapacity',
];

/** Changes the desired capacity with a cause; ScalingActivityInProgress while in cooldown when asked to honour it. */
export function changeDesired(ctx: RequestContext, g: GroupRecord, desired: number, cause: (before: number, after: number) => string): void {
  const before = g.desired;
  g.desired = desired;
  if (desired !== before) g.cause = cause(before, desired);
}

export const setDesiredCapacity: Handler<SetDesiredCapacityType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const d = input.DesiredCapacity!;
  const now = ctx.clock.nowMs();
  if (d < g.min || d > g.max) throw new AwsError('ValidationError', `New SetDesiredCapacity value ${d} is ${d < g.min ? 'below min value' : 'above max value'} ${d < g.min ? g.min : g.max} for the AutoScalingGroup.`);
  if (input.HonorCooldown && now < g.cooldownUntilMs) throw new AwsError('ScalingActivityInProgress', 'The scaling activity was not performed because the group is in cooldown.');
  changeDesired(ctx, g, d, (b, a) => `At ${isoSec(now)} a user request explicitly set group desired capacity changing the desired capacity from ${b} to ${a}.`);
  saveGroup(ctx, g);
  return {};
};

export const setInstanceHealth: Handler<SetInstanceHealthQuery, object> = (input, ctx) => {
  const g = groupOfInstance(ctx, input.InstanceId);
  const m = memberOf(g, input.InstanceId);
  if (input.HealthStatus !== 'Healthy' && input.HealthStatus !== 'Unhealthy') throw new AwsError('ValidationError', 'Valid values for HealthStatus are Healthy and Unhealthy.');
  if (input.ShouldRespectGracePeriod && ctx.clock.nowMs() < m.launchedMs + g.grace * 1000) return {};
  m.health = input.HealthStatus;
  if (m.health === 'Unhealthy') m.unhealthyWhy = 'user'; else delete m.unhealthyWhy;
  saveGroup(ctx, g);
  return {};
};

export const setInstanceProtection: Handler<SetInstanceProtectionQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const ms = (input.InstanceIds ?? []).map((id) => memberOf(g, id));
  for (const m of ms) m.protected = input.ProtectedFromScaleIn!;
  saveGroup(ctx, g);
  return {};
};

export function groupOfInstance(ctx: RequestContext, id: string | undefined): GroupRecord {
  const g = ctx.tx.list<GroupRecord>(ctx.scope, K.group).map((r) => r.value).find((x) => x.members.some((m) => m.id === id));
  if (!g) throw new AwsError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`);
  return g;
}

export const terminateInstanceInAutoScalingGroup: Handler<TerminateInstanceInAutoScalingGroupType, ActivityType> = (input, ctx) => {
  const g = groupOfInstance(ctx, input.InstanceId);
  const m = memberOf(g, input.InstanceId);
  const now = ctx.clock.nowMs();
  const dec = input.ShouldDecrementDesiredCapacity!;
  const cap = capacityOf(g);
  if (dec && g.desired - 1 < g.min) throw new AwsError('ValidationError', `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
  if (dec) g.desired -= m.weight ?? 1;
  const cause = dec
    ? `At ${isoSec(now)} instance ${m.id} was taken out of service in response to a user request, shrinking the capacity from ${cap} to ${cap - (m.weight ?? 1)}.`
    : `At ${isoSec(now)} instance ${m.id} was taken out of service in response to a user request.`;
  beginTerminate(ctx, g, m, cause);
  const a = m.state === 'Terminating:Wait'
    ? recordActivity(ctx, g, { description: `Terminating EC2 instance: ${m.id}`, cause, status: 'WaitingForTerminateLifecycleAction' })
    : ctx.tx.list<Parameters<typeof activityShape>[0]>(ctx.scope, K.activity, { prefix: `${g.name}\u0000`, limit: 1 })[0]!.value;
  saveGroup(ctx, g);
  return { Activity: activityShape(a, g) };
};

export const attachInstances: Handler<AttachInstancesQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const ids = input.InstanceIds ?? [];
  const now = ctx.clock.nowMs();
  if (capacityOf(g) + ids.length > g.max) throw new AwsError('ValidationError', `Attaching ${ids.length} instance(s) to ${g.name} would exceed the group's maximum size of ${g.max}.`);
  const cap = capacityOf(g);
  for (const id of ids) {
    const i = ec2Instance(ctx, id);
    if (!i || ec2State(ctx, id) !== 'running') throw new AwsError('ValidationError', `Instance ${id} is not in correct state.`);
    if (ctx.tx.list<GroupRecord>(ctx.scope, K.group).some((r) => r.value.members.some((m) => m.id === id))) throw new AwsError('ValidationError', `The instance ${id} is already part of an Auto Scaling group.`);
    const m: Member = { id, zone: i.zoneName, ...(i.subnetId ? { subnetId: i.subnetId } : {}), state: 'InService', health: 'Healthy', protected: g.protectNew, instanceType: i.instanceType, imageId: i.imageId, launchedMs: i.launchMs, inServiceMs: now };
    g.members.push(m);
    setTags(ctx.tx, ctx.scope, 'instance', id, [...tagsOf(ctx.tx, ctx.scope, id).filter((t) => t.Key !== 'aws:autoscaling:groupName'), { Key: 'aws:autoscaling:groupName', Value: g.name }]);
    for (const tg of g.targetGroups) if (elb) safely(ctx, 'register', () => elb!.registerFromService(ctx, tg, [{ id }]));
    recordActivity(ctx, g, { description: `Attaching an existing EC2 instance: ${id}`, cause: `At ${isoSec(now)} an instance was added in response to user request. Keeping the capacity at the new ${cap + ids.length}.`, status: 'Successful' });
  }
  g.desired = Math.max(g.desired, cap + ids.length);
  saveGroup(ctx, g);
  return {};
};

export const detachInstances: Handler<DetachInstancesQuery, DetachInstancesAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  const ms = (input.InstanceIds ?? []).map((id) => memberOf(g, id));
  const dec = input.ShouldDecrementDesiredCapacity!;
  if (dec && g.desired - ms.length < g.min) throw new AwsError('ValidationError', `The number of instances to detach would make the group smaller than its minimum size (${g.min}).`);
  const out = [];
  for (const m of ms) {
    for (const tg of g.targetGroups) if (elb) safely(ctx, 'deregister', () => elb!.deregisterFromService(ctx, tg, [{ id: m.id }]));
    g.members = g.members.filter((x) => x.id !== m.id);
    setTags(ctx.tx, ctx.scope, 'instance', m.id, tagsOf(ctx.tx, ctx.scope, m.id).filter((t) => t.Key !== 'aws:autoscaling:groupName'));
    const a = recordActivity(ctx, g, { description: `Detaching EC2 instance: ${m.id}`, cause: `At ${isoSec(now)} instance ${m.id} was detached in response to a user request${dec ? ', shrinking the capacity' : ''}.`, status: 'Successful' });
    out.push(activityShape(a, g));
  }
  if (dec) g.desired -= ms.length;
  saveGroup(ctx, g);
  return { Activities: out };
};

function attachTargets(ctx: RequestContext, g: GroupRecord, arns: string[]): void {
  for (const tg of arns) {
    if (g.targetGroups.includes(tg)) continue;
    g.targetGroups.push(tg);
    if (elb) for (const m of g.members.filter((x) => x.state === 'InService')) safely(ctx, 'register', () => elb!.registerFromService(ctx, tg, [{ id: m.id }]));
  }
}

function detachTargets(ctx: RequestContext, g: GroupRecord, arns: string[]): void {
  for (const tg of arns) {
    if (!g.targetGroups.includes(tg)) continue;
    g.targetGroups = g.targetGroups.filter((x) => x !== tg);
    if (elb) for (const m of g.members) safely(ctx, 'deregister', () => elb!.deregisterFromService(ctx, tg, [{ id: m.id }]));
  }
}

export const attachLoadBalancerTargetGroups: Handler<AttachLoadBalancerTargetGroupsType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName); attachTargets(ctx, g, input.TargetGroupARNs ?? []); saveGroup(ctx, g); return {};
};
export const detachLoadBalancerTargetGroups: Handler<DetachLoadBalancerTargetGroupsType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName); detachTargets(ctx, g, input.TargetGroupARNs ?? []); saveGroup(ctx, g); return {};
};
export const attachTrafficSources: Handler<AttachTrafficSourcesType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName); attachTargets(ctx, g, (input.TrafficSources ?? []).map((t) => t.Identifier!)); saveGroup(ctx, g); return {};
};
export const detachTrafficSources: Handler<DetachTrafficSourcesType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName); detachTargets(ctx, g, (input.TrafficSources ?? []).map((t) => t.Identifier!)); saveGroup(ctx, g); return {};
};
export const describeLoadBalancerTargetGroups: Handler<DescribeLoadBalancerTargetGroupsRequest, DescribeLoadBalancerTargetGroupsResponse> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  return { LoadBalancerTargetGroups: g.targetGroups.map((LoadBalancerTargetGroupARN) => ({ LoadBalancerTargetGroupARN, State: 'InService' })) };
};
export const describeTrafficSources: Handler<DescribeTrafficSourcesRequest, DescribeTrafficSourcesResponse> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  return { TrafficSources: g.targetGroups.map((Identifier) => ({ TrafficSource: Identifier, Identifier, Type: 'elbv2', State: 'InService' })) };
};

export const enterStandby: Handler<EnterStandbyQuery, EnterStandbyAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  const ms = (input.InstanceIds ?? []).map((id) => memberOf(g, id));
  for (const m of ms) if (m.state !== 'InService') throw new AwsError('ValidationError', `The instance ${m.id} is not in InService.`);
  const dec = input.ShouldDecrementDesiredCapacity!;
  if (dec && g.desired - ms.length < g.min) throw new AwsError('ValidationError', `AutoScalingGroup ${g.name} has min-size=${g.min}, max-size=${g.max}, and desired-size=${g.desired}. To place into standby ${ms.length} instances, please update the AutoScalingGroup sizes appropriately.`);
  const out = [];
  for (const m of ms) {
    m.state = 'Standby';
    for (const tg of g.targetGroups) if (elb) safely(ctx, 'deregister', () => elb!.deregisterFromService(ctx, tg, [{ id: m.id }]));
    out.push(activityShape(recordActivity(ctx, g, { description: `Moving EC2 instance to Standby: ${m.id}`, cause: `At ${isoSec(now)} instance ${m.id} was moved to standby in response to a user request${dec ? ', shrinking the capacity from ' + g.desired + ' to ' + (g.desired - ms.length) : ''}.`, status: 'Successful' }), g));
  }
  if (dec) g.desired -= ms.length;
  saveGroup(ctx, g);
  return { Activities: out };
};

export const exitStandby: Handler<ExitStandbyQuery, ExitStandbyAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  const ms = (input.InstanceIds ?? []).map((id) => memberOf(g, id));
  for (const m of ms) if (m.state !== 'Standby') throw new AwsError('ValidationError', `The instance ${m.id} is not in Standby.`);
  if (g.desired + ms.length > g.max) throw new AwsError('ValidationError', `AutoScalingGroup ${g.name} has min-size=${g.min}, max-size=${g.max}, and desired-size=${g.desired}. To exit standby ${ms.length} instances, please update the AutoScalingGroup sizes appropriately.`);
  const out = [];
  for (const m of ms) {
    m.state = 'Pending';
    out.push(activityShape(recordActivity(ctx, g, { description: `Moving EC2 instance out of Standby: ${m.id}`, cause: `At ${isoSec(now)} instance ${m.id} was moved out of standby in response to a user request, increasing the capacity from ${g.desired} to ${g.desired + ms.length}.`, status: 'Successful' }), g));
  }
  g.desired += ms.length;
  saveGroup(ctx, g);
  return { Activities: out };
};

function processes(names: string[] | undefined): string[] {
  const list = names?.length ? names : PROCESSES;
  for (const p of list) if (!PROCESSES.includes(p)) throw new AwsError('ValidationError', `Process ${p} is not a valid scaling process.`);
  return list;
}

export const suspendProcesses: Handler<ScalingProcessQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  for (const p of processes(input.ScalingProcesses)) {
    if (!suspended(g, p)) g.suspended.push({ ProcessName: p, SuspensionReason: `User suspended at ${isoSec(ctx.clock.nowMs())}` });
  }
  saveGroup(ctx, g);
  return {};
};

export const resumeProcesses: Handler<ScalingProcessQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const ps = processes(input.ScalingProcesses);
  g.suspended = g.suspended.filter((s) => !ps.includes(s.ProcessName));
  saveGroup(ctx, g);
  return {};
};

export const enableMetricsCollection: Handler<EnableMetricsCollectionQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  if (input.Granularity !== '1Minute') throw new AwsError('ValidationError', `Invalid granularity: ${input.Granularity}. Valid granularity is: 1Minute`);
  const asked = input.Metrics?.length ? input.Metrics : GROUP_METRICS;
  for (const m of asked) if (!GROUP_METRICS.includes(m)) throw new AwsError('ValidationError', `Invalid metric name: ${m}`);
  g.metrics = { granularity: '1Minute', metrics: [...new Set([...(g.metrics?.metrics ?? []), ...asked])] };
  saveGroup(ctx, g);
  return {};
};

export const disableMetricsCollection: Handler<DisableMetricsCollectionQuery, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const drop = input.Metrics?.length ? input.Metrics : GROUP_METRICS;
  const left = (g.metrics?.metrics ?? []).filter((m) => !drop.includes(m));
  if (left.length) g.metrics = { granularity: '1Minute', metrics: left }; else delete g.metrics;
  saveGroup(ctx, g);
  return {};
};

export type { ActivitiesType };
export { terminateEc2 };

/** Classic load balancers by name: kept on the group (cloudlet serves no Classic Load Balancing API to register with). */
export const attachLoadBalancers: Handler<{ AutoScalingGroupName?: string; LoadBalancerNames?: string[] }, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  for (const n of input.LoadBalancerNames ?? []) if (!g.loadBalancerNames.includes(n)) g.loadBalancerNames.push(n);
  saveGroup(ctx, g);
  return {};
};
export const detachLoadBalancers: Handler<{ AutoScalingGroupName?: string; LoadBalancerNames?: string[] }, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  g.loadBalancerNames = g.loadBalancerNames.filter((n) => !(input.LoadBalancerNames ?? []).includes(n));
  saveGroup(ctx, g);
  return {};
};
export const describeLoadBalancers: Handler<{ AutoScalingGroupName?: string }, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  return { LoadBalancers: g.loadBalancerNames.map((LoadBalancerName) => ({ LoadBalancerName, State: 'InService' })) };
};
/** No warm pools in cloudlet: a group has none (what AWS answers for a group without one). */
export const describeWarmPool: Handler<{ AutoScalingGroupName?: string }, object> = (input, ctx) => {
  mustGroup(ctx, input.AutoScalingGroupName);
  return { Instances: [] };
};
