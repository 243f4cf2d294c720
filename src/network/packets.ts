/**
 * Sets of packets as unions of disjoint boxes over four dimensions (source address,
 * destination address, source port, destination port), all as inclusive BigInt ranges.
 * Protocol and address family are fixed for one analysis. Reachability Analyzer reasons over
 * sets too: "is there any packet of the question that gets through", and the headers it reports
 * are sets of CIDRs and port ranges (e.g. the internet as "0.0.0.0/5, 11.0.0.0/8, ...").
 */

import { rangeToCidrs, formatCidr, familyBits, maskOf, type Cidr, type Family } from './cidr.js';

/** [saLo, saHi, daLo, daHi, spLo, spHi, dpLo, dpHi] */
export type Box = readonly bigint[];
export type PacketSet = readonly Box[];

export const SA = 0, DA = 1, SP = 2, DP = 3;
export const ANY_PORT: [bigint, bigint] = [0n, 65535n];

export const box = (sa: [bigint, bigint], da: [bigint, bigint], sp: [bigint, bigint], dp: [bigint, bigint]): Box =>
  [sa[0], sa[1], da[0], da[1], sp[0], sp[1], dp[0], dp[1]];

export const cidrRange = (c: Cidr): [bigint, bigint] =>
  [c.network, c.network | (~maskOf(c.prefix, c.family) & ((1n << BigInt(familyBits(c.family))) - 1n))];

export const fullRange = (f: Family): [bigint, bigint] => [0n, (1n << BigInt(familyBits(f))) - 1n];

/** A constraint: per dimension, undefined (anything) or a list of allowed ranges (OR). */
export type Constraint = readonly (readonly (readonly [bigint, bigint])[] | undefined)[];

function intersectBox(a: Box, b: Box): Box | undefined {
  const out: bigint[] = new Array(8);
  for (let d = 0; d < 8; d += 2) {
    const lo = a[d]! > b[d]! ? a[d]! : b[d]!;
    const hi = a[d + 1]! < b[d + 1]! ? a[d + 1]! : b[d + 1]!;
    if (lo > hi) return undefined;
    out[d] = lo; out[d + 1] = hi;
  }
  return out;
}

/** a minus b, as up to 8 disjoint boxes. */
function subtractBox(a: Box, b: Box): Box[] {
  if (!intersectBox(a, b)) return [a];
  const out: Box[] = [];
  const cur = [...a];
  for (let d = 0; d < 8; d += 2) {
    if (cur[d]! < b[d]!) {
      const piece = [...cur]; piece[d + 1] = b[d]! - 1n; out.push(piece);
      cur[d] = b[d]!;
    }
    if (cur[d + 1]! > b[d + 1]!) {
      const piece = [...cur]; piece[d] = b[d + 1]! + 1n; out.push(piece);
      cur[d + 1] = b[d + 1]!;
    }
  }
  return out;
}

/** Boxes of a constraint given the family (cross product of each dimension's ranges). */
export function constraintBoxes(c: Constraint, f: Family): Box[] {
  const full = fullRange(f);
  const d0 = c[0] ?? [full], d1 = c[1] ?? [full], d2 = c[2] ?? [ANY_PORT], d3 = c[3] ?? [ANY_PORT];
  const out: Box[] = [];
  for (const a of d0) for (const b of d1) for (const p of d2) for (const q of d3) out.push([a[0], a[1], b[0], b[1], p[0], p[1], q[0], q[1]]);
  return out;
}

export function intersectBoxes(set: PacketSet, cb: readonly Box[]): Box[] {
  const out: Box[] = [];
  for (const a of set) for (const b of cb) { const i = intersectBox(a, b); if (i) out.push(i); }
  return out;
}

export function subtractBoxes(set: PacketSet, cb: readonly Box[]): Box[] {
  let cur: Box[] = [...set];
  for (const b of cb) cur = cur.flatMap((a) => subtractBox(a, b));
  return cur;
}

export const intersect = (set: PacketSet, c: Constraint, f: Family): Box[] => intersectBoxes(set, constraintBoxes(c, f));
export const subtract = (set: PacketSet, c: Constraint, f: Family): Box[] => subtractBoxes(set, constraintBoxes(c, f));

/** Sorts and merges touching ranges (member addresses of a group are mostly consecutive). */
export function mergeRanges(rs: [bigint, bigint][]): [bigint, bigint][] {
  const sorted = [...rs].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1n) { if (r[1] > last[1]) last[1] = r[1]; } else out.push([r[0], r[1]]);
  }
  return out;
}

export const isEmpty = (s: PacketSet): boolean => s.length === 0;

/** Replaces one dimension of every box (address translation, port remapping). */
export const setDim = (s: PacketSet, dim: number, r: readonly [bigint, bigint]): Box[] =>
  s.map((b) => { const n = [...b]; n[dim * 2] = r[0]; n[dim * 2 + 1] = r[1]; return n; });

/** Swaps source and destination (the return path's packets). */
export const reverse = (s: PacketSet): Box[] => s.map((b) => [b[2]!, b[3]!, b[0]!, b[1]!, b[6]!, b[7]!, b[4]!, b[5]!]);

/** Merged ranges of one dimension (the set's projection). */
export function project(s: PacketSet, dim: number): [bigint, bigint][] {
  const rs = s.map((b) => [b[dim * 2]!, b[dim * 2 + 1]!] as [bigint, bigint]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1n) { if (r[1] > last[1]) last[1] = r[1]; } else out.push([r[0], r[1]]);
  }
  return out;
}

export const addressStrings = (s: PacketSet, dim: number, f: Family): string[] =>
  project(s, dim).flatMap(([lo, hi]) => rangeToCidrs(f, lo, hi).map(formatCidr));

export const portRanges = (s: PacketSet, dim: number): { From: number; To: number }[] =>
  project(s, dim).map(([lo, hi]) => ({ From: Number(lo), To: Number(hi) }));

/** The set's single address in a dimension, when it has exactly one. */
export function single(s: PacketSet, dim: number): bigint | undefined {
  const p = project(s, dim);
  return p.length === 1 && p[0]![0] === p[0]![1] ? p[0]![0] : undefined;
}
