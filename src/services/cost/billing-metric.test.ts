import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Clock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';
import { createMemoryStore } from '../../store/memory.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { aggregate, listMetricRows } from '../cloudwatch/metrics-store.js';
import { isDue, settleScope } from '../fleet/engine.js';
import { billingStep, BILLING_NAMESPACE, ESTIMATED_CHARGES, STAMP_BEFORE_MS } from './billing-metric.js';
import { BillingPreferenceError, billingView, nextMark, PUBLISH_EVERY_MS, setBillingAlerts } from './billing-prefs.js';
import { meteredStore } from './meter.js';
import { instanceRate, prices } from './prices.js';

const ACCOUNT = '111111111111';
const EAST = { account: ACCOUNT, region: 'us-east-1' };
const WEST = { account: ACCOUNT, region: 'us-west-2' };
const H = 3_600_000;
// 2026-01-31 03:00 UTC: the month turns 21 hours later.
const T0 = Date.UTC(2026, 0, 31, 3);
const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };
const TOTAL = { namespace: BILLING_NAMESPACE, name: ESTIMATED_CHARGES, dimensions: [{ Name: 'Currency', Value: 'USD' }] };
const perService = (code: string) => ({ ...TOTAL, dimensions: [{ Name: 'ServiceName', Value: code }, { Name: 'Currency', Value: 'USD' }] });

function setup() {
  let real = T0;
  const store = meteredStore(createMemoryStore(), new Clock(0, () => real));
  return { store, at: (ms: number) => { real = ms; } };
}

const instance = { id: 'i-1', instanceType: 'm5.large', zoneName: 'us-west-2a', placement: { tenancy: 'default' }, phase: 'start', sinceMs: T0, doneMs: T0 };
const cents = (n: number) => Math.round(n * 100) / 100;

/** Maximum per 6-hour period, keyed by the period start. */
function points(tx: Parameters<typeof aggregate>[0], id: typeof TOTAL, from: number, to: number): Map<number, number> {
  // Periods counted from a 6-hour mark, as an alarm's are (aligned to the epoch).
  const start = Math.floor(from / PUBLISH_EVERY_MS) * PUBLISH_EVERY_MS;
  return new Map([...aggregate(tx, EAST, id, start, to, 21600)].map(([k, a]) => [k, a.hi]));
}

describe('AWS/Billing EstimatedCharges', () => {
  it('publishes nothing until billing alerts are on; then at each 6-hour mark, total and per service, for every Region, reset at month start', async () => {
    const { store, at } = setup();
    await store.transaction((tx) => {
      tx.put(WEST, 'ec2:instance', 'i-1', instance);
      tx.put(EAST, 'ec2:elastic-ip', 'eipalloc-1', { allocationId: 'eipalloc-1', publicIp: '3.3.3.3', allocatedAt: new Date(T0).toISOString() });
    });
    await store.transaction((tx) => {
      assert.equal(billingStep.nextDue(tx, EAST), undefined, 'off: nothing due');
      assert.equal(setBillingAlerts(tx, ACCOUNT, true, T0 + 1000), true);
      assert.equal(setBillingAlerts(tx, ACCOUNT, true, T0 + 2000), false, 'on again changes nothing');
      assert.equal(billingStep.nextDue(tx, EAST), Date.UTC(2026, 0, 31, 6));
      assert.equal(billingStep.nextDue(tx, WEST), undefined, 'billing data lives in us-east-1 only');
      assert.equal(isDue(tx, EAST, Date.UTC(2026, 0, 31, 6)), true, 'the scope is on the fleet index');
    });
    const end = Date.UTC(2026, 1, 1, 13);
    at(end);
    await store.transaction((tx) => settleScope(tx, EAST, end, env, [billingStep]));
    const rate = instanceRate('m5.large', 'Linux/UNIX', 'us-west-2');
    const ip = prices().vpc.publicIpv4Hour;
    await store.transaction((tx) => {
      const total = points(tx, TOTAL, T0, end);
      const stamp = (mark: number) => mark - STAMP_BEFORE_MS;
      const upTo = (mark: number, from = T0) => (stamp(mark) - from) / H;
      const marks = [Date.UTC(2026, 0, 31, 6), Date.UTC(2026, 0, 31, 12), Date.UTC(2026, 0, 31, 18), Date.UTC(2026, 1, 1, 0), Date.UTC(2026, 1, 1, 6), Date.UTC(2026, 1, 1, 12)];
      assert.deepEqual([...total.keys()], marks.map((m) => m - PUBLISH_EVERY_MS), 'one point per 6-hour period, in the period that ends at its mark');
      const feb = Date.UTC(2026, 1, 1);
      const expected = marks.map((m) => {
        const from = stamp(m) >= feb ? feb : T0;
        return cents(upTo(m, from) * (rate + ip));
      });
      assert.deepEqual([...total.values()], expected);
      assert.ok(expected[3]! > expected[4]!, 'the point at 00:00 on the 1st closes January; the next one starts February over');
      const ec2 = [...points(tx, perService('AmazonEC2'), T0, end).values()];
      const vpc = [...points(tx, perService('AmazonVPC'), T0, end).values()];
      assert.deepEqual(ec2, marks.map((m) => cents(upTo(m, stamp(m) >= feb ? feb : T0) * rate)));
      assert.deepEqual(vpc, marks.map((m) => cents(upTo(m, stamp(m) >= feb ? feb : T0) * ip)));
      assert.deepEqual(listMetricRows(tx, EAST, BILLING_NAMESPACE).map((r) => r.dims.map((d) => `${d.Name}=${d.Value}`).join(',')).sort(),
        ['Currency=USD', 'Currency=USD,ServiceName=AmazonEC2', 'Currency=USD,ServiceName=AmazonVPC']);
      assert.equal(billingStep.nextDue(tx, EAST), Date.UTC(2026, 1, 1, 18));
      assert.equal(listMetricRows(tx, WEST).length, 0);
    });
  });

  it('cannot be turned off, as on AWS, unless forced; forced off stops the schedule', async () => {
    const { store } = setup();
    await store.transaction((tx) => {
      assert.equal(setBillingAlerts(tx, ACCOUNT, false, T0), false, 'off while off: nothing to do');
      setBillingAlerts(tx, ACCOUNT, true, T0);
      assert.equal(billingView(tx, ACCOUNT).receiveBillingAlerts, true);
      assert.throws(() => setBillingAlerts(tx, ACCOUNT, false, T0 + 1), (e: unknown) => e instanceof BillingPreferenceError && e.status === 409 && /can't disable data collection/.test(e.message));
      assert.equal(setBillingAlerts(tx, ACCOUNT, false, T0 + 1, true), true);
      assert.equal(billingView(tx, ACCOUNT).receiveBillingAlerts, false);
      assert.equal(billingStep.nextDue(tx, EAST), undefined);
    });
  });

  it('marks are every six hours of UTC', () => {
    assert.equal(nextMark(Date.UTC(2026, 4, 5, 23, 59)), Date.UTC(2026, 4, 6, 0));
    assert.equal(nextMark(Date.UTC(2026, 4, 6, 0)), Date.UTC(2026, 4, 6, 6), 'strictly after');
  });
});
