/**
 * Bucket CORS: the configuration (Put/Get/DeleteBucketCors, checked as S3 checks it) and what it
 * does. The server asks `s3CorsPolicy` about every cross-site browser request (src/server/guard.ts,
 * pipeline.ts crossSiteGate) before the request's own transaction: the first rule that matches the
 * origin, the method and (for a preflight) every requested header grants it. A preflight no rule
 * grants is refused with S3's CORSResponse messages.
 */
import type {
  CORSRule, DeleteBucketCorsRequest, GetBucketCorsOutput, GetBucketCorsRequest, PutBucketCorsRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { toPathStyle } from '../../protocol/s3-addressing.js';
import type { CorsGrant, CorsPolicy, CrossSiteRequest } from '../../server/guard.js';
import type { Store, Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { deleteConfig, findBucket, getConfig, putConfig } from './buckets.js';
import { malformedXml, resolveBucket } from './config-common.js';

export const CORS_CONFIG = 'cors';
const CORS_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);
const MAX_RULES = 100;

export interface StoredCors { CORSRules: CORSRule[] }

const invalidRequest = (message: string): AwsError => new AwsError('InvalidRequest', message, 400);

const strings = (v: unknown, required: boolean): string[] | undefined => {
  if (v === undefined && !required) return undefined;
  if (!Array.isArray(v) || (required && v.length === 0) || v.some((s) => typeof s !== 'string')) throw malformedXml();
  return v as string[];
};

/** The rules of a PutBucketCors, as S3 checks them; returned in the stored shape. */
export function checkCors(rules: CORSRule[] | undefined): StoredCors {
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > MAX_RULES) throw malformedXml();
  const out: CORSRule[] = [];
  for (const r of rules) {
    const methods = strings(r?.AllowedMethods, true)!;
    const origins = strings(r.AllowedOrigins, true)!;
    const headers = strings(r.AllowedHeaders, false);
    const expose = strings(r.ExposeHeaders, false);
    for (const m of methods) {
      if (!CORS_METHODS.has(m)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
    for (const o of origins) if (wildcards(o) > 1) throw invalidRequest(`AllowedOrigin "${o}" can not have more than one wildcard.`);
    for (const h of headers ?? []) if (wildcards(h) > 1) throw invalidRequest(`AllowedHeader "${h}" can not have more than one wildcard.`);
    for (const h of expose ?? []) {
      if (h.includes('*')) throw invalidRequest(`ExposeHeader "${h}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
    }
    if (r.ID !== undefined && (typeof r.ID !== 'string' || r.ID.length > 255)) throw malformedXml();
    if (r.MaxAgeSeconds !== undefined && (!Number.isInteger(r.MaxAgeSeconds) || r.MaxAgeSeconds < 0)) throw malformedXml();
    const rule: CORSRule = { AllowedMethods: methods, AllowedOrigins: origins };
    if (r.ID !== undefined) rule.ID = r.ID;
    if (headers) rule.AllowedHeaders = headers;
    if (expose) rule.ExposeHeaders = expose;
    if (r.MaxAgeSeconds !== undefined) rule.MaxAgeSeconds = r.MaxAgeSeconds;
    out.push(rule);
  }
  return { CORSRules: out };
}

const wildcards = (s: string): number => s.split('*').length - 1;

/** `pattern` with at most one `*` (any run of characters) against `value`. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** The first rule that grants the request: origin (exact case), method, and every requested header (any case). */
export function matchCorsRule(rules: readonly CORSRule[], req: Pick<CrossSiteRequest, 'origin' | 'method' | 'requestHeaders' | 'preflight'>): CORSRule | undefined {
  return rules.find((r) =>
    (r.AllowedOrigins ?? []).some((o) => wildcardMatch(o, req.origin)) &&
    (r.AllowedMethods ?? []).includes(req.method) &&
    (!req.preflight || req.requestHeaders.every((h) => (r.AllowedHeaders ?? []).some((a) => wildcardMatch(a.toLowerCase(), h.toLowerCase())))));
}

/** The bucket and key a request addresses, path style or virtual-hosted. */
export function corsTarget(host: string, path: string): { bucket: string; key: string } | undefined {
  const p = toPathStyle(host, path).path;
  const m = /^\/([^/?]+)(?:\/(.*))?$/.exec(p);
  if (!m) return undefined;
  try {
    return { bucket: decodeURIComponent(m[1]!), key: m[2] ? decodeURIComponent(m[2]) : '' };
  } catch {
    return undefined;
  }
}

const NOT_ALLOWED = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * What the bucket's CORS rules say about one cross-site request, read in `tx`. A preflight no
 * rule grants gets S3's 403; an actual request no rule grants gets no grant (the server refuses
 * it as any cross-site request).
 */
export function corsDecision(tx: Tx, req: CrossSiteRequest): CorsGrant | undefined {
  const target = corsTarget(req.host, req.path);
  if (!target) return undefined;
  const refuse = (message: string): undefined => {
    if (!req.preflight) return undefined;
    throw new AwsError('AccessForbidden', message, 403, { fields: { Method: req.method, ResourceType: target.key ? 'OBJECT' : 'BUCKET' } });
  };
  const found = findBucket(tx, target.bucket);
  if (!found) return refuse('CORSResponse: Bucket not found');
  const config = getConfig<StoredCors>(tx, found.owner.account, found.bucket.name, CORS_CONFIG);
  if (!config) return refuse('CORSResponse: CORS is not enabled for this bucket.');
  const rule = matchCorsRule(config.CORSRules, req);
  if (!rule) return refuse(NOT_ALLOWED);
  const grant: CorsGrant = {
    allowedMethods: rule.AllowedMethods ?? [],
    // A preflight's answer names the headers it asked about (S3 echoes them).
    allowedHeaders: req.requestHeaders,
    exposeHeaders: rule.ExposeHeaders ?? [],
  };
  if (rule.MaxAgeSeconds !== undefined) grant.maxAgeSeconds = rule.MaxAgeSeconds;
  return grant;
}

/** The server's CORS hook: one short transaction of its own, as it runs before the request's. */
export function s3CorsPolicy(store: Store): CorsPolicy {
  return (req) => store.transaction((tx) => corsDecision(tx, req));
}

const putBucketCors: Handler<PutBucketCorsRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = checkCors(input.CORSConfiguration?.CORSRules);
  putConfig(ctx.tx, owner.account, bucket.name, CORS_CONFIG, config);
};

const getBucketCors: Handler<GetBucketCorsRequest, GetBucketCorsOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<StoredCors>(ctx.tx, owner.account, bucket.name, CORS_CONFIG);
  if (!config) throw new AwsError('NoSuchCORSConfiguration', 'The CORS configuration does not exist', 404, { fields: { BucketName: bucket.name } });
  return { CORSRules: config.CORSRules };
};

const deleteBucketCors: Handler<DeleteBucketCorsRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, CORS_CONFIG);
};

export const corsHandlers: Record<string, Handler> = {
  PutBucketCors: putBucketCors,
  GetBucketCors: getBucketCors,
  DeleteBucketCors: deleteBucketCors,
};
