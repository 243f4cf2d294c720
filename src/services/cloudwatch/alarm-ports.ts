/**
 * The services alarm actions reach (alarm-actions.ts ActionPorts): SNS publishes
 * (publishFromService: the topic policy decides), Auto Scaling policies
 * (executePolicyFromAlarm), EC2 instance actions (through EC2's own handlers with the alarm's
 * system context, so the instance changes exactly as a StopInstances call would change it).
 */
import { executePolicyFromAlarm } from '../autoscaling/policies.js';
import { rebootInstances, stopInstances, terminateInstances } from '../ec2/compute/instances-actions.js';
import { publishFromService } from '../sns/publish.js';
import type { ActionPorts } from './alarm-actions.js';
import { alarmsStep } from './alarms-step.js';

export const defaultPorts: ActionPorts = {
  publish: (sys, topicArn, m) => publishFromService(sys, topicArn, m),
  executePolicy: (sys, policyArn, alarm) => executePolicyFromAlarm(sys, policyArn, alarm),
  ec2: (sys, action, instanceId) => {
    const input = { InstanceIds: [instanceId] };
    if (action === 'stop') void stopInstances(input, sys);
    else if (action === 'terminate') void terminateInstances(input, sys);
    else void rebootInstances(input, sys); // recover: a simulated host never fails, so recovery is a reboot in place
  },
};

/** The "alarms" fleet step with the real services behind the actions. */
export const ALARMS_STEP = alarmsStep(() => defaultPorts);
