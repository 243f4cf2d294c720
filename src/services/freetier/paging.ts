import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';

/**
 * One page of a computed list, by position: the token carries the index of the next item and
 * is bound to the operation and the rest of the request (another filter refuses it).
 */
export function pageByPosition<T>(
  operation: string, input: { maxResults?: number; nextToken?: string }, all: readonly T[], badToken: string,
): { page: T[]; nextToken?: string } {
  const binding = { service: 'freetier', operation, query: queryOf(input, ['maxResults', 'nextToken']) };
  let from = 0;
  if (input.nextToken !== undefined) {
    const pos = decodePageToken(binding, input.nextToken);
    if (pos === undefined || !/^\d+$/.test(pos)) throw new AwsError('ValidationException', badToken);
    from = Number(pos);
  }
  const size = input.maxResults ?? 1000;
  const page = all.slice(from, from + size);
  return { page, ...(from + size < all.length ? { nextToken: encodePageToken(binding, String(from + size)) } : {}) };
}
