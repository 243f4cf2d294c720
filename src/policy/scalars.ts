/**
 * Parsing of the typed values condition operators compare: numbers, dates, booleans,
 * IP addresses and CIDR blocks, base64. Each parser returns undefined on bad input so a
 * request value of the wrong type simply fails to match, as in AWS.
 */

// `\d+\.?\d*` would backtrack quadratically on a long run of digits that ends badly.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumber(s: string): number | undefined {
  return NUMBER.test(s.trim()) ? Number(s) : undefined;
}

// W3C ISO 8601 profile: YYYY, YYYY-MM, YYYY-MM-DD, then optional Thh:mm[:ss[.frac]] and zone.
const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?$/;
// Basic format as in SigV4 X-Amz-Date: 20240101T000000Z.
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;

/** Milliseconds since the epoch; epoch values are in seconds as AWS documents. */
export function parseDate(input: string): number | undefined {
  const s = input.trim();
  if (EPOCH.test(s) && !(s.length === 4 && ISO.test(s))) return Number(s) * 1000;
  let m = ISO_BASIC.exec(s);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const month = +mo, day = +d, hour = +h, min = +mi, second = +sec;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || min > 59 || second > 60) return undefined;
  let t = Date.UTC(+y!, month - 1, day, hour, min, second, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

/** 'true' / 'false' in any case; undefined for anything else. */
export function parseBool(s: string): boolean | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? true : l === 'false' ? false : undefined;
}

/** An address as a 128-bit number; IPv4 stays in its own family so the two never mix. */
export interface Ip { v6: boolean; n: bigint }
export interface Cidr extends Ip { prefix: number }

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || +p > 255) return undefined;
    n = (n << 8n) | BigInt(+p);
  }
  return n;
}

function parseIpv6(s: string): bigint | undefined {
  let tail: bigint | undefined;
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) supplies the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill('0'), ...rest] : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + rest.length > 7)) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail !== undefined) n = (n & ~0xffffffffn) | tail;
  return n;
}

export function parseIp(s: string): Ip | undefined {
  const t = s.trim();
  if (t.includes(':')) {
    const n = parseIpv6(t);
    return n === undefined ? undefined : { v6: true, n };
  }
  const n = parseIpv4(t);
  return n === undefined ? undefined : { v6: false, n };
}

/** CIDR block; a bare address means /32 (IPv4) or /128 (IPv6), as AWS documents. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.v6 ? 128 : 32;
  const prefixText = slash < 0 ? String(max) : s.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText) || +prefixText > max) return undefined;
  const prefix = +prefixText;
  return { v6: ip.v6, n: ip.n & cidrMask(max, prefix), prefix };
}

const cidrMask = (bits: number, prefix: number): bigint =>
  prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);

export function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.v6 !== ip.v6) return false;
  return (ip.n & cidrMask(c.v6 ? 128 : 32, c.prefix)) === c.n;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseBase64(s: string): Buffer | undefined {
  const t = s.trim();
  if (t.length % 4 !== 0 || !BASE64.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}
