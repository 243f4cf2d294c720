/**
 * AWS's own managed prefix lists (com.amazonaws.REGION.s3, com.amazonaws.REGION.dynamodb):
 * data, not stored rows, the same in every account. IDs are AWS's real ones where known
 * (us-east-1, us-west-2, eu-west-1) and otherwise derived from the region and name, so they
 * are stable across restarts and accounts.
 *
 * Entries: a subset of the S3 and DYNAMODB ranges of https://ip-ranges.amazonaws.com/ip-ranges.json
 * as published in 2024 for the regions listed. Regions not in the table get
 * FALLBACK, a block of AWS's documented S3 space (3.5.0.0/16 is S3's in ip-ranges.json), not
 * that region's real list: cloudlet never sends traffic there, only the reachability engine
 * reads these CIDRs.
 */
import { createHash } from 'node:crypto';

export interface AwsPrefixList {
  id: string;
  name: string;
  service: 's3' | 'dynamodb';
  cidrs: string[];
}

const TABLE: Record<string, Partial<Record<'s3' | 'dynamodb', { id: string; cidrs: string[] }>>> = {
  'us-east-1': {
    s3: { id: 'pl-63a5400a', cidrs: ['3.5.0.0/19', '16.182.0.0/16', '52.216.0.0/15', '54.231.0.0/16'] },
    dynamodb: { id: 'pl-02cd2c6b', cidrs: ['3.218.180.0/22', '52.94.0.0/22', '52.119.224.0/20'] },
  },
  'us-west-2': {
    s3: { id: 'pl-68a54001', cidrs: ['3.5.76.0/22', '52.92.128.0/17', '52.218.128.0/17', '54.231.160.0/19'] },
    dynamodb: { id: 'pl-00a54069', cidrs: ['52.94.10.0/24', '52.119.232.0/21'] },
  },
  'eu-west-1': {
    s3: { id: 'pl-6da54004', cidrs: ['3.5.64.0/21', '52.92.0.0/17', '52.218.0.0/17'] },
    dynamodb: { id: 'pl-6fa54006', cidrs: ['52.94.24.0/23', '52.119.240.0/21'] },
  },
};

const FALLBACK: Record<'s3' | 'dynamodb', string[]> = { s3: ['3.5.0.0/16'], dynamodb: ['52.94.0.0/16'] };

const derivedId = (region: string, name: string): string =>
  `pl-${createHash('sha256').update(`${region}/${name}`).digest('hex').slice(0, 8)}`;

/** The AWS-managed lists of a region, in ID order. */
export function awsPrefixLists(region: string): AwsPrefixList[] {
  return (['s3', 'dynamodb'] as const).map((service) => {
    const name = `com.amazonaws.${region}.${service}`;
    const known = TABLE[region]?.[service];
    return { id: known?.id ?? derivedId(region, name), name, service, cidrs: known?.cidrs ?? FALLBACK[service] };
  }).sort((a, b) => (a.id < b.id ? -1 : 1));
}

export function awsPrefixListById(region: string, id: string): AwsPrefixList | undefined {
  return awsPrefixLists(region).find((p) => p.id === id);
}

/** The managed list of a gateway endpoint's service (com.amazonaws.REGION.s3 / .dynamodb). */
export function awsPrefixListByName(region: string, name: string): AwsPrefixList | undefined {
  return awsPrefixLists(region).find((p) => p.name === name);
}
