/**
 * What S3 keeps, and where. Every row lives in its bucket owner's account scope with region ''
 * (bucket names are global, the data is the owner's); one global row per bucket name says who
 * owns it, so creating and addressing a bucket never scans.
 *
 *   {GLOBAL, ''}   s3:bucket-name  NAME                      -> BucketOwner
 *   {owner, ''}    s3:bucket       NAME                      -> BucketRecord
 *   {owner, ''}    s3:config       NAME \0 CONFIG            -> the configuration's input shape
 *   {owner, ''}    s3:object       NAME / KEY                -> ObjectVersion (the current one; may be a delete marker)
 *   {owner, ''}    s3:version      NAME / KEY \0 SEQ         -> ObjectVersion (noncurrent ones, newest first)
 *   {owner, ''}    s3:upload       NAME / KEY \0 UPLOAD-ID   -> UploadRecord
 *   {owner, ''}    s3:part         NAME / UPLOAD-ID / PART   -> PartRecord
 *
 * Ids order by code point, which is UTF-8 byte order: a listing is a range read over
 * `NAME/PREFIX`. Keys cannot hold U+0000 (XML cannot carry it), so `KEY \0 ...` sorts each key's
 * versions right after the key itself and before any longer key.
 */
import type { Scope } from '../../store/types.js';
import { GLOBAL_ACCOUNT } from '../../store/types.js';
import type { ChecksumAlgorithm } from './checksums.js';

export const BUCKET_NAME_KIND = 's3:bucket-name';
export const BUCKET_KIND = 's3:bucket';
export const CONFIG_KIND = 's3:config';
export const OBJECT_KIND = 's3:object';
export const VERSION_KIND = 's3:version';
export const UPLOAD_KIND = 's3:upload';
export const PART_KIND = 's3:part';

export const NAME_SCOPE: Scope = { account: GLOBAL_ACCOUNT, region: '' };
export const ownerScope = (account: string): Scope => ({ account, region: '' });

export interface BucketOwner {
  account: string;
  region: string;
}

export interface BucketRecord {
  name: string;
  region: string;
  createdAt: string;
  /** Absent: never enabled (unversioned). */
  versioning?: 'Enabled' | 'Suspended';
  /** MFA delete as configured (stored and reported; cloudlet has no MFA devices to check). */
  mfaDelete?: 'Enabled' | 'Disabled';
  objectLock?: boolean;
  /** Orders versions: every new version takes the next number. */
  seq: number;
}

/** One stretch of an object's bytes: a single PUT has one, a completed multipart upload one per part. */
export interface Piece {
  blob: string;
  size: number;
}

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  type: 'FULL_OBJECT' | 'COMPOSITE';
  /** base64; COMPOSITE values end in -N. */
  value: string;
  /** Multipart: each part's checksum (base64), for GetObject with partNumber and GetObjectAttributes. */
  parts?: string[];
}

export interface ObjectVersion {
  key: string;
  /** 'null' for objects written while versioning was off or suspended. */
  versionId: string;
  seq: number;
  lastModifiedMs: number;
  deleteMarker?: boolean;
  /** Quoted, as S3 sends it. */
  etag: string;
  size: number;
  pieces: Piece[];
  /** Multipart: part sizes, for partNumber GETs and GetObjectAttributes. */
  partSizes?: number[];
  owner: string;
  storageClass: string;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
  checksum?: StoredChecksum;
  sse?: { algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse'; kmsKeyId?: string; bucketKey?: boolean; context?: string };
  /** SSE-C: the algorithm and the key's MD5 (base64); the key itself is never kept. */
  sseCustomer?: { algorithm: string; keyMd5: string };
  retention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; untilMs: number };
  legalHold?: boolean;
  /** Set while an archived object is being, or has been, restored. */
  restore?: { ongoing: boolean; expiryMs?: number; doneMs?: number; tier?: string };
  /** When a lifecycle transition set the storage class (for minimum-age rules). */
  transitionedMs?: number;
  /** INTELLIGENT_TIERING: the last read that brought it back to the Frequent tier (absent: never read since written). */
  lastAccessMs?: number;
  /** The object ACL when not the default (the owner's FULL_CONTROL alone); acl.ts. */
  acl?: StoredAcl;
}

/** One ACL grant. Stored ACLs (bucket config 'acl', ObjectVersion.acl) list every grant, the owner's own included. */
export interface AclGrant {
  type: 'CanonicalUser' | 'Group';
  /** CanonicalUser: the 64-hex canonical user ID. */
  id?: string;
  /** Group: http://acs.amazonaws.com/groups/global/AllUsers, .../AuthenticatedUsers, .../s3/LogDelivery. */
  uri?: string;
  permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
}

export interface StoredAcl {
  /** The canned ACL it came from (public-read, ...), when it did. */
  canned?: string;
  grants: AclGrant[];
}

export interface UploadRecord {
  key: string;
  uploadId: string;
  initiatedMs: number;
  initiator: string;
  owner: string;
  storageClass: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /** Everything CreateMultipartUpload said about the object to be (content headers, metadata, tags, SSE, lock). */
  template: Partial<ObjectVersion>;
}

export interface PartRecord {
  partNumber: number;
  blob: string;
  size: number;
  /** Hex MD5 of the part (its ETag without quotes). */
  md5: string;
  lastModifiedMs: number;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}

export const bucketObjectId = (bucket: string, key: string): string => `${bucket}/${key}`;
export const versionRowId = (bucket: string, key: string, seq: number): string =>
  `${bucket}/${key}\u0000${(Number.MAX_SAFE_INTEGER - seq).toString(36).padStart(11, '0')}`;
export const versionRowPrefix = (bucket: string, key: string): string => `${bucket}/${key}\u0000`;
export const uploadRowId = (bucket: string, key: string, uploadId: string): string => `${bucket}/${key}\u0000${uploadId}`;
export const partRowId = (bucket: string, uploadId: string, part: number): string =>
  `${bucket}/${uploadId}/${String(part).padStart(5, '0')}`;
export const configRowId = (bucket: string, config: string): string => `${bucket}\u0000${config}`;

/** Every blob a version holds (delete markers hold none). */
export const blobsOf = (v: Pick<ObjectVersion, 'pieces'>): string[] => v.pieces.map((p) => p.blob);
