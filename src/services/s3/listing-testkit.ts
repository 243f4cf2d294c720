/** The S3 listing tests' harness: rows planted in the records.ts layout on a memory store, the handlers called directly. */
import assert from 'node:assert/strict';
import type { ListObjectVersionsOutput, ListObjectsOutput, ListObjectsV2Output } from '@aws-sdk/client-s3';
import { isAwsError } from '../../core/errors.js';
import { compareIds } from '../../store/order.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { listObjectVersions, listObjects, listObjectsV2 } from './listing-handlers.js';
import { BUCKET_KIND, BUCKET_NAME_KIND, NAME_SCOPE, OBJECT_KIND, VERSION_KIND, bucketObjectId, ownerScope, versionRowId, type BucketRecord, type ObjectVersion } from './records.js';
export const OWNER = '111111111111';
export const T0 = Date.parse('2026-03-01T10:00:00.750Z');
export const SCOPE = ownerScope(OWNER);

export function bucket(tx: Tx, name: string, versioning?: 'Enabled' | 'Suspended'): void {
  tx.put(NAME_SCOPE, BUCKET_NAME_KIND, name, { account: OWNER, region: 'us-east-1' });
  const rec: BucketRecord = { name, region: 'us-east-1', createdAt: new Date(T0).toISOString(), seq: 0, ...(versioning ? { versioning } : {}) };
  tx.put(SCOPE, BUCKET_KIND, name, rec);
}

let seq = 0;
/** Version numbers start again (a test that plants versions by order). */
export function resetSeq(): void {
  seq = 0;
}
export function version(key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  seq++;
  return {
    key, versionId: `v${seq}`, seq, lastModifiedMs: T0 + seq * 1000, etag: `"etag-${seq}"`, size: key.length,
    pieces: [], owner: OWNER, storageClass: 'STANDARD', ...extra,
  };
}

/** The current version row of a key (records.ts layout). */
export function put(tx: Tx, b: string, key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  const v = version(key, extra);
  tx.put(SCOPE, OBJECT_KIND, bucketObjectId(b, key), v);
  return v;
}

/** A noncurrent version row. */
export function putOld(tx: Tx, b: string, key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  const v = version(key, extra);
  tx.put(SCOPE, VERSION_KIND, versionRowId(b, key, v.seq), v);
  return v;
}

/** A Tx that counts the rows its list() calls return. */
export function counting(tx: Tx): { tx: Tx; rows: () => number; reads: () => number } {
  let rows = 0;
  let reads = 0;
  const wrapped = new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'list') {
        return (...args: Parameters<Tx['list']>) => {
          const out = target.list(...args);
          rows += out.length;
          reads++;
          return out;
        };
      }
      if (prop === 'count') return () => { throw new Error('a listing must not count a range'); };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { tx: wrapped, rows: () => rows, reads: () => reads };
}

export const ctxOf = (tx: Tx): RequestContext => ({ tx, clock: { nowMs: () => T0 + 10_000_000 } }) as unknown as RequestContext;

export const v1 = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectsOutput> => listObjects(input as never, ctxOf(tx));
export const v2 = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectsV2Output> => listObjectsV2(input as never, ctxOf(tx));
export const vers = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectVersionsOutput> => listObjectVersions(input as never, ctxOf(tx));

export async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string> | undefined }> {
  try {
    await p;
  } catch (err) {
    if (isAwsError(err)) return { code: err.code, message: err.message, fields: err.fields };
    throw err;
  }
  assert.fail('expected a refusal');
}

export const keysOf = (out: { Contents?: Array<{ Key?: string }> }): string[] => (out.Contents ?? []).map((c) => c.Key!);
export const prefixesOf = (out: { CommonPrefixes?: Array<{ Prefix?: string }> }): string[] => (out.CommonPrefixes ?? []).map((c) => c.Prefix!);

/** What a listing must return, computed the obvious way: every key, sorted by code point, rolled up. */
export function reference(keys: string[], prefix: string, delimiter: string | undefined): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const k of keys.filter((k) => k.startsWith(prefix)).sort(compareIds)) {
    const at = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (at < 0) { out.push(`K:${k}`); continue; }
    const cp = k.slice(0, at + delimiter!.length);
    if (!seen.has(cp)) { seen.add(cp); out.push(`P:${cp}`); }
  }
  return out;
}

/** Every page of a V2 listing through its continuation tokens, as 'K:key' / 'P:prefix' in page order. */
export async function allV2(tx: Tx, input: Record<string, unknown>): Promise<{ entries: string[]; pages: number }> {
  const entries: string[] = [];
  let token: string | undefined;
  let pages = 0;
  for (;;) {
    const out = await v2(tx, { ...input, ContinuationToken: token });
    pages++;
    const page = [...keysOf(out).map((k) => `K:${k}`), ...prefixesOf(out).map((p) => `P:${p}`)];
    // The codec sends Contents and CommonPrefixes as two lists; within a page they interleave by order.
    page.sort((a, b) => compareIds(a.slice(2), b.slice(2)));
    assert.equal(out.KeyCount, page.length);
    entries.push(...page);
    if (!out.IsTruncated) { assert.equal(out.NextContinuationToken, undefined); break; }
    assert.ok(out.NextContinuationToken);
    token = out.NextContinuationToken;
    assert.ok(pages < 10_000);
  }
  return { entries, pages };
}
