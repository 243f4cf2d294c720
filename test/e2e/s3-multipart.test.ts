import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, UploadPartCommand,
  UploadPartCopyCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Cloudlet } from '../../src/server/server.js';
import { checksumOf } from '../../src/services/s3/checksums.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
const MiB = 1024 * 1024;
const BUCKET = 'multipart';

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => { s3.destroy(); await cl.close(); });

const md5 = (b: Buffer): Buffer => createHash('md5').update(b).digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
const crc = (b: Buffer): Buffer => { const o = Buffer.alloc(4); o.writeUInt32BE(crc32(b)); return o; };
const multipartEtag = (parts: Buffer[]): string => `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-${parts.length}"`;
const bytes = async (body: unknown): Promise<Buffer> => Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
const blobCount = (): number => cl.deps.blobs.ids().length;

describe('S3 multipart uploads, explicit calls', () => {
  test('CRC32 COMPOSITE: part checksums, the composite "-N" value, the ETag, partNumber and ranged GETs', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(MiB + 17)];
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'crc32.bin', ChecksumAlgorithm: 'CRC32', ContentType: 'application/x-parts', Metadata: { a: 'b' } }));
    assert.equal(created.ChecksumAlgorithm, 'CRC32');
    assert.equal(created.ChecksumType, 'COMPOSITE');
    const done: CompletedPart[] = [];
    for (const [i, body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'crc32.bin', UploadId: created.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      assert.equal(r.ETag, `"${md5(body).toString('hex')}"`);
      assert.equal(r.ChecksumCRC32, crc(body).toString('base64'));
      done.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
    }
    const out = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'crc32.bin', UploadId: created.UploadId, MultipartUpload: { Parts: done } }));
    const composite = `${crc(Buffer.concat(parts.map(crc))).toString('base64')}-2`;
    assert.equal(out.ETag, multipartEtag(parts));
    assert.equal(out.ChecksumCRC32, composite);
    assert.equal(out.ChecksumType, 'COMPOSITE');
    assert.match(out.Location!, /\/multipart\/crc32\.bin$/);
    const whole = Buffer.concat(parts);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'crc32.bin', ChecksumMode: 'ENABLED' }));
    assert.ok((await bytes(got.Body)).equals(whole));
    assert.equal(got.ETag, out.ETag);
    assert.equal(got.ContentType, 'application/x-parts');
    assert.deepEqual(got.Metadata, { a: 'b' });
    assert.equal(got.ChecksumCRC32, composite);
    assert.equal(got.ChecksumType, 'COMPOSITE');
    const p2 = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'crc32.bin', PartNumber: 2, ChecksumMode: 'ENABLED' }));
    assert.ok((await bytes(p2.Body)).equals(parts[1]!));
    assert.equal(p2.PartsCount, 2);
    assert.equal(p2.ContentRange, `bytes ${5 * MiB}-${whole.length - 1}/${whole.length}`);
    assert.equal(p2.ChecksumCRC32, crc(parts[1]!).toString('base64'));
    // A range across the part boundary reads from both parts' blobs.
    const from = 5 * MiB - 100;
    const ranged = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'crc32.bin', Range: `bytes=${from}-${from + 299}` }));
    assert.ok((await bytes(ranged.Body)).equals(whole.subarray(from, from + 300)));
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'crc32.bin', ObjectAttributes: ['ObjectParts', 'Checksum', 'ObjectSize'] }));
    assert.equal(attrs.ObjectParts?.TotalPartsCount, 2);
    assert.equal(attrs.ObjectSize, whole.length);
    // The upload is gone.
    await rejects(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'crc32.bin', UploadId: created.UploadId })), 'NoSuchUpload', 404);
  });

  test('SHA256 COMPOSITE, and CRC32 FULL_OBJECT with the whole-object checksum on Complete', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(3000)];
    const sha = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'sha.bin', ChecksumAlgorithm: 'SHA256' }));
    assert.equal(sha.ChecksumType, 'COMPOSITE');
    // A COMPOSITE upload's parts must carry its checksum.
    await rejects(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'sha.bin', UploadId: sha.UploadId, PartNumber: 1, Body: parts[0], ChecksumAlgorithm: 'CRC32' })), 'InvalidRequest', 400);
    const shaParts: CompletedPart[] = [];
    for (const [i, body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'sha.bin', UploadId: sha.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'SHA256' }));
      assert.equal(r.ChecksumSHA256, sha256(body).toString('base64'));
      shaParts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumSHA256: r.ChecksumSHA256 });
    }
    // A part checksum that is not the stored one names no part.
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'sha.bin', UploadId: sha.UploadId, MultipartUpload: { Parts: [shaParts[0]!, { ...shaParts[1]!, ChecksumSHA256: sha256(Buffer.from('x')).toString('base64') }] } })), 'InvalidPart', 400);
    const shaOut = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'sha.bin', UploadId: sha.UploadId, MultipartUpload: { Parts: shaParts } }));
    assert.equal(shaOut.ChecksumSHA256, `${sha256(Buffer.concat(parts.map(sha256))).toString('base64')}-2`);
    assert.equal(shaOut.ChecksumType, 'COMPOSITE');

    await rejects(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'x', ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' })), 'InvalidRequest', 400);
    const full = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'full.bin', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    assert.equal(full.ChecksumType, 'FULL_OBJECT');
    const fullParts: CompletedPart[] = [];
    for (const [i, body] of parts.entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'full.bin', UploadId: full.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      fullParts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
    }
    const whole = Buffer.concat(parts);
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'full.bin', UploadId: full.UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: crc(Buffer.from('other')).toString('base64'), MultipartUpload: { Parts: fullParts } })), 'BadDigest', 400);
    const fullOut = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: 'full.bin', UploadId: full.UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: crc(whole).toString('base64'), MpuObjectSize: whole.length, MultipartUpload: { Parts: fullParts },
    }));
    assert.equal(fullOut.ChecksumCRC32, crc(whole).toString('base64'));
    assert.equal(fullOut.ChecksumType, 'FULL_OBJECT');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'full.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32, crc(whole).toString('base64'));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
    assert.equal(head.ContentLength, whole.length);
  });

  test('Complete checks order, ETags, sizes and conditions; unused and replaced parts are deleted; abort leaves nothing', async () => {
    const blobs0 = blobCount();
    const key = 'checked.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const small = randomBytes(1000);
    const up = async (n: number, body: Buffer) => (await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: n, Body: body }))).ETag!;
    const e1 = await up(1, small);
    const e2 = await up(2, small);
    await rejects(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 10_001, Body: small })), 'InvalidArgument', 400);
    await rejects(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'another-key', UploadId, PartNumber: 1, Body: small })), 'NoSuchUpload', 404);
    await rejects(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 3, Body: small, ContentMD5: md5(Buffer.from('other')).toString('base64') })), 'BadDigest', 400);
    assert.equal(blobCount(), blobs0 + 2, 'refused parts leave no blob');
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: e2 }, { PartNumber: 1, ETag: e1 }] } })), 'InvalidPartOrder', 400);
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e2.replace(/^"./, '"0') }] } })), 'InvalidPart', 400);
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 3, ETag: e1 }] } })), 'InvalidPart', 400);
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } })), 'EntityTooSmall', 400);
    // Part 1 uploaded again replaces the first upload of it, whose blob goes.
    const big = randomBytes(5 * MiB);
    const e1b = await up(1, big);
    assert.equal(blobCount(), blobs0 + 2);
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId, MaxParts: 1 }));
    assert.deepEqual(listed.Parts!.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, e1b, big.length]]);
    assert.equal(listed.IsTruncated, true);
    const rest = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumberMarker: listed.NextPartNumberMarker }));
    assert.deepEqual(rest.Parts!.map((p) => p.PartNumber), [2]);
    assert.equal(rest.IsTruncated, false);
    // Conditional completes: If-None-Match: * fails over an existing object, If-Match over another ETag.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'old' }));
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1b }] } })), 'PreconditionFailed', 412);
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, IfMatch: '"0123456789abcdef0123456789abcdef"', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1b }] } })), 'PreconditionFailed', 412);
    const oldEtag = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag;
    const out = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, IfMatch: oldEtag, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1b }] } }));
    assert.equal(out.ETag, multipartEtag([big]));
    // Part 2 was not used, and the overwritten object's blob went too: one blob remains.
    assert.equal(blobCount(), blobs0 + 1);
    assert.ok((await bytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body)).equals(big));
    await rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1b }] } })), 'NoSuchUpload', 404);

    const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted' }));
    await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 1, Body: small }));
    assert.equal(blobCount(), blobs0 + 2);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId }));
    assert.equal(blobCount(), blobs0 + 1);
    await rejects(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId })), 'NoSuchUpload', 404);
    await rejects(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 1, Body: small })), 'NoSuchUpload', 404);
    assert.equal(blobCount(), blobs0 + 1, 'a part for an aborted upload leaves no blob');
  });

  test('UploadPartCopy copies byte ranges and checks x-amz-copy-source-if-*', async () => {
    const source = randomBytes(6 * MiB);
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy-source', Body: source }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copied', ChecksumAlgorithm: 'CRC32C' }));
    const copy = (n: number, range: string | undefined, extra: Record<string, unknown> = {}) => s3.send(new UploadPartCopyCommand({
      Bucket: BUCKET, Key: 'copied', UploadId, PartNumber: n, CopySource: `${BUCKET}/copy-source`, CopySourceRange: range, ...extra,
    }));
    await rejects(copy(1, 'bytes=0-99', { CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
    await rejects(copy(1, 'bytes=0-99', { CopySourceIfNoneMatch: put.ETag }), 'PreconditionFailed', 412);
    await rejects(copy(1, `bytes=0-${source.length}`), 'InvalidArgument', 400);
    await rejects(copy(1, 'bytes=10'), 'InvalidArgument', 400);
    const first = 5 * MiB + 3;
    const p1 = await copy(1, `bytes=0-${first - 1}`, { CopySourceIfMatch: put.ETag });
    assert.equal(p1.CopyPartResult!.ETag, `"${md5(source.subarray(0, first)).toString('hex')}"`);
    assert.ok(p1.CopyPartResult!.ChecksumCRC32C);
    const p2 = await copy(2, `bytes=${first}-${source.length - 1}`);
    const out = await s3.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: 'copied', UploadId, MultipartUpload: { Parts: [
        { PartNumber: 1, ETag: p1.CopyPartResult!.ETag, ChecksumCRC32C: p1.CopyPartResult!.ChecksumCRC32C },
        { PartNumber: 2, ETag: p2.CopyPartResult!.ETag, ChecksumCRC32C: p2.CopyPartResult!.ChecksumCRC32C },
      ] },
    }));
    assert.equal(out.ETag, multipartEtag([source.subarray(0, first), source.subarray(first)]));
    assert.ok((await bytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copied' }))).Body)).equals(source));
    // From another, versioned bucket, by version ID: the old version's bytes, and its ID reported.
    await s3.send(new CreateBucketCommand({ Bucket: 'copy-versions' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'copy-versions', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'copy-versions', Key: 'doc', Body: 'first version' }));
    await s3.send(new PutObjectCommand({ Bucket: 'copy-versions', Key: 'doc', Body: 'second version' }));
    const again = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'from-version' }));
    const p = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'from-version', UploadId: again.UploadId, PartNumber: 1, CopySource: `copy-versions/doc?versionId=${v1.VersionId}` }));
    assert.equal(p.CopySourceVersionId, v1.VersionId);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'from-version', UploadId: again.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.CopyPartResult!.ETag }] } }));
    assert.equal((await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'from-version' }))).Body!.transformToString()), 'first version');
    await rejects(s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'from-version', UploadId: again.UploadId, PartNumber: 1, CopySource: 'copy-versions/doc' })), 'NoSuchUpload', 404);
  });

  test('ListMultipartUploads: prefix, delimiter, common prefixes, key and upload ID markers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads-list' }));
    const ids: Record<string, string[]> = {};
    for (const key of ['a/1', 'a/2', 'b', 'b', 'c/d/e', 'c/x']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads-list', Key: key }));
      (ids[key] ??= []).push(UploadId!);
    }
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-list' }));
    assert.deepEqual(all.Uploads!.map((u) => [u.Key, u.UploadId]), [['a/1', ids['a/1']![0]], ['a/2', ids['a/2']![0]], ['b', ids.b![0]], ['b', ids.b![1]], ['c/d/e', ids['c/d/e']![0]], ['c/x', ids['c/x']![0]]]);
    assert.equal(all.IsTruncated, false);
    const rolled = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-list', Delimiter: '/' }));
    assert.deepEqual(rolled.CommonPrefixes!.map((p) => p.Prefix), ['a/', 'c/']);
    assert.deepEqual(rolled.Uploads!.map((u) => u.Key), ['b', 'b']);
    const underC = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-list', Prefix: 'c/', Delimiter: '/' }));
    assert.deepEqual(underC.CommonPrefixes!.map((p) => p.Prefix), ['c/d/']);
    assert.deepEqual(underC.Uploads!.map((u) => u.Key), ['c/x']);
    // Paging two at a time visits every upload once.
    const seen: string[] = [];
    let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-list', MaxUploads: 2, ...marker }));
      seen.push(...(page.Uploads ?? []).map((u) => u.UploadId!));
      if (!page.IsTruncated) break;
      marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    assert.deepEqual(seen, all.Uploads!.map((u) => u.UploadId));
    const afterB = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-list', KeyMarker: 'b' }));
    assert.deepEqual(afterB.Uploads!.map((u) => u.Key), ['c/d/e', 'c/x']);
  });

  test('a lifecycle abort rule dates new uploads; EncodingType=url; paging over common prefixes', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads-misc' }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'uploads-misc', LifecycleConfiguration: { Rules: [
      { ID: 'tidy', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } },
    ] } }));
    const dated = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads-misc', Key: 'tmp/x' }));
    assert.equal(dated.AbortRuleId, 'tidy');
    const initiated = (await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-misc', Prefix: 'tmp/' }))).Uploads![0]!.Initiated!;
    // Three days after initiation, at the next midnight UTC.
    assert.equal(dated.AbortDate!.getTime(), Math.floor(initiated.getTime() / 86_400_000) * 86_400_000 + 4 * 86_400_000);
    const undated = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads-misc', Key: 'keep/y z' }));
    assert.equal(undated.AbortDate, undefined);
    const encoded = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-misc', Prefix: 'keep/', EncodingType: 'url' }));
    assert.deepEqual(encoded.Uploads!.map((u) => u.Key), ['keep/y+z']);
    for (const k of ['d1/a', 'd1/b', 'd2/a', 'e']) await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads-misc', Key: k }));
    const seen: string[] = [];
    let marker: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads-misc', Delimiter: '/', MaxUploads: 1, ...marker }));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Uploads ?? []).map((u) => u.Key!));
      if (!page.IsTruncated) break;
      marker = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    assert.deepEqual(seen, ['d1/', 'd2/', 'e', 'keep/', 'tmp/']);
  });

  test('parts of one upload proceed in parallel: a stalled part does not hold up another', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parallel' }));
    const slow = new PassThrough();
    const body1 = randomBytes(5 * MiB);
    const pending = s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'parallel', UploadId, PartNumber: 1, Body: slow, ContentLength: body1.length }));
    slow.write(body1.subarray(0, MiB));
    const body2 = randomBytes(1000);
    const fast = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'parallel', UploadId, PartNumber: 2, Body: body2 }));
    const list = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'parallel', UploadId }));
    assert.deepEqual(list.Parts!.map((p) => p.PartNumber), [2], 'part 2 is stored while part 1 is still arriving');
    slow.end(body1.subarray(MiB));
    const p1 = await pending;
    const out = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'parallel', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: fast.ETag }] } }));
    assert.equal(out.ETag, multipartEtag([body1, body2]));
    // No checksum named at Create: CRC64NVME FULL_OBJECT.
    assert.equal(out.ChecksumType, 'FULL_OBJECT');
    assert.ok(out.ChecksumCRC64NVME);
  });
});

describe('S3 multipart with real tools', () => {
  test('@aws-sdk/lib-storage Upload of 20 MiB, four parts at a time', async () => {
    const body = randomBytes(20 * MiB + 12345);
    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: 'lib-storage.bin', Body: body }, queueSize: 4, partSize: 5 * MiB });
    const out = await upload.done();
    const parts = [0, 1, 2, 3, 4].map((i) => body.subarray(i * 5 * MiB, Math.min(body.length, (i + 1) * 5 * MiB)));
    assert.equal(out.ETag, multipartEtag(parts));
    // lib-storage names CRC32 at Create: a COMPOSITE of the five parts' CRCs.
    assert.equal(out.ChecksumType, 'COMPOSITE');
    assert.equal(out.ChecksumCRC32, `${crc(Buffer.concat(parts.map(crc))).toString('base64')}-5`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lib-storage.bin' }));
    assert.equal(got.ContentLength, body.length);
    assert.ok((await bytes(got.Body)).equals(body));
    const p3 = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lib-storage.bin', PartNumber: 3 }));
    assert.ok((await bytes(p3.Body)).equals(parts[2]!));
    assert.equal(p3.PartsCount, 5);
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: aws s3 cp of a 20 MiB file up and back`, { skip: cli.skip }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cloudlet-mpu-'));
      try {
        const file = join(dir, 'big.bin');
        const data = randomBytes(20 * MiB);
        writeFileSync(file, data);
        const key = `cli/${cli.name.replace(/\W+/g, '-')}.bin`;
        const up = await runAws(cli.bin, cl.url, ['s3', 'cp', file, `s3://${BUCKET}/${key}`]);
        assert.equal(up.status, 0, up.stderr);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
        assert.match(head.ETag!, /-\d+"$/, 'the CLI uploaded in parts');
        // v1 sends CRC32 COMPOSITE over 8 MiB parts; v2 CRC64NVME FULL_OBJECT (checked against a direct CRC of the file).
        if (head.ChecksumType === 'COMPOSITE') {
          const chunks = [0, 1, 2].map((i) => data.subarray(i * 8 * MiB, (i + 1) * 8 * MiB));
          assert.equal(head.ChecksumCRC32, `${crc(Buffer.concat(chunks.map(crc))).toString('base64')}-3`);
        } else {
          assert.equal(head.ChecksumType, 'FULL_OBJECT');
          assert.equal(head.ChecksumCRC64NVME, checksumOf('CRC64NVME', data));
        }
        if (cli.name.endsWith('v2')) assert.equal(head.ChecksumType, 'FULL_OBJECT');
        assert.equal(head.ContentLength, data.length);
        const back = join(dir, 'back.bin');
        const down = await runAws(cli.bin, cl.url, ['s3', 'cp', `s3://${BUCKET}/${key}`, back]);
        assert.equal(down.status, 0, down.stderr);
        assert.ok(readFileSync(back).equals(data));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
