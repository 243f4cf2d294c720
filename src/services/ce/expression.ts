/**
 * Cost Explorer's filter Expression: exactly one of And, Or, Not, Dimensions, Tags or
 * CostCategories at each level, validated with AWS's messages and compiled once into a
 * predicate over tagged items. Values within one Dimensions/Tags are ORed; MatchOptions default
 * to EQUALS and CASE_SENSITIVE.
 */
import { dimensionValue, tagValue, type TaggedItem } from './dimensions.js';
import { checkEnum, DIMENSIONS, MATCH_OPTIONS, validation } from './dates.js';

export interface Expression {
  And?: Expression[];
  Or?: Expression[];
  Not?: Expression;
  Dimensions?: { Key?: string; Values?: string[]; MatchOptions?: string[] };
  Tags?: { Key?: string; Values?: string[]; MatchOptions?: string[] };
  CostCategories?: { Key?: string; Values?: string[]; MatchOptions?: string[] };
}

export type Predicate = (t: TaggedItem) => boolean;

const ROOTS = ['And', 'Or', 'Not', 'Dimensions', 'Tags', 'CostCategories'] as const;
const ROOT_MESSAGE = 'Only one root operator is allowed for each expression: And, Or, Not, Dimensions, Tags, CostCategories';

/** Which MatchOptions each kind of value filter takes in the cost and usage APIs (the API reference's lists). */
const MATCH: Record<'Dimensions' | 'Tags' | 'CostCategories', ReadonlySet<string>> = {
  Dimensions: new Set(['EQUALS', 'CASE_SENSITIVE']),
  Tags: new Set(['EQUALS', 'ABSENT', 'CASE_SENSITIVE']),
  CostCategories: new Set(['EQUALS', 'ABSENT', 'CASE_SENSITIVE']),
};

export interface CompileOptions {
  /** Dimensions this API accepts in a filter (all of the model's by default). */
  dimensions?: ReadonlySet<string>;
  /** Match options beyond the cost and usage APIs' (GetDimensionValues and GetTags take them all). */
  anyMatchOption?: boolean;
}

function valueMatcher(kind: 'Dimensions' | 'Tags' | 'CostCategories', v: NonNullable<Expression['Dimensions']>, opts: CompileOptions): (value: string) => boolean {
  const options = v.MatchOptions ?? [];
  for (const o of options) checkEnum(o, MATCH_OPTIONS, `${kind.toLowerCase()}.matchOptions.member`);
  for (const o of options) {
    if (!opts.anyMatchOption && !MATCH[kind].has(o)) throw validation(`MatchOptions ${o} is not supported for ${kind}. Supported values are ${[...MATCH[kind]].join(', ')}`);
  }
  const insensitive = options.includes('CASE_INSENSITIVE');
  const norm = (s: string): string => (insensitive ? s.toLowerCase() : s);
  const values = (v.Values ?? []).map(norm);
  if (options.includes('ABSENT')) return (value) => value === '';
  const mode = options.find((o) => o === 'STARTS_WITH' || o === 'ENDS_WITH' || o === 'CONTAINS') ?? 'EQUALS';
  if (kind === 'Dimensions' && values.length === 0) throw validation('Dimension values cannot be empty');
  return (raw) => {
    const value = norm(raw);
    switch (mode) {
      case 'STARTS_WITH': return values.some((x) => value.startsWith(x));
      case 'ENDS_WITH': return values.some((x) => value.endsWith(x));
      case 'CONTAINS': return values.some((x) => value.includes(x));
      default: return values.includes(value);
    }
  };
}

/** Validates an Expression and returns its predicate. */
export function compileExpression(e: Expression, opts: CompileOptions = {}): Predicate {
  const roots = ROOTS.filter((r) => e[r] !== undefined && e[r] !== null);
  if (roots.length > 1) throw validation(`Expression has more than one roots. ${ROOT_MESSAGE}`);
  if (roots.length === 0) throw validation(`Expression has zero roots. ${ROOT_MESSAGE}`);
  const root = roots[0]!;
  switch (root) {
    case 'And': case 'Or': {
      const list = e[root]!;
      if (list.length < 2) throw validation(`${root} expression must have at least 2 operands`);
      const parts = list.map((x) => compileExpression(x, opts));
      return root === 'And' ? (t) => parts.every((p) => p(t)) : (t) => parts.some((p) => p(t));
    }
    case 'Not': {
      const inner = compileExpression(e.Not!, opts);
      return (t) => !inner(t);
    }
    case 'Dimensions': {
      const key = e.Dimensions!.Key;
      if (!key) throw validation('Dimension key is required');
      checkEnum(key, DIMENSIONS, 'dimensions.key');
      if (opts.dimensions && !opts.dimensions.has(key)) throw validation(`Dimension ${key} is not allowed. Allowed dimension(s): ${[...opts.dimensions].join(', ')}`);
      const match = valueMatcher('Dimensions', e.Dimensions!, opts);
      return (t) => match(dimensionValue(t, key));
    }
    case 'Tags': {
      const key = e.Tags!.Key;
      if (key === undefined) throw validation('Tag key is required');
      const match = valueMatcher('Tags', e.Tags!, opts);
      return (t) => match(tagValue(t, key));
    }
    case 'CostCategories': {
      // No cost categories are defined in cloudlet: every item is uncategorized ('').
      if (!e.CostCategories!.Key) throw validation('Cost category key is required');
      const match = valueMatcher('CostCategories', e.CostCategories!, opts);
      return () => match('');
    }
  }
}

/** A filter that may be absent. */
export const compileFilter = (e: Expression | undefined, opts: CompileOptions = {}): Predicate =>
  e ? compileExpression(e, opts) : () => true;
