import type { Principal } from '../../auth/principal.js';
import type { Tx } from '../../store/types.js';
import { policiesForPrincipal } from '../iam/principal-policies.js';
import type { SessionPrincipal } from '../sts/session.js';

export interface PolicyDocument {
  /** How reports name the policy: a managed policy's ARN, `user/NAME/inline/POLICY` for inline ones. */
  id: string;
  document: string;
}

export interface IdentityPolicies {
  identity: PolicyDocument[];
  boundary?: PolicyDocument;
}

/** Where the identity policies and permissions boundary of a principal come from. */
export type IdentityPolicyLoader = (tx: Tx, principal: Principal) => IdentityPolicies;

/** The root user's identity: everything in its account (its federated sessions keep it, capped by their session policies). */
const ROOT_IDENTITY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/**
 * The IAM service's answer (its users, groups, roles and managed policies). A federated-user
 * session (GetFederationToken) has the policies of the IAM user that made it.
 */
export const identityPolicies: IdentityPolicyLoader = (tx, principal) => {
  if (principal.kind === 'federated-user') {
    const via = (principal as SessionPrincipal).userArn;
    if (!via) return { identity: [] };
    if (via.endsWith(':root')) return { identity: [{ id: via, document: ROOT_IDENTITY }] };
    const name = via.slice(via.lastIndexOf('/') + 1);
    return policiesForPrincipal(tx, { kind: 'user', account: principal.account, arn: via, userId: '', name });
  }
  return policiesForPrincipal(tx, principal);
};
