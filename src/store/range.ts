import { compareIds, prefixEnd } from './order.js';
import type { IndexQuery } from './types.js';

/** Range options over ids (Tx.list) or index keys (Tx.findBy): every given bound applies. */
export interface RangeOptions {
  /** Only values starting with this prefix. */
  prefix?: string;
  /** Strictly greater than (`after` on ListOptions is the same bound). */
  gt?: string;
  /** Greater than or equal. */
  gte?: string;
  /** Strictly less than. */
  lt?: string;
  /** Less than or equal. */
  lte?: string;
}

export interface Bound {
  value: string;
  inclusive: boolean;
}

/** The tightest lower and upper bound of a range; `empty` when nothing can match. */
export interface Bounds {
  lo?: Bound;
  hi?: Bound;
  empty: boolean;
}

function tighterLo(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const c = compareIds(a.value, b.value);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterHi(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const c = compareIds(a.value, b.value);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

/** Combines every bound of `o` (in code point order, as both stores sort). */
export function boundsOf(o: RangeOptions & { after?: string }): Bounds {
  let lo: Bound | undefined;
  let hi: Bound | undefined;
  if (o.prefix) {
    lo = { value: o.prefix, inclusive: true };
    const end = prefixEnd(o.prefix);
    if (end !== undefined) hi = { value: end, inclusive: false };
  }
  if (o.after !== undefined) lo = tighterLo(lo, { value: o.after, inclusive: false });
  if (o.gt !== undefined) lo = tighterLo(lo, { value: o.gt, inclusive: false });
  if (o.gte !== undefined) lo = tighterLo(lo, { value: o.gte, inclusive: true });
  if (o.lt !== undefined) hi = tighterHi(hi, { value: o.lt, inclusive: false });
  if (o.lte !== undefined) hi = tighterHi(hi, { value: o.lte, inclusive: true });
  let empty = false;
  if (lo && hi) {
    const c = compareIds(lo.value, hi.value);
    empty = c > 0 || (c === 0 && !(lo.inclusive && hi.inclusive));
  }
  return { lo, hi, empty };
}

export function aboveLo(v: string, lo: Bound | undefined): boolean {
  if (!lo) return true;
  const c = compareIds(v, lo.value);
  return c > 0 || (c === 0 && lo.inclusive);
}

export function belowHi(v: string, hi: Bound | undefined): boolean {
  if (!hi) return true;
  const c = compareIds(v, hi.value);
  return c < 0 || (c === 0 && hi.inclusive);
}

export const inBounds = (v: string, b: Bounds): boolean => !b.empty && aboveLo(v, b.lo) && belowHi(v, b.hi);

/** The bounds as an SQL condition on `column` (with a leading ' AND '), and its arguments. */
export function boundsSql(column: string, b: Bounds): { sql: string; args: string[] } {
  let sql = '';
  const args: string[] = [];
  if (b.lo) { sql += ` AND ${column} ${b.lo.inclusive ? '>=' : '>'} ?`; args.push(b.lo.value); }
  if (b.hi) { sql += ` AND ${column} ${b.hi.inclusive ? '<=' : '<'} ?`; args.push(b.hi.value); }
  return { sql, args };
}

/** The key range of an index query: `key` is the range [key, key]. */
export const queryBounds = (q: IndexQuery): Bounds => boundsOf(q.key !== undefined ? { ...q, gte: q.key, lte: q.key } : q);
