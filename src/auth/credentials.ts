import type { Tx } from '../store/types.js';
import { GLOBAL_ACCOUNT } from '../store/types.js';
import { builtinCredential, type Credential, type CredentialLookup } from './principal.js';

/** Where IAM access keys and STS session credentials are indexed, across accounts. */
export const ACCESS_KEY_SCOPE = { account: GLOBAL_ACCOUNT, region: '' };
export const ACCESS_KEY_KIND = 'access-key';

/** Built-in root keys first, then keys issued by IAM and STS (stored by those services). */
export function credentialLookup(tx: Tx): CredentialLookup {
  return (accessKeyId: string): Credential | undefined =>
    builtinCredential(accessKeyId) ?? tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId);
}
