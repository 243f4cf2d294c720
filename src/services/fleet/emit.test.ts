// The metrics step on a memory store, with instance, group and load balancer rows written as
// their services write them: idle CPU, a drained t3.micro held at its baseline, spreading, and
// the cost of a simulated day.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { statistic } from '../cloudwatch/metrics-store.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { KIND as ELB_K } from '../elbv2/records.js';
import { K as ASG_K, type GroupRecord } from '../autoscaling/records.js';
import type { LoadBalancerRecord } from '../elbv2/records.js';
import { emitGroups, groupsCollecting } from './emit-asg.js';
import { emitElb } from './emit-elb.js';
import { Writer } from './emit-put.js';
import { settleScope } from './engine.js';
import { metricsStep, wakeMetrics } from './emit.js';
import { cpuOf, HealthCache, idleCpu, LoadModel, putSetting } from './load.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const HOUR = 3_600_000;
const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };

function instance(tx: Tx, id: string, o: Partial<InstanceRecord> = {}): InstanceRecord {
  const i = {
    id, imageId: 'ami-0123456789abcdef0', instanceType: 't3.micro', architecture: 'x86_64', zoneName: 'us-east-1a', zoneId: 'use1-az1',
    lastSubnetId: 'subnet-1', lastVpcId: 'vpc-1', networkInterfaceIds: [], privateIp: '10.0.0.4', groups: [],
    placement: { tenancy: 'default' }, blockDevices: [], rootDeviceName: '/dev/xvda', rootDeviceType: 'ebs', monitoring: 'disabled',
    phase: 'start', sinceMs: T0, doneMs: T0 + 5000, runs: [[T0]], ...o,
  } as unknown as InstanceRecord;
  tx.put(scope, COMPUTE_KIND.instance, id, i);
  return i;
}

const cpu = (tx: Tx, id: string, from: number, to: number, period = 300) =>
  statistic(tx, scope, { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceId', Value: id }] }, 'Average', from, to, period);
const metric = (tx: Tx, name: string, id: string, from: number, to: number, period = 300, stat = 'Average') =>
  statistic(tx, scope, { namespace: 'AWS/EC2', name, dimensions: [{ Name: 'InstanceId', Value: id }] }, stat, from, to, period);

test('an instance with no load idles at 2-5 %: one CPU datapoint per 5 minutes (basic), per minute (detailed), status checks every minute', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    instance(tx, 'i-0000000000000000a');
    instance(tx, 'i-0000000000000000b', { monitoring: 'enabled', instanceType: 'm5.large' });
    settleScope(tx, scope, T0 + HOUR, env, [metricsStep]);
    const a = cpu(tx, 'i-0000000000000000a', T0, T0 + HOUR, 60);
    assert.equal(a.length, 12);
    for (const p of a) assert.equal(p.value, idleCpu('i-0000000000000000a'));
    assert.ok(a.every((p) => p.value >= 2 && p.value <= 5 && p.atMs % (5 * MIN) === 0));
    assert.equal(cpu(tx, 'i-0000000000000000b', T0, T0 + HOUR, 60).length, 60);
    assert.equal(metric(tx, 'StatusCheckFailed', 'i-0000000000000000a', T0, T0 + HOUR, 60).length, 60);
    assert.equal(metric(tx, 'CPUCreditBalance', 'i-0000000000000000b', T0, T0 + HOUR).length, 0, 'm5 earns no credits');
    // t3.micro (unlimited by default) idling at <5 % earns: 12 an hour minus what it spends.
    const bal = metric(tx, 'CPUCreditBalance', 'i-0000000000000000a', T0, T0 + HOUR);
    assert.equal(bal.length, 12);
    const spent = (idleCpu('i-0000000000000000a') / 100) * 2 * 60;
    assert.ok(Math.abs(bal.at(-1)!.value - (12 - spent)) < 0.05, `${bal.at(-1)!.value} vs ${12 - spent}`);
    // Aggregates of detailed instances: per type and across all.
    assert.equal(statistic(tx, scope, { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: [{ Name: 'InstanceType', Value: 'm5.large' }] }, 'Average', T0, T0 + HOUR, 60).length, 60);
  });
});

test('a t3.micro in standard mode under 90 %: the balance falls to zero and the CPU is held at the 10 % baseline; cpuOf says the same', async () => {
  const store = createMemoryStore();
  const id = 'i-0000000000000000c';
  await store.transaction((tx) => {
    instance(tx, id, { creditSpecification: 'standard' });
    settleScope(tx, scope, T0 + 2 * HOUR, env, [metricsStep]);
    putSetting(tx, scope, { target: { type: 'instance', id }, cpu: { kind: 'constant', value: 90 }, setMs: T0 + 2 * HOUR });
    wakeMetrics(tx, scope, T0 + 2 * HOUR);
    settleScope(tx, scope, T0 + 3 * HOUR, env, [metricsStep]);
    const bal = metric(tx, 'CPUCreditBalance', id, T0 + 2 * HOUR, T0 + 3 * HOUR, 300, 'Minimum');
    assert.ok(bal[0]!.value > 0);
    assert.equal(bal.at(-1)!.value, 0);
    const c = cpu(tx, id, T0 + 2 * HOUR, T0 + 3 * HOUR);
    assert.equal(c[0]!.value, 90);
    assert.ok(Math.abs(c.at(-1)!.value - 10) < 1e-9, `capped: ${c.at(-1)!.value}`);
    assert.ok(Math.abs(cpuOf(tx, scope, id, T0 + 3 * HOUR) - 10) < 1e-9);
    const usage = metric(tx, 'CPUCreditUsage', id, T0 + 2.5 * HOUR, T0 + 3 * HOUR, 300, 'Sum');
    assert.ok(usage.every((u) => Math.abs(u.value - 1) < 1e-9), 'spends what it earns (1 per 5 minutes)');
  });
});

test('settling to instants between minutes, in several steps, emits every minute once', async () => {
  const store = createMemoryStore();
  const id = 'i-0000000000000000e';
  await store.transaction((tx) => {
    instance(tx, id, { monitoring: 'enabled' });
    for (const at of [10.5, 11.2, 17.9, 30.01]) settleScope(tx, scope, T0 + at * MIN, env, [metricsStep]);
    const c = cpu(tx, id, T0, T0 + HOUR, 60);
    assert.deepEqual(c.map((p) => (p.atMs - T0) / MIN), Array.from({ length: 30 }, (_, k) => k));
    assert.equal(metricsStep.nextDue(tx, scope), T0 + 31 * MIN);
  });
});

test('a stopped instance emits nothing after its last period', async () => {
  const store = createMemoryStore();
  const id = 'i-0000000000000000d';
  await store.transaction((tx) => {
    const i = instance(tx, id);
    settleScope(tx, scope, T0 + 20 * MIN, env, [metricsStep]);
    tx.put(scope, COMPUTE_KIND.instance, id, { ...i, phase: 'stop', sinceMs: T0 + 20 * MIN, doneMs: T0 + 21 * MIN, runs: [[T0, T0 + 20 * MIN]] });
    settleScope(tx, scope, T0 + HOUR, env, [metricsStep]);
    const c = cpu(tx, id, T0, T0 + HOUR, 60);
    assert.equal(c.length, 4, 'periods 0, 5, 10, 15');
    assert.equal(metricsStep.nextDue(tx, scope), undefined, 'nothing left: the step sleeps');
  });
});

test('spreading: a load balancer\'s rate over its healthy targets; a group\'s CPU over its InService instances; an instance\'s own setting wins', async () => {
  const store = createMemoryStore();
  const lbArn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/0123456789abcdef';
  const tgArn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/fedcba9876543210';
  await store.transaction((tx) => {
    for (const n of ['1', '2', '3', '4']) instance(tx, `i-000000000000000${n}`);
    tx.put(scope, ELB_K.listener, lbArn.replace(':loadbalancer/', ':listener/') + '/1111111111111111',
      { arn: 'x', lbArn, port: 80, protocol: 'HTTP', certificates: [], defaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] });
    tx.put(scope, ASG_K.group, 'g', { name: 'g', members: [{ id: 'i-0000000000000003', state: 'InService' }, { id: 'i-0000000000000004', state: 'Pending' }] });
    putSetting(tx, scope, { target: { type: 'lb', arn: lbArn, name: 'web' }, requests: { kind: 'constant', value: 1000 }, setMs: T0 });
    putSetting(tx, scope, { target: { type: 'group', name: 'g' }, cpu: { kind: 'constant', value: 70 }, setMs: T0 });
    putSetting(tx, scope, { target: { type: 'instance', id: 'i-0000000000000002' }, cpu: { kind: 'constant', value: 33 }, setMs: T0 });
    const health = new HealthCache(tx, scope, T0);
    (health as unknown as { of: (tg: string) => unknown }).of = () => [
      { id: 'i-0000000000000001', port: 80, state: 'healthy' }, { id: 'i-0000000000000002', port: 80, state: 'healthy' },
      { id: 'i-0000000000000003', port: 80, state: 'unhealthy' }];
    const m = new LoadModel(tx, scope, T0, T0 + MIN, health);
    assert.equal(m.requestsOf('i-0000000000000001'), 500);
    assert.equal(m.requestsOf('i-0000000000000003'), 0, 'unhealthy targets get nothing while others are healthy');
    // 500 requests/s on 2 vCPUs at 0.4 % each per vCPU: 100 % (capped), plus idle.
    assert.equal(m.demandOf('i-0000000000000001', 't3.micro'), 100);
    assert.equal(m.demandOf('i-0000000000000001', 'm5.2xlarge'), idleCpu('i-0000000000000001') + 25);
    assert.equal(m.demandOf('i-0000000000000002', 't3.micro'), 33, 'its own setting overrides');
    assert.equal(m.demandOf('i-0000000000000003', 't3.micro'), 70, 'the group\'s CPU, InService');
    assert.equal(m.demandOf('i-0000000000000004', 't3.micro'), idleCpu('i-0000000000000004'), 'Pending: not yet');
    // All unhealthy: the load balancer fails open over every registered target.
    (health as unknown as { of: (tg: string) => unknown }).of = () => [
      { id: 'i-0000000000000001', port: 80, state: 'unhealthy' }, { id: 'i-0000000000000003', port: 80, state: 'unhealthy' }];
    assert.equal(new LoadModel(tx, scope, T0, T0 + MIN, health).requestsOf('i-0000000000000003'), 500);
  });
});

test('a simulated day with 50 running instances (10 with detailed monitoring) settles quickly', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    for (let n = 0; n < 50; n++) instance(tx, `i-${String(n).padStart(17, '0')}`, { monitoring: n < 10 ? 'enabled' : 'disabled' });
    putSetting(tx, scope, { target: { type: 'instance', id: `i-${'0'.repeat(17)}` }, cpu: { kind: 'daily', peak: 80, trough: 10, peakHour: 12 }, setMs: T0 });
  });
  const t = performance.now();
  await store.transaction((tx) => { settleScope(tx, scope, T0 + 24 * HOUR, env, [metricsStep]); });
  const ms = performance.now() - t;
  console.log(`a day, 50 instances: ${Math.round(ms)} ms`);
  assert.ok(ms < 20_000, `${ms} ms`);
  await store.transaction((tx) => {
    assert.equal(cpu(tx, `i-${'0'.repeat(17)}`, T0, T0 + 24 * HOUR, 3600).length, 24);
  });
});

test('AWS/ApplicationELB: requests, per-target counts and host counts with AWS\'s dimension values; AWS/AutoScaling group metrics', async () => {
  const store = createMemoryStore();
  const lbArn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/0123456789abcdef';
  const tgArn = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/fedcba9876543210';
  const at = T0 + 10 * MIN;
  await store.transaction((tx) => {
    instance(tx, 'i-0000000000000001');
    instance(tx, 'i-0000000000000002', { zoneName: 'us-east-1b' });
    instance(tx, 'i-0000000000000003', { zoneName: 'us-east-1b' });
    tx.put(scope, ELB_K.listener, lbArn.replace(':loadbalancer/', ':listener/') + '/1111111111111111',
      { arn: 'x', lbArn, port: 80, protocol: 'HTTP', certificates: [], defaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] });
    const lb = { arn: lbArn, name: 'web', id: '0123456789abcdef', type: 'application', zones: [{ zoneName: 'us-east-1a' }, { zoneName: 'us-east-1b' }], activeMs: 0 } as unknown as LoadBalancerRecord;
    putSetting(tx, scope, { target: { type: 'lb', arn: lbArn, name: 'web' }, requests: { kind: 'constant', value: 1000 }, setMs: T0 });
    const health = new HealthCache(tx, scope, at);
    (health as unknown as { of: (tg: string) => unknown }).of = () => [
      { id: 'i-0000000000000001', port: 80, state: 'healthy' }, { id: 'i-0000000000000002', port: 80, state: 'healthy' },
      { id: 'i-0000000000000003', port: 80, state: 'unhealthy' }];
    const out = new Writer();
    const st = { lastMs: at - MIN, inst: {}, stopped: {} };
    emitElb(tx, scope, out, at, [lb], new LoadModel(tx, scope, at - MIN, at, health), health, st);
    const g = { name: 'g', min: 1, max: 6, desired: 3, metrics: { granularity: '1Minute', metrics: ['GroupInServiceInstances', 'GroupDesiredCapacity', 'GroupTotalInstances'] },
      members: [{ id: 'a', state: 'InService' }, { id: 'b', state: 'InService' }, { id: 'c', state: 'Pending' }] } as unknown as GroupRecord;
    tx.put(scope, ASG_K.group, 'g', g);
    tx.put(scope, ASG_K.group, 'quiet', { ...g, name: 'quiet', metrics: undefined });
    const collecting = groupsCollecting(tx, scope, [g]);
    assert.deepEqual(collecting.map((c) => c.group.name), ['g']);
    emitGroups(out, at, collecting);
    out.flush(tx, scope);
    const LB = { Name: 'LoadBalancer', Value: 'app/web/0123456789abcdef' };
    const TG = { Name: 'TargetGroup', Value: 'targetgroup/web/fedcba9876543210' };
    const one = (ns: string, name: string, dims: Array<{ Name: string; Value: string }>, stat = 'Sum') =>
      statistic(tx, scope, { namespace: ns, name, dimensions: dims }, stat, at - MIN, at, 60).map((p) => p.value);
    assert.deepEqual(one('AWS/ApplicationELB', 'RequestCount', [LB]), [60000]);
    assert.deepEqual(one('AWS/ApplicationELB', 'RequestCount', [TG, LB]), [60000]);
    assert.deepEqual(one('AWS/ApplicationELB', 'RequestCountPerTarget', [TG, LB]), [30000]);
    assert.deepEqual(one('AWS/ApplicationELB', 'RequestCountPerTarget', [TG]), [30000]);
    assert.deepEqual(one('AWS/ApplicationELB', 'RequestCount', [{ Name: 'AvailabilityZone', Value: 'us-east-1b' }, LB]), [30000]);
    assert.deepEqual(one('AWS/ApplicationELB', 'HealthyHostCount', [TG, LB], 'Maximum'), [2]);
    assert.deepEqual(one('AWS/ApplicationELB', 'UnHealthyHostCount', [TG, LB], 'Maximum'), [1]);
    assert.deepEqual(one('AWS/ApplicationELB', 'HealthyHostCount', [TG, { Name: 'AvailabilityZone', Value: 'us-east-1b' }, LB], 'Maximum'), [1]);
    const rt = one('AWS/ApplicationELB', 'TargetResponseTime', [TG, LB], 'Average')[0]!;
    assert.ok(rt > 0.005 && rt < 1, `response time ${rt}`);
    const G = [{ Name: 'AutoScalingGroupName', Value: 'g' }];
    assert.deepEqual(one('AWS/AutoScaling', 'GroupInServiceInstances', G, 'Average'), [2]);
    assert.deepEqual(one('AWS/AutoScaling', 'GroupTotalInstances', G, 'Average'), [3]);
    assert.deepEqual(one('AWS/AutoScaling', 'GroupMaxSize', G, 'Average'), [], 'only the metrics asked for');
  });
});
