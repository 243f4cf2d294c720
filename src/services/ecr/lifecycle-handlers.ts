/**
 * ECR lifecycle policies: Put/Get/DeleteLifecyclePolicy (the policy text on the REPOSITORY row's
 * `lifecycle` field, written here and by lifecycle/apply.ts through repositories.ts
 * updateRepository) and the preview (Start/GetLifecyclePolicyPreview: computed at once by
 * lifecycle/evaluate.ts over the repository's images and stored as a LIFECYCLE_PREVIEW row).
 * When policies run: lifecycle/apply.ts.
 */
import type {
  DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse, GetLifecyclePolicyPreviewRequest, GetLifecyclePolicyPreviewResponse,
  GetLifecyclePolicyRequest, GetLifecyclePolicyResponse, LifecyclePolicyPreviewResult, PutLifecyclePolicyRequest,
  PutLifecyclePolicyResponse, StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import type { Handler } from '../types.js';
import { evaluateRepository, MAX_LAG_MS } from './lifecycle/apply.js';
import { parseLifecyclePolicy } from './lifecycle/rules.js';
import { LIFECYCLE_PREVIEW, type LifecyclePreviewRecord, type RepositoryRecord } from './records.js';
import { requestScope, requireRepository, updateRepository } from './repositories.js';

function policyNotFound(name: string, registryId: string): AwsError {
  return new AwsError('LifecyclePolicyNotFoundException',
    `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`);
}

function requirePolicy(rec: RepositoryRecord): NonNullable<RepositoryRecord['lifecycle']> {
  if (!rec.lifecycle) throw policyNotFound(rec.name, rec.registryId);
  return rec.lifecycle;
}

const lastEvaluated = (l: NonNullable<RepositoryRecord['lifecycle']>): Date | undefined =>
  l.lastEvaluatedAtMs === undefined ? undefined : new Date(l.lastEvaluatedAtMs);

export const putLifecyclePolicy: Handler<PutLifecyclePolicyRequest, PutLifecyclePolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  requireRepository(ctx.tx, scope, name);
  const text = input.lifecyclePolicyText ?? '';
  parseLifecyclePolicy(text);
  // ECR applies a new policy within 24 hours: at the next clock move, or a day on by the clock.
  updateRepository(ctx.tx, scope, name, (r) => ({ ...r, lifecycle: { text, dueAtMs: ctx.clock.nowMs() + MAX_LAG_MS } }));
  return { registryId: scope.account, repositoryName: name, lifecyclePolicyText: text };
};

export const getLifecyclePolicy: Handler<GetLifecyclePolicyRequest, GetLifecyclePolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const rec = requireRepository(ctx.tx, scope, input.repositoryName ?? '');
  const l = requirePolicy(rec);
  return { registryId: scope.account, repositoryName: rec.name, lifecyclePolicyText: l.text, lastEvaluatedAt: lastEvaluated(l) };
};

export const deleteLifecyclePolicy: Handler<DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const rec = requireRepository(ctx.tx, scope, input.repositoryName ?? '');
  const l = requirePolicy(rec);
  updateRepository(ctx.tx, scope, rec.name, (r) => {
    const { lifecycle: _, ...rest } = r;
    return rest;
  });
  return { registryId: scope.account, repositoryName: rec.name, lifecyclePolicyText: l.text, lastEvaluatedAt: lastEvaluated(l) };
};

/**
 * The preview runs at once, inside the request (ECR's runs in the background): the answer says
 * IN_PROGRESS, as ECR's does, and the stored preview is already COMPLETE, so a second start never
 * meets one in progress (LifecyclePolicyPreviewInProgressException does not arise).
 */
export const startLifecyclePolicyPreview: Handler<StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const rec = requireRepository(ctx.tx, scope, input.repositoryName ?? '');
  const text = input.lifecyclePolicyText ?? requirePolicy(rec).text;
  const nowMs = ctx.clock.nowMs();
  const { evaluation, images } = evaluateRepository(ctx.tx, scope, rec.name, text, nowMs);
  const byDigest = new Map(images.map((i) => [i.digest, i]));
  const results: LifecyclePreviewRecord['results'] = [];
  for (const a of evaluation.actions) {
    const img = byDigest.get(a.digest)!;
    const r: LifecyclePreviewRecord['results'][number] = {
      digest: a.digest, tags: img.tags, pushedAtMs: img.pushedAtMs, storageClass: img.storageClass ?? 'STANDARD',
      rulePriority: a.rulePriority, action: a.type === 'expire' ? 'EXPIRE' : 'TRANSITION',
    };
    if (a.type === 'transition') r.targetStorageClass = 'ARCHIVE';
    results.push(r);
  }
  const preview: LifecyclePreviewRecord = { text, startedAtMs: nowMs, repoCreatedAtMs: rec.createdAtMs, results };
  ctx.tx.put(scope, LIFECYCLE_PREVIEW, rec.name, preview);
  return { registryId: scope.account, repositoryName: rec.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
};

const PAGING = ['nextToken', 'maxResults'] as const;

export const getLifecyclePolicyPreview: Handler<GetLifecyclePolicyPreviewRequest, GetLifecyclePolicyPreviewResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const rec = requireRepository(ctx.tx, scope, input.repositoryName ?? '');
  const preview = ctx.tx.get<LifecyclePreviewRecord>(scope, LIFECYCLE_PREVIEW, rec.name);
  if (!preview || preview.repoCreatedAtMs !== rec.createdAtMs) {
    throw new AwsError('LifecyclePolicyPreviewNotFoundException',
      `Lifecycle policy preview does not exist for the repository with name '${rec.name}' in the registry with id '${scope.account}'`);
  }
  if (input.imageIds?.length && (input.nextToken !== undefined || input.maxResults !== undefined)) {
    throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageIds' failed to satisfy constraint: 'imageIds cannot be used with maxResults or nextToken'");
  }
  const status = input.filter?.tagStatus ?? 'ANY';
  let rows = preview.results.map((r, i) => ({ r, i }));
  if (status === 'TAGGED') rows = rows.filter(({ r }) => r.tags.length > 0);
  if (status === 'UNTAGGED') rows = rows.filter(({ r }) => r.tags.length === 0);
  if (input.imageIds?.length) {
    const ids = input.imageIds;
    rows = rows.filter(({ r }) => ids.some((id) => (id.imageDigest === undefined || id.imageDigest === r.digest)
      && (id.imageTag === undefined || r.tags.includes(id.imageTag)) && (id.imageDigest !== undefined || id.imageTag !== undefined)));
  }
  const binding = { service: 'ecr', operation: 'GetLifecyclePolicyPreview', query: { ...queryOf(input, PAGING), startedAtMs: preview.startedAtMs } };
  let after = -1;
  if (input.nextToken !== undefined) {
    const pos = decodePageToken(binding, input.nextToken);
    if (pos === undefined) throw new AwsError('InvalidParameterException', "Invalid parameter at 'nextToken': the token is not valid");
    after = Number(pos);
  }
  const max = input.maxResults ?? 100;
  const rest = rows.filter(({ i }) => i > after);
  const page = rest.slice(0, max);
  const out: GetLifecyclePolicyPreviewResponse = {
    registryId: scope.account,
    repositoryName: rec.name,
    lifecyclePolicyText: preview.text,
    status: 'COMPLETE',
    previewResults: page.map(({ r }) => toResult(r)),
    summary: summary(preview),
  };
  if (rest.length > max) out.nextToken = encodePageToken(binding, String(page[page.length - 1]!.i));
  return out;
};

function toResult(r: LifecyclePreviewRecord['results'][number]): LifecyclePolicyPreviewResult {
  return {
    imageTags: r.tags,
    imageDigest: r.digest,
    imagePushedAt: new Date(r.pushedAtMs),
    action: r.targetStorageClass ? { type: r.action, targetStorageClass: r.targetStorageClass } : { type: r.action },
    appliedRulePriority: r.rulePriority,
    storageClass: r.storageClass,
  };
}

/** Over the whole preview, whatever the filter and page. */
function summary(p: LifecyclePreviewRecord): GetLifecyclePolicyPreviewResponse['summary'] {
  const transitioning = p.results.filter((r) => r.action === 'TRANSITION').length;
  return {
    expiringImageTotalCount: p.results.filter((r) => r.action === 'EXPIRE').length,
    transitioningImageTotalCounts: transitioning ? [{ targetStorageClass: 'ARCHIVE', imageTotalCount: transitioning }] : [],
  };
}

/** ECR operations of this area (see index.ts). */
export const lifecycleHandlers: Record<string, Handler> = {
  PutLifecyclePolicy: putLifecyclePolicy,
  GetLifecyclePolicy: getLifecyclePolicy,
  DeleteLifecyclePolicy: deleteLifecyclePolicy,
  StartLifecyclePolicyPreview: startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: getLifecyclePolicyPreview,
};
