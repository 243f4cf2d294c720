import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Clock } from '../../core/clock.js';
import { createMemoryStore } from '../../store/memory.js';
import { meterCount, meteredStore } from './meter.js';
import { instanceRate, prices, usageType } from './prices.js';
import { buildCostReport, HOURS_PER_MONTH } from './report.js';
import { renderCostReport } from './report-text.js';

const ACCOUNT = '111111111111';
const EAST = { account: ACCOUNT, region: 'us-east-1' };
const WEST = { account: ACCOUNT, region: 'us-west-2' };
const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const NOW = T0 + 10 * H;

const att = (instanceId: string, deleteOnTermination: boolean) => ({ instanceId, device: '/dev/xvda', deleteOnTermination, attachMs: T0, attachedMs: T0 });
const volume = (id: string, type: string, size: number, attachments: unknown[] = []) => ({ id, zoneName: 'us-east-1a', type, size, createMs: T0, attachments });
const instance = (id: string, type: string, phase: 'start' | 'stop', extra: Record<string, unknown> = {}) => ({
  id, instanceType: type, zoneName: 'us-east-1a', placement: { tenancy: 'default' }, phase, sinceMs: T0, doneMs: T0, blockDevices: [], ...extra,
});

async function world() {
  let real = T0;
  const store = meteredStore(createMemoryStore(), new Clock(0, () => real));
  await store.transaction((tx) => {
    tx.put(EAST, 'ec2:instance', 'i-web', instance('i-web', 't3.large', 'start', { publicIp: '3.0.0.1', blockDevices: [{ deviceName: '/dev/xvda', volumeId: 'vol-root', deleteOnTermination: true, attachMs: T0 }] }));
    tx.put(EAST, 'ec2:tags', 'i-web', { type: 'instance', tags: [{ Key: 'team', Value: 'web' }] });
    tx.put(EAST, 'ec2:volume', 'vol-root', volume('vol-root', 'gp3', 8, [att('i-web', true)]));
    tx.put(EAST, 'ec2:volume', 'vol-data', volume('vol-data', 'gp3', 100, [att('i-web', false)]));
    tx.put(EAST, 'ec2:elastic-ip', 'eipalloc-web', { allocationId: 'eipalloc-web', publicIp: '3.0.0.2', allocatedAt: new Date(T0).toISOString(), association: { id: 'eipassoc-1', networkInterfaceId: 'eni-1', instanceId: 'i-web' } });
    tx.put(EAST, 'ec2:instance', 'i-old', instance('i-old', 'm5.xlarge', 'stop'));
    tx.put(EAST, 'ec2:volume', 'vol-old', volume('vol-old', 'gp3', 20, [att('i-old', true)]));
    tx.put(EAST, 'ec2:volume', 'vol-loose', volume('vol-loose', 'gp2', 50));
    tx.put(EAST, 'ec2:elastic-ip', 'eipalloc-idle', { allocationId: 'eipalloc-idle', publicIp: '3.0.0.3', allocatedAt: new Date(T0).toISOString() });
    tx.put(EAST, 'ec2:natgateway', 'nat-quiet', { id: 'nat-quiet', state: 'pending', createdMs: T0, addresses: [] });
    tx.put(EAST, 'ec2:natgateway', 'nat-busy', { id: 'nat-busy', state: 'pending', createdMs: T0, addresses: [] });
    tx.put(WEST, 'ec2:instance', 'i-west', instance('i-west', 'c5.2xlarge', 'start', { zoneName: 'us-west-2a' }));
  });
  real = NOW;
  await store.transaction((tx) => {
    const line = { key: 'b', service: 'EC2 - Other', productCode: 'AmazonEC2', usageType: usageType('us-east-1', 'NatGateway-Bytes'), operation: 'NatGateway', unit: 'GB', quantity: 0, rate: prices().vpc.natGatewayGb, resourceId: 'nat-busy', region: 'us-east-1', tags: {} };
    meterCount(tx, EAST, line, 2, NOW - 2 * H);
  });
  return store;
}

const close = (a: number, b: number, eps = 1e-4, what = '') => assert.ok(Math.abs(a - b) < eps, `${what} ${a} != ${b}`);

describe('cost report', () => {
  it('rates per resource and service, biggest first, from the price table', async () => {
    const store = await world();
    const r = await store.transaction((tx) => buildCostReport(tx, ACCOUNT, NOW));
    const p = prices();
    const gb = (type: string, size: number) => (size * p.ebs.gbMonth[type]!) / HOURS_PER_MONTH;
    const ip = p.vpc.publicIpv4Hour;
    const expected: Record<string, number> = {
      'i-web': instanceRate('t3.large', 'Linux/UNIX', 'us-east-1') + ip,
      'i-west': instanceRate('c5.2xlarge', 'Linux/UNIX', 'us-west-2'),
      'vol-root': gb('gp3', 8), 'vol-data': gb('gp3', 100), 'vol-old': gb('gp3', 20), 'vol-loose': gb('gp2', 50),
      'eipalloc-web': ip, 'eipalloc-idle': ip, 'nat-quiet': p.vpc.natGatewayHour, 'nat-busy': p.vpc.natGatewayHour,
    };
    assert.deepEqual(r.resources.map((x) => x.resourceId).sort(), Object.keys(expected).sort());
    for (const x of r.resources) close(x.perHour, expected[x.resourceId]!, 1e-6, x.resourceId);
    for (let i = 1; i < r.resources.length; i++) assert.ok(r.resources[i - 1]!.perMonth >= r.resources[i]!.perMonth, 'biggest first');
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    close(r.perHour, total, 1e-5, 'total');
    close(r.perMonth, total * HOURS_PER_MONTH, 1e-2, 'month');
    // Ten hours so far: GB-month lines prorated over March's 744 hours, and the NAT gateway's 2 GB.
    const storage = ['vol-root', 'vol-data', 'vol-old', 'vol-loose'].reduce((a, k) => a + expected[k]!, 0);
    close(r.monthToDate, (total - storage) * 10 + storage * HOURS_PER_MONTH * (10 / 744) + 2 * p.vpc.natGatewayGb, 1e-3, 'month to date');
    const web = r.resources.find((x) => x.resourceId === 'i-web')!;
    assert.deepEqual(web.lines.map((l) => l.usageType), ['BoxUsage:t3.large', 'PublicIPv4:InUseAddress']);
    assert.deepEqual(web.tags, { team: 'web' });
    assert.equal(web.what, 't3.large running');
    const compute = r.services.find((s) => s.service === 'Amazon Elastic Compute Cloud - Compute')!;
    close(compute.perHour, expected['i-web']! - ip + expected['i-west']!, 1e-6, 'compute');
    assert.equal(r.services[0]!.perMonth >= r.services[1]!.perMonth, true);
  });

  it('calls out idle resources: the unattached volume, the idle Elastic IP, the NAT gateway with no traffic, the stopped instance still paying for storage', async () => {
    const store = await world();
    const r = await store.transaction((tx) => buildCostReport(tx, ACCOUNT, NOW));
    const idle = Object.fromEntries(r.idle.map((x) => [x.resourceId, x]));
    assert.deepEqual(Object.keys(idle).sort(), ['eipalloc-idle', 'i-old', 'nat-quiet', 'vol-loose']);
    assert.match(idle['vol-loose']!.reason, /unattached gp2 50 GiB volume/);
    assert.match(idle['eipalloc-idle']!.reason, /idle Elastic IP 3\.0\.0\.3/);
    assert.match(idle['nat-quiet']!.reason, /no traffic/);
    assert.match(idle['i-old']!.reason, /stopped m5\.xlarge instance still paying for its storage/);
    assert.deepEqual(idle['i-old']!.pays, ['vol-old (gp3 20 GiB)']);
    close(idle['i-old']!.perMonth, 20 * prices().ebs.gbMonth.gp3!, 1e-3);
  });

  it('says what stopping and terminating each running instance would change', async () => {
    const store = await world();
    const r = await store.transaction((tx) => buildCostReport(tx, ACCOUNT, NOW, 'us-east-1'));
    assert.deepEqual(r.instances.map((i) => i.instanceId), ['i-web'], 'the Region filter leaves us-west-2 out');
    const i = r.instances[0]!;
    const p = prices();
    const own = instanceRate('t3.large', 'Linux/UNIX', 'us-east-1') + p.vpc.publicIpv4Hour;
    close(i.stop.savesPerHour, own, 1e-6, 'stop: compute and its public IPv4');
    assert.deepEqual(i.stop.ends, ['BoxUsage:t3.large', 'PublicIPv4:InUseAddress']);
    assert.deepEqual(i.stop.keeps.map((k) => k.resourceId).sort(), ['eipalloc-web', 'vol-data', 'vol-root']);
    assert.deepEqual(i.terminate.deletes, ['vol-root'], 'only the delete-on-termination volume goes');
    close(i.terminate.savesPerHour, own + (8 * p.ebs.gbMonth.gp3!) / HOURS_PER_MONTH, 1e-6, 'terminate');
    assert.deepEqual(i.terminate.keeps.map((k) => k.resourceId).sort(), ['eipalloc-web', 'vol-data']);
    assert.ok(r.resources.every((x) => x.region === 'us-east-1'));
    const text = renderCostReport(r);
    assert.match(text, /^cloudlet cost — account 111111111111, us-east-1, at /);
    assert.match(text, /IDLE — paid for, not used/);
    assert.match(text, /i-web t3\.large running \(us-east-1\)/);
    assert.match(text, /terminate: saves \$0\.\d{4}\/h .*deletes vol-root/);
  });

  it('an account with nothing says so', async () => {
    const store = await world();
    const r = await store.transaction((tx) => buildCostReport(tx, '222222222222', NOW));
    assert.deepEqual([r.perHour, r.resources.length, r.idle.length, r.instances.length], [0, 0, 0, 0]);
    assert.match(renderCostReport(r), /Nothing is costing money/);
  });
});
