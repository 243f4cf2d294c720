/**
 * DescribeNetworkAcls over the stored ACLs (the default ACL of every VPC, and what the network
 * ACL work creates). Entry and association operations live with that work.
 */
import type { DescribeNetworkAclsRequest, DescribeNetworkAclsResult, NetworkAcl } from '@aws-sdk/client-ec2';
import type { Scope, Tx } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe } from '../describe.js';
import { RESOURCE_TYPES } from '../ids.js';
import { tagList, type Tag } from '../tags.js';
import type { NetworkAclRecord, SubnetRecord } from './records.js';

export interface AclAssociation {
  id: string;
  subnetId: string;
}

/** The ACL's subnet associations: each subnet records its one ACL (indexed 'acl'), in subnet-ID order. */
export function aclAssociations(tx: Tx, scope: Scope, aclId: string): AclAssociation[] {
  return tx.findBy<SubnetRecord>(scope, SUBNET_KIND, 'acl', { key: aclId })
    .map((h) => ({ id: h.value.networkAcl!.associationId, subnetId: h.id }));
}

export function networkAclShape(a: NetworkAclRecord, associations: AclAssociation[], tags: Tag[]): NetworkAcl {
  return {
    NetworkAclId: a.id, VpcId: a.vpcId, OwnerId: a.ownerId, IsDefault: a.isDefault,
    Entries: [...a.entries].sort((x, y) => Number(x.egress) - Number(y.egress) || x.ruleNumber - y.ruleNumber).map((e) => ({
      RuleNumber: e.ruleNumber, Protocol: e.protocol, RuleAction: e.ruleAction, Egress: e.egress,
      ...(e.cidrBlock ? { CidrBlock: e.cidrBlock } : {}), ...(e.ipv6CidrBlock ? { Ipv6CidrBlock: e.ipv6CidrBlock } : {}),
      ...(e.icmpTypeCode ? { IcmpTypeCode: { Type: e.icmpTypeCode.type, Code: e.icmpTypeCode.code } } : {}),
      ...(e.portRange ? { PortRange: { From: e.portRange.from, To: e.portRange.to } } : {}),
    })),
    Associations: associations.map((s) => ({ NetworkAclAssociationId: s.id, NetworkAclId: a.id, SubnetId: s.subnetId })),
    Tags: tagList(tags),
  };
}

const SUBNET_KIND = RESOURCE_TYPES.subnet.kind;

const aclOfSubnets = (...subnets: Array<SubnetRecord | undefined>): string[] =>
  subnets.flatMap((s) => (s?.networkAcl ? [s.networkAcl.aclId] : []));

/** A request's associations, read once per ACL however many filters and outputs use them. */
function associationsOf(ctx: RequestContext): (aclId: string) => AclAssociation[] {
  const seen = new Map<string, AclAssociation[]>();
  return (aclId) => {
    let a = seen.get(aclId);
    if (!a) { a = aclAssociations(ctx.tx, ctx.scope, aclId); seen.set(aclId, a); }
    return a;
  };
}

export const NETWORK_ACL_FILTERS = (ctx: RequestContext, assocs = associationsOf(ctx)): Record<string, (a: NetworkAclRecord) => string | string[] | undefined> => ({
  'association.association-id': (a) => assocs(a.id).map((s) => s.id),
  'association.network-acl-id': (a) => (assocs(a.id).length ? a.id : undefined),
  'association.subnet-id': (a) => assocs(a.id).map((s) => s.subnetId),
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
});

export const describeNetworkAcls: Handler<DescribeNetworkAclsRequest, DescribeNetworkAclsResult> = (input, ctx) => {
  const assocs = associationsOf(ctx);
  const { items, nextToken } = describe<NetworkAclRecord>(ctx, input, {
    operation: 'DescribeNetworkAcls', type: 'network-acl', ids: input.NetworkAclIds, idsParam: 'networkAclIds',
    fields: NETWORK_ACL_FILTERS(ctx, assocs), indexes: { 'vpc-id': 'vpc' },
    candidates: {
      'association.subnet-id': (id) => aclOfSubnets(ctx.tx.get<SubnetRecord>(ctx.scope, SUBNET_KIND, id)),
      'association.association-id': (id) => aclOfSubnets(...ctx.tx.findBy<SubnetRecord>(ctx.scope, SUBNET_KIND, 'acl-assoc', { key: id }).map((h) => h.value)),
    },
  });
  return { NetworkAcls: items.map((d) => networkAclShape(d.record, assocs(d.record.id), d.tags)), NextToken: nextToken };
};
