import type {
  CreateRoleRequest, CreateRoleResponse, DeleteRolePermissionsBoundaryRequest, DeleteRoleRequest, GetRoleRequest, GetRoleResponse,
  ListRolesRequest, ListRolesResponse, PutRolePermissionsBoundaryRequest, UpdateAssumeRolePolicyRequest, UpdateRoleDescriptionRequest,
  UpdateRoleDescriptionResponse, UpdateRoleRequest,
} from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { deleteConflict, iamArn, limitExceeded, nowIso } from './common.js';
import { all, assertAbsent, must, profilesOfRole, remove, save } from './entities.js';
import { uniqueId } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import { bindPrincipals, trustDocument } from './principal-ids.js';
import { IAM_KIND, iamScope, type RoleRecord } from './records.js';
import { roleOut } from './shapes.js';
import { checkBoundary, checkNewTags } from './users.js';
import { checkDocument, checkTrustSize, DEFAULT_PATH, underPath } from './validate.js';

export const DEFAULT_MAX_SESSION_DURATION = 3600;
/** IAM's default quota; it also bounds what one ListRoles reads. */
export const ROLES_PER_ACCOUNT = 1000;

export const mustRole = (ctx: RequestContext, name: string): RoleRecord => must(ctx.tx, ctx.account, 'role', name);

/** A trust policy as stored: the document, and the unique IDs of the users and roles it names. */
function trustPolicy(ctx: RequestContext, raw: string): Pick<RoleRecord, 'assumeRolePolicyDocument' | 'trustPrincipalIds'> {
  const doc = checkDocument(raw, 'trust');
  checkTrustSize(doc);
  const ids = bindPrincipals(ctx.tx, doc);
  return { assumeRolePolicyDocument: doc, ...(ids ? { trustPrincipalIds: ids } : {}) };
}

/** The role as IAM shows it: its trust policy names principals that no longer exist by their unique IDs. */
const shown = (ctx: RequestContext, r: RoleRecord): RoleRecord => {
  const doc = trustDocument(ctx.tx, r);
  return doc === r.assumeRolePolicyDocument ? r : { ...r, assumeRolePolicyDocument: doc };
};

export const createRole: Handler<CreateRoleRequest, CreateRoleResponse> = (input, ctx) => {
  const name = input.RoleName!;
  const path = input.Path ?? DEFAULT_PATH;
  const trust = trustPolicy(ctx, input.AssumeRolePolicyDocument!);
  const tags = checkNewTags(input.Tags, 'TagsPerRole');
  checkBoundary(ctx, input.PermissionsBoundary);
  assertAbsent(ctx.tx, ctx.account, 'role', name);
  if (ctx.tx.count(iamScope(ctx.account), IAM_KIND.role) >= ROLES_PER_ACCOUNT) {
    throw limitExceeded(`Cannot exceed quota for RolesPerAccount: ${ROLES_PER_ACCOUNT}`);
  }
  const role: RoleRecord = {
    name, id: uniqueId('AROA'), arn: iamArn(ctx.account, 'role', path, name), path, createdAt: nowIso(ctx),
    ...trust, description: input.Description,
    maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    tags, permissionsBoundary: input.PermissionsBoundary, inlinePolicies: {}, attachedPolicies: [],
  };
  save(ctx.tx, ctx.account, 'role', role);
  return { Role: roleOut(role, 'create') };
};

export const getRole: Handler<GetRoleRequest, GetRoleResponse> = (input, ctx) => ({ Role: roleOut(shown(ctx, mustRole(ctx, input.RoleName!)), 'get') });

export const listRoles: Handler<ListRolesRequest, ListRolesResponse> = (input, ctx) => {
  const roles = all(ctx.tx, ctx.account, 'role').filter((r) => underPath(r.path, input.PathPrefix)).map((r) => roleOut(shown(ctx, r), 'list'));
  return pageOf('Roles', paginate(roles, (r) => r.RoleName!, input));
};

export const updateRole: Handler<UpdateRoleRequest, Record<string, never>> = (input, ctx) => {
  const role = mustRole(ctx, input.RoleName!);
  save(ctx.tx, ctx.account, 'role', {
    ...role,
    description: input.Description === undefined ? role.description : input.Description || undefined,
    maxSessionDuration: input.MaxSessionDuration ?? role.maxSessionDuration,
  });
  return {};
};

export const updateRoleDescription: Handler<UpdateRoleDescriptionRequest, UpdateRoleDescriptionResponse> = (input, ctx) => {
  const role = { ...mustRole(ctx, input.RoleName!), description: input.Description || undefined };
  save(ctx.tx, ctx.account, 'role', role);
  return { Role: roleOut(shown(ctx, role), 'get') };
};

export const updateAssumeRolePolicy: Handler<UpdateAssumeRolePolicyRequest, Record<string, never>> = (input, ctx) => {
  const role = mustRole(ctx, input.RoleName!);
  const { trustPrincipalIds: _old, ...rest } = role;
  save(ctx.tx, ctx.account, 'role', { ...rest, ...trustPolicy(ctx, input.PolicyDocument!) });
  return {};
};

export const deleteRole: Handler<DeleteRoleRequest, Record<string, never>> = (input, ctx) => {
  const role = mustRole(ctx, input.RoleName!);
  if (profilesOfRole(ctx.tx, ctx.account, role.name).length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  if (role.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (Object.keys(role.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  remove(ctx.tx, ctx.account, 'role', role.name);
  return {};
};

export const putRolePermissionsBoundary: Handler<PutRolePermissionsBoundaryRequest, Record<string, never>> = (input, ctx) => {
  const role = mustRole(ctx, input.RoleName!);
  checkBoundary(ctx, input.PermissionsBoundary!);
  save(ctx.tx, ctx.account, 'role', { ...role, permissionsBoundary: input.PermissionsBoundary });
  return {};
};

export const deleteRolePermissionsBoundary: Handler<DeleteRolePermissionsBoundaryRequest, Record<string, never>> = (input, ctx) => {
  const { permissionsBoundary: _gone, ...rest } = mustRole(ctx, input.RoleName!);
  save(ctx.tx, ctx.account, 'role', rest);
  return {};
};
