import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../core/errors.js';
import { errorBody, RegistryError, toRegistryError } from './errors.js';

describe('registry errors', () => {
  test('ECR errors from images.ts and the authorizer become distribution codes with their statuses', () => {
    const cases: Array<[string, string, number]> = [
      ['LayersNotFoundException', 'MANIFEST_BLOB_UNKNOWN', 400],
      ['ReferencedImagesNotFoundException', 'MANIFEST_BLOB_UNKNOWN', 400],
      ['InvalidParameterException', 'MANIFEST_INVALID', 400],
      ['ImageTagAlreadyExistsException', 'TAG_INVALID', 400],
      ['RepositoryNotFoundException', 'NAME_UNKNOWN', 404],
      ['ImageNotFoundException', 'MANIFEST_UNKNOWN', 404],
      ['ImageDigestDoesNotMatchException', 'DIGEST_INVALID', 400],
      ['AccessDeniedException', 'DENIED', 403],
    ];
    for (const [ecr, code, status] of cases) {
      const e = toRegistryError(new AwsError(ecr, `message of ${ecr}`));
      assert.equal(e?.code, code, ecr);
      assert.equal(e?.status, status, ecr);
      assert.equal(e?.message, `message of ${ecr}`);
    }
  });

  test('registry errors pass through; unexpected failures are not mapped', () => {
    const r = new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', undefined, { digest: 'd' });
    assert.equal(toRegistryError(r), r);
    assert.equal(r.status, 404);
    assert.equal(toRegistryError(new TypeError('boom')), undefined);
    assert.equal(toRegistryError(new AwsError('InternalFailure', 'x', 500)), undefined);
  });

  test('the body is the spec JSON', () => {
    const body = JSON.parse(errorBody(new RegistryError('DIGEST_INVALID', 'bad', 400, { digest: 'd' })).toString());
    assert.deepEqual(body, { errors: [{ code: 'DIGEST_INVALID', message: 'bad', detail: { digest: 'd' } }] });
  });
});
