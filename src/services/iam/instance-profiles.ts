import type {
  AddRoleToInstanceProfileRequest, CreateInstanceProfileRequest, CreateInstanceProfileResponse, DeleteInstanceProfileRequest,
  GetInstanceProfileRequest, GetInstanceProfileResponse, ListInstanceProfilesForRoleRequest, ListInstanceProfilesForRoleResponse,
  ListInstanceProfilesRequest, ListInstanceProfilesResponse, RemoveRoleFromInstanceProfileRequest,
} from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { deleteConflict, iamArn, limitExceeded, noSuchEntity, nowIso } from './common.js';
import { all, assertAbsent, must, profilesOfRole, remove, save } from './entities.js';
import { uniqueId } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import type { InstanceProfileRecord } from './records.js';
import { instanceProfileOut } from './shapes.js';
import { checkNewTags } from './users.js';
import { DEFAULT_PATH, underPath } from './validate.js';

const ROLES_PER_PROFILE = 1;

export const mustProfile = (ctx: RequestContext, name: string): InstanceProfileRecord => must(ctx.tx, ctx.account, 'instanceProfile', name);

export const createInstanceProfile: Handler<CreateInstanceProfileRequest, CreateInstanceProfileResponse> = (input, ctx) => {
  const name = input.InstanceProfileName!;
  const path = input.Path ?? DEFAULT_PATH;
  const tags = checkNewTags(input.Tags, 'TagsPerInstanceProfile');
  assertAbsent(ctx.tx, ctx.account, 'instanceProfile', name);
  const ip: InstanceProfileRecord = {
    name, id: uniqueId('AIPA'), arn: iamArn(ctx.account, 'instance-profile', path, name), path, createdAt: nowIso(ctx), roles: [], tags,
  };
  save(ctx.tx, ctx.account, 'instanceProfile', ip);
  return { InstanceProfile: instanceProfileOut(ctx.tx, ctx.account, ip, true) };
};

export const getInstanceProfile: Handler<GetInstanceProfileRequest, GetInstanceProfileResponse> = (input, ctx) => ({
  InstanceProfile: instanceProfileOut(ctx.tx, ctx.account, mustProfile(ctx, input.InstanceProfileName!), true),
});

export const listInstanceProfiles: Handler<ListInstanceProfilesRequest, ListInstanceProfilesResponse> = (input, ctx) => {
  const profiles = all(ctx.tx, ctx.account, 'instanceProfile').filter((p) => underPath(p.path, input.PathPrefix));
  const out = profiles.map((p) => instanceProfileOut(ctx.tx, ctx.account, p, false));
  return pageOf('InstanceProfiles', paginate(out, (p) => p.InstanceProfileName!, input));
};

export const deleteInstanceProfile: Handler<DeleteInstanceProfileRequest, Record<string, never>> = (input, ctx) => {
  const ip = mustProfile(ctx, input.InstanceProfileName!);
  if (ip.roles.length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  remove(ctx.tx, ctx.account, 'instanceProfile', ip.name);
  return {};
};

export const addRoleToInstanceProfile: Handler<AddRoleToInstanceProfileRequest, Record<string, never>> = (input, ctx) => {
  const ip = mustProfile(ctx, input.InstanceProfileName!);
  const role = must(ctx.tx, ctx.account, 'role', input.RoleName!);
  if (ip.roles.length >= ROLES_PER_PROFILE) {
    throw limitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_PROFILE}`);
  }
  save(ctx.tx, ctx.account, 'instanceProfile', { ...ip, roles: [...ip.roles, role.name] });
  return {};
};

export const removeRoleFromInstanceProfile: Handler<RemoveRoleFromInstanceProfileRequest, Record<string, never>> = (input, ctx) => {
  const ip = mustProfile(ctx, input.InstanceProfileName!);
  const role = must(ctx.tx, ctx.account, 'role', input.RoleName!);
  if (!ip.roles.includes(role.name)) throw noSuchEntity(`The role with name ${input.RoleName} cannot be found.`);
  save(ctx.tx, ctx.account, 'instanceProfile', { ...ip, roles: ip.roles.filter((r) => r !== role.name) });
  return {};
};

export const listInstanceProfilesForRole: Handler<ListInstanceProfilesForRoleRequest, ListInstanceProfilesForRoleResponse> = (input, ctx) => {
  const role = must(ctx.tx, ctx.account, 'role', input.RoleName!);
  const out = profilesOfRole(ctx.tx, ctx.account, role.name).map((p) => instanceProfileOut(ctx.tx, ctx.account, p, false));
  return pageOf('InstanceProfiles', paginate(out, (p) => p.InstanceProfileName!, input));
};
