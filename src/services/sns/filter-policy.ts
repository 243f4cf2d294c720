/**
 * SNS subscription filter policies: validation and matching, for both scopes
 * (FilterPolicyScope MessageAttributes, the default, and MessageBody).
 *
 * A policy is an object: every key must match (AND); a key's array lists conditions of which
 * one must match (OR); "$or" lists alternative sub-policies. Conditions: a string or number
 * (exact; numbers compare numerically), null (a body's null), {"prefix"}, {"suffix"},
 * {"equals-ignore-case"}, {"anything-but": value | [values] | {"prefix"} | {"suffix"}},
 * {"numeric": [op, n, op, n]}, {"exists": true|false}. In the MessageBody scope a nested
 * object in the policy matches a nested object of the body. A String.Array attribute or a
 * body array matches when one element does. Binary attributes never match (as on AWS).
 */
import { invalid } from './records.js';

export type Leaf = { t: 's'; v: string } | { t: 'n'; v: number } | { t: 'b'; v: boolean } | { t: 'null' };

export type FilterScope = 'MessageAttributes' | 'MessageBody';

export interface MessageAttribute { DataType: string; StringValue?: string; BinaryValue?: unknown }

type Lookup = (path: string[]) => Leaf[] | undefined;

const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

/** Parses and checks a policy; throws InvalidParameter as SNS does. */
export function parseFilterPolicy(text: string, scope: FilterScope = 'MessageAttributes'): Record<string, unknown> {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw invalid('FilterPolicy: failed to parse JSON.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw invalid('FilterPolicy: Filter policy must be a JSON object');
  checkPolicy(p as Record<string, unknown>, scope, 0);
  return p as Record<string, unknown>;
}

function checkPolicy(p: Record<string, unknown>, scope: FilterScope, depth: number): void {
  for (const [k, v] of Object.entries(p)) {
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2 || v.some((x) => !x || typeof x !== 'object' || Array.isArray(x))) throw invalid('FilterPolicy: $or must be an array of at least two filter policies');
      for (const x of v) checkPolicy(x as Record<string, unknown>, scope, depth);
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) throw invalid(`FilterPolicy: Empty arrays are not allowed`);
      for (const c of v) checkCondition(k, c);
    } else if (v && typeof v === 'object') {
      if (scope === 'MessageAttributes') throw invalid(`FilterPolicy: "${k}" must be an object or an array`);
      checkPolicy(v as Record<string, unknown>, scope, depth + 1);
    } else throw invalid(`FilterPolicy: "${k}" must be an object or an array`);
  }
}

function checkCondition(key: string, c: unknown): void {
  if (c === null || typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean') return;
  if (typeof c !== 'object' || Array.isArray(c)) throw invalid(`FilterPolicy: Match value for ${key} must be a string, number, boolean, null or object`);
  const entries = Object.entries(c as Record<string, unknown>);
  if (entries.length !== 1) throw invalid(`FilterPolicy: Only one key allowed in match expression`);
  const [op, arg] = entries[0]!;
  switch (op) {
    case 'prefix': case 'suffix': case 'equals-ignore-case':
      if (typeof arg !== 'string') throw invalid(`FilterPolicy: ${op} match pattern must be a string`);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') throw invalid('FilterPolicy: exists match pattern must be either true or false.');
      return;
    case 'anything-but': {
      if (typeof arg === 'string' || typeof arg === 'number') return;
      if (Array.isArray(arg) && arg.length && arg.every((x) => typeof x === 'string' || typeof x === 'number')) return;
      if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
        const [[o, a] = []] = Object.entries(arg as Record<string, unknown>);
        if ((o === 'prefix' || o === 'suffix') && typeof a === 'string' && Object.keys(arg).length === 1) return;
      }
      throw invalid('FilterPolicy: anything-but: Value of anything-but must be an array or single string/number value.');
    }
    case 'numeric': {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length > 4 || arg.length % 2) throw invalid('FilterPolicy: Value of numeric must be an array.');
      for (let i = 0; i < arg.length; i += 2) {
        if (!NUMERIC_OPS.has(arg[i] as string)) throw invalid(`FilterPolicy: Unrecognized numeric range operator: ${String(arg[i])}`);
        if (typeof arg[i + 1] !== 'number') throw invalid('FilterPolicy: Value of numeric operator must be numeric');
      }
      if (arg.length === 4 && (arg[0] === '=' || arg[2] === '=')) throw invalid('FilterPolicy: Too many elements in numeric expression');
      return;
    }
    default:
      throw invalid(`FilterPolicy: Unrecognized match type ${op}`);
  }
}

/** Does a message match? `attributes` for the MessageAttributes scope, `body` (the message text) for MessageBody. */
export function matchesFilter(policy: Record<string, unknown>, scope: FilterScope, msg: { body: string; attributes?: Record<string, MessageAttribute> }): boolean {
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(msg.body);
    } catch {
      return false;
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
    return matchPolicy(policy, bodyLookup(body), []);
  }
  return matchPolicy(policy, attributeLookup(msg.attributes ?? {}), []);
}

function attributeLookup(attrs: Record<string, MessageAttribute>): Lookup {
  return ([name]) => {
    const a = attrs[name!];
    if (!a) return undefined;
    const type = a.DataType.split('.')[0];
    if (type === 'Binary') return [];
    if (type === 'Number') return [{ t: 'n', v: Number(a.StringValue) }];
    if (a.DataType === 'String.Array') {
      try {
        const arr = JSON.parse(a.StringValue ?? '') as unknown;
        if (Array.isArray(arr)) return arr.map(toLeaf).filter((x): x is Leaf => x !== undefined);
      } catch { /* not an array: no element matches */ }
      return [];
    }
    return [{ t: 's', v: a.StringValue ?? '' }];
  };
}

function toLeaf(x: unknown): Leaf | undefined {
  if (x === null) return { t: 'null' };
  if (typeof x === 'string') return { t: 's', v: x };
  if (typeof x === 'number') return { t: 'n', v: x };
  if (typeof x === 'boolean') return { t: 'b', v: x };
  return undefined;
}

function bodyLookup(body: unknown): Lookup {
  return (path) => {
    let nodes: unknown[] = [body];
    for (const k of path) {
      const next: unknown[] = [];
      for (const n of nodes) {
        for (const e of Array.isArray(n) ? n : [n]) {
          if (e && typeof e === 'object' && !Array.isArray(e) && k in (e as object)) next.push((e as Record<string, unknown>)[k]);
        }
      }
      if (!next.length) return undefined;
      nodes = next;
    }
    const leaves: Leaf[] = [];
    for (const n of nodes) for (const e of Array.isArray(n) ? n : [n]) { const l = toLeaf(e); if (l) leaves.push(l); }
    return leaves;
  };
}

function matchPolicy(p: Record<string, unknown>, lookup: Lookup, path: string[]): boolean {
  for (const [k, v] of Object.entries(p)) {
    if (k === '$or') {
      if (!(v as Array<Record<string, unknown>>).some((alt) => matchPolicy(alt, lookup, path))) return false;
    } else if (Array.isArray(v)) {
      const values = lookup([...path, k]);
      if (!v.some((c) => matchCondition(c, values))) return false;
    } else if (!matchPolicy(v as Record<string, unknown>, lookup, [...path, k])) return false;
  }
  return true;
}

function matchCondition(c: unknown, values: Leaf[] | undefined): boolean {
  if (c && typeof c === 'object' && 'exists' in c) return (values !== undefined) === (c as { exists: boolean }).exists;
  if (values === undefined) return false;
  if (c === null) return values.some((x) => x.t === 'null');
  if (typeof c === 'string') return values.some((x) => x.t === 's' && x.v === c);
  if (typeof c === 'number') return values.some((x) => x.t === 'n' && x.v === c);
  if (typeof c === 'boolean') return values.some((x) => x.t === 'b' && x.v === c);
  const [op, arg] = Object.entries(c as Record<string, unknown>)[0]!;
  switch (op) {
    case 'prefix': return values.some((x) => x.t === 's' && x.v.startsWith(arg as string));
    case 'suffix': return values.some((x) => x.t === 's' && x.v.endsWith(arg as string));
    case 'equals-ignore-case': return values.some((x) => x.t === 's' && x.v.toLowerCase() === (arg as string).toLowerCase());
    case 'numeric': return values.some((x) => x.t === 'n' && numeric(arg as Array<string | number>, x.v));
    case 'anything-but': return values.some((x) => anythingBut(arg, x));
    default: return false;
  }
}

function numeric(ops: Array<string | number>, n: number): boolean {
  if (!Number.isFinite(n)) return false;
  for (let i = 0; i < ops.length; i += 2) {
    const b = ops[i + 1] as number;
    const ok = { '=': n === b, '<': n < b, '<=': n <= b, '>': n > b, '>=': n >= b }[ops[i] as '='];
    if (!ok) return false;
  }
  return true;
}

function anythingBut(arg: unknown, x: Leaf): boolean {
  if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
    if (x.t !== 's') return false;
    const o = arg as { prefix?: string; suffix?: string };
    if (o.prefix !== undefined) return !x.v.startsWith(o.prefix);
    return !x.v.endsWith(o.suffix!);
  }
  const list = Array.isArray(arg) ? arg : [arg];
  if (x.t === 's') return !list.includes(x.v);
  if (x.t === 'n') return !list.some((y) => typeof y === 'number' && y === x.v);
  return true;
}
