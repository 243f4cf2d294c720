/**
 * Canonical-request building blocks, computed from the request exactly as it arrived on the wire
 * (raw path, raw query, lower-cased headers), so that the bytes the client signed are re-derived
 * rather than re-serialised from a parsed form.
 */
import type { WireRequest } from '../protocol/codec.js';

const hexByte = (b: number): string => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** RFC 3986 encoding as SigV4 wants it: all but A-Z a-z 0-9 - _ . ~ become upper-case %XX. */
export function uriEncode(s: string): string {
  try {
    return encodeURIComponent(s).replace(/[!'()*]/g, (c) => hexByte(c.charCodeAt(0)));
  } catch {
    // Lone surrogates make encodeURIComponent throw; encode the UTF-8 bytes (U+FFFD) instead.
    let out = '';
    for (const b of Buffer.from(s, 'utf8')) {
      const c = String.fromCharCode(b);
      out += /[A-Za-z0-9\-_.~]/.test(c) ? c : hexByte(b);
    }
    return out;
  }
}

/** Percent-decoding that never throws: undefined when the text is not valid %-encoded UTF-8. */
export function tryDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export interface QueryPair {
  key: string;
  value: string;
}

/**
 * Splits a raw query string into decoded pairs. '+' stays a literal plus (RFC 3986, as every AWS
 * SDK encodes a space as %20); text that is not valid %-encoding is kept as written.
 */
export function parseQuery(raw: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push({ key: tryDecode(k) ?? k, value: tryDecode(v) ?? v });
  }
  return pairs;
}

/** Sorted by encoded key, then encoded value; X-Amz-Signature never signs itself. */
export function canonicalQuery(pairs: QueryPair[]): string {
  const enc: Array<[string, string]> = [];
  for (const p of pairs) {
    if (p.key.toLowerCase() === 'x-amz-signature') continue;
    enc.push([uriEncode(p.key), uriEncode(p.value)]);
  }
  enc.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return enc.map(([k, v]) => `${k}=${v}`).join('&');
}

/** RFC 3986 dot-segment removal plus empty-segment collapse, as the SDK signers normalise. */
function normalizeSegments(path: string, segments: string[]): string {
  const out: string[] = [];
  for (const seg of segments) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = out.length > 0 && path.endsWith('/') ? '/' : '';
  return lead + out.join('/') + trail;
}

/**
 * The canonical URIs the client may have signed, most likely first.
 *
 * Non-S3: signers normalise the path they send and encode it once more ("double encoding"), so
 * the primary form is uriEncode(raw) per segment; the fallback decodes first and encodes twice,
 * for clients that sent characters raw which they encoded when signing.
 * S3: signers use the path as sent, without normalisation; the fallback re-encodes each decoded
 * segment once, which is what the S3 documentation describes.
 */
export function canonicalPaths(rawPath: string, s3: boolean): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  const segments = path.split('/');
  const decoded = segments.map(tryDecode);
  const allDecoded = decoded.every((d) => d !== undefined);
  const out: string[] = [];
  if (s3) {
    out.push(path);
    if (allDecoded) out.push((decoded as string[]).map(uriEncode).join('/'));
  } else {
    out.push(normalizeSegments(path, segments).split('/').map(uriEncode).join('/'));
    if (allDecoded) {
      const norm = normalizeSegments(path, decoded as string[]);
      out.push(norm.split('/').map((s) => uriEncode(uriEncode(s))).join('/'));
    }
  }
  return [...new Set(out)];
}

/** A header value as it is signed: whitespace runs collapsed to one space, ends trimmed. */
export const canonicalHeaderValue = (v: string): string => v.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '');

/** An own header (the headers object is a plain record: 'constructor' must not resolve). */
export function headerOf(req: WireRequest, name: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(req.headers, name)) return undefined;
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** The canonical-headers block (each line newline-terminated), in the order the client listed. */
export function canonicalHeaders(req: WireRequest, signed: string[]): string {
  let out = '';
  for (const name of signed) {
    const v = headerOf(req, name) ?? (name === 'host' ? req.host : '');
    out += `${name}:${canonicalHeaderValue(v)}\n`;
  }
  return out;
}

export const canonicalRequest = (
  method: string,
  uri: string,
  query: string,
  headers: string,
  signed: string[],
  payloadHash: string,
): string => `${method}\n${uri}\n${query}\n${headers}\n${signed.join(';')}\n${payloadHash}`;
