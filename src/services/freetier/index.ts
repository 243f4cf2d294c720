import { defineService } from '../types.js';
import { getFreeTierUsage } from './usage.js';
import { getAccountActivity, getAccountPlanState, listAccountActivities, upgradeAccountPlan } from './plan.js';

/**
 * AWS Free Tier (JSON 1.0, X-Amz-Target AWSFreeTierService.*), global: the Always Free
 * allowances' month-to-date usage from the cost meter, and the account's plan.
 */
export default defineService({
  name: 'freetier',
  modelId: 'freetier-2023-09-07',
  global: true,
  handlers: {
    GetFreeTierUsage: getFreeTierUsage,
    GetAccountPlanState: getAccountPlanState,
    UpgradeAccountPlan: upgradeAccountPlan,
    ListAccountActivities: listAccountActivities,
    GetAccountActivity: getAccountActivity,
  },
});
