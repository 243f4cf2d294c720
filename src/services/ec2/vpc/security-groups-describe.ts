/**
 * DescribeSecurityGroups over the stored groups (the default group of every VPC, and what the
 * security group work creates). The group and rule operations themselves live with that work.
 */
import type { DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe } from '../describe.js';
import { arnOf } from '../ids.js';
import { tagList, type Tag } from '../tags.js';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.js';

/** Rules grouped into IpPermissions as AWS returns them: one per (protocol, ports). */
export function ipPermissions(rules: readonly SecurityGroupRuleRecord[]): IpPermission[] {
  const out = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}`;
    let p = out.get(key);
    if (!p) {
      p = { IpProtocol: r.ipProtocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      if (r.ipProtocol !== '-1' && r.fromPort !== undefined) { p.FromPort = r.fromPort; p.ToPort = r.toPort; }
      out.set(key, p);
    }
    const d = r.description !== undefined ? { Description: r.description } : {};
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, ...d });
    if (r.cidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.cidrIpv6, ...d });
    if (r.prefixListId) p.PrefixListIds!.push({ PrefixListId: r.prefixListId, ...d });
    if (r.referencedGroupId) p.UserIdGroupPairs!.push({ GroupId: r.referencedGroupId, UserId: r.referencedUserId, ...d });
  }
  return [...out.values()];
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

const rulesOf = (g: SecurityGroupRecord, egress: boolean): SecurityGroupRuleRecord[] => g.rules.filter((r) => r.egress === egress);

function permissionFilters(prefix: string, egress: boolean): Record<string, (g: SecurityGroupRecord) => string[]> {
  return {
    [`${prefix}ip-permission.cidr`]: (g) => rulesOf(g, egress).flatMap((r) => (r.cidrIpv4 ? [r.cidrIpv4] : [])),
    [`${prefix}ip-permission.ipv6-cidr`]: (g) => rulesOf(g, egress).flatMap((r) => (r.cidrIpv6 ? [r.cidrIpv6] : [])),
    [`${prefix}ip-permission.prefix-list-id`]: (g) => rulesOf(g, egress).flatMap((r) => (r.prefixListId ? [r.prefixListId] : [])),
    [`${prefix}ip-permission.protocol`]: (g) => rulesOf(g, egress).map((r) => r.ipProtocol),
    [`${prefix}ip-permission.from-port`]: (g) => rulesOf(g, egress).flatMap((r) => (r.fromPort !== undefined ? [String(r.fromPort)] : [])),
    [`${prefix}ip-permission.to-port`]: (g) => rulesOf(g, egress).flatMap((r) => (r.toPort !== undefined ? [String(r.toPort)] : [])),
    [`${prefix}ip-permission.group-id`]: (g) => rulesOf(g, egress).flatMap((r) => (r.referencedGroupId ? [r.referencedGroupId] : [])),
    [`${prefix}ip-permission.user-id`]: (g) => rulesOf(g, egress).flatMap((r) => (r.referencedUserId ? [r.referencedUserId] : [])),
  };
}

export const SECURITY_GROUP_FILTERS: Record<string, (g: SecurityGroupRecord) => string | string[] | undefined> = {
  description: (g) => g.description,
  'group-id': (g) => g.id,
  'group-name': (g) => g.name,
  'owner-id': (g) => g.ownerId,
  'vpc-id': (g) => g.vpcId,
  ...permissionFilters('', false),
  ...permissionFilters('egress.', true),
};

export const describeSecurityGroups: Handler<DescribeSecurityGroupsRequest, DescribeSecurityGroupsResult> = (input, ctx) => {
  if (input.GroupNames?.length) {
    throw new AwsError('InvalidParameterValue', 'GroupNames is for EC2-Classic and default-VPC groups by name; use the group-name filter with vpc-id');
  }
  const { items, nextToken } = describe<SecurityGroupRecord>(ctx, input, {
    operation: 'DescribeSecurityGroups', type: 'security-group', ids: input.GroupIds, idsParam: 'groupIds',
    fields: SECURITY_GROUP_FILTERS, indexes: { 'vpc-id': 'vpc' },
  });
  return { SecurityGroups: items.map((d) => securityGroupShape(ctx, d.record, d.tags)), NextToken: nextToken };
};
