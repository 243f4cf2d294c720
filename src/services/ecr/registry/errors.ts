/**
 * The distribution API's errors: `{"errors":[{"code","message","detail"}]}` with the spec's
 * codes and statuses, and the mapping from the ECR errors (AwsError) of images.ts, layers.ts
 * and the authorizer to them.
 */
import { isAwsError } from '../../../core/errors.js';

export const STATUS: Record<string, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  RANGE_INVALID: 416,
};

export class RegistryError extends Error {
  constructor(readonly code: string, message: string, readonly status = STATUS[code] ?? 400, readonly detail?: unknown,
    readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'RegistryError';
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

/** ECR error codes (images.ts, repositories.ts, the authorizer) -> distribution codes. */
const FROM_ECR: Record<string, string> = {
  RepositoryNotFoundException: 'NAME_UNKNOWN',
  ImageNotFoundException: 'MANIFEST_UNKNOWN',
  LayersNotFoundException: 'MANIFEST_BLOB_UNKNOWN',
  ReferencedImagesNotFoundException: 'MANIFEST_BLOB_UNKNOWN',
  InvalidParameterException: 'MANIFEST_INVALID',
  ImageDigestDoesNotMatchException: 'DIGEST_INVALID',
  ImageTagAlreadyExistsException: 'TAG_INVALID',
  ImageAlreadyExistsException: 'MANIFEST_INVALID',
  InvalidTagParameterException: 'TAG_INVALID',
  LimitExceededException: 'TOOMANYREQUESTS',
  AccessDeniedException: 'DENIED',
  AccessDenied: 'DENIED',
  LayerInaccessibleException: 'BLOB_UNKNOWN',
  UnsupportedImageTypeException: 'MANIFEST_INVALID',
};

/** A RegistryError for anything a registry handler threw; undefined for unexpected failures. */
export function toRegistryError(e: unknown): RegistryError | undefined {
  if (isRegistryError(e)) return e;
  if (!isAwsError(e)) return undefined;
  const code = FROM_ECR[e.code];
  if (code) return new RegistryError(code, e.message);
  if (e.code === 'EntityTooLarge') return new RegistryError('SIZE_INVALID', e.message);
  if (e.status && e.status < 500) return new RegistryError(e.status === 403 ? 'DENIED' : 'UNSUPPORTED', e.message, e.status === 403 ? 403 : 400);
  return undefined;
}

export function errorBody(e: RegistryError): Buffer {
  const err: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.detail !== undefined) err['detail'] = e.detail;
  return Buffer.from(JSON.stringify({ errors: [err] }));
}
