import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mustIp } from './cidr.js';
import { box, type Box } from './packets.js';
import { prepare } from './prepare.js';
import { evaluateAcl, evaluateSgs, protocolNumber } from './rules.js';
import { Topology, aclEntry, tcp } from './testkit.js';

const v = (ip: string) => mustIp(ip).value;
const pkt = (src: string, dst: string, sport: number | [number, number], dport: number): Box[] => {
  const sp = typeof sport === 'number' ? [BigInt(sport), BigInt(sport)] as [bigint, bigint] : [BigInt(sport[0]), BigInt(sport[1])] as [bigint, bigint];
  return [box([v(src), v(src)], [v(dst), v(dst)], sp, [BigInt(dport), BigInt(dport)])];
};

describe('protocols', () => {
  const cases: [string | number, number | undefined][] = [['-1', -1], ['all', -1], ['tcp', 6], ['TCP', 6], ['udp', 17], ['icmp', 1], ['icmpv6', 58],
    ['6', 6], ['58', 58], [50, 50], ['256', undefined], ['gre', undefined], [-2, undefined]];
  for (const [p, n] of cases) test(`${p} -> ${n}`, () => assert.equal(protocolNumber(p), n));
});

describe('network ACL: numbered order, first match wins, * denies', () => {
  function acl(entries: ReturnType<typeof aclEntry>[]) {
    const t = new Topology();
    const vpc = t.vpc('10.0.0.0/16');
    const a = t.acl(vpc, entries);
    return { net: prepare(t.snapshot()), id: a.id };
  }
  test('a lower-numbered deny beats a later allow, whatever the list order', () => {
    const { net, id } = acl([aclEntry(200, false, 'allow', '-1', '0.0.0.0/0'), aclEntry(100, false, 'deny', '6', '203.0.113.0/24', 22)]);
    const d = evaluateAcl(net, id, false, pkt('203.0.113.9', '10.0.0.5', 40000, 22), 4, 6);
    assert.equal(d.allowed.length, 0);
    assert.equal(d.denyRule!.RuleNumber, 100);
    const ok = evaluateAcl(net, id, false, pkt('198.51.100.9', '10.0.0.5', 40000, 22), 4, 6);
    assert.equal(ok.allowRule!.RuleNumber, 200);
  });
  test('nothing matches: the * entry (32767) denies', () => {
    const { net, id } = acl([aclEntry(100, false, 'allow', '17', '0.0.0.0/0', 53)]);
    const d = evaluateAcl(net, id, false, pkt('1.2.3.4', '10.0.0.5', 40000, 53), 4, 6);
    assert.deepEqual(d.denyRule, { Cidr: '0.0.0.0/0', Egress: false, Protocol: 'all', RuleAction: 'deny', RuleNumber: 32767 });
  });
  test('egress entries match the destination address and port; ingress ones the source address', () => {
    const { net, id } = acl([aclEntry(100, true, 'allow', '6', '10.0.20.0/24', 1024, 65535)]);
    assert.equal(evaluateAcl(net, id, true, pkt('10.0.0.5', '10.0.20.7', 5432, 40000), 4, 6).allowRule!.RuleNumber, 100);
    assert.equal(evaluateAcl(net, id, true, pkt('10.0.0.5', '10.0.21.7', 5432, 40000), 4, 6).allowed.length, 0);
    assert.equal(evaluateAcl(net, id, false, pkt('10.0.20.7', '10.0.0.5', 5432, 40000), 4, 6).allowed.length, 0, 'not an ingress entry');
  });
  test('a port range splits a set of packets: part allowed, the rest denied by *', () => {
    const { net, id } = acl([aclEntry(100, true, 'allow', '6', '0.0.0.0/0', 32768, 65535)]);
    const set = [box([v('10.0.0.5'), v('10.0.0.5')], [v('10.0.1.5'), v('10.0.1.5')], [5432n, 5432n], [1024n, 65535n])];
    const d = evaluateAcl(net, id, true, set, 4, 6);
    assert.deepEqual(d.allowed.map((b) => [b[6], b[7]]), [[32768n, 65535n]]);
    assert.equal(d.denyRule!.RuleNumber, 32767);
  });
  test('IPv6 entries do not match IPv4 packets, and the other way round', () => {
    const { net, id } = acl([aclEntry(100, false, 'allow', '-1', '::/0')]);
    assert.equal(evaluateAcl(net, id, false, pkt('1.2.3.4', '10.0.0.5', 1, 2), 4, 6).allowed.length, 0);
  });
  test('an ICMP entry does not admit TCP', () => {
    const { net, id } = acl([aclEntry(100, false, 'allow', '1', '0.0.0.0/0')]);
    assert.equal(evaluateAcl(net, id, false, pkt('1.2.3.4', '10.0.0.5', 1, 2), 4, 6).allowed.length, 0);
  });
});

describe('security groups: union of allow rules, references to member interfaces', () => {
  function world() {
    const t = new Topology();
    const vpc = t.vpc('10.0.0.0/16');
    const s = t.subnet(vpc, '10.0.1.0/24', 'us-east-1a');
    const app = t.group(vpc, 'app');
    const db = t.group(vpc, 'db', [tcp(5432, { group: app.id }), tcp([6000, 6010], { cidr: '192.0.2.0/24' })]);
    const a1 = t.eni(s, [app]), a2 = t.eni(s, [app]), other = t.eni(s, []), dbEni = t.eni(s, [db]);
    return { net: prepare(t.snapshot()), app, db, a1, a2, other, dbEni };
  }
  test('a group reference admits every member and nobody else', () => {
    const w = world();
    for (const m of [w.a1, w.a2]) {
      const d = evaluateSgs(w.net, w.dbEni, 'ingress', pkt(m.privateIps[0]!, w.dbEni.privateIps[0]!, 40000, 5432), 4, 6);
      assert.equal(d.rule!.SecurityGroupId, w.app.id);
      assert.equal(d.groupId, w.db.id);
    }
    assert.equal(evaluateSgs(w.net, w.dbEni, 'ingress', pkt(w.other.privateIps[0]!, w.dbEni.privateIps[0]!, 40000, 5432), 4, 6).allowed.length, 0);
  });
  test('port ranges and CIDRs', () => {
    const w = world();
    assert.deepEqual(evaluateSgs(w.net, w.dbEni, 'ingress', pkt('192.0.2.7', w.dbEni.privateIps[0]!, 1, 6005), 4, 6).rule,
      { Direction: 'ingress', SecurityGroupId: w.db.id, Protocol: 'tcp', Cidr: '192.0.2.0/24', PortRange: { From: 6000, To: 6010 } });
    assert.equal(evaluateSgs(w.net, w.dbEni, 'ingress', pkt('192.0.2.7', w.dbEni.privateIps[0]!, 1, 6011), 4, 6).allowed.length, 0);
    assert.equal(evaluateSgs(w.net, w.dbEni, 'ingress', pkt('192.0.2.7', w.dbEni.privateIps[0]!, 1, 6005), 4, 17).allowed.length, 0, 'udp');
  });
  test('default egress allows all', () => {
    const w = world();
    assert.ok(evaluateSgs(w.net, w.a1, 'egress', pkt(w.a1.privateIps[0]!, '8.8.8.8', 1, 53), 4, 17).allowed.length > 0);
  });
});
