import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLifecyclePolicy, tagMatchesPattern, wildcardCount } from './rules.js';

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

type Json = Record<string, unknown>;
const rule = (priority: number, selection: Json, action: Json = { type: 'expire' }): Json => ({ rulePriority: priority, selection, action });
const policy = (...rules: Json[]): string => JSON.stringify({ rules });
const keep = (n: number, extra: Json = {}): Json => ({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: n, ...extra });

function rejects(text: string, detail: string | RegExp): void {
  assert.throws(() => parseLifecyclePolicy(text), (e: any) => {
    assert.equal(e.code, 'InvalidParameterException');
    assert.ok(e.message.startsWith(PREFIX), e.message);
    assert.ok(e.message.endsWith("'"), e.message);
    const inner = e.message.slice(PREFIX.length, -1);
    if (typeof detail === 'string') assert.equal(inner, detail);
    else assert.match(inner, detail);
    return true;
  });
}

describe('lifecycle policy grammar: structure', () => {
  test('text that is not a JSON object cannot be mapped', () => {
    rejects('{"rules": [', 'Could not map policyString into LifecyclePolicy.');
    rejects('[1,2]', 'Could not map policyString into LifecyclePolicy.');
    rejects('"rules"', 'Could not map policyString into LifecyclePolicy.');
  });

  test('rules is required, an array, not empty, and nothing else sits beside it', () => {
    rejects('{}', 'object has missing required properties (["rules"])');
    rejects('{"rules": {}}', 'instance type (object) does not match any allowed primitive type (allowed: ["array"])');
    rejects('{"rules": []}', /^array is too short: must have at least 1 elements/);
    rejects(JSON.stringify({ rules: [rule(1, keep(1))], extra: 1 }), 'object instance has properties which are not allowed by the schema: (["extra"])');
  });

  test('a rule needs rulePriority, selection and action, and takes only description besides', () => {
    rejects(policy({ rulePriority: 1 }), 'object has missing required properties (["action","selection"])');
    rejects(policy({ ...rule(1, keep(1)), name: 'x' }), 'object instance has properties which are not allowed by the schema: (["name"])');
    rejects(policy({ ...rule(1, keep(1)), description: 7 }), /instance type \(integer\) .*\["string"\]/);
    rejects(policy(rule(1, { ...keep(1), color: 'red' })), 'object instance has properties which are not allowed by the schema: (["color"])');
    rejects(policy(rule(1, keep(1), { type: 'expire', when: 'now' })), 'object instance has properties which are not allowed by the schema: (["when"])');
  });

  test('rulePriority is an integer of at least 1, unique across rules', () => {
    rejects(policy(rule(0, keep(1))), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
    rejects(policy(rule(1.5 as number, keep(1))), /instance type \(number\) .*\["integer"\]/);
    rejects(policy(rule('1' as unknown as number, keep(1))), /instance type \(string\) .*\["integer"\]/);
    const tagged = { tagStatus: 'tagged', tagPrefixList: ['a'], countType: 'imageCountMoreThan', countNumber: 1 };
    rejects(policy(rule(3, tagged), rule(3, { ...tagged, tagPrefixList: ['b'] })), /rulePriority 3 is used by more than one rule/);
    // Not sequential is fine.
    assert.deepEqual(parseLifecyclePolicy(policy(rule(20, keep(1)), rule(5, tagged))).map((r) => r.rulePriority), [5, 20]);
  });

  test('enumerations: tagStatus, countType, countUnit, storageClass, action type, targetStorageClass', () => {
    rejects(policy(rule(1, keep(1, { tagStatus: 'TAGGED' }))), 'instance value ("TAGGED") not found in enum (possible values: ["any","tagged","untagged"])');
    rejects(policy(rule(1, keep(1, { countType: 'imageCountLessThan' }))), /instance value \("imageCountLessThan"\) not found in enum/);
    rejects(policy(rule(1, keep(1, { countType: 'sinceImagePushed', countUnit: 'hours' }))), /instance value \("hours"\) not found in enum \(possible values: \["days"\]\)/);
    rejects(policy(rule(1, keep(1, { storageClass: 'glacier' }))), /instance value \("glacier"\)/);
    rejects(policy(rule(1, keep(1), { type: 'delete' })), 'instance value ("delete") not found in enum (possible values: ["expire","transition"])');
    rejects(policy(rule(1, keep(1, { countType: 'sinceImagePushed', countUnit: 'days' }), { type: 'transition', targetStorageClass: 'standard' })), /instance value \("standard"\)/);
  });

  test('countNumber is a positive integer (0 is not accepted)', () => {
    rejects(policy(rule(1, keep(0))), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
    rejects(policy(rule(1, keep(-3))), /found: -3/);
    rejects(policy(rule(1, keep(2.5))), /instance type \(number\)/);
    rejects(policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan' })), 'object has missing required properties (["countNumber"])');
  });
});

describe('lifecycle policy grammar: rule constraints', () => {
  const count = { countType: 'imageCountMoreThan', countNumber: 2 };

  test('tagged needs a tagPrefixList or a tagPatternList, not both', () => {
    rejects(policy(rule(1, { tagStatus: 'tagged', ...count })), /rulePriority 1 has tagStatus 'tagged': it must specify a tagPrefixList or a tagPatternList/);
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], tagPatternList: ['v*'], ...count })), /specifies both tagPrefixList and tagPatternList/);
    assert.deepEqual(parseLifecyclePolicy(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], ...count })))[0]!.selection.tagPrefixList, ['v']);
    assert.deepEqual(parseLifecyclePolicy(policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['v*'], ...count })))[0]!.selection.tagPatternList, ['v*']);
  });

  test('untagged and any take no tag lists', () => {
    rejects(policy(rule(1, { tagStatus: 'untagged', tagPrefixList: ['v'], ...count })), /tagStatus 'untagged': tagPrefixList and tagPatternList are only used with tagStatus 'tagged'/);
    rejects(policy(rule(1, { tagStatus: 'any', tagPatternList: ['v*'], ...count })), /tagStatus 'any': tagPrefixList/);
  });

  test('tag lists are non-empty lists of non-empty strings', () => {
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: [], ...count })), /array is too short.*tagPrefixList/);
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPatternList: [''], ...count })), /too short.*tagPatternList/);
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: 'prod', ...count })), /instance type \(string\) .*\["array"\]/);
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPrefixList: [3], ...count })), /instance type \(integer\) .*\["string"\]/);
  });

  test("at most four wildcards in one tag pattern (the guide's own examples)", () => {
    assert.equal(wildcardCount('*test*1*2*3'), 4);
    parseLifecyclePolicy(policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], ...count })));
    rejects(policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['test*1*2*3*4*5*6'], ...count })), /tag pattern "test\*1\*2\*3\*4\*5\*6" with more than 4 wildcards/);
  });

  test("a rule with tagStatus 'any' must have the highest rulePriority", () => {
    const tagged = { tagStatus: 'tagged', tagPrefixList: ['prod'], ...count };
    rejects(policy(rule(1, keep(3)), rule(2, tagged)), /rulePriority 1 has tagStatus 'any': it must have the highest rulePriority in the policy \(2 is higher\)/);
    rejects(policy(rule(1, keep(3)), rule(2, keep(5))), /rulePriority 1 has tagStatus 'any'/);
    assert.equal(parseLifecyclePolicy(policy(rule(9, keep(3)), rule(2, tagged))).length, 2);
    // Per storage class: an 'any' transition of standard images before an 'any' expiry of archived ones.
    const transition = rule(1, keep(30, { countType: 'sinceImagePushed', countUnit: 'days' }), { type: 'transition', targetStorageClass: 'archive' });
    const archive = rule(2, keep(90, { countType: 'sinceImageTransitioned', countUnit: 'days', storageClass: 'archive' }));
    assert.equal(parseLifecyclePolicy(policy(transition, archive)).length, 2);
    rejects(policy(transition, archive, rule(3, { ...tagged, countType: 'sinceImagePushed', countUnit: 'days', countNumber: 5 })), /rulePriority 1 has tagStatus 'any'.*\(3 is higher\)/);
  });

  test('only one rule selects untagged images', () => {
    const untagged = { tagStatus: 'untagged', ...count };
    rejects(policy(rule(1, untagged), rule(2, { ...untagged, countNumber: 9 })), /rulePriority 1 and 2 both select untagged images/);
  });

  test('countUnit: required for the since* count types, refused with imageCountMoreThan', () => {
    rejects(policy(rule(1, keep(1, { countUnit: 'days' }))), /countType 'imageCountMoreThan': countUnit is only used with sinceImagePushed/);
    rejects(policy(rule(1, keep(14, { countType: 'sinceImagePushed' }))), /countType 'sinceImagePushed': it must specify countUnit 'days'/);
    rejects(policy(rule(1, keep(14, { countType: 'sinceImagePulled' }))), /countType 'sinceImagePulled': it must specify countUnit 'days'/);
    const r = parseLifecyclePolicy(policy(rule(1, keep(14, { countType: 'sinceImagePushed', countUnit: 'days' }))))[0]!;
    assert.deepEqual(r.selection, { tagStatus: 'any', storageClass: 'standard', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 });
  });

  test('storage classes: sinceImageTransitioned selects archived images; the others standard ones', () => {
    const since = (t: string): Json => keep(30, { countType: t, countUnit: 'days' });
    rejects(policy(rule(1, since('sinceImageTransitioned'))), /countType 'sinceImageTransitioned': it must specify storageClass 'archive'/);
    rejects(policy(rule(1, { ...since('sinceImagePushed'), storageClass: 'archive' })), /storageClass must be 'standard'/);
    rejects(policy(rule(1, keep(3, { storageClass: 'archive' }))), /storageClass must be 'standard'/);
    const r = parseLifecyclePolicy(policy(rule(1, { ...since('sinceImageTransitioned'), storageClass: 'archive' })))[0]!;
    assert.equal(r.selection.storageClass, 'archive');
  });

  test('actions: expire takes no target; transition needs targetStorageClass archive and standard images', () => {
    const pushed = keep(30, { countType: 'sinceImagePushed', countUnit: 'days' });
    rejects(policy(rule(1, pushed, { type: 'expire', targetStorageClass: 'archive' })), /action type 'expire': targetStorageClass is only used with action type 'transition'/);
    rejects(policy(rule(1, pushed, { type: 'transition' })), /action type 'transition': it must specify targetStorageClass 'archive'/);
    const archived = keep(30, { countType: 'sinceImageTransitioned', countUnit: 'days', storageClass: 'archive' });
    rejects(policy(rule(1, archived, { type: 'transition', targetStorageClass: 'archive' })), /can only select images of storageClass 'standard'/);
    rejects(policy(rule(1, { tagStatus: 'tagged', count })), /missing required properties \(\["countNumber","countType"\]\)/);
    assert.deepEqual(parseLifecyclePolicy(policy(rule(1, pushed, { type: 'transition', targetStorageClass: 'archive' })))[0]!.action, { type: 'transition', targetStorageClass: 'archive' });
  });

  test("the user guide's examples parse", () => {
    const examples = [
      { rules: [{ rulePriority: 1, description: 'Expire images older than 14 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] },
      { rules: [{ rulePriority: 1, description: 'Rule 1', selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 2, description: 'Rule 2', selection: { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] },
      { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' }, action: { type: 'expire' } }] },
    ];
    for (const e of examples) assert.equal(parseLifecyclePolicy(JSON.stringify(e)).length, e.rules.length);
  });
});

describe('tag patterns', () => {
  test('* matches any run of characters; the rest is literal and anchored', () => {
    assert.ok(tagMatchesPattern('prod', 'prod*'));
    assert.ok(tagMatchesPattern('prod1', 'prod*'));
    assert.ok(!tagMatchesPattern('preprod', 'prod*'));
    assert.ok(tagMatchesPattern('preprod', '*prod'));
    assert.ok(tagMatchesPattern('v1.2-rc', 'v*-rc'));
    assert.ok(!tagMatchesPattern('v1.2-rc1', 'v*-rc'));
    assert.ok(tagMatchesPattern('release', 'release'));
    assert.ok(!tagMatchesPattern('release1', 'release'));
    assert.ok(tagMatchesPattern('a-test-1-2-3', '*test*1*2*3'));
    assert.ok(!tagMatchesPattern('aba', 'ab*ba'), 'the parts may not overlap');
    assert.ok(tagMatchesPattern('abba', 'ab*ba'));
    assert.ok(tagMatchesPattern('x.y', 'x.y'), '. is literal');
    assert.ok(!tagMatchesPattern('xzy', 'x.y'));
  });
});
