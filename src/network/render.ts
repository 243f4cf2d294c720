/**
 * Plain-text rendering of an analysis, hop by hop with the rule that decided each hop, for
 * `cloudlet net why` and logs. Pure: takes the engine's answer, returns lines.
 */

import type { AnalysisAclRule, AnalysisPacketHeader, AnalysisResult, AnalysisRouteTableRoute, AnalysisSecurityGroupRule, Explanation, PathComponent } from './types.js';

const ports = (r?: { From: number; To: number }): string => (!r ? 'all ports' : r.From === r.To ? `port ${r.From}` : `ports ${r.From}-${r.To}`);

export const describeAclRule = (r: AnalysisAclRule): string =>
  `${r.Egress ? 'outbound' : 'inbound'} rule ${r.RuleNumber === 32767 ? '* (32767)' : r.RuleNumber} ${r.RuleAction} ${r.Protocol === 'all' ? 'all traffic' : `protocol ${r.Protocol}`} ${r.PortRange ? ports(r.PortRange) + ' ' : ''}${r.Egress ? 'to' : 'from'} ${r.Cidr}`;

export const describeSgRule = (r: AnalysisSecurityGroupRule): string => {
  const peer = r.Cidr ?? r.PrefixListId ?? r.SecurityGroupId;
  return `${r.Direction} ${r.Protocol === 'all' ? 'all traffic' : `${r.Protocol} ${ports(r.PortRange)}`} ${r.Direction === 'ingress' ? 'from' : 'to'} ${peer}`;
};

export const describeRoute = (r: AnalysisRouteTableRoute): string => {
  const target = r.GatewayId ?? r.NatGatewayId ?? r.EgressOnlyInternetGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? '?';
  return `route ${r.DestinationCidr ?? r.DestinationPrefixListId} -> ${target} (${r.State ?? 'active'})`;
};

const headerText = (h: AnalysisPacketHeader): string => {
  const list = (xs?: string[]) => (!xs ? '?' : xs.length > 3 ? `${xs.slice(0, 3).join(',')},... (${xs.length} blocks)` : xs.join(','));
  const pr = (xs?: { From: number; To: number }[]) => (xs ?? []).map((p) => (p.From === p.To ? `${p.From}` : `${p.From}-${p.To}`)).join(',');
  return `${list(h.SourceAddresses)}:${pr(h.SourcePortRanges)} -> ${list(h.DestinationAddresses)}:${pr(h.DestinationPortRanges)} proto ${h.Protocol}`;
};

function hopLine(h: PathComponent): string {
  const parts = [`${String(h.SequenceNumber).padStart(3)}. ${h.Component.Id}${h.Component.Name ? ` (${h.Component.Name})` : ''}`];
  if (h.AttachedTo) parts.push(`on ${h.AttachedTo.Id}`);
  if (h.SecurityGroupRule) parts.push(`allowed by ${describeSgRule(h.SecurityGroupRule)}`);
  else if (h.Component.Id.startsWith('sg-')) parts.push('allowed: reply to a tracked connection');
  if (h.AclRule) parts.push(`allowed by ${describeAclRule(h.AclRule)}`);
  if (h.RouteTableRoute) parts.push(describeRoute(h.RouteTableRoute));
  if (h.OutboundHeader && h.InboundHeader) parts.push(`translates ${headerText(h.InboundHeader)} => ${headerText(h.OutboundHeader)}`);
  else if (h.OutboundHeader) parts.push(`sends ${headerText(h.OutboundHeader)}`);
  else if (h.InboundHeader) parts.push(`receives ${headerText(h.InboundHeader)}`);
  return parts.join('  ');
}

export function describeExplanation(e: Explanation): string {
  const bits = [e.ExplanationCode];
  if (e.Direction) bits.push(e.Direction);
  const named = e.Acl ?? e.SecurityGroup ?? e.RouteTable ?? e.InternetGateway ?? e.NatGateway ?? e.VpcPeeringConnection ?? e.VpcEndpoint ?? e.NetworkInterface ?? e.Component;
  if (named) bits.push(named.Id);
  if (e.AclRule) bits.push(describeAclRule(e.AclRule));
  if (e.RouteTableRoute) bits.push(describeRoute(e.RouteTableRoute));
  if (e.SecurityGroups && e.SecurityGroups.length > 1) bits.push(`groups ${e.SecurityGroups.map((g) => g.Id).join(',')}`);
  if (e.PacketField) bits.push(`no rule admits the ${e.PacketField}${e.Port !== undefined ? ` ${e.Port}` : ''}`);
  if (e.Subnet) bits.push(`subnet ${e.Subnet.Id}`);
  return bits.join('  ');
}

export function renderAnalysis(r: AnalysisResult): string {
  const out = [r.NetworkPathFound ? 'reachable' : 'not reachable', 'forward path:'];
  out.push(...r.ForwardPathComponents.map(hopLine));
  if (r.ReturnPathComponents.length) out.push('return path:', ...r.ReturnPathComponents.map(hopLine));
  if (r.Explanations.length) out.push('why:', ...r.Explanations.map((e) => `  ${describeExplanation(e)}`));
  return out.join('\n');
}
