/**
 * EC2 key pairs: CreateKeyPair (the private key is returned once and never stored: the row
 * keeps the OpenSSH public line), ImportKeyPair, DescribeKeyPairs, DeleteKeyPair, and
 * GetPasswordData, which encrypts a Windows instance's password with its key pair.
 *
 * Rows are keyed by the key name (unique per region, as on AWS, and how RunInstances names
 * them); the key-... ID is indexed ('id') and keys the tags, so CreateTags and tag filters
 * work with the ID as they do on AWS. Describe reads the kind itself rather than describe():
 * that one finds rows by ID, and a region holds at most 5,000 key pairs.
 */
import type {
  CreateKeyPairRequest, DeleteKeyPairRequest, DeleteKeyPairResult, DescribeKeyPairsRequest, DescribeKeyPairsResult,
  GetPasswordDataRequest, GetPasswordDataResult, ImportKeyPairRequest, ImportKeyPairResult, KeyPair, KeyPairInfo,
} from '@aws-sdk/client-ec2';
import { createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { mustGet } from '../describe.js';
import { applyFilters, withTagKeyFields } from '../filters.js';
import { checkId, newId } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags, type Tag } from '../tags.js';
import {
  createdFingerprint, encryptWindowsPassword, generateKey, importedFingerprint, openSshLine, parsePublicKeyMaterial,
  privatePem, privatePpk, rsaBits, type KeyType,
} from './keys-format.js';
import { instanceExpired, instanceState } from './lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord, type KeyPairRecord } from './records.js';

export { encryptWindowsPassword } from './keys-format.js';

const KIND = COMPUTE_KIND.keyPair;
/** AWS's quota of key pairs per Region. */
export const MAX_KEY_PAIRS = 5000;

const keyNotFound = (name: string): AwsError => new AwsError('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);

/** A key pair of the caller's region by name, or AWS's InvalidKeyPair.NotFound. */
export function keyPairByName(ctx: RequestContext, name: string): KeyPairRecord {
  const r = ctx.tx.get<KeyPairRecord>(ctx.scope, KIND, name);
  if (!r) throw keyNotFound(name);
  return r;
}

/** A key pair by its key-... ID (the 'id' index), if there is one. */
export function keyPairById(ctx: RequestContext, id: string): KeyPairRecord | undefined {
  return ctx.tx.findBy<KeyPairRecord>(ctx.scope, KIND, 'id', { key: id, limit: 1 })[0]?.value;
}

/** AWS's key name rules: 1..255 ASCII characters, no leading or trailing space. */
function checkKeyName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new AwsError('MissingParameter', 'The request must contain the parameter KeyName');
  if (!/^[\x00-\x7f]*$/.test(name)) {
    throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter KeyName is invalid. Character sets beyond ASCII are not supported.`);
  }
  if (name.length > 255) {
    throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter KeyName is invalid. Length exceeds maximum of 255 characters.`);
  }
  if (name.trim() !== name) {
    throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter KeyName is invalid. Leading and trailing spaces are not allowed.`);
  }
  return name;
}

/** Checks a new key's name and the quota, before anything is generated. */
function checkNew(ctx: RequestContext, name: string): void {
  if (ctx.tx.get(ctx.scope, KIND, name)) throw new AwsError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
  if (ctx.tx.count(ctx.scope, KIND) >= MAX_KEY_PAIRS) {
    throw new AwsError('ResourceLimitExceeded', `Maximum of ${MAX_KEY_PAIRS} key pairs per region reached`);
  }
}

function enumValue<T extends string>(value: unknown, param: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new AwsError('InvalidParameterValue', `Value (${String(value)}) for parameter ${param} is invalid. Valid values: ${allowed.join(', ')}`);
}

function store(ctx: RequestContext, r: KeyPairRecord, tags: Tag[]): void {
  ctx.tx.put(ctx.scope, KIND, r.name, r);
  setTags(ctx.tx, ctx.scope, 'key-pair', r.id, tags);
}

export const createKeyPair: Handler<CreateKeyPairRequest, KeyPair> = (input, ctx) => {
  const name = checkKeyName(input.KeyName);
  const type = enumValue<KeyType>(input.KeyType, 'keyType', ['rsa', 'ed25519'], 'rsa');
  const format = enumValue(input.KeyFormat, 'keyFormat', ['pem', 'ppk'] as const, 'pem');
  const tags = tagSpecTags(input.TagSpecifications, 'key-pair');
  checkNew(ctx, name);
  const priv = generateKey(type);
  const r: KeyPairRecord = {
    id: newId('key-pair'), name, type, fingerprint: createdFingerprint(priv),
    publicKey: openSshLine(createPublicKey(priv), name), createMs: ctx.clock.nowMs(), imported: false,
  };
  store(ctx, r, tags);
  return {
    KeyName: name, KeyFingerprint: r.fingerprint, KeyPairId: r.id, Tags: tagList(tags),
    KeyMaterial: format === 'ppk' ? privatePpk(priv, name) : privatePem(priv, name),
  };
};

export const importKeyPair: Handler<ImportKeyPairRequest, ImportKeyPairResult> = (input, ctx) => {
  const name = checkKeyName(input.KeyName);
  if (input.PublicKeyMaterial === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter PublicKeyMaterial');
  const tags = tagSpecTags(input.TagSpecifications, 'key-pair');
  const bytes = Buffer.from(input.PublicKeyMaterial as Uint8Array);
  const parsed = parsePublicKeyMaterial(bytes);
  if (!parsed) throw new AwsError('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  if (parsed.type === 'rsa') {
    // EC2 takes RSA keys of 1024 to 4096 bits (its user guide lists 1024, 2048 and 4096;
    // ssh-keygen's 3072-bit default imports as well).
    const bits = rsaBits(parsed.key);
    if (bits < 1024 || bits > 4096) throw new AwsError('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  }
  checkNew(ctx, name);
  const r: KeyPairRecord = {
    id: newId('key-pair'), name, type: parsed.type, fingerprint: importedFingerprint(parsed.key),
    publicKey: openSshLine(parsed.key, parsed.comment ?? name), createMs: ctx.clock.nowMs(), imported: true,
  };
  store(ctx, r, tags);
  return { KeyName: name, KeyFingerprint: r.fingerprint, KeyPairId: r.id, Tags: tagList(tags) };
};

function info(r: KeyPairRecord, tags: Tag[], withPublicKey: boolean): KeyPairInfo {
  return {
    KeyPairId: r.id, KeyName: r.name, KeyFingerprint: r.fingerprint, KeyType: r.type, Tags: tagList(tags),
    CreateTime: new Date(r.createMs), ...(withPublicKey ? { PublicKey: r.publicKey } : {}),
  };
}

interface Listed { r: KeyPairRecord; tags: Tag[] }

const FIELDS: Record<string, (x: Listed) => string | string[] | undefined> = {
  'key-pair-id': (x) => x.r.id,
  'key-name': (x) => x.r.name,
  fingerprint: (x) => x.r.fingerprint,
  'key-type': (x) => x.r.type,
  'tag-key': (x) => x.tags.map((t) => t.Key),
  'tag-value': (x) => x.tags.map((t) => t.Value),
};

export const describeKeyPairs: Handler<DescribeKeyPairsRequest, DescribeKeyPairsResult> = (input, ctx) => {
  const filters = input.Filters ?? [];
  const fields = withTagKeyFields(FIELDS, filters, (x) => x.tags);
  let rows: KeyPairRecord[];
  const names = input.KeyNames ?? [];
  const ids = input.KeyPairIds ?? [];
  if (names.length || ids.length) {
    const byName = names.map((n) => ctx.tx.get<KeyPairRecord>(ctx.scope, KIND, n) ?? (() => { throw keyNotFound(n); })());
    const byId = ids.map((id) => {
      checkId('key-pair', id);
      return keyPairById(ctx, id) ?? (() => { throw keyNotFound(id); })();
    });
    // Both lists given: a key must be named by both (each list alone must exist in full).
    const wanted = names.length && ids.length ? byName.filter((r) => byId.some((b) => b.id === r.id)) : [...byName, ...byId];
    rows = [...new Map(wanted.map((r) => [r.name, r])).values()];
  } else {
    rows = ctx.tx.list<KeyPairRecord>(ctx.scope, KIND).map((x) => x.value);
  }
  const listed = rows.map((r) => ({ r, tags: tagsOf(ctx.tx, ctx.scope, r.id) }));
  const matched = applyFilters(listed, filters, fields);
  return { KeyPairs: matched.map((x) => info(x.r, x.tags, input.IncludePublicKey === true)) };
};

export const deleteKeyPair: Handler<DeleteKeyPairRequest, DeleteKeyPairResult> = (input, ctx) => {
  let r: KeyPairRecord | undefined;
  if (input.KeyPairId) {
    checkId('key-pair', input.KeyPairId);
    r = keyPairById(ctx, input.KeyPairId);
    if (!r) throw keyNotFound(input.KeyPairId);
  } else if (input.KeyName) {
    // AWS answers success for a name it does not know (deleting twice is not an error).
    r = ctx.tx.get<KeyPairRecord>(ctx.scope, KIND, input.KeyName);
  } else {
    throw new AwsError('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  }
  if (!r) return { Return: true };
  ctx.tx.delete(ctx.scope, KIND, r.name);
  dropTags(ctx.tx, ctx.scope, r.id);
  return { Return: true, KeyPairId: r.id };
};

// --- Windows passwords ---

/** The account/region secret Windows passwords are derived from (a setting row, made on first use). */
const SECRET_SETTING = 'windows-password-secret';

function passwordSecret(ctx: RequestContext): Buffer {
  const have = ctx.tx.get<{ secret: string }>(ctx.scope, COMPUTE_KIND.setting, SECRET_SETTING);
  if (have) return Buffer.from(have.secret, 'hex');
  const secret = randomBytes(32);
  ctx.tx.put(ctx.scope, COMPUTE_KIND.setting, SECRET_SETTING, { secret: secret.toString('hex') });
  return secret;
}

const PASSWORD_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const PASSWORD_SYMBOLS = '!$%&()*.;=?@-';

/**
 * The instance's Administrator password: the same on every call (an HMAC of the instance and
 * its launch), 32 characters like EC2Launch's, with upper and lower case, digits and symbols.
 */
export function windowsPassword(secret: Buffer, instanceId: string, launchMs: number): string {
  const h = createHmac('sha256', secret).update(`${instanceId}\0${launchMs}`).digest();
  const pick = (set: string, b: number): string => set[b % set.length]!;
  let out = '';
  for (let i = 0; i < 28; i++) out += pick(PASSWORD_CHARS, h[i]!);
  return pick('ABCDEFGHJKLMNPQRSTUVWXYZ', h[28]!) + pick('abcdefghijkmnopqrstuvwxyz', h[29]!)
    + out.slice(0, 14) + pick('23456789', h[30]!) + pick(PASSWORD_SYMBOLS, h[31]!) + out.slice(14);
}

export const getPasswordData: Handler<GetPasswordDataRequest, GetPasswordDataResult> = (input, ctx) => {
  // As instances-core's getInstance (not imported: this file must not depend on the instances area).
  const i = mustGet<InstanceRecord>(ctx, 'instance', input.InstanceId);
  if (instanceExpired(i, ctx.clock.nowMs())) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${i.id}' does not exist`);
  const out = { InstanceId: i.id, Timestamp: new Date(i.launchMs) };
  // Linux instances, instances launched without a key, and a Windows instance still booting
  // have no password data yet: AWS answers an empty string.
  if (i.platform !== 'windows' || !i.keyName || instanceState(i, ctx.clock.nowMs()) === 'pending') return { ...out, PasswordData: '' };
  const key = ctx.tx.get<KeyPairRecord>(ctx.scope, KIND, i.keyName);
  if (!key || key.type !== 'rsa') return { ...out, PasswordData: '' };
  return { ...out, PasswordData: encryptWindowsPassword(key.publicKey, windowsPassword(passwordSecret(ctx), i.id, i.launchMs)) };
};
