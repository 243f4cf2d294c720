/**
 * Operations on security group rules by their sgr- IDs: DescribeSecurityGroupRules,
 * ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptions{Ingress,Egress}, and
 * DescribeSecurityGroupReferences. Rules live inside their group's record; the group's
 * 'rule' index finds the group of a rule ID without reading every group.
 */
import type {
  DescribeSecurityGroupReferencesRequest, DescribeSecurityGroupReferencesResult, DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult, DescribeStaleSecurityGroupsRequest, DescribeStaleSecurityGroupsResult, StaleIpPermission, ModifySecurityGroupRulesRequest, ModifySecurityGroupRulesResult, SecurityGroupRule,
  UpdateSecurityGroupRuleDescriptionsIngressRequest, UpdateSecurityGroupRuleDescriptionsIngressResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { encodePageToken, type PageBinding } from '../../../core/page-token.js';
import { compareIds } from '../../../store/order.js';
import type { Handler, RequestContext } from '../../types.js';
import { applyFilters, withTagKeyFields } from '../filters.js';
import { checkMaxResults, pagePosition } from '../describe.js';
import { checkId, notFound, RESOURCE_TYPES } from '../ids.js';
import { mustGet } from '../describe.js';
import { tagsOf } from '../tags.js';
import type { SecurityGroupRecord, SecurityGroupRuleRecord, VpcRecord } from './records.js';
import { groupParam } from './security-groups.js';
import { activePeering, addRules, checkDescription, ruleKey, rulesFromPermissions, ruleShape, ruleWeight } from './sg-rules.js';

const SG_KIND = RESOURCE_TYPES['security-group'].kind;

function groupOfRule(ctx: RequestContext, ruleId: string): SecurityGroupRecord | undefined {
  return ctx.tx.findBy<SecurityGroupRecord>(ctx.scope, SG_KIND, 'rule', { key: ruleId, limit: 1 })[0]?.value;
}

export const describeSecurityGroupRules: Handler<DescribeSecurityGroupRulesRequest, DescribeSecurityGroupRulesResult> = (input, ctx) => {
  const filters = input.Filters ?? [];
  for (const f of filters) {
    const n = f.Name ?? '';
    if (!['group-id', 'security-group-rule-id', 'tag-key', 'tag-value'].includes(n) && !(n.startsWith('tag:') && n.length > 4)) {
      throw new AwsError('InvalidParameterValue', `The filter '${n}' is invalid`);
    }
  }
  checkMaxResults(input.MaxResults, [5, 1000]);
  const binding: PageBinding = { service: 'ec2', operation: 'DescribeSecurityGroupRules', query: { ids: input.SecurityGroupRuleIds ?? [], filters } };
  const after = pagePosition(binding, input.NextToken);
  const max = input.MaxResults ?? Infinity;

  const groups = new Map<string, SecurityGroupRecord>();
  let only: Set<string> | undefined;
  if (input.SecurityGroupRuleIds?.length) {
    const missing: string[] = [];
    for (const id of input.SecurityGroupRuleIds) {
      checkId('security-group-rule', id);
      const g = groupOfRule(ctx, id);
      if (g) groups.set(g.id, g); else missing.push(id);
    }
    if (missing.length) throw notFound('security-group-rule', missing);
    only = new Set(input.SecurityGroupRuleIds);
  } else {
    const byGroup = filters.find((f) => f.Name === 'group-id' && f.Values?.length && !f.Values.some((v) => /[*?]/.test(v)));
    if (byGroup) {
      for (const id of byGroup.Values!) {
        const g = ctx.tx.get<SecurityGroupRecord>(ctx.scope, SG_KIND, id);
        if (g) groups.set(g.id, g);
      }
    } else {
      for (const row of ctx.tx.list<SecurityGroupRecord>(ctx.scope, SG_KIND)) groups.set(row.id, row.value);
    }
  }
  type Item = { g: SecurityGroupRecord; r: SecurityGroupRuleRecord; tags: Array<{ Key: string; Value: string }> };
  const items: Item[] = [];
  for (const g of groups.values()) {
    for (const r of g.rules) {
      if (only && !only.has(r.id)) continue;
      if (after !== undefined && compareIds(r.id, after) <= 0) continue;
      items.push({ g, r, tags: tagsOf(ctx.tx, ctx.scope, r.id) });
    }
  }
  items.sort((a, b) => compareIds(a.r.id, b.r.id));
  const fields: Record<string, (i: Item) => string | string[] | undefined> = {
    'group-id': (i) => i.g.id, 'security-group-rule-id': (i) => i.r.id,
    'tag-key': (i) => i.tags.map((t) => t.Key), 'tag-value': (i) => i.tags.map((t) => t.Value),
  };
  const matched = applyFilters(items, filters, withTagKeyFields(fields, filters, (i) => i.tags));
  const page = matched.slice(0, max);
  const out: SecurityGroupRule[] = page.map((i) => ruleShape(ctx, i.g, i.r, i.tags));
  return matched.length > max
    ? { SecurityGroupRules: out, NextToken: encodePageToken(binding, page[page.length - 1]!.r.id) }
    : { SecurityGroupRules: out };
};

/** Replaces rules in place (same IDs): each new definition is validated and must not duplicate another rule. */
export const modifySecurityGroupRules: Handler<ModifySecurityGroupRulesRequest, ModifySecurityGroupRulesResult> = (input, ctx) => {
  const g = groupParam(ctx, input.GroupId, undefined);
  const updates = input.SecurityGroupRules ?? [];
  if (!updates.length) throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRule');
  const missing = updates.map((u) => u.SecurityGroupRuleId ?? '').filter((id) => !g.rules.some((r) => r.id === id));
  if (missing.length) throw notFound('security-group-rule', missing);
  const replaced = new Map<string, SecurityGroupRuleRecord>();
  for (const u of updates) {
    const old = g.rules.find((r) => r.id === u.SecurityGroupRuleId)!;
    const req = u.SecurityGroupRule;
    if (!req) throw new AwsError('MissingParameter', `The request must contain the parameter SecurityGroupRule for ${old.id}`);
    const sources = [req.CidrIpv4, req.CidrIpv6, req.PrefixListId, req.ReferencedGroupId].filter((x) => x !== undefined && x !== '');
    if (sources.length !== 1) {
      throw new AwsError('InvalidParameterCombination', `Rule ${old.id}: specify exactly one of CidrIpv4, CidrIpv6, PrefixListId and ReferencedGroupId`);
    }
    const [next] = rulesFromPermissions(ctx, g, [{
      IpProtocol: req.IpProtocol, FromPort: req.FromPort, ToPort: req.ToPort,
      IpRanges: req.CidrIpv4 ? [{ CidrIp: req.CidrIpv4, Description: req.Description }] : undefined,
      Ipv6Ranges: req.CidrIpv6 ? [{ CidrIpv6: req.CidrIpv6, Description: req.Description }] : undefined,
      PrefixListIds: req.PrefixListId ? [{ PrefixListId: req.PrefixListId, Description: req.Description }] : undefined,
      UserIdGroupPairs: req.ReferencedGroupId ? [{ GroupId: req.ReferencedGroupId, Description: req.Description }] : undefined,
    }], old.egress);
    replaced.set(old.id, { ...next!, id: old.id });
  }
  const kept = g.rules.filter((r) => !replaced.has(r.id));
  g.rules = kept;
  addRules(g, [...replaced.values()], ruleWeight(ctx));
  ctx.tx.put(ctx.scope, SG_KIND, g.id, g);
  return { Return: true };
};

function updateDescriptions(input: UpdateSecurityGroupRuleDescriptionsIngressRequest, ctx: RequestContext, egress: boolean): UpdateSecurityGroupRuleDescriptionsIngressResult {
  const g = groupParam(ctx, input.GroupId, egress ? undefined : input.GroupName);
  const byId = input.SecurityGroupRuleDescriptions ?? [];
  if (byId.length && input.IpPermissions?.length) {
    throw new AwsError('InvalidParameterCombination', 'Specify either IpPermissions or SecurityGroupRuleDescriptions, not both');
  }
  if (byId.length) {
    const missing = byId.map((d) => d.SecurityGroupRuleId ?? '').filter((id) => !g.rules.some((r) => r.id === id && r.egress === egress));
    if (missing.length) throw notFound('security-group-rule', missing);
    for (const d of byId) {
      const r = g.rules.find((x) => x.id === d.SecurityGroupRuleId)!;
      const text = checkDescription(d.Description);
      if (text === undefined || text === '') delete r.description; else r.description = text;
    }
  } else {
    const wanted = rulesFromPermissions(ctx, g, input.IpPermissions ?? [], egress);
    if (!wanted.length) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions or SecurityGroupRuleDescriptions');
    for (const w of wanted) {
      const r = g.rules.find((x) => ruleKey(x) === ruleKey(w));
      if (!r) throw new AwsError('InvalidPermission.NotFound', `The specified rule does not exist in this security group (${g.id}).`);
      if (w.description === undefined) delete r.description; else r.description = w.description;
    }
  }
  ctx.tx.put(ctx.scope, SG_KIND, g.id, g);
  return { Return: true };
}

export const updateSecurityGroupRuleDescriptionsIngress: Handler<UpdateSecurityGroupRuleDescriptionsIngressRequest, UpdateSecurityGroupRuleDescriptionsIngressResult> =
  (input, ctx) => updateDescriptions(input, ctx, false);
export const updateSecurityGroupRuleDescriptionsEgress: Handler<UpdateSecurityGroupRuleDescriptionsIngressRequest, UpdateSecurityGroupRuleDescriptionsIngressResult> =
  (input, ctx) => updateDescriptions(input, ctx, true);

/** Groups of other VPCs (peered) whose rules reference the given groups: the 'refs' index. */
export const describeSecurityGroupReferences: Handler<DescribeSecurityGroupReferencesRequest, DescribeSecurityGroupReferencesResult> = (input, ctx) => {
  const ids = input.GroupId ?? [];
  if (!ids.length) throw new AwsError('MissingParameter', 'The request must contain the parameter groupId');
  const groups = ids.map((id) => groupParam(ctx, id, undefined));
  const out: NonNullable<DescribeSecurityGroupReferencesResult['SecurityGroupReferenceSet']> = [];
  for (const g of groups) {
    for (const h of ctx.tx.findBy<SecurityGroupRecord>(ctx.scope, SG_KIND, 'refs', { key: g.id })) {
      const rule = h.value.rules.find((r) => r.referencedGroupId === g.id && r.vpcPeeringConnectionId);
      if (h.value.vpcId !== g.vpcId && rule) {
        out.push({ GroupId: g.id, ReferencingVpcId: h.value.vpcId, VpcPeeringConnectionId: rule.vpcPeeringConnectionId });
      }
    }
  }
  return { SecurityGroupReferenceSet: out };
};

/** A reference across VPCs or accounts whose group is gone or whose peering is no longer active. */
function isStale(ctx: RequestContext, g: SecurityGroupRecord, r: SecurityGroupRuleRecord): boolean {
  if (!r.referencedGroupId) return false;
  const account = r.referencedUserId ?? ctx.account;
  if (account === ctx.account && !r.vpcPeeringConnectionId) return false;
  const ref = ctx.tx.get<SecurityGroupRecord>({ account, region: ctx.region }, SG_KIND, r.referencedGroupId);
  if (!ref) return true;
  return ref.vpcId !== g.vpcId && activePeering(ctx, g.vpcId, ref.vpcId) === undefined;
}

const stalePermission = (r: SecurityGroupRuleRecord): StaleIpPermission => ({
  IpProtocol: r.ipProtocol, ...(r.fromPort !== undefined ? { FromPort: r.fromPort, ToPort: r.toPort } : {}),
  UserIdGroupPairs: [{ GroupId: r.referencedGroupId, UserId: r.referencedUserId, VpcId: r.referencedVpcId, VpcPeeringConnectionId: r.vpcPeeringConnectionId, PeeringStatus: 'deleted' }],
});

export const describeStaleSecurityGroups: Handler<DescribeStaleSecurityGroupsRequest, DescribeStaleSecurityGroupsResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  checkMaxResults(input.MaxResults, [5, 255]);
  const binding: PageBinding = { service: 'ec2', operation: 'DescribeStaleSecurityGroups', query: { vpc: vpc.id } };
  const after = pagePosition(binding, input.NextToken);
  const max = input.MaxResults ?? Infinity;
  const stale = ctx.tx.findBy<SecurityGroupRecord>(ctx.scope, SG_KIND, 'vpc', { key: vpc.id }).map((h) => h.value)
    .filter((g) => after === undefined || compareIds(g.id, after) > 0)
    .map((g) => ({ g, rules: g.rules.filter((r) => isStale(ctx, g, r)) }))
    .filter((x) => x.rules.length > 0)
    .sort((a, b) => compareIds(a.g.id, b.g.id));
  const page = stale.slice(0, max);
  const out = page.map(({ g, rules }) => ({
    GroupId: g.id, GroupName: g.name, Description: g.description, VpcId: g.vpcId,
    StaleIpPermissions: rules.filter((r) => !r.egress).map(stalePermission),
    StaleIpPermissionsEgress: rules.filter((r) => r.egress).map(stalePermission),
  }));
  return stale.length > max ? { StaleSecurityGroupSet: out, NextToken: encodePageToken(binding, page[page.length - 1]!.g.id) } : { StaleSecurityGroupSet: out };
};
