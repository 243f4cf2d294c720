import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock } from '../../../core/clock.js';
import { analyze, prepare } from '../../../network/index.js';
import { createMemoryStore } from '../../../store/memory.js';
import type { Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { natState, transitionMs, type NatGatewayRecord } from './nat-gateways.js';
import { buildSnapshot, snapshotFor, vpcOfEndpoint } from './net-snapshot.js';
import { createNetworkInterface } from './network-interfaces.js';
import { createSubnet } from './subnets.js';
import { createVpc } from './vpcs.js';

const scope = { account: '111111111111', region: 'us-east-1' };

/** A transaction that counts the rows it hands out. */
function counting(tx: Tx): { tx: Tx; rows: () => number } {
  let n = 0;
  const t: Tx = {
    ...tx,
    get: (s, k, id) => { const v = tx.get(s, k, id); if (v !== undefined) n++; return v as never; },
    list: (s, k, o) => { const r = tx.list(s, k, o); n += r.length; return r as never; },
    findBy: (s, k, i, q) => { const r = tx.findBy(s, k, i, q); n += r.length; return r as never; },
    countBy: tx.countBy.bind(tx), count: tx.count.bind(tx), put: tx.put.bind(tx), delete: tx.delete.bind(tx), scopes: tx.scopes.bind(tx),
  };
  return { tx: t, rows: () => n };
}

const ctxOf = (tx: Tx): RequestContext => ({ tx, scope, account: scope.account, region: scope.region, clock: new Clock() }) as unknown as RequestContext;

test('a question reads the VPCs its endpoints lie in, through the vpc indexes, not the whole Region', async () => {
  const store = createMemoryStore();
  const ids = await store.transaction((tx) => {
    const ctx = ctxOf(tx);
    const mk = (cidr: string, enis: number) => {
      const vpc = createVpc({ CidrBlock: cidr }, ctx) as { Vpc: { VpcId: string } };
      const sub = createSubnet({ VpcId: vpc.Vpc.VpcId, CidrBlock: cidr.replace('/16', '/20'), AvailabilityZone: 'us-east-1a' }, ctx) as { Subnet: { SubnetId: string } };
      const out: string[] = [];
      for (let i = 0; i < enis; i++) out.push((createNetworkInterface({ SubnetId: sub.Subnet.SubnetId }, ctx) as { NetworkInterface: { NetworkInterfaceId: string; PrivateIpAddress: string } }).NetworkInterface.NetworkInterfaceId);
      return { vpc: vpc.Vpc.VpcId, enis: out };
    };
    return { small: mk('10.1.0.0/16', 2), big: mk('10.2.0.0/16', 400) };
  });
  await store.transaction((raw) => {
    const c = counting(raw);
    const ctx = ctxOf(c.tx);
    assert.equal(vpcOfEndpoint(ctx, ids.small.enis[0]!), ids.small.vpc);
    const snap = snapshotFor(ctx, ids.small.enis[0], ids.small.enis[1]);
    assert.deepEqual(snap.vpcs.map((v) => v.id), [ids.small.vpc]);
    assert.equal(snap.networkInterfaces.length, 2);
    assert.equal(snap.subnets.length, 1);
    assert.equal(snap.routeTables.length, 1, 'the main table');
    assert.equal(snap.securityGroups.length, 1, 'the default group');
    assert.ok(c.rows() < 40, `read ${c.rows()} rows for a VPC of 2 interfaces beside one of 400`);
    // The default VPC's rules: members of the default group reach each other, both ways.
    const r = analyze(prepare(snap), { source: ids.small.enis[0]!, destination: ids.small.enis[1]!, protocol: 'tcp', destinationPort: 22 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    // Default ACL entries arrive without the `*` rules the engine adds itself.
    assert.ok(snap.networkAcls[0]!.entries.every((e) => e.ruleNumber < 32767));
    assert.deepEqual(buildSnapshot(ctx, ['vpc-0123456789abcdef0']).vpcs, [], 'unknown VPCs are skipped');
  });
});

test('endpoints, peering connections and the prefix lists routes name come into the snapshot; an active peer VPC in the same Region is read', async () => {
  const store = createMemoryStore();
  await store.transaction((tx) => {
    const ctx = ctxOf(tx);
    const a = (createVpc({ CidrBlock: '10.1.0.0/16' }, ctx) as { Vpc: { VpcId: string } }).Vpc.VpcId;
    const b = (createVpc({ CidrBlock: '10.9.0.0/16' }, ctx) as { Vpc: { VpcId: string } }).Vpc.VpcId;
    const lone = (createVpc({ CidrBlock: '10.5.0.0/16' }, ctx) as { Vpc: { VpcId: string } }).Vpc.VpcId;
    const sub = (createSubnet({ VpcId: a, CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a' }, ctx) as { Subnet: { SubnetId: string } }).Subnet.SubnetId;
    const eni = (createNetworkInterface({ SubnetId: sub }, ctx) as { NetworkInterface: { NetworkInterfaceId: string } }).NetworkInterface.NetworkInterfaceId;
    const vpce = 'vpce-0123456789abcdef0';
    tx.put(scope, 'ec2:vpc-endpoint', vpce, {
      id: vpce, ownerId: scope.account, vpcId: a, type: 'Gateway', serviceName: 'com.amazonaws.us-east-1.s3', state: 'available', policyDocument: '{}',
      routeTableIds: [], prefixListId: 'pl-63a5400a', subnetIds: [], groups: [], networkInterfaceIds: [], privateDnsEnabled: false, ipAddressType: 'ipv4', createdAt: '',
    });
    const mainRtb = (tx.get<{ mainRouteTableId: string }>(scope, 'ec2:vpc', a))!.mainRouteTableId;
    const rt = tx.get<{ routes: unknown[] }>(scope, 'ec2:route-table', mainRtb)!;
    rt.routes.push({ destinationPrefixListId: 'pl-63a5400a', target: vpce, origin: 'CreateRouteTable' });
    tx.put(scope, 'ec2:route-table', mainRtb, rt);
    const side = (vpcId: string, cidr: string) => ({ ownerId: scope.account, vpcId, region: scope.region, cidrs: [cidr], ipv6Cidrs: [], allowDnsResolutionFromRemoteVpc: false });
    tx.put(scope, 'ec2:vpc-peering-connection', 'pcx-0123456789abcdef0', {
      id: 'pcx-0123456789abcdef0', requester: side(a, '10.1.0.0/16'), accepter: side(b, '10.9.0.0/16'), state: 'active', message: 'Active', changedMs: 0, expirationMs: 0,
    });
    const snap = snapshotFor(ctx, eni, '52.216.1.1');
    assert.deepEqual(snap.vpcs.map((v) => v.id).sort(), [a, b].sort(), `the peer is read, ${lone} is not`);
    assert.deepEqual(snap.vpcEndpoints!.map((e) => e.id), [vpce]);
    assert.deepEqual(snap.peeringConnections!.map((p) => [p.id, p.status]), [['pcx-0123456789abcdef0', 'active']]);
    assert.deepEqual(snap.prefixLists!.map((p) => p.id), ['pl-63a5400a']);
    assert.ok(snap.prefixLists![0]!.cidrs.includes('52.216.0.0/15'));
    const r = analyze(prepare(snap), { source: eni, destination: '52.216.1.1', protocol: 'tcp', destinationPort: 443 });
    assert.equal(r.NetworkPathFound, true, JSON.stringify(r.Explanations));
    assert.ok(r.ForwardPathComponents.some((h) => h.Component.Id === vpce), 'S3 through the gateway endpoint');
    assert.equal(vpcOfEndpoint(ctx, 'pcx-0123456789abcdef0'), a);
  });
});

test('NAT gateway states follow the clock from the stored timestamps; the delay is read when a transition starts', () => {
  const g: NatGatewayRecord = { id: 'nat-1', vpcId: 'vpc-1', subnetId: 'subnet-1', connectivity: 'private', state: 'pending', createdMs: 1000, availableMs: 31_000, addresses: [] };
  assert.equal(natState(g, 30_999), 'pending');
  assert.equal(natState(g, 31_000), 'available');
  const d: NatGatewayRecord = { ...g, state: 'deleting', deleteMs: 50_000, deletedMs: 80_000 };
  assert.equal(natState(d, 79_999), 'deleting');
  assert.equal(natState(d, 80_000), 'deleted');
  assert.equal(natState({ ...g, state: 'failed' }, 10 ** 9), 'failed');
  const old = process.env.CLOUDLET_NAT_GATEWAY_DELAY;
  try {
    delete process.env.CLOUDLET_NAT_GATEWAY_DELAY;
    assert.equal(transitionMs(), 0, 'no delay by default');
    process.env.CLOUDLET_NAT_GATEWAY_DELAY = '30';
    assert.equal(transitionMs(), 30_000);
    process.env.CLOUDLET_NAT_GATEWAY_DELAY = 'soon';
    assert.equal(transitionMs(), 0, 'a value that is not a number is no delay');
  } finally {
    if (old === undefined) delete process.env.CLOUDLET_NAT_GATEWAY_DELAY;
    else process.env.CLOUDLET_NAT_GATEWAY_DELAY = old;
  }
});
