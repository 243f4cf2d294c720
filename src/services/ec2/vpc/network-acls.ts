/**
 * Network ACLs: custom ACLs that start deny-all, numbered entries (create, replace, delete),
 * and moving a subnet between ACLs (every subnet is in exactly one; a new subnet joins its
 * VPC's default ACL in CreateSubnet). DescribeNetworkAcls is in network-acls-describe.ts.
 */
import type {
  CreateNetworkAclEntryRequest, CreateNetworkAclRequest, CreateNetworkAclResult, DeleteNetworkAclEntryRequest,
  DeleteNetworkAclRequest, ReplaceNetworkAclAssociationRequest, ReplaceNetworkAclAssociationResult,
  ReplaceNetworkAclEntryRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagSpecTags } from '../tags.js';
import { cidrParam, dependencyViolation, text } from './common.js';
import { networkAclShape } from './network-acls-describe.js';
import type { NetworkAclEntryRecord, NetworkAclRecord, SubnetRecord, VpcRecord } from './records.js';

const K = { acl: RESOURCE_TYPES['network-acl'].kind, subnet: RESOURCE_TYPES.subnet.kind };
/** AWS's default quotas: ACLs per VPC, and rules per direction of one ACL. */
export const MAX_ACLS_PER_VPC = 200;
export const MAX_ENTRIES_PER_DIRECTION = 20;

/** The `*` entries every ACL ends with: 32767 for IPv4, 32768 for IPv6 (as AWS numbers them). */
function denyAll(ipv6: boolean): NetworkAclEntryRecord[] {
  const out: NetworkAclEntryRecord[] = [];
  for (const egress of [false, true]) {
    out.push({ ruleNumber: 32767, egress, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' });
    if (ipv6) out.push({ ruleNumber: 32768, egress, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' });
  }
  return out;
}

export const createNetworkAcl: Handler<CreateNetworkAclRequest, CreateNetworkAclResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  if (ctx.tx.countBy(ctx.scope, K.acl, 'vpc', { key: vpc.id }) >= MAX_ACLS_PER_VPC) {
    throw new AwsError('NetworkAclLimitExceeded', `The maximum number of network ACLs for VPC '${vpc.id}' has been reached (${MAX_ACLS_PER_VPC}).`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'network-acl');
  const acl: NetworkAclRecord = { id: newId('network-acl'), vpcId: vpc.id, ownerId: ctx.account, isDefault: false, entries: denyAll(vpc.ipv6.length > 0) };
  ctx.tx.put(ctx.scope, K.acl, acl.id, acl);
  setTags(ctx.tx, ctx.scope, 'network-acl', acl.id, tags);
  return { NetworkAcl: networkAclShape(acl, [], tags) };
};

export const deleteNetworkAcl: Handler<DeleteNetworkAclRequest, object> = (input, ctx) => {
  const acl = mustGet<NetworkAclRecord>(ctx, 'network-acl', input.NetworkAclId);
  if (acl.isDefault) throw new AwsError('InvalidParameterValue', `cannot delete default network ACL ${acl.id}`);
  if (ctx.tx.countBy(ctx.scope, K.subnet, 'acl', { key: acl.id }) > 0) throw dependencyViolation('networkAcl', acl.id);
  ctx.tx.delete(ctx.scope, K.acl, acl.id);
  dropTags(ctx.tx, ctx.scope, acl.id);
  return {};
};

const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

/** '-1' or the protocol number as text, as AWS stores NACL protocols. */
function aclProtocol(p: string | undefined): string {
  if (p === undefined || p === '') throw new AwsError('MissingParameter', 'The request must contain the parameter protocol');
  const named = PROTOCOL_NUMBERS[p.toLowerCase()];
  if (named) return named;
  if (p === '-1') return p;
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return String(Number(p));
  throw new AwsError('InvalidParameterValue', `Invalid value '${p}' for protocol. Valid values: -1, a protocol number 0-255, tcp, udp, icmp, icmpv6`);
}

function ruleNumberParam(n: number | undefined): number {
  if (n === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter ruleNumber');
  if (!Number.isInteger(n) || n < 1 || n > 32766) {
    throw new AwsError('InvalidParameterValue', `Value (${n}) for parameter ruleNumber is invalid. Rule numbers must be between 1 and 32766.`);
  }
  return n;
}

/** One entry from Create/ReplaceNetworkAclEntry, validated. */
function entryOf(input: CreateNetworkAclEntryRequest): NetworkAclEntryRecord {
  const ruleNumber = ruleNumberParam(input.RuleNumber);
  const protocol = aclProtocol(input.Protocol);
  const action = input.RuleAction;
  if (action !== 'allow' && action !== 'deny') {
    throw new AwsError(action === undefined ? 'MissingParameter' : 'InvalidParameterValue',
      action === undefined ? 'The request must contain the parameter ruleAction' : `Value (${action}) for parameter ruleAction is invalid. Valid values: allow, deny`);
  }
  if (input.Egress === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter egress');
  const v4 = input.CidrBlock !== undefined && input.CidrBlock !== '';
  const v6 = input.Ipv6CidrBlock !== undefined && input.Ipv6CidrBlock !== '';
  if (v4 === v6) {
    throw new AwsError(v4 ? 'InvalidParameterCombination' : 'MissingParameter', 'The request must contain exactly one of cidrBlock and ipv6CidrBlock');
  }
  const e: NetworkAclEntryRecord = { ruleNumber, egress: input.Egress, protocol, ruleAction: action };
  if (v4) e.cidrBlock = text(cidrParam(input.CidrBlock, 'cidrBlock', 4));
  else e.ipv6CidrBlock = text(cidrParam(input.Ipv6CidrBlock, 'ipv6CidrBlock', 6));
  if (protocol === '6' || protocol === '17') {
    const r = input.PortRange;
    if (r?.From === undefined || r.To === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter portRange (From and To) for TCP and UDP');
    if (!Number.isInteger(r.From) || !Number.isInteger(r.To) || r.From < 0 || r.To > 65535 || r.From > r.To) {
      throw new AwsError('InvalidParameterValue', `Invalid port range ${r.From}-${r.To}: ports are 0-65535, From <= To`);
    }
    e.portRange = { from: r.From, to: r.To };
  } else if (protocol === '1' || protocol === '58') {
    const t = input.IcmpTypeCode;
    if (t?.Type === undefined || t.Code === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter icmpTypeCode (Type and Code) for ICMP');
    if (!Number.isInteger(t.Type) || !Number.isInteger(t.Code) || t.Type < -1 || t.Type > 255 || t.Code < -1 || t.Code > 255) {
      throw new AwsError('InvalidParameterValue', `Invalid ICMP type ${t.Type} or code ${t.Code} (each -1 for all, or 0-255)`);
    }
    e.icmpTypeCode = { type: t.Type, code: t.Code };
  }
  return e;
}

const same = (a: NetworkAclEntryRecord, n: number, egress: boolean): boolean => a.ruleNumber === n && a.egress === egress;

export const createNetworkAclEntry: Handler<CreateNetworkAclEntryRequest, object> = (input, ctx) => {
  const acl = mustGet<NetworkAclRecord>(ctx, 'network-acl', input.NetworkAclId);
  const e = entryOf(input);
  if (acl.entries.some((x) => same(x, e.ruleNumber, e.egress))) {
    throw new AwsError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${e.ruleNumber} already exists.`);
  }
  const count = acl.entries.filter((x) => x.egress === e.egress && x.ruleNumber <= 32766).length;
  if (count >= MAX_ENTRIES_PER_DIRECTION) {
    throw new AwsError('NetworkAclEntryLimitExceeded', `The maximum number of ${e.egress ? 'egress' : 'ingress'} entries (${MAX_ENTRIES_PER_DIRECTION}) for network ACL ${acl.id} has been reached.`);
  }
  acl.entries.push(e);
  ctx.tx.put(ctx.scope, K.acl, acl.id, acl);
  return {};
};

function existing(acl: NetworkAclRecord, n: number, egress: boolean): number {
  const i = acl.entries.findIndex((x) => same(x, n, egress));
  if (i < 0) throw new AwsError('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${n} does not exist.`);
  return i;
}

export const replaceNetworkAclEntry: Handler<ReplaceNetworkAclEntryRequest, object> = (input, ctx) => {
  const acl = mustGet<NetworkAclRecord>(ctx, 'network-acl', input.NetworkAclId);
  const e = entryOf(input);
  acl.entries[existing(acl, e.ruleNumber, e.egress)] = e;
  ctx.tx.put(ctx.scope, K.acl, acl.id, acl);
  return {};
};

export const deleteNetworkAclEntry: Handler<DeleteNetworkAclEntryRequest, object> = (input, ctx) => {
  const acl = mustGet<NetworkAclRecord>(ctx, 'network-acl', input.NetworkAclId);
  const n = ruleNumberParam(input.RuleNumber);
  if (input.Egress === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter egress');
  acl.entries.splice(existing(acl, n, input.Egress), 1);
  ctx.tx.put(ctx.scope, K.acl, acl.id, acl);
  return {};
};

/** The subnet holding an ACL association ID, or InvalidAssociationID.NotFound. */
function subnetOfAssociation(ctx: RequestContext, id: string | undefined): SubnetRecord & { networkAcl: { aclId: string } } {
  if (id === undefined || id === '') throw new AwsError('MissingParameter', 'The request must contain the parameter associationId');
  const hit = ctx.tx.findBy<SubnetRecord>(ctx.scope, K.subnet, 'acl-assoc', { key: id, limit: 1 })[0];
  if (!hit?.value.networkAcl) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
  return hit.value as SubnetRecord & { networkAcl: { aclId: string } };
}

export const replaceNetworkAclAssociation: Handler<ReplaceNetworkAclAssociationRequest, ReplaceNetworkAclAssociationResult> = (input, ctx) => {
  const subnet = subnetOfAssociation(ctx, input.AssociationId);
  const to = mustGet<NetworkAclRecord>(ctx, 'network-acl', input.NetworkAclId);
  const fromVpc = ctx.tx.get<NetworkAclRecord>(ctx.scope, K.acl, subnet.networkAcl.aclId)?.vpcId ?? subnet.vpcId;
  if (to.vpcId !== fromVpc) {
    throw new AwsError('InvalidParameterValue', `Network ACL ${to.id} and subnet ${subnet.id} belong to different networks (${to.vpcId}, ${fromVpc})`);
  }
  subnet.networkAcl = { aclId: to.id, associationId: newId('network-acl-association') };
  ctx.tx.put(ctx.scope, K.subnet, subnet.id, subnet);
  return { NewAssociationId: subnet.networkAcl.associationId };
};
