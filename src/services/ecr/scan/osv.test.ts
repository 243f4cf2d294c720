import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildDb, bundledDbPath, dbFor, loadDb, loadDbAsync, matchPackages, type OsvRecord, type VulnDb } from './osv.js';
import { bandOf, cvss3BaseScore, severityOf } from './severity.js';

test('CVSS v3 base scores as the specification computes them, and their bands', () => {
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'), 7.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'), 7.5);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N'), 6.1);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'), 6.1);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H'), 7.2);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N'), 3.7);
  assert.equal(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), 10);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
  assert.equal(cvss3BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), undefined);
  assert.equal(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P'), undefined);
  assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(bandOf), ['INFORMATIONAL', 'LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL', 'CRITICAL']);
});

test('severity: the database\'s own word first (MODERATE is MEDIUM), then the CVSS v3 vector, then Ubuntu priorities', () => {
  const v = [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }];
  assert.deepEqual(severityOf({ severity: v }), { severity: 'CRITICAL', vector: v[0]!.score, score: 9.8 });
  assert.equal(severityOf({ severity: v, database_specific: { severity: 'MODERATE' } }).severity, 'MEDIUM');
  assert.equal(severityOf({}, { database_specific: { severity: 'low' } }).severity, 'LOW');
  assert.equal(severityOf({ severity: [{ type: 'Ubuntu', score: 'negligible' }] }).severity, 'INFORMATIONAL');
  assert.equal(severityOf({ severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N' }] }).severity, 'UNDEFINED');
});

const db = (records: OsvRecord[]): VulnDb => buildDb(records, 'test');
const rec = (ranges: Array<{ type: string; events: object[] }>, eco = 'Debian:12', name = 'curl', extra: Partial<OsvRecord> = {}): OsvRecord => ({
  id: 'CVE-2023-0001', summary: 's', affected: [{ package: { ecosystem: eco, name }, ranges: ranges as never }], ...extra,
});

test('OSV matching: introduced/fixed ranges in the ecosystem\'s order, with the fixing version', () => {
  const d = db([rec([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u4' }] }])]);
  const hit = matchPackages(d, [{ ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10' }]);
  assert.equal(hit.length, 1);
  assert.equal(hit[0]!.fixedVersion, '7.88.1-10+deb12u4');
  assert.equal(hit[0]!.name, 'CVE-2023-0001');
  assert.equal(hit[0]!.uri, 'https://nvd.nist.gov/vuln/detail/CVE-2023-0001');
  assert.equal(matchPackages(d, [{ ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10+deb12u4' }]).length, 0);
  assert.equal(matchPackages(d, [{ ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10+deb12u10' }]).length, 0, 'dpkg order, not text order');
  assert.equal(matchPackages(d, [{ ecosystem: 'Debian:11', name: 'curl', version: '7.74.0-1' }]).length, 0, 'another release');
  assert.equal(matchPackages(d, [{ ecosystem: 'Debian:12', name: 'wget', version: '1.0' }]).length, 0);
});

test('OSV matching: several ranges (branches), last_affected, limit, versions lists, SEMVER ranges, PyPI names', () => {
  const minimist = rec([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.2.4' }, { introduced: '1.0.0' }, { fixed: '1.2.6' }] }], 'npm', 'minimist');
  const d = db([minimist]);
  const at = (v: string) => matchPackages(d, [{ ecosystem: 'npm', name: 'minimist', version: v }]);
  assert.equal(at('0.0.8')[0]?.fixedVersion, '0.2.4');
  assert.equal(at('0.2.4').length, 0);
  assert.equal(at('0.10.0').length, 0, 'semver order: 0.10.0 is after 0.2.4');
  assert.equal(at('1.2.5')[0]?.fixedVersion, '1.2.6');
  assert.equal(at('1.2.6').length, 0);
  const last = db([rec([{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.5' }] }], 'PyPI', 'Some_Pkg')]);
  const py = (v: string) => matchPackages(last, [{ ecosystem: 'PyPI', name: 'some-pkg', version: v }]).length;
  assert.deepEqual(['0.9', '1.0', '1.5', '1.5.post1', '1.6'].map(py), [0, 1, 1, 0, 0]);
  const limited = db([rec([{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '3.1.4-r0' }] }], 'Alpine:v3.18', 'openssl')]);
  assert.equal(matchPackages(limited, [{ ecosystem: 'Alpine:v3.18', name: 'openssl', version: '3.1.3-r0' }]).length, 1);
  assert.equal(matchPackages(limited, [{ ecosystem: 'Alpine:v3.18', name: 'openssl', version: '3.1.4-r0' }]).length, 0);
  const listed = db([{ id: 'GHSA-xxxx', aliases: ['CVE-2024-1111'], affected: [{ package: { ecosystem: 'Hackage', name: 'h' }, versions: ['1.0'] }] }]);
  const found = matchPackages(listed, [{ ecosystem: 'Hackage', name: 'h', version: '1.0' }]);
  assert.equal(found[0]?.name, 'CVE-2024-1111', 'named by the CVE alias');
  assert.equal(matchPackages(listed, [{ ecosystem: 'Hackage', name: 'h', version: '1.1' }]).length, 0, 'no ordering known: only listed versions');
  const withdrawn = db([{ ...minimist, withdrawn: '2024-01-01T00:00:00Z' }]);
  assert.equal(matchPackages(withdrawn, [{ ecosystem: 'npm', name: 'minimist', version: '1.2.5' }]).length, 0);
});

test('the shipped database loads, carries its source and date, and every record is well-formed', () => {
  const d = loadDb(bundledDbPath());
  assert.match(d.source, /2026-12-07/);
  assert.equal(d.updatedAtMs, Date.parse('2026-12-07'));
  assert.ok(d.count >= 20);
  for (const list of d.byPackage.values()) {
    for (const { record, affected } of list) {
      assert.match(record.id, /^CVE-\d{4}-\d+$/);
      assert.notEqual(severityOf(record, affected).severity, 'UNDEFINED', record.id);
      for (const r of affected.ranges ?? []) assert.ok(r.events.some((e) => e.fixed), `${record.id} has a fix`);
    }
  }
  const glibc = matchPackages(d, [{ ecosystem: 'Debian:12', name: 'glibc', version: '2.36-9+deb12u1' }]);
  assert.deepEqual(glibc.map((f) => [f.name, f.severity, f.fixedVersion]), [['CVE-2023-4911', 'HIGH', '2.36-9+deb12u3']]);
});

test('a user database: a directory of OSV files or an array; read again when the file changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-osv-'));
  try {
    mkdirSync(join(dir, 'npm'));
    writeFileSync(join(dir, 'npm', 'a.json'), JSON.stringify(rec([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }], 'npm', 'left-pad')));
    writeFileSync(join(dir, 'b.json'), JSON.stringify([{ ...rec([], 'npm', 'x'), id: 'CVE-2023-0002' }]));
    const d = loadDb(dir);
    assert.equal(d.count, 2);
    assert.equal((await loadDbAsync(dir)).count, 2);
    assert.equal(matchPackages(d, [{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0' }]).length, 1);
    const file = join(dir, 'one.json');
    const cache = new Map<string, Promise<VulnDb>>();
    writeFileSync(file, JSON.stringify([]));
    assert.equal((await dbFor(file, cache)).count, 0);
    assert.equal(await dbFor(file, cache), await dbFor(file, cache), 'read once');
    writeFileSync(file, JSON.stringify([rec([])]));
    assert.equal((await dbFor(file, cache)).count, 1, 'a replaced file is read again');
    assert.equal(cache.size, 1);
    writeFileSync(file, '{"not": "osv"}');
    assert.throws(() => loadDb(file), /not OSV data/);
    await assert.rejects(dbFor(file, cache), /not OSV data/);
    assert.equal(cache.size, 0, 'a failed load is not kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
