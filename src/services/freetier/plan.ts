/**
 * The account plan and sign-up activities (cost/account-plan.ts). An established account (no
 * sign-up recorded: cloudlet's default) reports the Paid plan, active, with no credits and no
 * activities. A signed-up account reports its plan, its remaining credits (granted minus what
 * the bill has used, credits.ts) and when they end; a Free plan whose six months passed or
 * whose credits ran out is EXPIRED until it is upgraded.
 */
import { AwsError } from '../../core/errors.js';
import { pageByPosition } from './paging.js';
import { ACTIVITIES, creditsEndMs, planOf, upgradeToPaid, type Activity, type PlanRecord } from '../cost/account-plan.js';
import { creditsState } from '../cost/commitments.js';
import type { Handler, RequestContext } from '../types.js';

interface Money { amount: number; unit: 'USD' }
interface PlanState {
  accountId: string;
  accountPlanType: 'FREE' | 'PAID';
  accountPlanStatus: 'NOT_STARTED' | 'ACTIVE' | 'EXPIRED';
  accountPlanRemainingCredits?: Money;
  accountPlanExpirationDate?: Date;
}

const usd = (amount: number): Money => ({ amount: Math.round(amount * 100) / 100, unit: 'USD' });

/** The plan's state at nowMs: its type, status, remaining credits and end. */
export function planState(ctx: RequestContext, plan: PlanRecord | undefined): PlanState {
  if (!plan) return { accountId: ctx.account, accountPlanType: 'PAID', accountPlanStatus: 'ACTIVE' };
  const c = creditsState(ctx.tx, ctx.account, plan, ctx.clock.nowMs());
  return {
    accountId: ctx.account, accountPlanType: plan.type, accountPlanStatus: c.expired ? 'EXPIRED' : 'ACTIVE',
    accountPlanRemainingCredits: usd(c.remaining), accountPlanExpirationDate: new Date(c.endMs),
  };
}

export const getAccountPlanState: Handler<Record<string, never>, PlanState> = (_input, ctx) => planState(ctx, planOf(ctx.tx, ctx.account));

export const upgradeAccountPlan: Handler<{ accountPlanType: 'FREE' | 'PAID' }, Pick<PlanState, 'accountId' | 'accountPlanType' | 'accountPlanStatus'>> = (input, ctx) => {
  const plan = planOf(ctx.tx, ctx.account);
  const type = plan?.type ?? 'PAID';
  if (input.accountPlanType === 'FREE') {
    throw new AwsError('ValidationException', `Account ${ctx.account} is on the ${type} plan; an account plan can only be upgraded to PAID, not changed to FREE.`);
  }
  if (type === 'PAID') throw new AwsError('ValidationException', `Account ${ctx.account} is already on the PAID plan.`);
  upgradeToPaid(ctx.tx, ctx.account, ctx.clock.nowMs());
  return { accountId: ctx.account, accountPlanType: 'PAID', accountPlanStatus: 'ACTIVE' };
};

type Status = 'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETED' | 'EXPIRING';

function statusOf(plan: PlanRecord, a: Activity, nowMs: number): Status {
  if (plan.completed[a.key] !== undefined) return 'COMPLETED';
  // The last month before the credits end: the activity is about to expire.
  return creditsEndMs(plan) - nowMs <= 30 * 86_400_000 ? 'EXPIRING' : 'NOT_STARTED';
}

const summary = (plan: PlanRecord, a: Activity, nowMs: number) => ({
  activityId: a.id, title: a.title, reward: { credit: usd(20) }, status: statusOf(plan, a, nowMs),
});

export const listAccountActivities: Handler<{ filterActivityStatuses?: Status[]; nextToken?: string; maxResults?: number }> = (input, ctx) => {
  const plan = planOf(ctx.tx, ctx.account);
  // Sign-up activities belong to accounts that signed up under the current Free Tier.
  const now = ctx.clock.nowMs();
  const all = plan ? ACTIVITIES.map((a) => summary(plan, a, now)).filter((s) => !input.filterActivityStatuses?.length || input.filterActivityStatuses.includes(s.status)) : [];
  const { page, nextToken } = pageByPosition('ListAccountActivities', input, all, 'The nextToken is not valid for this request.');
  return { activities: page, ...(nextToken ? { nextToken } : {}) };
};

export const getAccountActivity: Handler<{ activityId: string; languageCode?: string }> = (input, ctx) => {
  const plan = planOf(ctx.tx, ctx.account);
  const a = ACTIVITIES.find((x) => x.id === input.activityId);
  if (!plan || !a) {
    throw new AwsError('ResourceNotFoundException', plan
      ? `Activity ${input.activityId} was not found for account ${ctx.account}.`
      : `Activity ${input.activityId} was not found for account ${ctx.account}: the account is an established PAID plan account, without sign-up activities.`);
  }
  const done = plan.completed[a.key];
  return {
    activityId: a.id, title: a.title, description: a.description, status: statusOf(plan, a, ctx.clock.nowMs()), instructionsUrl: a.instructionsUrl,
    reward: { credit: usd(20) }, estimatedTimeToCompleteInMinutes: a.minutes, expiresAt: new Date(creditsEndMs(plan)),
    ...(done !== undefined ? { startedAt: new Date(done), completedAt: new Date(done) } : {}),
  };
};
