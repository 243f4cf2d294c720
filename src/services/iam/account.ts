import type {
  AttachedPolicy, CreateAccountAliasRequest, DeleteAccountAliasRequest, GetAccountAuthorizationDetailsRequest,
  GetAccountAuthorizationDetailsResponse, GetAccountSummaryResponse, GroupDetail, ListAccountAliasesRequest,
  ListAccountAliasesResponse, ManagedPolicyDetail, PolicyDetail, RoleDetail, UserDetail,
} from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { alreadyExists, date, encodePolicy, limitExceeded, noSuchEntity, nowIso } from './common.js';
import { accountRecord, all, findManaged, policyUsage, profilesOfRole, saveAccount, usageOf, viewOf, type ManagedView } from './entities.js';
import { paginate, pageOf } from './pagination.js';
import { trustDocument } from './principal-ids.js';
import type { InlinePolicies } from './records.js';
import { boundaryOf, instanceProfileOut, policyOut, versionOut } from './shapes.js';
import { INLINE_SIZE, MANAGED_POLICY_SIZE, TRUST_POLICY_SIZE } from './validate.js';
import { MAX_ATTACHED } from './attach.js';

const inlineList = (p: InlinePolicies): PolicyDetail[] =>
  Object.entries(p).map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: encodePolicy(doc) }));

const attachedList = (arns: string[]): AttachedPolicy[] => arns.map((arn) => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn }));

type Detail =
  | { k: string; user: UserDetail }
  | { k: string; group: GroupDetail }
  | { k: string; role: RoleDetail }
  | { k: string; policy: ManagedPolicyDetail };

/** Everything IAM knows about the account's identities and policies, paged as one list. */
export const getAccountAuthorizationDetails: Handler<GetAccountAuthorizationDetailsRequest, GetAccountAuthorizationDetailsResponse> = (input, ctx) => {
  const filter = new Set(input.Filter ?? []);
  const want = (t: string) => filter.size === 0 || filter.has(t as never);
  const { tx, account } = ctx;
  const items: Detail[] = [];
  if (want('User')) {
    for (const u of all(tx, account, 'user')) {
      items.push({ k: `1${u.name}`, user: {
        Path: u.path, UserName: u.name, UserId: u.id, Arn: u.arn, CreateDate: date(u.createdAt),
        UserPolicyList: inlineList(u.inlinePolicies), GroupList: [...u.groups], AttachedManagedPolicies: attachedList(u.attachedPolicies),
        PermissionsBoundary: boundaryOf(u.permissionsBoundary), Tags: u.tags,
      } });
    }
  }
  if (want('Group')) {
    for (const g of all(tx, account, 'group')) {
      items.push({ k: `2${g.name}`, group: {
        Path: g.path, GroupName: g.name, GroupId: g.id, Arn: g.arn, CreateDate: date(g.createdAt),
        GroupPolicyList: inlineList(g.inlinePolicies), AttachedManagedPolicies: attachedList(g.attachedPolicies),
      } });
    }
  }
  if (want('Role')) {
    for (const r of all(tx, account, 'role')) {
      items.push({ k: `3${r.name}`, role: {
        Path: r.path, RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: date(r.createdAt),
        AssumeRolePolicyDocument: encodePolicy(trustDocument(tx, r)),
        InstanceProfileList: profilesOfRole(tx, account, r.name).map((p) => instanceProfileOut(tx, account, p, false)),
        RolePolicyList: inlineList(r.inlinePolicies), AttachedManagedPolicies: attachedList(r.attachedPolicies),
        PermissionsBoundary: boundaryOf(r.permissionsBoundary), Tags: r.tags, RoleLastUsed: {},
      } });
    }
  }
  const usage = policyUsage(tx, account);
  const policyDetail = (p: ManagedView): ManagedPolicyDetail => {
    const { Tags: _tags, ...base } = policyOut(p, usageOf(usage, p.arn), 'get');
    return { ...base, PolicyVersionList: p.versions.map((v) => versionOut(p, v, true)) };
  };
  if (want('LocalManagedPolicy')) {
    for (const p of all(tx, account, 'policy')) items.push({ k: `4${p.name}`, policy: policyDetail(viewOf(p)) });
  }
  if (want('AWSManagedPolicy')) {
    // Only the AWS managed policies the account uses, as AWS reports them.
    for (const a of AWS_MANAGED_POLICIES) {
      const u = usageOf(usage, a.arn);
      if (u.attachments || u.boundaries) items.push({ k: `5${a.name}`, policy: policyDetail(findManaged(tx, account, a.arn)!) });
    }
  }
  const page = paginate(items, (i) => i.k, input);
  const pick = <T>(f: (d: Detail) => T | undefined): T[] => page.items.map(f).filter((x): x is T => x !== undefined);
  return {
    UserDetailList: pick((d) => ('user' in d ? d.user : undefined)),
    GroupDetailList: pick((d) => ('group' in d ? d.group : undefined)),
    RoleDetailList: pick((d) => ('role' in d ? d.role : undefined)),
    Policies: pick((d) => ('policy' in d ? d.policy : undefined)),
    IsTruncated: page.IsTruncated,
    ...(page.Marker ? { Marker: page.Marker } : {}),
  };
};

/** Entity counts and the account's IAM quotas (AWS's defaults). */
export const getAccountSummary: Handler<Record<string, never>, GetAccountSummaryResponse> = (_input, ctx) => {
  const { tx, account } = ctx;
  const users = all(tx, account, 'user');
  const policies = all(tx, account, 'policy');
  const acct = accountRecord(tx, account, nowIso(ctx));
  const summary: Record<string, number> = {
    Users: users.length, UsersQuota: 5000,
    Groups: all(tx, account, 'group').length, GroupsQuota: 300,
    Roles: all(tx, account, 'role').length, RolesQuota: 1000,
    Policies: policies.length, PoliciesQuota: 1500,
    InstanceProfiles: all(tx, account, 'instanceProfile').length, InstanceProfilesQuota: 1000,
    Providers: tx.count({ account, region: '' }, 'iam:oidc-provider'),
    ServerCertificates: 0, ServerCertificatesQuota: 20,
    MFADevices: 0, MFADevicesInUse: 0, AccountMFAEnabled: 0,
    AccountAccessKeysPresent: acct.rootAccessKeys.length ? 1 : 0,
    AccountSigningCertificatesPresent: 0,
    AccessKeysPerUserQuota: 2, SigningCertificatesPerUserQuota: 2, GroupsPerUserQuota: 10,
    AttachedPoliciesPerUserQuota: MAX_ATTACHED, AttachedPoliciesPerGroupQuota: MAX_ATTACHED, AttachedPoliciesPerRoleQuota: MAX_ATTACHED,
    UserPolicySizeQuota: INLINE_SIZE.user, GroupPolicySizeQuota: INLINE_SIZE.group, RolePolicySizeQuota: INLINE_SIZE.role,
    AssumeRolePolicySizeQuota: TRUST_POLICY_SIZE, PolicySizeQuota: MANAGED_POLICY_SIZE,
    PolicyVersionsInUse: policies.reduce((n, p) => n + p.versions.length, 0), PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: 5, GlobalEndpointTokenVersion: 1,
  };
  return { SummaryMap: summary };
};

// --- account aliases: at most one, as AWS allows ---

export const createAccountAlias: Handler<CreateAccountAliasRequest, Record<string, never>> = (input, ctx) => {
  const acct = accountRecord(ctx.tx, ctx.account, nowIso(ctx));
  const alias = input.AccountAlias!;
  if (acct.aliases.includes(alias)) throw alreadyExists(`The account alias ${alias} already exists.`);
  if (acct.aliases.length) throw limitExceeded('Cannot exceed quota for AccountAliasesPerAccount: 1');
  saveAccount(ctx.tx, ctx.account, { ...acct, aliases: [alias] });
  return {};
};

export const deleteAccountAlias: Handler<DeleteAccountAliasRequest, Record<string, never>> = (input, ctx) => {
  const acct = accountRecord(ctx.tx, ctx.account, nowIso(ctx));
  if (!acct.aliases.includes(input.AccountAlias!)) throw noSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
  saveAccount(ctx.tx, ctx.account, { ...acct, aliases: acct.aliases.filter((a) => a !== input.AccountAlias) });
  return {};
};

export const listAccountAliases: Handler<ListAccountAliasesRequest, ListAccountAliasesResponse> = (input, ctx: RequestContext) => {
  const acct = accountRecord(ctx.tx, ctx.account, nowIso(ctx));
  return pageOf('AccountAliases', paginate(acct.aliases, (a) => a, input));
};
