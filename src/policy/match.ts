/**
 * Wildcard matching for actions, resources and string/ARN condition values. Patterns are
 * compiled when the policy is parsed (or, when they hold policy variables, when the
 * variables' values are known) into globs (glob.ts): never into regular expressions,
 * whose backtracking let one policy hold the event loop for minutes.
 */

import { compileArnGlob, compileGlob, hasWildcard, matchArnGlob, matchGlob, type ArnGlob, type Glob, type Piece } from './glob.js';
import type { ActionMatcher, EvalScope, ResourceMatcher } from './types.js';
import { parseTemplate, resolveVars, type Part, type Template } from './variables.js';

/**
 * 'glob': `*` and `?` match anything (StringLike).
 * 'arn': like glob, but the first five colon-separated segments are matched one by one,
 * as AWS documents for ArnLike and for the Resource element.
 */
export type GlobMode = 'glob' | 'arn';

/** The template as pieces, its variables replaced by `values` (literal text, never wildcards). */
export function templatePieces(parts: readonly Part[], values: readonly string[]): Piece[] {
  const out: Piece[] = [];
  let k = 0;
  for (const p of parts) {
    if (p.t === 'raw') out.push({ text: p.s, wild: true });
    else if (p.t === 'lit') out.push({ text: p.s, wild: false });
    else out.push({ text: values[k++]!, wild: false });
  }
  return out;
}

const CACHE_LIMIT = 128;

/** A compiled single pattern: true/false, for the value in this request. */
export type ValueMatcher = (value: string, scope: EvalScope) => boolean;

function staticMatcher(pieces: readonly Piece[], mode: GlobMode): (v: string) => boolean {
  if (!hasWildcard(pieces)) {
    const lit = pieces.map((p) => p.text).join('');
    return (v) => v === lit;
  }
  if (mode === 'arn') {
    const g = compileArnGlob(pieces);
    return (v) => matchArnGlob(g, v);
  }
  const g = compileGlob(pieces);
  return (v) => matchGlob(g, v);
}

/**
 * Compiles one pattern. A pattern whose variable cannot be resolved matches nothing:
 * AWS says an unresolvable variable makes the element invalid.
 */
export function compilePattern(tpl: Template, mode: GlobMode): ValueMatcher {
  if (!tpl.dynamic) {
    const only = tpl.parts.length === 1 ? tpl.parts[0]! : undefined;
    if (only && only.t === 'raw' && only.s === '*') return () => true;
    return staticMatcher(templatePieces(tpl.parts, []), mode);
  }
  // Compiled per distinct set of variable values; the bound keeps a long-running server from
  // growing without limit when values are many (e.g. user names).
  const cache = new Map<string, (v: string) => boolean>();
  return (v, scope) => {
    const values = resolveVars(tpl, scope);
    if (!values) return false;
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let m = cache.get(key);
    if (!m) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      m = staticMatcher(templatePieces(tpl.parts, values), mode);
      cache.set(key, m);
    }
    return m(v);
  };
}

/**
 * Action (or NotAction) list. Actions compare case-insensitively, so patterns are
 * lower-cased here and the request action once per evaluation.
 */
export function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  // `s3:Get*`, the usual form, is a prefix test.
  const prefixes: string[] = [];
  const globs: Glob[] = [];
  for (const raw of patterns) {
    const p = raw.toLowerCase();
    if (p === '*') return () => true;
    const pieces = [{ text: p, wild: true }];
    if (!hasWildcard(pieces)) exact.add(p);
    else if (p.indexOf('*') === p.length - 1 && !p.includes('?')) prefixes.push(p.slice(0, -1));
    else globs.push(compileGlob(pieces));
  }
  if (globs.length === 0 && prefixes.length === 0) return (a) => exact.has(a);
  const hasExact = exact.size > 0;
  return (a) => {
    if (hasExact && exact.has(a)) return true;
    for (let i = 0; i < prefixes.length; i++) if (a.startsWith(prefixes[i]!)) return true;
    for (let i = 0; i < globs.length; i++) if (matchGlob(globs[i]!, a)) return true;
    return false;
  };
}

/**
 * Index of the fifth colon, where the resource part of an ARN begins; -1 if the text
 * has fewer than five colons.
 */
export function resourcePartStart(arn: string): number {
  let idx = -1;
  for (let n = 0; n < 5; n++) {
    idx = arn.indexOf(':', idx + 1);
    if (idx < 0) return -1;
  }
  return idx + 1;
}

/**
 * Template for a Resource entry: AWS substitutes variables only in the resource part
 * (after the fifth colon), so anything before it stays literal.
 */
export function resourceTemplate(pattern: string, vars: boolean): Template {
  const start = resourcePartStart(pattern);
  if (!vars || start < 0) return parseTemplate(pattern, false);
  const tail = parseTemplate(pattern.slice(start), true);
  return { parts: [{ t: 'raw', s: pattern.slice(0, start) }, ...tail.parts], dynamic: tail.dynamic };
}

/** Resource (or NotResource) list: true if any entry matches. Case-sensitive. */
export function compileResources(patterns: readonly string[], vars: boolean): ResourceMatcher {
  const exact = new Set<string>();
  const globs: ArnGlob[] = [];
  const dynamic: ValueMatcher[] = [];
  for (const p of patterns) {
    if (p === '*') return () => true;
    const tpl = resourceTemplate(p, vars);
    const pieces = templatePieces(tpl.parts, []);
    if (tpl.dynamic) dynamic.push(compilePattern(tpl, 'arn'));
    else if (!hasWildcard(pieces)) exact.add(pieces.map((x) => x.text).join(''));
    else globs.push(compileArnGlob(pieces));
  }
  const hasExact = exact.size > 0;
  // One closure, no per-pattern ones: this runs for every statement of every request.
  const anyStatic = (r: string): boolean => {
    if (hasExact && exact.has(r)) return true;
    for (let i = 0; i < globs.length; i++) if (matchArnGlob(globs[i]!, r)) return true;
    return false;
  };
  if (!dynamic.length) return anyStatic;
  return (r, scope) => {
    if (anyStatic(r)) return true;
    let hit = false;
    // Every dynamic entry is tried so that all unresolved variables get reported.
    for (const m of dynamic) if (m(r, scope)) hit = true;
    return hit;
  };
}
