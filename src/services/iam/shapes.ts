import type {
  AttachedPermissionsBoundary, Group, InstanceProfile, Policy, PolicyVersion, Role, User,
} from '@aws-sdk/client-iam';
import type { Tx } from '../../store/types.js';
import { date, encodePolicy } from './common.js';
import { find, type ManagedView, type Usage } from './entities.js';
import type { GroupRecord, InstanceProfileRecord, PolicyVersionRecord, RoleRecord, Tag, UserRecord } from './records.js';
import { trustDocument } from './principal-ids.js';

/**
 * Records as IAM's output shapes. AWS returns fewer members from List* than from Get*
 * (no tags, boundary or last-used data), and the shapes here follow that.
 */

/** AWS sends PermissionsBoundaryType 'Policy', although the model's enum says 'PermissionsBoundaryPolicy'. */
export const boundaryOf = (arn: string | undefined): AttachedPermissionsBoundary | undefined =>
  arn ? { PermissionsBoundaryType: 'Policy' as AttachedPermissionsBoundary['PermissionsBoundaryType'], PermissionsBoundaryArn: arn } : undefined;

const tagsOf = (tags: Tag[]): Tag[] | undefined => (tags.length ? tags : undefined);

export function userOut(u: UserRecord, mode: 'get' | 'list'): User {
  const base: User = { Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: date(u.createdAt) };
  if (mode === 'list') return base;
  return { ...base, PermissionsBoundary: boundaryOf(u.permissionsBoundary), Tags: tagsOf(u.tags) };
}

export function groupOut(g: GroupRecord): Group {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: date(g.createdAt) };
}

/**
 * 'create': what CreateRole answers; 'list': ListRoles and roles inside instance profiles;
 * 'get': GetRole, with the boundary, tags and RoleLastUsed.
 */
export function roleOut(r: RoleRecord, mode: 'create' | 'list' | 'get'): Role {
  const base: Role = {
    Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: date(r.createdAt),
    AssumeRolePolicyDocument: encodePolicy(r.assumeRolePolicyDocument),
    Description: r.description,
  };
  if (mode === 'create') return { ...base, PermissionsBoundary: boundaryOf(r.permissionsBoundary), Tags: tagsOf(r.tags) };
  if (mode === 'list') return { ...base, MaxSessionDuration: r.maxSessionDuration };
  return {
    ...base, MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: boundaryOf(r.permissionsBoundary), Tags: tagsOf(r.tags), RoleLastUsed: {},
  };
}

export function policyOut(p: ManagedView, usage: Usage, mode: 'get' | 'list'): Policy {
  const base: Policy = {
    PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.defaultVersionId,
    AttachmentCount: usage.attachments, PermissionsBoundaryUsageCount: usage.boundaries, IsAttachable: true,
    CreateDate: date(p.createdAt), UpdateDate: date(p.updatedAt),
  };
  if (mode === 'list') return base;
  return { ...base, Description: p.description, Tags: tagsOf(p.tags) };
}

export function versionOut(p: { defaultVersionId: string }, v: PolicyVersionRecord, withDocument: boolean): PolicyVersion {
  return {
    ...(withDocument ? { Document: encodePolicy(v.document) } : {}),
    VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersionId, CreateDate: date(v.createdAt),
  };
}

export function instanceProfileOut(tx: Tx, account: string, ip: InstanceProfileRecord, withTags: boolean): InstanceProfile {
  const roles = ip.roles.map((n) => find(tx, account, 'role', n)).filter((r): r is RoleRecord => Boolean(r));
  return {
    Path: ip.path, InstanceProfileName: ip.name, InstanceProfileId: ip.id, Arn: ip.arn, CreateDate: date(ip.createdAt),
    Roles: roles.map((r) => roleOut({ ...r, assumeRolePolicyDocument: trustDocument(tx, r) }, 'list')),
    ...(withTags ? { Tags: tagsOf(ip.tags) } : {}),
  };
}
