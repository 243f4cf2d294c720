/**
 * The POST policy of a browser upload (S3 POST Object): a base64 JSON document with an
 * `expiration` and `conditions` that the form's fields must meet. Pure: parsing, the field
 * checks made before the file is read, and the content-length-range the file must fit.
 *
 * As S3 answers (AWS's "POST Policy" page, and S3's observed replies):
 *   - a document that does not parse or has the wrong shape: 400 InvalidPolicyDocument "Invalid Policy: ...";
 *   - a policy past its expiration (by the cloudlet clock): 403 AccessDenied "Invalid according to Policy: Policy expired.";
 *   - a condition not met: 403 AccessDenied "Invalid according to Policy: Policy Condition failed: [...]",
 *     the condition as the policy spells it, simple conditions written as ["eq", "$name", "value"];
 *   - a form field no condition names (except x-amz-signature, file, policy and x-ignore-*):
 *     403 AccessDenied "Invalid according to Policy: Extra input fields: name";
 *   - a file outside content-length-range: 400 EntityTooSmall / EntityTooLarge.
 * Field names match case-insensitively, values case-sensitively. A condition on a field the form
 * lacks fails, even starts-with "". `bucket` is the bucket the form was posted to.
 */
import { AwsError } from '../../core/errors.js';

export type PostCondition =
  | { op: 'eq' | 'starts-with'; field: string | undefined; value: string; text: string }
  | { op: 'content-length-range'; min: number | undefined; max: number | undefined; text: string };

export interface PostPolicy {
  expirationMs: number;
  conditions: PostCondition[];
}

/** A form's fields before the file: names as sent, values with ${filename} expanded. */
export interface PostForm {
  /** In the order received. */
  fields: Array<[name: string, value: string]>;
  /** The bucket the form was posted to. */
  bucket: string;
}

const badPolicy = (detail: string): AwsError => new AwsError('InvalidPolicyDocument', `Invalid Policy: ${detail}`, 400);
const INVALID_JSON = 'Invalid JSON.';

export const policyDenied = (detail: string): AwsError => new AwsError('AccessDenied', `Invalid according to Policy: ${detail}`, 403);

/** ISO 8601 in UTC, with or without fractional seconds: what S3 reads (an offset or a space for T is refused). */
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** The condition as S3 prints it in a refusal: JSON items separated by ", ". */
const conditionText = (items: unknown[]): string => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/** "$name" -> lower-case name; a name without the '$' names no field (the condition cannot hold). */
const fieldOf = (operand: string): string | undefined => (operand.startsWith('$') ? operand.slice(1).toLowerCase() : undefined);

/** A content-length-range bound: a whole number, or a numeric string; other strings fail the condition when checked. */
function bound(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw badPolicy(INVALID_JSON);
    if (v < 0) throw badPolicy('Invalid content-length-range: the bounds must not be negative.');
    return v;
  }
  if (typeof v === 'string') return /^\d{1,16}$/.test(v) ? Number(v) : undefined;
  throw badPolicy(INVALID_JSON);
}

function parseCondition(c: unknown): PostCondition {
  if (Array.isArray(c)) {
    if (c.length === 0) throw badPolicy('Invalid Condition: missing operation identifier.');
    const [op, a, b] = c as unknown[];
    if (typeof op !== 'string') throw badPolicy(INVALID_JSON);
    const name = op.toLowerCase();
    const text = conditionText(c);
    if (name === 'eq' || name === 'starts-with') {
      if (c.length !== 3) throw badPolicy(`Invalid ${op}: wrong number of arguments.`);
      if (typeof a !== 'string' || typeof b !== 'string') throw badPolicy(INVALID_JSON);
      return { op: name, field: fieldOf(a), value: b, text };
    }
    if (name === 'content-length-range') {
      if (c.length !== 3) throw badPolicy(`Invalid ${op}: wrong number of arguments.`);
      return { op: name, min: bound(a), max: bound(b), text };
    }
    throw badPolicy(`Invalid Condition: unknown operation '${op}'.`);
  }
  if (c && typeof c === 'object') {
    const entries = Object.entries(c);
    if (entries.length !== 1) throw badPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0]!;
    if (value === null) throw badPolicy(INVALID_JSON);
    if (typeof value !== 'string') throw badPolicy('Invalid Simple-Condition: value must be a string.');
    return { op: 'eq', field: name.toLowerCase(), value, text: conditionText(['eq', `$${name}`, value]) };
  }
  throw badPolicy('Invalid condition test: must be a List or Object.');
}

/** Decodes and checks a policy field; throws InvalidPolicyDocument. */
export function parsePostPolicy(policyB64: string): PostPolicy {
  const b64 = policyB64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) throw badPolicy('invalid Base64 encoding.');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw badPolicy(INVALID_JSON);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw badPolicy(INVALID_JSON);
  const members = doc as Record<string, unknown>;
  for (const k of Object.keys(members)) {
    if (k !== 'expiration' && k !== 'conditions') throw badPolicy(`Unexpected: '${k.toLowerCase()}'`);
  }
  const expiration = members.expiration;
  if (expiration === undefined) throw badPolicy('Policy missing expiration.');
  const expirationMs = typeof expiration === 'string' && EXPIRATION.test(expiration) ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expirationMs)) throw badPolicy(`Invalid 'expiration' value: '${typeof expiration === 'string' ? expiration : JSON.stringify(expiration)}'`);
  const conditions = members.conditions;
  if (conditions === undefined) throw badPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw badPolicy("Invalid 'conditions' value: must be a List.");
  return { expirationMs, conditions: conditions.map(parseCondition) };
}

/** Names exempt from the rule that every field needs a condition. */
const exempt = (lower: string): boolean =>
  lower === 'x-amz-signature' || lower === 'file' || lower === 'policy' || lower.startsWith('x-ignore-');

/** Fields by lower-case name; repeated fields are one value, comma-separated, as S3 reads them. */
export function fieldMap(fields: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of fields) {
    const k = name.toLowerCase();
    const prev = map.get(k);
    map.set(k, prev === undefined ? value : `${prev},${value}`);
  }
  return map;
}

function holds(c: Extract<PostCondition, { op: 'eq' | 'starts-with' }>, actual: string | undefined): boolean {
  if (c.field === undefined || actual === undefined) return false;
  if (c.op === 'eq') return actual === c.value;
  // Content-Type lists: every type must start with the prefix. Other fields are plain strings.
  if (c.field === 'content-type') return actual.split(',').every((t) => t.trim().startsWith(c.value));
  return actual.startsWith(c.value);
}

/**
 * What can be checked before the file is read: the expiration, every eq and starts-with
 * condition, the bounds of content-length-range, and that each field has a condition.
 */
export function checkPostPolicy(policy: PostPolicy, form: PostForm, nowMs: number): void {
  if (nowMs > policy.expirationMs) throw policyDenied('Policy expired.');
  const values = fieldMap(form.fields);
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') {
      if (c.min === undefined || c.max === undefined) throw policyDenied(`Policy Condition failed: ${c.text}`);
      continue;
    }
    if (c.field !== undefined) covered.add(c.field);
    const actual = c.field === 'bucket' ? form.bucket : c.field !== undefined ? values.get(c.field) : undefined;
    if (!holds(c, actual)) throw policyDenied(`Policy Condition failed: ${c.text}`);
  }
  const extra: string[] = [];
  const seen = new Set<string>();
  for (const [name] of form.fields) {
    const lower = name.toLowerCase();
    if (exempt(lower) || covered.has(lower) || seen.has(lower)) continue;
    seen.add(lower);
    extra.push(name);
  }
  if (extra.length) throw policyDenied(`Extra input fields: ${extra.join(', ')}`);
}

/** The size the file must have: every content-length-range at once (undefined: none). */
export function sizeRange(policy: PostPolicy | undefined): { min: number; max: number } | undefined {
  let out: { min: number; max: number } | undefined;
  for (const c of policy?.conditions ?? []) {
    if (c.op !== 'content-length-range' || c.min === undefined || c.max === undefined) continue;
    out = out ? { min: Math.max(out.min, c.min), max: Math.min(out.max, c.max) } : { min: c.min, max: c.max };
  }
  return out;
}

/** The refusal of a file of `size` bytes outside [min, max]. */
export function sizeRefusal(size: number, range: { min: number; max: number }): AwsError | undefined {
  if (size > range.max) {
    return new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { fields: { ProposedSize: String(size), MaxSizeAllowed: String(range.max) } });
  }
  if (size < range.min) {
    return new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, { fields: { ProposedSize: String(size), MinSizeAllowed: String(range.min) } });
  }
  return undefined;
}

/**
 * ${filename} in any field becomes the file's name without its path (after the last / or \).
 * A file part without a filename parameter leaves the variable as it is, as S3 does.
 */
export function expandFilename(value: string, filename: string | undefined): string {
  if (filename === undefined || !value.includes('${filename}')) return value;
  const base = filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
  return value.split('${filename}').join(base);
}
