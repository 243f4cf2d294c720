/**
 * Policy variables: `${aws:username}`, `${key, 'default'}` and the escapes `${*}`, `${?}`,
 * `${$}`. A string is split once, at parse time, into parts so that evaluation only has to
 * look values up. Substituted values are literal text: a user name containing `*` must
 * not turn into a wildcard, which is exactly why AWS offers `${*}` as an escape.
 */

import type { EvalScope } from './types.js';

/** Raw policy text: `*` and `?` keep their wildcard meaning where the operator has one. */
export interface RawPart { t: 'raw'; s: string }
/** Literal text from an escape such as `${*}`. */
export interface LitPart { t: 'lit'; s: string }
/** A variable; `key` is lower-cased because condition keys are case-insensitive. */
export interface VarPart { t: 'var'; key: string; name: string; def?: string }
export type Part = RawPart | LitPart | VarPart;

export interface Template {
  parts: Part[];
  /** True when at least one part is a variable, i.e. the value depends on the request. */
  dynamic: boolean;
}

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', '$': '$' };

// `${name}` or `${name, 'default'}`; names are condition keys (no braces, quotes or commas).
const VAR_BODY = /^\s*([^\s,'}{]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/**
 * Splits `text` into parts. With `vars` false (policy Version 2008-10-17, or a place where
 * AWS does not substitute), the whole text is raw.
 */
export function parseTemplate(text: string, vars: boolean): Template {
  if (!vars || !text.includes('${')) return { parts: [{ t: 'raw', s: text }], dynamic: false };
  const parts: Part[] = [];
  let dynamic = false;
  let raw = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${', i);
    if (open < 0) break;
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    const body = text.slice(open + 2, close);
    raw += text.slice(i, open);
    const esc = ESCAPES[body];
    const m = esc === undefined ? VAR_BODY.exec(body) : null;
    if (esc !== undefined || m) {
      if (raw) parts.push({ t: 'raw', s: raw });
      raw = '';
      if (esc !== undefined) parts.push({ t: 'lit', s: esc });
      else {
        const name = m![1]!;
        parts.push(m![2] === undefined ? { t: 'var', key: name.toLowerCase(), name } : { t: 'var', key: name.toLowerCase(), name, def: m![2] });
        dynamic = true;
      }
    } else {
      // Not a variable we understand: AWS leaves such text alone.
      raw += text.slice(open, close + 1);
    }
    i = close + 1;
  }
  raw += text.slice(i);
  if (raw) parts.push({ t: 'raw', s: raw });
  return { parts, dynamic };
}

/**
 * The value a variable takes in this request, or undefined when it cannot be resolved
 * (absent, or multi-valued: AWS only substitutes single-valued keys).
 */
export function resolveVar(p: VarPart, scope: EvalScope): string | undefined {
  let v = scope.lookup(p.key, p.name);
  if (Array.isArray(v)) v = v.length === 1 ? v[0] : undefined;
  if (v !== undefined) return v;
  if (p.def !== undefined) return p.def;
  scope.missing(p.name);
  return undefined;
}

/**
 * Resolves every variable of a dynamic template. Returns the resolved values in part
 * order (one entry per var part), or undefined if any variable is unresolvable, which
 * AWS treats as making the element fail to match.
 */
export function resolveVars(tpl: Template, scope: EvalScope): string[] | undefined {
  const out: string[] = [];
  let ok = true;
  for (const p of tpl.parts) {
    if (p.t !== 'var') continue;
    const v = resolveVar(p, scope);
    // Keep going so every missing key is reported, not just the first.
    if (v === undefined) ok = false;
    else out.push(v);
  }
  return ok ? out : undefined;
}

/** Plain-string rendering (for operators without wildcards). */
export function renderTemplate(tpl: Template, values: readonly string[]): string {
  let s = '';
  let k = 0;
  for (const p of tpl.parts) s += p.t === 'var' ? values[k++]! : p.s;
  return s;
}
