import { createHash } from 'node:crypto';

/**
 * The one page-token format of every service (EC2 NextToken, IAM Marker, S3 continuation
 * tokens, ECR nextToken). A token carries the position to continue after (the last key
 * returned) and a digest binding it to the operation and the query's other parameters, so
 * a token edited by hand, cut short, or replayed with a different filter is refused instead
 * of silently listing from somewhere else.
 *
 * The digest is not keyed: the position is only ever a key within the caller's own scope,
 * so a forged token can list nothing a fresh query could not. What matters is that honest
 * mistakes (wrong token, wrong query) fail loudly, and that tokens survive restarts.
 */
export interface PageBinding {
  service: string;
  operation: string;
  /** The request parameters that shape the result (filters, prefixes, ids); paging fields excluded. */
  query?: unknown;
}

const VERSION = 1;

/** JSON with sorted object keys and undefined members dropped: equal queries, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function digest(b: PageBinding, payload: string): string {
  return createHash('sha256')
    .update(`cloudlet-page-token\u0000${b.service}\u0000${b.operation}\u0000${canonicalJson(b.query)}\u0000${payload}`)
    .digest('base64url')
    .slice(0, 22);
}

export function encodePageToken(b: PageBinding, position: string): string {
  const payload = Buffer.from(JSON.stringify([VERSION, position]), 'utf8').toString('base64url');
  return `${payload}.${digest(b, payload)}`;
}

/** The position a token carries; undefined when it is not a token of this operation and query. */
export function decodePageToken(b: PageBinding, token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return undefined;
  const payload = token.slice(0, dot);
  if (token.slice(dot + 1) !== digest(b, payload)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === VERSION && typeof parsed[1] === 'string') return parsed[1];
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

/** The input without the paging members, as the query a token is bound to. */
export function queryOf(input: unknown, paging: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input && typeof input === 'object') {
    for (const [k, v] of Object.entries(input as Record<string, unknown>)) if (!paging.includes(k)) out[k] = v;
  }
  return out;
}
