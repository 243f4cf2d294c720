/**
 * AssumeRoleWithWebIdentity against IAM OIDC providers.
 *
 * The token is a JWT. Its `iss` names the provider (https://HOST/PATH ->
 * arn:aws:iam::ACCT:oidc-provider/HOST/PATH, ACCT being the role's account), its `aud` must be
 * one of the provider's client IDs, `exp` must not have passed by the cloudlet clock, and its
 * signature must verify (RS256/384/512, PS256/384/512, ES256/384/512) with a key from the
 * issuer's JWKS, found through `ISSUER/.well-known/openid-configuration` -> `jwks_uri`.
 *
 * Fetching: a 3-second timeout, at most 1 MiB per document; the JWKS is cached in the store
 * (kind 'sts:oidc-jwks', global scope) for an hour of cloudlet time and refetched once when a
 * token names an unknown `kid`. Certificate thumbprints are not checked. Issuers on loopback
 * (127.0.0.1, ::1, localhost, *.localhost), and every issuer when CLOUDLET_OIDC_INSECURE_HTTP=1,
 * are fetched over plain http:// even though IAM stores (and tokens carry) https:// URLs, so
 * tests and local identity providers need no TLS.
 *
 * Whether the role's trust policy lets the provider in (Principal {"Federated": providerArn},
 * sts:AssumeRoleWithWebIdentity, conditions on HOST/PATH:aud, :sub, :amr ...) is decided by the
 * enforcement step, which calls webIdentityContext() for the provider ARN and condition keys.
 */
import { createPublicKey, verify as cryptoVerify, constants, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AssumeRoleWithWebIdentityRequest, AssumeRoleWithWebIdentityResponse } from '@aws-sdk/client-sts';
import { AwsError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { GLOBAL_ACCOUNT, type Store, type Tx } from '../../store/types.js';
import { IAM_KIND, iamScope, type OidcProviderRecord } from '../iam/records.js';
import type { Handler } from '../types.js';
import { managedSessionPolicies } from './managed-policies.js';
import { assumedRoleArn, findRole, parseRoleArn } from './roles.js';
import { checkSessionPolicy, issueCredentials, packedPolicySize, roleDuration, roleSessionPrincipal, type SessionPrincipal } from './session.js';

const JWKS_SCOPE = { account: GLOBAL_ACCOUNT, region: '' };
const JWKS_KIND = 'sts:oidc-jwks';
const JWKS_TTL_MS = 3600 * 1000;
/** An unknown kid triggers a refetch, but not more often than this (cloudlet time). */
const JWKS_REFETCH_MS = 10 * 1000;
const FETCH_TIMEOUT_MS = 3000;
const MAX_DOC_BYTES = 1024 * 1024;

const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

interface JwksCacheRow {
  fetchedAt: number;
  keys: JsonWebKey[];
}

export type WebIdentityInput = Partial<AssumeRoleWithWebIdentityRequest>;

/** What a verified web identity token says, and what a trust policy can test. */
export interface WebIdentity {
  /** arn:aws:iam::ACCT:oidc-provider/HOST/PATH: the trust policy's Federated principal. */
  providerArn: string;
  /** HOST/PATH: the prefix of the provider's condition keys. */
  providerUrl: string;
  subject: string;
  /** The client ID of the provider that the token's audience matched. */
  audience: string;
  claims: Record<string, unknown>;
  /** Session tags from the https://aws.amazon.com/tags claim. */
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  /**
   * Condition keys for the trust policy: HOST/PATH:aud, :sub, :oaud, :amr (when the token has
   * them), aws:FederatedProvider, sts:RoleSessionName, sts:SourceIdentity, aws:RequestTag/K,
   * aws:TagKeys, sts:TransitiveTagKeys.
   */
  keys: Record<string, string | string[]>;
}

/**
 * Verifies the web identity token of an AssumeRoleWithWebIdentity request and returns the
 * provider ARN and condition keys for the trust policy. Throws the AWS error a bad request
 * gets (the codec already answered ValidationError, as AWS validates before it authorizes; then InvalidIdentityToken,
 * ExpiredTokenException, IDPCommunicationError). May fetch the
 * issuer's keys (see the module comment); the handler calls it too, sharing the cache.
 */
export async function webIdentityContext(tx: Tx, input: WebIdentityInput, nowMs: number): Promise<WebIdentity> {
  const jwt = parseJwt(input.WebIdentityToken ?? '');
  const { payload } = jwt;
  const iss = typeof payload.iss === 'string' ? payload.iss : '';
  if (!iss) throw invalidToken('The token does not contain an issuer (iss) claim.');
  const providerUrl = normaliseUrl(iss);
  const account = parseRoleArn(input.RoleArn ?? '')?.account;
  const provider = account ? findProvider(tx, account, providerUrl) : undefined;
  if (!provider) throw invalidToken(`No OpenIDConnect provider found in your account for ${iss}`);

  const auds = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  const audience = auds.find((a) => provider.clientIds.includes(a));
  if (audience === undefined) throw invalidToken('Incorrect token audience');

  if (typeof payload.exp !== 'number') throw invalidToken('The token does not contain an expiration (exp) claim.');
  const nowS = Math.floor(nowMs / 1000);
  if (payload.exp <= nowS) {
    throw new AwsError('ExpiredTokenException', `Token expired: current date/time ${nowS} must be before the expiration date/time ${payload.exp}`);
  }
  if (typeof payload.nbf === 'number' && payload.nbf > nowS + 300) throw invalidToken('The token is not valid yet (nbf).');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalidToken('The token does not contain a subject (sub) claim.');

  await verifySignature(tx, jwt, iss, nowMs, (input as Prefetching)[PREFETCHED]);

  const { tags, transitiveTagKeys } = tokenTags(payload[TAGS_CLAIM]);
  const sourceIdentity = typeof payload[SOURCE_IDENTITY_CLAIM] === 'string' ? payload[SOURCE_IDENTITY_CLAIM] as string : undefined;
  const keys: Record<string, string | string[]> = {
    [`${providerUrl}:sub`]: payload.sub,
    [`${providerUrl}:aud`]: typeof payload.azp === 'string' ? payload.azp : audience,
    'aws:FederatedProvider': provider.arn,
  };
  if (typeof payload.azp === 'string') keys[`${providerUrl}:oaud`] = auds.length === 1 ? auds[0]! : auds;
  if (typeof payload.amr === 'string' || Array.isArray(payload.amr)) keys[`${providerUrl}:amr`] = payload.amr as string | string[];
  if (input.RoleSessionName !== undefined) keys['sts:RoleSessionName'] = input.RoleSessionName;
  if (sourceIdentity !== undefined) keys['sts:SourceIdentity'] = sourceIdentity;
  for (const [k, v] of Object.entries(tags)) keys[`aws:RequestTag/${k}`] = v;
  if (Object.keys(tags).length) keys['aws:TagKeys'] = Object.keys(tags);
  if (transitiveTagKeys.length) keys['sts:TransitiveTagKeys'] = transitiveTagKeys;
  return {
    providerArn: provider.arn, providerUrl, subject: payload.sub, audience, claims: payload,
    tags, transitiveTagKeys, ...(sourceIdentity !== undefined ? { sourceIdentity } : {}), keys,
  };
}

export const assumeRoleWithWebIdentity: Handler<AssumeRoleWithWebIdentityRequest, AssumeRoleWithWebIdentityResponse> = async (input, ctx) => {
  const roleArn = input.RoleArn!;
  const sessionName = input.RoleSessionName!;
  const identity = await webIdentityContext(ctx.tx, input, ctx.clock.nowMs());
  const role = findRole(ctx.tx, roleArn);
  if (!role) throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
  const roleAccount = role.arn.split(':')[4]!;
  const duration = roleDuration(input.DurationSeconds, role.maxSessionDuration, false);
  if (input.Policy !== undefined) checkSessionPolicy(input.Policy);
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const managed = managedSessionPolicies(ctx.tx, roleAccount, arns);
  const hasTags = Object.keys(identity.tags).length > 0;
  const packed = input.Policy !== undefined || arns.length > 0 || hasTags ? packedPolicySize(input.Policy, arns, identity.tags) : undefined;

  const arn = assumedRoleArn(role, sessionName);
  const sessionPolicies = [...(input.Policy !== undefined ? [input.Policy] : []), ...managed];
  const principal: SessionPrincipal = {
    ...roleSessionPrincipal({
      role, roleAccount, arn, sessionName, sessionPolicies, tags: identity.tags,
      transitiveTagKeys: identity.transitiveTagKeys, chained: false, sourceIdentity: identity.sourceIdentity,
    }),
    federatedProvider: identity.providerArn,
    tokenOrigin: 'AssumeRoleWithWebIdentity',
  };
  return {
    Credentials: issueCredentials(ctx.tx, ctx.clock.nowMs(), duration, principal),
    SubjectFromWebIdentityToken: identity.subject,
    AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
    ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    Provider: identity.providerArn,
    Audience: identity.audience,
    ...(identity.sourceIdentity !== undefined ? { SourceIdentity: identity.sourceIdentity } : {}),
  };
};

// ---------------------------------------------------------------- tokens

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, any>;
  signingInput: string;
  signature: Buffer;
}

function invalidToken(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message);
}

function parseJwt(token: string): Jwt {
  const parts = token.split('.');
  const b64url = /^[A-Za-z0-9_-]*$/;
  if (parts.length !== 3 || !parts.every((p) => b64url.test(p)) || !parts[0] || !parts[1]) {
    throw invalidToken('The web identity token is not a valid JSON Web Token (JWT).');
  }
  const json = (s: string): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* below */ }
    throw invalidToken('The web identity token is not a valid JSON Web Token (JWT).');
  };
  return { header: json(parts[0]), payload: json(parts[1]), signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
}

/** https://Host/path/ -> host/path, the form of provider ARNs and condition keys. */
export function normaliseUrl(url: string): string {
  const rest = url.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? rest.toLowerCase() : rest.slice(0, slash).toLowerCase() + rest.slice(slash);
}

function findProvider(tx: Tx, account: string, providerUrl: string): OidcProviderRecord | undefined {
  const arnSuffix = `:oidc-provider/${providerUrl}`;
  return tx.list<OidcProviderRecord>(iamScope(account), IAM_KIND.oidcProvider)
    .map((r) => r.value)
    .find((p) => normaliseUrl(p.url) === providerUrl || p.arn.endsWith(arnSuffix));
}

function tokenTags(claim: unknown): { tags: Record<string, string>; transitiveTagKeys: string[] } {
  const tags: Record<string, string> = {};
  const transitiveTagKeys: string[] = [];
  if (!claim || typeof claim !== 'object') return { tags, transitiveTagKeys };
  const c = claim as { principal_tags?: unknown; transitive_tag_keys?: unknown };
  if (c.principal_tags && typeof c.principal_tags === 'object') {
    for (const [k, v] of Object.entries(c.principal_tags as Record<string, unknown>)) {
      const value = Array.isArray(v) ? v[0] : v;
      if (typeof value === 'string') tags[k] = value;
    }
  }
  if (Array.isArray(c.transitive_tag_keys)) {
    for (const k of c.transitive_tag_keys) if (typeof k === 'string' && k in tags) transitiveTagKeys.push(k);
  }
  if (Object.keys(tags).length > 50) throw invalidToken('The token contains more than 50 session tags.');
  return { tags, transitiveTagKeys };
}

// ---------------------------------------------------------------- signatures and keys

const ALGS: Record<string, { hash: string; kty: string; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256', kty: 'RSA' }, RS384: { hash: 'sha384', kty: 'RSA' }, RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true }, PS384: { hash: 'sha384', kty: 'RSA', pss: true }, PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', ec: true }, ES384: { hash: 'sha384', kty: 'EC', ec: true }, ES512: { hash: 'sha512', kty: 'EC', ec: true },
};

async function verifySignature(tx: Tx, jwt: Jwt, iss: string, nowMs: number, prefetched: Prefetched | undefined): Promise<void> {
  const alg = typeof jwt.header.alg === 'string' ? jwt.header.alg : '';
  const spec = ALGS[alg];
  if (!spec) throw invalidToken(`The token's signing algorithm '${alg || 'none'}' is not supported.`);
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  const pick = (keys: JsonWebKey[]) => keys.filter((k) => k.kty === spec.kty && (k.use === undefined || k.use === 'sig') && (kid === undefined || k.kid === kid));

  let keys = issuerKeys(tx, iss, nowMs, false, prefetched);
  let candidates = pick(keys);
  if (candidates.length === 0 && kid !== undefined) {
    keys = issuerKeys(tx, iss, nowMs, true, prefetched);
    candidates = pick(keys);
  }
  if (candidates.length === 0) throw invalidToken('No matching signing key was found in the identity provider\'s JWKS for this token.');
  for (const jwk of candidates) {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      continue;
    }
    const data = Buffer.from(jwt.signingInput);
    const ok = spec.ec
      ? cryptoVerify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature)
      : spec.pss
        ? cryptoVerify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, jwt.signature)
        : cryptoVerify(spec.hash, data, key, jwt.signature);
    if (ok) return;
  }
  throw invalidToken('The signature of the web identity token could not be verified.');
}

/** Keys fetched before the request's transaction (prefetchWebIdentityKeys), riding on its input. */
const PREFETCHED = Symbol('prefetched issuer keys');
interface Prefetched { id: string; fetchedAt: number; keys?: JsonWebKey[]; error?: unknown }
type Prefetching = { [PREFETCHED]?: Prefetched };

const cacheId = (iss: string): string => iss.replace(/\/+$/, '');

/**
 * The issuer's signing keys, from the store's cache or from what the prepare step fetched (and
 * now cached). Never fetches: the network is asked outside the transaction, before it.
 */
function issuerKeys(tx: Tx, iss: string, nowMs: number, refresh: boolean, prefetched: Prefetched | undefined): JsonWebKey[] {
  const id = cacheId(iss);
  const cached = tx.get<JwksCacheRow>(JWKS_SCOPE, JWKS_KIND, id);
  const age = cached ? nowMs - cached.fetchedAt : Infinity;
  const fresh = age >= 0 && age < JWKS_TTL_MS;
  if (cached && fresh && (!refresh || age < JWKS_REFETCH_MS)) return cached.keys;
  if (prefetched?.id === id) {
    if (prefetched.error !== undefined || !prefetched.keys) throw prefetched.error instanceof AwsError ? prefetched.error : idpError();
    tx.put(JWKS_SCOPE, JWKS_KIND, id, { fetchedAt: prefetched.fetchedAt, keys: prefetched.keys } satisfies JwksCacheRow);
    return prefetched.keys;
  }
  if (cached) return cached.keys;
  throw idpError();
}

/**
 * The prepare step of AssumeRoleWithWebIdentity (outside any transaction): when the keys the
 * request will need are not cached fresh, fetch them now, so the transaction never waits on the
 * network. Only for issuers registered as OIDC providers of the role's account, as before.
 * Says nothing itself: what is wrong with the token is answered, in order, by the request.
 */
export async function prefetchWebIdentityKeys(input: WebIdentityInput, env: { store: Store; clock: Clock }): Promise<void> {
  let jwt: Jwt;
  try { jwt = parseJwt(input.WebIdentityToken ?? ''); } catch { return; }
  const iss = typeof jwt.payload.iss === 'string' ? jwt.payload.iss : '';
  const account = parseRoleArn(input.RoleArn ?? '')?.account;
  if (!iss || !account) return;
  const nowMs = env.clock.nowMs();
  const id = cacheId(iss);
  const look = await env.store.transaction((tx) => ({
    provider: findProvider(tx, account, normaliseUrl(iss)) !== undefined,
    cached: tx.get<JwksCacheRow>(JWKS_SCOPE, JWKS_KIND, id),
  }));
  if (!look.provider) return;
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  const age = look.cached ? nowMs - look.cached.fetchedAt : Infinity;
  const fresh = age >= 0 && age < JWKS_TTL_MS;
  const kidKnown = kid === undefined || (look.cached?.keys ?? []).some((k) => k.kid === kid);
  if (fresh && (kidKnown || age < JWKS_REFETCH_MS)) return;
  const holder = input as Prefetching;
  try {
    holder[PREFETCHED] = { id, fetchedAt: nowMs, keys: await fetchJwks(id) };
  } catch (error) {
    holder[PREFETCHED] = { id, fetchedAt: nowMs, error };
  }
}

const idpError = (): AwsError => new AwsError(
  'IDPCommunicationError',
  'Couldn\'t retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements',
);

/** Loopback issuers (and all, with CLOUDLET_OIDC_INSECURE_HTTP=1) are fetched over http://. */
export function fetchUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(/^https?:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    throw idpError();
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.endsWith('.localhost');
  if (u.protocol === 'https:' && (loopback || process.env.CLOUDLET_OIDC_INSECURE_HTTP === '1')) u.protocol = 'http:';
  return u.toString();
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  try {
    const res = await fetch(fetchUrl(url), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!res.ok) throw idpError();
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_DOC_BYTES) throw idpError();
    const text = await res.text();
    if (text.length > MAX_DOC_BYTES) throw idpError();
    const doc: unknown = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw idpError();
    return doc as Record<string, unknown>;
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw idpError();
  }
}

async function fetchJwks(issuer: string): Promise<JsonWebKey[]> {
  const discovery = await getJson(`${fetchUrl(issuer).replace(/\/+$/, '')}/.well-known/openid-configuration`);
  const jwksUri = discovery.jwks_uri;
  if (typeof jwksUri !== 'string') throw idpError();
  const jwks = await getJson(jwksUri);
  if (!Array.isArray(jwks.keys)) throw idpError();
  return (jwks.keys as unknown[]).filter((k): k is JsonWebKey => !!k && typeof k === 'object' && typeof (k as JsonWebKey).kty === 'string');
}
