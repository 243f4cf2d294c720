import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { egressPath, meterInstanceEgress } from './egress.js';
import { COUNT_KIND } from './meter.js';
import type { CountRecord } from './types.js';

const S = { account: '111111111111', region: 'us-west-2' };
const T = Date.UTC(2026, 4, 1);
const NAT = 'nat-0a1b2c3d4e5f60718';
const IGW = 'igw-0a1b2c3d4e5f60718';
const ALL = { ruleNumber: 100, protocol: '-1', ruleAction: 'allow' as const, cidrBlock: '0.0.0.0/0' };

interface Net { natState?: 'pending' | 'deleting'; natConnectivity?: 'public' | 'private'; natAvailableMs?: number; acl?: unknown[]; egressRule?: unknown; route?: string; igwAttached?: boolean }

/** One VPC: subnet-a (the instance's) routes 0.0.0.0/0 to `route`; subnet-pub (the NAT's) to the internet gateway. */
function network(tx: Tx, n: Net = {}): void {
  tx.put(S, 'ec2:vpc', 'vpc-1', { id: 'vpc-1', defaultNetworkAclId: 'acl-default' });
  tx.put(S, 'ec2:network-acl', 'acl-default', { id: 'acl-default', vpcId: 'vpc-1', entries: [{ ...ALL, egress: true }, { ...ALL, egress: false }] });
  tx.put(S, 'ec2:network-acl', 'acl-a', { id: 'acl-a', vpcId: 'vpc-1', entries: n.acl ?? [{ ...ALL, egress: true }, { ...ALL, egress: false }] });
  tx.put(S, 'ec2:subnet', 'subnet-a', { id: 'subnet-a', vpcId: 'vpc-1', networkAcl: { aclId: 'acl-a', associationId: 'aclassoc-1' } });
  tx.put(S, 'ec2:subnet', 'subnet-pub', { id: 'subnet-pub', vpcId: 'vpc-1' });
  tx.put(S, 'ec2:internet-gateway', IGW, { id: IGW, attachments: n.igwAttached === false ? [] : [{ vpcId: 'vpc-1', state: 'available' }] });
  tx.put(S, 'ec2:natgateway', NAT, {
    id: NAT, vpcId: 'vpc-1', subnetId: 'subnet-pub', connectivity: n.natConnectivity ?? 'public', state: n.natState ?? 'pending',
    createdMs: T, availableMs: n.natAvailableMs ?? T, addresses: [],
  });
  tx.put(S, 'ec2:route-table', 'rtb-a', { id: 'rtb-a', vpcId: 'vpc-1', associations: [{ id: 'rtbassoc-a', subnetId: 'subnet-a' }], routes: [{ destinationCidrBlock: '0.0.0.0/0', target: n.route ?? NAT, origin: 'CreateRoute' }] });
  tx.put(S, 'ec2:route-table', 'rtb-main', { id: 'rtb-main', vpcId: 'vpc-1', associations: [{ id: 'rtbassoc-m', main: true }], routes: [{ destinationCidrBlock: '0.0.0.0/0', target: IGW, origin: 'CreateRoute' }] });
  tx.put(S, 'ec2:security-group', 'sg-1', { id: 'sg-1', vpcId: 'vpc-1', rules: [n.egressRule ?? { egress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }] });
}

const instance = { id: 'i-1', vpcId: 'vpc-1', subnetId: 'subnet-a', groups: ['sg-1'] };

async function path(n: Net, hasPublicIp = false, at = T + 1000) {
  const store = createMemoryStore();
  return store.transaction((tx) => { network(tx, n); return egressPath(tx, S, instance, hasPublicIp, at); });
}

describe('instance egress path', () => {
  it('through a public NAT gateway whose subnet (by the main table) reaches the internet', async () => {
    const p = await path({});
    assert.equal(p.via, 'nat-gateway');
    assert.equal(p.via === 'nat-gateway' && p.natToInternet, true);
  });

  it('an internet gateway needs a public address, and must be attached', async () => {
    assert.equal((await path({ route: IGW }, true)).via, 'internet-gateway');
    assert.match((await path({ route: IGW }, false) as { why: string }).why, /no public IPv4 address/);
    assert.match((await path({ route: IGW, igwAttached: false }, true) as { why: string }).why, /no active route/);
  });

  it('a NAT gateway not yet available, deleting or private carries nothing to the internet', async () => {
    assert.match((await path({ natAvailableMs: T + 60_000 }) as { why: string }).why, /not available/);
    assert.match((await path({ natState: 'deleting' }) as { why: string }).why, /no active route|not available/);
    assert.match((await path({ natConnectivity: 'private' }) as { why: string }).why, /is private/);
  });

  it('security groups: an egress rule must cover tcp 443 to 0.0.0.0/0', async () => {
    assert.equal((await path({ egressRule: { egress: true, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' } })).via, 'nat-gateway');
    assert.match((await path({ egressRule: { egress: true, ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' } }) as { why: string }).why, /no security group/);
    assert.match((await path({ egressRule: { egress: true, ipProtocol: '-1', cidrIpv4: '10.0.0.0/16' } }) as { why: string }).why, /no security group/);
  });

  it('network ACLs decide in rule order, both ways', async () => {
    const out = { egress: true, protocol: '6', ruleAction: 'allow', cidrBlock: '0.0.0.0/0', portRange: { from: 443, to: 443 } };
    const back = { egress: false, protocol: '6', ruleAction: 'allow', cidrBlock: '0.0.0.0/0', portRange: { from: 1024, to: 65535 } };
    assert.equal((await path({ acl: [{ ...out, ruleNumber: 100 }, { ...back, ruleNumber: 100 }] })).via, 'nat-gateway');
    const denyFirst = await path({ acl: [{ ...out, ruleNumber: 200 }, { ...out, ruleNumber: 100, ruleAction: 'deny' }, { ...back, ruleNumber: 100 }] });
    assert.match((denyFirst as { why: string }).why, /acl-a rule 100 denies tcp 443 out/);
    assert.match((await path({ acl: [{ ...out, ruleNumber: 100 }] }) as { why: string }).why, /rule \* denies the replies/);
  });

  it('meters GB processed on the NAT gateway and data transfer out from it, in the hour of the traffic', async () => {
    const store = createMemoryStore();
    const rows = await store.transaction((tx) => {
      network(tx);
      meterInstanceEgress(tx, S, instance, false, 2 ** 30, T + 90 * 60_000);
      return tx.list<CountRecord>(S, COUNT_KIND).map((r) => r.value);
    });
    assert.deepEqual(rows.map((r) => [r.line.usageType, r.line.resourceId, r.line.operation, r.quantity, r.dayMs]).sort(), [
      ['USW2-DataTransfer-Out-Bytes', NAT, 'NatGateway', 1, T + 3_600_000],
      ['USW2-NatGateway-Bytes', NAT, 'NatGateway', 1, T + 3_600_000],
    ]);
  });
});
