import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DEBIAN_12_OS_RELEASE, dpkgEntry } from './layer-testkit.js';
import { inventory, parseApkInstalled, parseDpkgStatus, parseOsRelease, parsePackageLock, parseRequirements, parseRpmHeader, parseRpmSqlite } from './packages.js';

test('os-release: the ecosystem names OSV uses', () => {
  assert.equal(parseOsRelease(DEBIAN_12_OS_RELEASE).ecosystem, 'Debian:12');
  assert.equal(parseOsRelease('ID=debian\nVERSION_ID="11"\n').ecosystem, 'Debian:11');
  assert.equal(parseOsRelease('NAME="Ubuntu"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nVERSION_ID="22.04"\n').ecosystem, 'Ubuntu:22.04:LTS');
  assert.equal(parseOsRelease('ID=ubuntu\nVERSION="23.10 (Mantic Minotaur)"\nVERSION_ID="23.10"\n').ecosystem, 'Ubuntu:23.10');
  assert.equal(parseOsRelease('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n').ecosystem, 'Alpine:v3.19');
  assert.equal(parseOsRelease('ID="rocky"\nVERSION_ID="9.3"\n').ecosystem, 'Rocky Linux:9');
  assert.equal(parseOsRelease('ID=debian\nPRETTY_NAME="Debian GNU/Linux trixie/sid"\n').ecosystem, undefined, 'testing has no release number');
  assert.equal(parseOsRelease('ID=gentoo\n').ecosystem, undefined);
});

test('dpkg status: installed packages only, named by source package and source version', () => {
  const status = [
    dpkgEntry({ name: 'libc6', version: '2.36-9+deb12u1', source: 'glibc' }),
    dpkgEntry({ name: 'libssl3', version: '3.0.11-1~deb12u1', source: 'openssl' }),
    dpkgEntry({ name: 'curl', version: '7.88.1-10' }),
    dpkgEntry({ name: 'libfoo1', version: '1.2-3+b1', source: 'foo (1.2-3)' }),
    dpkgEntry({ name: 'removed', version: '1.0', status: 'deinstall ok config-files' }),
  ].join('\n');
  assert.deepEqual(parseDpkgStatus(status, 'Debian:12').map((p) => [p.name, p.version, p.binary]), [
    ['glibc', '2.36-9+deb12u1', 'libc6'], ['openssl', '3.0.11-1~deb12u1', 'libssl3'], ['curl', '7.88.1-10', 'curl'], ['foo', '1.2-3', 'libfoo1'],
  ]);
});

test('apk installed: origin names and versions', () => {
  const db = 'C:Q1abc=\nP:libssl3\nV:3.1.4-r0\nA:x86_64\no:openssl\n\nC:Q1def=\nP:musl\nV:1.2.4_git20230717-r4\no:musl\n';
  assert.deepEqual(parseApkInstalled(db, 'Alpine:v3.18').map((p) => [p.name, p.version]), [['openssl', '3.1.4-r0'], ['musl', '1.2.4_git20230717-r4']]);
});

test('package-lock.json v1-v3 and requirements.txt pins', () => {
  const v3 = JSON.stringify({ lockfileVersion: 3, packages: {
    '': { name: 'app', version: '1.0.0' }, 'node_modules/lodash': { version: '4.17.20' },
    'node_modules/a/node_modules/minimist': { version: '1.2.5' }, 'node_modules/@scope/pkg': { version: '2.0.0' },
    'node_modules/linked': { link: true, resolved: '../x' },
  } });
  assert.deepEqual(parsePackageLock(v3).map((p) => `${p.name}@${p.version}`), ['lodash@4.17.20', 'minimist@1.2.5', '@scope/pkg@2.0.0']);
  const v1 = JSON.stringify({ lockfileVersion: 1, dependencies: { lodash: { version: '4.17.4', dependencies: { minimist: { version: '0.0.8' } } } } });
  assert.deepEqual(parsePackageLock(v1).map((p) => `${p.name}@${p.version}`), ['lodash@4.17.4', 'minimist@0.0.8']);
  const req = 'requests==2.30.0\n# a comment\nurllib3 == 1.26.5 ; python_version >= "3"\nflask>=2.0\nJinja2[i18n]===3.1.2  # pinned\n-r other.txt\ndjango==4.*\n';
  assert.deepEqual(parseRequirements(req).map((p) => `${p.name}@${p.version}`), ['requests@2.30.0', 'urllib3@1.26.5', 'Jinja2@3.1.2']);
});

/** An rpm header blob as rpmdb.sqlite stores it: index entries, then the data store. */
function rpmHeader(tags: Array<[number, string | number]>): Buffer {
  const entries: Buffer[] = [];
  const data: Buffer[] = [];
  let off = 0;
  for (const [tag, v] of tags) {
    if (typeof v === 'number') {
      while (off % 4) { data.push(Buffer.alloc(1)); off++; }
    }
    const bytes = typeof v === 'number' ? Buffer.alloc(4) : Buffer.from(`${v}\0`);
    if (typeof v === 'number') bytes.writeUInt32BE(v);
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0); e.writeUInt32BE(typeof v === 'number' ? 4 : 6, 4); e.writeUInt32BE(off, 8); e.writeUInt32BE(1, 12);
    entries.push(e);
    data.push(bytes);
    off += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(off, 4);
  return Buffer.concat([head, ...entries, ...data]);
}

test('rpm: headers from rpmdb.sqlite (name, epoch:version-release)', async () => {
  assert.deepEqual(parseRpmHeader(rpmHeader([[1000, 'openssl-libs'], [1001, '3.0.7'], [1002, '24.el9'], [1003, 1]])), { name: 'openssl-libs', version: '3.0.7', release: '24.el9', epoch: 1 });
  assert.equal(parseRpmHeader(Buffer.from([0, 0, 0, 9])), undefined);
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-rpm-test-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
    const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    ins.run(rpmHeader([[1000, 'curl'], [1001, '7.76.1'], [1002, '26.el9']]));
    ins.run(rpmHeader([[1000, 'gpg-pubkey'], [1001, 'abc'], [1002, '1']]));
    ins.run(rpmHeader([[1000, 'openssl'], [1001, '3.0.7'], [1002, '24.el9'], [1003, 1]]));
    db.close();
    const pkgs = await parseRpmSqlite(readFileSync(file), 'Rocky Linux:9');
    assert.deepEqual(pkgs.map((p) => `${p.name} ${p.version}`), ['curl 7.76.1-26.el9', 'openssl 1:3.0.7-24.el9']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inventory: an old Berkeley DB rpm database is reported as not read', async () => {
  const fs = new Map([
    ['etc/os-release', { data: Buffer.from('ID="centos"\nVERSION_ID="7"\n') }],
    ['var/lib/rpm/Packages', { data: Buffer.alloc(16) }],
  ]);
  const inv = await inventory(fs);
  assert.equal(inv.osPackages, true);
  assert.match(inv.notes.join(), /Berkeley DB/);
});
