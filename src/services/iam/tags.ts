import type { ListUserTagsResponse } from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { customerPolicy } from './policies.js';
import { must, mustManaged, save } from './entities.js';
import { mustProvider, saveProvider } from './oidc.js';
import { paginate, pageOf, type PageInput } from './pagination.js';
import type { Tag } from './records.js';
import { mergeTags, removeTags } from './validate.js';

/** Tag / Untag / List<Kind>Tags for users, roles, managed policies, instance profiles and OIDC providers. */

interface Tagged { tags: Tag[] }

interface Target<I> {
  quota: string;
  load(ctx: RequestContext, input: I): Tagged;
  /** For List*Tags, when reading is allowed where writing is not (AWS managed policies). */
  read?(ctx: RequestContext, input: I): Tagged;
  store(ctx: RequestContext, rec: Tagged): void;
}

type NameInput = { UserName?: string; RoleName?: string; InstanceProfileName?: string; PolicyArn?: string; OpenIDConnectProviderArn?: string };

const named = (kind: 'user' | 'role' | 'instanceProfile', member: 'UserName' | 'RoleName' | 'InstanceProfileName', quota: string): Target<NameInput> => ({
  quota,
  load: (ctx, input) => must(ctx.tx, ctx.account, kind, input[member]!),
  store: (ctx, rec) => save(ctx.tx, ctx.account, kind, rec as never),
});

const USER = named('user', 'UserName', 'TagsPerUser');
const ROLE = named('role', 'RoleName', 'TagsPerRole');
const PROFILE = named('instanceProfile', 'InstanceProfileName', 'TagsPerInstanceProfile');
const POLICY: Target<NameInput> = {
  quota: 'TagsPerPolicy',
  load: (ctx, input) => customerPolicy(ctx, input.PolicyArn!),
  read: (ctx, input) => mustManaged(ctx.tx, ctx.account, input.PolicyArn!),
  store: (ctx, rec) => save(ctx.tx, ctx.account, 'policy', rec as never),
};
const OIDC: Target<NameInput> = {
  quota: 'TagsPerOpenIdConnectProvider',
  load: (ctx, input) => mustProvider(ctx, input.OpenIDConnectProviderArn!),
  store: (ctx, rec) => saveProvider(ctx, rec as never),
};

function tag(t: Target<NameInput>): Handler<NameInput & { Tags?: Tag[] }, Record<string, never>> {
  return (input, ctx) => {
    const rec = t.load(ctx, input);
    t.store(ctx, { ...rec, tags: mergeTags(rec.tags, input.Tags ?? [], t.quota) });
    return {};
  };
}

function untag(t: Target<NameInput>): Handler<NameInput & { TagKeys?: string[] }, Record<string, never>> {
  return (input, ctx) => {
    const rec = t.load(ctx, input);
    t.store(ctx, { ...rec, tags: removeTags(rec.tags, input.TagKeys ?? []) });
    return {};
  };
}

function list(t: Target<NameInput>): Handler<NameInput & PageInput, ListUserTagsResponse> {
  return (input, ctx) => pageOf('Tags', paginate((t.read ?? t.load)(ctx, input).tags, (x) => x.Key, input));
}

export const tagUser = tag(USER);
export const untagUser = untag(USER);
export const listUserTags = list(USER);
export const tagRole = tag(ROLE);
export const untagRole = untag(ROLE);
export const listRoleTags = list(ROLE);
export const tagPolicy = tag(POLICY);
export const untagPolicy = untag(POLICY);
export const listPolicyTags = list(POLICY);
export const tagInstanceProfile = tag(PROFILE);
export const untagInstanceProfile = untag(PROFILE);
export const listInstanceProfileTags = list(PROFILE);
export const tagOpenIDConnectProvider = tag(OIDC);
export const untagOpenIDConnectProvider = untag(OIDC);
export const listOpenIDConnectProviderTags = list(OIDC);
