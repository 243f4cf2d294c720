// S3 listings end to end: ListObjects, ListObjectsV2 and ListObjectVersions through SDK v3 (its
// paginators, EncodingType=url as sent on the wire, errors) and the AWS CLI v1 and v2 (`aws s3 ls`,
// whose botocore asks for url-encoded keys and decodes them, and `aws s3api` paginated listings);
// and a bucket of 200,000 keys (rows planted in the server's store) listed 1,000 at a time, fast.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand, DeleteObjectCommand, ListObjectVersionsCommand, ListObjectsCommand, ListObjectsV2Command,
  PutBucketVersioningCommand, PutObjectCommand, S3Client, paginateListObjectsV2, type ListObjectVersionsOutput,
} from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { canonicalUserId } from '../../src/services/s3/buckets.js';
import { BUCKET_KIND, OBJECT_KIND, bucketObjectId, ownerScope, type BucketRecord, type ObjectVersion } from '../../src/services/s3/records.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
const ACCOUNT = '000000000000'; // the account of the access key 'test'

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
});
after(async () => { s3.destroy(); await cl.close(); });

/** Keys that test ordering and encoding: spaces, '+', '%', non-ASCII, astral, U+E000 and beyond. */
const KEYS = [
  'docs/readme.md', 'docs/guide/intro.md', 'docs/guide/setup.md', 'docs/api/v1.md', 'docs/api/v2.md',
  'photos/2026/jan/a.jpg', 'photos/2026/feb/b.jpg', 'photos/2025/c.jpg', 'photos/index.html',
  'notes/a b+c%d.txt', 'notes/caf\u00e9.txt', 'notes/\u{1F600}.txt', 'notes/\uE000.txt', 'notes/z.txt',
  'top.txt', 'Zebra', '~tilde',
];
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function fill(bucket: string, keys: string[]): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `body of ${Key}` }))));
}

describe('S3 listings with SDK v3', () => {
  before(async () => { await fill('list-sdk', KEYS); });

  test('ListObjectsV2: byte order, delimiter and common prefixes, paginator pages of 4, KeyCount, FetchOwner', async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk' }));
    assert.deepEqual(all.Contents!.map((c) => c.Key), [...KEYS].sort(byteOrder));
    assert.equal(all.KeyCount, KEYS.length);
    assert.equal(all.Contents![0]!.Size, Buffer.byteLength(`body of ${all.Contents![0]!.Key}`));
    assert.match(all.Contents![0]!.ETag!, /^"[0-9a-f]{32}"$/);
    assert.equal(all.Contents![0]!.StorageClass, 'STANDARD');
    assert.equal(all.Contents![0]!.LastModified!.getMilliseconds(), 0);
    assert.equal(all.Contents![0]!.Owner, undefined);
    // The SDK sends its default checksum (CRC32 or newer): listings name the algorithm.
    assert.ok(all.Contents![0]!.ChecksumAlgorithm?.length === 1, JSON.stringify(all.Contents![0]));
    assert.equal(all.Contents![0]!.ChecksumType, 'FULL_OBJECT');

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes!.map((p) => p.Prefix), ['docs/', 'notes/', 'photos/']);
    assert.deepEqual(top.Contents!.map((c) => c.Key), ['Zebra', 'top.txt', '~tilde']);
    assert.equal(top.KeyCount, 6);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: 'list-sdk', Prefix: 'photos/', Delimiter: '/', FetchOwner: true })) {
      pages++;
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      for (const c of page.Contents ?? []) assert.equal(c.Owner!.ID, canonicalUserId(ACCOUNT));
    }
    assert.equal(pages, 1);
    assert.deepEqual(seen, ['photos/2025/', 'photos/2026/', 'photos/index.html']);

    const flat: string[] = [];
    pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: 'list-sdk' })) {
      pages++;
      assert.ok(page.KeyCount! <= 4);
      flat.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.equal(pages, Math.ceil(KEYS.length / 4));
    assert.deepEqual(flat, [...KEYS].sort(byteOrder));

    const later = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', StartAfter: 'photos/2026/jan/a.jpg', MaxKeys: 2 }));
    assert.deepEqual(later.Contents!.map((c) => c.Key), ['photos/index.html', 'top.txt']);
    assert.equal(later.StartAfter, 'photos/2026/jan/a.jpg');
    assert.equal(later.IsTruncated, true);
  });

  test('ListObjects (V1): Marker, NextMarker only with a delimiter, Owner', async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'list-sdk', MaxKeys: 3 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextMarker, undefined);
    assert.equal(first.Contents![0]!.Owner!.ID, canonicalUserId(ACCOUNT));
    const next = await s3.send(new ListObjectsCommand({ Bucket: 'list-sdk', MaxKeys: 3, Marker: first.Contents![2]!.Key }));
    assert.deepEqual(next.Contents!.map((c) => c.Key), [...KEYS].sort(byteOrder).slice(3, 6));
    assert.equal(next.Marker, first.Contents![2]!.Key);
    const dirs = await s3.send(new ListObjectsCommand({ Bucket: 'list-sdk', Delimiter: '/', Prefix: 'docs/', MaxKeys: 2 }));
    assert.deepEqual(dirs.CommonPrefixes!.map((p) => p.Prefix), ['docs/api/', 'docs/guide/']);
    assert.equal(dirs.NextMarker, 'docs/guide/');
    const rest = await s3.send(new ListObjectsCommand({ Bucket: 'list-sdk', Delimiter: '/', Prefix: 'docs/', MaxKeys: 2, Marker: dirs.NextMarker }));
    assert.deepEqual(rest.Contents!.map((c) => c.Key), ['docs/readme.md']);
    assert.equal(rest.CommonPrefixes, undefined);
    assert.equal(rest.IsTruncated, false);
  });

  test('EncodingType=url: the SDK shows what S3 sent, encoded', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', Prefix: 'notes/', EncodingType: 'url' }));
    assert.equal(out.EncodingType, 'url');
    assert.deepEqual(out.Contents!.map((c) => c.Key), [
      'notes/a+b%2Bc%25d.txt', 'notes/caf%C3%A9.txt', 'notes/z.txt', 'notes/%EE%80%80.txt', 'notes/%F0%9F%98%80.txt',
    ]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'list-sdk', Prefix: 'notes/a ', EncodingType: 'url' }));
    assert.equal(versions.Prefix, 'notes/a+');
    assert.deepEqual(versions.Versions!.map((v) => [v.Key, v.VersionId, v.IsLatest]), [['notes/a+b%2Bc%25d.txt', 'null', true]]);
  });

  test('bad input: MaxKeys, continuation tokens, encoding type, version-id marker, missing bucket', async () => {
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', MaxKeys: -1 })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectsCommand({ Bucket: 'list-sdk', MaxKeys: -5 })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectVersionsCommand({ Bucket: 'list-sdk', MaxKeys: -1 })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', ContinuationToken: 'not-a-token' })), 'InvalidArgument', 400);
    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', MaxKeys: 1 }));
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', Prefix: 'docs/', ContinuationToken: page.NextContinuationToken })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', EncodingType: 'base64' as 'url' })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectVersionsCommand({ Bucket: 'list-sdk', VersionIdMarker: 'abc' })), 'InvalidArgument', 400);
    await rejects(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-list-bucket' })), 'NoSuchBucket', 404);
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: 'list-sdk', MaxKeys: 0 }));
    assert.equal(zero.KeyCount, 0);
    assert.equal(zero.IsTruncated, false);
  });

  test('ListObjectVersions: a null version from before versioning, newest first, delete markers, paging by two', async () => {
    const b = 'list-versions';
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: 'a0' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    const a1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: 'a1' }));
    const a2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'a', Body: 'a2' }));
    const b1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'b', Body: 'b1' }));
    const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'b' }));
    const c1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'dir/c', Body: 'c1' }));

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(all.Versions!.map((v) => [v.Key, v.VersionId, v.IsLatest]), [
      ['a', a2.VersionId, true], ['a', a1.VersionId, false], ['a', 'null', false], ['b', b1.VersionId, false], ['dir/c', c1.VersionId, true],
    ]);
    assert.deepEqual(all.DeleteMarkers!.map((m) => [m.Key, m.VersionId, m.IsLatest]), [['b', del.VersionId, true]]);
    assert.equal(all.DeleteMarkers![0]!.Owner!.ID, canonicalUserId(ACCOUNT));
    assert.equal(all.Versions![0]!.Size, 2);

    // ListObjectsV2 sees the current objects only.
    assert.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: b }))).Contents!.map((c) => c.Key), ['a', 'dir/c']);

    const paged: string[] = [];
    let pages = 0;
    // SDK v3 has no paginator for ListObjectVersions: its markers, by hand.
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page: ListObjectVersionsOutput = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: '/', MaxKeys: 2, ...markers }));
      pages++;
      const entries = [
        ...(page.Versions ?? []).map((v) => ({ k: v.Key!, s: `${v.Key}@${v.VersionId === 'null' ? 'null' : 'v'}`, t: v.LastModified!.getTime() })),
        ...(page.DeleteMarkers ?? []).map((m) => ({ k: m.Key!, s: `${m.Key}#`, t: m.LastModified!.getTime() })),
      ];
      assert.ok(entries.length + (page.CommonPrefixes ?? []).length <= 2);
      paged.push(...entries.sort((x, y) => byteOrder(x.k, y.k) || y.t - x.t).map((e) => e.s), ...(page.CommonPrefixes ?? []).map((p) => `P:${p.Prefix}`));
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      assert.ok(pages < 10);
    }
    assert.deepEqual(paged.filter((s) => s.startsWith('a')), ['a@v', 'a@v', 'a@null']);
    assert.deepEqual(paged.filter((s) => !s.startsWith('a')).sort(), ['P:dir/', 'b#', 'b@v']);
    assert.equal(pages, 3);
  });
});

for (const cli of awsClis()) {
  describe(`S3 listings with ${cli.name}`, { skip: cli.skip }, () => {
    const bucket = `list-${cli.name.endsWith('v1') ? 'v1' : 'v2'}`;
    const ok = async (...args: string[]): Promise<string> => {
      const r = await runAws(cli.bin, cl.url, args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    before(async () => { await fill(bucket, KEYS); });

    test('aws s3 ls: PRE lines, decoded keys with spaces, +, % and non-ASCII, --recursive', async () => {
      const top = await ok('s3', 'ls', `s3://${bucket}/`);
      assert.deepEqual(top.match(/PRE \S+/g), ['PRE docs/', 'PRE notes/', 'PRE photos/']);
      assert.match(top, / top\.txt$/m);
      const notes = await ok('s3', 'ls', `s3://${bucket}/notes/`);
      // botocore asks for EncodingType=url and decodes: the keys come back as written.
      for (const name of ['a b+c%d.txt', 'caf\u00e9.txt', '\u{1F600}.txt', '\uE000.txt', 'z.txt']) assert.ok(notes.includes(` ${name}\n`), `${name} in:\n${notes}`);
      const recursive = (await ok('s3', 'ls', '--recursive', `s3://${bucket}/`)).trim().split('\n');
      assert.equal(recursive.length, KEYS.length);
      const listed = recursive.map((l) => l.replace(/^\S+ \S+ +\d+ /, ''));
      assert.deepEqual(listed, [...KEYS].sort(byteOrder));
    });

    test('aws s3api list-objects-v2 and list-objects page through with --page-size; list-object-versions', async () => {
      const v2 = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket, '--page-size', '3']);
      assert.deepEqual(v2.Contents.map((o: { Key: string }) => o.Key), [...KEYS].sort(byteOrder));
      const limited = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket, '--max-items', '5', '--page-size', '2']);
      assert.equal(limited.Contents.length, 5);
      assert.ok(limited.NextToken, 'the CLI hands out its own token to go on');
      const rest = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket, '--starting-token', limited.NextToken, '--page-size', '2']);
      assert.deepEqual([...limited.Contents, ...rest.Contents].map((o: { Key: string }) => o.Key), [...KEYS].sort(byteOrder));
      const dirs = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket, '--delimiter', '/', '--prefix', 'photos/', '--page-size', '1']);
      assert.deepEqual(dirs.CommonPrefixes.map((p: { Prefix: string }) => p.Prefix), ['photos/2025/', 'photos/2026/']);
      assert.deepEqual(dirs.Contents.map((o: { Key: string }) => o.Key), ['photos/index.html']);
      const v1 = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects', '--bucket', bucket, '--prefix', 'notes/', '--page-size', '2']);
      assert.deepEqual(v1.Contents.map((o: { Key: string }) => o.Key), KEYS.filter((k) => k.startsWith('notes/')).sort(byteOrder));
      const versions = await awsJson(cli.bin, cl.url, ['s3api', 'list-object-versions', '--bucket', bucket, '--prefix', 'notes/', '--page-size', '2']);
      assert.deepEqual(versions.Versions.map((v: { Key: string; VersionId: string }) => [v.Key, v.VersionId]),
        KEYS.filter((k) => k.startsWith('notes/')).sort(byteOrder).map((k) => [k, 'null']));
    });
  });
}

describe('a bucket of 200,000 keys', () => {
  const b = 'list-big';
  before(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    // Rows in the records.ts layout, planted straight into the server's store (200,000 PUTs would take minutes).
    const scope = ownerScope(ACCOUNT);
    await cl.deps.store.transaction((tx) => {
      const rec = tx.get<BucketRecord>(scope, BUCKET_KIND, b)!;
      for (let i = 0; i < 200_000; i++) {
        const key = `d${String(i % 200).padStart(3, '0')}/f${String(i).padStart(7, '0')}`;
        const v: ObjectVersion = { key, versionId: 'null', seq: i + 1, lastModifiedMs: Date.now(), etag: '"0"', size: 0, pieces: [], owner: ACCOUNT, storageClass: 'STANDARD' };
        tx.put(scope, OBJECT_KIND, bucketObjectId(b, key), v);
      }
      tx.put(scope, BUCKET_KIND, b, { ...rec, seq: 200_000 });
    });
  });

  test('pages of 1,000 (flat, deep, and 200 common prefixes) come back in milliseconds', async () => {
    const times: number[] = [];
    const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const out = await fn();
      times.push(performance.now() - t);
      return out;
    };
    let token: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await timed(() => s3.send(new ListObjectsV2Command({ Bucket: b, ContinuationToken: token })));
      assert.equal(page.KeyCount, 1000);
      token = page.NextContinuationToken;
    }
    const deep = await timed(() => s3.send(new ListObjectsV2Command({ Bucket: b, StartAfter: 'd150/' })));
    assert.equal(deep.Contents![0]!.Key, 'd150/f0000150');
    const dirs = await timed(() => s3.send(new ListObjectsV2Command({ Bucket: b, Delimiter: '/' })));
    assert.equal(dirs.CommonPrefixes!.length, 200);
    assert.equal(dirs.IsTruncated, false);
    const inner = await timed(() => s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'd007/', Delimiter: '/' })));
    assert.equal(inner.KeyCount, 1000);
    const versions = await timed(() => s3.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: '/', Prefix: 'd1' })));
    assert.equal(versions.CommonPrefixes!.length, 100);
    // Generous for a loaded machine; a listing that read the bucket would take seconds.
    const worst = Math.max(...times.slice(1));
    assert.ok(worst < 500, `slowest listing took ${worst.toFixed(1)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`);
  });
});
