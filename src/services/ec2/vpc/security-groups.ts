/**
 * Security groups: create (name rules, one name per VPC, the default allow-all egress),
 * delete (never the default group; not while an interface uses it or another group's rule
 * references it), describe with filters, and authorize/revoke of ingress and egress rules.
 */
import type {
  AuthorizeSecurityGroupEgressRequest, AuthorizeSecurityGroupEgressResult, AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult, CreateSecurityGroupRequest, CreateSecurityGroupResult, DeleteSecurityGroupRequest,
  DeleteSecurityGroupResult, DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult, IpPermission,
  RevokeSecurityGroupEgressRequest, RevokeSecurityGroupIngressRequest, RevokeSecurityGroupIngressResult, SecurityGroup,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { arnOf, newId, notFound, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { defaultVpc } from './default-vpc.js';
import type { SecurityGroupRecord, SecurityGroupRuleRecord, VpcRecord } from './records.js';
import { addRules, ipPermissions, ruleKey, rulesFromPermissions, ruleShape, ruleWeight } from './sg-rules.js';

const K = { sg: RESOURCE_TYPES['security-group'].kind, eni: RESOURCE_TYPES['network-interface'].kind };
/** AWS's default quota of security groups per VPC. */
export const MAX_GROUPS_PER_VPC = 2500;

const NAME_CHARS = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

function checkNameOrDescription(value: string | undefined, param: 'groupName' | 'groupDescription'): string {
  if (value === undefined || value === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${param}`);
  if (value.length > 255) throw new AwsError('InvalidParameterValue', `Invalid value '${value}' for ${param}. Length exceeds maximum of 255`);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(value)) throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. Character sets beyond ASCII are not supported.`);
  if (!NAME_CHARS.test(value)) {
    throw new AwsError('InvalidParameterValue', `Invalid value '${value}' for ${param}. Valid characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*`);
  }
  return value;
}

/** A VPC's group of that name (the 'name' index: as many rows as groups share the name). */
export function groupByName(ctx: RequestContext, vpcId: string, name: string, scope = ctx.scope): SecurityGroupRecord | undefined {
  return ctx.tx.findBy<SecurityGroupRecord>(scope, K.sg, 'name', { key: name }).find((h) => h.value.vpcId === vpcId)?.value;
}

/** The group a request names by GroupId, or by GroupName in the default VPC (as AWS allows). */
export function groupParam(ctx: RequestContext, groupId: string | undefined, groupName: string | undefined): SecurityGroupRecord {
  if (groupId !== undefined && groupId !== '') return mustGet<SecurityGroupRecord>(ctx, 'security-group', groupId);
  if (groupName === undefined || groupName === '') throw new AwsError('MissingParameter', 'The request must contain the parameter groupId or groupName');
  const vpc = defaultVpc(ctx);
  const g = vpc && groupByName(ctx, vpc.id, groupName);
  if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${groupName}' does not exist in default VPC '${vpc?.id ?? 'none'}'`);
  return g;
}

export function securityGroupShape(ctx: RequestContext, g: SecurityGroupRecord, tags: Tag[]): SecurityGroup {
  return {
    GroupId: g.id, GroupName: g.name, Description: g.description, VpcId: g.vpcId, OwnerId: g.ownerId,
    SecurityGroupArn: arnOf('security-group', ctx.region, g.ownerId, g.id),
    IpPermissions: ipPermissions(g.rules.filter((r) => !r.egress)),
    IpPermissionsEgress: ipPermissions(g.rules.filter((r) => r.egress)),
    Tags: tagList(tags),
  };
}

export const createSecurityGroup: Handler<CreateSecurityGroupRequest, CreateSecurityGroupResult> = (input, ctx) => {
  const name = checkNameOrDescription(input.GroupName, 'groupName');
  const description = checkNameOrDescription(input.Description, 'groupDescription');
  if (name.toLowerCase().startsWith('sg-')) throw new AwsError('InvalidParameterValue', `Invalid value '${name}' for groupName. Group names may not be in the format sg-*.`);
  if (name === 'default') throw new AwsError('InvalidGroup.Reserved', "The security group 'default' is reserved");
  let vpc: VpcRecord;
  if (input.VpcId !== undefined && input.VpcId !== '') vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  else {
    const d = defaultVpc(ctx);
    if (!d) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    vpc = d;
  }
  if (groupByName(ctx, vpc.id, name)) {
    throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.id}'`);
  }
  if (ctx.tx.countBy(ctx.scope, K.sg, 'vpc', { key: vpc.id }) >= MAX_GROUPS_PER_VPC) {
    throw new AwsError('SecurityGroupLimitExceeded', `The maximum number of security groups for VPC '${vpc.id}' has been reached (${MAX_GROUPS_PER_VPC}).`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'security-group');
  const rules: SecurityGroupRuleRecord[] = [{ id: newId('security-group-rule'), egress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }];
  if (vpc.ipv6.length) rules.push({ id: newId('security-group-rule'), egress: true, ipProtocol: '-1', cidrIpv6: '::/0' });
  const g: SecurityGroupRecord = { id: newId('security-group'), vpcId: vpc.id, ownerId: ctx.account, name, description, isDefault: false, rules };
  ctx.tx.put(ctx.scope, K.sg, g.id, g);
  setTags(ctx.tx, ctx.scope, 'security-group', g.id, tags);
  return { GroupId: g.id, Tags: tagList(tags), SecurityGroupArn: arnOf('security-group', ctx.region, ctx.account, g.id) };
};

export const deleteSecurityGroup: Handler<DeleteSecurityGroupRequest, DeleteSecurityGroupResult> = (input, ctx) => {
  const g = groupParam(ctx, input.GroupId, input.GroupName);
  const { tx, scope } = ctx;
  if (g.isDefault) throw new AwsError('CannotDelete', `the specified group: "${g.id}" name: "default" cannot be deleted by a user`);
  if (tx.countBy(scope, K.eni, 'group', { key: g.id }) > 0) throw new AwsError('DependencyViolation', `resource ${g.id} has a dependent object`);
  // Another group's rule that references this one (its own self-references go with it).
  if (tx.findBy(scope, K.sg, 'refs', { key: g.id }).some((h) => h.id !== g.id)) {
    throw new AwsError('DependencyViolation', `resource ${g.id} has a dependent object`);
  }
  for (const r of g.rules) dropTags(tx, scope, r.id);
  tx.delete(scope, K.sg, g.id);
  dropTags(tx, scope, g.id);
  return { Return: true, GroupId: g.id };
};

const rulesOf = (g: SecurityGroupRecord, egress: boolean): SecurityGroupRuleRecord[] => g.rules.filter((r) => r.egress === egress);
const some = <T>(xs: T[], f: (x: T) => string | undefined): string[] => xs.flatMap((x) => { const v = f(x); return v === undefined ? [] : [v]; });

function permissionFilters(prefix: string, egress: boolean): Record<string, (g: SecurityGroupRecord) => string[]> {
  return {
    [`${prefix}ip-permission.cidr`]: (g) => some(rulesOf(g, egress), (r) => r.cidrIpv4),
    [`${prefix}ip-permission.ipv6-cidr`]: (g) => some(rulesOf(g, egress), (r) => r.cidrIpv6),
    [`${prefix}ip-permission.prefix-list-id`]: (g) => some(rulesOf(g, egress), (r) => r.prefixListId),
    [`${prefix}ip-permission.protocol`]: (g) => rulesOf(g, egress).map((r) => r.ipProtocol),
    [`${prefix}ip-permission.from-port`]: (g) => some(rulesOf(g, egress), (r) => (r.fromPort !== undefined ? String(r.fromPort) : undefined)),
    [`${prefix}ip-permission.to-port`]: (g) => some(rulesOf(g, egress), (r) => (r.toPort !== undefined ? String(r.toPort) : undefined)),
    [`${prefix}ip-permission.group-id`]: (g) => some(rulesOf(g, egress), (r) => r.referencedGroupId),
    [`${prefix}ip-permission.user-id`]: (g) => some(rulesOf(g, egress), (r) => r.referencedUserId),
  };
}

export const SECURITY_GROUP_FILTERS = (ctx: RequestContext): Record<string, (g: SecurityGroupRecord) => string | string[] | undefined> => ({
  description: (g) => g.description,
  'group-id': (g) => g.id,
  'group-name': (g) => g.name,
  'owner-id': (g) => g.ownerId,
  'vpc-id': (g) => g.vpcId,
  ...permissionFilters('', false),
  ...permissionFilters('egress.', true),
  // Referenced group names are looked up (same account only), as AWS matches them.
  'ip-permission.group-name': (g) => some(rulesOf(g, false), (r) => groupName(ctx, r)),
  'egress.ip-permission.group-name': (g) => some(rulesOf(g, true), (r) => groupName(ctx, r)),
});

function groupName(ctx: RequestContext, r: SecurityGroupRuleRecord): string | undefined {
  if (!r.referencedGroupId) return undefined;
  return ctx.tx.get<SecurityGroupRecord>({ account: r.referencedUserId ?? ctx.account, region: ctx.region }, K.sg, r.referencedGroupId)?.name;
}

export const describeSecurityGroups: Handler<DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult> = (input, ctx) => {
  const ids = [...(input.GroupIds ?? []), ...(input.GroupNames ?? []).map((n) => groupParam(ctx, undefined, n).id)];
  const { items, nextToken } = describe<SecurityGroupRecord>(ctx, input, {
    operation: 'DescribeSecurityGroups', type: 'security-group', ids, idsParam: 'groupIds',
    fields: SECURITY_GROUP_FILTERS(ctx), indexes: { 'vpc-id': 'vpc', 'group-name': 'name', 'ip-permission.group-id': 'refs', 'egress.ip-permission.group-id': 'refs' },
  });
  return { SecurityGroups: items.map((d) => securityGroupShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

type AuthorizeInput = AuthorizeSecurityGroupIngressRequest & AuthorizeSecurityGroupEgressRequest;

/** IpPermissions, or the older top-level members (CidrIp, IpProtocol, ports, SourceSecurityGroupName). */
function permissionsOf(input: AuthorizeInput): IpPermission[] {
  const legacy = input.CidrIp !== undefined || input.IpProtocol !== undefined || input.SourceSecurityGroupName !== undefined ||
    input.FromPort !== undefined || input.ToPort !== undefined;
  if (input.IpPermissions?.length) {
    if (legacy) throw new AwsError('InvalidParameterCombination', 'The parameter IpPermissions cannot be used with CidrIp, IpProtocol, FromPort, ToPort or SourceSecurityGroupName');
    return input.IpPermissions;
  }
  if (!legacy) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions');
  const pairs = input.SourceSecurityGroupName !== undefined
    ? [{ GroupName: input.SourceSecurityGroupName, UserId: input.SourceSecurityGroupOwnerId }] : [];
  return [{
    IpProtocol: input.IpProtocol ?? '-1', FromPort: input.FromPort, ToPort: input.ToPort,
    IpRanges: input.CidrIp !== undefined ? [{ CidrIp: input.CidrIp }] : [], UserIdGroupPairs: pairs,
  }];
}

function authorize(input: AuthorizeInput, ctx: RequestContext, egress: boolean): AuthorizeSecurityGroupIngressResult {
  const g = groupParam(ctx, input.GroupId, egress ? undefined : input.GroupName);
  const rules = rulesFromPermissions(ctx, g, permissionsOf(input), egress);
  const tags = tagSpecTags(input.TagSpecifications, 'security-group-rule');
  addRules(g, rules, ruleWeight(ctx));
  ctx.tx.put(ctx.scope, K.sg, g.id, g);
  for (const r of rules) setTags(ctx.tx, ctx.scope, 'security-group-rule', r.id, tags);
  return { Return: true, SecurityGroupRules: rules.map((r) => ruleShape(ctx, g, r, tags)) };
}

export const authorizeSecurityGroupIngress: Handler<AuthorizeSecurityGroupIngressRequest, AuthorizeSecurityGroupIngressResult> =
  (input, ctx) => authorize(input as AuthorizeInput, ctx, false);
export const authorizeSecurityGroupEgress: Handler<AuthorizeSecurityGroupEgressRequest, AuthorizeSecurityGroupEgressResult> =
  (input, ctx) => authorize(input as AuthorizeInput, ctx, true);

type RevokeInput = RevokeSecurityGroupIngressRequest & RevokeSecurityGroupEgressRequest;

function revoke(input: RevokeInput, ctx: RequestContext, egress: boolean): RevokeSecurityGroupIngressResult {
  const g = groupParam(ctx, input.GroupId, egress ? undefined : input.GroupName);
  const gone = new Set<string>();
  const unknown: IpPermission[] = [];
  if (input.SecurityGroupRuleIds?.length) {
    if (input.IpPermissions?.length) throw new AwsError('InvalidParameterCombination', 'Specify either IpPermissions or SecurityGroupRuleIds, not both');
    const missing = input.SecurityGroupRuleIds.filter((id) => !g.rules.some((r) => r.id === id && r.egress === egress));
    if (missing.length) throw notFound('security-group-rule', missing);
    for (const id of input.SecurityGroupRuleIds) gone.add(id);
  } else {
    const byKey = new Map(rulesOf(g, egress).map((r) => [ruleKey(r), r]));
    for (const p of permissionsOf(input)) {
      const wanted = rulesFromPermissions(ctx, g, [p], egress, true);
      const found = wanted.map((w) => byKey.get(ruleKey(w)));
      if (found.every((f) => f === undefined)) unknown.push(p);
      for (const f of found) if (f) gone.add(f.id);
    }
    if (gone.size === 0) {
      throw new AwsError('InvalidPermission.NotFound', `The specified rule does not exist in this security group (${g.id}).`);
    }
  }
  const revoked = g.rules.filter((r) => gone.has(r.id));
  g.rules = g.rules.filter((r) => !gone.has(r.id));
  ctx.tx.put(ctx.scope, K.sg, g.id, g);
  for (const id of gone) dropTags(ctx.tx, ctx.scope, id);
  return {
    Return: true,
    ...(unknown.length ? { UnknownIpPermissions: unknown } : {}),
    RevokedSecurityGroupRules: revoked.map((r) => ({
      SecurityGroupRuleId: r.id, GroupId: g.id, IsEgress: r.egress, IpProtocol: r.ipProtocol, FromPort: r.fromPort ?? -1, ToPort: r.toPort ?? -1,
      CidrIpv4: r.cidrIpv4, CidrIpv6: r.cidrIpv6, PrefixListId: r.prefixListId, ReferencedGroupId: r.referencedGroupId, Description: r.description,
    })),
  };
}

export const revokeSecurityGroupIngress: Handler<RevokeSecurityGroupIngressRequest, RevokeSecurityGroupIngressResult> =
  (input, ctx) => revoke(input as RevokeInput, ctx, false);
export const revokeSecurityGroupEgress: Handler<RevokeSecurityGroupEgressRequest, RevokeSecurityGroupIngressResult> =
  (input, ctx) => revoke(input as RevokeInput, ctx, true);
