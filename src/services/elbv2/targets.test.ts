// The module API other engineers call (Auto Scaling, the load model): register and deregister
// from a service context, health on read, draining ended by the "elb" fleet step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Scope, Tx } from '../../store/types.js';
import { RESOURCE_TYPES } from '../ec2/ids.js';
import { settleScope } from '../fleet/engine.js';
import { systemContext } from '../fleet/system.js';
import { tgDefaults } from './lb-attributes.js';
import { KIND, type ListenerRecord, type LoadBalancerRecord, type TargetGroupRecord } from './records.js';
import { healthCheckOf } from './target-groups.js';
import {
  deregisterFromService, ELB_STEP, loadBalancerDimension, loadBalancersIn, loadBalancersOfTargetGroup, targetGroupDimension, registerFromService, targetGroupsOfLoadBalancer, targetHealthOf,
} from './targets.js';

const scope: Scope = { account: '111111111111', region: 'us-east-1' };
const env = { blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: () => undefined };
const P = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:';
const TG = `${P}targetgroup/ips/0000000000000001`;
const LB = `${P}loadbalancer/app/web/0000000000000002`;

function seed(tx: Tx): void {
  tx.put(scope, RESOURCE_TYPES.vpc.kind, 'vpc-1', { id: 'vpc-1', cidrBlock: '10.0.0.0/16', cidrs: [{ associationId: 'a', cidr: '10.0.0.0/16', state: 'associated' }] });
  tx.put(scope, RESOURCE_TYPES.subnet.kind, 'subnet-1', { id: 'subnet-1', vpcId: 'vpc-1', cidrBlock: '10.0.1.0/24', zoneName: 'us-east-1a' });
  const tg: TargetGroupRecord = {
    arn: TG, name: 'ips', id: '0000000000000001', protocol: 'HTTP', port: 80, vpcId: 'vpc-1', targetType: 'ip', ipAddressType: 'ipv4',
    healthCheck: healthCheckOf('HTTP', { HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 }), attributes: {}, createdMs: 0,
  };
  tg.attributes = { ...tgDefaults(tg), 'deregistration_delay.timeout_seconds': '30' };
  tx.put(scope, KIND.tg, TG, tg);
}

function attach(tx: Tx): void {
  const lb: LoadBalancerRecord = {
    arn: LB, name: 'web', id: '0000000000000002', type: 'application', scheme: 'internal', vpcId: 'vpc-1', ipAddressType: 'ipv4',
    securityGroups: [], zones: [{ zoneName: 'us-east-1a', zoneId: 'use1-az1', subnetId: 'subnet-1', networkInterfaceId: 'eni-1', privateIp: '10.0.1.4' }], createdMs: 0, activeMs: 0, attributes: {},
  };
  tx.put(scope, KIND.lb, LB, lb);
  const l: ListenerRecord = { arn: `${P}listener/app/web/0000000000000002/03`, lbArn: LB, port: 80, protocol: 'HTTP', certificates: [], defaultActions: [{ Type: 'forward', TargetGroupArn: TG }] };
  tx.put(scope, KIND.listener, l.arn, l);
}

test('register from a service, health on read, deregister drains until the fleet step ends it', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    seed(tx);
    const sys = systemContext(tx, scope, 1000, env, 'autoscaling');
    registerFromService(sys, TG, [{ id: '10.0.1.10' }]);
    // Registered later, so that it is still in its initial checks at the end (no network rows here to analyse).
    registerFromService(systemContext(tx, scope, 1500, env, 'autoscaling'), TG, [{ id: '10.0.1.11', port: 8080 }]);
    assert.deepEqual(targetHealthOf(tx, scope, TG, 2000).map((h) => [h.id, h.port, h.state, h.reason]),
      [['10.0.1.10', 80, 'unused', 'Target.NotInUse'], ['10.0.1.11', 8080, 'unused', 'Target.NotInUse']]);
    attach(tx);
    assert.deepEqual(loadBalancersOfTargetGroup(tx, scope, TG), [LB]);
    assert.deepEqual(targetGroupsOfLoadBalancer(tx, scope, LB), [TG]);
    assert.deepEqual(targetHealthOf(tx, scope, TG, 2000).map((h) => [h.state, h.availabilityZone]), [['initial', 'us-east-1a'], ['initial', 'us-east-1a']]);
    assert.throws(() => registerFromService(sys, TG, [{ id: '192.168.0.1' }]), { code: 'InvalidTarget' });
    deregisterFromService(systemContext(tx, scope, 5000, env, 'autoscaling'), TG, [{ id: '10.0.1.10' }, { id: '10.0.9.9' }]);
    assert.equal(targetHealthOf(tx, scope, TG, 6000).find((h) => h.id === '10.0.1.10')!.state, 'draining');
    assert.equal(ELB_STEP.nextDue(tx, scope), 35_000);
    settleScope(tx, scope, 20_000, env, [ELB_STEP]);
    assert.equal(ELB_STEP.nextDue(tx, scope), 35_000, 'not yet due');
    settleScope(tx, scope, 40_000, env, [ELB_STEP]);
    assert.equal(ELB_STEP.nextDue(tx, scope), undefined);
    assert.equal(tx.list(scope, KIND.target).length, 1, 'the drained row is gone');
    assert.deepEqual(targetHealthOf(tx, scope, TG, 21_000).map((h) => [h.id, h.state]), [['10.0.1.11', 'initial']]);
    assert.deepEqual(targetHealthOf(tx, scope, 'arn:nope', 40_000), []);
    assert.equal(loadBalancerDimension(LB), 'app/web/0000000000000002');
    assert.equal(targetGroupDimension(TG), 'targetgroup/ips/0000000000000001');
    assert.deepEqual(loadBalancersIn(tx, scope, 1), [{ arn: LB, type: 'application', zones: ['us-east-1a'], active: true }]);
  });
});
