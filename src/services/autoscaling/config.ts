/**
 * Launch configurations, lifecycle hooks (PutLifecycleHook, CompleteLifecycleAction,
 * RecordLifecycleActionHeartbeat), scheduled actions, notification configurations and tags.
 */
import type {
  CompleteLifecycleActionType, CreateLaunchConfigurationType, CreateOrUpdateTagsType, DeleteLifecycleHookType, DeleteNotificationConfigurationType,
  DeleteScheduledActionType, DeleteTagsType, DescribeLifecycleHooksType, DescribeLifecycleHooksAnswer, DescribeNotificationConfigurationsType,
  DescribeNotificationConfigurationsAnswer, DescribeScheduledActionsType, DescribeTagsType, LaunchConfigurationNamesType, LaunchConfigurationNameType,
  LaunchConfigurationsType, PutLifecycleHookType, PutNotificationConfigurationType, PutScheduledUpdateGroupActionType, RecordLifecycleActionHeartbeatType,
  ScheduledActionsType, TagsType,
} from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { imageForLaunch } from '../ec2/compute/images-core.js';
import { instanceTypeInfo } from '../ec2/compute/catalog.js';
import { saveGroup } from './groups.js';
import type { LaunchConfigRecord } from './launch.js';
import { nextCron, parseCron } from './math.js';
import type { NotificationRecord } from './activities.js';
import { endHook } from './reconcile.js';
import { groupPrefix, K, sub, type GroupRecord, type HookRecord, type ScheduledRecord } from './records.js';
import { mustGroup } from './validate.js';

export const createLaunchConfiguration: Handler<CreateLaunchConfigurationType, object> = (input, ctx) => {
  const name = input.LaunchConfigurationName!;
  if (ctx.tx.get(ctx.scope, K.launchConfig, name)) throw new AwsError('AlreadyExists', `Launch Configuration by this name already exists - A launch configuration already exists with the name ${name}`);
  if (!input.ImageId && !input.InstanceId) throw new AwsError('ValidationError', 'Valid requests must contain either the ImageId or the InstanceId parameter.');
  if (!input.InstanceType && !input.InstanceId) throw new AwsError('ValidationError', 'Valid requests must contain either the InstanceType or the InstanceId parameter.');
  try { imageForLaunch(ctx, input.ImageId); } catch (e) { throw new AwsError('ValidationError', (e as Error).message); }
  if (input.InstanceType && !instanceTypeInfo(input.InstanceType)) throw new AwsError('ValidationError', `Invalid instance type: ${input.InstanceType}`);
  const rec: LaunchConfigRecord = {
    name, arn: `arn:aws:autoscaling:${ctx.region}:${ctx.account}:launchConfiguration:${randomUUID()}:launchConfigurationName/${name}`,
    createdMs: ctx.clock.nowMs(), imageId: input.ImageId!, instanceType: input.InstanceType!, ...(input.KeyName ? { keyName: input.KeyName } : {}),
    securityGroups: input.SecurityGroups ?? [], ...(input.UserData ? { userData: input.UserData } : {}),
    ...(input.IamInstanceProfile ? { iamInstanceProfile: input.IamInstanceProfile } : {}),
    ...(input.BlockDeviceMappings?.length ? { blockDeviceMappings: input.BlockDeviceMappings } : {}),
    monitoring: input.InstanceMonitoring?.Enabled ?? true, ...(input.SpotPrice ? { spotPrice: input.SpotPrice } : {}),
    ebsOptimized: input.EbsOptimized ?? false, ...(input.AssociatePublicIpAddress !== undefined ? { associatePublicIp: input.AssociatePublicIpAddress } : {}),
    ...(input.MetadataOptions ? { metadataOptions: input.MetadataOptions as Record<string, unknown> } : {}),
    ...(input.PlacementTenancy ? { placementTenancy: input.PlacementTenancy } : {}),
  };
  ctx.tx.put(ctx.scope, K.launchConfig, name, rec);
  return {};
};

export const describeLaunchConfigurations: Handler<LaunchConfigurationNamesType, LaunchConfigurationsType> = (input, ctx) => {
  let rows = ctx.tx.list<LaunchConfigRecord>(ctx.scope, K.launchConfig).map((r) => r.value);
  if (input.LaunchConfigurationNames?.length) rows = rows.filter((r) => input.LaunchConfigurationNames!.includes(r.name));
  const max = input.MaxRecords ?? 50;
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
  return {
    LaunchConfigurations: rows.slice(start, start + max).map((r) => ({
      LaunchConfigurationName: r.name, LaunchConfigurationARN: r.arn, ImageId: r.imageId, InstanceType: r.instanceType, KeyName: r.keyName ?? '',
      SecurityGroups: r.securityGroups, UserData: r.userData ?? '', KernelId: '', RamdiskId: '', BlockDeviceMappings: (r.blockDeviceMappings ?? []) as never,
      InstanceMonitoring: { Enabled: r.monitoring }, ...(r.spotPrice ? { SpotPrice: r.spotPrice } : {}), ...(r.iamInstanceProfile ? { IamInstanceProfile: r.iamInstanceProfile } : {}),
      CreatedTime: new Date(r.createdMs), EbsOptimized: r.ebsOptimized, ...(r.associatePublicIp !== undefined ? { AssociatePublicIpAddress: r.associatePublicIp } : {}),
      ...(r.metadataOptions ? { MetadataOptions: r.metadataOptions } : {}), ...(r.placementTenancy ? { PlacementTenancy: r.placementTenancy } : {}),
    })),
    ...(start + max < rows.length ? { NextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
  };
};

export const deleteLaunchConfiguration: Handler<LaunchConfigurationNameType, object> = (input, ctx) => {
  const name = input.LaunchConfigurationName!;
  if (!ctx.tx.get(ctx.scope, K.launchConfig, name)) throw new AwsError('ValidationError', `Launch configuration name not found - Launch configuration ${name} not found`);
  if (ctx.tx.list<GroupRecord>(ctx.scope, K.group).some((r) => r.value.launchConfigurationName === name)) {
    throw new AwsError('ResourceInUse', `Cannot delete launch configuration ${name} because it is attached to AutoScalingGroup ${ctx.tx.list<GroupRecord>(ctx.scope, K.group).find((r) => r.value.launchConfigurationName === name)!.value.name}`);
  }
  ctx.tx.delete(ctx.scope, K.launchConfig, name);
  return {};
};

const TRANSITIONS = ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'];

export const putLifecycleHook: Handler<PutLifecycleHookType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const id = sub(g.name, input.LifecycleHookName!);
  const before = ctx.tx.get<HookRecord>(ctx.scope, K.hook, id);
  const transition = input.LifecycleTransition ?? before?.transition;
  if (!transition) throw new AwsError('ValidationError', 'LifecycleTransition must be specified for a new lifecycle hook.');
  if (!TRANSITIONS.includes(transition)) throw new AwsError('ValidationError', `Invalid Lifecycle Transition ${transition}`);
  const hb = input.HeartbeatTimeout ?? before?.heartbeat ?? 3600;
  if (hb < 30 || hb > 7200) throw new AwsError('ValidationError', 'HeartbeatTimeout must be between 30 and 7200 seconds.');
  const dr = input.DefaultResult ?? before?.defaultResult ?? 'ABANDON';
  if (dr !== 'CONTINUE' && dr !== 'ABANDON') throw new AwsError('ValidationError', `Invalid DefaultResult ${dr}`);
  if (!before && ctx.tx.count(ctx.scope, K.hook, { prefix: groupPrefix(g.name) }) >= 50) throw new AwsError('LimitExceeded', 'Exceeded the maximum number of lifecycle hooks (50) for this Auto Scaling group.');
  const h: HookRecord = {
    group: g.name, name: input.LifecycleHookName!, transition, heartbeat: hb, defaultResult: dr,
    ...(input.RoleARN ?? before?.roleArn ? { roleArn: input.RoleARN ?? before?.roleArn } : {}),
    ...(input.NotificationTargetARN ?? before?.targetArn ? { targetArn: input.NotificationTargetARN ?? before?.targetArn } : {}),
    ...(input.NotificationMetadata ?? before?.metadata ? { metadata: input.NotificationMetadata ?? before?.metadata } : {}),
  };
  ctx.tx.put(ctx.scope, K.hook, id, h);
  return {};
};

export const describeLifecycleHooks: Handler<DescribeLifecycleHooksType, DescribeLifecycleHooksAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  let hs = ctx.tx.list<HookRecord>(ctx.scope, K.hook, { prefix: groupPrefix(g.name) }).map((r) => r.value);
  if (input.LifecycleHookNames?.length) hs = hs.filter((h) => input.LifecycleHookNames!.includes(h.name));
  return {
    LifecycleHooks: hs.map((h) => ({
      LifecycleHookName: h.name, AutoScalingGroupName: h.group, LifecycleTransition: h.transition, HeartbeatTimeout: h.heartbeat,
      GlobalTimeout: Math.min(172_800, 100 * h.heartbeat), DefaultResult: h.defaultResult,
      ...(h.targetArn ? { NotificationTargetARN: h.targetArn } : {}), ...(h.roleArn ? { RoleARN: h.roleArn } : {}), ...(h.metadata ? { NotificationMetadata: h.metadata } : {}),
    })),
  };
};

export const deleteLifecycleHook: Handler<DeleteLifecycleHookType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  if (!ctx.tx.delete(ctx.scope, K.hook, sub(g.name, input.LifecycleHookName!))) {
    throw new AwsError('ValidationError', `No Lifecycle Hook found with name ${input.LifecycleHookName} for group ${g.name}`);
  }
  return {};
};

function hookMember(input: { AutoScalingGroupName?: string; LifecycleHookName?: string; LifecycleActionToken?: string; InstanceId?: string }, g: GroupRecord) {
  const m = g.members.find((x) => x.hook && x.hook.name === input.LifecycleHookName && (input.LifecycleActionToken ? x.hook.token === input.LifecycleActionToken : x.id === input.InstanceId));
  if (!m) throw new AwsError('ValidationError', `No active Lifecycle Action found with ${input.InstanceId ? `instance ID ${input.InstanceId}` : `token ${input.LifecycleActionToken}`}`);
  return m;
}

export const completeLifecycleAction: Handler<CompleteLifecycleActionType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const m = hookMember(input, g);
  if (input.LifecycleActionResult !== 'CONTINUE' && input.LifecycleActionResult !== 'ABANDON') throw new AwsError('ValidationError', `Invalid LifecycleActionResult ${input.LifecycleActionResult}`);
  endHook(ctx, g, m, input.LifecycleActionResult);
  saveGroup(ctx, g);
  return {};
};

export const recordLifecycleActionHeartbeat: Handler<RecordLifecycleActionHeartbeatType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const m = hookMember(input, g);
  const h = ctx.tx.get<HookRecord>(ctx.scope, K.hook, sub(g.name, m.hook!.name));
  m.hook!.deadlineMs = ctx.clock.nowMs() + (h?.heartbeat ?? 3600) * 1000;
  saveGroup(ctx, g);
  return {};
};

export const putScheduledUpdateGroupAction: Handler<PutScheduledUpdateGroupActionType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const now = ctx.clock.nowMs();
  if (input.MinSize === undefined && input.MaxSize === undefined && input.DesiredCapacity === undefined) {
    throw new AwsError('ValidationError', 'At least one of MinSize, MaxSize or DesiredCapacity must be specified.');
  }
  const tz = input.TimeZone ?? 'UTC';
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); } catch { throw new AwsError('ValidationError', `Invalid time zone: ${tz}`); }
  if (input.Recurrence) { try { parseCron(input.Recurrence); } catch { throw new AwsError('ValidationError', `Given recurrence string: ${input.Recurrence} is invalid`); } }
  const start = (input.StartTime ?? input.Time) ? new Date(input.StartTime ?? input.Time!).getTime() : undefined;
  const end = input.EndTime ? new Date(input.EndTime).getTime() : undefined;
  if (start !== undefined && !input.Recurrence && start < now) throw new AwsError('ValidationError', 'Given start time is in the past');
  if (start !== undefined && end !== undefined && end <= start) throw new AwsError('ValidationError', 'Start time should be before end time');
  if (!input.Recurrence && start === undefined) throw new AwsError('ValidationError', 'Either StartTime or Recurrence must be specified.');
  const from = Math.max(now, start ?? now);
  const nextMs = input.Recurrence ? nextCron(input.Recurrence, from - 60_000, tz) : start;
  const rec: ScheduledRecord = {
    group: g.name, name: input.ScheduledActionName!,
    arn: `arn:aws:autoscaling:${ctx.region}:${ctx.account}:scheduledUpdateGroupAction:${randomUUID()}:autoScalingGroupName/${g.name}:scheduledActionName/${input.ScheduledActionName}`,
    ...(start !== undefined ? { startMs: start } : {}), ...(end !== undefined ? { endMs: end } : {}),
    ...(input.Recurrence ? { recurrence: input.Recurrence, timeZone: tz } : input.TimeZone ? { timeZone: tz } : {}),
    ...(input.MinSize !== undefined ? { min: input.MinSize } : {}), ...(input.MaxSize !== undefined ? { max: input.MaxSize } : {}),
    ...(input.DesiredCapacity !== undefined ? { desired: input.DesiredCapacity } : {}), ...(nextMs !== undefined ? { nextMs: Math.max(nextMs, now) } : {}),
  };
  ctx.tx.put(ctx.scope, K.scheduled, sub(g.name, rec.name), rec);
  saveGroup(ctx, g);
  return {};
};

export const describeScheduledActions: Handler<DescribeScheduledActionsType, ScheduledActionsType> = (input, ctx) => {
  if (input.AutoScalingGroupName) mustGroup(ctx, input.AutoScalingGroupName);
  let rows = ctx.tx.list<ScheduledRecord>(ctx.scope, K.scheduled, input.AutoScalingGroupName ? { prefix: groupPrefix(input.AutoScalingGroupName) } : {}).map((r) => r.value);
  if (input.ScheduledActionNames?.length) rows = rows.filter((r) => input.ScheduledActionNames!.includes(r.name));
  return {
    ScheduledUpdateGroupActions: rows.map((r) => ({
      AutoScalingGroupName: r.group, ScheduledActionName: r.name, ScheduledActionARN: r.arn,
      ...(r.nextMs !== undefined ? { Time: new Date(r.nextMs), StartTime: new Date(r.nextMs) } : r.startMs !== undefined ? { StartTime: new Date(r.startMs) } : {}),
      ...(r.endMs !== undefined ? { EndTime: new Date(r.endMs) } : {}), ...(r.recurrence ? { Recurrence: r.recurrence } : {}),
      ...(r.min !== undefined ? { MinSize: r.min } : {}), ...(r.max !== undefined ? { MaxSize: r.max } : {}), ...(r.desired !== undefined ? { DesiredCapacity: r.desired } : {}),
      ...(r.timeZone ? { TimeZone: r.timeZone } : {}),
    })),
  };
};

export const deleteScheduledAction: Handler<DeleteScheduledActionType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  if (!ctx.tx.delete(ctx.scope, K.scheduled, sub(g.name, input.ScheduledActionName!))) throw new AwsError('ValidationError', 'Scheduled Update Group Action name not found');
  return {};
};

const NOTIFICATION_TYPES = ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR', 'autoscaling:EC2_INSTANCE_TERMINATE', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR', 'autoscaling:TEST_NOTIFICATION'];
export { NOTIFICATION_TYPES };

export const putNotificationConfiguration: Handler<PutNotificationConfigurationType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  for (const t of input.NotificationTypes ?? []) if (!NOTIFICATION_TYPES.includes(t)) throw new AwsError('ValidationError', `${t} is not a valid notification type.`);
  ctx.tx.put(ctx.scope, K.notification, sub(g.name, input.TopicARN!), { group: g.name, topicArn: input.TopicARN!, types: input.NotificationTypes ?? [] } satisfies NotificationRecord);
  return {};
};

export const describeNotificationConfigurations: Handler<DescribeNotificationConfigurationsType, DescribeNotificationConfigurationsAnswer> = (input, ctx) => {
  const names = input.AutoScalingGroupNames?.length ? input.AutoScalingGroupNames : undefined;
  const rows = ctx.tx.list<NotificationRecord>(ctx.scope, K.notification).map((r) => r.value).filter((n) => !names || names.includes(n.group));
  return { NotificationConfigurations: rows.flatMap((n) => n.types.map((t) => ({ AutoScalingGroupName: n.group, TopicARN: n.topicArn, NotificationType: t }))) };
};

export const deleteNotificationConfiguration: Handler<DeleteNotificationConfigurationType, object> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  if (!ctx.tx.delete(ctx.scope, K.notification, sub(g.name, input.TopicARN!))) throw new AwsError('ValidationError', `No notification configuration found for topic ${input.TopicARN}`);
  return {};
};

export const createOrUpdateTags: Handler<CreateOrUpdateTagsType, object> = (input, ctx) => {
  for (const t of input.Tags ?? []) {
    if (t.ResourceType !== 'auto-scaling-group') throw new AwsError('ValidationError', `Invalid resource type ${t.ResourceType}`);
    const g = mustGroup(ctx, t.ResourceId);
    if (t.Key!.toLowerCase().startsWith('aws:')) throw new AwsError('ValidationError', `Tag keys starting with 'aws:' are reserved for internal use`);
    g.tags = g.tags.filter((x) => x.Key !== t.Key);
    g.tags.push({ Key: t.Key!, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false });
    if (g.tags.length > 50) throw new AwsError('LimitExceeded', 'Exceeded the maximum number of tags (50) for this Auto Scaling group.');
    saveGroup(ctx, g);
  }
  return {};
};

export const deleteTags: Handler<DeleteTagsType, object> = (input, ctx) => {
  for (const t of input.Tags ?? []) {
    const g = mustGroup(ctx, t.ResourceId);
    g.tags = g.tags.filter((x) => x.Key !== t.Key);
    saveGroup(ctx, g);
  }
  return {};
};

export const describeTags: Handler<DescribeTagsType, TagsType> = (input, ctx) => {
  let tags = ctx.tx.list<GroupRecord>(ctx.scope, K.group).flatMap((r) => r.value.tags.map((t) => ({ ResourceId: r.value.name, ResourceType: 'auto-scaling-group', ...t })));
  for (const f of input.Filters ?? []) {
    const v = f.Values ?? [];
    if (f.Name === 'auto-scaling-group') tags = tags.filter((t) => v.includes(t.ResourceId));
    else if (f.Name === 'key') tags = tags.filter((t) => v.includes(t.Key));
    else if (f.Name === 'value') tags = tags.filter((t) => v.includes(t.Value));
    else if (f.Name === 'propagate-at-launch') tags = tags.filter((t) => v.includes(String(t.PropagateAtLaunch)));
    else throw new AwsError('ValidationError', `Filter type ${f.Name} is not correct. Allowed Filter types are: auto-scaling-group key value propagate-at-launch`);
  }
  return { Tags: tags };
};
