import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.js';
import { addRules, describeRule, ipPermissions, MAX_RULES_PER_DIRECTION, normalizeProtocol, ruleKey, rulePorts } from './sg-rules.js';

test('protocols: names, their numbers, -1 and other numbers; anything else refused', () => {
  assert.deepEqual(['TCP', '6', 'udp', '17', '1', 'icmp', '58', 'icmpv6', '-1', '50', '050'].map(normalizeProtocol),
    ['tcp', 'tcp', 'udp', 'udp', 'icmp', 'icmp', 'icmpv6', 'icmpv6', '-1', '50', '50']);
  for (const bad of ['gre', '256', 'all', '1.5', '-2']) assert.throws(() => normalizeProtocol(bad), { code: 'InvalidParameterValue' }, bad);
  assert.throws(() => normalizeProtocol(undefined), { code: 'MissingParameter' });
});

test('ports: required for tcp/udp, ICMP type and code with -1 for all, none for other protocols', () => {
  assert.deepEqual(rulePorts('tcp', 22, 22), { fromPort: 22, toPort: 22 });
  assert.deepEqual(rulePorts('udp', 0, 65535), { fromPort: 0, toPort: 65535 });
  assert.throws(() => rulePorts('tcp', undefined, 22), { code: 'InvalidParameterValue' });
  assert.throws(() => rulePorts('tcp', 100, 10), { code: 'InvalidParameterValue' });
  assert.throws(() => rulePorts('udp', -1, -1), { code: 'InvalidParameterValue' });
  assert.deepEqual(rulePorts('icmp', 8, 0), { fromPort: 8, toPort: 0 });
  assert.deepEqual(rulePorts('icmp', undefined, undefined), { fromPort: -1, toPort: -1 });
  assert.throws(() => rulePorts('icmp', -1, 3), { code: 'InvalidParameterValue' });
  assert.throws(() => rulePorts('icmpv6', 256, 0), { code: 'InvalidParameterValue' });
  assert.deepEqual(rulePorts('-1', 0, 0), {});
  assert.deepEqual(rulePorts('50', 10, 20), {});
});

const rule = (id: string, o: Partial<SecurityGroupRuleRecord>): SecurityGroupRuleRecord => ({ id, egress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, ...o });
const group = (rules: SecurityGroupRuleRecord[]): SecurityGroupRecord =>
  ({ id: 'sg-1', vpcId: 'vpc-1', ownerId: '000000000000', name: 'g', description: 'g', isDefault: false, rules });

test('duplicates: the same source, protocol and ports in one direction, whatever the description', () => {
  const a = rule('sgr-a', { cidrIpv4: '10.0.0.0/8', description: 'x' });
  assert.equal(ruleKey(a), ruleKey(rule('sgr-b', { cidrIpv4: '10.0.0.0/8' })));
  assert.notEqual(ruleKey(a), ruleKey(rule('sgr-b', { cidrIpv4: '10.0.0.0/8', egress: true })));
  assert.notEqual(ruleKey(a), ruleKey(rule('sgr-b', { cidrIpv4: '10.0.0.0/8', toPort: 23 })));
  assert.notEqual(ruleKey(rule('r', { referencedGroupId: 'sg-2', referencedUserId: '111111111111' })), ruleKey(rule('r', { referencedGroupId: 'sg-2', referencedUserId: '222222222222' })));
  const g = group([a]);
  assert.throws(() => addRules(g, [rule('sgr-c', { cidrIpv4: '10.0.0.0/8' })]), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'InvalidPermission.Duplicate');
    assert.match(e.message, /peer: 10\.0\.0\.0\/8, TCP, from port: 22, to port: 22, ALLOW/);
    return true;
  });
  // Two identical rules in one request are duplicates too, and nothing is added.
  assert.throws(() => addRules(g, [rule('x', { cidrIpv4: '1.0.0.0/8' }), rule('y', { cidrIpv4: '1.0.0.0/8' })]), { code: 'InvalidPermission.Duplicate' });
  assert.equal(g.rules.length, 1);
  assert.equal(describeRule(rule('r', { ipProtocol: '-1', fromPort: undefined, toPort: undefined, cidrIpv6: '::/0' })), 'peer: ::/0, ALL, ALLOW');
});

test('quota: 60 per direction, IPv4 and IPv6 counted apart, references counted in both', () => {
  const v4 = Array.from({ length: MAX_RULES_PER_DIRECTION }, (_, i) => rule(`a${i}`, { fromPort: i, toPort: i, cidrIpv4: '10.0.0.0/8' }));
  const g = group([]);
  addRules(g, v4);
  addRules(g, [rule('v6', { cidrIpv6: '::/0' })]);
  addRules(g, [rule('out', { egress: true, cidrIpv4: '0.0.0.0/0' })]);
  assert.throws(() => addRules(g, [rule('more', { fromPort: 999, toPort: 999, cidrIpv4: '10.0.0.0/8' })]), { code: 'RulesPerSecurityGroupLimitExceeded' });
  assert.throws(() => addRules(g, [rule('ref', { referencedGroupId: 'sg-2', referencedUserId: '0' })]), { code: 'RulesPerSecurityGroupLimitExceeded' });
  assert.equal(g.rules.length, 62);
});

test('IpPermissions group rules by protocol and ports; -1 and portless protocols carry no ports', () => {
  const perms = ipPermissions([
    rule('1', { cidrIpv4: '10.0.0.0/8', description: 'd' }), rule('2', { cidrIpv6: '::/0' }),
    rule('3', { referencedGroupId: 'sg-2', referencedUserId: '000000000000' }),
    rule('4', { ipProtocol: '-1', fromPort: undefined, toPort: undefined, prefixListId: 'pl-12345678' }),
  ]);
  assert.deepEqual(perms, [
    { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'd' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: 'sg-2', UserId: '000000000000' }] },
    { IpProtocol: '-1', IpRanges: [], Ipv6Ranges: [], PrefixListIds: [{ PrefixListId: 'pl-12345678' }], UserIdGroupPairs: [] },
  ]);
});
