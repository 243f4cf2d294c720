/**
 * Stored shapes of the VPC layer. Other resource files (security groups, network ACLs, NAT
 * gateways, ENIs ...) extend these records; the reachability engine reads them through a
 * snapshot. Keys that the store indexes (schema.ts INDEXES) are marked: keep their names.
 */

export interface CidrAssociation {
  associationId: string;
  cidr: string;
  state: 'associated' | 'disassociated';
}

export interface Ipv6Association extends CidrAssociation {
  pool: string;
  networkBorderGroup: string;
}

export interface VpcRecord {
  id: string;
  ownerId: string;
  /** The primary IPv4 block (also cidrs[0]). */
  cidrBlock: string;
  cidrs: CidrAssociation[];
  ipv6: Ipv6Association[];
  tenancy: 'default' | 'dedicated';
  isDefault: boolean;
  dhcpOptionsId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
  mainRouteTableId: string;
  defaultSecurityGroupId: string;
  defaultNetworkAclId: string;
  createdAt: string;
}

export interface SubnetRecord {
  id: string;
  /** Indexed: 'vpc'. */
  vpcId: string;
  ownerId: string;
  cidrBlock: string;
  /**
   * `vpcId|network as 8 hex digits|prefix`: indexed ('cidr') so that overlap checks are a
   * few exact lookups and one range read, not a read of every subnet of the VPC.
   */
  cidrKey: string;
  /** IPv6 /64s; indexed: 'ipv6-assoc' (associationId) and 'ipv6-cidr' (cidr). */
  ipv6: CidrAssociation[];
  zoneName: string;
  zoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  assignIpv6AddressOnCreation: boolean;
  enableDns64: boolean;
  ipv6Native: boolean;
  hostnameType: 'ip-name' | 'resource-name';
  enableResourceNameDnsARecord: boolean;
  enableResourceNameDnsAAAARecord: boolean;
  /**
   * The one network ACL the subnet is in (AWS: exactly one), kept here rather than in the
   * ACL so that creating a subnet writes one row, not an ACL record listing every subnet.
   * Indexed: 'acl' (aclId) and 'acl-assoc' (associationId, aclassoc-...).
   */
  networkAcl?: { aclId: string; associationId: string };
  /**
   * Private IPv4 addresses in use (by network interfaces, NAT gateways, endpoints): whoever
   * takes or frees an address changes this, and AvailableIpAddressCount follows.
   */
  usedIpv4: number;
  /** Where the next first-free IPv4 search starts (eni-core.ts): no address below it is free. */
  ipv4Cursor?: string;
  createdAt: string;
}

export interface RouteTableAssociation {
  /** rtbassoc-... */
  id: string;
  main: boolean;
  /** Indexed: 'subnet'. */
  subnetId?: string;
  /** Indexed: 'gateway' (edge associations of internet and virtual private gateways). */
  gatewayId?: string;
}

export interface RouteRecord {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  destinationPrefixListId?: string;
  /**
   * 'local', or the ID of the target (igw-, nat-, eigw-, eni-, i-, vpce-, pcx-, vgw-, tgw-):
   * its prefix says which kind. Indexed: 'target' (what routes to a gateway when it goes).
   */
  target: string;
  origin: 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';
}

export interface RouteTableRecord {
  id: string;
  /** Indexed: 'vpc'. */
  vpcId: string;
  ownerId: string;
  associations: RouteTableAssociation[];
  routes: RouteRecord[];
}

export interface InternetGatewayRecord {
  id: string;
  ownerId: string;
  /** At most one; indexed: 'vpc' (attachments.vpcId). */
  attachments: Array<{ vpcId: string; state: 'available' }>;
}

/** One rule of a security group; the security group work owns its semantics. */
export interface SecurityGroupRuleRecord {
  /** sgr-... */
  id: string;
  egress: boolean;
  /** '-1', 'tcp', 'udp', 'icmp', 'icmpv6' or a protocol number. */
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  /** Indexed: 'refs' (who references a group). */
  referencedGroupId?: string;
  referencedUserId?: string;
  /** A referenced group in another VPC (peered): its VPC and the peering connection. */
  referencedVpcId?: string;
  vpcPeeringConnectionId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  id: string;
  /** Indexed: 'vpc'. */
  vpcId: string;
  ownerId: string;
  name: string;
  description: string;
  isDefault: boolean;
  rules: SecurityGroupRuleRecord[];
}

export interface NetworkAclEntryRecord {
  ruleNumber: number;
  egress: boolean;
  /** '-1' or a protocol number as text, as AWS stores it. */
  protocol: string;
  ruleAction: 'allow' | 'deny';
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  icmpTypeCode?: { type: number; code: number };
  portRange?: { from: number; to: number };
}

export interface NetworkAclRecord {
  id: string;
  /** Indexed: 'vpc'. */
  vpcId: string;
  ownerId: string;
  isDefault: boolean;
  entries: NetworkAclEntryRecord[];
}

/** Per account and region: whether the default VPC was made (it is made once, lazily). */
export interface Ec2AccountState {
  defaultVpcCreated: boolean;
  /** Absent once the default VPC is deleted. */
  defaultVpcId?: string;
}

export const ACCOUNT_STATE_KIND = 'ec2:account-state';
