import { createHash } from 'node:crypto';

/**
 * The commercial regions (partition aws) and their availability zones. Data, not logic:
 * each region lists the numbers of its zone IDs (use1-az1 ... ) and whether it is opt-in.
 */
interface RegionData {
  prefix: string;
  azs: number[];
  optIn?: boolean;
  description: string;
}

const REGIONS: Record<string, RegionData> = {
  'us-east-1': { prefix: 'use1', azs: [1, 2, 3, 4, 5, 6], description: 'US East (N. Virginia)' },
  'us-east-2': { prefix: 'use2', azs: [1, 2, 3], description: 'US East (Ohio)' },
  'us-west-1': { prefix: 'usw1', azs: [1, 3], description: 'US West (N. California)' },
  'us-west-2': { prefix: 'usw2', azs: [1, 2, 3, 4], description: 'US West (Oregon)' },
  'af-south-1': { prefix: 'afs1', azs: [1, 2, 3], optIn: true, description: 'Africa (Cape Town)' },
  'ap-east-1': { prefix: 'ape1', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Hong Kong)' },
  'ap-east-2': { prefix: 'ape2', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Taipei)' },
  'ap-south-1': { prefix: 'aps1', azs: [1, 2, 3], description: 'Asia Pacific (Mumbai)' },
  'ap-south-2': { prefix: 'aps2', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Hyderabad)' },
  'ap-southeast-1': { prefix: 'apse1', azs: [1, 2, 3], description: 'Asia Pacific (Singapore)' },
  'ap-southeast-2': { prefix: 'apse2', azs: [1, 2, 3], description: 'Asia Pacific (Sydney)' },
  'ap-southeast-3': { prefix: 'apse3', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Jakarta)' },
  'ap-southeast-4': { prefix: 'apse4', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Melbourne)' },
  'ap-southeast-5': { prefix: 'apse5', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Malaysia)' },
  'ap-southeast-6': { prefix: 'apse6', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (New Zealand)' },
  'ap-southeast-7': { prefix: 'apse7', azs: [1, 2, 3], optIn: true, description: 'Asia Pacific (Thailand)' },
  'ap-northeast-1': { prefix: 'apne1', azs: [1, 2, 4], description: 'Asia Pacific (Tokyo)' },
  'ap-northeast-2': { prefix: 'apne2', azs: [1, 2, 3, 4], description: 'Asia Pacific (Seoul)' },
  'ap-northeast-3': { prefix: 'apne3', azs: [1, 2, 3], description: 'Asia Pacific (Osaka)' },
  'ca-central-1': { prefix: 'cac1', azs: [1, 2, 4], description: 'Canada (Central)' },
  'ca-west-1': { prefix: 'caw1', azs: [1, 2, 3], optIn: true, description: 'Canada West (Calgary)' },
  'eu-central-1': { prefix: 'euc1', azs: [1, 2, 3], description: 'Europe (Frankfurt)' },
  'eu-central-2': { prefix: 'euc2', azs: [1, 2, 3], optIn: true, description: 'Europe (Zurich)' },
  'eu-west-1': { prefix: 'euw1', azs: [1, 2, 3], description: 'Europe (Ireland)' },
  'eu-west-2': { prefix: 'euw2', azs: [1, 2, 3], description: 'Europe (London)' },
  'eu-west-3': { prefix: 'euw3', azs: [1, 2, 3], description: 'Europe (Paris)' },
  'eu-south-1': { prefix: 'eus1', azs: [1, 2, 3], optIn: true, description: 'Europe (Milan)' },
  'eu-south-2': { prefix: 'eus2', azs: [1, 2, 3], optIn: true, description: 'Europe (Spain)' },
  'eu-north-1': { prefix: 'eun1', azs: [1, 2, 3], description: 'Europe (Stockholm)' },
  'il-central-1': { prefix: 'ilc1', azs: [1, 2, 3], optIn: true, description: 'Israel (Tel Aviv)' },
  'me-south-1': { prefix: 'mes1', azs: [1, 2, 3], optIn: true, description: 'Middle East (Bahrain)' },
  'me-central-1': { prefix: 'mec1', azs: [1, 2, 3], optIn: true, description: 'Middle East (UAE)' },
  'mx-central-1': { prefix: 'mxc1', azs: [1, 2, 3], optIn: true, description: 'Mexico (Central)' },
  'sa-east-1': { prefix: 'sae1', azs: [1, 2, 3], description: 'South America (Sao Paulo)' },
};

export interface RegionInfo {
  name: string;
  description: string;
  /** 'opt-in-not-required' for the original regions; opt-in regions count as opted in. */
  optInStatus: 'opt-in-not-required' | 'opted-in';
  endpoint: string;
}

export interface ZoneInfo {
  regionName: string;
  zoneName: string;
  zoneId: string;
}

export const DEFAULT_REGION = 'us-east-1';

export function isRegion(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(REGIONS, name);
}

export function regionNames(): string[] {
  return Object.keys(REGIONS).sort();
}

export function region(name: string): RegionInfo | undefined {
  const r = isRegion(name) ? REGIONS[name]! : undefined;
  if (!r) return undefined;
  return {
    name,
    description: r.description,
    optInStatus: r.optIn ? 'opted-in' : 'opt-in-not-required',
    endpoint: `ec2.${name}.amazonaws.com`,
  };
}

/**
 * The zones of a region as one account sees them. As on AWS, zone letters map to zone IDs
 * differently per account (so use1-az1 is us-east-1a for one account and us-east-1c for
 * another); the permutation is derived from the account and region, so it never changes.
 */
export function zones(regionName: string, account: string): ZoneInfo[] {
  const r = isRegion(regionName) ? REGIONS[regionName]! : undefined;
  if (!r) return [];
  const ids = r.azs.map((n) => `${r.prefix}-az${n}`);
  const shuffled = permute(ids, createHash('sha256').update(`${account}/${regionName}`).digest());
  return shuffled.map((zoneId, i) => ({
    regionName,
    zoneName: `${regionName}${String.fromCharCode(97 + i)}`,
    zoneId,
  }));
}

/** Fisher–Yates driven by the digest bytes: deterministic, and every order is reachable. */
function permute<T>(items: T[], seed: Buffer): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = seed[i % seed.length]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
