/**
 * evaluate(): AWS's policy evaluation logic, as the IAM User Guide documents it in
 * "Policy evaluation logic", "Cross-account policy evaluation logic", "Session policies"
 * and "Permissions boundaries":
 *
 * 1. An explicit Deny in any applicable policy wins.
 * 2. Every SCP level must allow (principals of an organisation account only).
 * 3. Same account: a resource-policy Allow naming the caller directly (its user, session,
 *    root, `*`) allows outright; one naming the role behind a role session, or the user
 *    behind a federated-user session, allows if the boundary and session policies do; one
 *    naming the account only delegates to the identity path below.
 * 4. Identity path: an identity policy must allow, then the permissions boundary (if
 *    any), then, for session principals, the session policies (a role session without
 *    session policies passes; a federated-user session without them has no permissions).
 * 5. Cross-account: the identity path in the caller's account AND the resource policy
 *    must both allow.
 */

import { betterMatch } from './principal.js';
import type {
  EvalScope,
  EvaluateOptions,
  EvaluationResult,
  MatchedStatement,
  Policy,
  PolicySet,
  PolicySource,
  PrincipalMatch,
  RequestContext,
  RequestPrincipal,
} from './types.js';

const LABEL: Record<PolicySource, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
  scp: 'service control policy',
};

interface Hit extends MatchedStatement { match: PrincipalMatch }

/**
 * Condition-key access for one evaluation: the request's keys (case-insensitively) and
 * the keys AWS derives itself. A class, not closures, because one is made per request.
 */
class Scope implements EvalScope {
  private lower: Map<string, string | string[]> | undefined;
  absent: Map<string, string> | undefined;
  constructor(private readonly req: RequestContext, private readonly now: () => number) {}

  lookup(key: string, asWritten?: string): string | string[] | undefined {
    const ctx = this.req.context;
    if (asWritten !== undefined) {
      const v = ctx[asWritten];
      // The type test keeps inherited members (a key named "constructor") out.
      if (typeof v === 'string' || Array.isArray(v)) return v;
    }
    if (!this.lower) {
      this.lower = new Map();
      for (const k in ctx) {
        const v = ctx[k];
        if (v !== undefined) this.lower.set(k.toLowerCase(), v);
      }
    }
    const v = this.lower.get(key);
    return v !== undefined ? v : derivedKey(key, this.req.principal, this.now);
  }

  missing(key: string): void {
    const lower = key.toLowerCase();
    this.absent ??= new Map();
    if (!this.absent.has(lower)) this.absent.set(lower, key);
  }
}

const PRINCIPAL_TYPE: Record<string, string> = {
  root: 'Account', user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser', anonymous: 'Anonymous',
};

function derivedKey(key: string, p: RequestPrincipal, now: () => number): string | undefined {
  const authenticated = p.kind !== 'anonymous' && p.kind !== 'service';
  switch (key) {
    // For a role session AWS puts the role's ARN here, not the session's.
    case 'aws:principalarn': return authenticated ? (p.kind === 'assumed-role' ? p.roleArn ?? p.arn : p.arn) : undefined;
    case 'aws:principalaccount': return authenticated ? p.account : undefined;
    case 'aws:principaltype': return PRINCIPAL_TYPE[p.kind];
    case 'aws:userid': return p.userId;
    case 'aws:username': return p.kind === 'user' ? p.username ?? p.arn.slice(p.arn.lastIndexOf('/') + 1) : undefined;
    case 'aws:principalservicename': return p.service;
    case 'aws:currenttime': return new Date(now()).toISOString();
    case 'aws:epochtime': return String(Math.floor(now() / 1000));
    default: return undefined;
  }
}

interface State {
  req: RequestContext;
  action: string;
  scope: EvalScope;
  hasBoundary: boolean;
  denies: Hit[];
}

/** Runs one policy's statements; Deny hits go to state.denies, Allow hits to `allows`. */
function scan(policy: Policy, source: PolicySource, s: State, allows: Hit[]): void {
  const p = s.req.principal;
  for (const st of policy.compiled) {
    if (!st.action(s.action) || !st.resource(s.req.resource, s.scope)) continue;
    let match: PrincipalMatch = 'direct';
    if (st.principal) {
      if (st.principal.not) {
        // AWS: NotPrincipal with Deny always denies an IAM user or role that has a boundary.
        const bounded = st.effect === 'Deny' && s.hasBoundary && (p.kind === 'user' || p.kind === 'assumed-role');
        if (!bounded && st.principal.matcher.exempts(p)) continue;
      } else {
        match = st.principal.matcher.classify(p);
        if (match === 'none') continue;
      }
    }
    if (st.condition && !st.condition(s.scope)) continue;
    const hit: Hit = { policyId: policy.id, source, index: st.index, effect: st.effect, match };
    if (st.sid !== undefined) hit.sid = st.sid;
    (st.effect === 'Deny' ? s.denies : allows).push(hit);
  }
}

const describe = (h: MatchedStatement): string =>
  `${LABEL[h.source]} ${h.policyId} statement ${h.sid ?? `#${h.index}`}`;

// Module-level helpers rather than closures inside evaluate(): they run once per request.
function finish(scope: Scope, decision: EvaluationResult['decision'], hits: readonly Hit[], reason: string): EvaluationResult {
  const matchedStatements = hits.map((h) => {
    const m: MatchedStatement = { policyId: h.policyId, source: h.source, index: h.index, effect: h.effect };
    if (h.sid !== undefined) m.sid = h.sid;
    return m;
  });
  return { decision, matchedStatements, missingContextKeys: scope.absent ? [...scope.absent.values()] : [], reason };
}

function byMatch(hits: readonly Hit[], m: PrincipalMatch): Hit[] {
  return hits.filter((h) => h.match === m);
}

export function evaluate(req: RequestContext, policies: PolicySet, opts: EvaluateOptions = {}): EvaluationResult {
  const scope = new Scope(req, opts.now ?? Date.now);
  const s: State = {
    req,
    action: req.action.toLowerCase(),
    scope,
    hasBoundary: policies.boundary !== undefined,
    denies: [],
  };
  const p = req.principal;
  const resourceOnly = p.kind === 'anonymous' || p.kind === 'service';

  const identity: Hit[] = [];
  for (const pol of policies.identity) scan(pol, 'identity', s, identity);
  const resource: Hit[] = [];
  if (policies.resource) scan(policies.resource, 'resource', s, resource);
  const boundary: Hit[] = [];
  if (policies.boundary) scan(policies.boundary, 'boundary', s, boundary);
  const session: Hit[] = [];
  for (const pol of policies.session ?? []) scan(pol, 'session', s, session);
  const scpLevels: Hit[][] = [];
  if (!resourceOnly) {
    for (const level of policies.scp ?? []) {
      const hits: Hit[] = [];
      for (const pol of Array.isArray(level) ? level : [level]) scan(pol, 'scp', s, hits);
      scpLevels.push(hits);
    }
  }

  if (s.denies.length) return finish(scope, 'ExplicitDeny', s.denies, `explicit deny in ${describe(s.denies[0]!)}`);

  const act = req.action;
  const scpHits: Hit[] = [];
  for (let i = 0; i < scpLevels.length; i++) {
    const level = scpLevels[i]!;
    if (!level.length) return finish(scope, 'ImplicitDeny', [], `no service control policy at level ${i} allows the ${act} action`);
    scpHits.push(level[0]!);
  }

  let best: PrincipalMatch = 'none';
  for (const h of resource) best = betterMatch(best, h.match);

  if (resourceOnly) {
    if (best !== 'none') return finish(scope, 'Allow', resource, `allowed by ${describe(resource[0]!)}`);
    return finish(scope, 'ImplicitDeny', [], `no resource-based policy allows the ${act} action for this ${p.kind === 'service' ? 'service principal' : 'anonymous caller'}`);
  }

  // The limits AWS applies to what identity policies (and role/user-ARN grants) give.
  const isSession = p.kind === 'assumed-role' || p.kind === 'federated-user';
  const hasSessionPolicies = (policies.session?.length ?? 0) > 0;
  let capReason: string | undefined;
  if (policies.boundary && !boundary.length) capReason = `permissions boundary ${policies.boundary.id} does not allow the ${act} action`;
  else if (isSession && hasSessionPolicies && !session.length) capReason = `no session policy allows the ${act} action`;
  else if (p.kind === 'federated-user' && !hasSessionPolicies) capReason = `federated user session has no session policy, so it has no permissions`;
  const capHits = [...boundary, ...(isSession ? session : [])];

  const rootBypass = p.kind === 'root' && opts.rootBypassesIdentity === true;
  let identityReason: string | undefined;
  if (!rootBypass) {
    if (!identity.length) identityReason = `no identity-based policy allows the ${act} action`;
    else identityReason = capReason;
  }
  // Partial matches explain an implicit deny; caps alone explain nothing.
  const identityHits = rootBypass || !identity.length ? [] : [...identity, ...capHits];

  const sameAccount = req.resourceAccount === undefined || req.resourceAccount === p.account;
  if (!sameAccount) {
    if (best === 'none' && identityReason) {
      return finish(scope, 'ImplicitDeny', [], `cross-account: neither an identity-based policy nor a resource-based policy allows the ${act} action (${identityReason})`);
    }
    if (best === 'none') {
      const what = policies.resource ? 'no resource-based policy allows' : 'the resource has no resource-based policy, so nothing allows';
      return finish(scope, 'ImplicitDeny', identityHits, `cross-account: identity-based policy allows but ${what} the ${act} action`);
    }
    if (identityReason) return finish(scope, 'ImplicitDeny', resource, `cross-account: resource policy allows but ${identityReason}`);
    return finish(scope, 'Allow', [...identityHits, ...resource, ...scpHits], `cross-account: allowed by ${rootBypass ? 'the root user' : describe(identity[0]!)} and ${describe(resource[0]!)}`);
  }

  if (best === 'direct') {
    const hits = byMatch(resource, 'direct');
    return finish(scope, 'Allow', [...hits, ...scpHits], `allowed by ${describe(hits[0]!)}`);
  }
  if (best === 'entity' && !capReason) {
    const hits = byMatch(resource, 'entity');
    return finish(scope, 'Allow', [...hits, ...capHits, ...scpHits], `allowed by ${describe(hits[0]!)}`);
  }
  const requireResource = opts.requireResourceAllow ?? policies.resource?.kind === 'trust';
  if (requireResource && best === 'none') {
    const what = policies.resource?.kind === 'trust' ? 'the role trust policy does not allow' : 'no resource-based policy allows';
    return finish(scope, 'ImplicitDeny', identityHits, `${what} the ${act} action for this principal`);
  }
  if (identityReason) {
    const reason = best === 'entity' ? `resource-based policy allows the role or user, but ${capReason}` : identityReason;
    return finish(scope, 'ImplicitDeny', best === 'entity' ? byMatch(resource, 'entity') : identityHits, reason);
  }
  const hits = [...identityHits, ...(best === 'account' ? byMatch(resource, 'account') : []), ...scpHits];
  return finish(scope, 'Allow', hits, rootBypass ? 'allowed: the root user has full access to its account' : `allowed by ${describe(identity[0]!)}`);
}
