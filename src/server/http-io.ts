import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobReadStream } from '../store/blob-stream.js';
import { AwsError } from '../core/errors.js';
import type { WireRequest, WireResponse } from '../protocol/codec.js';

/** The request line and headers as codecs expect them; the body comes later. */
export function toWire(req: IncomingMessage): WireRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const hostHeader = headers['host'] ?? '';
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers,
    body: Buffer.alloc(0),
    host: stripPort(hostHeader).toLowerCase(),
    secure: (req.socket as { encrypted?: boolean }).encrypted === true,
  };
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i < 0 ? host : host.slice(0, i);
}

/** How much of a body may be buffered, and what to answer past each bound. */
export interface BodyLimits {
  maxBytes: number;
  /** A share of the server-wide body budget; the body is refused when it cannot grow. */
  lease?: { take(n: number): boolean };
  overloaded?: () => AwsError;
  /** The whole body must arrive within this time. */
  timeoutMs?: number;
  timedOut?: () => AwsError;
  tooLarge?: (max: number) => AwsError;
}

/** The client went away (reset, closed, aborted) before its request was complete. */
export class ClientGone extends Error {
  constructor(cause?: unknown) {
    super(`client disconnected: ${(cause as Error)?.message ?? 'closed'}`);
    this.name = 'ClientGone';
  }
}

const ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/** Whether an error only means the client hung up (logged at debug level, never as a failure). */
export function isClientAbort(err: unknown): boolean {
  if (err instanceof ClientGone) return true;
  const e = err as NodeJS.ErrnoException | undefined;
  return Boolean(e && (ABORT_CODES.has(e.code ?? '') || e.message === 'aborted'));
}

/**
 * Buffers the body up to a limit; past it the request is refused, not truncated. A declared
 * Content-Length is checked (and taken from the budget) before a byte is read, and such a body
 * goes straight into one buffer of that size.
 */
export function readBody(req: IncomingMessage, limit: number | BodyLimits): Promise<Buffer> {
  const o: BodyLimits = typeof limit === 'number' ? { maxBytes: limit } : limit;
  const tooLargeErr = () => (o.tooLarge ?? tooLarge)(o.maxBytes);
  const raw = req.headers['content-length'];
  const declared = raw === undefined ? undefined : Number(raw);
  if (declared !== undefined && declared > o.maxBytes) return refuse(req, tooLargeErr());
  if (declared !== undefined && o.lease && !o.lease.take(declared)) return refuse(req, o.overloaded?.() ?? tooLargeErr());
  if (req.readableEnded || declared === 0) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise<Buffer>((ok, fail) => {
    const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = o.timeoutMs ? setTimeout(() => done(o.timedOut?.() ?? new ClientGone()), o.timeoutMs) : undefined;
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > o.maxBytes) return done(tooLargeErr());
      if (!whole && o.lease && !o.lease.take(chunk.length)) return done(o.overloaded?.() ?? tooLargeErr());
      if (whole) chunk.copy(whole, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => done(undefined);
    const onError = (err: unknown) => done(new ClientGone(err));
    const onClose = () => { if (!req.complete) done(new ClientGone()); };
    function done(err: Error | undefined): void {
      if (timer) clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (err) {
        // Whatever else arrives is read and dropped; the answer closes the connection.
        req.on('error', () => {});
        req.resume();
        fail(err);
        return;
      }
      ok(whole ? whole.subarray(0, size) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    }
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function refuse(req: IncomingMessage, err: AwsError): Promise<never> {
  req.on('error', () => {});
  req.resume();
  return Promise.reject(err);
}

function tooLarge(max: number): AwsError {
  return new AwsError('RequestEntityTooLarge', `Request body exceeds the maximum allowed size of ${max} bytes`, 413);
}

/** How long a connection answered before its body was read keeps draining what the client still sends. */
const LINGER_MS = 2000;

/**
 * Closing a socket while the client is still sending makes the kernel answer its next bytes
 * with a reset, and a reset makes the client drop the answer it has not read yet (a 503 or 413
 * becomes "connection reset"). So, as web servers do ("lingering close"), send FIN after the
 * answer, keep reading and discarding for a while, and close once the client is done or the
 * linger time is up.
 */
function lingerAfterAnswer(res: ServerResponse): void {
  const socket = res.socket as (NonNullable<ServerResponse['socket']> & { destroySoon?: () => void }) | null;
  if (!socket || typeof socket.destroySoon !== 'function') return;
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
  };
}

export async function writeResponse(res: ServerResponse, r: WireResponse): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  // Codecs name headers as the models spell them (Content-Length); HTTP does not care, but one
  // spelling keeps a header from being sent twice.
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  // A request answered before its body was read (refused, over a limit) ends its connection,
  // so the client cannot keep sending into it.
  if (res.req && !res.req.complete) {
    headers['connection'] = 'close';
    lingerAfterAnswer(res);
  }
  if (Buffer.isBuffer(r.body)) {
    headers['content-length'] ??= String(r.body.length);
    res.writeHead(r.status, headers);
    res.end(r.body);
    return;
  }
  res.writeHead(r.status, headers);
  try {
    if (r.body instanceof BlobReadStream && r.body.sendable) await r.body.sendTo(res);
    else await pipeline(r.body as Readable, res);
  } catch {
    // The client went away mid-body; nothing to answer.
    res.destroy();
  }
}
