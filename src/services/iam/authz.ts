/**
 * How IAM requests are authorized, where the generated table cannot know. IAM resource ARNs
 * carry the entity's path (arn:aws:iam::ACCT:user/division/bob): a create takes it from the
 * Path parameter, anything else from the existing entity's row (root path when there is
 * none). Operations whose UserName is optional act on the caller (GetUser,
 * CreateAccessKey, ...). Users and roles have tags, so aws:ResourceTag / iam:ResourceTag
 * work on them.
 */
import type { Tx } from '../../store/types.js';
import type { AuthzRequest, Check, ServiceAuthz, VariableResolver } from '../authz/types.js';
import { find, type NamedKind } from './entities.js';

const CREATE: Record<NamedKind, string> = {
  user: 'CreateUser', role: 'CreateRole', group: 'CreateGroup', policy: 'CreatePolicy', instanceProfile: 'CreateInstanceProfile',
};

/** ENTITYNameWithPath from NAME (and Path on creates, the row's path otherwise). */
function withPath(kind: NamedKind, nameMember: string, callerDefault = false): VariableResolver {
  return (req) => {
    let name = req.input?.[nameMember] as string | undefined;
    if (typeof name !== 'string') {
      if (!callerDefault || req.principal.kind !== 'user' || !req.principal.name) return undefined;
      name = req.principal.name;
    }
    const given = req.input?.Path;
    const path = req.operation === CREATE[kind] ? (typeof given === 'string' ? given : '/') : pathOf(req.tx, req.account, kind, name);
    return `${path.replace(/^\//, '')}${name}`;
  };
}

function pathOf(tx: Tx, account: string, kind: NamedKind, name: string): string {
  try {
    return find(tx, account, kind, name)?.path ?? '/';
  } catch {
    return '/';
  }
}

/** arn:aws:iam::ACCT:KIND/PATH/NAME -> the row's tags, for users and roles. */
function resourceTags(req: AuthzRequest, arn: string): Record<string, string> | undefined {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const rec = find(req.tx, m[1]!, m[2] as 'user' | 'role', m[3]!);
  if (!rec?.tags.length) return undefined;
  return Object.fromEntries(rec.tags.map((t) => [t.Key, t.Value]));
}

/** List operations are checked against the path they list: arn:aws:iam::ACCT:user/ for all users. */
const listed = (kind: string) => (req: AuthzRequest): Check[] => {
  const prefix = typeof req.input?.PathPrefix === 'string' ? req.input.PathPrefix : '/';
  return [{ action: `iam:${req.operation}`, resource: `arn:aws:iam::${req.account}:${kind}${prefix}` }];
};

const authz: ServiceAuthz = {
  checks: {
    ListUsers: listed('user'),
    ListRoles: listed('role'),
    ListGroups: listed('group'),
    ListInstanceProfiles: listed('instance-profile'),
  },
  variables: {
    UserNameWithPath: withPath('user', 'UserName', true),
    RoleNameWithPath: withPath('role', 'RoleName'),
    GroupNameWithPath: withPath('group', 'GroupName'),
    PolicyNameWithPath: withPath('policy', 'PolicyName'),
    InstanceProfileNameWithPath: withPath('instanceProfile', 'InstanceProfileName'),
    // CreateOpenIDConnectProvider: https://host/path -> host/path.
    OidcProviderName: (req) => {
      const url = req.input?.Url;
      return typeof url === 'string' ? url.replace(/^https?:\/\//i, '').replace(/\/+$/, '') : undefined;
    },
  },
  resourceTags,
};

export default authz;
