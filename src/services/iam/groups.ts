import type {
  AddUserToGroupRequest, CreateGroupRequest, CreateGroupResponse, DeleteGroupRequest, GetGroupRequest, GetGroupResponse,
  ListGroupsForUserRequest, ListGroupsForUserResponse, ListGroupsRequest, ListGroupsResponse, RemoveUserFromGroupRequest,
  UpdateGroupRequest,
} from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { deleteConflict, iamArn, limitExceeded, noSuchEntity, nowIso, sameName } from './common.js';
import { all, assertAbsent, find, groupMembers, must, remove, save } from './entities.js';
import { uniqueId } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import type { GroupRecord } from './records.js';
import { groupOut, userOut } from './shapes.js';
import { DEFAULT_PATH, underPath } from './validate.js';

const GROUPS_PER_USER = 10;

export const mustGroup = (ctx: RequestContext, name: string): GroupRecord => must(ctx.tx, ctx.account, 'group', name);

export const createGroup: Handler<CreateGroupRequest, CreateGroupResponse> = (input, ctx) => {
  const name = input.GroupName!;
  const path = input.Path ?? DEFAULT_PATH;
  assertAbsent(ctx.tx, ctx.account, 'group', name);
  const group: GroupRecord = {
    name, id: uniqueId('AGPA'), arn: iamArn(ctx.account, 'group', path, name), path, createdAt: nowIso(ctx),
    inlinePolicies: {}, attachedPolicies: [],
  };
  save(ctx.tx, ctx.account, 'group', group);
  return { Group: groupOut(group) };
};

/** The group and its members, paged over the members. */
export const getGroup: Handler<GetGroupRequest, GetGroupResponse> = (input, ctx) => {
  const group = mustGroup(ctx, input.GroupName!);
  const members = groupMembers(ctx.tx, ctx.account, group.name).map((u) => userOut(u, 'list'));
  return { Group: groupOut(group), ...pageOf('Users', paginate(members, (u) => u.UserName!, input)) };
};

export const listGroups: Handler<ListGroupsRequest, ListGroupsResponse> = (input, ctx) => {
  const groups = all(ctx.tx, ctx.account, 'group').filter((g) => underPath(g.path, input.PathPrefix)).map(groupOut);
  return pageOf('Groups', paginate(groups, (g) => g.GroupName!, input));
};

/** Renaming a group renames it in every member's list too. */
export const updateGroup: Handler<UpdateGroupRequest, Record<string, never>> = (input, ctx) => {
  const group = mustGroup(ctx, input.GroupName!);
  const newName = input.NewGroupName ?? group.name;
  const newPath = input.NewPath ?? group.path;
  if (!sameName(newName, group.name)) assertAbsent(ctx.tx, ctx.account, 'group', newName);
  for (const u of groupMembers(ctx.tx, ctx.account, group.name)) {
    save(ctx.tx, ctx.account, 'user', { ...u, groups: u.groups.map((g) => (g === group.name ? newName : g)) });
  }
  remove(ctx.tx, ctx.account, 'group', group.name);
  save(ctx.tx, ctx.account, 'group', { ...group, name: newName, path: newPath, arn: iamArn(ctx.account, 'group', newPath, newName) });
  return {};
};

export const deleteGroup: Handler<DeleteGroupRequest, Record<string, never>> = (input, ctx) => {
  const group = mustGroup(ctx, input.GroupName!);
  if (groupMembers(ctx.tx, ctx.account, group.name).length) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  if (Object.keys(group.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  if (group.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  remove(ctx.tx, ctx.account, 'group', group.name);
  return {};
};

export const addUserToGroup: Handler<AddUserToGroupRequest, Record<string, never>> = (input, ctx) => {
  const group = mustGroup(ctx, input.GroupName!);
  const user = must(ctx.tx, ctx.account, 'user', input.UserName!);
  if (user.groups.includes(group.name)) return {};
  if (user.groups.length >= GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
  save(ctx.tx, ctx.account, 'user', { ...user, groups: [...user.groups, group.name] });
  return {};
};

export const removeUserFromGroup: Handler<RemoveUserFromGroupRequest, Record<string, never>> = (input, ctx) => {
  const group = mustGroup(ctx, input.GroupName!);
  const user = must(ctx.tx, ctx.account, 'user', input.UserName!);
  if (!user.groups.includes(group.name)) throw noSuchEntity(`The user with name ${input.UserName} cannot be found.`);
  save(ctx.tx, ctx.account, 'user', { ...user, groups: user.groups.filter((g) => g !== group.name) });
  return {};
};

export const listGroupsForUser: Handler<ListGroupsForUserRequest, ListGroupsForUserResponse> = (input, ctx) => {
  const user = must(ctx.tx, ctx.account, 'user', input.UserName!);
  const groups = user.groups.map((n) => find(ctx.tx, ctx.account, 'group', n)).filter((g): g is GroupRecord => Boolean(g)).map(groupOut);
  return pageOf('Groups', paginate(groups, (g) => g.GroupName!, input));
};
