/**
 * Stored shapes of network interfaces and Elastic IPs. Keys the store indexes (schema.ts
 * INDEXES) are marked: keep their names. An ENI's 'vpc' and 'subnet' indexes are what make
 * DeleteVpc and DeleteSubnet answer DependencyViolation while interfaces remain.
 */

export interface PrivateIpRecord {
  address: string;
  primary: boolean;
}

export interface EniAttachmentRecord {
  /** eni-attach-... Indexed: 'attach'. */
  id: string;
  /** Indexed: 'instance'. */
  instanceId?: string;
  instanceOwnerId: string;
  deviceIndex: number;
  networkCardIndex: number;
  attachTime: string;
  deleteOnTermination: boolean;
}

export interface NetworkInterfaceRecord {
  id: string;
  /** Indexed: 'subnet'. */
  subnetId: string;
  /** Indexed: 'vpc'. */
  vpcId: string;
  ownerId: string;
  zoneName: string;
  zoneId: string;
  description: string;
  /** 'interface', or the managed kinds AWS creates ('nat_gateway', 'vpc_endpoint', ...). */
  interfaceType: string;
  /** Set for interfaces AWS services create on the account's behalf (NAT gateways, endpoints). */
  requesterId?: string;
  requesterManaged: boolean;
  macAddress: string;
  /** Primary first. Indexed: 'ip' (privateIps.address). */
  privateIps: PrivateIpRecord[];
  ipv6: string[];
  /** Indexed: 'group' (who uses a security group). */
  groups: string[];
  sourceDestCheck: boolean;
  attachment?: EniAttachmentRecord;
  createdAt: string;
}

export interface AddressAssociationRecord {
  /** eipassoc-... Indexed: 'assoc'. */
  id: string;
  /** Indexed: 'eni'. */
  networkInterfaceId: string;
  networkInterfaceOwnerId: string;
  privateIp: string;
  /** Indexed: 'instance' (set when the interface is attached to an instance). */
  instanceId?: string;
}

export interface AddressRecord {
  /** eipalloc-... */
  allocationId: string;
  /** Indexed: 'ip'. */
  publicIp: string;
  domain: 'vpc';
  networkBorderGroup: string;
  association?: AddressAssociationRecord;
  allocatedAt: string;
}

/**
 * Every public IPv4 address in use anywhere in the cloudlet (GLOBAL_ACCOUNT scope, id = the
 * address): how allocation never hands one address to two accounts or regions.
 */
export interface PublicIpClaim {
  account: string;
  region: string;
  allocationId: string;
}

export const PUBLIC_IP_KIND = 'ec2:public-ip';
/** MAC addresses in use anywhere in the cloudlet (GLOBAL_ACCOUNT scope, id = the address). */
export const MAC_KIND = 'ec2:mac-address';
