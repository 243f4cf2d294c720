/**
 * IMDSv2 session tokens: opaque to clients, HMAC-signed by a key the server instance holds (a
 * fresh random key per server, so a restart invalidates every token, as an instance reboot
 * does on EC2), bound to one instance and expiring by the cloudlet clock. Pure: no store, no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The TTL header of PUT /latest/api/token: whole seconds, 1..21600 (six hours), as EC2 takes. */
export const TOKEN_TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const MAX_TOKEN_TTL_S = 21_600;

/** The TTL a PUT asked for, or undefined when it is missing or not an integer in 1..21600 (EC2 answers 400). */
export function parseTokenTtl(raw: string | string[] | undefined): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,5}$/.test(raw.trim())) return undefined;
  const n = Number(raw.trim());
  return n >= 1 && n <= MAX_TOKEN_TTL_S ? n : undefined;
}

/** What a token is bound to: one instance of one account and region. */
export interface TokenBinding { account: string; region: string; instanceId: string }

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function mac(key: Buffer, binding: TokenBinding, expMs: number): Buffer {
  return createHmac('sha256', key).update(`imds-token\u0000${binding.account}\u0000${binding.region}\u0000${binding.instanceId}\u0000${expMs}`).digest();
}

/** A token for `binding` that expires `ttlS` seconds after `nowMs` (cloudlet clock). */
export function issueToken(key: Buffer, binding: TokenBinding, nowMs: number, ttlS: number): string {
  const expMs = Math.floor(nowMs) + ttlS * 1000;
  return `${b64url(String(expMs))}.${b64url(mac(key, binding, expMs))}`;
}

export type TokenCheck = { ok: true; remainingS: number } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/**
 * Checks a token against the instance it is presented to. A token minted for another
 * instance fails like a forged one (its MAC does not match this binding).
 */
export function checkToken(key: Buffer, token: string, binding: TokenBinding, nowMs: number): TokenCheck {
  const m = /^([A-Za-z0-9_-]{1,24})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const expText = Buffer.from(m[1]!, 'base64url').toString('utf8');
  if (!/^\d{1,16}$/.test(expText)) return { ok: false, reason: 'malformed' };
  const expMs = Number(expText);
  const given = Buffer.from(m[2]!, 'base64url');
  const want = mac(key, binding, expMs);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, reason: 'forged' };
  if (nowMs >= expMs) return { ok: false, reason: 'expired' };
  return { ok: true, remainingS: Math.max(1, Math.ceil((expMs - nowMs) / 1000)) };
}
