/**
 * Requests built to hold the event loop: each is signed with the public `test` key, sent to a
 * real cloudlet process, and must get its AWS answer quickly while a health request polled
 * alongside keeps being answered. Before the bounds each of these held the loop for seconds
 * (EC2 filter wildcards, query parameters, JSON members, XML elements and attributes, S3 Host
 * patterns). The cases live in the fuzz target (test/conformance/fuzz-hostile.ts), which also
 * sends random ones on both sides of each bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzHostile, HOSTILE_CASES, judge, measure, presigned, WARM_UP, withHost } from '../conformance/fuzz-hostile.js';
import { startProcess, type Running } from '../helpers/process.js';

/** Slowest acceptable answer, and health answer meanwhile; the fixed cases carry bodies of up to 16 MB. */
const LIMIT_MS = 3000;

describe('hostile input: answered correctly and fast, the server stays responsive', () => {
  let srv: Running;

  before(async () => {
    srv = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'error']);
    // Each service's model loads on first use; load them before measuring.
    for (const [service, raw] of WARM_UP) await (await presigned(srv.url, service, raw))().then((r) => r.text());
  });
  after(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
  });

  for (const c of HOSTILE_CASES) {
    test(c.name, async () => {
      const send = c.service === 'host' ? withHost(srv.url, c.host!) : await presigned(srv.url, c.service, c.raw!());
      const m = await measure(srv.url, send);
      assert.ok(m.polls > 0);
      assert.equal(judge(c, m, LIMIT_MS), undefined);
    });
  }

  test('random hostile requests on both sides of each bound (the fuzz target, briefly)', async () => {
    // The fuzz run holds these to 1 s; here the machine may be busy with other suites.
    const s = await fuzzHostile({ url: srv.url, seed: 20261204, cases: HOSTILE_CASES.length + 40, timeLimitMs: 90_000, limitMs: LIMIT_MS });
    assert.deepEqual(s.failures, []);
    assert.ok(s.cases > HOSTILE_CASES.length, `${s.cases} cases`);
  });
});
