/**
 * What the metadata tree needs to know about one instance, read from the store in the
 * caller's (short) transaction: the instance row, its interfaces with their subnets, VPCs,
 * groups and Elastic IPs, its tags, key pair and instance profile. No writes.
 */
import { spotNotice } from '../compute/spot.js';
import type { Scope, Tx } from '../../../store/types.js';
import { IAM_KIND, iamScope, type InstanceProfileRecord } from '../../iam/records.js';
import { RESOURCE_TYPES } from '../ids.js';
import { tagsOf } from '../tags.js';
import type { AddressRecord, NetworkInterfaceRecord } from '../vpc/records-eni.js';
import type { SecurityGroupRecord, SubnetRecord, VpcRecord } from '../vpc/records.js';
import { instanceState } from '../compute/lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord, type InstanceStateName, type KeyPairRecord } from '../compute/records.js';
import type { Clock } from '../../../core/clock.js';
import { instanceConnectKeys } from '../../ec2-instance-connect/keys.js';
import type { InstanceFacts, InterfaceFacts } from './tree.js';

const KIND = {
  eni: RESOURCE_TYPES['network-interface'].kind, subnet: RESOURCE_TYPES.subnet.kind, vpc: RESOURCE_TYPES.vpc.kind,
  sg: RESOURCE_TYPES['security-group'].kind, eip: RESOURCE_TYPES['elastic-ip'].kind,
};

export interface ImdsTarget { account: string; region: string; instanceId: string }

/** EC2's second-precision ISO time ("2024-01-02T03:04:05Z"). */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const privateDns = (region: string, ip: string): string =>
  `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
const publicDns = (region: string, ip: string): string =>
  `ec2-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com`;

export function readInstance(tx: Tx, t: ImdsTarget): InstanceRecord | undefined {
  return tx.get<InstanceRecord>({ account: t.account, region: t.region }, COMPUTE_KIND.instance, t.instanceId);
}

export function stateOf(i: InstanceRecord, nowMs: number): InstanceStateName {
  return instanceState(i, nowMs);
}

/** The role an instance profile holds (by name), and the profile row; undefined when the profile is gone. */
export function profileOf(tx: Tx, account: string, profileArn: string): { profile: InstanceProfileRecord; roleName?: string } | undefined {
  const name = profileArn.split('/').pop() ?? '';
  const profile = tx.get<InstanceProfileRecord>(iamScope(account), IAM_KIND.instanceProfile, name);
  if (!profile || profile.arn !== profileArn) return undefined;
  return { profile, roleName: profile.roles[0] };
}

function interfaceFacts(tx: Tx, scope: Scope, region: string, i: InstanceRecord, e: NetworkInterfaceRecord): InterfaceFacts {
  const subnet = tx.get<SubnetRecord>(scope, KIND.subnet, e.subnetId);
  const vpc = tx.get<VpcRecord>(scope, KIND.vpc, e.vpcId);
  const eips = new Map(tx.findBy<AddressRecord>(scope, KIND.eip, 'eni', { key: e.id }).map((h) => [h.value.association!.privateIp, h.value.publicIp]));
  const primaryIp = e.privateIps[0]?.address ?? i.privateIp;
  const publics: string[] = [];
  for (const p of e.privateIps) {
    const pub = eips.get(p.address) ?? (p.address === primaryIp && e.attachment?.deviceIndex === 0 ? i.publicIp : undefined);
    if (pub) publics.push(pub);
  }
  const dnsHostnames = vpc?.enableDnsHostnames ?? true;
  return {
    mac: e.macAddress, deviceNumber: e.attachment?.deviceIndex ?? 0, interfaceId: e.id, ownerId: e.ownerId,
    localHostname: privateDns(region, primaryIp),
    localIpv4s: e.privateIps.map((p) => p.address),
    publicIpv4s: publics,
    ...(publics[0] && dnsHostnames ? { publicHostname: publicDns(region, publics[0]) } : {}),
    ipv6s: e.ipv6,
    securityGroupIds: e.groups,
    securityGroupNames: e.groups.map((g) => tx.get<SecurityGroupRecord>(scope, KIND.sg, g)?.name ?? g),
    subnetId: e.subnetId,
    ...(subnet ? { subnetCidr: subnet.cidrBlock } : {}),
    vpcId: e.vpcId,
    vpcCidrs: vpc ? vpc.cidrs.filter((c) => c.state === 'associated').map((c) => c.cidr) : [],
  };
}

/** Everything the tree shows, at `nowMs`. The caller has checked that the instance is running. */
export function instanceFacts(tx: Tx, t: ImdsTarget, i: InstanceRecord, nowMs: number): InstanceFacts {
  const scope = { account: t.account, region: t.region };
  const enis = tx.findBy<NetworkInterfaceRecord>(scope, KIND.eni, 'instance', { key: i.id }).map((h) => h.value)
    .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  const interfaces = enis.map((e) => interfaceFacts(tx, scope, t.region, i, e));
  const primary = interfaces.find((n) => n.deviceNumber === 0) ?? interfaces[0];
  const key = i.keyName ? tx.get<KeyPairRecord>(scope, COMPUTE_KIND.keyPair, i.keyName) : undefined;
  const prof = i.iamInstanceProfile && i.iamInstanceProfile.state === 'associated' ? profileOf(tx, t.account, i.iamInstanceProfile.arn) : undefined;
  const notice = i.spot ? spotNotice(i, nowMs) : undefined;
  const spot = notice ? { action: i.spot!.interruptionBehavior, time: isoSeconds(notice.interruptMs) } : undefined;
  const managed: Record<string, string[]> = {};
  for (const k of instanceConnectKeys({ tx, scope, clock: { nowMs: () => nowMs } as Clock }, i.id)) (managed[k.osUser] ??= []).push(k.key);
  const lastStart = i.runs.length ? i.runs[i.runs.length - 1]![0] : i.launchMs;
  const rootDevice = i.rootDeviceName;
  return {
    account: t.account, region: t.region, instanceId: i.id, amiId: i.imageId, amiLaunchIndex: i.amiLaunchIndex,
    instanceType: i.instanceType, architecture: i.architecture, zoneName: i.zoneName, zoneId: i.zoneId,
    ...(i.placement.groupName ? { placementGroup: i.placement.groupName } : {}),
    ...(i.placement.partitionNumber !== undefined ? { partitionNumber: i.placement.partitionNumber } : {}),
    reservationId: i.reservationId,
    lifecycle: i.lifecycle === 'spot' ? 'spot' : 'on-demand',
    localIpv4: i.privateIp,
    localHostname: privateDns(t.region, i.privateIp),
    ...(primary?.publicIpv4s[0] ? { publicIpv4: primary.publicIpv4s[0] } : i.publicIp ? { publicIpv4: i.publicIp } : {}),
    ...(primary?.publicHostname ? { publicHostname: primary.publicHostname } : i.publicIp ? { publicHostname: publicDns(t.region, i.publicIp) } : {}),
    mac: primary?.mac ?? '',
    interfaces,
    securityGroupNames: i.groups.map((g) => tx.get<SecurityGroupRecord>(scope, KIND.sg, g)?.name ?? g),
    rootDeviceName: rootDevice,
    ebsDevices: i.blockDevices.filter((b) => b.deviceName !== rootDevice).map((b) => b.deviceName),
    ...(key ? { publicKey: { keyName: key.name, openssh: key.publicKey } } : {}),
    ...(prof ? {
      iam: {
        profileArn: prof.profile.arn, profileId: prof.profile.id,
        lastUpdated: isoSeconds(i.profileAssociatedMs ?? i.launchMs),
        ...(prof.roleName ? { roleName: prof.roleName } : {}),
      },
    } : {}),
    ...(i.metadataOptions.instanceMetadataTags === 'enabled' ? { tags: tagsOf(tx, scope, i.id).map((x) => ({ Key: x.Key ?? '', Value: x.Value ?? '' })) } : {}),
    ...(spot ? { spotAction: spot } : {}),
    ...(Object.keys(managed).length ? { managedSshKeys: managed } : {}),
    ...(i.userData ? { userData: Buffer.from(i.userData, 'base64') } : {}),
    identity: {
      accountId: t.account,
      architecture: i.architecture,
      availabilityZone: i.zoneName,
      billingProducts: null,
      devpayProductCodes: null,
      marketplaceProductCodes: null,
      imageId: i.imageId,
      instanceId: i.id,
      instanceType: i.instanceType,
      kernelId: null,
      pendingTime: isoSeconds(lastStart),
      privateIp: i.privateIp,
      ramdiskId: null,
      region: t.region,
      version: '2017-09-30',
    },
  };
}
