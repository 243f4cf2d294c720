/**
 * How data/ec2/prices.json estimates a Linux On-Demand hourly price for every instance type.
 *
 * AWS's price list is neither in botocore nor in moto, and the Price List API is not reachable
 * offline, so cloudlet estimates from what an instance type is: the published us-east-1 prices
 * of the general-purpose, compute and memory families fit a per-vCPU plus per-GiB rate within
 * about 15 %, burstable (T) families are priced by memory, Graviton is about 20 % cheaper,
 * local NVMe, enhanced networking and GPUs add on. Figures are approximate and say so
 * (prices.json `approximate: true`); the cost issue may replace them with the real list.
 */

interface TypeInfo {
  InstanceType: string;
  VCpuInfo?: { DefaultVCpus?: number };
  MemoryInfo?: { SizeInMiB?: number };
  ProcessorInfo?: { SupportedArchitectures?: string[] };
  BurstablePerformanceSupported?: boolean;
  InstanceStorageSupported?: boolean;
  GpuInfo?: { Gpus?: Array<{ Count?: number; MemoryInfo?: { SizeInMiB?: number } }> };
}

/** USD per vCPU-hour and per GiB-hour (m5.large 2 vCPU / 8 GiB: 0.096). */
const PER_VCPU = 0.0208;
const PER_GIB = 0.0068;
/** Burstable families per GiB of memory (t3.micro 1 GiB: 0.0104). */
const BURST_PER_GIB: Record<string, number> = { t1: 0.02, t2: 0.0116, t3: 0.0104, t3a: 0.0094, t4g: 0.0084 };

const round4 = (x: number): number => Math.max(0.0001, Math.round(x * 10000) / 10000);

export function estimatePrice(t: TypeInfo): number {
  const vcpus = t.VCpuInfo?.DefaultVCpus ?? 1;
  const gib = (t.MemoryInfo?.SizeInMiB ?? 1024) / 1024;
  const family = t.InstanceType.split('.')[0]!;
  const arm = (t.ProcessorInfo?.SupportedArchitectures ?? []).includes('arm64');
  if (t.BurstablePerformanceSupported) return round4(gib * (BURST_PER_GIB[family] ?? 0.0104));
  let p = vcpus * PER_VCPU + gib * PER_GIB;
  if (arm) p *= 0.8;
  if (t.InstanceStorageSupported) p *= 1.12;
  if (/^[a-z]+\d+[a-z]*n[a-z]*$/.test(family)) p *= 1.2;
  for (const g of t.GpuInfo?.Gpus ?? []) p += (g.Count ?? 1) * (0.25 + ((g.MemoryInfo?.SizeInMiB ?? 16384) / 1024) * 0.02);
  return round4(p);
}

/** Region prices relative to us-east-1, from the published m5.large price in each region (rounded). */
export const REGION_MULTIPLIER: Record<string, number> = {
  'us-east-1': 1, 'us-east-2': 1, 'us-west-1': 1.17, 'us-west-2': 1,
  'ca-central-1': 1.11, 'ca-west-1': 1.11, 'mx-central-1': 1.12,
  'sa-east-1': 1.59,
  'eu-west-1': 1.11, 'eu-west-2': 1.16, 'eu-west-3': 1.17, 'eu-central-1': 1.2, 'eu-central-2': 1.32,
  'eu-north-1': 1.06, 'eu-south-1': 1.17, 'eu-south-2': 1.11,
  'il-central-1': 1.17, 'me-south-1': 1.23, 'me-central-1': 1.23, 'af-south-1': 1.32,
  'ap-south-1': 1.05, 'ap-south-2': 1.05, 'ap-east-1': 1.42, 'ap-east-2': 1.3,
  'ap-northeast-1': 1.29, 'ap-northeast-2': 1.22, 'ap-northeast-3': 1.29,
  'ap-southeast-1': 1.25, 'ap-southeast-2': 1.25, 'ap-southeast-3': 1.25, 'ap-southeast-4': 1.25,
  'ap-southeast-5': 1.15, 'ap-southeast-6': 1.25, 'ap-southeast-7': 1.15,
};
