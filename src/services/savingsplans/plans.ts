import type {
  DescribeSavingsPlansRequest, DescribeSavingsPlansResponse, ListTagsForResourceRequest, ListTagsForResourceResponse,
  SavingsPlanFilter,
} from '@aws-sdk/client-savingsplans';
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';
import { PLAN, planIdOf, planScope, type SavingsPlanRecord } from './records.js';

/** The record field each DescribeSavingsPlans filter name compares with (values match exactly). */
const FILTER_FIELDS: Record<string, (p: SavingsPlanRecord) => unknown> = {
  region: (p) => p.region,
  'ec2-instance-family': (p) => p.ec2InstanceFamily,
  'instance-family': (p) => p.ec2InstanceFamily,
  commitment: (p) => p.commitment,
  upfront: (p) => p.upfrontPaymentAmount,
  term: (p) => p.termDurationInSeconds,
  'savings-plan-type': (p) => p.savingsPlanType,
  'payment-option': (p) => p.paymentOption,
  start: (p) => p.start,
  end: (p) => p.end,
};

function passes(p: SavingsPlanRecord, f: SavingsPlanFilter): boolean {
  const field = f.name ? FILTER_FIELDS[f.name] : undefined;
  if (!field || !f.values?.length) return true;
  const v = field(p);
  return v !== undefined && f.values.includes(String(v));
}

// nextToken: the last id returned, base64 (the model's PaginationToken allows no '-' of a UUID).
const token = (id: string) => Buffer.from(id, 'utf8').toString('base64');
const untoken = (t: string) => Buffer.from(t, 'base64').toString('utf8');

/** The account's plans that fit every criterion, in id order. */
export function describeSavingsPlans(input: DescribeSavingsPlansRequest, ctx: RequestContext): DescribeSavingsPlansResponse {
  const ids = input.savingsPlanIds?.length ? new Set(input.savingsPlanIds) : undefined;
  const arns = input.savingsPlanArns?.length ? new Set(input.savingsPlanArns) : undefined;
  const states = input.states?.length ? new Set<string>(input.states) : undefined;
  const rows = ctx.tx.list<SavingsPlanRecord>(planScope(ctx.account), PLAN, input.nextToken ? { after: untoken(input.nextToken) } : {});
  const fits = rows.map((r) => r.value).filter((p) => (!ids || ids.has(p.savingsPlanId)) && (!arns || arns.has(p.savingsPlanArn))
    && (!states || (p.state !== undefined && states.has(p.state))) && (input.filters ?? []).every((f) => passes(p, f)));
  const page = input.maxResults ? fits.slice(0, input.maxResults) : fits;
  const out: DescribeSavingsPlansResponse = { savingsPlans: page };
  if (page.length < fits.length) out.nextToken = token(page[page.length - 1]!.savingsPlanId);
  return out;
}

/** A plan's tags; any ARN that names no plan of this account is ResourceNotFoundException (HTTP 404 in the model). */
export function listTagsForResource(input: ListTagsForResourceRequest, ctx: RequestContext): ListTagsForResourceResponse {
  const id = planIdOf(input.resourceArn!, ctx.account);
  const plan = id === undefined ? undefined : ctx.tx.get<SavingsPlanRecord>(planScope(ctx.account), PLAN, id);
  if (!plan) throw new AwsError('ResourceNotFoundException', `Savings Plan ${input.resourceArn} was not found.`, 404);
  return { tags: plan.tags ?? {} };
}
