import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { putConfig } from './buckets.js';
import { LIFECYCLE_CONFIG, LIFECYCLE_STATE, applyLifecycle, catchUp, expirationHeader, markLifecycleDue, type LifecycleState } from './lifecycle.js';
import { DAY_MS, checkLifecycle } from './lifecycle-rules.js';
import {
  BUCKET_KIND, BUCKET_NAME_KIND, CONFIG_KIND, NAME_SCOPE, PART_KIND, UPLOAD_KIND, configRowId, ownerScope, partRowId, uploadRowId,
  type BucketRecord, type ObjectVersion,
} from './records.js';
import { commitVersion, currentVersion, noncurrentVersions } from './versions.js';
import { archivedUnreadable, restoreHeader, restoreStatus } from './restore.js';

const OWNER = '111111111111';
const T0 = Date.parse('2026-01-10T09:00:00Z');
const BIG = 200 * 1024;

function bucket(tx: Tx, name: string, versioning?: 'Enabled' | 'Suspended', rules?: LifecycleRule[]): void {
  tx.put(NAME_SCOPE, BUCKET_NAME_KIND, name, { account: OWNER, region: 'us-east-1' });
  const rec: BucketRecord = { name, region: 'us-east-1', createdAt: new Date(T0).toISOString(), seq: 0, ...(versioning ? { versioning } : {}) };
  tx.put(ownerScope(OWNER), BUCKET_KIND, name, rec);
  if (rules) {
    putConfig(tx, OWNER, name, LIFECYCLE_CONFIG, checkLifecycle(rules, undefined));
    markLifecycleDue(tx, OWNER, name);
  }
}

function put(tx: Tx, name: string, key: string, atMs: number, size = BIG, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  const b = tx.get<BucketRecord>(ownerScope(OWNER), BUCKET_KIND, name)!;
  return commitVersion(tx, OWNER, b, { key, lastModifiedMs: atMs, etag: '"e"', size, pieces: [{ blob: `blob-${key}-${atMs}`, size }], owner: OWNER, storageClass: 'STANDARD', ...extra }).version;
}

const state = (tx: Tx, name: string) => tx.get<LifecycleState>(ownerScope(OWNER), CONFIG_KIND, configRowId(name, LIFECYCLE_STATE))!;

describe('lifecycle apply step', () => {
  test('unversioned: GLACIER after 30 days, gone after 365, in single jumps; x-amz-expiration names the rule', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b1', undefined, [{ ID: 'arch', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }]);
      const v = put(tx, 'b1', 'logs/a', T0);
      put(tx, 'b1', 'data/b', T0);
      assert.equal(expirationHeader(tx, OWNER, 'b1', v), 'expiry-date="Mon, 11 Jan 2027 00:00:00 GMT", rule-id="arch"');
      assert.equal(expirationHeader(tx, OWNER, 'b1', currentVersion(tx, OWNER, 'b1', 'data/b')!), undefined);

      const r1 = applyLifecycle(tx, OWNER, 'b1', T0 + 31 * DAY_MS);
      assert.equal(r1.transitioned, 1);
      const a = currentVersion(tx, OWNER, 'b1', 'logs/a')!;
      assert.equal(a.storageClass, 'GLACIER');
      assert.equal(a.transitionedMs, Date.parse('2026-02-10T00:00:00Z'));
      assert.equal(currentVersion(tx, OWNER, 'b1', 'data/b')!.storageClass, 'STANDARD');
      assert.equal(state(tx, 'b1').dueMs, Date.parse('2026-03-13T00:00:00Z'), 'next look: when an object written now could first transition');

      const r2 = applyLifecycle(tx, OWNER, 'b1', T0 + 366 * DAY_MS);
      assert.equal(r2.expired, 1);
      assert.deepEqual(r2.orphans, [`blob-logs/a-${T0}`]);
      assert.equal(currentVersion(tx, OWNER, 'b1', 'logs/a'), undefined);
      assert.ok(currentVersion(tx, OWNER, 'b1', 'data/b'));
    });
  });

  test('versioned: expiry adds a delete marker dated at the expiry; noncurrent expiry then counts from it, and the lone marker goes', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b2', 'Enabled', [
        { ID: 'cur', Status: 'Enabled', Filter: {}, Expiration: { Days: 10 }, NoncurrentVersionExpiration: { NoncurrentDays: 5 } },
      ]);
      put(tx, 'b2', 'k', T0);
      // Day 10 → 21 Jan 00:00 a marker; the version is noncurrent from then, expires 27 Jan 00:00; the marker (Days 10) on 1 Feb 00:00.
      applyLifecycle(tx, OWNER, 'b2', Date.parse('2026-01-25T00:00:00Z'));
      const cur = currentVersion(tx, OWNER, 'b2', 'k')!;
      assert.equal(cur.deleteMarker, true);
      assert.equal(cur.lastModifiedMs, Date.parse('2026-01-21T00:00:00Z'));
      assert.equal(noncurrentVersions(tx, OWNER, 'b2', 'k').length, 1);
      const r = applyLifecycle(tx, OWNER, 'b2', Date.parse('2026-03-01T00:00:00Z'));
      assert.equal(r.noncurrentExpired, 1);
      assert.equal(r.markersRemoved, 1);
      assert.equal(currentVersion(tx, OWNER, 'b2', 'k'), undefined);
    });
  });

  test('versioning suspended: expiry writes a null delete marker that replaces the null version', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b7', 'Enabled', [{ ID: 'e', Status: 'Enabled', Filter: {}, Expiration: { Days: 3 }, NoncurrentVersionExpiration: { NoncurrentDays: 100 } }]);
      const old = put(tx, 'b7', 'k', T0);
      const rec = tx.get<BucketRecord>(ownerScope(OWNER), BUCKET_KIND, 'b7')!;
      tx.put(ownerScope(OWNER), BUCKET_KIND, 'b7', { ...rec, versioning: 'Suspended' });
      put(tx, 'b7', 'k', T0 + DAY_MS);
      const r = applyLifecycle(tx, OWNER, 'b7', T0 + 10 * DAY_MS);
      assert.equal(r.expired, 1);
      assert.deepEqual(r.orphans, [`blob-k-${T0 + DAY_MS}`]);
      const cur = currentVersion(tx, OWNER, 'b7', 'k')!;
      assert.equal(cur.deleteMarker, true);
      assert.equal(cur.versionId, 'null');
      assert.deepEqual(noncurrentVersions(tx, OWNER, 'b7', 'k').map((row) => row.value.versionId), [old.versionId]);
    });
  });

  test('a year in one step gives the same result as the days one by one', async () => {
    const rules: LifecycleRule[] = [
      { ID: 'r', Status: 'Enabled', Filter: {}, Expiration: { Days: 40 }, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }], NoncurrentVersionExpiration: { NoncurrentDays: 20, NewerNoncurrentVersions: 1 } },
      { ID: 'm', Status: 'Enabled', Filter: { Prefix: 'x' }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ];
    const build = (tx: Tx, name: string) => {
      bucket(tx, name, 'Enabled', rules);
      for (let i = 0; i < 4; i++) put(tx, name, 'x1', T0 + i * 7 * DAY_MS);
      put(tx, name, 'y', T0 + 3 * DAY_MS);
    };
    const snapshot = (tx: Tx, name: string) => ['x1', 'y'].map((k) => [currentVersion(tx, OWNER, name, k), noncurrentVersions(tx, OWNER, name, k).map((r) => r.value)]);
    const store = createMemoryStore();
    await store.transaction((tx) => {
      build(tx, 'jump');
      build(tx, 'daily');
      const end = T0 + 365 * DAY_MS;
      applyLifecycle(tx, OWNER, 'jump', end);
      for (let t = T0; t <= end; t += DAY_MS / 2) applyLifecycle(tx, OWNER, 'daily', t);
      const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'versionId' || k === 'seq' ? undefined : v)));
      assert.deepEqual(strip(snapshot(tx, 'jump')), strip(snapshot(tx, 'daily')));
      assert.equal(currentVersion(tx, OWNER, 'jump', 'y')?.deleteMarker, true, 'y expired to a marker');
      assert.equal(noncurrentVersions(tx, OWNER, 'jump', 'y').length, 1, 'the newest noncurrent version is kept (NewerNoncurrentVersions 1)');
      assert.deepEqual(noncurrentVersions(tx, OWNER, 'jump', 'x1').map((r) => r.value.storageClass), ['STANDARD_IA'], 'of four, one kept, in the class it had reached');
    });
  });

  test('NewerNoncurrentVersions keeps the newest noncurrent versions whatever their age', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b3', 'Enabled', [{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 } }]);
      for (let i = 0; i < 5; i++) put(tx, 'b3', 'k', T0 + i * DAY_MS);
      const r = applyLifecycle(tx, OWNER, 'b3', T0 + 100 * DAY_MS);
      assert.equal(r.noncurrentExpired, 2);
      const left = noncurrentVersions(tx, OWNER, 'b3', 'k').map((row) => row.value.lastModifiedMs);
      assert.deepEqual(left, [T0 + 3 * DAY_MS, T0 + 2 * DAY_MS]);
    });
  });

  test('locked noncurrent versions are kept until their retention ends', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b4', 'Enabled', [{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
      put(tx, 'b4', 'k', T0, BIG, { retention: { mode: 'COMPLIANCE', untilMs: T0 + 50 * DAY_MS } });
      put(tx, 'b4', 'k', T0 + DAY_MS);
      assert.equal(applyLifecycle(tx, OWNER, 'b4', T0 + 10 * DAY_MS).noncurrentExpired, 0);
      assert.equal(applyLifecycle(tx, OWNER, 'b4', T0 + 51 * DAY_MS).noncurrentExpired, 1);
    });
  });

  test('incomplete uploads are aborted with their parts; their blobs are returned', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b5', undefined, [{ ID: 'ab', Status: 'Enabled', Filter: { Prefix: 'up/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } }]);
      const scope = ownerScope(OWNER);
      for (const [key, id] of [['up/a', 'U1'], ['keep/b', 'U2']] as const) {
        tx.put(scope, UPLOAD_KIND, uploadRowId('b5', key, id), { key, uploadId: id, initiatedMs: T0, initiator: OWNER, owner: OWNER, storageClass: 'STANDARD', template: {} });
        tx.put(scope, PART_KIND, partRowId('b5', id, 1), { partNumber: 1, blob: `part-${id}`, size: 5, md5: 'x', lastModifiedMs: T0 });
      }
      assert.equal(applyLifecycle(tx, OWNER, 'b5', T0 + 2 * DAY_MS).uploadsAborted, 0);
      const r = applyLifecycle(tx, OWNER, 'b5', T0 + 4 * DAY_MS);
      assert.equal(r.uploadsAborted, 1);
      assert.deepEqual(r.orphans, ['part-U1']);
      assert.equal(tx.list(scope, UPLOAD_KIND, { prefix: 'b5/' }).length, 1);
      assert.equal(tx.list(scope, PART_KIND, { prefix: 'b5/U1/' }).length, 0);
    });
  });

  test('catchUp reads one row until the clock passes the next due time', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'b6', undefined, [{ ID: 'e', Status: 'Enabled', Filter: {}, Expiration: { Days: 2 } }]);
      put(tx, 'b6', 'k', T0);
      catchUp(tx, OWNER, 'b6', T0 + 1000);
      const s = state(tx, 'b6');
      assert.equal(s.dueMs, Date.parse('2026-01-13T00:00:00Z'));
      assert.deepEqual(catchUp(tx, OWNER, 'b6', s.dueMs - 1), []);
      assert.equal(state(tx, 'b6').appliedMs, T0 + 1000, 'nothing applied before due');
      assert.deepEqual(catchUp(tx, OWNER, 'b6', s.dueMs), [`blob-k-${T0}`]);
      assert.equal(currentVersion(tx, OWNER, 'b6', 'k'), undefined);
    });
  });
});

describe('restore state on the clock', () => {
  const v = (restore?: ObjectVersion['restore'], storageClass = 'GLACIER'): ObjectVersion =>
    ({ key: 'k', versionId: 'null', seq: 1, lastModifiedMs: T0, etag: '"e"', size: 1, pieces: [], owner: OWNER, storageClass, restore });
  test('unreadable until a restore completes, readable until it expires; other classes always readable', () => {
    const r = { ongoing: true, doneMs: T0 + 5 * 3_600_000, expiryMs: Date.parse('2026-01-13T00:00:00Z') };
    assert.equal(archivedUnreadable(v(), T0), true);
    assert.equal(archivedUnreadable(v(r), T0 + 3_600_000), true);
    assert.equal(restoreHeader(v(r), T0 + 3_600_000), 'ongoing-request="true"');
    assert.equal(archivedUnreadable(v(r), r.doneMs), false);
    assert.equal(restoreHeader(v(r), r.doneMs), 'ongoing-request="false", expiry-date="Tue, 13 Jan 2026 00:00:00 GMT"');
    assert.equal(archivedUnreadable(v(r), r.expiryMs), true);
    assert.equal(restoreHeader(v(r), r.expiryMs), undefined);
    assert.deepEqual(restoreStatus(v(r), T0), { IsRestoreInProgress: true });
    assert.deepEqual(restoreStatus(v(r), r.doneMs), { IsRestoreInProgress: false, RestoreExpiryDate: new Date(r.expiryMs) });
    assert.equal(restoreStatus(v(r), r.expiryMs), undefined);
    assert.equal(archivedUnreadable(v(undefined, 'GLACIER_IR'), T0), false);
    assert.equal(archivedUnreadable(v(undefined, 'STANDARD'), T0), false);
  });
});
