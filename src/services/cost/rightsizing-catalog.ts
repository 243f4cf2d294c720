/**
 * The instance types right-sizing may recommend, as the analysis sees them (rightsizing.ts
 * TypeSpec): from the EC2 catalog (DescribeInstanceTypes answers) and the price table. Reads
 * immutable data only; the pools are derived once per (region, platform, architecture).
 */
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { allInstanceTypes, instanceTypeInfo, onDemandPrice, regionTypes } from '../ec2/compute/catalog.js';
import { creditSpecOf } from '../fleet/credits.js';
import { instanceRate } from './prices.js';
import { familyOf, type TypeSpec } from './rightsizing.js';

export type Platform = 'Linux/UNIX' | 'Windows';

function specOf(info: InstanceTypeInfo, rate: number): TypeSpec {
  const type = info.InstanceType!;
  const store = info.InstanceStorageInfo;
  const spec: TypeSpec = {
    type, family: familyOf(type), vcpus: info.VCpuInfo?.DefaultVCpus ?? 1, memoryMiB: info.MemoryInfo?.SizeInMiB ?? 0,
    arch: info.ProcessorInfo?.SupportedArchitectures?.find((a) => a !== 'i386') ?? 'x86_64', rate,
    storage: store ? `${store.Disks?.map((d) => `${d.Count ?? 1} x ${d.SizeInGB ?? 0} ${String(d.Type ?? 'ssd').toUpperCase()}`).join(', ') ?? `${store.TotalSizeInGB ?? 0} GB`}` : 'EBS only',
    instanceStore: !!info.InstanceStorageSupported, virtualization: info.SupportedVirtualizationTypes ?? ['hvm'],
  };
  if (info.Hypervisor) spec.hypervisor = info.Hypervisor;
  if (info.NetworkInfo?.NetworkPerformance) spec.networkPerformance = info.NetworkInfo.NetworkPerformance;
  if (info.NetworkInfo?.EnaSupport) spec.ena = info.NetworkInfo.EnaSupport;
  if (info.EbsInfo?.NvmeSupport) spec.nvme = info.EbsInfo.NvmeSupport;
  const credits = creditSpecOf(type);
  if (credits) spec.baseline = credits.baseline;
  return spec;
}

/** One type as the analysis sees it, priced for a platform in a region (undefined for a type the catalog lacks). */
export function typeSpec(type: string, platform: Platform, region: string): TypeSpec | undefined {
  const info = instanceTypeInfo(type);
  return info ? specOf(info, instanceRate(type, platform, region)) : undefined;
}

/**
 * Families a recommendation may move to: general purpose, compute and memory optimized, and
 * burstable (their sizes of a family are always candidates for each other). Accelerated,
 * storage-dense and bare-metal types are for workloads CPU utilization alone cannot size.
 */
const MOVABLE = /^(m|c|r|t)\d/;

function recommendable(info: InstanceTypeInfo): boolean {
  const type = info.InstanceType!;
  return MOVABLE.test(type) && !info.BareMetal && !info.GpuInfo && !info.FpgaInfo && !info.InferenceAcceleratorInfo
    && (info.SupportedUsageClasses ?? ['on-demand']).includes('on-demand');
}

const pools = new Map<string, readonly TypeSpec[]>();

/** The types offered in a region with the given architecture that right-sizing may recommend, priced. */
export function candidatePool(region: string, platform: Platform, arch: string): readonly TypeSpec[] {
  const key = `${region}\u0000${platform}\u0000${arch}`;
  let pool = pools.get(key);
  if (pool) return pool;
  const offered = regionTypes(region).types;
  const out: TypeSpec[] = [];
  for (const info of allInstanceTypes().values()) {
    const type = info.InstanceType!;
    if (offered[type] === undefined || !recommendable(info) || onDemandPrice(type, region) === undefined) continue;
    const spec = specOf(info, instanceRate(type, platform, region));
    if (spec.arch === arch) out.push(spec);
  }
  pools.set(key, (pool = out));
  return pool;
}
