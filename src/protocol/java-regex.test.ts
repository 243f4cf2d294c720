import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CATALOG } from '../services/catalog.js';
import { compileJavaPattern } from './java-regex.js';
import { readRawModel } from './models.js';

const matcher = (src: string) => {
  const c = compileJavaPattern(src);
  if (!c.ok) throw new Error(c.reason);
  return c.matcher;
};

describe('Java patterns from the models', () => {
  it('match the whole value, as Matcher.matches does', () => {
    const m = matcher('[\\w+=,.@-]+');
    assert.equal(m.matches('alice.smith@example'), true);
    assert.equal(m.matches('bad name'), false);
    assert.equal(m.matches(''), false);
    assert.equal(matcher('\\d{12}').matches('123456789012x'), false);
  });

  it('read \\uXXXX escapes, surrogate pairs as one code point, and \\p{...} classes', () => {
    const doc = matcher('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+');
    assert.equal(doc.matches('{"Version": "2012-10-17"}\n\tÿ'), true);
    assert.equal(doc.matches('\u0001'), false);
    assert.equal(doc.matches('中'), false);
    const asg = matcher('[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*');
    assert.equal(asg.matches('group 😀 中'), true);
    assert.equal(asg.matches('a\u0001'), false);
    const tag = matcher('[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    assert.equal(tag.matches('Größe 中文 1'), true);
    assert.equal(tag.matches('a*b'), false);
  });

  it('take escaped punctuation outside classes and lookahead (on the backtracking engine)', () => {
    const ecr = matcher('^arn:aws(-\\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$');
    assert.equal(ecr.matches('arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/x'), true);
    // Cost Explorer's CostCategoryName: the '-' after \p{Z} is a literal hyphen, as in Java.
    const category = matcher('^(?! )[\\p{L}\\p{N}\\p{Z}-_]*(?<! )$');
    assert.equal(category.matches('Team-A_1 x'), true);
    assert.equal(category.matches(' lead'), false);
    assert.equal(category.matches('a.b'), false);
    // Budgets' BudgetName: Java's inline (?i) inside a lookahead, to the end of its group.
    const budget = matcher('^(?![^:\\\\]*/action/|(?i).*<script>.*</script>.*)[^:\\\\]+$');
    assert.equal(budget.matches('Monthly EC2'), true);
    for (const bad of ['a<SCRIPT>x</Script>', 'x/action/y', 'a:b']) assert.equal(budget.matches(bad), false, bad);
    const folded = matcher('(?=.)(?i)[a-c]x');
    assert.equal(folded.engine, 'backtracking');
    assert.deepEqual(['bX', 'Bx', 'dx'].map((v) => folded.matches(v)), [true, true, false]);
    // Budgets' subscriber address: '*+' inside a class is two literal characters, not a possessive quantifier.
    assert.equal(matcher("(^[a-zA-Z0-9.!#$%&'*+=?^_‘{|}~-]+@[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)+$)").matches('a*+b@example.com'), true);
    const alias = matcher('^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$');
    assert.equal(alias.engine, 'backtracking');
    assert.equal(alias.matches('my-alias'), true);
    assert.equal(alias.matches('my--alias'), false);
  });

  it('skip, with a reason, what neither engine reads as Java does', () => {
    for (const [src, why] of [
      ['\\p{Alpha}+', /Java-only character classes/],
      ['[a-z&&[^e]]+', /intersection/],
      ['a*+b', /possessive/],
      ['(?>ab)c', /atomic/],
      ['\\Aabc\\Z', /Java-only escapes/],
      ['(a', /cannot compile/],
    ] as const) {
      const c = compileJavaPattern(src);
      assert.equal(c.ok, false, src);
      if (!c.ok) assert.match(c.reason, why, src);
    }
  });

  it('no pattern of any vendored model takes more than 250 ms on hostile input up to its max length', () => {
    // Catastrophic backtracking shows on a long run of one class ending in a character that fails,
    // e.g. ECR's ^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$ with 'a' x 255 + '!'.
    const limits = new Map<string, number>();
    for (const entry of CATALOG) {
      for (const shape of Object.values(readRawModel(entry.modelId).shapes)) {
        if (shape.pattern === undefined) continue;
        limits.set(shape.pattern, Math.max(limits.get(shape.pattern) ?? 0, Math.min(shape.max ?? 20_000, 20_000)));
      }
    }
    assert.ok(limits.size > 50);
    for (const [src, n] of limits) {
      const m = matcher(src);
      for (const unit of ['a', '0', 'a-', 'a.', '/a', 'aA0_', ' ', '-']) {
        const value = `${unit.repeat(Math.ceil(n / unit.length)).slice(0, n - 1)}!`;
        // Best of three, so a GC pause or a busy machine is not taken for backtracking (which
        // takes seconds to years on these inputs, not milliseconds).
        let ms = Infinity;
        for (let i = 0; i < 3 && ms >= 250; i++) {
          const t = performance.now();
          m.matches(value);
          ms = Math.min(ms, performance.now() - t);
        }
        assert.ok(ms < 250, `${src} (${m.engine}) took ${ms.toFixed(0)} ms on ${n} x '${unit}'`);
      }
    }
  });
});
