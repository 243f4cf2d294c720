import { defineService, type Handler } from '../types.js';
import * as accessKeys from './access-keys.js';
import * as account from './account.js';
import * as attach from './attach.js';
import * as groups from './groups.js';
import * as inline from './inline.js';
import * as profiles from './instance-profiles.js';
import * as oidc from './oidc.js';
import * as policies from './policies.js';
import * as roles from './roles.js';
import { simulateCustomPolicy, simulatePrincipalPolicy } from './simulate.js';
import * as tags from './tags.js';
import * as users from './users.js';

/** IAM: global per account (one copy of state per account, whatever the signing region). */

const handlers: Record<string, Handler> = {
  // users
  CreateUser: users.createUser,
  GetUser: users.getUser,
  ListUsers: users.listUsers,
  UpdateUser: users.updateUser,
  DeleteUser: users.deleteUser,
  PutUserPermissionsBoundary: users.putUserPermissionsBoundary,
  DeleteUserPermissionsBoundary: users.deleteUserPermissionsBoundary,
  CreateLoginProfile: users.createLoginProfile,
  GetLoginProfile: users.getLoginProfile,
  UpdateLoginProfile: users.updateLoginProfile,
  DeleteLoginProfile: users.deleteLoginProfile,
  // groups
  CreateGroup: groups.createGroup,
  GetGroup: groups.getGroup,
  ListGroups: groups.listGroups,
  UpdateGroup: groups.updateGroup,
  DeleteGroup: groups.deleteGroup,
  AddUserToGroup: groups.addUserToGroup,
  RemoveUserFromGroup: groups.removeUserFromGroup,
  ListGroupsForUser: groups.listGroupsForUser,
  // roles
  CreateRole: roles.createRole,
  GetRole: roles.getRole,
  ListRoles: roles.listRoles,
  UpdateRole: roles.updateRole,
  UpdateRoleDescription: roles.updateRoleDescription,
  UpdateAssumeRolePolicy: roles.updateAssumeRolePolicy,
  DeleteRole: roles.deleteRole,
  PutRolePermissionsBoundary: roles.putRolePermissionsBoundary,
  DeleteRolePermissionsBoundary: roles.deleteRolePermissionsBoundary,
  // managed policies and versions
  CreatePolicy: policies.createPolicy,
  GetPolicy: policies.getPolicy,
  ListPolicies: policies.listPolicies,
  DeletePolicy: policies.deletePolicy,
  CreatePolicyVersion: policies.createPolicyVersion,
  GetPolicyVersion: policies.getPolicyVersion,
  ListPolicyVersions: policies.listPolicyVersions,
  DeletePolicyVersion: policies.deletePolicyVersion,
  SetDefaultPolicyVersion: policies.setDefaultPolicyVersion,
  // attachments
  AttachUserPolicy: attach.attachUserPolicy,
  AttachGroupPolicy: attach.attachGroupPolicy,
  AttachRolePolicy: attach.attachRolePolicy,
  DetachUserPolicy: attach.detachUserPolicy,
  DetachGroupPolicy: attach.detachGroupPolicy,
  DetachRolePolicy: attach.detachRolePolicy,
  ListAttachedUserPolicies: attach.listAttachedUserPolicies,
  ListAttachedGroupPolicies: attach.listAttachedGroupPolicies,
  ListAttachedRolePolicies: attach.listAttachedRolePolicies,
  ListEntitiesForPolicy: attach.listEntitiesForPolicy,
  // inline policies
  PutUserPolicy: inline.putUserPolicy,
  PutGroupPolicy: inline.putGroupPolicy,
  PutRolePolicy: inline.putRolePolicy,
  GetUserPolicy: inline.getUserPolicy,
  GetGroupPolicy: inline.getGroupPolicy,
  GetRolePolicy: inline.getRolePolicy,
  DeleteUserPolicy: inline.deleteUserPolicy,
  DeleteGroupPolicy: inline.deleteGroupPolicy,
  DeleteRolePolicy: inline.deleteRolePolicy,
  ListUserPolicies: inline.listUserPolicies,
  ListGroupPolicies: inline.listGroupPolicies,
  ListRolePolicies: inline.listRolePolicies,
  // instance profiles
  CreateInstanceProfile: profiles.createInstanceProfile,
  GetInstanceProfile: profiles.getInstanceProfile,
  ListInstanceProfiles: profiles.listInstanceProfiles,
  DeleteInstanceProfile: profiles.deleteInstanceProfile,
  AddRoleToInstanceProfile: profiles.addRoleToInstanceProfile,
  RemoveRoleFromInstanceProfile: profiles.removeRoleFromInstanceProfile,
  ListInstanceProfilesForRole: profiles.listInstanceProfilesForRole,
  // access keys
  CreateAccessKey: accessKeys.createAccessKey,
  UpdateAccessKey: accessKeys.updateAccessKey,
  DeleteAccessKey: accessKeys.deleteAccessKey,
  ListAccessKeys: accessKeys.listAccessKeys,
  GetAccessKeyLastUsed: accessKeys.getAccessKeyLastUsed,
  // OIDC providers
  CreateOpenIDConnectProvider: oidc.createOpenIDConnectProvider,
  GetOpenIDConnectProvider: oidc.getOpenIDConnectProvider,
  ListOpenIDConnectProviders: oidc.listOpenIDConnectProviders,
  DeleteOpenIDConnectProvider: oidc.deleteOpenIDConnectProvider,
  AddClientIDToOpenIDConnectProvider: oidc.addClientIDToOpenIDConnectProvider,
  RemoveClientIDFromOpenIDConnectProvider: oidc.removeClientIDFromOpenIDConnectProvider,
  UpdateOpenIDConnectProviderThumbprint: oidc.updateOpenIDConnectProviderThumbprint,
  // tags
  TagUser: tags.tagUser,
  UntagUser: tags.untagUser,
  ListUserTags: tags.listUserTags,
  TagRole: tags.tagRole,
  UntagRole: tags.untagRole,
  ListRoleTags: tags.listRoleTags,
  TagPolicy: tags.tagPolicy,
  UntagPolicy: tags.untagPolicy,
  ListPolicyTags: tags.listPolicyTags,
  TagInstanceProfile: tags.tagInstanceProfile,
  UntagInstanceProfile: tags.untagInstanceProfile,
  ListInstanceProfileTags: tags.listInstanceProfileTags,
  TagOpenIDConnectProvider: tags.tagOpenIDConnectProvider,
  UntagOpenIDConnectProvider: tags.untagOpenIDConnectProvider,
  ListOpenIDConnectProviderTags: tags.listOpenIDConnectProviderTags,
  // account
  GetAccountAuthorizationDetails: account.getAccountAuthorizationDetails,
  GetAccountSummary: account.getAccountSummary,
  CreateAccountAlias: account.createAccountAlias,
  DeleteAccountAlias: account.deleteAccountAlias,
  ListAccountAliases: account.listAccountAliases,
};

export default defineService({
  name: 'iam',
  modelId: 'iam-2010-05-08',
  global: true,
  handlers: {
    // IAM's length / pattern / enum constraints are the model's, checked by the codec.
    ...handlers,
    SimulatePrincipalPolicy: simulatePrincipalPolicy,
    SimulateCustomPolicy: simulateCustomPolicy,
  },
});
