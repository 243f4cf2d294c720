import type { AssumeRoleRequest, AssumeRoleResponse } from '@aws-sdk/client-sts';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { managedSessionPolicies } from './managed-policies.js';
import { assumedRoleArn, findRole } from './roles.js';
import {
  checkSessionPolicy, issueCredentials, packedPolicySize, roleDuration, sessionTags, type SessionPrincipal, roleSessionPrincipal,
} from './session.js';
import { checkSessionPolicyLength } from './validate.js';

export function notAuthorized(callerArn: string, action: string, resource: string): AwsError {
  return new AwsError('AccessDenied', `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`, 403);
}

/**
 * AssumeRole. Whether the caller may assume the role (its identity policies, the role's
 * trust policy with sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity and the request
 * tags, same- and cross-account rules) is decided by the enforcement step before this runs;
 * see trust-context.ts for the context it reads from this input. This handler checks what
 * STS itself checks and issues the session.
 */
export const assumeRole: Handler<AssumeRoleRequest, AssumeRoleResponse> = (input, ctx) => {
  const roleArn = input.RoleArn!;
  const sessionName = input.RoleSessionName!;
  checkSessionPolicyLength(input.Policy);

  const caller = ctx.principal as SessionPrincipal;
  // Federated-user sessions may call no STS operation but GetCallerIdentity.
  if (caller.kind === 'federated-user' || caller.kind === 'anonymous') throw notAuthorized(caller.arn, 'sts:AssumeRole', roleArn);
  const role = findRole(ctx.tx, roleArn);
  if (!role) throw notAuthorized(caller.arn, 'sts:AssumeRole', roleArn);

  if ((input.SerialNumber === undefined) !== (input.TokenCode === undefined)) {
    throw new AwsError('AccessDenied', 'MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.', 403);
  }
  const roleAccount = role.arn.split(':')[4]!;
  const chained = caller.kind === 'assumed-role';
  const duration = roleDuration(input.DurationSeconds, role.maxSessionDuration, chained);

  if (input.Policy !== undefined) checkSessionPolicy(input.Policy);
  const arns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const managed = managedSessionPolicies(ctx.tx, roleAccount, arns);
  const { tags, transitiveTagKeys } = sessionTags(input.Tags, input.TransitiveTagKeys, chained ? caller : undefined);
  const hasTags = Object.keys(tags).length > 0;
  const packed = input.Policy !== undefined || arns.length > 0 || hasTags ? packedPolicySize(input.Policy, arns, tags) : undefined;

  // A source identity, once set, stays with the whole role chain.
  if (chained && caller.sourceIdentity !== undefined && input.SourceIdentity !== undefined && input.SourceIdentity !== caller.sourceIdentity) {
    throw new AwsError('InvalidParameterValue', `The source identity '${caller.sourceIdentity}' of the calling session cannot be changed in a role chain.`);
  }
  const sourceIdentity = (chained ? caller.sourceIdentity : undefined) ?? input.SourceIdentity;

  const arn = assumedRoleArn(role, sessionName);
  const sessionPolicies = [...(input.Policy !== undefined ? [input.Policy] : []), ...managed];
  const principal: SessionPrincipal = {
    ...roleSessionPrincipal({ role, roleAccount, arn, sessionName, sessionPolicies, tags, transitiveTagKeys, chained, sourceIdentity }),
    ...(input.SerialNumber !== undefined ? { mfa: true } : {}),
    tokenOrigin: 'AssumeRole',
  };
  const credentials = issueCredentials(ctx.tx, ctx.clock.nowMs(), duration, principal);
  return {
    Credentials: credentials,
    AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
    ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
  };
};
