import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, asAwsError, isAwsError, notImplemented } from '../core/errors.js';
import { DEFAULT_REGION, isRegion } from '../core/regions.js';
import { authError } from '../auth/auth-errors.js';
import { credentialLookup } from '../auth/credentials.js';
import type { Principal } from '../auth/principal.js';
import { SigV4Error, verify } from '../auth/sigv4.js';
import type { ProtocolCodec, WireRequest, WireResponse } from '../protocol/codec.js';
import { toPathStyle } from '../protocol/s3-addressing.js';
import { writeXmlText } from '../protocol/xml-text.js';
import type { Operation } from '../protocol/model-types.js';
import type { LoadedService } from '../services/registry.js';
import type { RequestContext, Signing } from '../services/types.js';
import type { Tx } from '../store/types.js';
import { authorizerFor } from '../services/authz/index.js';
import { handleAdmin, isAdminPath } from './admin.js';
import { handlePostUpload, isPostUpload } from './s3-post.js';
import { handleRegistry, isRegistryPath } from './registry-door.js';
import type { ServerDeps } from './context.js';
import { corsHeaders, crossSiteRequest, hostRefusal, isPreflight, preflightHeaders, siteOf, type CorsGrant, type SiteVerdict } from './guard.js';
import { isClientAbort, readBody, toWire, writeResponse, type BodyLimits } from './http-io.js';
import { bodyCap, bodyTimedOut, bodyTooLarge, looksSigned, overloaded } from './limits.js';
import { route, type Route } from './route.js';

type Family = 'query' | 'ec2' | 'rest-xml' | 'json' | 'rest-json';

/** STS calls that carry their own proof of identity (a token or assertion) instead of a signature. */
const UNSIGNED_OPERATIONS = new Set(['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML']);

const ANONYMOUS: Principal = { kind: 'anonymous', account: '', arn: '*', userId: 'anonymous' };

/**
 * One request, start to finish. The steps, in order:
 *   Host served? (guard.ts) -> cross-site browser request? -> admin paths -> registry (/v2/) -> route to a service
 *   -> body (buffered within limits.ts's bounds, or streamed for S3 payloads)
 *   -> resolve the operation -> [transaction: authenticate -> decode input -> authorize -> handler]
 *   -> encode output or error.
 */
export async function handleRequest(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const wire = toWire(req);
  // A foreign Host (DNS rebinding) gets a refusal and nothing else: in JSON on the admin API, in
  // the shape of the protocol the request speaks elsewhere (below), so an SDK shows the message.
  const badHost = hostRefusal(deps.guard, req.headers.host);
  if (badHost && isAdminPath(wire.path)) return refuseAsJson(res, 403, 'HostNotServed', badHost);
  const site = siteOf(deps.guard, wire.headers);
  if (isAdminPath(wire.path)) {
    // No resource CORS rules reach the admin API: pages on this machine only (any page with --allow-cross-site).
    if (site.cross) return refuseAsJson(res, 403, 'CrossSiteRequestRefused', crossSiteMessage(site.reason, 'the admin API'));
    if (site.origin) setHeaders(res, corsHeaders(site.origin));
    if (isPreflight(wire.method, wire.headers)) return answerPreflight(res, site.origin!, wire);
    await handleAdmin(deps, wire, req, res);
    return;
  }
  if (isRegistryPath(wire.path)) {
    // The ECR registry: container tools, never pages (no CORS rules reach it).
    if (badHost) return refuseAsJson(res, 403, 'HostNotServed', badHost);
    if (site.cross) return refuseAsJson(res, 403, 'CrossSiteRequestRefused', crossSiteMessage(site.reason, 'the registry'));
    return await handleRegistry(deps, wire, req, res, requestId);
  }
  let service: LoadedService | undefined;
  let codec: ProtocolCodec | undefined;
  let operation: Operation | undefined;
  let response: WireResponse;
  // The route known before the body is read: it gives early refusals their protocol's shape.
  let early: Route | undefined;
  try {
    let r = route(wire, deps.registry.catalog);
    early = r;
    if (badHost) throw new AwsError('HostNotServed', badHost, 403);
    const grant = await crossSiteGate(deps, wire, site, r);
    if (site.origin) setHeaders(res, corsHeaders(site.origin, grant));
    if (isPreflight(wire.method, wire.headers)) return answerPreflight(res, site.origin!, wire, grant);
    // S3 POST Object (browser upload forms) is no operation of the model: its own front door.
    if (isPostUpload(wire, r)) return await handlePostUpload(deps, wire, req, res, requestId);
    if (r?.entry.protocol === 'rest-xml' && !r.json) {
      service = await deps.registry.get(r.entry.name);
      const op = tryResolve(service.codec, { ...wire, path: toPathStyle(wire.host, wire.path).path }, service);
      if (op && isStreamingInput(service, op)) wire.bodyStream = req;
    }
    if (!wire.bodyStream) {
      wire.body = await readBody(req, bodyLimits(deps, wire, res, r?.entry.protocol === 'rest-xml' && !r.json && !r.cbor));
      r = route(wire, deps.registry.catalog);
    }
    if (!r) throw new AwsError('UnknownService', 'cloudlet could not tell which service this request is for', 400);
    service = await deps.registry.get(r.entry.name);
    codec = r.cbor ? service.cborCodec! : r.json ? service.jsonCodec! : service.codec;
    // Auth errors in CBOR take the JSON services' codes.
    const family: Family = r.json || r.cbor ? 'json' : r.entry.protocol;
    // Virtual-hosted S3 (bucket.s3.localhost) is decoded as path style; the signature was
    // made over the request as sent, so authentication keeps the original.
    const decoded = family === 'rest-xml' ? { ...wire, path: toPathStyle(wire.host, wire.path).path } : wire;
    const opName = codec.resolveOperation(decoded, service.model);
    operation = service.model.operation(opName)!;
    const svc = service;
    const op = operation;
    const outside = svc.def.outside?.has(opName) ?? false;
    const after: Array<() => void | Promise<void>> = [];
    let inTx = false;
    // Decoding is pure, so it happens before the transaction; its error is reported after
    // authentication, in AWS's order.
    let parsed: { input: unknown } | { error: unknown };
    try {
      parsed = { input: codec.parseInput(decoded, svc.model, op) };
    } catch (error) {
      parsed = { error };
    }
    const prepare = svc.def.prepare?.[opName];
    if (prepare && 'input' in parsed) {
      await prepare(parsed.input, { store: deps.store, clock: deps.clock }).catch((e: unknown) => deps.log.debug('prepare step failed', { requestId, error: String(e) }));
    }
    const run = async (tx: Tx): Promise<{ context: RequestContext; input: unknown; output: unknown }> => {
      const auth = authenticate(deps, wire, tx, family, `${svc.entry.name}:${opName}`);
      if ('error' in parsed) throw parsed.error;
      const input = parsed.input;
      const region = requestRegion(wire) ?? DEFAULT_REGION;
      const principal = auth.principal;
      const account = principal.account;
      const context: RequestContext = {
        requestId, service: svc.entry.name, operation: opName, account, region,
        scope: { account, region: svc.def.global ? '' : region },
        principal, clock: deps.clock, tx, blobs: deps.blobs, log: deps.log, wire,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1', responseHeaders: {},
        transact: (fn) => {
          if (inTx) throw new Error(`${opName}: ctx.transact inside the request's own transaction would wait for itself`);
          return deps.store.transaction(fn);
        },
        afterCommit: (fn) => { after.push(fn); },
        signing: auth.signing,
        vulnDb: deps.vulnDb,
      };
      if (deps.iam !== 'off') await authorize(deps, svc, input, context);
      const handler = svc.def.handlers[opName];
      if (!handler) throw notImplemented(svc.entry.name, opName);
      // An outside handler runs after this transaction commits (below).
      return { context, input, output: outside ? undefined : await handler(input, context) };
    };
    let ctx: { context: RequestContext; output: unknown };
    if (outside) {
      // Short transaction for who and what; the handler streams outside the lock.
      const first = await deps.store.transaction(async (tx) => {
        inTx = true;
        try { return await run(tx); } finally { inTx = false; }
      });
      const context: RequestContext = { ...first.context, tx: NO_TX };
      ctx = { context, output: await svc.def.handlers[opName]!(first.input, context) };
    } else {
      ctx = await deps.store.transaction(async (tx) => {
        inTx = true;
        try { return await run(tx); } finally { inTx = false; }
      });
    }
    for (const fn of after) await Promise.resolve().then(fn).catch((e: unknown) => deps.log.warn('after-commit step failed', { requestId, error: String(e) }));
    response = codec.serializeOutput(service.model, operation, ctx.output, { requestId });
    Object.assign(response.headers, ctx.context.responseHeaders);
    if (ctx.context.responseStatus !== undefined) response.status = ctx.context.responseStatus;
  } catch (err) {
    if (isClientAbort(err) && (req.destroyed || !req.complete || res.destroyed)) {
      deps.log.debug('client disconnected', { requestId, method: wire.method, path: wire.path, reason: (err as Error).message });
      res.destroy();
      return;
    }
    if (!codec && early && isAwsError(err)) {
      // Refused before the body: answer in the shape of the service the request was headed for.
      ({ service, codec } = await codecFor(deps, early).catch(() => ({ service: undefined, codec: undefined })));
    }
    response = errorResponse(deps, err, requestId, wire, service, codec, operation);
  }
  if (wire.method === 'HEAD' && Buffer.isBuffer(response.body)) response.body = Buffer.alloc(0);
  await writeResponse(res, response);
}

async function codecFor(deps: ServerDeps, r: Route): Promise<{ service: LoadedService; codec: ProtocolCodec }> {
  const service = await deps.registry.get(r.entry.name);
  return { service, codec: r.cbor ? service.cborCodec! : r.json ? service.jsonCodec! : service.codec };
}

/**
 * Limits for buffering this request's body: the server-wide budget (the lease goes back when the
 * response is done), the per-request cap (small for unsigned requests, so a client without even
 * the shape of a signature cannot make the server hold megabytes), and a deadline.
 */
function bodyLimits(deps: ServerDeps, wire: WireRequest, res: ServerResponse, s3: boolean): BodyLimits {
  const lease = deps.bodyBudget.lease();
  res.once('close', () => lease.release());
  const signed = looksSigned(wire.headers, wire.query);
  return {
    maxBytes: bodyCap(deps.limits, signed),
    lease,
    overloaded: () => {
      const refusals = deps.bodyBudget.refused(Date.now());
      if (refusals) deps.log.warn('request bodies refused: body budget spent', { refusals, usedBytes: deps.bodyBudget.used, budgetBytes: deps.bodyBudget.totalBytes });
      return overloaded(s3, deps.bodyBudget);
    },
    timeoutMs: deps.limits.bodyTimeoutMs,
    timedOut: () => bodyTimedOut(s3, deps.limits.bodyTimeoutMs),
    tooLarge: (max) => bodyTooLarge(max, signed),
  };
}

/**
 * Cross-site requests to AWS APIs are refused unless a resource's CORS rules (S3 bucket CORS,
 * through `deps.corsPolicy`) grant the origin; the grant then shapes the CORS headers.
 */
async function crossSiteGate(deps: ServerDeps, wire: WireRequest, site: SiteVerdict, r: Route | undefined): Promise<CorsGrant | undefined> {
  if (!site.cross) return undefined;
  const family: Family = !r ? 'rest-xml' : r.json || r.cbor ? 'json' : r.entry.protocol;
  const grant = family === 'rest-xml' && site.origin && deps.corsPolicy
    ? await deps.corsPolicy(crossSiteRequest(wire.method, wire.host, wire.path, wire.headers))
    : undefined;
  if (grant) return grant;
  const code = family === 'json' || family === 'rest-json' ? 'AccessDeniedException' : family === 'ec2' ? 'UnauthorizedOperation' : 'AccessDenied';
  throw new AwsError(code, crossSiteMessage(site.reason, 'AWS APIs'), 403);
}

function crossSiteMessage(reason: string, what: string): string {
  return `cloudlet refuses cross-site browser requests to ${what}: ${reason}. ` +
    'Start cloudlet with --allow-cross-site (CLOUDLET_ALLOW_CROSS_SITE=1) to serve pages on other sites.';
}

function answerPreflight(res: ServerResponse, origin: string, wire: WireRequest, grant?: CorsGrant): void {
  res.writeHead(200, preflightHeaders(origin, wire.headers, grant));
  res.end();
}

function setHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}

/** Refusals that must tell a page nothing: a fixed JSON message, and the connection ends. */
function refuseAsJson(res: ServerResponse, status: number, error: string, message: string): void {
  const body = Buffer.from(`${JSON.stringify({ error, message })}\n`);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.length) };
  if (!res.req?.complete) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function tryResolve(codec: ProtocolCodec, wire: WireRequest, service: LoadedService): Operation | undefined {
  try {
    return service.model.operation(codec.resolveOperation(wire, service.model));
  } catch {
    return undefined;
  }
}

function isStreamingInput(service: LoadedService, op: Operation): boolean {
  if (!op.input) return false;
  const input = service.model.resolve(op.input);
  const payload = input.payload ? input.members?.[input.payload] : undefined;
  return Boolean(payload && service.model.resolve(payload).streaming);
}

/** The region of the credential scope, if the request is signed. */
function requestRegion(wire: WireRequest): string | undefined {
  const auth = wire.headers['authorization'];
  const m = auth ? /Credential=[^/\s,]+\/\d{8}\/([^/\s,]+)\//.exec(auth) : /(?:^|&)X-Amz-Credential=[^&%]+(?:%2F|\/)\d{8}(?:%2F|\/)([^&%/]+)/i.exec(wire.query);
  return m?.[1];
}

/** Signature Version 2: S3 stopped accepting it; cloudlet says so rather than treating it as anonymous. */
function isSigV2(wire: WireRequest): boolean {
  return /^AWS [^:\s]+:/.test(wire.headers['authorization'] ?? '') || (/(?:^|&)AWSAccessKeyId=/.test(wire.query) && /(?:^|&)Signature=/.test(wire.query));
}

/** IAM enforcement (src/services/authz): throws the service's access-denied error; `--iam off` skips it. */
function authorize(deps: ServerDeps, svc: LoadedService, input: unknown, ctx: RequestContext): Promise<void> | undefined {
  return authorizerFor(deps).authorize(svc, input, ctx);
}

/** ctx.tx of a handler that runs outside the lock: any use is a bug in that handler. */
const NO_TX: Tx = new Proxy({} as Tx, {
  get: (_t, name) => () => { throw new Error(`ctx.tx.${String(name)} outside a transaction: use ctx.transact`); },
});

function authenticate(deps: ServerDeps, wire: WireRequest, tx: Tx, family: Family, action: string): { principal: Principal; signing?: Signing } {
  if (family === 'rest-xml' && isSigV2(wire)) {
    throw new AwsError('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.', 400);
  }
  const signed = Boolean(wire.headers['authorization']) || /(?:^|&)X-Amz-Signature=/.test(wire.query);
  if (!signed && (family === 'rest-xml' || UNSIGNED_OPERATIONS.has(action))) return { principal: ANONYMOUS };
  try {
    const result = verify(wire, {
      lookup: credentialLookup(tx, deps.clock.nowMs()),
      nowMs: deps.clock.nowMs(),
      realNowMs: Date.now(),
      isValidRegion: isRegion,
      s3: family === 'rest-xml',
    });
    const signing: Signing = {
      payloadHash: result.payloadHash, seedSignature: result.seedSignature, signingKey: result.signingKey,
      amzDate: result.amzDate, scope: result.scope, presigned: result.presigned,
    };
    if (result.chunked) signing.chunked = result.chunked;
    return { principal: result.credential.principal, signing };
  } catch (err) {
    if (err instanceof SigV4Error) throw authError(err.failure, family, err.message);
    throw err;
  }
}

function errorResponse(
  deps: ServerDeps, err: unknown, requestId: string, wire: WireRequest,
  service: LoadedService | undefined, codec: ProtocolCodec | undefined, operation: Operation | undefined,
): WireResponse {
  const awsErr = asAwsError(err, (stack) => deps.log.error('internal failure', { requestId, method: wire.method, path: wire.path, stack }));
  if (service && codec) return codec.serializeError(service.model, awsErr, { requestId }, operation);
  // No service to speak for: answer in the generic query/XML error shape.
  const body = writeXmlText({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    ErrorResponse: { Error: { Type: awsErr.sender ? 'Sender' : 'Receiver', Code: awsErr.code, Message: awsErr.message }, RequestId: requestId },
  });
  return { status: awsErr.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: Buffer.from(body) };
}
