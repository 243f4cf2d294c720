/**
 * The request context of an authorization: who is asking (as the policy engine sees a
 * principal) and the condition keys the request carries.
 */
import type { Principal } from '../../auth/principal.js';
import type { RequestPrincipal } from '../../policy/index.js';
import type { Tx } from '../../store/types.js';
import { principalEntity } from './identity.js';
import type { Tag } from '../iam/records.js';
import type { SessionPrincipal } from '../sts/session.js';
import type { AuthzRequest, ContextKeys } from './types.js';

/** The caller as the policy engine matches it. */
export function requestPrincipal(p: Principal): RequestPrincipal {
  const s = p as SessionPrincipal;
  const out: RequestPrincipal = { arn: p.arn, account: p.account, kind: p.kind, userId: p.userId };
  if (p.kind === 'user' && p.name !== undefined) out.username = p.name;
  if (p.roleArn !== undefined) out.roleArn = p.roleArn;
  if (s.userArn !== undefined) out.userArn = s.userArn;
  return out;
}

/** How AWS names a caller in messages: the ARN, or "anonymous". */
export const callerName = (p: RequestPrincipal): string => (p.kind === 'anonymous' ? 'anonymous' : p.arn);

/** IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are the IPv4 address, as AWS reports them. */
export const sourceIp = (ip: string): string => (ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);

const tagMap = (tags: readonly Tag[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.Key] = t.Value;
  return out;
};

/**
 * aws:PrincipalTag values: an IAM user's tags; a role session's role tags overlaid by its
 * session tags; a federated user's session tags.
 */
export function principalTags(tx: Tx, p: Principal): Record<string, string> {
  // The user or role with the credentials' unique ID: a re-created namesake's tags do not count.
  if (p.kind === 'user') return tagMap(principalEntity(tx, p)?.tags);
  if (p.kind === 'assumed-role') return { ...tagMap(principalEntity(tx, p)?.tags), ...(p.tags ?? {}) };
  return { ...(p.tags ?? {}) };
}

/** Request tags from the input: Tags / tags (list or map), TagSpecifications[].Tags, S3 Tagging. */
export function requestTags(input: any): Record<string, string> | undefined {
  if (!input || typeof input !== 'object') return undefined;
  let out: Record<string, string> | undefined;
  const add = (list: unknown): void => {
    if (Array.isArray(list)) {
      for (const t of list) {
        const k = t?.Key ?? t?.key;
        if (typeof k === 'string') (out ??= {})[k] = String(t?.Value ?? t?.value ?? '');
      }
    } else if (list && typeof list === 'object') {
      for (const [k, v] of Object.entries(list)) if (typeof v === 'string') (out ??= {})[k] = v;
    }
  };
  add(input.Tags ?? input.tags);
  if (Array.isArray(input.TagSpecifications)) for (const s of input.TagSpecifications) add(s?.Tags);
  const tagging = input.Tagging;
  if (typeof tagging === 'string') {
    for (const [k, v] of new URLSearchParams(tagging)) (out ??= {})[k] = v;
  } else if (tagging && typeof tagging === 'object') {
    add((tagging as { TagSet?: unknown }).TagSet);
  }
  return out;
}

/** What a request needs computed only when some policy in play mentions it. */
export interface KeyNeeds {
  principalTags: boolean;
  resourceTags: boolean;
}

/**
 * The request-wide condition keys. Keys the engine derives from the principal and the clock
 * (aws:PrincipalArn, aws:userid, aws:CurrentTime ...) are not repeated here.
 */
export function requestKeys(req: AuthzRequest, needs: KeyNeeds): ContextKeys {
  const p = req.principal as SessionPrincipal;
  const keys: ContextKeys = {
    'aws:SourceIp': sourceIp(req.sourceIp),
    'aws:SecureTransport': req.secure ? 'true' : 'false',
    'aws:RequestedRegion': req.region,
    'aws:ViaAWSService': 'false',
    'aws:PrincipalIsAWSService': 'false',
  };
  // Present only for temporary credentials: long-term keys say nothing about MFA.
  if (p.expiresAt !== undefined || p.kind === 'assumed-role' || p.kind === 'federated-user') {
    keys['aws:MultiFactorAuthPresent'] = p.mfa ? 'true' : 'false';
  }
  // When STS records when a session began (credentials issued), it is aws:TokenIssueTime.
  const issuedAt = (p as { issuedAt?: unknown }).issuedAt;
  if (typeof issuedAt === 'number') keys['aws:TokenIssueTime'] = new Date(issuedAt).toISOString();
  if (p.federatedProvider !== undefined) keys['aws:FederatedProvider'] = p.federatedProvider;
  if (p.sourceIdentity !== undefined) keys['aws:SourceIdentity'] = p.sourceIdentity;
  // Role credentials delivered by an instance's metadata service (src/services/ec2/imds).
  if (p.ec2Source) {
    keys['ec2:SourceInstanceARN'] = `arn:aws:ec2:${p.ec2Source.region}:${p.ec2Source.account}:instance/${p.ec2Source.instanceId}`;
    if (p.ec2Source.vpcId) keys['aws:EC2InstanceSourceVPC'] = p.ec2Source.vpcId;
    if (p.ec2Source.privateIp) keys['aws:EC2InstanceSourcePrivateIPv4'] = p.ec2Source.privateIp;
  }
  const tags = requestTags(req.input);
  if (tags) {
    for (const [k, v] of Object.entries(tags)) keys[`aws:RequestTag/${k}`] = v;
    keys['aws:TagKeys'] = Object.keys(tags);
  }
  if (needs.principalTags && p.kind !== 'anonymous' && p.kind !== 'root') {
    for (const [k, v] of Object.entries(principalTags(req.tx, p))) keys[`aws:PrincipalTag/${k}`] = v;
  }
  return keys;
}
