import { defineService } from '../types.js';
import { assumeRole } from './assume-role.js';
import { decodeAuthorizationMessage } from './decode.js';
import { getCallerIdentity } from './identity.js';
import { getFederationToken, getSessionToken } from './session-token.js';
import { assumeRoleWithWebIdentity, prefetchWebIdentityKeys } from './web-identity.js';

export default defineService({
  name: 'sts',
  modelId: 'sts-2011-06-15',
  handlers: {
    AssumeRole: assumeRole,
    AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
    DecodeAuthorizationMessage: decodeAuthorizationMessage,
    GetCallerIdentity: getCallerIdentity,
    GetFederationToken: getFederationToken,
    GetSessionToken: getSessionToken,
  },
  prepare: { AssumeRoleWithWebIdentity: prefetchWebIdentityKeys },
});
