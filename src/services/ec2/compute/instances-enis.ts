/**
 * The network interfaces a launch asks for beyond the primary one (NetworkInterfaces with
 * DeviceIndex 1, 2, ...): an existing interface, or a new one in a subnet of the instance's zone.
 * Everything is checked before anything is written (the type's interface limit, one zone, one
 * VPC, unique device indexes), so a refused launch creates nothing.
 */
import type { InstanceNetworkInterfaceSpecification, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { RequestContext } from '../../types.js';
import { mustGet } from '../describe.js';
import { newId } from '../ids.js';
import { setTags, type Tag } from '../tags.js';
import { checkGroups, createInterfaceRecord, K as ENI_K, takeIpv4 } from '../vpc/eni-core.js';
import type { NetworkInterfaceRecord } from '../vpc/records-eni.js';
import type { SubnetRecord } from '../vpc/records.js';

export interface SecondaryPlan {
  deviceIndex: number;
  existing?: string;
  subnetId?: string;
  groups?: string[];
  description?: string;
  deleteOnTermination: boolean;
}

/** The secondary interfaces of a launch of `count` instances into `primary`, validated. */
export function planSecondaryInterfaces(ctx: RequestContext, specs: InstanceNetworkInterfaceSpecification[] | undefined,
  primary: SubnetRecord, info: InstanceTypeInfo, count: number): SecondaryPlan[] {
  const all = specs ?? [];
  const seen = new Set<number>();
  for (const s of all) {
    const i = s.DeviceIndex ?? 0;
    if (seen.has(i)) throw new AwsError('InvalidParameterValue', `Each network interface requires a unique device index: ${i} is given twice.`);
    seen.add(i);
  }
  const extra = all.filter((s) => (s.DeviceIndex ?? 0) !== 0);
  if (!extra.length) return [];
  const max = info.NetworkInfo?.MaximumNetworkInterfaces ?? 2;
  if (all.length > max || extra.some((s) => (s.DeviceIndex ?? 0) >= max)) {
    throw new AwsError('InvalidParameterValue', `The instance type ${info.InstanceType} supports at most ${max} network interfaces (device indexes 0 to ${max - 1}).`);
  }
  if (count > 1 && extra.some((s) => s.NetworkInterfaceId)) {
    throw new AwsError('InvalidParameterCombination', 'Network interfaces and an instance-level count greater than one cannot be specified together');
  }
  return extra.map((s): SecondaryPlan => {
    const deviceIndex = s.DeviceIndex!;
    if (s.NetworkInterfaceId) {
      const e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', s.NetworkInterfaceId);
      if (e.attachment) throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${e.id}] in use.`);
      if (e.zoneName !== primary.zoneName) {
        throw new AwsError('InvalidParameterValue', `Network interface ${e.id} is in ${e.zoneName}; the instance launches in ${primary.zoneName}.`);
      }
      return { deviceIndex, existing: e.id, deleteOnTermination: s.DeleteOnTermination ?? false };
    }
    const subnet = s.SubnetId ? mustGet<SubnetRecord>(ctx, 'subnet', s.SubnetId) : primary;
    if (subnet.zoneName !== primary.zoneName) {
      throw new AwsError('InvalidParameterValue', `Subnet ${subnet.id} is in ${subnet.zoneName}; every network interface of an instance is in its zone (${primary.zoneName}).`);
    }
    if (subnet.vpcId !== primary.vpcId) {
      throw new AwsError('InvalidParameterValue', `Subnet ${subnet.id} is in another VPC (${subnet.vpcId}) than the instance (${primary.vpcId}).`);
    }
    const groups = s.Groups?.length ? checkGroups(ctx, subnet.vpcId, s.Groups, subnet.id) : undefined;
    return {
      deviceIndex, subnetId: subnet.id, ...(groups ? { groups } : {}), ...(s.Description ? { description: s.Description } : {}),
      deleteOnTermination: s.DeleteOnTermination ?? true,
    };
  });
}

/** How many new secondary interfaces go in the given subnet (each takes one of its addresses). */
export const secondaryInSubnet = (plans: SecondaryPlan[], subnetId: string): number =>
  plans.filter((p) => !p.existing && p.subnetId === subnetId).length;

/** Creates (or takes) and attaches the planned interfaces to a new instance; their IDs by device index. */
export function attachSecondaryInterfaces(ctx: RequestContext, plans: SecondaryPlan[], instanceId: string, primaryGroups: string[],
  nowMs: number, tags: Tag[]): string[] {
  const ids: string[] = [];
  for (const p of [...plans].sort((a, b) => a.deviceIndex - b.deviceIndex)) {
    let e: NetworkInterfaceRecord;
    if (p.existing) e = mustGet<NetworkInterfaceRecord>(ctx, 'network-interface', p.existing);
    else {
      const subnet = mustGet<SubnetRecord>(ctx, 'subnet', p.subnetId);
      e = createInterfaceRecord(ctx, { subnet, groups: p.groups ?? primaryGroups, privateIps: takeIpv4(ctx, subnet, [], 1), description: p.description ?? '' });
      setTags(ctx.tx, ctx.scope, 'network-interface', e.id, tags);
    }
    e.attachment = {
      id: newId('network-interface-attachment'), instanceId, instanceOwnerId: ctx.account, deviceIndex: p.deviceIndex, networkCardIndex: 0,
      attachTime: new Date(nowMs).toISOString(), deleteOnTermination: p.deleteOnTermination,
    };
    ctx.tx.put(ctx.scope, ENI_K.eni, e.id, e);
    ids.push(e.id);
  }
  return ids;
}
