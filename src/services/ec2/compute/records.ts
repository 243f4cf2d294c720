/**
 * Stored shapes of EC2 compute and EBS: instances, volumes, snapshots, images, key pairs,
 * launch templates, placement groups, Spot requests, Reserved Instances. The one contract every
 * compute file reads and writes; keys the store indexes (schema.ts INDEXES) are marked — keep
 * their names. Times are cloudlet-clock milliseconds (ctx.clock.nowMs()).
 *
 * Life cycles follow the clock by timestamps, not by ticking (like NAT gateways): a record keeps
 * the action in flight and when it completes; the state AWS would report is derived on read
 * (lifecycle.ts). Side effects that must happen when a transition completes without any API
 * call (a Spot interruption, volumes deleted at termination) are applied by `settle` from the
 * 'due' index: key = the zero-padded ms of the record's next event (dueKey()).
 */

export const COMPUTE_KIND = {
  instance: 'ec2:instance',
  volume: 'ec2:volume',
  snapshot: 'ec2:snapshot',
  image: 'ec2:image',
  keyPair: 'ec2:key-pair',
  launchTemplate: 'ec2:launch-template',
  /** One row per template version, id = `${templateId}/${zero-padded version}`. */
  launchTemplateVersion: 'ec2:launch-template-version',
  placementGroup: 'ec2:placement-group',
  spotRequest: 'ec2:spot-instances-request',
  reservedInstances: 'ec2:reserved-instances',
  /** Account/region settings (EBS default encryption, vCPU quotas, AMI block public access): id = setting name. */
  setting: 'ec2:compute-setting',
  /** Keys pushed by EC2 Instance Connect: id = `${instanceId}/${osUser}`. */
  instanceConnectKey: 'ec2:instance-connect-key',
} as const;

/** The index key for a time: 16 zero-padded digits, so string order is time order. */
export const dueKey = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(16, '0');

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** The action in flight: what started at `sinceMs` and completes at `doneMs`. */
export type InstancePhase = 'start' | 'stop' | 'terminate';

export interface InstanceBlockDevice {
  deviceName: string;
  volumeId: string;
  deleteOnTermination: boolean;
  attachMs: number;
}

export interface InstanceRecord {
  id: string;
  imageId: string;
  instanceType: string;
  /** x86_64 | arm64 (from the AMI, checked against the type). */
  architecture: string;
  platform?: 'windows';
  /** Indexed: 'subnet', 'vpc' — set while not terminated (cleared at termination so DeleteSubnet/DeleteVpc are not held up). */
  subnetId?: string;
  vpcId?: string;
  /** Kept after termination for Describe. */
  lastSubnetId: string;
  lastVpcId: string;
  zoneName: string;
  zoneId: string;
  /** The primary ENI (device index 0), then others. The ENI records say attachment.instanceId. */
  networkInterfaceIds: string[];
  privateIp: string;
  /** A non-Elastic public address (dropped at stop, a new one at start). */
  publicIp?: string;
  groups: string[];
  keyName?: string;
  /** Base64 as given. */
  userData?: string;
  /** Indexed: 'profile' (instance profile ARN). */
  iamInstanceProfile?: { arn: string; id: string; associationId: string; state: 'associated' | 'disassociating' };
  placement: { groupName?: string; groupId?: string; partitionNumber?: number; tenancy: string; hostId?: string };
  blockDevices: InstanceBlockDevice[];
  rootDeviceName: string;
  rootDeviceType: 'ebs';
  metadataOptions: {
    httpTokens: 'optional' | 'required';
    httpPutResponseHopLimit: number;
    httpEndpoint: 'enabled' | 'disabled';
    httpProtocolIpv6: 'enabled' | 'disabled';
    instanceMetadataTags: 'enabled' | 'disabled';
  };
  creditSpecification?: 'standard' | 'unlimited';
  disableApiTermination: boolean;
  disableApiStop: boolean;
  shutdownBehavior: 'stop' | 'terminate';
  ebsOptimized: boolean;
  sourceDestCheck: boolean;
  monitoring: 'disabled' | 'enabled';
  hibernation: boolean;
  /** Purchase option: spot instances carry their request. */
  lifecycle?: 'spot';
  spot?: { requestId: string; maxPrice: number; interruptionBehavior: 'terminate' | 'stop' | 'hibernate'; noticeMs?: number; interruptMs?: number };
  launchTemplate?: { id: string; name: string; version: string };
  reservationId: string;
  ownerId: string;
  requesterId?: string;
  clientToken?: string;
  amiLaunchIndex: number;
  launchMs: number;
  /** The action in flight and its times (lifecycle.ts derives the state from these). */
  phase: InstancePhase;
  sinceMs: number;
  doneMs: number;
  /** Why the last stop/terminate happened (StateReason / StateTransitionReason). */
  stateReason?: { code: string; message: string };
  transitionReason?: string;
  /** When the current instance profile association was made (launch time when absent). */
  profileAssociatedMs?: number;
  /** Whether the primary interface gets a non-Elastic public IP at each start (subnet setting or request). */
  publicIpOnLaunch?: boolean;
  /** CpuOptions: cores and threads per core (from the type, or the request). */
  cpu?: { cores: number; threads: number };
  /** Running periods, for the cost issue: [startMs, endMs?] (open while running). */
  runs: Array<[number, number?]>;
  /** Indexed: 'due' — dueKey() of the next event settle() must apply, absent when none. */
  due?: string;
}

export type VolumeType = 'gp2' | 'gp3' | 'io1' | 'io2' | 'st1' | 'sc1' | 'standard';

export interface VolumeAttachmentRecord {
  /** Indexed: 'instance'. */
  instanceId: string;
  device: string;
  deleteOnTermination: boolean;
  /** attaching until attachedMs, then attached; detaching until detachedMs (then the attachment is gone). */
  attachMs: number;
  attachedMs: number;
  detachMs?: number;
  detachedMs?: number;
}

export interface VolumeRecord {
  id: string;
  zoneName: string;
  zoneId: string;
  size: number;
  type: VolumeType;
  iops?: number;
  throughput?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  /** Indexed: 'snapshot'. */
  snapshotId?: string;
  multiAttach: boolean;
  createMs: number;
  availableMs: number;
  /** Set by DeleteVolume (or termination): gone from Describe once deletedMs passes. */
  deleteMs?: number;
  deletedMs?: number;
  attachments: VolumeAttachmentRecord[];
  modifications?: Array<{ startMs: number; endMs: number; original: { size: number; type: VolumeType; iops?: number; throughput?: number; multiAttach: boolean }; target: { size: number; type: VolumeType; iops?: number; throughput?: number; multiAttach: boolean } }>;
  due?: string;
}

export interface SnapshotRecord {
  id: string;
  /** Indexed: 'volume'. */
  volumeId: string;
  volumeSize: number;
  description: string;
  encrypted: boolean;
  kmsKeyId?: string;
  ownerId: string;
  /** 'amazon' for the public catalog's root snapshots. */
  ownerAlias?: string;
  startMs: number;
  completedMs: number;
  /** Accounts it is shared with ('all' = public). */
  createVolumePermissions: string[];
  storageTier: 'standard' | 'archive';
  /** CopySnapshot: where it came from. */
  sourceSnapshotId?: string;
  sourceRegion?: string;
}

export interface ImageBlockDevice {
  deviceName: string;
  ebs?: { snapshotId?: string; volumeSize: number; volumeType: VolumeType; deleteOnTermination: boolean; encrypted: boolean; iops?: number; throughput?: number };
  virtualName?: string;
  noDevice?: boolean;
}

/**
 * An AMI the account owns (rows in the owner's scope). The public catalog (amazon, vendors) is
 * data, not rows (images-catalog.ts), so a fresh account has every public image at no cost.
 */
export interface ImageRecord {
  id: string;
  name: string;
  description?: string;
  ownerId: string;
  architecture: 'x86_64' | 'arm64' | 'i386' | 'x86_64_mac' | 'arm64_mac';
  platform?: 'windows';
  platformDetails: string;
  usageOperation: string;
  rootDeviceName: string;
  rootDeviceType: 'ebs';
  virtualizationType: 'hvm';
  enaSupport: boolean;
  bootMode?: string;
  imdsSupport?: 'v2.0';
  blockDevices: ImageBlockDevice[];
  /** Indexed: 'snapshot' (blockDevices.ebs.snapshotId) so DeleteSnapshot refuses one an AMI uses. */
  snapshotIds: string[];
  createMs: number;
  availableMs: number;
  state: 'pending' | 'available' | 'deregistered' | 'failed';
  /** Accounts ('all' = public) that may launch it; groups too. */
  launchPermissions: string[];
  deprecationMs?: number;
  sourceInstanceId?: string;
  sourceImageId?: string;
  sourceRegion?: string;
}

export interface KeyPairRecord {
  /** key-... */
  id: string;
  /** Row id is the name (names are unique per region). */
  name: string;
  type: 'rsa' | 'ed25519';
  fingerprint: string;
  /** OpenSSH public key line ("ssh-rsa AAAA... name"). */
  publicKey: string;
  createMs: number;
  imported: boolean;
}

export interface LaunchTemplateRecord {
  id: string;
  /** Indexed: 'name'. */
  name: string;
  defaultVersion: number;
  latestVersion: number;
  createMs: number;
  createdBy: string;
}

export interface LaunchTemplateVersionRecord {
  templateId: string;
  version: number;
  description?: string;
  /** RequestLaunchTemplateData as given (the wire's decoded input shape). */
  data: Record<string, unknown>;
  createMs: number;
  createdBy: string;
}

export interface PlacementGroupRecord {
  /** pg-...; row id is the name. */
  id: string;
  name: string;
  strategy: 'cluster' | 'partition' | 'spread';
  partitionCount?: number;
  spreadLevel?: 'host' | 'rack';
  state: 'available' | 'deleted';
}

export interface SpotRequestRecord {
  /** sir-... */
  id: string;
  type: 'one-time' | 'persistent';
  maxPrice: number;
  state: 'open' | 'active' | 'closed' | 'cancelled' | 'failed';
  status: { code: string; message: string; updateMs: number };
  /** Indexed: 'instance'. */
  instanceId?: string;
  launchSpecification: Record<string, unknown>;
  zoneName?: string;
  interruptionBehavior: 'terminate' | 'stop' | 'hibernate';
  createMs: number;
  validUntilMs?: number;
}

export interface ReservedInstancesRecord {
  id: string;
  offeringId: string;
  instanceType: string;
  zoneName?: string;
  /** The zone ID of a zonal reservation (zone names differ per account). */
  zoneId?: string;
  scope: 'Region' | 'Availability Zone';
  count: number;
  durationS: number;
  fixedPrice: number;
  usagePrice: number;
  recurringHourly: number;
  offeringType: 'No Upfront' | 'Partial Upfront' | 'All Upfront';
  offeringClass: 'standard' | 'convertible';
  productDescription: string;
  tenancy: string;
  startMs: number;
  endMs: number;
  /** When the purchase was made (startMs is later for a queued purchase): the monthly limit counts by it. */
  purchasedMs?: number;
}
