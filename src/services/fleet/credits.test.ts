import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceCredits, balanceOf, BURSTABLE, creditSpecOf, defaultCreditMode, initialCredits, stopCredits } from './credits.js';

test('the baseline table gives AWS\'s earnings and maximum balances', () => {
  const t3micro = creditSpecOf('t3.micro')!;
  assert.deepEqual([t3micro.vcpus, t3micro.baseline, t3micro.earnedPerHour, t3micro.maxBalance, t3micro.launchCredits], [2, 10, 12, 288, 0]);
  assert.deepEqual([creditSpecOf('t2.micro')!.earnedPerHour, creditSpecOf('t2.micro')!.maxBalance, creditSpecOf('t2.micro')!.launchCredits], [6, 144, 30]);
  assert.equal(creditSpecOf('t2.2xlarge')!.earnedPerHour, 81.6);
  assert.equal(creditSpecOf('t3.nano')!.maxBalance, 144);
  assert.equal(creditSpecOf('t4g.xlarge')!.earnedPerHour, 96);
  assert.equal(creditSpecOf('m5.large'), undefined);
  assert.equal(Object.keys(BURSTABLE).length, 28);
  assert.equal(defaultCreditMode('t2.micro'), 'standard');
  assert.equal(defaultCreditMode('t3.micro'), 'unlimited');
});

test('credits accrue below the baseline up to 24 hours of earnings', () => {
  const spec = creditSpecOf('t3.micro')!;
  const st = initialCredits(spec, 'standard');
  // One hour idle at 0 %: 12 credits.
  for (let m = 0; m < 12; m++) advanceCredits(st, spec, 'standard', 0, 5);
  assert.ok(Math.abs(balanceOf(st) - 12) < 1e-9);
  // At 5 % (half the baseline) an hour earns 12 and spends 6.
  for (let m = 0; m < 12; m++) advanceCredits(st, spec, 'standard', 5, 5);
  assert.ok(Math.abs(balanceOf(st) - 18) < 1e-9);
  // Two idle days: capped at 288.
  for (let m = 0; m < 576; m++) advanceCredits(st, spec, 'standard', 0, 5);
  assert.equal(balanceOf(st), 288);
});

test('standard mode: the balance drains to zero and the CPU is then held at the baseline', () => {
  const spec = creditSpecOf('t3.micro')!;
  const st = { earned: 20, launch: 0, surplus: 0 };
  // 90 % on 2 vCPUs spends 9 credits per 5 minutes and earns 1: 8 net, so 20 lasts 2.5 intervals.
  const a = advanceCredits(st, spec, 'standard', 90, 5);
  assert.equal(a.cpu, 90); assert.ok(Math.abs(a.usage - 9) < 1e-9); assert.ok(Math.abs(st.earned - 12) < 1e-9);
  advanceCredits(st, spec, 'standard', 90, 5);
  const c = advanceCredits(st, spec, 'standard', 90, 5);
  assert.equal(balanceOf(st), 0);
  assert.ok(c.cpu < 90 && c.cpu > 10, `half the interval at 90 %, half at 10 %: ${c.cpu}`);
  assert.ok(Math.abs(c.cpu - 50) < 1e-9);
  const d = advanceCredits(st, spec, 'standard', 90, 5);
  assert.ok(Math.abs(d.cpu - 10) < 1e-9, 'capped at the 10 % baseline');
  assert.ok(Math.abs(d.usage - 1) < 1e-9, 'spends what it earns');
  assert.equal(d.charged, 0);
  assert.equal(st.surplus, 0);
});

test('unlimited mode: no cap; surplus accrues, is paid down by later earnings, and beyond 24 h of earnings is charged', () => {
  const spec = creditSpecOf('t3.micro')!;
  const st = initialCredits(spec, 'unlimited');
  const a = advanceCredits(st, spec, 'unlimited', 90, 60);
  assert.equal(a.cpu, 90);
  assert.ok(Math.abs(st.surplus - 96) < 1e-9, '108 spent - 12 earned');
  // Idle for an hour: earnings (12) pay down surplus first.
  advanceCredits(st, spec, 'unlimited', 0, 60);
  assert.ok(Math.abs(st.surplus - 84) < 1e-9);
  assert.equal(st.earned, 0);
  // Four hours at 100 %: 108 net an hour; surplus capped at 288, the rest charged.
  let charged = 0;
  for (let h = 0; h < 4; h++) charged += advanceCredits(st, spec, 'unlimited', 100, 60).charged;
  assert.equal(st.surplus, 288);
  assert.ok(Math.abs(charged - (84 + 4 * (120 - 12) - 288)) < 1e-9);
  // A stop charges what is outstanding; T3 keeps its earned balance, T2 loses it.
  assert.equal(stopCredits(st, 't3.micro').charged, 288);
  assert.deepEqual(stopCredits({ earned: 5, launch: 3, surplus: 0 }, 't3.micro').state, { earned: 5, launch: 0, surplus: 0 });
  assert.equal(stopCredits({ earned: 5, launch: 3, surplus: 0 }, 't2.micro').state, undefined);
});

test('T2 standard spends its launch credits first, and they do not count against the maximum', () => {
  const spec = creditSpecOf('t2.micro')!;
  const st = initialCredits(spec, 'standard');
  assert.equal(st.launch, 30);
  advanceCredits(st, spec, 'standard', 60, 10); // wants 6, earns 1: 5 from launch credits
  assert.equal(st.launch, 25); assert.equal(st.earned, 0);
  for (let i = 0; i < 300; i++) advanceCredits(st, spec, 'standard', 0, 60);
  assert.equal(st.earned, 144); assert.equal(balanceOf(st), 169);
});
