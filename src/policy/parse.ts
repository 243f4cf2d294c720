/**
 * parsePolicy: validates a policy document the way IAM does on save, normalises it
 * (single values become arrays, condition values become strings) and precompiles every
 * statement so evaluation never re-reads the JSON.
 */

import { compileCondition } from './conditions.js';
import { compileActions, compileResources, resourcePartStart } from './match.js';
import { compilePrincipal, normalisePrincipal } from './principal.js';
import {
  PolicyError,
  type CompiledStatement,
  type Effect,
  type Policy,
  type PolicyKind,
  type PolicyVersion,
  type Statement,
} from './types.js';

export interface ParseOptions {
  kind?: PolicyKind;
  /** Name or ARN reported in evaluation results; defaults to the document's Id. */
  id?: string;
  /**
   * AWS accepts a document without Version wherever it accepts a policy (identity, trust,
   * session and resource policies) and reads it as 2008-10-17: policy variables are plain
   * text. That is the default, so every caller parses a stored document the same way;
   * false rejects such a document (for tools that want to insist on a Version).
   */
  allowMissingVersion?: boolean;
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS: ReadonlySet<string> = new Set(['2012-10-17', '2008-10-17']);
const VENDOR = /^[a-zA-Z0-9-]+$/;
const SID = /^[0-9A-Za-z]*$/;
const ACTION_NAME = /^[^\s:]+$/;
// aws, aws-cn, aws-us-gov, ...; wildcards are allowed in every ARN segment. Two tests, not
// one alternation: `[..*?]*[*?][..*?]*` backtracks quadratically on a long run of stars.
const PARTITION_NAME = /^aws(?:-[a-z]+)*$/;
const PARTITION_GLOB = /^[a-z0-9*?-]*$/;
const validPartition = (p: string): boolean => PARTITION_NAME.test(p) || (PARTITION_GLOB.test(p) && (p.includes('*') || p.includes('?')));

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Kinds that attach to an identity and therefore must not name a principal. */
const IDENTITY_KINDS: ReadonlySet<PolicyKind> = new Set(['identity', 'boundary', 'session', 'scp']);
/** Kinds IAM stores and checks for unique statement IDs. */
const IAM_KINDS: ReadonlySet<PolicyKind> = new Set(['identity', 'boundary', 'trust']);

export function parsePolicy(json: string, opts: ParseOptions = {}): Policy {
  const kind = opts.kind ?? 'identity';
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new PolicyError(`Syntax errors in policy. (${(e as Error).message})`);
  }
  if (!isObject(doc)) throw new PolicyError('Syntax errors in policy. (the document must be a JSON object)');
  for (const k of Object.keys(doc)) if (!TOP_LEVEL.has(k)) throw new PolicyError(`Unknown field ${k} at the top level of the policy`);

  let version: PolicyVersion;
  if (doc.Version === undefined) {
    if (opts.allowMissingVersion === false) throw new PolicyError('Missing required field Version');
    version = '2008-10-17';
  } else if (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version)) {
    throw new PolicyError(`Invalid policy Version ${JSON.stringify(doc.Version)}: must be "2012-10-17" or "2008-10-17"`);
  } else {
    version = doc.Version as PolicyVersion;
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw new PolicyError('Id must be a string');
  if (doc.Statement === undefined) throw new PolicyError('Missing required field Statement');
  const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];

  const vars = version === '2012-10-17';
  const statements: Statement[] = [];
  const compiled: CompiledStatement[] = [];
  const sids = new Set<string>();
  rawStatements.forEach((raw, index) => {
    const st = normaliseStatement(raw, index, kind);
    if (st.sid !== undefined && IAM_KINDS.has(kind)) {
      if (kind !== 'trust' && !SID.test(st.sid)) {
        throw new PolicyError(`Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]* (got "${st.sid}")`);
      }
      if (sids.has(st.sid)) throw new PolicyError(`Statement IDs (SID) in a single policy must be unique: duplicate Sid ${st.sid}`);
      sids.add(st.sid);
    }
    statements.push(st);
    compiled.push(compileStatement(st, index, vars));
  });
  return { id: opts.id ?? (doc.Id as string | undefined) ?? '(unnamed policy)', kind, version, statements, compiled };
}

function stringList(value: unknown, element: string, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) {
    throw new PolicyError(`${where}: ${element} must be a string or an array of strings`);
  }
  return list as string[];
}

function checkAction(a: string, where: string): void {
  if (a === '*') return;
  const colon = a.indexOf(':');
  if (colon < 0) throw new PolicyError(`${where}: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (got "${a}")`);
  const vendor = a.slice(0, colon);
  if (!VENDOR.test(vendor)) throw new PolicyError(`${where}: Vendor ${vendor} is not valid in action "${a}"`);
  if (!ACTION_NAME.test(a.slice(colon + 1))) throw new PolicyError(`${where}: Action "${a}" is not valid`);
}

function checkResource(r: string, where: string): void {
  if (r === '*') return;
  if (!r.startsWith('arn:') || resourcePartStart(r) < 0) {
    throw new PolicyError(`${where}: Resource ${r} must be in ARN format or "*".`);
  }
  const partition = r.split(':', 2)[1]!;
  if (!validPartition(partition)) throw new PolicyError(`${where}: Partition "${partition}" is not valid for resource "${r}".`);
}

function conditionValues(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyError(`${where}: condition values must be strings, numbers or booleans`);
  });
}

function normaliseStatement(raw: unknown, index: number, kind: PolicyKind): Statement {
  if (!isObject(raw)) throw new PolicyError(`Statement ${index} must be a JSON object`);
  const where = typeof raw.Sid === 'string' && raw.Sid ? `Statement ${raw.Sid}` : `Statement ${index}`;
  for (const k of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(k)) throw new PolicyError(`${where}: Unknown field ${k}`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyError(`${where}: Sid must be a string`);

  if (raw.Effect === undefined) throw new PolicyError(`${where}: Missing required field Effect`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyError(`${where}: Invalid effect: ${String(raw.Effect)}`);
  const st: Statement = { effect: raw.Effect as Effect };
  if (raw.Sid !== undefined) st.sid = raw.Sid as string;

  if (raw.Action !== undefined && raw.NotAction !== undefined) throw new PolicyError(`${where}: cannot have both Action and NotAction`);
  const actionKey = raw.Action !== undefined ? 'Action' : raw.NotAction !== undefined ? 'NotAction' : undefined;
  if (!actionKey) throw new PolicyError(`${where}: Policy statement must contain actions.`);
  const actions = stringList(raw[actionKey], actionKey, where);
  if (actions.length === 0) throw new PolicyError(`${where}: Policy statement must contain actions.`);
  for (const a of actions) checkAction(a, where);
  if (actionKey === 'Action') st.action = actions;
  else st.notAction = actions;

  if (raw.Resource !== undefined && raw.NotResource !== undefined) throw new PolicyError(`${where}: cannot have both Resource and NotResource`);
  const resourceKey = raw.Resource !== undefined ? 'Resource' : raw.NotResource !== undefined ? 'NotResource' : undefined;
  if (resourceKey && kind === 'trust') throw new PolicyError(`${where}: Has prohibited field ${resourceKey}`);
  if (!resourceKey && IDENTITY_KINDS.has(kind) && kind !== 'scp') throw new PolicyError(`${where}: Policy statement must contain resources.`);
  if (resourceKey) {
    const resources = stringList(raw[resourceKey], resourceKey, where);
    if (resources.length === 0) throw new PolicyError(`${where}: Policy statement must contain resources.`);
    for (const r of resources) checkResource(r, where);
    if (resourceKey === 'Resource') st.resource = resources;
    else st.notResource = resources;
  }

  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) throw new PolicyError(`${where}: cannot have both Principal and NotPrincipal`);
  const principalKey = raw.Principal !== undefined ? 'Principal' : raw.NotPrincipal !== undefined ? 'NotPrincipal' : undefined;
  if (principalKey && IDENTITY_KINDS.has(kind)) throw new PolicyError(`${where}: Policy document should not specify a principal.`);
  if (!principalKey && !IDENTITY_KINDS.has(kind)) throw new PolicyError(`${where}: Missing required field Principal`);
  if (principalKey === 'Principal') st.principal = normalisePrincipal(raw.Principal, principalKey);
  else if (principalKey === 'NotPrincipal') st.notPrincipal = normalisePrincipal(raw.NotPrincipal, principalKey);

  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition)) throw new PolicyError(`${where}: Condition must be an object`);
    const condition: Record<string, Record<string, string[]>> = {};
    for (const [op, block] of Object.entries(raw.Condition)) {
      if (!isObject(block)) throw new PolicyError(`${where}: Condition ${op} must map condition keys to values`);
      const keys: Record<string, string[]> = {};
      for (const [key, value] of Object.entries(block)) {
        if (!/^[^:\s]+:\S/.test(key)) {
          throw new PolicyError(`${where}: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (condition key "${key}")`);
        }
        keys[key] = conditionValues(value, `${where} ${op} ${key}`);
      }
      condition[op] = keys;
    }
    st.condition = condition;
  }
  return st;
}

function compileStatement(st: Statement, index: number, vars: boolean): CompiledStatement {
  const where = st.sid ? `Statement ${st.sid}` : `Statement ${index}`;
  const action = st.action ? compileActions(st.action) : negate(compileActions(st.notAction!));
  const resourceList = st.resource ?? st.notResource;
  // A resource policy without Resource (ECR, some SNS/SQS documents) covers its own resource.
  const resource = !resourceList ? () => true : st.resource ? compileResources(resourceList, vars) : negate2(compileResources(resourceList, vars));
  const out: CompiledStatement = { index, effect: st.effect, action, resource };
  if (st.sid !== undefined) out.sid = st.sid;
  if (st.principal) out.principal = { matcher: compilePrincipal(st.principal), not: false };
  else if (st.notPrincipal) out.principal = { matcher: compilePrincipal(st.notPrincipal), not: true };
  if (st.condition) {
    try {
      const c = compileCondition(st.condition, vars);
      if (c) out.condition = c;
    } catch (e) {
      if (e instanceof PolicyError) throw new PolicyError(`${where}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

const negate = (f: (a: string) => boolean) => (a: string): boolean => !f(a);
const negate2 = <S>(f: (a: string, s: S) => boolean) => (a: string, s: S): boolean => !f(a, s);
