/**
 * What every instance operation shares: reading an instance, the boot/stop delay, the
 * `Instance` shape DescribeInstances and RunInstances answer with, and the ENIs, groups and
 * public address an instance holds.
 */
import type { GroupIdentifier, Instance, InstanceNetworkInterface } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { RequestContext } from '../../types.js';
import { mustGet } from '../describe.js';
import { tagList, type Tag } from '../tags.js';
import { addressesOf, K as ENI_K, privateDnsName } from '../vpc/eni-core.js';
import type { AddressRecord, NetworkInterfaceRecord } from '../vpc/records-eni.js';
import type { SecurityGroupRecord } from '../vpc/records.js';
import { instanceExpired, instanceState, STATE_CODE } from './lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord } from './records.js';

export const INSTANCE_KIND = COMPUTE_KIND.instance;

/**
 * Seconds a start, stop or termination takes (CLOUDLET_EC2_BOOT_SECONDS, `--ec2-boot-seconds`;
 * default 0, so waiters and Terraform never sleep). Read when the transition starts.
 */
export function transitionMs(): number {
  const raw = process.env.CLOUDLET_EC2_BOOT_SECONDS;
  const s = raw === undefined || raw === '' ? 0 : Number(raw);
  return Number.isFinite(s) && s > 0 ? Math.min(s, 3600) * 1000 : 0;
}

/** An instance of the account by ID: Malformed / NotFound as AWS (terminated over an hour ago is gone). */
export function getInstance(ctx: RequestContext, id: string | undefined): InstanceRecord {
  const i = mustGet<InstanceRecord>(ctx, 'instance', id);
  if (instanceExpired(i, ctx.clock.nowMs())) {
    throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  }
  return i;
}

export const putInstance = (ctx: RequestContext, i: InstanceRecord): void => { ctx.tx.put(ctx.scope, INSTANCE_KIND, i.id, i); };

/** The interfaces attached to an instance, by device index. */
export function interfacesOf(ctx: Pick<RequestContext, 'tx' | 'scope'>, instanceId: string): NetworkInterfaceRecord[] {
  return ctx.tx.findBy<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, 'instance', { key: instanceId })
    .map((h) => h.value)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
}

/** The instance's public address, found from its primary interface. */
export const instancePublicIp = (ctx: Pick<RequestContext, 'tx' | 'scope'>, i: InstanceRecord): string | undefined =>
  publicIpOf(ctx, i, interfacesOf(ctx, i.id).find((e) => e.attachment?.deviceIndex === 0));

export const publicDnsName = (region: string, ip: string): string =>
  `ec2-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com`;

/**
 * The public address of the primary interface: its Elastic IP, else the instance's own public IP.
 * `eipsOf` looks an interface's Elastic IPs up (an answer's ShapeLookups reads each once).
 */
export function publicIpOf(
  ctx: Pick<RequestContext, 'tx' | 'scope'>, i: InstanceRecord, primary?: NetworkInterfaceRecord,
  eipsOf: (eniId: string) => Map<string, AddressRecord> = (id) => addressesOf(ctx, id),
): string | undefined {
  if (primary) {
    const eip = eipsOf(primary.id).get(primary.privateIps[0]!.address);
    if (eip) return eip.publicIp;
  }
  return i.publicIp;
}

/** The names of security groups by ID ('' for one that is gone). */
export const groupNamesOf = (ctx: RequestContext, ids: readonly string[]): string[] =>
  ids.map((g) => ctx.tx.get<SecurityGroupRecord>(ctx.scope, ENI_K.sg, g)?.name ?? '');

/**
 * What the shapes of many instances in one answer look up alike, each looked up once for the
 * answer: a group's name (every instance of a launch names the same groups, twice: the instance's
 * and its interface's), an interface's Elastic IPs (asked for the public address and again for
 * the interface), and whether the Region holds any Elastic IP at all (mostly none: no lookup per
 * interface then). Made per request, inside its transaction, so nothing outlives what it read.
 */
export interface ShapeLookups {
  groupName(id: string): string;
  eipsOf(eniId: string): Map<string, AddressRecord>;
}

export function shapeLookups(ctx: RequestContext): ShapeLookups {
  const names = new Map<string, string>();
  const eips = new Map<string, Map<string, AddressRecord>>();
  let anyEip: boolean | undefined;
  return {
    groupName: (id) => {
      let n = names.get(id);
      if (n === undefined) names.set(id, (n = ctx.tx.get<SecurityGroupRecord>(ctx.scope, ENI_K.sg, id)?.name ?? ''));
      return n;
    },
    eipsOf: (eniId) => {
      anyEip ??= ctx.tx.count(ctx.scope, ENI_K.eip) > 0;
      if (!anyEip) return new Map();
      let m = eips.get(eniId);
      if (!m) eips.set(eniId, (m = addressesOf(ctx, eniId)));
      return m;
    },
  };
}

function groupIdentifiers(look: ShapeLookups, ids: readonly string[]): GroupIdentifier[] {
  return ids.map((g) => ({ GroupId: g, GroupName: look.groupName(g) }));
}

function interfaceOfInstance(ctx: RequestContext, look: ShapeLookups, i: InstanceRecord, e: NetworkInterfaceRecord): InstanceNetworkInterface {
  const eips = look.eipsOf(e.id);
  const primaryIp = e.privateIps[0]!.address;
  const pub = (ip: string): InstanceNetworkInterface['Association'] => {
    const a: AddressRecord | undefined = eips.get(ip);
    const addr = a?.publicIp ?? (ip === primaryIp && e.attachment?.deviceIndex === 0 ? i.publicIp : undefined);
    return addr ? { IpOwnerId: a ? ctx.account : 'amazon', PublicIp: addr, PublicDnsName: publicDnsName(ctx.region, addr) } : undefined;
  };
  return {
    NetworkInterfaceId: e.id, SubnetId: e.subnetId, VpcId: e.vpcId, OwnerId: e.ownerId, Description: e.description,
    MacAddress: e.macAddress, PrivateIpAddress: primaryIp, PrivateDnsName: privateDnsName(ctx, primaryIp),
    SourceDestCheck: e.sourceDestCheck, Status: 'in-use', InterfaceType: e.interfaceType,
    Groups: groupIdentifiers(look, e.groups),
    Ipv6Addresses: e.ipv6.map((a) => ({ Ipv6Address: a })),
    PrivateIpAddresses: e.privateIps.map((p) => ({
      Primary: p.primary, PrivateIpAddress: p.address, PrivateDnsName: privateDnsName(ctx, p.address),
      ...(pub(p.address) ? { Association: pub(p.address) } : {}),
    })),
    ...(pub(primaryIp) ? { Association: pub(primaryIp) } : {}),
    ...(e.attachment ? {
      Attachment: {
        AttachmentId: e.attachment.id, AttachTime: new Date(e.attachment.attachTime), DeleteOnTermination: e.attachment.deleteOnTermination,
        DeviceIndex: e.attachment.deviceIndex, NetworkCardIndex: e.attachment.networkCardIndex, Status: 'attached',
      },
    } : {}),
  };
}

/**
 * The `Instance` shape of DescribeInstances, RunInstances and friends. `attached` is the
 * instance's interfaces by device index when the caller holds them already (a launch).
 */
export function instanceShape(ctx: RequestContext, i: InstanceRecord, tags: Tag[], nowMs: number, attached?: NetworkInterfaceRecord[],
  look: ShapeLookups = shapeLookups(ctx)): Instance {
  const state = instanceState(i, nowMs);
  const live = state !== 'terminated';
  const enis = live ? attached ?? interfacesOf(ctx, i.id) : [];
  const primary = enis.find((e) => e.attachment?.deviceIndex === 0);
  const publicIp = live ? publicIpOf(ctx, i, primary, look.eipsOf) : undefined;
  const dns = state === 'terminated' ? '' : privateDnsName(ctx, i.privateIp);
  const windows = i.platform === 'windows';
  return {
    AmiLaunchIndex: i.amiLaunchIndex, ImageId: i.imageId, InstanceId: i.id, InstanceType: i.instanceType as Instance['InstanceType'],
    ...(i.keyName ? { KeyName: i.keyName } : {}),
    LaunchTime: new Date(i.launchMs),
    Monitoring: { State: i.monitoring },
    Placement: {
      AvailabilityZone: i.zoneName, AvailabilityZoneId: i.zoneId, GroupName: i.placement.groupName ?? '', Tenancy: i.placement.tenancy as 'default',
      ...(i.placement.groupId ? { GroupId: i.placement.groupId } : {}),
      ...(i.placement.partitionNumber !== undefined ? { PartitionNumber: i.placement.partitionNumber } : {}),
    },
    ...(windows ? { Platform: 'windows' as Instance['Platform'] } : {}),
    PlatformDetails: windows ? 'Windows' : 'Linux/UNIX',
    UsageOperation: windows ? 'RunInstances:0002' : 'RunInstances',
    UsageOperationUpdateTime: new Date(i.launchMs),
    PrivateDnsName: dns,
    ...(live ? { PrivateIpAddress: i.privateIp } : {}),
    ProductCodes: [],
    PublicDnsName: publicIp ? publicDnsName(ctx.region, publicIp) : '',
    ...(publicIp ? { PublicIpAddress: publicIp } : {}),
    State: { Code: STATE_CODE[state], Name: state },
    StateTransitionReason: i.transitionReason ?? '',
    ...(i.stateReason && state !== 'running' && state !== 'pending' ? { StateReason: { Code: i.stateReason.code, Message: i.stateReason.message } } : {}),
    ...(live && i.subnetId ? { SubnetId: i.subnetId, VpcId: i.vpcId } : {}),
    Architecture: i.architecture as Instance['Architecture'],
    BlockDeviceMappings: live ? i.blockDevices.map((b) => ({
      DeviceName: b.deviceName,
      Ebs: { AttachTime: new Date(b.attachMs), DeleteOnTermination: b.deleteOnTermination, Status: 'attached', VolumeId: b.volumeId },
    })) : [],
    ClientToken: i.clientToken ?? '',
    EbsOptimized: i.ebsOptimized,
    EnaSupport: true,
    Hypervisor: 'xen',
    ...(i.iamInstanceProfile && live ? { IamInstanceProfile: { Arn: i.iamInstanceProfile.arn, Id: i.iamInstanceProfile.id } } : {}),
    ...(i.lifecycle === 'spot' ? { InstanceLifecycle: 'spot' as const, SpotInstanceRequestId: i.spot?.requestId } : {}),
    NetworkInterfaces: enis.map((e) => interfaceOfInstance(ctx, look, i, e)),
    RootDeviceName: i.rootDeviceName,
    RootDeviceType: i.rootDeviceType,
    SecurityGroups: live ? groupIdentifiers(look, i.groups) : [],
    SourceDestCheck: i.sourceDestCheck,
    Tags: tagList(tags),
    VirtualizationType: 'hvm',
    CpuOptions: cpuOptions(i),
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: i.hibernation },
    MetadataOptions: {
      State: 'applied', HttpTokens: i.metadataOptions.httpTokens, HttpPutResponseHopLimit: i.metadataOptions.httpPutResponseHopLimit,
      HttpEndpoint: i.metadataOptions.httpEndpoint, HttpProtocolIpv6: i.metadataOptions.httpProtocolIpv6,
      InstanceMetadataTags: i.metadataOptions.instanceMetadataTags,
    },
    EnclaveOptions: { Enabled: false },
    BootMode: i.architecture === 'arm64' ? 'uefi' : 'legacy-bios',
    CurrentInstanceBootMode: i.architecture === 'arm64' ? 'uefi' : 'legacy-bios',
    PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: 'default' },
  };
}

/** CpuOptions from the type's vCPUs: the recorded cores and threads (instances-run.ts sets them). */
function cpuOptions(i: InstanceRecord): Instance['CpuOptions'] {
  return { CoreCount: i.cpu?.cores ?? 1, ThreadsPerCore: i.cpu?.threads ?? 1 };
}

export const instanceArn = (ctx: RequestContext, id: string): string => `arn:aws:ec2:${ctx.region}:${ctx.account}:instance/${id}`;
