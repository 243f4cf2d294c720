/** Who is calling: the identity a verified signature (or its absence) resolves to. */
export interface Principal {
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous';
  account: string;
  /** arn:aws:iam::ACCT:root, arn:aws:iam::ACCT:user/path/name, arn:aws:sts::ACCT:assumed-role/ROLE/SESSION */
  arn: string;
  /** What GetCallerIdentity calls UserId: the account id for root, AIDA... for users, AROA...:session for roles. */
  userId: string;
  accessKeyId?: string;
  /** The IAM user's or role's name (users: for aws:username). */
  name?: string;
  /** For assumed roles: the role's ARN (arn:aws:iam::ACCT:role/path/name). */
  roleArn?: string;
  sessionName?: string;
  /** Temporary credentials carry an expiry (epoch ms by the cloudlet clock). */
  expiresAt?: number;
  /** Session policies and tags attached by AssumeRole, for the policy engine. */
  sessionPolicies?: string[];
  tags?: Record<string, string>;
  /** Whether credentials came from a role chain (role assumed with role credentials). */
  chained?: boolean;
  mfa?: boolean;
  /**
   * Role credentials handed out by an instance's metadata service (src/services/ec2/imds): they
   * stop working when that instance stops or terminates or its profile association changes
   * (credentials.ts asks src/services/ec2/imds/session-source.ts).
   */
  ec2Source?: {
    account: string; region: string; instanceId: string; associationId: string; issuedMs?: number;
    /** For aws:EC2InstanceSourceVPC and aws:EC2InstanceSourcePrivateIPv4 (src/services/authz/context.ts). */
    vpcId?: string; privateIp?: string;
  };
}

/** What an access key ID resolves to. */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials must present this token (x-amz-security-token). */
  sessionToken?: string;
  principal: Principal;
  status?: 'Active' | 'Inactive';
}

/** Looks an access key up; undefined when nobody owns it. */
export type CredentialLookup = (accessKeyId: string) => Credential | undefined;

export const ROOT_SECRET = 'test';

export function rootPrincipal(account: string, accessKeyId: string): Principal {
  return { kind: 'root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId };
}

/**
 * The keys that need no setup: 'test' is the root of 000000000000, and any 12-digit key ID is
 * the root of that account; both with secret 'test'.
 */
export function builtinCredential(accessKeyId: string): Credential | undefined {
  const account = accessKeyId === 'test' ? '000000000000' : /^\d{12}$/.test(accessKeyId) ? accessKeyId : undefined;
  if (!account) return undefined;
  return { accessKeyId, secretAccessKey: ROOT_SECRET, principal: rootPrincipal(account, accessKeyId) };
}
