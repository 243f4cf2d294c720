import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  };
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const i = host.lastIndexOf(':');
  return i < 0 ? host : host.slice(0, i);
}

/** Buffers the body up to a limit; past it the request is refused, not truncated. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function tooLarge(max: number): AwsError {
  return new AwsError('RequestEntityTooLarge', `Request body exceeds the maximum allowed size of ${max} bytes`, 413);
}

export async function writeResponse(res: ServerResponse, r: WireResponse): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  const headers = { ...r.headers };
  if (Buffer.isBuffer(r.body)) {
    headers['content-length'] ??= String(r.body.length);
    res.writeHead(r.status, headers);
    res.end(r.body);
    return;
  }
  res.writeHead(r.status, headers);
  try {
    await pipeline(r.body as Readable, res);
  } catch {
    // The client went away mid-body; nothing to answer.
    res.destroy();
  }
}
