import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListObjectVersionsOutput, ListObjectsOutput, ListObjectsV2Output } from '@aws-sdk/client-s3';
import { isAwsError } from '../../core/errors.js';
import { compareIds } from '../../store/order.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { canonicalUserId } from './buckets.js';
import { s3UrlEncode } from './listing.js';
import { listObjectVersions, listObjects, listObjectsV2 } from './listing-handlers.js';
import {
  BUCKET_KIND, BUCKET_NAME_KIND, NAME_SCOPE, OBJECT_KIND, VERSION_KIND, bucketObjectId, ownerScope, versionRowId,
  type BucketRecord, type ObjectVersion,
} from './records.js';

const OWNER = '111111111111';
const T0 = Date.parse('2026-03-01T10:00:00.750Z');
const SCOPE = ownerScope(OWNER);

function bucket(tx: Tx, name: string, versioning?: 'Enabled' | 'Suspended'): void {
  tx.put(NAME_SCOPE, BUCKET_NAME_KIND, name, { account: OWNER, region: 'us-east-1' });
  const rec: BucketRecord = { name, region: 'us-east-1', createdAt: new Date(T0).toISOString(), seq: 0, ...(versioning ? { versioning } : {}) };
  tx.put(SCOPE, BUCKET_KIND, name, rec);
}

let seq = 0;
function version(key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  seq++;
  return {
    key, versionId: `v${seq}`, seq, lastModifiedMs: T0 + seq * 1000, etag: `"etag-${seq}"`, size: key.length,
    pieces: [], owner: OWNER, storageClass: 'STANDARD', ...extra,
  };
}

/** The current version row of a key (records.ts layout). */
function put(tx: Tx, b: string, key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  const v = version(key, extra);
  tx.put(SCOPE, OBJECT_KIND, bucketObjectId(b, key), v);
  return v;
}

/** A noncurrent version row. */
function putOld(tx: Tx, b: string, key: string, extra: Partial<ObjectVersion> = {}): ObjectVersion {
  const v = version(key, extra);
  tx.put(SCOPE, VERSION_KIND, versionRowId(b, key, v.seq), v);
  return v;
}

/** A Tx that counts the rows its list() calls return. */
function counting(tx: Tx): { tx: Tx; rows: () => number; reads: () => number } {
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

const ctxOf = (tx: Tx): RequestContext => ({ tx, clock: { nowMs: () => T0 + 10_000_000 } }) as unknown as RequestContext;

const v1 = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectsOutput> => listObjects(input as never, ctxOf(tx));
const v2 = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectsV2Output> => listObjectsV2(input as never, ctxOf(tx));
const vers = async (tx: Tx, input: Record<string, unknown>): Promise<ListObjectVersionsOutput> => listObjectVersions(input as never, ctxOf(tx));

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string> | undefined }> {
  try {
    await p;
  } catch (err) {
    if (isAwsError(err)) return { code: err.code, message: err.message, fields: err.fields };
    throw err;
  }
  assert.fail('expected a refusal');
}

const keysOf = (out: { Contents?: Array<{ Key?: string }> }): string[] => (out.Contents ?? []).map((c) => c.Key!);
const prefixesOf = (out: { CommonPrefixes?: Array<{ Prefix?: string }> }): string[] => (out.CommonPrefixes ?? []).map((c) => c.Prefix!);

/** What a listing must return, computed the obvious way: every key, sorted by code point, rolled up. */
function reference(keys: string[], prefix: string, delimiter: string | undefined): string[] {
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
async function allV2(tx: Tx, input: Record<string, unknown>): Promise<{ entries: string[]; pages: number }> {
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

describe('S3 listing order', () => {
  test('keys list in UTF-8 byte order (code points), not UTF-16 order', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      // UTF-16 order would put the astral characters before U+E000..U+FFFF.
      const keys = ['z', 'a', '\u00e9', '\uE000', '\uFFFD', '\u{1F600}', '\u{10FFFF}', 'A', ' ', '~'];
      for (const k of keys) put(tx, 'b', k);
      const out = await v2(tx, { Bucket: 'b' });
      assert.deepEqual(keysOf(out), [' ', 'A', 'a', 'z', '~', '\u00e9', '\uE000', '\uFFFD', '\u{1F600}', '\u{10FFFF}']);
      assert.deepEqual(keysOf(out), [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    });
  });

  test('a common prefix is skipped whole even when keys under it continue with astral characters', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      // Under 'd/': keys a `+ '\uFFFF'` jump would land before (astral, U+10FFFF).
      for (const k of ['d/x', 'd/\uFFFF', 'd/\uFFFFz', 'd/\u{1F600}', 'd/\u{10FFFF}', 'd/\u{10FFFF}\u{10FFFF}', 'd0', 'e/1', 'e\u{1F600}']) put(tx, 'b', k);
      const out = await v2(tx, { Bucket: 'b', Delimiter: '/' });
      assert.deepEqual(prefixesOf(out), ['d/', 'e/']);
      assert.deepEqual(keysOf(out), ['d0', 'e\u{1F600}']);
      // Page by page: each common prefix once, whatever the page size.
      for (const MaxKeys of [1, 2, 3]) {
        const all = await allV2(tx, { Bucket: 'b', Delimiter: '/', MaxKeys });
        assert.deepEqual(all.entries, ['P:d/', 'K:d0', 'P:e/', 'K:e\u{1F600}']);
      }
      // An astral delimiter: the prefix ends in a surrogate pair, and the next key is its successor.
      const astral = await v2(tx, { Bucket: 'b', Delimiter: '\u{1F600}' });
      assert.deepEqual(prefixesOf(astral), ['d/\u{1F600}', 'e\u{1F600}']);
      assert.deepEqual(keysOf(astral), ['d/x', 'd/\uFFFF', 'd/\uFFFFz', 'd/\u{10FFFF}', 'd/\u{10FFFF}\u{10FFFF}', 'd0', 'e/1']);
    });
  });

  test('random keys, prefixes, delimiters and page sizes agree with the obvious listing', async () => {
    const store = createMemoryStore();
    const alphabet = ['a', 'b', '/', '-', '\uFFFF', '\u{1F600}', '\u{10FFFF}', '\uE000', ' ', '+'];
    let state = 12345;
    const rand = (n: number): number => { state = (state * 1103515245 + 12345) % 2 ** 31; return state % n; };
    const word = (max: number): string => Array.from({ length: 1 + rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      bucket(tx, 'b-other');
      const keys = [...new Set(Array.from({ length: 300 }, () => word(6)))];
      for (const k of keys) put(tx, 'b', k);
      // Neighbours that must never show up: another bucket whose name extends this one's.
      put(tx, 'b-other', 'a');
      for (let round = 0; round < 60; round++) {
        const prefix = rand(3) === 0 ? '' : word(2);
        const delimiter = rand(4) === 0 ? undefined : alphabet[rand(alphabet.length)]! + (rand(5) === 0 ? 'a' : '');
        const MaxKeys = 1 + rand(40);
        const want = reference(keys, prefix, delimiter);
        const got = await allV2(tx, { Bucket: 'b', Prefix: prefix, Delimiter: delimiter, MaxKeys });
        assert.deepEqual(got.entries, want, `prefix ${JSON.stringify(prefix)} delimiter ${JSON.stringify(delimiter)} max ${MaxKeys}`);
        assert.equal(got.pages, Math.max(1, Math.ceil(want.length / MaxKeys)));
        // V1: Marker from NextMarker (delimiter) or the last key (none), the way clients page.
        const viaV1: string[] = [];
        let marker: string | undefined;
        for (;;) {
          const out = await v1(tx, { Bucket: 'b', Prefix: prefix, Delimiter: delimiter, MaxKeys, Marker: marker });
          const page = [...keysOf(out).map((k) => `K:${k}`), ...prefixesOf(out).map((p) => `P:${p}`)].sort((a, b) => compareIds(a.slice(2), b.slice(2)));
          viaV1.push(...page);
          if (!out.IsTruncated) break;
          if (delimiter) assert.equal(out.NextMarker, page[page.length - 1]!.slice(2));
          else assert.equal(out.NextMarker, undefined);
          marker = delimiter ? out.NextMarker : keysOf(out).at(-1);
        }
        assert.deepEqual(viaV1, want);
      }
    });
  });
});

describe('ListObjects and ListObjectsV2', () => {
  test('members: ETag, Size, StorageClass, LastModified in whole seconds, checksums, Owner only with FetchOwner in V2', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      const a = put(tx, 'b', 'a.txt', { size: 42, storageClass: 'GLACIER', checksum: { algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: 'AAAAAAAAAAA=' } });
      put(tx, 'b', 'b.txt', { etag: '"abc-2"' });
      const out = await v2(tx, { Bucket: 'b' });
      assert.equal(out.Name, 'b');
      assert.equal(out.Prefix, '');
      assert.equal(out.MaxKeys, 1000);
      assert.equal(out.KeyCount, 2);
      assert.equal(out.IsTruncated, false);
      assert.equal(out.Delimiter, undefined);
      assert.equal(out.EncodingType, undefined);
      assert.deepEqual(out.Contents![0], {
        Key: 'a.txt', LastModified: new Date(Math.floor(a.lastModifiedMs / 1000) * 1000), ETag: a.etag, Size: 42, StorageClass: 'GLACIER',
        ChecksumAlgorithm: ['CRC64NVME'], ChecksumType: 'FULL_OBJECT',
      });
      assert.equal(out.Contents![1]!.ETag, '"abc-2"');
      assert.equal(out.Contents![1]!.ChecksumAlgorithm, undefined);
      const owned = await v2(tx, { Bucket: 'b', FetchOwner: true });
      assert.deepEqual(owned.Contents![0]!.Owner, { ID: canonicalUserId(OWNER) });
      // V1 always names the owner.
      const old = await v1(tx, { Bucket: 'b' });
      assert.deepEqual(old.Contents![1]!.Owner, { ID: canonicalUserId(OWNER) });
      assert.equal(old.Marker, '');
      assert.equal(old.NextMarker, undefined);
    });
  });

  test('RestoreStatus only when asked for through OptionalObjectAttributes', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      put(tx, 'b', 'cold', { storageClass: 'GLACIER', restore: { ongoing: true } });
      put(tx, 'b', 'warm', { storageClass: 'GLACIER', restore: { ongoing: false, doneMs: T0, expiryMs: T0 + 86_400_000_000 } });
      put(tx, 'b', 'plain');
      assert.equal((await v2(tx, { Bucket: 'b' })).Contents![0]!.RestoreStatus, undefined);
      const out = await v2(tx, { Bucket: 'b', OptionalObjectAttributes: ['RestoreStatus'] });
      assert.deepEqual(out.Contents!.map((c) => c.RestoreStatus), [
        { IsRestoreInProgress: true }, undefined, { IsRestoreInProgress: false, RestoreExpiryDate: new Date(T0 + 86_400_000_000) },
      ]);
    });
  });

  test('delete markers are not objects: left out, and not counted toward truncation', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b', 'Enabled');
      put(tx, 'b', 'a');
      put(tx, 'b', 'b', { deleteMarker: true, etag: '', size: 0 });
      putOld(tx, 'b', 'b');
      put(tx, 'b', 'c');
      for (let i = 0; i < 5; i++) put(tx, 'b', `d${i}`, { deleteMarker: true, etag: '', size: 0 });
      const out = await v2(tx, { Bucket: 'b', MaxKeys: 2 });
      assert.deepEqual(keysOf(out), ['a', 'c']);
      assert.equal(out.IsTruncated, false, 'only delete markers follow');
      assert.equal(out.NextContinuationToken, undefined);
      // A prefix of nothing but delete markers is no common prefix.
      put(tx, 'b', 'gone/x', { deleteMarker: true, etag: '', size: 0 });
      assert.deepEqual(prefixesOf(await v2(tx, { Bucket: 'b', Delimiter: '/' })), []);
    });
  });

  test('Prefix, Delimiter, StartAfter, Marker; a marker inside or at a common prefix skips it', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      for (const k of ['photos/2006/jan/1.jpg', 'photos/2006/feb/2.jpg', 'photos/2007/x.jpg', 'photos/index.html', 'photos/', 'video/a', 'readme']) put(tx, 'b', k);
      const top = await v2(tx, { Bucket: 'b', Delimiter: '/' });
      assert.deepEqual(prefixesOf(top), ['photos/', 'video/']);
      assert.deepEqual(keysOf(top), ['readme']);
      assert.equal(top.KeyCount, 3);
      assert.equal(top.Delimiter, '/');
      const inside = await v2(tx, { Bucket: 'b', Prefix: 'photos/', Delimiter: '/' });
      // The key equal to the prefix is an object; the delimiter is looked for after the prefix.
      assert.deepEqual(keysOf(inside), ['photos/', 'photos/index.html']);
      assert.deepEqual(prefixesOf(inside), ['photos/2006/', 'photos/2007/']);
      const after = await v2(tx, { Bucket: 'b', Prefix: 'photos/', Delimiter: '/', StartAfter: 'photos/2006/feb/2.jpg' });
      assert.deepEqual(prefixesOf(after), ['photos/2007/']);
      assert.equal(after.StartAfter, 'photos/2006/feb/2.jpg');
      const atPrefix = await v1(tx, { Bucket: 'b', Prefix: 'photos/', Delimiter: '/', Marker: 'photos/2006/' });
      assert.deepEqual(prefixesOf(atPrefix), ['photos/2007/']);
      assert.equal(atPrefix.Marker, 'photos/2006/');
      // StartAfter before the prefix changes nothing; after everything lists nothing.
      assert.deepEqual(keysOf(await v2(tx, { Bucket: 'b', Prefix: 'video/', StartAfter: 'a' })), ['video/a']);
      assert.deepEqual(keysOf(await v2(tx, { Bucket: 'b', StartAfter: 'zzz' })), []);
      // A multi-character delimiter.
      assert.deepEqual(prefixesOf(await v2(tx, { Bucket: 'b', Delimiter: '200' })), ['photos/200']);
      // V1 NextMarker names the last entry, a common prefix or a key.
      const page = await v1(tx, { Bucket: 'b', Delimiter: '/', MaxKeys: 1 });
      assert.deepEqual(prefixesOf(page), ['photos/']);
      assert.equal(page.NextMarker, 'photos/');
      assert.equal(page.IsTruncated, true);
      const page2 = await v1(tx, { Bucket: 'b', Delimiter: '/', MaxKeys: 1, Marker: page.NextMarker });
      assert.deepEqual(keysOf(page2), ['readme']);
      assert.equal(page2.NextMarker, 'readme');
    });
  });

  test('MaxKeys: default 1000, at most 1000 a page whatever is asked (echoed), 0 lists nothing, negatives refused', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      for (let i = 0; i < 1005; i++) put(tx, 'b', `k${String(i).padStart(4, '0')}`);
      const def = await v2(tx, { Bucket: 'b' });
      assert.equal(def.KeyCount, 1000);
      assert.equal(def.IsTruncated, true);
      const big = await v2(tx, { Bucket: 'b', MaxKeys: 5000 });
      assert.equal(big.KeyCount, 1000);
      assert.equal(big.MaxKeys, 5000);
      const rest = await v2(tx, { Bucket: 'b', MaxKeys: 5000, ContinuationToken: big.NextContinuationToken });
      assert.deepEqual(keysOf(rest), ['k1000', 'k1001', 'k1002', 'k1003', 'k1004']);
      assert.equal(rest.IsTruncated, false);
      const zero = await v2(tx, { Bucket: 'b', MaxKeys: 0 });
      assert.equal(zero.KeyCount, 0);
      assert.equal(zero.IsTruncated, false);
      assert.equal(zero.Contents, undefined);
      for (const list of [v1, v2]) {
        assert.deepEqual(await refusal(list(tx, { Bucket: 'b', MaxKeys: -1 })), {
          code: 'InvalidArgument', message: 'Argument maxKeys must be an integer between 0 and 2147483647', fields: { ArgumentName: 'maxKeys', ArgumentValue: '-1' },
        });
      }
      assert.equal((await refusal(vers(tx, { Bucket: 'b', MaxKeys: -1 }))).message, 'max-keys cannot be negative');
      assert.equal((await refusal(v2(tx, { Bucket: 'nope' }))).code, 'NoSuchBucket');
    });
  });

  test('continuation tokens are opaque and bound to the bucket, prefix and delimiter; StartAfter gives way to them', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b1');
      bucket(tx, 'b2');
      for (const k of ['a', 'b', 'c', 'd']) { put(tx, 'b1', k); put(tx, 'b2', k); }
      const first = await v2(tx, { Bucket: 'b1', MaxKeys: 2 });
      const token = first.NextContinuationToken!;
      assert.ok(!token.includes('b'), 'the position is not readable in the token');
      const next = await v2(tx, { Bucket: 'b1', MaxKeys: 2, ContinuationToken: token, StartAfter: 'c' });
      assert.deepEqual(keysOf(next), ['c', 'd']);
      assert.equal(next.ContinuationToken, token);
      assert.equal(next.StartAfter, undefined);
      // Other parameters may change between pages.
      assert.deepEqual(keysOf(await v2(tx, { Bucket: 'b1', MaxKeys: 1, FetchOwner: true, EncodingType: 'url', ContinuationToken: token })), ['c']);
      const bad = { code: 'InvalidArgument', message: 'The continuation token provided is incorrect', fields: { ArgumentName: 'continuation-token' } };
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b2', ContinuationToken: token })), bad);
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b1', Prefix: 'a', ContinuationToken: token })), bad);
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b1', Delimiter: '/', ContinuationToken: token })), bad);
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b1', ContinuationToken: 'b' })), bad);
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b1', ContinuationToken: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` })), bad);
      // An empty token is none: listed from the start, and echoed.
      const empty = await v2(tx, { Bucket: 'b1', ContinuationToken: '' });
      assert.deepEqual(keysOf(empty), ['a', 'b', 'c', 'd']);
      assert.equal(empty.ContinuationToken, '');
    });
  });

  test('EncodingType=url encodes keys, prefixes, delimiter, markers and StartAfter as S3 does', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      bucket(tx, 'b');
      for (const k of ['dir one/a+b.txt', 'dir one/x', 'caf\u00e9 & \u{1F600}~!*\'().txt', 'line\nbreak', 'tab|pipe|x']) put(tx, 'b', k);
      const out = await v2(tx, { Bucket: 'b', EncodingType: 'url', Delimiter: '|', StartAfter: 'a b' });
      assert.equal(out.EncodingType, 'url');
      assert.equal(out.StartAfter, 'a+b');
      assert.equal(out.Delimiter, '%7C');
      assert.deepEqual(keysOf(out), ['caf%C3%A9+%26+%F0%9F%98%80%7E%21*%27%28%29.txt', 'dir+one/a%2Bb.txt', 'dir+one/x', 'line%0Abreak']);
      assert.deepEqual(prefixesOf(out), ['tab%7C']);
      const old = await v1(tx, { Bucket: 'b', EncodingType: 'url', Prefix: 'dir one/', Delimiter: '/', Marker: 'dir one/a+b.txt' });
      assert.equal(old.Prefix, 'dir+one/');
      assert.equal(old.Marker, 'dir+one/a%2Bb.txt');
      assert.deepEqual(keysOf(old), ['dir+one/x']);
      // The encoding decodes back (application/x-www-form-urlencoded, as botocore reads it).
      for (const k of ['dir one/a+b.txt', 'caf\u00e9 & \u{1F600}~!*\'().txt']) assert.equal(decodeURIComponent(s3UrlEncode(k).replace(/\+/g, ' ')), k);
      assert.deepEqual(await refusal(v2(tx, { Bucket: 'b', EncodingType: 'gzip' })), {
        code: 'InvalidArgument', message: 'Invalid Encoding Method specified in Request', fields: { ArgumentName: 'encoding-type', ArgumentValue: 'gzip' },
      });
    });
  });
});

describe('ListObjectVersions', () => {
  async function versionedBucket(tx: Tx): Promise<void> {
    bucket(tx, 'v', 'Enabled');
    // 'a': three versions (oldest is the null one from before versioning); 'b': deleted (marker over one version);
    // 'c': a current null version; 'dir/x' under a common prefix.
    putOld(tx, 'v', 'a', { versionId: 'null' });
    putOld(tx, 'v', 'a');
    put(tx, 'v', 'a');
    putOld(tx, 'v', 'b');
    put(tx, 'v', 'b', { deleteMarker: true, etag: '', size: 0 });
    put(tx, 'v', 'c', { versionId: 'null' });
    putOld(tx, 'v', 'dir/x');
    put(tx, 'v', 'dir/x');
  }

  /** 'key@version' for versions, 'key#version' for delete markers, in key order then newest first. */
  function flat(out: ListObjectVersionsOutput): string[] {
    const all = [
      ...(out.Versions ?? []).map((v) => ({ k: v.Key!, s: `${v.Key}@${v.VersionId}${v.IsLatest ? '*' : ''}`, t: v.LastModified!.getTime() })),
      ...(out.DeleteMarkers ?? []).map((v) => ({ k: v.Key!, s: `${v.Key}#${v.VersionId}${v.IsLatest ? '*' : ''}`, t: v.LastModified!.getTime() })),
    ];
    all.sort((x, y) => compareIds(x.k, y.k) || y.t - x.t);
    return all.map((x) => x.s);
  }

  test('versions newest first per key, IsLatest, delete markers apart, null version IDs, Owner on every entry', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      seq = 0;
      await versionedBucket(tx);
      const out = await vers(tx, { Bucket: 'v' });
      assert.deepEqual(flat(out), ['a@v3*', 'a@v2', 'a@null', 'b#v5*', 'b@v4', 'c@null*', 'dir/x@v8*', 'dir/x@v7']);
      assert.equal(out.IsTruncated, false);
      assert.equal(out.KeyMarker, '');
      assert.equal(out.VersionIdMarker, '');
      assert.equal(out.NextKeyMarker, undefined);
      assert.deepEqual(out.DeleteMarkers![0], { Owner: { ID: canonicalUserId(OWNER) }, Key: 'b', VersionId: 'v5', IsLatest: true, LastModified: new Date(Math.floor((T0 + 5000) / 1000) * 1000) });
      const a3 = out.Versions![0]!;
      assert.equal(a3.ETag, '"etag-3"');
      assert.equal(a3.Size, 1);
      assert.equal(a3.StorageClass, 'STANDARD');
      assert.deepEqual(a3.Owner, { ID: canonicalUserId(OWNER) });
      const rolled = await vers(tx, { Bucket: 'v', Delimiter: '/' });
      assert.deepEqual(prefixesOf(rolled), ['dir/']);
      assert.deepEqual(flat(rolled), ['a@v3*', 'a@v2', 'a@null', 'b#v5*', 'b@v4', 'c@null*']);
      assert.deepEqual(flat(await vers(tx, { Bucket: 'v', Prefix: 'b' })), ['b#v5*', 'b@v4']);
    });
  });

  test('KeyMarker / VersionIdMarker paging, one entry a page, returns every version once', async () => {
    const store = createMemoryStore();
    await store.transaction(async (tx) => {
      seq = 0;
      await versionedBucket(tx);
      for (const Delimiter of [undefined, '/']) {
        const want = [...flat(await vers(tx, { Bucket: 'v', Delimiter })), ...(Delimiter ? ['P:dir/'] : [])];
        const got: string[] = [];
        let KeyMarker: string | undefined;
        let VersionIdMarker: string | undefined;
        for (let n = 0; ; n++) {
          const out = await vers(tx, { Bucket: 'v', Delimiter, MaxKeys: 1, KeyMarker, VersionIdMarker });
          got.push(...flat(out), ...prefixesOf(out).map((p) => `P:${p}`));
          assert.equal(flat(out).length + prefixesOf(out).length, 1);
          if (!out.IsTruncated) break;
          KeyMarker = out.NextKeyMarker;
          VersionIdMarker = out.NextVersionIdMarker;
          assert.ok(n < 20);
        }
        assert.deepEqual(got, want);
      }
      // After the current version of 'a', then after its null version, then after the whole key.
      assert.deepEqual(flat(await vers(tx, { Bucket: 'v', KeyMarker: 'a', VersionIdMarker: 'v3', MaxKeys: 2 })), ['a@v2', 'a@null']);
      const afterNull = await vers(tx, { Bucket: 'v', KeyMarker: 'a', VersionIdMarker: 'null', MaxKeys: 2 });
      assert.deepEqual(flat(afterNull), ['b#v5*', 'b@v4']);
      assert.equal(afterNull.NextKeyMarker, 'b');
      assert.equal(afterNull.NextVersionIdMarker, 'v4');
      assert.equal(afterNull.VersionIdMarker, 'null');
      assert.deepEqual(flat(await vers(tx, { Bucket: 'v', KeyMarker: 'a' })).slice(0, 1), ['b#v5*']);
      const marked = await refusal(vers(tx, { Bucket: 'v', VersionIdMarker: 'v3' }));
      assert.deepEqual(marked, { code: 'InvalidArgument', message: 'A version-id marker cannot be specified without a key marker.', fields: { ArgumentName: 'version-id-marker', ArgumentValue: 'v3' } });
      assert.equal((await refusal(vers(tx, { Bucket: 'v', KeyMarker: 'a', VersionIdMarker: 'no/such' }))).message, 'Invalid version id specified');
      // EncodingType=url encodes KeyMarker and NextKeyMarker, not version IDs.
      put(tx, 'v', 'a b');
      const enc = await vers(tx, { Bucket: 'v', EncodingType: 'url', KeyMarker: 'a', MaxKeys: 1 });
      assert.equal(enc.Versions![0]!.Key, 'a+b');
      assert.equal(enc.NextKeyMarker, 'a+b');
      assert.equal(enc.KeyMarker, 'a');
    });
  });
});

describe('S3 listings read only what they return', () => {
  test('100,000 keys: a page of 1,000 reads about 1,000 rows; 100 common prefixes of 1,000 keys each read about 100', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      bucket(tx, 'big', 'Enabled');
      for (let d = 0; d < 100; d++) {
        for (let i = 0; i < 1000; i++) {
          const key = `dir${String(d).padStart(3, '0')}/file${String(i).padStart(4, '0')}`;
          const v: ObjectVersion = { key, versionId: `v${d}-${i}`, seq: d * 1000 + i + 1, lastModifiedMs: T0, etag: '"e"', size: 1, pieces: [], owner: OWNER, storageClass: 'STANDARD' };
          tx.put(SCOPE, OBJECT_KIND, bucketObjectId('big', key), v);
          if (i % 10 === 0) tx.put(SCOPE, VERSION_KIND, versionRowId('big', key, 0), { ...v, versionId: `old${d}-${i}` });
        }
      }
    });
    await store.transaction(async (raw) => {
      let c = counting(raw);
      const flatPage = await v2(c.tx, { Bucket: 'big' });
      assert.equal(flatPage.KeyCount, 1000);
      assert.ok(c.rows() <= 1002, `a flat page read ${c.rows()} rows`);

      c = counting(raw);
      const dirs = await v2(c.tx, { Bucket: 'big', Delimiter: '/' });
      assert.equal(prefixesOf(dirs).length, 100);
      assert.equal(dirs.IsTruncated, false);
      assert.ok(c.rows() <= 150, `100 common prefixes read ${c.rows()} rows in ${c.reads()} reads`);

      // Inside one prefix, starting deep in the bucket.
      c = counting(raw);
      const inner = await v2(c.tx, { Bucket: 'big', Prefix: 'dir057/', MaxKeys: 10, StartAfter: 'dir057/file0500' });
      assert.deepEqual(keysOf(inner).slice(0, 2), ['dir057/file0501', 'dir057/file0502']);
      assert.ok(c.rows() <= 12, `read ${c.rows()}`);

      // Paging common prefixes through tokens: each page reads about its own entries.
      c = counting(raw);
      const p1 = await v2(c.tx, { Bucket: 'big', Delimiter: '/', MaxKeys: 10, ContinuationToken: undefined });
      const p2 = await v2(c.tx, { Bucket: 'big', Delimiter: '/', MaxKeys: 10, ContinuationToken: p1.NextContinuationToken });
      assert.deepEqual(prefixesOf(p2)[0], 'dir010/');
      assert.ok(c.rows() <= 30, `two pages of 10 prefixes read ${c.rows()}`);

      // Versions: 1,000 entries of 110,000, and 100 common prefixes over both kinds.
      c = counting(raw);
      const vpage = await vers(c.tx, { Bucket: 'big' });
      assert.equal((vpage.Versions ?? []).length, 1000);
      assert.equal(vpage.IsTruncated, true);
      assert.ok(c.rows() <= 2200, `a version page read ${c.rows()}`);
      c = counting(raw);
      const vdirs = await vers(c.tx, { Bucket: 'big', Delimiter: '/' });
      assert.equal(prefixesOf(vdirs).length, 100);
      assert.ok(c.rows() <= 300, `100 version prefixes read ${c.rows()}`);

      // V1 with a marker deep in the bucket.
      c = counting(raw);
      const deep = await v1(c.tx, { Bucket: 'big', Marker: 'dir099/file0990' });
      assert.equal(keysOf(deep).length, 9);
      assert.ok(c.rows() <= 10, `read ${c.rows()}`);
    });
  });
});
