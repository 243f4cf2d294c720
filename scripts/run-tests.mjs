#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (Node 20 takes no globs),
// and closes with one plain summary line. A file that ran no test fails: a loop over what is not
// installed must skip with a reason (test/helpers/tools.ts), not vanish.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

// Tests that measure the server under a load they make themselves (sockets held against the body
// budget, timings) run after the rest, one file at a time, so another test's CPU does not skew them.
const ALONE = new Set(['test/e2e/body-budget.test.ts'].map((f) => resolve(f)));

// The slowest files (Terraform applies, CLI sessions, crash loops) start first, so that the
// workers finish together instead of one running a long file alone at the end. Three workers on
// two cores: much of a Terraform or CLI file's time is spent waiting (provider polls, process
// start), and the suite took 554 s with two, 422 s with three.
// Terraform files come first of all (each is one to two minutes, mostly the provider's own
// waits), then the other slow ones.
const SLOW = [/terraform/, /-cli|cli-|crash|durability|boto3|tls/];
const rank = (f) => { const i = SLOW.findIndex((re) => re.test(f)); return i < 0 ? SLOW.length : i; };
const slowFirst = (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * `cloudlet` as a process (test/helpers/process.ts) runs from one bundle of src/ built here, as
 * npm start runs dist/bundle, instead of through tsx: the suite starts about 200 of them, and
 * tsx's loader costs each about 0.3 s of CPU. Built as scripts/bundle.mjs builds dist/bundle:
 * from JavaScript (the bundler finds each service's authz.js only among .js files), into dist/
 * so that package.json and models/ are found as from dist/bundle; a directory per run, since
 * several runs may share the tree. Without esbuild the helpers fall back to tsx.
 */
async function bundleCloudlet() {
  let build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    return undefined;
  }
  const sources = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) sources.push(p);
    }
  };
  walk('src');
  const js = mkdtempSync(join(tmpdir(), 'cloudlet-test-src-'));
  mkdirSync('dist', { recursive: true });
  const out = mkdtempSync(resolve('dist', 'test-bundle-'));
  try {
    const common = { format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' };
    await build({ ...common, entryPoints: sources, outdir: join(js, 'src'), outbase: 'src' });
    await build({ ...common, entryPoints: [join(js, 'src', 'main.js')], bundle: true, splitting: true, packages: 'external', outdir: out });
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(js, { recursive: true, force: true });
  }
  return out;
}

const only = process.argv.slice(2);
const files = only.length ? only : ['src', 'test'].flatMap((d) => find(d)).sort(slowFirst);
const dir = mkdtempSync(join(tmpdir(), 'cloudlet-test-'));
const batches = [
  { files: files.filter((f) => !ALONE.has(resolve(f))), concurrency: Number(process.env.CLOUDLET_TEST_CONCURRENCY) || 4 },
  { files: files.filter((f) => ALONE.has(resolve(f))), concurrency: 1 },
].filter((b) => b.files.length > 0);
const bundle = await bundleCloudlet();
let status = 0;
const taps = batches.map((b, i) => {
  const tap = join(dir, `report-${i}.tap`);
  const r = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', `--test-concurrency=${b.concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...b.files,
  ], { stdio: 'inherit', env: bundle ? { ...process.env, CLOUDLET_TEST_MAIN: join(bundle, 'main.js') } : process.env });
  status ||= r.status ?? 1;
  return tap;
});
let summary = '0 passed, 1 failed, 0 skipped';
let empty = [];
let failed = 1;
try {
  const text = taps.map((t) => readFileSync(t, 'utf8')).join('\n');
  const count = (k) => [...text.matchAll(new RegExp(`^# ${k} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
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
if (bundle) rmSync(bundle, { recursive: true, force: true });
for (const f of empty) console.log(`✖ ${f} ran no test`);
console.log(`\ntests: ${summary}`);
process.exit(failed > 0 ? 1 : status);
