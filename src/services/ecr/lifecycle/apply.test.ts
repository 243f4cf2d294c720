import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createMemoryStore } from '../../../store/memory.js';
import type { BlobStore, Scope, Tx } from '../../../store/types.js';
import type { Clock } from '../../../core/clock.js';
import { findImage, imagesOf, putManifest } from '../images.js';
import { blobOf, hasLayer, linkLayer, storeBlob } from '../layers.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, DOCKER_LIST } from '../manifests.js';
import { REPOSITORY, registryScope, type RepositoryRecord } from '../records.js';
import { applyAllEcrLifecycles, applyLifecycle, catchUpRepository, MAX_LAG_MS } from './apply.js';
import { DAY_MS } from './evaluate.js';

const ACCOUNT = '111111111111';
const scope = registryScope(ACCOUNT, 'us-east-1');
const T0 = Date.parse('2026-03-01T10:00:00Z');
const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

const keep = (n: number) => JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: n }, action: { type: 'expire' } }] });

function repo(tx: Tx, s: Scope, name: string, text?: string): RepositoryRecord {
  const r: RepositoryRecord = {
    name, arn: `arn:aws:ecr:${s.region}:${s.account}:repository/${name}`, registryId: s.account, region: s.region,
    uri: `${s.account}.dkr.ecr.${s.region}.localhost:4566/${name}`, createdAtMs: T0, imageTagMutability: 'MUTABLE', scanOnPush: false,
    encryption: { encryptionType: 'AES256' }, tags: [],
    ...(text ? { lifecycle: { text, dueAtMs: T0 + MAX_LAG_MS } } : {}),
  };
  tx.put(s, REPOSITORY, name, r);
  return r;
}

function layer(tx: Tx, s: Scope, repoName: string, content: string): { digest: string; size: number } {
  const digest = sha(content);
  storeBlob(tx, digest, [{ blob: `blob-${content}`, size: content.length }], content.length);
  linkLayer(tx, s, repoName, digest, content.length, T0);
  return { digest, size: content.length };
}

/** An image with its own config and layer plus a layer every image shares, pushed `hoursIn` after T0. */
function image(tx: Tx, s: Scope, r: RepositoryRecord, seed: string, hoursIn: number, tag?: string): string {
  const bytes = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: DOCKER_MANIFEST,
    config: { mediaType: DOCKER_CONFIG, ...layer(tx, s, r.name, `config-${seed}`) },
    layers: [layer(tx, s, r.name, 'shared-base-layer'), layer(tx, s, r.name, `layer-${seed}`)]
      .map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...l })),
  }));
  return putManifest(tx, s, r, { bytes, tag, nowMs: T0 + hoursIn * 3600_000 }).image.digest;
}

const digests = (tx: Tx, s: Scope, name: string) => imagesOf(tx, s, name).map((i) => i.digest).sort();

describe('applying lifecycle policies', () => {
  test('keep 3: the older images, their tags and their own layers go; the shared layer and the newest 3 stay', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo(tx, scope, 'app', keep(3));
      const ids = ['a', 'b', 'c', 'd', 'e'].map((seed, i) => image(tx, scope, r, seed, i, `v${i}`));
      const now = T0 + 2 * DAY_MS;
      const out = applyLifecycle(tx, scope, 'app', now);
      assert.deepEqual(out.expired, [ids[0], ids[1]]);
      assert.deepEqual(digests(tx, scope, 'app'), ids.slice(2).sort());
      assert.equal(findImage(tx, scope, 'app', { tag: 'v0' }), undefined, 'the tag went with the image');
      assert.ok(findImage(tx, scope, 'app', { tag: 'v2' }));
      // Each expired image had its own config and layer: four links dropped, four blobs unreferenced.
      assert.deepEqual(out.blobs.sort(), ['blob-config-a', 'blob-config-b', 'blob-layer-a', 'blob-layer-b']);
      assert.equal(hasLayer(tx, scope, 'app', sha('layer-a')), undefined);
      assert.ok(hasLayer(tx, scope, 'app', sha('shared-base-layer')));
      assert.equal(blobOf(tx, sha('layer-a')), undefined);
      const rec = tx.get<RepositoryRecord>(scope, REPOSITORY, 'app')!;
      assert.equal(rec.lifecycle!.lastEvaluatedAtMs, now);
      assert.equal(rec.lifecycle!.dueAtMs, now + MAX_LAG_MS, 'a count rule: due again a day on');
      assert.deepEqual(applyLifecycle(tx, scope, 'app', now).expired, [], 'nothing left to expire');
    });
  });

  test('catchUpRepository does nothing before the policy is due, and applies it once due', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo(tx, scope, 'app', keep(1));
      image(tx, scope, r, 'a', 0, 'old');
      image(tx, scope, r, 'b', 1, 'new');
      assert.deepEqual(catchUpRepository(tx, scope, 'app', T0 + MAX_LAG_MS - 1), []);
      assert.equal(imagesOf(tx, scope, 'app').length, 2, 'not due: untouched');
      assert.equal(tx.get<RepositoryRecord>(scope, REPOSITORY, 'app')!.lifecycle!.lastEvaluatedAtMs, undefined);
      assert.equal(catchUpRepository(tx, scope, 'app', T0 + MAX_LAG_MS).length, 2, "the old image's config and layer blobs");
      assert.deepEqual(imagesOf(tx, scope, 'app').map((i) => i.tags), [['new']]);
      assert.deepEqual(catchUpRepository(tx, scope, 'nope', T0 + MAX_LAG_MS), [], 'no such repository: nothing');
    });
  });

  test('an age rule is due again the moment its next image turns old enough', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const text = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }] });
      const r = repo(tx, scope, 'app', text);
      const old = image(tx, scope, r, 'a', 0);
      const young = image(tx, scope, r, 'b', 20);
      const now = T0 + 25 * 3600_000;
      assert.deepEqual(applyLifecycle(tx, scope, 'app', now).expired, [old]);
      const due = tx.get<RepositoryRecord>(scope, REPOSITORY, 'app')!.lifecycle!.dueAtMs!;
      assert.equal(due, T0 + 20 * 3600_000 + DAY_MS + 1);
      assert.equal(catchUpRepository(tx, scope, 'app', due - 1).length, 0);
      assert.deepEqual(digests(tx, scope, 'app'), [young]);
      catchUpRepository(tx, scope, 'app', due);
      assert.deepEqual(digests(tx, scope, 'app'), []);
    });
  });

  test('an image a manifest list still lists is kept; expiring the list too lets both go', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const r = repo(tx, scope, 'multi', keep(1));
      const child = image(tx, scope, r, 'amd64', 0);
      const other = image(tx, scope, r, 'arm64', 1);
      const list = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: DOCKER_LIST,
        manifests: [child, other].map((digest) => ({ mediaType: DOCKER_MANIFEST, digest, size: 100, platform: { architecture: 'amd64', os: 'linux' } })),
      }));
      const index = putManifest(tx, scope, r, { bytes: list, tag: 'latest', nowMs: T0 + 2 * 3600_000 }).image.digest;
      // Keep 1: the index is the newest; both children are past the count but the index lists them.
      assert.deepEqual(applyLifecycle(tx, scope, 'multi', T0 + DAY_MS).expired, []);
      assert.equal(imagesOf(tx, scope, 'multi').length, 3);
      const tagged = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }] });
      tx.put(scope, REPOSITORY, 'multi', { ...tx.get<RepositoryRecord>(scope, REPOSITORY, 'multi')!, lifecycle: { text: tagged } });
      assert.deepEqual(applyLifecycle(tx, scope, 'multi', T0 + 3 * DAY_MS).expired.sort(), [child, other, index].sort());
    });
  });

  test('a transition rule moves old images to the archive storage class; the archive rule expires them later', async () => {
    const store = createMemoryStore();
    await store.transaction((tx) => {
      const text = JSON.stringify({ rules: [
        { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } },
        { rulePriority: 2, selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
      ] });
      const r = repo(tx, scope, 'app', text);
      const a = image(tx, scope, r, 'a', 0, 'v1');
      image(tx, scope, r, 'b', 24 * 20, 'v2');
      assert.deepEqual(applyLifecycle(tx, scope, 'app', T0 + 31 * DAY_MS).expired, []);
      const archived = findImage(tx, scope, 'app', { digest: a })!;
      assert.equal(archived.storageClass, 'ARCHIVE');
      assert.equal(archived.archivedAtMs, T0 + 31 * DAY_MS);
      assert.deepEqual(applyLifecycle(tx, scope, 'app', T0 + 100 * DAY_MS).expired, [], '69 days in the archive: kept');
      assert.deepEqual(applyLifecycle(tx, scope, 'app', T0 + 122 * DAY_MS).expired, [a], '91 days in the archive: expired');
    });
  });

  test('applyAllEcrLifecycles brings every registry up to date and deletes the blobs left unreferenced', async () => {
    const store = createMemoryStore();
    const other = registryScope('222222222222', 'eu-west-1');
    await store.transaction((tx) => {
      const r1 = repo(tx, scope, 'one', keep(1));
      const r2 = repo(tx, other, 'two', keep(2));
      const r3 = repo(tx, scope, 'nopolicy');
      for (const [i, seed] of ['a', 'b', 'c'].entries()) {
        image(tx, scope, r1, `1${seed}`, i);
        image(tx, other, r2, `2${seed}`, i);
        image(tx, scope, r3, `3${seed}`, i);
      }
    });
    const deleted: string[] = [];
    const blobs = { delete: (id: string) => { deleted.push(id); } } as unknown as BlobStore;
    const clock = { nowMs: () => T0 + DAY_MS } as Clock;
    assert.equal(await applyAllEcrLifecycles(store, clock, blobs), 6);
    assert.deepEqual(deleted.sort(), ['blob-config-1a', 'blob-config-1b', 'blob-config-2a', 'blob-layer-1a', 'blob-layer-1b', 'blob-layer-2a']);
    await store.transaction((tx) => {
      assert.equal(imagesOf(tx, scope, 'one').length, 1);
      assert.equal(imagesOf(tx, other, 'two').length, 2);
      assert.equal(imagesOf(tx, scope, 'nopolicy').length, 3);
      assert.equal(tx.get<RepositoryRecord>(other, REPOSITORY, 'two')!.lifecycle!.lastEvaluatedAtMs, T0 + DAY_MS);
    });
  });
});
