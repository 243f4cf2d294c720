import type {
  CreateLoginProfileRequest, CreateLoginProfileResponse, CreateUserRequest, CreateUserResponse, DeleteLoginProfileRequest,
  DeleteUserPermissionsBoundaryRequest, DeleteUserRequest, GetLoginProfileRequest, GetLoginProfileResponse, GetUserRequest,
  GetUserResponse, ListUsersRequest, ListUsersResponse, PutUserPermissionsBoundaryRequest, UpdateLoginProfileRequest,
  UpdateUserRequest, User,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import type { Credential } from '../../auth/principal.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../auth/credentials.js';
import type { Handler, RequestContext } from '../types.js';
import { alreadyExists, date, deleteConflict, iamArn, limitExceeded, noSuchEntity, nowIso, sameName } from './common.js';
import { accountRecord, all, assertAbsent, findById, must, mustManaged, remove, save } from './entities.js';
import { uniqueId } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import { IAM_KIND, iamScope, type UserRecord } from './records.js';
import { userOut } from './shapes.js';
import { checkTagKeys, DEFAULT_PATH, MAX_TAGS, underPath } from './validate.js';

/** IAM's default quota; it also bounds what one ListUsers or GetAccountAuthorizationDetails reads. */
export const USERS_PER_ACCOUNT = 5000;

export const mustUser = (ctx: RequestContext, name: string): UserRecord => must(ctx.tx, ctx.account, 'user', name);

/** The calling IAM user, by its unique ID (its name may have changed since its session began). */
export function callerUser(ctx: RequestContext): UserRecord {
  const p = ctx.principal;
  const name = p.name ?? p.arn.split('/').pop()!;
  const user = findById(ctx.tx, ctx.account, 'user', p.userId, name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

/** A boundary must name an existing managed policy. */
export function checkBoundary(ctx: RequestContext, arn: string | undefined): void {
  if (arn !== undefined) mustManaged(ctx.tx, ctx.account, arn, 'attach');
}

export function checkNewTags(tags: CreateUserRequest['Tags'], quota: string) {
  const list = checkTagKeys(tags as never);
  if (list.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for ${quota}: ${MAX_TAGS}`);
  return list;
}

export const createUser: Handler<CreateUserRequest, CreateUserResponse> = (input, ctx) => {
  const name = input.UserName!;
  const path = input.Path ?? DEFAULT_PATH;
  const tags = checkNewTags(input.Tags, 'TagsPerUser');
  checkBoundary(ctx, input.PermissionsBoundary);
  assertAbsent(ctx.tx, ctx.account, 'user', name);
  if (ctx.tx.count(iamScope(ctx.account), IAM_KIND.user) >= USERS_PER_ACCOUNT) {
    throw limitExceeded(`Cannot exceed quota for UsersPerAccount: ${USERS_PER_ACCOUNT}`);
  }
  const user: UserRecord = {
    name, id: uniqueId('AIDA'), arn: iamArn(ctx.account, 'user', path, name), path, createdAt: nowIso(ctx),
    tags, permissionsBoundary: input.PermissionsBoundary, inlinePolicies: {}, attachedPolicies: [], groups: [], accessKeys: [],
  };
  save(ctx.tx, ctx.account, 'user', user);
  return { User: userOut(user, 'get') };
};

/** GetUser without a name describes the caller: an IAM user, or the account's root user. */
export const getUser: Handler<GetUserRequest, GetUserResponse> = (input, ctx) => {
  if (input.UserName !== undefined) return { User: userOut(mustUser(ctx, input.UserName), 'get') };
  const p = ctx.principal;
  if (p.kind === 'user') return { User: userOut(callerUser(ctx), 'get') };
  if (p.kind === 'root') {
    const acct = accountRecord(ctx.tx, ctx.account, nowIso(ctx));
    // AWS's root user has no name or path.
    return { User: { UserId: ctx.account, Arn: `arn:aws:iam::${ctx.account}:root`, CreateDate: date(acct.createdAt) } as User };
  }
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
};

export const listUsers: Handler<ListUsersRequest, ListUsersResponse> = (input, ctx) => {
  const users = all(ctx.tx, ctx.account, 'user').filter((u) => underPath(u.path, input.PathPrefix));
  return pageOf('Users', paginate(users.map((u) => userOut(u, 'list')), (u) => u.UserName!, input));
};

export const updateUser: Handler<UpdateUserRequest, Record<string, never>> = (input, ctx) => {
  const user = mustUser(ctx, input.UserName!);
  const newName = input.NewUserName ?? user.name;
  const newPath = input.NewPath ?? user.path;
  if (newName !== user.name && !sameName(newName, user.name)) assertAbsent(ctx.tx, ctx.account, 'user', newName);
  const updated: UserRecord = { ...user, name: newName, path: newPath, arn: iamArn(ctx.account, 'user', newPath, newName) };
  remove(ctx.tx, ctx.account, 'user', user.name);
  save(ctx.tx, ctx.account, 'user', updated);
  // Keys keep working under the new name: the index carries the principal's ARN and name.
  for (const k of user.accessKeys) {
    const cred = ctx.tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, k.id);
    if (cred) ctx.tx.put(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, k.id, { ...cred, principal: { ...cred.principal, arn: updated.arn, name: newName } });
  }
  return {};
};

/** AWS refuses to delete a user that still owns anything, one reason at a time. */
export const deleteUser: Handler<DeleteUserRequest, Record<string, never>> = (input, ctx) => {
  const user = mustUser(ctx, input.UserName!);
  if (user.loginProfile) throw deleteConflict('Cannot delete entity, must delete login profile first.');
  if (user.accessKeys.length) throw deleteConflict('Cannot delete entity, must delete access keys first.');
  if (Object.keys(user.inlinePolicies).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  if (user.attachedPolicies.length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (user.groups.length) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  remove(ctx.tx, ctx.account, 'user', user.name);
  return {};
};

export const putUserPermissionsBoundary: Handler<PutUserPermissionsBoundaryRequest, Record<string, never>> = (input, ctx) => {
  const user = mustUser(ctx, input.UserName!);
  checkBoundary(ctx, input.PermissionsBoundary!);
  save(ctx.tx, ctx.account, 'user', { ...user, permissionsBoundary: input.PermissionsBoundary });
  return {};
};

export const deleteUserPermissionsBoundary: Handler<DeleteUserPermissionsBoundaryRequest, Record<string, never>> = (input, ctx) => {
  const user = mustUser(ctx, input.UserName!);
  const { permissionsBoundary: _gone, ...rest } = user;
  save(ctx.tx, ctx.account, 'user', rest);
  return {};
};

// --- login profiles (console passwords): kept as a fact, never as a password ---

function loginUser(ctx: RequestContext, name: string | undefined): UserRecord {
  if (name === undefined) throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
  return mustUser(ctx, name);
}

const noLoginProfile = (name: string) => noSuchEntity(`Login Profile for User ${name} cannot be found.`);

export const createLoginProfile: Handler<CreateLoginProfileRequest, CreateLoginProfileResponse> = (input, ctx) => {
  const user = loginUser(ctx, input.UserName);
  if (input.Password === undefined) throw new AwsError('ValidationError', 'Password is required.');
  if (user.loginProfile) throw alreadyExists(`Login Profile for user ${user.name} already exists.`);
  const loginProfile = { createdAt: nowIso(ctx), passwordResetRequired: input.PasswordResetRequired ?? false };
  save(ctx.tx, ctx.account, 'user', { ...user, loginProfile });
  return { LoginProfile: { UserName: user.name, CreateDate: date(loginProfile.createdAt), PasswordResetRequired: loginProfile.passwordResetRequired } };
};

export const getLoginProfile: Handler<GetLoginProfileRequest, GetLoginProfileResponse> = (input, ctx) => {
  const user = loginUser(ctx, input.UserName);
  if (!user.loginProfile) throw noLoginProfile(user.name);
  return { LoginProfile: { UserName: user.name, CreateDate: date(user.loginProfile.createdAt), PasswordResetRequired: user.loginProfile.passwordResetRequired } };
};

export const updateLoginProfile: Handler<UpdateLoginProfileRequest, Record<string, never>> = (input, ctx) => {
  const user = loginUser(ctx, input.UserName);
  if (!user.loginProfile) throw noLoginProfile(user.name);
  const passwordResetRequired = input.PasswordResetRequired ?? user.loginProfile.passwordResetRequired;
  save(ctx.tx, ctx.account, 'user', { ...user, loginProfile: { ...user.loginProfile, passwordResetRequired } });
  return {};
};

export const deleteLoginProfile: Handler<DeleteLoginProfileRequest, Record<string, never>> = (input, ctx) => {
  const user = loginUser(ctx, input.UserName);
  if (!user.loginProfile) throw noLoginProfile(user.name);
  const { loginProfile: _gone, ...rest } = user;
  save(ctx.tx, ctx.account, 'user', rest);
  return {};
};
