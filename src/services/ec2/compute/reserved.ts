/**
 * Reserved Instances: the offerings AWS sells (every type the Region offers, 1 or 3 years,
 * No/Partial/All Upfront, standard or convertible, regional or zonal), purchases, and the
 * reservations bought, `active` until start + duration by the cloudlet clock, then `retired`
 * (a purchase with a future PurchaseTime is `queued` until then). Nothing ticks: the state is
 * derived on read.
 *
 * Prices follow the On-Demand price (catalog.ts) by fixed factors of the effective hourly rate:
 * 1 year No/Partial/All Upfront 0.80/0.77/0.75, 3 years 0.70/0.66/0.64, convertible 0.05 more
 * (five points less saving). All Upfront pays the whole term as FixedPrice; Partial Upfront half
 * of it up front and half hourly; No Upfront all hourly (RecurringCharges). Windows adds its
 * licence ($0.046 per vCPU-hour) to the On-Demand price first.
 *
 * Offerings are not stored: an offering ID is a UUID-shaped encoding of what it sells, masked
 * by a hash of Region and type, so it is stable, deterministic and decoded without a lookup.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  DescribeReservedInstancesOfferingsRequest, DescribeReservedInstancesOfferingsResult, DescribeReservedInstancesRequest,
  DescribeReservedInstancesResult, PurchaseReservedInstancesOfferingRequest, PurchaseReservedInstancesOfferingResult,
  ReservedInstances, ReservedInstancesOffering,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { zones } from '../../../core/regions.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkMaxResults, pageByPosition } from '../describe.js';
import { applyFilters, withTagKeyFields, type Filter } from '../filters.js';
import { tagList, tagsOf } from '../tags.js';
import { onDemandPrice, regionTypes, vcpusOf } from './catalog.js';
import { COMPUTE_KIND, type ReservedInstancesRecord } from './records.js';

const KIND = COMPUTE_KIND.reservedInstances;
type OfferingType = ReservedInstancesRecord['offeringType'];
type OfferingClass = ReservedInstancesRecord['offeringClass'];

export const DURATIONS = [31_536_000, 94_608_000] as const;
export const OFFERING_TYPES: readonly OfferingType[] = ['No Upfront', 'Partial Upfront', 'All Upfront'];
export const OFFERING_CLASSES: readonly OfferingClass[] = ['standard', 'convertible'];
/** The "(Amazon VPC)" products are listed only when asked for, as AWS shows them to EC2-Classic accounts only. */
export const PRODUCTS = ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)', 'Windows', 'Windows (Amazon VPC)'] as const;
const DEFAULT_PRODUCTS = ['Linux/UNIX', 'Windows'];
/** Effective hourly rate as a share of On-Demand, by duration and offering type (standard class). */
export const RATE: Record<number, Record<OfferingType, number>> = {
  31_536_000: { 'No Upfront': 0.8, 'Partial Upfront': 0.77, 'All Upfront': 0.75 },
  94_608_000: { 'No Upfront': 0.7, 'Partial Upfront': 0.66, 'All Upfront': 0.64 },
};
export const CONVERTIBLE_EXTRA = 0.05;
const WINDOWS_PER_VCPU_HOUR = 0.046;
/** AWS: 20 regional RIs per Region and 20 zonal RIs per zone, per month. */
export const MONTHLY_LIMIT = 20;
const MAX_QUEUE_MS = 3 * 365 * 86_400_000;

export interface OfferingSpec {
  type: string;
  durationS: number;
  offeringType: OfferingType;
  offeringClass: OfferingClass;
  product: string;
  /** Zonal offerings: the zone ID; regional ones have none. */
  zoneId?: string;
}

// ---- offering IDs ------------------------------------------------------------------------

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();
const heads = new Map<string, Map<string, string>>();

/** The first 8 bytes of a type's offering IDs in a Region (with the UUID version nibble). */
function headOf(region: string, type: string): Buffer {
  const h = sha(`ri/${region}/${type}`).subarray(0, 8);
  h[6] = (h[6]! & 0x0f) | 0x40;
  return h;
}

/** Head hex -> type, per Region, built once. */
function typeByHead(region: string): Map<string, string> {
  let m = heads.get(region);
  if (!m) {
    m = new Map(Object.keys(regionTypes(region).types).map((t) => [headOf(region, t).toString('hex'), t]));
    heads.set(region, m);
  }
  return m;
}

const maskOf = (region: string, type: string): Buffer => sha(`ri-mask/${region}/${type}`).subarray(0, 8);

export function offeringId(region: string, s: OfferingSpec): string {
  const mask = maskOf(region, s.type);
  const zoneIdx = s.zoneId ? regionTypes(region).zones.indexOf(s.zoneId) + 1 : 0;
  const body = Buffer.from([0, DURATIONS.indexOf(s.durationS as never), OFFERING_TYPES.indexOf(s.offeringType),
    OFFERING_CLASSES.indexOf(s.offeringClass), PRODUCTS.indexOf(s.product as never), zoneIdx, 0, 0]);
  for (let i = 0; i < 8; i++) body[i] ^= mask[i]!;
  body[0] = 0x80 | (mask[0]! & 0x3f);
  const hex = Buffer.concat([headOf(region, s.type), body]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What an offering ID sells in this Region, or undefined when it is no offering of it. */
export function decodeOfferingId(region: string, id: string): OfferingSpec | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined;
  const hex = id.replace(/-/g, '');
  const type = typeByHead(region).get(hex.slice(0, 16));
  if (!type) return undefined;
  const mask = maskOf(region, type);
  const body = Buffer.from(hex.slice(16), 'hex');
  if (body[0] !== (0x80 | (mask[0]! & 0x3f))) return undefined;
  for (let i = 1; i < 8; i++) body[i] ^= mask[i]!;
  const [, d, ot, oc, p, z, r1, r2] = [...body] as number[];
  const rt = regionTypes(region);
  if (r1 || r2 || d! >= DURATIONS.length || ot! >= OFFERING_TYPES.length || oc! >= OFFERING_CLASSES.length || p! >= PRODUCTS.length || z! > rt.zones.length) return undefined;
  if (z && !((rt.types[type] ?? 0) & (1 << (z - 1)))) return undefined;
  return {
    type, durationS: DURATIONS[d!]!, offeringType: OFFERING_TYPES[ot!]!, offeringClass: OFFERING_CLASSES[oc!]!, product: PRODUCTS[p!]!,
    ...(z ? { zoneId: rt.zones[z - 1]! } : {}),
  };
}

// ---- prices ------------------------------------------------------------------------------

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** FixedPrice (USD, once) and the hourly recurring charge of an offering. */
export function offeringPrice(region: string, s: OfferingSpec): { fixed: number; hourly: number } {
  const od = (onDemandPrice(s.type, region) ?? 0.1) + (s.product.startsWith('Windows') ? WINDOWS_PER_VCPU_HOUR * vcpusOf(s.type) : 0);
  const rate = od * (RATE[s.durationS]![s.offeringType] + (s.offeringClass === 'convertible' ? CONVERTIBLE_EXTRA : 0));
  const hours = s.durationS / 3600;
  if (s.offeringType === 'All Upfront') return { fixed: round(rate * hours, 2), hourly: 0 };
  if (s.offeringType === 'Partial Upfront') return { fixed: round((rate * hours) / 2, 2), hourly: round(rate / 2, 6) };
  return { fixed: 0, hourly: round(rate, 6) };
}

// ---- DescribeReservedInstancesOfferings ------------------------------------------------------

function offeringShape(ctx: RequestContext, s: OfferingSpec, zoneNames: Map<string, string>): ReservedInstancesOffering {
  const { fixed, hourly } = offeringPrice(ctx.region, s);
  return {
    ReservedInstancesOfferingId: offeringId(ctx.region, s),
    InstanceType: s.type as never,
    ...(s.zoneId ? { AvailabilityZone: zoneNames.get(s.zoneId), AvailabilityZoneId: s.zoneId } : {}),
    Duration: s.durationS,
    FixedPrice: fixed,
    UsagePrice: 0,
    ProductDescription: s.product as never,
    InstanceTenancy: 'default',
    CurrencyCode: 'USD',
    OfferingType: s.offeringType,
    OfferingClass: s.offeringClass,
    Marketplace: false,
    PricingDetails: [],
    RecurringCharges: [{ Frequency: 'Hourly', Amount: hourly }],
    Scope: s.zoneId ? 'Availability Zone' : 'Region',
  };
}

const exactValues = (filters: Filter[], name: string): string[] | undefined => {
  const f = filters.find((x) => x.Name === name);
  return f?.Values?.length && !f.Values.some((v) => /[*?]/.test(v)) ? f.Values : undefined;
};

const offeringFields: Record<string, (o: ReservedInstancesOffering) => string | undefined> = {
  'availability-zone': (o) => o.AvailabilityZone,
  'availability-zone-id': (o) => o.AvailabilityZoneId,
  duration: (o) => String(o.Duration),
  'fixed-price': (o) => String(o.FixedPrice),
  'instance-type': (o) => o.InstanceType,
  'instance-tenancy': (o) => o.InstanceTenancy,
  marketplace: (o) => String(o.Marketplace),
  'offering-class': (o) => o.OfferingClass,
  'offering-type': (o) => o.OfferingType,
  'product-description': (o) => o.ProductDescription,
  'reserved-instances-offering-id': (o) => o.ReservedInstancesOfferingId,
  scope: (o) => o.Scope,
  'usage-price': (o) => String(o.UsagePrice),
};

export const describeReservedInstancesOfferings: Handler<DescribeReservedInstancesOfferingsRequest, DescribeReservedInstancesOfferingsResult> = (input, ctx) => {
  checkMaxResults(input.MaxResults, [1, 100]);
  const filters = (input.Filters ?? []) as Filter[];
  for (const f of filters) if (!offeringFields[f.Name ?? '']) throw new AwsError('InvalidParameterValue', `The filter '${f.Name ?? ''}' is invalid`);
  const zs = zones(ctx.region, ctx.account);
  const zoneNames = new Map(zs.map((z) => [z.zoneId, z.zoneName]));
  if (input.AvailabilityZone && input.AvailabilityZoneId) {
    throw new AwsError('InvalidParameterCombination', 'The parameters availabilityZone and availabilityZoneId cannot be used together');
  }
  let zoneId: string | undefined;
  if (input.AvailabilityZone || input.AvailabilityZoneId) {
    const z = zs.find((x) => x.zoneName === input.AvailabilityZone || x.zoneId === input.AvailabilityZoneId);
    if (!z) throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${input.AvailabilityZone ?? input.AvailabilityZoneId}]`);
    zoneId = z.zoneId;
  }
  const minD = input.MinDuration ?? 2_592_000;
  const maxD = input.MaxDuration ?? 94_608_000;
  if (minD > maxD) throw new AwsError('InvalidParameterValue', `The minDuration (${minD}) must not be greater than the maxDuration (${maxD}).`);
  const tenancy = input.InstanceTenancy ?? 'default';
  const rt = regionTypes(ctx.region);

  // Candidates: the asked IDs decoded, else every combination the request's members allow.
  let specs: (limit: number) => Iterable<OfferingSpec>;
  const askedIds = input.ReservedInstancesOfferingIds?.length ? input.ReservedInstancesOfferingIds : undefined;
  const keep = (s: OfferingSpec): boolean => s.durationS >= minD && s.durationS <= maxD && tenancy === 'default'
    && (!input.InstanceType || s.type === input.InstanceType) && (!input.OfferingType || s.offeringType === input.OfferingType)
    && (!input.OfferingClass || s.offeringClass === input.OfferingClass) && (!input.ProductDescription || s.product === input.ProductDescription)
    && (!zoneId || s.zoneId === zoneId);
  if (askedIds) {
    const found = [...new Set(askedIds)].map((id) => decodeOfferingId(ctx.region, id)).filter((s): s is OfferingSpec => !!s && keep(s));
    specs = () => found;
  } else {
    const types = input.InstanceType ? [input.InstanceType as string] : exactValues(filters, 'instance-type') ?? Object.keys(rt.types).sort();
    const products = input.ProductDescription ? [input.ProductDescription as string]
      : filters.some((f) => f.Name === 'product-description') ? [...PRODUCTS] : DEFAULT_PRODUCTS;
    // Zonal offerings are listed when a zone is asked for or filtered on (or the scope is).
    const zonal = !!zoneId || filters.some((f) => ['availability-zone', 'availability-zone-id', 'scope', 'reserved-instances-offering-id'].includes(f.Name ?? ''));
    specs = function* () {
      for (const type of types) {
        const mask = rt.types[type];
        if (mask === undefined) continue;
        const where = [...(zoneId ? [] : [undefined]), ...(zonal ? rt.zones.filter((z, i) => mask & (1 << i) && (!zoneId || z === zoneId)) : [])];
        for (const z of where) for (const durationS of DURATIONS) for (const offeringClass of OFFERING_CLASSES) for (const offeringType of OFFERING_TYPES) {
          for (const product of products) {
            const s: OfferingSpec = { type, durationS, offeringType, offeringClass, product, ...(z ? { zoneId: z } : {}) };
            if (keep(s)) yield s;
          }
        }
      }
    };
  }
  const query = {
    ids: askedIds ?? [], filters, type: input.InstanceType ?? '', ot: input.OfferingType ?? '', oc: input.OfferingClass ?? '',
    p: input.ProductDescription ?? '', zoneId: zoneId ?? '', minD, maxD, tenancy, m: input.IncludeMarketplace ?? true,
  };
  const { page, next } = pageByPosition('DescribeReservedInstancesOfferings', query, input, [1, 100], 100, (limit) => {
    const out: ReservedInstancesOffering[] = [];
    const batch: OfferingSpec[] = [];
    const flush = () => { out.push(...applyFilters(batch.map((s) => offeringShape(ctx, s, zoneNames)), filters, offeringFields)); batch.length = 0; };
    for (const s of specs(limit)) {
      batch.push(s);
      if (batch.length >= 64) { flush(); if (out.length >= limit) break; }
    }
    flush();
    return out;
  });
  return { ReservedInstancesOfferings: page, ...(next ? { NextToken: next } : {}) };
};

// ---- PurchaseReservedInstancesOffering --------------------------------------------------------

const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export const purchaseReservedInstancesOffering: Handler<PurchaseReservedInstancesOfferingRequest, PurchaseReservedInstancesOfferingResult> = (input, ctx) => {
  const offeringIdIn = input.ReservedInstancesOfferingId;
  if (!offeringIdIn) throw new AwsError('MissingParameter', 'The request must contain the parameter reservedInstancesOfferingId');
  if (input.InstanceCount === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter instanceCount');
  const count = input.InstanceCount;
  if (!Number.isInteger(count) || count < 1) {
    throw new AwsError('InvalidParameterValue', `Value (${count}) for parameter instanceCount is invalid. The instance count must be at least 1.`);
  }
  const spec = decodeOfferingId(ctx.region, offeringIdIn);
  if (!spec) throw new AwsError('InvalidReservedInstancesOfferingId', `The specified Reserved Instances offering does not exist: ${offeringIdIn}`);
  const { fixed, hourly } = offeringPrice(ctx.region, spec);
  if (input.LimitPrice) {
    const currency = input.LimitPrice.CurrencyCode ?? 'USD';
    if (currency !== 'USD') throw new AwsError('InvalidParameterValue', `Value (${currency}) for parameter limitPrice.currencyCode is invalid. Valid values: USD`);
    const amount = input.LimitPrice.Amount;
    if (amount !== undefined && fixed * count > amount + 1e-9) {
      throw new AwsError('InvalidParameterValue', `The total upfront price of the order (${round(fixed * count, 2)} USD) exceeds the limit price (${amount} USD).`);
    }
  }
  const now = ctx.clock.nowMs();
  let startMs = now;
  if (input.PurchaseTime !== undefined) {
    const t = new Date(input.PurchaseTime as Date | string).getTime();
    if (!Number.isFinite(t)) throw new AwsError('InvalidParameterValue', `Value (${String(input.PurchaseTime)}) for parameter purchaseTime is invalid.`);
    if (t > now + MAX_QUEUE_MS) throw new AwsError('InvalidParameterValue', 'The purchase time must be within three years of the current time.');
    startMs = Math.max(now, t);
  }
  // The monthly limit: regional reservations count per Region, zonal ones per zone.
  const month = monthOf(now);
  let bought = 0;
  for (const { value: r } of ctx.tx.list<ReservedInstancesRecord>(ctx.scope, KIND)) {
    if (monthOf(r.purchasedMs ?? r.startMs) === month && (r.zoneId ?? '') === (spec.zoneId ?? '')) bought += r.count;
  }
  if (bought + count > MONTHLY_LIMIT) {
    const where = spec.zoneId ? 'Availability Zone' : 'Region';
    throw new AwsError('ReservedInstancesLimitExceeded',
      `Your current quota does not allow you to purchase the required number of reserved instances: at most ${MONTHLY_LIMIT} per ${where} per month (${bought} bought this month).`);
  }
  const zoneName = spec.zoneId ? zones(ctx.region, ctx.account).find((z) => z.zoneId === spec.zoneId)?.zoneName : undefined;
  const r: ReservedInstancesRecord = {
    id: randomUUID(), offeringId: offeringIdIn, instanceType: spec.type,
    ...(spec.zoneId ? { zoneName, zoneId: spec.zoneId } : {}),
    scope: spec.zoneId ? 'Availability Zone' : 'Region',
    count, durationS: spec.durationS, fixedPrice: fixed, usagePrice: 0, recurringHourly: hourly,
    offeringType: spec.offeringType, offeringClass: spec.offeringClass, productDescription: spec.product, tenancy: 'default',
    startMs, endMs: startMs + spec.durationS * 1000, purchasedMs: now,
  };
  ctx.tx.put(ctx.scope, KIND, r.id, r);
  return { ReservedInstancesId: r.id };
};

// ---- DescribeReservedInstances ------------------------------------------------------------------

export const reservedState = (r: ReservedInstancesRecord, now: number): 'queued' | 'active' | 'retired' =>
  now < r.startMs ? 'queued' : now < r.endMs ? 'active' : 'retired';

function reservedShape(ctx: RequestContext, r: ReservedInstancesRecord, now: number): ReservedInstances {
  return {
    ReservedInstancesId: r.id,
    InstanceType: r.instanceType as never,
    ...(r.zoneName ? { AvailabilityZone: r.zoneName } : {}),
    ...(r.zoneId ? { AvailabilityZoneId: r.zoneId } : {}),
    Start: new Date(r.startMs),
    End: new Date(r.endMs),
    Duration: r.durationS,
    UsagePrice: r.usagePrice,
    FixedPrice: r.fixedPrice,
    InstanceCount: r.count,
    ProductDescription: r.productDescription as never,
    State: reservedState(r, now),
    Tags: tagList(tagsOf(ctx.tx, ctx.scope, r.id)) ?? [],
    InstanceTenancy: r.tenancy as never,
    CurrencyCode: 'USD',
    OfferingType: r.offeringType,
    RecurringCharges: [{ Frequency: 'Hourly', Amount: r.recurringHourly }],
    OfferingClass: r.offeringClass,
    Scope: r.scope,
  };
}

export const describeReservedInstances: Handler<DescribeReservedInstancesRequest, DescribeReservedInstancesResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const all = ctx.tx.list<ReservedInstancesRecord>(ctx.scope, KIND).map((x) => x.value);
  const ids = input.ReservedInstancesIds ?? [];
  const missing = ids.filter((id) => !all.some((r) => r.id === id));
  if (missing.length) {
    throw new AwsError('InvalidReservedInstancesId', `The Reserved Instances ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`);
  }
  const picked = all
    .filter((r) => (!ids.length || ids.includes(r.id)) && (!input.OfferingClass || r.offeringClass === input.OfferingClass)
      && (!input.OfferingType || r.offeringType === input.OfferingType))
    .sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
  const fields: Record<string, (r: ReservedInstances) => string | string[] | undefined> = {
    'availability-zone': (r) => r.AvailabilityZone,
    'availability-zone-id': (r) => r.AvailabilityZoneId,
    duration: (r) => String(r.Duration),
    end: (r) => r.End!.toISOString(),
    'fixed-price': (r) => String(r.FixedPrice),
    'instance-type': (r) => r.InstanceType,
    'instance-tenancy': (r) => r.InstanceTenancy,
    'offering-class': (r) => r.OfferingClass,
    'offering-type': (r) => r.OfferingType,
    'product-description': (r) => r.ProductDescription,
    'reserved-instances-id': (r) => r.ReservedInstancesId,
    scope: (r) => r.Scope,
    start: (r) => r.Start!.toISOString(),
    state: (r) => r.State,
    'usage-price': (r) => String(r.UsagePrice),
    'tag-key': (r) => (r.Tags ?? []).map((t) => t.Key!),
    'tag-value': (r) => (r.Tags ?? []).map((t) => t.Value!),
  };
  return { ReservedInstances: applyFilters(picked.map((r) => reservedShape(ctx, r, now)), input.Filters, withTagKeyFields(fields, input.Filters, (r) => r.Tags ?? [])) };
};
