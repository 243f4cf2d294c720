import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../store/memory.js';
import { idFailure, idText, imageNotFound, toImageDetail } from './image-shapes.js';
import { IMAGE, registryScope, repoKey, SCAN, type ImageRecord, type ScanRecord } from './records.js';

const scope = registryScope('111111111111', 'us-east-1');
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const T0 = Date.parse('2026-05-01T12:00:00Z');
const img: ImageRecord = {
  repo: 'app', digest: DIGEST, manifest: '{}', mediaType: 'application/vnd.oci.image.manifest.v1+json', sizeBytes: 1234,
  pushedAtMs: T0, tags: ['b', 'a'], refs: [],
};

describe('image shapes', () => {
  test('ImageDetail: scan status and a summary counted by severity from the SCAN row', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      tx.put(scope, IMAGE, repoKey('app', DIGEST), img);
      const bare = toImageDetail(tx, scope, img, '111111111111');
      assert.equal(bare.imageScanStatus, undefined);
      assert.equal(bare.imageScanFindingsSummary, undefined);
      assert.equal(bare.imageStatus, 'ACTIVE');
      assert.deepEqual(bare.imageTags, ['b', 'a']);

      tx.put(scope, SCAN, repoKey('app', DIGEST), { status: 'IN_PROGRESS', startedAtMs: T0, findings: [] } satisfies ScanRecord);
      const running = toImageDetail(tx, scope, img, '111111111111');
      assert.deepEqual(running.imageScanStatus, { status: 'IN_PROGRESS' });
      assert.equal(running.imageScanFindingsSummary, undefined, 'no summary before the scan completes');

      const f = (severity: string) => ({ name: `CVE-${severity}`, severity, package: 'p', version: '1', ecosystem: 'Debian:12' });
      tx.put(scope, SCAN, repoKey('app', DIGEST), {
        status: 'COMPLETE', description: 'The scan was completed successfully.', startedAtMs: T0, completedAtMs: T0 + 5000,
        database: 'cloudlet OSV extract, updated 2026-11-30T08:15:00.000Z', findings: [f('HIGH'), f('LOW'), f('HIGH')],
      } satisfies ScanRecord);
      const done = toImageDetail(tx, scope, img, '111111111111');
      assert.equal(done.imageScanStatus?.status, 'COMPLETE');
      assert.deepEqual(done.imageScanFindingsSummary?.findingSeverityCounts, { HIGH: 2, LOW: 1 });
      assert.equal(done.imageScanFindingsSummary?.imageScanCompletedAt?.getTime(), T0 + 5000);
      assert.equal(done.imageScanFindingsSummary?.vulnerabilitySourceUpdatedAt?.toISOString(), '2026-11-30T08:15:00.000Z');
    });
  });

  test('image ids in messages and failures, as ECR prints them', () => {
    assert.equal(idText({ imageTag: 'v1' }), "{imageDigest:'null', imageTag:'v1'}");
    assert.match(imageNotFound({ imageDigest: DIGEST }, 'app', '111111111111').message,
      /^The image with imageId \{imageDigest:'sha256:(ab)+', imageTag:'null'\} does not exist within the repository with name 'app' in the registry with id '111111111111'$/);
    assert.equal(idFailure({})?.failureCode, 'MissingDigestAndTag');
    assert.equal(idFailure({ imageDigest: 'nope' })?.failureCode, 'InvalidImageDigest');
    assert.equal(idFailure({ imageDigest: 'sha256:abc' })?.failureCode, 'ImageNotFound', 'well-formed but not a sha256 digest of 64 hex digits');
    assert.equal(idFailure({ imageDigest: DIGEST, imageTag: 'x' }), undefined);
  });
});
