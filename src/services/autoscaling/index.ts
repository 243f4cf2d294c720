import { defineService } from '../types.js';
import { withFleet } from '../fleet/engine.js';
import { FLEET_STEPS } from '../fleet/steps.js';
import { describeScalingActivities } from './activities.js';
import * as cap from './capacity.js';
import * as cfg from './config.js';
import * as types from './describe-types.js';
import * as groups from './groups.js';
import * as pol from './policies.js';
import * as refresh from './refresh.js';

export default withFleet(defineService({
  name: 'autoscaling', modelId: 'autoscaling-2011-01-01',
  handlers: {
    CreateAutoScalingGroup: groups.createAutoScalingGroup,
    UpdateAutoScalingGroup: groups.updateAutoScalingGroup,
    DeleteAutoScalingGroup: groups.deleteAutoScalingGroup,
    DescribeAutoScalingGroups: groups.describeAutoScalingGroups,
    DescribeAutoScalingInstances: groups.describeAutoScalingInstances,
    CreateLaunchConfiguration: cfg.createLaunchConfiguration,
    DescribeLaunchConfigurations: cfg.describeLaunchConfigurations,
    DeleteLaunchConfiguration: cfg.deleteLaunchConfiguration,
    SetDesiredCapacity: cap.setDesiredCapacity,
    SetInstanceHealth: cap.setInstanceHealth,
    SetInstanceProtection: cap.setInstanceProtection,
    TerminateInstanceInAutoScalingGroup: cap.terminateInstanceInAutoScalingGroup,
    AttachInstances: cap.attachInstances,
    DetachInstances: cap.detachInstances,
    AttachLoadBalancerTargetGroups: cap.attachLoadBalancerTargetGroups,
    DetachLoadBalancerTargetGroups: cap.detachLoadBalancerTargetGroups,
    DescribeLoadBalancerTargetGroups: cap.describeLoadBalancerTargetGroups,
    AttachTrafficSources: cap.attachTrafficSources,
    DetachTrafficSources: cap.detachTrafficSources,
    DescribeTrafficSources: cap.describeTrafficSources,
    EnterStandby: cap.enterStandby,
    ExitStandby: cap.exitStandby,
    SuspendProcesses: cap.suspendProcesses,
    ResumeProcesses: cap.resumeProcesses,
    EnableMetricsCollection: cap.enableMetricsCollection,
    DisableMetricsCollection: cap.disableMetricsCollection,
    PutLifecycleHook: cfg.putLifecycleHook,
    DescribeLifecycleHooks: cfg.describeLifecycleHooks,
    DeleteLifecycleHook: cfg.deleteLifecycleHook,
    CompleteLifecycleAction: cfg.completeLifecycleAction,
    RecordLifecycleActionHeartbeat: cfg.recordLifecycleActionHeartbeat,
    PutScheduledUpdateGroupAction: cfg.putScheduledUpdateGroupAction,
    DescribeScheduledActions: cfg.describeScheduledActions,
    DeleteScheduledAction: cfg.deleteScheduledAction,
    PutNotificationConfiguration: cfg.putNotificationConfiguration,
    DescribeNotificationConfigurations: cfg.describeNotificationConfigurations,
    DeleteNotificationConfiguration: cfg.deleteNotificationConfiguration,
    CreateOrUpdateTags: cfg.createOrUpdateTags,
    DeleteTags: cfg.deleteTags,
    DescribeTags: cfg.describeTags,
    PutScalingPolicy: pol.putScalingPolicy,
    DescribePolicies: pol.describePolicies,
    DeletePolicy: pol.deletePolicy,
    ExecutePolicy: pol.executePolicy,
    DescribeScalingActivities: describeScalingActivities,
    StartInstanceRefresh: refresh.startInstanceRefresh,
    DescribeInstanceRefreshes: refresh.describeInstanceRefreshes,
    CancelInstanceRefresh: refresh.cancelInstanceRefresh,
    DescribeAccountLimits: types.describeAccountLimits,
    DescribeAdjustmentTypes: types.describeAdjustmentTypes,
    DescribeLifecycleHookTypes: types.describeLifecycleHookTypes,
    DescribeTerminationPolicyTypes: types.describeTerminationPolicyTypes,
    DescribeAutoScalingNotificationTypes: types.describeAutoScalingNotificationTypes,
    DescribeScalingProcessTypes: types.describeScalingProcessTypes,
    DescribeMetricCollectionTypes: types.describeMetricCollectionTypes,
  },
}), () => FLEET_STEPS);
