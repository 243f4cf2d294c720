// S3 listings: key order, ListObjects and ListObjectsV2.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareIds } from '../../store/order.js';
import { createMemoryStore } from '../../store/memory.js';
import { canonicalUserId } from './buckets.js';
import { s3UrlEncode } from './listing.js';
import { OWNER, T0, bucket, put, putOld, v1, v2, vers, refusal, keysOf, prefixesOf, reference, allV2 } from './listing-testkit.js';

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
