/**
 * Network ACL and security group evaluation over packet sets.
 * ACLs: stateless, entries in rule-number order, first match wins, then the `*` entry (32767)
 * denies. Security groups: allow-only, the union of every rule of every group on the interface;
 * group references resolve to the private addresses of the member interfaces (same VPC, or a
 * VPC peered within the Region: references do not cross inter-Region peering).
 */

import { formatCidr, parseCidr, type Family } from './cidr.js';
import { DA, DP, SA, cidrRange, constraintBoxes, fullRange, intersect, intersectBoxes, isEmpty, subtractBoxes, type Box, type Constraint, type PacketSet } from './packets.js';
import { vpcOfEni, type Net, type PreparedAclEntry } from './prepare.js';
import type { AnalysisAclRule, AnalysisSecurityGroupRule, NetEni, NetSgRule } from './types.js';

const NAMES: Record<string, number> = { '-1': -1, all: -1, tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

/** Protocol number (-1 for all), or undefined for a value AWS would not accept. */
export function protocolNumber(p: string | number): number | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= -1 && p <= 255 ? p : undefined;
  const s = p.toLowerCase();
  if (s in NAMES) return NAMES[s];
  return /^\d{1,3}$/.test(s) && Number(s) <= 255 ? Number(s) : undefined;
}

const SG_LABEL: Record<number, string> = { [-1]: 'all', 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };
const hasPorts = (proto: number): boolean => proto === 6 || proto === 17;

function portConstraint(ruleProto: number, packetProto: number, from?: number, to?: number): [bigint, bigint][] | undefined {
  if (ruleProto === -1 || !hasPorts(packetProto) || from === undefined || from === -1) return undefined;
  return [[BigInt(from), BigInt(to ?? from)]];
}

export interface AclDecision {
  readonly allowed: Box[];
  /** First entry that allowed part of the set (the deciding rule of a found path). */
  readonly allowRule?: AnalysisAclRule;
  /** First entry that denied part of the set, `*` (32767) when nothing matched. */
  readonly denyRule?: AnalysisAclRule;
}

const aclRuleOut = (p: PreparedAclEntry): AnalysisAclRule => {
  const e = p.entry;
  const proto = protocolNumber(e.protocol);
  const out: AnalysisAclRule = {
    Cidr: e.cidr, Egress: e.egress, Protocol: proto === -1 ? 'all' : String(proto ?? e.protocol), RuleAction: e.action, RuleNumber: e.ruleNumber,
  };
  if (proto !== undefined && hasPorts(proto) && e.fromPort !== undefined) out.PortRange = { From: e.fromPort, To: e.toPort ?? e.fromPort };
  return out;
};

export function evaluateAcl(net: Net, aclId: string, egress: boolean, set: PacketSet, family: Family, proto: number): AclDecision {
  const entries = (egress ? net.aclEgress : net.aclIngress).get(aclId) ?? [];
  let remaining: Box[] = [...set];
  const allowed: Box[] = [];
  let allowRule: AnalysisAclRule | undefined, denyRule: AnalysisAclRule | undefined;
  for (const p of entries) {
    const rp = protocolNumber(p.entry.protocol);
    if (rp === undefined || (rp !== -1 && rp !== proto) || !p.cidr || p.cidr.family !== family) continue;
    const c: (readonly (readonly [bigint, bigint])[] | undefined)[] = [undefined, undefined, undefined, undefined];
    c[egress ? DA : SA] = [cidrRange(p.cidr)];
    c[DP] = portConstraint(rp, proto, p.entry.fromPort, p.entry.toPort);
    const cb = constraintBoxes(c, family);
    const m = intersectBoxes(remaining, cb);
    if (m.length) {
      if (p.entry.action === 'allow') { allowed.push(...m); allowRule ??= aclRuleOut(p); } else denyRule ??= aclRuleOut(p);
      remaining = subtractBoxes(remaining, cb);
      if (isEmpty(remaining)) break;
    }
  }
  if (!isEmpty(remaining)) {
    denyRule ??= { Cidr: family === 4 ? '0.0.0.0/0' : '::/0', Egress: egress, Protocol: 'all', RuleAction: 'deny', RuleNumber: 32767 };
  }
  return { allowed, ...(allowRule ? { allowRule } : {}), ...(denyRule ? { denyRule } : {}) };
}

/** Whether two VPCs are joined by an active peering connection, and whether it is intra-Region. */
export function peering(net: Net, a: string, b: string): { active: boolean; sameRegion: boolean } | undefined {
  for (const p of net.pcx.values()) {
    if ((p.requesterVpcId === a && p.accepterVpcId === b) || (p.requesterVpcId === b && p.accepterVpcId === a)) {
      return { active: p.status === 'active', sameRegion: !p.crossRegion };
    }
  }
  return undefined;
}

/** A rule's CIDR, parsed once per prepared network. */
export function memoCidr(net: Net, text: string) {
  let c = net.cidrMemo.get(text);
  if (c === undefined) { const r = parseCidr(text); c = r.ok ? r.cidr : null; net.cidrMemo.set(text, c); }
  return c;
}

function ruleRanges(net: Net, eni: NetEni, rule: NetSgRule, family: Family): [bigint, bigint][] | undefined {
  if (rule.cidr) { const c = memoCidr(net, rule.cidr); return c && c.family === family ? [cidrRange(c)] : undefined; }
  if (rule.prefixListId) {
    const rs = (net.prefixList.get(rule.prefixListId) ?? []).filter((c) => c.family === family).map(cidrRange);
    return rs.length ? rs : undefined;
  }
  if (rule.referencedGroupId) {
    const here = vpcOfEni(net, eni);
    const out: [bigint, bigint][] = [];
    for (const [there, slot] of net.memberRanges.get(rule.referencedGroupId) ?? []) {
      if (!here) continue;
      if (there !== here) { const p = peering(net, here, there); if (!p?.active || !p.sameRegion) continue; }
      out.push(...(family === 4 ? slot.v4 : slot.v6));
    }
    return out.length ? out : undefined;
  }
  return undefined;
}

export interface SgDecision { readonly allowed: Box[]; readonly rule?: AnalysisSecurityGroupRule; readonly groupId?: string }

/** Security group decision for traffic leaving (`egress`) or entering an interface. */
export function evaluateSgs(net: Net, eni: NetEni, direction: 'ingress' | 'egress', set: PacketSet, family: Family, proto: number, ignoreAddresses = false): SgDecision {
  const allowed: Box[] = [];
  let first: { rule: AnalysisSecurityGroupRule; groupId: string } | undefined;
  for (const gid of eni.securityGroupIds) {
    const g = net.sg.get(gid);
    if (!g) continue;
    for (const rule of direction === 'ingress' ? g.ingress : g.egress) {
      const rp = protocolNumber(rule.protocol);
      if (rp === undefined || (rp !== -1 && rp !== proto)) continue;
      const ranges = ignoreAddresses ? [fullRange(family)] : ruleRanges(net, eni, rule, family);
      if (!ranges) continue;
      const c: Constraint = direction === 'ingress'
        ? [ranges, undefined, undefined, portConstraint(rp, proto, rule.fromPort, rule.toPort)]
        : [undefined, ranges, undefined, portConstraint(rp, proto, rule.fromPort, rule.toPort)];
      // Allow-only: the union of rule matches; no need to keep the remainder disjoint.
      const m = intersect(set, c, family);
      if (!m.length) continue;
      allowed.push(...m);
      if (!first) {
        const out: AnalysisSecurityGroupRule = { Direction: direction, SecurityGroupId: rule.referencedGroupId ?? gid, Protocol: SG_LABEL[rp] ?? String(rp) };
        if (rule.cidr) { const c = memoCidr(net, rule.cidr); out.Cidr = c ? formatCidr(c) : rule.cidr; }
        if (rule.prefixListId) out.PrefixListId = rule.prefixListId;
        if (hasPorts(rp) && rule.fromPort !== undefined && rule.fromPort !== -1) out.PortRange = { From: rule.fromPort, To: rule.toPort ?? rule.fromPort };
        first = { rule: out, groupId: gid };
      }
    }
  }
  return { allowed, ...(first ? { rule: first.rule, groupId: first.groupId } : {}) };
}

