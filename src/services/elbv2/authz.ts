/** ELBv2 requests name resources by ARN (taken whole by the table); creates name them in Name. */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  variables: {
    LoadBalancerName: (req) => (req.operation === 'CreateLoadBalancer' ? req.input?.Name : undefined),
    TargetGroupName: (req) => (req.operation === 'CreateTargetGroup' ? req.input?.Name : undefined),
    TrustStoreName: (req) => (req.operation === 'CreateTrustStore' ? req.input?.Name : undefined),
  },
};

export default authz;
