/**
 * What each billable record accrues now: the lines of a resource, computed from its record alone
 * (plus its tags), so the meter can diff a resource's lines whenever a transaction writes it.
 * Names follow AWS's Cost and Usage Report: usage types, operations, units, Cost Explorer's
 * service names and the price list's product codes.
 */
import type { Scope, Tx } from '../../store/types.js';
import type { InstanceRecord, SnapshotRecord, VolumeRecord } from '../ec2/compute/records.js';
import type { AddressRecord } from '../ec2/vpc/records-eni.js';
import type { NatGatewayRecord } from '../ec2/vpc/nat-gateways.js';
import type { LoadBalancerRecord } from '../elbv2/records.js';
import type { BucketRecord, ObjectVersion } from '../s3/records.js';
import type { LayerRecord } from '../ecr/records.js';
import type { AlarmRecord } from '../cloudwatch/alarms-records.js';
import type { Line } from './types.js';
import { instanceRate, prices, regional, usageType } from './prices.js';

export const SERVICE = {
  compute: { service: 'Amazon Elastic Compute Cloud - Compute', productCode: 'AmazonEC2' },
  ec2Other: { service: 'EC2 - Other', productCode: 'AmazonEC2' },
  vpc: { service: 'Amazon Virtual Private Cloud', productCode: 'AmazonVPC' },
  elb: { service: 'Amazon Elastic Load Balancing', productCode: 'AWSELB' },
  s3: { service: 'Amazon Simple Storage Service', productCode: 'AmazonS3' },
  ecr: { service: 'Amazon EC2 Container Registry (ECR)', productCode: 'AmazonECR' },
  cloudwatch: { service: 'AmazonCloudWatch', productCode: 'AmazonCloudWatch' },
  sns: { service: 'Amazon Simple Notification Service', productCode: 'AmazonSNS' },
} as const;

const GIB = 2 ** 30;

type Base = Omit<Line, 'key' | 'usageType' | 'operation' | 'unit' | 'accrual' | 'quantity' | 'rate' | 'fromMs'>;
function line(base: Base, usage: string, fields: Pick<Line, 'operation' | 'unit' | 'accrual' | 'quantity' | 'rate' | 'fromMs'> & Partial<Line>): Line {
  const ut = usageType(base.region, usage);
  return { ...base, key: ut, usageType: ut, ...fields };
}

const tagMap = (tags: Array<{ Key: string; Value: string }> | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

export const ec2Tags = (tx: Tx, scope: Scope, id: string): Record<string, string> =>
  tagMap(tx.get<{ tags: Array<{ Key: string; Value: string }> }>(scope, 'ec2:tags', id)?.tags);

function instanceLines(tx: Tx, scope: Scope, i: InstanceRecord): Line[] {
  if (i.phase !== 'start') return [];
  const platform = i.platform === 'windows' ? 'Windows' : 'Linux/UNIX';
  const spot = i.lifecycle === 'spot';
  const dedicated = i.placement.tenancy === 'dedicated';
  const base: Base = {
    ...SERVICE.compute, resourceId: i.id, region: scope.region, tags: ec2Tags(tx, scope, i.id),
    instance: { type: i.instanceType, platform, tenancy: i.placement.tenancy, zoneName: i.zoneName, purchase: spot ? 'Spot' : 'OnDemand' },
  };
  const usage = `${spot ? 'SpotUsage' : dedicated ? 'DedicatedUsage' : 'BoxUsage'}:${i.instanceType}`;
  const out: Line[] = [line(base, usage, {
    operation: platform === 'Windows' ? 'RunInstances:0002' : spot ? 'RunInstances:SV001' : 'RunInstances',
    unit: 'Hrs', accrual: 'hours', quantity: 1, rate: instanceRate(i.instanceType, platform, scope.region), fromMs: i.doneMs,
    ...(platform === 'Windows' ? { wholeHours: true } : { minMs: 60_000 }),
  })];
  // An auto-assigned public address bills while the instance holds it (an Elastic IP bills as itself).
  if (i.publicIp) {
    const { instance: _omit, ...ipBase } = base;
    out.push(line({ ...ipBase, ...SERVICE.vpc }, 'PublicIPv4:InUseAddress', {
      operation: 'AssociateAddressVPC', unit: 'Hrs', accrual: 'hours', quantity: 1, rate: regional(prices().vpc.publicIpv4Hour, scope.region), fromMs: i.doneMs,
    }));
  }
  return out;
}

const VOLUME_USAGE: Record<string, [string, string]> = {
  gp3: ['EBS:VolumeUsage.gp3', 'CreateVolume-Gp3'], gp2: ['EBS:VolumeUsage.gp2', 'CreateVolume-Gp2'],
  io1: ['EBS:VolumeUsage.piops', 'CreateVolume-P-IOPS'], io2: ['EBS:VolumeUsage.io2', 'CreateVolume-io2'],
  st1: ['EBS:VolumeUsage.st1', 'CreateVolume-Throughput'], sc1: ['EBS:VolumeUsage.sc1', 'CreateVolume-SC1'],
  standard: ['EBS:VolumeUsage', 'CreateVolume'],
};
const IOPS_USAGE: Record<string, string> = { gp3: 'EBS:VolumeP-IOPS.gp3', io1: 'EBS:VolumeP-IOPS.piops', io2: 'EBS:VolumeP-IOPS.io2' };

function volumeLines(tx: Tx, scope: Scope, v: VolumeRecord): Line[] {
  if (v.deleteMs !== undefined) return [];
  const p = prices().ebs;
  const base: Base = { ...SERVICE.ec2Other, resourceId: v.id, region: scope.region, tags: ec2Tags(tx, scope, v.id) };
  const [usage, operation] = VOLUME_USAGE[v.type] ?? VOLUME_USAGE.standard!;
  const r = (n: number) => regional(n, scope.region);
  const out = [line(base, usage, { operation, unit: 'GB-Mo', accrual: 'month', quantity: v.size, rate: r(p.gbMonth[v.type] ?? 0.05), fromMs: v.createMs })];
  const iops = v.type === 'gp3' ? Math.max(0, (v.iops ?? p.gp3FreeIops) - p.gp3FreeIops) : (v.type === 'io1' || v.type === 'io2') ? v.iops ?? 0 : 0;
  if (iops > 0) out.push(line(base, IOPS_USAGE[v.type]!, { operation, unit: 'IOPS-Mo', accrual: 'month', quantity: iops, rate: r(p.iopsMonth[v.type]!), fromMs: v.createMs }));
  const tput = v.type === 'gp3' ? Math.max(0, (v.throughput ?? p.gp3FreeThroughput) - p.gp3FreeThroughput) : 0;
  if (tput > 0) out.push(line(base, 'EBS:VolumeP-Throughput.gp3', { operation, unit: 'MiBps-Mo', accrual: 'month', quantity: tput, rate: r(p.gp3ThroughputMonth), fromMs: v.createMs }));
  return out;
}

function snapshotLines(tx: Tx, scope: Scope, s: SnapshotRecord): Line[] {
  // The public catalog's root snapshots are Amazon's, not the account's.
  if (s.ownerAlias === 'amazon' || s.ownerId !== scope.account) return [];
  const archive = s.storageTier === 'archive';
  const base: Base = { ...SERVICE.ec2Other, resourceId: s.id, region: scope.region, tags: ec2Tags(tx, scope, s.id) };
  // Snapshots are incremental on AWS; cloudlet holds no block data, so a snapshot bills its volume's full size.
  return [line(base, archive ? 'EBS:SnapshotArchiveStorage' : 'EBS:SnapshotUsage', {
    operation: archive ? 'ArchiveSnapshot' : 'CreateSnapshot', unit: 'GB-Mo', accrual: 'month', quantity: s.volumeSize,
    rate: regional(prices().ebs.snapshotGbMonth[archive ? 'archive' : 'standard'], scope.region), fromMs: s.startMs,
  })];
}

function addressLines(tx: Tx, scope: Scope, a: AddressRecord): Line[] {
  const base: Base = { ...SERVICE.vpc, resourceId: a.allocationId, region: scope.region, tags: ec2Tags(tx, scope, a.allocationId) };
  return [line(base, a.association ? 'PublicIPv4:InUseAddress' : 'PublicIPv4:IdleAddress', {
    operation: a.association ? 'AssociateAddressVPC' : 'AllocateAddressVPC', unit: 'Hrs', accrual: 'hours', quantity: 1,
    rate: regional(prices().vpc.publicIpv4Hour, scope.region), fromMs: Date.parse(a.allocatedAt) || 0,
  })];
}

function natLines(tx: Tx, scope: Scope, g: NatGatewayRecord): Line[] {
  if (g.state !== 'pending' || g.deleteMs !== undefined) return [];
  const base: Base = { ...SERVICE.ec2Other, resourceId: g.id, region: scope.region, tags: ec2Tags(tx, scope, g.id) };
  return [line(base, 'NatGateway-Hours', {
    operation: 'NatGateway', unit: 'Hrs', accrual: 'hours', quantity: 1, rate: regional(prices().vpc.natGatewayHour, scope.region), fromMs: g.createdMs,
  })];
}

function lbLines(tx: Tx, scope: Scope, lb: LoadBalancerRecord): Line[] {
  const kind = lb.type === 'network' ? 'network' : lb.type === 'gateway' ? 'gateway' : 'application';
  const tags = tagMap(tx.get<{ tags: Array<{ Key: string; Value: string }> }>(scope, 'elbv2:tags', lb.arn)?.tags);
  const base: Base = { ...SERVICE.elb, resourceId: lb.arn, region: scope.region, tags };
  const op = { application: 'LoadBalancing:Application', network: 'LoadBalancing:Network', gateway: 'LoadBalancing:Gateway' }[kind];
  // Every kind bills 'LoadBalancerUsage'; the operation tells them apart.
  return [line(base, 'LoadBalancerUsage', { key: `LoadBalancerUsage/${kind}`, operation: op, unit: 'Hrs', accrual: 'hours', quantity: 1, rate: regional(prices().elb[kind].hour, scope.region), fromMs: lb.createdMs })];
}

const S3_STORAGE: Record<string, string> = {
  STANDARD: 'TimedStorage-ByteHrs', STANDARD_IA: 'TimedStorage-SIA-ByteHrs', ONEZONE_IA: 'TimedStorage-ZIA-ByteHrs',
  GLACIER_IR: 'TimedStorage-GIR-ByteHrs', GLACIER: 'TimedStorage-GlacierByteHrs', DEEP_ARCHIVE: 'TimedStorage-GDA-ByteHrs',
  INTELLIGENT_TIERING: 'TimedStorage-INT-FA-ByteHrs', REDUCED_REDUNDANCY: 'TimedStorage-RRS-ByteHrs', EXPRESS_ONEZONE: 'TimedStorage-XZ-ByteHrs',
};

const S3_SMALL: Record<string, string> = { STANDARD_IA: 'TimedStorage-SIA-SmObjects', ONEZONE_IA: 'TimedStorage-ZIA-SmObjects', GLACIER_IR: 'TimedStorage-GIR-SmObjects' };

/** Bucket region and tags, for the lines of its objects. */
export function bucketOf(tx: Tx, account: string, bucket: string): { region: string; tags: Record<string, string> } | undefined {
  const b = tx.get<BucketRecord>({ account, region: '' }, 's3:bucket', bucket);
  if (!b) return undefined;
  const tagging = tx.get<{ TagSet?: Array<{ Key: string; Value: string }> }>({ account, region: '' }, 's3:config', `${bucket}\u0000tagging`);
  return { region: b.region, tags: tagMap(tagging?.TagSet) };
}

function objectLines(tx: Tx, scope: Scope, id: string, v: ObjectVersion & { transitionedMs?: number; lastModifiedMs?: number }): Line[] {
  if (v.deleteMarker || !v.size) return [];
  const bucketName = id.slice(0, id.indexOf('/'));
  const bucket = bucketOf(tx, scope.account, bucketName);
  if (!bucket) return [];
  const cls = v.storageClass || 'STANDARD';
  const p = prices().s3;
  const base: Base = { ...SERVICE.s3, resourceId: bucketName, region: bucket.region, tags: bucket.tags };
  if (cls === 'INTELLIGENT_TIERING') return tieringLines(base, v, bucket.region);
  const rate = (c: string) => regional(p.gbMonth[c] ?? p.gbMonth.STANDARD!, bucket.region);
  const month = { operation: 'StandardStorage', unit: 'GB-Mo', accrual: 'month' as const, fromMs: 0 };
  // Archived objects also pay for their index at the archive rate and their metadata at STANDARD's.
  const archived = cls === 'GLACIER' || cls === 'DEEP_ARCHIVE';
  const out = [line(base, S3_STORAGE[cls] ?? S3_STORAGE.STANDARD!, {
    ...month, quantity: (v.size + (archived ? p.archiveOverheadKib.archive * 1024 : 0)) / GIB, rate: rate(cls),
  })];
  if (archived) out.push(line(base, S3_STORAGE.STANDARD!, { ...month, key: `${usageType(bucket.region, S3_STORAGE.STANDARD!)}/archive-metadata`, quantity: (p.archiveOverheadKib.standard * 1024) / GIB, rate: rate('STANDARD') }));
  // A restored copy of an archived object bills as STANDARD storage from the restore's end until it expires.
  const r = archived ? v.restore : undefined;
  if (r?.doneMs !== undefined && r.expiryMs !== undefined) {
    out.push(line(base, S3_STORAGE.STANDARD!, {
      ...month, key: `${usageType(bucket.region, S3_STORAGE.STANDARD!)}/restored-copy`, quantity: v.size / GIB, rate: rate('STANDARD'), fromMs: r.doneMs, untilMs: r.expiryMs,
    }));
  }
  // Below the class's smallest billable size, the rest up to it bills as small-object storage.
  const min = (p.minimumObjectKib[cls] ?? 0) * 1024;
  if (v.size < min && S3_SMALL[cls]) out.push(line(base, S3_SMALL[cls], { ...month, quantity: (min - v.size) / GIB, rate: rate(cls) }));
  return out;
}

/**
 * INTELLIGENT_TIERING: the Frequent tier until 30 days without access, Infrequent until 90,
 * then Archive Instant — three lines bounded by the clock, so the tier changes with no write —
 * plus monitoring per object; a read that brings the object back (s3/storage-bill.ts) starts
 * them again. Objects under 128 KiB stay Frequent, unmonitored.
 */
function tieringLines(base: Base, v: ObjectVersion & { lastAccessMs?: number }, region: string): Line[] {
  const it = prices().s3.intelligentTiering;
  const month = { operation: 'StandardStorage', unit: 'GB-Mo', accrual: 'month' as const, quantity: v.size / GIB };
  const fa = { ...month, rate: regional(it.frequentGbMonth, region) };
  if (v.size < it.minMonitoredKib * 1024) return [line(base, 'TimedStorage-INT-FA-ByteHrs', { ...fa, fromMs: 0 })];
  const since = v.lastAccessMs ?? v.lastModifiedMs;
  const toIa = since + it.infrequentAfterDays * 86_400_000;
  const toAia = since + it.archiveInstantAfterDays * 86_400_000;
  return [
    line(base, 'TimedStorage-INT-FA-ByteHrs', { ...fa, fromMs: 0, untilMs: toIa }),
    line(base, 'TimedStorage-INT-IA-ByteHrs', { ...month, rate: regional(it.infrequentGbMonth, region), fromMs: toIa, untilMs: toAia }),
    line(base, 'TimedStorage-INT-AIA-ByteHrs', { ...month, rate: regional(it.archiveInstantGbMonth, region), fromMs: toAia }),
    line(base, 'Monitoring-Automation-INT', { operation: 'IntelligentTieringMonitoring', unit: 'Objects', accrual: 'month', quantity: 1, rate: regional(it.monitoringPer1000 / 1000, region), fromMs: 0 }),
  ];
}

function layerLines(_tx: Tx, scope: Scope, id: string, l: LayerRecord): Line[] {
  const repo = id.slice(0, Math.max(0, id.indexOf('\u0000')));
  const base: Base = { ...SERVICE.ecr, resourceId: `arn:aws:ecr:${scope.region}:${scope.account}:repository/${repo}`, region: scope.region, tags: {} };
  return [line(base, 'TimedStorage-ByteHrs', {
    operation: 'StorageUsage', unit: 'GB-Mo', accrual: 'month', quantity: l.size / GIB, rate: regional(prices().ecr.gbMonth, scope.region), fromMs: l.atMs,
  })];
}

function alarmLines(_tx: Tx, scope: Scope, a: AlarmRecord): Line[] {
  const cw = prices().cloudwatch;
  const base: Base = { ...SERVICE.cloudwatch, resourceId: a.arn, region: scope.region, tags: tagMap(a.tags) };
  if (a.type === 'CompositeAlarm') {
    return [line(base, 'CW:AlarmMonitorUsage', { key: 'composite', operation: 'CompositeAlarm', unit: 'Alarms', accrual: 'month', quantity: 1, rate: regional(cw.compositeAlarmMonth, scope.region), fromMs: a.configUpdatedMs })];
  }
  const highRes = a.periodS < 60;
  // A metric-math alarm bills per metric it reads.
  const metrics = a.metrics ? Math.max(1, a.metrics.filter((q) => q.MetricStat).length) : 1;
  return [line(base, highRes ? 'CW:HighResAlarmMonitorUsage' : 'CW:AlarmMonitorUsage', {
    operation: 'MetricAlarm', unit: 'Alarms', accrual: 'month', quantity: metrics,
    rate: regional(highRes ? cw.highResolutionAlarmMonth : cw.alarmMonth, scope.region), fromMs: 0,
  })];
}

type LineFn = (tx: Tx, scope: Scope, id: string, value: any) => Line[];

/** Billable kinds and their line functions. */
export const LINE_SOURCES: Readonly<Record<string, LineFn>> = {
  'ec2:instance': (tx, s, _id, v) => instanceLines(tx, s, v),
  'ec2:volume': (tx, s, _id, v) => volumeLines(tx, s, v),
  'ec2:snapshot': (tx, s, _id, v) => snapshotLines(tx, s, v),
  'ec2:elastic-ip': (tx, s, _id, v) => addressLines(tx, s, v),
  'ec2:natgateway': (tx, s, _id, v) => natLines(tx, s, v),
  'elbv2:load-balancer': (tx, s, _id, v) => lbLines(tx, s, v),
  's3:object': objectLines,
  's3:version': objectLines,
  'ecr:layer': layerLines,
  'cloudwatch:alarm': (tx, s, _id, v) => alarmLines(tx, s, v),
};

/**
 * When a record says its billing stopped, if that can be earlier than the transaction that
 * meters it (a stop or an interruption the EC2 settle applies on a later request).
 */
export function endedAt(kind: string, value: any): number | undefined {
  switch (kind) {
    case 'ec2:instance': return value.phase === 'start' ? undefined : value.sinceMs;
    case 'ec2:volume': case 'ec2:natgateway': return value.deleteMs;
    default: return undefined;
  }
}

/** Where a tag row's change must re-meter: the resource kinds its id can name. */
export function taggedResource(kind: string, id: string, value: unknown): Array<{ kind: string; id: string }> | undefined {
  if (kind === 'ec2:tags') {
    const type = (value as { type?: string } | undefined)?.type;
    if (type) return [{ kind: `ec2:${type}`, id }];
    const byPrefix: Record<string, string> = { i: 'ec2:instance', vol: 'ec2:volume', snap: 'ec2:snapshot', eipalloc: 'ec2:elastic-ip', nat: 'ec2:natgateway' };
    const k = byPrefix[id.slice(0, id.indexOf('-'))];
    return k ? [{ kind: k, id }] : [];
  }
  if (kind === 'elbv2:tags') return id.includes(':loadbalancer/') ? [{ kind: 'elbv2:load-balancer', id }] : [];
  return undefined;
}
