/**
 * Buying, queueing, returning and tagging Savings Plans, and a plan's rates. A plan's state
 * follows the clock: `queued` until its purchase time, `active` for its term, then `retired`;
 * `queued-deleted` and `returned` are final (a return is `pending-return` for its first hour).
 * Stored states are brought up to date by `refreshStates` before any plan is read, so
 * DescribeSavingsPlans (plans.ts) and its state filter see what AWS would report now.
 *
 * AWS's rules (Savings Plans API Reference, CreateSavingsPlan; User Guide, "Returning a purchased
 * Savings Plan" and "Quotas"): the commitment is USD per hour between 0.001 and 1,000,000 with
 * at most five decimals; a Partial Upfront payment is a whole number of dollars between 50 and
 * 99 % of the plan's total (commitment × term hours; half when not given) and only Partial
 * Upfront takes one; a plan with an hourly commitment of $100 or less can be returned within
 * seven days of its purchase and in the same calendar month (UTC), at most 10 returns a year.
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateSavingsPlanRequest, CreateSavingsPlanResponse, DeleteQueuedSavingsPlanRequest, DescribeSavingsPlanRatesRequest, DescribeSavingsPlanRatesResponse,
  DescribeSavingsPlansRequest, DescribeSavingsPlansResponse, ReturnSavingsPlanRequest, ReturnSavingsPlanResponse, SavingsPlanRate,
  TagResourceRequest, UntagResourceRequest,
} from '@aws-sdk/client-savingsplans';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { describe as describeOffering, offeringById, paged, productTypesOf, rateFields, rateOf, rateSpecs, validation } from './offerings.js';
import { describeSavingsPlans as describeStored } from './plans.js';
import { PLAN, planIdOf, planScope, type SavingsPlanRecord } from './records.js';

/** Bookkeeping beside a plan (not part of its API shape): when it was bought and returned. */
export const ORDER = 'savingsplans:order';
/** id = clientToken: the plan a token created. */
export const TOKEN = 'savingsplans:client-token';
interface OrderRecord { createdMs: number; returnedMs?: number }

const DAY = 86_400_000;
const MAX_TAGS = 50;
const RETURN_LIMIT = 10;
const RETURNABLE_COMMITMENT = 100;

const notFound = (what: string): AwsError => new AwsError('ResourceNotFoundException', what, 404);

/** Up to `places` decimals, no trailing zeros: how AWS writes amounts. */
export const amount = (n: number, places = 6): string => String(Math.round(n * 10 ** places) / 10 ** places);

const iso = (ms: number): string => new Date(ms).toISOString();
const monthEnd = (ms: number): number => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); };

/** The state a plan is in at `now`, from its stored state and its dates. */
export function stateAt(p: SavingsPlanRecord, order: OrderRecord | undefined, now: number): SavingsPlanRecord['state'] {
  if (p.state === 'queued-deleted' || p.state === 'returned' || p.state === 'payment-failed') return p.state;
  if (p.state === 'pending-return') return order?.returnedMs !== undefined && now >= order.returnedMs + 3_600_000 ? 'returned' : 'pending-return';
  const start = Date.parse(p.start!), end = Date.parse(p.end!);
  return now < start ? 'queued' : now < end ? 'active' : 'retired';
}

/** Writes each plan's state as of now where the clock moved it. */
export function refreshStates(tx: Tx, account: string, now: number): void {
  const scope = planScope(account);
  for (const { id, value } of tx.list<SavingsPlanRecord>(scope, PLAN)) {
    const state = stateAt(value, tx.get<OrderRecord>(scope, ORDER, id), now);
    if (state !== value.state) tx.put(scope, PLAN, id, { ...value, state });
  }
}

function planOf(ctx: RequestContext, id: string | undefined): SavingsPlanRecord {
  refreshStates(ctx.tx, ctx.account, ctx.clock.nowMs());
  const p = id ? ctx.tx.get<SavingsPlanRecord>(planScope(ctx.account), PLAN, id) : undefined;
  if (!p) throw notFound(`Savings Plan ${id ?? ''} was not found.`);
  return p;
}

function commitmentOf(s: string | undefined): number {
  if (!s || !/^\d+(\.\d+)?$/.test(s)) throw validation(`Invalid commitment: ${s ?? ''}. The commitment must be a number.`);
  if ((s.split('.')[1] ?? '').length > 5) throw validation('Commitment can have at most 5 digits after the decimal point.');
  const n = Number(s);
  if (n < 0.001 || n > 1_000_000) throw validation('Commitment must be between 0.001 and 1000000.');
  return n;
}

function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (!k || k.length > 128) throw validation(`Invalid tag key: ${k}`);
    if (v.length > 256) throw validation(`Invalid tag value for key ${k}`);
    if (k.toLowerCase().startsWith('aws:')) throw validation('Tag keys starting with aws: are reserved.');
  }
  if (Object.keys(tags).length > MAX_TAGS) throw new AwsError('ServiceQuotaExceededException', `A Savings Plan can have at most ${MAX_TAGS} tags.`, 402);
}

export function createSavingsPlan(input: CreateSavingsPlanRequest, ctx: RequestContext): CreateSavingsPlanResponse {
  const scope = planScope(ctx.account);
  if (input.clientToken) {
    const prior = ctx.tx.get<{ savingsPlanId: string }>(scope, TOKEN, input.clientToken);
    if (prior) return { savingsPlanId: prior.savingsPlanId };
  }
  const offeringId = input.savingsPlanOfferingId ?? '';
  if (!/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/.test(offeringId)) throw validation(`Invalid savingsPlanOfferingId: ${offeringId}`);
  const o = offeringById(offeringId);
  if (!o) throw notFound(`Savings Plan offering ${offeringId} was not found.`);
  const commitment = commitmentOf(input.commitment);
  const termHours = o.durationS / 3600;
  const total = commitment * termHours;
  let upfront = 0;
  if (o.payment === 'Partial Upfront') {
    const given = input.upfrontPaymentAmount;
    if (given !== undefined && !/^\d+$/.test(given)) throw validation('upfrontPaymentAmount must be a whole number.');
    upfront = given !== undefined ? Number(given) : Math.round(total / 2);
    if (upfront < Math.ceil(total * 0.5) || upfront > Math.floor(total * 0.99)) {
      throw validation(`upfrontPaymentAmount must be between 50 and 99 percent of the total value of the Savings Plan (${amount(total, 2)} USD).`);
    }
  } else if (input.upfrontPaymentAmount !== undefined) {
    throw validation('upfrontPaymentAmount is only supported for Partial Upfront Savings Plans.');
  } else if (o.payment === 'All Upfront') upfront = total;
  const tags = input.tags ?? {};
  checkTags(tags);
  const now = ctx.clock.nowMs();
  let startMs = now;
  if (input.purchaseTime !== undefined) {
    const t = new Date(input.purchaseTime).getTime();
    if (!Number.isFinite(t)) throw validation('Invalid purchaseTime.');
    if (t < now - 60_000) throw validation('purchaseTime must be in the future.');
    startMs = Math.max(now, t);
  }
  const id = randomUUID();
  const returnable = commitment <= RETURNABLE_COMMITMENT ? Math.min(now + 7 * DAY, monthEnd(now)) : startMs;
  const plan: SavingsPlanRecord = {
    offeringId: o.id, savingsPlanId: id, savingsPlanArn: `arn:aws:savingsplans::${ctx.account}:savingsplan/${id}`,
    description: describeOffering(o), start: iso(startMs), end: iso(startMs + o.durationS * 1000), state: startMs > now ? 'queued' : 'active',
    ...(o.region ? { region: o.region, ec2InstanceFamily: o.family } : {}),
    savingsPlanType: o.planType, paymentOption: o.payment, productTypes: productTypesOf(o), currency: 'USD',
    commitment: input.commitment, upfrontPaymentAmount: amount(upfront, 5), recurringPaymentAmount: amount(commitment - upfront / termHours, 10),
    termDurationInSeconds: o.durationS, tags, returnableUntil: iso(returnable),
  };
  ctx.tx.put(scope, PLAN, id, plan);
  ctx.tx.put(scope, ORDER, id, { createdMs: now } satisfies OrderRecord);
  if (input.clientToken) ctx.tx.put(scope, TOKEN, input.clientToken, { savingsPlanId: id });
  return { savingsPlanId: id };
}

export function describeSavingsPlans(input: DescribeSavingsPlansRequest, ctx: RequestContext): DescribeSavingsPlansResponse {
  refreshStates(ctx.tx, ctx.account, ctx.clock.nowMs());
  return describeStored(input, ctx);
}

export function deleteQueuedSavingsPlan(input: DeleteQueuedSavingsPlanRequest, ctx: RequestContext): Record<string, never> {
  const p = planOf(ctx, input.savingsPlanId);
  if (p.state !== 'queued') throw validation(`Savings Plan ${p.savingsPlanId} is ${p.state}: only a queued Savings Plan can be deleted.`);
  ctx.tx.put(planScope(ctx.account), PLAN, p.savingsPlanId, { ...p, state: 'queued-deleted' });
  return {};
}

export function returnSavingsPlan(input: ReturnSavingsPlanRequest, ctx: RequestContext): ReturnSavingsPlanResponse {
  const scope = planScope(ctx.account);
  const p = planOf(ctx, input.savingsPlanId);
  const now = ctx.clock.nowMs();
  if (input.clientToken) {
    const prior = ctx.tx.get<{ savingsPlanId: string }>(scope, TOKEN, `return/${input.clientToken}`);
    if (prior) return { savingsPlanId: prior.savingsPlanId };
  }
  if (p.state !== 'active') throw validation(`Savings Plan ${p.savingsPlanId} is ${p.state}: only an active Savings Plan can be returned.`);
  const order = ctx.tx.get<OrderRecord>(scope, ORDER, p.savingsPlanId) ?? { createdMs: Date.parse(p.start!) };
  if (Number(p.commitment) > RETURNABLE_COMMITMENT || now > Date.parse(p.returnableUntil ?? p.start!)) {
    throw validation(`Savings Plan ${p.savingsPlanId} is not eligible for return: only a Savings Plan with an hourly commitment of $${RETURNABLE_COMMITMENT} or less, purchased in the last seven days and in the current calendar month, can be returned.`);
  }
  const year = new Date(now).getUTCFullYear();
  const returned = ctx.tx.list<OrderRecord>(scope, ORDER).filter((r) => r.value.returnedMs !== undefined && new Date(r.value.returnedMs).getUTCFullYear() === year).length;
  if (returned >= RETURN_LIMIT) throw new AwsError('ServiceQuotaExceededException', `You can return at most ${RETURN_LIMIT} Savings Plans per calendar year.`, 402);
  ctx.tx.put(scope, PLAN, p.savingsPlanId, { ...p, state: 'pending-return' });
  ctx.tx.put(scope, ORDER, p.savingsPlanId, { ...order, returnedMs: now } satisfies OrderRecord);
  if (input.clientToken) ctx.tx.put(scope, TOKEN, `return/${input.clientToken}`, { savingsPlanId: p.savingsPlanId });
  return { savingsPlanId: p.savingsPlanId };
}

const RATE_FILTERS = ['region', 'instanceType', 'productDescription', 'tenancy', 'productType', 'serviceCode', 'usageType', 'operation'];

export function describeSavingsPlanRates(input: DescribeSavingsPlanRatesRequest, ctx: RequestContext): DescribeSavingsPlanRatesResponse {
  const p = planOf(ctx, input.savingsPlanId);
  const o = offeringById(p.offeringId ?? '');
  if (!o) throw notFound(`Savings Plan ${p.savingsPlanId} has no offering.`);
  const want = new Map<string, string[]>();
  for (const f of input.filters ?? []) {
    if (!f.name || !RATE_FILTERS.includes(f.name)) throw validation(`Invalid filter name: ${f.name ?? ''}`);
    want.set(f.name, [...(want.get(f.name) ?? []), ...(f.values ?? [])]);
  }
  const ok = (name: string, v: string) => !want.has(name) || want.get(name)!.includes(v);
  const fits = function* (): Generator<SavingsPlanRate> {
    for (const r of rateSpecs(o, want.get('region'))) {
      const fields = rateFields(r);
      if (!ok('region', r.region) || !ok('instanceType', r.type) || !ok('productDescription', r.platform) || !ok('tenancy', r.tenancy)) continue;
      if (!ok('productType', fields.productType) || !ok('serviceCode', fields.serviceCode) || !ok('usageType', fields.usageType) || !ok('operation', fields.operation)) continue;
      yield { rate: String(rateOf(o, r)), currency: 'USD', ...fields, properties: fields.properties as SavingsPlanRate['properties'] };
    }
  };
  const { page, next } = paged(fits(), input.nextToken, input.maxResults, 1000);
  return { savingsPlanId: p.savingsPlanId, searchResults: page, ...(next ? { nextToken: next } : {}) };
}

function planByArn(ctx: RequestContext, arn: string | undefined): SavingsPlanRecord {
  const id = planIdOf(arn ?? '', ctx.account);
  const p = id === undefined ? undefined : ctx.tx.get<SavingsPlanRecord>(planScope(ctx.account), PLAN, id);
  if (!p) throw notFound(`Savings Plan ${arn ?? ''} was not found.`);
  return p;
}

export function tagResource(input: TagResourceRequest, ctx: RequestContext): Record<string, never> {
  const p = planByArn(ctx, input.resourceArn);
  const tags = { ...(p.tags ?? {}), ...(input.tags ?? {}) };
  checkTags(tags);
  ctx.tx.put(planScope(ctx.account), PLAN, p.savingsPlanId, { ...p, tags });
  return {};
}

export function untagResource(input: UntagResourceRequest, ctx: RequestContext): Record<string, never> {
  const p = planByArn(ctx, input.resourceArn);
  if (!input.tagKeys?.length) throw validation('tagKeys must name at least one tag key.');
  const tags = { ...(p.tags ?? {}) };
  for (const k of input.tagKeys) delete tags[k];
  ctx.tx.put(planScope(ctx.account), PLAN, p.savingsPlanId, { ...p, tags });
  return {};
}
