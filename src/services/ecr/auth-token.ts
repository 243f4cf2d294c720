/**
 * GetAuthorizationToken: a token (token.ts) for the caller, valid 12 hours by the cloudlet
 * clock, usable as the password of user AWS at the registry. proxyEndpoint is the registry's
 * address as the caller reached this server: http(s)://ACCOUNT.dkr.ecr.REGION.localhost:PORT.
 * registryIds (deprecated) gives one entry per registry named, all with the same token.
 */
import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { hostPort } from './repositories.js';
import { issueToken } from './token.js';

export const getAuthorizationToken: Handler<GetAuthorizationTokenRequest, GetAuthorizationTokenResponse> = (input, ctx) => {
  if (!ctx.principal.accessKeyId) {
    throw new AwsError('InvalidParameterException', 'Invalid parameter: an authorization token needs a caller signed with an access key');
  }
  const { token, expiresAtMs } = issueToken(ctx.tx, ctx.principal, ctx.region, ctx.clock.nowMs());
  const port = hostPort(ctx);
  const scheme = ctx.wire.secure ? 'https' : 'http';
  const registries = input.registryIds?.length ? [...new Set(input.registryIds)] : [ctx.account];
  return {
    authorizationData: registries.map((id) => ({
      authorizationToken: token,
      expiresAt: new Date(expiresAtMs),
      proxyEndpoint: `${scheme}://${id}.dkr.ecr.${ctx.region}.localhost${port ? `:${port}` : ''}`,
    })),
  };
};
