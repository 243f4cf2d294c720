/**
 * Writes data/cost/prices.json: the rates the meter charges, per service, in us-east-1, with the
 * multiplier per Region that data/ec2/prices.json states. Instance rates come from
 * data/ec2/prices.json (refresh-ec2-data.ts); every other rate is AWS's published us-east-1 list
 * price, written below with the page it comes from, as of AS_OF. AWS's price list API is not
 * offline, so a price change is an edit here and a rerun:
 *
 *   node --import tsx scripts/refresh-prices.ts          # rewrite data/cost/prices.json
 *   node --import tsx scripts/refresh-prices.ts --check  # exit 1 when the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'data', 'cost', 'prices.json');
const AS_OF = '2026-12-01';

const ec2 = JSON.parse(readFileSync(join(ROOT, 'data', 'ec2', 'prices.json'), 'utf8')) as { regionMultiplier: Record<string, number> };

const table = {
  version: 1,
  asOf: AS_OF,
  currency: 'USD',
  sources: {
    instances: 'data/ec2/prices.json (approximate On-Demand Linux rates; see data/ec2/SOURCE.md)',
    windows: 'https://aws.amazon.com/ec2/pricing/on-demand/ (Windows adds a licence per vCPU-hour)',
    ebs: 'https://aws.amazon.com/ebs/pricing/',
    vpc: 'https://aws.amazon.com/vpc/pricing/ (public IPv4 since 2024-02-01; NAT gateway)',
    elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    s3: 'https://aws.amazon.com/s3/pricing/ (first 50 TB tier)',
    ecr: 'https://aws.amazon.com/ecr/pricing/',
    cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
    sns: 'https://aws.amazon.com/sns/pricing/',
    dataTransfer: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer (first 10 TB tier)',
    regions: 'other Regions: the us-east-1 rate times data/ec2/prices.json regionMultiplier (an approximation)',
  },
  /** USD per vCPU-hour Windows adds to the Linux rate (burstable T types: a tenth of it). */
  windowsPerVcpuHour: 0.046,
  windowsBurstablePerVcpuHour: 0.0046,
  ebs: {
    /** USD per GB-month by volume type. */
    gbMonth: { gp3: 0.08, gp2: 0.1, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
    /** Provisioned IOPS, USD per IOPS-month (gp3 above its 3,000 free; io1/io2 all of it; io2 first tier). */
    iopsMonth: { gp3: 0.005, io1: 0.065, io2: 0.065 },
    gp3FreeIops: 3000,
    /** gp3 throughput above 125 MiB/s, USD per MiB/s-month. */
    gp3ThroughputMonth: 0.04,
    gp3FreeThroughput: 125,
    snapshotGbMonth: { standard: 0.05, archive: 0.0125 },
  },
  vpc: { publicIpv4Hour: 0.005, natGatewayHour: 0.045, natGatewayGb: 0.045 },
  elb: {
    application: { hour: 0.0225, lcuHour: 0.008 },
    network: { hour: 0.0225, lcuHour: 0.006 },
    gateway: { hour: 0.0125, lcuHour: 0.004 },
  },
  s3: {
    /** USD per GB-month by storage class. */
    gbMonth: {
      STANDARD: 0.023, INTELLIGENT_TIERING: 0.023, STANDARD_IA: 0.0125, ONEZONE_IA: 0.01, GLACIER_IR: 0.004,
      GLACIER: 0.0036, DEEP_ARCHIVE: 0.00099, REDUCED_REDUNDANCY: 0.024, EXPRESS_ONEZONE: 0.11, OUTPOSTS: 0.023, SNOW: 0.023,
    },
    /** USD per 1,000 requests: PUT, COPY, POST, LIST (tier 1) and GET, SELECT, HEAD (tier 2). */
    tier1Per1000: 0.005,
    tier2Per1000: 0.0004,
    /** USD per GB read back from the infrequent-access classes (GET, and the source of a copy). */
    retrievalGb: { STANDARD_IA: 0.01, ONEZONE_IA: 0.01, GLACIER_IR: 0.03 },
    /** Restores from the archive classes: USD per GB and per 1,000 requests, by tier. */
    restore: {
      GLACIER: { Expedited: { gb: 0.03, per1000: 10 }, Standard: { gb: 0.01, per1000: 0.05 }, Bulk: { gb: 0, per1000: 0 } },
      DEEP_ARCHIVE: { Standard: { gb: 0.02, per1000: 0.1 }, Bulk: { gb: 0.0025, per1000: 0.025 } },
    },
    /** Minimum storage duration in days: removed, overwritten or transitioned sooner, the rest is billed. */
    minimumDays: { STANDARD_IA: 30, ONEZONE_IA: 30, GLACIER_IR: 90, GLACIER: 90, DEEP_ARCHIVE: 180 },
    /** Smallest billable object (KiB) in these classes. */
    minimumObjectKib: { STANDARD_IA: 128, ONEZONE_IA: 128, GLACIER_IR: 128 },
    /** Per archived object: KiB of index at the archive class's rate and KiB of metadata at STANDARD's. */
    archiveOverheadKib: { archive: 32, standard: 8 },
    /**
     * INTELLIGENT_TIERING: USD per GB-month by access tier (an object moves to Infrequent after 30
     * days without access and to Archive Instant after 90), monitoring per 1,000 objects a month;
     * objects under 128 KiB are not monitored and stay in the Frequent tier.
     */
    intelligentTiering: {
      frequentGbMonth: 0.023, infrequentGbMonth: 0.0125, archiveInstantGbMonth: 0.004, monitoringPer1000: 0.0025,
      minMonitoredKib: 128, infrequentAfterDays: 30, archiveInstantAfterDays: 90,
    },
  },
  ecr: { gbMonth: 0.1 },
  cloudwatch: { metricMonth: 0.3, alarmMonth: 0.1, highResolutionAlarmMonth: 0.3, compositeAlarmMonth: 0.5, freeMetrics: 10, freeAlarms: 10 },
  /**
   * SNS: publishes (each 64 KB of a message is one request) and deliveries, per million (email
   * per 100,000), with the Always Free amounts a month. SMS is priced per country: not here.
   */
  sns: {
    per1MillionPublishes: 0.5, freePublishes: 1_000_000, httpPer1Million: 0.6, freeHttp: 100_000, emailPer100k: 2, freeEmail: 1_000,
  },
  dataTransfer: { outGb: 0.09, freeOutGb: 100 },
  regionMultiplier: ec2.regionMultiplier,
  /**
   * The Region code AWS puts before a usage type outside us-east-1 (USW2-BoxUsage:t3.micro);
   * from the usage types in AWS's price list.
   */
  usagePrefix: {
    'us-east-1': '', 'us-east-2': 'USE2', 'us-west-1': 'USW1', 'us-west-2': 'USW2', 'ca-central-1': 'CAN1', 'ca-west-1': 'CAW1',
    'eu-west-1': 'EU', 'eu-west-2': 'EUW2', 'eu-west-3': 'EUW3', 'eu-central-1': 'EUC1', 'eu-central-2': 'EUC2',
    'eu-north-1': 'EUN1', 'eu-south-1': 'EUS1', 'eu-south-2': 'EUS2', 'ap-northeast-1': 'APN1', 'ap-northeast-2': 'APN2',
    'ap-northeast-3': 'APN3', 'ap-southeast-1': 'APS1', 'ap-southeast-2': 'APS2', 'ap-south-1': 'APS3', 'ap-southeast-3': 'APS4',
    'ap-south-2': 'APS5', 'ap-southeast-4': 'APS6', 'ap-southeast-5': 'APS7', 'ap-southeast-6': 'APS8', 'ap-southeast-7': 'APS9',
    'ap-east-1': 'APE1', 'ap-east-2': 'APE2', 'sa-east-1': 'SAE1', 'me-south-1': 'MES1', 'me-central-1': 'MEC1',
    'af-south-1': 'AFS1', 'il-central-1': 'ILC1', 'mx-central-1': 'MXC1',
  },
};

const text = `${JSON.stringify(table, null, 1)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(OUT, 'utf8'); } catch { /* missing: stale */ }
  if (current !== text) {
    console.error('data/cost/prices.json is stale: run node --import tsx scripts/refresh-prices.ts');
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (as of ${AS_OF})`);
}
