import type {
  GetFederationTokenRequest, GetFederationTokenResponse, GetSessionTokenRequest, GetSessionTokenResponse,
} from '@aws-sdk/client-sts';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { managedSessionPolicies } from './managed-policies.js';
import {
  checkSessionPolicy, isSessionPrincipal, issueCredentials, packedPolicySize, sessionTags, type SessionPrincipal,
} from './session.js';

const ROOT_MAX_S = 3600;
const DEFAULT_S = 43200;

/** Root sessions last at most an hour: longer requests are shortened, as AWS does, not refused. */
function userDuration(requested: number | undefined, root: boolean): number {
  const d = requested ?? DEFAULT_S;
  return root ? Math.min(d, ROOT_MAX_S) : d;
}

function checkMfaPair(serial: string | undefined, code: string | undefined): void {
  if ((serial === undefined) !== (code === undefined)) {
    throw new AwsError('AccessDenied', 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.', 403);
  }
}

/**
 * GetSessionToken: temporary credentials for the calling IAM user (or root) itself.
 * cloudlet has no virtual MFA devices: a SerialNumber with a six-digit TokenCode is accepted
 * as is and marks the session as MFA-authenticated (aws:MultiFactorAuthPresent).
 */
export const getSessionToken: Handler<GetSessionTokenRequest, GetSessionTokenResponse> = (input, ctx) => {
  const caller = ctx.principal;
  if (isSessionPrincipal(caller) || (caller.kind !== 'user' && caller.kind !== 'root')) {
    throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
  }
  checkMfaPair(input.SerialNumber, input.TokenCode);
  const principal: SessionPrincipal = {
    kind: caller.kind,
    account: caller.account,
    arn: caller.arn,
    userId: caller.userId,
    ...(caller.name !== undefined ? { name: caller.name } : {}),
    ...(input.SerialNumber !== undefined ? { mfa: true } : {}),
    tokenOrigin: 'GetSessionToken',
  };
  const duration = userDuration(input.DurationSeconds, caller.kind === 'root');
  return { Credentials: issueCredentials(ctx.tx, ctx.clock.nowMs(), duration, principal) };
};

/**
 * GetFederationToken: a federated-user session (arn:aws:sts::ACCT:federated-user/NAME) whose
 * permissions are the calling user's identity policies intersected with the session policies
 * passed here. Without any session policy the session may do nothing: its principal then
 * carries `sessionPolicies: []` (present but empty), unlike role sessions (absent = no filter).
 */
export const getFederationToken: Handler<GetFederationTokenRequest, GetFederationTokenResponse> = (input, ctx) => {
  const name = input.Name!;
  const caller = ctx.principal;
  if (isSessionPrincipal(caller) || (caller.kind !== 'user' && caller.kind !== 'root')) {
    throw new AwsError('AccessDenied', 'Cannot call GetFederationToken with session credentials', 403);
  }
  if (input.Policy !== undefined) checkSessionPolicy(input.Policy);
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const managed = managedSessionPolicies(ctx.tx, caller.account, arns);
  const { tags } = sessionTags(input.Tags, undefined);
  const hasTags = Object.keys(tags).length > 0;
  const packed = input.Policy !== undefined || arns.length > 0 || hasTags ? packedPolicySize(input.Policy, arns, tags) : undefined;
  const partition = caller.arn.split(':')[1] ?? 'aws';
  const arn = `arn:${partition}:sts::${caller.account}:federated-user/${name}`;
  const federatedUserId = `${caller.account}:${name}`;
  const principal: SessionPrincipal = {
    kind: 'federated-user',
    account: caller.account,
    arn,
    userId: federatedUserId,
    name,
    sessionPolicies: [...(input.Policy !== undefined ? [input.Policy] : []), ...managed],
    ...(hasTags ? { tags } : {}),
    userArn: caller.arn,
    userUniqueId: caller.userId,
    tokenOrigin: 'GetFederationToken',
  };
  const duration = userDuration(input.DurationSeconds, caller.kind === 'root');
  return {
    Credentials: issueCredentials(ctx.tx, ctx.clock.nowMs(), duration, principal),
    FederatedUser: { FederatedUserId: federatedUserId, Arn: arn },
    ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
  };
};
