/**
 * Paging of the image listings (DescribeImages, ListImages, ListImageReferrers) with the
 * project's page tokens: a token carries the last key returned and is bound to the operation
 * and the query's other members, so a token from another query is refused.
 */
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf, type PageBinding } from '../../core/page-token.js';

export interface ImagePageBinding {
  operation: string;
  /** The request; its paging members (nextToken, maxResults) are left out of the binding. */
  input: unknown;
}

function binding(b: ImagePageBinding): PageBinding {
  return { service: 'ecr', operation: b.operation, query: queryOf(b.input, ['nextToken', 'maxResults']) };
}

/** The key to continue after, or undefined for the first page; InvalidParameterException for a token not of this query. */
export function resumeAfter(b: ImagePageBinding, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const key = decodePageToken(binding(b), token);
  if (key === undefined) throw new AwsError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'");
  return key;
}

export function pageToken(b: ImagePageBinding, lastKey: string): string {
  return encodePageToken(binding(b), lastKey);
}

/** Items (any order) sorted by key; those after `after`, at most `max`, and whether more follow. */
export function pageAfter<T extends { key: string }>(items: T[], after: string | undefined, max: number): { items: T[]; more: boolean } {
  const sorted = [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((i) => i.key > after);
  return { items: rest.slice(0, max), more: rest.length > max };
}
