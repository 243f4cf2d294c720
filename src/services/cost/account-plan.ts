/**
 * New accounts' Free Tier since 15 July 2025: an account signs up on the Free plan or the Paid
 * plan and gets $100 of credits, plus $20 for each of five sign-up activities it completes (up
 * to $200 in all). On the Free plan the credits and the plan end six months after sign-up;
 * on the Paid plan (or after upgrading) the credits last twelve months from sign-up. Credits
 * pay eligible charges after the Always Free allowances (credits.ts).
 *
 * An account without a plan record is an established account (cloudlet's default): it reports
 * the Paid plan and has no credits. `cloudlet account-plan` (admin endpoint
 * /_cloudlet/free-tier) signs an account up as new, now, on either plan.
 */
import { createHash } from 'node:crypto';
import type { Tx } from '../../store/types.js';

export const PLAN_KIND = 'freetier:plan';
const PLAN_ID = 'account';
const SIGN_UP_USD = 100;
const ACTIVITY_USD = 20;

export type PlanType = 'FREE' | 'PAID';

export interface Credit {
  /** 'sign-up', or the activity that earned it. */
  source: string;
  amount: number;
  grantedMs: number;
}

export interface PlanRecord {
  type: PlanType;
  startMs: number;
  upgradedMs?: number;
  credits: Credit[];
  /** Activity key -> when it was completed. */
  completed: Record<string, number>;
}

export interface Activity {
  key: string;
  id: string;
  title: string;
  description: string;
  instructionsUrl: string;
  minutes: number;
  /** Whether cloudlet has the service the activity needs: the others cannot be completed here. */
  possible: boolean;
}

const activityId = (key: string): string => createHash('sha256').update(`cloudlet-free-tier-activity:${key}`).digest('hex').slice(0, 32);

const act = (key: string, title: string, description: string, url: string, minutes: number, possible: boolean): Activity =>
  ({ key, id: activityId(key), title, description, instructionsUrl: url, minutes, possible });

/** AWS's five sign-up activities. */
export const ACTIVITIES: readonly Activity[] = [
  act('ec2-instance', 'Launch an instance using Amazon EC2', 'Launch an EC2 instance (RunInstances).', 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/EC2_GetStarted.html', 10, true),
  act('cost-budget', 'Set up a cost budget using AWS Budgets', 'Create a cost budget (CreateBudget with BudgetType COST).', 'https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html', 5, true),
  act('bedrock-playground', 'Use a foundation model in the Amazon Bedrock playground', 'Amazon Bedrock is not part of cloudlet: this activity cannot be completed here.', 'https://docs.aws.amazon.com/bedrock/latest/userguide/playgrounds.html', 10, false),
  act('lambda-web-app', 'Create a web app using AWS Lambda', 'AWS Lambda is not part of cloudlet: this activity cannot be completed here.', 'https://docs.aws.amazon.com/lambda/latest/dg/getting-started.html', 15, false),
  act('rds-database', 'Create an Aurora or Amazon RDS database', 'Amazon RDS is not part of cloudlet: this activity cannot be completed here.', 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_GettingStarted.html', 15, false),
];

const globalScope = (account: string) => ({ account, region: '' });

export const planOf = (tx: Tx, account: string): PlanRecord | undefined => tx.get<PlanRecord>(globalScope(account), PLAN_KIND, PLAN_ID);

const addMonths = (ms: number, n: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
};

/**
 * When the plan's credits stop paying: the Free plan's end (six months), else twelve months
 * from sign-up; credits a Free plan left when it ended are not revived by a later upgrade.
 */
export function creditsEndMs(p: PlanRecord): number {
  const freeEnd = addMonths(p.startMs, 6);
  if (p.type === 'FREE' || (p.upgradedMs !== undefined && p.upgradedMs >= freeEnd)) return freeEnd;
  return addMonths(p.startMs, 12);
}

/** The Free plan's end by time (its credits may run out sooner). */
export const freePlanEndMs = (p: PlanRecord): number => addMonths(p.startMs, 6);

/** Signs the account up as new at nowMs on a plan: $100 of credits, no activity done. Replaces an earlier sign-up. */
export function signUp(tx: Tx, account: string, type: PlanType, nowMs: number): PlanRecord {
  const rec: PlanRecord = { type, startMs: nowMs, credits: [{ source: 'sign-up', amount: SIGN_UP_USD, grantedMs: nowMs }], completed: {} };
  tx.put(globalScope(account), PLAN_KIND, PLAN_ID, rec);
  return rec;
}

/** Forgets the sign-up: the account is an established, paid account again. */
export const dropPlan = (tx: Tx, account: string): boolean => tx.delete(globalScope(account), PLAN_KIND, PLAN_ID);

export function upgradeToPaid(tx: Tx, account: string, nowMs: number): PlanRecord {
  const p = planOf(tx, account)!;
  const rec: PlanRecord = { ...p, type: 'PAID', upgradedMs: nowMs };
  tx.put(globalScope(account), PLAN_KIND, PLAN_ID, rec);
  return rec;
}

/**
 * Marks a sign-up activity done (called by the operations that complete one): $20 of credits,
 * once, while the plan's credits still run. A no-op for established accounts.
 */
export function completeActivity(tx: Tx, account: string, key: string, nowMs: number): void {
  const p = planOf(tx, account);
  if (!p || p.completed[key] !== undefined || nowMs >= creditsEndMs(p)) return;
  tx.put(globalScope(account), PLAN_KIND, PLAN_ID, {
    ...p, completed: { ...p.completed, [key]: nowMs }, credits: [...p.credits, { source: key, amount: ACTIVITY_USD, grantedMs: nowMs }],
  } satisfies PlanRecord);
}
