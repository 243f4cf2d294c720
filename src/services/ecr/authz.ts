/**
 * ECR: a request may name another account's registry (registryId), which then owns the
 * repository ARN (cross-account access needs the repository policy, a hook for later).
 */
import type { ServiceAuthz } from '../authz/types.js';

const authz: ServiceAuthz = {
  variables: {
    Account: (req) => (typeof req.input?.registryId === 'string' && /^\d{12}$/.test(req.input.registryId) ? req.input.registryId : undefined),
  },
};

export default authz;
