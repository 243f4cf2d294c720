/**
 * What a new VPC comes with besides its main route table: the default security group
 * (ingress from itself, egress to everywhere) and the default network ACL (rule 100 allow and
 * `*` deny, both directions; IPv6 entries once the VPC has an IPv6 block).
 */
import type { RequestContext } from '../../types.js';
import { newId } from '../ids.js';
import type { NetworkAclEntryRecord, NetworkAclRecord, SecurityGroupRecord, SecurityGroupRuleRecord } from './records.js';

export function defaultSecurityGroup(ctx: RequestContext, vpcId: string, ipv6: boolean): SecurityGroupRecord {
  const id = newId('security-group');
  const rules: SecurityGroupRuleRecord[] = [
    { id: newId('security-group-rule'), egress: false, ipProtocol: '-1', referencedGroupId: id, referencedUserId: ctx.account },
    { id: newId('security-group-rule'), egress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' },
  ];
  if (ipv6) rules.push({ id: newId('security-group-rule'), egress: true, ipProtocol: '-1', cidrIpv6: '::/0' });
  return { id, vpcId, ownerId: ctx.account, name: 'default', description: 'default VPC security group', isDefault: true, rules };
}

const ALL_V4 = '0.0.0.0/0';
const ALL_V6 = '::/0';

export function defaultAclEntries(ipv6: boolean): NetworkAclEntryRecord[] {
  const out: NetworkAclEntryRecord[] = [];
  for (const egress of [false, true]) {
    out.push({ ruleNumber: 100, egress, protocol: '-1', ruleAction: 'allow', cidrBlock: ALL_V4 });
    if (ipv6) out.push({ ruleNumber: 101, egress, protocol: '-1', ruleAction: 'allow', ipv6CidrBlock: ALL_V6 });
    out.push({ ruleNumber: 32767, egress, protocol: '-1', ruleAction: 'deny', cidrBlock: ALL_V4 });
    if (ipv6) out.push({ ruleNumber: 32768, egress, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: ALL_V6 });
  }
  return out;
}

export function defaultNetworkAcl(ctx: RequestContext, vpcId: string, ipv6: boolean): NetworkAclRecord {
  return { id: newId('network-acl'), vpcId, ownerId: ctx.account, isDefault: true, entries: defaultAclEntries(ipv6) };
}

/** A VPC that gains its first IPv6 block: the default ACL and group get their IPv6 entries. */
export function addIpv6Defaults(acl: NetworkAclRecord | undefined, sg: SecurityGroupRecord | undefined): void {
  if (acl?.isDefault && !acl.entries.some((e) => e.ipv6CidrBlock)) {
    for (const egress of [false, true]) {
      acl.entries.push({ ruleNumber: 101, egress, protocol: '-1', ruleAction: 'allow', ipv6CidrBlock: ALL_V6 });
      acl.entries.push({ ruleNumber: 32768, egress, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: ALL_V6 });
    }
  }
  if (sg?.isDefault && !sg.rules.some((r) => r.egress && r.cidrIpv6 === ALL_V6)) {
    sg.rules.push({ id: newId('security-group-rule'), egress: true, ipProtocol: '-1', cidrIpv6: ALL_V6 });
  }
}
