/**
 * The cryptographic pieces of SigV4 shared by request and chunk verification: hashing, the
 * signing-key chain, constant-time comparison, and the error type every failure is reported as.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type AuthFailure =
  | 'missing' // no Authorization header and no presigned query parameters
  | 'malformed' // Authorization / X-Amz-Credential unparsable, missing SignedHeaders, bad date
  | 'unknown-key' // the lookup returned undefined
  | 'inactive-key'
  | 'signature' // signature mismatch (also: bad aws-chunked framing or chunk signature)
  | 'skew' // request time more than 15 minutes from now
  | 'presign-expired' // presigned URL used after X-Amz-Date + X-Amz-Expires
  | 'presign-bad-expires' // X-Amz-Expires not an integer in 1..604800
  | 'token-missing' // temporary key used without its session token
  | 'token-invalid' // session token differs, or sent with a key that has none
  | 'expired-token' // temporary credential past principal.expiresAt
  | 'bad-region' // the scope's region is not one the caller accepts
  | 'payload-hash'; // x-amz-content-sha256 does not match the body (or is not a valid value)

/** What a caller may show the client about a signature mismatch (never contains a secret). */
export interface SignatureDetails {
  canonicalRequest: string;
  stringToSign: string;
}

export class SigV4Error extends Error {
  /** Present on 'signature' failures of whole requests: S3 echoes these back to help debugging. */
  details?: SignatureDetails;

  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SigV4Error';
  }
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

const HEX64 = /^[0-9a-f]{64}$/;
export const isSha256Hex = (s: string): boolean => HEX64.test(s);

/**
 * Constant-time equality of two signatures given as lower-case hex. A value that is not 64 hex
 * characters never matches (timingSafeEqual needs equal lengths, and the length is public anyway).
 */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  if (!HEX64.test(providedHex) || !HEX64.test(expectedHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(providedHex, 'hex'));
}

/** Constant-time equality of arbitrary strings (session tokens): hash first so lengths match. */
export function stringsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/*
 * Deriving the key costs four HMACs; clients reuse one key for a day, so a small cache pays.
 * The cache key includes the secret because two credentials may share an access key ID over time
 * (a key deleted and recreated); it lives only in memory and is never logged.
 */
const KEY_CACHE_MAX = 256;
const keyCache = new Map<string, Buffer>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${date}\n${region}\n${service}\n${secret}`;
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, 'aws4_request');
  if (keyCache.size >= KEY_CACHE_MAX) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  keyCache.set(cacheKey, key);
  return key;
}

/** The four-line string to sign of a request. */
export const stringToSign = (amzDate: string, scope: string, canonicalRequest: string): string =>
  `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;

/** `YYYYMMDDTHHMMSSZ` -> Date, or undefined when the text is not a real instant in that form. */
export function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  const date = new Date(ms);
  // Date.UTC rolls 2013-02-30 over to March: round-trip to reject impossible dates.
  if (toAmzDate(date) !== s) return undefined;
  return date;
}

export const toAmzDate = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
