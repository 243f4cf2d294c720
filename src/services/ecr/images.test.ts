import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import {
  MAX_TAGS_PER_IMAGE, deleteImage, deleteRepositoryImages, findImage, imagesOf, indexesReferencing, isTagImmutable, putManifest, recordPull,
  referencedDigests, referrersOf, untagImage, wildcardMatch,
} from './images.js';
import { linkLayer, storeBlob } from './layers.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, sha256Digest } from './manifests.js';
import { IMAGE, registryScope, repoKey, SCAN, TAG, type RepositoryRecord, type TagMutability } from './records.js';

const ACCOUNT = '111111111111';
const scope = registryScope(ACCOUNT, 'us-east-1');
const T0 = Date.parse('2026-03-01T10:00:00Z');
const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

function repo(name = 'app', imageTagMutability: TagMutability = 'MUTABLE', filters?: string[]): RepositoryRecord {
  return {
    name, arn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`, registryId: ACCOUNT, region: 'us-east-1',
    uri: `${ACCOUNT}.dkr.ecr.us-east-1.localhost:4566/${name}`, createdAtMs: T0, imageTagMutability, scanOnPush: false,
    encryption: { encryptionType: 'AES256' }, tags: [],
    ...(filters ? { imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD', filter })) } : {}),
  };
}

/** A layer blob in the repository, as an upload would leave it. */
function layer(tx: Tx, repoName: string, content: string): { digest: string; size: number } {
  const digest = sha(content);
  storeBlob(tx, digest, [{ blob: `blob-${digest.slice(7, 15)}`, size: content.length }], content.length);
  linkLayer(tx, scope, repoName, digest, content.length, T0);
  return { digest, size: content.length };
}

function manifestOf(config: { digest: string; size: number }, layers: Array<{ digest: string; size: number }>, extra: object = {}): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: DOCKER_MANIFEST,
    config: { mediaType: DOCKER_CONFIG, ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
    ...extra,
  }));
}

/** A stored image with its own config and one layer; returns the manifest bytes. */
function image(tx: Tx, r: RepositoryRecord, seed: string, tag?: string) {
  const bytes = manifestOf(layer(tx, r.name, `config-${seed}`), [layer(tx, r.name, `layer-${seed}-0123456789`)]);
  return { bytes, ...putManifest(tx, scope, r, { bytes, tag, nowMs: T0 }) };
}

function throwsCode(fn: () => unknown, code: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === code && (!re || re.test(e.message)));
}

describe('images', () => {
  test('putManifest stores the exact bytes under their digest with the tag, size is the layers', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const cfg = layer(tx, 'app', 'cfg');
      const l1 = layer(tx, 'app', 'layer one');
      const l2 = layer(tx, 'app', 'layer number two');
      const bytes = Buffer.from(`  ${manifestOf(cfg, [l1, l2]).toString()}\n`);
      const { image: img, created } = putManifest(tx, scope, r, { bytes, tag: 'v1', nowMs: T0 });
      assert.equal(created, true);
      assert.equal(img.digest, sha256Digest(bytes));
      assert.equal(img.manifest, bytes.toString('utf8'));
      assert.equal(img.mediaType, DOCKER_MANIFEST);
      assert.equal(img.artifactMediaType, DOCKER_CONFIG);
      assert.equal(img.sizeBytes, l1.size + l2.size);
      assert.deepEqual(img.tags, ['v1']);
      assert.deepEqual(img.refs, [cfg.digest, l1.digest, l2.digest]);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v1' })?.digest, img.digest);
      assert.equal(findImage(tx, scope, 'app', { digest: img.digest })?.digest, img.digest);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v1', digest: sha('other') }), undefined);
      assert.deepEqual([...referencedDigests(tx, scope, 'app')].sort(), [cfg.digest, l1.digest, l2.digest].sort());
      // The same bytes again: no new image; another tag is added.
      const again = putManifest(tx, scope, r, { bytes, tag: 'latest', nowMs: T0 + 1 });
      assert.equal(again.created, false);
      assert.deepEqual(again.image.tags, ['latest', 'v1']);
      assert.equal(again.image.pushedAtMs, T0);
    });
  });

  test('missing layers, wrong digest, bad tags, bad manifests: refused and nothing written', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const cfg = layer(tx, 'app', 'cfg');
      const gone = { digest: sha('never uploaded'), size: 5 };
      throwsCode(() => putManifest(tx, scope, r, { bytes: manifestOf(cfg, [gone]), tag: 'x', nowMs: T0 }), 'LayersNotFoundException',
        new RegExp(`Layers with digests '\\[${gone.digest}\\]' required for pushing image into repository with name 'app' in the registry with id '${ACCOUNT}' do not exist`));
      // A layer held by another repository is not this one's.
      const elsewhere = layer(tx, 'other', 'other layer');
      throwsCode(() => putManifest(tx, scope, r, { bytes: manifestOf(cfg, [elsewhere]), nowMs: T0 }), 'LayersNotFoundException');
      const ok = manifestOf(cfg, [layer(tx, 'app', 'l')]);
      throwsCode(() => putManifest(tx, scope, r, { bytes: ok, digest: sha('not it'), nowMs: T0 }), 'ImageDigestDoesNotMatchException');
      throwsCode(() => putManifest(tx, scope, r, { bytes: ok, tag: 'bad tag', nowMs: T0 }), 'InvalidParameterException', /imageTag/);
      throwsCode(() => putManifest(tx, scope, r, { bytes: ok, tag: '-x', nowMs: T0 }), 'InvalidParameterException');
      throwsCode(() => putManifest(tx, scope, r, { bytes: ok, tag: 'a'.repeat(301), nowMs: T0 }), 'InvalidParameterException');
      throwsCode(() => putManifest(tx, scope, r, { bytes: Buffer.from('{nope'), nowMs: T0 }), 'InvalidParameterException', /Invalid JSON syntax/);
      throwsCode(() => putManifest(tx, scope, r, { bytes: ok, mediaType: OCI_MANIFEST, nowMs: T0 }), 'InvalidParameterException', /does not match/);
      assert.equal(tx.count(scope, IMAGE), 0);
      assert.equal(tx.count(scope, TAG), 0);
      // Tags up to 300 characters are fine.
      assert.equal(putManifest(tx, scope, r, { bytes: ok, tag: 'a'.repeat(300), digest: sha256Digest(ok), nowMs: T0 }).created, true);
    });
  });

  test('a mutable tag moves and leaves the old image untagged; untag and delete keep the rows in step', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const a = image(tx, r, 'a', 'latest');
      const b = image(tx, r, 'b', 'latest');
      assert.deepEqual(findImage(tx, scope, 'app', { digest: a.image.digest })?.tags, []);
      assert.deepEqual(findImage(tx, scope, 'app', { digest: b.image.digest })?.tags, ['latest']);
      assert.equal(findImage(tx, scope, 'app', { tag: 'latest' })?.digest, b.image.digest);
      putManifest(tx, scope, r, { bytes: b.bytes, tag: 'v2', nowMs: T0 });
      untagImage(tx, scope, 'app', 'latest');
      assert.deepEqual(findImage(tx, scope, 'app', { digest: b.image.digest })?.tags, ['v2']);
      assert.equal(findImage(tx, scope, 'app', { tag: 'latest' }), undefined);
      tx.put(scope, SCAN, repoKey('app', b.image.digest), { status: 'COMPLETE', startedAtMs: T0, findings: [] });
      deleteImage(tx, scope, 'app', b.image.digest);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v2' }), undefined);
      assert.equal(tx.get(scope, SCAN, repoKey('app', b.image.digest)), undefined);
      assert.equal(tx.count(scope, TAG), 0);
      assert.deepEqual(imagesOf(tx, scope, 'app').map((i) => i.digest), [a.image.digest]);
    });
  });

  test('IMMUTABLE refuses any re-tag, even to the same image; exclusion filters make tags mutable or immutable', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo('app', 'IMMUTABLE');
      const a = image(tx, r, 'a', 'v1');
      const msg = /The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable\./;
      throwsCode(() => image(tx, r, 'b', 'v1'), 'ImageTagAlreadyExistsException', msg);
      throwsCode(() => putManifest(tx, scope, r, { bytes: a.bytes, tag: 'v1', nowMs: T0 }), 'ImageTagAlreadyExistsException', msg);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v1' })?.digest, a.image.digest);
      // A new tag on an immutable repository is fine.
      assert.deepEqual(putManifest(tx, scope, r, { bytes: a.bytes, tag: 'v1.0', nowMs: T0 }).image.tags, ['v1', 'v1.0']);

      const excl = repo('excl', 'IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*']);
      assert.equal(isTagImmutable(excl, 'latest'), false);
      assert.equal(isTagImmutable(excl, 'dev-123'), false);
      assert.equal(isTagImmutable(excl, 'v1'), true);
      image(tx, excl, 'c', 'dev-1');
      image(tx, excl, 'd', 'dev-1');
      image(tx, excl, 'e', 'v1');
      throwsCode(() => image(tx, excl, 'f', 'v1'), 'ImageTagAlreadyExistsException');

      const mut = repo('mut', 'MUTABLE_WITH_EXCLUSION', ['release-*']);
      assert.equal(isTagImmutable(mut, 'release-1'), true);
      assert.equal(isTagImmutable(mut, 'latest'), false);
      assert.equal(isTagImmutable(repo(), 'anything'), false);
      assert.equal(wildcardMatch('a*b*c', 'aXXbYc'), true);
      assert.equal(wildcardMatch('a.b', 'aXb'), false, 'a dot is literal');
      assert.equal(wildcardMatch('v1', 'v10'), false);
    });
  });

  test('an index needs its children in the repository; its size is theirs; indexesReferencing finds it', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const amd = image(tx, r, 'amd64');
      const arm = image(tx, r, 'arm64');
      const index = (digests: string[]) => Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_INDEX,
        manifests: digests.map((digest, i) => ({ mediaType: DOCKER_MANIFEST, digest, size: 100, platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' } })),
      }));
      const missing = sha('no such manifest');
      throwsCode(() => putManifest(tx, scope, r, { bytes: index([amd.image.digest, missing]), nowMs: T0 }), 'ReferencedImagesNotFoundException', new RegExp(`\\[${missing}\\]`));
      const idx = putManifest(tx, scope, r, { bytes: index([amd.image.digest, arm.image.digest]), tag: 'multi', nowMs: T0 }).image;
      assert.equal(idx.mediaType, OCI_INDEX);
      assert.equal(idx.sizeBytes, amd.image.sizeBytes + arm.image.sizeBytes);
      assert.deepEqual(idx.children?.map((c) => c.platform?.architecture), ['amd64', 'arm64']);
      assert.equal(idx.artifactMediaType, undefined);
      assert.deepEqual(indexesReferencing(tx, scope, 'app', arm.image.digest), [idx.digest]);
      assert.deepEqual(indexesReferencing(tx, scope, 'app', idx.digest), []);
      // Child digests are not layer digests.
      assert.equal(referencedDigests(tx, scope, 'app').has(amd.image.digest), false);
    });
  });

  test('subject: referrers found by the subject digest, which need not exist', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const base = image(tx, r, 'base', 'v1');
      const empty = layer(tx, 'app', '{}');
      const sig = layer(tx, 'app', 'signature payload');
      const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/vnd.example.sig.layer', ...sig }],
        subject: { mediaType: DOCKER_MANIFEST, digest: base.image.digest, size: base.bytes.length },
      }));
      const ref = putManifest(tx, scope, r, { bytes, nowMs: T0 }).image;
      assert.equal(ref.subject, base.image.digest);
      assert.equal(ref.artifactMediaType, 'application/vnd.example.sig');
      assert.deepEqual(referrersOf(tx, scope, 'app', base.image.digest).map((i) => i.digest), [ref.digest]);
      const orphan = Buffer.from(bytes.toString().replace(base.image.digest, sha('absent subject')));
      assert.equal(putManifest(tx, scope, r, { bytes: orphan, nowMs: T0 }).created, true);
    });
  });

  test('tags per image are bounded: LimitExceededException past MAX_TAGS_PER_IMAGE, nothing moved', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo();
      const a = image(tx, r, 'a', 't0');
      for (let i = 1; i < MAX_TAGS_PER_IMAGE; i++) putManifest(tx, scope, r, { bytes: a.bytes, tag: `t${i}`, nowMs: T0 });
      const b = image(tx, r, 'b', 'other');
      throwsCode(() => putManifest(tx, scope, r, { bytes: a.bytes, tag: 'other', nowMs: T0 }), 'LimitExceededException');
      assert.equal(findImage(tx, scope, 'app', { tag: 'other' })?.digest, b.image.digest);
      assert.equal(findImage(tx, scope, 'app', { digest: a.image.digest })?.tags.length, MAX_TAGS_PER_IMAGE);
    });
  });

  test('recordPull keeps the latest time; deleteRepositoryImages leaves other repositories alone', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const a = image(tx, repo('app'), 'a', 'v1');
      const b = image(tx, repo('app2'), 'b', 'v1');
      recordPull(tx, scope, 'app', a.image.digest, T0 + 5000);
      recordPull(tx, scope, 'app', a.image.digest, T0 + 1000);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v1' })?.lastPullMs, T0 + 5000);
      deleteRepositoryImages(tx, scope, 'app');
      assert.equal(imagesOf(tx, scope, 'app').length, 0);
      assert.equal(findImage(tx, scope, 'app', { tag: 'v1' }), undefined);
      assert.equal(findImage(tx, scope, 'app2', { tag: 'v1' })?.digest, b.image.digest);
    });
  });
});
