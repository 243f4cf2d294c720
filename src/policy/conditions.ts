/**
 * The Condition element: every operator, its ...IfExists form and the ForAllValues: /
 * ForAnyValue: set qualifiers. Blocks are compiled once; evaluation walks closures.
 *
 * AWS's rules, as documented, that this file encodes:
 * - operators AND, keys within an operator AND, values of one key OR, except that a
 *   negated operator (StringNotEquals, NotIpAddress, ...) NORs its values;
 * - a key absent from the request makes a positive operator false and a negated one true;
 *   ...IfExists makes an absent key true; ForAllValues is true and ForAnyValue false on an
 *   absent key or an empty set of values;
 * - policy variables are substituted only for string, ARN and Bool operators.
 */

import { compilePattern } from './match.js';
import { cidrContains, parseBase64, parseBool, parseCidr, parseDate, parseIp, parseNumber, type Cidr } from './scalars.js';
import { PolicyError, type ConditionMatcher, type EvalScope } from './types.js';
import { parseTemplate, renderTemplate, resolveVars, type Template } from './variables.js';

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Cmp = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface OperatorDef { family: Family; cmp: Cmp; negated: boolean }

const OPERATORS = new Map<string, { name: string } & OperatorDef>();
function def(name: string, family: Family, negated = false, cmp: Cmp = 'eq'): void {
  OPERATORS.set(name.toLowerCase(), { name, family, cmp, negated });
}
def('StringEquals', 'string');
def('StringNotEquals', 'string', true);
def('StringEqualsIgnoreCase', 'stringIgnoreCase');
def('StringNotEqualsIgnoreCase', 'stringIgnoreCase', true);
def('StringLike', 'stringLike');
def('StringNotLike', 'stringLike', true);
for (const [fam, prefix] of [['numeric', 'Numeric'], ['date', 'Date']] as const) {
  def(`${prefix}Equals`, fam);
  def(`${prefix}NotEquals`, fam, true);
  def(`${prefix}LessThan`, fam, false, 'lt');
  def(`${prefix}LessThanEquals`, fam, false, 'lte');
  def(`${prefix}GreaterThan`, fam, false, 'gt');
  def(`${prefix}GreaterThanEquals`, fam, false, 'gte');
}
def('Bool', 'bool');
def('BinaryEquals', 'binary');
def('IpAddress', 'ip');
def('NotIpAddress', 'ip', true);
def('ArnEquals', 'arn');
def('ArnLike', 'arn');
def('ArnNotEquals', 'arn', true);
def('ArnNotLike', 'arn', true);
def('Null', 'null');

export type Qualifier = 'ForAllValues' | 'ForAnyValue' | undefined;
export interface ParsedOperator extends OperatorDef { name: string; qualifier: Qualifier; ifExists: boolean }

/**
 * Parses `ForAnyValue:StringLikeIfExists` and the like; undefined for unknown names.
 * Operator names are matched without regard to case.
 */
export function parseOperator(full: string): ParsedOperator | undefined {
  let name = full;
  let qualifier: Qualifier;
  const colon = name.indexOf(':');
  if (colon >= 0) {
    const q = name.slice(0, colon).toLowerCase();
    if (q === 'forallvalues') qualifier = 'ForAllValues';
    else if (q === 'foranyvalue') qualifier = 'ForAnyValue';
    else return undefined;
    name = name.slice(colon + 1);
  }
  let base = OPERATORS.get(name.toLowerCase());
  let ifExists = false;
  if (!base && name.toLowerCase().endsWith('ifexists')) {
    base = OPERATORS.get(name.slice(0, -'IfExists'.length).toLowerCase());
    ifExists = true;
    // AWS documents IfExists for every operator except Null.
    if (base?.family === 'null') return undefined;
  }
  if (!base) return undefined;
  return { ...base, qualifier, ifExists };
}

const SUBSTITUTES: ReadonlySet<Family> = new Set(['string', 'stringIgnoreCase', 'stringLike', 'arn', 'bool']);

/** One policy value, compiled: tests a single request value (positive sense). */
type Test = (requestValue: string, scope: EvalScope) => boolean;

const compare = (cmp: Cmp, a: number, b: number): boolean =>
  cmp === 'eq' ? a === b : cmp === 'lt' ? a < b : cmp === 'lte' ? a <= b : cmp === 'gt' ? a > b : a >= b;

// Request IPs repeat from one evaluation to the next; one cached parse saves BigInt work.
let lastIpText = '';
let lastIp = parseIp('0.0.0.0');

function compileValue(op: ParsedOperator, operator: string, key: string, value: string, vars: boolean): Test {
  const bad = (what: string): never => {
    throw new PolicyError(`Invalid ${what} "${value}" for condition ${operator} on key ${key}`);
  };
  switch (op.family) {
    case 'string':
    case 'stringIgnoreCase': {
      const tpl = parseTemplate(value, vars);
      const ic = op.family === 'stringIgnoreCase';
      if (!tpl.dynamic) {
        const lit = renderTemplate(tpl, []);
        const want = ic ? lit.toLowerCase() : lit;
        return ic ? (v) => v.toLowerCase() === want : (v) => v === want;
      }
      return dynamicEquals(tpl, ic);
    }
    case 'stringLike':
      return compilePattern(parseTemplate(value, vars), 'glob');
    case 'arn':
      return compilePattern(parseTemplate(value, vars), 'arn');
    case 'numeric': {
      const want = parseNumber(value) ?? bad('numeric value');
      return (v) => {
        const n = parseNumber(v);
        return n !== undefined && compare(op.cmp, n, want);
      };
    }
    case 'date': {
      const want = parseDate(value) ?? bad('date');
      return (v) => {
        const n = parseDate(v);
        return n !== undefined && compare(op.cmp, n, want);
      };
    }
    case 'bool': {
      const tpl = parseTemplate(value, vars);
      if (tpl.dynamic) {
        const eq = dynamicEquals(tpl, true);
        return (v, scope) => eq(v, scope);
      }
      const want = parseBool(value) ?? bad('boolean');
      return (v) => parseBool(v) === want;
    }
    case 'binary': {
      const want = parseBase64(value) ?? bad('base64 value');
      return (v) => {
        const got = parseBase64(v);
        return got !== undefined && got.equals(want);
      };
    }
    case 'ip': {
      const cidr: Cidr = parseCidr(value) ?? bad('IP address or CIDR block');
      return (v) => {
        if (v !== lastIpText) {
          lastIpText = v;
          lastIp = parseIp(v);
        }
        return lastIp !== undefined && cidrContains(cidr, lastIp);
      };
    }
    case 'null': {
      // Only the key's presence matters; handled by the caller.
      const want = parseBool(value) ?? bad('Null value (must be true or false)');
      return () => want;
    }
  }
}

function dynamicEquals(tpl: Template, ignoreCase: boolean): Test {
  return (v, scope) => {
    const values = resolveVars(tpl, scope);
    if (!values) return false;
    const want = renderTemplate(tpl, values);
    return ignoreCase ? v.toLowerCase() === want.toLowerCase() : v === want;
  };
}

/** Whether any policy value has a variable that cannot be resolved in this request. */
function unresolvable(tpls: readonly Template[], scope: EvalScope): boolean {
  let bad = false;
  for (const t of tpls) if (t.dynamic && !resolveVars(t, scope)) bad = true;
  return bad;
}

function compileKey(op: ParsedOperator, operator: string, key: string, values: readonly string[], vars: boolean): ConditionMatcher {
  const lowerKey = key.toLowerCase();
  const substitutes = vars && SUBSTITUTES.has(op.family);
  const tests = values.map((v) => compileValue(op, operator, key, v, vars));
  const tpls = substitutes ? values.map((v) => parseTemplate(v, true)).filter((t) => t.dynamic) : [];
  const anyMatches = (rv: string, scope: EvalScope): boolean => {
    for (const t of tests) if (t(rv, scope)) return true;
    return false;
  };
  if (op.family === 'null') {
    const wantAbsent = values.map((v) => parseBool(v)!);
    return (scope) => {
      const absent = isAbsent(scope.lookup(lowerKey, key));
      // Reported like any other key (as the IAM simulator does), though absence may be the point.
      if (absent) scope.missing(key);
      return wantAbsent.some((w) => w === absent);
    };
  }
  const { qualifier, negated, ifExists } = op;
  return (scope) => {
    const raw = scope.lookup(lowerKey, key);
    let reqValues: readonly string[] | undefined = raw === undefined ? undefined : typeof raw === 'string' ? [raw] : raw;
    // For set operators AWS treats an empty string as an empty set of values.
    if (qualifier && raw === '') reqValues = [];
    if (reqValues === undefined || reqValues.length === 0) {
      if (reqValues === undefined || !qualifier) scope.missing(key);
      if (ifExists) return true;
      if (qualifier === 'ForAllValues') return true;
      if (qualifier === 'ForAnyValue') return false;
      return negated;
    }
    if (tpls.length && unresolvable(tpls, scope)) return false;
    if (qualifier === 'ForAllValues') {
      for (const rv of reqValues) if (anyMatches(rv, scope) === negated) return false;
      return true;
    }
    if (qualifier === 'ForAnyValue') {
      for (const rv of reqValues) if (anyMatches(rv, scope) !== negated) return true;
      return false;
    }
    for (const rv of reqValues) if (anyMatches(rv, scope)) return !negated;
    return negated;
  };
}

const isAbsent = (v: string | readonly string[] | undefined): boolean => v === undefined || (Array.isArray(v) && v.length === 0);

/** Validates operator names and values, and compiles the whole Condition element. */
export function compileCondition(condition: Record<string, Record<string, string[]>>, vars: boolean): ConditionMatcher | undefined {
  const matchers: ConditionMatcher[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    const op = parseOperator(operator);
    if (!op) throw new PolicyError(`Invalid Condition type : ${operator}`);
    for (const [key, values] of Object.entries(keys)) {
      if (!key) throw new PolicyError(`Condition ${operator} has an empty key`);
      matchers.push(compileKey(op, operator, key, values, vars));
    }
  }
  if (matchers.length === 0) return undefined;
  if (matchers.length === 1) return matchers[0];
  return (scope) => {
    // All blocks run (no short-circuit) so every missing key of a relevant statement is
    // reported; the cost is small next to the action and resource tests that came first.
    let ok = true;
    for (const m of matchers) if (!m(scope)) ok = false;
    return ok;
  };
}
