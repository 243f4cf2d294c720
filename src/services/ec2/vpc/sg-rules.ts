/**
 * Security group rules: IpPermissions in, one stored rule per source out (as AWS splits them,
 * each with its sgr- ID), protocol names and numbers, port and ICMP checks, group references
 * (same VPC, peered VPC, other account), the identity two rules share when they are
 * duplicates, and the shapes AWS returns (IpPermissions grouped by protocol and ports;
 * SecurityGroupRule objects one per rule).
 */
import type { IpPermission, SecurityGroupRule, UserIdGroupPair } from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import { formatCidr, parseCidr } from '../../../network/cidr.js';
import type { RequestContext } from '../../types.js';
import { arnOf, checkId, isIdOf, newId, RESOURCE_TYPES } from '../ids.js';
import { peeringState } from './peering.js';
import { prefixListOf } from './prefix-lists.js';
import type { PeeringRecord } from './records-endpoints.js';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.js';

const SG_KIND = RESOURCE_TYPES['security-group'].kind;
/** AWS's default quota, per direction; IPv4 and IPv6 rules are counted separately. */
export const MAX_RULES_PER_DIRECTION = 60;

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** '-1', 'tcp', 'udp', 'icmp', 'icmpv6', or another protocol number as text. */
export function normalizeProtocol(p: string | undefined): string {
  if (p === undefined || p === '') throw new AwsError('MissingParameter', 'The request must contain the parameter ipProtocol');
  const lower = p.toLowerCase();
  if (lower === '-1' || lower === 'tcp' || lower === 'udp' || lower === 'icmp' || lower === 'icmpv6') return lower;
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return PROTOCOL_NAMES[String(Number(p))] ?? String(Number(p));
  throw new AwsError('InvalidParameterValue', `Invalid value '${p}' for IP protocol. Unknown protocol.`);
}

const hasPorts = (proto: string): boolean => proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'icmpv6';

/** Ports as stored: tcp/udp ranges, ICMP type (from) and code (to), none for other protocols. */
export function rulePorts(proto: string, from: number | undefined, to: number | undefined): { fromPort?: number; toPort?: number } {
  if (!hasPorts(proto)) return {};
  if (proto === 'tcp' || proto === 'udp') {
    if (from === undefined || to === undefined) {
      throw new AwsError('InvalidParameterValue', `Invalid value for portRange. Must specify both from and to ports with TCP/UDP.`);
    }
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 65535 || from > to) {
      throw new AwsError('InvalidParameterValue', `Invalid TCP/UDP port range: from port ${from} to port ${to} (0-65535, from <= to).`);
    }
    return { fromPort: from, toPort: to };
  }
  const type = from ?? -1;
  const code = to ?? -1;
  if (!Number.isInteger(type) || !Number.isInteger(code) || type < -1 || type > 255 || code < -1 || code > 255) {
    throw new AwsError('InvalidParameterValue', `Invalid ICMP type ${type} or code ${code} (each -1 for all, or 0-255).`);
  }
  if (type === -1 && code !== -1) throw new AwsError('InvalidParameterValue', `ICMP code ${code} given for all ICMP types (type -1): the code must be -1 too.`);
  return { fromPort: type, toPort: code };
}

function cidrOf(value: string, param: string, family: 4 | 6): string {
  const r = parseCidr(value, family);
  if (!r.ok || r.hostBitsSet) throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  return formatCidr(r.cidr);
}

export function checkDescription(d: string | undefined): string | undefined {
  if (d === undefined) return undefined;
  // AWS: up to 255 characters of a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$*
  if (d.length > 255 || !/^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/.test(d)) {
    throw new AwsError('InvalidParameterValue', `Invalid rule description '${d}': up to 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*`);
  }
  return d;
}

/**
 * The active same-Region peering connection between two VPCs (group references do not cross
 * Regions). Peering records are written in both sides' scopes, so the caller's scope has it.
 */
export function activePeering(ctx: RequestContext, a: string, b: string): string | undefined {
  const kind = RESOURCE_TYPES['vpc-peering-connection'].kind;
  const now = ctx.clock.nowMs();
  const hits = [...ctx.tx.findBy<PeeringRecord>(ctx.scope, kind, 'requester-vpc', { key: a }), ...ctx.tx.findBy<PeeringRecord>(ctx.scope, kind, 'accepter-vpc', { key: a })];
  for (const { value: p } of hits) {
    const other = p.requester.vpcId === a ? p.accepter : p.requester;
    if (other.vpcId === b && p.requester.region === p.accepter.region && peeringState(p, now) === 'active') return p.id;
  }
  return undefined;
}

const differentNetworks = (): AwsError =>
  new AwsError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');

/** The group a UserIdGroupPair names, checked: same VPC, or a peered VPC (this or another account). */
function referencedGroup(ctx: RequestContext, owner: SecurityGroupRecord, pair: UserIdGroupPair, lenient: boolean): Partial<SecurityGroupRuleRecord> {
  const userId = pair.UserId && pair.UserId !== ctx.account ? pair.UserId : ctx.account;
  // Revoking names a rule, not a live group: a reference whose group is gone still matches.
  if (lenient && pair.GroupId) return { referencedGroupId: pair.GroupId, referencedUserId: userId };
  const scope = { account: userId, region: ctx.region };
  let g: SecurityGroupRecord | undefined;
  if (pair.GroupId) {
    checkId('security-group', pair.GroupId);
    g = ctx.tx.get<SecurityGroupRecord>(scope, SG_KIND, pair.GroupId);
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${pair.GroupId}' does not exist`);
  } else if (pair.GroupName) {
    if (userId !== ctx.account) throw new AwsError('InvalidParameterValue', `A group of another account (${userId}) must be named by GroupId, not GroupName '${pair.GroupName}'`);
    g = ctx.tx.findBy<SecurityGroupRecord>(scope, SG_KIND, 'name', { key: pair.GroupName }).map((h) => h.value).find((x) => x.vpcId === owner.vpcId);
    if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${pair.GroupName}' does not exist in VPC '${owner.vpcId}'`);
  } else {
    throw new AwsError('MissingParameter', 'A UserIdGroupPair must contain GroupId or GroupName');
  }
  const out: Partial<SecurityGroupRuleRecord> = { referencedGroupId: g.id, referencedUserId: userId };
  if (g.vpcId !== owner.vpcId || userId !== ctx.account) {
    if (g.vpcId === owner.vpcId) return out; // a shared VPC: another account's group in the same network
    const pcx = activePeering(ctx, owner.vpcId, g.vpcId);
    if (!pcx || (pair.VpcPeeringConnectionId && pair.VpcPeeringConnectionId !== pcx)) throw differentNetworks();
    out.referencedVpcId = g.vpcId;
    out.vpcPeeringConnectionId = pcx;
  }
  return out;
}

/** Stored rules for IpPermissions: one per source, validated, new IDs. Nothing is written. */
export function rulesFromPermissions(ctx: RequestContext, group: SecurityGroupRecord, perms: readonly IpPermission[], egress: boolean, lenient = false): SecurityGroupRuleRecord[] {
  const out: SecurityGroupRuleRecord[] = [];
  for (const p of perms) {
    const ipProtocol = normalizeProtocol(p.IpProtocol);
    const ports = rulePorts(ipProtocol, p.FromPort, p.ToPort);
    const base = (description: string | undefined): SecurityGroupRuleRecord => {
      const d = checkDescription(description);
      return { id: newId('security-group-rule'), egress, ipProtocol, ...ports, ...(d !== undefined && d !== '' ? { description: d } : {}) };
    };
    const before = out.length;
    for (const r of p.IpRanges ?? []) out.push({ ...base(r.Description), cidrIpv4: cidrOf(r.CidrIp ?? '', 'cidrIp', 4) });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...base(r.Description), cidrIpv6: cidrOf(r.CidrIpv6 ?? '', 'cidrIpv6', 6) });
    for (const r of p.PrefixListIds ?? []) {
      if (!r.PrefixListId || !isIdOf('prefix-list', r.PrefixListId)) {
        throw new AwsError('InvalidPrefixListId.Malformed', `The prefix list ID '${r.PrefixListId ?? ''}' is malformed`);
      }
      if (!lenient) prefixListOf(ctx, r.PrefixListId);
      out.push({ ...base(r.Description), prefixListId: r.PrefixListId });
    }
    for (const pair of p.UserIdGroupPairs ?? []) out.push({ ...base(pair.Description), ...referencedGroup(ctx, group, pair, lenient) });
    if (out.length === before) {
      throw new AwsError('InvalidParameterValue', `The IpPermission for protocol ${ipProtocol} names no source or destination (IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs)`);
    }
  }
  return out;
}

/** What makes two rules the same rule (description aside). */
export const ruleKey = (r: SecurityGroupRuleRecord): string =>
  [r.egress ? 'e' : 'i', r.ipProtocol, r.fromPort ?? '', r.toPort ?? '', r.cidrIpv4 ?? '', r.cidrIpv6 ?? '', r.prefixListId ?? '',
    r.referencedGroupId ?? '', r.referencedGroupId ? r.referencedUserId ?? '' : ''].join('|');

/** How AWS names a rule in InvalidPermission.Duplicate and NotFound messages. */
export function describeRule(r: SecurityGroupRuleRecord): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId ?? '';
  const proto = r.ipProtocol === '-1' ? 'ALL' : r.ipProtocol.toUpperCase();
  const ports = r.fromPort !== undefined ? `, from port: ${r.fromPort}, to port: ${r.toPort}` : '';
  return `peer: ${peer}, ${proto}${ports}, ALLOW`;
}

/**
 * How many rules one rule counts for in the quota: a prefix list counts its MaxEntries, as on
 * AWS (a list that has since gone counts 1).
 */
export function ruleWeight(ctx: RequestContext): (r: SecurityGroupRuleRecord) => number {
  return (r) => {
    if (!r.prefixListId) return 1;
    try { return prefixListOf(ctx, r.prefixListId).maxEntries; } catch { return 1; }
  };
}

/** Adds rules to a group: duplicates and the per-direction quota are refused, nothing half-added. */
export function addRules(group: SecurityGroupRecord, rules: SecurityGroupRuleRecord[], weight: (r: SecurityGroupRuleRecord) => number = () => 1): void {
  const have = new Set(group.rules.map(ruleKey));
  for (const r of rules) {
    const k = ruleKey(r);
    if (have.has(k)) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(r)}" already exists`);
    have.add(k);
  }
  const next = [...group.rules, ...rules];
  for (const egress of [false, true]) {
    const dir = next.filter((r) => r.egress === egress);
    const sum = (xs: SecurityGroupRuleRecord[]): number => xs.reduce((n, r) => n + weight(r), 0);
    const v4 = sum(dir.filter((r) => !r.cidrIpv6));
    const v6 = sum(dir.filter((r) => !r.cidrIpv4));
    if (v4 > MAX_RULES_PER_DIRECTION || v6 > MAX_RULES_PER_DIRECTION) {
      throw new AwsError('RulesPerSecurityGroupLimitExceeded', `The maximum number of rules per security group has been reached (${MAX_RULES_PER_DIRECTION} ${egress ? 'outbound' : 'inbound'} rules for IPv4 and for IPv6) in ${group.id}.`);
    }
  }
  group.rules = next;
}

function pairOf(r: SecurityGroupRuleRecord): UserIdGroupPair {
  return {
    GroupId: r.referencedGroupId, UserId: r.referencedUserId,
    ...(r.referencedVpcId ? { VpcId: r.referencedVpcId, VpcPeeringConnectionId: r.vpcPeeringConnectionId, PeeringStatus: 'active' } : {}),
  };
}

/** Rules grouped into IpPermissions as AWS returns them: one per (protocol, ports), sources listed. */
export function ipPermissions(rules: readonly SecurityGroupRuleRecord[]): IpPermission[] {
  const out = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}`;
    let p = out.get(key);
    if (!p) {
      p = { IpProtocol: r.ipProtocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      if (r.fromPort !== undefined) { p.FromPort = r.fromPort; p.ToPort = r.toPort; }
      out.set(key, p);
    }
    const d = r.description !== undefined ? { Description: r.description } : {};
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, ...d });
    if (r.cidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.cidrIpv6, ...d });
    if (r.prefixListId) p.PrefixListIds!.push({ PrefixListId: r.prefixListId, ...d });
    if (r.referencedGroupId) p.UserIdGroupPairs!.push({ ...pairOf(r), ...d });
  }
  return [...out.values()];
}

/**
 * One rule as DescribeSecurityGroupRules returns it. Rules without ports (protocol -1 and
 * protocols other than tcp/udp/icmp/icmpv6) carry -1 and -1, as AWS answers them.
 */
export function ruleShape(ctx: RequestContext, g: SecurityGroupRecord, r: SecurityGroupRuleRecord, tags: SecurityGroupRule['Tags']): SecurityGroupRule {
  return {
    SecurityGroupRuleId: r.id, GroupId: g.id, GroupOwnerId: g.ownerId, IsEgress: r.egress, IpProtocol: r.ipProtocol,
    FromPort: r.fromPort ?? -1, ToPort: r.toPort ?? -1,
    ...(r.cidrIpv4 ? { CidrIpv4: r.cidrIpv4 } : {}), ...(r.cidrIpv6 ? { CidrIpv6: r.cidrIpv6 } : {}),
    ...(r.prefixListId ? { PrefixListId: r.prefixListId } : {}),
    ...(r.referencedGroupId ? { ReferencedGroupInfo: pairOf(r) } : {}),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    Tags: tags ?? [],
    SecurityGroupRuleArn: arnOf('security-group-rule', ctx.region, g.ownerId, r.id),
  };
}
