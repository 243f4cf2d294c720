/**
 * The instance metadata tree as EC2 serves it, built from plain facts about one instance
 * (facts.ts reads them from the store) and looked up by path. Pure: no store, no clock, no I/O.
 *
 * EC2's text conventions, kept exactly: a directory answers its entries one per line, sub-trees
 * with a trailing '/', no trailing newline; JSON documents are pretty-printed as `"Key" : value`.
 * Leaves that cost something to make (role credentials, which write a session; identity
 * signatures, which take an RSA operation) are `deferred` and made only when asked for.
 */

export interface InterfaceFacts {
  mac: string;
  deviceNumber: number;
  interfaceId: string;
  ownerId: string;
  localHostname: string;
  /** Primary first. */
  localIpv4s: string[];
  publicIpv4s: string[];
  publicHostname?: string;
  ipv6s: string[];
  securityGroupIds: string[];
  securityGroupNames: string[];
  subnetId: string;
  subnetCidr?: string;
  vpcId: string;
  vpcCidrs: string[];
}

export interface InstanceFacts {
  account: string;
  region: string;
  instanceId: string;
  amiId: string;
  amiLaunchIndex: number;
  instanceType: string;
  architecture: string;
  zoneName: string;
  zoneId: string;
  placementGroup?: string;
  partitionNumber?: number;
  reservationId: string;
  lifecycle: 'on-demand' | 'spot';
  localIpv4: string;
  localHostname: string;
  publicIpv4?: string;
  publicHostname?: string;
  /** The primary interface's MAC. */
  mac: string;
  interfaces: InterfaceFacts[];
  securityGroupNames: string[];
  rootDeviceName: string;
  /** Device names of the other EBS volumes, in attachment order. */
  ebsDevices: string[];
  publicKey?: { keyName: string; openssh: string };
  iam?: { profileArn: string; profileId: string; lastUpdated: string; roleName?: string };
  /** Instance tags, only when InstanceMetadataTags is enabled. */
  tags?: Array<{ Key: string; Value: string }>;
  spotAction?: { action: string; time: string };
  /** Decoded user data. */
  userData?: Buffer;
  /** Keys pushed by EC2 Instance Connect (os user -> keys), when any. */
  managedSshKeys?: Record<string, string[]>;
  /** The instance identity document's fields in EC2's order. */
  identity: Record<string, string | number | null>;
}

export type Deferred = { deferred: 'role-credentials'; role: string } | { deferred: 'signature' | 'pkcs7' | 'rsa2048' };
export type Leaf = string | Buffer | Deferred;
export interface Dir { entries: Record<string, Node>; /** What the listing shows instead of the entry names (public-keys: `0=name`). */ listing?: string[] }
export type Node = Leaf | Dir;

const dir = (entries: Record<string, Node | undefined>, listing?: string[]): Dir => {
  const clean: Record<string, Node> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) clean[k] = v;
  return listing ? { entries: clean, listing } : { entries: clean };
};
export const isDir = (n: Node): n is Dir => typeof n === 'object' && !Buffer.isBuffer(n) && 'entries' in n;
const lines = (xs: readonly string[]): string => xs.join('\n');

/** EC2's JSON style: two-space indent, `"Key" : value`, no trailing newline. */
export function ec2Json(o: Record<string, unknown>): string {
  const body = Object.entries(o).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v ?? null)}`);
  return `{\n${body.join(',\n')}\n}`;
}

function interfaceDir(n: InterfaceFacts): Dir {
  return dir({
    'device-number': String(n.deviceNumber),
    'interface-id': n.interfaceId,
    'ipv6s': n.ipv6s.length ? lines(n.ipv6s) : undefined,
    'local-hostname': n.localHostname,
    'local-ipv4s': lines(n.localIpv4s),
    mac: n.mac,
    'owner-id': n.ownerId,
    'public-hostname': n.publicIpv4s.length ? n.publicHostname : undefined,
    'public-ipv4s': n.publicIpv4s.length ? lines(n.publicIpv4s) : undefined,
    'security-group-ids': lines(n.securityGroupIds),
    'security-groups': lines(n.securityGroupNames),
    'subnet-id': n.subnetId,
    'subnet-ipv4-cidr-block': n.subnetCidr,
    'vpc-id': n.vpcId,
    'vpc-ipv4-cidr-block': n.vpcCidrs[0],
    'vpc-ipv4-cidr-blocks': n.vpcCidrs.length ? lines(n.vpcCidrs) : undefined,
  });
}

function metaData(f: InstanceFacts): Dir {
  const bdm: Record<string, string> = { ami: f.rootDeviceName, root: f.rootDeviceName };
  f.ebsDevices.forEach((d, i) => { bdm[`ebs${i + 1}`] = d.replace(/^\/dev\//, ''); });
  const macs: Record<string, Node> = {};
  for (const n of f.interfaces) macs[n.mac] = interfaceDir(n);
  const iam = f.iam && dir({
    info: ec2Json({ Code: 'Success', LastUpdated: f.iam.lastUpdated, InstanceProfileArn: f.iam.profileArn, InstanceProfileId: f.iam.profileId }),
    'security-credentials': f.iam.roleName ? dir({ [f.iam.roleName]: { deferred: 'role-credentials', role: f.iam.roleName } }) : undefined,
  });
  const tags = f.tags && dir(Object.fromEntries(f.tags.filter((t) => !t.Key.includes('/')).map((t) => [t.Key, t.Value])));
  const keys = f.managedSshKeys && Object.keys(f.managedSshKeys).length
    ? dir({ 'active-keys': dir(Object.fromEntries(Object.entries(f.managedSshKeys).map(([user, ks]) => [user, lines(ks)]))) })
    : undefined;
  return dir({
    'ami-id': f.amiId,
    'ami-launch-index': String(f.amiLaunchIndex),
    'ami-manifest-path': '(unknown)',
    'block-device-mapping': dir(bdm),
    hostname: f.localHostname,
    iam,
    'instance-action': 'none',
    'instance-id': f.instanceId,
    'instance-life-cycle': f.lifecycle,
    'instance-type': f.instanceType,
    'local-hostname': f.localHostname,
    'local-ipv4': f.localIpv4,
    mac: f.mac,
    'managed-ssh-keys': keys,
    network: dir({ interfaces: dir({ macs: dir(macs) }) }),
    placement: dir({
      'availability-zone': f.zoneName,
      'availability-zone-id': f.zoneId,
      'group-name': f.placementGroup,
      'partition-number': f.partitionNumber === undefined ? undefined : String(f.partitionNumber),
      region: f.region,
    }),
    'public-hostname': f.publicIpv4 ? f.publicHostname : undefined,
    'public-ipv4': f.publicIpv4,
    'public-keys': f.publicKey ? dir({ 0: dir({ 'openssh-key': f.publicKey.openssh }) }, [`0=${f.publicKey.keyName}`]) : undefined,
    'reservation-id': f.reservationId,
    'security-groups': lines(f.securityGroupNames),
    services: dir({ domain: 'amazonaws.com', partition: 'aws' }),
    spot: f.spotAction ? dir({ 'instance-action': JSON.stringify(f.spotAction), 'termination-time': f.spotAction.time }) : undefined,
    tags: tags ? dir({ instance: tags }) : undefined,
  });
}

/** The tree under /latest/ (every dated version serves the same tree). */
export function buildTree(f: InstanceFacts): Dir {
  return dir({
    dynamic: dir({
      'instance-identity': dir({
        document: ec2Json(f.identity),
        pkcs7: { deferred: 'pkcs7' },
        rsa2048: { deferred: 'rsa2048' },
        signature: { deferred: 'signature' },
      }),
    }),
    'meta-data': metaData(f),
    'user-data': f.userData,
  });
}

/** The versions GET / lists (EC2 lists every dated API version and latest; clients use latest). */
export const VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2008-09-01', '2009-04-04', '2011-01-01', '2012-01-12', '2014-02-25', '2016-09-02', '2018-09-24', '2020-10-27', '2021-07-15', '2022-09-24', 'latest'];

export type Found = { kind: 'dir'; body: string } | { kind: 'leaf'; leaf: Leaf };

/**
 * The node at `segments` (the path after /latest/, split on '/', empty segments dropped).
 * A directory answers its listing with or without a trailing slash, as EC2 does.
 */
export function lookup(root: Dir, segments: readonly string[], topLevel = true): Found | undefined {
  let node: Node = root;
  for (const s of segments) {
    if (!isDir(node)) return undefined;
    const next: Node | undefined = Object.prototype.hasOwnProperty.call(node.entries, s) ? node.entries[s] : undefined;
    if (next === undefined) return undefined;
    node = next;
  }
  if (!isDir(node)) return { kind: 'leaf', leaf: node };
  const names = Object.keys(node.entries);
  if (names.length === 0) return undefined;
  // The version root lists its three parts without slashes, as EC2 does; everywhere else sub-trees end in '/'.
  const atRoot = topLevel && segments.length === 0;
  const listing = node.listing ?? names.sort().map((n) => (isDir(node as Dir) && isDir((node as Dir).entries[n]!) && !atRoot ? `${n}/` : n));
  return { kind: 'dir', body: lines(listing) };
}
