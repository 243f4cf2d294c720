import { AwsError } from '../../core/errors.js';
import { defineService, type Handler } from '../types.js';
import { describeAvailabilityZones, describeRegions } from './regions.js';
import { vpcHandlers } from './vpc/handlers.js';
import { securityHandlers } from './vpc/handlers-security.js';
import { gatewayHandlers } from './vpc/handlers-gateways.js';
import { endpointHandlers } from './vpc/handlers-endpoints.js';
import { computeHandlers } from './compute/handlers.js';

/**
 * EC2's DryRun: every operation that takes it answers DryRunOperation when the caller would
 * have been allowed (authorization has already run by the time a handler is called).
 */
function dryRunnable(h: Handler): Handler {
  return (input: { DryRun?: boolean }, ctx) => {
    if (input?.DryRun) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    return h(input, ctx);
  };
}

const handlers: Record<string, Handler> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  ...vpcHandlers,
  ...securityHandlers,
  ...gatewayHandlers,
  ...endpointHandlers,
  ...computeHandlers,
};

export default defineService({
  name: 'ec2',
  modelId: 'ec2-2016-11-15',
  handlers: Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, dryRunnable(h)])),
});
