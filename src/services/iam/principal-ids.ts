/**
 * Policies that name IAM users and roles by ARN in Principal / NotPrincipal are bound to
 * those principals' unique IDs when they are stored, as IAM does: "When you save the policy,
 * AWS transforms the ARN to a unique principal ID ... if you delete and recreate a user or
 * role referenced in a trust policy's Principal element, ... it does not match the principal
 * ID stored in the trust policy." cloudlet keeps the document as written plus an ARN -> ID
 * map, and presents (and evaluates) the document with each ARN whose principal is gone
 * replaced by that ID, and each renamed user's ARN by its current ARN.
 */
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import { find, findById } from './entities.js';

/** ARN as written in the policy -> the unique ID of the principal it named at write time. */
export type PrincipalIds = Record<string, string>;

interface EntityArn { account: string; kind: 'user' | 'role'; name: string }

/** arn:PARTITION:iam::ACCT:user/PATH/NAME or .../role/PATH/NAME, parsed without a regular expression. */
export function entityArn(arn: string): EntityArn | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || !parts[1]!.startsWith('aws') || parts[2] !== 'iam' || parts[3] !== '') return undefined;
  const account = parts[4]!;
  if (account.length !== 12 || !/^\d{12}$/.test(account)) return undefined;
  const resource = parts[5]!;
  const kind = resource.startsWith('user/') ? 'user' : resource.startsWith('role/') ? 'role' : undefined;
  if (!kind) return undefined;
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  return name ? { account, kind, name } : undefined;
}

/** Calls `visit` on every string of every Principal / NotPrincipal "AWS" list; `visit` may replace it. */
function eachAwsPrincipal(doc: unknown, visit: (value: string) => string): void {
  if (!doc || typeof doc !== 'object') return;
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  for (const st of statements) {
    if (!st || typeof st !== 'object') continue;
    for (const element of ['Principal', 'NotPrincipal']) {
      const p = (st as Record<string, unknown>)[element];
      if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
      const map = p as Record<string, unknown>;
      const aws = map['AWS'];
      if (typeof aws === 'string') map['AWS'] = visit(aws);
      else if (Array.isArray(aws)) map['AWS'] = aws.map((v) => (typeof v === 'string' ? visit(v) : v));
    }
  }
}

function parse(doc: string): unknown {
  try {
    return JSON.parse(doc);
  } catch {
    return undefined;
  }
}

/**
 * The unique IDs of the users and roles a (validated) policy names by ARN. A named user or
 * role that does not exist is refused as IAM refuses it: MalformedPolicyDocument "Invalid
 * principal in policy". Undefined when the policy names none.
 */
export function bindPrincipals(tx: Tx, document: string): PrincipalIds | undefined {
  let ids: PrincipalIds | undefined;
  eachAwsPrincipal(parse(document), (value) => {
    const e = entityArn(value);
    if (!e) return value;
    const rec = find(tx, e.account, e.kind, e.name);
    if (!rec || rec.arn !== value) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${value}"`);
    (ids ??= {})[value] = rec.id;
    return value;
  });
  return ids;
}

/**
 * The document as IAM shows it now and as it is evaluated: an ARN whose principal was
 * deleted becomes that principal's unique ID (which nobody else will ever have), a renamed
 * user's ARN becomes its current ARN. The stored text is returned untouched when nothing
 * changed.
 */
export function presentPrincipals(tx: Tx, document: string, ids: PrincipalIds | undefined): string {
  if (!ids) return document;
  const parsed = parse(document);
  let changed = false;
  eachAwsPrincipal(parsed, (value) => {
    const id = Object.hasOwn(ids, value) ? ids[value] : undefined;
    const e = id !== undefined ? entityArn(value) : undefined;
    if (id === undefined || !e) return value;
    const now = findById(tx, e.account, e.kind, id, e.name)?.arn ?? id;
    if (now !== value) changed = true;
    return now;
  });
  return changed ? JSON.stringify(parsed) : document;
}

/** A role's trust policy as GetRole shows it and as AssumeRole evaluates it. */
export function trustDocument(tx: Tx, role: { assumeRolePolicyDocument: string; trustPrincipalIds?: PrincipalIds }): string {
  return presentPrincipals(tx, role.assumeRolePolicyDocument, role.trustPrincipalIds);
}
