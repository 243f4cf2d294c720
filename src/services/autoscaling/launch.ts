/**
 * How a group launches one instance: the RunInstances request its launch template, launch
 * configuration or mixed instances policy makes (type override, On-Demand or Spot by the
 * distribution), in a subnet of the chosen zone, with the group's propagated tags and the
 * aws:autoscaling:groupName tag AWS adds; and how it terminates one.
 */
import type { RunInstancesRequest } from '@aws-sdk/client-ec2';
import type { RequestContext } from '../types.js';
import { runInstances } from '../ec2/compute/instances-run.js';
import { applyTerminate } from '../ec2/compute/instances-actions.js';
import { INSTANCE_KIND } from '../ec2/compute/instances-core.js';
import { instanceState, isLive } from '../ec2/compute/lifecycle.js';
import type { InstanceRecord } from '../ec2/compute/records.js';
import { setTags, tagsOf } from '../ec2/tags.js';
import type { SubnetRecord } from '../ec2/vpc/records.js';
import { spotPrice } from '../ec2/compute/catalog.js';
import { K, MEMBER_COUNTED, type GroupRecord, type Member } from './records.js';

export interface LaunchConfigRecord {
  name: string; arn: string; createdMs: number; imageId: string; instanceType: string; keyName?: string;
  securityGroups: string[]; userData?: string; iamInstanceProfile?: string; blockDeviceMappings?: unknown[];
  monitoring: boolean; spotPrice?: string; ebsOptimized: boolean; associatePublicIp?: boolean;
  metadataOptions?: Record<string, unknown>; placementTenancy?: string; kernelId?: string; ramdiskId?: string;
}

export const subnetOf = (ctx: RequestContext, id: string): SubnetRecord | undefined => ctx.tx.get<SubnetRecord>(ctx.scope, 'ec2:subnet', id);

/** The group's zones: those of its subnets, else its AvailabilityZones. */
export function zonesOfGroup(ctx: RequestContext, g: GroupRecord): string[] {
  if (!g.subnets.length) return g.zones;
  return [...new Set(g.subnets.map((s) => subnetOf(ctx, s)?.zoneName).filter((z): z is string => !!z))].sort();
}

interface Choice { type?: string; weight?: number; spot: boolean; template?: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string } }

/** Mixed instances: the type (first override, or cheapest Spot for lowest-price) and market the distribution asks next. */
function mixedChoice(g: GroupRecord, zone: string, nowMs: number): Choice {
  const p = g.mixed!;
  const spec = p.LaunchTemplate?.LaunchTemplateSpecification ?? {};
  const overrides: Array<Record<string, any>> = p.LaunchTemplate?.Overrides ?? [];
  const d = p.InstancesDistribution ?? {};
  const base = d.OnDemandBaseCapacity ?? 0;
  const pct = d.OnDemandPercentageAboveBaseCapacity ?? 100;
  const counted = g.members.filter(MEMBER_COUNTED);
  const od = counted.filter((m) => !m.spot).length;
  const total = counted.length + 1;
  const wantOd = base + Math.ceil(Math.max(0, total - base) * pct / 100);
  const spot = od >= base && od >= Math.min(wantOd, total) ? true : false;
  let o = overrides[0];
  if (spot && overrides.length > 1 && (d.SpotAllocationStrategy ?? 'price-capacity-optimized') !== 'prioritized') {
    o = [...overrides].filter((x) => x.InstanceType).sort((a, b) => spotPrice(a.InstanceType, zone, nowMs) / (Number(a.WeightedCapacity ?? 1)) - spotPrice(b.InstanceType, zone, nowMs) / Number(b.WeightedCapacity ?? 1))[0] ?? o;
  }
  const tpl = o?.LaunchTemplateSpecification ?? spec;
  return { ...(o?.InstanceType ? { type: o.InstanceType } : {}), ...(o?.WeightedCapacity ? { weight: Number(o.WeightedCapacity) } : {}), spot, template: tpl };
}

/** The RunInstances request for one instance of the group in `zone`. */
export function launchRequest(ctx: RequestContext, g: GroupRecord, zone: string, choice?: Choice): RunInstancesRequest {
  const req: RunInstancesRequest = { MinCount: 1, MaxCount: 1 };
  const subnet = g.subnets.find((s) => subnetOf(ctx, s)?.zoneName === zone);
  if (subnet) req.SubnetId = subnet; else req.Placement = { AvailabilityZone: zone };
  const c = choice ?? (g.mixed ? mixedChoice(g, zone, ctx.clock.nowMs()) : undefined);
  if (c?.template) req.LaunchTemplate = { ...c.template, Version: c.template.Version ?? '$Default' };
  else if (g.launchTemplate) req.LaunchTemplate = { LaunchTemplateId: g.launchTemplate.id, Version: g.launchTemplate.version };
  else if (g.launchConfigurationName) {
    const lc = ctx.tx.get<LaunchConfigRecord>(ctx.scope, K.launchConfig, g.launchConfigurationName);
    if (lc) {
      Object.assign(req, {
        ImageId: lc.imageId, InstanceType: lc.instanceType, ...(lc.keyName ? { KeyName: lc.keyName } : {}),
        ...(lc.userData ? { UserData: lc.userData } : {}), EbsOptimized: lc.ebsOptimized, Monitoring: { Enabled: lc.monitoring },
        ...(lc.iamInstanceProfile ? { IamInstanceProfile: lc.iamInstanceProfile.startsWith('arn:') ? { Arn: lc.iamInstanceProfile } : { Name: lc.iamInstanceProfile } } : {}),
        ...(lc.blockDeviceMappings?.length ? { BlockDeviceMappings: lc.blockDeviceMappings } : {}),
        ...(lc.metadataOptions ? { MetadataOptions: lc.metadataOptions } : {}),
      });
      const ids = lc.securityGroups.filter((s) => s.startsWith('sg-'));
      const names = lc.securityGroups.filter((s) => !s.startsWith('sg-'));
      if (ids.length) req.SecurityGroupIds = ids;
      if (names.length) req.SecurityGroups = names;
      if (lc.spotPrice) req.InstanceMarketOptions = { MarketType: 'spot', SpotOptions: { MaxPrice: lc.spotPrice } };
    }
  }
  if (c?.type) req.InstanceType = c.type as RunInstancesRequest['InstanceType'];
  if (c?.spot) req.InstanceMarketOptions = { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } };
  const tags = g.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value }));
  if (tags.length) req.TagSpecifications = [{ ResourceType: 'instance', Tags: tags }];
  return req;
}

/** Launches one instance (throws EC2's AwsError when it cannot). */
export function launchOne(ctx: RequestContext, g: GroupRecord, zone: string): Member {
  const choice = g.mixed ? mixedChoice(g, zone, ctx.clock.nowMs()) : undefined;
  const r = runInstances(launchRequest(ctx, g, zone, choice), ctx);
  const inst = r.Instances![0]!;
  const id = inst.InstanceId!;
  setTags(ctx.tx, ctx.scope, 'instance', id, [...tagsOf(ctx.tx, ctx.scope, id), { Key: 'aws:autoscaling:groupName', Value: g.name }]);
  const rec = ctx.tx.get<InstanceRecord>(ctx.scope, INSTANCE_KIND, id)!;
  return {
    id, zone: rec.zoneName, subnetId: rec.subnetId, state: 'Pending', health: 'Healthy', protected: g.protectNew,
    instanceType: rec.instanceType, imageId: rec.imageId,
    ...(rec.launchTemplate ? { launchTemplate: { ...rec.launchTemplate, version: g.launchTemplate?.version === '$Latest' || g.launchTemplate?.version === '$Default' ? g.launchTemplate.version : rec.launchTemplate.version } } : {}),
    ...(g.launchConfigurationName && !rec.launchTemplate ? { launchConfig: g.launchConfigurationName } : {}),
    ...(choice?.weight ? { weight: choice.weight } : {}), ...(rec.lifecycle === 'spot' ? { spot: true } : {}),
    launchedMs: ctx.clock.nowMs(),
  };
}

export const ec2Instance = (ctx: RequestContext, id: string): InstanceRecord | undefined => ctx.tx.get<InstanceRecord>(ctx.scope, INSTANCE_KIND, id);

/** The EC2 state of a member's instance ('terminated' when gone). */
export function ec2State(ctx: RequestContext, id: string): string {
  const i = ec2Instance(ctx, id);
  return i ? instanceState(i, ctx.clock.nowMs()) : 'terminated';
}

/** Terminates the member's EC2 instance if it still runs (as the service-linked role: "User initiated", as AWS shows). */
export function terminateEc2(ctx: RequestContext, id: string): void {
  const i = ec2Instance(ctx, id);
  const now = ctx.clock.nowMs();
  if (!i || !(isLive(instanceState(i, now)) || instanceState(i, now) === 'stopped' || instanceState(i, now) === 'stopping')) return;
  applyTerminate(ctx, i, now, { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
}
