import type {
  AssociateVpcCidrBlockRequest, AssociateVpcCidrBlockResult, CreateVpcRequest, CreateVpcResult, DeleteVpcRequest,
  DescribeVpcAttributeRequest, DescribeVpcAttributeResult, DescribeVpcsRequest, DescribeVpcsResult,
  DisassociateVpcCidrBlockRequest, DisassociateVpcCidrBlockResult, ModifyVpcAttributeRequest, Vpc,
} from '@aws-sdk/client-ec2';
import { randomInt } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import { amazonIpv6VpcBlock, containsCidr, formatCidr, isRfc1918, mustCidr, overlaps, type Cidr } from '../../../network/cidr.js';
import { INDEXES } from '../../../store/schema.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe, mustGet } from '../describe.js';
import { newId, newIdWithPrefix, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { cidrParam, dependencyViolation, nowIso } from './common.js';
import { peeringsOnVpcDelete } from './peering.js';
import { addIpv6Defaults, defaultNetworkAcl, defaultSecurityGroup } from './defaults.js';
import { ACCOUNT_STATE_KIND, type Ec2AccountState, type NetworkAclRecord, type RouteTableRecord, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from './records.js';

const K = {
  vpc: RESOURCE_TYPES.vpc.kind, subnet: RESOURCE_TYPES.subnet.kind, rtb: RESOURCE_TYPES['route-table'].kind,
  sg: RESOURCE_TYPES['security-group'].kind, acl: RESOURCE_TYPES['network-acl'].kind,
};
export const MAX_IPV4_CIDRS = 5;
export const MAX_IPV6_CIDRS = 5;

/** /16 to /28, as AWS allows for VPC blocks. */
export function checkVpcRange(c: Cidr, text: string): void {
  if (c.prefix < 16 || c.prefix > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${text}' is invalid.`);
}

const amazonIpv6 = (): string => formatCidr(amazonIpv6VpcBlock(randomInt(0, 2 ** 24))!);

export interface NewVpc {
  cidr: string;
  tenancy?: string;
  ipv6?: boolean;
  isDefault?: boolean;
  tags?: Tag[];
}

/** A VPC with its main route table, default security group and default network ACL. */
export function createVpcRecord(ctx: RequestContext, opts: NewVpc): VpcRecord {
  const { tx, scope } = ctx;
  const id = newId('vpc');
  const ipv6 = opts.ipv6 ? [{ associationId: newIdWithPrefix('vpc-cidr-assoc'), cidr: amazonIpv6(), state: 'associated' as const, pool: 'Amazon', networkBorderGroup: ctx.region }] : [];
  const rtb: RouteTableRecord = {
    id: newId('route-table'), vpcId: id, ownerId: ctx.account,
    associations: [{ id: newId('route-table-association'), main: true }],
    routes: [{ destinationCidrBlock: opts.cidr, target: 'local', origin: 'CreateRouteTable' },
      ...ipv6.map((b) => ({ destinationIpv6CidrBlock: b.cidr, target: 'local', origin: 'CreateRouteTable' as const }))],
  };
  const sg = defaultSecurityGroup(ctx, id, ipv6.length > 0);
  const acl = defaultNetworkAcl(ctx, id, ipv6.length > 0);
  const vpc: VpcRecord = {
    id, ownerId: ctx.account, cidrBlock: opts.cidr,
    cidrs: [{ associationId: newIdWithPrefix('vpc-cidr-assoc'), cidr: opts.cidr, state: 'associated' }],
    ipv6, tenancy: (opts.tenancy ?? 'default') as VpcRecord['tenancy'], isDefault: !!opts.isDefault, dhcpOptionsId: 'default',
    enableDnsSupport: true, enableDnsHostnames: !!opts.isDefault, enableNetworkAddressUsageMetrics: false,
    mainRouteTableId: rtb.id, defaultSecurityGroupId: sg.id, defaultNetworkAclId: acl.id, createdAt: nowIso(ctx),
  };
  tx.put(scope, K.vpc, id, vpc);
  tx.put(scope, K.rtb, rtb.id, rtb);
  tx.put(scope, K.sg, sg.id, sg);
  tx.put(scope, K.acl, acl.id, acl);
  if (opts.tags?.length) setTags(tx, scope, 'vpc', id, opts.tags);
  return vpc;
}

export function vpcShape(v: VpcRecord, tags: Tag[]): Vpc {
  return {
    VpcId: v.id, OwnerId: v.ownerId, InstanceTenancy: v.tenancy, CidrBlock: v.cidrBlock, State: 'available',
    DhcpOptionsId: v.dhcpOptionsId, IsDefault: v.isDefault,
    CidrBlockAssociationSet: v.cidrs.map((c) => ({ AssociationId: c.associationId, CidrBlock: c.cidr, CidrBlockState: { State: c.state } })),
    Ipv6CidrBlockAssociationSet: v.ipv6.length ? v.ipv6.map((c) => ({
      AssociationId: c.associationId, Ipv6CidrBlock: c.cidr, Ipv6CidrBlockState: { State: c.state },
      NetworkBorderGroup: c.networkBorderGroup, Ipv6Pool: c.pool,
    })) : undefined,
    Tags: tagList(tags),
  };
}

export const createVpc: Handler<CreateVpcRequest, CreateVpcResult> = (input, ctx) => {
  if (input.Ipv4IpamPoolId || input.Ipv6IpamPoolId || input.Ipv6Pool) {
    throw new AwsError('InvalidParameterValue', 'IPAM pools and BYOIP IPv6 pools are not available in cloudlet; use CidrBlock and AmazonProvidedIpv6CidrBlock');
  }
  const c = cidrParam(input.CidrBlock, 'cidrBlock', 4);
  checkVpcRange(c, input.CidrBlock!);
  const tenancy = input.InstanceTenancy ?? 'default';
  if (tenancy !== 'default' && tenancy !== 'dedicated') {
    throw new AwsError('InvalidParameterValue', `Value (${tenancy}) for parameter instanceTenancy is invalid. Valid values: default, dedicated`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'vpc');
  const vpc = createVpcRecord(ctx, { cidr: formatCidr(c), tenancy, ipv6: !!input.AmazonProvidedIpv6CidrBlock, tags });
  return { Vpc: { ...vpcShape(vpc, tags), State: 'pending' } };
};

export const VPC_FILTERS: Record<string, (v: VpcRecord) => string | string[] | undefined> = {
  cidr: (v) => v.cidrBlock,
  'cidr-block-association.cidr-block': (v) => v.cidrs.map((c) => c.cidr),
  'cidr-block-association.association-id': (v) => v.cidrs.map((c) => c.associationId),
  'cidr-block-association.state': (v) => v.cidrs.map((c) => c.state),
  'dhcp-options-id': (v) => v.dhcpOptionsId,
  'ipv6-cidr-block-association.ipv6-cidr-block': (v) => v.ipv6.map((c) => c.cidr),
  'ipv6-cidr-block-association.ipv6-pool': (v) => v.ipv6.map((c) => c.pool),
  'ipv6-cidr-block-association.association-id': (v) => v.ipv6.map((c) => c.associationId),
  'ipv6-cidr-block-association.state': (v) => v.ipv6.map((c) => c.state),
  'is-default': (v) => bool(v.isDefault),
  'owner-id': (v) => v.ownerId,
  state: () => 'available',
  'vpc-id': (v) => v.id,
};

export const describeVpcs: Handler<DescribeVpcsRequest, DescribeVpcsResult> = (input, ctx) => {
  const { items, nextToken } = describe<VpcRecord>(ctx, input, {
    operation: 'DescribeVpcs', type: 'vpc', ids: input.VpcIds, idsParam: 'vpcIds', fields: VPC_FILTERS,
  });
  return { Vpcs: items.map((d) => vpcShape(d.record, d.tags)), NextToken: nextToken };
};

/** Kinds with a 'vpc' index (schema.ts) hold things that live in a VPC: any of them blocks DeleteVpc. */
const VPC_DEPENDENT_KINDS = INDEXES.filter((d) => d.name === 'vpc').map((d) => d.kind);

export const deleteVpc: Handler<DeleteVpcRequest, object> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const { tx, scope } = ctx;
  const own = new Set([vpc.mainRouteTableId, vpc.defaultSecurityGroupId, vpc.defaultNetworkAclId]);
  for (const kind of VPC_DEPENDENT_KINDS) {
    const hits = tx.findBy(scope, kind, 'vpc', { key: vpc.id, limit: 4 });
    if (hits.some((h) => !own.has(h.id))) throw dependencyViolation('vpc', vpc.id);
  }
  peeringsOnVpcDelete(ctx, vpc.id);
  for (const [kind, id] of [[K.rtb, vpc.mainRouteTableId], [K.sg, vpc.defaultSecurityGroupId], [K.acl, vpc.defaultNetworkAclId]] as const) {
    tx.delete(scope, kind, id);
    dropTags(tx, scope, id);
  }
  tx.delete(scope, K.vpc, vpc.id);
  dropTags(tx, scope, vpc.id);
  if (vpc.isDefault) tx.put(scope, ACCOUNT_STATE_KIND, 'state', { defaultVpcCreated: true } satisfies Ec2AccountState);
  return {};
};

/** AWS's restrictions on a secondary block, given the primary one. */
function checkSecondary(vpc: VpcRecord, c: Cidr, text: string): void {
  checkVpcRange(c, text);
  const primary = mustCidr(vpc.cidrBlock);
  const net = { family: 4 as const, value: c.network };
  const ranges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(mustCidr);
  const groupOf = (x: Cidr): number => ranges.findIndex((r) => containsCidr(r, x));
  const pg = groupOf(primary);
  const ng = groupOf(c);
  const restricted = (ng >= 0 && ng !== pg) || (ng < 0 && isRfc1918(net)) ||
    (containsCidr(mustCidr('198.19.0.0/16'), c) && !containsCidr(mustCidr('198.19.0.0/16'), primary));
  if (restricted) {
    throw new AwsError('InvalidVpc.Range', `The CIDR '${text}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.`);
  }
  for (const b of vpc.cidrs) {
    if (b.state === 'associated' && overlaps(mustCidr(b.cidr), c)) {
      throw new AwsError('InvalidVpc.Range', `The CIDR '${text}' overlaps with the CIDR '${b.cidr}' of ${vpc.id}.`);
    }
  }
  if (vpc.cidrs.filter((b) => b.state === 'associated').length >= MAX_IPV4_CIDRS) {
    throw new AwsError('CidrLimitExceeded', `This network '${vpc.id}' has met its maximum number of allowed CIDRs: ${MAX_IPV4_CIDRS}`);
  }
}

/** Every route table of the VPC gets (or loses) the block's local route. */
function updateLocalRoutes(ctx: RequestContext, vpcId: string, block: string, v6: boolean, add: boolean): void {
  for (const h of ctx.tx.findBy<RouteTableRecord>(ctx.scope, K.rtb, 'vpc', { key: vpcId })) {
    const rt = h.value;
    const same = (r: RouteTableRecord['routes'][number]): boolean => r.target === 'local' && (v6 ? r.destinationIpv6CidrBlock : r.destinationCidrBlock) === block;
    if (add && !rt.routes.some(same)) rt.routes.push(v6 ? { destinationIpv6CidrBlock: block, target: 'local', origin: 'CreateRouteTable' } : { destinationCidrBlock: block, target: 'local', origin: 'CreateRouteTable' });
    if (!add) rt.routes = rt.routes.filter((r) => !same(r));
    ctx.tx.put(ctx.scope, K.rtb, rt.id, rt);
  }
}

export const associateVpcCidrBlock: Handler<AssociateVpcCidrBlockRequest, AssociateVpcCidrBlockResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const { tx, scope } = ctx;
  if (input.CidrBlock !== undefined) {
    if (input.AmazonProvidedIpv6CidrBlock) throw new AwsError('InvalidParameterCombination', 'Specify either cidrBlock or amazonProvidedIpv6CidrBlock, not both');
    const c = cidrParam(input.CidrBlock, 'cidrBlock', 4);
    const text = formatCidr(c);
    checkSecondary(vpc, c, text);
    const assoc = { associationId: newIdWithPrefix('vpc-cidr-assoc'), cidr: text, state: 'associated' as const };
    vpc.cidrs.push(assoc);
    tx.put(scope, K.vpc, vpc.id, vpc);
    updateLocalRoutes(ctx, vpc.id, text, false, true);
    return { VpcId: vpc.id, CidrBlockAssociation: { AssociationId: assoc.associationId, CidrBlock: text, CidrBlockState: { State: 'associating' } } };
  }
  if (!input.AmazonProvidedIpv6CidrBlock) {
    throw new AwsError('MissingParameter', 'The request must contain either cidrBlock or amazonProvidedIpv6CidrBlock');
  }
  if (vpc.ipv6.length >= MAX_IPV6_CIDRS) {
    throw new AwsError('CidrLimitExceeded', `This network '${vpc.id}' has met its maximum number of allowed IPv6 CIDRs: ${MAX_IPV6_CIDRS}`);
  }
  const assoc = { associationId: newIdWithPrefix('vpc-cidr-assoc'), cidr: amazonIpv6(), state: 'associated' as const, pool: 'Amazon', networkBorderGroup: input.Ipv6CidrBlockNetworkBorderGroup ?? ctx.region };
  const first = vpc.ipv6.length === 0;
  vpc.ipv6.push(assoc);
  tx.put(scope, K.vpc, vpc.id, vpc);
  updateLocalRoutes(ctx, vpc.id, assoc.cidr, true, true);
  if (first) {
    const acl = tx.get<NetworkAclRecord>(scope, K.acl, vpc.defaultNetworkAclId);
    const sg = tx.get<SecurityGroupRecord>(scope, K.sg, vpc.defaultSecurityGroupId);
    addIpv6Defaults(acl, sg);
    if (acl) tx.put(scope, K.acl, acl.id, acl);
    if (sg) tx.put(scope, K.sg, sg.id, sg);
  }
  return {
    VpcId: vpc.id,
    Ipv6CidrBlockAssociation: {
      AssociationId: assoc.associationId, Ipv6CidrBlock: assoc.cidr, Ipv6CidrBlockState: { State: 'associating' },
      NetworkBorderGroup: assoc.networkBorderGroup, Ipv6Pool: 'Amazon',
    },
  };
};

export const disassociateVpcCidrBlock: Handler<DisassociateVpcCidrBlockRequest, DisassociateVpcCidrBlockResult> = (input, ctx) => {
  const id = input.AssociationId ?? '';
  const { tx, scope } = ctx;
  const hit = tx.findBy<VpcRecord>(scope, K.vpc, 'cidr-assoc', { key: id })[0] ?? tx.findBy<VpcRecord>(scope, K.vpc, 'ipv6-assoc', { key: id })[0];
  if (!hit) throw new AwsError('InvalidVpcCidrBlockAssociationID.NotFound', `The vpc CIDR block association ID '${id}' does not exist`);
  const vpc = hit.value;
  const v4 = vpc.cidrs.find((c) => c.associationId === id);
  const subnets = tx.findBy<SubnetRecord>(scope, K.subnet, 'vpc', { key: vpc.id });
  if (v4) {
    if (v4.cidr === vpc.cidrBlock) {
      throw new AwsError('OperationNotPermitted', `The vpc ${vpc.id} has a primary CIDR block ${v4.cidr} which cannot be disassociated.`);
    }
    const block = mustCidr(v4.cidr);
    if (subnets.some((s) => containsCidr(block, mustCidr(s.value.cidrBlock)))) {
      throw new AwsError('InvalidCidrBlock.InUse', `The vpc '${vpc.id}' currently has subnets within CIDR block '${v4.cidr}'`);
    }
    vpc.cidrs = vpc.cidrs.filter((c) => c !== v4);
    tx.put(scope, K.vpc, vpc.id, vpc);
    updateLocalRoutes(ctx, vpc.id, v4.cidr, false, false);
    return { VpcId: vpc.id, CidrBlockAssociation: { AssociationId: id, CidrBlock: v4.cidr, CidrBlockState: { State: 'disassociating' } } };
  }
  const v6 = vpc.ipv6.find((c) => c.associationId === id)!;
  const block = mustCidr(v6.cidr);
  if (subnets.some((s) => s.value.ipv6.some((b) => containsCidr(block, mustCidr(b.cidr))))) {
    throw new AwsError('InvalidCidrBlock.InUse', `The vpc '${vpc.id}' currently has subnets within CIDR block '${v6.cidr}'`);
  }
  vpc.ipv6 = vpc.ipv6.filter((c) => c !== v6);
  tx.put(scope, K.vpc, vpc.id, vpc);
  updateLocalRoutes(ctx, vpc.id, v6.cidr, true, false);
  return {
    VpcId: vpc.id,
    Ipv6CidrBlockAssociation: { AssociationId: id, Ipv6CidrBlock: v6.cidr, Ipv6CidrBlockState: { State: 'disassociating' }, NetworkBorderGroup: v6.networkBorderGroup, Ipv6Pool: v6.pool },
  };
};

const ATTRIBUTES = {
  enableDnsSupport: 'EnableDnsSupport',
  enableDnsHostnames: 'EnableDnsHostnames',
  enableNetworkAddressUsageMetrics: 'EnableNetworkAddressUsageMetrics',
} as const;

export const describeVpcAttribute: Handler<DescribeVpcAttributeRequest, DescribeVpcAttributeResult> = (input, ctx) => {
  const attr = input.Attribute as keyof typeof ATTRIBUTES | undefined;
  if (!attr || !(attr in ATTRIBUTES)) {
    throw new AwsError('InvalidParameterValue', `Value (${attr ?? ''}) for parameter attribute is invalid. Valid values: ${Object.keys(ATTRIBUTES).join(', ')}`);
  }
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  return { VpcId: vpc.id, [ATTRIBUTES[attr]]: { Value: vpc[attr] } };
};

export const modifyVpcAttribute: Handler<ModifyVpcAttributeRequest, object> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const members = input as unknown as Record<string, { Value?: boolean } | undefined>;
  const given = (Object.entries(ATTRIBUTES) as Array<[keyof typeof ATTRIBUTES, string]>)
    .filter(([, member]) => members[member]?.Value !== undefined);
  if (given.length === 0) throw new AwsError('MissingParameter', 'The request must contain exactly one attribute to modify');
  if (given.length > 1) {
    throw new AwsError('InvalidParameterCombination', `Fields for multiple attribute types specified: ${given.map(([a]) => a).join(', ')}`);
  }
  const [attr, member] = given[0]!;
  const value = members[member]!.Value!;
  if (attr === 'enableDnsHostnames' && value && !vpc.enableDnsSupport) {
    throw new AwsError('InvalidParameterValue', 'DNS hostnames cannot be enabled while DNS resolution (enableDnsSupport) is disabled');
  }
  vpc[attr] = value;
  ctx.tx.put(ctx.scope, K.vpc, vpc.id, vpc);
  return {};
};

