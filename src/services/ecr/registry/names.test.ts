import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentRange, parsePath, parseRange, parseReference, registryFromHost } from './names.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('registry names', () => {
  test('endpoints: names with slashes, uploads with and without a UUID, tags, referrers, the base', () => {
    assert.deepEqual(parsePath('/v2/'), { kind: 'base' });
    assert.deepEqual(parsePath('/v2'), { kind: 'base' });
    assert.deepEqual(parsePath('/v2/_catalog'), { kind: 'catalog' });
    assert.deepEqual(parsePath(`/v2/team/app/blobs/${D}`), { kind: 'blob', name: 'team/app', digest: D });
    assert.deepEqual(parsePath('/v2/team/app/blobs/uploads/'), { kind: 'uploads', name: 'team/app' });
    assert.deepEqual(parsePath('/v2/app/blobs/uploads/1234'), { kind: 'uploads', name: 'app', uuid: '1234' });
    assert.deepEqual(parsePath('/v2/a/b/c/manifests/v1.0'), { kind: 'manifest', name: 'a/b/c', reference: 'v1.0' });
    assert.deepEqual(parsePath('/v2/app/tags/list'), { kind: 'tags', name: 'app' });
    assert.deepEqual(parsePath(`/v2/app/referrers/${D}`), { kind: 'referrers', name: 'app', digest: D });
    assert.equal(parsePath('/v2/app/other/x'), undefined);
    assert.equal(parsePath('/v2/%zz/tags/list'), undefined);
  });

  test('the path form ACCOUNT.dkr.ecr.REGION/NAME names another registry; the Host form too', () => {
    assert.deepEqual(parsePath('/v2/111111111111.dkr.ecr.eu-west-1/team/app/manifests/v1'), {
      kind: 'manifest', name: 'team/app', reference: 'v1', registry: { registryId: '111111111111', region: 'eu-west-1' },
    });
    // Alone it is a repository name, not a registry.
    assert.deepEqual(parsePath('/v2/111111111111.dkr.ecr.eu-west-1/tags/list'), { kind: 'tags', name: '111111111111.dkr.ecr.eu-west-1' });
    assert.deepEqual(registryFromHost('222222222222.dkr.ecr.us-gov-west-1.localhost'), { registryId: '222222222222', region: 'us-gov-west-1' });
    assert.equal(registryFromHost('localhost'), undefined);
    assert.equal(registryFromHost('22.dkr.ecr.us-east-1.localhost'), undefined);
  });

  test('references: tags and sha256 digests, anything else refused', () => {
    assert.deepEqual(parseReference('latest'), { tag: 'latest' });
    assert.deepEqual(parseReference(D), { digest: D });
    assert.equal(parseReference('sha512:abc'), undefined);
    assert.equal(parseReference('.hidden'), undefined);
    assert.equal(parseReference('x'.repeat(129)), undefined);
  });

  test('Content-Range of chunks: START-END with or without a unit', () => {
    assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
    assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
    assert.deepEqual(parseContentRange('bytes=5-5'), { start: 5, end: 5 });
    assert.equal(parseContentRange('9-3'), undefined);
    assert.equal(parseContentRange('abc'), undefined);
  });

  test('Range of GETs: closed, open, suffix; past the end unsatisfiable; garbage ignored', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseRange(undefined, 100), undefined);
  });
});
