import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import {
  DAY_MS, checkLifecycle, classAt, dueAfterDays, expirationValue, markerRemoval, newWorkBound, nextMidnight, planCurrent,
  planNoncurrent, uploadAbort, type StoredLifecycle,
} from './lifecycle-rules.js';

const at = (iso: string): number => Date.parse(iso);
const big = 200 * 1024;

function rejects(rules: LifecycleRule[], code: string, message?: string | RegExp, minimum?: string): void {
  assert.throws(() => checkLifecycle(rules, minimum), (e: any) => {
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const config = (rules: LifecycleRule[], minimum?: string): StoredLifecycle => checkLifecycle(rules, minimum);

describe('lifecycle date arithmetic', () => {
  test("S3's example: created 15 Jan 10:30 UTC, a 3-day rule falls due 19 Jan 00:00 UTC", () => {
    assert.equal(dueAfterDays(at('2014-01-15T10:30:00Z'), 3), at('2014-01-19T00:00:00Z'));
    assert.equal(nextMidnight(at('2014-01-15T23:59:59.999Z')), at('2014-01-16T00:00:00Z'));
    assert.equal(nextMidnight(at('2014-01-16T00:00:00Z')), at('2014-01-17T00:00:00Z'));
  });

  test('30-day GLACIER then 365-day expiry: the class and expiry at any moment, by date', () => {
    const c = config([{ ID: 'arch', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }]);
    const created = at('2026-03-01T12:00:00Z');
    const plan = planCurrent(c, { key: 'a', size: big, lastModifiedMs: created, storageClass: 'STANDARD' });
    assert.deepEqual(plan.expiry, { atMs: at('2027-03-02T00:00:00Z'), ruleId: 'arch' });
    assert.equal(classAt(plan, created + 30 * DAY_MS), undefined, 'not before the midnight after day 30');
    assert.deepEqual(classAt(plan, at('2026-04-01T00:00:00Z')), { storageClass: 'GLACIER', atMs: at('2026-04-01T00:00:00Z') });
    assert.equal(expirationValue(plan.expiry!), 'expiry-date="Tue, 02 Mar 2027 00:00:00 GMT", rule-id="arch"');
  });

  test('a jump past several transitions lands on the coldest one due; lifecycle never warms an object', () => {
    const c = config([{ ID: 'w', Status: 'Enabled', Filter: {}, Transitions: [
      { Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 60, StorageClass: 'GLACIER_IR' }, { Days: 150, StorageClass: 'DEEP_ARCHIVE' },
    ] }]);
    const created = at('2026-01-01T00:00:00Z');
    const plan = planCurrent(c, { key: 'k', size: big, lastModifiedMs: created, storageClass: 'STANDARD' });
    assert.equal(classAt(plan, created + 100 * DAY_MS)!.storageClass, 'GLACIER_IR');
    assert.equal(classAt(plan, created + 400 * DAY_MS)!.storageClass, 'DEEP_ARCHIVE');
    const archived = planCurrent(c, { key: 'k', size: big, lastModifiedMs: created, storageClass: 'GLACIER' });
    assert.deepEqual(archived.transitions.map((t) => t.storageClass), ['DEEP_ARCHIVE']);
  });

  test('filters: prefix, tags (all of them), sizes; disabled rules do nothing', () => {
    const c = config([
      { ID: 'p', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 10 } }, Expiration: { Days: 1 } },
      { ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } },
    ]);
    const v = (key: string, size: number, tags?: Record<string, string>) => planCurrent(c, { key, size, tags, lastModifiedMs: 0, storageClass: 'STANDARD' }).expiry?.ruleId;
    assert.equal(v('logs/a', 11, { tier: 'cold' }), 'p');
    assert.equal(v('logs/a', 10, { tier: 'cold' }), undefined);
    assert.equal(v('logs/a', 11, { tier: 'hot' }), undefined);
    assert.equal(v('data/a', 11, { tier: 'cold' }), undefined);
  });

  test('objects under 128 KiB do not transition by default; varies_by_storage_class lets them go to GLACIER only', () => {
    const rules: LifecycleRule[] = [{ ID: 'g', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 90, StorageClass: 'GLACIER' }] }];
    const small = { key: 'k', size: 1000, lastModifiedMs: 0, storageClass: 'STANDARD' };
    assert.deepEqual(planCurrent(config(rules), small).transitions, []);
    assert.deepEqual(planCurrent(config(rules, 'varies_by_storage_class'), small).transitions.map((t) => t.storageClass), ['GLACIER']);
    const sized: LifecycleRule[] = [{ ID: 's', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 0 }, Transitions: [{ Days: 0, StorageClass: 'GLACIER' }] }];
    assert.equal(planCurrent(config(sized), small).transitions.length, 1, 'a size filter of its own overrides the default');
  });

  test('an Expiration Date applies from that date, or from the next midnight for objects made later', () => {
    const c = config([{ ID: 'd', Status: 'Enabled', Filter: {}, Expiration: { Date: new Date('2027-01-01T00:00:00Z') } }]);
    assert.equal(planCurrent(c, { key: 'k', size: 1, lastModifiedMs: at('2026-05-05T05:00:00Z'), storageClass: 'STANDARD' }).expiry!.atMs, at('2027-01-01T00:00:00Z'));
    assert.equal(planCurrent(c, { key: 'k', size: 1, lastModifiedMs: at('2027-02-02T05:00:00Z'), storageClass: 'STANDARD' }).expiry!.atMs, at('2027-02-03T00:00:00Z'));
  });

  test('noncurrent versions count from when they became noncurrent, and NewerNoncurrentVersions keeps the newest', () => {
    const c = config([{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 2 } }]);
    const since = at('2026-06-01T08:00:00Z');
    const plan = (newer: number) => planNoncurrent(c, { key: 'k', size: 1, sinceMs: since, newer, storageClass: 'STANDARD' }).expiry;
    assert.equal(plan(0), undefined);
    assert.equal(plan(1), undefined);
    assert.deepEqual(plan(2), { atMs: at('2026-06-12T00:00:00Z'), ruleId: 'nc' });
  });

  test('expired delete markers and incomplete uploads', () => {
    const c = config([
      { ID: 'm', Status: 'Enabled', Filter: { Prefix: 'a/' }, Expiration: { ExpiredObjectDeleteMarker: true }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      { ID: 'days', Status: 'Enabled', Filter: { Prefix: 'b/' }, Expiration: { Days: 5 } },
    ]);
    const t = at('2026-02-02T02:00:00Z');
    assert.equal(markerRemoval(c, 'a/x', t)!.atMs, at('2026-02-03T00:00:00Z'));
    assert.equal(markerRemoval(c, 'b/x', t)!.atMs, at('2026-02-08T00:00:00Z'), 'Days rules clean up markers once they are that old');
    assert.equal(markerRemoval(c, 'c/x', t), undefined);
    assert.equal(uploadAbort(c, 'a/big', t)!.atMs, at('2026-02-10T00:00:00Z'));
    assert.equal(uploadAbort(c, 'b/big', t), undefined);
  });

  test('the bound on new work is the soonest anything new could fall due', () => {
    const from = at('2026-01-10T10:00:00Z');
    assert.equal(newWorkBound(config([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 30 } }]), from), at('2026-02-10T00:00:00Z'));
    assert.equal(newWorkBound(config([{ ID: 'a', Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 30 } }]), from), at('2026-01-11T00:00:00Z'));
    assert.equal(newWorkBound(config([{ ID: 'a', Status: 'Disabled', Filter: {}, Expiration: { Days: 30 } }]), from), Infinity);
  });
});

describe('PutBucketLifecycleConfiguration checks', () => {
  test('valid configurations are stored with IDs filled in and dates as text', () => {
    const c = checkLifecycle([
      { Status: 'Enabled', Filter: { Prefix: 'x/' }, Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
      { ID: 'keep', Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'STANDARD_IA' }], NoncurrentVersionExpiration: { NoncurrentDays: 60 } },
    ], undefined);
    assert.ok(c.Rules[0]!.ID.length > 0);
    assert.equal(c.Rules[0]!.Expiration!.Date, '2030-01-01T00:00:00.000Z');
    assert.equal(c.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(c))), JSON.stringify(c), 'JSON-safe');
  });

  test('rule count, IDs and status', () => {
    rejects([], 'MalformedXML');
    rejects(Array.from({ length: 1001 }, (_, i) => ({ ID: `r${i}`, Status: 'Enabled', Filter: { Prefix: `${i}/` }, Expiration: { Days: 1 } })), 'InvalidArgument', 'The number of lifecycle rules must not exceed the allowed limit of 1000 rules.');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }, { ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 2 } }], 'InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule');
    rejects([{ ID: 'x'.repeat(256), Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }], 'InvalidArgument', 'ID length should not exceed allowed limit of 255');
    rejects([{ ID: 'a', Status: 'On' as never, Filter: {}, Expiration: { Days: 1 } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {} }], 'InvalidRequest', 'At least one action needs to be specified in a rule');
  });

  test('filters', () => {
    rejects([{ ID: 'a', Status: 'Enabled', Expiration: { Days: 1 } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { Prefix: 'a', ObjectSizeLessThan: 5 }, Expiration: { Days: 1 } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { And: { Prefix: 'a' } }, Expiration: { Days: 1 } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { And: { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } }, Expiration: { Days: 1 } }], 'InvalidRequest', 'Duplicate Tag Keys are not allowed.');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { And: { ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 10 } }, Expiration: { Days: 1 } }], 'InvalidRequest', "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { ObjectSizeLessThan: 0 }, Expiration: { Days: 1 } }], 'InvalidRequest', "'ObjectSizeLessThan' should be between 1 and 1099511627776000.");
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { ExpiredObjectDeleteMarker: true } }], 'InvalidRequest', 'ExpiredObjectDeleteMarker cannot be specified with Tags.');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }], 'InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Object Size.');
  });

  test('Lifecycle V1 and V2 do not mix; V1 prefixes may not overlap for one action', () => {
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }, { ID: 'b', Status: 'Enabled', Prefix: 'x', Expiration: { Days: 1 } }], 'InvalidRequest', 'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.');
    rejects([{ ID: 'a', Status: 'Enabled', Prefix: 'x', Expiration: { Days: 1 } }, { ID: 'b', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }], 'InvalidRequest', 'Filter element can only be used in Lifecycle V2.');
    rejects([{ ID: 'a', Status: 'Enabled', Prefix: '', Expiration: { Days: 1 } }, { ID: 'b', Status: 'Enabled', Prefix: 'a', Expiration: { Days: 2 } }], 'InvalidRequest', "Found overlapping prefixes '' and 'a' for same action type 'Expiration'");
    rejects([{ ID: 'a', Status: 'Enabled', Prefix: 'x', NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } }], 'InvalidRequest', 'NewerNoncurrentVersions element can only be used in Lifecycle V2.');
  });

  test('expiration', () => {
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 0 } }], 'InvalidArgument', "'Days' for Expiration action must be a positive integer");
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Date: new Date('2030-01-01T12:00:00Z') } }], 'InvalidArgument', "'Date' must be at midnight GMT");
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }], 'InvalidArgument', "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NewerNoncurrentVersions: 3 } }], 'MalformedXML');
    rejects([{ ID: 'a', Status: 'Enabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } }], 'InvalidArgument', "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
  });

  test("transitions: classes, minimum ages, the waterfall's order and gaps, and expiry after them", () => {
    const r = (t: LifecycleRule['Transitions'], extra: Partial<LifecycleRule> = {}): LifecycleRule[] => [{ ID: 'a', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: t, ...extra }];
    rejects(r([{ Days: 29, StorageClass: 'STANDARD_IA' }]), 'InvalidArgument', "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'");
    rejects(r([{ Days: 10, StorageClass: 'ONEZONE_IA' }]), 'InvalidArgument', "'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'");
    assert.doesNotThrow(() => checkLifecycle(r([{ Days: 0, StorageClass: 'GLACIER' }]), undefined));
    rejects(r([{ Days: 1, StorageClass: 'STANDARD' as never }]), 'InvalidArgument', 'Invalid target Storage class for Transition action');
    rejects(r([{ Days: 1, StorageClass: 'PLATINUM' as never }]), 'MalformedXML');
    rejects(r([{ StorageClass: 'GLACIER' }]), 'MalformedXML');
    rejects(r([{ Days: 30, StorageClass: 'GLACIER' }, { Days: 60, StorageClass: 'GLACIER' }]), 'InvalidRequest', "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=)'");
    rejects(r([{ Days: 90, StorageClass: 'GLACIER' }, { Days: 120, StorageClass: 'DEEP_ARCHIVE' }]), 'InvalidArgument',
      "'Days' in the 'Transition' action for StorageClass 'DEEP_ARCHIVE' for filter '(prefix=)' must be 90 days more than 'filter '(prefix=)'' in the 'Transition' action for StorageClass 'GLACIER'");
    rejects(r([{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 50, StorageClass: 'GLACIER' }]), 'InvalidArgument', /must be 30 days more than/);
    rejects(r([{ Days: 100, StorageClass: 'STANDARD_IA' }, { Days: 50, StorageClass: 'GLACIER' }]), 'InvalidArgument',
      "'Days' in the 'Transition' action for StorageClass 'GLACIER' for filter '(prefix=)' must be greater than 'Days' in the 'Transition' action for StorageClass 'STANDARD_IA' for filter '(prefix=)'");
    assert.doesNotThrow(() => checkLifecycle(r([{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 60, StorageClass: 'GLACIER' }, { Days: 150, StorageClass: 'DEEP_ARCHIVE' }]), undefined));
    rejects(r([{ Days: 30, StorageClass: 'GLACIER' }], { Expiration: { Days: 30 } }), 'InvalidArgument', "'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action");
    rejects(r([{ Days: 30, StorageClass: 'GLACIER' }], { Expiration: { Date: new Date('2030-01-01T00:00:00Z') } }), 'InvalidRequest', "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=)'");
    rejects([{ ID: 'n', Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 5, StorageClass: 'STANDARD_IA' }] }], 'InvalidArgument', "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'");
    rejects([{ ID: 'n', Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }], NoncurrentVersionExpiration: { NoncurrentDays: 30 } }], 'InvalidArgument',
      "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '()' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action");
    rejects(r([{ Days: 1, StorageClass: 'GLACIER' }]), 'InvalidRequest', 'Invalid TransitionDefaultMinimumObjectSize found', 'tiny');
  });
});
