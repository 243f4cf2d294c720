/**
 * EC2's instance size normalization factors: what size flexibility of regional Linux Reserved
 * Instances and Cost Explorer's normalized units count in. Source: AWS, "Amazon EC2 Reserved
 * Instances and Other AWS Reservation Models" (whitepaper, Table 3) and the EC2 User Guide's
 * "instance size flexibility": nano 0.25, micro 0.5, small 1, medium 2, large 4, xlarge 8 and
 * N·xlarge 8·N. A bare-metal size counts as the family's largest size (c5.metal = c5.24xlarge,
 * 192); "metal-24xl" names its size.
 */
import { allInstanceTypes } from '../ec2/compute/catalog.js';

const SIZES: Record<string, number> = { nano: 0.25, micro: 0.5, small: 1, medium: 2, large: 4, xlarge: 8 };

export const familyOf = (type: string): string => type.slice(0, Math.max(0, type.indexOf('.'))) || type;

function sizeFactor(size: string): number | undefined {
  if (size in SIZES) return SIZES[size];
  const m = /^(\d+)xlarge$/.exec(size) ?? /^metal-(\d+)xl$/.exec(size);
  return m ? 8 * Number(m[1]) : undefined;
}

// The largest non-metal size of each family, from the immutable catalog, built once.
let largest: Map<string, number> | undefined;
function largestOf(family: string): number {
  if (!largest) {
    largest = new Map();
    for (const t of allInstanceTypes().keys()) {
      const f = sizeFactor(t.slice(t.indexOf('.') + 1));
      if (f !== undefined) largest.set(familyOf(t), Math.max(largest.get(familyOf(t)) ?? 0, f));
    }
  }
  return largest.get(family) ?? 192;
}

export function normalizationFactor(type: string): number {
  const size = type.slice(type.indexOf('.') + 1);
  return sizeFactor(size) ?? (size === 'metal' ? largestOf(familyOf(type)) : 1);
}
