import { createRequire } from 'node:module';
import type { RE2JS as RE2JSType } from 're2js';

// Loaded on the first pattern compiled, not at start-up (the server imports this module early).
const require = createRequire(import.meta.url);
let re2: typeof RE2JSType | undefined;
const RE2JS = () => (re2 ??= (require('re2js') as { RE2JS: typeof RE2JSType }).RE2JS);

/**
 * The service models' `pattern` traits are Java regular expressions, and AWS matches the whole
 * value against them (Matcher.matches). They are matched here by RE2 (re2js: linear time, so a
 * hostile value cannot make a pattern like ECR's `(?:[._\-/a-z0-9*]?[a-z0-9*]+)*` backtrack
 * exponentially). RE2 has no lookaround; the few patterns that use it fall back to a JavaScript
 * RegExp, which is safe only because values are length-checked against the shape's max first
 * (java-regex.test.ts times every such pattern on hostile input). A construct that neither
 * engine reads as Java does is never guessed at: the pattern is skipped, with the reason.
 */
export interface Matcher {
  /** Whether the whole value matches. */
  matches(value: string): boolean;
  /** re2: linear time; one-class: a single repeated character class (linear in any engine); backtracking: lookaround. */
  engine: 're2' | 'one-class' | 'backtracking';
}
export type CompiledPattern = { ok: true; matcher: Matcher } | { ok: false; reason: string };

/**
 * The pattern with every character class emptied (`[a*+]` -> `[]`): quantifier syntax inside
 * a class is literal (Budgets' and Cost Explorer's e-mail patterns hold `*+` there).
 */
function outsideClasses(src: string): string {
  return src.replace(/\[\^?\]?(?:[^\]\\]|\\.)*\]/g, '[]');
}

/** Java-only syntax, each with why no engine here takes it as Java means it; `outside`: only outside classes. */
const UNSUPPORTED: Array<[RegExp, string, 'outside'?]> = [
  [/\(\?>/, 'atomic groups (?>...) are Java-only'],
  [/(?<!\\)[*+?]\+|(?<!\\p\{\w*)\{\d+(?:,\d*)?\}\+/, 'possessive quantifiers (*+, ++, ?+, {n}+) are Java-only', 'outside'],
  [/\\[AZzGhHRXvV]/, 'Java-only escapes (\\A, \\Z, \\z, \\G, \\h, \\R, \\X, ...)'],
  [/\\p\{(?:Is|In|java|Alpha|Alnum|Punct|Graph|Print|Blank|Cntrl|XDigit|Space|Lower|Upper|ASCII|Digit)/, 'Java-only character classes (\\p{Alpha}, \\p{javaLowerCase}, \\p{IsLatin}, ...)'],
  [/&&/, 'character class intersection (&&) is Java-only'],
  [/\\Q|\\E/, 'quoting (\\Q...\\E) is Java-only'],
];

const hex = (s: string) => parseInt(s, 16);

/** Java's `\uXXXX` (with surrogate pairs as one code point) in RE2's `\x{...}` spelling. */
function toRe2Syntax(src: string): string {
  return src
    .replace(/\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})/g, (_w, hi: string, lo: string) =>
      `\\x{${(((hex(hi) - 0xd800) << 10) + (hex(lo) - 0xdc00) + 0x10000).toString(16)}}`)
    .replace(/\\u([0-9a-fA-F]{4})/g, '\\x{$1}');
}

const swapCase = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

/**
 * For JavaScript's unicode mode, which refuses identity escapes that Java reads as the bare
 * character (`\:`, `\@`, `\-` outside a class): drop the backslash where it means nothing.
 * Inside a class, a `-` right after a class escape (`[\p{Z}-_]`, Cost Explorer's names) is a
 * literal hyphen to Java and a bad range to JavaScript: it is escaped. Java's inline `(?i)`
 * (Budgets' names refuse `<script>` in any case), which Node 20's RegExp lacks, becomes both
 * cases of each ASCII letter up to the end of the enclosing group: Java's (?i) folds ASCII only.
 */
function toJsSyntax(src: string): string {
  let out = '';
  let inClass = false;
  // Per open group: whether (?i) is on in it.
  const ci: boolean[] = [false];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < src.length) {
      const n = src[i + 1]!;
      i++;
      const keep = /[A-Za-z0-9]/.test(n) || '^$\\.*+?()[]{}|/'.includes(n) || (inClass && n === '-');
      out += keep ? `\\${n}` : n;
      if (inClass && /[pPwWdDsS]/.test(n)) {
        if ((n === 'p' || n === 'P') && src[i + 1] === '{') {
          const end = src.indexOf('}', i + 1);
          if (end > 0) {
            out += src.slice(i + 1, end + 1);
            i = end;
          }
        }
        if (src[i + 1] === '-' && src[i + 2] !== ']') {
          out += '\\-';
          i++;
        }
      }
      continue;
    }
    if (!inClass) {
      if (src.startsWith('(?i)', i)) {
        ci[ci.length - 1] = true;
        i += 3;
        continue;
      }
      if (c === '(') ci.push(ci[ci.length - 1]!);
      else if (c === ')' && ci.length > 1) ci.pop();
    }
    if (ci[ci.length - 1] && /[A-Za-z]/.test(c)) {
      if (!inClass) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
      else if (src[i + 1] === '-' && /[A-Za-z]/.test(src[i + 2] ?? '') && (src[i + 2]! <= 'Z') === (c <= 'Z')) {
        out += `${c}-${src[i + 2]}${swapCase(c)}-${swapCase(src[i + 2]!)}`;
        i += 2;
      } else out += `${c}${swapCase(c)}`;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

export function compileJavaPattern(src: string): CompiledPattern {
  for (const [re, reason, where] of UNSUPPORTED) if (re.test(where ? outsideClasses(src) : src)) return { ok: false, reason };
  // One character class repeated cannot backtrack, and V8 runs it several times faster than RE2.
  if (/^\[(?:[^\]\\]|\\.)+\][*+]$/.test(src)) {
    try {
      const regex = new RegExp(`^(?:${toJsSyntax(src)})$`, 'u');
      return { ok: true, matcher: { engine: 'one-class', matches: (v) => regex.test(v) } };
    } catch { /* RE2 below */ }
  }
  let re2Error: string;
  try {
    const p = RE2JS().compile(toRe2Syntax(src));
    return { ok: true, matcher: { engine: 're2', matches: (v) => p.matches(v) } };
  } catch (e) {
    re2Error = (e as Error).message;
  }
  // Only lookaround (RE2's "Perl syntax" refusal) may fall back to the backtracking engine.
  if (!/\(\?<?[=!]/.test(src)) return { ok: false, reason: `RE2 cannot compile it: ${re2Error}` };
  try {
    const regex = new RegExp(`^(?:${toJsSyntax(src)})$`, 'u');
    return { ok: true, matcher: { engine: 'backtracking', matches: (v) => regex.test(v) } };
  } catch (e) {
    return { ok: false, reason: `neither RE2 (${re2Error}) nor JavaScript (${(e as Error).message}) can compile it` };
  }
}
