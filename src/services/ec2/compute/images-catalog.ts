/**
 * The public AMI catalog (Amazon Linux, Ubuntu, Debian, RHEL, Windows Server): data in
 * data/ec2/images.json (see data/ec2/SOURCE.md), not rows, so every account in every region
 * sees it at no cost. The same names exist in every region; the IDs differ per region as on
 * AWS, derived from region and name so they are stable across restarts and installs:
 * `ami-` + 17 hex of sha256(region + name), root snapshot `snap-` + 17 hex of
 * sha256('snap' + region + name).
 */
import { createHash } from 'node:crypto';
import { ec2DataFile } from './data-files.js';
import type { ImageBlockDevice, ImageRecord, VolumeType } from './records.js';

export interface CatalogEntry {
  name: string;
  description: string;
  ownerId: string;
  ownerAlias?: string;
  architecture: 'x86_64' | 'arm64';
  platform?: 'windows';
  platformDetails: string;
  usageOperation: string;
  rootDeviceName: string;
  bootMode?: string;
  imdsSupport?: 'v2.0';
  enaSupport: boolean;
  creationDate: string;
  deprecationTime?: string;
  blockDevices: Array<{
    deviceName: string;
    virtualName?: string;
    ebs?: { volumeSize: number; volumeType: VolumeType; deleteOnTermination: boolean; encrypted: boolean; iops?: number; throughput?: number };
  }>;
}

/** A catalog image in one region: the ImageRecord every caller works with, plus what only public images have. */
export interface CatalogImage {
  record: ImageRecord;
  ownerAlias?: string;
}

/** Owner IDs whose images AWS shows with the alias 'amazon' (Owners=amazon selects them). */
export const AMAZON_OWNERS = new Set(['137112412989', '801119661308']);

function readCatalog(): CatalogEntry[] {
  const b = ec2DataFile('images.json');
  if (!b) throw new Error('data/ec2/images.json not found: the public AMI catalog is missing');
  return (JSON.parse(b.toString('utf8')) as { images: CatalogEntry[] }).images;
}

const hex17 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 17);
export const catalogImageId = (region: string, name: string): string => `ami-${hex17(region + name)}`;
export const catalogSnapshotId = (region: string, name: string): string => `snap-${hex17(`snap${region}${name}`)}`;

// Immutable data read once (like the service models); the per-region views are derived from it.
let entries: CatalogEntry[] | undefined;
const byRegion = new Map<string, Map<string, CatalogImage>>();

export function catalogEntries(): readonly CatalogEntry[] {
  return (entries ??= readCatalog());
}

function toImage(region: string, e: CatalogEntry): CatalogImage {
  const snap = catalogSnapshotId(region, e.name);
  const blockDevices: ImageBlockDevice[] = e.blockDevices.map((b) => (b.ebs
    ? { deviceName: b.deviceName, ebs: { ...b.ebs, ...(b.deviceName === e.rootDeviceName ? { snapshotId: snap } : {}) } }
    : { deviceName: b.deviceName, ...(b.virtualName ? { virtualName: b.virtualName } : {}) }));
  const created = Date.parse(e.creationDate);
  const record: ImageRecord = {
    id: catalogImageId(region, e.name), name: e.name, description: e.description, ownerId: e.ownerId,
    architecture: e.architecture, ...(e.platform ? { platform: e.platform } : {}),
    platformDetails: e.platformDetails, usageOperation: e.usageOperation,
    rootDeviceName: e.rootDeviceName, rootDeviceType: 'ebs', virtualizationType: 'hvm', enaSupport: e.enaSupport,
    ...(e.bootMode ? { bootMode: e.bootMode } : {}), ...(e.imdsSupport ? { imdsSupport: e.imdsSupport } : {}),
    blockDevices, snapshotIds: [snap], createMs: created, availableMs: created, state: 'available', launchPermissions: ['all'],
    ...(e.deprecationTime ? { deprecationMs: Date.parse(e.deprecationTime) } : {}),
  };
  return { record, ...(e.ownerAlias ? { ownerAlias: e.ownerAlias } : {}) };
}

/** Every catalog image of a region, by ID. */
export function catalogImages(region: string): ReadonlyMap<string, CatalogImage> {
  let m = byRegion.get(region);
  if (!m) {
    m = new Map(catalogEntries().map((e) => { const c = toImage(region, e); return [c.record.id, c] as const; }));
    byRegion.set(region, m);
  }
  return m;
}

/** One catalog image of a region, or undefined when the ID is not one. */
export function catalogImage(region: string, id: string): CatalogImage | undefined {
  return catalogImages(region).get(id);
}

/** The root snapshot of a catalog image, by snapshot ID (EBS may use it for launch volumes). */
export function catalogSnapshot(region: string, snapshotId: string): { image: ImageRecord; size: number } | undefined {
  for (const c of catalogImages(region).values()) {
    if (c.record.snapshotIds[0] === snapshotId) {
      const root = c.record.blockDevices.find((b) => b.deviceName === c.record.rootDeviceName);
      return { image: c.record, size: root?.ebs?.volumeSize ?? 8 };
    }
  }
  return undefined;
}
