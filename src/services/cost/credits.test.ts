import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PlanRecord } from './account-plan.js';
import { creditsEndMs } from './account-plan.js';
import type { CostedItem } from './commitments.js';
import { creditLedger, emitCredits, hourlyKey } from './credits.js';

const D = 86_400_000;
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

const line = (resourceId: string) => ({
  key: 'BoxUsage:m5.large', service: 'Amazon Elastic Compute Cloud - Compute', productCode: 'AmazonEC2', usageType: 'BoxUsage:m5.large',
  operation: 'RunInstances', unit: 'Hrs', quantity: 1, rate: 0.1, resourceId, region: 'us-east-1', tags: {},
});
const item = (resourceId: string, startMs: number, usd: number, itemType = 'Usage', hours = 24): CostedItem => ({
  account: '1', startMs, endMs: startMs + hours * H, line: line(resourceId), quantity: hours, hours, cost: usd,
  unblendedCost: usd, amortizedCost: usd, blendedCost: usd, itemType,
});
const plan = (credits: Array<[number, number]>, type: 'FREE' | 'PAID' = 'FREE'): PlanRecord => ({
  type, startMs: T0, credits: credits.map(([amount, grantedMs], i) => ({ source: `c${i}`, amount, grantedMs })), completed: {},
});
const daily = (items: CostedItem[]) => (w: { startMs: number; endMs: number }, fn: (i: CostedItem) => void) => {
  for (const i of items) if (i.startMs >= w.startMs && i.startMs < w.endMs) fn(i);
};
const sumCredits = (out: CostedItem[]) => -out.reduce((a, i) => a + i.unblendedCost, 0);

describe('Free Tier credits on the bill', () => {
  it('pay each day\'s charges until they run out, with credits granted by then', () => {
    const items = [0, 1, 2, 3].map((d) => item('i-1', T0 + d * D, 40));
    // $100 at sign-up, $20 more on day 2.
    const l = creditLedger(plan([[100, T0], [20, T0 + 2 * D + 5 * H]]), T0 + 10 * D, daily(items));
    assert.equal(l.granted, 120);
    assert.equal(l.used, 120);
    assert.deepEqual([...l.days.keys()].map((d) => (d - T0) / D), [0, 1, 2]);
    assert.equal(l.days.get(T0 + 2 * D)!.values().next().value!.usd, 40, 'day 2: $20 left plus the $20 granted that day');
    assert.equal(l.days.get(T0 + 3 * D), undefined, 'day 3: nothing left');
  });

  it('credit only what is left after commitments and never fees; lines share a short day', () => {
    const items = [
      item('i-1', T0, 30), item('i-1', T0, 10, 'SavingsPlanCoveredUsage'), item('i-1', T0, -10, 'SavingsPlanNegation'),
      item('i-1', T0, 50, 'SavingsPlanRecurringFee'), item('i-2', T0, 10),
    ];
    const l = creditLedger(plan([[20, T0]]), T0 + D, daily(items));
    const day = l.days.get(T0)!;
    const [a, b] = [...day.values()];
    assert.equal(a!.net, 30, 'covered usage and its negation cancel; the fee is not eligible');
    assert.equal(a!.usd, 15);
    assert.equal(b!.usd, 5);
  });

  it('end with the Free plan (six months), or twelve months from sign-up on the Paid plan', () => {
    const free = plan([[100, T0]]);
    const paid = { ...plan([[100, T0]]), type: 'PAID' as const };
    assert.equal(creditsEndMs(free), Date.UTC(2026, 6, 1));
    assert.equal(creditsEndMs(paid), Date.UTC(2027, 0, 1));
    assert.equal(creditsEndMs({ ...free, type: 'PAID', upgradedMs: Date.UTC(2026, 2, 1) }), Date.UTC(2027, 0, 1), 'upgraded in time');
    assert.equal(creditsEndMs({ ...free, type: 'PAID', upgradedMs: Date.UTC(2026, 7, 1) }), Date.UTC(2026, 6, 1), 'upgraded after the plan ended');
    const late = [item('i-1', Date.UTC(2026, 6, 2), 10)];
    assert.equal(creditLedger(free, Date.UTC(2026, 7, 1), daily(late)).used, 0);
  });

  it('emit Credit items per bucket: MONTHLY sums the days, HOURLY follows the hours\' charges, a cut day by time', () => {
    const items = [item('i-1', T0, 24), item('i-1', T0 + D, 24)];
    const l = creditLedger(plan([[100, T0]]), T0 + 2 * D, daily(items));
    const monthly: CostedItem[] = [];
    emitCredits('1', l, { startMs: T0, endMs: T0 + 31 * D }, 'MONTHLY', (i) => monthly.push(i), undefined);
    assert.equal(sumCredits(monthly), 48);
    assert.ok(monthly.every((i) => i.itemType === 'Credit' && i.startMs === T0));
    const hours = [item('i-1', T0 + 2 * H, 2, 'Usage', 1), item('i-1', T0 + 3 * H, 6, 'Usage', 1)];
    const byKey = new Map<string, CostedItem[]>();
    for (const h of hours) byKey.set(hourlyKey(h), [...(byKey.get(hourlyKey(h)) ?? []), h]);
    const hourly: CostedItem[] = [];
    emitCredits('1', l, { startMs: T0 + 2 * H, endMs: T0 + 4 * H }, 'HOURLY', (i) => hourly.push(i), byKey);
    assert.deepEqual(hourly.map((i) => [(i.startMs - T0) / H, -i.unblendedCost]), [[2, 2], [3, 6]]);
    const cut: CostedItem[] = [];
    emitCredits('1', l, { startMs: T0 + 12 * H, endMs: T0 + D }, 'NONE', (i) => cut.push(i), undefined);
    assert.equal(sumCredits(cut), 12);
  });
});
