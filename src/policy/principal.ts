/**
 * Principal and NotPrincipal: validation of the element and matching against the caller.
 *
 * Matching reports *how* the caller matched, because AWS gives the answer different
 * weight (see reference_policies_evaluation-logic, "Resource-based policies"):
 * - 'direct': `*`, the caller's own user / session / root ARN, its service or IdP: not
 *   limited by implicit denies in identity policies, boundaries or session policies;
 * - 'entity': the role of a role session, or the IAM user behind a federated-user session:
 *   limited by the permissions boundary and session policies;
 * - 'account': the account (id or :root ARN): delegates to the account's own policies.
 */

import { PolicyError, type CompiledPrincipal, type PrincipalMap, type PrincipalMatch, type RequestPrincipal } from './types.js';

const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_ARN = /^arn:aws[a-z-]*:(?:iam::\d{12}:(?:user|role)\/.+|sts::\d{12}:(?:assumed-role\/[^/]+\/.+|federated-user\/.+))$/;
// Unique IDs (AIDA..., AROA...) that IAM substitutes for deleted-then-saved principals.
const UNIQUE_ID = /^A[A-Z0-9]{15,127}$/;

function invalid(type: string, value: string): never {
  throw new PolicyError(`Invalid principal in policy: "${type}":"${value}"`);
}

/** Normalises the JSON value of Principal / NotPrincipal; throws on anything AWS rejects. */
export function normalisePrincipal(raw: unknown, element: string): PrincipalMap {
  if (raw === '*') return { AWS: ['*'] };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PolicyError(`${element} must be "*" or an object with AWS, Service, Federated or CanonicalUser`);
  }
  const out: PrincipalMap = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new PolicyError(`${element} must name at least one principal`);
  for (const [type, value] of entries) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) throw new PolicyError(`Invalid principal type ${type} in ${element}`);
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
      throw new PolicyError(`${element} ${type} must be a string or a non-empty array of strings`);
    }
    for (const v of list as string[]) {
      if (v === '*' && type === 'AWS') continue;
      if (v === '' || v.includes('*')) invalid(type, v);
      if (type === 'AWS' && !ACCOUNT_ID.test(v) && !ROOT_ARN.test(v) && !IAM_ARN.test(v) && !UNIQUE_ID.test(v)) invalid(type, v);
    }
    out[type as keyof PrincipalMap] = list as string[];
  }
  return out;
}

const RANK: Record<PrincipalMatch, number> = { none: 0, account: 1, entity: 2, direct: 3 };
export const betterMatch = (a: PrincipalMatch, b: PrincipalMatch): PrincipalMatch => (RANK[b] > RANK[a] ? b : a);

const roleIdOf = (p: RequestPrincipal): string | undefined => p.userId?.split(':')[0];

export function compilePrincipal(map: PrincipalMap): CompiledPrincipal {
  const any = (map.AWS ?? []).includes('*');
  const accounts = new Set<string>();
  const arns = new Set<string>();
  for (const v of map.AWS ?? []) {
    const root = ROOT_ARN.exec(v);
    if (ACCOUNT_ID.test(v)) accounts.add(v);
    else if (root) accounts.add(root[1]!);
    else arns.add(v);
  }
  const services = new Set(map.Service ?? []);
  const federated = new Set(map.Federated ?? []);
  const canonical = new Set(map.CanonicalUser ?? []);
  // Unique IDs live in the same set as ARNs: the two forms cannot collide.
  const has = (v: string | undefined): boolean => v !== undefined && arns.has(v);

  const viaOtherTypes = (p: RequestPrincipal): boolean =>
    (p.service !== undefined && services.has(p.service)) ||
    (p.federated !== undefined && federated.has(p.federated)) ||
    (p.canonicalUser !== undefined && canonical.has(p.canonicalUser));

  return {
    classify(p) {
      if (any || viaOtherTypes(p)) return 'direct';
      const account: PrincipalMatch = p.kind !== 'anonymous' && p.kind !== 'service' && accounts.has(p.account) ? 'account' : 'none';
      switch (p.kind) {
        case 'root':
          return account !== 'none' || has(p.arn) ? 'direct' : 'none';
        case 'user':
          return has(p.arn) || has(p.userId) ? 'direct' : account;
        case 'assumed-role':
          if (has(p.arn)) return 'direct';
          return has(p.roleArn) || has(roleIdOf(p)) ? 'entity' : account;
        case 'federated-user':
          if (has(p.arn)) return 'direct';
          return has(p.userArn) ? 'entity' : account;
        default:
          return 'none';
      }
    },
    exempts(p) {
      if (any || viaOtherTypes(p)) return true;
      const acct = accounts.has(p.account);
      switch (p.kind) {
        case 'root':
          return acct || has(p.arn);
        case 'user':
          return acct && (has(p.arn) || has(p.userId));
        case 'assumed-role':
          return acct && (has(p.roleArn) || has(roleIdOf(p))) && has(p.arn);
        case 'federated-user':
          return acct && has(p.arn);
        default:
          return false;
      }
    },
  };
}
