import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { putConfig } from './buckets.js';
import {
  LOCK_CONFIG, checkLockConfiguration, checkLockIntegrity, checkRetention, checkRetentionChange, defaultRetention, lockFieldsForNewObject, lockOutputFields,
} from './object-lock.js';
import type { BucketRecord, ObjectVersion } from './records.js';
import { lockRefusal } from './versions.js';

const fails = (code: string, status?: number, message?: RegExp) => (e: AwsError) =>
  e.code === code && (status === undefined || e.status === status) && (message === undefined || message.test(e.message));
const inTx = <T>(fn: (tx: Tx) => T) => createMemoryStore().transaction(fn);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 1);
const lockBucket: BucketRecord = { name: 'locked', region: 'us-east-1', createdAt: '', versioning: 'Enabled', objectLock: true, seq: 0 };
const plainBucket: BucketRecord = { name: 'plain', region: 'us-east-1', createdAt: '', seq: 0 };
const version = (fields: Partial<ObjectVersion>): ObjectVersion => ({
  key: 'k', versionId: 'v1', seq: 1, lastModifiedMs: NOW, etag: '""', size: 0, pieces: [], owner: '111111111111', storageClass: 'STANDARD', ...fields,
});

test('lock configuration: Enabled, one mode, exactly one of Days and Years, positive and bounded', () => {
  assert.deepEqual(checkLockConfiguration({ ObjectLockEnabled: 'Enabled' }), { ObjectLockEnabled: 'Enabled' });
  assert.deepEqual(checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } } }),
    { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } } });
  assert.throws(() => checkLockConfiguration(undefined), fails('MalformedXML', 400));
  assert.throws(() => checkLockConfiguration({}), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Disabled' }), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: {} }), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'governance', Days: 1 } } }), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE' } } }), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1, Years: 1 } } }), fails('MalformedXML'));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 0 } } }),
    (e: AwsError) => e.code === 'InvalidArgument' && e.fields.ArgumentName === 'Days' && /positive integer/.test(e.message));
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: -1 } } }),
    (e: AwsError) => e.code === 'InvalidArgument' && e.fields.ArgumentName === 'Years');
  assert.throws(() => checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 36_501 } } }), fails('InvalidArgument', 400, /too large/));
  checkLockConfiguration({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 36_500 } } });
});

test('default retention: days, or years of 365 days, from the write time', () => {
  assert.equal(defaultRetention(undefined, NOW), undefined);
  assert.equal(defaultRetention({ ObjectLockEnabled: 'Enabled' }, NOW), undefined);
  assert.deepEqual(defaultRetention({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 3 } } }, NOW), { mode: 'GOVERNANCE', untilMs: NOW + 3 * DAY });
  assert.deepEqual(defaultRetention({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 2 } } }, NOW), { mode: 'COMPLIANCE', untilMs: NOW + 730 * DAY });
});

test('retention documents: both members or neither, a known mode, a future date', () => {
  assert.equal(checkRetention({}, NOW), undefined);
  assert.deepEqual(checkRetention({ Mode: 'GOVERNANCE', RetainUntilDate: new Date(NOW + DAY) }, NOW), { mode: 'GOVERNANCE', untilMs: NOW + DAY });
  assert.throws(() => checkRetention(undefined, NOW), fails('MalformedXML'));
  assert.throws(() => checkRetention({ Mode: 'GOVERNANCE' }, NOW), fails('MalformedXML'));
  assert.throws(() => checkRetention({ RetainUntilDate: new Date(NOW + DAY) }, NOW), fails('MalformedXML'));
  assert.throws(() => checkRetention({ Mode: 'abc', RetainUntilDate: new Date(NOW + DAY) }, NOW), fails('MalformedXML'));
  assert.throws(() => checkRetention({ Mode: 'COMPLIANCE', RetainUntilDate: new Date(NOW - 1) }, NOW),
    (e: AwsError) => e.code === 'InvalidArgument' && e.message === 'The retain until date must be in the future!' && e.fields.ArgumentName === 'RetainUntilDate');
});

test('retention changes: COMPLIANCE only extends; GOVERNANCE extends, anything else with bypass; expired protects nothing', () => {
  const gov = { mode: 'GOVERNANCE' as const, untilMs: NOW + 10 * DAY };
  const comp = { mode: 'COMPLIANCE' as const, untilMs: NOW + 10 * DAY };
  const later = (mode: 'GOVERNANCE' | 'COMPLIANCE') => ({ mode, untilMs: NOW + 20 * DAY });
  const sooner = (mode: 'GOVERNANCE' | 'COMPLIANCE') => ({ mode, untilMs: NOW + 5 * DAY });
  const denied = fails('AccessDenied', 403, /protected by object lock/);
  checkRetentionChange(undefined, sooner('COMPLIANCE'), NOW, false);
  checkRetentionChange(comp, later('COMPLIANCE'), NOW, false);
  assert.throws(() => checkRetentionChange(comp, sooner('COMPLIANCE'), NOW, true), denied);
  assert.throws(() => checkRetentionChange(comp, later('GOVERNANCE'), NOW, true), denied);
  assert.throws(() => checkRetentionChange(comp, undefined, NOW, true), denied);
  checkRetentionChange(gov, later('GOVERNANCE'), NOW, false);
  assert.throws(() => checkRetentionChange(gov, sooner('GOVERNANCE'), NOW, false), denied);
  assert.throws(() => checkRetentionChange(gov, later('COMPLIANCE'), NOW, false), denied);
  assert.throws(() => checkRetentionChange(gov, undefined, NOW, false), denied);
  checkRetentionChange(gov, sooner('GOVERNANCE'), NOW, true);
  checkRetentionChange(gov, undefined, NOW, true);
  checkRetentionChange(gov, later('COMPLIANCE'), NOW, true);
  // Once the date has passed, the old retention is no obstacle.
  checkRetentionChange(comp, sooner('GOVERNANCE'), NOW + 11 * DAY, false);
  checkRetentionChange(comp, undefined, NOW + 11 * DAY, false);
});

test('deletes: legal hold always refuses, COMPLIANCE until the date, GOVERNANCE unless bypassed; delete markers never', () => {
  const denied = fails('AccessDenied', 403, /protected by object lock/);
  assert.equal(lockRefusal(version({}), NOW, false), undefined);
  assert.ok(denied(lockRefusal(version({ legalHold: true }), NOW, true)!));
  assert.equal(lockRefusal(version({ legalHold: false }), NOW, false), undefined);
  const comp = version({ retention: { mode: 'COMPLIANCE', untilMs: NOW + DAY } });
  assert.ok(denied(lockRefusal(comp, NOW, true)!));
  assert.ok(denied(lockRefusal(comp, NOW + DAY - 1, true)!));
  assert.equal(lockRefusal(comp, NOW + DAY, false), undefined);
  const gov = version({ retention: { mode: 'GOVERNANCE', untilMs: NOW + DAY } });
  assert.ok(denied(lockRefusal(gov, NOW, false)!));
  assert.equal(lockRefusal(gov, NOW, true), undefined);
  assert.ok(denied(lockRefusal(version({ retention: gov.retention, legalHold: true }), NOW + 2 * DAY, true)!));
  assert.equal(lockRefusal(version({ deleteMarker: true, legalHold: true, retention: comp.retention }), NOW, false), undefined);
});

test('new objects: headers checked first, refused on a bucket without Object Lock, else the default retention', async () => {
  await inTx((tx) => {
    const o = '111111111111';
    const future = new Date(NOW + 5 * DAY);
    const put = (bucket: BucketRecord, input: Parameters<typeof lockFieldsForNewObject>[3], headers?: Record<string, string>) =>
      lockFieldsForNewObject(tx, o, bucket, input, NOW, headers);
    assert.deepEqual(put(plainBucket, {}), {});
    assert.deepEqual(put(lockBucket, {}), {});
    assert.throws(() => put(plainBucket, { ObjectLockLegalHoldStatus: 'ON' }), fails('InvalidRequest', 400, /^Bucket is missing Object Lock Configuration$/));
    assert.throws(() => put(plainBucket, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: future }), fails('InvalidRequest'));
    // Header faults come before the bucket's state.
    assert.throws(() => put(plainBucket, { ObjectLockLegalHoldStatus: 'wrong' }), (e: AwsError) => e.code === 'InvalidArgument' && e.fields.ArgumentName === 'x-amz-object-lock-legal-hold');
    assert.throws(() => put(lockBucket, { ObjectLockMode: 'GOVERNANCE' }), (e: AwsError) => e.code === 'InvalidArgument' && e.fields.ArgumentName === 'x-amz-object-lock-retain-until-date' && /must both be supplied/.test(e.message));
    assert.throws(() => put(lockBucket, { ObjectLockRetainUntilDate: future }), (e: AwsError) => e.fields.ArgumentName === 'x-amz-object-lock-mode');
    assert.throws(() => put(lockBucket, { ObjectLockMode: 'KEEP', ObjectLockRetainUntilDate: future }), fails('InvalidArgument', 400, /Unknown wormMode directive/));
    assert.throws(() => put(plainBucket, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(NOW - DAY) }), fails('InvalidArgument', 400, /must be in the future!/));
    assert.throws(() => put(lockBucket, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: 'abc' }), fails('InvalidArgument', 400, /ISO 8601/));
    assert.deepEqual(put(lockBucket, { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: future, ObjectLockLegalHoldStatus: 'OFF' }),
      { retention: { mode: 'COMPLIANCE', untilMs: future.getTime() }, legalHold: false });
    putConfig(tx, o, lockBucket.name, LOCK_CONFIG, { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2 } } });
    assert.deepEqual(put(lockBucket, {}), { retention: { mode: 'GOVERNANCE', untilMs: NOW + 2 * DAY } });
    assert.deepEqual(put(lockBucket, { ObjectLockLegalHoldStatus: 'ON' }), { retention: { mode: 'GOVERNANCE', untilMs: NOW + 2 * DAY }, legalHold: true });
    // The request's own retention overrides the default.
    assert.deepEqual(put(lockBucket, { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: future }), { retention: { mode: 'COMPLIANCE', untilMs: future.getTime() } });
    // The default counts as lock parameters: an integrity header is needed.
    assert.throws(() => put(lockBucket, {}, { 'x-amz-sdk-checksum-algorithm': 'CRC32' }), fails('InvalidRequest', 400, /Content-MD5 OR x-amz-checksum-/));
    put(lockBucket, {}, { 'x-amz-checksum-crc32': 'AAAAAA==' });
  });
});

test('lock integrity: Content-MD5, a checksum header or a checksum trailer', () => {
  const fields = { retention: { mode: 'GOVERNANCE' as const, untilMs: NOW } };
  const refused = fails('InvalidRequest', 400, /^Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters$/);
  checkLockIntegrity({}, {});
  assert.throws(() => checkLockIntegrity(fields, {}), refused);
  assert.throws(() => checkLockIntegrity({ legalHold: false }, { 'x-amz-content-sha256': 'abc' }), refused);
  assert.throws(() => checkLockIntegrity(fields, { 'x-amz-checksum-type': 'FULL_OBJECT', 'x-amz-checksum-algorithm': 'CRC32' }), refused);
  checkLockIntegrity(fields, { 'content-md5': 'x' });
  checkLockIntegrity(fields, { 'x-amz-checksum-crc64nvme': 'x' });
  checkLockIntegrity(fields, { 'x-amz-trailer': 'x-amz-checksum-crc32' });
});

test('output members: present only when set', () => {
  assert.deepEqual(lockOutputFields({}), {});
  assert.deepEqual(lockOutputFields({ retention: { mode: 'COMPLIANCE', untilMs: NOW }, legalHold: false }),
    { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(NOW), ObjectLockLegalHoldStatus: 'OFF' });
  assert.deepEqual(lockOutputFields({ legalHold: true }), { ObjectLockLegalHoldStatus: 'ON' });
});
