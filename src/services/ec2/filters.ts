import { AwsError } from '../../core/errors.js';

export interface Filter {
  Name?: string;
  Values?: string[];
}

/** One piece of a filter value between `*`s: literal characters, with `?` standing for any one. */
type Segment = Array<string | null>;

/**
 * A filter value as `*`-separated segments. EC2 filter values take `*` (any run) and `?`
 * (any one character); a backslash makes the next character literal (`\*`, `\?`, `\\`).
 */
export function compileWildcard(value: string): { segments: Segment[]; wild: boolean } {
  const segments: Segment[] = [[]];
  let wild = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) segments[segments.length - 1]!.push(value[++i]!);
    else if (c === '*') {
      wild = true;
      segments.push([]);
    } else if (c === '?') {
      wild = true;
      segments[segments.length - 1]!.push(null);
    } else segments[segments.length - 1]!.push(c);
  }
  return { segments, wild };
}

const segmentAt = (seg: Segment, s: string, at: number): boolean => {
  for (let j = 0; j < seg.length; j++) if (seg[j] !== null && seg[j] !== s[at + j]) return false;
  return true;
};

/**
 * Whether `s` matches the compiled value. No regular expression and no backtracking: the
 * first segment must start `s`, the last must end it, and each middle one is taken at its
 * leftmost fit (which never loses a match for `*` patterns), so the work is at most
 * |s| x (literal characters of the value), and values longer than `s` fail at once.
 */
export function wildcardMatch(compiled: { segments: Segment[] }, s: string): boolean {
  const segs = compiled.segments;
  if (segs.length === 1) return segs[0]!.length === s.length && segmentAt(segs[0]!, s, 0);
  let needed = 0;
  for (const seg of segs) needed += seg.length;
  if (needed > s.length) return false;
  const first = segs[0]!;
  const last = segs[segs.length - 1]!;
  if (!segmentAt(first, s, 0) || !segmentAt(last, s, s.length - last.length)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let k = 1; k < segs.length - 1; k++) {
    const seg = segs[k]!;
    let at = pos;
    while (at + seg.length <= end && !segmentAt(seg, s, at)) at++;
    if (at + seg.length > end) return false;
    pos = at + seg.length;
  }
  return pos <= end;
}

function matcher(value: string): (s: string) => boolean {
  const compiled = compileWildcard(value);
  if (!compiled.wild) {
    const literal = compiled.segments[0]!.join('');
    return (s) => s === literal;
  }
  return (s) => wildcardMatch(compiled, s);
}

/** EC2 refuses more filter values than this in one call, all filters together. */
export const MAX_FILTER_VALUES = 200;

/**
 * Applies EC2 filters: values within one filter are ORed, filters are ANDed. `fields` maps
 * each supported filter name to the item's value(s); an unsupported name is refused as AWS does.
 */
export function applyFilters<T>(
  items: T[],
  filters: Filter[] | undefined,
  fields: Record<string, (item: T) => string | string[] | undefined>,
): T[] {
  if (!filters?.length) return items;
  const values = filters.reduce((n, f) => n + (f.Values?.length ?? 0), 0);
  if (values > MAX_FILTER_VALUES) {
    throw new AwsError('FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`);
  }
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const get = fields[name];
    if (!get) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    const ms = (f.Values ?? []).map(matcher);
    return (item: T) => {
      const v = get(item);
      const vals = v === undefined ? [] : Array.isArray(v) ? v : [v];
      return vals.some((x) => ms.some((m) => m(x)));
    };
  });
  return items.filter((item) => tests.every((t) => t(item)));
}

type Fields<T> = Record<string, (item: T) => string | string[] | undefined>;

/** `fields` plus a `tag:KEY` field for each such filter asked, read from the item's tags. */
export function withTagKeyFields<T>(fields: Fields<T>, filters: readonly Filter[] | undefined,
  tags: (item: T) => ReadonlyArray<{ Key?: string; Value?: string }>): Fields<T> {
  const out = { ...fields };
  for (const f of filters ?? []) {
    const n = f.Name ?? '';
    if (n.startsWith('tag:') && n.length > 4) {
      const key = n.slice(4);
      out[n] = (item) => tags(item).find((t) => t.Key === key)?.Value;
    }
  }
  return out;
}
