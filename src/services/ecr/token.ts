/**
 * ECR authorization tokens: GetAuthorizationToken hands out base64("AWS:" + password); the
 * registry takes the password (HTTP Basic, user AWS) and gets back who asked for it.
 *
 * The password names the access key that signed the GetAuthorizationToken call and is sealed
 * with an HMAC key kept in the state (TOKEN_KEY row, made on first use), so a token is bound to
 * its caller: the principal is looked up again on every use, and a deleted or deactivated key,
 * an expired or revoked session, or a token from another cloudlet's state does not work. Valid
 * 12 hours by the cloudlet clock, or until the credentials it came from expire, if sooner.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { credentialLookup } from '../../auth/credentials.js';
import type { Principal } from '../../auth/principal.js';
import type { Tx } from '../../store/types.js';
import { BLOB_SCOPE, TOKEN_KEY } from './records.js';

export const TOKEN_TTL_MS = 12 * 3600_000;

interface Payload {
  /** access key id */
  k: string;
  /** region the token was issued for */
  r: string;
  /** expiry, epoch ms by the cloudlet clock */
  e: number;
}

/** The HMAC key of tokens (also signs the registry's download URLs, under its own prefix). */
export function tokenKey(tx: Tx, create: boolean): Buffer | undefined {
  const row = tx.get<{ key: string }>(BLOB_SCOPE, TOKEN_KEY, 'hmac');
  if (row) return Buffer.from(row.key, 'base64');
  if (!create) return undefined;
  const key = randomBytes(32);
  tx.put(BLOB_SCOPE, TOKEN_KEY, 'hmac', { key: key.toString('base64') });
  return key;
}

function seal(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

/** The token for `principal` (who must have signed with an access key) in `region`. */
export function issueToken(tx: Tx, principal: Principal, region: string, nowMs: number): { token: string; expiresAtMs: number } {
  if (!principal.accessKeyId) throw new Error('issueToken: the principal has no access key');
  const expiresAtMs = Math.min(nowMs + TOKEN_TTL_MS, principal.expiresAt ?? Infinity);
  const body = Buffer.from(JSON.stringify({ k: principal.accessKeyId, r: region, e: expiresAtMs } satisfies Payload)).toString('base64url');
  const password = `cl1.${body}.${seal(tokenKey(tx, true)!, body)}`;
  return { token: Buffer.from(`AWS:${password}`).toString('base64'), expiresAtMs };
}

export type TokenCheck =
  | { ok: true; principal: Principal; region: string; expiresAtMs: number }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'revoked' };

/** The password half (after "AWS:") of a token. */
export function verifyToken(tx: Tx, password: string, nowMs: number): TokenCheck {
  const m = /^cl1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(password);
  if (!m) return { ok: false, reason: 'malformed' };
  const key = tokenKey(tx, false);
  if (!key) return { ok: false, reason: 'forged' };
  const want = Buffer.from(seal(key, m[1]!));
  const got = Buffer.from(m[2]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'forged' };
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (nowMs >= p.e) return { ok: false, reason: 'expired' };
  const cred = credentialLookup(tx, nowMs)(p.k);
  if (!cred || cred.status === 'Inactive') return { ok: false, reason: 'revoked' };
  if (cred.principal.expiresAt !== undefined && nowMs >= cred.principal.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, principal: cred.principal, region: p.r, expiresAtMs: p.e };
}
