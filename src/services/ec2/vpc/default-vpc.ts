/**
 * The default VPC every account has in every region, made on first use of the VPC API:
 * 172.31.0.0/16, one /20 default subnet per zone in zone-letter order (public IPs on
 * launch), an attached internet gateway and 0.0.0.0/0 -> igw in the main route table.
 * Deleting it is allowed (it is then gone until CreateDefaultVpc), as on AWS.
 */
import type {
  AccountAttribute, CreateDefaultSubnetRequest, CreateDefaultSubnetResult, CreateDefaultVpcRequest, CreateDefaultVpcResult,
  DescribeAccountAttributesRequest, DescribeAccountAttributesResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { zones, type ZoneInfo } from '../../../core/regions.js';
import { formatCidr, mustCidr, nthSubnet, overlaps } from '../../../network/cidr.js';
import type { Handler, RequestContext } from '../../types.js';
import { RESOURCE_TYPES } from '../ids.js';
import { createIgwRecord } from './internet-gateways.js';
import { ACCOUNT_STATE_KIND, type Ec2AccountState, type RouteTableRecord, type SubnetRecord, type VpcRecord } from './records.js';
import { createSubnetRecord, subnetShape, zoneParam } from './subnets.js';
import { createVpcRecord, vpcShape } from './vpcs.js';

export const DEFAULT_VPC_CIDR = '172.31.0.0/16';
const STATE_ID = 'state';
const K = { vpc: RESOURCE_TYPES.vpc.kind, subnet: RESOURCE_TYPES.subnet.kind, rtb: RESOURCE_TYPES['route-table'].kind };

/** The default VPC of the request's account and region, if there is one. */
export function defaultVpc(ctx: RequestContext): VpcRecord | undefined {
  const id = ctx.tx.get<Ec2AccountState>(ctx.scope, ACCOUNT_STATE_KIND, STATE_ID)?.defaultVpcId;
  return id ? ctx.tx.get<VpcRecord>(ctx.scope, K.vpc, id) : undefined;
}

/** The next free /20 of the default VPC's block (default subnets of new zones). */
function nextDefaultBlock(ctx: RequestContext, vpc: VpcRecord): string | undefined {
  const taken = ctx.tx.findBy<SubnetRecord>(ctx.scope, K.subnet, 'vpc', { key: vpc.id }).map((h) => mustCidr(h.value.cidrBlock));
  const parent = mustCidr(vpc.cidrBlock);
  for (let i = 0; i < 16; i++) {
    const c = nthSubnet(parent, 20, i)!;
    if (!taken.some((t) => overlaps(t, c))) return formatCidr(c);
  }
  return undefined;
}

function createDefault(ctx: RequestContext): VpcRecord {
  const vpc = createVpcRecord(ctx, { cidr: DEFAULT_VPC_CIDR, isDefault: true });
  const igw = createIgwRecord(ctx, [], vpc.id);
  const rtb = ctx.tx.get<RouteTableRecord>(ctx.scope, K.rtb, vpc.mainRouteTableId)!;
  rtb.routes.push({ destinationCidrBlock: '0.0.0.0/0', target: igw.id, origin: 'CreateRoute' });
  ctx.tx.put(ctx.scope, K.rtb, rtb.id, rtb);
  zones(ctx.region, ctx.account).forEach((zone, i) => {
    createSubnetRecord(ctx, { vpc, cidr: formatCidr(nthSubnet(mustCidr(DEFAULT_VPC_CIDR), 20, i)!), zone, defaultForAz: true });
  });
  ctx.tx.put(ctx.scope, ACCOUNT_STATE_KIND, STATE_ID, { defaultVpcCreated: true, defaultVpcId: vpc.id } satisfies Ec2AccountState);
  return vpc;
}

/** Makes the default VPC the first time the account uses the VPC API in a region. */
export function ensureDefaultVpc(ctx: RequestContext): void {
  const state = ctx.tx.get<Ec2AccountState>(ctx.scope, ACCOUNT_STATE_KIND, STATE_ID);
  if (state?.defaultVpcCreated) return;
  createDefault(ctx);
}

export const createDefaultVpc: Handler<CreateDefaultVpcRequest, CreateDefaultVpcResult> = (_input, ctx) => {
  const existing = defaultVpc(ctx);
  if (existing) throw new AwsError('DefaultVpcAlreadyExists', `A Default VPC already exists for this account in this region (${existing.id}).`);
  const vpc = createDefault(ctx);
  return { Vpc: { ...vpcShape(vpc, []), State: 'pending' } };
};

export const createDefaultSubnet: Handler<CreateDefaultSubnetRequest, CreateDefaultSubnetResult> = (input, ctx) => {
  const vpc = defaultVpc(ctx);
  if (!vpc) throw new AwsError('DefaultVpcDoesNotExist', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  if (input.AvailabilityZone === undefined && input.AvailabilityZoneId === undefined) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter availabilityZone or availabilityZoneId');
  }
  if (input.Ipv6Native) throw new AwsError('InvalidParameterValue', 'IPv6-only default subnets are not available in cloudlet yet');
  const zone: ZoneInfo = zoneParam(ctx, input.AvailabilityZone, input.AvailabilityZoneId);
  const have = ctx.tx.findBy<SubnetRecord>(ctx.scope, K.subnet, 'vpc', { key: vpc.id }).find((h) => h.value.defaultForAz && h.value.zoneName === zone.zoneName);
  if (have) {
    throw new AwsError('DefaultSubnetAlreadyExistsInAvailabilityZone', `${have.id} is already the default subnet for ${zone.zoneName}`);
  }
  const cidr = nextDefaultBlock(ctx, vpc);
  if (!cidr) throw new AwsError('InsufficientFreeAddressesInSubnet', `The default VPC ${vpc.id} has no free /20 block left for a default subnet`);
  const s = createSubnetRecord(ctx, { vpc, cidr, zone, defaultForAz: true });
  return { Subnet: subnetShape(ctx, s, []) };
};

/** The account limits AWS reports (cloudlet enforces the Elastic IP and security-group ones). */
export const ACCOUNT_LIMITS = {
  'max-instances': '20',
  'max-elastic-ips': '5',
  'vpc-max-elastic-ips': '5',
  'vpc-max-security-groups-per-interface': '5',
} as const;

export const describeAccountAttributes: Handler<DescribeAccountAttributesRequest, DescribeAccountAttributesResult> = (input, ctx) => {
  const all: Record<string, string[]> = {
    'supported-platforms': ['VPC'],
    'default-vpc': [defaultVpc(ctx)?.id ?? 'none'],
    ...Object.fromEntries(Object.entries(ACCOUNT_LIMITS).map(([k, v]) => [k, [v]])),
  };
  const names = input.AttributeNames?.length ? input.AttributeNames : Object.keys(all);
  const out: AccountAttribute[] = [];
  for (const n of names) {
    const v = all[n];
    if (!v) throw new AwsError('InvalidParameterValue', `Value (${n}) for parameter attributeName is invalid. Valid values: ${Object.keys(all).join(', ')}`);
    out.push({ AttributeName: n, AttributeValues: v.map((AttributeValue) => ({ AttributeValue })) });
  }
  return { AccountAttributes: out };
};

