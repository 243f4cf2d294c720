/**
 * IAM enforcement: the authorize step of every request of every service.
 *
 * For each request: the operation's plan (plan.ts, built once per operation from the model
 * and the service authorization reference) gives the checks (action, resource ARN, condition
 * keys); the caller's policies (identity, permissions boundary, session) and the resource's
 * policy go through decide() (decision.ts), the same function the policy simulator uses.
 * A denial answers in AWS's words and logs one line naming the deciding policy and
 * statement; `--iam audit` logs the same line and lets the request through; `--iam off`
 * skips all of it.
 *
 * Costs are kept off the common path: parsed policies are cached per server by document
 * text (LRU), plans per operation, and a root caller costs a resource-policy lookup at most.
 */
import type { Principal } from '../../auth/principal.js';
import { AwsError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Policy, PolicyKind, RequestContext as PolicyRequest, RequestPrincipal } from '../../policy/index.js';
import type { IamMode } from '../../server/context.js';
import type { Tx } from '../../store/types.js';
import type { LoadedService } from '../registry.js';
import type { RequestContext } from '../types.js';
import { requestKeys, requestPrincipal, principalTags } from './context.js';
import { decide, denialMessage, endpointDecision, explain, type DecisionResult, type PolicyInputs } from './decision.js';
import { endpointPolicyFor, type EndpointPolicy } from './endpoint-policy.js';
import { IamDataCache } from './iam-data.js';
import { authorizationMessage, encodeAuthorizationMessage } from './message.js';
import { genericChecks, ServicePlans } from './plan.js';
import { PolicyCache, type CachedPolicy } from './policy-cache.js';
import { loadServiceAuthz } from './overrides.js';
import { identityPolicies, type IdentityPolicyLoader } from './identity.js';
import type { AuthzRequest, Check, ContextKeys, ResourcePolicyRef, ServiceAuthz } from './types.js';

export type { AuthzRequest, Check, ServiceAuthz } from './types.js';

declare module '../../server/context.js' {
  interface ServerDeps {
    /** The authorize step's per-server state (plans, parsed policies); made on first use. */
    authz?: Authorizer;
  }
}

/** IAM service prefix of each signing name that differs (the overrides may also say). */
const PREFIX: Record<string, string> = { monitoring: 'cloudwatch' };

export interface AuthorizerOptions {
  mode: IamMode;
  log: Logger;
  /** Parsed-policy cache capacity (entries). */
  cacheSize?: number;
  /** Where identity policies come from (tests substitute their own). */
  loader?: IdentityPolicyLoader;
}

interface Loaded {
  inputs: PolicyInputs;
  needsPrincipalTags: boolean;
  needsResourceTags: boolean;
}

export class Authorizer {
  readonly policies: PolicyCache;
  readonly data = new IamDataCache();
  private readonly services = new Map<string, Promise<ServicePlans>>();
  /** Services whose plans have loaded: the synchronous path. */
  private readonly ready = new Map<string, ServicePlans>();
  private readonly loader: IdentityPolicyLoader;

  constructor(private readonly opts: AuthorizerOptions) {
    this.policies = new PolicyCache(opts.cacheSize);
    this.loader = opts.loader ?? identityPolicies;
  }

  get mode(): IamMode {
    return this.opts.mode;
  }

  /** The plans of one service, built lazily per operation. */
  plans(svc: Pick<LoadedService, 'entry' | 'model'>): Promise<ServicePlans> {
    let p = this.services.get(svc.entry.name);
    if (!p) {
      p = loadServiceAuthz(svc.entry.name).then((o) => {
        const signing = svc.entry.signingNames[0] ?? svc.entry.name;
        const plans = new ServicePlans(svc.entry.name, o.prefix ?? PREFIX[signing] ?? signing, svc.model, o, this.data);
        this.ready.set(svc.entry.name, plans);
        return plans;
      });
      p.catch(() => this.services.delete(svc.entry.name));
      this.services.set(svc.entry.name, p);
    }
    return p;
  }

  /** The checks one request needs (exported for tests and the bench). */
  async checks(svc: Pick<LoadedService, 'entry' | 'model'>, req: AuthzRequest): Promise<{ checks: Check[]; overrides: ServiceAuthz }> {
    const plans = await this.plans(svc);
    return { checks: await this.checksOf(plans, req) ?? [], overrides: plans.overrides };
  }

  /** undefined: the operation needs no authorization. A promise only when an override is asynchronous. */
  private checksOf(plans: ServicePlans, req: AuthzRequest): Check[] | Promise<Check[]> | undefined {
    const plan = plans.operation(req.operation);
    if (plan.unauthorized || (req.principal.kind === 'root' && !plan.rootNeedsChecks)) return undefined;
    const generic = (): Check[] => genericChecks(plan, plans.overrides, req);
    const checks = plan.custom ? plan.custom(req, generic) : generic();
    const refine = plans.overrides.refine;
    if (!refine) return checks;
    return checks instanceof Promise ? checks.then((c) => refine(req, c)) : refine(req, checks);
  }

  /**
   * The authorize step: returns (or resolves) when the request may proceed, throws the
   * service's access-denied error when it may not (enforce mode). Synchronous once the
   * service's plans are loaded, unless an override is asynchronous (web identity tokens).
   */
  authorize(svc: Pick<LoadedService, 'entry' | 'model'>, input: unknown, ctx: RequestContext): Promise<void> | undefined {
    if (this.opts.mode === 'off') return undefined;
    const plans = this.ready.get(svc.entry.name);
    if (!plans) return this.plans(svc).then(() => this.authorize(svc, input, ctx));
    const req: AuthzRequest = {
      service: ctx.service, operation: ctx.operation, input, tx: ctx.tx, account: ctx.account, region: ctx.region,
      principal: ctx.principal, sourceIp: ctx.sourceIp, secure: ctx.wire?.secure === true, nowMs: ctx.clock.nowMs(),
    };
    const checks = this.checksOf(plans, req);
    if (checks === undefined) return undefined;
    if (checks instanceof Promise) return checks.then((c) => this.decideAll(svc, plans.overrides, c, req, ctx));
    this.decideAll(svc, plans.overrides, checks, req, ctx);
    return undefined;
  }

  private decideAll(svc: Pick<LoadedService, 'entry'>, overrides: ServiceAuthz, checks: Check[], req: AuthzRequest, ctx: RequestContext): void {
    if (!checks.length) return;
    const now = () => ctx.clock.nowMs();
    let loaded: Loaded | undefined;
    let baseKeys: ContextKeys | undefined;
    let tagKeys: ContextKeys | undefined;
    // Checks of one action share their context object: merge it once.
    let mergedFor: ContextKeys | undefined;
    let merged: ContextKeys | undefined;
    let endpoint: EndpointPolicy | null | undefined;
    for (const check of checks) {
      const rp = check.principal ?? requestPrincipal(ctx.principal);
      const ref = check.resourcePolicy !== undefined ? check.resourcePolicy ?? undefined : overrides.resourcePolicy?.(req, check);
      const crossAccount = check.resourceAccount !== undefined && check.resourceAccount !== rp.account;
      // The root user of the resource's account: nothing but a resource policy can say no.
      if (rp.kind === 'root' && !ref && !crossAccount) continue;

      loaded ??= this.load(ctx.tx, ctx.principal, rp);
      const resource = ref ? this.parse(ref.document, ref.kind, ref.id) : undefined;
      const inputs: PolicyInputs = resource ? { ...loaded.inputs, resource: resource.policy } : loaded.inputs;

      baseKeys ??= requestKeys(req, { principalTags: false, resourceTags: false });
      let context: ContextKeys = baseKeys;
      if ((loaded.needsPrincipalTags || resource?.needs.principalTags) && rp.kind !== 'anonymous' && rp.kind !== 'root') {
        tagKeys ??= principalTagKeys(req.tx, ctx.principal);
        context = { ...context, ...tagKeys };
      }
      if (check.context) {
        if (check.context !== mergedFor || context !== baseKeys) {
          merged = { ...context, ...check.context };
          mergedFor = context === baseKeys ? check.context : undefined;
        }
        context = merged!;
      }
      if (loaded.needsResourceTags || resource?.needs.resourceTags) {
        const tags = check.resourceTags ?? (check.resource !== '*' ? overrides.resourceTags?.(req, check.resource) : undefined);
        if (tags) context = { ...context, ...resourceTagKeys(check.action, tags) };
      }
      const pr: PolicyRequest = { action: check.action, resource: check.resource, principal: rp, context };
      if (check.resourceAccount !== undefined) pr.resourceAccount = check.resourceAccount;
      let d = decide(pr, inputs, { now, rootBypassesIdentity: true });
      if (d.allowed && ctx.principal.ec2Source) {
        // Instance credentials: the VPC endpoint on the request's way must allow it too.
        endpoint ??= endpointPolicyFor(ctx.tx, ctx.principal, ctx.service, ctx.region) ?? null;
        const parsed = endpoint ? this.parse(endpoint.document, 'resource', endpoint.endpointId) : undefined;
        const e = parsed && endpoint ? endpointDecision(pr, parsed.policy, endpoint.endpointId, now) : undefined;
        if (e) d = e;
      }
      if (d.allowed) continue;
      const fields = { requestId: ctx.requestId, operation: `${ctx.service}:${ctx.operation}`, ...explain(pr, d, inputs) };
      if (this.opts.mode === 'audit') {
        this.opts.log.warn('access would be denied (--iam audit: allowed)', fields);
        continue;
      }
      this.opts.log.info('access denied', fields);
      throw this.denialError(svc, overrides, check, pr, d, inputs, req.nowMs);
    }
  }

  private parse(document: string, kind: PolicyKind, id: string): CachedPolicy | undefined {
    try {
      return this.policies.get(document, kind, id);
    } catch (e) {
      // Stored documents were validated when saved; one that no longer parses grants nothing.
      this.opts.log.warn('ignoring a policy that does not parse', { policy: id, kind, error: (e as Error).message });
      return undefined;
    }
  }

  private load(tx: Tx, principal: Principal, rp: RequestPrincipal): Loaded {
    const inputs: PolicyInputs = { identity: [] };
    let needsPrincipalTags = false;
    let needsResourceTags = false;
    const note = (c: CachedPolicy): Policy => {
      needsPrincipalTags ||= c.needs.principalTags;
      needsResourceTags ||= c.needs.resourceTags;
      return c.policy;
    };
    // The signer's own policies; a substituted principal (a web identity) has none.
    if (rp.kind !== 'anonymous' && rp.kind !== 'root' && rp.kind !== 'service' && rp.arn === principal.arn) {
      const found = this.loader(tx, principal);
      for (const p of found.identity) {
        const c = this.parse(p.document, 'identity', p.id);
        if (c) inputs.identity.push(note(c));
      }
      if (found.boundary) {
        const c = this.parse(found.boundary.document, 'boundary', found.boundary.id);
        if (c) inputs.boundary = note(c);
      }
      const session = principal.sessionPolicies ?? [];
      if (session.length) {
        inputs.session = [];
        session.forEach((doc, i) => {
          const c = this.parse(doc, 'session', session.length === 1 ? 'session policy' : `session policy ${i + 1}`);
          if (c) inputs.session!.push(note(c));
        });
      }
    }
    return { inputs, needsPrincipalTags, needsResourceTags };
  }

  private denialError(svc: Pick<LoadedService, 'entry'>, o: ServiceAuthz, check: Check, pr: PolicyRequest,
    d: DecisionResult, inputs: PolicyInputs, nowMs: number): AwsError {
    const message = check.denyMessage ?? denialMessage(pr, d.denial!);
    const protocol = svc.entry.protocol;
    if (protocol === 'ec2') {
      const encoded = encodeAuthorizationMessage(authorizationMessage(pr, d, inputs, nowMs));
      return new AwsError('UnauthorizedOperation',
        `You are not authorized to perform this operation. ${message}. Encoded authorization failure message: ${encoded}`, 403);
    }
    const { code, status } = o.denial ?? (protocol === 'json' ? { code: 'AccessDeniedException', status: 400 }
      : protocol === 'rest-json' ? { code: 'AccessDeniedException', status: 403 } : { code: 'AccessDenied', status: 403 });
    const opaque = o.opaqueDenials && (pr.principal.kind === 'anonymous' || (pr.resourceAccount !== undefined && pr.resourceAccount !== pr.principal.account));
    return new AwsError(code, opaque ? 'Access Denied' : message, status);
  }
}

function principalTagKeys(tx: Tx, p: Principal): ContextKeys {
  const out: ContextKeys = {};
  for (const [k, v] of Object.entries(principalTags(tx, p))) out[`aws:PrincipalTag/${k}`] = v;
  return out;
}

/** aws:ResourceTag/K, and the service's own SVC:ResourceTag/K (iam:ResourceTag/K, ec2:...). */
function resourceTagKeys(action: string, tags: Record<string, string>): ContextKeys {
  const prefix = action.slice(0, action.indexOf(':'));
  const out: ContextKeys = {};
  for (const [k, v] of Object.entries(tags)) {
    out[`aws:ResourceTag/${k}`] = v;
    out[`${prefix}:ResourceTag/${k}`] = v;
  }
  return out;
}

/** The server's authorizer, made on first use (its caches live as long as the server). */
export function authorizerFor(deps: { iam: IamMode; log: Logger; authz?: Authorizer }): Authorizer {
  return (deps.authz ??= new Authorizer({ mode: deps.iam, log: deps.log }));
}

export type { ResourcePolicyRef };
