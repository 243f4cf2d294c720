/**
 * A fixed-seed slice of `npm run fuzz`'s admin phase (test/conformance/fuzz-admin.ts): clock
 * values, snapshot names and hostile import archives against a real server process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzAdmin } from '../conformance/fuzz-admin.js';
import { startProcess } from '../helpers/process.js';

test('400 admin requests (clock, names, hostile archives): no 5xx, each within 1 s, health answering, server up', { timeout: 180_000 }, async () => {
  const p = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'error']);
  try {
    const s = await fuzzAdmin({ url: p.url, seed: 20261204, cases: 400, timeLimitMs: 150_000 });
    assert.deepEqual(s.failures.slice(0, 5), [], `${s.failures.length} failures`);
    assert.equal(s.cases, 400);
    for (const kind of ['clock', 'names', 'import']) assert.ok((s.byKind[kind] ?? 0) > 30, `${kind} cases ran`);
    assert.ok((s.byStatus['400'] ?? 0) > 100 && (s.byStatus['200'] ?? 0) > 20, JSON.stringify(s.byStatus));
    assert.equal(p.child.exitCode, null, 'the server is still running');
    assert.doesNotMatch(p.stderr(), /internal failure|unhandled/i);
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
});
