import type { ListUserPoliciesResponse } from '@aws-sdk/client-iam';
import type { Handler, RequestContext } from '../types.js';
import { encodePolicy, limitExceeded, noSuchEntity } from './common.js';
import { must, save } from './entities.js';
import { paginate, pageOf, type PageInput } from './pagination.js';
import { checkDocument, INLINE_SIZE, policySize } from './validate.js';

/** Inline policies of users, groups and roles: Put/Get/Delete/List<Kind>Policy. */

type Holder = 'user' | 'group' | 'role';
const NAME_MEMBER = { user: 'UserName', group: 'GroupName', role: 'RoleName' } as const;

type InlineInput = { UserName?: string; GroupName?: string; RoleName?: string; PolicyName?: string; PolicyDocument?: string };

const holder = (ctx: RequestContext, kind: Holder, input: InlineInput) => must(ctx.tx, ctx.account, kind, input[NAME_MEMBER[kind]]!);

const notFound = (kind: Holder, name: string) => noSuchEntity(`The ${kind} policy with name ${name} cannot be found.`);

function put(kind: Holder): Handler<InlineInput, Record<string, never>> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const name = input.PolicyName!;
    const doc = checkDocument(input.PolicyDocument!, 'identity');
    // The quota is on all of an entity's inline policies together.
    const others = Object.entries(entity.inlinePolicies).filter(([n]) => n !== name);
    const total = others.reduce((n, [, d]) => n + policySize(d), policySize(doc));
    if (total > INLINE_SIZE[kind]) {
      throw limitExceeded(`Maximum policy size of ${INLINE_SIZE[kind]} bytes exceeded for ${kind} ${entity.name}`);
    }
    save(ctx.tx, ctx.account, kind, { ...entity, inlinePolicies: { ...entity.inlinePolicies, [name]: doc } } as never);
    return {};
  };
}

function get(kind: Holder): Handler<InlineInput, Record<string, string>> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const name = input.PolicyName!;
    const doc = Object.prototype.hasOwnProperty.call(entity.inlinePolicies, name) ? entity.inlinePolicies[name] : undefined;
    if (doc === undefined) throw notFound(kind, name);
    return { [NAME_MEMBER[kind]]: entity.name, PolicyName: name, PolicyDocument: encodePolicy(doc) };
  };
}

function del(kind: Holder): Handler<InlineInput, Record<string, never>> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    const name = input.PolicyName!;
    if (!Object.prototype.hasOwnProperty.call(entity.inlinePolicies, name)) throw notFound(kind, name);
    const { [name]: _gone, ...rest } = entity.inlinePolicies;
    save(ctx.tx, ctx.account, kind, { ...entity, inlinePolicies: rest } as never);
    return {};
  };
}

function list(kind: Holder): Handler<InlineInput & PageInput, ListUserPoliciesResponse> {
  return (input, ctx) => {
    const entity = holder(ctx, kind, input);
    return pageOf('PolicyNames', paginate(Object.keys(entity.inlinePolicies), (n) => n, input));
  };
}

export const putUserPolicy = put('user');
export const putGroupPolicy = put('group');
export const putRolePolicy = put('role');
export const getUserPolicy = get('user');
export const getGroupPolicy = get('group');
export const getRolePolicy = get('role');
export const deleteUserPolicy = del('user');
export const deleteGroupPolicy = del('group');
export const deleteRolePolicy = del('role');
export const listUserPolicies = list('user');
export const listGroupPolicies = list('group');
export const listRolePolicies = list('role');
