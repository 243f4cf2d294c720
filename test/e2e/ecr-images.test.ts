// ECR image operations with @aws-sdk/client-ecr: layers pushed with the layer API
// (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload), then PutImage, DescribeImages, ListImages,
// BatchGetImage, BatchDeleteImage, ListImageReferrers, UpdateImageStorageClass; tags that move,
// IMMUTABLE repositories, indexes and their children, pagination, the errors and failures ECR gives;
// the AWS CLI (v1 and v2) for the same calls.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchDeleteImageCommand, BatchGetImageCommand, CreateRepositoryCommand, DescribeImageReplicationStatusCommand,
  DescribeImagesCommand, DescribeImageSigningStatusCommand, ECRClient, GetAuthorizationTokenCommand, ListImageReferrersCommand,
  ListImagesCommand, PutImageCommand, PutReplicationConfigurationCommand, PutSigningConfigurationCommand, DeleteSigningConfigurationCommand, UpdateImageStorageClassCommand,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, expectError, pushBlob as pushLayer, sha } from '../helpers/ecr.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT = '111111111111';


describe('ECR images (SDK)', () => {
  let server: Cloudlet;
  let ecr: ECRClient;
  let password: string;

  before(async () => {
    server = await startTestServer();
    ecr = new ECRClient(clientConfig(server.url, 'us-east-1', { accessKeyId: ACCOUNT, secretAccessKey: 'test' }));
    const t = await ecr.send(new GetAuthorizationTokenCommand({}));
    password = Buffer.from(t.authorizationData![0]!.authorizationToken!, 'base64').toString().slice('AWS:'.length);
    for (const [repositoryName, imageTagMutability] of [['app', 'MUTABLE'], ['locked', 'IMMUTABLE'], ['multi', 'MUTABLE']] as const) {
      await ecr.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability }));
    }
  });
  after(async () => {
    ecr.destroy();
    await server.close();
  });

  const pushBlob = (repo: string, body: Buffer | string) => pushLayer(ecr, repo, body);

  /** A Docker v2 image manifest over a fresh config and `layers` layers in `repo`. */
  async function dockerImage(repo: string, seed: string, layers = 1): Promise<{ manifest: string; digest: string; size: number }> {
    const config = await pushBlob(repo, JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
    const ls = [];
    for (let i = 0; i < layers; i++) ls.push(await pushBlob(repo, `layer ${i} of ${seed} ${'x'.repeat(100 * (i + 1))}`));
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, ...config },
      layers: ls.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
    });
    return { manifest, digest: sha(manifest), size: ls.reduce((n, l) => n + l.size, 0) };
  }

  test('PutImage, then DescribeImages, ListImages and BatchGetImage see it; re-push and moved tags', async () => {
    const a = await dockerImage('app', 'a', 2);
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: a.manifest, imageTag: 'v1' }));
    assert.deepEqual(put.image?.imageId, { imageDigest: a.digest, imageTag: 'v1' });
    assert.equal(put.image?.imageManifestMediaType, DOCKER_MANIFEST);
    assert.equal(put.image?.registryId, ACCOUNT);

    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: a.manifest, imageTag: 'v1' })), 'ImageAlreadyExistsException',
      new RegExp(`^Image with digest '${a.digest}' and tag 'v1' already exists in the repository with name 'app' in registry with id '${ACCOUNT}'$`));
    // A second tag on the same manifest is a retag, not a new image.
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: a.manifest, imageTag: 'latest', imageDigest: a.digest }));

    const d = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));
    assert.equal(d.imageDetails?.length, 1);
    const detail = d.imageDetails![0]!;
    assert.equal(detail.imageDigest, a.digest);
    assert.deepEqual(detail.imageTags, ['latest', 'v1']);
    assert.equal(detail.imageSizeInBytes, a.size);
    assert.equal(detail.imageManifestMediaType, DOCKER_MANIFEST);
    assert.equal(detail.artifactMediaType, DOCKER_CONFIG);
    assert.equal(detail.repositoryName, 'app');
    assert.equal(detail.imageStatus, 'ACTIVE');
    assert.ok(detail.imagePushedAt instanceof Date && Math.abs(detail.imagePushedAt.getTime() - Date.now()) < 60_000);
    assert.equal(detail.lastRecordedPullTime, undefined);
    assert.equal(detail.imageScanStatus, undefined, 'never scanned');

    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'latest' }, { imageDigest: a.digest }, { imageTag: 'nope' }, {}] }));
    assert.equal(got.images?.length, 2);
    assert.equal(got.images![0]!.imageManifest, a.manifest, 'the manifest exactly as pushed');
    assert.deepEqual(got.images![0]!.imageId, { imageDigest: a.digest, imageTag: 'latest' });
    assert.deepEqual(got.images![1]!.imageId, { imageDigest: a.digest });
    assert.deepEqual(got.failures, [
      { imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      { imageId: {}, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
    ]);
    // The registry serves the same bytes under the same digest.
    const r = await fetch(`${server.url}/v2/app/manifests/v1`, {
      headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`, accept: DOCKER_MANIFEST },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-content-digest'), a.digest);
    assert.equal(await r.text(), a.manifest);
    const pulled = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!;
    assert.ok(pulled.lastRecordedPullTime instanceof Date, 'BatchGetImage records the pull');

    // Not accepted: no conversion, a failure.
    const oci = await ecr.send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: [OCI_MANIFEST] }));
    assert.equal(oci.images?.length, 0);
    assert.equal(oci.failures?.[0]?.failureCode, 'ImageNotFound');

    // Moving 'latest' to a new image leaves 'v1' on the old one; moving 'v1' too leaves it untagged.
    const b = await dockerImage('app', 'b');
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: b.manifest, imageTag: 'latest' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: b.manifest, imageTag: 'v1' }));
    const untagged = await ecr.send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untagged.imageIds, [{ imageDigest: a.digest }]);
    const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(tagged.imageDetails?.map((i) => [i.imageDigest, i.imageTags]), [[b.digest, ['latest', 'v1']]]);
    const all = await ecr.send(new ListImagesCommand({ repositoryName: 'app' }));
    const ids = (all.imageIds ?? []).map((i) => `${i.imageDigest}:${i.imageTag ?? '-'}`).sort();
    assert.deepEqual(ids, [`${a.digest}:-`, `${b.digest}:latest`, `${b.digest}:v1`].sort());
  });

  test('refusals: missing layers, wrong digest, bad manifests and tags, unknown repository and image', async () => {
    const cfg = await pushBlob('app', '{"refusals":true}');
    const missing = sha('never pushed');
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, ...cfg },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: missing, size: 12 }],
    });
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'broken' })), 'LayersNotFoundException',
      new RegExp(`Layers with digests '\\[${missing}\\]' required for pushing image into repository with name 'app'`));
    const ok = await dockerImage('app', 'refusals');
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ok.manifest, imageDigest: sha('other') })), 'ImageDigestDoesNotMatchException');
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: '{"schemaVersion":2', imageTag: 'x' })), 'InvalidParameterException', /Invalid JSON syntax/);
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ok.manifest, imageManifestMediaType: OCI_MANIFEST })), 'InvalidParameterException', /does not match/);
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: JSON.stringify({ schemaVersion: 1, name: 'app', tag: 'x', fsLayers: [] }) })), 'InvalidParameterException', /schema version 1/);
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ok.manifest, imageTag: 'has space' })), 'InvalidParameterException', /imageTag/);
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ok.manifest, imageTag: 'x'.repeat(301) })), 'InvalidParameterException', /^Invalid parameter at 'imageTag' failed to satisfy constraint: 'must have length less than or equal to 300'$/);
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'no-such-repo', imageManifest: ok.manifest })), 'RepositoryNotFoundException',
      new RegExp(`The repository with name 'no-such-repo' does not exist in the registry with id '${ACCOUNT}'`));
    await expectError(ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'ghost' }] })), 'ImageNotFoundException',
      new RegExp(`^The image with imageId \\{imageDigest:'null', imageTag:'ghost'\\} does not exist within the repository with name 'app' in the registry with id '${ACCOUNT}'$`));
    const none = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }));
    assert.ok(!none.imageDetails?.some((i) => i.imageTags?.includes('broken')), 'nothing stored half-way');
  });

  test('IMMUTABLE: a tag cannot be moved or re-pushed; new tags are fine', async () => {
    const a = await dockerImage('locked', 'la');
    const b = await dockerImage('locked', 'lb');
    await ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: a.manifest, imageTag: 'v1' }));
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: b.manifest, imageTag: 'v1' })), 'ImageTagAlreadyExistsException',
      /^The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable\.$/);
    await ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: b.manifest, imageTag: 'v2' }));
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'locked', imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(got.images?.[0]?.imageId?.imageDigest, a.digest, 'v1 still points at the first image');

    // IMMUTABLE_WITH_EXCLUSION: tags matching a filter stay mutable.
    await ecr.send(new CreateRepositoryCommand({
      repositoryName: 'excl', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
    }));
    const c = await dockerImage('excl', 'ec');
    const e = await dockerImage('excl', 'ee');
    for (const tag of ['latest', 'dev-42', 'release-1']) await ecr.send(new PutImageCommand({ repositoryName: 'excl', imageManifest: c.manifest, imageTag: tag }));
    for (const tag of ['latest', 'dev-42']) await ecr.send(new PutImageCommand({ repositoryName: 'excl', imageManifest: e.manifest, imageTag: tag }));
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'excl', imageManifest: e.manifest, imageTag: 'release-1' })), 'ImageTagAlreadyExistsException');
    const tags = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'excl', imageIds: [{ imageDigest: e.digest }] }))).imageDetails![0]!.imageTags;
    assert.deepEqual(tags, ['dev-42', 'latest']);
  });

  test('an index needs its children; children of an index are not deleted; referrers and storage class', async () => {
    const amd = await dockerImage('multi', 'amd64');
    const arm = await dockerImage('multi', 'arm64');
    const index = JSON.stringify({
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [amd, arm].map((m, i) => ({ mediaType: DOCKER_MANIFEST, digest: m.digest, size: m.manifest.length, platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' } })),
    });
    await expectError(ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: index, imageTag: 'all' })), 'ReferencedImagesNotFoundException');
    await ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: amd.manifest }));
    await ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: arm.manifest }));
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: index, imageTag: 'all' }));
    assert.equal(put.image?.imageManifestMediaType, OCI_INDEX);
    const idx = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi', imageIds: [{ imageTag: 'all' }] }))).imageDetails![0]!;
    assert.equal(idx.imageSizeInBytes, amd.size + arm.size);

    const del = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: amd.digest }] }));
    assert.deepEqual(del.imageIds, []);
    assert.equal(del.failures?.[0]?.failureCode, 'ImageReferencedByManifestList');
    assert.match(del.failures![0]!.failureReason!, new RegExp(sha(index)));

    // A signature that refers to the amd64 image.
    const empty = await pushBlob('multi', '{}');
    const sigLayer = await pushBlob('multi', 'signature bytes');
    const sig = JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
      layers: [{ mediaType: 'application/vnd.example.signature.layer', ...sigLayer }],
      subject: { mediaType: DOCKER_MANIFEST, digest: amd.digest, size: amd.manifest.length },
      annotations: { 'org.example.signed-by': 'test' },
    });
    await ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: sig }));
    const refs = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'multi', subjectId: { imageDigest: amd.digest } }));
    assert.deepEqual(refs.referrers, [{
      digest: sha(sig), mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.signature', size: Buffer.byteLength(sig),
      annotations: { 'org.example.signed-by': 'test' }, artifactStatus: 'ACTIVE',
    }]);
    const filtered = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'multi', subjectId: { imageDigest: amd.digest }, filter: { artifactTypes: ['application/other'] } }));
    assert.deepEqual(filtered.referrers, []);
    const sigDetail = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: sha(sig) }] }))).imageDetails![0]!;
    assert.equal(sigDetail.subjectManifestDigest, amd.digest);
    assert.equal(sigDetail.artifactMediaType, 'application/vnd.example.signature');

    const archived = await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'multi', imageId: { imageDigest: sha(sig) }, targetStorageClass: 'ARCHIVE' }));
    assert.equal(archived.imageStatus, 'ARCHIVED');
    const active = await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi' }));
    assert.ok(!active.imageDetails?.some((i) => i.imageDigest === sha(sig)), 'archived images are not listed by default');
    const arch = await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi', filter: { imageStatus: 'ARCHIVED' } }));
    assert.deepEqual(arch.imageDetails?.map((i) => [i.imageDigest, i.imageStatus, i.lastArchivedAt instanceof Date]), [[sha(sig), 'ARCHIVED', true]]);
    const pull = await ecr.send(new BatchGetImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: sha(sig) }] }));
    assert.deepEqual(pull.failures?.map((f) => f.failureCode), ['ImageNotFound'], 'an archived image cannot be pulled');
    const restored = await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'multi', imageId: { imageDigest: sha(sig) }, targetStorageClass: 'STANDARD' }));
    assert.equal(restored.imageStatus, 'ACTIVE');
    // Re-pushing an archived image restores it too.
    await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'multi', imageId: { imageDigest: sha(sig) }, targetStorageClass: 'ARCHIVE' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: sig }));
    const back = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: sha(sig) }] }))).imageDetails![0]!;
    assert.equal(back.imageStatus, 'ACTIVE');
    assert.ok(back.lastActivatedAt instanceof Date);

    const rep = await ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'multi', imageId: { imageTag: 'all' } }));
    assert.deepEqual(rep.replicationStatuses, []);
    assert.equal(rep.imageId?.imageDigest, sha(index));
    const signing = await ecr.send(new DescribeImageSigningStatusCommand({ repositoryName: 'multi', imageId: { imageTag: 'all' } }));
    assert.deepEqual(signing.signingStatuses, []);
    await expectError(ecr.send(new DescribeImageSigningStatusCommand({ repositoryName: 'multi', imageId: { imageTag: 'nope' } })), 'ImageNotFoundException');
    // Configured but never performed: reported as failed, not as done.
    await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [
      { destinations: [{ region: 'us-west-2', registryId: ACCOUNT }], repositoryFilters: [{ filter: 'mul', filterType: 'PREFIX_MATCH' }] },
      { destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }], repositoryFilters: [{ filter: 'other', filterType: 'PREFIX_MATCH' }] },
    ] } }));
    const rep2 = await ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'multi', imageId: { imageTag: 'all' } }));
    assert.deepEqual(rep2.replicationStatuses?.map((r) => [r.region, r.registryId, r.status]), [['us-west-2', ACCOUNT, 'FAILED']]);
    assert.match(rep2.replicationStatuses![0]!.failureCode!, /does not replicate/);
    await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [] } }));
    const profile = `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/release_signer`;
    await ecr.send(new PutSigningConfigurationCommand({ signingConfiguration: { rules: [{ signingProfileArn: profile, repositoryFilters: [{ filter: 'mu*', filterType: 'WILDCARD_MATCH' }] }] } }));
    const signed = await ecr.send(new DescribeImageSigningStatusCommand({ repositoryName: 'multi', imageId: { imageTag: 'all' } }));
    assert.deepEqual(signed.signingStatuses?.map((x) => [x.signingProfileArn, x.status, x.failureCode]), [[profile, 'FAILED', 'SigningNotSupported']]);
    await ecr.send(new DeleteSigningConfigurationCommand({}));

    // Deleting the index by its last tag deletes it; then its children may go.
    const gone = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageTag: 'all' }] }));
    assert.deepEqual(gone.imageIds, [{ imageDigest: sha(index), imageTag: 'all' }]);
    const now = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: amd.digest }] }));
    assert.deepEqual(now.imageIds, [{ imageDigest: amd.digest }]);
    assert.deepEqual(now.failures, []);
  });

  test('BatchDeleteImage by tag untags; the last tag deletes the image; by digest deletes every tag', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'del' }));
    const a = await dockerImage('del', 'da');
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: a.manifest, imageTag: 'one' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: a.manifest, imageTag: 'two' }));
    const r1 = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageTag: 'one' }, { imageTag: 'ghost' }, { imageDigest: 'sha256:zz' }] }));
    assert.deepEqual(r1.imageIds, [{ imageDigest: a.digest, imageTag: 'one' }]);
    assert.deepEqual(r1.failures?.map((f) => f.failureCode), ['ImageNotFound', 'InvalidImageDigest']);
    assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName: 'del' }))).imageIds, [{ imageDigest: a.digest, imageTag: 'two' }]);
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageTag: 'two' }] }));
    assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName: 'del' }))).imageIds, [], 'the last tag took the image with it');

    const b = await dockerImage('del', 'db');
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: b.manifest, imageTag: 'x' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: b.manifest, imageTag: 'y' }));
    const r2 = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageDigest: b.digest }] }));
    assert.deepEqual(r2.imageIds, [{ imageDigest: b.digest, imageTag: 'x' }, { imageDigest: b.digest, imageTag: 'y' }]);
    assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: 'del' }))).imageDetails, []);
  });

  test('pagination: ListImages and DescribeImages pages cover everything once; a token of another query is refused', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'pages' }));
    const shared = await pushBlob('pages', 'shared layer for pages');
    const cfg = await pushBlob('pages', '{"pages":1}');
    const digests: string[] = [];
    for (let i = 0; i < 7; i++) {
      const manifest = JSON.stringify({
        schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, ...cfg },
        layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...shared }],
        annotations: { n: String(i) },
      });
      await ecr.send(new PutImageCommand({ repositoryName: 'pages', imageManifest: manifest, imageTag: `t${i}` }));
      digests.push(sha(manifest));
    }
    const seen: ImageIdentifier[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await ecr.send(new ListImagesCommand({ repositoryName: 'pages', maxResults: 3, nextToken: token }));
      seen.push(...r.imageIds!);
      token = r.nextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen.map((i) => i.imageTag).sort(), ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);

    const first = await ecr.send(new DescribeImagesCommand({ repositoryName: 'pages', maxResults: 4 }));
    const second = await ecr.send(new DescribeImagesCommand({ repositoryName: 'pages', maxResults: 4, nextToken: first.nextToken }));
    assert.equal(second.nextToken, undefined);
    assert.deepEqual([...first.imageDetails!, ...second.imageDetails!].map((i) => i.imageDigest).sort(), [...digests].sort());
    await expectError(ecr.send(new DescribeImagesCommand({ repositoryName: 'pages', nextToken: first.nextToken, filter: { tagStatus: 'UNTAGGED' } })), 'InvalidParameterException', /nextToken/);
    await expectError(ecr.send(new ListImagesCommand({ repositoryName: 'pages', nextToken: first.nextToken })), 'InvalidParameterException', /nextToken/);
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: put-image, describe-images, list-images, batch-get-image, batch-delete-image`, { skip: cli.skip }, async () => {
      const repo = `cli-${cli.name.replace(/\W+/g, '-')}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
      const img = await dockerImage(repo, cli.name);
      const env = { AWS_ACCESS_KEY_ID: ACCOUNT };
      const put = await awsJson(cli.bin, server.url, ['ecr', 'put-image', '--repository-name', repo, '--image-tag', 'v1', '--image-manifest', img.manifest], env);
      assert.deepEqual(put.image.imageId, { imageDigest: img.digest, imageTag: 'v1' });
      const d = await awsJson(cli.bin, server.url, ['ecr', 'describe-images', '--repository-name', repo], env);
      assert.deepEqual(d.imageDetails.map((i: { imageDigest: string; imageTags: string[]; imageSizeInBytes: number }) => [i.imageDigest, i.imageTags, i.imageSizeInBytes]), [[img.digest, ['v1'], img.size]]);
      const l = await awsJson(cli.bin, server.url, ['ecr', 'list-images', '--repository-name', repo, '--filter', 'tagStatus=TAGGED'], env);
      assert.deepEqual(l.imageIds, [{ imageDigest: img.digest, imageTag: 'v1' }]);
      const g = await awsJson(cli.bin, server.url, ['ecr', 'batch-get-image', '--repository-name', repo, '--image-ids', 'imageTag=v1', 'imageTag=v9'], env);
      assert.equal(g.images[0].imageManifest, img.manifest);
      assert.deepEqual(g.failures, [{ imageId: { imageTag: 'v9' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
      const again = await runAws(cli.bin, server.url, ['ecr', 'put-image', '--repository-name', repo, '--image-tag', 'v1', '--image-manifest', img.manifest], env);
      assert.notEqual(again.status, 0);
      assert.match(again.stderr, /ImageAlreadyExistsException/);
      const del = await awsJson(cli.bin, server.url, ['ecr', 'batch-delete-image', '--repository-name', repo, '--image-ids', 'imageTag=v1'], env);
      assert.deepEqual(del.imageIds, [{ imageDigest: img.digest, imageTag: 'v1' }]);
      assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName: repo }))).imageIds, []);
    });
  }
});
