import { AwsError } from '../../core/errors.js';
import { parsePolicy, PolicyError } from '../../policy/index.js';
import { validationMessage, type Violation } from '../../protocol/validate.js';
import { invalidInput, limitExceeded } from './common.js';
import type { Tag } from './records.js';

/**
 * IAM's input constraints. The bundled model (aws-sdk v2's min.json) carries no lengths,
 * ranges, patterns or enums, so they are restated here from IAM's full model and checked
 * before any handler runs, with the ValidationError text AWS sends.
 */
interface Constraint {
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
  /** For lists: the constraint of each item (or of each member of a structure item). */
  item?: Constraint | Record<string, Constraint>;
}

const NAME = '[\\w+=,.@-]+';
const T = {
  userName: { min: 1, max: 64, pattern: NAME },
  existingUserName: { min: 1, max: 128, pattern: NAME },
  groupName: { min: 1, max: 128, pattern: NAME },
  roleName: { min: 1, max: 64, pattern: NAME },
  policyName: { min: 1, max: 128, pattern: NAME },
  instanceProfileName: { min: 1, max: 128, pattern: NAME },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyPath: { min: 1, max: 512, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  policyDocument: { min: 1, max: 131072 },
  arn: { min: 20, max: 2048 },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  maxItems: { min: 1, max: 1000 },
  roleDescription: { max: 1000, pattern: '[\\p{L}\\p{M}\\p{Z}\\p{S}\\p{N}\\p{P}]*' },
  policyDescription: { max: 1000 },
  accessKeyId: { min: 16, max: 128, pattern: '[\\w]+' },
  versionId: { pattern: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
  url: { min: 1, max: 255 },
  clientId: { min: 1, max: 255 },
  thumbprint: { min: 40, max: 40 },
  accountAlias: { min: 3, max: 63, pattern: '^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$' },
  password: { min: 1, max: 128, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
} satisfies Record<string, Constraint>;

const ENTITY_TYPES = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];

/** Input member name -> constraint, for every operation that has the member. */
const MEMBERS: Record<string, Constraint> = {
  UserName: T.existingUserName,
  NewUserName: T.userName,
  GroupName: T.groupName,
  NewGroupName: T.groupName,
  RoleName: T.roleName,
  PolicyName: T.policyName,
  InstanceProfileName: T.instanceProfileName,
  Path: T.path,
  NewPath: T.path,
  PathPrefix: T.pathPrefix,
  PolicyDocument: T.policyDocument,
  AssumeRolePolicyDocument: T.policyDocument,
  PolicyArn: T.arn,
  PermissionsBoundary: T.arn,
  OpenIDConnectProviderArn: T.arn,
  Marker: T.marker,
  MaxItems: T.maxItems,
  Description: T.roleDescription,
  MaxSessionDuration: { min: 3600, max: 43200 },
  AccessKeyId: T.accessKeyId,
  VersionId: T.versionId,
  Status: { enum: ['Active', 'Inactive'] },
  Scope: { enum: ['All', 'AWS', 'Local'] },
  PolicyUsageFilter: { enum: ['PermissionsPolicy', 'PermissionsBoundary'] },
  EntityFilter: { enum: ENTITY_TYPES },
  Filter: { item: { enum: ENTITY_TYPES } },
  Tags: { max: 50, item: { Key: T.tagKey, Value: T.tagValue } },
  TagKeys: { max: 50, item: T.tagKey },
  Url: T.url,
  ClientID: T.clientId,
  ClientIDList: { item: T.clientId },
  ThumbprintList: { item: T.thumbprint },
  AccountAlias: T.accountAlias,
  Password: T.password,
};

const USER_NAME_OPS = ['AttachUserPolicy', 'CreateLoginProfile', 'CreateUser', 'DeleteLoginProfile', 'DeleteUserPermissionsBoundary',
  'DetachUserPolicy', 'GetLoginProfile', 'ListAttachedUserPolicies', 'PutUserPermissionsBoundary', 'UpdateLoginProfile'];

/** Where an operation's member has a different shape than MEMBERS says. */
const OVERRIDES: Record<string, Record<string, Constraint>> = {
  ...Object.fromEntries(USER_NAME_OPS.map((op) => [op, { UserName: T.userName }])),
  CreatePolicy: { Path: T.policyPath, Description: T.policyDescription },
  ListPolicies: { PathPrefix: T.policyPath },
  ListAttachedUserPolicies: { UserName: T.userName, PathPrefix: T.policyPath },
  ListAttachedGroupPolicies: { PathPrefix: T.policyPath },
  ListAttachedRolePolicies: { PathPrefix: T.policyPath },
  ListEntitiesForPolicy: { PathPrefix: T.path },
};

const regexCache = new Map<string, RegExp>();
function fullMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    regexCache.set(pattern, re);
  }
  return re.test(value);
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

function check(c: Constraint, value: unknown, path: string, out: Violation[]): void {
  const v = (constraint: string) => out.push({ path, member: path, value, constraint });
  if (typeof value === 'string') {
    const len = [...value].length;
    if (c.min !== undefined && len < c.min) v(`Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && len > c.max) v(`Member must have length less than or equal to ${c.max}`);
    if (c.pattern !== undefined && !fullMatch(c.pattern, value)) v(`Member must satisfy regular expression pattern: ${c.pattern}`);
    if (c.enum && !c.enum.includes(value)) v(`Member must satisfy enum value set: [${c.enum.join(', ')}]`);
  } else if (typeof value === 'number') {
    if (c.min !== undefined && value < c.min) v(`Member must have value greater than or equal to ${c.min}`);
    if (c.max !== undefined && value > c.max) v(`Member must have value less than or equal to ${c.max}`);
  } else if (Array.isArray(value)) {
    if (c.min !== undefined && value.length < c.min) v(`Member must have length greater than or equal to ${c.min}`);
    if (c.max !== undefined && value.length > c.max) v(`Member must have length less than or equal to ${c.max}`);
    const item = c.item;
    if (!item) return;
    value.forEach((el, i) => {
      const at = `${path}.${i + 1}.member`;
      if (isConstraint(item)) check(item, el, at, out);
      else if (el && typeof el === 'object') {
        for (const [k, sub] of Object.entries(item)) {
          const mv = (el as Record<string, unknown>)[k];
          if (mv !== undefined) check(sub, mv, `${at}.${lowerFirst(k)}`, out);
        }
      }
    });
  }
}

const isConstraint = (c: Constraint | Record<string, Constraint>): c is Constraint =>
  ['min', 'max', 'pattern', 'enum', 'item'].some((k) => k in c);

/** Throws ValidationError when an input member breaks IAM's constraints. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  const out: Violation[] = [];
  const over = OVERRIDES[operation] ?? {};
  for (const [member, value] of Object.entries(input ?? {})) {
    if (value === undefined || value === null) continue;
    const c = over[member] ?? MEMBERS[member];
    if (c) check(c, value, lowerFirst(member), out);
  }
  if (out.length) throw new AwsError('ValidationError', validationMessage(out));
}

// --- policy documents ---

export type DocumentKind = 'identity' | 'trust' | 'boundary';

/**
 * The document as stored: callers send raw JSON (the CLI, SDKs) but some tools send it
 * URL-encoded, which IAM also accepts. Then validated like IAM does on save.
 */
export function checkDocument(raw: string, kind: DocumentKind): string {
  let doc = raw;
  if (/^\s*%/.test(raw)) {
    try { doc = decodeURIComponent(raw); } catch { /* parsePolicy reports it */ }
  }
  try {
    parsePolicy(doc, { kind });
  } catch (e) {
    if (e instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', e.message, 400);
    throw e;
  }
  return doc;
}

/** IAM counts policy size without white space. */
export const policySize = (doc: string): number => doc.replace(/\s+/g, '').length;

export const MANAGED_POLICY_SIZE = 6144;
export const TRUST_POLICY_SIZE = 2048;
export const INLINE_SIZE = { user: 2048, group: 5120, role: 10240 } as const;

export function checkManagedSize(doc: string): void {
  if (policySize(doc) > MANAGED_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
}

export function checkTrustSize(doc: string): void {
  if (policySize(doc) > TRUST_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
}

// --- tags ---

export const MAX_TAGS = 50;

/** Tags in one request: keys unique ignoring case. */
export function checkTagKeys(tags: readonly Tag[] | undefined): Tag[] {
  const list = (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  const seen = new Set<string>();
  for (const t of list) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  return list;
}

/** Existing tags with new ones merged in (a key replaces the same key in any case). */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[], quotaName: string): Tag[] {
  const add = checkTagKeys(incoming);
  const keys = new Set(add.map((t) => t.Key.toLowerCase()));
  const merged = [...existing.filter((t) => !keys.has(t.Key.toLowerCase())), ...add];
  if (merged.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for ${quotaName}: ${MAX_TAGS}`);
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

// --- paths ---

export const DEFAULT_PATH = '/';
export const underPath = (path: string, prefix: string | undefined): boolean => !prefix || path.startsWith(prefix);
