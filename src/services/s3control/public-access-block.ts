/**
 * Account-level Block Public Access (S3 Control Put/Get/DeletePublicAccessBlock). The
 * x-amz-account-id the request names must be the caller's own account: S3 Control answers
 * AccessDenied for any other (and for anonymous callers), whatever the caller's policies say.
 */
import type {
  DeletePublicAccessBlockRequest, GetPublicAccessBlockOutput, GetPublicAccessBlockRequest, PutPublicAccessBlockRequest,
} from '@aws-sdk/client-s3-control';
import { AwsError } from '../../core/errors.js';
import { malformedXml } from '../s3/config-common.js';
import { storedPublicAccessBlock } from '../s3/public-access.js';
import type { Handler, RequestContext } from '../types.js';
import { accountPublicAccessBlock, deleteAccountPublicAccessBlock, putAccountPublicAccessBlock } from './records.js';

/** The account the request is about, which must be the caller's. */
function ownAccount(input: { AccountId?: string }, ctx: RequestContext): string {
  if (ctx.principal.kind === 'anonymous' || !ctx.account || input.AccountId !== ctx.account) {
    throw new AwsError('AccessDenied', 'Access Denied', 403);
  }
  return ctx.account;
}

const putPublicAccessBlock: Handler<PutPublicAccessBlockRequest, void> = (input, ctx) => {
  const account = ownAccount(input, ctx);
  const cfg = input.PublicAccessBlockConfiguration;
  if (!cfg || typeof cfg !== 'object') throw malformedXml();
  putAccountPublicAccessBlock(ctx.tx, account, storedPublicAccessBlock(cfg));
};

const getPublicAccessBlock: Handler<GetPublicAccessBlockRequest, GetPublicAccessBlockOutput> = (input, ctx) => {
  const account = ownAccount(input, ctx);
  const cfg = accountPublicAccessBlock(ctx.tx, account);
  if (!cfg) {
    throw new AwsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404,
      { fields: { AccountId: account } });
  }
  return { PublicAccessBlockConfiguration: { ...cfg } };
};

/** Deleting when there is none succeeds, as S3 Control does. */
const deletePublicAccessBlock: Handler<DeletePublicAccessBlockRequest, void> = (input, ctx) => {
  deleteAccountPublicAccessBlock(ctx.tx, ownAccount(input, ctx));
};

export const publicAccessBlockHandlers: Record<string, Handler> = {
  PutPublicAccessBlock: putPublicAccessBlock,
  GetPublicAccessBlock: getPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
};
