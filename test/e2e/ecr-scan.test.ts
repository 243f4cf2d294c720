// ECR scan on push with @aws-sdk/client-ecr against the offline vulnerability database: an image
// whose layer holds Debian 12's os-release and a dpkg status listing a vulnerable curl is pushed
// through the layer API and PutImage into a scanOnPush repository; DescribeImageScanFindings
// reports the CVE with its severity, package and fixed version; StartImageScan is refused within
// 24 hours and rescans after the clock moves; a registry scanning rule scans a repository whose own
// flag is off; --vuln-db adds the user's records; registry pushes are scanned too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRepositoryCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand, ECRClient,
  GetAuthorizationTokenCommand, PutImageCommand, PutRegistryScanningConfigurationCommand,
  StartImageScanCommand, type DescribeImageScanFindingsResponse, type ImageScanFinding,
} from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { bundledDbPath } from '../../src/services/ecr/scan/osv.js';
import { DEBIAN_12_OS_RELEASE, dpkgEntry, tarLayer } from '../../src/services/ecr/scan/layer-testkit.js';
import { runCli } from '../helpers/process.js';
import { DOCKER_MANIFEST, expectError, pushBlob, sha } from '../helpers/ecr.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT = '111111111111';


const attr = (f: ImageScanFinding, key: string) => f.attributes?.find((a) => a.key === key)?.value;

describe('ECR scan on push (SDK)', () => {
  let server: Cloudlet;
  let ecr: ECRClient;
  let dbDir: string;

  before(async () => {
    // --vuln-db: a directory with the shipped records and one of the user's own.
    dbDir = mkdtempSync(join(tmpdir(), 'cloudlet-vulndb-'));
    copyFileSync(bundledDbPath(), join(dbDir, 'cloudlet.json'));
    writeFileSync(join(dbDir, 'local.json'), JSON.stringify({
      id: 'LOCAL-2026-0001', modified: '2026-11-30T00:00:00Z', aliases: ['CVE-2026-99001'], summary: 'an advisory of the user\'s own',
      database_specific: { severity: 'LOW' },
      affected: [{ package: { ecosystem: 'Debian:12', name: 'hello' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.10-3' }] }] }],
    }));
    server = await startTestServer({ vulnDb: dbDir });
    ecr = new ECRClient(clientConfig(server.url, 'us-east-1', { accessKeyId: ACCOUNT, secretAccessKey: 'test' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/app', imageScanningConfiguration: { scanOnPush: true } }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'plain' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'ruled/api' }));
  });
  after(async () => {
    ecr.destroy();
    await server.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  // One part each: ECR's parts are at least 5 MiB but the last, and these layers are small.
  const uploadLayer = (repositoryName: string, body: Buffer) => pushBlob(ecr, repositoryName, body);

  /** A Debian 12 image (one layer) pushed with PutImage; its manifest digest. */
  async function pushImage(repositoryName: string, tag: string, packages: Array<{ name: string; version: string; source?: string }>): Promise<string> {
    const layer = await tarLayer([
      { name: './etc/', dir: true },
      { name: './etc/os-release', data: DEBIAN_12_OS_RELEASE },
      { name: './var/lib/dpkg/status', data: packages.map((p) => dpkgEntry(p)).join('\n') },
      { name: './usr/share/doc/README', data: 'not read' },
    ]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] }, config: {} }));
    const l = await uploadLayer(repositoryName, layer);
    const c = await uploadLayer(repositoryName, config);
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: c.size, digest: c.digest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: l.size, digest: l.digest }],
    });
    const put = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageManifestMediaType: DOCKER_MANIFEST, imageTag: tag }));
    return put.image!.imageId!.imageDigest!;
  }

  async function findingsWhenDone(repositoryName: string, imageTag: string): Promise<DescribeImageScanFindingsResponse> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag } }));
      if (r.imageScanStatus?.status !== 'IN_PROGRESS') return r;
      if (Date.now() > deadline) assert.fail(`scan of ${repositoryName}:${imageTag} still IN_PROGRESS`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }

  const VULNERABLE = [
    { name: 'libcurl4', version: '7.88.1-10', source: 'curl' },
    { name: 'curl', version: '7.88.1-10' },
    { name: 'libc6', version: '2.36-9+deb12u3', source: 'glibc' },
    { name: 'hello', version: '2.10-2' },
  ];

  test('scan on push: the vulnerable curl in the dpkg status is reported with its severity and fix', async () => {
    const digest = await pushImage('scan/app', 'v1', VULNERABLE);
    const r = await findingsWhenDone('scan/app', 'v1');
    assert.equal(r.imageScanStatus?.status, 'COMPLETE', r.imageScanStatus?.description);
    assert.equal(r.imageScanStatus?.description, 'The scan was completed successfully.');
    assert.deepEqual(r.imageId, { imageDigest: digest, imageTag: 'v1' });
    assert.equal(r.registryId, ACCOUNT);
    const f = r.imageScanFindings!;
    const byName = new Map(f.findings!.map((x) => [x.name!, x]));
    const socks = byName.get('CVE-2023-38545');
    assert.ok(socks, `findings: ${[...byName.keys()].join(', ')}`);
    assert.equal(socks.severity, 'CRITICAL');
    assert.equal(attr(socks, 'package_name'), 'curl');
    assert.equal(attr(socks, 'package_version'), '7.88.1-10');
    assert.equal(attr(socks, 'fixed_in_version'), '7.88.1-10+deb12u4');
    assert.equal(attr(socks, 'CVSS3_SCORE'), '9.8');
    assert.equal(socks.uri, 'https://security-tracker.debian.org/tracker/CVE-2023-38545');
    assert.match(socks.description!, /SOCKS5/);
    assert.equal(byName.get('CVE-2023-38546')?.severity, 'LOW');
    // The user's own record from --vuln-db, named by its CVE alias.
    assert.equal(byName.get('CVE-2026-99001')?.severity, 'LOW');
    assert.equal(attr(byName.get('CVE-2026-99001')!, 'fixed_in_version'), '2.10-3');
    // glibc is at the fixed version: no CVE-2023-4911. curl's two binaries: one finding per CVE.
    assert.equal(byName.has('CVE-2023-4911'), false);
    assert.equal(f.findings!.length, 3);
    assert.deepEqual(f.findingSeverityCounts, { CRITICAL: 1, LOW: 2 });
    assert.ok(f.imageScanCompletedAt instanceof Date);
    assert.ok(f.vulnerabilitySourceUpdatedAt instanceof Date);
    assert.equal(f.vulnerabilitySourceUpdatedAt!.toISOString(), '2026-12-07T00:00:00.000Z');
    // DescribeImages shows the same scan's summary.
    const d = await ecr.send(new DescribeImagesCommand({ repositoryName: 'scan/app', imageIds: [{ imageDigest: digest }] }));
    assert.equal(d.imageDetails![0]!.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(d.imageDetails![0]!.imageScanFindingsSummary?.findingSeverityCounts, { CRITICAL: 1, LOW: 2 });
  });

  test('findings page by page; counts cover them all', async () => {
    const first = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' }, maxResults: 2 }));
    assert.equal(first.imageScanFindings!.findings!.length, 2);
    assert.ok(first.nextToken);
    assert.deepEqual(first.imageScanFindings!.findingSeverityCounts, { CRITICAL: 1, LOW: 2 });
    const second = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' }, maxResults: 2, nextToken: first.nextToken }));
    assert.equal(second.imageScanFindings!.findings!.length, 1);
    assert.equal(second.nextToken, undefined);
    const names = [...first.imageScanFindings!.findings!, ...second.imageScanFindings!.findings!].map((x) => x.name);
    assert.deepEqual(names, ['CVE-2023-38545', 'CVE-2023-38546', 'CVE-2026-99001']);
    await expectError(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' }, nextToken: 'garbage' })), 'InvalidParameterException');
  });

  test('StartImageScan: once per 24 hours by the cloudlet clock, then a rescan', async () => {
    await expectError(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } })), 'LimitExceededException', /scan quota per image has been exceeded/);
    const r = await fetch(`${server.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '25h' }) });
    assert.equal(r.status, 200, await r.text());
    const before = (await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } }))).imageScanFindings!.imageScanCompletedAt!;
    const s = await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } }));
    assert.equal(s.imageScanStatus?.status, 'IN_PROGRESS');
    const again = await findingsWhenDone('scan/app', 'v1');
    assert.equal(again.imageScanStatus?.status, 'COMPLETE');
    assert.ok(again.imageScanFindings!.imageScanCompletedAt!.getTime() >= before.getTime() + 24 * 3600_000, 'completed by the advanced clock');
    assert.equal(again.imageScanFindings!.findings!.length, 3);
    await expectError(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } })), 'LimitExceededException');
  });

  test('no scan without scanOnPush; StartImageScan scans on demand; errors as ECR gives them', async () => {
    const digest = await pushImage('plain', 'v1', [{ name: 'libcurl4', version: '7.88.1-10+deb12u4', source: 'curl' }]);
    await expectError(
      ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'plain', imageId: { imageTag: 'v1' } })), 'ScanNotFoundException',
      new RegExp(`^Image scan does not exist for the image with '\\{imageDigest:'null', imageTag:'v1'\\}' in the repository with name 'plain' in the registry with id '${ACCOUNT}'$`),
    );
    await ecr.send(new StartImageScanCommand({ repositoryName: 'plain', imageId: { imageDigest: digest } }));
    const r = await findingsWhenDone('plain', 'v1');
    assert.equal(r.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(r.imageScanFindings!.findings, [], 'curl at the fixed version');
    assert.deepEqual(r.imageScanFindings!.findingSeverityCounts, {});
    await expectError(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'plain', imageId: { imageTag: 'nope' } })), 'ImageNotFoundException', /imageTag:'nope'/);
    await expectError(ecr.send(new StartImageScanCommand({ repositoryName: 'plain', imageId: { imageTag: 'nope' } })), 'ImageNotFoundException');
    await expectError(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'missing', imageId: { imageTag: 'v1' } })), 'RepositoryNotFoundException');
  });

  test('a registry scanning rule scans a repository whose own scanOnPush is off', async () => {
    await ecr.send(new PutRegistryScanningConfigurationCommand({
      scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'ruled/*', filterType: 'WILDCARD' }] }],
    }));
    await pushImage('ruled/api', 'v1', [{ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }]);
    const r = await findingsWhenDone('ruled/api', 'v1');
    assert.equal(r.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(r.imageScanFindings!.findings!.map((f) => [f.name, f.severity, attr(f, 'package_name'), attr(f, 'fixed_in_version')]), [
      ['CVE-2023-4911', 'HIGH', 'glibc', '2.36-9+deb12u3'],
    ]);
    // 'plain' matches no rule: a new image there is still not scanned.
    await pushImage('plain', 'v2', VULNERABLE);
    await expectError(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'plain', imageId: { imageTag: 'v2' } })), 'ScanNotFoundException');
  });

  test('a push through the registry (/v2/) is scanned on push too', async () => {
    const t = await ecr.send(new GetAuthorizationTokenCommand({}));
    const auth = `Basic ${t.authorizationData![0]!.authorizationToken!}`;
    const layer = await tarLayer([
      { name: 'etc/os-release', data: DEBIAN_12_OS_RELEASE },
      { name: 'var/lib/dpkg/status', data: dpkgEntry({ name: 'libssl3', version: '3.0.11-1~deb12u1', source: 'openssl' }) },
    ]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    for (const blob of [layer, config]) {
      const r = await fetch(`${server.url}/v2/scan/app/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
      assert.equal(r.status, 201, await r.text());
    }
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha(config) },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: layer.length, digest: sha(layer) }],
    });
    const put = await fetch(`${server.url}/v2/scan/app/manifests/ssl`, { method: 'PUT', headers: { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
    assert.equal(put.status, 201, await put.text());
    const r = await findingsWhenDone('scan/app', 'ssl');
    assert.equal(r.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(r.imageScanFindings!.findings!.map((f) => `${f.name} ${f.severity} ${attr(f, 'package_name')} ${attr(f, 'fixed_in_version')}`), [
      'CVE-2023-5363 HIGH openssl 3.0.11-1~deb12u2',
      'CVE-2023-5678 MEDIUM openssl 3.0.13-1~deb12u1',
      'CVE-2024-0727 MEDIUM openssl 3.0.13-1~deb12u1',
    ]);
  });

  test('cloudlet start --vuln-db refuses a path that does not exist', async () => {
    const r = await runCli(['start', '--ephemeral', '--port', '0', '--vuln-db', join(dbDir, 'missing.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--vuln-db .*missing\.json: no such file or directory/);
  });
});
