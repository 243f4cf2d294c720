import type { SavingsPlan } from '@aws-sdk/client-savingsplans';
import type { Scope } from '../../store/types.js';

/**
 * Stored Savings Plans rows. Savings Plans are account-wide (the service is global), so every
 * row lives in {account, region: ''}.
 *
 * PLAN, id = savingsPlanId: the plan as DescribeSavingsPlans reports it (the model's SavingsPlan,
 * tags included), so a handler that creates or changes a plan writes the answer itself.
 */
export const PLAN = 'savingsplans:plan';

export type SavingsPlanRecord = SavingsPlan & { savingsPlanId: string; savingsPlanArn: string };

export const planScope = (account: string): Scope => ({ account, region: '' });

/** The id an ARN names when it is one of this account's plan ARNs (arn:aws:savingsplans::ACCOUNT:savingsplan/ID). */
export function planIdOf(arn: string, account: string): string | undefined {
  const m = /^arn:aws[\w-]*:savingsplans:[^:]*:(\d{12}):savingsplan\/([^/]+)$/.exec(arn);
  return m && m[1] === account ? m[2] : undefined;
}
