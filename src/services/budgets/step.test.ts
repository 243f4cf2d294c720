import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { settleScope } from '../fleet/engine.js';
import { systemContext } from '../fleet/system.js';
import { OUTBOX, type OutboxRecord } from '../sns/records.js';
import { createBudget } from './budgets.js';
import { getBudget, globalScope, SCHEDULE } from './records.js';
import { budgetsStep, EVAL_EVERY_MS } from './step.js';

const ACCOUNT = '000000000000';
const scope = globalScope(ACCOUNT);
const H = 3_600_000;
const T0 = Date.UTC(2026, 3, 12, 10, 30);
const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };

function world() {
  const store = createMemoryStore();
  const ctx = (tx: Tx, ms: number) => systemContext(tx, scope, ms, env, 'test');
  return {
    create: (budget: object, notifications: object[], ms: number) =>
      store.transaction((tx) => createBudget({ AccountId: ACCOUNT, Budget: budget, NotificationsWithSubscribers: notifications }, ctx(tx, ms))),
    settle: (ms: number) => store.transaction((tx) => settleScope(tx, scope, ms, env, [budgetsStep])),
    due: () => store.transaction((tx) => budgetsStep.nextDue(tx, scope)),
    mail: () => store.transaction((tx) => tx.list<OutboxRecord>(scope, OUTBOX).map((r) => r.value)),
    budget: (name: string) => store.transaction((tx) => getBudget(tx, ACCOUNT, name)),
    schedule: () => store.transaction((tx) => tx.get(scope, SCHEDULE, 'next')),
  };
}

const below = { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'LESS_THAN', Threshold: 50 }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'a@example.com' }] };

test('a budget evaluates at creation, then on the 8-hour grid; a crossed threshold sends once per period, again in the next', async () => {
  const w = world();
  // Nothing is metered: the spend stays 0, under 50% of $10, so the LESS_THAN alert is crossed in every period.
  await w.create({ BudgetName: 'daily', BudgetType: 'COST', TimeUnit: 'DAILY', BudgetLimit: { Amount: '10', Unit: 'USD' } }, [below], T0);
  assert.equal(await w.due(), T0, 'due at once');
  assert.equal(budgetsStep.nextDue(undefined as never, { account: ACCOUNT, region: 'us-east-1' }), undefined, 'budgets live in the global scope only');
  await w.settle(T0);
  assert.equal(await w.due(), Math.ceil(T0 / EVAL_EVERY_MS) * EVAL_EVERY_MS);
  let b = (await w.budget('daily'))!;
  assert.deepEqual([b.notifications[0]!.state, b.spend?.actual, b.spend?.forecast], ['ALARM', 0, 0]);
  assert.equal((await w.mail()).length, 1);
  await w.settle(T0 + 12 * H);
  assert.equal((await w.mail()).length, 1, 'the same day: not again');
  await w.settle(T0 + 14 * H);
  const mail = await w.mail();
  assert.equal(mail.length, 2, 'a new day, a new period');
  assert.equal(mail[1]!.atMs, Date.UTC(2026, 3, 13), 'at the period\'s first evaluation, midnight UTC');
  assert.match(mail[1]!.body, /is less than \$5\.00 per day\. The ACTUAL Cost associated with this budget is \$0\.00\./);
  b = (await w.budget('daily'))!;
  assert.equal(b.spend?.periodStartMs, Date.UTC(2026, 3, 13));
  await w.settle(T0 + 3 * 24 * H);
  assert.equal((await w.mail()).length, 4);
});

test('a budget past its end date is deleted, as AWS deletes it; the schedule goes with the last budget', async () => {
  const w = world();
  const end = Date.UTC(2026, 3, 13, 5);
  await w.create({ BudgetName: 'short', BudgetType: 'COST', TimeUnit: 'CUSTOM', BudgetLimit: { Amount: '1', Unit: 'USD' }, TimePeriod: { Start: new Date(T0 - H), End: new Date(end) } }, [], T0);
  await w.settle(T0);
  assert.ok(await w.budget('short'));
  await w.settle(end - 1);
  assert.equal(await w.due(), end, 'its end is an evaluation of its own, off the grid');
  await w.settle(end);
  assert.equal(await w.budget('short'), undefined);
  assert.equal(await w.schedule(), undefined);
  assert.equal(await w.due(), undefined);
});

test('a budget that starts later is first evaluated at its start', async () => {
  const w = world();
  const start = Date.UTC(2026, 5, 1);
  await w.create({ BudgetName: 'june', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: '1', Unit: 'USD' }, TimePeriod: { Start: new Date(start) } }, [below], T0);
  await w.settle(T0);
  assert.equal(await w.due(), start);
  assert.equal((await w.mail()).length, 0, 'nothing before it starts');
  await w.settle(start);
  assert.equal((await w.mail()).length, 1);
});
