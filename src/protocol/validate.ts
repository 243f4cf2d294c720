import { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Shape } from './model-types.js';

/** One broken constraint of an input, found by walking it against its shape. */
export interface Violation {
  /** Member path as AWS prints it: lowerCamel member names joined by '.', e.g. 'policyDocument'. */
  path: string;
  /** The member name as the model spells it (EC2's MissingParameter uses it). */
  member: string;
  value: unknown;
  constraint: string;
}

const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

/**
 * Checks required members and the length / range limits the model states. Type errors are
 * the codec's job (it knows what the wire said); this only sees decoded values.
 */
export function findViolations(model: ServiceModel, ref: Shape, value: unknown, path = ''): Violation[] {
  const shape = model.resolve(ref);
  const out: Violation[] = [];
  const at = (p: string, seg: string) => (p ? `${p}.${seg}` : seg);
  if (value === undefined || value === null) return out;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return out;
      const obj = value as Record<string, unknown>;
      for (const req of shape.required ?? []) {
        if (obj[req] === undefined || obj[req] === null) {
          out.push({ path: at(path, lowerFirst(req)), member: req, value: null, constraint: 'Member must not be null' });
        }
      }
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        if (obj[name] !== undefined) out.push(...findViolations(model, member, obj[name], at(path, lowerFirst(name))));
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return out;
      checkLength(shape, value.length, value, path, out);
      value.forEach((v, i) => out.push(...findViolations(model, shape.member!, v, `${path}.${i + 1}.member`)));
      return out;
    }
    case 'map': {
      if (typeof value !== 'object') return out;
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(shape, entries.length, value, path, out);
      for (const [k, v] of entries) out.push(...findViolations(model, shape.value!, v, `${path}.${k}`));
      return out;
    }
    case 'string':
      if (typeof value === 'string') checkLength(shape, [...value].length, value, path, out);
      return out;
    case 'blob':
      if (Buffer.isBuffer(value)) checkLength(shape, value.length, '[blob]', path, out);
      return out;
    case 'integer': case 'long': case 'float': case 'double': case 'short': case 'byte':
      if (typeof value === 'number') {
        if (shape.min !== undefined && value < shape.min) out.push({ path, member: path, value, constraint: `Member must have value greater than or equal to ${shape.min}` });
        if (shape.max !== undefined && value > shape.max) out.push({ path, member: path, value, constraint: `Member must have value less than or equal to ${shape.max}` });
      }
      return out;
    default:
      return out;
  }
}

function checkLength(shape: Shape, len: number, value: unknown, path: string, out: Violation[]) {
  if (shape.min !== undefined && len < shape.min) out.push({ path, member: path, value, constraint: `Member must have length greater than or equal to ${shape.min}` });
  if (shape.max !== undefined && len > shape.max) out.push({ path, member: path, value, constraint: `Member must have length less than or equal to ${shape.max}` });
}

function printValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.length > 256 ? `${v.slice(0, 256)}...` : v}'`;
  if (Array.isArray(v)) return `'[${v.map(String).join(', ')}]'`;
  if (typeof v === 'object') return `'${JSON.stringify(v)}'`;
  return `'${String(v)}'`;
}

/** The message AWS's query and JSON services send: "1 validation error detected: Value null at 'x' failed to satisfy constraint: ...". */
export function validationMessage(vs: Violation[]): string {
  const parts = vs.map((v) => `Value ${printValue(v.value)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`);
  return `${vs.length} validation error${vs.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

/** Throws the service's validation error when the input breaks the model's constraints. */
export function assertValid(model: ServiceModel, ref: Shape | undefined, input: unknown, errorCode: string): void {
  if (!ref) return;
  const vs = findViolations(model, ref, input);
  if (vs.length === 0) return;
  if (errorCode === 'MissingParameter') {
    // EC2 reports the first missing parameter by its model name.
    const missing = vs.find((v) => v.constraint === 'Member must not be null');
    if (missing) throw new AwsError('MissingParameter', `The request must contain the parameter ${missing.member}`);
    throw new AwsError('InvalidParameterValue', validationMessage(vs));
  }
  throw new AwsError(errorCode, validationMessage(vs));
}
