import type { Principal } from '../../auth/principal.js';
import type { Tx } from '../../store/types.js';
import { find, findById } from '../iam/entities.js';
import { policiesForPrincipal } from '../iam/principal-policies.js';
import type { RoleRecord, UserRecord } from '../iam/records.js';
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
 * The IAM user or role a principal's credentials belong to, found by its unique ID: a user
 * or role deleted and created again under the same name is another principal, and the old
 * credentials get none of its permissions (undefined). Root and anonymous callers have none.
 */
export function principalEntity(tx: Tx, principal: Principal): UserRecord | RoleRecord | undefined {
  if (principal.kind === 'user') return findById(tx, principal.account, 'user', principal.userId, principal.name);
  if (principal.kind === 'assumed-role' && principal.roleArn) {
    const roleId = principal.userId.split(':')[0]!;
    const account = principal.roleArn.split(':')[4] ?? principal.account;
    const role = findById(tx, account, 'role', roleId, principal.name);
    return role && role.arn === principal.roleArn ? role : undefined;
  }
  return undefined;
}

/**
 * The IAM service's answer (its users, groups, roles and managed policies), for the user or
 * role with the principal's unique ID. A federated-user session (GetFederationToken) has the
 * policies of the IAM user that made it, bound to that user's unique ID as well.
 */
export const identityPolicies: IdentityPolicyLoader = (tx, principal) => {
  if (principal.kind === 'federated-user') {
    const s = principal as SessionPrincipal;
    const via = s.userArn;
    if (!via) return { identity: [] };
    if (via.endsWith(':root')) return { identity: [{ id: via, document: ROOT_IDENTITY }] };
    const name = via.slice(via.lastIndexOf('/') + 1);
    // Sessions issued before cloudlet recorded the user's ID are matched by name.
    const user = s.userUniqueId !== undefined ? findById(tx, principal.account, 'user', s.userUniqueId, name) : find(tx, principal.account, 'user', name);
    if (!user) return { identity: [] };
    return policiesForPrincipal(tx, { kind: 'user', account: principal.account, arn: user.arn, userId: user.id, name: user.name });
  }
  if (principal.kind === 'user') {
    const user = principalEntity(tx, principal) as UserRecord | undefined;
    return user ? policiesForPrincipal(tx, { ...principal, arn: user.arn, name: user.name }) : { identity: [] };
  }
  if (principal.kind === 'assumed-role') return principalEntity(tx, principal) ? policiesForPrincipal(tx, principal) : { identity: [] };
  return policiesForPrincipal(tx, principal);
};
