/**
 * RunInstances: everything is checked before anything is created (an unknown AMI, type, key,
 * profile or group, a subnet and groups of different VPCs, user data over 16 KB, an AMI of
 * the wrong architecture, a Spot price below the market), so a refused call leaves nothing
 * behind; then each instance gets its primary interface (an address from the subnet), its
 * volumes (the root from the AMI's snapshot), a public address when the subnet or the request
 * asks, and a record whose state follows the clock (pending until the boot delay passes).
 */
import type { Instance, RunInstancesRequest, Reservation } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { RequestContext } from '../../types.js';
import { mustGet } from '../describe.js';
import { newId, newIdWithPrefix } from '../ids.js';
import { setTags, tagSpecTags, type Tag } from '../tags.js';
import { claimPublicIp } from '../vpc/addresses.js';
import { defaultVpc, ensureDefaultVpc } from '../vpc/default-vpc.js';
import { checkGroups, createInterfaceRecord, K as ENI_K, takeIpv4 } from '../vpc/eni-core.js';
import type { NetworkInterfaceRecord } from '../vpc/records-eni.js';
import type { SecurityGroupRecord, SubnetRecord } from '../vpc/records.js';
import { availableIps } from '../vpc/subnets.js';
import { zones } from '../../../core/regions.js';
import { checkVcpuQuota, instanceTypeInfo, onDemandPrice, spotPrice, typeOfferedIn } from './catalog.js';
import { createLaunchVolume } from './ebs-core.js';
import { imageForLaunch } from './images-core.js';
import { INSTANCE_KIND, instanceShape, shapeLookups, transitionMs } from './instances-core.js';
import { resolveProfile } from './instance-profiles.js';
import { keyPairByName } from './keys.js';
import { mergeLaunchTemplate } from './launch-template-merge.js';
import { attachSecondaryInterfaces, planSecondaryInterfaces, secondaryInSubnet } from './instances-enis.js';
import { placementFor } from './placement-groups.js';
import { recordSpotRequest, scheduleSpotCheck } from './spot.js';
import type { ImageRecord, InstanceBlockDevice, InstanceRecord, VolumeType } from './records.js';
import { poke } from '../../fleet/engine.js';
import { completeActivity } from '../../cost/account-plan.js';

export const USER_DATA_MAX = 16_384;
/** AWS's default when a request names no type. */
const DEFAULT_TYPE = 'm1.small';

const param = (name: string, value: unknown, why = ''): AwsError =>
  new AwsError('InvalidParameterValue', `Value (${String(value)}) for parameter ${name} is invalid.${why ? ` ${why}` : ''}`);

function counts(input: RunInstancesRequest): { min: number; max: number } {
  const { MinCount: min, MaxCount: max } = input;
  if (min === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MinCount');
  if (max === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MaxCount');
  if (!Number.isInteger(min) || min < 1) throw new AwsError('InvalidParameterValue', `Value (${min}) for parameter minCount is invalid. Expected a positive integer.`);
  if (!Number.isInteger(max) || max < 1) throw new AwsError('InvalidParameterValue', `Value (${max}) for parameter maxCount is invalid. Expected a positive integer.`);
  if (min > max) throw new AwsError('InvalidParameterValue', `MinCount (${min}) must be less than or equal to MaxCount (${max})`);
  if (max > 1000) throw new AwsError('InstanceLimitExceeded', `You have requested more instances (${max}) than your current instance limit of 1000 allows for the specified instance type.`);
  return { min, max };
}

/** The subnet: named, from the first interface, or the default VPC's in the requested (or first) zone. */
function subnetFor(ctx: RequestContext, input: RunInstancesRequest): SubnetRecord {
  const eni0 = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const id = input.SubnetId ?? eni0?.SubnetId;
  if (eni0?.NetworkInterfaceId) {
    const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', eni0.NetworkInterfaceId);
    return mustGet<SubnetRecord>(ctx, 'subnet', e.subnetId);
  }
  if (id) return mustGet<SubnetRecord>(ctx, 'subnet', id);
  ensureDefaultVpc(ctx);
  const vpc = defaultVpc(ctx);
  if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  const subnets = ctx.tx.findBy<SubnetRecord>(ctx.scope, ENI_K.subnet, 'vpc', { key: vpc.id }).map((h) => h.value).filter((s) => s.defaultForAz);
  const wanted = input.Placement?.AvailabilityZone ?? input.Placement?.AvailabilityZoneId;
  const order = zones(ctx.region, ctx.account).map((z) => z.zoneName);
  subnets.sort((a, b) => order.indexOf(a.zoneName) - order.indexOf(b.zoneName));
  const s = wanted ? subnets.find((x) => x.zoneName === wanted || x.zoneId === wanted) : subnets[0];
  if (!s) {
    if (wanted && !order.includes(wanted) && !zones(ctx.region, ctx.account).some((z) => z.zoneId === wanted)) {
      throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${wanted}]`);
    }
    throw new AwsError('MissingInput', `No default subnet for availability zone: '${wanted ?? order[0]}'.`);
  }
  return s;
}

function groupsFor(ctx: RequestContext, input: RunInstancesRequest, s: SubnetRecord, explicitSubnet: boolean): string[] {
  const eni0 = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  const ids = [...(input.SecurityGroupIds ?? []), ...(eni0?.Groups ?? [])];
  const names = input.SecurityGroups ?? [];
  if (names.length) {
    const vpc = defaultVpc(ctx);
    if (explicitSubnet && s.vpcId !== vpc?.id) {
      throw new AwsError('InvalidParameterCombination', 'The parameter groupName cannot be used with the parameter subnet');
    }
    for (const n of names) {
      const g = ctx.tx.findBy<SecurityGroupRecord>(ctx.scope, ENI_K.sg, 'name', { key: n }).map((h) => h.value).find((x) => x.vpcId === s.vpcId);
      if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in VPC '${s.vpcId}'`);
      ids.push(g.id);
    }
  }
  if (!ids.length) {
    const d = ctx.tx.findBy<SecurityGroupRecord>(ctx.scope, ENI_K.sg, 'name', { key: 'default' }).map((h) => h.value).find((x) => x.vpcId === s.vpcId);
    if (d) ids.push(d.id);
  }
  return checkGroups(ctx, s.vpcId, ids, s.id);
}

function userDataOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > USER_DATA_MAX) throw new AwsError('InvalidParameterValue', `User data is limited to ${USER_DATA_MAX} bytes`);
  return raw;
}

interface VolumePlan {
  device: string; size?: number; type?: VolumeType; iops?: number; throughput?: number; encrypted?: boolean; kmsKeyId?: string;
  snapshotId?: string; snapshotSize?: number; deleteOnTermination: boolean;
}

/** The AMI's mappings with the request's overrides on the same device, then the request's new devices. */
function volumePlans(input: RunInstancesRequest, image: ImageRecord): VolumePlan[] {
  const asked = new Map((input.BlockDeviceMappings ?? []).map((m) => [m.DeviceName ?? '', m]));
  const plans: VolumePlan[] = [];
  for (const b of image.blockDevices) {
    const o = asked.get(b.deviceName);
    asked.delete(b.deviceName);
    if (o?.NoDevice !== undefined || !b.ebs) continue;
    const isRoot = b.deviceName === image.rootDeviceName;
    const e = o?.Ebs;
    if (e?.SnapshotId && e.SnapshotId !== b.ebs.snapshotId) throw new AwsError('InvalidBlockDeviceMapping', `The snapshot of device ${b.deviceName} is the AMI's and cannot be replaced`);
    plans.push({
      device: b.deviceName, size: e?.VolumeSize ?? b.ebs.volumeSize, type: (e?.VolumeType ?? b.ebs.volumeType) as VolumeType,
      iops: e?.Iops ?? (e?.VolumeType ? undefined : b.ebs.iops), throughput: e?.Throughput ?? (e?.VolumeType ? undefined : b.ebs.throughput),
      encrypted: e?.Encrypted ?? b.ebs.encrypted, kmsKeyId: e?.KmsKeyId, snapshotId: b.ebs.snapshotId, snapshotSize: b.ebs.volumeSize,
      deleteOnTermination: e?.DeleteOnTermination ?? (isRoot ? true : b.ebs.deleteOnTermination),
    });
  }
  for (const [device, m] of asked) {
    if (!device) throw new AwsError('MissingParameter', 'The request must contain the parameter BlockDeviceMapping.DeviceName');
    if (m.NoDevice !== undefined || m.VirtualName) continue;
    const e = m.Ebs;
    if (!e) throw new AwsError('InvalidBlockDeviceMapping', `The device ${device} needs an Ebs, NoDevice or VirtualName mapping`);
    plans.push({
      device, size: e.VolumeSize, type: e.VolumeType as VolumeType | undefined, iops: e.Iops, throughput: e.Throughput,
      encrypted: e.Encrypted, kmsKeyId: e.KmsKeyId, snapshotId: e.SnapshotId, deleteOnTermination: e.DeleteOnTermination ?? false,
    });
  }
  return plans;
}

function metadataOptions(input: RunInstancesRequest, image: ImageRecord): InstanceRecord['metadataOptions'] {
  const m = input.MetadataOptions ?? {};
  const hop = m.HttpPutResponseHopLimit ?? (image.imdsSupport === 'v2.0' ? 2 : 1);
  if (!Number.isInteger(hop) || hop < 1 || hop > 64) throw param('HttpPutResponseHopLimit', hop, 'Valid values are 1 through 64.');
  const oneOf = <T extends string>(name: string, v: string | undefined, allowed: readonly T[], dflt: T): T => {
    if (v === undefined) return dflt;
    if (!allowed.includes(v as T)) throw param(name, v, `Valid values: ${allowed.join(', ')}`);
    return v as T;
  };
  return {
    httpTokens: oneOf('HttpTokens', m.HttpTokens, ['optional', 'required'], image.imdsSupport === 'v2.0' ? 'required' : 'optional'),
    httpPutResponseHopLimit: hop,
    httpEndpoint: oneOf('HttpEndpoint', m.HttpEndpoint, ['enabled', 'disabled'], 'enabled'),
    httpProtocolIpv6: oneOf('HttpProtocolIpv6', m.HttpProtocolIpv6, ['enabled', 'disabled'], 'disabled'),
    instanceMetadataTags: oneOf('InstanceMetadataTags', m.InstanceMetadataTags, ['enabled', 'disabled'], 'disabled'),
  };
}

/** T2 launches standard, the later T families unlimited (as the seeds say); not burstable: none. */
function creditSpec(type: string, asked: string | undefined): InstanceRecord['creditSpecification'] {
  const family = type.split('.')[0]!;
  if (!/^t\d/.test(family)) {
    if (asked) throw new AwsError('InvalidParameterCombination', `The specified instance type ${type} does not support CPU credits.`);
    return undefined;
  }
  if (asked === undefined) return family === 't2' ? 'standard' : 'unlimited';
  if (asked !== 'standard' && asked !== 'unlimited') throw param('CreditSpecification.CpuCredits', asked, 'Valid values: standard, unlimited');
  return asked;
}

export const runInstances = (raw: RunInstancesRequest, ctx: RequestContext): Reservation => {
  const input = mergeLaunchTemplate(ctx, raw);
  const { min, max } = counts(input);
  const now = ctx.clock.nowMs();
  const type = input.InstanceType ?? DEFAULT_TYPE;
  const info = instanceTypeInfo(type);
  if (!info) throw new AwsError('InvalidInstanceType', `The instance type '${type}' does not exist`);
  const image = imageForLaunch(ctx, input.ImageId);
  const archs = info.ProcessorInfo?.SupportedArchitectures ?? [];
  if (!archs.includes(image.architecture as never)) {
    throw new AwsError('InvalidParameterValue', `The architecture '${archs.join(', ')}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`);
  }
  const explicitSubnet = !!(input.SubnetId ?? input.NetworkInterfaces?.length);
  const subnet = subnetFor(ctx, input);
  const askedZone = input.Placement?.AvailabilityZone;
  if (askedZone && explicitSubnet && askedZone !== subnet.zoneName) {
    throw new AwsError('InvalidParameterValue', `Value (${askedZone}) for parameter availabilityZone is invalid. Subnet ${subnet.id} is in another availability zone (${subnet.zoneName}).`);
  }
  if (!typeOfferedIn(ctx, subnet.zoneName, type)) {
    throw new AwsError('Unsupported', `Your requested instance type (${type}) is not supported in your requested Availability Zone (${subnet.zoneName}). Please retry your request by not specifying an Availability Zone or choosing ${zones(ctx.region, ctx.account).map((z) => z.zoneName).filter((z) => typeOfferedIn(ctx, z, type)).join(', ')}.`);
  }
  const groups = groupsFor(ctx, input, subnet, explicitSubnet);
  const keyName = input.KeyName ? keyPairByName(ctx, input.KeyName).name : undefined;
  const userData = userDataOf(input.UserData);
  const profile = input.IamInstanceProfile ? resolveProfile(ctx, input.IamInstanceProfile) : undefined;
  const md = metadataOptions(input, image);
  const credits = creditSpec(type, input.CreditSpecification?.CpuCredits);
  const shutdown = input.InstanceInitiatedShutdownBehavior ?? 'stop';
  if (shutdown !== 'stop' && shutdown !== 'terminate') throw param('InstanceInitiatedShutdownBehavior', shutdown);
  const plans = volumePlans(input, image);
  const eni0 = input.NetworkInterfaces?.find((n) => (n.DeviceIndex ?? 0) === 0);
  if (eni0?.NetworkInterfaceId && max > 1) throw new AwsError('InvalidParameterCombination', 'Network interfaces and an instance-level count greater than one cannot be specified together');
  const askedIp = input.PrivateIpAddress ?? eni0?.PrivateIpAddress;
  if (askedIp && max > 1) throw new AwsError('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance');
  const tenancy = input.Placement?.Tenancy ?? 'default';
  if (tenancy !== 'default' && tenancy !== 'dedicated') throw param('tenancy', tenancy);

  // Spot: a one-time request per instance, refused when the maximum is below the market.
  const market = input.InstanceMarketOptions;
  let spot: { maxPrice: number; behavior: 'terminate' | 'stop' | 'hibernate'; type: 'one-time' | 'persistent' } | undefined;
  if (market?.MarketType) {
    if (market.MarketType !== 'spot' && market.MarketType !== 'capacity-block') throw param('MarketType', market.MarketType);
    if (market.MarketType === 'capacity-block') throw new AwsError('InvalidParameterValue', 'Capacity Blocks are not offered by cloudlet');
    const current = spotPrice(type, subnet.zoneName, now);
    const o = market.SpotOptions ?? {};
    const maxPrice = o.MaxPrice !== undefined ? Number(o.MaxPrice) : (onDemandOf(type, ctx) ?? current * 3);
    if (!Number.isFinite(maxPrice) || maxPrice <= 0) throw param('SpotOptions.MaxPrice', o.MaxPrice);
    if (maxPrice < current) {
      throw new AwsError('SpotMaxPriceTooLow', `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${current.toFixed(4)}.`);
    }
    spot = { maxPrice, behavior: (o.InstanceInterruptionBehavior ?? 'terminate') as 'terminate', type: (o.SpotInstanceType ?? 'one-time') as 'one-time' };
    if (spot.type === 'persistent' && spot.behavior === 'terminate') {
      throw new AwsError('InvalidParameterCombination', 'The persistent Spot Instance request type requires a stop or hibernate interruption behavior when launched with RunInstances');
    }
  }
  const secondary = planSecondaryInterfaces(ctx, input.NetworkInterfaces, subnet, info, max);
  const placement = placementFor(ctx, input.Placement, subnet.zoneName, max);
  checkVcpuQuota(ctx, type, min);

  // How many the subnet can hold: as many as asked, at least MinCount (else no instance at all).
  // Secondary interfaces in the primary subnet take an address each too.
  const perInstance = (eni0?.NetworkInterfaceId ? 0 : 1) + secondaryInSubnet(secondary, subnet.id);
  const free = perInstance === 0 ? 1 : Math.floor(availableIps(subnet) / perInstance);
  const count = Math.min(max, free);
  if (count < min) {
    throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`);
  }
  if (count > min) checkVcpuQuota(ctx, type, count);
  const TAGGED = ['volume', 'network-interface', 'spot-instances-request'] as const;
  tagSpecTags(input.TagSpecifications, 'instance', TAGGED);
  const tagsFor = (rt: 'instance' | typeof TAGGED[number]): Tag[] =>
    tagSpecTags((input.TagSpecifications ?? []).filter((t) => t.ResourceType === rt), rt);
  const lt = input.launchTemplate;
  // The tags AWS itself puts on an instance launched from a template (users cannot set aws: keys).
  const instanceTags = [...tagsFor('instance'), ...(lt ? [
    { Key: 'aws:ec2launchtemplate:id', Value: lt.id }, { Key: 'aws:ec2launchtemplate:version', Value: lt.version },
  ] : [])];
  const reservationId = newIdWithPrefix('r');
  const publicOnLaunch = eni0?.AssociatePublicIpAddress ?? subnet.mapPublicIpOnLaunch;
  const vcpus = info.VCpuInfo?.DefaultVCpus ?? 1;
  const threads = input.CpuOptions?.ThreadsPerCore ?? info.VCpuInfo?.DefaultThreadsPerCore ?? 1;
  const cores = input.CpuOptions?.CoreCount ?? info.VCpuInfo?.DefaultCores ?? Math.max(1, Math.floor(vcpus / threads));
  const bootMs = transitionMs();
  // Tags of what each instance brings along: checked once for the launch, not once per instance.
  const eniTags = tagsFor('network-interface');
  const volumeTags = tagsFor('volume');
  const spotTags = spot ? tagsFor('spot-instances-request') : [];
  // When each instance's only new address in this subnet is its primary one, one allocation for
  // the launch gives the same addresses in the same order as one at a time, with one walk from the
  // subnet's cursor and one subnet write instead of one per instance.
  const primaryIps = !eni0?.NetworkInterfaceId && !askedIp && perInstance === 1 ? takeIpv4(ctx, subnet, [], count) : undefined;
  const out: Instance[] = [];
  const look = shapeLookups(ctx);
  for (let n = 0; n < count; n++) {
    const id = newId('instance');
    const attachment: NonNullable<NetworkInterfaceRecord['attachment']> = {
      id: newId('network-interface-attachment'), instanceId: id, instanceOwnerId: ctx.account, deviceIndex: 0, networkCardIndex: 0,
      attachTime: new Date(now).toISOString(), deleteOnTermination: eni0?.NetworkInterfaceId ? (eni0.DeleteOnTermination ?? false) : true,
    };
    let eni: NetworkInterfaceRecord;
    if (eni0?.NetworkInterfaceId) {
      eni = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', eni0.NetworkInterfaceId);
      if (eni.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.id}] in use.`);
      eni.attachment = attachment;
      ctx.tx.put(ctx.scope, ENI_K.eni, eni.id, eni);
    } else {
      const ips = primaryIps ? [primaryIps[n]!] : takeIpv4(ctx, subnet, askedIp ? [askedIp] : [], askedIp ? 0 : 1);
      // Written once, attached: a new interface has no tags to clear when the launch gives none.
      eni = createInterfaceRecord(ctx, { subnet, groups, privateIps: ips, description: eni0?.Description ?? '', attachment });
      if (eniTags.length) setTags(ctx.tx, ctx.scope, 'network-interface', eni.id, eniTags);
    }
    const more = attachSecondaryInterfaces(ctx, secondary, id, eni.groups, now, eniTags);
    const blockDevices: InstanceBlockDevice[] = plans.map((p) => {
      const v = createLaunchVolume(ctx, {
        zoneName: subnet.zoneName, zoneId: subnet.zoneId, instanceId: id, device: p.device, deleteOnTermination: p.deleteOnTermination,
        ...(p.size !== undefined ? { size: p.size } : {}), ...(p.type ? { type: p.type } : {}), ...(p.iops !== undefined ? { iops: p.iops } : {}),
        ...(p.throughput !== undefined ? { throughput: p.throughput } : {}), ...(p.encrypted !== undefined ? { encrypted: p.encrypted } : {}),
        ...(p.kmsKeyId ? { kmsKeyId: p.kmsKeyId } : {}), ...(p.snapshotId ? { snapshotId: p.snapshotId } : {}),
        ...(p.snapshotSize !== undefined ? { snapshotSize: p.snapshotSize } : {}), tags: volumeTags,
      });
      return { deviceName: p.device, volumeId: v.id, deleteOnTermination: p.deleteOnTermination, attachMs: now };
    });
    const spotRequestId = spot ? newId('spot-instances-request') : undefined;
    const rec: InstanceRecord = {
      id, imageId: image.id, instanceType: type, architecture: image.architecture, ...(image.platform ? { platform: image.platform } : {}),
      subnetId: subnet.id, vpcId: subnet.vpcId, lastSubnetId: subnet.id, lastVpcId: subnet.vpcId, zoneName: subnet.zoneName, zoneId: subnet.zoneId,
      networkInterfaceIds: [eni.id, ...more], privateIp: eni.privateIps[0]!.address, groups: eni.groups,
      ...(publicOnLaunch ? { publicIp: claimPublicIp(ctx, id), publicIpOnLaunch: true } : {}),
      ...(keyName ? { keyName } : {}), ...(userData ? { userData } : {}),
      ...(profile ? { iamInstanceProfile: { ...profile, associationId: newIdWithPrefix('iip-assoc'), state: 'associated' as const } } : {}),
      placement: { ...placement.forInstance(n), tenancy },
      blockDevices, rootDeviceName: image.rootDeviceName, rootDeviceType: 'ebs', metadataOptions: md,
      ...(credits ? { creditSpecification: credits } : {}),
      disableApiTermination: input.DisableApiTermination ?? false, disableApiStop: input.DisableApiStop ?? false,
      shutdownBehavior: shutdown, ebsOptimized: input.EbsOptimized ?? false, sourceDestCheck: true,
      monitoring: input.Monitoring?.Enabled ? 'enabled' : 'disabled', hibernation: input.HibernationOptions?.Configured ?? false,
      ...(spot && spotRequestId ? { lifecycle: 'spot' as const, spot: { requestId: spotRequestId, maxPrice: spot.maxPrice, interruptionBehavior: spot.behavior } } : {}),
      ...(lt ? { launchTemplate: lt } : {}),
      reservationId, ownerId: ctx.account, ...(input.ClientToken ? { clientToken: input.ClientToken } : {}), amiLaunchIndex: n, launchMs: now,
      phase: 'start', sinceMs: now, doneMs: now + bootMs, runs: [[now]], cpu: { cores, threads },
    };
    if (spot && spotRequestId) recordSpotRequest(ctx, rec, spotRequestId, spot, input, spotTags);
    scheduleSpotCheck(rec, now);
    ctx.tx.put(ctx.scope, INSTANCE_KIND, id, rec);
    if (instanceTags.length) setTags(ctx.tx, ctx.scope, 'instance', id, instanceTags);
    // The interfaces are the ones just written: no lookup by instance when there is only the primary.
    out.push(instanceShape(ctx, rec, instanceTags, now, more.length ? undefined : [eni], look));
  }
  poke(ctx.tx, ctx.scope, now); // the fleet's metrics step follows running instances (src/services/fleet/emit.ts)
  completeActivity(ctx.tx, ctx.account, 'ec2-instance', now);
  return { ReservationId: reservationId, OwnerId: ctx.account, Groups: [], Instances: out };
};

const onDemandOf = (type: string, ctx: RequestContext): number | undefined => onDemandPrice(type, ctx.region);
