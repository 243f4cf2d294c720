/**
 * How STS requests are authorized, where the generated table cannot know:
 *  - GetCallerIdentity and GetSessionToken need no permission at all (AWS: "No permissions
 *    are required").
 *  - AssumeRole: the resource is the role (input.RoleArn, possibly in another account) and
 *    the role's trust policy is the resource policy, which must allow by itself; denials
 *    carry no "because ..." clause, as STS words them (the log line still explains); the
 *    request also needs sts:TagSession / sts:SetSourceIdentity when it tags or sets a source
 *    identity. Conditions: sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity,
 *    sts:TransitiveTagKeys, aws:RequestTag/*, aws:TagKeys (trust-context.ts).
 *  - AssumeRoleWithWebIdentity: unsigned; the asker is the OIDC provider the token names
 *    (Principal {"Federated": ARN}) and only the trust policy can let it in, on the token's
 *    claims (web-identity.ts).
 */
import type { AssumeRoleRequest, AssumeRoleWithWebIdentityRequest } from '@aws-sdk/client-sts';
import type { RequestPrincipal } from '../../policy/index.js';
import type { Check, ResourcePolicyRef, ServiceAuthz } from '../authz/types.js';
import { trustDocument } from '../iam/principal-ids.js';
import type { RoleRecord } from '../iam/records.js';
import type { Tx } from '../../store/types.js';
import { findRole } from './roles.js';
import { assumeRoleTrustContext } from './trust-context.js';
import { webIdentityContext } from './web-identity.js';

/** The trust policy bound to the unique IDs of the principals it named when written (principal-ids.ts). */
function trustPolicy(tx: Tx, role: RoleRecord | undefined): ResourcePolicyRef | null {
  return role ? { id: role.arn, document: trustDocument(tx, role), kind: 'trust' } : null;
}

const authz: ServiceAuthz = {
  unauthorized: ['GetCallerIdentity', 'GetSessionToken'],
  variables: { FederatedUserName: ['Name'] },
  checks: {
    AssumeRole: (req) => {
      const input = req.input as AssumeRoleRequest;
      if (!input?.RoleArn) return [];
      const trust = assumeRoleTrustContext(input);
      const role = findRole(req.tx, input.RoleArn);
      return trust.actions.map((action): Check => ({
        action,
        resource: trust.resource,
        ...(trust.roleAccount ? { resourceAccount: trust.roleAccount } : {}),
        context: trust.keys,
        resourcePolicy: trustPolicy(req.tx, role),
        // STS gives no reason, whichever policy said no (and a missing role reads the same).
        denyMessage: `User: ${req.principal.kind === 'anonymous' ? 'anonymous' : req.principal.arn} is not authorized to perform: ${action} on resource: ${trust.resource}`,
      }));
    },
    AssumeRoleWithWebIdentity: async (req) => {
      const input = req.input as AssumeRoleWithWebIdentityRequest;
      // Missing parameters are the handler's to report.
      if (!input?.RoleArn || !input.WebIdentityToken || !input.RoleSessionName) return [];
      const identity = await webIdentityContext(req.tx, input, req.nowMs);
      const role = findRole(req.tx, input.RoleArn);
      const principal: RequestPrincipal = { kind: 'anonymous', arn: identity.providerArn, account: '', federated: identity.providerArn };
      const actions = ['sts:AssumeRoleWithWebIdentity'];
      if (Object.keys(identity.tags).length) actions.push('sts:TagSession');
      if (identity.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
      return actions.map((action): Check => ({
        action,
        resource: input.RoleArn!,
        context: identity.keys,
        resourcePolicy: trustPolicy(req.tx, role),
        principal,
        denyMessage: `Not authorized to perform ${action}`,
      }));
    },
    // Not implemented by STS yet: nothing to decide until it is.
    AssumeRoleWithSAML: () => [],
  },
};

export default authz;
