/**
 * Who is asking and whether they may: the registry's credentials (HTTP Basic `AWS:<password>`,
 * or `Bearer <password>` after the token endpoint) checked with token.ts, the registry the
 * request names (names.ts), and each request authorized by the project's authorizer as the ECR
 * action it stands for, with a RequestContext like the API's, so identity policies, repository
 * policies and cross-account rules decide the same way for the registry and the API.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { credentialLookup } from '../../../auth/credentials.js';
import type { Principal } from '../../../auth/principal.js';
import type { WireRequest } from '../../../protocol/codec.js';
import type { ServerDeps } from '../../../server/context.js';
import type { Scope, Tx } from '../../../store/types.js';
import { authorizerFor } from '../../authz/index.js';
import type { RequestContext } from '../../types.js';
import { registryScope } from '../records.js';
import { tokenKey, verifyToken } from '../token.js';
import { RegistryError } from './errors.js';
import { registryFromHost } from './names.js';

export interface Caller {
  principal: Principal;
  /** The region the token was issued for (the default registry of plain localhost names). */
  region: string;
}

export interface Target {
  registryId: string;
  region: string;
  scope: Scope;
}

/** The scheme and Host the client used: the base of Location URLs and the auth realm. */
export function baseUrl(wire: WireRequest): string {
  return `${wire.secure ? 'https' : 'http'}://${wire.headers['host'] ?? wire.host}`;
}

export function challenge(wire: WireRequest): Record<string, string> {
  return { 'www-authenticate': `Basic realm="${baseUrl(wire)}/",service="ecr.amazonaws.com"` };
}

const REASONS: Record<string, string> = {
  malformed: 'Your authorization token is malformed: use the password `aws ecr get-login-password` prints, with user AWS.',
  forged: 'Your authorization token was not issued by this registry (a forged token, or one from another cloudlet state).',
  expired: 'Your authorization token has expired. Reauthenticate and try again.',
  revoked: 'Your authorization token is no longer valid: the credentials it was issued to are deleted, inactive or revoked.',
};

/** The password the request carries (Basic user AWS, or Bearer), or undefined when none. */
export function passwordOf(wire: WireRequest): string | undefined {
  const auth = wire.headers['authorization'];
  if (!auth) return undefined;
  const m = /^(Basic|Bearer)\s+(\S+)\s*$/i.exec(auth);
  if (!m) throw new RegistryError('UNAUTHORIZED', 'The Authorization header is neither Basic nor Bearer credentials.', 401, undefined, challenge(wire));
  if (m[1]!.toLowerCase() === 'bearer') return m[2]!;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0 || decoded.slice(0, i) !== 'AWS') {
    throw new RegistryError('UNAUTHORIZED', 'The user name must be AWS, with the authorization token as the password.', 401, undefined, challenge(wire));
  }
  return decoded.slice(i + 1);
}

/** The caller, or 401 UNAUTHORIZED saying why not. */
export function authenticate(tx: Tx, wire: WireRequest, nowMs: number): Caller {
  const password = passwordOf(wire);
  if (password === undefined) throw new RegistryError('UNAUTHORIZED', 'authentication required', 401, undefined, challenge(wire));
  const check = verifyToken(tx, password, nowMs);
  if (!check.ok) throw new RegistryError('UNAUTHORIZED', REASONS[check.reason]!, 401, undefined, challenge(wire));
  return { principal: check.principal, region: check.region };
}

/** The registry a request for a repository names (Host, path form, or the caller's default). */
export function targetOf(wire: WireRequest, fromPath: { registryId: string; region: string } | undefined, caller: Caller): Target {
  const t = registryFromHost(wire.host) ?? fromPath ?? { registryId: caller.principal.account, region: caller.region };
  return { ...t, scope: registryScope(t.registryId, t.region) };
}

/** A RequestContext for ECR operation `operation` inside transaction `tx`. */
export function contextFor(deps: ServerDeps, wire: WireRequest, requestId: string, sourceIp: string, tx: Tx, caller: Caller, target: Target, operation: string): RequestContext {
  return {
    requestId, service: 'ecr', operation, account: caller.principal.account, region: target.region,
    scope: target.scope, principal: caller.principal, clock: deps.clock, tx, blobs: deps.blobs, log: deps.log,
    wire, sourceIp, responseHeaders: {},
    transact: (fn) => deps.store.transaction(fn),
    afterCommit: (fn) => { void Promise.resolve().then(fn).catch((e: unknown) => deps.log.warn('after-commit step failed', { requestId, error: String(e) })); },
    vulnDb: deps.vulnDb,
  };
}

/** Authorizes `ctx.operation` with `input`; a denial becomes 403 DENIED with the authorizer's message. */
export async function authorizeAs(deps: ServerDeps, ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<void> {
  if (deps.iam === 'off') return;
  const ecr = await deps.registry.get('ecr');
  try {
    await authorizerFor(deps).authorize(ecr, input, { ...ctx, operation });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'AccessDeniedException' || err.code === 'AccessDenied') throw new RegistryError('DENIED', err.message ?? 'access denied', 403);
    throw e;
  }
}

// ---- download URLs (GetDownloadUrlForLayer): /v2/... blob URLs with a short-lived signed query ----

export const DOWNLOAD_TTL_MS = 3600_000;
export const DOWNLOAD_PARAM = 'cloudlet-download';

interface DownloadClaim { k: string; g: string; r: string; n: string; d: string; e: number }

/** The query value that lets the access key's owner GET one blob of one repository until expiry. */
export function signDownload(tx: Tx, accessKeyId: string, target: Target, name: string, digest: string, nowMs: number): string {
  const body = Buffer.from(JSON.stringify({ k: accessKeyId, g: target.registryId, r: target.region, n: name, d: digest, e: nowMs + DOWNLOAD_TTL_MS } satisfies DownloadClaim)).toString('base64url');
  return `${body}.${createHmac('sha256', tokenKey(tx, true)!).update(`download\0${body}`).digest('base64url')}`;
}

/** The caller of a download URL, when `value` is valid for this blob; 401 otherwise. */
export function verifyDownload(tx: Tx, wire: WireRequest, value: string, target: Target, name: string, digest: string, nowMs: number): Caller {
  const fail = (why: string) => new RegistryError('UNAUTHORIZED', why, 401, undefined, challenge(wire));
  const [body, mac] = value.split('.');
  const key = tokenKey(tx, false);
  if (!body || !mac || !key) throw fail('The download URL is not valid.');
  const want = Buffer.from(createHmac('sha256', key).update(`download\0${body}`).digest('base64url'));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw fail('The download URL is not valid (its signature does not match).');
  const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as DownloadClaim;
  if (c.g !== target.registryId || c.r !== target.region || c.n !== name || c.d !== digest) throw fail('The download URL is for another layer.');
  if (nowMs >= c.e) throw fail('The download URL has expired.');
  const cred = credentialLookup(tx, nowMs)(c.k);
  if (!cred || cred.status === 'Inactive') throw fail('The credentials the download URL was issued to are no longer valid.');
  return { principal: cred.principal, region: c.r };
}
