import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compileArnGlob, compileGlob, matchArnGlob, matchGlob, type Piece } from './glob.js';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import { user } from './testkit.js';

/**
 * Reference semantics, written for obviousness rather than speed: dynamic programming over
 * pattern tokens. `bounded` tokens (wildcards in an ARN's first five segments) never match ':'.
 */
interface Tok { kind: 'lit' | 'star' | 'one'; ch: string; bounded: boolean }

function tokens(pieces: readonly Piece[], arn: boolean): Tok[] {
  const out: Tok[] = [];
  let colons = 0;
  for (const p of pieces) {
    for (const ch of p.text) {
      const bounded = arn && colons < 5;
      if (p.wild && ch === '*') out.push({ kind: 'star', ch, bounded });
      else if (p.wild && ch === '?') out.push({ kind: 'one', ch, bounded });
      else {
        if (ch === ':') colons++;
        out.push({ kind: 'lit', ch, bounded });
      }
    }
  }
  return out;
}

function reference(toks: readonly Tok[], v: string): boolean {
  // ok[j] after processing i tokens: tokens[0, i) match v[0, j).
  let ok = new Array<boolean>(v.length + 1).fill(false);
  ok[0] = true;
  for (const t of toks) {
    const next = new Array<boolean>(v.length + 1).fill(false);
    for (let j = 0; j <= v.length; j++) {
      if (t.kind === 'star') {
        next[j] = ok[j]! || (j > 0 && next[j - 1]! && !(t.bounded && v[j - 1] === ':'));
      } else if (j > 0 && ok[j - 1]) {
        const c = v[j - 1]!;
        next[j] = t.kind === 'one' ? !(t.bounded && c === ':') : c === t.ch;
      }
    }
    ok = next;
  }
  return ok[v.length]!;
}

const raw = (text: string): Piece[] => [{ text, wild: true }];

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

describe('glob: agrees with the reference on random input', () => {
  const patternArb = fc.array(fc.record({ text: fc.stringMatching(/^[ab:*?]{0,8}$/), wild: fc.boolean() }), { maxLength: 4 });
  const valueArb = fc.stringMatching(/^[ab:*?]{0,14}$/);

  test('StringLike-style globs', () => {
    fc.assert(fc.property(patternArb, valueArb, (pieces, v) => {
      assert.equal(matchGlob(compileGlob(pieces), v), reference(tokens(pieces, false), v), JSON.stringify({ pieces, v }));
    }), { numRuns: 5000 });
  });

  test('ARN globs (segments matched one by one)', () => {
    fc.assert(fc.property(patternArb, valueArb, (pieces, v) => {
      assert.equal(matchArnGlob(compileArnGlob(pieces), v), reference(tokens(pieces, true), v), JSON.stringify({ pieces, v }));
    }), { numRuns: 5000 });
  });

  test('star-heavy patterns over a two-letter alphabet', () => {
    const starry = fc.stringMatching(/^[ab*]{0,30}$/);
    const long = fc.stringMatching(/^[ab]{0,60}$/);
    fc.assert(fc.property(starry, long, (p, v) => {
      assert.equal(matchGlob(compileGlob(raw(p)), v), reference(tokens(raw(p), false), v), JSON.stringify({ p, v }));
    }), { numRuns: 3000 });
  });

  test('long ?-segments (several 32-bit words of shift-and state)', () => {
    const segment = fc.stringMatching(/^[ab?]{30,100}$/);
    fc.assert(fc.property(segment, fc.stringMatching(/^[ab]{0,250}$/), fc.boolean(), (seg, v, inner) => {
      const p = inner ? `*${seg}*` : `a*${seg}*${seg.slice(0, 5)}`;
      assert.equal(matchGlob(compileGlob(raw(p)), v), reference(tokens(raw(p), false), v), JSON.stringify({ p, v }));
      // A value built to contain the segment must match.
      const fill = seg.replace(/\?/g, 'b');
      assert.equal(matchGlob(compileGlob(raw(`*${seg}*`)), `${v}${fill}${v}`), true);
    }), { numRuns: 600 });
  });

  test('a substituted value is literal: its * and ? are not wildcards', () => {
    const pieces: Piece[] = [{ text: 'home/', wild: true }, { text: 'a*?', wild: false }, { text: '/*', wild: true }];
    const g = compileGlob(pieces);
    assert.equal(matchGlob(g, 'home/a*?/x'), true);
    assert.equal(matchGlob(g, 'home/abc/x'), false);
  });
});

describe('glob: pathological patterns finish at once', () => {
  const cases: Array<{ name: string; pattern: string; value: string; want: boolean }> = [
    { name: '7 stars (the reported policy), 64 a', pattern: 'user/a*a*a*a*a*a*a*b', value: `user/${'a'.repeat(64)}`, want: false },
    { name: '10 stars, 10,000 a', pattern: `${'a*'.repeat(10)}b`, value: 'a'.repeat(10_000), want: false },
    { name: '50 stars, 10,000 a', pattern: `${'a*'.repeat(50)}b`, value: 'a'.repeat(10_000), want: false },
    { name: '50 stars, matching', pattern: `${'a*'.repeat(50)}b`, value: `${'a'.repeat(10_000)}b`, want: true },
    { name: '?-heavy, no match', pattern: `*${'?a'.repeat(40)}?b*`, value: 'a'.repeat(10_000), want: false },
    { name: '?-heavy, match at the end', pattern: `*${'?a'.repeat(40)}?b`, value: `${'a'.repeat(10_000)}b`, want: true },
    { name: 'star and ? runs', pattern: `${'*?'.repeat(200)}c`, value: 'ab'.repeat(5_000), want: false },
    { name: 'long literal after a star', pattern: `*${'a'.repeat(2_000)}b`, value: 'a'.repeat(20_000), want: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const g = compileGlob(raw(c.pattern));
      const { value, ms } = timed(() => matchGlob(g, c.value));
      assert.equal(value, c.want);
      assert.ok(ms < 200, `${ms.toFixed(1)} ms`);
      const a = compileArnGlob(raw(`arn:aws:iam::000000000000:${c.pattern}`));
      const arn = timed(() => matchArnGlob(a, `arn:aws:iam::000000000000:${c.value}`));
      assert.equal(arn.value, c.want);
      assert.ok(arn.ms < 200, `${arn.ms.toFixed(1)} ms`);
    });
  }
});

describe('glob: through the policy engine', () => {
  const alice = user('alice', '000000000000');
  const decide = (stmt: Record<string, unknown>, action: string, resource: string, context: Record<string, string> = {}) => {
    const policy = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...stmt }] }));
    return timed(() => evaluate({ action, resource, principal: alice, context }, { identity: [policy] }).decision);
  };

  test('the reported 148-character policy: denied, at once', () => {
    const r = decide({ Action: 'iam:GetUser', Resource: 'arn:aws:iam::000000000000:user/a*a*a*a*a*a*a*b' },
      'iam:GetUser', `arn:aws:iam::000000000000:user/${'a'.repeat(64)}`);
    assert.equal(r.value, 'ImplicitDeny');
    assert.ok(r.ms < 200, `${r.ms.toFixed(1)} ms`);
  });

  test('the same pattern allows a name that ends in b', () => {
    const r = decide({ Action: 'iam:GetUser', Resource: 'arn:aws:iam::000000000000:user/a*a*a*a*a*a*a*b' },
      'iam:GetUser', `arn:aws:iam::000000000000:user/${'a'.repeat(64)}b`);
    assert.equal(r.value, 'Allow');
  });

  test('50 stars in Action, StringLike and ArnLike', () => {
    const stars = `${'a*'.repeat(50)}b`;
    const long = 'a'.repeat(5_000);
    for (const [stmt, ctx] of [
      [{ Action: `iam:${stars}`, Resource: '*' }, {}],
      [{ Action: '*', Resource: '*', Condition: { StringLike: { 'aws:UserAgent': stars } } }, { 'aws:UserAgent': long }],
      [{ Action: '*', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${stars}` } } }, { 'aws:SourceArn': `arn:aws:s3:::${long}` }],
      [{ Action: '*', Resource: '*', Condition: { StringNotLike: { 'aws:UserAgent': `\${aws:username}${stars}` } } }, { 'aws:UserAgent': `alice${long}b` }],
    ] as const) {
      const r = decide(stmt, `iam:${long}`, '*', ctx);
      assert.equal(r.value, 'ImplicitDeny', JSON.stringify(stmt));
      assert.ok(r.ms < 200, `${JSON.stringify(stmt).slice(0, 80)}: ${r.ms.toFixed(1)} ms`);
    }
  });

  test('NotAction / NotResource with many stars', () => {
    const r = decide({ NotAction: `s3:${'*x'.repeat(30)}`, NotResource: `arn:aws:s3:::${'*y'.repeat(30)}` },
      'iam:GetUser', `arn:aws:iam::000000000000:user/${'x'.repeat(3_000)}`);
    assert.equal(r.value, 'Allow');
    assert.ok(r.ms < 200, `${r.ms.toFixed(1)} ms`);
  });
});

describe('the rest of the policy grammar stays linear', () => {
  test('a partition of 50,000 stars and a bad character is rejected at once', () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: `arn:${'*'.repeat(50_000)}!:s3:::b` }] });
    const r = timed(() => assert.throws(() => parsePolicy(doc), /Partition/));
    assert.ok(r.ms < 200, `${r.ms.toFixed(1)} ms`);
  });

  test('a numeric condition against 100,000 digits and a letter is false at once', () => {
    const policy = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*',
      Condition: { NumericLessThan: { 's3:max-keys': '10' } } }] }));
    const r = timed(() => evaluate({ action: 's3:ListBucket', resource: '*', principal: user(), context: { 's3:max-keys': `${'1'.repeat(100_000)}x` } },
      { identity: [policy] }).decision);
    assert.equal(r.value, 'ImplicitDeny');
    assert.ok(r.ms < 200, `${r.ms.toFixed(1)} ms`);
  });
});
