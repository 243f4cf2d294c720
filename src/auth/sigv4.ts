/**
 * AWS Signature Version 4 verification, for Authorization-header and presigned-URL requests.
 * Pure: node:crypto only, the clock is passed in, credentials come from a lookup function.
 * Every failure is a SigV4Error naming what went wrong; callers map it to the service's error code.
 */
import type { WireRequest } from '../protocol/codec.js';
import type { Credential, CredentialLookup } from './principal.js';
import {
  ALGORITHM,
  SigV4Error,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
  hmac,
  parseAmzDate,
  sha256Hex,
  signaturesEqual,
  signingKey,
  stringToSign,
  stringsEqual,
  toAmzDate,
} from './sigv4-core.js';
import {
  type QueryPair,
  canonicalHeaders,
  canonicalPaths,
  canonicalQuery,
  canonicalRequest,
  headerOf,
  parseQuery,
} from './sigv4-canonical.js';
import { type ChunkedMode, chunkedMode } from './sigv4-chunked.js';

export { type AuthFailure, type SignatureDetails, SigV4Error, EMPTY_SHA256, UNSIGNED_PAYLOAD, signingKey } from './sigv4-core.js';
export { type ChunkedMode, type ChunkSigningContext, type ChunkVerifierOptions, ChunkVerifier, chunkedMode, createChunkVerifier } from './sigv4-chunked.js';

const SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_S = 604800;

/** What the Authorization header or the presigned query says, before any key is looked up. */
export interface ParsedAuth {
  kind: 'header' | 'query';
  accessKeyId: string;
  /** The credential scope's date, YYYYMMDD. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The request time as signed, YYYYMMDDTHHMMSSZ (from X-Amz-Date, or converted from Date). */
  amzDate: string;
  /** Presigned only: X-Amz-Expires exactly as sent (validated by verify). */
  expires?: string;
  /** x-amz-security-token header or X-Amz-Security-Token parameter, when sent. */
  sessionToken?: string;
}

export interface VerifyOptions {
  lookup: CredentialLookup;
  /** The cloudlet clock: governs credential expiry and presigned-URL expiry. */
  nowMs: number;
  /**
   * Wall-clock time for the 15-minute skew window, since clients sign with their real clock
   * while the cloudlet clock may have been fast-forwarded. Defaults to nowMs.
   */
  realNowMs?: number;
  /** Accepts or rejects the region named in the credential scope ('bad-region' when false). */
  isValidRegion?: (region: string) => boolean;
  /** S3 rules: path used as sent (no normalisation, single encoding), presigned payload UNSIGNED. */
  s3?: boolean;
}

export interface VerifyResult {
  credential: Credential;
  accessKeyId: string;
  region: string;
  service: string;
  /** The signed request time. */
  date: Date;
  amzDate: string;
  /** DATE/REGION/SERVICE/aws4_request */
  scope: string;
  signedHeaders: string[];
  presigned: boolean;
  /** Presigned only: epoch ms after which the URL is no longer valid. */
  expiresAtMs?: number;
  /** The payload hash that was signed: hex, UNSIGNED-PAYLOAD or a STREAMING-* marker. */
  payloadHash: string;
  /** Set when the body is aws-chunked; pass this result to createChunkVerifier. */
  chunked?: ChunkedMode;
  /** The request signature: the seed of an aws-chunked body's signature chain. */
  seedSignature: string;
  signingKey: Buffer;
}

const malformed = (msg: string): SigV4Error => new SigV4Error('malformed', msg);

interface Parsed extends ParsedAuth {
  time: Date;
  pairs: QueryPair[];
}

/** The credential's scope: AKID/YYYYMMDD/region/service/aws4_request. */
function parseCredential(value: string): { accessKeyId: string; date: string; region: string; service: string } {
  const parts = value.split('/');
  if (parts.length !== 5) throw malformed(`Credential should be scoped to a valid region and service: '${value}'.`);
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (!accessKeyId || !region || !service) throw malformed(`Credential should be scoped correctly: '${value}'.`);
  if (!/^\d{8}$/.test(date)) throw malformed(`Invalid credential date '${date}'.`);
  if (terminator !== 'aws4_request') throw malformed(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  return { accessKeyId, date, region, service };
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

function parseSignedHeaders(value: string): string[] {
  const names = value.split(';');
  const seen = new Set<string>();
  for (const n of names) {
    if (!HEADER_NAME.test(n) || seen.has(n)) throw malformed(`Invalid SignedHeaders '${value}'.`);
    seen.add(n);
  }
  // Without host a signature could be replayed against another endpoint; AWS refuses it too.
  if (!seen.has('host')) throw malformed("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  return names;
}

/**
 * The one value of a query parameter; a parameter given twice is ambiguous, so malformed.
 * `anyCase` for parameters signers may hoist from a lower-case header (x-amz-content-sha256).
 */
function single(pairs: QueryPair[], key: string, anyCase = false): string | undefined {
  let found: string | undefined;
  const lower = key.toLowerCase();
  for (const p of pairs) {
    if (anyCase ? p.key.toLowerCase() !== lower : p.key !== key) continue;
    if (found !== undefined) throw malformed(`Query parameter ${key} given more than once.`);
    found = p.value;
  }
  return found;
}

function parseHeaderAuth(value: string): { credential: string; signedHeaders: string; signature: string } {
  const m = /^(\S+)\s+([\s\S]*)$/.exec(value.trim());
  if (!m) throw malformed(`Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`);
  if (m[1] !== ALGORITHM) throw malformed(`Unsupported Authorization Type '${m[1]}'.`);
  const fields = new Map<string, string>();
  for (const part of (m[2] as string).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq).trim();
    if (eq < 0 || !['Credential', 'SignedHeaders', 'Signature'].includes(k) || fields.has(k)) {
      throw malformed(`'${p.slice(0, 64)}' is not a valid key=value pair in the Authorization header.`);
    }
    fields.set(k, p.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed(`Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.`);
  }
  return { credential, signedHeaders, signature };
}

function headerTime(req: WireRequest): { time: Date; amzDate: string } {
  const amz = headerOf(req, 'x-amz-date');
  if (amz !== undefined) {
    const time = parseAmzDate(amz.trim());
    if (!time) throw malformed(`Invalid X-Amz-Date '${amz}': must be in ISO8601 basic format (YYYYMMDDTHHMMSSZ).`);
    return { time, amzDate: amz.trim() };
  }
  const date = headerOf(req, 'date');
  if (date !== undefined) {
    const ms = Date.parse(date);
    const amzDate = Number.isFinite(ms) ? toAmzDate(new Date(ms)) : '';
    const time = parseAmzDate(amzDate);
    if (time) return { time, amzDate };
    throw malformed(`Invalid Date header '${date}'.`);
  }
  throw malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}

/** Full parse with precise failures ('missing' / 'malformed'); no crypto, no lookup. */
function parseStrict(req: WireRequest): Parsed {
  const pairs = parseQuery(req.query);
  const authHeader = headerOf(req, 'authorization');
  const presigned = pairs.some((p) => p.key === 'X-Amz-Algorithm' || p.key === 'X-Amz-Credential' || p.key === 'X-Amz-Signature');
  if (authHeader === undefined && !presigned) throw new SigV4Error('missing', 'Request is missing Authentication Token');
  if (authHeader !== undefined && presigned) {
    throw malformed('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  const headerToken = headerOf(req, 'x-amz-security-token');
  const queryToken = single(pairs, 'X-Amz-Security-Token', true);
  const sessionToken = headerToken || queryToken || undefined;

  if (authHeader !== undefined) {
    const h = parseHeaderAuth(authHeader);
    const scope = parseCredential(h.credential);
    const signedHeaders = parseSignedHeaders(h.signedHeaders);
    const { time, amzDate } = headerTime(req);
    if (amzDate.slice(0, 8) !== scope.date) {
      throw malformed(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}'.`);
    }
    return { kind: 'header', ...scope, signedHeaders, signature: h.signature, amzDate, time, pairs, sessionToken };
  }

  const algorithm = single(pairs, 'X-Amz-Algorithm');
  const credential = single(pairs, 'X-Amz-Credential');
  const amz = single(pairs, 'X-Amz-Date');
  const signed = single(pairs, 'X-Amz-SignedHeaders');
  const signature = single(pairs, 'X-Amz-Signature');
  const expires = single(pairs, 'X-Amz-Expires');
  if (!algorithm || !credential || !amz || !signed || !signature) {
    throw malformed('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (algorithm !== ALGORITHM) throw malformed(`X-Amz-Algorithm only supports "${ALGORITHM}".`);
  const scope = parseCredential(credential);
  const signedHeaders = parseSignedHeaders(signed);
  const time = parseAmzDate(amz);
  if (!time) throw malformed(`Invalid X-Amz-Date '${amz}': must be in ISO8601 basic format (YYYYMMDDTHHMMSSZ).`);
  if (amz.slice(0, 8) !== scope.date) throw malformed(`Invalid credential date '${scope.date}': it is not the same as X-Amz-Date '${amz}'.`);
  return { kind: 'query', ...scope, signedHeaders, signature, amzDate: amz, time, expires, pairs, sessionToken };
}

/**
 * Cheap look at the credential scope, for routing (service and region). Never throws: undefined
 * when the request carries no SigV4 authentication or carries it malformed (verify says which).
 */
export function parseAuth(req: WireRequest): ParsedAuth | undefined {
  try {
    const { time: _t, pairs: _p, ...auth } = parseStrict(req);
    return auth;
  } catch {
    return undefined;
  }
}

const KNOWN_PAYLOAD_MARKERS = new Set([UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER]);

/** The payload hash the client put in its canonical request. */
function signedPayloadHash(req: WireRequest, p: Parsed, s3: boolean): string {
  const header = headerOf(req, 'x-amz-content-sha256');
  if (header !== undefined) return header.trim();
  if (p.kind === 'query') {
    // SDK presigners keep the payload hash they signed in the URL (X-Amz-Content-Sha256).
    const q = single(p.pairs, 'X-Amz-Content-Sha256', true);
    if (q !== undefined) return q;
    if (s3) return UNSIGNED_PAYLOAD;
  }
  return sha256Hex(req.body);
}

const fmt = (ms: number): string => toAmzDate(new Date(ms));

/**
 * Header auth must be within 15 minutes of the wall clock. A presigned URL becomes usable at
 * X-Amz-Date (less the same skew) and expires by the cloudlet clock, so fast-forwarding it
 * expires URLs as it expires tokens. Returns the presigned URL's end of validity.
 */
function checkTime(p: Parsed, nowMs: number, realNowMs: number, expiresS: number | undefined): number | undefined {
  const t = p.time.getTime();
  if (p.kind === 'header') {
    if (t < realNowMs - SKEW_MS) {
      throw new SigV4Error('skew', `Signature expired: ${p.amzDate} is now earlier than ${fmt(realNowMs - SKEW_MS)} (${fmt(realNowMs)} - 15 min.)`);
    }
    if (t > realNowMs + SKEW_MS) {
      throw new SigV4Error('skew', `Signature not yet current: ${p.amzDate} is still later than ${fmt(realNowMs + SKEW_MS)} (${fmt(realNowMs)} + 15 min.)`);
    }
    return undefined;
  }
  if (t > realNowMs + SKEW_MS) throw new SigV4Error('skew', 'Request is not valid yet');
  // Without X-Amz-Expires (allowed outside S3) the URL lives as long as the skew window.
  const end = t + (expiresS !== undefined ? expiresS * 1000 : SKEW_MS);
  if (nowMs > end) throw new SigV4Error('presign-expired', 'Request has expired');
  return end;
}

function checkToken(cred: Credential, token: string | undefined, nowMs: number): void {
  if (cred.sessionToken) {
    if (token === undefined) throw new SigV4Error('token-missing', 'The request requires a security token for temporary credentials.');
    if (!stringsEqual(token, cred.sessionToken)) throw new SigV4Error('token-invalid', 'The security token included in the request is invalid.');
  } else if (token !== undefined) {
    throw new SigV4Error('token-invalid', 'The security token included in the request is invalid.');
  }
  const exp = cred.principal.expiresAt;
  if (exp !== undefined && exp < nowMs) throw new SigV4Error('expired-token', 'The security token included in the request is expired');
}

/** Verifies the request's signature; throws SigV4Error, returns what the signature proves. */
export function verify(req: WireRequest, opts: VerifyOptions): VerifyResult {
  const s3 = opts.s3 === true;
  const p = parseStrict(req);

  let expiresS: number | undefined;
  if (p.kind === 'query') {
    if (p.expires === undefined) {
      if (s3) throw malformed('Query-string authentication version 4 requires the X-Amz-Expires parameter.');
    } else {
      expiresS = /^\d{1,7}$/.test(p.expires) ? Number(p.expires) : NaN;
      if (!(expiresS >= 1 && expiresS <= MAX_EXPIRES_S)) {
        throw new SigV4Error('presign-bad-expires', 'X-Amz-Expires must be between 1 and 604800 seconds (one week).');
      }
    }
  }
  if (opts.isValidRegion && !opts.isValidRegion(p.region)) {
    throw new SigV4Error('bad-region', `The authorization header is malformed; the region '${p.region}' is wrong.`);
  }
  const expiresAtMs = checkTime(p, opts.nowMs, opts.realNowMs ?? opts.nowMs, expiresS);

  const cred = opts.lookup(p.accessKeyId);
  if (!cred) throw new SigV4Error('unknown-key', 'The AWS Access Key Id you provided does not exist in our records.');
  if (cred.status === 'Inactive') throw new SigV4Error('inactive-key', 'The AWS Access Key Id you provided is not active.');
  checkToken(cred, p.sessionToken, opts.nowMs);

  const payloadHash = signedPayloadHash(req, p, s3);
  const scope = `${p.date}/${p.region}/${p.service}/aws4_request`;
  const key = signingKey(cred.secretAccessKey, p.date, p.region, p.service);
  const query = canonicalQuery(p.pairs);
  const headers = canonicalHeaders(req, p.signedHeaders);
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  let ok = false;
  for (const uri of canonicalPaths(req.path, s3)) {
    const cr = canonicalRequest(req.method, uri, query, headers, p.signedHeaders, payloadHash);
    const sts = stringToSign(p.amzDate, scope, cr);
    first ??= { canonicalRequest: cr, stringToSign: sts };
    if (signaturesEqual(hmac(key, sts).toString('hex'), p.signature)) {
      ok = true;
      break;
    }
  }
  if (!ok) {
    const err = new SigV4Error(
      'signature',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
    if (first) err.details = first;
    throw err;
  }

  checkPayloadHash(req, payloadHash, s3);
  const chunked = chunkedMode(payloadHash);
  return {
    credential: cred,
    accessKeyId: p.accessKeyId,
    region: p.region,
    service: p.service,
    date: p.time,
    amzDate: p.amzDate,
    scope,
    signedHeaders: p.signedHeaders,
    presigned: p.kind === 'query',
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    payloadHash,
    ...(chunked ? { chunked } : {}),
    seedSignature: p.signature,
    signingKey: key,
  };
}

/** A signed hex hash must match a buffered body; S3 also refuses values it does not know. */
function checkPayloadHash(req: WireRequest, payloadHash: string, s3: boolean): void {
  const isHex = /^[0-9a-fA-F]{64}$/.test(payloadHash);
  if (s3 && !isHex && !KNOWN_PAYLOAD_MARKERS.has(payloadHash)) {
    throw new SigV4Error('payload-hash', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.');
  }
  if (isHex && req.body.length > 0 && sha256Hex(req.body) !== payloadHash.toLowerCase()) {
    throw new SigV4Error('payload-hash', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}
