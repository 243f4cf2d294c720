/**
 * The account's EBS settings in a Region: encryption by default, the default KMS key, and
 * block public access for snapshots. One setting row each (COMPUTE_KIND.setting); absent
 * rows mean AWS's defaults (off, alias/aws/ebs, unblocked).
 */
import type {
  DisableEbsEncryptionByDefaultResult, DisableSnapshotBlockPublicAccessResult, EnableEbsEncryptionByDefaultResult,
  EnableSnapshotBlockPublicAccessRequest, EnableSnapshotBlockPublicAccessResult, GetEbsDefaultKmsKeyIdResult,
  GetEbsEncryptionByDefaultResult, GetSnapshotBlockPublicAccessStateResult, ModifyEbsDefaultKmsKeyIdRequest,
  ModifyEbsDefaultKmsKeyIdResult, ResetEbsDefaultKmsKeyIdResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { defaultKmsKey, encryptionByDefault, K, kmsKeyArn, SETTING } from './ebs-core.js';

const put = (ctx: RequestContext, name: string, value: unknown): void => { ctx.tx.put(ctx.scope, K.setting, name, value); };

export const enableEbsEncryptionByDefault: Handler<object, EnableEbsEncryptionByDefaultResult> = (_input, ctx) => {
  put(ctx, SETTING.encryptionByDefault, { enabled: true });
  return { EbsEncryptionByDefault: true };
};

export const disableEbsEncryptionByDefault: Handler<object, DisableEbsEncryptionByDefaultResult> = (_input, ctx) => {
  put(ctx, SETTING.encryptionByDefault, { enabled: false });
  return { EbsEncryptionByDefault: false };
};

export const getEbsEncryptionByDefault: Handler<object, GetEbsEncryptionByDefaultResult> = (_input, ctx) =>
  ({ EbsEncryptionByDefault: encryptionByDefault(ctx), SseType: 'none' });

export const getEbsDefaultKmsKeyId: Handler<object, GetEbsDefaultKmsKeyIdResult> = (_input, ctx) => ({ KmsKeyId: defaultKmsKey(ctx) });

export const modifyEbsDefaultKmsKeyId: Handler<ModifyEbsDefaultKmsKeyIdRequest, ModifyEbsDefaultKmsKeyIdResult> = (input, ctx) => {
  if (!input.KmsKeyId) throw new AwsError('MissingParameter', 'The request must contain the parameter KmsKeyId');
  const keyId = kmsKeyArn(ctx, input.KmsKeyId);
  put(ctx, SETTING.defaultKmsKey, { keyId });
  return { KmsKeyId: keyId };
};

export const resetEbsDefaultKmsKeyId: Handler<object, ResetEbsDefaultKmsKeyIdResult> = (_input, ctx) => {
  ctx.tx.delete(ctx.scope, K.setting, SETTING.defaultKmsKey);
  return { KmsKeyId: defaultKmsKey(ctx) };
};

const bpaState = (ctx: RequestContext): string =>
  ctx.tx.get<{ state: string }>(ctx.scope, K.setting, SETTING.snapshotBlockPublicAccess)?.state ?? 'unblocked';

export const getSnapshotBlockPublicAccessState: Handler<object, GetSnapshotBlockPublicAccessStateResult> = (_input, ctx) =>
  ({ State: bpaState(ctx) as GetSnapshotBlockPublicAccessStateResult['State'], ManagedBy: 'account' });

export const enableSnapshotBlockPublicAccess: Handler<EnableSnapshotBlockPublicAccessRequest, EnableSnapshotBlockPublicAccessResult> = (input, ctx) => {
  const state = input.State as string | undefined;
  if (!state) throw new AwsError('MissingParameter', 'The request must contain the parameter State');
  if (state !== 'block-all-sharing' && state !== 'block-new-sharing') {
    throw new AwsError('InvalidParameterValue', `Value (${state}) for parameter State is invalid. Valid values: block-all-sharing, block-new-sharing`);
  }
  put(ctx, SETTING.snapshotBlockPublicAccess, { state });
  return { State: state };
};

export const disableSnapshotBlockPublicAccess: Handler<object, DisableSnapshotBlockPublicAccessResult> = (_input, ctx) => {
  ctx.tx.delete(ctx.scope, K.setting, SETTING.snapshotBlockPublicAccess);
  return { State: 'unblocked' };
};
