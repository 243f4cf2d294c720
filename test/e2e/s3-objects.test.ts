import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand,
  GetObjectAttributesCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, PutBucketVersioningCommand,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
const A2 = { accessKeyId: '222222222222', secretAccessKey: 'test' };

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
});
after(async () => { s3.destroy(); await cl.close(); });

const text = async (body: unknown): Promise<string> => (body as { transformToString(): Promise<string> }).transformToString();

describe('S3 buckets', () => {
  test('names are checked, global across accounts, and Regions follow LocationConstraint', async () => {
    await rejects(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })), 'InvalidBucketName', 400);
    await rejects(s3.send(new CreateBucketCommand({ Bucket: '192.168.1.1' })), 'InvalidBucketName', 400);
    await s3.send(new CreateBucketCommand({ Bucket: 'shared-name' }));
    // us-east-1 answers the owner's repeat create with success.
    await s3.send(new CreateBucketCommand({ Bucket: 'shared-name' }));
    const other = new S3Client({ ...clientConfig(cl.url, 'us-east-1', A2), forcePathStyle: true });
    await rejects(other.send(new CreateBucketCommand({ Bucket: 'shared-name' })), 'BucketAlreadyExists', 409);
    const eu = new S3Client({ ...clientConfig(cl.url, 'eu-west-1'), forcePathStyle: true });
    // The SDK adds the client's Region as LocationConstraint outside us-east-1; another Region is refused.
    await rejects(eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } })), 'IllegalLocationConstraintException', 400);
    await eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await rejects(eu.send(new CreateBucketCommand({ Bucket: 'eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou', 409);
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'eu-bucket' }))).LocationConstraint, 'eu-west-1');
    assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket: 'shared-name' }))).LocationConstraint, undefined);
    assert.equal((await s3.send(new HeadBucketCommand({ Bucket: 'eu-bucket' }))).BucketRegion, 'eu-west-1');
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    assert.deepEqual(names, ['eu-bucket', 'shared-name']);
    assert.deepEqual((await other.send(new ListBucketsCommand({}))).Buckets ?? [], []);
    await rejects(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket-here' })), 'NotFound', 404);
    // A Region filter with a page size: eu-bucket sorts first and is filtered out; paging by Region never skips a bucket.
    await s3.send(new CreateBucketCommand({ Bucket: 'zz-east' }));
    const first = await s3.send(new ListBucketsCommand({ BucketRegion: 'us-east-1', MaxBuckets: 1 }));
    assert.deepEqual(first.Buckets!.map((b) => b.Name), ['shared-name']);
    const second = await s3.send(new ListBucketsCommand({ BucketRegion: 'us-east-1', MaxBuckets: 1, ContinuationToken: first.ContinuationToken }));
    assert.deepEqual(second.Buckets!.map((b) => b.Name), ['zz-east']);
    await s3.send(new DeleteBucketCommand({ Bucket: 'zz-east' }));
    other.destroy(); eu.destroy();
  });

  test('a bucket with objects is not deleted; an empty one is, and its name is free again', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'to-delete' }));
    await s3.send(new PutObjectCommand({ Bucket: 'to-delete', Key: 'k', Body: 'x' }));
    await rejects(s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' })), 'BucketNotEmpty', 409);
    await s3.send(new DeleteObjectCommand({ Bucket: 'to-delete', Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' }));
    await rejects(s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' })), 'NoSuchBucket', 404);
    await s3.send(new CreateBucketCommand({ Bucket: 'to-delete' }));
  });
});

describe('S3 objects', () => {
  before(async () => { await s3.send(new CreateBucketCommand({ Bucket: 'objects' })); });

  test('put and get with metadata, content headers, ETag as MD5 and the SDK default checksum', async () => {
    const body = randomBytes(100_000);
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'objects', Key: 'dir/file.bin', Body: body, ContentType: 'application/x-test', Metadata: { Owner: 'me' }, CacheControl: 'no-cache',
    }));
    assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    assert.ok(put.ChecksumCRC32, 'the SDK sends CRC32 by default and S3 returns it');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'dir/file.bin', ChecksumMode: 'ENABLED' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
    assert.equal(got.ContentType, 'application/x-test');
    assert.equal(got.CacheControl, 'no-cache');
    assert.deepEqual(got.Metadata, { owner: 'me' });
    assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);
    assert.equal(got.ServerSideEncryption, 'AES256');
    assert.equal(got.ContentLength, body.length);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'dir/file.bin' }));
    assert.equal(head.ETag, put.ETag);
    assert.equal(head.ContentLength, body.length);
  });

  test('ranges: first bytes, suffix, open end, past the end', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'abc', Body: 'abcdefghij' }));
    const get = async (Range: string) => {
      const r = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'abc', Range }));
      return [await text(r.Body), r.ContentRange];
    };
    assert.deepEqual(await get('bytes=0-2'), ['abc', 'bytes 0-2/10']);
    assert.deepEqual(await get('bytes=-3'), ['hij', 'bytes 7-9/10']);
    assert.deepEqual(await get('bytes=8-'), ['ij', 'bytes 8-9/10']);
    assert.deepEqual(await get('bytes=5-100'), ['fghij', 'bytes 5-9/10']);
    // Several ranges: S3 sends the whole object (a 304 has no body, so the SDK cannot name it).
    assert.deepEqual(await get('bytes=0-1,4-5'), ['abcdefghij', undefined]);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'abc', Range: 'bytes=10-' })), 'InvalidRange', 416);
  });

  test('conditional reads and writes', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v1' }));
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: '"nope"' })), 'PreconditionFailed', 412);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfNoneMatch: put.ETag })), 'Unknown', 304);
    const later = new Date(Date.now() + 3_600_000);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfModifiedSince: later })), 'Unknown', 304);
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: put.ETag }))).Body), 'v1');
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v2', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond-new', Body: 'n', IfNoneMatch: '*' }));
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v2', IfMatch: '"0123"' })), 'PreconditionFailed', 412);
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v2', IfMatch: put.ETag }));
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond' }))).Body), 'v2');
    // Concurrent creators with If-None-Match: * — exactly one wins.
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'race', Body: `w${i}`, IfNoneMatch: '*' }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  test('bad input: missing bucket and key, long key, bad Content-MD5, wrong checksum', async () => {
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'missing' })), 'NoSuchKey', 404);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'nobucket-x', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'k'.repeat(1025), Body: 'x' })), 'KeyTooLongError', 400);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'md5', Body: 'x', ContentMD5: createHash('md5').update('y').digest('base64') })), 'BadDigest', 400);
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'sha', Body: 'x', ChecksumSHA256: createHash('sha256').update('y').digest('base64') })), 'BadDigest', 400);
    await rejects(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'md5' })), 'NotFound', 404);
  });

  test('copy within and across buckets, COPY and REPLACE metadata, copy to itself refused', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'copies' }));
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'src', Body: 'copy me', Metadata: { a: '1' }, ContentType: 'text/plain' }));
    const c = await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'dst', CopySource: 'objects/src' }));
    assert.equal(c.CopyObjectResult!.ETag, `"${createHash('md5').update('copy me').digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'copies', Key: 'dst' }));
    assert.equal(await text(got.Body), 'copy me');
    assert.deepEqual(got.Metadata, { a: '1' });
    assert.equal(got.ContentType, 'text/plain');
    await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'dst2', CopySource: 'objects/src', MetadataDirective: 'REPLACE', Metadata: { b: '2' } }));
    assert.deepEqual((await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'dst2' }))).Metadata, { b: '2' });
    await rejects(s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'src', CopySource: 'objects/src' })), 'InvalidRequest', 400);
    await rejects(s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'x', CopySource: 'objects/src', CopySourceIfMatch: '"zz"' })), 'PreconditionFailed', 412);
    await rejects(s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'x', CopySource: 'objects/none' })), 'NoSuchKey', 404);
  });

  test('x-amz-expected-bucket-owner: another account is AccessDenied, the owner passes', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'owned', Body: 'o', ExpectedBucketOwner: '000000000000' }));
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'owned', Body: 'o', ExpectedBucketOwner: '999999999999' })), 'AccessDenied', 403);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'owned', ExpectedBucketOwner: '999999999999' })), 'AccessDenied', 403);
    await rejects(s3.send(new HeadBucketCommand({ Bucket: 'objects', ExpectedBucketOwner: '999999999999' })), 'Unknown', 403);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'owned', ExpectedBucketOwner: '000000000000' }))).ContentLength, 1);
  });

  test('DeleteObjects reports each key; GetObjectAttributes', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'd1', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'd2', Body: '22' }));
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: 'objects', Key: 'd2', ObjectAttributes: ['ETag', 'ObjectSize', 'StorageClass', 'Checksum'] }));
    assert.equal(attrs.ObjectSize, 2);
    assert.equal(attrs.StorageClass, 'STANDARD');
    assert.ok(attrs.Checksum?.ChecksumCRC32);
    const r = await s3.send(new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Objects: [{ Key: 'd1' }, { Key: 'd2' }, { Key: 'never' }] } }));
    assert.deepEqual(r.Deleted!.map((d) => d.Key).sort(), ['d1', 'd2', 'never']);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'd1' })), 'NoSuchKey', 404);
  });

  test('versioning: versions, delete markers, reads by version, removal restores the previous', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versioned' }));
    await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'k', Body: 'before' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'k', Body: 'one' }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'k', Body: 'two' }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k', VersionId: v1.VersionId }))).Body), 'one');
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k', VersionId: 'null' }))).Body), 'before');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k' })), 'NoSuchKey', 404);
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k', VersionId: del.VersionId })), 'MethodNotAllowed', 405);
    await s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'k', VersionId: del.VersionId }));
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k' }))).Body), 'two');
    await rejects(s3.send(new GetObjectCommand({ Bucket: 'versioned', Key: 'k', VersionId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })), 'NoSuchVersion', 404);
  });
});
