/**
 * What every STS operation that hands out temporary credentials shares: key material,
 * the credential row in the global access-key index, session tags, session policies and
 * their packed size.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { AwsError } from '../../core/errors.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../auth/credentials.js';
import type { Credential, Principal } from '../../auth/principal.js';
import { parsePolicy, PolicyError } from '../../policy/index.js';
import type { Tx } from '../../store/types.js';

/**
 * A session principal as STS stores it. Everything beyond Principal is extra information
 * for the enforcement step and for later STS calls made with these credentials:
 *  - sourceIdentity: sts:SourceIdentity / aws:SourceIdentity; fixed for a whole role chain.
 *  - transitiveTagKeys: which of `tags` pass on to the next session of a role chain.
 *  - federatedProvider: for web-identity sessions, the IAM OIDC provider ARN (aws:FederatedProvider).
 *  - userArn: for federated-user sessions, the IAM user (or root) that called GetFederationToken;
 *    its identity policies cap the session. userUniqueId: that user's AIDA... ID (the account
 *    for root): the session is bound to it, not to the name.
 *  - tokenOrigin: which STS operation issued the credentials.
 * `tags` holds the session tags only (incoming transitive ones included); a role's own IAM
 * tags also count as principal tags in AWS, under the session tags, and live on the role.
 */
export interface SessionPrincipal extends Principal {
  sourceIdentity?: string;
  transitiveTagKeys?: string[];
  federatedProvider?: string;
  userArn?: string;
  userUniqueId?: string;
  tokenOrigin?: 'AssumeRole' | 'AssumeRoleWithWebIdentity' | 'GetSessionToken' | 'GetFederationToken';
}

/** Temporary credentials that expired longer ago than this may be removed when new ones are issued. */
const SWEEP_GRACE_MS = 7 * 24 * 3600 * 1000;
const SWEEP_BATCH = 25;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomChars(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** What both role-assuming calls know about the session they are about to issue. */
export interface RoleSessionSpec {
  role: { id: string; arn: string; name: string };
  roleAccount: string;
  arn: string;
  sessionName: string;
  sessionPolicies: string[];
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  chained: boolean;
  sourceIdentity?: string;
}

/** The principal of a role session, shared by AssumeRole and AssumeRoleWithWebIdentity. */
export function roleSessionPrincipal(s: RoleSessionSpec): SessionPrincipal {
  return {
    kind: 'assumed-role',
    account: s.roleAccount,
    arn: s.arn,
    userId: `${s.role.id}:${s.sessionName}`,
    name: s.role.name,
    roleArn: s.role.arn,
    sessionName: s.sessionName,
    ...(s.sessionPolicies.length ? { sessionPolicies: s.sessionPolicies } : {}),
    ...(Object.keys(s.tags).length ? { tags: s.tags } : {}),
    ...(s.transitiveTagKeys.length ? { transitiveTagKeys: s.transitiveTagKeys } : {}),
    chained: s.chained,
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
  };
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/**
 * Mints ASIA... credentials for `principal`, valid for `durationS` from now by the cloudlet
 * clock (to the second, as AWS reports it), and indexes them where SigV4 looks keys up.
 */
export function issueCredentials(tx: Tx, nowMs: number, durationS: number, principal: SessionPrincipal): IssuedCredentials {
  sweepExpired(tx, nowMs);
  let accessKeyId: string;
  do accessKeyId = `ASIA${randomChars(BASE32, 16)}`;
  while (tx.get(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId));
  const secretAccessKey = randomBytes(30).toString('base64');
  // Opaque and long like AWS's; clients must not assume anything about its shape.
  const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(360).toString('base64')}`;
  const expiresAt = Math.floor(nowMs / 1000) * 1000 + durationS * 1000;
  const credential: Credential = {
    accessKeyId, secretAccessKey, sessionToken,
    principal: { ...principal, accessKeyId, expiresAt },
  };
  tx.put(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, accessKeyId, credential);
  return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) };
}

/**
 * Lazily forgets temporary credentials that expired more than a week ago (cloudlet time): a
 * small window of the index, starting at a random ASIA id (or `after`), per issue. Until
 * swept, an expired key still answers ExpiredToken (not InvalidClientTokenId), as AWS does.
 * Returns how many were removed.
 */
export function sweepExpired(tx: Tx, nowMs: number, after = `ASIA${randomChars(BASE32, 16)}`, limit = SWEEP_BATCH): number {
  let removed = 0;
  for (const row of tx.list<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, { prefix: 'ASIA', after, limit })) {
    const exp = row.value.principal?.expiresAt;
    if (row.value.sessionToken && exp !== undefined && exp < nowMs - SWEEP_GRACE_MS && tx.delete(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, row.id)) removed++;
  }
  return removed;
}

/** Whether the caller signed with temporary (session) credentials. */
export function isSessionPrincipal(p: Principal): boolean {
  return p.expiresAt !== undefined || p.kind === 'assumed-role' || p.kind === 'federated-user';
}

// ---------------------------------------------------------------- session tags

export interface SessionTags {
  tags: Record<string, string>;
  transitiveTagKeys: string[];
}

/**
 * Session tags of a new session: the tags passed now plus the caller's incoming transitive
 * tags (role chaining). Tag keys are case-insensitive; a transitive tag cannot be changed
 * later in the chain, and TransitiveTagKeys must name passed tags.
 */
export function sessionTags(
  passed: Array<{ Key?: string; Value?: string }> | undefined,
  transitive: string[] | undefined,
  caller?: SessionPrincipal,
): SessionTags {
  const tags: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const t of passed ?? []) {
    const key = t.Key ?? '';
    const lower = key.toLowerCase();
    if (seen.has(lower)) {
      throw new AwsError('InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
    seen.set(lower, key);
    tags[key] = t.Value ?? '';
  }
  const transitiveKeys: string[] = [];
  for (const k of transitive ?? []) {
    const actual = seen.get(k.toLowerCase());
    if (actual === undefined) {
      throw new AwsError('InvalidParameterValue', `The TransitiveTagKeys list contains the key '${k}', which is not in the session tags.`);
    }
    if (!transitiveKeys.some((x) => x.toLowerCase() === k.toLowerCase())) transitiveKeys.push(actual);
  }
  // Incoming transitive tags from the previous session of a role chain.
  for (const k of caller?.transitiveTagKeys ?? []) {
    const value = caller?.tags?.[k];
    if (value === undefined) continue;
    const mine = seen.get(k.toLowerCase());
    if (mine !== undefined) {
      if (tags[mine] !== value) {
        throw new AwsError('InvalidParameterValue', `The session tag '${k}' is a transitive tag of the calling session and cannot be overridden.`);
      }
    } else {
      tags[k] = value;
      seen.set(k.toLowerCase(), k);
    }
    if (!transitiveKeys.some((x) => x.toLowerCase() === k.toLowerCase())) transitiveKeys.push(k);
  }
  return { tags, transitiveTagKeys: transitiveKeys };
}

// ---------------------------------------------------------------- session policies

/** How many managed session policies one request may pass. */
export const MAX_POLICY_ARNS = 10;

/** Parses an inline session policy; MalformedPolicyDocument with the parser's reason when it is not one. */
export function checkSessionPolicy(json: string): void {
  try {
    parsePolicy(json, { kind: 'session' });
  } catch (e) {
    if (e instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', e.message);
    throw e;
  }
}

/**
 * The space AWS allows for the packed (compressed) session policies and tags of one session.
 * AWS's packing format is private; cloudlet deflates the same material, so small policies
 * use a few percent and many long random tags overflow, as on AWS.
 */
const PACKED_BUDGET_BYTES = 2048;

/** PackedPolicySize in percent; PackedPolicyTooLarge above 100. */
export function packedPolicySize(policy: string | undefined, policyArns: string[], tags: Record<string, string>): number {
  let compact = policy ?? '';
  try {
    if (policy) compact = JSON.stringify(JSON.parse(policy));
  } catch { /* checked elsewhere */ }
  const material = [compact, ...policyArns, ...Object.entries(tags).map(([k, v]) => `${k}\u0000${v}`)].join('\u0001');
  if (material.length === 0) return 0;
  const packed = deflateRawSync(Buffer.from(material, 'utf8'), { level: 9 }).length;
  const percent = Math.ceil((packed / PACKED_BUDGET_BYTES) * 100);
  if (percent > 100) {
    throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  }
  return percent;
}

// ---------------------------------------------------------------- durations

/** DurationSeconds for AssumeRole-like calls: 900 up to the role's maximum (chains: one hour). */
export function roleDuration(requested: number | undefined, maxSessionDuration: number, chained: boolean): number {
  if (chained) {
    if (requested !== undefined && requested > 3600) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    return requested ?? 3600;
  }
  if (requested !== undefined && requested > maxSessionDuration) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  return requested ?? 3600;
}
