import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createMemoryStore } from '../../store/memory.js';
import { createTempBlobStore } from '../../store/blobs.js';
import type { Scope, Tx } from '../../store/types.js';
import { isDue, poke, settleAllDue, settleScope, type FleetStep } from './engine.js';

const scope: Scope = { account: '111111111111', region: 'us-east-1' };
const MIN = 60_000;

/** A step that is due every `period` ms from `start` (its progress in a row), recording what it saw. */
function periodic(name: string, start: number, period: number, seen: string[], until = Infinity): FleetStep {
  return {
    name,
    nextDue: (tx: Tx, s: Scope) => {
      const next = tx.get<{ next: number }>(s, `test:${name}`, 'p')?.next ?? start;
      return next <= until ? next : undefined;
    },
    run: (sys, atMs) => {
      assert.equal(sys.clock.nowMs(), atMs, 'the system context reads the instant');
      seen.push(`${name}@${atMs / MIN}`);
      sys.tx.put(sys.scope, `test:${name}`, 'p', { next: atMs + period });
    },
  };
}

const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };

test('settleScope runs every due instant in time order, and the steps in their order at one instant', async () => {
  const store = createMemoryStore();
  const seen: string[] = [];
  const steps = [periodic('a', 0, 2 * MIN, seen), periodic('b', 0, 3 * MIN, seen)];
  const n = await store.transaction((tx) => settleScope(tx, scope, 6 * MIN, env, steps));
  assert.deepEqual(seen, ['a@0', 'b@0', 'a@2', 'b@3', 'a@4', 'a@6', 'b@6']);
  assert.equal(n, 5);
  // Settled: the due time is the next instant, and nothing runs again before it.
  await store.transaction((tx) => {
    assert.equal(isDue(tx, scope, 7 * MIN), false);
    assert.equal(isDue(tx, scope, 8 * MIN), true);
    assert.equal(settleScope(tx, scope, 7 * MIN, env, steps), 0);
  });
});

test('a step that does not move on is stopped loudly, not looped', async () => {
  const store = createMemoryStore();
  const stuck: FleetStep = { name: 'stuck', nextDue: () => 0, run: () => undefined };
  await assert.rejects(store.transaction((tx) => settleScope(tx, scope, MIN, env, [stuck])), /did not move on/);
});

test('poke lowers the due time; settleAllDue settles only the scopes with due work and loads the steps only then', async () => {
  const store = createMemoryStore();
  const seen: string[] = [];
  let loads = 0;
  const load = async () => { loads++; return [periodic('a', 5 * MIN, 10 * MIN, seen, 5 * MIN)]; };
  assert.equal(await settleAllDue(store, env.blobs, env.log, 10 * MIN, load), 0);
  assert.equal(loads, 0, 'nothing due: the steps are not even loaded');
  await store.transaction((tx) => { poke(tx, scope, 5 * MIN); poke(tx, scope, 9 * MIN); });
  assert.equal(await settleAllDue(store, env.blobs, env.log, 4 * MIN, load), 0);
  assert.equal(await settleAllDue(store, env.blobs, env.log, 10 * MIN, load), 1);
  assert.deepEqual(seen, ['a@5']);
  // The step has nothing more: the scope leaves the index.
  assert.equal(await settleAllDue(store, env.blobs, env.log, 100 * MIN, load), 0);
});

test('settleAllDue in slices (budget 0: one instant per transaction) runs the same instants as one settle, and other transactions run in between', async () => {
  const seenOne: string[] = [];
  const one = createMemoryStore();
  await one.transaction((tx) => poke(tx, scope, 0));
  await one.transaction((tx) => settleScope(tx, scope, 12 * MIN, env, [periodic('a', 0, 2 * MIN, seenOne), periodic('b', 0, 3 * MIN, seenOne)]));

  const seen: string[] = [];
  const store = createMemoryStore();
  await store.transaction((tx) => poke(tx, scope, 0));
  const steps = [periodic('a', 0, 2 * MIN, seen), periodic('b', 0, 3 * MIN, seen)];
  let between = 0;
  const others = (async () => { for (let i = 0; i < 3; i++) { await new Promise((r) => setImmediate(r)); await store.transaction(() => { between = seen.length; }); } })();
  assert.equal(await settleAllDue(store, env.blobs, env.log, 12 * MIN, async () => steps, 0), 1);
  await others;
  assert.deepEqual(seen, seenOne);
  assert.ok(between > 0 && between < seen.length, `a transaction ran part-way through the settle (after ${between} of ${seen.length})`);
  await store.transaction((tx) => {
    assert.equal(isDue(tx, scope, 13 * MIN), false);
    assert.equal(isDue(tx, scope, 14 * MIN), true);
  });
});
