import type {
  AddClientIDToOpenIDConnectProviderRequest, CreateOpenIDConnectProviderRequest, CreateOpenIDConnectProviderResponse,
  DeleteOpenIDConnectProviderRequest, GetOpenIDConnectProviderRequest, GetOpenIDConnectProviderResponse,
  ListOpenIDConnectProvidersResponse, RemoveClientIDFromOpenIDConnectProviderRequest, UpdateOpenIDConnectProviderThumbprintRequest,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { alreadyExists, date, limitExceeded, noSuchEntity, nowIso } from './common.js';
import { IAM_KIND, iamScope, type OidcProviderRecord } from './records.js';
import { checkNewTags } from './users.js';

/** OpenID Connect identity providers, keyed by ARN: arn:aws:iam::ACCT:oidc-provider/HOST/PATH. */

const MAX_CLIENT_IDS = 100;
const MAX_THUMBPRINTS = 5;

/** https://Host[:port][/path] -> host[:port][/path], as IAM stores it (no scheme, host in lower case, no trailing '/'). */
function providerId(url: string): string {
  const m = /^https:\/\/([^/?#\s]+)(\/[^?#\s]*)?$/i.exec(url);
  if (!m) throw new AwsError('InvalidInput', 'Invalid Openid Connect Provider URL. It must begin with https://.', 400);
  return `${m[1]!.toLowerCase()}${(m[2] ?? '').replace(/\/+$/, '')}`;
}

export function mustProvider(ctx: RequestContext, arn: string): OidcProviderRecord {
  const rec = ctx.tx.get<OidcProviderRecord>(iamScope(ctx.account), IAM_KIND.oidcProvider, arn);
  if (!rec) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
  return rec;
}

export const saveProvider = (ctx: RequestContext, rec: OidcProviderRecord): void =>
  ctx.tx.put(iamScope(ctx.account), IAM_KIND.oidcProvider, rec.arn, rec);

function checkThumbprints(list: string[]): string[] {
  if (list.length > MAX_THUMBPRINTS) throw limitExceeded(`Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: ${MAX_THUMBPRINTS}`);
  return list;
}

function checkClientIds(list: string[]): string[] {
  const unique = [...new Set(list)];
  if (unique.length > MAX_CLIENT_IDS) throw limitExceeded(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  return unique;
}

export const createOpenIDConnectProvider: Handler<CreateOpenIDConnectProviderRequest, CreateOpenIDConnectProviderResponse> = (input, ctx) => {
  const url = input.Url!;
  const id = providerId(url);
  const clientIds = checkClientIds(input.ClientIDList ?? []);
  const thumbprints = checkThumbprints(input.ThumbprintList ?? []);
  const tags = checkNewTags(input.Tags, 'TagsPerOpenIdConnectProvider');
  const arn = `arn:aws:iam::${ctx.account}:oidc-provider/${id}`;
  if (ctx.tx.get(iamScope(ctx.account), IAM_KIND.oidcProvider, arn)) throw alreadyExists(`Provider with url ${url} already exists.`);
  const rec: OidcProviderRecord = { arn, url: id, clientIds, thumbprints, createdAt: nowIso(ctx), tags };
  saveProvider(ctx, rec);
  return { OpenIDConnectProviderArn: arn, ...(tags.length ? { Tags: tags } : {}) };
};

export const getOpenIDConnectProvider: Handler<GetOpenIDConnectProviderRequest, GetOpenIDConnectProviderResponse> = (input, ctx) => {
  const rec = mustProvider(ctx, input.OpenIDConnectProviderArn!);
  return {
    Url: rec.url, ClientIDList: rec.clientIds, ThumbprintList: rec.thumbprints, CreateDate: date(rec.createdAt),
    ...(rec.tags.length ? { Tags: rec.tags } : {}),
  };
};

export const listOpenIDConnectProviders: Handler<Record<string, never>, ListOpenIDConnectProvidersResponse> = (_input, ctx) => ({
  OpenIDConnectProviderList: ctx.tx.list<OidcProviderRecord>(iamScope(ctx.account), IAM_KIND.oidcProvider).map((r) => ({ Arn: r.value.arn })),
});

export const deleteOpenIDConnectProvider: Handler<DeleteOpenIDConnectProviderRequest, Record<string, never>> = (input, ctx) => {
  const rec = mustProvider(ctx, input.OpenIDConnectProviderArn!);
  ctx.tx.delete(iamScope(ctx.account), IAM_KIND.oidcProvider, rec.arn);
  return {};
};

export const addClientIDToOpenIDConnectProvider: Handler<AddClientIDToOpenIDConnectProviderRequest, Record<string, never>> = (input, ctx) => {
  const rec = mustProvider(ctx, input.OpenIDConnectProviderArn!);
  saveProvider(ctx, { ...rec, clientIds: checkClientIds([...rec.clientIds, input.ClientID!]) });
  return {};
};

/** Removing a client ID that is not there is not an error (AWS: the call is idempotent). */
export const removeClientIDFromOpenIDConnectProvider: Handler<RemoveClientIDFromOpenIDConnectProviderRequest, Record<string, never>> = (input, ctx) => {
  const rec = mustProvider(ctx, input.OpenIDConnectProviderArn!);
  saveProvider(ctx, { ...rec, clientIds: rec.clientIds.filter((c) => c !== input.ClientID) });
  return {};
};

export const updateOpenIDConnectProviderThumbprint: Handler<UpdateOpenIDConnectProviderThumbprintRequest, Record<string, never>> = (input, ctx) => {
  const rec = mustProvider(ctx, input.OpenIDConnectProviderArn!);
  saveProvider(ctx, { ...rec, thumbprints: checkThumbprints(input.ThumbprintList ?? []) });
  return {};
};
