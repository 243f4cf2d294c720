import type { ServiceAuthz } from '../authz/types.js';

/** Compute Optimizer's model gives AccessDeniedException HTTP 403 (awsJson's usual denial is 400). */
const authz: ServiceAuthz = {
  denial: { code: 'AccessDeniedException', status: 403 },
};

export default authz;
