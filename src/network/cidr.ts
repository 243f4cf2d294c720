/**
 * IPv4 and IPv6 address maths, pure. Addresses are BigInts in both families so one code path
 * serves both (IPv6 needs 128 bits; IPv4 cost is negligible next to the rest of an analysis).
 *
 * AWS semantics worth knowing (EC2 API reference, CreateVpc/CreateSubnet/CreateRoute/
 * CreateNetworkAclEntry/AuthorizeSecurityGroupIngress): a CIDR with host bits set is NOT an
 * error — "We modify the specified CIDR block to its canonical form; for example, if you specify
 * 100.68.0.18/18, we modify it to 100.68.0.0/18". Only a string that is not a CIDR at all is
 * rejected (the service answers InvalidParameterValue; InvalidCidr.Malformed where the
 * operation documents it). `parseCidr` therefore returns the canonical block plus a
 * `hostBitsSet` flag, and a `reason` when the text is malformed.
 */

export type Family = 4 | 6;
export interface Ip { readonly family: Family; readonly value: bigint }
export interface Cidr { readonly family: Family; readonly network: bigint; readonly prefix: number }

export const familyBits = (f: Family): number => (f === 4 ? 32 : 128);
const ALL4 = (1n << 32n) - 1n;
const ALL6 = (1n << 128n) - 1n;
const allOnes = (f: Family): bigint => (f === 4 ? ALL4 : ALL6);

/** Network mask for a prefix length, as a BigInt of the family's width. */
export function maskOf(prefix: number, f: Family): bigint {
  const w = familyBits(f);
  return prefix === 0 ? 0n : (allOnes(f) >> BigInt(w - prefix)) << BigInt(w - prefix);
}

const DEC_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Dotted-quad IPv4, four decimal octets, no leading zeros (they read as octal elsewhere). */
export function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** RFC 4291 text forms: full, `::`-compressed, trailing dotted IPv4. No zone IDs. */
export function parseIpv6(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 45) return undefined;
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return undefined;
  const side = (t: string): string[] | undefined => (t === '' ? [] : t.split(':'));
  const head = side(dbl === -1 ? s : s.slice(0, dbl));
  const tail = dbl === -1 ? [] : side(s.slice(dbl + 2));
  if (!head || !tail) return undefined;
  // Only the very last group of the whole address may be a dotted IPv4 tail.
  const expand = (list: string[], mayEndInV4: boolean): bigint[] | undefined => {
    const out: bigint[] = [];
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      if (mayEndInV4 && i === list.length - 1 && g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (HEX_GROUP.test(g)) out.push(BigInt(parseInt(g, 16)));
      else return undefined;
    }
    return out;
  };
  const h = expand(head, dbl === -1);
  const t = expand(tail, true);
  if (!h || !t) return undefined;
  let groups: bigint[];
  if (dbl === -1) {
    if (h.length !== 8) return undefined;
    groups = h;
  } else {
    const fill = 8 - h.length - t.length;
    if (fill < 1) return undefined;
    groups = [...h, ...Array<bigint>(fill).fill(0n), ...t];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIp(s: string): Ip | undefined {
  if (s.includes(':')) {
    const v = parseIpv6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
}

/** RFC 5952 canonical text, as AWS prints IPv6: lowercase, longest zero run (>= 2 groups) as `::`. */
export function formatIpv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best === -1) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export const formatIp = (ip: Ip): string => (ip.family === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value));

export type CidrParse =
  | { ok: true; cidr: Cidr; canonical: string; hostBitsSet: boolean }
  | { ok: false; reason: string };

/**
 * Parses `addr/len`. A missing `/len` is malformed (AWS requires CIDR notation). `family`
 * restricts the accepted family (CidrBlock vs Ipv6CidrBlock parameters).
 */
export function parseCidr(s: string, family?: Family): CidrParse {
  if (typeof s !== 'string') return { ok: false, reason: 'not a string' };
  const slash = s.indexOf('/');
  if (slash === -1) return { ok: false, reason: 'missing prefix length' };
  const ip = parseIp(s.slice(0, slash));
  if (!ip) return { ok: false, reason: 'invalid address' };
  if (family && ip.family !== family) return { ok: false, reason: `not an IPv${family} CIDR` };
  const lenText = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(lenText)) return { ok: false, reason: 'invalid prefix length' };
  const prefix = Number(lenText);
  if (prefix > familyBits(ip.family)) return { ok: false, reason: 'prefix length out of range' };
  const network = ip.value & maskOf(prefix, ip.family);
  const cidr: Cidr = { family: ip.family, network, prefix };
  return { ok: true, cidr, canonical: formatCidr(cidr), hostBitsSet: network !== ip.value };
}

/** Canonical CIDR or undefined; for inputs already validated by the service. */
export function cidr(s: string): Cidr | undefined {
  const r = parseCidr(s);
  return r.ok ? r.cidr : undefined;
}

/** Like `cidr` but throws: for literals in code and tests. */
export function mustCidr(s: string): Cidr {
  const r = parseCidr(s);
  if (!r.ok) throw new Error(`invalid CIDR ${s}: ${r.reason}`);
  return r.cidr;
}

export function mustIp(s: string): Ip {
  const ip = parseIp(s);
  if (!ip) throw new Error(`invalid IP address ${s}`);
  return ip;
}

export const isValidCidr = (s: string, family?: Family): boolean => parseCidr(s, family).ok;
export const isCanonicalCidr = (s: string, family?: Family): boolean => {
  const r = parseCidr(s, family);
  return r.ok && !r.hostBitsSet;
};
export const isValidIp = (s: string, family?: Family): boolean => {
  const ip = parseIp(s);
  return !!ip && (!family || ip.family === family);
};

export const formatCidr = (c: Cidr): string =>
  `${formatIp({ family: c.family, value: c.network })}/${c.prefix}`;

export const cidrSize = (c: Cidr): bigint => 1n << BigInt(familyBits(c.family) - c.prefix);
export const cidrFirst = (c: Cidr): bigint => c.network;
export const cidrLast = (c: Cidr): bigint => c.network + cidrSize(c) - 1n;
export const hostCidr = (ip: Ip): Cidr => ({ family: ip.family, network: ip.value, prefix: familyBits(ip.family) });

export const containsIp = (c: Cidr, ip: Ip): boolean =>
  c.family === ip.family && (ip.value & maskOf(c.prefix, c.family)) === c.network;

export const containsValue = (c: Cidr, family: Family, v: bigint): boolean =>
  c.family === family && (v & maskOf(c.prefix, family)) === c.network;

/** True when `inner` lies wholly inside `outer` (equal blocks included). */
export const containsCidr = (outer: Cidr, inner: Cidr): boolean =>
  outer.family === inner.family && inner.prefix >= outer.prefix &&
  (inner.network & maskOf(outer.prefix, outer.family)) === outer.network;

export const overlaps = (a: Cidr, b: Cidr): boolean => containsCidr(a, b) || containsCidr(b, a);

export const sameCidr = (a: Cidr, b: Cidr): boolean =>
  a.family === b.family && a.prefix === b.prefix && a.network === b.network;

/**
 * AWS reserves five addresses in every subnet block: network, +1 (VPC router), +2 (DNS),
 * +3 (future use) and the last (broadcast in IPv4; reserved likewise in IPv6).
 */
export function reservedAddresses(subnet: Cidr): bigint[] {
  const n = subnet.network;
  return [n, n + 1n, n + 2n, n + 3n, cidrLast(subnet)];
}

export const isReserved = (subnet: Cidr, v: bigint): boolean =>
  containsValue(subnet, subnet.family, v) && (v - subnet.network < 4n || v === cidrLast(subnet));

/** Addresses an interface may use: size minus the five reserved (0 for blocks under /28-ish). */
export const usableCount = (subnet: Cidr): bigint => {
  const n = cidrSize(subnet) - 5n;
  return n > 0n ? n : 0n;
};

/**
 * First address of `subnet` that is neither reserved nor in `used`. Sorts only the used
 * addresses inside the usable range (O(k log k) for k used), never walks the block.
 */
export function firstFreeAddress(subnet: Cidr, used: Iterable<bigint>): bigint | undefined {
  const lo = subnet.network + 4n;
  const hi = cidrLast(subnet) - 1n;
  if (hi < lo) return undefined;
  const inRange: bigint[] = [];
  for (const u of used) if (u >= lo && u <= hi) inRange.push(u);
  inRange.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let candidate = lo;
  for (const u of inRange) {
    if (u > candidate) break;
    if (u === candidate) candidate++;
  }
  return candidate <= hi ? candidate : undefined;
}

/** The n-th block of length `prefix` inside `parent` (n from 0), or undefined when out of range. */
export function nthSubnet(parent: Cidr, prefix: number, n: bigint | number): Cidr | undefined {
  const w = familyBits(parent.family);
  const i = BigInt(n);
  if (prefix < parent.prefix || prefix > w || i < 0n) return undefined;
  if (i >= 1n << BigInt(prefix - parent.prefix)) return undefined;
  return { family: parent.family, network: parent.network + (i << BigInt(w - prefix)), prefix };
}

/**
 * Amazon-provided IPv6 block for a VPC: a /56 from Amazon's pool. `pool` defaults to
 * 2600:1f18::/32 (a real Amazon range, so it looks as AWS prints it); `n` picks the block.
 */
export const AMAZON_IPV6_POOL = '2600:1f18::/32';
export function amazonIpv6VpcBlock(n: bigint | number, pool: Cidr = mustCidr(AMAZON_IPV6_POOL)): Cidr | undefined {
  return nthSubnet(pool, 56, n);
}

/** The `index`-th /64 of a VPC's /56 (AWS subnets take one /64 each; index is 0..255). */
export const ipv6SubnetOfVpc = (vpc56: Cidr, index: number): Cidr | undefined => nthSubnet(vpc56, 64, index);

/** Splits the inclusive range [lo, hi] into the minimal list of CIDR blocks, in order. */
export function rangeToCidrs(family: Family, lo: bigint, hi: bigint): Cidr[] {
  const w = familyBits(family);
  const out: Cidr[] = [];
  let cur = lo;
  while (cur <= hi) {
    let size = w;
    // Largest aligned block starting at cur that does not pass hi.
    while (size > 0) {
      const bigger = size - 1;
      const blockLen = 1n << BigInt(w - bigger);
      if ((cur & (blockLen - 1n)) !== 0n || cur + blockLen - 1n > hi) break;
      size = bigger;
    }
    out.push({ family, network: cur, prefix: size });
    cur += 1n << BigInt(w - size);
  }
  return out;
}

export interface PrefixEntry<T> { readonly cidrs: readonly Cidr[]; readonly value: T }

/**
 * Longest-prefix match over route-like entries whose destination is one CIDR or a prefix list
 * (several CIDRs): the entry with the longest matching block wins; on equal length the earlier
 * entry wins, so callers list CIDR routes before prefix-list routes (AWS gives the CIDR route
 * priority) and sort the rest deterministically.
 */
export function longestPrefixMatch<T>(entries: readonly PrefixEntry<T>[], ip: Ip): { value: T; cidr: Cidr } | undefined {
  let best: { value: T; cidr: Cidr } | undefined;
  for (const e of entries) {
    for (const c of e.cidrs) {
      if (c.family !== ip.family || (best && c.prefix <= best.cidr.prefix)) continue;
      if ((ip.value & maskOf(c.prefix, c.family)) === c.network) best = { value: e.value, cidr: c };
    }
  }
  return best;
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(mustCidr);
const RFC6598 = mustCidr('100.64.0.0/10');
export const isRfc1918 = (ip: Ip): boolean => RFC1918.some((c) => containsIp(c, ip));
export const isRfc6598 = (ip: Ip): boolean => containsIp(RFC6598, ip);

/**
 * Predicates for the service's validation, in the order AWS checks them:
 * malformed text (InvalidParameterValue) -> block size outside /16../28 (CreateVpc:
 * InvalidVpc.Range; CreateSubnet: InvalidSubnet.Range) -> subnet outside every VPC block
 * (InvalidSubnet.Range) -> overlap with an existing subnet (InvalidSubnet.Conflict).
 */
export const prefixWithin = (c: Cidr, shortest: number, longest: number): boolean => c.prefix >= shortest && c.prefix <= longest;
export const insideAny = (blocks: readonly Cidr[], c: Cidr): Cidr | undefined => blocks.find((b) => containsCidr(b, c));
export const firstOverlap = (blocks: readonly Cidr[], c: Cidr): Cidr | undefined => blocks.find((b) => overlaps(b, c));
