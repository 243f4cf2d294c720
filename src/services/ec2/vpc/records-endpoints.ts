/**
 * Stored shapes of managed prefix lists (customer lists; AWS's own lists are data, see
 * prefix-lists.ts), VPC endpoints and VPC peering connections. Keys the store indexes
 * (schema.ts INDEXES) are marked: keep their names. They map one to one onto the reachability
 * snapshot's NetPrefixList, NetVpcEndpoint and NetPeering (src/network/types.ts).
 */

export interface PrefixListEntryRecord {
  cidr: string;
  description?: string;
}

export interface PrefixListRecord {
  id: string;
  ownerId: string;
  name: string;
  addressFamily: 'IPv4' | 'IPv6';
  maxEntries: number;
  version: number;
  entries: PrefixListEntryRecord[];
  /** Entries of every earlier version, for GetManagedPrefixListEntries' TargetVersion. */
  history: Array<{ version: number; entries: PrefixListEntryRecord[] }>;
  state: 'create-complete' | 'modify-complete';
  clientToken?: string;
  createdAt: string;
}

export interface VpcEndpointRecord {
  id: string;
  ownerId: string;
  /** Indexed: 'vpc' (so DeleteVpc answers DependencyViolation while an endpoint remains). */
  vpcId: string;
  type: 'Gateway' | 'Interface';
  serviceName: string;
  /** What route-targets.ts reads ('available'; deleted endpoints are removed). */
  state: 'available' | 'pending';
  policyDocument: string;
  /** Gateway endpoints: the route tables given the service's prefix-list route. Indexed: 'rtb'. */
  routeTableIds: string[];
  /** Gateway endpoints: the service's managed prefix list. */
  prefixListId?: string;
  /** Interface endpoints. */
  subnetIds: string[];
  /** Indexed: 'group' (security groups in use by endpoints). */
  groups: string[];
  networkInterfaceIds: string[];
  privateDnsEnabled: boolean;
  ipAddressType: 'ipv4' | 'dualstack' | 'ipv6';
  clientToken?: string;
  createdAt: string;
}

export interface PeeringSideRecord {
  ownerId: string;
  vpcId: string;
  region: string;
  /** The VPC's IPv4 blocks when the request was made (AWS reports them). */
  cidrs: string[];
  ipv6Cidrs: string[];
  allowDnsResolutionFromRemoteVpc: boolean;
}

/**
 * One peering connection. The same record (same ID) is written in the requester's scope and,
 * when it differs, in the accepter's {account, region} scope, and every change writes both:
 * each side describes, routes to and deletes it in its own scope, as on AWS.
 */
export interface PeeringRecord {
  id: string;
  /** Indexed: 'requester-vpc' (not 'vpc': a peering does not hold up DeleteVpc). */
  requester: PeeringSideRecord;
  /** Indexed: 'accepter-vpc'. */
  accepter: PeeringSideRecord;
  /** What route-targets.ts reads: routes to a connection that is not active are blackholes. */
  state: 'initiating-request' | 'pending-acceptance' | 'active' | 'rejected' | 'deleted' | 'failed' | 'expired' | 'deleting';
  message: string;
  /** When the state last changed (ms), for how long AWS keeps ended connections visible. */
  changedMs: number;
  expirationMs: number;
}
