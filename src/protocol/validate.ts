import { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';

/**
 * The validation layer of AWS's query and JSON services: required members, and the `min`,
 * `max`, `pattern` and `enum` traits the models carry, reported the way those services report
 * them ("2 validation errors detected: Value 'x' at 'userName' failed to satisfy constraint:
 * ...; ..."). Type errors are the codec's job (it knows what the wire said); this only sees
 * decoded values.
 */
export interface Violation {
  /** Member path as AWS prints it: lowerCamel member names joined by '.', e.g. 'tags.1.member.key'. */
  path: string;
  /** The member name as the model spells it (EC2's MissingParameter uses it). */
  member: string;
  value: unknown;
  constraint: string;
  /** A sensitive member's value is never echoed ("Value at 'password' failed ..."). */
  sensitive?: boolean;
  /** The broken value (or the missing member) is a scalar string: ECR words these its own way. */
  string?: boolean;
}

export interface ValidationOptions {
  /** Check lengths, ranges, patterns and enums; false checks required members only. */
  constraints: boolean;
}

const FULL: ValidationOptions = { constraints: true };
const NULL = 'Member must not be null';
const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);
const at = (p: string, seg: string) => (p ? `${p}.${seg}` : seg);

const NUMERIC = new Set(['integer', 'long', 'float', 'double', 'short', 'byte', 'bigdecimal', 'biginteger']);

/** A backtracking matcher only ever sees this much, whatever the shape allows (RE2 sees all). */
const BACKTRACKING_INPUT_CAP = 4096;

/** Every constraint of a scalar shape, in AWS's order: max, then min, then pattern, then enum. */
function constraintsOf(shape: Shape): string[] {
  const out: string[] = [];
  const numeric = NUMERIC.has(shape.type ?? 'string');
  if (shape.max !== undefined) out.push(numeric ? `Member must have value less than or equal to ${shape.max}` : `Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined) out.push(numeric ? `Member must have value greater than or equal to ${shape.min}` : `Member must have length greater than or equal to ${shape.min}`);
  if (shape.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  return out;
}

/** The constraints a scalar value breaks, in the same order. */
function brokenBy(model: ServiceModel, shape: Shape, value: unknown): string[] {
  const out: string[] = [];
  if (typeof value === 'string' && (shape.type === 'string' || shape.type === undefined)) {
    const len = codePoints(value);
    if (shape.max !== undefined && len > shape.max) out.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && len < shape.min) out.push(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.pattern !== undefined) {
      const p = model.pattern(shape.pattern);
      const bounded = p.ok && (p.matcher.engine !== 'backtracking' || len <= Math.min(shape.max ?? BACKTRACKING_INPUT_CAP, BACKTRACKING_INPUT_CAP));
      if (p.ok && bounded && !p.matcher.matches(value)) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
    if (shape.enum && !shape.enum.includes(value)) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  } else if (typeof value === 'number' && NUMERIC.has(shape.type ?? '')) {
    if (shape.max !== undefined && value > shape.max) out.push(`Member must have value less than or equal to ${shape.max}`);
    if (shape.min !== undefined && value < shape.min) out.push(`Member must have value greater than or equal to ${shape.min}`);
  } else if (Buffer.isBuffer(value) && shape.type === 'blob') {
    if (shape.max !== undefined && value.length > shape.max) out.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && value.length < shape.min) out.push(`Member must have length greater than or equal to ${shape.min}`);
  }
  return out;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const isString = (s: Shape) => s.type === 'string' || s.type === undefined;
const isScalar = (s: Shape) => s.type !== 'structure' && s.type !== 'list' && s.type !== 'map';

/** Walks a decoded input against its shape and lists every broken constraint. */
export function findViolations(model: ServiceModel, ref: Shape, value: unknown, opts: ValidationOptions = FULL, path = ''): Violation[] {
  const out: Violation[] = [];
  walk(model, ref, value, opts, path, out);
  return out;
}

function walk(model: ServiceModel, ref: Shape, value: unknown, opts: ValidationOptions, path: string, out: Violation[]): void {
  if (value === undefined || value === null) return;
  const shape = model.resolve(ref);
  const add = (constraint: string, v: unknown = value, string = false) =>
    out.push({ path, member: path, value: v, constraint, ...(shape.sensitive ? { sensitive: true } : {}), ...(string ? { string: true } : {}) });
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Date) return;
      const obj = value as Record<string, unknown>;
      const required = new Set(shape.union ? [] : shape.required ?? []);
      // Member by member in model order, as AWS reports them.
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const v = obj[name];
        const p = at(path, lowerFirst(name));
        if ((v === undefined || v === null) && required.has(name)) {
          const str = isString(model.resolve(member));
          out.push({ path: p, member: name, value: null, constraint: NULL, ...(str ? { string: true } : {}) });
        }
        else walk(model, member, v, opts, p, out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      if (opts.constraints) for (const c of brokenLength(shape, value.length)) add(c);
      const member = model.resolve(shape.member!);
      if (isScalar(member)) {
        // A list of scalars gets one error naming all of the member's constraints.
        if (opts.constraints && value.some((v) => v !== null && v !== undefined && brokenBy(model, member, v).length > 0)) {
          add(`Member must satisfy constraint: [${constraintsOf(member).join(', ')}]`);
        }
        return;
      }
      value.forEach((v, i) => walk(model, shape.member!, v, opts, `${path}.${i + 1}.member`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object') return;
      const entries = Object.entries(value as Record<string, unknown>);
      if (opts.constraints) for (const c of brokenLength(shape, entries.length)) add(c);
      if (!opts.constraints) {
        const v = model.resolve(shape.value!);
        if (!isScalar(v)) for (const [k, x] of entries) walk(model, shape.value!, x, opts, `${path}.${k}`, out);
        return;
      }
      const key = model.resolve(shape.key!);
      if (entries.some(([k]) => brokenBy(model, key, k).length > 0)) add(`Map keys must satisfy constraint: [${constraintsOf(key).join(', ')}]`);
      const val = model.resolve(shape.value!);
      if (isScalar(val)) {
        if (entries.some(([, x]) => x !== null && x !== undefined && brokenBy(model, val, x).length > 0)) {
          add(`Map value must satisfy constraint: [${constraintsOf(val).join(', ')}]`);
        }
      } else for (const [k, x] of entries) walk(model, shape.value!, x, opts, `${path}.${k}`, out);
      return;
    }
    default:
      if (opts.constraints) for (const c of brokenBy(model, shape, value)) add(c, value, typeof value === 'string' && isString(shape));
  }
}

function brokenLength(shape: Shape, len: number): string[] {
  const out: string[] = [];
  if (shape.max !== undefined && len > shape.max) out.push(`Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined && len < shape.min) out.push(`Member must have length greater than or equal to ${shape.min}`);
  return out;
}

/** Longest value echoed in a message; AWS cuts long values short too. */
export const VALUE_CAP = 256;
/** At most this many errors are spelled out; the count still says how many there were. */
export const LISTED_CAP = 50;

/** A value as Java's toString prints it (lists [a, b], maps {k=v}), cut at `budget` characters. */
function render(v: unknown, budget: { left: number; cut?: boolean }): string {
  if (budget.left <= 0) {
    budget.cut = true;
    return '';
  }
  let s: string;
  if (v === null || v === undefined) s = 'null';
  else if (typeof v === 'string') {
    if (v.length > budget.left) budget.cut = true;
    s = v.slice(0, budget.left);
  }
  else if (Buffer.isBuffer(v)) s = `java.nio.HeapByteBuffer[pos=0 lim=${v.length} cap=${v.length}]`;
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  else if (Array.isArray(v)) {
    budget.left -= 1;
    const parts: string[] = [];
    for (const x of v) {
      if (budget.left <= 0) {
        budget.cut = true;
        break;
      }
      parts.push(render(x, budget));
      budget.left -= 2;
    }
    return `[${parts.join(', ')}]`;
  } else if (typeof v === 'object') {
    budget.left -= 1;
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (budget.left <= 0) {
        budget.cut = true;
        break;
      }
      budget.left -= k.length + 1;
      parts.push(`${k}=${render(x, budget)}`);
      budget.left -= 2;
    }
    return `{${parts.join(', ')}}`;
  } else s = String(v);
  budget.left -= s.length;
  return s;
}

export function renderValue(v: unknown): string {
  const budget: { left: number; cut?: boolean } = { left: VALUE_CAP };
  const s = render(v, budget);
  return budget.cut || s.length > VALUE_CAP ? `${s.slice(0, VALUE_CAP)}...` : s;
}

function describe(v: Violation): string {
  const value = v.value === null || v.value === undefined ? 'Value null' : v.sensitive ? 'Value' : `Value '${renderValue(v.value)}'`;
  return `${value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`;
}

/** "1 validation error detected: Value null at 'x' failed to satisfy constraint: ...". */
export function validationMessage(vs: Violation[]): string {
  const parts = vs.slice(0, LISTED_CAP).map(describe);
  const more = vs.length > LISTED_CAP ? `; and ${vs.length - LISTED_CAP} more` : '';
  return `${vs.length} validation error${vs.length === 1 ? '' : 's'} detected: ${parts.join('; ')}${more}`;
}

/**
 * How a service words a validation failure when it is not AWS's generic layer. 'invalid-parameter'
 * is ECR's: InvalidParameterException naming the first violation only, "Invalid parameter at
 * 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'".
 * A string member's constraint is ECR's short form ('must have length ...', 'must satisfy
 * regular expression '<p>'', 'must satisfy enum value set: [...]', 'must not be null'); list
 * lengths, list and map members and numbers keep the generic wording, "Member" and all
 * ('Member must have length less than or equal to 100' at 'imageIds', 'Member must have value
 * less than or equal to 1000' at 'maxResults', 'Member must satisfy constraint: [Member must
 * satisfy regular expression pattern: [0-9]{12}]' at 'registryIds'), as real ECR answers.
 */
export interface ValidationStyle {
  kind: 'invalid-parameter';
  /** The error code (ECR: InvalidParameterException). */
  code: string;
  /** Model patterns the service prints in its own spelling (ECR's repository-name rule). */
  shownPatterns?: Readonly<Record<string, string>>;
}

export interface ValidationRules extends ValidationOptions {
  /** The error code: ValidationError (query), ValidationException (JSON), MissingParameter (EC2). */
  code: string;
  /** A service's own wording; absent: the generic "N validation error(s) detected" under `code`. */
  style?: ValidationStyle;
}

const PATTERN_PREFIX = 'Member must satisfy regular expression pattern: ';

/** A violation's constraint as ECR prints it inside its quotes. */
export function invalidParameterConstraint(v: Violation, style: Pick<ValidationStyle, 'shownPatterns'> = {}): string {
  if (!v.string) return v.constraint;
  if (v.constraint.startsWith(PATTERN_PREFIX)) {
    const pattern = v.constraint.slice(PATTERN_PREFIX.length);
    return `must satisfy regular expression '${style.shownPatterns?.[pattern] ?? pattern}'`;
  }
  return v.constraint.replace(/^Member /, '');
}

/** "Invalid parameter at 'x' failed to satisfy constraint: '...'" for the first violation. */
export function invalidParameterMessage(vs: Violation[], style: Pick<ValidationStyle, 'shownPatterns'> = {}): string {
  const v = vs[0]!;
  return `Invalid parameter at '${v.path}' failed to satisfy constraint: '${invalidParameterConstraint(v, style)}'`;
}

/** Throws the service's validation error when the input breaks the model's constraints. */
export function assertValid(model: ServiceModel, ref: Shape | undefined, input: unknown, rules: ValidationRules): void {
  if (!ref) return;
  const vs = findViolations(model, ref, input, rules);
  if (vs.length === 0) return;
  if (rules.style?.kind === 'invalid-parameter') throw new AwsError(rules.style.code, invalidParameterMessage(vs, rules.style));
  if (rules.code === 'MissingParameter') {
    // EC2 reports the first missing parameter by its model name.
    const missing = vs.find((v) => v.constraint === NULL);
    if (missing) throw new AwsError('MissingParameter', `The request must contain the parameter ${missing.member}`);
    throw new AwsError('InvalidParameterValue', validationMessage(vs));
  }
  throw new AwsError(rules.code, validationMessage(vs));
}
