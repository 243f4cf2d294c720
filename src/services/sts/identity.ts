import type { GetCallerIdentityRequest, GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import type { Handler } from '../types.js';

export const getCallerIdentity: Handler<GetCallerIdentityRequest, GetCallerIdentityResponse> = (_input, ctx) => ({
  UserId: ctx.principal.userId,
  Account: ctx.principal.account,
  Arn: ctx.principal.arn,
});
