/**
 * The instance profile role's credentials, as the metadata service hands them out: real STS
 * session credentials (session name = the instance ID, six hours, like EC2), the same ones on
 * every read until they come within 15 minutes of expiry by the cloudlet clock, then fresh ones
 * (AWS rotates at least five minutes before; SDKs refresh a few minutes ahead, so the overlap
 * must be wider than theirs). Cached per instance in one row; a write transaction.
 */
import type { Tx } from '../../../store/types.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../../auth/credentials.js';
import type { Credential } from '../../../auth/principal.js';
import { IAM_KIND, iamScope, type RoleRecord } from '../../iam/records.js';
import { assumedRoleArn } from '../../sts/roles.js';
import { issueCredentials, roleSessionPrincipal, type SessionPrincipal } from '../../sts/session.js';
import type { InstanceRecord } from '../compute/records.js';
import { ec2Json } from './tree.js';
import { isoSeconds, profileOf, type ImdsTarget } from './facts.js';

/** One row per instance: the credentials last handed out. */
export const IMDS_CREDENTIALS_KIND = 'ec2:imds-credentials';
export const ROLE_SESSION_S = 6 * 3600;
export const REFRESH_BEFORE_MS = 15 * 60_000;

interface CachedCredentials {
  accessKeyId: string;
  roleArn: string;
  associationId: string;
  issuedMs: number;
  expiresMs: number;
}

/**
 * The JSON document of iam/security-credentials/ROLE, or undefined when the instance's profile
 * does not hold that role (the path is then 404, as on EC2).
 */
export function roleCredentialsDocument(tx: Tx, t: ImdsTarget, i: InstanceRecord, roleName: string, nowMs: number): string | undefined {
  const assoc = i.iamInstanceProfile;
  if (!assoc || assoc.state !== 'associated') return undefined;
  const prof = profileOf(tx, t.account, assoc.arn);
  if (!prof || prof.roleName !== roleName) return undefined;
  const record = tx.get<RoleRecord>(iamScope(t.account), IAM_KIND.role, roleName);
  if (!record) return undefined;
  const scope = { account: t.account, region: t.region };
  const cached = tx.get<CachedCredentials>(scope, IMDS_CREDENTIALS_KIND, i.id);
  const stored = cached ? tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, cached.accessKeyId) : undefined;
  if (cached && stored && cached.roleArn === record.arn && cached.associationId === assoc.associationId
    && cached.expiresMs - nowMs > REFRESH_BEFORE_MS && cached.issuedMs >= lastStart(i)) {
    return shape(stored, cached);
  }
  const principal: SessionPrincipal = {
    ...roleSessionPrincipal({
      role: record, roleAccount: t.account, arn: assumedRoleArn(record, i.id), sessionName: i.id,
      sessionPolicies: [], tags: {}, transitiveTagKeys: [], chained: false,
    }),
    tokenOrigin: 'AssumeRole',
    ec2Source: {
      account: t.account, region: t.region, instanceId: i.id, associationId: assoc.associationId, issuedMs: nowMs,
      ...(i.vpcId ? { vpcId: i.vpcId } : {}), privateIp: i.privateIp,
    },
  };
  const issued = issueCredentials(tx, nowMs, ROLE_SESSION_S, principal);
  const row: CachedCredentials = {
    accessKeyId: issued.AccessKeyId, roleArn: record.arn, associationId: assoc.associationId, issuedMs: nowMs, expiresMs: issued.Expiration.getTime(),
  };
  tx.put(scope, IMDS_CREDENTIALS_KIND, i.id, row);
  return shape({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken }, row);
}

const lastStart = (i: InstanceRecord): number => (i.runs.length ? i.runs[i.runs.length - 1]![0] : i.launchMs);

function shape(c: Pick<Credential, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>, row: CachedCredentials): string {
  return ec2Json({
    Code: 'Success', LastUpdated: isoSeconds(row.issuedMs), Type: 'AWS-HMAC',
    AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: isoSeconds(row.expiresMs),
  });
}
