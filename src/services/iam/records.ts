/**
 * How IAM keeps its entities in the store. IAM is global: every row lives in scope
 * {account, region: ''}. Shared by the IAM service, STS (roles, trust policies) and the
 * enforcement step (which policies apply to a principal).
 */
export const IAM_KIND = {
  user: 'iam:user',
  group: 'iam:group',
  role: 'iam:role',
  policy: 'iam:policy',
  instanceProfile: 'iam:instance-profile',
  oidcProvider: 'iam:oidc-provider',
} as const;

export const iamScope = (account: string) => ({ account, region: '' });

/*
 * Row ids: users, groups, roles, instance profiles and customer managed policies are keyed by
 * their name exactly as created (IAM names are unique ignoring case; the IAM service checks
 * that); OIDC providers by their ARN. So a role is `tx.get(iamScope(acct), IAM_KIND.role,
 * name)` where name is the last segment of its ARN. AWS managed policies are not rows: see
 * src/services/iam/aws-managed.ts. For documents that apply to a principal, use
 * src/services/iam/principal-policies.ts.
 */

export interface Tag { Key: string; Value: string }

/** Inline policies by name -> the URL-decoded JSON document. */
export type InlinePolicies = Record<string, string>;

export interface UserRecord {
  name: string;
  /** AIDA... */
  id: string;
  arn: string;
  path: string;
  createdAt: string;
  tags: Tag[];
  permissionsBoundary?: string;
  inlinePolicies: InlinePolicies;
  /** Managed policy ARNs (customer managed or arn:aws:iam::aws:policy/...). */
  attachedPolicies: string[];
  groups: string[];
  accessKeys: Array<{ id: string; status: 'Active' | 'Inactive'; createdAt: string }>;
  loginProfile?: { createdAt: string; passwordResetRequired: boolean };
}

export interface GroupRecord {
  name: string;
  /** AGPA... */
  id: string;
  arn: string;
  path: string;
  createdAt: string;
  inlinePolicies: InlinePolicies;
  attachedPolicies: string[];
}

export interface RoleRecord {
  name: string;
  /** AROA... */
  id: string;
  arn: string;
  path: string;
  createdAt: string;
  /** The trust policy, URL-decoded JSON, as written. */
  assumeRolePolicyDocument: string;
  /**
   * The unique IDs of the users and roles the trust policy names by ARN, recorded when it was
   * written (principal-ids.ts); absent for roles stored before cloudlet recorded them.
   */
  trustPrincipalIds?: Record<string, string>;
  description?: string;
  /** Seconds, 3600..43200. */
  maxSessionDuration: number;
  tags: Tag[];
  permissionsBoundary?: string;
  inlinePolicies: InlinePolicies;
  attachedPolicies: string[];
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createdAt: string;
}

export interface ManagedPolicyRecord {
  name: string;
  /** ANPA... */
  id: string;
  arn: string;
  path: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  tags: Tag[];
  /** The number the next version gets (IAM never reuses version ids); absent means derive from versions. */
  nextVersion?: number;
}

export interface InstanceProfileRecord {
  name: string;
  /** AIPA... */
  id: string;
  arn: string;
  path: string;
  createdAt: string;
  roles: string[];
  tags: Tag[];
}

export interface OidcProviderRecord {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createdAt: string;
  tags: Tag[];
}
