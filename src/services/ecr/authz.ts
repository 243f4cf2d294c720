/**
 * ECR authorization: what the generated table cannot know.
 *
 *  - A request may name another account's registry (registryId): that account owns the
 *    repository ARN, so the check is cross-account (the authorizer then needs both the
 *    repository policy and the caller's own identity policy to allow; a root caller's
 *    identity allows by itself).
 *  - The repository policy (RepositoryRecord.policy) is the resource policy of every check
 *    on a repository ARN; an explicit Deny in it stops even the owner's root.
 *  - The repository's tags are its aws:ResourceTag/ecr:ResourceTag keys; UntagResource's
 *    tagKeys are aws:TagKeys (CreateRepository's and TagResource's tags the authorizer takes
 *    from the input itself).
 *
 * The registry front door (/v2/) authorizes each call as its ECR action with
 * authorizerFor(deps).authorize(ecrService, input, ctx), ctx.operation naming the operation
 * (BatchGetImage, PutImage, InitiateLayerUpload ...) and input its repositoryName and
 * registryId: these same hooks apply.
 */
import type { AuthzRequest, Check, ResourcePolicyRef, ServiceAuthz } from '../authz/types.js';
import { registryScope } from './records.js';
import { findRepository } from './repositories.js';

const REPO_ARN = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

function repositoryOf(req: AuthzRequest, arn: string) {
  const m = REPO_ARN.exec(arn);
  if (!m || m[3]!.includes('*')) return undefined;
  return findRepository(req.tx, registryScope(m[2]!, m[1]!), m[3]!);
}

const authz: ServiceAuthz = {
  variables: {
    Account: (req) => (typeof req.input?.registryId === 'string' && /^\d{12}$/.test(req.input.registryId) ? req.input.registryId : undefined),
  },
  resourcePolicy(req: AuthzRequest, check: Check): ResourcePolicyRef | undefined {
    if (check.resource === '*') return undefined;
    const repo = repositoryOf(req, check.resource);
    if (repo?.policy === undefined) return undefined;
    return { id: `repository policy of ${repo.registryId}/${repo.name}`, document: repo.policy, kind: 'resource' };
  },
  resourceTags(req: AuthzRequest, arn: string): Record<string, string> | undefined {
    const repo = repositoryOf(req, arn);
    if (!repo?.tags.length) return undefined;
    return Object.fromEntries(repo.tags.map((t) => [t.Key, t.Value]));
  },
  refine(req: AuthzRequest, checks: Check[]): Check[] {
    if (req.operation !== 'UntagResource' || !Array.isArray(req.input?.tagKeys)) return checks;
    const keys = (req.input.tagKeys as unknown[]).filter((k): k is string => typeof k === 'string');
    return checks.map((c) => ({ ...c, context: { ...c.context, 'aws:TagKeys': keys } }));
  },
};

export default authz;
