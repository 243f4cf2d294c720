/**
 * Elastic IPs, network interfaces, security groups and network ACLs. Registered after the
 * VPC core's handlers (src/services/ec2/index.ts), so DescribeSecurityGroups here, with
 * GroupNames and peered references, is the one served.
 */
import type { Handler } from '../../types.js';
import {
  allocateAddress, associateAddress, describeAddresses, describeAddressesAttribute, disassociateAddress, releaseAddress,
} from './addresses.js';
import { withDefaultVpc } from './handlers.js';
import {
  createNetworkAcl, createNetworkAclEntry, deleteNetworkAcl, deleteNetworkAclEntry, replaceNetworkAclAssociation, replaceNetworkAclEntry,
} from './network-acls.js';
import {
  assignIpv6Addresses, assignPrivateIpAddresses, attachNetworkInterface, createNetworkInterface, deleteNetworkInterface,
  describeNetworkInterfaceAttribute, describeNetworkInterfaces, detachNetworkInterface, modifyNetworkInterfaceAttribute,
  unassignIpv6Addresses, unassignPrivateIpAddresses,
} from './network-interfaces.js';
import {
  describeSecurityGroupReferences, describeSecurityGroupRules, describeStaleSecurityGroups, modifySecurityGroupRules,
  updateSecurityGroupRuleDescriptionsEgress, updateSecurityGroupRuleDescriptionsIngress,
} from './security-group-rules.js';
import {
  authorizeSecurityGroupEgress, authorizeSecurityGroupIngress, createSecurityGroup, deleteSecurityGroup, describeSecurityGroups,
  revokeSecurityGroupEgress, revokeSecurityGroupIngress,
} from './security-groups.js';

const plain: Record<string, Handler> = {
  AllocateAddress: allocateAddress, AssociateAddress: associateAddress, DisassociateAddress: disassociateAddress,
  ReleaseAddress: releaseAddress, DescribeAddresses: describeAddresses, DescribeAddressesAttribute: describeAddressesAttribute,
  CreateNetworkInterface: createNetworkInterface, DeleteNetworkInterface: deleteNetworkInterface,
  AttachNetworkInterface: attachNetworkInterface, DetachNetworkInterface: detachNetworkInterface,
  AssignPrivateIpAddresses: assignPrivateIpAddresses, UnassignPrivateIpAddresses: unassignPrivateIpAddresses,
  AssignIpv6Addresses: assignIpv6Addresses, UnassignIpv6Addresses: unassignIpv6Addresses,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute, DescribeNetworkInterfaceAttribute: describeNetworkInterfaceAttribute,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  CreateSecurityGroup: createSecurityGroup, DeleteSecurityGroup: deleteSecurityGroup, DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress, AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress, RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
  DescribeSecurityGroupRules: describeSecurityGroupRules, ModifySecurityGroupRules: modifySecurityGroupRules,
  UpdateSecurityGroupRuleDescriptionsIngress: updateSecurityGroupRuleDescriptionsIngress,
  UpdateSecurityGroupRuleDescriptionsEgress: updateSecurityGroupRuleDescriptionsEgress,
  DescribeSecurityGroupReferences: describeSecurityGroupReferences, DescribeStaleSecurityGroups: describeStaleSecurityGroups,
  CreateNetworkAcl: createNetworkAcl, DeleteNetworkAcl: deleteNetworkAcl,
  CreateNetworkAclEntry: createNetworkAclEntry, ReplaceNetworkAclEntry: replaceNetworkAclEntry, DeleteNetworkAclEntry: deleteNetworkAclEntry,
  ReplaceNetworkAclAssociation: replaceNetworkAclAssociation,
};

export const securityHandlers: Record<string, Handler> = Object.fromEntries(Object.entries(plain).map(([k, h]) => [k, withDefaultVpc(h)]));
