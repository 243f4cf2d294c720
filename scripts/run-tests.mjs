#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (Node 20 takes no globs),
// and closes with one plain summary line. A file that ran no test fails: a loop over what is not
// installed must skip with a reason (test/helpers/tools.ts), not vanish.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length ? only : ['src', 'test'].flatMap((d) => find(d)).sort();
const dir = mkdtempSync(join(tmpdir(), 'cloudlet-test-'));
const tap = join(dir, 'report.tap');
const r = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=2',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { stdio: 'inherit' });
let summary = '0 passed, 1 failed, 0 skipped';
let empty = [];
let failed = 1;
try {
  const text = readFileSync(tap, 'utf8');
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  // The runner reports a file that registered no test as one passing test named by its path.
  const paths = new Set(files.map((f) => resolve(f)));
  empty = [...text.matchAll(/^ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((name) => paths.has(name));
  const passed = count('pass') - empty.length;
  failed = count('fail') + empty.length + (count('tests') === 0 ? 1 : 0);
  // A skipped describe() is not in the runner's skipped count (its tests never register): count it.
  const skippedSuites = [...text.matchAll(/^( *)ok \d+ - [^\n]*# SKIP\b[^\n]*\n\1  ---\n((?:\1  [^\n]*\n)*?)\1  \.\.\.$/gm)]
    .filter((m) => /^ *type: 'suite'$/m.test(m[2])).length;
  summary = `${passed} passed, ${failed} failed, ${count('skipped') + skippedSuites} skipped`;
} catch {
  // no report: the runner itself failed, and said why above
}
rmSync(dir, { recursive: true, force: true });
for (const f of empty) console.log(`✖ ${f} ran no test`);
console.log(`\ntests: ${summary}`);
process.exit(failed > 0 ? 1 : r.status ?? 1);
