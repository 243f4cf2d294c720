// S3 listings: ListObjectVersions, and what a page costs in rows read.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListObjectVersionsOutput } from '@aws-sdk/client-s3';
import { compareIds } from '../../store/order.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { canonicalUserId } from './buckets.js';
import { OBJECT_KIND, VERSION_KIND, bucketObjectId, versionRowId, type ObjectVersion } from './records.js';
import { OWNER, T0, SCOPE, bucket, version, put, putOld, counting, v1, v2, vers, refusal, keysOf, prefixesOf, resetSeq } from './listing-testkit.js';

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
      resetSeq();
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
      resetSeq();
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
