/**
 * npm run fuzz [-- --seed N] [--requests 1000000] [--time 1800] [--concurrency 32] [--timeout 10000]
 *               [--codec-runs 20000] [--state-checks 2000] [--hostile-cases 2000] [--admin-cases 2000] [--policy-cases 2000]
 *               [--skip-codec] [--skip-live] [--skip-state] [--skip-hostile] [--skip-admin] [--skip-policy]
 *
 * 1. Codec level (fast-check): mutated and random requests through every codec, XML, JSON,
 *    aws-chunked framing and presigned URLs: only values or AwsError / SigV4Error may come out.
 * 2. Live server: cloudlet as a child process; mutated valid signed requests over loopback with
 *    keep-alive; every answer a well-formed 2xx/3xx/4xx/501 in its protocol's shape, no other
 *    5xx, no stack traces, no hangs, no crash. Bounded by --requests and --time.
 * 3. State: rejected state-changing requests (mutated IAM CreateUser, CreateRole, ...) against an
 *    in-process server leave every stored row and blob as it was.
 * 4. Hostile inputs (--hostile-cases 2000, --skip-hostile): requests built to make parsing or
 *    matching super-linear, at random sizes around each bound, one at a time against a server
 *    process while its health is polled: each gets its AWS answer (no 5xx) within 1 s, and
 *    health keeps answering within 1 s (test/conformance/fuzz-hostile.ts).
 * 5. Admin API (--admin-cases 2000, --skip-admin): clock values, snapshot names, import archives
 *    (truncated, oversized, corrupted gzip, hostile SQLite files), one at a time against an
 *    ephemeral server process while health is polled: no 5xx, each within 1 s
 *    (test/conformance/fuzz-admin.ts).
 * 6. Policy documents (--policy-cases 2000, --skip-policy): pathological wildcard patterns in
 *    every element, with and without Version, around the size quotas, through
 *    SimulateCustomPolicy, CreatePolicy and PutUserPolicy plus the governed user's own request,
 *    one at a time while health is polled: no 5xx, each within 1 s (test/conformance/fuzz-policy.ts).
 * Exits 1 on any failure.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCloudlet } from '../src/server/server.js';
import { fuzzCodecs } from '../test/conformance/fuzz-codec.js';
import { fuzzServer, handwrittenSeeds, sdkSeeds, stateChecks, type LiveStats } from '../test/conformance/fuzz-server.js';
import { fuzzHostile } from '../test/conformance/fuzz-hostile.js';
import { fuzzAdmin } from '../test/conformance/fuzz-admin.js';
import { fuzzPolicy } from '../test/conformance/fuzz-policy.js';

function flag(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = args[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1] ?? '';
}
const has = (name: string) => process.argv.slice(2).includes(`--${name}`);
const num = (name: string, dflt: number) => {
  const v = flag(name);
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`bad --${name} ${v}`);
    process.exit(2);
  }
  return n;
};

const seed = num('seed', Math.floor(Math.random() * 2 ** 31));
const requests = num('requests', 1_000_000);
const timeS = num('time', 1800);
const concurrency = Math.max(1, num('concurrency', 32));
const timeoutMs = num('timeout', 10_000);
const codecRuns = num('codec-runs', 20_000);
const checks = num('state-checks', 2000);
const hostileCases = num('hostile-cases', 2000);
const adminCases = num('admin-cases', 2000);
const policyCases = num('policy-cases', 2000);
let failed = false;

console.log(`fuzz: seed ${seed} (replay with --seed ${seed})`);

// 1. Codecs.
if (!has('skip-codec')) {
  const t = Date.now();
  const props = await fuzzCodecs({ seed, runs: codecRuns, timeLimitMs: 120_000, share: 0.15 });
  console.log(`\ncodec fuzzing: ${props.length} properties, ${props.reduce((a, p) => a + p.runs, 0)} runs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  for (const p of props) {
    console.log(`  ${p.failure ? 'FAIL' : 'ok  '} ${p.property}: ${p.runs} runs`);
    if (p.failure) {
      failed = true;
      console.log(`       ${p.failure.error.replace(/\n/g, '\n       ')}\n       counterexample: ${p.failure.counterexample}`);
    }
  }
}

// 2. Live server, as a child process.
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function startChild(): Promise<{ url: string; alive: () => boolean; stderr: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--port', '0', '--ephemeral', '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  let exited = false;
  child.stderr!.on('data', (d: Buffer) => { if (err.length < 1_000_000) err += d.toString(); });
  child.on('exit', () => { exited = true; });
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`cloudlet did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / ready on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`cloudlet exited ${code}: ${err}`)); });
  });
  return {
    url,
    alive: () => !exited && child.exitCode === null,
    stderr: () => err,
    stop: () => new Promise<void>((done) => {
      if (exited) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5000).unref();
    }),
  };
}

function printLive(s: LiveStats, final = false): void {
  const rps = s.requests / Math.max(0.001, s.ms / 1000);
  const statuses = Object.entries(s.byStatus).sort(([a], [b]) => Number(a) - Number(b)).map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(`  ${final ? 'total' : 'so far'}: ${s.requests} requests in ${(s.ms / 1000).toFixed(1)} s = ${rps.toFixed(0)} req/s; `
    + `failures ${s.failed}, 5xx (not 501) ${s.serverErrors}, hangs ${s.hangs}, dropped ${s.dropped}${s.crashed ? ', SERVER CRASHED' : ''}`
    + (final ? `\n  statuses: ${statuses}\n  strategies: ${JSON.stringify(s.byStrategy)}, not sendable by Node's HTTP client: ${s.unsendable}` : ''));
}

if (!has('skip-live') && requests > 0) {
  console.log(`\nlive server: up to ${requests} requests or ${timeS} s, ${concurrency} in flight, ${timeoutMs} ms per request`);
  const seeds = [...handwrittenSeeds(), ...(await sdkSeeds(seed, 0.15))];
  console.log(`  ${seeds.length} seed requests (hand-written for implemented operations, and the JS SDK's own for a sample of every operation)`);
  const server = await startChild();
  let stats: LiveStats;
  try {
    stats = await fuzzServer({
      url: server.url, seed, seeds, requests, timeLimitMs: timeS * 1000, concurrency, requestTimeoutMs: timeoutMs,
      resetEvery: 50_000, alive: server.alive, onProgress: (s) => printLive(s), progressEveryMs: 15_000,
    });
    const health = await fetch(`${server.url}/_cloudlet/health`).then((r) => r.status, () => 0);
    if (health !== 200) {
      stats.crashed = true;
      console.log(`  the server does not answer /_cloudlet/health after the run (${health})`);
    }
  } finally {
    await server.stop();
  }
  printLive(stats, true);
  const internal = server.stderr().split('\n').filter((l) => /internal failure|unhandled/i.test(l));
  if (internal.length) console.log(`  server logged ${internal.length} internal failures, first: ${internal[0]!.slice(0, 500)}`);
  if (stats.failed) console.log(`  failures by kind: ${Object.entries(stats.failureKinds).map(([k, n]) => `${n} x ${k}`).join('; ')}`);
  for (const f of stats.failures.slice(0, 20)) {
    console.log(`  FAIL #${f.index} [${f.strategy} ${f.seed}] ${f.status ?? ''} ${f.detail.slice(0, 300)}\n       ${f.request}`);
  }
  if (stats.failed || stats.crashed || internal.length) failed = true;
}

// 3. Rejected requests leave the state alone.
if (!has('skip-state') && checks > 0) {
  const c = await startCloudlet({ port: 0, ephemeral: true, logLevel: 'silent' });
  try {
    const t = Date.now();
    const s = await stateChecks(c, seed, checks, timeoutMs);
    console.log(`\nstate: ${s.checks} mutated state-changing requests in ${((Date.now() - t) / 1000).toFixed(1)} s: ${s.rejected} rejected (state unchanged checked each time), ${s.accepted} accepted; failures ${s.failures.length}`);
    for (const f of s.failures.slice(0, 10)) console.log(`  FAIL #${f.index} [${f.strategy} ${f.seed}] ${f.status ?? ''} ${f.detail.slice(0, 300)}\n       ${f.request}`);
    if (s.failures.length) failed = true;
  } finally {
    await c.close();
  }
}

// 4. Hostile inputs, each measured alone against a fresh server process.
if (!has('skip-hostile') && hostileCases > 0) {
  const server = await startChild();
  try {
    const s = await fuzzHostile({ url: server.url, seed, cases: hostileCases, timeLimitMs: timeS * 1000 });
    console.log(`\nhostile inputs: ${s.cases} requests in ${(s.ms / 1000).toFixed(1)} s; slowest answer ${s.slowestMs.toFixed(0)} ms, `
      + `slowest health meanwhile ${s.slowestHealthMs.toFixed(0)} ms; failures ${s.failures.length}${server.alive() ? '' : ', SERVER CRASHED'}`);
    for (const f of s.failures.slice(0, 20)) console.log(`  FAIL ${f.name}: ${f.detail}`);
    if (s.failures.length || !server.alive()) failed = true;
  } finally {
    await server.stop();
  }
}

// 5. The admin API, against a fresh ephemeral server process.
if (!has('skip-admin') && adminCases > 0) {
  const server = await startChild();
  try {
    const s = await fuzzAdmin({ url: server.url, seed, cases: adminCases, timeLimitMs: timeS * 1000 });
    console.log(`\nadmin API: ${s.cases} requests (${Object.entries(s.byKind).map(([k, v]) => `${v} ${k}`).join(', ')}) in ${(s.ms / 1000).toFixed(1)} s; `
      + `statuses ${Object.entries(s.byStatus).map(([k, v]) => `${k}:${v}`).join(' ')}; slowest answer ${s.slowestMs.toFixed(0)} ms, `
      + `slowest health meanwhile ${s.slowestHealthMs.toFixed(0)} ms; failures ${s.failures.length}${server.alive() ? '' : ', SERVER CRASHED'}`);
    for (const f of s.failures.slice(0, 20)) console.log(`  FAIL ${f.name}: ${f.detail}`);
    if (s.failures.length || !server.alive()) failed = true;
  } finally {
    await server.stop();
  }
}

// 6. Policy documents with pathological patterns, against a fresh ephemeral server process.
if (!has('skip-policy') && policyCases > 0) {
  const server = await startChild();
  try {
    const s = await fuzzPolicy({ url: server.url, seed, cases: policyCases, timeLimitMs: timeS * 1000 });
    console.log(`\npolicy documents: ${s.cases} cases, ${s.requests} requests in ${(s.ms / 1000).toFixed(1)} s; `
      + `statuses ${Object.entries(s.byStatus).map(([k, v]) => `${k}:${v}`).join(' ')}; slowest answer ${s.slowestMs.toFixed(0)} ms, `
      + `slowest health meanwhile ${s.slowestHealthMs.toFixed(0)} ms; failures ${s.failures.length}${server.alive() ? '' : ', SERVER CRASHED'}`);
    for (const f of s.failures.slice(0, 20)) console.log(`  FAIL ${f.name}: ${f.detail}`);
    if (s.failures.length || !server.alive()) failed = true;
  } finally {
    await server.stop();
  }
}

console.log(failed ? '\nfuzz: FAILURES (see above)' : '\nfuzz: no failures');
process.exit(failed ? 1 : 0);
