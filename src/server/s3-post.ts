/**
 * The front door for S3 POST Object: browser uploads, an HTML form posted to a bucket
 * (`POST /BUCKET`, or `POST /` on BUCKET.s3.localhost) as multipart/form-data. It is no operation
 * of the S3 model, so the pipeline hands it here before AWS routing (after the Host and
 * cross-site checks). The steps:
 *
 *   form (streamed, @fastify/busboy): the fields before the `file` part, at most 20 KiB of them,
 *     ${filename} expanded; fields after the file are ignored, as S3 ignores them
 *   -> [one short transaction: the form's SigV4 signature over its policy (src/auth/sigv4-post.ts),
 *       the policy's expiration and conditions (services/s3/post-policy.ts), the principal
 *       authorized for s3:PutObject on the key by the same authorizer as every request,
 *       the bucket and the object's fields checked (services/s3/post-upload.ts)]
 *   -> the file streamed, hashed and verified into a blob outside the lock, its size checked
 *      against content-length-range, the version committed as PutObject commits it
 *   -> S3's answer (303 to success_action_redirect, or 200 / 201 PostResponse / 204), or S3's XML error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { credentialLookup } from '../auth/credentials.js';
import type { Principal } from '../auth/principal.js';
import { postAuthFields, postIsSigned, verifyPostSignature } from '../auth/sigv4-post.js';
import { AwsError, asAwsError, isAwsError } from '../core/errors.js';
import { DEFAULT_REGION, isRegion } from '../core/regions.js';
import type { WireRequest, WireResponse } from '../protocol/codec.js';
import { toPathStyle } from '../protocol/s3-addressing.js';
import { authorizerFor } from '../services/authz/index.js';
import type { LoadedService } from '../services/registry.js';
import { findBucket } from '../services/s3/buckets.js';
import { checkPostPolicy, expandFilename, fieldMap, parsePostPolicy, sizeRange, type PostPolicy } from '../services/s3/post-policy.js';
import { checkPostWrite, postAnswer, postInput, storePostUpload } from '../services/s3/post-upload.js';
import type { RequestContext } from '../services/types.js';
import type { Tx } from '../store/types.js';
import type { ServerDeps } from './context.js';
import { ClientGone, isClientAbort, writeResponse } from './http-io.js';
import { bodyTimedOut } from './limits.js';
import type { Route } from './route.js';

/** S3's bound on the form fields before the file. */
export const MAX_PRE_DATA_BYTES = 20_480;

const ANONYMOUS: Principal = { kind: 'anonymous', account: '', arn: '*', userId: 'anonymous' };

/** A POST to a bucket itself (no key, no subresource) that S3 routing found: an upload form. */
export function isPostUpload(wire: WireRequest, r: Route | undefined): boolean {
  if (wire.method !== 'POST' || wire.query !== '' || r?.entry.name !== 's3' || r.json || r.cbor) return false;
  return /^\/[^/]+\/?$/.test(toPathStyle(wire.host, wire.path).path);
}

const malformedPost = (): AwsError =>
  new AwsError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', 400);

interface FormFile { stream: Readable; filename: string | undefined }

/** A form being read: its fields up to the file, the file, and the end of the whole form. */
interface Form {
  fields: Array<[string, string]>;
  /** Settles when the file part starts (or the form ends without one). */
  head: Promise<FormFile | undefined>;
  /** Settles when the whole form has been read, or fails. */
  done: Promise<void>;
  /** Stops parsing; whatever the client still sends is read and dropped. */
  abandon(): void;
}

function readForm(req: IncomingMessage, contentType: string, timeoutMs: number): Form {
  let bb: BusboyInstance;
  try {
    bb = Busboy({
      headers: { 'content-type': contentType },
      preservePath: true,
      // The file is the part named `file`, with or without a filename; every other part is a field.
      isPartAFile: (name) => name?.toLowerCase() === 'file',
      limits: { fieldNameSize: 1024, fieldSize: MAX_PRE_DATA_BYTES + 1, fields: 1000, files: 1, parts: 2000, headerPairs: 100 },
    });
  } catch {
    throw malformedPost();
  }
  const fields: Array<[string, string]> = [];
  let pre = 0;
  let file: FormFile | undefined;
  let settleHead!: { ok: (f: FormFile | undefined) => void; fail: (e: unknown) => void };
  let settleDone!: { ok: () => void; fail: (e: unknown) => void };
  const head = new Promise<FormFile | undefined>((ok, fail) => { settleHead = { ok, fail }; });
  const done = new Promise<void>((ok, fail) => { settleDone = { ok, fail }; });
  head.catch(() => {});
  done.catch(() => {});
  const timer = setTimeout(() => fail(bodyTimedOut(true, timeoutMs)), timeoutMs);
  timer.unref();
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    clearTimeout(timer);
    settleHead.fail(err);
    settleDone.fail(err);
    if (file && !file.stream.destroyed) file.stream.destroy(err as Error);
  };
  bb.on('field', (name, value, nameTruncated, valueTruncated) => {
    if (file) return;
    pre += Buffer.byteLength(name) + Buffer.byteLength(value);
    if (nameTruncated || valueTruncated || pre > MAX_PRE_DATA_BYTES) {
      fail(new AwsError('MaxPostPreDataLengthExceeded', 'Your POST request fields preceeding the upload file was too large.', 400, {
        fields: { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA_BYTES) },
      }));
      return;
    }
    fields.push([name, value]);
  });
  bb.on('file', (_name, stream, filename) => {
    // One file; any later one is read and dropped with the fields after the first.
    if (file) { stream.resume(); return; }
    clearTimeout(timer);
    // Listened to at once: the file may fail (a form cut short) before anyone reads it.
    stream.on('error', (e: unknown) => fail(isClientAbort(e) ? e : malformedPost()));
    file = { stream, filename };
    settleHead.ok(file);
  });
  bb.on('finish', () => {
    clearTimeout(timer);
    settleHead.ok(undefined);
    settleDone.ok();
  });
  bb.on('error', () => fail(malformedPost()));
  const onClose = () => { if (!req.complete) fail(new ClientGone()); };
  req.on('close', onClose);
  req.on('error', (e) => fail(new ClientGone(e)));
  req.pipe(bb);
  return {
    fields, head, done,
    abandon: () => {
      clearTimeout(timer);
      req.unpipe(bb);
      req.off('close', onClose);
      req.on('error', () => {});
      file?.stream.on('error', () => {});
      req.resume();
    },
  };
}

/** ctx.tx outside a transaction: any use is a bug. */
const NO_TX: Tx = new Proxy({} as Tx, {
  get: (_t, name) => () => { throw new Error(`ctx.tx.${String(name)} outside a transaction: use ctx.transact`); },
});

/** One upload form, answered in full (success or S3's XML error). */
export async function handlePostUpload(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  const s3 = await deps.registry.get('s3');
  let form: Form | undefined;
  let response: WireResponse;
  try {
    response = await upload(deps, s3, wire, req, requestId, (f) => { form = f; });
  } catch (err) {
    if (isClientAbort(err) && (req.destroyed || !req.complete || res.destroyed)) {
      deps.log.debug('client disconnected', { requestId, method: wire.method, path: wire.path, reason: (err as Error).message });
      res.destroy();
      return;
    }
    (form as Form | undefined)?.abandon();
    const awsErr = asAwsError(err, (stack) => deps.log.error('internal failure', { requestId, method: wire.method, path: wire.path, stack }));
    response = s3.codec.serializeError(s3.model, awsErr, { requestId });
  }
  await writeResponse(res, response);
}

async function upload(deps: ServerDeps, s3: LoadedService, wire: WireRequest, req: IncomingMessage, requestId: string, started: (f: Form) => void): Promise<WireResponse> {
  const contentType = wire.headers['content-type'] ?? '';
  if (!/^multipart\/form-data(?:[;\s]|$)/i.test(contentType)) {
    throw new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
      fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' },
    });
  }
  const addressed = toPathStyle(wire.host, wire.path);
  const segment = addressed.path.split('/')[1]!;
  let bucket = segment;
  try { bucket = decodeURIComponent(segment); } catch { /* a name with a stray '%' names no bucket */ }
  const form = readForm(req, contentType, deps.limits.bodyTimeoutMs);
  started(form);
  const file = await form.head;
  const fields = form.fields.map(([n, v]): [string, string] => [n, expandFilename(v, file?.filename)]);
  const values = fieldMap(fields);
  const get = (name: string) => values.get(name);
  if (get('key') === undefined) {
    throw new AwsError('InvalidArgument', "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 400, {
      fields: { ArgumentName: 'key', ArgumentValue: '' },
    });
  }
  const auth = postIsSigned(get) ? postAuthFields(get) : undefined;
  if (!file) {
    throw new AwsError('InvalidArgument', 'POST requires exactly one file upload per request.', 400, { fields: { ArgumentName: 'file', ArgumentValue: '0' } });
  }
  const input = postInput(bucket, values);
  const formWire: WireRequest = { ...wire, path: addressed.path, headers: input.headers, body: Buffer.alloc(0) };
  let inTx = false;
  const context = (tx: Tx, principal: Principal, region: string): RequestContext => ({
    requestId, service: 's3', operation: 'PutObject', account: principal.account, region,
    scope: { account: principal.account, region }, principal, clock: deps.clock, tx, blobs: deps.blobs, log: deps.log,
    wire: formWire, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', responseHeaders: {},
    transact: (fn) => {
      if (inTx) throw new Error('s3 POST: ctx.transact inside its own transaction would wait for itself');
      return deps.store.transaction(fn);
    },
    afterCommit: (fn) => { void Promise.resolve().then(fn).catch((e: unknown) => deps.log.warn('after-commit step failed', { requestId, error: String(e) })); },
  });
  let policy: PostPolicy | undefined;
  const ctx = await deps.store.transaction(async (tx) => {
    inTx = true;
    try {
      const nowMs = deps.clock.nowMs();
      let principal = ANONYMOUS;
      let region = DEFAULT_REGION;
      if (auth) {
        const verified = verifyPostSignature(auth, {
          lookup: credentialLookup(tx, nowMs), nowMs, isValidRegion: isRegion, expectedRegion: findBucket(tx, bucket)?.bucket.region,
        });
        principal = verified.credential.principal;
        region = verified.region;
        policy = parsePostPolicy(auth.policy);
        checkPostPolicy(policy, { fields, bucket }, nowMs);
      }
      const c = context(tx, principal, region);
      if (deps.iam !== 'off') await authorizerFor(deps).authorize(s3, input, c);
      checkPostWrite(tx, c, input);
      return c;
    } finally {
      inTx = false;
    }
  });
  // A form that arrived whole and cut short (as one TLS record may bring it) has failed its file
  // already, before anything reads it: answer that failure instead of waiting on the stream.
  if (file.stream.errored) throw file.stream.errored;
  const stored = await storePostUpload({ ...ctx, tx: NO_TX }, input, file.stream, sizeRange(policy), form.done);
  const op = s3.model.operation('PutObject')!;
  const headers = s3.codec.serializeOutput(s3.model, op, stored.output, { requestId }).headers;
  const host = wire.headers['host'] ?? wire.host;
  const objectUrl = `http://${host}${addressed.bucketFromHost !== undefined ? '' : `/${encodeURIComponent(bucket)}`}/${encodeURIComponent(input.Key)}`;
  deps.log.debug('s3 POST upload stored', { requestId, bucket, key: input.Key, size: stored.version.size });
  return postAnswer(input, stored, headers, objectUrl);
}
