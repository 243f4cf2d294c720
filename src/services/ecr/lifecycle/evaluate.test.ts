import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, evaluateLifecycle, type LifecycleImage } from './evaluate.js';
import { parseLifecyclePolicy } from './rules.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const img = (digest: string, tags: string[], daysAgo: number, extra: Partial<LifecycleImage> = {}): LifecycleImage =>
  ({ digest, tags, pushedAtMs: NOW - daysAgo * DAY_MS, ...extra });
type Json = Record<string, unknown>;
const rules = (...rs: Json[]) => parseLifecyclePolicy(JSON.stringify({
  rules: rs.map((r, i) => ({ rulePriority: i + 1, action: { type: 'expire' }, ...r })),
}));
const expired = (rs: ReturnType<typeof rules>, images: LifecycleImage[], now = NOW): string[] =>
  evaluateLifecycle(rs, images, now).actions.filter((a) => a.type === 'expire').map((a) => a.digest).sort();

describe('lifecycle evaluation', () => {
  test('imageCountMoreThan 3 keeps the 3 newest by push time, expiring the rest oldest first', () => {
    const images = [img('e', [], 1), img('a', ['v1'], 9), img('c', ['v3'], 5), img('b', [], 7), img('d', ['v4'], 3), img('f', ['v6'], 0.5)];
    const r = rules({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 } });
    const out = evaluateLifecycle(r, images, NOW);
    assert.deepEqual(out.actions.map((a) => a.digest), ['a', 'b', 'c'], 'oldest first');
    assert.ok(out.actions.every((a) => a.rulePriority === 1 && a.type === 'expire'));
    assert.equal(out.nextChangeMs, undefined, 'a count rule does not change with time');
    assert.deepEqual(expired(r, images.slice(0, 3)), [], 'three images: nothing past the count');
  });

  test('sinceImagePushed expires the images older than countNumber days, and says when the next one will be', () => {
    const images = [img('old', ['x'], 20), img('edge', ['y'], 14), img('young', [], 3)];
    const r = rules({ selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 } });
    const out = evaluateLifecycle(r, images, NOW);
    assert.deepEqual(out.actions.map((a) => a.digest), ['old'], 'exactly 14 days old is not older than 14 days');
    assert.equal(out.nextChangeMs, NOW + 1, 'the 14-day-old image turns older a moment later');
    assert.deepEqual(expired(r, images, NOW + 1), ['edge', 'old']);
    const later = evaluateLifecycle(r, images, NOW + 1);
    assert.equal(later.nextChangeMs, NOW - 3 * DAY_MS + 14 * DAY_MS + 1, 'then the 3-day-old one, 11 days on');
  });

  test('tag prefixes: every prefix in the list must match one of the image tags (user guide, multiple tags A)', () => {
    const images = [img('A', ['alpha-1'], 12), img('B', ['beta-1'], 11), img('C', ['alpha-2', 'beta-2'], 10),
      img('D', ['alpha-3'], 4), img('E', ['beta-3'], 3), img('F', ['alpha-4', 'beta-4'], 2)];
    const r = rules({ selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' } });
    assert.deepEqual(expired(r, images), ['C']);
  });

  test('tags are not exclusive: a prefix rule counts every image carrying both (user guide, multiple tags B)', () => {
    const images = [img('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), img('B', ['alpha-2', 'beta-2'], 9), img('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)];
    const r = rules({ selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 } });
    assert.deepEqual(expired(r, images), ['A', 'B']);
  });

  test('tag patterns with wildcards select by whole-tag match', () => {
    const images = [img('p1', ['prod-1'], 10), img('p2', ['prod-2'], 8), img('p3', ['prod-3'], 6), img('pre', ['preprod-9'], 11), img('rc', ['v1-rc'], 12)];
    const r = rules({ selection: { tagStatus: 'tagged', tagPatternList: ['prod-*'], countType: 'imageCountMoreThan', countNumber: 1 } });
    assert.deepEqual(expired(r, images), ['p1', 'p2']);
    const both = rules({ selection: { tagStatus: 'tagged', tagPatternList: ['v*', '*-rc'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 } });
    assert.deepEqual(expired(both, images), ['rc']);
  });

  test('untagged selects only images without tags; tagged only images with them', () => {
    const images = [img('u1', [], 5), img('u2', [], 4), img('u3', [], 3), img('t1', ['a'], 9)];
    assert.deepEqual(expired(rules({ selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 } }), images), ['u1', 'u2']);
    assert.deepEqual(expired(rules({ selection: { tagStatus: 'tagged', tagPrefixList: ['a'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 } }), images), ['t1']);
  });

  test('priority: an image matched by a higher rule is not expired by a lower one (user guide, multiple rules A)', () => {
    const images = [img('A', ['beta-1', 'prod-1'], 10), img('B', ['beta-2', 'prod-2'], 9), img('C', ['beta-3'], 8)];
    const r = rules(
      { selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 } },
      { selection: { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 } },
    );
    const out = evaluateLifecycle(r, images, NOW);
    assert.deepEqual(out.actions, [{ digest: 'A', rulePriority: 1, type: 'expire' }]);
  });

  test('priority reversed: the first rule takes both; the second sees nothing left (user guide, multiple rules B)', () => {
    const images = [img('A', ['beta-1', 'prod-1'], 10), img('B', ['beta-2', 'prod-2'], 9), img('C', ['beta-3'], 8)];
    const r = rules(
      { selection: { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 } },
      { selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 } },
    );
    assert.deepEqual(evaluateLifecycle(r, images, NOW).actions.map((a) => [a.digest, a.rulePriority]), [['A', 1], ['B', 1]]);
  });

  test("a lower rule still counts what a higher rule matched: 'any' keep 2 behind a release rule keep 5", () => {
    // release-* images are the rule 1's (it keeps 5); 'any' counts all images newest first and may
    // expire only the ones rule 1 did not match.
    const images = [
      img('r1', ['release-1'], 10), img('r2', ['release-2'], 8), img('d1', ['dev-1'], 9),
      img('d2', ['dev-2'], 7), img('d3', ['dev-3'], 2), img('u', [], 1),
    ];
    const r = rules(
      { selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 5 } },
      { selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 } },
    );
    // Newest first: u, d3, d2, r2, d1, r1: past the first 2 are d2, r2, d1, r1; r* are rule 1's.
    assert.deepEqual(evaluateLifecycle(r, images, NOW).actions.map((a) => [a.digest, a.rulePriority]), [['d1', 2], ['d2', 2]]);
  });

  test('untagged by age first, then any by count: each image expired once, by the first rule that marks it', () => {
    const images = [img('u-old', [], 30), img('u-new', [], 0.1), img('t1', ['a'], 20), img('t2', ['b'], 10), img('t3', ['c'], 5)];
    const r = rules(
      { selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 } },
      { selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 } },
    );
    const out = evaluateLifecycle(r, images, NOW);
    // Rule 2 sees u-new, t3 | t2, t1, u-old: u-old is rule 1's (already expired), u-new too (claimed).
    assert.deepEqual(out.actions.map((a) => [a.digest, a.rulePriority]), [['u-old', 1], ['t1', 2], ['t2', 2]]);
    assert.equal(out.nextChangeMs, NOW - 0.1 * DAY_MS + DAY_MS + 1, 'the young untagged image ages into rule 1');
  });

  test('sinceImagePulled measures from the last pull (the push when never pulled)', () => {
    const images = [img('pulled', ['a'], 40, { lastPullMs: NOW - 2 * DAY_MS }), img('never', ['b'], 40)];
    const r = rules({ selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 } });
    assert.deepEqual(expired(r, images), ['never']);
  });

  test('storage classes: transition selects standard images; archived images only by sinceImageTransitioned', () => {
    const images = [
      img('s-old', ['a'], 100), img('s-new', ['b'], 10),
      img('arch', ['c'], 400, { storageClass: 'ARCHIVE', transitionedAtMs: NOW - 200 * DAY_MS }),
      img('arch-new', ['d'], 400, { storageClass: 'ARCHIVE', transitionedAtMs: NOW - 20 * DAY_MS }),
    ];
    const r = parseLifecyclePolicy(JSON.stringify({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 180 }, action: { type: 'expire' } },
    ] }));
    assert.deepEqual(evaluateLifecycle(r, images, NOW).actions, [{ digest: 'arch', rulePriority: 1, type: 'expire' }]);
    const t = parseLifecyclePolicy(JSON.stringify({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 90 }, action: { type: 'transition', targetStorageClass: 'archive' } },
    ] }));
    assert.deepEqual(evaluateLifecycle(t, images, NOW).actions, [{ digest: 's-old', rulePriority: 1, type: 'transition', targetStorageClass: 'archive' }]);
  });

  test('equal push times: the order is stable by digest', () => {
    const images = [img('b', [], 1), img('a', [], 1), img('c', [], 1)];
    const r = rules({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 } });
    assert.deepEqual(evaluateLifecycle(r, images, NOW).actions.map((a) => a.digest), ['c', 'b']);
  });
});
