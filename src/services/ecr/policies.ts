/**
 * Repository policies (SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy) and
 * the registry policy (PutRegistryPolicy, GetRegistryPolicy, DeleteRegistryPolicy). Both are
 * checked with the IAM policy parser when set (resource policies: a Principal in every
 * statement, no Resource needed); the repository policy is what authz.ts hands the
 * authorizer as the repository's resource policy.
 */
import type {
  DeleteRegistryPolicyRequest, DeleteRegistryPolicyResponse, DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse,
  GetRegistryPolicyRequest, GetRegistryPolicyResponse, GetRepositoryPolicyRequest, GetRepositoryPolicyResponse,
  PutRegistryPolicyRequest, PutRegistryPolicyResponse, SetRepositoryPolicyRequest, SetRepositoryPolicyResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { evaluate, parsePolicy, PolicyError, type Policy } from '../../policy/index.js';
import { requestPrincipal } from '../authz/context.js';
import type { Handler } from '../types.js';
import { requestScope, requireRepository, updateRepository } from './repositories.js';
import { registrySettings, updateSettings } from './settings.js';

/** Parses a resource policy ECR is asked to store; InvalidParameterException naming what is wrong. */
export function checkPolicyText(text: string | undefined, what: 'repository' | 'registry'): Policy {
  try {
    return parsePolicy(text ?? '', { kind: 'resource', id: what });
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    throw new AwsError('InvalidParameterException',
      `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${what} policy provided' (${e.message})`);
  }
}

export const setRepositoryPolicy: Handler<SetRepositoryPolicyRequest, SetRepositoryPolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  const rec = requireRepository(ctx.tx, scope, name);
  const policy = checkPolicyText(input.policyText, 'repository');
  if (!input.force) {
    // A policy that would lock the caller out of setting the next one needs `force`.
    const result = evaluate(
      { action: 'ecr:SetRepositoryPolicy', resource: rec.arn, principal: requestPrincipal(ctx.principal), context: {} },
      { identity: [], resource: policy },
      { now: () => ctx.clock.nowMs(), rootBypassesIdentity: true },
    );
    if (result.decision === 'ExplicitDeny') {
      throw new AwsError('InvalidParameterException',
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The repository policy would prevent you from setting another policy in the future; use force to set it anyway'");
    }
  }
  const text = input.policyText!;
  updateRepository(ctx.tx, scope, name, (r) => ({ ...r, policy: text }));
  return { registryId: scope.account, repositoryName: name, policyText: text };
};

const noRepositoryPolicy = (name: string, registryId: string) => new AwsError('RepositoryPolicyNotFoundException',
  `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);

export const getRepositoryPolicy: Handler<GetRepositoryPolicyRequest, GetRepositoryPolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  const rec = requireRepository(ctx.tx, scope, name);
  if (rec.policy === undefined) throw noRepositoryPolicy(name, scope.account);
  return { registryId: scope.account, repositoryName: name, policyText: rec.policy };
};

export const deleteRepositoryPolicy: Handler<DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  const rec = requireRepository(ctx.tx, scope, name);
  if (rec.policy === undefined) throw noRepositoryPolicy(name, scope.account);
  updateRepository(ctx.tx, scope, name, (r) => {
    const { policy: _gone, ...rest } = r;
    return rest;
  });
  return { registryId: scope.account, repositoryName: name, policyText: rec.policy };
};

const noRegistryPolicy = (registryId: string) => new AwsError('RegistryPolicyNotFoundException',
  `Registry policy does not exist in the registry with id '${registryId}'`);

export const putRegistryPolicy: Handler<PutRegistryPolicyRequest, PutRegistryPolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, undefined);
  checkPolicyText(input.policyText, 'registry');
  const text = input.policyText!;
  updateSettings(ctx.tx, scope, (s) => ({ ...s, policy: text }));
  return { registryId: scope.account, policyText: text };
};

export const getRegistryPolicy: Handler<GetRegistryPolicyRequest, GetRegistryPolicyResponse> = (_input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const policy = registrySettings(ctx.tx, scope).policy;
  if (policy === undefined) throw noRegistryPolicy(scope.account);
  return { registryId: scope.account, policyText: policy };
};

export const deleteRegistryPolicy: Handler<DeleteRegistryPolicyRequest, DeleteRegistryPolicyResponse> = (_input, ctx) => {
  const scope = requestScope(ctx, undefined);
  const policy = registrySettings(ctx.tx, scope).policy;
  if (policy === undefined) throw noRegistryPolicy(scope.account);
  updateSettings(ctx.tx, scope, (s) => {
    const { policy: _gone, ...rest } = s;
    return rest;
  });
  return { registryId: scope.account, policyText: policy };
};

