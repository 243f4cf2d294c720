/**
 * Wildcard matching for actions, resources and string/ARN condition values. Everything is
 * compiled to regular expressions (or plain equality) when the policy is parsed, so the
 * per-request work is a Set lookup or one RegExp test.
 */

import type { ActionMatcher, EvalScope, ResourceMatcher } from './types.js';
import { parseTemplate, resolveVars, type Part, type Template } from './variables.js';

/**
 * 'glob': `*` and `?` match anything (StringLike).
 * 'arn': like glob, but in the first five colon-separated segments a wildcard stays inside
 * its segment, as AWS documents for ArnLike and for the Resource element.
 */
export type GlobMode = 'glob' | 'arn';

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
export const escapeRegex = (s: string): string => s.replace(REGEX_SPECIAL, '\\$&');

const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/** Regex source (unanchored) for a template whose variables resolved to `values`. */
export function templateSource(parts: readonly Part[], values: readonly string[], mode: GlobMode): string {
  let src = '';
  let seg = 0;
  let k = 0;
  for (const p of parts) {
    if (p.t === 'lit') { src += escapeRegex(p.s); continue; }
    if (p.t === 'var') { src += escapeRegex(values[k++]!); continue; }
    for (const ch of p.s) {
      const bounded = mode === 'arn' && seg < 5;
      if (ch === '*') src += bounded ? '[^:]*' : '[^]*';
      else if (ch === '?') src += bounded ? '[^:]' : '[^]';
      else {
        if (ch === ':') seg++;
        src += escapeRegex(ch);
      }
    }
  }
  return src;
}

/** A compiled single pattern: true/false, for the value in this request. */
export type ValueMatcher = (value: string, scope: EvalScope) => boolean;

// Dynamic patterns recompile per distinct set of variable values; the cache bound keeps a
// long-running server from growing without limit when values are many (e.g. user names).
const CACHE_LIMIT = 128;

/**
 * Compiles one pattern. A pattern whose variable cannot be resolved matches nothing:
 * AWS says an unresolvable variable makes the element invalid.
 */
export function compilePattern(tpl: Template, mode: GlobMode): ValueMatcher {
  if (!tpl.dynamic) {
    const only = tpl.parts.length === 1 ? tpl.parts[0]! : undefined;
    if (only && only.t === 'raw' && only.s === '*') return () => true;
    if (only && only.t !== 'var' && (only.t === 'lit' || !hasWildcard(only.s))) {
      const lit = only.s;
      return (v) => v === lit;
    }
    const re = new RegExp(`^${templateSource(tpl.parts, [], mode)}$`);
    return (v) => re.test(v);
  }
  const cache = new Map<string, RegExp>();
  return (v, scope) => {
    const values = resolveVars(tpl, scope);
    if (!values) return false;
    const key = values.join('\u0000');
    let re = cache.get(key);
    if (!re) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      re = new RegExp(`^${templateSource(tpl.parts, values, mode)}$`);
      cache.set(key, re);
    }
    return re.test(v);
  };
}

/**
 * Action (or NotAction) list. Actions compare case-insensitively, so patterns are
 * lower-cased here and the request action once per evaluation.
 */
export function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const raw of patterns) {
    const p = raw.toLowerCase();
    if (p === '*') return () => true;
    if (hasWildcard(p)) globs.push(templateSource([{ t: 'raw', s: p }], [], 'glob'));
    else exact.add(p);
  }
  if (globs.length === 0) return (a) => exact.has(a);
  const re = new RegExp(`^(?:${globs.join('|')})$`);
  if (exact.size === 0) return (a) => re.test(a);
  return (a) => exact.has(a) || re.test(a);
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
  const staticSources: string[] = [];
  const dynamic: ValueMatcher[] = [];
  for (const p of patterns) {
    if (p === '*') return () => true;
    const tpl = resourceTemplate(p, vars);
    if (tpl.dynamic) dynamic.push(compilePattern(tpl, 'arn'));
    else if (tpl.parts.every((part) => part.t === 'raw') && !hasWildcard(p)) exact.add(p);
    else staticSources.push(templateSource(tpl.parts, [], 'arn'));
  }
  const re = staticSources.length ? new RegExp(`^(?:${staticSources.join('|')})$`) : undefined;
  if (!dynamic.length) {
    if (!re) return (r) => exact.has(r);
    if (!exact.size) return (r) => re.test(r);
    return (r) => exact.has(r) || re.test(r);
  }
  return (r, scope) => {
    if (exact.has(r) || (re !== undefined && re.test(r))) return true;
    let hit = false;
    // Every dynamic entry is tried so that all unresolved variables get reported.
    for (const m of dynamic) if (m(r, scope)) hit = true;
    return hit;
  };
}
