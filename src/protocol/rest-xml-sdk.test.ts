/**
 * Round trips between restXmlCodec and the official @aws-sdk/client-s3, in process: a custom
 * requestHandler hands the SDK's HttpRequest to the codec and the codec's WireResponse back,
 * so nothing leaves the process and both directions are checked against the real client.
 *
 * The clients use requestChecksumCalculation / responseChecksumValidation 'WHEN_REQUIRED':
 * with the default ('WHEN_SUPPORTED') PutObject is sent aws-chunked with a trailing CRC,
 * which is the edge's business (it de-chunks before the codec), not this codec's.
 *
 * How inputs are compared: every member the test gave the SDK must come out of parseInput
 * deep-equal (strings/Buffers for bodies, Dates for timestamps). parseInput may in addition
 * yield members the SDK adds on its own (checksum members, Content-Length, Content-MD5, and
 * Content-Type application/octet-stream for untyped bodies); any other extra member fails.
 */
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetBucketAclCommand, PutBucketAclCommand,
  UploadPartCommand, UploadPartCopyCommand, DeleteObjectsCommand, GetBucketLocationCommand, GetObjectCommand,
  HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketTaggingCommand, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { buildQueryString, HttpResponse } from '@smithy/core/protocols';
import { AwsError } from '../core/errors.js';
import type { WireRequest, WireResponse } from './codec.js';
import { loadModel } from './models.js';
import { restXmlCodec } from './rest-xml.js';

const model = loadModel('s3-2006-03-01');
const SDK_ADDED = new Set(['ChecksumAlgorithm', 'ChecksumCRC32', 'ChecksumCRC32C', 'ChecksumCRC64NVME', 'ChecksumSHA1', 'ChecksumSHA256', 'ContentLength', 'ContentMD5']);

type Handler = (operation: string, input: Record<string, unknown>, wire: WireRequest) => unknown;
interface Call { operation: string; input: Record<string, unknown>; wire: WireRequest }

async function toBuffer(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function responseBody(body: Buffer | Readable): Promise<Readable> {
  return body instanceof Readable ? body : Readable.from([body]);
}

/** A client whose "network" is the codec plus `handler`; `calls` records what the codec decoded. */
function fakeS3(handler: Handler, checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' = 'WHEN_REQUIRED'): { client: S3Client; calls: Call[] } {
  const calls: Call[] = [];
  let n = 0;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { method: string; path: string; query?: Record<string, string | string[] | null>; headers: Record<string, string>; body?: unknown; hostname: string }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
        const wire: WireRequest = {
          method: request.method, path: request.path, query: buildQueryString(request.query ?? {}),
          headers, body: await toBuffer(request.body), host: request.hostname,
        };
        const meta = { requestId: `REQ${++n}` };
        let op;
        let res: WireResponse;
        try {
          const operation = restXmlCodec.resolveOperation(wire, model);
          op = model.operation(operation)!;
          const input = restXmlCodec.parseInput(wire, model, op);
          calls.push({ operation, input, wire });
          res = restXmlCodec.serializeOutput(model, op, await handler(operation, input, wire), meta);
        } catch (e) {
          if (!(e instanceof AwsError)) throw e;
          res = restXmlCodec.serializeError(model, e, meta, op);
        }
        return { response: new HttpResponse({ statusCode: res.status, headers: res.headers, body: await responseBody(res.body) }) };
      },
    },
  });
  return { client, calls };
}

function assertInput(call: Call, sdkInput: Record<string, unknown>, operation: string): void {
  assert.equal(call.operation, operation);
  for (const [k, v] of Object.entries(sdkInput)) {
    const want = k === 'Body' && typeof v === 'string' ? Buffer.from(v) : v;
    assert.deepStrictEqual(call.input[k], want, `member ${k}`);
  }
  // The SDK labels bodies it was given no type for as application/octet-stream.
  const sdkDefault = (k: string) => SDK_ADDED.has(k) || (k === 'ContentType' && call.input[k] === 'application/octet-stream');
  const extra = Object.keys(call.input).filter((k) => !(k in sdkInput) && !sdkDefault(k));
  assert.deepStrictEqual(extra, [], 'members the SDK was not given');
}

const withoutMeta = ({ $metadata: _m, ...rest }: Record<string, unknown>) => rest;

describe('rest-xml vs @aws-sdk/client-s3: requests', () => {
  it('PutObject with metadata, content type and body', async () => {
    const { client, calls } = fakeS3(() => ({ ETag: '"abc"' }));
    const input = {
      Bucket: 'my-bucket', Key: 'dir/sub dir/ü+%.txt', Body: 'hello world', ContentType: 'text/plain',
      Metadata: { color: 'blue', 'owner-name': 'Jane' }, CacheControl: 'no-cache', Expires: new Date('2030-01-02T03:04:05Z'),
      StorageClass: 'STANDARD_IA' as const, Tagging: 'a=b&c=d', BucketKeyEnabled: true,
    };
    const out = await client.send(new PutObjectCommand(input));
    assert.equal(out.ETag, '"abc"');
    assertInput(calls[0]!, input, 'PutObject');
  });

  it('PutObject with the default checksum settings: the SDK adds checksum members', async () => {
    const { client, calls } = fakeS3(() => ({}), 'WHEN_SUPPORTED');
    const input = { Bucket: 'b', Key: 'k', Body: Buffer.from('hello') };
    await client.send(new PutObjectCommand(input));
    assertInput(calls[0]!, input, 'PutObject');
    assert.equal(calls[0]!.input.ChecksumAlgorithm, 'CRC32');
    assert.equal(typeof calls[0]!.input.ChecksumCRC32, 'string');
  });

  it('UploadPart, UploadPartCopy and CopyObject share PUT /{Bucket}/{Key+} and still resolve', async () => {
    const { client, calls } = fakeS3((op) => (op === 'CopyObject' ? { CopyObjectResult: { ETag: '"c"', LastModified: new Date('2026-11-23T10:00:00Z') } }
      : op === 'UploadPartCopy' ? { CopyPartResult: { ETag: '"p"' } } : { ETag: '"u"' }));
    const part = { Bucket: 'b', Key: 'k', PartNumber: 3, UploadId: 'u1', Body: 'part-data' };
    assert.equal((await client.send(new UploadPartCommand(part))).ETag, '"u"');
    assertInput(calls[0]!, part, 'UploadPart');
    const partCopy = { Bucket: 'b', Key: 'k', PartNumber: 4, UploadId: 'u1', CopySource: 'src/a%20b', CopySourceRange: 'bytes=0-9' };
    assert.deepStrictEqual((await client.send(new UploadPartCopyCommand(partCopy))).CopyPartResult, { ETag: '"p"' });
    assertInput(calls[1]!, partCopy, 'UploadPartCopy');
    const copy = { Bucket: 'b', Key: 'k2', CopySource: 'src/k', MetadataDirective: 'REPLACE' as const, Metadata: { a: '1' } };
    const out = await client.send(new CopyObjectCommand(copy));
    assert.deepStrictEqual(out.CopyObjectResult, { ETag: '"c"', LastModified: new Date('2026-11-23T10:00:00Z') });
    assertInput(calls[2]!, copy, 'CopyObject');
  });

  it('CreateMultipartUpload', async () => {
    const { client, calls } = fakeS3(() => ({ Bucket: 'b', Key: 'k', UploadId: 'u-1' }));
    const input = { Bucket: 'b', Key: 'k', ContentType: 'image/png', Metadata: { x: 'y' } };
    const out = await client.send(new CreateMultipartUploadCommand(input));
    assertInput(calls[0]!, input, 'CreateMultipartUpload');
    assert.deepStrictEqual(withoutMeta(out as never), { Bucket: 'b', Key: 'k', UploadId: 'u-1' });
  });

  it('PutBucketAcl with xsi:type grantees', async () => {
    const { client, calls } = fakeS3(() => ({}));
    const input = {
      Bucket: 'b',
      AccessControlPolicy: {
        Owner: { ID: 'owner' },
        Grants: [
          { Grantee: { Type: 'CanonicalUser' as const, ID: 'id1', DisplayName: 'me' }, Permission: 'FULL_CONTROL' as const },
          { Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' as const },
        ],
      },
    };
    await client.send(new PutBucketAclCommand(input));
    assertInput(calls[0]!, input, 'PutBucketAcl');
  });

  it('ListObjectsV2 with Prefix, Delimiter, MaxKeys, ContinuationToken, FetchOwner', async () => {
    const { client, calls } = fakeS3(() => ({ Name: 'b', KeyCount: 0, IsTruncated: false }));
    const input = { Bucket: 'b', Prefix: 'photos/2026 &=+', Delimiter: '/', MaxKeys: 7, ContinuationToken: 'tok/en==', FetchOwner: true, StartAfter: 'x' };
    await client.send(new ListObjectsV2Command(input));
    assertInput(calls[0]!, input, 'ListObjectsV2');
  });

  it('CreateBucket with CreateBucketConfiguration and header members', async () => {
    const { client, calls } = fakeS3(() => ({ Location: '/b' }));
    const input = {
      Bucket: 'b', ACL: 'private' as const, ObjectLockEnabledForBucket: true,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' as const, Bucket: { Type: 'Directory' as const, DataRedundancy: 'SingleAvailabilityZone' as const } },
    };
    const out = await client.send(new CreateBucketCommand(input));
    assert.equal(out.Location, '/b');
    assertInput(calls[0]!, input, 'CreateBucket');
  });

  it('PutBucketTagging', async () => {
    const { client, calls } = fakeS3(() => ({}));
    const input = { Bucket: 'b', Tagging: { TagSet: [{ Key: 'env', Value: 'prod <&>' }, { Key: 'empty', Value: '' }] } };
    await client.send(new PutBucketTaggingCommand(input));
    assertInput(calls[0]!, input, 'PutBucketTagging');
  });

  it('DeleteObjects with a list', async () => {
    const { client, calls } = fakeS3(() => ({ Deleted: [{ Key: 'a' }, { Key: 'b\r\nc', VersionId: 'v1', DeleteMarker: true }] }));
    const input = { Bucket: 'b', Delete: { Objects: [{ Key: 'a' }, { Key: 'b\r\nc', VersionId: 'v1' }], Quiet: false } };
    const out = await client.send(new DeleteObjectsCommand(input));
    assertInput(calls[0]!, input, 'DeleteObjects');
    assert.deepStrictEqual(out.Deleted, [{ Key: 'a' }, { Key: 'b\r\nc', VersionId: 'v1', DeleteMarker: true }]);
  });

  it('CompleteMultipartUpload', async () => {
    const { client, calls } = fakeS3(() => ({ Location: 'http://x/b/k', Bucket: 'b', Key: 'k', ETag: '"e-2"' }));
    const input = {
      Bucket: 'b', Key: 'big/file.bin', UploadId: 'up+/=id',
      MultipartUpload: { Parts: [{ ETag: '"e1"', PartNumber: 1 }, { ETag: '"e2"', PartNumber: 2 }] },
    };
    const out = await client.send(new CompleteMultipartUploadCommand(input));
    assertInput(calls[0]!, input, 'CompleteMultipartUpload');
    assert.deepStrictEqual(withoutMeta(out as never), { Location: 'http://x/b/k', Bucket: 'b', Key: 'k', ETag: '"e-2"' });
  });

  it('GetObject with Range and response overrides', async () => {
    const { client, calls } = fakeS3(() => ({ Body: Buffer.from('ell') }));
    const input = { Bucket: 'b', Key: 'k', Range: 'bytes=1-3', ResponseContentType: 'text/x', IfModifiedSince: new Date('2026-01-01T00:00:00Z') };
    await client.send(new GetObjectCommand(input));
    // The SDK sets ChecksumMode only when asked; nothing else may appear.
    assertInput(calls[0]!, input, 'GetObject');
  });
});

describe('rest-xml vs @aws-sdk/client-s3: responses', () => {
  it('ListBuckets', async () => {
    const want = {
      Buckets: [{ Name: 'a', CreationDate: new Date('2026-11-23T10:00:00.123Z') }, { Name: 'b', CreationDate: new Date('2026-11-24T10:00:00.000Z') }],
      Owner: { DisplayName: 'me', ID: 'abc123' },
    };
    const { client } = fakeS3(() => want);
    assert.deepStrictEqual(withoutMeta(await client.send(new ListBucketsCommand({})) as never), want);
  });

  it('ListBuckets with no buckets gives an empty list', async () => {
    const { client } = fakeS3(() => ({ Buckets: [], Owner: { ID: 'x' } }));
    const out = await client.send(new ListBucketsCommand({}));
    assert.deepStrictEqual(out.Buckets ?? [], []);
  });

  it('ListObjectsV2', async () => {
    const want = {
      Name: 'b', Prefix: 'p/', Delimiter: '/', MaxKeys: 2, KeyCount: 2, IsTruncated: true,
      ContinuationToken: 'c1', NextContinuationToken: 'c2', StartAfter: 'p/0',
      Contents: [{ Key: 'p/a "q"', LastModified: new Date('2026-11-23T10:00:00.000Z'), ETag: '"e1"', Size: 5, StorageClass: 'STANDARD' as const }],
      CommonPrefixes: [{ Prefix: 'p/sub/' }],
    };
    const { client } = fakeS3(() => want);
    assert.deepStrictEqual(withoutMeta(await client.send(new ListObjectsV2Command({ Bucket: 'b' })) as never), want);
  });

  it('HeadObject headers, metadata and LastModified', async () => {
    const want = {
      ContentLength: 11, ContentType: 'text/plain', ETag: '"e"', LastModified: new Date('2026-11-23T10:00:00Z'),
      Metadata: { color: 'blue' }, AcceptRanges: 'bytes', DeleteMarker: false, MissingMeta: 2,
      ObjectLockRetainUntilDate: new Date('2027-01-01T00:00:00.500Z'), VersionId: 'v1',
    };
    const { client } = fakeS3(() => want);
    assert.deepStrictEqual(withoutMeta(await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })) as never), want);
  });

  it('GetObject streams the body', async () => {
    const { client } = fakeS3(() => ({ Body: Readable.from([Buffer.from('hello '), Buffer.from('stream')]), ContentType: 'text/plain', ContentRange: 'bytes 0-11/12' }));
    const out = await client.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'hello stream');
    assert.equal(out.ContentType, 'text/plain');
    assert.equal(out.ContentRange, 'bytes 0-11/12');
  });

  it('GetBucketAcl', async () => {
    const want = {
      Owner: { ID: 'owner', DisplayName: 'me' },
      Grants: [
        { Grantee: { Type: 'CanonicalUser' as const, ID: 'id1' }, Permission: 'FULL_CONTROL' as const },
        { Grantee: { Type: 'Group' as const, URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' as const },
      ],
    };
    const { client } = fakeS3(() => want);
    assert.deepStrictEqual(withoutMeta(await client.send(new GetBucketAclCommand({ Bucket: 'b' })) as never), want);
  });

  it('GetBucketLocation', async () => {
    const { client } = fakeS3(() => ({ LocationConstraint: 'eu-west-1' }));
    const out = await client.send(new GetBucketLocationCommand({ Bucket: 'b' }));
    assert.equal(out.LocationConstraint, 'eu-west-1');
  });
});

describe('rest-xml vs @aws-sdk/client-s3: errors', () => {
  it('NoSuchBucket with BucketName', async () => {
    const { client } = fakeS3(() => {
      throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404, { fields: { BucketName: 'nope' } });
    });
    const err = await client.send(new ListObjectsV2Command({ Bucket: 'nope' })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3ServiceException);
    assert.equal(err.name, 'NoSuchBucket');
    assert.equal(err.message, 'The specified bucket does not exist');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.$metadata.requestId, 'REQ1');
    assert.equal((err as unknown as Record<string, unknown>).BucketName, 'nope');
  });

  it('HEAD errors carry no body; the client names them by status', async () => {
    const { client } = fakeS3(() => {
      throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
    });
    const err = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof S3ServiceException);
    assert.equal(err.name, 'NotFound');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.$metadata.requestId, 'REQ1');
  });
});
