/**
 * Load balancers: CreateLoadBalancer (application and network; one network interface per
 * enabled zone, made through EC2's eni-core so the reachability engine sees them), Describe,
 * Delete, attributes, SetSubnets / SetSecurityGroups / SetIpAddressType. State is derived from
 * the clock: `provisioning` until activeMs (PROVISION_MS after creation), `active` after.
 *
 * DNS names keep AWS's shape with a local suffix instead of amazonaws.com:
 *   ALB  NAME-1234567890.REGION.elb.localhost   (internal-NAME-... when internal)
 *   NLB  NAME-0123456789abcdef.elb.REGION.localhost
 * Nothing answers at these names: no traffic is proxied.
 */
import type {
  AvailabilityZone, CreateLoadBalancerInput, CreateLoadBalancerOutput, DeleteLoadBalancerInput, DeleteLoadBalancerOutput,
  DescribeCapacityReservationInput, DescribeCapacityReservationOutput, DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput, DescribeLoadBalancersInput, DescribeLoadBalancersOutput,
  LoadBalancer, ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput, SetIpAddressTypeInput, SetIpAddressTypeOutput,
  SetSecurityGroupsInput, SetSecurityGroupsOutput, SetSubnetsInput, SetSubnetsOutput, SubnetMapping,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import { mustCidr, usableCount } from '../../network/cidr.js';
import type { Handler, RequestContext } from '../types.js';
import { RESOURCE_TYPES } from '../ec2/ids.js';
import { dropTags as dropEc2Tags } from '../ec2/tags.js';
import { associateWithInterface } from '../ec2/vpc/addresses.js';
import { createInterfaceRecord, K as ENI_K, releaseIpv4, releaseMac, takeIpv4 } from '../ec2/vpc/eni-core.js';
import type { AddressRecord, NetworkInterfaceRecord } from '../ec2/vpc/records-eni.js';
import type { SecurityGroupRecord, SubnetRecord, VpcRecord } from '../ec2/vpc/records.js';
import { applyAttributes, attributeList, lbDefaults } from './lb-attributes.js';
import {
  arnPrefix, getLb, hex16, invalidConfig, KIND, lbTypeCode, listenersOf, page, validation, type LbType, type LbZoneRecord, type LoadBalancerRecord,
} from './records.js';
import { checkTags, setTags } from './tags.js';

/** provisioning -> active after this much clock time (CLOUDLET_ELB_PROVISION_SECONDS, default 3). */
export const provisionMs = (): number => {
  const s = Number(process.env.CLOUDLET_ELB_PROVISION_SECONDS ?? '3');
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 3000;
};

/** Route 53 hosted zone IDs of ELB DNS names, as AWS lists them (ALB/CLB, NLB); others fall back to us-east-1's. */
const ZONE_IDS: Record<string, [string, string]> = {
  'us-east-1': ['Z35SXDOTRQ7X7K', 'Z26RNL4JYFTOTI'], 'us-east-2': ['Z3AADJGX6KTTL2', 'ZLMOA37VPKANP'],
  'us-west-1': ['Z368ELLRRE2KJ0', 'Z24FKFUX50B4VW'], 'us-west-2': ['Z1H1FL5HABSF5', 'Z18D5FSROUN65G'],
  'ca-central-1': ['ZQSVJUPU6J1EY', 'Z2EPGBW3API2WT'], 'eu-west-1': ['Z32O12XQLNTSW2', 'Z2IFOLAFXWLO4F'],
  'eu-west-2': ['ZHURV8PSTC4K8', 'ZD4D7Y8KGAS4G'], 'eu-west-3': ['Z3Q77PNBQS71R4', 'Z1CMS0P5QUZ6D5'],
  'eu-central-1': ['Z215JYRZR1TBD5', 'Z3F0SRJ5LGBH90'], 'ap-northeast-1': ['Z14GRHDCWA56QT', 'Z31USIVHYNEOWT'],
  'ap-northeast-2': ['ZWKZPGTI48KDX', 'ZIBE1TIR4HY56'], 'ap-southeast-1': ['Z1LMS91P8CMLE5', 'ZKVM4W9LS7TM'],
  'ap-southeast-2': ['Z1GM3OXH4ZPM65', 'ZCT6FZBF4DROD'], 'ap-south-1': ['ZP97RAFLXTNZK', 'ZVDDRBQ08TROA'],
  'sa-east-1': ['Z2P70J7HTTTPLU', 'ZTK26PT1VY4CU'],
};

export function checkName(name: string | undefined, what: 'Load balancer' | 'Target group'): string {
  if (!name) throw validation(`${what} name cannot be empty`);
  if (name.length > 32) throw validation(`${what} name '${name}' cannot be longer than '32' characters`);
  if (!/^[a-zA-Z0-9-]+$/.test(name)) throw validation(`${what} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validation(`${what} name '${name}' cannot begin or end with '-'`);
  if (what === 'Load balancer' && name.toLowerCase().startsWith('internal-')) throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
  return name;
}

const dnsName = (lb: LoadBalancerRecord, region: string): string => lb.type === 'application'
  ? `${lb.scheme === 'internal' ? 'internal-' : ''}${lb.name}-${BigInt(`0x${lb.id}`) % 10_000_000_000n}.${region}.elb.localhost`
  : `${lb.scheme === 'internal' ? 'internal-' : ''}${lb.name}-${lb.id}.elb.${region}.localhost`;

export const lbState = (lb: LoadBalancerRecord, nowMs: number): 'provisioning' | 'active' => (nowMs < lb.activeMs ? 'provisioning' : 'active');

function lbShape(ctx: RequestContext, lb: LoadBalancerRecord): LoadBalancer {
  const zoneIds = ZONE_IDS[ctx.region] ?? ZONE_IDS['us-east-1']!;
  return {
    LoadBalancerArn: lb.arn, DNSName: dnsName(lb, ctx.region), CanonicalHostedZoneId: lb.type === 'network' ? zoneIds[1] : zoneIds[0],
    CreatedTime: new Date(lb.createdMs), LoadBalancerName: lb.name, Scheme: lb.scheme, VpcId: lb.vpcId,
    State: { Code: lbState(lb, ctx.clock.nowMs()) }, Type: lb.type,
    AvailabilityZones: lb.zones.map((z): AvailabilityZone => ({
      ZoneName: z.zoneName, SubnetId: z.subnetId,
      LoadBalancerAddresses: lb.type === 'network'
        ? [{ ...(z.publicIp ? { IpAddress: z.publicIp, AllocationId: z.allocationId } : {}), ...(lb.scheme === 'internal' ? { PrivateIPv4Address: z.privateIp } : {}) }]
        : [],
    })),
    ...(lb.type === 'application' || lb.securityGroups.length ? { SecurityGroups: lb.securityGroups } : {}),
    IpAddressType: lb.ipAddressType,
  };
}

interface ZoneAsk { subnet: SubnetRecord; allocationId?: string; privateIp?: string }

/** Subnets (or mappings) to zones: all exist, one VPC, one per zone; ALBs need two zones. */
function zonesOf(ctx: RequestContext, type: LbType, subnets: string[] | undefined, mappings: SubnetMapping[] | undefined): ZoneAsk[] {
  if (subnets?.length && mappings?.length) throw validation('You can specify subnets or subnet mappings, not both');
  const asks: Array<{ SubnetId?: string; AllocationId?: string; PrivateIPv4Address?: string }> = mappings?.length ? mappings : (subnets ?? []).map((SubnetId) => ({ SubnetId }));
  if (!asks.length) throw validation('At least one subnet must be specified');
  const out: ZoneAsk[] = [];
  for (const a of asks) {
    const s = a.SubnetId ? ctx.tx.get<SubnetRecord>(ctx.scope, RESOURCE_TYPES.subnet.kind, a.SubnetId) : undefined;
    if (!s) throw new AwsError('SubnetNotFound', `The subnet ID '${a.SubnetId ?? ''}' is not valid`);
    if (out.some((o) => o.subnet.zoneName === s.zoneName)) throw invalidConfig(`A load balancer cannot be attached to multiple subnets in the same Availability Zone`);
    if (out.length && out[0]!.subnet.vpcId !== s.vpcId) throw invalidConfig(`Subnets must all be in the same VPC`);
    if (a.AllocationId && type !== 'network') throw invalidConfig('Elastic IP addresses can be specified for Network Load Balancers only');
    out.push({ subnet: s, ...(a.AllocationId ? { allocationId: a.AllocationId } : {}), ...(a.PrivateIPv4Address ? { privateIp: a.PrivateIPv4Address } : {}) });
  }
  if (type === 'application' && out.length < 2) throw validation('At least two subnets in two different Availability Zones must be specified');
  return out;
}

function checkGroups(ctx: RequestContext, vpcId: string, ids: string[]): string[] {
  if (ids.length > 5) throw validation('A load balancer can have at most 5 security groups');
  for (const id of ids) {
    const g = ctx.tx.get<SecurityGroupRecord>(ctx.scope, RESOURCE_TYPES['security-group'].kind, id);
    if (!g || g.vpcId !== vpcId) throw new AwsError('InvalidSecurityGroup', `Security group '${id}' does not exist`);
  }
  return [...new Set(ids)];
}

function makeZone(ctx: RequestContext, lb: LoadBalancerRecord, z: ZoneAsk): LbZoneRecord {
  if (Number(usableCount(mustCidr(z.subnet.cidrBlock))) - z.subnet.usedIpv4 < 8) {
    throw new AwsError('InvalidSubnet', `Not enough IP space available in ${z.subnet.id}. ELB requires at least 8 free IP addresses in each subnet.`);
  }
  const [ip] = takeIpv4(ctx, z.subnet, z.privateIp ? [z.privateIp] : [], z.privateIp ? 0 : 1);
  const eni = createInterfaceRecord(ctx, {
    subnet: z.subnet, groups: lb.securityGroups, privateIps: [ip!], requesterId: 'amazon-elb',
    interfaceType: lb.type === 'network' ? 'network_load_balancer' : 'interface',
    description: `ELB ${lbTypeCode(lb.type)}/${lb.name}/${lb.id}`,
  });
  const out: LbZoneRecord = { zoneName: z.subnet.zoneName, zoneId: z.subnet.zoneId, subnetId: z.subnet.id, networkInterfaceId: eni.id, privateIp: ip! };
  if (z.allocationId) {
    const eip = ctx.tx.get<AddressRecord>(ctx.scope, ENI_K.eip, z.allocationId);
    if (!eip) throw new AwsError('AllocationIdNotFound', `The allocation ID '${z.allocationId}' does not exist`);
    associateWithInterface(ctx, eip, eni, ip, false);
    out.allocationId = eip.allocationId;
    out.publicIp = eip.publicIp;
  }
  return out;
}

function dropZone(ctx: RequestContext, z: LbZoneRecord): void {
  if (z.allocationId) {
    const eip = ctx.tx.get<AddressRecord>(ctx.scope, ENI_K.eip, z.allocationId);
    if (eip?.association?.networkInterfaceId === z.networkInterfaceId) { delete eip.association; ctx.tx.put(ctx.scope, ENI_K.eip, eip.allocationId, eip); }
  }
  const eni = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, z.networkInterfaceId);
  if (!eni) return;
  releaseIpv4(ctx, eni.subnetId, eni.privateIps.length, eni.privateIps.map((p) => p.address));
  releaseMac(ctx, eni.macAddress);
  ctx.tx.delete(ctx.scope, ENI_K.eni, eni.id);
  dropEc2Tags(ctx.tx, ctx.scope, eni.id);
}

/** Keeps the interfaces' security groups in step with the load balancer's. */
function syncGroups(ctx: RequestContext, lb: LoadBalancerRecord): void {
  for (const z of lb.zones) {
    const eni = ctx.tx.get<NetworkInterfaceRecord>(ctx.scope, ENI_K.eni, z.networkInterfaceId);
    if (eni) ctx.tx.put(ctx.scope, ENI_K.eni, eni.id, { ...eni, groups: lb.securityGroups });
  }
}

export const createLoadBalancer: Handler<CreateLoadBalancerInput, CreateLoadBalancerOutput> = (input, ctx) => {
  const name = checkName(input.Name, 'Load balancer');
  const type = (input.Type ?? 'application') as LbType;
  if (type === 'gateway') throw validation('cloudlet does not implement Gateway Load Balancers');
  if (type !== 'application' && type !== 'network') throw validation(`Load balancer type '${type}' is not valid`);
  const scheme = input.Scheme ?? 'internet-facing';
  if (scheme !== 'internet-facing' && scheme !== 'internal') throw validation(`Scheme '${scheme}' is not valid`);
  const ipAddressType = input.IpAddressType ?? 'ipv4';
  if (!['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(ipAddressType)) throw validation(`IP address type '${ipAddressType}' is not valid`);
  const tags = checkTags(input.Tags);
  const existing = ctx.tx.list<LoadBalancerRecord>(ctx.scope, KIND.lb).find((r) => r.value.name === name)?.value;
  const zones = zonesOf(ctx, type, input.Subnets, input.SubnetMappings);
  const vpcId = zones[0]!.subnet.vpcId;
  if (existing) {
    // Idempotent as AWS documents it: the same name with the same settings answers the one that exists.
    const sameZones = existing.zones.map((z) => z.subnetId).sort().join() === zones.map((z) => z.subnet.id).sort().join();
    if (existing.type === type && existing.scheme === scheme && sameZones) return { LoadBalancers: [lbShape(ctx, existing)] };
    throw new AwsError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
  }
  if (scheme === 'internet-facing' && ctx.tx.countBy(ctx.scope, RESOURCE_TYPES['internet-gateway'].kind, 'vpc', { key: vpcId }) === 0) {
    throw new AwsError('InvalidSubnet', `VPC ${vpcId} has no internet gateway`);
  }
  let groups = input.SecurityGroups ?? [];
  if (!groups.length && type === 'application') {
    const vpc = ctx.tx.get<VpcRecord>(ctx.scope, RESOURCE_TYPES.vpc.kind, vpcId);
    groups = vpc ? [vpc.defaultSecurityGroupId] : [];
  }
  const id = hex16();
  const now = ctx.clock.nowMs();
  const lb: LoadBalancerRecord = {
    arn: `${arnPrefix(ctx)}loadbalancer/${lbTypeCode(type)}/${name}/${id}`, name, id, type, scheme, vpcId,
    ipAddressType: ipAddressType as LoadBalancerRecord['ipAddressType'], securityGroups: checkGroups(ctx, vpcId, groups),
    zones: [], createdMs: now, activeMs: now + provisionMs(), attributes: lbDefaults(type, scheme),
  };
  lb.zones = zones.map((z) => makeZone(ctx, lb, z));
  ctx.tx.put(ctx.scope, KIND.lb, lb.arn, lb);
  setTags(ctx, lb.arn, tags);
  return { LoadBalancers: [lbShape(ctx, lb)] };
};

export const describeLoadBalancers: Handler<DescribeLoadBalancersInput, DescribeLoadBalancersOutput> = (input, ctx) => {
  if (input.LoadBalancerArns?.length && input.Names?.length) throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
  let all = ctx.tx.list<LoadBalancerRecord>(ctx.scope, KIND.lb).map((r) => r.value);
  if (input.LoadBalancerArns?.length) {
    all = input.LoadBalancerArns.map((arn) => getLb(ctx, arn));
  } else if (input.Names?.length) {
    const missing = input.Names.filter((n) => !all.some((l) => l.name === n));
    if (missing.length) throw new AwsError('LoadBalancerNotFound', `Load balancers '[${missing.join(', ')}]' not found`);
    all = all.filter((l) => input.Names!.includes(l.name));
  }
  all.sort((a, b) => a.createdMs - b.createdMs || (a.arn < b.arn ? -1 : 1));
  const p = page(all, input.Marker, input.PageSize);
  return { LoadBalancers: p.items.map((l) => lbShape(ctx, l)), ...(p.next ? { NextMarker: p.next } : {}) };
};

export const deleteLoadBalancer: Handler<DeleteLoadBalancerInput, DeleteLoadBalancerOutput> = (input, ctx) => {
  const lb = ctx.tx.get<LoadBalancerRecord>(ctx.scope, KIND.lb, input.LoadBalancerArn ?? '');
  if (!lb) {
    if (!input.LoadBalancerArn) throw validation('A load balancer ARN must be specified');
    return {}; // AWS: deleting a load balancer that is gone succeeds.
  }
  if (lb.attributes['deletion_protection.enabled'] === 'true') {
    throw new AwsError('OperationNotPermitted', `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
  }
  for (const l of listenersOf(ctx, lb.arn)) {
    for (const r of ctx.tx.list(ctx.scope, KIND.rule, { prefix: l.arn.replace(':listener/', ':listener-rule/') + '/' })) {
      ctx.tx.delete(ctx.scope, KIND.rule, r.id);
      ctx.tx.delete(ctx.scope, KIND.tags, r.id);
    }
    ctx.tx.delete(ctx.scope, KIND.listener, l.arn);
    ctx.tx.delete(ctx.scope, KIND.tags, l.arn);
  }
  for (const z of lb.zones) dropZone(ctx, z);
  ctx.tx.delete(ctx.scope, KIND.lb, lb.arn);
  ctx.tx.delete(ctx.scope, KIND.tags, lb.arn);
  return {};
};

export const describeLoadBalancerAttributes: Handler<DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput> = (input, ctx) =>
  ({ Attributes: attributeList(getLb(ctx, input.LoadBalancerArn).attributes) });

/** No LCU reservations are made here: every load balancer answers with none (as one never reserved does on AWS). */
export const describeCapacityReservation: Handler<DescribeCapacityReservationInput, DescribeCapacityReservationOutput> = (input, ctx) => {
  getLb(ctx, input.LoadBalancerArn);
  return { CapacityReservationState: [] };
};

export const modifyLoadBalancerAttributes: Handler<ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput> = (input, ctx) => {
  const lb = getLb(ctx, input.LoadBalancerArn);
  lb.attributes = applyAttributes(lb.attributes, input.Attributes, 'Load balancer');
  if (lb.attributes['access_logs.s3.enabled'] === 'true' && !lb.attributes['access_logs.s3.bucket']) {
    throw invalidConfig('The value of \'access_logs.s3.bucket\' cannot be empty when access logs are enabled');
  }
  ctx.tx.put(ctx.scope, KIND.lb, lb.arn, lb);
  return { Attributes: attributeList(lb.attributes) };
};

export const setSubnets: Handler<SetSubnetsInput, SetSubnetsOutput> = (input, ctx) => {
  const lb = getLb(ctx, input.LoadBalancerArn);
  const asks = zonesOf(ctx, lb.type, input.Subnets, input.SubnetMappings);
  if (asks[0]!.subnet.vpcId !== lb.vpcId) throw invalidConfig(`Subnets must all be in the same VPC as the load balancer (${lb.vpcId})`);
  if (lb.type === 'network' && asks.length < lb.zones.length) throw invalidConfig('Network Load Balancers do not support removing subnets');
  const keep = lb.zones.filter((z) => asks.some((a) => a.subnet.id === z.subnetId));
  for (const z of lb.zones) if (!keep.includes(z)) dropZone(ctx, z);
  const added = asks.filter((a) => !keep.some((z) => z.subnetId === a.subnet.id)).map((a) => makeZone(ctx, lb, a));
  lb.zones = [...keep, ...added];
  ctx.tx.put(ctx.scope, KIND.lb, lb.arn, lb);
  return { AvailabilityZones: lbShape(ctx, lb).AvailabilityZones, IpAddressType: lb.ipAddressType };
};

export const setSecurityGroups: Handler<SetSecurityGroupsInput, SetSecurityGroupsOutput> = (input, ctx) => {
  const lb = getLb(ctx, input.LoadBalancerArn);
  if (lb.type === 'network' && !lb.securityGroups.length) {
    throw invalidConfig('You cannot set security groups on a Network Load Balancer which was created without any security groups.');
  }
  const groups = checkGroups(ctx, lb.vpcId, input.SecurityGroups ?? []);
  if (lb.type === 'application' && !groups.length) throw validation('At least one security group must be specified');
  lb.securityGroups = groups;
  ctx.tx.put(ctx.scope, KIND.lb, lb.arn, lb);
  syncGroups(ctx, lb);
  return { SecurityGroupIds: groups };
};

export const setIpAddressType: Handler<SetIpAddressTypeInput, SetIpAddressTypeOutput> = (input, ctx) => {
  const lb = getLb(ctx, input.LoadBalancerArn);
  const t = input.IpAddressType;
  if (!t || !['ipv4', 'dualstack', 'dualstack-without-public-ipv4'].includes(t)) throw validation(`IP address type '${String(t)}' is not valid`);
  if (t !== 'ipv4') {
    const noV6 = lb.zones.some((z) => !(ctx.tx.get<SubnetRecord>(ctx.scope, RESOURCE_TYPES.subnet.kind, z.subnetId)?.ipv6 ?? []).some((b) => b.state === 'associated'));
    if (noV6) throw invalidConfig('You must specify subnets with an associated IPv6 CIDR block.');
  }
  lb.ipAddressType = t as LoadBalancerRecord['ipAddressType'];
  ctx.tx.put(ctx.scope, KIND.lb, lb.arn, lb);
  return { IpAddressType: lb.ipAddressType };
};
