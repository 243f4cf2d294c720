/**
 * Auto Scaling group ARNs carry a group ID requests never name: it stays '*'
 * (arn:aws:autoscaling:REGION:ACCT:autoScalingGroup:*:autoScalingGroupName/NAME).
 */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  variables: {
    GroupFriendlyName: ['AutoScalingGroupName', 'AutoScalingGroupNames'],
    LaunchConfigurationName: ['LaunchConfigurationName', 'LaunchConfigurationNames'],
  },
};

export default authz;
