/**
 * The account plan. Since 15 July 2025 a new AWS account chooses the Free plan (credits, six
 * months, no charges) or the Paid plan; accounts from before keep the legacy Free Tier and
 * report the Paid plan. cloudlet's accounts are established accounts: Paid, active, without
 * credits or sign-up activities, so every charge beyond the Always Free allowances is billed.
 */
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';

interface PlanState {
  accountId: string;
  accountPlanType: 'FREE' | 'PAID';
  accountPlanStatus: 'NOT_STARTED' | 'ACTIVE' | 'EXPIRED';
}

const planOf = (account: string): PlanState => ({ accountId: account, accountPlanType: 'PAID', accountPlanStatus: 'ACTIVE' });

export const getAccountPlanState: Handler<Record<string, never>, PlanState> = (_input, ctx) => planOf(ctx.account);

export const upgradeAccountPlan: Handler<{ accountPlanType: 'FREE' | 'PAID' }, PlanState> = (input, ctx) => {
  const plan = planOf(ctx.account);
  if (input.accountPlanType === 'FREE') {
    throw new AwsError('ValidationException', `Account ${ctx.account} is on the ${plan.accountPlanType} plan; an account plan can only be upgraded to PAID, not changed to FREE.`);
  }
  if (plan.accountPlanType === 'PAID') {
    throw new AwsError('ValidationException', `Account ${ctx.account} is already on the PAID plan.`);
  }
  return plan;
};

export const listAccountActivities: Handler<{ filterActivityStatuses?: string[]; nextToken?: string }, { activities: never[] }> = (input) => {
  // Sign-up activities (and their credits) belong to Free plan accounts: there are none to page.
  if (input.nextToken !== undefined) throw new AwsError('ValidationException', 'The nextToken is not valid for this request.');
  return { activities: [] };
};

export const getAccountActivity: Handler<{ activityId: string }> = (input, ctx) => {
  throw new AwsError('ResourceNotFoundException', `Activity ${input.activityId} was not found for account ${ctx.account}: the account is on the PAID plan, which has no sign-up activities.`);
};
