/**
 * What Savings Plans sells: Compute plans (any Region, family, platform, tenancy) and EC2
 * Instance plans (one Region's family), each for 1 or 3 years with No, Partial or All Upfront
 * payment, and the rate each charges per instance hour (rates.ts). Offerings are not stored: an
 * ID is a UUID-shaped hash of what it sells, stable and the same for every account, and the
 * table from ID to offering is built once from the instance type catalog.
 */
import { createHash } from 'node:crypto';
import type {
  DescribeSavingsPlansOfferingRatesRequest, DescribeSavingsPlansOfferingRatesResponse, DescribeSavingsPlansOfferingsRequest,
  DescribeSavingsPlansOfferingsResponse, SavingsPlanOffering, SavingsPlanOfferingRate,
} from '@aws-sdk/client-savingsplans';
import { AwsError } from '../../core/errors.js';
import { regionNames } from '../../core/regions.js';
import { usageType } from '../cost/prices.js';
import { familyOf } from '../cost/normalization.js';
import { regionTypes } from '../ec2/compute/catalog.js';
import type { RequestContext } from '../types.js';
import { DURATIONS, PAYMENT_OPTIONS, paymentTag, PLAN_TYPES, savingsPlanRate, termTag, type PaymentOption, type PlanType } from './rates.js';

export interface Offering {
  id: string;
  planType: PlanType;
  durationS: number;
  payment: PaymentOption;
  /** EC2 Instance plans only. */
  region?: string;
  family?: string;
}

export const validation = (message: string): AwsError => new AwsError('ValidationException', message, 400);

function uuid(s: string): string {
  const h = createHash('sha256').update(s).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Families each Region offers, sorted. */
const familiesIn = (region: string): string[] => [...new Set(Object.keys(regionTypes(region).types).map(familyOf))].sort();
export const typesOf = (region: string, family?: string): string[] =>
  Object.keys(regionTypes(region).types).filter((t) => !family || familyOf(t) === family).sort();

// Derived from immutable data (the catalog), like the EC2 offering tables: built once.
let table: { list: Offering[]; byId: Map<string, Offering> } | undefined;
function offerings(): { list: Offering[]; byId: Map<string, Offering> } {
  if (table) return table;
  const list: Offering[] = [];
  for (const planType of PLAN_TYPES) {
    const where = planType === 'Compute' ? [{}] : regionNames().flatMap((region) => familiesIn(region).map((family) => ({ region, family })));
    for (const w of where as Array<{ region?: string; family?: string }>) {
      for (const durationS of DURATIONS) for (const payment of PAYMENT_OPTIONS) {
        list.push({ id: uuid(`savingsplans/${planType}/${durationS}/${payment}/${w.region ?? ''}/${w.family ?? ''}`), planType, durationS, payment, ...w });
      }
    }
  }
  return (table = { list, byId: new Map(list.map((o) => [o.id, o])) });
}

export const offeringById = (id: string): Offering | undefined => offerings().byId.get(id);

const years = (durationS: number): number => Math.round(durationS / 31_536_000);

export function describe(o: Offering): string {
  const term = `${years(o.durationS)} year ${o.payment}`;
  return o.planType === 'Compute' ? `${term} Compute Savings Plan` : `${term} ${o.family} EC2 Instance Savings Plan in ${o.region}`;
}

export const productTypesOf = (o: Offering): Array<'EC2' | 'Fargate' | 'Lambda'> => (o.planType === 'Compute' ? ['EC2', 'Fargate', 'Lambda'] : ['EC2']);

/** The fee's usage type: "ComputeSP:1yrNoUpfront", "USE2-EC2SP:t3.1yrPartialUpfront". */
export function feeUsageType(o: Offering): string {
  const tag = `${termTag(o.durationS)}${paymentTag(o.payment)}`;
  return o.planType === 'Compute' ? `ComputeSP:${tag}` : usageType(o.region!, `EC2SP:${o.family}.${tag}`);
}

function offeringShape(o: Offering): SavingsPlanOffering {
  return {
    offeringId: o.id, productTypes: productTypesOf(o), planType: o.planType, description: describe(o), paymentOption: o.payment,
    durationSeconds: o.durationS, currency: 'USD', serviceCode: 'ComputeSavingsPlans', usageType: feeUsageType(o), operation: '',
    properties: o.planType === 'EC2Instance' ? [{ name: 'region', value: o.region }, { name: 'instanceFamily', value: o.family }] : [],
  };
}

// ---- pagination -----------------------------------------------------------------------------

/** nextToken: the position of the next result, base64 (the model's PaginationToken pattern). */
const token = (n: number): string => Buffer.from(`p${n}`, 'utf8').toString('base64');
function position(t: string | undefined): number {
  if (!t) return 0;
  const m = /^p(\d+)$/.exec(Buffer.from(t, 'base64').toString('utf8'));
  if (!m) throw validation('Invalid nextToken');
  return Number(m[1]);
}

/** One page of a lazily generated result list. */
export function paged<T>(all: Iterable<T>, nextToken: string | undefined, maxResults: number | undefined, defaultMax: number): { page: T[]; next?: string } {
  const from = position(nextToken);
  const max = maxResults || defaultMax;
  const page: T[] = [];
  let i = 0;
  for (const x of all) {
    if (i++ < from) continue;
    if (page.length === max) return { page, next: token(from + max) };
    page.push(x);
  }
  return { page };
}

const inList = <T>(list: readonly T[] | undefined, v: T): boolean => !list?.length || list.includes(v);

function filterValues(filters: Array<{ name?: string; values?: string[] }> | undefined, names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of filters ?? []) {
    if (!f.name || !names.includes(f.name)) throw validation(`Invalid filter name: ${f.name ?? ''}`);
    if (!f.values?.length) throw validation(`Filter ${f.name} needs at least one value`);
    out.set(f.name, [...(out.get(f.name) ?? []), ...f.values]);
  }
  return out;
}

// ---- DescribeSavingsPlansOfferings ------------------------------------------------------------

export function describeSavingsPlansOfferings(input: DescribeSavingsPlansOfferingsRequest, _ctx: RequestContext): DescribeSavingsPlansOfferingsResponse {
  const f = filterValues(input.filters, ['region', 'instanceFamily']);
  const fits = function* () {
    for (const o of offerings().list) {
      if (!inList(input.offeringIds, o.id) || !inList(input.paymentOptions, o.payment) || !inList(input.planTypes, o.planType)) continue;
      if (!inList(input.durations, o.durationS) || !inList(input.currencies, 'USD') || !inList(input.serviceCodes, 'ComputeSavingsPlans')) continue;
      if (input.productType && !productTypesOf(o).includes(input.productType as 'EC2')) continue;
      if (!inList(input.operations, '') || !inList(input.descriptions, describe(o)) || !inList(input.usageTypes, feeUsageType(o))) continue;
      // A property filter keeps the offerings that have the property with one of the values.
      if (f.has('region') && !(o.region && f.get('region')!.includes(o.region))) continue;
      if (f.has('instanceFamily') && !(o.family && f.get('instanceFamily')!.includes(o.family))) continue;
      yield o;
    }
  };
  const { page, next } = paged(fits(), input.nextToken, input.maxResults, 1000);
  return { searchResults: page.map(offeringShape), ...(next ? { nextToken: next } : {}) };
}

// ---- rates ------------------------------------------------------------------------------------

export interface RateSpec { region: string; type: string; platform: 'Linux/UNIX' | 'Windows'; tenancy: 'shared' | 'dedicated' }

const PLATFORMS = ['Linux/UNIX', 'Windows'] as const;
const TENANCIES = ['shared', 'dedicated'] as const;

/** Every instance usage an offering's rates name, in a stable order. */
export function* rateSpecs(o: Offering, regions?: string[]): Generator<RateSpec> {
  for (const region of o.region ? [o.region] : regions ?? regionNames()) {
    for (const type of typesOf(region, o.family)) for (const platform of PLATFORMS) for (const tenancy of TENANCIES) yield { region, type, platform, tenancy };
  }
}

/** What a rate names: the usage type, operation and properties of instance usage. */
export function rateFields(r: RateSpec) {
  return {
    unit: 'Hrs' as const, productType: 'EC2' as const, serviceCode: 'AmazonEC2' as const,
    usageType: usageType(r.region, `${r.tenancy === 'dedicated' ? 'DedicatedUsage' : 'BoxUsage'}:${r.type}`),
    operation: r.platform === 'Windows' ? 'RunInstances:0002' : 'RunInstances',
    properties: [
      { name: 'region', value: r.region }, { name: 'instanceType', value: r.type }, { name: 'instanceFamily', value: familyOf(r.type) },
      { name: 'productDescription', value: r.platform }, { name: 'tenancy', value: r.tenancy },
    ],
  };
}

export const rateOf = (o: Offering, r: RateSpec): number => savingsPlanRate(o.planType, o.durationS, o.payment, r.type, r.platform, r.region);

const RATE_FILTERS = ['region', 'instanceFamily', 'instanceType', 'productDescription', 'tenancy', 'productId'] as const;

export function describeSavingsPlansOfferingRates(input: DescribeSavingsPlansOfferingRatesRequest, _ctx: RequestContext): DescribeSavingsPlansOfferingRatesResponse {
  const f = filterValues(input.filters, RATE_FILTERS);
  const want = (name: string, v: string) => !f.has(name) || f.get(name)!.includes(v);
  const regions = f.get('region');
  const fits = function* (): Generator<SavingsPlanOfferingRate> {
    if (!inList(input.products, 'EC2') || !inList(input.serviceCodes, 'AmazonEC2') || f.has('productId')) return;
    for (const o of offerings().list) {
      if (!inList(input.savingsPlanOfferingIds, o.id) || !inList(input.savingsPlanPaymentOptions, o.payment) || !inList(input.savingsPlanTypes, o.planType)) continue;
      if (o.region && !want('region', o.region)) continue;
      if (o.family && !want('instanceFamily', o.family)) continue;
      const parent = { offeringId: o.id, paymentOption: o.payment, planType: o.planType, durationSeconds: o.durationS, currency: 'USD' as const, planDescription: describe(o) };
      for (const r of rateSpecs(o, regions)) {
        if (!want('instanceType', r.type) || !want('instanceFamily', familyOf(r.type)) || !want('productDescription', r.platform) || !want('tenancy', r.tenancy)) continue;
        const fields = rateFields(r);
        if (!inList(input.usageTypes, fields.usageType) || !inList(input.operations, fields.operation)) continue;
        yield { savingsPlanOffering: parent, rate: String(rateOf(o, r)), ...fields };
      }
    }
  };
  const { page, next } = paged(fits(), input.nextToken, input.maxResults, 1000);
  return { searchResults: page, ...(next ? { nextToken: next } : {}) };
}

/** The offering selling a plan type, term and payment option (and, for EC2 Instance plans, a Region's family). */
export function offeringFor(planType: PlanType, durationS: number, payment: PaymentOption, region?: string, family?: string): Offering | undefined {
  return offeringById(uuid(`savingsplans/${planType}/${durationS}/${payment}/${planType === 'EC2Instance' ? region ?? '' : ''}/${planType === 'EC2Instance' ? family ?? '' : ''}`));
}
