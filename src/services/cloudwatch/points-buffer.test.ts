import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryStore } from '../../store/memory.js';
import { listMetricRows, POINTS_KIND, putDatapoints, statistic } from './metrics-store.js';
import { deferringTx } from './points-buffer.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const M = 60_000;
const T0 = 1_000 * 86_400_000;
const metric = (n: string) => ({ namespace: 'AWS/EC2', name: n, dimensions: [{ Name: 'InstanceId', Value: 'i-1' }] });

test('deferred points are written when their metric is read, and the rest at flush; the rows equal writing each minute', async () => {
  const direct = createMemoryStore();
  const deferred = createMemoryStore();
  for (let i = 0; i < 90; i++) {
    await direct.transaction((tx) => {
      putDatapoints(tx, scope, metric('A'), 'Percent', [{ atMs: T0 + i * M, value: i < 50 ? 3 : 4 }]);
      putDatapoints(tx, scope, metric('B'), 'Count', [{ atMs: T0 + i * M, value: 0 }]);
    });
  }
  await deferred.transaction((tx) => {
    const d = deferringTx(tx);
    for (let i = 0; i < 90; i++) {
      putDatapoints(d.tx, scope, metric('A'), 'Percent', [{ atMs: T0 + i * M, value: i < 50 ? 3 : 4 }]);
      putDatapoints(d.tx, scope, metric('B'), 'Count', [{ atMs: T0 + i * M, value: 0 }]);
      if (i === 10) {
        // A reader of A (an alarm) sees A's points so far; B is still held back.
        assert.deepEqual(statistic(d.tx, scope, metric('A'), 'SampleCount', T0, T0 + 20 * M, 3600).map((p) => p.value), [11]);
        assert.equal(tx.list(scope, POINTS_KIND).length, 1);
      }
    }
    assert.equal(listMetricRows(d.tx, scope).length, 2, 'listing metrics writes every held metric first');
    for (let i = 90; i < 95; i++) putDatapoints(d.tx, scope, metric('B'), 'Count', [{ atMs: T0 + i * M, value: 0 }]);
    d.flush();
  });
  await direct.transaction((tx) => { for (let i = 90; i < 95; i++) putDatapoints(tx, scope, metric('B'), 'Count', [{ atMs: T0 + i * M, value: 0 }]); });
  const rows = (s: typeof direct) => s.transaction((tx) => ({ points: tx.list(scope, POINTS_KIND), metrics: listMetricRows(tx, scope) }));
  assert.deepEqual(await rows(deferred), await rows(direct));
});
