/**
 * Deep comparison that reports the first differing member path, e.g.
 * `Reservations[0].Instances[0].Tags[1].Value: expected 'a' got 'b'`.
 * Values follow the codec conventions; byte arrays compare as bytes, Dates by instant,
 * NaN equals NaN, and a member whose value is undefined counts as absent.
 */
export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v) && !(v instanceof Date);

function seg(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

export function firstDifference(expected: unknown, actual: unknown, path = ''): Difference | undefined {
  const diff = () => ({ path: path || '(root)', expected, actual });
  if (expected === undefined || actual === undefined) return expected === actual ? undefined : diff();
  if (typeof expected === 'number' && typeof actual === 'number') {
    return expected === actual || (Number.isNaN(expected) && Number.isNaN(actual)) ? undefined : diff();
  }
  if (expected instanceof Date || actual instanceof Date) {
    return expected instanceof Date && actual instanceof Date && expected.getTime() === actual.getTime() ? undefined : diff();
  }
  if (isBytes(expected) || isBytes(actual)) {
    return isBytes(expected) && isBytes(actual) && Buffer.from(expected).equals(Buffer.from(actual)) ? undefined : diff();
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return diff();
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      if (i >= expected.length || i >= actual.length) {
        return { path: `${path}[${i}]`, expected: i < expected.length ? expected[i] : '(no item)', actual: i < actual.length ? actual[i] : '(no item)' };
      }
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isPlain(expected) || isPlain(actual)) {
    if (!isPlain(expected) || !isPlain(actual)) return diff();
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of [...keys].sort()) {
      const d = firstDifference(expected[k], actual[k], seg(path, k));
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : diff();
}

/** A short, one-line rendering of a value for reports. */
export function show(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined) s = '(absent)';
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`;
  else if (isBytes(v)) s = `bytes(${Buffer.from(v).toString('base64')})`;
  else if (typeof v === 'number') s = Object.is(v, -0) ? '-0' : String(v);
  else if (typeof v === 'string') s = JSON.stringify(v);
  else {
    try {
      s = JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `bytes(${Buffer.from(x).toString('base64')})` : x)) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

export function describeDifference(d: Difference): string {
  return `${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}

/** Plain data copy: byte arrays become Buffers, undefined members go. */
export function canonical(v: unknown): unknown {
  if (isBytes(v)) return Buffer.from(v);
  if (v instanceof Date || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(canonical);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    Object.defineProperty(out, k, { value: canonical(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
