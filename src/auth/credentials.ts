import type { Tx } from '../store/types.js';
import { GLOBAL_ACCOUNT } from '../store/types.js';
import { revokedAtMs } from '../services/ec2/imds/session-source.js';
import { builtinCredential, type Credential, type CredentialLookup } from './principal.js';

/** Where IAM access keys and STS session credentials are indexed, across accounts. */
export const ACCESS_KEY_SCOPE = { account: GLOBAL_ACCOUNT, region: '' };
export const ACCESS_KEY_KIND = 'access-key';

/**
 * Built-in root keys first, then keys issued by IAM and STS (stored by those services).
 * Instance-profile credentials (principal.ec2Source) expire early when their instance stops or
 * loses the profile: with `nowMs`, their expiry is moved to that moment (ExpiredToken).
 */
export function credentialLookup(tx: Tx, nowMs?: number): CredentialLookup {
  return (accessKeyId: string): Credential | undefined => {
    const cred = builtinCredential(accessKeyId) ?? tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId);
    const src = cred?.principal.ec2Source;
    if (!cred || !src || nowMs === undefined) return cred;
    const revoked = revokedAtMs(tx, src, nowMs);
    if (revoked === undefined) return cred;
    const expiresAt = Math.min(cred.principal.expiresAt ?? revoked, revoked, nowMs - 1);
    return { ...cred, principal: { ...cred.principal, expiresAt } };
  };
}
