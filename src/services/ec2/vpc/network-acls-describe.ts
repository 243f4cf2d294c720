/**
 * DescribeNetworkAcls over the stored ACLs (the default ACL of every VPC, and what the network
 * ACL work creates). Entry and association operations live with that work.
 */
import type { DescribeNetworkAclsRequest, DescribeNetworkAclsResult, NetworkAcl } from '@aws-sdk/client-ec2';
import type { Handler } from '../../types.js';
import { bool, describe } from '../describe.js';
import { tagList, type Tag } from '../tags.js';
import type { NetworkAclRecord } from './records.js';

export function networkAclShape(a: NetworkAclRecord, tags: Tag[]): NetworkAcl {
  return {
    NetworkAclId: a.id, VpcId: a.vpcId, OwnerId: a.ownerId, IsDefault: a.isDefault,
    Entries: [...a.entries].sort((x, y) => Number(x.egress) - Number(y.egress) || x.ruleNumber - y.ruleNumber).map((e) => ({
      RuleNumber: e.ruleNumber, Protocol: e.protocol, RuleAction: e.ruleAction, Egress: e.egress,
      ...(e.cidrBlock ? { CidrBlock: e.cidrBlock } : {}), ...(e.ipv6CidrBlock ? { Ipv6CidrBlock: e.ipv6CidrBlock } : {}),
      ...(e.icmpTypeCode ? { IcmpTypeCode: { Type: e.icmpTypeCode.type, Code: e.icmpTypeCode.code } } : {}),
      ...(e.portRange ? { PortRange: { From: e.portRange.from, To: e.portRange.to } } : {}),
    })),
    Associations: a.associations.map((s) => ({ NetworkAclAssociationId: s.id, NetworkAclId: a.id, SubnetId: s.subnetId })),
    Tags: tagList(tags),
  };
}

export const NETWORK_ACL_FILTERS: Record<string, (a: NetworkAclRecord) => string | string[] | undefined> = {
  'association.association-id': (a) => a.associations.map((s) => s.id),
  'association.network-acl-id': (a) => (a.associations.length ? a.id : undefined),
  'association.subnet-id': (a) => a.associations.map((s) => s.subnetId),
  default: (a) => bool(a.isDefault),
  'entry.cidr': (a) => a.entries.flatMap((e) => (e.cidrBlock ? [e.cidrBlock] : [])),
  'entry.ipv6-cidr': (a) => a.entries.flatMap((e) => (e.ipv6CidrBlock ? [e.ipv6CidrBlock] : [])),
  'entry.egress': (a) => a.entries.map((e) => bool(e.egress)),
  'entry.protocol': (a) => a.entries.map((e) => e.protocol),
  'entry.rule-action': (a) => a.entries.map((e) => e.ruleAction),
  'entry.rule-number': (a) => a.entries.map((e) => String(e.ruleNumber)),
  'entry.port-range.from': (a) => a.entries.flatMap((e) => (e.portRange ? [String(e.portRange.from)] : [])),
  'entry.port-range.to': (a) => a.entries.flatMap((e) => (e.portRange ? [String(e.portRange.to)] : [])),
  'entry.icmp.type': (a) => a.entries.flatMap((e) => (e.icmpTypeCode ? [String(e.icmpTypeCode.type)] : [])),
  'entry.icmp.code': (a) => a.entries.flatMap((e) => (e.icmpTypeCode ? [String(e.icmpTypeCode.code)] : [])),
  'network-acl-id': (a) => a.id,
  'owner-id': (a) => a.ownerId,
  'vpc-id': (a) => a.vpcId,
};

export const describeNetworkAcls: Handler<DescribeNetworkAclsRequest, DescribeNetworkAclsResult> = (input, ctx) => {
  const { items, nextToken } = describe<NetworkAclRecord>(ctx, input, {
    operation: 'DescribeNetworkAcls', type: 'network-acl', ids: input.NetworkAclIds, idsParam: 'networkAclIds',
    fields: NETWORK_ACL_FILTERS, indexes: { 'vpc-id': 'vpc', 'association.subnet-id': 'subnet', 'association.association-id': 'assoc' },
  });
  return { NetworkAcls: items.map((d) => networkAclShape(d.record, d.tags)), NextToken: nextToken };
};
