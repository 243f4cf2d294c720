/**
 * Compute Optimizer's opt-in: an account is not enrolled until UpdateEnrollmentStatus sets it
 * Active, and until then every recommendation operation answers OptInRequiredException (403),
 * as AWS does. The enrollment is account-wide: one row in the account's global scope.
 */
import type { GetEnrollmentStatusResponse, UpdateEnrollmentStatusRequest, UpdateEnrollmentStatusResponse } from '@aws-sdk/client-compute-optimizer';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';

export const ENROLLMENT_KIND = 'compute-optimizer:enrollment';
const ENROLLMENT_ID = 'account';

interface EnrollmentRecord {
  status: 'Active' | 'Inactive';
  memberAccountsEnrolled: boolean;
  updatedMs: number;
}

const globalScope = (ctx: RequestContext) => ({ account: ctx.account, region: '' });

function enrollmentOf(ctx: RequestContext): EnrollmentRecord | undefined {
  return ctx.tx.get<EnrollmentRecord>(globalScope(ctx), ENROLLMENT_KIND, ENROLLMENT_ID);
}

/** Throws OptInRequiredException unless the account has opted in. */
export function requireOptIn(ctx: RequestContext): void {
  if (enrollmentOf(ctx)?.status !== 'Active') {
    throw new AwsError('OptInRequiredException', 'The account is not enrolled in AWS Compute Optimizer. Opt in with UpdateEnrollmentStatus (status Active) first.', 403);
  }
}

export const getEnrollmentStatus: Handler<object, GetEnrollmentStatusResponse> = (_input, ctx) => {
  const e = enrollmentOf(ctx);
  return {
    status: e?.status ?? 'Inactive',
    memberAccountsEnrolled: e?.memberAccountsEnrolled ?? false,
    ...(e ? { lastUpdatedTimestamp: new Date(e.updatedMs) } : {}),
    numberOfMemberAccountsOptedIn: 0,
  };
};

export const updateEnrollmentStatus: Handler<UpdateEnrollmentStatusRequest, UpdateEnrollmentStatusResponse> = (input, ctx) => {
  if (input.status !== 'Active' && input.status !== 'Inactive') {
    throw new AwsError('InvalidParameterValueException', `The enrollment status ${input.status} can't be set. Specify Active to opt in or Inactive to opt out.`);
  }
  const rec: EnrollmentRecord = { status: input.status, memberAccountsEnrolled: input.status === 'Active' && !!input.includeMemberAccounts, updatedMs: ctx.clock.nowMs() };
  ctx.tx.put(globalScope(ctx), ENROLLMENT_KIND, ENROLLMENT_ID, rec);
  return { status: rec.status };
};
