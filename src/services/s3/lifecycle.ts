/**
 * The lifecycle engine: brings a bucket's versions and uploads up to date with its rules at the
 * clock's `now`, by date arithmetic (lifecycle-rules.ts), in one pass however far the clock moved.
 *
 * It runs (1) before each S3 request that names a bucket with a lifecycle configuration, cheaply:
 * a per-bucket state row says when anything can next fall due, and nothing is read until the
 * clock passes it; and (2) for every such bucket when the clock is advanced
 * (POST /_cloudlet/clock calls applyAllLifecycles).
 */
import type { BlobStore, Store, Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { findBucket, getConfig, putConfig } from './buckets.js';
import {
  classAt, expirationValue, markerRemoval, newWorkBound, planCurrent, planNoncurrent, uploadAbort,
  type StoredLifecycle,
} from './lifecycle-rules.js';
import {
  CONFIG_KIND, OBJECT_KIND, PART_KIND, UPLOAD_KIND, VERSION_KIND, blobsOf, ownerScope, versionRowId,
  type ObjectVersion, type PartRecord, type UploadRecord,
} from './records.js';
import { billEarlyRemoval } from './storage-bill.js';
import { meterFlush } from '../cost/meter.js';
import { restoreHeader } from './restore.js';
import { commitVersion, currentVersion, lockRefusal, noncurrentVersions } from './versions.js';

export const LIFECYCLE_CONFIG = 'lifecycle';
export const LIFECYCLE_STATE = 'lifecycle-state';

/** Per bucket: the clock time rules were last applied at, and the earliest time anything can next fall due. */
export interface LifecycleState {
  appliedMs: number;
  dueMs: number;
}

export const getLifecycle = (tx: Tx, owner: string, bucket: string): StoredLifecycle | undefined =>
  getConfig<StoredLifecycle>(tx, owner, bucket, LIFECYCLE_CONFIG);

/** What one application did (for tests and logs). */
export interface ApplyResult {
  transitioned: number;
  expired: number;
  noncurrentExpired: number;
  markersRemoved: number;
  uploadsAborted: number;
  /** Blobs no longer referenced: delete them after the commit. */
  orphans: string[];
}

/**
 * Applies the bucket's rules at `nowMs` and records when to look again. Pure store work in `tx`
 * (no I/O); the caller deletes `orphans` after the commit.
 */
export function applyLifecycle(tx: Tx, owner: string, bucketName: string, nowMs: number): ApplyResult {
  const result: ApplyResult = { transitioned: 0, expired: 0, noncurrentExpired: 0, markersRemoved: 0, uploadsAborted: 0, orphans: [] };
  const config = getLifecycle(tx, owner, bucketName);
  const bucket0 = findBucket(tx, bucketName)?.bucket;
  if (!config || !bucket0) return result;
  // What the transaction wrote before changed now; the rules' changes below are metered at their own instants.
  meterFlush(tx, nowMs);
  const scope = ownerScope(owner);
  let due = newWorkBound(config, nowMs);
  const later = (t: number | undefined): void => { if (t !== undefined && t > nowMs && t < due) due = t; };

  // Everything is read once up front (one range read per kind), so the work is linear in the bucket.
  const noncurrentByKey = new Map<string, Array<{ id: string; value: ObjectVersion }>>();
  for (const row of tx.list<ObjectVersion>(scope, VERSION_KIND, { prefix: `${bucketName}/` })) {
    const list = noncurrentByKey.get(row.value.key);
    if (list) list.push(row);
    else noncurrentByKey.set(row.value.key, [row]);
  }
  for (const { id: objectId, value: first } of tx.list<ObjectVersion>(scope, OBJECT_KIND, { prefix: `${bucketName}/` })) {
    const key = first.key;
    const older = noncurrentByKey.get(key) ?? [];
    let cur = first;
    // 1. The current version: transitions due before its expiry, then the expiry (which wins over a later transition).
    if (!cur.deleteMarker) {
      const plan = planCurrent(config, cur);
      // A version made noncurrent keeps the class it had reached.
      const to = classAt(plan, Math.min(nowMs, (plan.expiry?.atMs ?? Infinity) - 1));
      if (to && to.storageClass !== cur.storageClass) {
        billEarlyRemoval(tx, owner, bucketName, cur, to.atMs);
        cur = { ...cur, storageClass: to.storageClass, transitionedMs: to.atMs };
        tx.put(scope, OBJECT_KIND, objectId, cur);
        // The bill changes class when the rule did, not when the rules were applied.
        meterFlush(tx, to.atMs);
        result.transitioned++;
      }
      if (plan.expiry && plan.expiry.atMs <= nowMs) {
        result.expired++;
        if (bucket0.versioning === undefined) {
          tx.delete(scope, OBJECT_KIND, objectId);
          billEarlyRemoval(tx, owner, bucketName, cur, plan.expiry.atMs);
          meterFlush(tx, plan.expiry.atMs);
          result.orphans.push(...blobsOf(cur));
          continue;
        }
        // The marker is dated when the object expired, so what follows (noncurrent expiry) counts from then.
        const made = commitVersion(tx, owner, bucket0, {
          key, lastModifiedMs: plan.expiry.atMs, deleteMarker: true, etag: '', size: 0, pieces: [], owner, storageClass: 'STANDARD',
        });
        result.orphans.push(...made.orphans);
        meterFlush(tx, plan.expiry.atMs);
        // Enabled: the expired version is now the newest noncurrent one. Suspended: a null one gave way.
        const kept = cur.versionId !== 'null' || made.version.versionId !== 'null';
        for (let i = older.length - 1; i >= 0; i--) if (made.version.versionId === 'null' && older[i]!.value.versionId === 'null') older.splice(i, 1);
        if (kept) older.unshift({ id: versionRowId(bucketName, key, cur.seq), value: cur });
        cur = made.version;
      } else {
        later(plan.expiry?.atMs);
        for (const t of planCurrent(config, cur).transitions) later(t.atMs);
      }
    }
    // 2. Noncurrent versions, newest first: each became noncurrent when the next newer one was made.
    let successorMs = cur.lastModifiedMs;
    let newer = 0;
    for (const row of older) {
      const v = row.value;
      const subject = { key, size: v.size, tags: v.tags, sinceMs: successorMs, newer, storageClass: v.storageClass };
      const plan = planNoncurrent(config, subject);
      successorMs = v.lastModifiedMs;
      if (plan.expiry && plan.expiry.atMs <= nowMs && !lockRefusal(v, nowMs, false)) {
        tx.delete(scope, VERSION_KIND, row.id);
        billEarlyRemoval(tx, owner, bucketName, v, plan.expiry.atMs);
        meterFlush(tx, plan.expiry.atMs);
        result.orphans.push(...blobsOf(v));
        result.noncurrentExpired++;
        continue;
      }
      newer++;
      if (plan.expiry) later(plan.expiry.atMs > nowMs ? plan.expiry.atMs : v.retention?.untilMs);
      // Delete markers hold no bytes: nothing to move.
      const to = v.deleteMarker ? undefined : classAt(plan, nowMs);
      if (to && to.storageClass !== v.storageClass) {
        billEarlyRemoval(tx, owner, bucketName, v, to.atMs);
        tx.put(scope, VERSION_KIND, row.id, { ...v, storageClass: to.storageClass, transitionedMs: to.atMs });
        meterFlush(tx, to.atMs);
        result.transitioned++;
      }
      if (!v.deleteMarker) for (const t of plan.transitions) later(t.atMs);
    }
    // 3. A delete marker with nothing beneath it.
    if (cur.deleteMarker && newer === 0) {
      const removal = markerRemoval(config, key, cur.lastModifiedMs);
      if (removal && removal.atMs <= nowMs) {
        tx.delete(scope, OBJECT_KIND, objectId);
        result.markersRemoved++;
      } else later(removal?.atMs);
    }
  }

  // Incomplete multipart uploads.
  for (const row of tx.list<UploadRecord>(scope, UPLOAD_KIND, { prefix: `${bucketName}/` })) {
    const u = row.value;
    const abort = uploadAbort(config, u.key, u.initiatedMs);
    if (!abort) continue;
    if (abort.atMs > nowMs) {
      later(abort.atMs);
      continue;
    }
    for (const part of tx.list<PartRecord>(scope, PART_KIND, { prefix: `${bucketName}/${u.uploadId}/` })) {
      result.orphans.push(part.value.blob);
      tx.delete(scope, PART_KIND, part.id);
    }
    tx.delete(scope, UPLOAD_KIND, row.id);
    result.uploadsAborted++;
  }
  putConfig(tx, owner, bucketName, LIFECYCLE_STATE, { appliedMs: nowMs, dueMs: due } satisfies LifecycleState);
  return result;
}

/**
 * Applies a bucket's rules if anything can have fallen due since they last were (or the clock
 * was set back): one row read otherwise. Returns the orphaned blobs.
 */
export function catchUp(tx: Tx, owner: string, bucket: string, nowMs: number): string[] {
  const state = getConfig<LifecycleState>(tx, owner, bucket, LIFECYCLE_STATE);
  if (!state) return [];
  if (nowMs < state.dueMs && nowMs >= state.appliedMs) return [];
  return applyLifecycle(tx, owner, bucket, nowMs).orphans;
}

/** Marks a bucket's rules as needing a full application on its next request (a new configuration). */
export function markLifecycleDue(tx: Tx, owner: string, bucket: string): void {
  putConfig(tx, owner, bucket, LIFECYCLE_STATE, { appliedMs: 0, dueMs: 0 } satisfies LifecycleState);
}

/** Every bucket with a lifecycle configuration, brought up to date (after the clock moved). */
export async function applyAllLifecycles(store: Store, blobs: BlobStore, nowMs: number): Promise<number> {
  const orphans = await store.transaction((tx) => {
    const out: string[] = [];
    for (const s of tx.scopes()) {
      if (s.kind !== CONFIG_KIND || s.region !== '') continue;
      for (const row of tx.list(s, CONFIG_KIND, {})) {
        const sep = row.id.indexOf('\u0000');
        if (sep < 0 || row.id.slice(sep + 1) !== LIFECYCLE_STATE) continue;
        out.push(...catchUp(tx, s.account, row.id.slice(0, sep), nowMs));
      }
    }
    return out;
  });
  for (const b of orphans) blobs.delete(b);
  return orphans.length;
}

/** The x-amz-expiration value for a version, or undefined when no rule expires it. */
export function expirationHeader(tx: Tx, owner: string, bucket: string, version: ObjectVersion): string | undefined {
  const config = getLifecycle(tx, owner, bucket);
  if (!config || version.deleteMarker) return undefined;
  const cur = currentVersion(tx, owner, bucket, version.key);
  if (!cur || cur.seq === version.seq) {
    const plan = planCurrent(config, version);
    return plan.expiry ? expirationValue(plan.expiry) : undefined;
  }
  let successorMs = cur.lastModifiedMs;
  let newer = 0;
  for (const row of noncurrentVersions(tx, owner, bucket, version.key)) {
    if (row.value.seq === version.seq) {
      const plan = planNoncurrent(config, { key: version.key, size: version.size, tags: version.tags, sinceMs: successorMs, newer, storageClass: version.storageClass });
      return plan.expiry ? expirationValue(plan.expiry) : undefined;
    }
    successorMs = row.value.lastModifiedMs;
    newer++;
  }
  return undefined;
}

/**
 * The lifecycle members of a GetObject/HeadObject answer (PutObject and the like take
 * `Expiration` alone): x-amz-expiration from the rules, x-amz-restore from the restore state.
 */
export function lifecycleMembers(tx: Tx, owner: string, bucket: string, version: ObjectVersion, nowMs: number): { Expiration?: string; Restore?: string } {
  const out: { Expiration?: string; Restore?: string } = {};
  const expiration = expirationHeader(tx, owner, bucket, version);
  if (expiration !== undefined) out.Expiration = expiration;
  const restore = restoreHeader(version, nowMs);
  if (restore !== undefined) out.Restore = restore;
  return out;
}

/** Operations that never touch a bucket's objects, and the lifecycle configuration's own. */
const UNTOUCHED = new Set(['CreateBucket', 'ListBuckets', 'PutBucketLifecycleConfiguration', 'GetBucketLifecycleConfiguration', 'DeleteBucketLifecycle']);

/**
 * Wraps S3's handlers so a request naming a bucket first brings the bucket's lifecycle up to
 * date. Handlers that run outside the store lock (`outside`) stream bodies: they are left as
 * they are, since the clock hook and the next ordinary request catch the bucket up anyway.
 */
export function withLifecycle(handlers: Record<string, Handler>, outside: ReadonlySet<string>): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (UNTOUCHED.has(name) || outside.has(name)) {
      out[name] = handler;
      continue;
    }
    out[name] = (input: { Bucket?: string } | undefined, ctx: RequestContext) => {
      const name = input?.Bucket;
      if (typeof name === 'string' && name !== '') {
        const found = findBucket(ctx.tx, name);
        if (found) {
          const orphans = catchUp(ctx.tx, found.owner.account, name, ctx.clock.nowMs());
          if (orphans.length) ctx.afterCommit(() => { for (const b of orphans) ctx.blobs.delete(b); });
        }
      }
      return handler(input, ctx);
    };
  }
  return out;
}
