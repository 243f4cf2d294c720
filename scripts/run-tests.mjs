#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (Node 20 takes no globs),
// and closes with one plain summary line. A file that ran no test fails: a loop over what is not
// installed must skip with a reason (test/helpers/tools.ts), not vanish.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

// The suite is CPU-bound on two cores, so the CPUs must stay busy to the end. Files that mostly
// wait (Terraform: 25-75 s of the provider's own fixed waits for ~5 s of CPU) run in a pool of
// their own beside the main one, instead of holding its workers while the CPUs idle; the main
// pool's four workers stay for the files that need the CPU, the longest first (CLI sessions, each
// command a Python start-up; crash loops), so that the workers finish together instead of one
// running a long file alone at the end; the rest by name. scripts/run-test-files.mjs keeps the order.
const WAITS = [/fleet-terraform/, /s3-terraform/, /ec2-compute-terraform/, /nat-terraform/, /three-tier-terraform/, /terraform/];
const HEAVY = [/three-tier-cli/, /ec2-security-cli/, /state-crash/, /iam-cli/, /ec2-vpc-cli/, /e2e\/(.*-cli\.test|cli-start|.*crash|.*durability|.*boto3|tls\.test)|conformance\.test/];
const rankIn = (list) => (f) => { const i = list.findIndex((re) => re.test(f)); return i < 0 ? list.length : i; };
const inOrder = (list) => { const rank = rankIn(list); return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); };

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
const files = only.length ? only : ['src', 'test'].flatMap((d) => find(d));
const dir = mkdtempSync(join(tmpdir(), 'cloudlet-test-'));
const alone = files.filter((f) => ALONE.has(resolve(f)));
const waits = files.filter((f) => !alone.includes(f) && WAITS.some((re) => re.test(f))).sort(inOrder(WAITS));
const main = files.filter((f) => !alone.includes(f) && !waits.includes(f)).sort(inOrder(HEAVY));
// One stage after the other; the pools of a stage run together. The waiting pool's report is
// held and printed after the main pool's, which streams, so the two do not interleave.
const stages = [
  [{ files: main, concurrency: Number(process.env.CLOUDLET_TEST_CONCURRENCY) || 4 }, { files: waits, concurrency: 4, held: true }],
  [{ files: alone, concurrency: 1 }],
].map((pools) => pools.filter((p) => p.files.length > 0));
// A run inside a test (test/helpers/tools.test.ts runs this script) uses the outer run's bundle.
const bundle = process.env.CLOUDLET_TEST_MAIN ? undefined : await bundleCloudlet();
const env = bundle ? { ...process.env, CLOUDLET_TEST_MAIN: join(bundle, 'main.js') } : process.env;
let status = 0;
const taps = [];
function runPool(pool) {
  const tap = join(dir, `report-${taps.length}.tap`);
  taps.push(tap);
  const child = spawn(process.execPath, [
    '--import', 'tsx', fileURLToPath(new URL('run-test-files.mjs', import.meta.url)), String(pool.concurrency), tap, ...pool.files,
  ], { stdio: ['ignore', pool.held ? 'pipe' : 'inherit', 'inherit'], env });
  const held = [];
  child.stdout?.on('data', (d) => held.push(d));
  return new Promise((done) => child.on('close', (code) => done({ code, held })));
}
for (const pools of stages) {
  const results = await Promise.all(pools.map(runPool));
  for (const r of results) {
    if (r.held.length) process.stdout.write(Buffer.concat(r.held));
    status ||= r.code ?? 1;
  }
}
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
  // A test cancelled because its suite's hook failed counts as failed: the runner's own `fail` leaves it out.
  failed = count('fail') + count('cancelled') + empty.length + (count('tests') === 0 ? 1 : 0);
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
