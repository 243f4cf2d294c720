import type {
  AttachedPolicy, ListAttachedGroupPoliciesResponse, ListEntitiesForPolicyRequest, ListEntitiesForPolicyResponse,
  PolicyGroup, PolicyRole, PolicyUser,
} from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { limitExceeded, noSuchEntity } from './common.js';
import { all, must, mustManaged, save } from './entities.js';
import { paginate, pageOf, type PageInput } from './pagination.js';
import { underPath } from './validate.js';

/** Attaching managed policies to users, groups and roles, and the lists that follow from it. */

type Holder = 'user' | 'group' | 'role';
const NAME_MEMBER = { user: 'UserName', group: 'GroupName', role: 'RoleName' } as const;
const QUOTA = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' } as const;
export const MAX_ATTACHED = 10;

type AttachInput = { UserName?: string; GroupName?: string; RoleName?: string; PolicyArn?: string };

function holder(ctx: RequestContext, kind: Holder, input: AttachInput) {
  return must(ctx.tx, ctx.account, kind, input[NAME_MEMBER[kind]]!);
}

function attach(kind: Holder): Handler<AttachInput, Record<string, never>> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const policy = mustManaged(ctx.tx, ctx.account, input.PolicyArn!, 'attach');
    if (entity.attachedPolicies.includes(policy.arn)) return {};
    if (entity.attachedPolicies.length >= MAX_ATTACHED) throw limitExceeded(`Cannot exceed quota for ${QUOTA[kind]}: ${MAX_ATTACHED}`);
    save(ctx.tx, ctx.account, kind, { ...entity, attachedPolicies: [...entity.attachedPolicies, policy.arn] } as never);
    return {};
  };
}

function detach(kind: Holder): Handler<AttachInput, Record<string, never>> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const arn = input.PolicyArn!;
    if (!entity.attachedPolicies.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    save(ctx.tx, ctx.account, kind, { ...entity, attachedPolicies: entity.attachedPolicies.filter((a) => a !== arn) } as never);
    return {};
  };
}

function listAttached(kind: Holder): Handler<AttachInput & PageInput & { PathPrefix?: string }, ListAttachedGroupPoliciesResponse> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const attached: AttachedPolicy[] = [];
    for (const arn of entity.attachedPolicies) {
      const p = mustManagedOrUndefined(ctx, arn);
      if (p && underPath(p.path, input.PathPrefix)) attached.push({ PolicyName: p.name, PolicyArn: p.arn });
    }
    return pageOf('AttachedPolicies', paginate(attached, (a) => `${a.PolicyName}\u0000${a.PolicyArn}`, input));
  };
}

function mustManagedOrUndefined(ctx: RequestContext, arn: string) {
  try {
    return mustManaged(ctx.tx, ctx.account, arn);
  } catch {
    return undefined;
  }
}

export const attachUserPolicy = attach('user');
export const attachGroupPolicy = attach('group');
export const attachRolePolicy = attach('role');
export const detachUserPolicy = detach('user');
export const detachGroupPolicy = detach('group');
export const detachRolePolicy = detach('role');
export const listAttachedUserPolicies = listAttached('user');
export const listAttachedGroupPolicies = listAttached('group');
export const listAttachedRolePolicies = listAttached('role');

/** Who a managed policy is attached to (or bounds, with PolicyUsageFilter=PermissionsBoundary). */
export const listEntitiesForPolicy: Handler<ListEntitiesForPolicyRequest, ListEntitiesForPolicyResponse> = (input, ctx) => {
  const policy = mustManaged(ctx.tx, ctx.account, input.PolicyArn!);
  const asBoundary = input.PolicyUsageFilter === 'PermissionsBoundary';
  const uses = (e: { attachedPolicies: string[]; permissionsBoundary?: string; path: string }) => {
    if (!underPath(e.path, input.PathPrefix)) return false;
    if (asBoundary) return e.permissionsBoundary === policy.arn;
    if (input.PolicyUsageFilter === 'PermissionsPolicy') return e.attachedPolicies.includes(policy.arn);
    return e.attachedPolicies.includes(policy.arn) || e.permissionsBoundary === policy.arn;
  };
  const filter = input.EntityFilter;
  const want = (k: 'User' | 'Group' | 'Role') => !filter || filter === k;
  type Item = { k: string; user?: PolicyUser; group?: PolicyGroup; role?: PolicyRole };
  const items: Item[] = [];
  if (want('Group')) for (const g of all(ctx.tx, ctx.account, 'group')) if (uses(g)) items.push({ k: `1${g.name}`, group: { GroupName: g.name, GroupId: g.id } });
  if (want('User')) for (const u of all(ctx.tx, ctx.account, 'user')) if (uses(u)) items.push({ k: `2${u.name}`, user: { UserName: u.name, UserId: u.id } });
  if (want('Role')) for (const r of all(ctx.tx, ctx.account, 'role')) if (uses(r)) items.push({ k: `3${r.name}`, role: { RoleName: r.name, RoleId: r.id } });
  const page = paginate(items, (i) => i.k, input);
  return {
    PolicyGroups: page.items.flatMap((i) => (i.group ? [i.group] : [])),
    PolicyUsers: page.items.flatMap((i) => (i.user ? [i.user] : [])),
    PolicyRoles: page.items.flatMap((i) => (i.role ? [i.role] : [])),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  };
};
