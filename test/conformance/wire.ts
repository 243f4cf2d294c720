/**
 * The in-process "network" between an official client and cloudlet's codecs: the SDK's
 * HttpRequest becomes the WireRequest the edge would build, and a WireResponse becomes the
 * HttpResponse Node's HTTP handler would give the SDK (lower-case header names, a body stream).
 */
import { Readable } from 'node:stream';
import { buildQueryString, HttpResponse } from '@smithy/core/protocols';
import type { WireRequest, WireResponse } from '../../src/protocol/codec.js';

export interface SdkHttpRequest {
  method: string;
  hostname: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A view, not a copy through valueOf(): the SDK's JSON body is a Uint8Array subclass.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer | string | Uint8Array>) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
    return Buffer.concat(chunks);
  }
  throw new Error(`unsupported request body ${Object.prototype.toString.call(body)}`);
}

export async function toWireRequest(req: SdkHttpRequest): Promise<WireRequest> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = String(v);
  return {
    method: req.method,
    path: req.path,
    query: buildQueryString(req.query ?? {}),
    headers,
    body: await bodyBytes(req.body),
    host: req.hostname,
  };
}

export function toHttpResponse(res: WireResponse): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = v;
  const body = res.body instanceof Readable ? res.body : Readable.from([res.body]);
  return new HttpResponse({ statusCode: res.status, headers, body });
}

/** Reads a streaming output member (S3 GetObject Body) the way callers do. */
export async function drain(v: unknown): Promise<Buffer> {
  const s = v as { transformToByteArray?: () => Promise<Uint8Array> };
  if (typeof s?.transformToByteArray === 'function') return Buffer.from(await s.transformToByteArray());
  return bodyBytes(v);
}
