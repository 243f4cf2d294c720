/**
 * The one place object versions change: a new version (PUT, copy, completed upload, delete
 * marker) and the removal of one, with S3's versioning rules (unversioned, Enabled, Suspended).
 * Every function returns the blob ids the change made unreachable; the caller deletes them after
 * the commit (ctx.afterCommit), so a rollback never loses bytes.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import { billEarlyRemoval } from './storage-bill.js';
import {
  BUCKET_KIND, OBJECT_KIND, VERSION_KIND, blobsOf, bucketObjectId, ownerScope, versionRowId, versionRowPrefix,
  type BucketRecord, type ObjectVersion,
} from './records.js';

/** S3 version IDs: 32 URL-safe characters. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url').slice(0, 32);
}

export const noSuchKey = (key: string): AwsError => new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key } });

export const noSuchVersion = (key: string, versionId: string): AwsError =>
  new AwsError('NoSuchVersion', 'The specified version does not exist.', 404, { fields: { Key: key, VersionId: versionId } });

/** The current version of a key (maybe a delete marker). */
export function currentVersion(tx: Tx, owner: string, bucket: string, key: string): ObjectVersion | undefined {
  return tx.get<ObjectVersion>(ownerScope(owner), OBJECT_KIND, bucketObjectId(bucket, key));
}

/** Noncurrent versions of a key, newest first, with their row ids. */
export function noncurrentVersions(tx: Tx, owner: string, bucket: string, key: string): Array<{ id: string; value: ObjectVersion }> {
  return tx.list<ObjectVersion>(ownerScope(owner), VERSION_KIND, { prefix: versionRowPrefix(bucket, key) });
}

/** One version by ID ('null' included), current or not. */
export function findVersion(tx: Tx, owner: string, bucket: string, key: string, versionId: string): { version: ObjectVersion; current: boolean; rowId?: string } | undefined {
  const cur = currentVersion(tx, owner, bucket, key);
  if (cur && cur.versionId === versionId) return { version: cur, current: true };
  for (const row of noncurrentVersions(tx, owner, bucket, key)) {
    if (row.value.versionId === versionId) return { version: row.value, current: false, rowId: row.id };
  }
  return undefined;
}

/** The version a read names: the current one, or the one with versionId. Throws S3's errors for neither. */
export function readableVersion(tx: Tx, owner: string, bucket: string, key: string, versionId: string | undefined, method: string): ObjectVersion {
  if (versionId === undefined) {
    const cur = currentVersion(tx, owner, bucket, key);
    if (!cur) throw noSuchKey(key);
    if (cur.deleteMarker) {
      const headers: Record<string, string> = { 'x-amz-delete-marker': 'true' };
      if (cur.versionId !== 'null' || versioned(tx, owner, bucket)) headers['x-amz-version-id'] = cur.versionId;
      throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404, { fields: { Key: key }, headers });
    }
    return cur;
  }
  if (versionId !== 'null' && !/^[A-Za-z0-9._-]{1,1024}$/.test(versionId)) {
    throw new AwsError('InvalidArgument', 'Invalid version id specified', 400, { fields: { ArgumentName: 'versionId', ArgumentValue: versionId } });
  }
  const found = findVersion(tx, owner, bucket, key, versionId);
  if (!found) throw noSuchVersion(key, versionId);
  if (found.version.deleteMarker) {
    throw new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
      fields: { Method: method, ResourceType: 'DeleteMarker' },
      headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionId, allow: 'DELETE' },
    });
  }
  return found.version;
}

function versioned(tx: Tx, owner: string, bucket: string): boolean {
  return tx.get<BucketRecord>(ownerScope(owner), BUCKET_KIND, bucket)?.versioning !== undefined;
}

/**
 * Makes `v` the key's current version. Its versionId and seq are assigned here from the bucket's
 * versioning state; returns the version as stored and the blobs no longer referenced.
 */
export function commitVersion(tx: Tx, owner: string, bucket: BucketRecord, v: Omit<ObjectVersion, 'versionId' | 'seq'>): { version: ObjectVersion; orphans: string[] } {
  const scope = ownerScope(owner);
  const fresh = tx.get<BucketRecord>(scope, BUCKET_KIND, bucket.name) ?? bucket;
  const seq = fresh.seq + 1;
  tx.put(scope, BUCKET_KIND, fresh.name, { ...fresh, seq });
  const version: ObjectVersion = { ...v, versionId: fresh.versioning === 'Enabled' ? newVersionId() : 'null', seq };
  const orphans: string[] = [];
  const id = bucketObjectId(fresh.name, v.key);
  const old = tx.get<ObjectVersion>(scope, OBJECT_KIND, id);
  if (old) {
    if (fresh.versioning === undefined || old.versionId === 'null' && version.versionId === 'null') {
      orphans.push(...blobsOf(old));
      billEarlyRemoval(tx, owner, fresh.name, old, v.lastModifiedMs);
    } else tx.put(scope, VERSION_KIND, versionRowId(fresh.name, v.key, old.seq), old);
  }
  if (version.versionId === 'null' && fresh.versioning !== undefined) {
    // Suspended: the one null version of the key, wherever it is, gives way.
    for (const row of noncurrentVersions(tx, owner, fresh.name, v.key)) {
      if (row.value.versionId !== 'null') continue;
      orphans.push(...blobsOf(row.value));
      billEarlyRemoval(tx, owner, fresh.name, row.value, v.lastModifiedMs);
      tx.delete(scope, VERSION_KIND, row.id);
    }
  }
  tx.put(scope, OBJECT_KIND, id, version);
  return { version, orphans };
}

/** Removes one version for good at atMs (DeleteObject with versionId, lifecycle expiry); the newest noncurrent one becomes current. */
export function removeVersion(tx: Tx, owner: string, bucket: string, key: string, found: { version: ObjectVersion; current: boolean; rowId?: string }, atMs: number): string[] {
  const scope = ownerScope(owner);
  billEarlyRemoval(tx, owner, bucket, found.version, atMs);
  if (!found.current) {
    tx.delete(scope, VERSION_KIND, found.rowId!);
    return blobsOf(found.version);
  }
  const id = bucketObjectId(bucket, key);
  const next = noncurrentVersions(tx, owner, bucket, key)[0];
  if (next) {
    tx.delete(scope, VERSION_KIND, next.id);
    tx.put(scope, OBJECT_KIND, id, next.value);
  } else {
    tx.delete(scope, OBJECT_KIND, id);
  }
  return blobsOf(found.version);
}

/**
 * Why a version may not be deleted or overwritten in place under Object Lock, or undefined.
 * Governance retention gives way to x-amz-bypass-governance-retention (its permission is checked
 * by the authorizer, s3:BypassGovernanceRetention).
 */
export function lockRefusal(v: ObjectVersion, nowMs: number, bypassGovernance: boolean): AwsError | undefined {
  // "Delete markers are not WORM-protected, regardless of any retention period or legal hold."
  if (v.deleteMarker) return undefined;
  if (v.legalHold) return new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', 403);
  const r = v.retention;
  if (!r || r.untilMs <= nowMs) return undefined;
  if (r.mode === 'GOVERNANCE' && bypassGovernance) return undefined;
  return new AwsError('AccessDenied', 'Access Denied because object protected by object lock.', 403);
}

/** Rewrites one version in place (its retention, legal hold, tags): same ID, same row. */
export function updateVersion(tx: Tx, owner: string, bucket: string, found: { version: ObjectVersion; current: boolean; rowId?: string }, next: ObjectVersion): void {
  const scope = ownerScope(owner);
  if (found.current) tx.put(scope, OBJECT_KIND, bucketObjectId(bucket, next.key), next);
  else tx.put(scope, VERSION_KIND, found.rowId!, next);
}
