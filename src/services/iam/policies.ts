import type {
  CreatePolicyRequest, CreatePolicyResponse, CreatePolicyVersionRequest, CreatePolicyVersionResponse, DeletePolicyRequest,
  DeletePolicyVersionRequest, GetPolicyRequest, GetPolicyResponse, GetPolicyVersionRequest, GetPolicyVersionResponse,
  ListPoliciesRequest, ListPoliciesResponse, ListPolicyVersionsRequest, ListPolicyVersionsResponse, SetDefaultPolicyVersionRequest,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { deleteConflict, iamArn, limitExceeded, noSuchEntity, nowIso } from './common.js';
import {
  all, assertAbsent, findManaged, mustManaged, policyUsage, remove, save, usageOf, viewOf, type ManagedView,
} from './entities.js';
import { uniqueId } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import type { ManagedPolicyRecord } from './records.js';
import { policyOut, versionOut } from './shapes.js';
import { checkNewTags } from './users.js';
import { checkDocument, checkManagedSize, DEFAULT_PATH, underPath } from './validate.js';

const MAX_VERSIONS = 5;

function identityDocument(raw: string): string {
  const doc = checkDocument(raw, 'identity');
  checkManagedSize(doc);
  return doc;
}

/** AWS managed policies belong to AWS: an account may read and attach them, never change them. */
export function customerPolicy(ctx: RequestContext, arn: string): ManagedPolicyRecord {
  const p = mustManaged(ctx.tx, ctx.account, arn);
  if (!p.record) {
    throw new AwsError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: iam:${ctx.operation} on resource: policy ${arn}`, 403);
  }
  return p.record;
}

export const createPolicy: Handler<CreatePolicyRequest, CreatePolicyResponse> = (input, ctx) => {
  const name = input.PolicyName!;
  const path = input.Path ?? DEFAULT_PATH;
  const doc = identityDocument(input.PolicyDocument!);
  const tags = checkNewTags(input.Tags, 'TagsPerPolicy');
  assertAbsent(ctx.tx, ctx.account, 'policy', name);
  const now = nowIso(ctx);
  const rec: ManagedPolicyRecord = {
    name, id: uniqueId('ANPA'), arn: iamArn(ctx.account, 'policy', path, name), path, description: input.Description,
    createdAt: now, updatedAt: now, defaultVersionId: 'v1', versions: [{ versionId: 'v1', document: doc, createdAt: now }],
    tags, nextVersion: 2,
  };
  save(ctx.tx, ctx.account, 'policy', rec);
  const out = policyOut(viewOf(rec), { attachments: 0, boundaries: 0 }, 'list');
  return { Policy: { ...out, ...(tags.length ? { Tags: tags } : {}) } };
};

export const getPolicy: Handler<GetPolicyRequest, GetPolicyResponse> = (input, ctx) => {
  const p = mustManaged(ctx.tx, ctx.account, input.PolicyArn!);
  return { Policy: policyOut(p, usageOf(policyUsage(ctx.tx, ctx.account), p.arn), 'get') };
};

function awsViews(ctx: RequestContext): ManagedView[] {
  return AWS_MANAGED_POLICIES.map((p) => findManaged(ctx.tx, ctx.account, p.arn)!);
}

export const listPolicies: Handler<ListPoliciesRequest, ListPoliciesResponse> = (input, ctx) => {
  const scope = input.Scope ?? 'All';
  const views: ManagedView[] = [];
  if (scope !== 'AWS') views.push(...all(ctx.tx, ctx.account, 'policy').map(viewOf));
  if (scope !== 'Local') views.push(...awsViews(ctx));
  const usage = policyUsage(ctx.tx, ctx.account);
  const picked = views.filter((p) => {
    const u = usageOf(usage, p.arn);
    if (!underPath(p.path, input.PathPrefix)) return false;
    if (!input.OnlyAttached) return true;
    // Attached as a permissions policy, or (with the usage filter) as a boundary.
    return input.PolicyUsageFilter === 'PermissionsBoundary' ? u.boundaries > 0 : u.attachments > 0;
  });
  const out = picked.map((p) => policyOut(p, usageOf(usage, p.arn), 'list'));
  return pageOf('Policies', paginate(out, (p) => `${p.PolicyName}\u0000${p.Arn}`, input));
};

export const deletePolicy: Handler<DeletePolicyRequest, Record<string, never>> = (input, ctx) => {
  const rec = customerPolicy(ctx, input.PolicyArn!);
  const u = usageOf(policyUsage(ctx.tx, ctx.account), rec.arn);
  if (u.attachments || u.boundaries) throw deleteConflict('Cannot delete a policy attached to entities.');
  if (rec.versions.length > 1) {
    throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
  }
  remove(ctx.tx, ctx.account, 'policy', rec.name);
  return {};
};

// --- versions ---

const versionNumber = (id: string): number => Number(/^v(\d+)/.exec(id)?.[1] ?? 0);

function noSuchVersion(arn: string, versionId: string) {
  return noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

export const createPolicyVersion: Handler<CreatePolicyVersionRequest, CreatePolicyVersionResponse> = (input, ctx) => {
  const rec = customerPolicy(ctx, input.PolicyArn!);
  const doc = identityDocument(input.PolicyDocument!);
  if (rec.versions.length >= MAX_VERSIONS) {
    throw limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
  }
  const n = rec.nextVersion ?? Math.max(...rec.versions.map((v) => versionNumber(v.versionId))) + 1;
  const now = nowIso(ctx);
  const version = { versionId: `v${n}`, document: doc, createdAt: now };
  const updated: ManagedPolicyRecord = {
    ...rec, versions: [...rec.versions, version], nextVersion: n + 1, updatedAt: now,
    defaultVersionId: input.SetAsDefault ? version.versionId : rec.defaultVersionId,
  };
  save(ctx.tx, ctx.account, 'policy', updated);
  return { PolicyVersion: versionOut(updated, version, false) };
};

export const getPolicyVersion: Handler<GetPolicyVersionRequest, GetPolicyVersionResponse> = (input, ctx) => {
  const p = mustManaged(ctx.tx, ctx.account, input.PolicyArn!);
  const v = p.versions.find((x) => x.versionId === input.VersionId);
  if (!v) throw noSuchVersion(p.arn, input.VersionId!);
  return { PolicyVersion: versionOut(p, v, true) };
};

export const listPolicyVersions: Handler<ListPolicyVersionsRequest, ListPolicyVersionsResponse> = (input, ctx) => {
  const p = mustManaged(ctx.tx, ctx.account, input.PolicyArn!);
  // Newest first, as AWS lists them.
  const versions = p.versions.map((v) => versionOut(p, v, false));
  const key = (v: { VersionId?: string }) => String(1e9 - versionNumber(v.VersionId!)).padStart(10, '0');
  return pageOf('Versions', paginate(versions, key, input));
};

export const deletePolicyVersion: Handler<DeletePolicyVersionRequest, Record<string, never>> = (input, ctx) => {
  const rec = customerPolicy(ctx, input.PolicyArn!);
  const v = rec.versions.find((x) => x.versionId === input.VersionId);
  if (!v) throw noSuchVersion(rec.arn, input.VersionId!);
  if (v.versionId === rec.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
  save(ctx.tx, ctx.account, 'policy', { ...rec, versions: rec.versions.filter((x) => x !== v) });
  return {};
};

export const setDefaultPolicyVersion: Handler<SetDefaultPolicyVersionRequest, Record<string, never>> = (input, ctx) => {
  const rec = customerPolicy(ctx, input.PolicyArn!);
  if (!rec.versions.some((x) => x.versionId === input.VersionId)) throw noSuchVersion(rec.arn, input.VersionId!);
  save(ctx.tx, ctx.account, 'policy', { ...rec, defaultVersionId: input.VersionId!, updatedAt: nowIso(ctx) });
  return {};
};
