/**
 * The walk behind every S3 object listing (ListObjects, ListObjectsV2, ListObjectVersions): a
 * range read over the ids of records.ts (`BUCKET/KEY` for current versions, `BUCKET/KEY \0 SEQ`
 * for noncurrent ones), keys in code point (UTF-8 byte) order, rolled up into common prefixes
 * under a delimiter.
 *
 * A listing reads about as many rows as it returns, never the bucket: rows come in small batches
 * that grow while they are used (1, 2, 4, ... up to what the page still needs), and a common
 * prefix is skipped whole by seeking past it (to prefixEnd(BUCKET/PREFIX), the smallest id above
 * every id that starts with it, in code point order: a `+ '\uFFFF'` bound would stop short of
 * keys that continue with an astral character). A seek drops what the batch read beyond the
 * prefix, which is at most what the batch had already delivered, so rows read stay within twice
 * the rows used plus a constant per common prefix.
 *
 * A common prefix is listed only when it sorts after the marker (Marker, StartAfter, the
 * continuation position, KeyMarker): a marker inside a common prefix, or equal to it as a
 * NextMarker is, skips the whole prefix, so paging never returns one twice.
 */
import { compareIds, prefixEnd } from '../../store/order.js';
import type { Row } from '../../store/types.js';

/** One range read of one kind: ids with `prefix`, above the bound, at most `limit` of them. */
export type RangeRead<T> = (opts: { prefix: string; gt?: string; gte?: string; limit: number }) => Row<T>[];

/** Where a cursor starts: after an id, at an id, or at the start of its prefix. */
export type Start = { gt: string } | { gte: string } | Record<string, never>;

/** The largest batch one read asks for (a page holds at most 1,000 entries, plus one to look ahead). */
const MAX_BATCH = 1001;

/** Sorted rows of one kind, read lazily in batches. */
export class Cursor<T> {
  private buf: Row<T>[] = [];
  private i = 0;
  private lo: Start;
  /** Nothing beyond the buffer: the last read returned less than it asked for. */
  private exhausted = false;
  private grow = 1;

  /** `cautious`: batches start at one row and double (for walks that may seek); else each read asks for the whole need. */
  constructor(private readonly read: RangeRead<T>, private readonly prefix: string, start: Start, private readonly cautious: boolean) {
    this.lo = start;
  }

  /** The next row, reading a batch of at most `need` rows when the buffer is empty. */
  peek(need: number): Row<T> | undefined {
    if (this.i < this.buf.length) return this.buf[this.i];
    if (this.exhausted) return undefined;
    const limit = Math.max(1, Math.min(MAX_BATCH, this.cautious ? Math.min(need, this.grow) : need));
    this.grow = Math.min(this.grow * 2, MAX_BATCH);
    this.buf = this.read({ prefix: this.prefix, ...this.lo, limit });
    this.i = 0;
    if (this.buf.length < limit) this.exhausted = true;
    const last = this.buf[this.buf.length - 1];
    if (last) this.lo = { gt: last.id };
    return this.buf[0];
  }

  advance(): void {
    this.i++;
  }

  /** Continues at the first id >= `id` (undefined: nothing is left). */
  seek(id: string | undefined): void {
    if (id === undefined) {
      this.buf = [];
      this.i = 0;
      this.exhausted = true;
      return;
    }
    while (this.i < this.buf.length && compareIds(this.buf[this.i]!.id, id) < 0) this.i++;
    if (this.i < this.buf.length) return;
    // The buffer is used up below `id`: the next read starts there, small again.
    this.buf = [];
    this.i = 0;
    if (!this.exhausted) {
      this.lo = { gte: id };
      this.grow = 1;
    }
  }
}

export interface WalkOptions {
  /** `BUCKET/`: what every id of the bucket starts with. */
  base: string;
  /** The key prefix ('' for none). */
  prefix: string;
  /** '' or undefined: no roll-up. */
  delimiter?: string;
  /** Entries (keys and common prefixes) must sort after this key. */
  after?: string;
  /** Entries to return (0..1000). */
  max: number;
}

export type Entry<T> =
  | { key: string; value: T; source: number }
  | { prefix: string };

export interface Page<T> {
  entries: Array<Entry<T>>;
  /** Another entry follows the page. */
  truncated: boolean;
}

export interface Stream<T> {
  cursor: Cursor<T>;
  /** The object key of a row id (after the base). */
  keyOf: (id: string) => string;
  /** Rows that are not entries (delete markers in ListObjects). */
  skip?: (value: T) => boolean;
}

/**
 * Merges the streams in id order (ids of different kinds never tie: a version id is its key's
 * id plus '\0...'), rolls keys up into common prefixes, and stops after `max` entries once it
 * knows whether another entry follows. `source` on a key entry is the index of its stream.
 */
export function walk<T>(streams: Array<Stream<T>>, o: WalkOptions): Page<T> {
  const entries: Array<Entry<T>> = [];
  if (o.max <= 0) return { entries, truncated: false };
  const delimiter = o.delimiter || undefined;
  let truncated = false;
  for (;;) {
    const need = Math.max(o.max - entries.length, 0) + 1;
    let pick = -1;
    let row: Row<T> | undefined;
    streams.forEach((s, n) => {
      const r = s.cursor.peek(need);
      if (r && (!row || compareIds(r.id, row.id) < 0)) { row = r; pick = n; }
    });
    if (!row) break;
    const stream = streams[pick]!;
    // A row that is no entry (a delete marker) makes no common prefix either.
    if (stream.skip?.(row.value)) { stream.cursor.advance(); continue; }
    const key = stream.keyOf(row.id);
    if (delimiter !== undefined) {
      const at = key.indexOf(delimiter, o.prefix.length);
      if (at >= 0) {
        const prefix = key.slice(0, at + delimiter.length);
        const past = prefixEnd(o.base + prefix);
        for (const s of streams) s.cursor.seek(past);
        if (o.after !== undefined && compareIds(prefix, o.after) <= 0) continue;
        if (entries.length === o.max) { truncated = true; break; }
        entries.push({ prefix });
        continue;
      }
    }
    stream.cursor.advance();
    if (entries.length === o.max) { truncated = true; break; }
    entries.push({ key, value: row.value, source: pick });
  }
  return { entries, truncated };
}

/** The key of a current-version id (`BUCKET/KEY`). */
export const objectKeyOf = (base: string) => (id: string): string => id.slice(base.length);

/** The key of a noncurrent-version id (`BUCKET/KEY \0 SEQ`). */
export const versionKeyOf = (base: string) => (id: string): string => {
  const nul = id.indexOf('\u0000', base.length);
  return id.slice(base.length, nul < 0 ? undefined : nul);
};

/**
 * EncodingType=url as S3 writes it: UTF-8 percent-encoding with space as '+', keeping letters,
 * digits, '-', '_', '.', '*' and '/'.
 */
export function s3UrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}
