/**
 * EC2 resource identity, once for every EC2-API resource: the ID prefixes, AWS's 17-hex-digit
 * IDs from one allocator, the store kind of each resource type, its ARN for IAM, and the
 * error codes AWS answers for a malformed or unknown ID of that type.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../core/errors.js';

export interface ResourceTypeInfo {
  /** The ID prefix without the dash: 'vpc' for vpc-0123... */
  prefix: string;
  /** The resource type as TagSpecifications and DescribeTags spell it. */
  tagType: string;
  /** The resource part of the ARN before the slash ('vpc' in arn:aws:ec2:r:a:vpc/vpc-...). */
  arn: string;
  /** Store kind holding the records. */
  kind: string;
  notFound: string;
  /** How a NotFound message names the type: "The vpc ID 'vpc-1' does not exist". */
  noun: string;
  malformed?: string;
  /** Images and prefix lists of AWS have no account in their ARN. */
  arnWithoutAccount?: boolean;
}

const T = (prefix: string, tagType: string, arn: string, notFound: string, noun: string, malformed?: string): ResourceTypeInfo =>
  ({ prefix, tagType, arn, kind: `ec2:${tagType}`, notFound, noun, ...(malformed ? { malformed } : {}) });

/** Every EC2 resource type cloudlet knows, by its tag resource type. */
export const RESOURCE_TYPES = {
  vpc: T('vpc', 'vpc', 'vpc', 'InvalidVpcID.NotFound', 'vpc ID', 'InvalidVpcID.Malformed'),
  subnet: T('subnet', 'subnet', 'subnet', 'InvalidSubnetID.NotFound', 'subnet ID', 'InvalidSubnetID.Malformed'),
  'route-table': T('rtb', 'route-table', 'route-table', 'InvalidRouteTableID.NotFound', 'routeTable ID', 'InvalidRouteTableID.Malformed'),
  'route-table-association': T('rtbassoc', 'route-table-association', 'route-table-association', 'InvalidAssociationID.NotFound', 'association ID'),
  'internet-gateway': T('igw', 'internet-gateway', 'internet-gateway', 'InvalidInternetGatewayID.NotFound', 'internetGateway ID', 'InvalidInternetGatewayID.Malformed'),
  natgateway: T('nat', 'natgateway', 'natgateway', 'NatGatewayNotFound', 'natGateway ID', 'InvalidNatGatewayID.Malformed'),
  'egress-only-internet-gateway': T('eigw', 'egress-only-internet-gateway', 'egress-only-internet-gateway', 'InvalidGatewayID.NotFound', 'gateway ID'),
  'elastic-ip': T('eipalloc', 'elastic-ip', 'elastic-ip', 'InvalidAllocationID.NotFound', 'allocation ID', 'InvalidAllocationID.Malformed'),
  'elastic-ip-association': T('eipassoc', 'elastic-ip-association', 'elastic-ip-association', 'InvalidAssociationID.NotFound', 'association ID'),
  'network-interface': T('eni', 'network-interface', 'network-interface', 'InvalidNetworkInterfaceID.NotFound', 'networkInterface ID', 'InvalidNetworkInterfaceID.Malformed'),
  'network-interface-attachment': T('eni-attach', 'network-interface-attachment', 'network-interface-attachment', 'InvalidAttachmentID.NotFound', 'attachment ID'),
  'security-group': T('sg', 'security-group', 'security-group', 'InvalidGroup.NotFound', 'security group', 'InvalidGroupId.Malformed'),
  'security-group-rule': T('sgr', 'security-group-rule', 'security-group-rule', 'InvalidSecurityGroupRuleId.NotFound', 'security group rule ID', 'InvalidSecurityGroupRuleId.Malformed'),
  'network-acl': T('acl', 'network-acl', 'network-acl', 'InvalidNetworkAclID.NotFound', 'networkAcl ID', 'InvalidNetworkAclID.Malformed'),
  'network-acl-association': T('aclassoc', 'network-acl-association', 'network-acl-association', 'InvalidAssociationID.NotFound', 'association ID'),
  'vpc-endpoint': T('vpce', 'vpc-endpoint', 'vpc-endpoint', 'InvalidVpcEndpointId.NotFound', 'VpcEndpoint ID', 'InvalidVpcEndpointId.Malformed'),
  'vpc-peering-connection': T('pcx', 'vpc-peering-connection', 'vpc-peering-connection', 'InvalidVpcPeeringConnectionID.NotFound', 'vpcPeeringConnection ID', 'InvalidVpcPeeringConnectionId.Malformed'),
  'prefix-list': T('pl', 'prefix-list', 'prefix-list', 'InvalidPrefixListID.NotFound', 'prefix list ID', 'InvalidPrefixListId.Malformed'),
  'network-insights-path': T('nip', 'network-insights-path', 'network-insights-path', 'InvalidNetworkInsightsPathId.NotFound', 'NetworkInsightsPath ID', 'InvalidNetworkInsightsPathId.Malformed'),
  'network-insights-analysis': T('nia', 'network-insights-analysis', 'network-insights-analysis', 'InvalidNetworkInsightsAnalysisId.NotFound', 'NetworkInsightsAnalysis ID', 'InvalidNetworkInsightsAnalysisId.Malformed'),
  'dhcp-options': T('dopt', 'dhcp-options', 'dhcp-options', 'InvalidDhcpOptionID.NotFound', 'dhcpOption ID'),
  instance: T('i', 'instance', 'instance', 'InvalidInstanceID.NotFound', 'instance ID', 'InvalidInstanceID.Malformed'),
  volume: T('vol', 'volume', 'volume', 'InvalidVolume.NotFound', 'volume', 'InvalidVolumeID.Malformed'),
  snapshot: T('snap', 'snapshot', 'snapshot', 'InvalidSnapshot.NotFound', 'snapshot', 'InvalidSnapshotID.Malformed'),
  image: { ...T('ami', 'image', 'image', 'InvalidAMIID.NotFound', 'image id', 'InvalidAMIID.Malformed'), arnWithoutAccount: true },
  'key-pair': T('key', 'key-pair', 'key-pair', 'InvalidKeyPair.NotFound', 'key pair'),
  'launch-template': T('lt', 'launch-template', 'launch-template', 'InvalidLaunchTemplateId.NotFound', 'launch template ID', 'InvalidLaunchTemplateId.Malformed'),
  'placement-group': T('pg', 'placement-group', 'placement-group', 'InvalidPlacementGroup.Unknown', 'placement group'),
  // Reserved Instances have UUIDs for IDs (typeOfId knows them by shape); 'ri' is no AWS prefix.
  'reserved-instances': T('ri', 'reserved-instances', 'reserved-instances', 'InvalidReservedInstancesId', 'reserved instances ID'),
  'spot-instances-request': T('sir', 'spot-instances-request', 'spot-instances-request', 'InvalidSpotInstanceRequestID.NotFound', 'spot instance request ID', 'InvalidSpotInstanceRequestID.Malformed'),
} as const satisfies Record<string, ResourceTypeInfo>;

export type ResourceType = keyof typeof RESOURCE_TYPES;

const BY_PREFIX = new Map<string, ResourceType>(
  (Object.entries(RESOURCE_TYPES) as Array<[ResourceType, ResourceTypeInfo]>).map(([t, i]) => [i.prefix, t]),
);

/**
 * 17 random hex digits (68 bits). From a v4 UUID's random digits (xxxxxxxx-xxxx-4xxx-yxxx-
 * xxxxxxxxxxxx: the 8, 4 and 3 after the version, and 2 of the last 12): Node hands UUIDs out
 * of a cached block of random bytes, where randomBytes(9) pays a call into the CSPRNG for each
 * ID, and a launch of 50 instances makes some 300 IDs.
 */
export function randomHex17(): string {
  const u = randomUUID();
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(15, 18) + u.slice(24, 26);
}

/** 17 hex digits (68 random bits), as AWS's IDs since 2016. */
export function newId(type: ResourceType): string {
  return `${RESOURCE_TYPES[type].prefix}-${randomHex17()}`;
}

/** IDs without a resource type of their own (vpc-cidr-assoc-..., subnet-cidr-assoc-...). */
export function newIdWithPrefix(prefix: string): string {
  return `${prefix}-${randomHex17()}`;
}

/** AWS still accepts (and has) 8-digit IDs of older resources. */
const ID_RE = /^([a-z]+(?:-[a-z]+)?)-([0-9a-f]{8}|[0-9a-f]{17})$/;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isIdOf = (type: ResourceType, id: string): boolean => {
  if (type === 'reserved-instances') return UUID_RE.test(id);
  const m = ID_RE.exec(id);
  return !!m && m[1] === RESOURCE_TYPES[type].prefix;
};

/** The resource type an ID names (by its prefix), if it is a well-formed EC2 ID. */
export function typeOfId(id: string): ResourceType | undefined {
  if (UUID_RE.test(id)) return 'reserved-instances';
  const m = ID_RE.exec(id);
  return m ? BY_PREFIX.get(m[1]!) : undefined;
}

/** Throws the type's `.Malformed` error (or InvalidParameterValue) unless `id` is a well-formed ID of it. */
export function checkId(type: ResourceType, id: string): void {
  if (isIdOf(type, id)) return;
  const info: ResourceTypeInfo = RESOURCE_TYPES[type];
  if (info.malformed) throw new AwsError(info.malformed, `Invalid id: "${id}"`);
  throw new AwsError('InvalidParameterValue', `Invalid ${info.noun}: ${id}`);
}

/** AWS's NotFound error for the given IDs of one type (all the missing ones in one message). */
export function notFound(type: ResourceType, ids: readonly string[]): AwsError {
  const info: ResourceTypeInfo = RESOURCE_TYPES[type];
  const list = ids.join(', ');
  const msg = ids.length === 1
    ? `The ${info.noun} '${list}' does not exist`
    : `The ${info.noun}s '${list}' do not exist`;
  return new AwsError(info.notFound, msg);
}

export function arnOf(type: ResourceType, region: string, account: string, id: string): string {
  const info: ResourceTypeInfo = RESOURCE_TYPES[type];
  return `arn:aws:ec2:${region}:${info.arnWithoutAccount ? '' : account}:${info.arn}/${id}`;
}

/** The resource ID and type of an EC2 ARN, or undefined when it is not one. */
export function parseArn(arn: string): { region: string; account: string; type: ResourceType; id: string } | undefined {
  const m = /^arn:aws[a-z-]*:ec2:([a-z0-9-]*):(\d{12})?:([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const type = typeOfId(m[4]!);
  if (!type || RESOURCE_TYPES[type].arn !== m[3]) return undefined;
  return { region: m[1]!, account: m[2] ?? '', type, id: m[4]! };
}
