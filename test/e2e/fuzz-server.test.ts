/**
 * A small, fixed-seed slice of `npm run fuzz`'s live phases (test/conformance/fuzz-server.ts):
 * mutated valid signed requests against a real server over loopback, and rejected
 * state-changing requests leaving the store as it was.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cloudlet } from '../../src/server/server.js';
import { fuzzServer, handwrittenSeeds, sdkSeeds, stateChecks, type LiveSeed, type LiveStats } from '../conformance/fuzz-server.js';
import { startTestServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SEED = 20261123;

describe('live-server fuzzing, fixed-seed slice', () => {
  let cl: Cloudlet;
  let seeds: LiveSeed[];
  before(async () => {
    cl = await startTestServer();
    seeds = [...handwrittenSeeds(), ...(await sdkSeeds(SEED, 0.03))];
  });
  after(async () => { await cl.close(); });

  let run: LiveStats;
  const show = (fs: LiveStats['failures']) => fs.slice(0, 5).map((f) => `#${f.index} [${f.strategy} ${f.seed}] ${f.status ?? ''} ${f.detail}\n  ${f.request}`).join('\n');
  const wrongProtocol = (f: LiveStats['failures'][number]) => /^a (cbor|json) request answered in /.test(f.detail);

  it('4000 mutated requests: only well-formed 2xx/4xx/501 answers, no stack traces, no hang', { timeout: 120_000 }, async () => {
    run = await fuzzServer({
      url: cl.url, seed: SEED, seeds, requests: 4000, timeLimitMs: 60_000, concurrency: 16, requestTimeoutMs: 10_000, resetEvery: 2000,
    });
    const s = run;
    const kinds = Object.keys(s.failureKinds).filter((k) => !/^a (cbor|json) request answered in /.test(k));
    assert.deepStrictEqual(kinds, [], show(s.failures.filter((f) => !wrongProtocol(f))));
    assert.equal(s.serverErrors, 0);
    assert.equal(s.hangs + s.dropped, 0);
    assert.ok(s.requests >= 3500, `only ${s.requests} requests were sent`);
    assert.ok((s.byStatus['200'] ?? 0) > 0 && (s.byStatus['400'] ?? 0) > 0, JSON.stringify(s.byStatus));
    const health = await fetch(`${cl.url}/_cloudlet/health`);
    assert.equal(health.status, 200);
  });

  it('a request that speaks RPC v2 CBOR or awsJson is answered in that protocol', () => {
    assert.ok(run, 'the fuzz run above did not happen');
    const wrong = Object.entries(run.failureKinds).filter(([k]) => /^a (cbor|json) request answered in /.test(k));
    assert.deepStrictEqual(wrong, [], show(run.failures.filter(wrongProtocol)));
  });

  it('rejected state-changing requests change nothing stored', { timeout: 60_000 }, async () => {
    const s = await stateChecks(cl, SEED, 150);
    assert.deepStrictEqual(s.failures, []);
    assert.ok(s.rejected > 50, `only ${s.rejected} of ${s.checks} were rejected`);
    assert.ok(s.accepted > 0);
  });
});
