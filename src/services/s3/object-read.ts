/**
 * Reading objects: byte ranges, part numbers, conditional requests, and the body as one stream
 * over the version's pieces (a completed multipart upload is kept as its parts' blobs).
 */
import { Readable } from 'node:stream';
import { AwsError } from '../../core/errors.js';
import type { BlobStore } from '../../store/types.js';
import type { ObjectVersion, Piece } from './records.js';

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The range a Range header asks for, undefined for the whole object. S3 serves one range only:
 * a header it cannot use (several ranges, another unit, bad syntax) is ignored and the whole object
 * is sent, as S3 does; a range that starts past the end is InvalidRange (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalidRange(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw invalidRange(header, size);
  return { start, end };
}

function invalidRange(header: string, size: number): AwsError {
  return new AwsError('InvalidRange', 'The requested range is not satisfiable', 416, {
    fields: { RangeRequested: header, ActualObjectSize: String(size) },
    headers: { 'content-range': `bytes */${size}` },
  });
}

/** The byte range of part `n` (1-based) of a version; single-part objects have only part 1. */
export function partRange(v: ObjectVersion, n: number): ByteRange {
  const sizes = v.partSizes ?? [v.size];
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', 400, { fields: { ArgumentName: 'partNumber', ArgumentValue: String(n) } });
  }
  if (n > sizes.length) throw new AwsError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, { fields: { PartNumberRequested: String(n), ActualPartCount: String(sizes.length) } });
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += sizes[i]!;
  return { start, end: start + sizes[n - 1]! - 1 };
}

/** S3 compares times at whole seconds, as HTTP dates carry them. */
const seconds = (ms: number): number => Math.floor(ms / 1000);

const etagMatches = (condition: string, etag: string): boolean =>
  condition.split(',').map((s) => s.trim()).some((c) => c === '*' || c === etag || `"${c}"` === etag || c === `W/${etag}`);

export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/**
 * RFC 9110 preconditions as S3 applies them: If-Match (else If-Unmodified-Since) fails with 412;
 * If-None-Match (else If-Modified-Since) answers 304 to reads. `prefix` names the headers in
 * errors ('' for GET/HEAD, 'x-amz-copy-source-' for copies, where both failures are 412).
 */
export function checkConditions(v: ObjectVersion, c: Conditions, opts: { copy?: boolean } = {}): void {
  const modified = seconds(v.lastModifiedMs);
  const failed = (condition: string) => new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    fields: { Condition: opts.copy ? `x-amz-copy-source-${condition}` : condition },
  });
  const notModified = () => opts.copy
    ? failed(c.IfNoneMatch !== undefined ? 'If-None-Match' : 'If-Modified-Since')
    : new AwsError('NotModified', 'Not Modified', 304, { headers: { etag: v.etag, 'last-modified': new Date(v.lastModifiedMs).toUTCString() } });
  if (c.IfMatch !== undefined) {
    if (!etagMatches(c.IfMatch, v.etag)) throw failed('If-Match');
  } else if (c.IfUnmodifiedSince !== undefined && modified > seconds(c.IfUnmodifiedSince.getTime())) {
    throw failed('If-Unmodified-Since');
  }
  if (c.IfNoneMatch !== undefined) {
    if (etagMatches(c.IfNoneMatch, v.etag)) throw notModified();
  } else if (c.IfModifiedSince !== undefined && modified <= seconds(c.IfModifiedSince.getTime())) {
    throw notModified();
  }
}

/** One stream of bytes [start, end] of the pieces, opened piece by piece. */
export function readPieces(blobs: BlobStore, pieces: Piece[], range?: ByteRange): Readable {
  const total = pieces.reduce((n, p) => n + p.size, 0);
  const start = range?.start ?? 0;
  const end = range?.end ?? total - 1;
  if (end < start) return Readable.from([]);
  // The first piece opens now, so a delete right after this request keeps its bytes (readParts' promise).
  const plan: Array<{ blob: string; start: number; end: number }> = [];
  let offset = 0;
  for (const p of pieces) {
    const pStart = offset;
    const pEnd = offset + p.size - 1;
    offset += p.size;
    if (p.size === 0 || pEnd < start || pStart > end) continue;
    plan.push({ blob: p.blob, start: Math.max(start, pStart) - pStart, end: Math.min(end, pEnd) - pStart });
  }
  return blobs.readParts(plan.map((p) => ({ id: p.blob, start: p.start, end: p.end })));
}
