/** The fixed lists Auto Scaling describes: limits, adjustment types, hook types, termination policies, notification types, processes, metrics. */
import type { Handler } from '../types.js';
import { GROUP_METRICS } from './capacity.js';
import { NOTIFICATION_TYPES } from './config.js';
import { K } from './records.js';
import { PROCESSES, TERMINATION_POLICIES } from './validate.js';

export const describeAccountLimits: Handler<object, object> = (_i, ctx) => ({
  MaxNumberOfAutoScalingGroups: 500, MaxNumberOfLaunchConfigurations: 200,
  NumberOfAutoScalingGroups: ctx.tx.count(ctx.scope, K.group), NumberOfLaunchConfigurations: ctx.tx.count(ctx.scope, K.launchConfig),
});
export const describeAdjustmentTypes: Handler<object, object> = () => ({
  AdjustmentTypes: ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'].map((AdjustmentType) => ({ AdjustmentType })),
});
export const describeLifecycleHookTypes: Handler<object, object> = () => ({ LifecycleHookTypes: ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'] });
export const describeTerminationPolicyTypes: Handler<object, object> = () => ({ TerminationPolicyTypes: TERMINATION_POLICIES });
export const describeAutoScalingNotificationTypes: Handler<object, object> = () => ({ AutoScalingNotificationTypes: NOTIFICATION_TYPES });
export const describeScalingProcessTypes: Handler<object, object> = () => ({ Processes: PROCESSES.map((ProcessName) => ({ ProcessName })) });
export const describeMetricCollectionTypes: Handler<object, object> = () => ({
  Metrics: GROUP_METRICS.map((Metric) => ({ Metric })), Granularities: [{ Granularity: '1Minute' }],
});
