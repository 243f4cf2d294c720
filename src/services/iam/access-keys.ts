import type {
  AccessKeyMetadata, CreateAccessKeyRequest, CreateAccessKeyResponse, DeleteAccessKeyRequest, GetAccessKeyLastUsedRequest,
  GetAccessKeyLastUsedResponse, ListAccessKeysRequest, ListAccessKeysResponse, UpdateAccessKeyRequest,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../auth/credentials.js';
import { rootPrincipal, type Credential, type Principal } from '../../auth/principal.js';
import type { Handler, RequestContext } from '../types.js';
import { date, limitExceeded, noSuchEntity, nowIso } from './common.js';
import { accountRecord, must, save, saveAccount, type AccountRecord } from './entities.js';
import { newAccessKeyId, newSecretAccessKey } from './ids.js';
import { paginate, pageOf } from './pagination.js';
import type { UserRecord } from './records.js';
import { callerUser } from './users.js';

/**
 * Long-term access keys of IAM users (and of the root user, as AWS allows). Every key is also
 * written to the global access key index, which is what SigV4 authentication reads: the
 * index's status follows UpdateAccessKey, and DeleteAccessKey removes the row.
 */

const KEYS_PER_USER = 2;

type KeyMeta = { id: string; status: 'Active' | 'Inactive'; createdAt: string };
type Owner =
  | { kind: 'user'; user: UserRecord; keys: KeyMeta[] }
  | { kind: 'root'; acct: AccountRecord; keys: KeyMeta[] };

/** Whose keys a call is about: the named user, else the caller (a user, or the root user). */
function owner(ctx: RequestContext, userName: string | undefined): Owner {
  if (userName !== undefined) {
    const user = must(ctx.tx, ctx.account, 'user', userName);
    return { kind: 'user', user, keys: user.accessKeys };
  }
  const p = ctx.principal;
  if (p.kind === 'user') {
    const user = callerUser(ctx);
    return { kind: 'user', user, keys: user.accessKeys };
  }
  if (p.kind === 'root') {
    const acct = accountRecord(ctx.tx, ctx.account, nowIso(ctx));
    return { kind: 'root', acct, keys: acct.rootAccessKeys };
  }
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
}

function saveKeys(ctx: RequestContext, o: Owner, keys: KeyMeta[]): void {
  if (o.kind === 'user') save(ctx.tx, ctx.account, 'user', { ...o.user, accessKeys: keys });
  else saveAccount(ctx.tx, ctx.account, { ...o.acct, rootAccessKeys: keys });
}

function principalFor(ctx: RequestContext, o: Owner, accessKeyId: string): Principal {
  if (o.kind === 'root') return rootPrincipal(ctx.account, accessKeyId);
  return { kind: 'user', account: ctx.account, arn: o.user.arn, userId: o.user.id, name: o.user.name, accessKeyId };
}

const userNameOf = (o: Owner): string | undefined => (o.kind === 'user' ? o.user.name : undefined);

function mustKey(o: Owner, id: string): KeyMeta {
  const k = o.keys.find((x) => x.id === id);
  if (!k) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  return k;
}

export const createAccessKey: Handler<CreateAccessKeyRequest, CreateAccessKeyResponse> = (input, ctx) => {
  const o = owner(ctx, input.UserName);
  if (o.keys.length >= KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
  const key: KeyMeta = { id: newAccessKeyId(), status: 'Active', createdAt: nowIso(ctx) };
  const secret = newSecretAccessKey();
  saveKeys(ctx, o, [...o.keys, key]);
  const cred: Credential = { accessKeyId: key.id, secretAccessKey: secret, principal: principalFor(ctx, o, key.id), status: 'Active' };
  ctx.tx.put(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, key.id, cred);
  return {
    AccessKey: { UserName: userNameOf(o)!, AccessKeyId: key.id, Status: 'Active', SecretAccessKey: secret, CreateDate: date(key.createdAt) },
  };
};

export const updateAccessKey: Handler<UpdateAccessKeyRequest, Record<string, never>> = (input, ctx) => {
  const o = owner(ctx, input.UserName);
  const key = mustKey(o, input.AccessKeyId!);
  const status = input.Status as KeyMeta['status'];
  saveKeys(ctx, o, o.keys.map((k) => (k === key ? { ...k, status } : k)));
  const cred = ctx.tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, key.id);
  if (cred) ctx.tx.put(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, key.id, { ...cred, status });
  return {};
};

export const deleteAccessKey: Handler<DeleteAccessKeyRequest, Record<string, never>> = (input, ctx) => {
  const o = owner(ctx, input.UserName);
  const key = mustKey(o, input.AccessKeyId!);
  saveKeys(ctx, o, o.keys.filter((k) => k !== key));
  ctx.tx.delete(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, key.id);
  return {};
};

export const listAccessKeys: Handler<ListAccessKeysRequest, ListAccessKeysResponse> = (input, ctx) => {
  const o = owner(ctx, input.UserName);
  const meta: AccessKeyMetadata[] = o.keys.map((k) => ({
    UserName: userNameOf(o), AccessKeyId: k.id, Status: k.status, CreateDate: date(k.createdAt),
  }));
  return pageOf('AccessKeyMetadata', paginate(meta, (m) => `${m.CreateDate!.toISOString()}${m.AccessKeyId}`, input));
};

/** cloudlet does not record key use, so every key reads as never used (AWS's 'N/A'). */
export const getAccessKeyLastUsed: Handler<GetAccessKeyLastUsedRequest, GetAccessKeyLastUsedResponse> = (input, ctx) => {
  const id = input.AccessKeyId!;
  const cred = ctx.tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, id);
  if (!cred || cred.sessionToken !== undefined || cred.principal.account !== ctx.account) {
    throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  }
  return {
    ...(cred.principal.kind === 'user' ? { UserName: cred.principal.name } : {}),
    AccessKeyLastUsed: { Region: 'N/A', ServiceName: 'N/A' },
  };
};
