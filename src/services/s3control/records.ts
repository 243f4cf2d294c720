/**
 * What S3 Control keeps: one row per account for the account-level Block Public Access
 * settings. S3 reads it on every public-access decision (src/services/s3/public-access.ts),
 * so it is a single keyed row, never a scan.
 *
 *   {account, ''}  s3control:public-access-block  'account'  -> PublicAccessBlockConfiguration (four booleans)
 */
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3-control';
import type { Scope, Tx } from '../../store/types.js';

export const ACCOUNT_PAB_KIND = 's3control:public-access-block';
const ROW_ID = 'account';

const accountScope = (account: string): Scope => ({ account, region: '' });

export type AccountPublicAccessBlock = Required<{ [K in keyof PublicAccessBlockConfiguration]: boolean }>;

export function accountPublicAccessBlock(tx: Tx, account: string): AccountPublicAccessBlock | undefined {
  return tx.get<AccountPublicAccessBlock>(accountScope(account), ACCOUNT_PAB_KIND, ROW_ID);
}

export function putAccountPublicAccessBlock(tx: Tx, account: string, value: AccountPublicAccessBlock): void {
  tx.put(accountScope(account), ACCOUNT_PAB_KIND, ROW_ID, value);
}

export function deleteAccountPublicAccessBlock(tx: Tx, account: string): boolean {
  return tx.delete(accountScope(account), ACCOUNT_PAB_KIND, ROW_ID);
}
