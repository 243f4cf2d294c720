/**
 * DescribeInstanceTypes, DescribeInstanceTypeOfferings and DescribeSpotPriceHistory over the
 * catalog (catalog.ts): the types the Region offers, where, and the hourly Spot prices the
 * clock has passed (at most 90 days back, as AWS keeps).
 */
import type {
  DescribeInstanceTypeOfferingsRequest, DescribeInstanceTypeOfferingsResult, DescribeInstanceTypesRequest, DescribeInstanceTypesResult,
  DescribeSpotPriceHistoryRequest, DescribeSpotPriceHistoryResult, InstanceTypeInfo, InstanceTypeOffering, SpotPrice,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { zones } from '../../../core/regions.js';
import type { Handler } from '../../types.js';
import { bool, pageByPosition } from '../describe.js';
import { applyFilters, type Filter } from '../filters.js';
import { instanceTypeInfo, regionTypes, spotHourStart, spotPrice, vcpusOf, zoneIdsOffering } from './catalog.js';

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Every filter the EC2 API reference lists for DescribeInstanceTypes (botocore's documentation). */
function typeFields(): Record<string, (t: InstanceTypeInfo) => string | string[] | undefined> {
  const eo = (t: InstanceTypeInfo) => t.EbsInfo?.EbsOptimizedInfo;
  const disks = (t: InstanceTypeInfo) => t.InstanceStorageInfo?.Disks ?? [];
  return {
    'auto-recovery-supported': (t) => bool(t.AutoRecoverySupported),
    'bare-metal': (t) => bool(t.BareMetal),
    'burstable-performance-supported': (t) => bool(t.BurstablePerformanceSupported),
    'current-generation': (t) => bool(t.CurrentGeneration),
    'dedicated-hosts-supported': (t) => bool(t.DedicatedHostsSupported),
    'ebs-info.attachment-limit-type': (t) => t.EbsInfo?.AttachmentLimitType,
    'ebs-info.maximum-ebs-attachments': (t) => list(t.EbsInfo?.MaximumEbsAttachments),
    'ebs-info.ebs-optimized-info.baseline-bandwidth-in-mbps': (t) => list(eo(t)?.BaselineBandwidthInMbps),
    'ebs-info.ebs-optimized-info.baseline-iops': (t) => list(eo(t)?.BaselineIops),
    'ebs-info.ebs-optimized-info.baseline-throughput-in-mbps': (t) => list(eo(t)?.BaselineThroughputInMBps),
    'ebs-info.ebs-optimized-info.maximum-bandwidth-in-mbps': (t) => list(eo(t)?.MaximumBandwidthInMbps),
    'ebs-info.ebs-optimized-info.maximum-iops': (t) => list(eo(t)?.MaximumIops),
    'ebs-info.ebs-optimized-info.maximum-throughput-in-mbps': (t) => list(eo(t)?.MaximumThroughputInMBps),
    'ebs-info.ebs-optimized-support': (t) => t.EbsInfo?.EbsOptimizedSupport,
    'ebs-info.encryption-support': (t) => t.EbsInfo?.EncryptionSupport,
    'ebs-info.nvme-support': (t) => t.EbsInfo?.NvmeSupport,
    'free-tier-eligible': (t) => bool(t.FreeTierEligible),
    'hibernation-supported': (t) => bool(t.HibernationSupported),
    'hypervisor': (t) => t.Hypervisor,
    'instance-storage-info.disk.count': (t) => disks(t).map((d) => String(d.Count)),
    'instance-storage-info.disk.size-in-gb': (t) => disks(t).map((d) => String(d.SizeInGB)),
    'instance-storage-info.disk.type': (t) => disks(t).map((d) => String(d.Type)),
    'instance-storage-info.encryption-support': (t) => t.InstanceStorageInfo?.EncryptionSupport,
    'instance-storage-info.nvme-support': (t) => t.InstanceStorageInfo?.NvmeSupport,
    'instance-storage-info.total-size-in-gb': (t) => list(t.InstanceStorageInfo?.TotalSizeInGB),
    'instance-storage-supported': (t) => bool(t.InstanceStorageSupported),
    'instance-type': (t) => t.InstanceType,
    'memory-info.size-in-mib': (t) => list(t.MemoryInfo?.SizeInMiB),
    'network-info.bandwidth-weightings': (t) => t.NetworkInfo?.BandwidthWeightings,
    'network-info.efa-info.maximum-efa-interfaces': (t) => list(t.NetworkInfo?.EfaInfo?.MaximumEfaInterfaces),
    'network-info.efa-supported': (t) => bool(t.NetworkInfo?.EfaSupported),
    'network-info.ena-support': (t) => t.NetworkInfo?.EnaSupport,
    'network-info.flexible-ena-queues-support': (t) => t.NetworkInfo?.FlexibleEnaQueuesSupport,
    'network-info.encryption-in-transit-supported': (t) => bool(t.NetworkInfo?.EncryptionInTransitSupported),
    'network-info.ipv4-addresses-per-interface': (t) => list(t.NetworkInfo?.Ipv4AddressesPerInterface),
    'network-info.ipv6-addresses-per-interface': (t) => list(t.NetworkInfo?.Ipv6AddressesPerInterface),
    'network-info.ipv6-supported': (t) => bool(t.NetworkInfo?.Ipv6Supported),
    'network-info.maximum-network-cards': (t) => list(t.NetworkInfo?.MaximumNetworkCards),
    'network-info.maximum-network-interfaces': (t) => list(t.NetworkInfo?.MaximumNetworkInterfaces),
    'network-info.network-performance': (t) => t.NetworkInfo?.NetworkPerformance,
    'nitro-enclaves-support': (t) => t.NitroEnclavesSupport,
    'nitro-tpm-support': (t) => t.NitroTpmSupport,
    'nitro-tpm-info.supported-versions': (t) => t.NitroTpmInfo?.SupportedVersions,
    'processor-info.supported-architecture': (t) => t.ProcessorInfo?.SupportedArchitectures,
    'processor-info.sustained-clock-speed-in-ghz': (t) => list(t.ProcessorInfo?.SustainedClockSpeedInGhz),
    'processor-info.supported-features': (t) => t.ProcessorInfo?.SupportedFeatures,
    'reboot-migration-support': (t) => (t as { RebootMigrationSupport?: string }).RebootMigrationSupport,
    'supported-boot-mode': (t) => t.SupportedBootModes,
    'supported-root-device-type': (t) => t.SupportedRootDeviceTypes,
    'supported-usage-class': (t) => t.SupportedUsageClasses,
    'supported-virtualization-type': (t) => t.SupportedVirtualizationTypes,
    'vcpu-info.default-cores': (t) => list(t.VCpuInfo?.DefaultCores),
    'vcpu-info.default-threads-per-core': (t) => list(t.VCpuInfo?.DefaultThreadsPerCore),
    'vcpu-info.default-vcpus': (t) => list(t.VCpuInfo?.DefaultVCpus),
    'vcpu-info.valid-cores': (t) => t.VCpuInfo?.ValidCores?.map(String),
    'vcpu-info.valid-threads-per-core': (t) => t.VCpuInfo?.ValidThreadsPerCore?.map(String),
  };
}

export const describeInstanceTypes: Handler<DescribeInstanceTypesRequest, DescribeInstanceTypesResult> = (input, ctx) => {
  const offered = regionTypes(ctx.region).types;
  const asked = input.InstanceTypes ?? [];
  const missing = asked.filter((t) => !instanceTypeInfo(t) || offered[t] === undefined);
  if (missing.length) {
    throw new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${missing.join(', ')}]`);
  }
  const names = asked.length ? [...new Set(asked)].sort() : Object.keys(offered).sort();
  const filters = input.Filters ?? [];
  const { page, next } = pageByPosition('DescribeInstanceTypes', { asked, filters }, input, [5, 100], 100,
    () => applyFilters(names.map((n) => instanceTypeInfo(n)!), filters, typeFields()));
  return { InstanceTypes: page, ...(next ? { NextToken: next } : {}) };
};

export const describeInstanceTypeOfferings: Handler<DescribeInstanceTypeOfferingsRequest, DescribeInstanceTypeOfferingsResult> = (input, ctx) => {
  const lt = input.LocationType ?? 'region';
  if (!['region', 'availability-zone', 'availability-zone-id', 'outpost'].includes(lt)) {
    throw new AwsError('InvalidParameterValue', `Value (${lt}) for parameter locationType is invalid. Valid values are region, availability-zone, availability-zone-id, outpost.`);
  }
  const zs = zones(ctx.region, ctx.account);
  const all: InstanceTypeOffering[] = [];
  const offered = regionTypes(ctx.region).types;
  for (const t of Object.keys(offered).sort()) {
    if (lt === 'region') all.push({ InstanceType: t as never, LocationType: 'region', Location: ctx.region });
    else if (lt === 'outpost') continue;
    else {
      const ids = new Set(zoneIdsOffering(ctx.region, t));
      for (const z of zs) {
        if (ids.has(z.zoneId)) all.push({ InstanceType: t as never, LocationType: lt, Location: lt === 'availability-zone' ? z.zoneName : z.zoneId });
      }
    }
  }
  const filters = input.Filters ?? [];
  const { page, next } = pageByPosition('DescribeInstanceTypeOfferings', { lt, filters }, input, [5, 1000], 1000,
    () => applyFilters(all, filters, { 'instance-type': (o) => o.InstanceType, location: (o) => o.Location }));
  return { InstanceTypeOfferings: page, ...(next ? { NextToken: next } : {}) };
};

/** The Spot products and what each adds to the Linux price per vCPU-hour (licence). */
const PRODUCTS: Record<string, number> = {
  'Linux/UNIX': 0, 'Linux/UNIX (Amazon VPC)': 0, 'Red Hat Enterprise Linux': 0.0125, 'SUSE Linux': 0.0125,
  'Windows': 0.046, 'Windows (Amazon VPC)': 0.046,
};
const HOUR = 3_600_000;
const KEPT_MS = 90 * 24 * HOUR;

const timeOf = (v: Date | string | number | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v * (v < 1e11 ? 1000 : 1) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new AwsError('InvalidParameterValue', `Value (${String(v)}) for parameter ${name} is invalid.`);
  return ms;
};

export const describeSpotPriceHistory: Handler<DescribeSpotPriceHistoryRequest, DescribeSpotPriceHistoryResult> = (input, ctx) => {
  const now = ctx.clock.nowMs();
  const askedEnd = timeOf(input.EndTime, 'endTime');
  const end = Math.min(askedEnd ?? now, now);
  const start = timeOf(input.StartTime, 'startTime');
  if (start !== undefined && askedEnd !== undefined && start > askedEnd) {
    throw new AwsError('InvalidParameterValue', 'The startTime must be before the endTime.');
  }
  const products = input.ProductDescriptions?.length ? input.ProductDescriptions : Object.keys(PRODUCTS);
  for (const p of products) {
    if (PRODUCTS[p] === undefined) throw new AwsError('InvalidParameterValue', `Invalid product description: ${p}`);
  }
  const offered = regionTypes(ctx.region).types;
  const types = input.InstanceTypes?.length ? [...new Set(input.InstanceTypes as string[])].sort() : Object.keys(offered).sort();
  for (const t of types) {
    if (!instanceTypeInfo(t)) throw new AwsError('InvalidParameterValue', `Invalid value '${t}' for InstanceType.`);
  }
  const zs = zones(ctx.region, ctx.account).filter((z) => !input.AvailabilityZone || z.zoneName === input.AvailabilityZone);
  if (input.AvailabilityZone && !zs.length) {
    throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${input.AvailabilityZone}]`);
  }
  const combos: Array<{ type: string; zone: string; product: string }> = [];
  for (const t of types) {
    const ids = new Set(zoneIdsOffering(ctx.region, t));
    for (const z of zs) if (ids.has(z.zoneId)) for (const p of products) combos.push({ type: t, zone: z.zoneName, product: p });
  }
  // The price in effect at the window's start, then each hourly change up to its end; newest first.
  const last = spotHourStart(end);
  const first = Math.max(spotHourStart(Math.min(start ?? end, end)), spotHourStart(now - KEPT_MS));
  const filters = (input.Filters ?? []) as Filter[];
  const fields = {
    'availability-zone': (s: SpotPrice) => s.AvailabilityZone,
    'instance-type': (s: SpotPrice) => s.InstanceType,
    'product-description': (s: SpotPrice) => s.ProductDescription,
    'spot-price': (s: SpotPrice) => s.SpotPrice,
    'timestamp': (s: SpotPrice) => s.Timestamp!.toISOString(),
  };
  const query = { types, products, az: input.AvailabilityZone ?? '', first, last, filters };
  const { page, next } = pageByPosition('DescribeSpotPriceHistory', query, input, [5, 1000], 1000, (limit) => {
    const out: SpotPrice[] = [];
    for (let h = last; h >= first && out.length < limit; h -= HOUR) {
      const batch = combos.map(({ type, zone, product }) => {
        const price = spotPrice(type, zone, h) + PRODUCTS[product]! * vcpusOf(type) * 0.35;
        return { AvailabilityZone: zone, InstanceType: type as never, ProductDescription: product as never, SpotPrice: price.toFixed(6), Timestamp: new Date(h) };
      });
      out.push(...applyFilters(batch, filters, fields));
    }
    return out;
  });
  return { SpotPriceHistory: page, ...(next ? { NextToken: next } : {}) };
};
