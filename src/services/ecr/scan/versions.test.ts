import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparatorFor, compareApk, compareDpkg, comparePep440, compareRpm, compareSemver, type Compare } from './versions.js';

/** Every adjacent pair strictly ascending, every version equal to itself, and the reverse descending. */
function ascending(cmp: Compare, versions: string[]): void {
  for (let i = 0; i < versions.length; i++) {
    assert.equal(cmp(versions[i]!, versions[i]!), 0, `${versions[i]} = itself`);
    for (let j = i + 1; j < versions.length; j++) {
      assert.ok(cmp(versions[i]!, versions[j]!) < 0, `${versions[i]} < ${versions[j]}`);
      assert.ok(cmp(versions[j]!, versions[i]!) > 0, `${versions[j]} > ${versions[i]}`);
    }
  }
}

test('dpkg: Debian policy order (tilde first, letters before symbols, epochs, revisions)', () => {
  ascending(compareDpkg, [
    '1.0~~', '1.0~~a', '1.0~', '1.0', '1.0-1', '1.0-1.1', '1.0-2', '1.0a', '1.0+', '1.0.1', '1.2',
    '1.10', '2.36-9', '2.36-9+deb12u1', '2.36-9+deb12u3', '2.36-9+deb12u10', '2.37', '1:0.1', '1:1.2.13.dfsg-1', '2:0',
  ]);
  // openssl's bookworm security versions: ~ sorts before the end.
  ascending(compareDpkg, ['3.0.11-1~deb12u1', '3.0.11-1~deb12u2', '3.0.11-1', '3.0.13-1~deb12u1']);
  // Leading zeros in digit runs are ignored; the missing epoch is 0.
  assert.equal(compareDpkg('1.001', '1.1'), 0);
  assert.equal(compareDpkg('0:1.2-3', '1.2-3'), 0);
  // Upstream versions with hyphens: the revision is after the last one.
  assert.ok(compareDpkg('1.2-3-1', '1.2-3-2') < 0);
  assert.ok(compareDpkg('1.2-4-1', '1.2-3-2') > 0);
  assert.ok(compareDpkg('7.88.1-10', '7.88.1-10+deb12u4') < 0);
});

test('apk: Alpine order (letters, pre-release and post-release suffixes, revisions)', () => {
  ascending(compareApk, [
    '1.0_alpha', '1.0_alpha2', '1.0_beta', '1.0_pre1', '1.0_rc1', '1.0_rc2', '1.0', '1.0-r1', '1.0-r10',
    '1.0_p1', '1.0_p2-r3', '1.0a', '1.0b', '1.0.1', '1.1', '1.10', '2.0',
  ]);
  ascending(compareApk, ['3.1.3-r0', '3.1.4-r0', '3.1.4-r1', '3.1.4-r5', '3.1.10-r0']);
  ascending(compareApk, ['9.6_p1-r0', '9.7_p1-r3', '9.7_p1-r4', '9.8_p1-r0']);
  ascending(compareApk, ['1.2.12-r1', '1.2.12-r2', '1.2.13-r0', '1.3-r0']);
  // A later component with a leading zero is a decimal fraction.
  assert.ok(compareApk('1.01', '1.1') < 0);
  assert.ok(compareApk('1.001', '1.01') < 0);
  assert.equal(compareApk('1.0-r0', '1.0'), 0);
});

test('rpm: rpmvercmp order (segments, tilde, caret, epoch, release)', () => {
  ascending(compareRpm, ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '1.1', '1.10', '1:0.5']);
  ascending(compareRpm, ['3.0.7-16.el9', '3.0.7-17.el9', '3.0.7-24.el9', '1:3.0.7-25.el9']);
  assert.equal(compareRpm('1.0', '1.0'), 0);
  assert.equal(compareRpm('1.01', '1.1'), 0);
  assert.ok(compareRpm('2.0', '2.0.1') < 0);
  assert.ok(compareRpm('2a', '2.0') < 0, 'a digit segment is newer than a letter segment');
  // No release on one side: the versions alone decide.
  assert.equal(compareRpm('1.2', '1.2-3'), 0);
});

test('semver (npm): numeric components and prereleases', () => {
  ascending(compareSemver, ['0.0.8', '0.2.4', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-rc.1', '1.0.0', '1.2.5', '1.2.6', '4.17.9', '4.17.11', '4.17.21']);
});

test('PEP 440 (PyPI): dev, pre, post, local, epochs, normalisation', () => {
  ascending(comparePep440, [
    '1.0.dev0', '1.0.dev1', '1.0a1.dev1', '1.0a1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '1.0+local.1', '1.0.post1.dev1', '1.0.post1',
    '1.0.1', '1.1', '2.3.0', '2.30.0', '2.31.0', '1!0.1',
  ]);
  assert.equal(comparePep440('1.0', '1.0.0'), 0);
  assert.equal(comparePep440('1.0alpha1', '1.0a1'), 0);
  assert.equal(comparePep440('1.0-1', '1.0.post1'), 0);
  assert.equal(comparePep440('1.0RC1', '1.0rc1'), 0);
  assert.ok(comparePep440('1.26.17', '1.26.18') < 0);
  assert.ok(comparePep440('2.0.6', '1.26.18') > 0);
});

test('comparatorFor: the ordering each OSV ecosystem implies', () => {
  assert.equal(comparatorFor('Debian:12'), compareDpkg);
  assert.equal(comparatorFor('Ubuntu:22.04:LTS'), compareDpkg);
  assert.equal(comparatorFor('Alpine:v3.19'), compareApk);
  assert.equal(comparatorFor('Rocky Linux:9'), compareRpm);
  assert.equal(comparatorFor('npm'), compareSemver);
  assert.equal(comparatorFor('PyPI'), comparePep440);
  assert.equal(comparatorFor('Hackage'), undefined);
});
