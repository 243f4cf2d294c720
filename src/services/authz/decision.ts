/**
 * The one decision function behind both enforcement and the policy simulator, and the
 * words AWS uses when it says no.
 */
import { evaluate, type EvaluationResult, type MatchedStatement, type Policy, type PolicySource, type RequestContext } from '../../policy/index.js';
import { callerName } from './context.js';

/** The policies that apply to one request, already parsed. */
export interface PolicyInputs {
  identity: Policy[];
  boundary?: Policy;
  session?: Policy[];
  resource?: Policy;
}

/**
 * Why a request was denied, in the terms of AWS's messages:
 *  - explicit: a Deny statement in a policy of that type;
 *  - implicit: no policy of that type allows ('trust': the role trust policy does not let
 *    the caller in, which AWS reports without a reason clause).
 */
export type Denial =
  | { explicit: true; source: PolicySource | 'vpc-endpoint'; statement: MatchedStatement }
  | { explicit: false; missing: 'identity' | 'boundary' | 'session' | 'resource' | 'trust' | 'vpc-endpoint'; policy?: string };

export interface DecisionResult {
  allowed: boolean;
  result: EvaluationResult;
  /** Set when not allowed. */
  denial?: Denial;
}

export interface DecideOptions {
  now: () => number;
  /** Root callers pass identity-policy checks (true for live requests). */
  rootBypassesIdentity?: boolean;
}

/**
 * Do these policies alone allow the request? Asked of identity policies, a boundary or the
 * session policies, each on its own: a federated user is asked as a plain user so the
 * engine's "no session policy, no permissions" rule does not answer for them.
 */
function allows(req: RequestContext, policies: Policy[] | undefined, now: () => number): boolean {
  if (!policies?.length) return false;
  const probe = req.principal.kind === 'federated-user' ? { ...req, principal: { ...req.principal, kind: 'user' as const } } : req;
  return evaluate(probe, { identity: policies }, { now }).decision === 'Allow';
}

/**
 * A resource-side policy (a resource policy, a VPC endpoint policy) on its own: evaluated as if
 * cross-account with nothing else in play, so its matching statements say whether it names this
 * caller and allows or denies the action.
 */
function alone(req: RequestContext, policy: Policy, now: () => number): { result: EvaluationResult; own: MatchedStatement[] } {
  const probe: RequestContext = { ...req, resourceAccount: req.principal.account === '000000000001' ? '000000000002' : '000000000001' };
  const result = evaluate(probe, { identity: [], resource: policy }, { now, rootBypassesIdentity: true });
  return { result, own: result.matchedStatements.filter((m) => m.source === 'resource') };
}

/** Does the resource policy allow this caller (by itself, as the cross-account path needs)? */
function resourceAllows(req: RequestContext, resource: Policy | undefined, now: () => number): boolean {
  return !!resource && alone(req, resource, now).own.some((m) => m.effect === 'Allow');
}

/**
 * A VPC endpoint policy on the request's way (endpoint-policy.ts), asked after the caller's own
 * policies allowed: it must allow by itself, and an explicit deny in it wins. Undefined: allowed.
 */
export function endpointDecision(req: RequestContext, endpoint: Policy, endpointId: string, now: () => number): DecisionResult | undefined {
  const { result, own } = alone(req, endpoint, now);
  const deny = own.find((m) => m.effect === 'Deny');
  if (deny) return { allowed: false, result, denial: { explicit: true, source: 'vpc-endpoint', statement: deny } };
  if (own.some((m) => m.effect === 'Allow')) return undefined;
  return { allowed: false, result, denial: { explicit: false, missing: 'vpc-endpoint', policy: endpointId } };
}

/** Works out which policy type AWS would blame for an implicit deny. */
function classify(req: RequestContext, inputs: PolicyInputs, opts: DecideOptions): Denial {
  const p = req.principal;
  const now = opts.now;
  if (p.kind === 'anonymous' || p.kind === 'service') return { explicit: false, missing: 'resource' };
  const trust = inputs.resource?.kind === 'trust';
  const resourceOk = resourceAllows(req, inputs.resource, now);
  if (trust && !resourceOk) return { explicit: false, missing: 'trust', policy: inputs.resource!.id };
  const crossAccount = req.resourceAccount !== undefined && req.resourceAccount !== p.account;
  if (crossAccount && !resourceOk) return { explicit: false, missing: 'resource' };
  const rootBypass = p.kind === 'root' && opts.rootBypassesIdentity === true;
  if (!rootBypass && !allows(req, inputs.identity, now)) {
    // Same account, a resource policy naming the caller outright would have allowed already.
    return { explicit: false, missing: 'identity' };
  }
  if (inputs.boundary && !allows(req, [inputs.boundary], now)) return { explicit: false, missing: 'boundary', policy: inputs.boundary.id };
  const isSession = p.kind === 'assumed-role' || p.kind === 'federated-user';
  if (isSession && (inputs.session?.length ? !allows(req, inputs.session, now) : p.kind === 'federated-user')) {
    return { explicit: false, missing: 'session' };
  }
  return { explicit: false, missing: 'identity' };
}

export function decide(req: RequestContext, inputs: PolicyInputs, opts: DecideOptions): DecisionResult {
  const set = { identity: inputs.identity, ...(inputs.boundary ? { boundary: inputs.boundary } : {}),
    ...(inputs.session?.length ? { session: inputs.session } : {}), ...(inputs.resource ? { resource: inputs.resource } : {}) };
  const result = evaluate(req, set, { now: opts.now, rootBypassesIdentity: opts.rootBypassesIdentity ?? false });
  if (result.decision === 'Allow') return { allowed: true, result };
  if (result.decision === 'ExplicitDeny') {
    const statement = result.matchedStatements[0]!;
    return { allowed: false, result, denial: { explicit: true, source: statement.source, statement } };
  }
  return { allowed: false, result, denial: classify(req, inputs, opts) };
}

const LABEL: Record<PolicySource | 'vpc-endpoint', string> = {
  'vpc-endpoint': 'a VPC endpoint policy',
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  boundary: 'a permissions boundary',
  session: 'a session policy',
  scp: 'a service control policy',
};

const NO_LABEL: Record<(Denial & { explicit: false })['missing'], string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  trust: 'role trust policy',
  'vpc-endpoint': 'VPC endpoint policy',
};

/**
 * AWS's sentence: "User: ARN is not authorized to perform: ACTION[ on resource: RES] because
 * no identity-based policy allows the ACTION action" (or "with an explicit deny in ...").
 */
export function denialMessage(req: RequestContext, denial: Denial): string {
  const on = req.resource === '*' ? '' : ` on resource: ${req.resource}`;
  const head = `User: ${callerName(req.principal)} is not authorized to perform: ${req.action}${on}`;
  if (denial.explicit) return `${head} with an explicit deny in ${LABEL[denial.source]}`;
  // A trust policy that does not let the caller in: AWS gives no reason.
  if (denial.missing === 'trust') return head;
  return `${head} because no ${NO_LABEL[denial.missing]} allows the ${req.action} action`;
}

/** The policy a matched statement belongs to. */
export function findPolicy(inputs: PolicyInputs, m: MatchedStatement): Policy | undefined {
  switch (m.source) {
    case 'identity': return inputs.identity.find((p) => p.id === m.policyId);
    case 'boundary': return inputs.boundary;
    case 'session': return inputs.session?.find((p) => p.id === m.policyId);
    case 'resource': return inputs.resource;
    default: return undefined;
  }
}

/**
 * One line for the log: which policy and statement decided (cloudlet's explanation); for a
 * Deny with conditions, the condition keys it tested and the request's values of them (why
 * it matched: `"Bool:aws:SecureTransport": "false"`).
 */
export function explain(req: RequestContext, d: DecisionResult, inputs?: PolicyInputs): Record<string, unknown> {
  const out: Record<string, unknown> = {
    principal: req.principal.arn, action: req.action, resource: req.resource,
    decision: d.result.decision, reason: d.result.reason,
  };
  if (req.resourceAccount !== undefined && req.resourceAccount !== req.principal.account) out.resourceAccount = req.resourceAccount;
  const denial = d.denial;
  if (denial?.explicit) {
    const s = denial.statement;
    out.policy = s.policyId;
    out.policyType = denial.source;
    out.statement = { sid: s.sid ?? null, index: s.index };
    const condition = inputs && findPolicy(inputs, s)?.statements[s.index]?.condition;
    if (condition) {
      const value = (key: string) => Object.entries(req.context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] ?? null;
      out.conditions = Object.fromEntries(Object.entries(condition).flatMap(([op, keys]) => Object.keys(keys).map((k) => [`${op}:${k}`, value(k)])));
    }
  } else if (denial) {
    out.missing = NO_LABEL[denial.missing];
    if (denial.policy) out.policy = denial.policy;
    const partial = d.result.matchedStatements;
    if (partial.length) out.matched = partial.map((m) => ({ policy: m.policyId, type: m.source, sid: m.sid ?? null, index: m.index, effect: m.effect }));
  }
  if (d.result.missingContextKeys.length) out.missingContextKeys = d.result.missingContextKeys;
  return out;
}
