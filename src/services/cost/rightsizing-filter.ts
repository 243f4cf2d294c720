/**
 * Cost Explorer's Expression as GetRightsizingRecommendation takes it: validated (one root
 * operator per expression, dimensions that make sense for a recommendation, match options that
 * apply) and evaluated against one recommendation's dimension values and tags. Pure.
 */
import { AwsError } from '../../core/errors.js';
import type { Expression } from '../ce/expression.js';

export type { Expression };

/** What a filter can ask of a recommendation. */
export interface Subject {
  dims: Record<string, string>;
  tags: Record<string, string>;
}

/** The dimensions a rightsizing recommendation has a value for. */
export const RIGHTSIZING_DIMENSIONS = ['LINKED_ACCOUNT', 'REGION', 'AZ', 'INSTANCE_TYPE', 'INSTANCE_TYPE_FAMILY', 'PLATFORM', 'TENANCY', 'RESOURCE_ID', 'RIGHTSIZING_TYPE'] as const;

const ROOTS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;
const KINDS = new Set(['EQUALS', 'ABSENT', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'GREATER_THAN_OR_EQUAL']);
const CASES = new Set(['CASE_SENSITIVE', 'CASE_INSENSITIVE']);

const invalid = (message: string): AwsError => new AwsError('ValidationException', message);

function checkMatch(where: string, m: { MatchOptions?: string[]; Values?: string[] }, tags: boolean): void {
  const opts = m.MatchOptions ?? [];
  const kinds = opts.filter((o) => KINDS.has(o));
  if (kinds.length > 1) throw invalid(`${where}: MatchOptions can contain only one of EQUALS, ABSENT, STARTS_WITH, ENDS_WITH, CONTAINS, GREATER_THAN_OR_EQUAL`);
  if (opts.filter((o) => CASES.has(o)).length > 1) throw invalid(`${where}: MatchOptions can contain only one of CASE_SENSITIVE, CASE_INSENSITIVE`);
  if (kinds[0] === 'GREATER_THAN_OR_EQUAL') throw invalid(`${where}: MatchOption GREATER_THAN_OR_EQUAL is not supported for rightsizing recommendations`);
  if (kinds[0] === 'ABSENT' && !tags) throw invalid(`${where}: MatchOption ABSENT is only supported for Tags and CostCategories`);
}

/** Throws ValidationException for an expression GetRightsizingRecommendation refuses. */
export function validateFilter(e: Expression, where = 'Filter'): void {
  const roots = ROOTS.filter((r) => e[r] !== undefined);
  if (roots.length > 1) throw invalid('Expression has more than one roots. Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories');
  if (roots.length === 0) throw invalid('Expression has no root operator. One root operator is required for each expression: And, Or, Not, Dimensions, Tags, CostCategories');
  const root = roots[0]!;
  if (root === 'And' || root === 'Or') {
    const list = e[root]!;
    if (list.length < 2) throw invalid(`${where}: ${root} requires at least two expressions`);
    list.forEach((x, i) => validateFilter(x, `${where}.${root}[${i}]`));
    return;
  }
  if (root === 'Not') return validateFilter(e.Not!, `${where}.Not`);
  if (root === 'CostCategories') throw invalid(`${where}: CostCategories are not supported for rightsizing recommendations`);
  if (root === 'Dimensions') {
    const d = e.Dimensions!;
    if (!d.Key) throw invalid(`${where}: Dimensions must have a Key`);
    if (!(RIGHTSIZING_DIMENSIONS as readonly string[]).includes(d.Key)) {
      throw invalid(`Dimension ${d.Key} is not supported for rightsizing recommendations. Supported dimensions: ${RIGHTSIZING_DIMENSIONS.join(', ')}`);
    }
    if (!d.Values?.length) throw invalid(`${where}: Dimensions ${d.Key} must have at least one value`);
    checkMatch(where, d, false);
    return;
  }
  const t = e.Tags!;
  if (!t.Key && (t.Values?.length ?? 0) > 0) throw invalid(`${where}: Tags with Values must have a Key`);
  checkMatch(where, t, true);
}

function matches(actual: string | undefined, m: { Values?: string[]; MatchOptions?: string[] }): boolean {
  const opts = m.MatchOptions ?? [];
  const kind = opts.find((o) => KINDS.has(o)) ?? 'EQUALS';
  if (kind === 'ABSENT') return actual === undefined;
  if (actual === undefined) return false;
  const values = m.Values ?? [];
  if (values.length === 0) return true;
  const fold = opts.includes('CASE_INSENSITIVE') ? (s: string) => s.toLowerCase() : (s: string) => s;
  const a = fold(actual);
  return values.some((raw) => {
    const v = fold(raw);
    switch (kind) {
      case 'STARTS_WITH': return a.startsWith(v);
      case 'ENDS_WITH': return a.endsWith(v);
      case 'CONTAINS': return a.includes(v);
      default: return a === v;
    }
  });
}

/** Whether a (validated) expression holds for the subject. */
export function evaluateFilter(e: Expression, s: Subject): boolean {
  if (e.And) return e.And.every((x) => evaluateFilter(x, s));
  if (e.Or) return e.Or.some((x) => evaluateFilter(x, s));
  if (e.Not) return !evaluateFilter(e.Not, s);
  if (e.Dimensions) return matches(s.dims[e.Dimensions.Key!], e.Dimensions);
  if (e.Tags) {
    if (!e.Tags.Key) return true;
    return matches(Object.prototype.hasOwnProperty.call(s.tags, e.Tags.Key) ? s.tags[e.Tags.Key] : undefined, e.Tags);
  }
  return true;
}
