import type { Tx } from '../../store/types.js';
import { alreadyExists, invalidInput, noSuchEntity } from './common.js';
import { awsManagedPolicy, isAwsManagedArn } from './aws-managed.js';
import {
  IAM_KIND, iamScope,
  type GroupRecord, type InstanceProfileRecord, type ManagedPolicyRecord, type PolicyVersionRecord, type RoleRecord, type Tag, type UserRecord,
} from './records.js';

/** Reading and writing IAM rows: case-insensitive lookups, AWS's not-found / exists errors. */

export type NamedKind = 'user' | 'group' | 'role' | 'policy' | 'instanceProfile';
interface RecordOf { user: UserRecord; group: GroupRecord; role: RoleRecord; policy: ManagedPolicyRecord; instanceProfile: InstanceProfileRecord }

const NOT_FOUND: Record<NamedKind, (name: string) => string> = {
  user: (n) => `The user with name ${n} cannot be found.`,
  group: (n) => `The group with name ${n} cannot be found.`,
  role: (n) => `The role with name ${n} cannot be found.`,
  policy: (n) => `Policy ${n} was not found.`,
  instanceProfile: (n) => `Instance Profile ${n} cannot be found.`,
};

const EXISTS: Record<NamedKind, (name: string) => string> = {
  user: (n) => `User with name ${n} already exists.`,
  group: (n) => `Group with name ${n} already exists.`,
  role: (n) => `Role with name ${n} already exists.`,
  policy: (n) => `A policy called ${n} already exists. Duplicate names are not allowed.`,
  instanceProfile: (n) => `Instance Profile ${n} already exists.`,
};

/**
 * Case-insensitive names: a second row per entity, NAME_INDEX_KIND `<kind>/<lower-case name>`
 * -> the name as created, kept by save() and remove().
 */
export const NAME_INDEX_KIND = 'iam:name-index';
const indexId = (kind: NamedKind, name: string) => `${IAM_KIND[kind]}/${name.toLowerCase()}`;

/** The row of `name`, matched exactly first, then ignoring case (IAM names are case-insensitive). */
export function find<K extends NamedKind>(tx: Tx, account: string, kind: K, name: string): RecordOf[K] | undefined {
  const scope = iamScope(account);
  const exact = tx.get<RecordOf[K]>(scope, IAM_KIND[kind], name);
  if (exact) return exact;
  const stored = tx.get<string>(scope, NAME_INDEX_KIND, indexId(kind, name));
  return stored === undefined ? undefined : tx.get<RecordOf[K]>(scope, IAM_KIND[kind], stored);
}

export function must<K extends NamedKind>(tx: Tx, account: string, kind: K, name: string): RecordOf[K] {
  const rec = find(tx, account, kind, name);
  if (!rec) throw noSuchEntity(NOT_FOUND[kind](name));
  return rec;
}

export function assertAbsent(tx: Tx, account: string, kind: NamedKind, name: string): void {
  if (find(tx, account, kind, name)) throw alreadyExists(EXISTS[kind](name));
}

/**
 * Users and roles are also found by unique ID (AIDA..., AROA...): sessions, access keys and
 * stored trust policies are bound to the ID, not the name, so a principal deleted and
 * created again under the same name is a different principal. ID_INDEX_KIND: id -> name.
 */
export const ID_INDEX_KIND = 'iam:id-index';
type IdKind = 'user' | 'role';
const hasIdIndex = (kind: NamedKind): kind is IdKind => kind === 'user' || kind === 'role';

export function save<K extends NamedKind>(tx: Tx, account: string, kind: K, rec: RecordOf[K]): void {
  tx.put(iamScope(account), IAM_KIND[kind], rec.name, rec);
  tx.put(iamScope(account), NAME_INDEX_KIND, indexId(kind, rec.name), rec.name);
  if (hasIdIndex(kind)) tx.put(iamScope(account), ID_INDEX_KIND, (rec as UserRecord | RoleRecord).id, rec.name);
}

export function remove(tx: Tx, account: string, kind: NamedKind, name: string): void {
  const rec = hasIdIndex(kind) ? tx.get<UserRecord | RoleRecord>(iamScope(account), IAM_KIND[kind], name) : undefined;
  tx.delete(iamScope(account), IAM_KIND[kind], name);
  tx.delete(iamScope(account), NAME_INDEX_KIND, indexId(kind, name));
  if (rec) tx.delete(iamScope(account), ID_INDEX_KIND, rec.id);
}

/**
 * The user or role whose unique ID is `id`, or undefined when it no longer exists (a
 * re-created namesake has another ID). `nameHint` (the name the caller last knew) is tried
 * first; it also finds entities saved before the ID index existed.
 */
export function findById<K extends IdKind>(tx: Tx, account: string, kind: K, id: string, nameHint?: string): RecordOf[K] | undefined {
  if (nameHint !== undefined) {
    const byName = find(tx, account, kind, nameHint);
    if (byName && byName.id === id) return byName;
  }
  const name = tx.get<string>(iamScope(account), ID_INDEX_KIND, id);
  if (name === undefined) return undefined;
  const rec = tx.get<RecordOf[K]>(iamScope(account), IAM_KIND[kind], name);
  return rec && rec.id === id ? rec : undefined;
}

export function all<K extends NamedKind>(tx: Tx, account: string, kind: K): Array<RecordOf[K]> {
  return tx.list<RecordOf[K]>(iamScope(account), IAM_KIND[kind]).map((r) => r.value);
}

// --- the account's own row: root user's keys, aliases, creation time ---

export const ACCOUNT_KIND = 'iam:account';

export interface AccountRecord {
  createdAt: string;
  rootAccessKeys: Array<{ id: string; status: 'Active' | 'Inactive'; createdAt: string }>;
  aliases: string[];
}

export function accountRecord(tx: Tx, account: string, nowIso: string): AccountRecord {
  const rec = tx.get<AccountRecord>(iamScope(account), ACCOUNT_KIND, 'account');
  if (rec) return rec;
  const fresh: AccountRecord = { createdAt: nowIso, rootAccessKeys: [], aliases: [] };
  tx.put(iamScope(account), ACCOUNT_KIND, 'account', fresh);
  return fresh;
}

export function saveAccount(tx: Tx, account: string, rec: AccountRecord): void {
  tx.put(iamScope(account), ACCOUNT_KIND, 'account', rec);
}

// --- managed policies, customer and AWS, behind one view ---

export interface ManagedView extends Omit<ManagedPolicyRecord, 'nextVersion'> {
  aws: boolean;
  /** The customer managed row, absent for AWS managed policies. */
  record?: ManagedPolicyRecord;
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy((?:\/[^/]+)*\/)([^/]+)$/;

export function viewOf(rec: ManagedPolicyRecord): ManagedView {
  return {
    aws: false, name: rec.name, id: rec.id, arn: rec.arn, path: rec.path, description: rec.description,
    createdAt: rec.createdAt, updatedAt: rec.updatedAt, defaultVersionId: rec.defaultVersionId,
    versions: rec.versions, tags: rec.tags, record: rec,
  };
}

/** A managed policy by ARN; throws InvalidInput for a string that is no policy ARN. */
export function findManaged(tx: Tx, account: string, arn: string): ManagedView | undefined {
  const m = POLICY_ARN.exec(arn);
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
  if (isAwsManagedArn(arn)) {
    const p = awsManagedPolicy(arn);
    if (!p) return undefined;
    return {
      aws: true, name: p.name, id: p.id, arn: p.arn, path: p.path, description: p.description,
      createdAt: p.createdAt, updatedAt: p.updatedAt, defaultVersionId: p.versionId,
      versions: [{ versionId: p.versionId, document: p.document, createdAt: p.updatedAt }], tags: [],
    };
  }
  if (m[1] !== account) return undefined;
  const rec = tx.get<ManagedPolicyRecord>(iamScope(account), IAM_KIND.policy, m[3]!);
  return rec && rec.arn === arn ? viewOf(rec) : undefined;
}

/** `how` picks AWS's message: 'get' for reads, 'attach' when the policy is to be attached or used. */
export function mustManaged(tx: Tx, account: string, arn: string, how: 'get' | 'attach' = 'get'): ManagedView {
  const p = findManaged(tx, account, arn);
  if (!p) throw noSuchEntity(how === 'get' ? `Policy ${arn} was not found.` : `Policy ${arn} does not exist or is not attachable.`);
  return p;
}

export function defaultDocument(p: ManagedView): string {
  return p.versions.find((v) => v.versionId === p.defaultVersionId)!.document;
}

export interface Usage { attachments: number; boundaries: number }

/** How many users, groups and roles each managed policy is attached to or bounds. */
export function policyUsage(tx: Tx, account: string): Map<string, Usage> {
  const out = new Map<string, Usage>();
  const at = (arn: string) => {
    let u = out.get(arn);
    if (!u) out.set(arn, (u = { attachments: 0, boundaries: 0 }));
    return u;
  };
  for (const kind of ['user', 'group', 'role'] as const) {
    for (const e of all(tx, account, kind)) {
      for (const arn of e.attachedPolicies) at(arn).attachments++;
      const boundary = (e as UserRecord | RoleRecord).permissionsBoundary;
      if (boundary) at(boundary).boundaries++;
    }
  }
  return out;
}

export const usageOf = (usage: Map<string, Usage>, arn: string): Usage => usage.get(arn) ?? { attachments: 0, boundaries: 0 };

/** Users in a group (groups keep no member list: users keep their groups). */
export function groupMembers(tx: Tx, account: string, groupName: string): UserRecord[] {
  return all(tx, account, 'user').filter((u) => u.groups.includes(groupName));
}

/** Instance profiles holding a role. */
export function profilesOfRole(tx: Tx, account: string, roleName: string): InstanceProfileRecord[] {
  return all(tx, account, 'instanceProfile').filter((p) => p.roles.includes(roleName));
}
