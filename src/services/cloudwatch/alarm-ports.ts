/**
 * The services alarm actions reach (alarm-actions.ts ActionPorts): SNS publishes, Auto Scaling
 * policies, EC2 instance actions (through EC2's own handlers with the alarm's system context,
 * so the instance changes exactly as a StopInstances call would change it).
 */
import { rebootInstances, stopInstances, terminateInstances } from '../ec2/compute/instances-actions.js';
import type { ActionPorts } from './alarm-actions.js';
import { alarmsStep } from './alarms-step.js';

export const defaultPorts: ActionPorts = {
  publish: () => ({ error: 'SNS publishing from CloudWatch is not available in this build' }),
  executePolicy: () => { throw new Error('Auto Scaling policies are not available in this build'); },
  ec2: (sys, action, instanceId) => {
    const input = { InstanceIds: [instanceId] };
    if (action === 'stop') void stopInstances(input, sys);
    else if (action === 'terminate') void terminateInstances(input, sys);
    else void rebootInstances(input, sys); // recover: a simulated host never fails, so recovery is a reboot in place
  },
};

/** The "alarms" fleet step with the real services behind the actions. */
export const ALARMS_STEP = alarmsStep(() => defaultPorts);
