import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { Clock } from '../../../core/clock.js';
import { createLogger } from '../../../core/log.js';
import { createTempBlobStore } from '../../../store/blobs.js';
import { createMemoryStore } from '../../../store/memory.js';
import type { Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { deleteImage, putManifest } from '../images.js';
import { linkLayer, storeBlob } from '../layers.js';
import { REGISTRY_ID, REGISTRY_SETTINGS, REPOSITORY, registryScope, repoKey, SCAN, type RepositoryRecord, type ScanRecord } from '../records.js';
import { describeImageScanFindings, startImageScan } from '../scan-handlers.js';
import { getScan, interrupted, shouldScanOnPush, startScan } from './index.js';
import { DEBIAN_12_OS_RELEASE, dpkgEntry, tarLayer } from './layer-testkit.js';

const store = createMemoryStore();
const blobs = createTempBlobStore();
const clock = new Clock();
after(() => { store.close(); blobs.close(); });
const scope = registryScope('111111111111', 'us-east-1');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const repo = (name: string, scanOnPush: boolean): RepositoryRecord => ({
  name, arn: `arn:aws:ecr:us-east-1:111111111111:repository/${name}`, registryId: '111111111111', region: 'us-east-1',
  uri: `111111111111.dkr.ecr.us-east-1.localhost:4566/${name}`, createdAtMs: 0, imageTagMutability: 'MUTABLE', scanOnPush,
  encryption: { encryptionType: 'AES256' }, tags: [],
});

/** A context as the pipeline makes one: afterCommit work is collected and run after the commit. */
function context(tx: Tx, later: Array<() => void | Promise<void>>): RequestContext {
  return {
    requestId: 'r', service: 'ecr', operation: 'PutImage', account: '111111111111', region: 'us-east-1', scope,
    principal: {} as never, clock, tx, blobs, log: createLogger('silent'), wire: {} as never, sourceIp: '127.0.0.1', responseHeaders: {},
    transact: (fn) => store.transaction(fn), afterCommit: (fn) => { later.push(fn); },
  };
}

async function pushed(repoName: string, status: string): Promise<string> {
  const layer = await tarLayer([
    { name: 'etc/os-release', data: DEBIAN_12_OS_RELEASE },
    { name: 'var/lib/dpkg/status', data: status },
  ]);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const stored: Array<{ digest: string; size: number; info: { id: string } }> = [];
  for (const b of [layer, config]) stored.push({ digest: sha(b), size: b.length, info: await blobs.write(Readable.from([b])) });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: stored[1]!.digest, size: stored[1]!.size },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: stored[0]!.digest, size: stored[0]!.size }],
  }));
  const later: Array<() => void | Promise<void>> = [];
  const digest = await store.transaction((tx) => {
    for (const s of stored) {
      storeBlob(tx, s.digest, [{ blob: s.info.id, size: s.size }], s.size);
      linkLayer(tx, scope, repoName, s.digest, s.size, clock.nowMs());
    }
    const r = repo(repoName, true);
    const { image } = putManifest(tx, scope, r, { bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json', tag: 'latest', nowMs: clock.nowMs() });
    startScan(context(tx, later), scope, repoName, image.digest);
    return image.digest;
  });
  const row = await store.transaction((tx) => getScan(tx, scope, repoName, digest));
  assert.equal(row?.status, 'IN_PROGRESS', 'recorded in the push\'s transaction');
  for (const fn of later) await fn();
  return digest;
}

async function settled(repoName: string, digest: string): Promise<ScanRecord | undefined> {
  for (let i = 0; i < 200; i++) {
    const row = await store.transaction((tx) => getScan(tx, scope, repoName, digest));
    if (row?.status !== 'IN_PROGRESS') return row;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.fail('scan did not finish');
}

test('startScan: IN_PROGRESS in the push, the afterCommit step returns at once, the findings land in a later transaction', async () => {
  const digest = await pushed('app', dpkgEntry({ name: 'libwebp7', version: '1.2.4-0.2', source: 'libwebp' }));
  const row = await settled('app', digest);
  assert.equal(row?.status, 'COMPLETE', row?.description);
  assert.deepEqual(row?.findings.map((f) => [f.name, f.severity, f.package, f.version, f.fixedVersion, f.ecosystem]), [
    ['CVE-2023-4863', 'HIGH', 'libwebp', '1.2.4-0.2', '1.2.4-0.2+deb12u1', 'Debian:12'],
  ]);
  assert.match(row!.database!, /2026-12-07/);
  assert.ok(row!.completedAtMs! >= row!.startedAtMs);
});

test('startScan: an image deleted before its scan finishes gets no SCAN row back', async () => {
  const digest = await pushed('gone', dpkgEntry({ name: 'curl', version: '7.88.1-10' }));
  await store.transaction((tx) => deleteImage(tx, scope, 'gone', digest));
  await new Promise((ok) => setTimeout(ok, 200));
  assert.equal(await store.transaction((tx) => getScan(tx, scope, 'gone', digest)), undefined);
});

test('shouldScanOnPush: the repository flag, or a SCAN_ON_PUSH rule of the registry scanning configuration', async () => {
  await store.transaction((tx) => {
    assert.equal(shouldScanOnPush(tx, scope, repo('x', true)), true);
    assert.equal(shouldScanOnPush(tx, scope, repo('x', false)), false);
    tx.put(scope, REGISTRY_SETTINGS, REGISTRY_ID, { scanning: { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD' }] }] } });
    assert.equal(shouldScanOnPush(tx, scope, repo('prod-api', false)), true);
    assert.equal(shouldScanOnPush(tx, scope, repo('dev-api', false)), false);
    tx.put(scope, REGISTRY_SETTINGS, REGISTRY_ID, { scanning: { scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] } });
    assert.equal(shouldScanOnPush(tx, scope, repo('dev-api', false)), false, 'continuous scanning is enhanced scanning only');
    tx.delete(scope, REGISTRY_SETTINGS, REGISTRY_ID);
  });
});

test('interrupted: an IN_PROGRESS row another process wrote', async () => {
  const digest = await pushed('crash', dpkgEntry({ name: 'curl', version: '7.88.1-10' }));
  const done = await settled('crash', digest);
  assert.equal(interrupted(done!), false);
  const left = { ...done!, status: 'IN_PROGRESS' as const, runner: 'a process that stopped' };
  assert.equal(interrupted(left), true);
  await store.transaction((tx) => tx.put(scope, SCAN, repoKey('crash', digest), left));
  assert.equal(interrupted((await store.transaction((tx) => getScan(tx, scope, 'crash', digest)))!), true);
});

test('a scan cloudlet stopped in the middle of runs again when its findings are asked for, and StartImageScan may restart it', async () => {
  const digest = await pushed('restart', dpkgEntry({ name: 'curl', version: '7.88.1-10' }));
  const done = await settled('restart', digest);
  assert.equal(done?.findings.length, 2);
  const left: ScanRecord = { status: 'IN_PROGRESS', startedAtMs: done!.startedAtMs, runner: 'a process that stopped', findings: [] };
  await store.transaction((tx) => {
    tx.put(scope, REPOSITORY, 'restart', repo('restart', true));
    tx.put(scope, SCAN, repoKey('restart', digest), left);
  });
  // StartImageScan within 24 hours of the interrupted scan is not refused.
  const later: Array<() => void | Promise<void>> = [];
  const started = await store.transaction((tx) => startImageScan({ repositoryName: 'restart', imageId: { imageDigest: digest } }, context(tx, later)));
  assert.equal(started.imageScanStatus?.status, 'IN_PROGRESS');
  for (const fn of later.splice(0)) await fn();
  assert.equal((await settled('restart', digest))?.status, 'COMPLETE');
  // Left IN_PROGRESS again by "another process": DescribeImageScanFindings starts it over.
  await store.transaction((tx) => tx.put(scope, SCAN, repoKey('restart', digest), left));
  const seen = await store.transaction((tx) => describeImageScanFindings({ repositoryName: 'restart', imageId: { imageTag: 'latest' } }, context(tx, later)));
  assert.equal(seen.imageScanStatus?.status, 'IN_PROGRESS');
  assert.equal(later.length, 1, 'a new scan was scheduled');
  for (const fn of later.splice(0)) await fn();
  const again = await settled('restart', digest);
  assert.equal(again?.status, 'COMPLETE');
  assert.deepEqual(again?.findings.map((f) => f.name), ['CVE-2023-38545', 'CVE-2023-38546']);
  // A finished scan is not started again by reading it.
  await store.transaction((tx) => describeImageScanFindings({ repositoryName: 'restart', imageId: { imageTag: 'latest' } }, context(tx, later)));
  assert.equal(later.length, 0);
});
