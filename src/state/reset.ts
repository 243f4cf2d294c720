import { ACCESS_KEY_KIND } from '../auth/credentials.js';
import { GLOBAL_ACCOUNT, type RowSelector } from '../store/types.js';
import { StateError } from './errors.js';

/**
 * What a reset removes, worked out from the store's conventions alone, so that services
 * added later (VPC, EC2, S3, ECR, ...) are covered without touching this file:
 *
 *  - Kinds are '<service>:<thing>' ('iam:user', 's3:bucket', 'ecr:repository'): a service
 *    reset removes the kinds with its prefix, in every account and region.
 *  - Rows in account '*' are cross-account indexes. Such a row belongs to the account named
 *    by its value's `account` field, or `principal.account`, or the account in
 *    `principal.arn` / `arn` (credential rows); an account reset removes them with the
 *    account's own rows.
 *  - Kinds without a service prefix are listed in SHARED_KINDS with the services that own
 *    them. The credential index ('access-key' in account '*') is the only one: IAM access
 *    keys and the STS sessions of IAM principals go with IAM; every session (rows with a
 *    session token) goes with STS.
 */
export interface ResetFilter {
  account?: string;
  service?: string;
}

type Value = Record<string, unknown> | null | undefined;

const asObject = (v: unknown): Value => (v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined);

const ARN_ACCOUNT = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/;
const arnAccount = (arn: unknown): string | undefined => (typeof arn === 'string' ? ARN_ACCOUNT.exec(arn)?.[1] : undefined);

/**
 * The account a cross-account index row belongs to (see above), if any: its value's
 * `account`, else its `principal.account`, else the account in `principal.arn` or `arn`
 * (IAM's access-key rows name their user only by ARN).
 */
export function ownerOf(value: unknown): string | undefined {
  const v = asObject(value);
  if (!v) return undefined;
  if (typeof v.account === 'string') return v.account;
  const p = asObject(v.principal);
  if (typeof p?.account === 'string' && p.account) return p.account;
  return arnAccount(p?.arn) ?? arnAccount(v.arn);
}

export const SHARED_KINDS: Record<string, Record<string, (value: unknown) => boolean>> = {
  [ACCESS_KEY_KIND]: {
    // Keys and sessions of IAM users, roles and federated users: meaningless without IAM's
    // entities. Sessions of an account's root user are not IAM state.
    iam: (v) => asObject(asObject(v)?.principal)?.kind !== 'root',
    sts: (v) => typeof asObject(v)?.sessionToken === 'string',
  },
};

const ACCOUNT = /^\d{12}$/;
const SERVICE = /^[a-z0-9-]{1,32}$/;

export function checkResetFilter(filter: ResetFilter, services: readonly string[]): void {
  if (filter.account !== undefined && !ACCOUNT.test(filter.account)) {
    throw new StateError('InvalidResetFilter', `account must be a 12-digit account ID, got ${JSON.stringify(filter.account)}`);
  }
  if (filter.service !== undefined && (!SERVICE.test(filter.service) || !services.includes(filter.service))) {
    throw new StateError('InvalidResetFilter', `unknown service ${JSON.stringify(filter.service)}; known: ${services.join(', ')}`);
  }
}

/** The selectors of a partial reset; undefined for a full one. */
export function resetSelectors(filter: ResetFilter): RowSelector[] | undefined {
  const { account, service } = filter;
  if (account === undefined && service === undefined) return undefined;
  const owned = (where?: (v: unknown) => boolean) => (v: unknown) => ownerOf(v) === account && (!where || where(v));
  const selectors: RowSelector[] = [];
  if (service === undefined) {
    selectors.push({ account: account! });
    selectors.push({ account: GLOBAL_ACCOUNT, where: owned() });
    return selectors;
  }
  const prefix = `${service}:`;
  if (account === undefined) {
    selectors.push({ kindPrefix: prefix });
  } else {
    selectors.push({ account, kindPrefix: prefix });
    selectors.push({ account: GLOBAL_ACCOUNT, kindPrefix: prefix, where: owned() });
  }
  for (const [kind, owners] of Object.entries(SHARED_KINDS)) {
    const where = owners[service];
    if (!where) continue;
    selectors.push({ account: GLOBAL_ACCOUNT, kind, where: account === undefined ? where : owned(where) });
  }
  return selectors;
}

/**
 * Blob ids mentioned in a row's JSON: any 32-hex run that is a stored blob. Services keep a
 * blob's id verbatim in the row that owns it (that is how they find it again), so this finds
 * every reference; a false match only keeps a blob that could have been removed.
 */
export function collectBlobRefs(json: string, known: ReadonlySet<string>, into: Set<string>): void {
  if (json.length < 32) return;
  for (const m of json.matchAll(/(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g)) if (known.has(m[0])) into.add(m[0]);
}
