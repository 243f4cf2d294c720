import type { Principal } from '../../auth/principal.js';
import type { Tx } from '../../store/types.js';
import { defaultDocument, find, findManaged } from './entities.js';
import type { GroupRecord, InlinePolicies, RoleRecord, UserRecord } from './records.js';

/**
 * The stored policies that apply to a principal, for the enforcement step and the simulator.
 * Documents are the JSON as stored (URL-decoded). Ids: `user/NAME/inline/POLICY`,
 * `group/NAME/inline/POLICY`, `role/NAME/inline/POLICY` for inline policies, the policy ARN
 * for managed ones.
 */
export interface PrincipalPolicies {
  identity: Array<{ id: string; document: string }>;
  boundary?: { id: string; document: string };
}

/** The default version's document of a customer managed or AWS managed policy. */
export function managedPolicyDocument(tx: Tx, account: string, arn: string): string | undefined {
  try {
    const p = findManaged(tx, account, arn);
    return p ? defaultDocument(p) : undefined;
  } catch {
    return undefined; // not a policy ARN
  }
}

function collect(
  tx: Tx, account: string, out: PrincipalPolicies['identity'], kind: 'user' | 'group' | 'role',
  e: { name: string; inlinePolicies: InlinePolicies; attachedPolicies: string[] },
): void {
  for (const [name, document] of Object.entries(e.inlinePolicies)) out.push({ id: `${kind}/${e.name}/inline/${name}`, document });
  for (const arn of e.attachedPolicies) {
    const document = managedPolicyDocument(tx, account, arn);
    if (document !== undefined) out.push({ id: arn, document });
  }
}

function boundaryOf(tx: Tx, account: string, arn: string | undefined): PrincipalPolicies['boundary'] {
  if (!arn) return undefined;
  const document = managedPolicyDocument(tx, account, arn);
  return document === undefined ? undefined : { id: arn, document };
}

/** Last segment of arn:aws:iam::ACCT:user/path/NAME or arn:aws:iam::ACCT:role/path/NAME. */
const nameFromArn = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

export function policiesForPrincipal(tx: Tx, principal: Principal): PrincipalPolicies {
  const account = principal.account;
  const identity: PrincipalPolicies['identity'] = [];
  if (principal.kind === 'user') {
    const user: UserRecord | undefined = find(tx, account, 'user', principal.name ?? nameFromArn(principal.arn));
    if (!user) return { identity };
    collect(tx, account, identity, 'user', user);
    for (const g of user.groups) {
      const group: GroupRecord | undefined = find(tx, account, 'group', g);
      if (group) collect(tx, account, identity, 'group', group);
    }
    const boundary = boundaryOf(tx, account, user.permissionsBoundary);
    return boundary ? { identity, boundary } : { identity };
  }
  if (principal.kind === 'assumed-role' && principal.roleArn) {
    const role: RoleRecord | undefined = find(tx, account, 'role', nameFromArn(principal.roleArn));
    if (!role || role.arn !== principal.roleArn) return { identity };
    collect(tx, account, identity, 'role', role);
    const boundary = boundaryOf(tx, account, role.permissionsBoundary);
    return boundary ? { identity, boundary } : { identity };
  }
  return { identity };
}
