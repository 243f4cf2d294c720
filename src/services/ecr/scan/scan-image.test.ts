import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundledDbPath, loadDb } from './osv.js';
import { COMPLETE, scanImage } from './scan-image.js';
import { DEBIAN_12_OS_RELEASE, dpkgEntry, sources, tarLayer } from './layer-testkit.js';

const db = loadDb(bundledDbPath());

test('scan: a Debian 12 image whose dpkg status lists vulnerable versions', async () => {
  const base = await tarLayer([
    { name: 'usr/lib/os-release', data: DEBIAN_12_OS_RELEASE },
    { name: 'etc/os-release', symlink: '../usr/lib/os-release' },
    { name: 'var/lib/dpkg/status', data: [
      dpkgEntry({ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }),
      dpkgEntry({ name: 'libc-bin', version: '2.36-9+deb12u1', source: 'glibc' }),
      dpkgEntry({ name: 'libcurl4', version: '7.88.1-10+deb12u4', source: 'curl' }),
      dpkgEntry({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' }),
    ].join('\n') },
  ]);
  const out = await scanImage(sources([base]), db);
  assert.equal(out.status, 'COMPLETE');
  assert.equal(out.description, COMPLETE);
  assert.equal(out.os?.ecosystem, 'Debian:12');
  // glibc once (two binaries of one source), curl already fixed, zlib's CVE is for Debian 11 only.
  assert.deepEqual(out.findings.map((f) => [f.name, f.severity, f.package, f.version, f.fixedVersion]), [
    ['CVE-2023-4911', 'HIGH', 'glibc', '2.36-9+deb12u1', '2.36-9+deb12u3'],
  ]);
  assert.equal(out.findings[0]!.score, 7.8);
  assert.equal(out.findings[0]!.uri, 'https://security-tracker.debian.org/tracker/CVE-2023-4911');

  // An upgrade layer replaces the status file: the fixed version leaves no finding.
  const upgrade = await tarLayer([{ name: 'var/lib/dpkg/status', data: dpkgEntry({ name: 'libc6', version: '2.36-9+deb12u3', source: 'glibc' }) }]);
  assert.deepEqual((await scanImage(sources([base, upgrade]), db)).findings, []);
  // A layer that deletes the status file: no packages, and the description says so.
  const wiped = await tarLayer([{ name: 'var/lib/dpkg/.wh.status', data: '' }]);
  const w = await scanImage(sources([base, wiped]), db);
  assert.equal(w.status, 'COMPLETE');
  assert.deepEqual(w.findings, []);
  assert.match(w.description, /no OS package database found/);
});

test('scan: Alpine (apk origins), and the lockfiles of an app layer', async () => {
  const layer = await tarLayer([
    { name: 'etc/os-release', data: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\n' },
    { name: 'lib/apk/db/installed', data: 'P:libcrypto3\nV:3.1.3-r0\no:openssl\n\nP:curl\nV:8.4.0-r0\no:curl\n' },
    { name: 'srv/app/package-lock.json', data: JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/minimist': { version: '1.2.5' } } }) },
    { name: 'srv/api/requirements.txt', data: 'urllib3==2.0.5\n' },
  ]);
  const out = await scanImage(sources([layer]), db);
  assert.equal(out.status, 'COMPLETE');
  assert.deepEqual(out.findings.map((f) => `${f.name} ${f.severity} ${f.package} ${f.version} -> ${f.fixedVersion}`), [
    'CVE-2021-44906 CRITICAL minimist 1.2.5 -> 1.2.6',
    'CVE-2023-5363 HIGH openssl 3.1.3-r0 -> 3.1.4-r0',
    'CVE-2023-43804 MEDIUM urllib3 2.0.5 -> 2.0.6',
    'CVE-2023-45803 MEDIUM urllib3 2.0.5 -> 2.0.7',
    'CVE-2024-37891 MEDIUM urllib3 2.0.5 -> 2.2.2',
  ]);
});

test('scan: images basic scanning does not support', async () => {
  const scratch = await tarLayer([{ name: 'app/server', data: 'binary' }]);
  const s = await scanImage(sources([scratch]), db);
  assert.equal(s.status, 'UNSUPPORTED_IMAGE');
  assert.match(s.description, /^UnsupportedImageError: The operating system and\/or package manager are not supported\. Found no \/etc\/os-release/);
  const gentoo = await tarLayer([{ name: 'etc/os-release', data: 'ID=gentoo\nPRETTY_NAME="Gentoo Linux"\n' }]);
  assert.match((await scanImage(sources([gentoo]), db)).description, /Gentoo Linux/);
  // A scratch image with only a lockfile: its language packages are still scanned.
  const app = await tarLayer([{ name: 'requirements.txt', data: 'requests==2.30.0\n' }]);
  const a = await scanImage(sources([app]), db);
  assert.equal(a.status, 'COMPLETE');
  assert.deepEqual(a.findings.map((f) => f.name), ['CVE-2023-32681', 'CVE-2024-35195']);
});

test('scan: Ubuntu 22.04 LTS (epochs in dpkg versions) and Alpine 3.19 (apk revisions)', async () => {
  const ubuntu = await tarLayer([
    { name: 'etc/os-release', data: 'NAME="Ubuntu"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nID=ubuntu\nVERSION_ID="22.04"\n' },
    { name: 'var/lib/dpkg/status', data: [
      dpkgEntry({ name: 'openssh-server', version: '1:8.9p1-3ubuntu0.6', source: 'openssh' }),
      dpkgEntry({ name: 'zlib1g', version: '1:1.2.11.dfsg-2ubuntu9.2', source: 'zlib' }),
    ].join('\n') },
  ]);
  const u = await scanImage(sources([ubuntu]), db);
  assert.equal(u.os?.ecosystem, 'Ubuntu:22.04:LTS');
  assert.deepEqual(u.findings.map((f) => `${f.name} ${f.severity} ${f.package} ${f.fixedVersion}`), ['CVE-2024-6387 HIGH openssh 1:8.9p1-3ubuntu0.10']);
  const alpine = await tarLayer([
    { name: 'etc/os-release', data: 'ID=alpine\nVERSION_ID=3.19.0\n' },
    { name: 'lib/apk/db/installed', data: 'P:libssl3\nV:3.1.4-r1\no:openssl\n\nP:libcrypto3\nV:3.1.4-r1\no:openssl\n' },
  ]);
  const a = await scanImage(sources([alpine]), db);
  assert.deepEqual(a.findings.map((f) => `${f.name} ${f.package} ${f.version} ${f.fixedVersion}`), ['CVE-2024-0727 openssl 3.1.4-r1 3.1.4-r5']);
  const patched = await tarLayer([{ name: 'lib/apk/db/installed', data: 'P:libssl3\nV:3.1.4-r5\no:openssl\n' }]);
  assert.deepEqual((await scanImage(sources([alpine, patched]), db)).findings, []);
});
