/**
 * The price table (data/cost/prices.json, written by scripts/refresh-prices.ts) and the few
 * rules that turn it into a rate: Regions other than us-east-1 scale by their multiplier, usage
 * types carry the Region's prefix, Windows adds its licence per vCPU. The table is immutable data,
 * read once per process like the EC2 catalog.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onDemandPrice, vcpusOf } from '../ec2/compute/catalog.js';

export interface PriceTable {
  version: number;
  asOf: string;
  currency: 'USD';
  sources: Record<string, string>;
  windowsPerVcpuHour: number;
  windowsBurstablePerVcpuHour: number;
  ebs: {
    gbMonth: Record<string, number>;
    iopsMonth: Record<string, number>;
    gp3FreeIops: number;
    gp3ThroughputMonth: number;
    gp3FreeThroughput: number;
    snapshotGbMonth: { standard: number; archive: number };
  };
  vpc: { publicIpv4Hour: number; natGatewayHour: number; natGatewayGb: number };
  elb: Record<'application' | 'network' | 'gateway', { hour: number; lcuHour: number }>;
  s3: {
    gbMonth: Record<string, number>; tier1Per1000: number; tier2Per1000: number;
    retrievalGb: Record<string, number>;
    restore: Record<string, Record<string, { gb: number; per1000: number }>>;
    minimumDays: Record<string, number>;
    minimumObjectKib: Record<string, number>;
    archiveOverheadKib: { archive: number; standard: number };
    intelligentTiering: {
      frequentGbMonth: number; infrequentGbMonth: number; archiveInstantGbMonth: number; monitoringPer1000: number;
      minMonitoredKib: number; infrequentAfterDays: number; archiveInstantAfterDays: number;
    };
  };
  ecr: { gbMonth: number };
  cloudwatch: { metricMonth: number; alarmMonth: number; highResolutionAlarmMonth: number; compositeAlarmMonth: number; freeMetrics: number; freeAlarms: number };
  sns: { per1MillionPublishes: number; freePublishes: number; httpPer1Million: number; freeHttp: number; emailPer100k: number; freeEmail: number };
  dataTransfer: { outGb: number; freeOutGb: number };
  regionMultiplier: Record<string, number>;
  usagePrefix: Record<string, string>;
}

let loaded: PriceTable | undefined;

export function prices(): PriceTable {
  if (loaded) return loaded;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const p = join(dir, 'data', 'cost', 'prices.json');
    if (existsSync(p)) return (loaded = JSON.parse(readFileSync(p, 'utf8')) as PriceTable);
    dir = dirname(dir);
  }
  throw new Error('data/cost/prices.json not found (run node --import tsx scripts/refresh-prices.ts)');
}

/** Rates are stated to this many decimals, as AWS's price list states them. */
const round = (n: number, places = 8): number => Math.round(n * 10 ** places) / 10 ** places;

/** A us-east-1 rate in another Region. */
export const regional = (rate: number, region: string): number =>
  region === 'us-east-1' ? rate : round(rate * (prices().regionMultiplier[region] ?? 1.2));

/** "BoxUsage:t3.micro" in us-east-1, "USW2-BoxUsage:t3.micro" in us-west-2. */
export function usageType(region: string, base: string): string {
  const prefix = prices().usagePrefix[region];
  return prefix === '' ? base : `${prefix ?? region.toUpperCase()}-${base}`;
}

/** The On-Demand hourly rate of an instance type (Linux, or Windows with its licence). */
export function instanceRate(type: string, platform: 'Linux/UNIX' | 'Windows', region: string): number {
  const linux = onDemandPrice(type, region) ?? regional(0.1, region);
  if (platform === 'Linux/UNIX') return linux;
  const p = prices();
  const perVcpu = /^t\d/.test(type) ? p.windowsBurstablePerVcpuHour : p.windowsPerVcpuHour;
  return round(linux + regional(perVcpu, region) * vcpusOf(type), 4);
}
