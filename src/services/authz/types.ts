import type { Principal } from '../../auth/principal.js';
import type { RequestPrincipal } from '../../policy/index.js';
import type { Tx } from '../../store/types.js';

/** Condition keys of one request: key as AWS spells it -> value(s). */
export type ContextKeys = Record<string, string | string[] | undefined>;

/** What the per-operation resolvers may read about the request being authorized. */
export interface AuthzRequest {
  service: string;
  operation: string;
  /** The decoded input, as handlers get it. */
  input: any;
  tx: Tx;
  /** The caller's account ('' for anonymous callers). */
  account: string;
  /** The signing region (IAM, a global service, still has one). */
  region: string;
  principal: Principal;
  sourceIp: string;
  /** The request arrived over TLS (aws:SecureTransport). */
  secure?: boolean;
  nowMs: number;
}

/** A resource-based policy that applies to one check. */
export interface ResourcePolicyRef {
  /** How reports name it, e.g. the role ARN for a trust policy, the bucket name for a bucket policy. */
  id: string;
  document: string;
  /** 'trust' for role trust policies: they must allow by themselves. */
  kind: 'resource' | 'trust';
}

/** One authorization question: may the caller perform `action` on `resource`? */
export interface Check {
  /** 'iam:CreateUser', spelled as the service authorization reference spells it. */
  action: string;
  /** One ARN, or '*'. */
  resource: string;
  /** The account owning the resource, when it is not the caller's (cross-account access). */
  resourceAccount?: string;
  /** Condition keys for this check only, over the request-wide ones. */
  context?: ContextKeys;
  /** The resource policy; undefined lets the service's resourcePolicy hook decide. */
  resourcePolicy?: ResourcePolicyRef | null;
  /** Tags of the resource (aws:ResourceTag/...), when it exists and has tags. */
  resourceTags?: Record<string, string>;
  /**
   * Who is asking, when it is not the signer: the web identity provider for
   * AssumeRoleWithWebIdentity (an unsigned call), for instance.
   */
  principal?: RequestPrincipal;
  /** The AWS message for a denial of this check, when it has its own wording. */
  denyMessage?: string;
}

/** Fills one ARN template variable from a request: one value, several (one ARN each), or none. */
export type VariableResolver = (req: AuthzRequest) => string | string[] | undefined;

/**
 * Per-service knowledge the generated table cannot derive: src/services/<svc>/authz.ts
 * exports one of these as default. Everything is optional.
 */
export interface ServiceAuthz {
  /** The IAM service prefix when it differs from the signing name (monitoring -> cloudwatch). */
  prefix?: string;
  /** Operations AWS does not authorize at all (sts:GetCallerIdentity). */
  unauthorized?: readonly string[];
  /**
   * Operation -> IAM action(s) when the names differ. Unqualified names get the service's
   * prefix; qualified ones may name another (s3express:CreateSession).
   */
  actions?: Readonly<Record<string, string | readonly string[]>>;
  /** ARN template variable -> input member names (first present wins) or a resolver. */
  variables?: Readonly<Record<string, readonly string[] | VariableResolver>>;
  /**
   * Operation -> the checks to make, for operations the table cannot describe. `generic`
   * returns what the table would have produced.
   */
  checks?: Readonly<Record<string, (req: AuthzRequest, generic: () => Check[]) => Check[] | Promise<Check[]>>>;
  /**
   * Last word on every operation's checks (after `checks` or the table): S3 names each
   * bucket's owner, policy and condition keys here. May throw the service's error.
   */
  refine?(req: AuthzRequest, checks: Check[]): Check[];
  /** The resource-based policy of a check's resource (bucket policy, repository policy). */
  resourcePolicy?(req: AuthzRequest, check: Check): ResourcePolicyRef | undefined;
  /** The tags of an existing resource, for aws:ResourceTag/*. */
  resourceTags?(req: AuthzRequest, arn: string): Record<string, string> | undefined;
  /** Service condition keys the table cannot take from input members (ec2:Region, s3:prefix ...). */
  conditions?(req: AuthzRequest, action: string): ContextKeys;
  /** The error code and status of a denial, when not the protocol's usual one. */
  denial?: { code: string; status: number };
  /** S3: plain "Access Denied" for anonymous and cross-account callers. */
  opaqueDenials?: boolean;
}
