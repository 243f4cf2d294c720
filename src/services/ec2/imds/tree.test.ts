import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from './http.js';
import { buildTree, ec2Json, lookup, type InstanceFacts } from './tree.js';

const F: InstanceFacts = {
  account: '123456789012', region: 'eu-west-1', instanceId: 'i-0abc', amiId: 'ami-1', amiLaunchIndex: 0,
  instanceType: 't3.micro', architecture: 'x86_64', zoneName: 'eu-west-1a', zoneId: 'euw1-az1', reservationId: 'r-1',
  lifecycle: 'on-demand', localIpv4: '10.0.1.5', localHostname: 'ip-10-0-1-5.eu-west-1.compute.internal',
  publicIpv4: '54.1.2.3', publicHostname: 'ec2-54-1-2-3.eu-west-1.compute.amazonaws.com', mac: '02:00:00:00:00:01',
  interfaces: [{
    mac: '02:00:00:00:00:01', deviceNumber: 0, interfaceId: 'eni-1', ownerId: '123456789012', localHostname: 'ip-10-0-1-5.eu-west-1.compute.internal',
    localIpv4s: ['10.0.1.5', '10.0.1.6'], publicIpv4s: ['54.1.2.3'], ipv6s: [], securityGroupIds: ['sg-1', 'sg-2'], securityGroupNames: ['web', 'default'],
    subnetId: 'subnet-1', subnetCidr: '10.0.1.0/24', vpcId: 'vpc-1', vpcCidrs: ['10.0.0.0/16', '10.1.0.0/16'],
  }],
  securityGroupNames: ['web', 'default'], rootDeviceName: '/dev/xvda', ebsDevices: ['/dev/sdb'],
  iam: { profileArn: 'arn:aws:iam::123456789012:instance-profile/app', profileId: 'AIPA1', lastUpdated: '2026-01-01T00:00:00Z', roleName: 'app-role' },
  identity: { accountId: '123456789012', instanceId: 'i-0abc', version: '2017-09-30', kernelId: null },
};

const get = (f: InstanceFacts, path: string) => lookup(buildTree(f), path.split('/').filter(Boolean));
const text = (f: InstanceFacts, path: string): string | undefined => {
  const r = get(f, path);
  if (!r) return undefined;
  return r.kind === 'dir' ? r.body : typeof r.leaf === 'string' ? r.leaf : Buffer.isBuffer(r.leaf) ? r.leaf.toString() : JSON.stringify(r.leaf);
};

describe('IMDS tree', () => {
  it('lists directories as EC2 does: sub-trees with a slash, newline-separated, no trailing newline', () => {
    assert.equal(text(F, ''), 'dynamic\nmeta-data');
    const md = text(F, 'meta-data')!;
    assert.ok(md.startsWith('ami-id\nami-launch-index\n'), md);
    assert.ok(md.split('\n').includes('block-device-mapping/'));
    assert.ok(md.split('\n').includes('placement/'));
    assert.ok(md.split('\n').includes('public-ipv4'));
    assert.ok(!md.split('\n').includes('tags/'), 'no tags unless InstanceMetadataTags is enabled');
    assert.ok(!md.endsWith('\n'));
    assert.equal(text(F, 'meta-data/'), md, 'trailing slash or not');
    assert.equal(text(F, 'meta-data/block-device-mapping'), 'ami\nebs1\nroot');
    assert.equal(text(F, 'meta-data/block-device-mapping/ebs1'), 'sdb');
    assert.equal(text(F, 'meta-data/network/interfaces/macs'), '02:00:00:00:00:01/');
    assert.equal(text(F, 'dynamic/instance-identity'), 'document\npkcs7\nrsa2048\nsignature');
  });

  it('answers the leaves from the facts', () => {
    assert.equal(text(F, 'meta-data/instance-id'), 'i-0abc');
    assert.equal(text(F, 'meta-data/placement/availability-zone-id'), 'euw1-az1');
    assert.equal(text(F, 'meta-data/placement/region'), 'eu-west-1');
    assert.equal(text(F, 'meta-data/security-groups'), 'web\ndefault');
    const nic = 'meta-data/network/interfaces/macs/02:00:00:00:00:01';
    assert.equal(text(F, `${nic}/local-ipv4s`), '10.0.1.5\n10.0.1.6');
    assert.equal(text(F, `${nic}/vpc-ipv4-cidr-blocks`), '10.0.0.0/16\n10.1.0.0/16');
    assert.equal(text(F, `${nic}/security-group-ids`), 'sg-1\nsg-2');
    assert.equal(text(F, 'meta-data/iam/security-credentials'), 'app-role');
    assert.deepEqual(get(F, 'meta-data/iam/security-credentials/app-role'), { kind: 'leaf', leaf: { deferred: 'role-credentials', role: 'app-role' } });
    assert.deepEqual(JSON.parse(text(F, 'meta-data/iam/info')!), {
      Code: 'Success', LastUpdated: '2026-01-01T00:00:00Z', InstanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/app', InstanceProfileId: 'AIPA1',
    });
    assert.equal(text(F, 'dynamic/instance-identity/document'), '{\n  "accountId" : "123456789012",\n  "instanceId" : "i-0abc",\n  "version" : "2017-09-30",\n  "kernelId" : null\n}');
  });

  it('leaves out what the instance does not have (404s)', () => {
    const bare: InstanceFacts = { ...F, publicIpv4: undefined, publicHostname: undefined, iam: undefined };
    assert.equal(get(bare, 'meta-data/public-ipv4'), undefined);
    assert.equal(get(bare, 'meta-data/iam'), undefined);
    assert.equal(get(bare, 'user-data'), undefined);
    assert.equal(get(F, 'meta-data/spot/instance-action'), undefined);
    assert.equal(get(F, 'meta-data/nope'), undefined);
    assert.equal(get(F, 'meta-data/instance-id/deeper'), undefined);
    assert.equal(get(F, 'meta-data/__proto__'), undefined);
  });

  it('serves tags, user data, Spot notices and public keys when present', () => {
    const f: InstanceFacts = {
      ...F, tags: [{ Key: 'Name', Value: 'web-1' }, { Key: 'env', Value: 'prod' }], userData: Buffer.from('#!/bin/sh\necho hi\n'),
      spotAction: { action: 'terminate', time: '2026-01-01T00:02:00Z' }, publicKey: { keyName: 'mykey', openssh: 'ssh-ed25519 AAAA mykey' },
    };
    assert.equal(text(f, ''), 'dynamic\nmeta-data\nuser-data');
    assert.equal(text(f, 'meta-data/tags/instance'), 'Name\nenv');
    assert.equal(text(f, 'meta-data/tags/instance/Name'), 'web-1');
    assert.equal(text(f, 'user-data'), '#!/bin/sh\necho hi\n');
    assert.deepEqual(JSON.parse(text(f, 'meta-data/spot/instance-action')!), { action: 'terminate', time: '2026-01-01T00:02:00Z' });
    assert.equal(text(f, 'meta-data/public-keys'), '0=mykey');
    assert.equal(text(f, 'meta-data/public-keys/0/openssh-key'), 'ssh-ed25519 AAAA mykey');
  });

  it('prints JSON in EC2 style', () => {
    assert.equal(ec2Json({ A: 'x', B: 1 }), '{\n  "A" : "x",\n  "B" : 1\n}');
  });
});

describe('IMDS request rules', () => {
  const on = { httpTokens: 'optional' as const, httpEndpoint: 'enabled' as const };
  const req = { httpTokens: 'required' as const, httpEndpoint: 'enabled' as const };
  it('issues tokens only on PUT with a valid TTL and no X-Forwarded-For', () => {
    const ttl = { 'x-aws-ec2-metadata-token-ttl-seconds': '60' };
    assert.deepEqual(decide({ method: 'PUT', path: '/latest/api/token', headers: ttl }, req), { kind: 'token', ttlS: 60 });
    assert.deepEqual(decide({ method: 'PUT', path: '/latest/api/token', headers: {} }, req), { kind: 'refuse', status: 400 });
    assert.deepEqual(decide({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21601' } }, req), { kind: 'refuse', status: 400 });
    assert.deepEqual(decide({ method: 'PUT', path: '/latest/api/token', headers: { ...ttl, 'x-forwarded-for': '1.2.3.4' } }, req), { kind: 'refuse', status: 403 });
    assert.deepEqual(decide({ method: 'GET', path: '/latest/api/token', headers: ttl }, req), { kind: 'refuse', status: 405 });
  });
  it('token-less reads: 401 when required, allowed when optional; disabled endpoint 403', () => {
    assert.deepEqual(decide({ method: 'GET', path: '/latest/meta-data/', headers: {} }, req), { kind: 'refuse', status: 401 });
    assert.deepEqual(decide({ method: 'GET', path: '/latest/meta-data/', headers: {} }, on), { kind: 'read', segments: ['meta-data'] });
    assert.deepEqual(decide({ method: 'GET', path: '/latest/meta-data/ami-id', headers: { 'x-aws-ec2-metadata-token': 't' } }, req), { kind: 'read', segments: ['meta-data', 'ami-id'], token: 't' });
    assert.deepEqual(decide({ method: 'GET', path: '/2021-07-15/meta-data', headers: {} }, on), { kind: 'read', segments: ['meta-data'] });
    assert.deepEqual(decide({ method: 'GET', path: '/bogus/meta-data', headers: {} }, on), { kind: 'refuse', status: 404 });
    assert.deepEqual(decide({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }, { ...on, httpEndpoint: 'disabled' }), { kind: 'refuse', status: 403 });
  });
});
