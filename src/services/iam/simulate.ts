/**
 * The IAM policy simulator: SimulatePrincipalPolicy (a user's, group's or role's stored
 * policies, plus extra ones) and SimulateCustomPolicy (only the policies given). Every
 * (action, resource) pair goes through decide() from src/services/authz/decision.ts, the
 * function the enforcement step uses, so a simulation answers what a real request would
 * (given the same condition keys: the simulator only has those passed in ContextEntries,
 * plus what the engine derives from the principal and the clock).
 */
import type {
  ContextEntry, EvaluationResult, SimulateCustomPolicyRequest, SimulatePolicyResponse, SimulatePrincipalPolicyRequest, Statement,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import { parsePolicy, PolicyError, type MatchedStatement, type Policy, type PolicyKind, type RequestContext as PolicyRequest, type RequestPrincipal } from '../../policy/index.js';
import { decide, type DecisionResult, type PolicyInputs } from '../authz/decision.js';
import { statementSpans } from '../authz/positions.js';
import type { Handler, RequestContext } from '../types.js';
import { invalidInput, noSuchEntity } from './common.js';
import { find } from './entities.js';
import { managedPolicyDocument, policiesForPrincipal } from './principal-policies.js';

type SimulateInput = Partial<SimulatePrincipalPolicyRequest & SimulateCustomPolicyRequest>;

/** A policy in the simulation, and how the simulator reports it. */
interface Source {
  policy: Policy;
  document: string;
  /** SourcePolicyId: a policy's name, or PolicyInputList.N. */
  reportId: string;
  /** SourcePolicyType. */
  type: string;
}

const ENTITY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(user|group|role)(\/(?:[^/]+\/)*)?([\w+=,.@-]+)$/;
const USER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):user(\/(?:[^/]+\/)*)?([\w+=,.@-]+)$/;
const ACTION = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/;
const MAX_DEFAULT = 100;

function parseInput(document: string, kind: PolicyKind, reportId: string, type: string): Source {
  try {
    return { policy: parsePolicy(document, { kind, id: reportId }), document, reportId, type };
  } catch (e) {
    if (e instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', e.message, 400);
    throw e;
  }
}

/** How the simulator names a stored policy: inline `user/NAME/inline/P` -> (P, user); managed ARN -> (name, aws-/user-managed). */
function describeStored(id: string): { reportId: string; type: string } {
  const inline = /^(user|group|role)\/[^/]+\/inline\/(.+)$/.exec(id);
  if (inline) return { reportId: inline[2]!, type: inline[1]! };
  const name = id.slice(id.lastIndexOf('/') + 1);
  return { reportId: name, type: /^arn:aws[a-z-]*:iam::aws:policy\//.test(id) ? 'aws-managed' : 'user-managed' };
}

function stored(doc: { id: string; document: string }, kind: PolicyKind): Source | undefined {
  const { reportId, type } = describeStored(doc.id);
  try {
    return { policy: parsePolicy(doc.document, { kind, id: doc.id }), document: doc.document, reportId, type };
  } catch {
    return undefined;
  }
}

/** The stored identity policies and boundary of a user, group or role, and the principal it simulates as. */
function entityPolicies(ctx: RequestContext, arn: string): { identity: Source[]; boundary?: Source; principal: RequestPrincipal } {
  const m = ENTITY_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid Entity Arn: ${arn} does not clearly define entity type and name.`);
  const [, account, kind, , name] = m as unknown as [string, string, 'user' | 'group' | 'role', string | undefined, string];
  const label = { user: 'user', group: 'group', role: 'role' }[kind];
  const rec = account === ctx.account ? find(ctx.tx, account, kind, name) : undefined;
  if (!rec || rec.arn !== arn) throw noSuchEntity(`The ${label} with name ${name} cannot be found.`);
  if (kind === 'group') {
    const identity: Source[] = [];
    for (const [pname, document] of Object.entries(rec.inlinePolicies)) {
      const s = stored({ id: `group/${rec.name}/inline/${pname}`, document }, 'identity');
      if (s) identity.push(s);
    }
    for (const parn of rec.attachedPolicies) {
      const document = managedPolicyDocument(ctx.tx, account, parn);
      const s = document === undefined ? undefined : stored({ id: parn, document }, 'identity');
      if (s) identity.push(s);
    }
    return { identity, principal: { kind: 'user', arn, account, userId: rec.id } };
  }
  const principal: RequestPrincipal = kind === 'user'
    ? { kind: 'user', arn, account, userId: rec.id, username: rec.name }
    : { kind: 'assumed-role', arn: `arn:aws:sts::${account}:assumed-role/${rec.name}/SimulatedSession`, account, roleArn: arn, userId: `${rec.id}:SimulatedSession` };
  const found = policiesForPrincipal(ctx.tx, kind === 'user'
    ? { kind: 'user', account, arn, userId: rec.id, name: rec.name }
    : { kind: 'assumed-role', account, arn: principal.arn, userId: principal.userId!, roleArn: arn, name: rec.name });
  const identity = found.identity.map((d) => stored(d, 'identity')).filter((s): s is Source => s !== undefined);
  const boundary = found.boundary ? stored(found.boundary, 'boundary') : undefined;
  return boundary ? { identity, boundary, principal } : { identity, principal };
}

function contextOf(entries: ContextEntry[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const e of entries ?? []) {
    const name = e.ContextKeyName;
    if (!name || !/^.{5,256}$/.test(name)) throw invalidInput(`Invalid context key name: ${name ?? ''}`);
    const values = e.ContextKeyValues ?? [];
    const type = e.ContextKeyType ?? 'string';
    if (!/^(string|numeric|boolean|date|ip|binary)(List)?$/.test(type)) throw invalidInput(`Invalid context key type: ${type}`);
    out[name] = type.endsWith('List') || values.length > 1 ? values : values[0] ?? '';
  }
  return out;
}

const DECISION: Record<string, 'allowed' | 'explicitDeny' | 'implicitDeny'> = {
  Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny',
};
const RANK = { allowed: 0, implicitDeny: 1, explicitDeny: 2 } as const;

function matched(sources: Source[], hits: MatchedStatement[]): Statement[] {
  const out: Statement[] = [];
  for (const h of hits) {
    const src = sources.find((s) => s.policy.id === h.policyId && s.policy.kind === kindOf(h.source));
    if (!src) continue;
    const span = statementSpans(src.document)[h.index];
    out.push({
      SourcePolicyId: src.reportId,
      SourcePolicyType: src.type as Statement['SourcePolicyType'],
      ...(span ? { StartPosition: span.start, EndPosition: span.end } : {}),
    });
  }
  return out;
}

const kindOf = (source: MatchedStatement['source']): PolicyKind =>
  source === 'resource' ? 'resource' : source === 'boundary' ? 'boundary' : 'identity';

interface Simulation {
  identity: Source[];
  boundary?: Source;
  resource?: Source;
  principal: RequestPrincipal;
  resourceAccount?: string;
}

function simulate(ctx: RequestContext, input: SimulateInput, sim: Simulation): SimulatePolicyResponse {
  const actions = input.ActionNames ?? [];
  if (!actions.length) throw new AwsError('ValidationError', '1 validation error detected: Value null at \'actionNames\' failed to satisfy constraint: Member must not be null', 400);
  for (const a of actions) if (!ACTION.test(a)) throw invalidInput(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. Invalid action: ${a}`);
  const resources = input.ResourceArns?.length ? input.ResourceArns : ['*'];
  for (const r of resources) if (r !== '*' && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/.test(r)) throw invalidInput(`Resource ${r} must be in ARN format or "*".`);
  const context = contextOf(input.ContextEntries);
  const inputs: PolicyInputs = { identity: sim.identity.map((s) => s.policy) };
  if (sim.boundary) inputs.boundary = sim.boundary.policy;
  if (sim.resource) inputs.resource = sim.resource.policy;
  const all = [...sim.identity, ...(sim.boundary ? [sim.boundary] : []), ...(sim.resource ? [sim.resource] : [])];
  const now = () => ctx.clock.nowMs();

  const results: EvaluationResult[] = actions.map((action) => {
    const perResource = resources.map((resource) => {
      const req: PolicyRequest = { action, resource, principal: sim.principal, context };
      if (sim.resourceAccount !== undefined) req.resourceAccount = sim.resourceAccount;
      const d = decide(req, inputs, { now, rootBypassesIdentity: false });
      return { resource, d, req };
    });
    let worst = perResource[0]!;
    for (const r of perResource) if (RANK[DECISION[r.d.result.decision]!] > RANK[DECISION[worst.d.result.decision]!]) worst = r;
    const detail = (r: { d: DecisionResult; req: PolicyRequest }) => {
      const out: Partial<EvaluationResult> = {
        MatchedStatements: matched(all, r.d.result.matchedStatements),
        MissingContextValues: r.d.result.missingContextKeys,
      };
      if (sim.boundary) {
        const b = decide(r.req, { identity: [sim.boundary.policy] }, { now });
        out.PermissionsBoundaryDecisionDetail = { AllowedByPermissionsBoundary: b.allowed };
      }
      const cross = sim.resourceAccount !== undefined && sim.resourceAccount !== sim.principal.account;
      if (cross || sim.resource) {
        const idDecision = decide(r.req, { identity: inputs.identity, ...(inputs.boundary ? { boundary: inputs.boundary } : {}) }, { now }).result.decision;
        const resDecision = sim.resource ? decide({ ...r.req, resourceAccount: r.req.principal.account === '000000000001' ? '000000000002' : '000000000001' }, { identity: [], resource: sim.resource.policy }, { now }).result : undefined;
        out.EvalDecisionDetails = {
          'IAM Policy': DECISION[idDecision]!,
          ...(resDecision ? { 'Resource Policy': resDecision.matchedStatements.some((m) => m.source === 'resource' && m.effect === 'Allow') && resDecision.decision !== 'ExplicitDeny' ? 'allowed' : DECISION[resDecision.decision === 'ExplicitDeny' ? 'ExplicitDeny' : 'ImplicitDeny']! } : {}),
        };
      }
      return out;
    };
    const top: EvaluationResult = {
      EvalActionName: action,
      EvalResourceName: resources.length === 1 ? resources[0]! : '*',
      EvalDecision: DECISION[worst.d.result.decision]!,
      ...detail(worst),
      OrganizationsDecisionDetail: { AllowedByOrganizations: true },
    };
    if (input.ResourceArns?.length) {
      top.ResourceSpecificResults = perResource.map((r) => {
        const { MatchedStatements, MissingContextValues, PermissionsBoundaryDecisionDetail, EvalDecisionDetails } = detail(r);
        return {
          EvalResourceName: r.resource,
          EvalResourceDecision: DECISION[r.d.result.decision]!,
          MatchedStatements, MissingContextValues,
          ...(PermissionsBoundaryDecisionDetail ? { PermissionsBoundaryDecisionDetail } : {}),
          ...(EvalDecisionDetails ? { EvalDecisionDetails } : {}),
        };
      });
    }
    return top;
  });
  return page(results, input);
}

function page(results: EvaluationResult[], input: SimulateInput): SimulatePolicyResponse {
  const max = input.MaxItems ?? MAX_DEFAULT;
  if (max < 1 || max > 1000) throw new AwsError('ValidationError', `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`, 400);
  let start = 0;
  if (input.Marker !== undefined) {
    const m = /^sim:(\d+)$/.exec(Buffer.from(input.Marker, 'base64url').toString('utf8'));
    if (!m) throw new AwsError('ValidationError', 'Invalid Marker.', 400);
    start = Number(m[1]);
  }
  const items = results.slice(start, start + max);
  const truncated = start + max < results.length;
  return {
    EvaluationResults: items,
    IsTruncated: truncated,
    ...(truncated ? { Marker: Buffer.from(`sim:${start + max}`).toString('base64url') } : {}),
  };
}

function inputPolicies(list: string[] | undefined, kind: PolicyKind, prefix: string, type: string): Source[] {
  return (list ?? []).map((doc, i) => parseInput(doc, kind, `${prefix}.${i + 1}`, type));
}

/** arn:aws:iam::ACCT:root, arn:aws:iam::ACCT-ID:root or a bare account ID -> the account. */
function ownerAccount(owner: string | undefined): string | undefined {
  if (owner === undefined) return undefined;
  const m = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?:-ID)?(?::root)?$/.exec(owner);
  if (!m) throw invalidInput(`Invalid ResourceOwner: ${owner}`);
  return m[1];
}

/** The simulated caller: a user ARN (CallerArn), which need not exist. */
function callerPrincipal(ctx: RequestContext, arn: string): RequestPrincipal {
  const m = USER_ARN.exec(arn);
  if (!m) throw invalidInput(`Invalid CallerArn: ${arn}. CallerArn must be the ARN of an IAM user.`);
  const name = m[3]!;
  const rec = m[1] === ctx.account ? find(ctx.tx, m[1]!, 'user', name) : undefined;
  return { kind: 'user', arn, account: m[1]!, username: name, ...(rec ? { userId: rec.id } : {}) };
}

function resourcePolicy(input: SimulateInput): Source | undefined {
  return input.ResourcePolicy === undefined ? undefined : parseInput(input.ResourcePolicy, 'resource', 'ResourcePolicy', 'resource');
}

export const simulatePrincipalPolicy: Handler<SimulatePrincipalPolicyRequest, SimulatePolicyResponse> = (input, ctx) => {
  if (!input.PolicySourceArn) throw new AwsError('ValidationError', '1 validation error detected: Value null at \'policySourceArn\' failed to satisfy constraint: Member must not be null', 400);
  const entity = entityPolicies(ctx, input.PolicySourceArn);
  const extra = inputPolicies(input.PolicyInputList, 'identity', 'PolicyInputList', 'IAM Policy');
  const boundaries = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'boundary', 'PermissionsBoundaryPolicyInputList', 'PermissionsBoundaryPolicy');
  const resource = resourcePolicy(input);
  const isUser = USER_ARN.test(input.PolicySourceArn);
  if (resource && !isUser && !input.CallerArn) {
    throw invalidInput('CallerArn must be specified when a ResourcePolicy is included and the PolicySourceArn is not an IAM user.');
  }
  const principal = input.CallerArn ? callerPrincipal(ctx, input.CallerArn) : entity.principal;
  const owner = ownerAccount(input.ResourceOwner);
  const sim: Simulation = { identity: [...entity.identity, ...extra], principal };
  // A boundary passed in replaces the entity's own.
  const boundary = boundaries[0] ?? entity.boundary;
  if (boundary) sim.boundary = boundary;
  if (resource) sim.resource = resource;
  if (owner !== undefined) sim.resourceAccount = owner;
  return simulate(ctx, input as SimulateInput, sim);
};

export const simulateCustomPolicy: Handler<SimulateCustomPolicyRequest, SimulatePolicyResponse> = (input, ctx) => {
  if (!input.PolicyInputList?.length) throw new AwsError('ValidationError', '1 validation error detected: Value null at \'policyInputList\' failed to satisfy constraint: Member must not be null', 400);
  const identity = inputPolicies(input.PolicyInputList, 'identity', 'PolicyInputList', 'IAM Policy');
  const boundaries = inputPolicies(input.PermissionsBoundaryPolicyInputList, 'boundary', 'PermissionsBoundaryPolicyInputList', 'PermissionsBoundaryPolicy');
  const resource = resourcePolicy(input);
  const principal: RequestPrincipal = input.CallerArn
    ? callerPrincipal(ctx, input.CallerArn)
    : { kind: 'user', arn: `arn:aws:iam::${ctx.account}:user/SimulatedUser`, account: ctx.account, username: 'SimulatedUser' };
  const owner = ownerAccount(input.ResourceOwner);
  const sim: Simulation = { identity, principal };
  if (boundaries[0]) sim.boundary = boundaries[0];
  if (resource) sim.resource = resource;
  if (owner !== undefined) sim.resourceAccount = owner;
  return simulate(ctx, input as SimulateInput, sim);
};
