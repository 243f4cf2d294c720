import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf, type PageBinding } from '../../core/page-token.js';

/**
 * Marker/MaxItems paging for every IAM List*. Items are ordered by a string key; the marker
 * is the last returned key in the one page-token format (src/core/page-token.ts): opaque,
 * bound to the list's other parameters, stable when items are added or removed between pages.
 */
export interface PageInput {
  Marker?: string;
  MaxItems?: number;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

export const DEFAULT_MAX_ITEMS = 100;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const PAGING = ['Marker', 'MaxItems'] as const;

const bindingOf = (input: PageInput): PageBinding => ({ service: 'iam', operation: 'List', query: queryOf(input, PAGING) });

function decodeMarker(input: PageInput, marker: string): string {
  const key = decodePageToken(bindingOf(input), marker);
  if (key === undefined) throw new AwsError('ValidationError', 'Invalid Marker.');
  return key;
}

export function paginate<T>(items: readonly T[], key: (item: T) => string, input: PageInput): Page<T> {
  const max = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  const keyed = items.map((item) => ({ item, k: key(item) })).sort((a, b) => compare(a.k, b.k));
  const after = input.Marker !== undefined ? decodeMarker(input, input.Marker) : undefined;
  const rest = after === undefined ? keyed : keyed.filter((e) => e.k > after);
  const page = rest.slice(0, max);
  const truncated = rest.length > max;
  return {
    items: page.map((e) => e.item),
    IsTruncated: truncated,
    ...(truncated ? { Marker: encodePageToken(bindingOf(input), page[page.length - 1]!.k) } : {}),
  };
}

/** A page in the shape most IAM list outputs use: { [member]: items, IsTruncated, Marker }. */
export function pageOf<T, K extends string>(member: K, page: Page<T>): { [P in K]: T[] } & { IsTruncated: boolean; Marker?: string } {
  return { [member]: page.items, IsTruncated: page.IsTruncated, ...(page.Marker ? { Marker: page.Marker } : {}) } as never;
}
