/**
 * IAM wildcard matching without regular expressions: `*` matches any run of characters
 * (empty included), `?` exactly one. A pattern is cut at its stars into segments; the first
 * and last are anchored, each middle one is taken at its leftmost occurrence (which is
 * always safe: any match can be redrawn to use leftmost occurrences). Nothing backtracks,
 * so a pattern with fifty stars costs one pass over the value, where a backtracking regex
 * took time exponential in the number of stars.
 *
 * Cost: O(|value| + |pattern|) for segments without `?` (String#indexOf is Boyer-Moore in
 * V8); a segment with `?` is found with the shift-and (bitap) algorithm, O(|value| x
 * |segment| / 32) at worst and close to linear in practice.
 */

/** Pattern text after variable substitution: in a `wild` piece, `*` and `?` are wildcards. */
export interface Piece {
  text: string;
  wild: boolean;
}

interface Segment {
  s: string;
  /** Positions of `?` wildcards in `s`; absent when there are none. */
  q?: Uint8Array;
  /**
   * Shift-and masks, for segments with `?`: per character code (a table for Latin-1, which is
   * all a policy document may hold, a map for characters from substituted values), and for
   * any other character.
   */
  latin?: Array<Uint32Array | undefined>;
  masks?: Map<number, Uint32Array>;
  other?: Uint32Array;
}

export interface Glob {
  /** Text between stars; a pattern without a star has exactly one segment. */
  readonly segments: readonly Segment[];
  /** Characters the value needs at least: the segments' total length. */
  readonly min: number;
}

function segment(s: string, qs: number[]): Segment {
  if (qs.length === 0) return { s };
  const q = new Uint8Array(s.length);
  for (const i of qs) q[i] = 1;
  const words = (s.length + 31) >>> 5;
  const other = new Uint32Array(words);
  for (const i of qs) other[i >>> 5]! |= 1 << (i & 31);
  const masks = new Map<number, Uint32Array>();
  for (let i = 0; i < s.length; i++) {
    if (q[i]) continue;
    const c = s.charCodeAt(i);
    let m = masks.get(c);
    if (!m) masks.set(c, (m = Uint32Array.from(other)));
    m[i >>> 5]! |= 1 << (i & 31);
  }
  const latin = new Array<Uint32Array | undefined>(256);
  for (const [c, m] of masks) if (c < 256) latin[c] = m;
  return { s, q, latin, masks, other };
}

/** Compiles pieces into a glob; `lower` folds the pattern to lower case (for actions). */
export function compileGlob(pieces: readonly Piece[], lower = false): Glob {
  const segments: Segment[] = [];
  let cur = '';
  let qs: number[] = [];
  for (const p of pieces) {
    const text = lower ? p.text.toLowerCase() : p.text;
    if (!p.wild) {
      cur += text;
      continue;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '*') {
        segments.push(segment(cur, qs));
        cur = '';
        qs = [];
      } else {
        if (ch === '?') qs.push(cur.length);
        cur += ch;
      }
    }
  }
  segments.push(segment(cur, qs));
  let min = 0;
  for (const s of segments) min += s.s.length;
  return { segments, min };
}

/** Whether `seg` matches `v` at `pos` (the caller guarantees room for it). */
function matchesAt(seg: Segment, v: string, pos: number): boolean {
  if (!seg.q) return v.startsWith(seg.s, pos);
  const { s, q } = seg;
  for (let i = 0; i < s.length; i++) {
    if (!q[i] && s.charCodeAt(i) !== v.charCodeAt(pos + i)) return false;
  }
  return true;
}

/** Leftmost position p in [from, limit - |seg|] where `seg` matches, or -1. */
function find(seg: Segment, v: string, from: number, limit: number): number {
  const m = seg.s.length;
  if (from > limit - m) return -1;
  if (!seg.masks) {
    const at = v.indexOf(seg.s, from);
    return at >= 0 && at <= limit - m ? at : -1;
  }
  // Shift-and: bit i of d says "the segment's first i+1 characters end here". Bits move up
  // one word per 32 characters, so only the words up to the highest live one are touched.
  const { latin, masks, other } = seg as Required<Segment>;
  const words = other.length;
  const d = new Uint32Array(words);
  const topWord = (m - 1) >>> 5;
  const topBit = 1 << ((m - 1) & 31);
  let live = 1;
  for (let j = from; j < limit; j++) {
    const c = v.charCodeAt(j);
    const mask = (c < 256 ? latin[c] : masks.get(c)) ?? other;
    const upto = live < words ? live + 1 : words;
    let carry = 1;
    let high = 0;
    for (let w = 0; w < upto; w++) {
      const x = d[w]!;
      const y = (((x << 1) | carry) & mask[w]!) >>> 0;
      carry = x >>> 31;
      d[w] = y;
      if (y) high = w + 1;
    }
    live = high || 1;
    if (d[topWord]! & topBit) return j - m + 1;
  }
  return -1;
}

/** Whether the glob matches all of v[start, end). */
export function matchGlob(g: Glob, v: string, start = 0, end = v.length): boolean {
  const n = end - start;
  if (n < g.min) return false;
  const segs = g.segments;
  const head = segs[0]!;
  if (segs.length === 1) return n === head.s.length && matchesAt(head, v, start);
  const tail = segs[segs.length - 1]!;
  if (!matchesAt(head, v, start)) return false;
  const limit = end - tail.s.length;
  if (!matchesAt(tail, v, limit)) return false;
  let i = start + head.s.length;
  for (let k = 1; k < segs.length - 1; k++) {
    const seg = segs[k]!;
    if (seg.s.length === 0) continue;
    const at = find(seg, v, i, limit);
    if (at < 0) return false;
    i = at + seg.s.length;
  }
  return true;
}

/**
 * An ARN pattern: AWS checks the colon-separated segments one by one, so the first five
 * segments are matched separately (a wildcard there never spans a colon) and the rest of
 * the ARN, the resource part, as one glob whose wildcards may cover colons and slashes.
 * A pattern with fewer than five colons has that many segments and matches only values
 * with exactly as many colons.
 */
export interface ArnGlob {
  readonly parts: readonly Glob[];
  /**
   * The leading segments that hold no wildcard, with their colons (`arn:aws:s3:::`): one
   * startsWith stands for them, since the value's colons must fall where the pattern's do.
   */
  readonly prefix: string;
  /** How many segments `prefix` covers. */
  readonly prefixParts: number;
}

const literalText = (g: Glob): string | undefined => (g.segments.length === 1 && !g.segments[0]!.q ? g.segments[0]!.s : undefined);

const ARN_SEGMENTS = 5;

export function compileArnGlob(pieces: readonly Piece[]): ArnGlob {
  const parts: Glob[] = [];
  let cur: Piece[] = [];
  for (const p of pieces) {
    let rest = p.text;
    let colon = parts.length < ARN_SEGMENTS ? rest.indexOf(':') : -1;
    while (colon >= 0) {
      cur.push({ text: rest.slice(0, colon), wild: p.wild });
      parts.push(compileGlob(cur));
      cur = [];
      rest = rest.slice(colon + 1);
      colon = parts.length < ARN_SEGMENTS ? rest.indexOf(':') : -1;
    }
    cur.push({ text: rest, wild: p.wild });
  }
  parts.push(compileGlob(cur));
  let prefix = '';
  let prefixParts = 0;
  while (prefixParts < parts.length - 1) {
    const text = literalText(parts[prefixParts]!);
    if (text === undefined) break;
    prefix += `${text}:`;
    prefixParts++;
  }
  return { parts, prefix, prefixParts };
}

export function matchArnGlob(g: ArnGlob, v: string): boolean {
  const k = g.parts.length - 1;
  if (!v.startsWith(g.prefix)) return false;
  let start = g.prefix.length;
  if (g.prefixParts === k) return (k === ARN_SEGMENTS || v.indexOf(':', start) < 0) && matchGlob(g.parts[k]!, v, start);
  for (let s = g.prefixParts; s < k; s++) {
    const colon = v.indexOf(':', start);
    if (colon < 0 || !matchGlob(g.parts[s]!, v, start, colon)) return false;
    start = colon + 1;
  }
  if (k < ARN_SEGMENTS && v.indexOf(':', start) >= 0) return false;
  return matchGlob(g.parts[k]!, v, start);
}

/** Whether the pieces hold any wildcard at all. */
export const hasWildcard = (pieces: readonly Piece[]): boolean =>
  pieces.some((p) => p.wild && (p.text.includes('*') || p.text.includes('?')));
