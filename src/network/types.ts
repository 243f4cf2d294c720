/**
 * The network snapshot the engine reads and the answer it gives. Snapshot fields use the EC2
 * API's vocabulary (so the service maps store rows almost one to one); answer shapes are the
 * EC2 model's `PathComponent`, `Explanation`, `AnalysisComponent`, `AnalysisAclRule`,
 * `AnalysisSecurityGroupRule`, `AnalysisRouteTableRoute` and `AnalysisPacketHeader`, member for
 * member in the model's PascalCase, so the service can return them directly.
 */

export interface Named { readonly id: string; readonly arn?: string; readonly name?: string }

export interface NetVpc extends Named {
  /** IPv4 blocks, primary first; IPv6 blocks in `ipv6Cidrs`. */
  readonly cidrs: readonly string[];
  readonly ipv6Cidrs?: readonly string[];
  readonly mainRouteTableId: string;
  readonly account?: string;
  readonly region?: string;
}

export interface NetSubnet extends Named {
  readonly vpcId: string;
  readonly zone: string;
  readonly cidrs: readonly string[];
  readonly ipv6Cidrs?: readonly string[];
  /** Explicit association; absent means the VPC's main route table. */
  readonly routeTableId?: string;
  readonly networkAclId: string;
}

/**
 * One route. `target` is `local` or the target's ID, whose prefix says its kind: `igw-`, `nat-`,
 * `eigw-`, `eni-`, `i-`, `vpce-`, `pcx-` (others are kept and answered as unsupported).
 */
export interface NetRoute {
  readonly destinationCidr?: string;
  readonly destinationPrefixListId?: string;
  readonly target: string;
  readonly state?: 'active' | 'blackhole';
  /** AWS's `Origin`: CreateRouteTable (local, endpoint routes), CreateRoute, EnableVgwRoutePropagation. */
  readonly origin?: string;
}

export interface NetRouteTable extends Named { readonly vpcId: string; readonly routes: readonly NetRoute[] }

export interface NetInternetGateway extends Named { readonly attachedVpcId?: string }
export interface NetEgressOnlyGateway extends Named { readonly attachedVpcId?: string }

export interface NetNatGateway extends Named {
  readonly subnetId: string;
  readonly connectivity: 'public' | 'private';
  readonly state: 'pending' | 'available' | 'deleting' | 'deleted' | 'failed';
  readonly privateIp: string;
  /** The Elastic IP of a public NAT gateway. */
  readonly publicIp?: string;
  readonly networkInterfaceId?: string;
}

export interface NetVpcEndpoint extends Named {
  readonly vpcId: string;
  readonly type: 'Gateway' | 'Interface';
  readonly serviceName: string;
  /** Gateway endpoints: the service's managed prefix list (routes and SG rules name it). */
  readonly prefixListId?: string;
  /** Interface endpoints: their network interfaces. */
  readonly networkInterfaceIds?: readonly string[];
  readonly state?: string;
}

export interface NetPeering extends Named {
  readonly requesterVpcId: string;
  readonly accepterVpcId: string;
  readonly status: string;
  /** Inter-Region peering: security group references do not cross it. */
  readonly crossRegion?: boolean;
}

export interface NetEni extends Named {
  readonly subnetId: string;
  /** Primary private IPv4 first, then secondaries. */
  readonly privateIps: readonly string[];
  readonly ipv6Ips?: readonly string[];
  /** Public IPv4 or associated Elastic IP of the primary private address. */
  readonly publicIp?: string;
  readonly securityGroupIds: readonly string[];
  readonly sourceDestCheck: boolean;
  readonly instanceId?: string;
  readonly instanceArn?: string;
  /** `interface` (default), `nat_gateway`, `vpc_endpoint`, ... as DescribeNetworkInterfaces' InterfaceType. */
  readonly interfaceType?: string;
  readonly status?: string;
}

/** Protocol as the API takes it: `-1`, `tcp`, `udp`, `icmp`, `icmpv6` or a number. */
export interface NetSgRule {
  readonly ruleId?: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidr?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
}

export interface NetSecurityGroup extends Named {
  readonly vpcId: string;
  readonly ingress: readonly NetSgRule[];
  readonly egress: readonly NetSgRule[];
}

export interface NetAclEntry {
  /** 1-32766; the engine appends the `*` default deny (32767) of each direction itself. */
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly action: 'allow' | 'deny';
  readonly protocol: string;
  /** IPv4 or IPv6 block. */
  readonly cidr: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

export interface NetAcl extends Named { readonly vpcId: string; readonly entries: readonly NetAclEntry[] }

export interface NetPrefixList extends Named { readonly cidrs: readonly string[] }

export interface NetworkSnapshot {
  /** Account and Region used for ARNs of components that carry none. */
  readonly account: string;
  readonly region: string;
  readonly vpcs: readonly NetVpc[];
  readonly subnets: readonly NetSubnet[];
  readonly routeTables: readonly NetRouteTable[];
  readonly internetGateways: readonly NetInternetGateway[];
  readonly egressOnlyInternetGateways?: readonly NetEgressOnlyGateway[];
  readonly natGateways: readonly NetNatGateway[];
  readonly vpcEndpoints?: readonly NetVpcEndpoint[];
  readonly peeringConnections?: readonly NetPeering[];
  readonly networkInterfaces: readonly NetEni[];
  readonly securityGroups: readonly NetSecurityGroup[];
  readonly networkAcls: readonly NetAcl[];
  readonly prefixLists?: readonly NetPrefixList[];
}

/**
 * A path question, as CreateNetworkInsightsPath takes it. `source`/`destination`: an ID
 * (`i-`, `eni-`, `igw-`, `nat-`, `pcx-`, `vpce-`), an IP address, or `internet`.
 */
export interface Question {
  readonly source: string;
  readonly destination: string;
  readonly protocol: 'tcp' | 'udp';
  readonly destinationPort?: number;
  /** Fixed source port; default: the ephemeral range, see DEFAULT_SOURCE_PORTS. */
  readonly sourcePort?: number;
  /** AWS's SourceIp / DestinationIp (FilterAtSource addresses): pin an address of the endpoint. */
  readonly sourceIp?: string;
  readonly destinationIp?: string;
}

// ---- Answer shapes (EC2 model) ----

export interface AnalysisComponent { Id: string; Arn?: string; Name?: string }
export interface PortRange { From: number; To: number }
export interface AnalysisPacketHeader {
  DestinationAddresses?: string[];
  DestinationPortRanges?: PortRange[];
  Protocol?: string;
  SourceAddresses?: string[];
  SourcePortRanges?: PortRange[];
}
export interface AnalysisAclRule {
  Cidr?: string; Egress?: boolean; PortRange?: PortRange; Protocol?: string; RuleAction?: string; RuleNumber?: number;
}
export interface AnalysisSecurityGroupRule {
  Cidr?: string; Direction?: string; SecurityGroupId?: string; PortRange?: PortRange; PrefixListId?: string; Protocol?: string;
}
export interface AnalysisRouteTableRoute {
  DestinationCidr?: string; DestinationPrefixListId?: string; EgressOnlyInternetGatewayId?: string; GatewayId?: string;
  InstanceId?: string; NatGatewayId?: string; NetworkInterfaceId?: string; Origin?: string; TransitGatewayId?: string;
  VpcPeeringConnectionId?: string; State?: string;
}

export interface Explanation {
  ExplanationCode: string;
  Direction?: string;
  Acl?: AnalysisComponent;
  AclRule?: AnalysisAclRule;
  Address?: string;
  Addresses?: string[];
  AttachedTo?: AnalysisComponent;
  Cidrs?: string[];
  Component?: AnalysisComponent;
  Destination?: AnalysisComponent;
  DestinationVpc?: AnalysisComponent;
  InternetGateway?: AnalysisComponent;
  MissingComponent?: string;
  NatGateway?: AnalysisComponent;
  NetworkInterface?: AnalysisComponent;
  PacketField?: string;
  Port?: number;
  PortRanges?: PortRange[];
  PrefixList?: AnalysisComponent;
  Protocols?: string[];
  RouteTable?: AnalysisComponent;
  RouteTableRoute?: AnalysisRouteTableRoute;
  SecurityGroup?: AnalysisComponent;
  SecurityGroupRule?: AnalysisSecurityGroupRule;
  SecurityGroups?: AnalysisComponent[];
  SourceVpc?: AnalysisComponent;
  State?: string;
  Subnet?: AnalysisComponent;
  SubnetRouteTable?: AnalysisComponent;
  Vpc?: AnalysisComponent;
  VpcEndpoint?: AnalysisComponent;
  VpcPeeringConnection?: AnalysisComponent;
  ComponentAccount?: string;
  ComponentRegion?: string;
}

export interface PathComponent {
  SequenceNumber: number;
  Component: AnalysisComponent;
  AclRule?: AnalysisAclRule;
  AttachedTo?: AnalysisComponent;
  DestinationVpc?: AnalysisComponent;
  OutboundHeader?: AnalysisPacketHeader;
  InboundHeader?: AnalysisPacketHeader;
  RouteTableRoute?: AnalysisRouteTableRoute;
  SecurityGroupRule?: AnalysisSecurityGroupRule;
  SourceVpc?: AnalysisComponent;
  Subnet?: AnalysisComponent;
  Vpc?: AnalysisComponent;
  Explanations?: Explanation[];
}

export interface AnalysisResult {
  NetworkPathFound: boolean;
  ForwardPathComponents: PathComponent[];
  ReturnPathComponents: PathComponent[];
  Explanations: Explanation[];
}

/** A question the engine cannot take (unknown resource, bad port...): the service answers InvalidParameterValue. */
export class NetworkQuestionError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}
