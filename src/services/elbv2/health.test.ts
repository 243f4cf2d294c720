import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideHealth, observe, type HealthInputs } from './health.js';

const base = (over: Partial<HealthInputs> = {}): HealthInputs => ({
  nowMs: 100_000, inUse: true, instanceState: 'running', zoneEnabled: true, healthCheckEnabled: true,
  checksFromMs: 0, healthyThreshold: 5, intervalSeconds: 10, reach: () => ({ ok: true }), ...over,
});

test('healthy once HealthyThresholdCount x interval has passed and the path is open', () => {
  assert.deepEqual(decideHealth(base()), { state: 'healthy' });
  assert.equal(decideHealth(base({ nowMs: 49_999 })).state, 'initial');
  assert.equal(decideHealth(base({ nowMs: 50_000 })).state, 'healthy');
});

test('initial does not ask the network; a blocked path is unhealthy with Target.Timeout and the reason', () => {
  let asked = 0;
  const reach = () => { asked++; return { ok: false, why: 'ENI_SG_RULES_MISMATCH ingress sg-1' }; };
  assert.deepEqual(decideHealth(base({ nowMs: 1000, reach })), { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' });
  assert.equal(asked, 0);
  assert.deepEqual(decideHealth(base({ reach })), { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out (ENI_SG_RULES_MISMATCH ingress sg-1)' });
  assert.deepEqual(decideHealth(base({ reach, healthCheckProtocol: 'TCP' })), { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed (ENI_SG_RULES_MISMATCH ingress sg-1)' });
});

test('reasons in AWS order: draining, not in use, instance state, zone, checks disabled', () => {
  assert.equal(decideHealth(base({ drainEndMs: 200_000, inUse: false })).reason, 'Target.DeregistrationInProgress');
  assert.equal(decideHealth(base({ drainEndMs: 100_000 })).state, 'healthy', 'a drain that ended no longer counts');
  assert.deepEqual(decideHealth(base({ inUse: false, instanceState: 'stopped' })).reason, 'Target.NotInUse');
  assert.deepEqual(decideHealth(base({ instanceState: 'stopped' })), { state: 'unused', reason: 'Target.InvalidState', description: 'Target is in the stopped state' });
  assert.equal(decideHealth(base({ instanceState: 'missing' })).description, 'Target is in the terminated state');
  assert.equal(decideHealth(base({ instanceState: undefined })).state, 'healthy', 'IP targets have no instance state');
  const zone = decideHealth(base({ zoneEnabled: false }));
  assert.deepEqual([zone.state, zone.reason], ['unused', 'Target.NotInUse']);
  assert.match(zone.description!, /Availability Zone that is not enabled/);
  assert.deepEqual(decideHealth(base({ healthCheckEnabled: false })), { state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled' });
});

test('observe: a healthy target that starts failing stays healthy for UnhealthyThresholdCount x interval from the last healthy read; since marks each state', () => {
  const t = { checksFromMs: 0, healthyThreshold: 5, intervalSeconds: 10, unhealthyThreshold: 2 };
  const healthy = observe(undefined, { state: 'healthy' }, 80_000, t);
  assert.deepEqual(healthy.observed, { state: 'healthy', sinceMs: 50_000, seenMs: 80_000 }, 'healthy since the checks passed, not since the read');
  const bad = { state: 'unhealthy' as const, reason: 'Target.Timeout', description: 'Request timed out' };
  const failing = observe(healthy.observed, bad, 90_000, t);
  assert.equal(failing.answer.state, 'healthy');
  assert.deepEqual(failing.observed, { state: 'healthy', sinceMs: 50_000, seenMs: 80_000, failingSinceMs: 80_000 });
  assert.equal(observe(failing.observed, bad, 99_999, t).answer.state, 'healthy');
  const down = observe(failing.observed, bad, 125_000, t);
  assert.deepEqual(down, { answer: bad, observed: { state: 'unhealthy', sinceMs: 100_000 } });
  assert.deepEqual(observe(down.observed, bad, 200_000, t).observed, { state: 'unhealthy', sinceMs: 100_000 });
  assert.deepEqual(observe(down.observed, { state: 'healthy' }, 210_000, t).observed, { state: 'healthy', sinceMs: 210_000, seenMs: 210_000 });
  assert.deepEqual(observe(failing.observed, { state: 'healthy' }, 95_000, t).observed, { state: 'healthy', sinceMs: 50_000, seenMs: 95_000 }, 'recovered before the threshold: the failing count resets');
  assert.deepEqual(observe(healthy.observed, bad, 300_000, t).observed, { state: 'unhealthy', sinceMs: 100_000 }, 'a long unread stretch: unhealthy since the threshold after the last healthy read');
  assert.equal(observe(undefined, bad, 60_000, t).answer.state, 'unhealthy', 'never healthy: unhealthy once the initial checks are over');
});
