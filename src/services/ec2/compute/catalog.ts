/**
 * The instance type catalog: what each type is (data/ec2/instance-types.json.gz, the answers
 * AWS gave DescribeInstanceTypes), where it is offered (instance-type-offerings.json.gz, by
 * zone ID), what it costs On-Demand (prices.json, approximate) and on the Spot market (derived
 * here from the On-Demand price and the clock), and the vCPU quotas RunInstances enforces.
 * scripts/refresh-ec2-data.ts regenerates the data; data/ec2/SOURCE.md says where it comes from.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { zones } from '../../../core/regions.js';
import type { Scope, Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { ec2DataFile } from './data-files.js';
import { COMPUTE_KIND } from './records.js';

interface Offerings { zones: string[]; types: Record<string, number> }
interface Prices { regionMultiplier: Record<string, number>; usEast1: Record<string, number> }

function dataFile(name: string): Buffer {
  const b = ec2DataFile(name);
  if (!b) throw new Error(`data/ec2/${name} not found: the instance type catalog is missing`);
  return b;
}
const gz = <T>(name: string): T => JSON.parse(gunzipSync(dataFile(name)).toString('utf8')) as T;

// Immutable data read once, like the service models.
let types: Map<string, InstanceTypeInfo> | undefined;
let offerings: Record<string, Offerings> | undefined;
let prices: Prices | undefined;

export function allInstanceTypes(): ReadonlyMap<string, InstanceTypeInfo> {
  return (types ??= new Map(gz<InstanceTypeInfo[]>('instance-types.json.gz').map((t) => [t.InstanceType!, t])));
}
const regionOfferings = (region: string): Offerings | undefined =>
  (offerings ??= gz<{ regions: Record<string, Offerings> }>('instance-type-offerings.json.gz').regions)[region];
const priceData = (): Prices => (prices ??= JSON.parse(dataFile('prices.json').toString('utf8')) as Prices);

export const instanceTypeInfo = (type: string): InstanceTypeInfo | undefined => allInstanceTypes().get(type);

/** The zone IDs of a region offering a type (empty when the region does not offer it). */
export function zoneIdsOffering(region: string, type: string): string[] {
  const o = regionOfferings(region);
  const mask = o?.types[type];
  if (!o || mask === undefined) return [];
  return o.zones.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** The types a region offers, each with its zone mask. */
export function regionTypes(region: string): { zones: string[]; types: Record<string, number> } {
  return regionOfferings(region) ?? { zones: [], types: {} };
}

/** Whether a type is offered in a zone, named as the calling account names it. */
export function typeOfferedIn(ctx: RequestContext, zoneName: string, type: string): boolean {
  const z = zones(ctx.region, ctx.account).find((x) => x.zoneName === zoneName);
  return !!z && zoneIdsOffering(ctx.region, type).includes(z.zoneId);
}

/** Approximate Linux On-Demand USD per hour in a region (undefined for an unknown type). */
export function onDemandPrice(type: string, region: string): number | undefined {
  const p = priceData();
  const base = p.usEast1[type];
  if (base === undefined) return undefined;
  return Math.round(base * (p.regionMultiplier[region] ?? 1.2) * 10000) / 10000;
}

const HOUR = 3_600_000;
const unit = (s: string): number => createHash('sha256').update(s).digest().readUInt32BE(0) / 0x1_0000_0000;

/**
 * The Spot price of a type in a zone during the clock hour holding `ms`: 25-45 % of On-Demand
 * (fixed per type and zone), moving through the day by up to 10 % with an hourly jitter of 2 %,
 * so a maximum set at today's price is passed within a day or two, as on the real market.
 * Six decimals, as AWS reports it, so a MaxPrice copied from the history is exactly the price.
 */
export function spotPrice(type: string, zoneName: string, ms: number): number {
  const region = zoneName.replace(/[a-z]$/, '');
  const od = onDemandPrice(type, region) ?? 0.1;
  const hour = Math.floor(ms / HOUR);
  const key = `${type}/${zoneName}`;
  const level = 0.25 + 0.2 * unit(key);
  const phase = 2 * Math.PI * unit(`phase/${key}`);
  const f = level * (1 + 0.1 * Math.sin((2 * Math.PI * hour) / 24 + phase) + 0.02 * (unit(`${key}/${hour}`) - 0.5));
  return Math.max(0.000001, Math.round(od * f * 1e6) / 1e6);
}
export const spotHourStart = (ms: number): number => Math.floor(ms / HOUR) * HOUR;

// ---- vCPU quotas ----------------------------------------------------------------------

/** Service Quotas' On-Demand buckets: the family letter decides, as in AWS's quota names. */
const BUCKETS: Array<{ name: string; quotaCode: string; re: RegExp; limit: number }> = [
  { name: 'Running On-Demand F instances', quotaCode: 'L-74FC7D96', re: /^f/, limit: 128 },
  { name: 'Running On-Demand G and VT instances', quotaCode: 'L-DB2E81BA', re: /^(g|vt)/, limit: 64 },
  { name: 'Running On-Demand Inf instances', quotaCode: 'L-1945791B', re: /^inf/, limit: 64 },
  { name: 'Running On-Demand P instances', quotaCode: 'L-417A185B', re: /^p/, limit: 64 },
  { name: 'Running On-Demand Trn instances', quotaCode: 'L-2C3B7624', re: /^trn/, limit: 64 },
  { name: 'Running On-Demand DL instances', quotaCode: 'L-6E869C2A', re: /^dl/, limit: 96 },
  { name: 'Running On-Demand HPC instances', quotaCode: 'L-F7808C92', re: /^hpc/, limit: 384 },
  { name: 'Running On-Demand X instances', quotaCode: 'L-7295265B', re: /^x/, limit: 128 },
  { name: 'Running On-Demand High Memory instances', quotaCode: 'L-43DA4232', re: /^u-/, limit: 448 },
  { name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances', quotaCode: 'L-1216C47A', re: /./, limit: 1152 },
];
// Derived from immutable data, like the type map: one regex walk per type name.
const buckets = new Map<string, typeof BUCKETS[number]>();
function bucketOf(type: string): typeof BUCKETS[number] {
  let b = buckets.get(type);
  if (!b) buckets.set(type, (b = BUCKETS.find((x) => x.re.test(type))!));
  return b;
}
export const vcpusOf = (type: string): number => instanceTypeInfo(type)?.VCpuInfo?.DefaultVCpus ?? 1;

/** The setting row holding an account's own limit for a bucket (the admin API writes it). */
const quotaSetting = (quotaCode: string): string => `vcpu-quota/${quotaCode}`;

/**
 * A bucket's limit: the account and Region's own setting (POST /_cloudlet/ec2/quotas), else
 * CLOUDLET_EC2_VCPU_QUOTA (`--ec2-vcpu-quota`) for the Standard bucket, else AWS's default.
 */
function limitOf(tx: Tx, scope: Scope, b: typeof BUCKETS[number]): number {
  const own = tx.get<{ value: number }>(scope, COMPUTE_KIND.setting, quotaSetting(b.quotaCode));
  if (own) return own.value;
  const env = Number(process.env.CLOUDLET_EC2_VCPU_QUOTA);
  return b.quotaCode === 'L-1216C47A' && Number.isInteger(env) && env > 0 ? env : b.limit;
}

/**
 * vCPUs of running and pending instances per bucket, from the 'phase' and 'type' indexes
 * (keys only, no row read): pending and running are exactly phase 'start' (lifecycle.ts).
 */
function usedVcpus(tx: Tx, scope: Scope): Map<string, number> {
  const live = new Set(tx.keysBy(scope, COMPUTE_KIND.instance, 'phase', { key: 'start' }).map((k) => k.id));
  const used = new Map<string, number>();
  if (!live.size) return used;
  for (const { key: type, id } of tx.keysBy(scope, COMPUTE_KIND.instance, 'type', {})) {
    if (!live.has(id)) continue;
    const code = bucketOf(type).quotaCode;
    used.set(code, (used.get(code) ?? 0) + vcpusOf(type));
  }
  return used;
}

/** Every bucket with its limit and the vCPUs running and pending instances hold now. */
export function vcpuQuotas(tx: Tx, scope: Scope): Array<{ quotaCode: string; name: string; limit: number; used: number }> {
  const used = usedVcpus(tx, scope);
  return BUCKETS.map((b) => ({ quotaCode: b.quotaCode, name: b.name, limit: limitOf(tx, scope, b), used: used.get(b.quotaCode) ?? 0 }));
}

/** Sets (or, with undefined, clears) an account and Region's limit for one bucket. */
export function setVcpuQuota(tx: Tx, scope: Scope, quotaCode: string, value: number | undefined): void {
  if (!BUCKETS.some((b) => b.quotaCode === quotaCode)) {
    throw new AwsError('NoSuchResourceException', `The quota code ${quotaCode} is not one of EC2's vCPU quotas (${BUCKETS.map((b) => b.quotaCode).join(', ')})`, 404);
  }
  if (value === undefined) tx.delete(scope, COMPUTE_KIND.setting, quotaSetting(quotaCode));
  else tx.put(scope, COMPUTE_KIND.setting, quotaSetting(quotaCode), { value });
}

/**
 * Refuses a launch (or start) of `count` instances of `type` when the running and pending
 * instances of the same bucket would go over its vCPU quota (VcpuLimitExceeded, as AWS).
 */
export function checkVcpuQuota(ctx: RequestContext, type: string, count: number): void {
  checkVcpuQuotaFor(ctx, Array<string>(count).fill(type));
}

/**
 * The same for several instances at once (StartInstances): the vCPUs in use are counted once
 * per request, not once per instance, and each bucket's additions are summed.
 */
export function checkVcpuQuotaFor(ctx: RequestContext, types: readonly string[]): void {
  if (!types.length) return;
  const adding = new Map<string, number>();
  for (const t of types) { const code = bucketOf(t).quotaCode; adding.set(code, (adding.get(code) ?? 0) + vcpusOf(t)); }
  const used = usedVcpus(ctx.tx, ctx.scope);
  for (const b of BUCKETS) {
    const add = adding.get(b.quotaCode);
    if (add === undefined) continue;
    const limit = limitOf(ctx.tx, ctx.scope, b);
    if ((used.get(b.quotaCode) ?? 0) + add > limit) {
      throw new AwsError('VcpuLimitExceeded', `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`);
    }
  }
}
