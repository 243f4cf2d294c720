/**
 * Shapes shared by the policy engine. The engine is a pure library: nothing here knows
 * about HTTP, storage or the rest of cloudlet, so it can be tested and benchmarked alone.
 */

export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session' | 'scp';
export type Effect = 'Allow' | 'Deny';
export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** Thrown by parsePolicy; callers turn it into the AWS error of their API. */
export class PolicyError extends Error {
  readonly code = 'MalformedPolicyDocument';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** Principal element after normalisation: `"*"` becomes `{ AWS: ['*'] }`. */
export type PrincipalMap = Partial<Record<'AWS' | 'Service' | 'Federated' | 'CanonicalUser', string[]>>;

/** Normalised statement, as a caller may want to show or re-serialise it. */
export interface Statement {
  sid?: string;
  effect: Effect;
  principal?: PrincipalMap;
  notPrincipal?: PrincipalMap;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** operator name as written -> condition key as written -> values as strings */
  condition?: Record<string, Record<string, string[]>>;
}

export interface Policy {
  /** Name or ARN given by the caller, used in reports. */
  id: string;
  kind: PolicyKind;
  version: PolicyVersion;
  statements: Statement[];
  /** Precompiled matchers, one per statement; internal to the engine. */
  readonly compiled: readonly CompiledStatement[];
}

/** Per-evaluation scratch state handed to matchers. */
export interface EvalScope {
  /**
   * A condition key's value, undefined when absent. `lowerKey` decides; `asWritten` (the
   * key as the policy spells it) is only a fast path for contexts using the same spelling.
   */
  lookup(lowerKey: string, asWritten?: string): string | string[] | undefined;
  /** Records a condition key or variable that the request did not carry. */
  missing(key: string): void;
}

export type ActionMatcher = (lowerAction: string) => boolean;
export type ResourceMatcher = (resource: string, scope: EvalScope) => boolean;
export type ConditionMatcher = (scope: EvalScope) => boolean;

/**
 * How a resource-policy principal matched the caller. It matters because AWS lets
 * grants to the exact session or user bypass implicit denies elsewhere, while
 * grants to a role (for its sessions) stay capped and account grants only delegate.
 */
export type PrincipalMatch = 'none' | 'direct' | 'entity' | 'account';

export interface CompiledPrincipal {
  /** How a Principal element matches the caller. */
  classify(p: RequestPrincipal): PrincipalMatch;
  /**
   * Whether a NotPrincipal element exempts the caller. AWS checks the account, then the
   * role, then the session (or user), so only a caller whose whole chain is listed is exempt.
   */
  exempts(p: RequestPrincipal): boolean;
}

export interface CompiledStatement {
  sid?: string;
  index: number;
  effect: Effect;
  action: ActionMatcher;
  resource: ResourceMatcher;
  principal?: { matcher: CompiledPrincipal; not: boolean };
  condition?: ConditionMatcher;
}

export type PrincipalKind = 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous' | 'service';

export interface RequestPrincipal {
  arn: string;
  account: string;
  kind: PrincipalKind;
  /** aws:userid: account id for root, AIDA... for users, AROA...:session for role sessions. */
  userId?: string;
  /** Friendly name of an IAM user (aws:username). */
  username?: string;
  /** For assumed-role sessions: the role's ARN. */
  roleArn?: string;
  /** For federated-user sessions: the ARN of the IAM user that called GetFederationToken. */
  userArn?: string;
  /** For kind 'service': the service principal, e.g. 'ec2.amazonaws.com'. */
  service?: string;
  /** Identity provider the caller came through (matches Principal {"Federated": ...}). */
  federated?: string;
  /** S3 canonical user id (matches Principal {"CanonicalUser": ...}). */
  canonicalUser?: string;
}

export interface RequestContext {
  action: string;
  /** One ARN, or '*' for actions without resource-level permissions. */
  resource: string;
  principal: RequestPrincipal;
  /** Account that owns the resource; undefined means the principal's own account. */
  resourceAccount?: string;
  /** Condition keys; looked up case-insensitively. */
  context: Record<string, string | string[] | undefined>;
}

export interface PolicySet {
  identity: Policy[];
  resource?: Policy;
  boundary?: Policy;
  session?: Policy[];
  /**
   * Service control policies, one entry per level of the organisation tree (root, OUs,
   * account). Every level must allow; an array entry holds the SCPs attached at one level,
   * of which any one allowing is enough.
   */
  scp?: Array<Policy | Policy[]>;
}

export interface EvaluateOptions {
  /** The root user passes identity-policy checks (it has full access to its account). */
  rootBypassesIdentity?: boolean;
  /**
   * The resource policy must allow by itself (identity allows are not enough), as for
   * role trust policies and KMS key policies. Defaults to true when the resource policy
   * was parsed with kind 'trust'.
   */
  requireResourceAllow?: boolean;
  /** Clock for aws:CurrentTime / aws:EpochTime when the context lacks them (epoch ms). */
  now?: () => number;
}

export type PolicySource = 'identity' | 'resource' | 'boundary' | 'session' | 'scp';

export interface MatchedStatement {
  policyId: string;
  source: PolicySource;
  sid?: string;
  index: number;
  effect: Effect;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface EvaluationResult {
  decision: Decision;
  matchedStatements: MatchedStatement[];
  missingContextKeys: string[];
  reason: string;
}
