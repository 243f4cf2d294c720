/**
 * GetReservationPurchaseRecommendation and GetSavingsPlansPurchaseRecommendation from the
 * account's own hourly On-Demand instance usage over the lookback period (what existing RIs and
 * plans already cover is not counted). The size of the purchase is the one that would have saved
 * the most over those hours: RIs one instance at a time while the next instance's covered hours
 * are worth more On-Demand than its effective cost; a plan's hourly commitment at the hourly
 * spend (at plan rates) where a higher commitment stops paying for itself. Estimates per month
 * use 730 hours, as AWS's do. Defaults where AWS documents none: seven days, one year, No Upfront,
 * standard RIs.
 */
import { createHash } from 'node:crypto';
import type { Handler, RequestContext } from '../types.js';
import { offeringPrice } from '../ec2/compute/reserved.js';
import { familyOf, normalizationFactor } from '../cost/normalization.js';
import { offeringFor } from '../savingsplans/offerings.js';
import { savingsPlanRate, type PaymentOption, type PlanType } from '../savingsplans/rates.js';
import { forEachCostedUsage, type CostedItem } from '../cost/commitments.js';
import type { Line } from '../cost/types.js';
import { amount } from './aggregate.js';
import { commitmentFilter, isInstanceUsage, percent } from './commitment-data.js';
import { pageStart, pageToken } from './cost-and-usage.js';
import { checkEnum, validation } from './dates.js';
import type { Expression } from './expression.js';

const H = 3_600_000;
const MONTH_HOURS = 730;
const LOOKBACK: Record<string, number> = { SEVEN_DAYS: 7, THIRTY_DAYS: 30, SIXTY_DAYS: 60 };
const TERM: Record<string, number> = { ONE_YEAR: 31_536_000, THREE_YEARS: 94_608_000 };
const PAYMENT: Record<string, PaymentOption> = { NO_UPFRONT: 'No Upfront', PARTIAL_UPFRONT: 'Partial Upfront', ALL_UPFRONT: 'All Upfront' };
const COMPUTE = 'Amazon Elastic Compute Cloud - Compute';
/** Services AWS recommends reservations for; cloudlet meters instances only, so the others get none. */
const RI_SERVICES = [COMPUTE, 'Amazon Relational Database Service', 'Amazon Redshift', 'Amazon ElastiCache', 'Amazon OpenSearch Service', 'Amazon MemoryDB'];

/** The number of reservations that saves most over `hourly` instance counts. */
export function bestCount(hourly: readonly number[], onDemand: number, effective: number): number {
  const max = Math.ceil(Math.max(0, ...hourly));
  let n = 0;
  for (let k = 1; k <= max; k++) {
    // The k-th reservation covers what runs beyond k - 1 instances, up to one, each hour.
    const covered = hourly.reduce((s, u) => s + Math.min(1, Math.max(0, u - (k - 1))), 0);
    if (covered * onDemand - hourly.length * effective <= 1e-12) break;
    n = k;
  }
  return n;
}

/**
 * The hourly commitment that saves most: each hour spends `sp[h]` at plan rates for usage worth
 * `od[h]` On-Demand, and a commitment C covers min(1, C / sp[h]) of it. The optimum is at one of
 * the hourly spends (savings are piecewise linear in C between them).
 */
export function bestCommitment(sp: readonly number[], od: readonly number[]): number {
  let best = 0, bestSaving = 0;
  for (const c of new Set(sp)) {
    if (c <= 0) continue;
    const saving = sp.reduce((s, x, h) => s + od[h]! * Math.min(1, c / x), 0) - c * sp.length;
    if (saving > bestSaving + 1e-12) { best = c; bestSaving = saving; }
  }
  return Math.floor(best * 1000) / 1000;
}

interface RecInput {
  Service?: string; SavingsPlansType?: string; LookbackPeriodInDays?: string; TermInYears?: string; PaymentOption?: string; AccountScope?: string;
  ServiceSpecification?: { EC2Specification?: { OfferingClass?: string } }; Filter?: Expression; PageSize?: number; NextPageToken?: string; AccountId?: string;
}

function common(input: RecInput, ctx: RequestContext) {
  checkEnum(input.LookbackPeriodInDays, Object.keys(LOOKBACK), 'lookbackPeriodInDays');
  checkEnum(input.TermInYears, Object.keys(TERM), 'termInYears');
  checkEnum(input.AccountScope, ['PAYER', 'LINKED'], 'accountScope');
  if (input.PaymentOption && !PAYMENT[input.PaymentOption]) throw validation(`PaymentOption ${input.PaymentOption} is not supported. Supported values are ${Object.keys(PAYMENT).join(', ')}`);
  if (input.AccountId && input.AccountId !== ctx.account) throw validation(`AccountId ${input.AccountId} is not a member of this account's billing family`);
  if (input.PageSize !== undefined && input.PageSize < 0) throw validation('PageSize must not be negative');
  const lookback = input.LookbackPeriodInDays ?? 'SEVEN_DAYS';
  const term = input.TermInYears ?? 'ONE_YEAR';
  const payment = input.PaymentOption ?? 'NO_UPFRONT';
  const now = ctx.clock.nowMs();
  const endMs = Math.floor(now / H) * H;
  const hours = LOOKBACK[lookback]! * 24;
  return { lookback, term, payment, durationS: TERM[term]!, paymentOption: PAYMENT[payment]!, win: { startMs: endMs - hours * H, endMs }, hours, now };
}

/** Uncovered On-Demand instance hours per hour of the window, per key. */
function hourlyUsage(ctx: RequestContext, win: { startMs: number; endMs: number }, hours: number, filter: (i: CostedItem) => boolean, keyOf: (line: Line) => string) {
  const out = new Map<string, { line: Line; hours: Float64Array }>();
  forEachCostedUsage(ctx.tx, ctx.account, win, 'HOURLY', ctx.clock.nowMs(), (i) => {
    if (i.itemType !== 'Usage' || !isInstanceUsage(i) || !filter(i)) return;
    const line = i.line as Line;
    const k = keyOf(line);
    const e = out.get(k) ?? { line, hours: new Float64Array(hours) };
    out.set(k, e);
    const h = Math.floor((i.startMs - win.startMs) / H);
    if (h >= 0 && h < hours) e.hours[h] = e.hours[h]! + i.hours;
  });
  return out;
}

const metadata = (ctx: RequestContext, input: object, now: number) => ({
  RecommendationId: uuidOf(`${ctx.account}/${ctx.operation}/${JSON.stringify(input)}/${Math.floor(now / H)}`),
  GenerationTimestamp: `${new Date(now).toISOString().slice(0, 19)}Z`,
  AdditionalMetadata: 'Computed from the account\'s hourly On-Demand instance usage over the lookback period.',
});

function uuidOf(s: string): string {
  const x = createHash('sha256').update(s).digest('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

function page<T>(ctx: RequestContext, input: RecInput, all: T[]): { items: T[]; next?: string } {
  const start = pageStart(ctx, input, input.NextPageToken);
  const size = input.PageSize || all.length || 1;
  return { items: all.slice(start, start + size), ...(start + size < all.length ? { next: pageToken(ctx, input, start + size) } : {}) };
}

const getReservationPurchaseRecommendation: Handler = (input: RecInput, ctx) => {
  if (!input.Service) throw validation('Service is required');
  if (!RI_SERVICES.includes(input.Service)) throw validation(`Service ${input.Service} is not supported. Supported services are ${RI_SERVICES.join(', ')}`);
  const c = common(input, ctx);
  const offeringClass = input.ServiceSpecification?.EC2Specification?.OfferingClass ?? 'STANDARD';
  checkEnum(offeringClass, ['STANDARD', 'CONVERTIBLE'], 'serviceSpecification.eC2Specification.offeringClass');
  const filter = commitmentFilter(input.Filter, ['LINKED_ACCOUNT', 'REGION', 'INSTANCE_TYPE', 'PLATFORM', 'TENANCY']);
  const usage = input.Service === COMPUTE
    ? hourlyUsage(ctx, c.win, c.hours, (i) => filter({ item: i, tags: {} }), (l) => `${l.region}|${l.instance!.type}|${l.instance!.platform}|${l.instance!.tenancy}`)
    : new Map();
  const details = [];
  let totalSaving = 0, totalOnDemand = 0;
  for (const { line, hours } of usage.values()) {
    const inst = line.instance!;
    if (inst.tenancy !== 'default') continue; // cloudlet sells default-tenancy reservations only
    const spec = { type: inst.type, durationS: c.durationS, offeringType: c.paymentOption, offeringClass: offeringClass.toLowerCase() as 'standard', product: inst.platform };
    const { fixed, hourly } = offeringPrice(line.region, spec);
    const effective = fixed / (c.durationS / 3600) + hourly;
    const counts = [...hours];
    const n = bestCount(counts, line.rate, effective);
    if (n === 0) continue;
    const used = counts.reduce((s, u) => s + Math.min(u, n), 0);
    const saving = (used * line.rate - n * c.hours * effective) / c.hours * MONTH_HOURS;
    const avg = counts.reduce((s, u) => s + u, 0) / c.hours;
    const monthlyOnDemand = avg * line.rate * MONTH_HOURS;
    const nf = normalizationFactor(inst.type);
    totalSaving += saving; totalOnDemand += monthlyOnDemand;
    const monthlyGain = (used / c.hours) * line.rate * MONTH_HOURS - hourly * n * MONTH_HOURS;
    details.push({
      AccountId: ctx.account, CurrencyCode: 'USD',
      InstanceDetails: { EC2InstanceDetails: { Family: familyOf(inst.type), InstanceType: inst.type, Region: line.region, Platform: inst.platform, Tenancy: 'Shared', CurrentGeneration: true, SizeFlexEligible: inst.platform === 'Linux/UNIX' } },
      RecommendedNumberOfInstancesToPurchase: String(n), RecommendedNormalizedUnitsToPurchase: amount(n * nf),
      MinimumNumberOfInstancesUsedPerHour: amount(Math.min(...counts)), MinimumNormalizedUnitsUsedPerHour: amount(Math.min(...counts) * nf),
      MaximumNumberOfInstancesUsedPerHour: amount(Math.max(...counts)), MaximumNormalizedUnitsUsedPerHour: amount(Math.max(...counts) * nf),
      AverageNumberOfInstancesUsedPerHour: amount(avg), AverageNormalizedUnitsUsedPerHour: amount(avg * nf),
      AverageUtilization: percent(used, n * c.hours), EstimatedMonthlySavingsAmount: amount(saving), EstimatedMonthlySavingsPercentage: percent(saving, monthlyOnDemand),
      EstimatedMonthlyOnDemandCost: amount(monthlyOnDemand), EstimatedReservationCostForLookbackPeriod: amount(n * c.hours * effective),
      UpfrontCost: amount(fixed * n), RecurringStandardMonthlyCost: amount(hourly * n * MONTH_HOURS),
      EstimatedBreakEvenInMonths: fixed > 0 && monthlyGain > 0 ? amount((fixed * n) / monthlyGain) : '0',
    });
  }
  details.sort((a, b) => Number(b.EstimatedMonthlySavingsAmount) - Number(a.EstimatedMonthlySavingsAmount));
  const { items, next } = page(ctx, input, details);
  return {
    Metadata: metadata(ctx, input, c.now),
    Recommendations: details.length ? [{
      AccountScope: input.AccountScope ?? 'PAYER', LookbackPeriodInDays: c.lookback, TermInYears: c.term, PaymentOption: c.payment,
      ServiceSpecification: { EC2Specification: { OfferingClass: offeringClass } }, RecommendationDetails: items,
      RecommendationSummary: { TotalEstimatedMonthlySavingsAmount: amount(totalSaving), TotalEstimatedMonthlySavingsPercentage: percent(totalSaving, totalOnDemand), CurrencyCode: 'USD' },
    }] : [],
    ...(next ? { NextPageToken: next } : {}),
  };
};

const PLAN_TYPE: Record<string, PlanType | undefined> = { COMPUTE_SP: 'Compute', EC2_INSTANCE_SP: 'EC2Instance', SAGEMAKER_SP: undefined, DATABASE_SP: undefined };

const getSavingsPlansPurchaseRecommendation: Handler = (input: RecInput, ctx) => {
  for (const m of ['SavingsPlansType', 'TermInYears', 'PaymentOption', 'LookbackPeriodInDays'] as const) if (!input[m]) throw validation(`${m} is required`);
  checkEnum(input.SavingsPlansType, Object.keys(PLAN_TYPE), 'savingsPlansType');
  const c = common(input, ctx);
  const planType = PLAN_TYPE[input.SavingsPlansType!];
  const filter = commitmentFilter(input.Filter, ['LINKED_ACCOUNT', 'REGION', 'INSTANCE_TYPE_FAMILY']);
  // Per hour, per plan (one Compute plan; an EC2 Instance plan per Region and family): spend at plan rates and On-Demand.
  const groups = new Map<string, { region?: string; family?: string; sp: Float64Array; od: Float64Array }>();
  if (planType) {
    forEachCostedUsage(ctx.tx, ctx.account, c.win, 'HOURLY', c.now, (i) => {
      if (i.itemType !== 'Usage' || !isInstanceUsage(i) || !filter({ item: i, tags: {} })) return;
      const line = i.line as Line;
      const inst = line.instance!;
      const where = planType === 'Compute' ? {} : { region: line.region, family: familyOf(inst.type) };
      const key = `${where.region ?? ''}|${where.family ?? ''}`;
      const g = groups.get(key) ?? { ...where, sp: new Float64Array(c.hours), od: new Float64Array(c.hours) };
      groups.set(key, g);
      const h = Math.floor((i.startMs - c.win.startMs) / H);
      if (h < 0 || h >= c.hours) return;
      g.sp[h] = g.sp[h]! + i.hours * savingsPlanRate(planType, c.durationS, c.paymentOption, inst.type, inst.platform, line.region, line.rate);
      g.od[h] = g.od[h]! + i.unblendedCost;
    });
  }
  const details = [];
  const sum = { commitment: 0, spCost: 0, onDemand: 0, remaining: 0, saving: 0, upfront: 0 };
  for (const g of groups.values()) {
    const sp = [...g.sp], od = [...g.od];
    const commitment = bestCommitment(sp, od);
    if (commitment <= 0) continue;
    const covered = sp.reduce((s, x, h) => s + (x > 0 ? od[h]! * Math.min(1, commitment / x) : 0), 0);
    const used = sp.reduce((s, x) => s + Math.min(x, commitment), 0);
    const onDemand = od.reduce((s, x) => s + x, 0);
    const spCost = commitment * c.hours;
    const saving = covered - spCost;
    const termHours = c.durationS / 3600;
    const upfront = c.paymentOption === 'All Upfront' ? commitment * termHours : c.paymentOption === 'Partial Upfront' ? Math.round(commitment * termHours / 2) : 0;
    const o = offeringFor(planType!, c.durationS, c.paymentOption, g.region, g.family);
    Object.assign(sum, { commitment: sum.commitment + commitment, spCost: sum.spCost + spCost, onDemand: sum.onDemand + onDemand, remaining: sum.remaining + onDemand - covered, saving: sum.saving + saving, upfront: sum.upfront + upfront });
    details.push({
      SavingsPlansDetails: { ...(g.region ? { Region: g.region, InstanceFamily: g.family } : {}), ...(o ? { OfferingId: o.id } : {}) },
      AccountId: ctx.account, CurrencyCode: 'USD', UpfrontCost: amount(upfront), EstimatedROI: percent(saving, spCost), EstimatedSPCost: amount(spCost),
      EstimatedOnDemandCost: amount(onDemand - covered), EstimatedOnDemandCostWithCurrentCommitment: amount(onDemand),
      EstimatedSavingsAmount: amount(saving), EstimatedSavingsPercentage: percent(saving, onDemand), HourlyCommitmentToPurchase: amount(commitment),
      EstimatedAverageUtilization: percent(used, spCost), EstimatedMonthlySavingsAmount: amount((saving / c.hours) * MONTH_HOURS),
      CurrentMinimumHourlyOnDemandSpend: amount(Math.min(...od)), CurrentMaximumHourlyOnDemandSpend: amount(Math.max(...od)),
      CurrentAverageHourlyOnDemandSpend: amount(onDemand / c.hours), RecommendationDetailId: uuidOf(`${ctx.account}/${g.region ?? ''}/${g.family ?? ''}/${c.term}/${c.payment}`),
    });
  }
  details.sort((a, b) => Number(b.EstimatedSavingsAmount) - Number(a.EstimatedSavingsAmount));
  const { items, next } = page(ctx, input, details);
  return {
    Metadata: metadata(ctx, input, c.now),
    SavingsPlansPurchaseRecommendation: {
      AccountScope: input.AccountScope ?? 'PAYER', SavingsPlansType: input.SavingsPlansType, TermInYears: c.term, PaymentOption: c.payment, LookbackPeriodInDays: c.lookback,
      SavingsPlansPurchaseRecommendationDetails: items,
      SavingsPlansPurchaseRecommendationSummary: {
        EstimatedROI: percent(sum.saving, sum.spCost), CurrencyCode: 'USD', EstimatedTotalCost: amount(sum.spCost + sum.remaining), CurrentOnDemandSpend: amount(sum.onDemand),
        EstimatedSavingsAmount: amount(sum.saving), TotalRecommendationCount: String(details.length), DailyCommitmentToPurchase: amount(sum.commitment * 24),
        HourlyCommitmentToPurchase: amount(sum.commitment), EstimatedSavingsPercentage: percent(sum.saving, sum.onDemand),
        EstimatedMonthlySavingsAmount: amount((sum.saving / c.hours) * MONTH_HOURS), EstimatedOnDemandCostWithCurrentCommitment: amount(sum.onDemand),
      },
    },
    ...(next ? { NextPageToken: next } : {}),
  };
};

export const recommendationHandlers: Record<string, Handler> = {
  GetReservationPurchaseRecommendation: getReservationPurchaseRecommendation,
  GetSavingsPlansPurchaseRecommendation: getSavingsPlansPurchaseRecommendation,
};
