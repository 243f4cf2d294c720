/**
 * Cost Explorer's commitment reports: how much instance usage Reserved Instances and Savings
 * Plans cover (coverage) and how much of each commitment was used (utilization), from the
 * costed usage the commitments engine produces (src/services/cost/commitments.ts). Coverage reads
 * the instance usage items; utilization reads each commitment's RIFee / SavingsPlanRecurringFee
 * items, which carry what the commitment provided and used in their period.
 *
 * Savings figures (the API reference names them; these are the sums cloudlet uses):
 *   NetRISavings            On-Demand cost of the hours used − total amortized fee
 *   TotalPotentialRISavings On-Demand cost of every purchased hour − total amortized fee
 *   RealizedSavings         On-Demand cost of the hours used − amortized fee of the hours used
 *   UnrealizedSavings       TotalPotentialRISavings − NetRISavings (the unused hours at On-Demand)
 *   NetSavings (plans)      On-Demand equivalent of the covered usage − amortized commitment
 */
import type { Scope } from '../../store/types.js';
import { AwsError } from '../../core/errors.js';
import { instanceRate } from '../cost/prices.js';
import type { ReservedInstancesRecord } from '../ec2/compute/records.js';
import { PLAN, planScope, type SavingsPlanRecord } from '../savingsplans/records.js';
import type { Handler, RequestContext } from '../types.js';
import { amount, checkGroupBy, type GroupDefinition } from './aggregate.js';
import { commitmentFilter, commitmentPeriod, forEachInBuckets, interval, isInstanceUsage, percent, sorter, type Buckets, type Resolve } from './commitment-data.js';
import { recommendationHandlers } from './commitment-recommendations.js';
import { pageStart, pageToken } from './cost-and-usage.js';
import { validation } from './dates.js';
import { dimensionValue, normalizationFactor, tagValue, type TaggedItem } from './dimensions.js';
import type { Expression } from './expression.js';

interface ReportInput {
  TimePeriod?: { Start?: string; End?: string };
  Granularity?: string;
  GroupBy?: GroupDefinition[];
  Filter?: Expression;
  Metrics?: string[];
  SortBy?: { Key?: string; SortOrder?: string };
  MaxResults?: number;
  NextPageToken?: string;
  NextToken?: string;
  DataType?: string[];
}

const ATTRIBUTE: Record<string, string> = {
  AZ: 'availabilityZone', INSTANCE_TYPE: 'instanceType', LINKED_ACCOUNT: 'linkedAccount', PLATFORM: 'platform', REGION: 'region',
  TENANCY: 'tenancy', OPERATING_SYSTEM: 'operatingSystem', CACHE_ENGINE: 'cacheEngine', DATABASE_ENGINE: 'databaseEngine',
  DEPLOYMENT_OPTION: 'deploymentOption', INSTANCE_FAMILY: 'instanceFamily', INSTANCE_TYPE_FAMILY: 'instanceFamily', SERVICE: 'service',
};

/** Group key and attributes of an item under GroupBy. */
function groupOf(t: TaggedItem, defs: GroupDefinition[], resolve: Resolve): { key: string; attributes: Record<string, string> } {
  const attributes: Record<string, string> = {};
  for (const d of defs) {
    const v = d.Type === 'TAG' ? tagValue(t, d.Key!) : resolve(t, d.Key!) ?? dimensionValue(t, d.Key!);
    attributes[d.Type === 'TAG' ? d.Key! : ATTRIBUTE[d.Key!] ?? d.Key!] = v;
  }
  return { key: JSON.stringify(attributes), attributes };
}

/** Entries (bucket, group) paged by MaxResults and a request-bound token. */
function pageEntries<T>(ctx: RequestContext, input: ReportInput, entries: T[], token: string | undefined): { page: T[]; next?: string } {
  if (input.MaxResults !== undefined && input.MaxResults < 1) throw validation('MaxResults must be at least 1');
  const start = pageStart(ctx, input, token);
  const limit = input.MaxResults ?? entries.length;
  const page = entries.slice(start, start + limit);
  return { page, ...(start + limit < entries.length ? { next: pageToken(ctx, input, start + limit) } : {}) };
}

/**
 * One page of a report by time bucket: each bucket's groups (sorted when asked) or, ungrouped,
 * the bucket alone, paged as one list, then gathered back under their buckets with each total.
 */
function pageByTime<G>(
  ctx: RequestContext, input: ReportInput, b: Buckets, groups: Array<Map<string, G>>, grouped: boolean,
  order: ((x: G, y: G) => number) | undefined, total: (i: number) => unknown, group: (g: G) => unknown,
): { rows: Array<{ TimePeriod: { Start: string; End: string }; Groups: unknown[]; Total: unknown }>; next?: string } {
  const entries = b.buckets.flatMap((_, i): Array<{ i: number; g?: G }> => {
    const gs = [...groups[i]!.values()];
    if (order) gs.sort(order);
    return grouped ? gs.map((g) => ({ i, g })) : [{ i }];
  });
  const { page, next } = pageEntries(ctx, input, entries, input.NextPageToken);
  const byTime = new Map<number, { TimePeriod: { Start: string; End: string }; Groups: unknown[]; Total: unknown }>();
  for (const { i, g } of page) {
    const r = byTime.get(i) ?? { TimePeriod: interval(b, i), Groups: [], Total: total(i) };
    if (g) r.Groups.push(group(g));
    byTime.set(i, r);
  }
  return { rows: [...byTime.values()], ...(next ? { next } : {}) };
}

const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);

// ---- reservation coverage ---------------------------------------------------------------------

const COVERAGE_DIMS = ['AZ', 'CACHE_ENGINE', 'DATABASE_ENGINE', 'DEPLOYMENT_OPTION', 'INSTANCE_TYPE', 'LINKED_ACCOUNT', 'OPERATING_SYSTEM', 'PLATFORM', 'REGION', 'TENANCY'];
interface Cov { reserved: number; onDemand: number; reservedUnits: number; onDemandUnits: number; onDemandCost: number }
const newCov = (): Cov => ({ reserved: 0, onDemand: 0, reservedUnits: 0, onDemandUnits: 0, onDemandCost: 0 });

function coverageShape(c: Cov, metrics: Set<string>) {
  const total = c.reserved + c.onDemand, units = c.reservedUnits + c.onDemandUnits;
  return {
    ...(metrics.has('Hour') ? { CoverageHours: { OnDemandHours: amount(c.onDemand), ReservedHours: amount(c.reserved), TotalRunningHours: amount(total), CoverageHoursPercentage: percent(c.reserved, total) } } : {}),
    ...(metrics.has('Unit') ? { CoverageNormalizedUnits: { OnDemandNormalizedUnits: amount(c.onDemandUnits), ReservedNormalizedUnits: amount(c.reservedUnits), TotalRunningNormalizedUnits: amount(units), CoverageNormalizedUnitsPercentage: percent(c.reservedUnits, units) } } : {}),
    ...(metrics.has('Cost') ? { CoverageCost: { OnDemandCost: amount(c.onDemandCost) } } : {}),
  };
}

const getReservationCoverage: Handler = (input: ReportInput, ctx) => {
  const b = commitmentPeriod(input, ctx, 'GetReservationCoverage');
  const defs = checkGroupBy(input.GroupBy, COVERAGE_DIMS);
  const metrics = new Set(input.Metrics?.length ? input.Metrics : ['Hour', 'Unit', 'Cost']);
  for (const m of metrics) if (!['Hour', 'Unit', 'Cost'].includes(m)) throw validation(`Metric ${m} is not supported. Supported metrics are Hour, Unit, Cost`);
  const filter = commitmentFilter(input.Filter, [...COVERAGE_DIMS, 'SERVICE']);
  const groups = b.buckets.map(() => new Map<string, { attributes: Record<string, string>; cov: Cov }>());
  const totals = b.buckets.map(newCov);
  const all = newCov();
  forEachInBuckets(ctx, b, (t, i) => {
    const item = t.item;
    if (!isInstanceUsage(item) || !filter(t)) return;
    const nf = normalizationFactor((item.line as { instance: { type: string } }).instance.type);
    const g = groupOf(t, defs, () => undefined);
    const entry = groups[i]!.get(g.key) ?? { attributes: g.attributes, cov: newCov() };
    groups[i]!.set(g.key, entry);
    for (const c of [entry.cov, totals[i]!, all]) {
      if (item.itemType === 'DiscountedUsage') { c.reserved += item.hours; c.reservedUnits += item.hours * nf; } else {
        c.onDemand += item.hours; c.onDemandUnits += item.hours * nf; c.onDemandCost += item.cost;
      }
    }
  });
  const order = sorter<{ cov: Cov }>(input.SortBy, {
    CoverageHoursPercentage: (x) => x.cov.reserved / (x.cov.reserved + x.cov.onDemand || 1), OnDemandHours: (x) => x.cov.onDemand,
    ReservedHours: (x) => x.cov.reserved, TotalRunningHours: (x) => x.cov.reserved + x.cov.onDemand, OnDemandCost: (x) => x.cov.onDemandCost,
    CoverageNormalizedUnitsPercentage: (x) => x.cov.reservedUnits / (x.cov.reservedUnits + x.cov.onDemandUnits || 1),
    OnDemandNormalizedUnits: (x) => x.cov.onDemandUnits, ReservedNormalizedUnits: (x) => x.cov.reservedUnits,
    TotalRunningNormalizedUnits: (x) => x.cov.reservedUnits + x.cov.onDemandUnits, Time: () => 0,
  });
  const { rows, next } = pageByTime(ctx, input, b, groups, defs.length > 0, order,
    (i) => coverageShape(totals[i]!, metrics), (g) => ({ Attributes: g.attributes, Coverage: coverageShape(g.cov, metrics) }));
  return { CoveragesByTime: rows, Total: coverageShape(all, metrics), ...(next ? { NextPageToken: next } : {}) };
};

// ---- reservation utilization ------------------------------------------------------------------

interface RiUse { total: number; used: number; totalUnits: number; usedUnits: number; up: number; rec: number; od: number; unusedCost: number; potential: number }
const newRiUse = (): RiUse => ({ total: 0, used: 0, totalUnits: 0, usedUnits: 0, up: 0, rec: 0, od: 0, unusedCost: 0, potential: 0 });

function riAggregates(u: RiUse) {
  const fee = u.up + u.rec;
  const net = u.od - fee;
  const potential = u.potential - fee;
  return {
    UtilizationPercentage: percent(u.used, u.total), UtilizationPercentageInUnits: percent(u.usedUnits, u.totalUnits),
    PurchasedHours: amount(u.total), PurchasedUnits: amount(u.totalUnits), TotalActualHours: amount(u.used), TotalActualUnits: amount(u.usedUnits),
    UnusedHours: amount(u.total - u.used), UnusedUnits: amount(u.totalUnits - u.usedUnits), OnDemandCostOfRIHoursUsed: amount(u.od),
    NetRISavings: amount(net), TotalPotentialRISavings: amount(potential), AmortizedUpfrontFee: amount(u.up), AmortizedRecurringFee: amount(u.rec),
    TotalAmortizedFee: amount(fee), RICostForUnusedHours: amount(u.unusedCost), RealizedSavings: amount(u.od - (fee - u.unusedCost)),
    UnrealizedSavings: amount(potential - net),
  };
}

const RI_FILTER_DIMS = ['AZ', 'CACHE_ENGINE', 'DEPLOYMENT_OPTION', 'INSTANCE_TYPE', 'LINKED_ACCOUNT', 'OPERATING_SYSTEM', 'PLATFORM', 'REGION', 'SERVICE', 'SCOPE', 'TENANCY'];

const riResolve: Resolve = (t, key) => {
  const inst = 'instance' in t.item.line ? t.item.line.instance : undefined;
  if (key === 'SCOPE') return inst?.zoneName ? 'Availability Zone' : 'Region';
  if (key === 'AZ') return inst?.zoneName ?? '';
  return undefined;
};

function riAttributes(ctx: RequestContext, t: TaggedItem): Record<string, string> {
  const line = t.item.line;
  const r = ctx.tx.get<ReservedInstancesRecord>({ account: ctx.account, region: line.region } as Scope, 'ec2:reserved-instances', line.resourceId);
  const now = ctx.clock.nowMs();
  return {
    accountId: ctx.account, region: line.region, subscriptionId: line.resourceId, leaseId: line.resourceId,
    ...(r ? {
      instanceType: r.instanceType, platform: r.productDescription, tenancy: r.tenancy === 'dedicated' ? 'Dedicated' : 'Shared',
      scope: r.scope, availabilityZone: r.zoneName ?? '', numberOfInstances: String(r.count), subscriptionType: r.offeringType,
      startDateTime: new Date(r.startMs).toISOString(), endDateTime: new Date(r.endMs).toISOString(),
      subscriptionStatus: now < r.startMs ? 'Queued' : now < r.endMs ? 'Active' : 'Retired',
    } : {}),
  };
}

const getReservationUtilization: Handler = (input: ReportInput, ctx) => {
  const b = commitmentPeriod(input, ctx, 'GetReservationUtilization');
  const defs = checkGroupBy(input.GroupBy, ['SUBSCRIPTION_ID']);
  const filter = commitmentFilter(input.Filter, RI_FILTER_DIMS, riResolve);
  const groups = b.buckets.map(() => new Map<string, { t: TaggedItem; u: RiUse }>());
  const totals = b.buckets.map(newRiUse);
  const all = newRiUse();
  forEachInBuckets(ctx, b, (t, i) => {
    const item = t.item;
    if (item.itemType !== 'RIFee' || !item.commitment || !filter(t)) return;
    const c = item.commitment;
    const inst = (item.line as { instance?: { type: string; platform: 'Linux/UNIX' | 'Windows' } }).instance;
    const odRate = inst ? instanceRate(inst.type, inst.platform, item.line.region) : 0;
    const entry = groups[i]!.get(item.line.resourceId) ?? { t, u: newRiUse() };
    groups[i]!.set(item.line.resourceId, entry);
    for (const u of [entry.u, totals[i]!, all]) {
      u.total += c.total; u.used += c.used; u.totalUnits += c.totalUnits ?? 0; u.usedUnits += c.usedUnits ?? 0;
      u.up += c.amortizedUpfront; u.rec += c.amortizedRecurring; u.od += c.onDemandCost; u.unusedCost += item.amortizedCost; u.potential += c.total * odRate;
    }
  });
  const order = sorter<{ u: RiUse }>(input.SortBy, {
    UtilizationPercentage: (x) => x.u.used / (x.u.total || 1), PurchasedHours: (x) => x.u.total, TotalActualHours: (x) => x.u.used,
    UnusedHours: (x) => x.u.total - x.u.used, OnDemandCostOfRIHoursUsed: (x) => x.u.od, NetRISavings: (x) => x.u.od - x.u.up - x.u.rec,
    TotalAmortizedFee: (x) => x.u.up + x.u.rec, AmortizedUpfrontFee: (x) => x.u.up, AmortizedRecurringFee: (x) => x.u.rec,
    RICostForUnusedHours: (x) => x.u.unusedCost, PurchasedUnits: (x) => x.u.totalUnits, TotalActualUnits: (x) => x.u.usedUnits,
    UnusedUnits: (x) => x.u.totalUnits - x.u.usedUnits, UtilizationPercentageInUnits: (x) => x.u.usedUnits / (x.u.totalUnits || 1),
    TotalPotentialRISavings: (x) => x.u.potential - x.u.up - x.u.rec, RealizedSavings: (x) => x.u.od - (x.u.up + x.u.rec - x.u.unusedCost),
    UnrealizedSavings: (x) => x.u.potential - x.u.od,
  });
  const { rows, next } = pageByTime(ctx, input, b, groups, defs.length > 0, order, (i) => riAggregates(totals[i]!),
    (g) => ({ Key: 'SUBSCRIPTION_ID', Value: g.t.item.line.resourceId, Attributes: riAttributes(ctx, g.t), Utilization: riAggregates(g.u) }));
  return { UtilizationsByTime: rows, Total: riAggregates(all), ...(next ? { NextPageToken: next } : {}) };
};

// ---- Savings Plans coverage -----------------------------------------------------------------

const familyOfItem = (t: TaggedItem): string => {
  const inst = 'instance' in t.item.line ? t.item.line.instance : undefined;
  return inst ? inst.type.split('.')[0]! : 'NoInstanceTypeFamily';
};
const spCoverageResolve: Resolve = (t, key) => (key === 'INSTANCE_FAMILY' || key === 'INSTANCE_TYPE_FAMILY' ? familyOfItem(t) : undefined);

interface SpCov { covered: number; onDemand: number }

const getSavingsPlansCoverage: Handler = (input: ReportInput, ctx) => {
  const b = commitmentPeriod(input, ctx, 'GetSavingsPlansCoverage');
  const defs = checkGroupBy(input.GroupBy, ['INSTANCE_FAMILY', 'INSTANCE_TYPE_FAMILY', 'REGION', 'SERVICE']);
  for (const m of input.Metrics ?? []) if (m !== 'SpendCoveredBySavingsPlans') throw validation(`Metric ${m} is not supported. Supported metrics are SpendCoveredBySavingsPlans`);
  const filter = commitmentFilter(input.Filter, ['LINKED_ACCOUNT', 'REGION', 'SERVICE', 'INSTANCE_TYPE_FAMILY'], spCoverageResolve);
  const groups = b.buckets.map(() => new Map<string, { attributes: Record<string, string>; c: SpCov }>());
  forEachInBuckets(ctx, b, (t, i) => {
    const item = t.item;
    // Usage an RI covers is not Savings Plans-eligible spend.
    if (!isInstanceUsage(item) || item.itemType === 'DiscountedUsage' || !filter(t)) return;
    const g = groupOf(t, defs, spCoverageResolve);
    const entry = groups[i]!.get(g.key) ?? { attributes: g.attributes, c: { covered: 0, onDemand: 0 } };
    groups[i]!.set(g.key, entry);
    if (item.itemType === 'SavingsPlanCoveredUsage') entry.c.covered += item.amortizedCost; else entry.c.onDemand += item.unblendedCost;
  });
  const order = sorter<{ attributes: Record<string, string>; c: SpCov }>(input.SortBy, {
    SpendCoveredBySavingsPlans: (x) => x.c.covered, OnDemandCost: (x) => x.c.onDemand, TotalCost: (x) => x.c.covered + x.c.onDemand,
    CoveragePercentage: (x) => x.c.covered / (x.c.covered + x.c.onDemand || 1), InstanceFamily: (x) => x.attributes.instanceFamily ?? '',
    Region: (x) => x.attributes.region ?? '', Service: (x) => x.attributes.service ?? '',
  });
  const entries = b.buckets.flatMap((_, i) => {
    const gs = [...groups[i]!.values()];
    if (!defs.length) gs.splice(0, gs.length, { attributes: {}, c: { covered: sum(gs, (g) => g.c.covered), onDemand: sum(gs, (g) => g.c.onDemand) } });
    return gs.map((g) => ({ i, g }));
  });
  if (order) entries.sort((x, y) => order(x.g, y.g));
  const { page, next } = pageEntries(ctx, input, entries, input.NextToken);
  return {
    SavingsPlansCoverages: page.map(({ i, g }) => ({
      Attributes: g.attributes, TimePeriod: interval(b, i),
      Coverage: { SpendCoveredBySavingsPlans: amount(g.c.covered), OnDemandCost: amount(g.c.onDemand), TotalCost: amount(g.c.covered + g.c.onDemand), CoveragePercentage: percent(g.c.covered, g.c.covered + g.c.onDemand) },
    })),
    ...(next ? { NextToken: next } : {}),
  };
};

// ---- Savings Plans utilization ----------------------------------------------------------------

interface SpUse { total: number; used: number; od: number; up: number; rec: number }
const newSpUse = (): SpUse => ({ total: 0, used: 0, od: 0, up: 0, rec: 0 });

function spParts(u: SpUse) {
  const fee = u.up + u.rec;
  return {
    Utilization: { TotalCommitment: amount(u.total), UsedCommitment: amount(u.used), UnusedCommitment: amount(u.total - u.used), UtilizationPercentage: percent(u.used, u.total) },
    Savings: { NetSavings: amount(u.od - fee), OnDemandCostEquivalent: amount(u.od) },
    AmortizedCommitment: { AmortizedRecurringCommitment: amount(u.rec), AmortizedUpfrontCommitment: amount(u.up), TotalAmortizedCommitment: amount(fee) },
  };
}

function planResolver(ctx: RequestContext): { plan: (t: TaggedItem) => SavingsPlanRecord | undefined; resolve: Resolve } {
  const cache = new Map<string, SavingsPlanRecord | undefined>();
  const plan = (t: TaggedItem) => {
    const id = t.item.coveredBy?.id ?? '';
    if (!cache.has(id)) cache.set(id, ctx.tx.get<SavingsPlanRecord>(planScope(ctx.account), PLAN, id));
    return cache.get(id);
  };
  const resolve: Resolve = (t, key) => {
    const p = plan(t);
    switch (key) {
      case 'SAVINGS_PLANS_TYPE': return p ? `${p.savingsPlanType}SavingsPlans` : '';
      case 'PAYMENT_OPTION': return p?.paymentOption ?? '';
      case 'REGION': return p?.region ?? '';
      case 'INSTANCE_TYPE_FAMILY': return p?.ec2InstanceFamily ?? '';
      default: return undefined;
    }
  };
  return { plan, resolve };
}

/** The plans' fee items of the period, filtered, summed per bucket and per plan. */
function planUse(ctx: RequestContext, b: Buckets, input: ReportInput, dims: string[]) {
  const { plan, resolve } = planResolver(ctx);
  const filter = commitmentFilter(input.Filter, dims, resolve);
  const byTime = b.buckets.map(newSpUse);
  const byPlan = new Map<string, { p: SavingsPlanRecord | undefined; u: SpUse }>();
  const all = newSpUse();
  let seen = false;
  forEachInBuckets(ctx, b, (t, i) => {
    const item = t.item;
    if (item.itemType !== 'SavingsPlanRecurringFee' || !item.commitment) return;
    seen = true;
    if (!filter(t)) return;
    const c = item.commitment;
    const arn = item.coveredBy!.arn ?? item.coveredBy!.id;
    const entry = byPlan.get(arn) ?? { p: plan(t), u: newSpUse() };
    byPlan.set(arn, entry);
    for (const u of [byTime[i]!, entry.u, all]) { u.total += c.total; u.used += c.used; u.od += c.onDemandCost; u.up += c.amortizedUpfront; u.rec += c.amortizedRecurring; }
  });
  if (!seen) throw new AwsError('DataUnavailableException', 'Data is not available. There are no Savings Plans in the requested time period.');
  return { byTime, byPlan, all };
}

const SP_SORT = (u: (x: never) => SpUse) => ({
  UtilizationPercentage: (x: never) => u(x).used / (u(x).total || 1), TotalCommitment: (x: never) => u(x).total, UsedCommitment: (x: never) => u(x).used,
  UnusedCommitment: (x: never) => u(x).total - u(x).used, NetSavings: (x: never) => u(x).od - u(x).up - u(x).rec,
  AmortizedRecurringCommitment: (x: never) => u(x).rec, AmortizedUpfrontCommitment: (x: never) => u(x).up, TotalAmortizedCommitment: (x: never) => u(x).up + u(x).rec,
});

const getSavingsPlansUtilization: Handler = (input: ReportInput, ctx) => {
  const b = commitmentPeriod(input, ctx, 'GetSavingsPlansUtilization');
  const { byTime, all } = planUse(ctx, b, input, ['LINKED_ACCOUNT', 'SAVINGS_PLAN_ARN', 'SAVINGS_PLANS_TYPE', 'REGION', 'PAYMENT_OPTION', 'INSTANCE_TYPE_FAMILY']);
  const rows = byTime.map((u, i) => ({ i, u }));
  const order = sorter<{ u: SpUse }>(input.SortBy, SP_SORT((x: { u: SpUse }) => x.u) as never);
  if (order) rows.sort(order);
  return {
    ...(b.granularity ? { SavingsPlansUtilizationsByTime: rows.map(({ i, u }) => ({ TimePeriod: interval(b, i), ...spParts(u) })) } : {}),
    Total: spParts(all),
  };
};

const DATA_TYPES = ['ATTRIBUTES', 'UTILIZATION', 'AMORTIZED_COMMITMENT', 'SAVINGS'];

function planAttributes(p: SavingsPlanRecord | undefined, u: SpUse): Record<string, string> {
  if (!p) return {};
  const years = Math.round((p.termDurationInSeconds ?? 0) / 31_536_000);
  return {
    SavingsPlansType: `${p.savingsPlanType}SavingsPlans`, PaymentOption: p.paymentOption ?? '', PurchaseTerm: `${years} year${years === 1 ? '' : 's'}`,
    Region: p.region ?? '', InstanceFamily: p.ec2InstanceFamily ?? '', StartDateTime: p.start ?? '', EndDateTime: p.end ?? '',
    RecurringHourlyFee: p.recurringPaymentAmount ?? '0', UpfrontFee: p.upfrontPaymentAmount ?? '0',
    AmortizedRecurringFee: amount(u.rec), AmortizedUpfrontFee: amount(u.up), TotalAmortizedFee: amount(u.rec + u.up),
  };
}

const getSavingsPlansUtilizationDetails: Handler = (input: ReportInput, ctx) => {
  if (input.Granularity !== undefined) throw validation('Granularity is not supported for GetSavingsPlansUtilizationDetails');
  const b = commitmentPeriod(input, ctx, 'GetSavingsPlansUtilizationDetails');
  for (const d of input.DataType ?? []) if (!DATA_TYPES.includes(d)) throw validation(`DataType ${d} is invalid. Valid values are ${DATA_TYPES.join(', ')}`);
  const want = new Set(input.DataType?.length ? input.DataType : DATA_TYPES);
  const { byPlan, all } = planUse(ctx, b, input, ['LINKED_ACCOUNT', 'SAVINGS_PLAN_ARN', 'SAVINGS_PLANS_TYPE', 'REGION', 'PAYMENT_OPTION', 'INSTANCE_TYPE_FAMILY']);
  const rows = [...byPlan].map(([arn, x]) => ({ arn, ...x }));
  const order = sorter<{ u: SpUse }>(input.SortBy, SP_SORT((x: { u: SpUse }) => x.u) as never);
  if (order) rows.sort(order);
  const { page, next } = pageEntries(ctx, input, rows, input.NextToken);
  const parts = (u: SpUse) => {
    const s = spParts(u);
    return { ...(want.has('UTILIZATION') ? { Utilization: s.Utilization } : {}), ...(want.has('SAVINGS') ? { Savings: s.Savings } : {}), ...(want.has('AMORTIZED_COMMITMENT') ? { AmortizedCommitment: s.AmortizedCommitment } : {}) };
  };
  return {
    SavingsPlansUtilizationDetails: page.map((r) => ({ SavingsPlanArn: r.arn, ...(want.has('ATTRIBUTES') ? { Attributes: planAttributes(r.p, r.u) } : {}), ...parts(r.u) })),
    Total: { ...spParts(all) }, TimePeriod: interval(b, 0), ...(next ? { NextToken: next } : {}),
  };
};

export const commitmentHandlers: Record<string, Handler> = {
  GetReservationCoverage: getReservationCoverage,
  GetReservationUtilization: getReservationUtilization,
  GetSavingsPlansCoverage: getSavingsPlansCoverage,
  GetSavingsPlansUtilization: getSavingsPlansUtilization,
  GetSavingsPlansUtilizationDetails: getSavingsPlansUtilizationDetails,
  ...recommendationHandlers,
};
