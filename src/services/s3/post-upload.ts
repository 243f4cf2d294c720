/**
 * S3 POST Object (browser form uploads), the store side: what the form's fields say about the
 * object (the PutObject members they stand for), the checks made before the file is read, the
 * file streamed to the blob store and hashed outside the store lock (ingest.ts), the commit
 * through the same path as PutObject (object-write.ts commitNew), and S3's answer
 * (success_action_redirect, success_action_status 200 / 201 with PostResponse / 204).
 * The form itself, its signature and its authorization are the front door's
 * (src/server/s3-post.ts); the policy language is post-policy.ts.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { PutObjectOutput } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { WireResponse } from '../../protocol/codec.js';
import { parseXmlDocument, localName, type XmlNode } from '../../protocol/xml-read.js';
import { escapeXml } from '../../protocol/xml-text.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { objectAclForWrite } from './acl.js';
import { requireBucket } from './buckets.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksumMember } from './checksums.js';
import { ingestBody, MAX_PUT_BYTES } from './ingest.js';
import { expirationHeader } from './lifecycle.js';
import { encryptionOutput, writeFields, type WriteInput } from './object-fields.js';
import { lockFieldsForNewObject, type LockHeaders } from './object-lock.js';
import { checkKey, commitNew } from './object-write.js';
import { sizeRefusal } from './post-policy.js';
import type { BucketRecord, ObjectVersion } from './records.js';

/** The PutObject members a form carries, and the rest of what it asks for. */
export interface PostInput extends WriteInput, LockHeaders {
  Bucket: string;
  Key: string;
  ACL?: string;
  /** The form's fields as request headers (content-md5, x-amz-checksum-*, x-amz-acl, ...), for ingest and condition keys. */
  headers: Record<string, string>;
  successStatus?: string;
  redirect?: string;
}

const CONTENT: Array<[field: string, member: keyof WriteInput]> = [
  ['content-type', 'ContentType'], ['cache-control', 'CacheControl'], ['content-disposition', 'ContentDisposition'],
  ['content-encoding', 'ContentEncoding'], ['content-language', 'ContentLanguage'], ['expires', 'Expires'],
  ['x-amz-storage-class', 'StorageClass'], ['x-amz-website-redirect-location', 'WebsiteRedirectLocation'],
  ['x-amz-server-side-encryption', 'ServerSideEncryption'], ['x-amz-server-side-encryption-aws-kms-key-id', 'SSEKMSKeyId'],
  ['x-amz-server-side-encryption-context', 'SSEKMSEncryptionContext'],
  ['x-amz-server-side-encryption-customer-algorithm', 'SSECustomerAlgorithm'],
  ['x-amz-server-side-encryption-customer-key', 'SSECustomerKey'], ['x-amz-server-side-encryption-customer-key-md5', 'SSECustomerKeyMD5'],
];

const malformedXml = (): AwsError =>
  new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

/** The `tagging` field: a Tagging document, as the x-amz-tagging query string writeFields checks. */
export function taggingField(xml: string): string {
  let root: XmlNode;
  try {
    root = parseXmlDocument(xml);
  } catch {
    throw malformedXml();
  }
  const params = new URLSearchParams();
  // S3 stores no tags from a well-formed document of another shape.
  if (localName(root.name) !== 'Tagging') return '';
  const child = (n: XmlNode, name: string) => n.children.filter((c) => localName(c.name) === name);
  for (const set of child(root, 'TagSet')) {
    for (const tag of child(set, 'Tag')) {
      const key = child(tag, 'Key')[0];
      if (!key) throw malformedXml();
      params.append(key.text, child(tag, 'Value')[0]?.text ?? '');
    }
  }
  return params.toString();
}

/** A form's fields (lower-case names, ${filename} expanded) as the PutObject input they stand for. */
export function postInput(bucket: string, fields: Map<string, string>): PostInput {
  const key = fields.get('key');
  const input: PostInput = { Bucket: bucket, Key: key ?? '', headers: {} };
  for (const [field, member] of CONTENT) {
    const v = fields.get(field);
    if (v !== undefined) (input as unknown as Record<string, string>)[member] = v;
  }
  const bucketKey = fields.get('x-amz-server-side-encryption-bucket-key-enabled');
  if (bucketKey !== undefined) input.BucketKeyEnabled = bucketKey.toLowerCase() === 'true';
  const meta: Record<string, string> = {};
  for (const [name, v] of fields) if (name.startsWith('x-amz-meta-')) meta[name.slice('x-amz-meta-'.length)] = v;
  if (Object.keys(meta).length) input.Metadata = meta;
  const acl = fields.get('acl');
  if (acl !== undefined) { input.ACL = acl; input.headers['x-amz-acl'] = acl; }
  const tagging = fields.get('tagging');
  if (tagging !== undefined) input.Tagging = taggingField(tagging);
  const mode = fields.get('x-amz-object-lock-mode');
  if (mode !== undefined) input.ObjectLockMode = mode;
  const until = fields.get('x-amz-object-lock-retain-until-date');
  if (until !== undefined) input.ObjectLockRetainUntilDate = until;
  const hold = fields.get('x-amz-object-lock-legal-hold');
  if (hold !== undefined) input.ObjectLockLegalHoldStatus = hold;
  // What ingestBody reads from headers: Content-MD5 and the checksums.
  const md5 = fields.get('content-md5');
  if (md5 !== undefined) input.headers['content-md5'] = md5;
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = fields.get(checksumHeader(a));
    if (v !== undefined) input.headers[checksumHeader(a)] = v;
  }
  const algorithm = fields.get('x-amz-checksum-algorithm');
  if (algorithm !== undefined) input.headers['x-amz-sdk-checksum-algorithm'] = algorithm;
  for (const [field] of CONTENT) {
    const v = fields.get(field);
    if (v !== undefined && field.startsWith('x-amz-')) input.headers[field] = v;
  }
  const status = fields.get('success_action_status');
  if (status !== undefined) input.successStatus = status;
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (redirect !== undefined) input.redirect = redirect;
  return input;
}

/** Who owns what a form writes: the bucket's owner; the writer's account names the ACL's owner. */
const writerOf = (ctx: RequestContext, owner: string): string => ctx.principal.account || owner;

/** The object's fields, checked as PutObject checks them. */
function versionFields(tx: Tx, ctx: RequestContext, input: PostInput, bucket: BucketRecord, owner: string): Partial<ObjectVersion> {
  const fields = writeFields(tx, owner, bucket.name, ctx.region, input);
  const acl = objectAclForWrite(tx, owner, bucket.name, writerOf(ctx, owner), { ACL: input.ACL });
  if (acl) fields.acl = acl;
  return { ...fields, ...lockFieldsForNewObject(tx, owner, bucket, input, ctx.clock.nowMs(), input.headers) };
}

/**
 * Before a byte of the file is read (in the request's transaction): the bucket, the key, and
 * every field PutObject would refuse (storage class, encryption, tags, ACL, lock fields).
 */
export function checkPostWrite(tx: Tx, ctx: RequestContext, input: PostInput): void {
  checkKey(input.Key);
  const { owner, bucket } = requireBucket(tx, input.Bucket);
  versionFields(tx, ctx, input, bucket, owner.account);
}

/** Passes at most `max` bytes on and counts (and drops) the rest, so an oversized file gets its exact ProposedSize. */
class SizeGate extends Transform {
  total = 0;
  constructor(private readonly max: number) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const room = this.max - this.total;
    this.total += chunk.length;
    if (room >= chunk.length) cb(null, chunk);
    else cb(null, room > 0 ? chunk.subarray(0, room) : undefined);
  }
}

export interface PostStored {
  version: ObjectVersion;
  versioned: boolean;
  output: PutObjectOutput;
}

/**
 * Streams the file into a new blob (hashed, Content-MD5 and x-amz-checksum-* fields checked),
 * checks its size against the policy's range, waits for the rest of the form (`formDone`: an
 * incomplete form stores nothing), then commits the version. `ctx.wire.headers` must be the
 * form's headers (input.headers) and ctx.tx unusable: this runs outside the store lock.
 */
export async function storePostUpload(ctx: RequestContext, input: PostInput, file: Readable,
  range: { min: number; max: number } | undefined, formDone: Promise<void>): Promise<PostStored> {
  const max = Math.min(range?.max ?? MAX_PUT_BYTES, MAX_PUT_BYTES);
  const gate = new SizeGate(max);
  // A failing file (a form cut short, a client gone) ends the gate rather than erroring it:
  // ingestBody's hasher must not be destroyed under its pipe. formDone then fails, and the
  // blob is removed below.
  file.on('error', () => { file.unpipe(gate); gate.end(); });
  file.pipe(gate);
  let body: Awaited<ReturnType<typeof ingestBody>>;
  try {
    body = await ingestBody(ctx, gate);
  } catch (err) {
    // Whatever the form still sends is read and dropped; a form that failed says why.
    file.resume();
    throw (await formDone.then(() => undefined, (e: unknown) => e)) ?? err;
  }
  try {
    await formDone;
    const refusal = sizeRefusal(gate.total, { min: range?.min ?? 0, max });
    if (refusal) throw refusal;
  } catch (err) {
    ctx.blobs.delete(body.blob.id);
    throw err;
  }
  let expiration: string | undefined;
  const { version, bucket } = await commitNew(ctx, input.Bucket, input.Key, [body.blob.id], (tx, owner, b) => ({
    key: input.Key, lastModifiedMs: ctx.clock.nowMs(), etag: `"${body.blob.md5}"`, size: body.blob.size,
    pieces: [{ blob: body.blob.id, size: body.blob.size }], owner,
    checksum: { algorithm: body.checksum.algorithm, type: 'FULL_OBJECT', value: body.checksum.value },
    ...versionFields(tx, ctx, input, b, owner),
  } as Omit<ObjectVersion, 'versionId' | 'seq'>), {}, (tx, owner, v) => { expiration = expirationHeader(tx, owner, input.Bucket, v); });
  const output: PutObjectOutput = { ETag: version.etag, ...encryptionOutput(version) as PutObjectOutput };
  (output as Record<string, unknown>)[checksumMember(body.checksum.algorithm)] = body.checksum.value;
  output.ChecksumType = 'FULL_OBJECT';
  if (expiration !== undefined) output.Expiration = expiration;
  if (bucket.versioning !== undefined) output.VersionId = version.versionId;
  return { version, versioned: bucket.versioning !== undefined, output };
}

/** Element text as S3 writes PostResponse: quotes stay as they are (`<ETag>"..."</ETag>`). */
const xmlText = (s: string): string => escapeXml(s).replace(/&quot;/g, '"').replace(/&apos;/g, "'");

/** A URL S3 can redirect to: absolute http(s); anything else is as if the field were absent. */
function redirectTarget(raw: string | undefined): string | undefined {
  if (!raw || !/^https?:\/\/\S+$/i.test(raw)) return undefined;
  try {
    new URL(raw);
  } catch {
    return undefined;
  }
  return raw;
}

/**
 * S3's answer to a stored upload. `headers`: the PutObject output as the codec writes it
 * (ETag, version, checksum, encryption), to which the object's Location is added.
 * `objectUrl`: where the object is, as the form addressed the bucket.
 */
export function postAnswer(input: PostInput, stored: PostStored, headers: Record<string, string>, objectUrl: string): WireResponse {
  const out: Record<string, string> = { ...headers, location: objectUrl };
  for (const k of Object.keys(out)) if (k.toLowerCase() === 'content-type' || k.toLowerCase() === 'content-length') delete out[k];
  const etag = stored.version.etag;
  const redirect = redirectTarget(input.redirect);
  if (redirect) {
    const sep = !redirect.includes('?') ? '?' : /[?&]$/.test(redirect) ? '' : '&';
    out.location = `${redirect}${sep}${new URLSearchParams({ bucket: input.Bucket, key: input.Key, etag }).toString()}`;
    return { status: 303, headers: out, body: Buffer.alloc(0) };
  }
  if (input.successStatus === '201') {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
      + `<Location>${xmlText(objectUrl)}</Location><Bucket>${xmlText(input.Bucket)}</Bucket>`
      + `<Key>${xmlText(input.Key)}</Key><ETag>${xmlText(etag)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...out, 'content-type': 'application/xml' }, body: Buffer.from(xml, 'utf8') };
  }
  return { status: input.successStatus === '200' ? 200 : 204, headers: out, body: Buffer.alloc(0) };
}
