/**
 * The fleet steps, in the order they run at one instant: metrics first (what the period
 * measured), then alarms (what the metrics say), then Auto Scaling (what the alarms and
 * schedules ask), then load balancer health. Each service adds its one line here.
 */
import type { FleetStep } from './engine.js';
import { metricsStep } from './emit.js';
import { ALARMS_STEP } from '../cloudwatch/alarm-ports.js';
import { ELB_STEP } from '../elbv2/targets.js';
import { autoscalingStep } from '../autoscaling/step.js';
import { budgetsStep } from '../budgets/step.js';
import { billingStep } from '../cost/billing-metric.js';

export const FLEET_STEPS: readonly FleetStep[] = [
  metricsStep,
  billingStep,
  ALARMS_STEP,
  budgetsStep,
  autoscalingStep,
  ELB_STEP,
];
