import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  amazonIpv6VpcBlock, cidrLast, cidrSize, containsCidr, containsIp, firstFreeAddress, formatCidr, formatIp,
  formatIpv6, ipv6SubnetOfVpc, isCanonicalCidr, isRfc1918, isValidCidr, longestPrefixMatch, mustCidr, mustIp,
  firstOverlap, insideAny, nthSubnet, overlaps, parseCidr, parseIp, parseIpv6, prefixWithin, rangeToCidrs, reservedAddresses, usableCount, type Cidr,
} from './cidr.js';

describe('parse and format', () => {
  const ok: [string, string][] = [
    ['10.0.0.1', '10.0.0.1'], ['0.0.0.0', '0.0.0.0'], ['255.255.255.255', '255.255.255.255'],
    ['::', '::'], ['::1', '::1'], ['1::', '1::'], ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs is compressed
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::ffff:192.0.2.1', '::ffff:c000:201'], ['2600:1f18:abc:de00::', '2600:1f18:abc:de00::'],
  ];
  for (const [input, out] of ok) test(`${input} -> ${out}`, () => assert.equal(formatIp(parseIp(input)!), out));
  const bad = ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-1', 'a.b.c.d', ':::', '1:::2', '1::2::3',
    '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', ':1::', '1.2.3.4::', '::1.2.3', ' 10.0.0.1'];
  for (const b of bad) test(`rejects ${JSON.stringify(b)}`, () => assert.equal(parseIp(b), undefined));
  test('full 8 groups with :: is refused (the :: must stand for at least one group)', () => {
    assert.equal(parseIpv6('1:2:3:4::5:6:7:8'), undefined);
  });
});

describe('CIDR validation as AWS does it', () => {
  test('host bits set: canonicalised, not refused', () => {
    const r = parseCidr('100.68.0.18/18');
    assert.ok(r.ok);
    assert.equal(r.canonical, '100.68.0.0/18');
    assert.equal(r.hostBitsSet, true);
    assert.equal(isValidCidr('10.0.0.1/16'), true);
    assert.equal(isCanonicalCidr('10.0.0.1/16'), false);
    assert.equal(isCanonicalCidr('10.0.0.0/16'), true);
  });
  test('IPv6 canonical form', () => {
    const r = parseCidr('2600:1F18:0ABC:DE12::/56');
    assert.ok(r.ok);
    assert.equal(r.canonical, '2600:1f18:abc:de00::/56');
  });
  const malformed: [string, RegExp][] = [
    ['10.0.0.0', /missing prefix/], ['10.0.0.0/33', /out of range/], ['10.0.0.0/', /invalid prefix/],
    ['10.0.0.0/08', /invalid prefix/], ['10.0.0/16', /invalid address/], ['::/129', /out of range/], ['x/1', /invalid address/],
  ];
  for (const [s, why] of malformed) test(`malformed ${s}`, () => {
    const r = parseCidr(s);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', why);
  });
  test('family restriction', () => {
    assert.equal(isValidCidr('2001:db8::/64', 4), false);
    assert.equal(isValidCidr('10.0.0.0/8', 6), false);
    assert.equal(isValidCidr('10.0.0.0/8', 4), true);
  });
});

describe('containment, overlap, size, reserved addresses', () => {
  test('contains and overlap', () => {
    const vpc = mustCidr('10.0.0.0/16');
    assert.ok(containsCidr(vpc, mustCidr('10.0.1.0/24')));
    assert.ok(!containsCidr(mustCidr('10.0.1.0/24'), vpc));
    assert.ok(overlaps(vpc, mustCidr('10.0.0.0/8')));
    assert.ok(!overlaps(vpc, mustCidr('10.1.0.0/16')));
    assert.ok(!overlaps(vpc, mustCidr('::/0')));
    assert.ok(containsIp(vpc, mustIp('10.0.255.255')));
    assert.ok(!containsIp(vpc, mustIp('10.1.0.0')));
  });
  test('sizes', () => {
    assert.equal(cidrSize(mustCidr('10.0.0.0/16')), 65536n);
    assert.equal(cidrSize(mustCidr('2001:db8::/64')), 1n << 64n);
    assert.equal(usableCount(mustCidr('10.0.0.0/24')), 251n);
    assert.equal(usableCount(mustCidr('10.0.0.0/28')), 11n);
  });
  test('the five reserved addresses of 10.0.0.0/24', () => {
    const r = reservedAddresses(mustCidr('10.0.0.0/24')).map((v) => formatIp({ family: 4, value: v }));
    assert.deepEqual(r, ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.255']);
  });
});

describe('first free address', () => {
  const s = mustCidr('10.0.0.0/16');
  const v = (ip: string) => mustIp(ip).value;
  test('empty subnet: .4', () => assert.equal(firstFreeAddress(s, []), v('10.0.0.4')));
  test('skips used, fills the first gap', () => {
    assert.equal(firstFreeAddress(s, [v('10.0.0.4'), v('10.0.0.5'), v('10.0.0.7')]), v('10.0.0.6'));
    assert.equal(firstFreeAddress(s, [v('10.0.0.6'), v('10.0.0.5'), v('10.0.0.4'), v('10.0.0.4')]), v('10.0.0.7'));
  });
  test('full /28 has none', () => {
    const t = mustCidr('10.0.0.0/28');
    const used = Array.from({ length: 11 }, (_, i) => t.network + 4n + BigInt(i));
    assert.equal(firstFreeAddress(t, used), undefined);
    assert.equal(firstFreeAddress(t, used.slice(1)), t.network + 4n);
  });
  test('a few used in a /8 answers at once (no walk of the block)', () => {
    const big = mustCidr('10.0.0.0/8');
    const used = Array.from({ length: 1000 }, (_, i) => big.network + 4n + BigInt(i));
    const start = performance.now();
    assert.equal(firstFreeAddress(big, used), big.network + 1004n);
    assert.ok(performance.now() - start < 100);
  });
});

describe('IPv6 blocks', () => {
  test('Amazon /56 and /64 carving', () => {
    const vpc = amazonIpv6VpcBlock(0xabcde)!;
    assert.equal(formatCidr(vpc), '2600:1f18:abc:de00::/56');
    assert.equal(vpc.prefix, 56);
    assert.ok(containsCidr(mustCidr('2600:1f18::/32'), vpc));
    const s0 = ipv6SubnetOfVpc(vpc, 0)!, s255 = ipv6SubnetOfVpc(vpc, 255)!;
    assert.equal(s0.prefix, 64);
    assert.ok(containsCidr(vpc, s0) && containsCidr(vpc, s255) && !overlaps(s0, s255));
    assert.equal(ipv6SubnetOfVpc(vpc, 256), undefined);
    assert.equal(formatCidr(ipv6SubnetOfVpc(mustCidr('2600:1f18:abc:de00::/56'), 1)!), '2600:1f18:abc:de01::/64');
  });
  test('nthSubnet bounds', () => {
    assert.equal(formatCidr(nthSubnet(mustCidr('10.0.0.0/16'), 24, 3)!), '10.0.3.0/24');
    assert.equal(nthSubnet(mustCidr('10.0.0.0/16'), 24, 256), undefined);
    assert.equal(nthSubnet(mustCidr('10.0.0.0/16'), 8, 0), undefined);
  });
});

describe('longest prefix match', () => {
  const routes = [
    { cidrs: [mustCidr('10.0.0.0/16')], value: 'local' },
    { cidrs: [mustCidr('0.0.0.0/0')], value: 'igw' },
    { cidrs: [mustCidr('10.0.5.0/24')], value: 'pcx' },
    { cidrs: [mustCidr('::/0')], value: 'eigw' },
    { cidrs: [mustCidr('52.216.0.0/15'), mustCidr('3.5.0.0/19')], value: 'vpce' },
  ];
  const cases: [string, string | undefined][] = [
    ['10.0.1.1', 'local'], ['10.0.5.9', 'pcx'], ['8.8.8.8', 'igw'], ['52.217.1.1', 'vpce'], ['3.5.31.255', 'vpce'],
    ['2001:db8::1', 'eigw'],
  ];
  for (const [ip, want] of cases) test(`${ip} -> ${want}`, () => assert.equal(longestPrefixMatch(routes, mustIp(ip))?.value, want));
  test('no IPv6 default: undefined', () => assert.equal(longestPrefixMatch(routes.slice(0, 3), mustIp('::1')), undefined));
  test('equal length: first entry wins', () => {
    assert.equal(longestPrefixMatch([{ cidrs: [mustCidr('1.0.0.0/8')], value: 'a' }, { cidrs: [mustCidr('1.0.0.0/8')], value: 'b' }], mustIp('1.1.1.1'))?.value, 'a');
  });
});

describe('properties', () => {
  const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
  const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
  const sparse6 = fc.array(fc.constantFrom<bigint>(0n, 1n, 0xffffn, 0xdb8n), { minLength: 8, maxLength: 8 })
    .map((g) => g.reduce((a, x) => (a << 16n) | x, 0n));
  test('IPv4 format/parse round-trip', () => fc.assert(fc.property(v4, (v) => parseIp(formatIp({ family: 4, value: v }))!.value === v)));
  test('IPv6 format/parse round-trip (dense and zero-heavy)', () => fc.assert(fc.property(fc.oneof(v6, sparse6), (v) => {
    const text = formatIpv6(v);
    return parseIpv6(text) === v && parseIpv6(text.toUpperCase()) === v && !text.includes(':::');
  })));
  const cidr4 = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([v, p]) => parseCidr(`${formatIp({ family: 4, value: v })}/${p}`));
  test('canonical CIDR parses to itself; contains its first and last address', () => fc.assert(fc.property(cidr4, (r) => {
    if (!r.ok) return false;
    const again = parseCidr(r.canonical);
    const c = r.cidr;
    return again.ok && !again.hostBitsSet && containsIp(c, { family: 4, value: c.network }) &&
      containsIp(c, { family: 4, value: cidrLast(c) }) && (c.prefix === 0 || !containsIp(c, { family: 4, value: (cidrLast(c) + 1n) & 0xffffffffn }) || c.network === 0n && cidrLast(c) === 0xffffffffn);
  })));
  test('overlap is symmetric and agrees with containment of an address', () => fc.assert(fc.property(cidr4, cidr4, v4, (a, b, x) => {
    if (!a.ok || !b.ok) return false;
    const ip = { family: 4 as const, value: x };
    if (overlaps(a.cidr, b.cidr) !== overlaps(b.cidr, a.cidr)) return false;
    return !(containsIp(a.cidr, ip) && containsIp(b.cidr, ip)) || overlaps(a.cidr, b.cidr);
  })));
  test('rangeToCidrs covers exactly [lo, hi] with aligned blocks', () => fc.assert(fc.property(v4, v4, (x, y) => {
    const lo = x < y ? x : y, hi = x < y ? y : x;
    const blocks: Cidr[] = rangeToCidrs(4, lo, hi);
    let cur = lo;
    for (const b of blocks) {
      if (b.network !== cur || (b.network & (cidrSize(b) - 1n)) !== 0n) return false;
      cur = cidrLast(b) + 1n;
    }
    return cur === hi + 1n && blocks.length <= 62;
  })));
  test('firstFreeAddress never returns a used or reserved address, and is the minimum', () => fc.assert(fc.property(
    fc.integer({ min: 24, max: 28 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }), (prefix, offs) => {
      const s = mustCidr(`10.1.2.0/${prefix}`);
      const used = offs.map((o) => s.network + BigInt(o));
      const got = firstFreeAddress(s, used);
      const set = new Set(used);
      let expect: bigint | undefined;
      for (let a = s.network + 4n; a < cidrLast(s); a++) if (!set.has(a)) { expect = a; break; }
      return got === expect;
    })));
  test('RFC1918 predicate', () => {
    assert.ok(isRfc1918(mustIp('172.31.255.1')));
    assert.ok(!isRfc1918(mustIp('172.32.0.1')));
  });
});

describe('service predicates', () => {
  test('block size, containment, conflicts', () => {
    const vpc = [mustCidr('10.0.0.0/16'), mustCidr('10.1.0.0/16')];
    assert.ok(prefixWithin(mustCidr('10.0.0.0/16'), 16, 28));
    assert.ok(!prefixWithin(mustCidr('10.0.0.0/15'), 16, 28));
    assert.ok(!prefixWithin(mustCidr('10.0.0.0/29'), 16, 28));
    assert.equal(formatCidr(insideAny(vpc, mustCidr('10.1.4.0/24'))!), '10.1.0.0/16');
    assert.equal(insideAny(vpc, mustCidr('10.2.0.0/24')), undefined);
    assert.equal(formatCidr(firstOverlap([mustCidr('10.0.0.0/24'), mustCidr('10.0.1.0/24')], mustCidr('10.0.1.128/25'))!), '10.0.1.0/24');
    assert.equal(firstOverlap([mustCidr('10.0.0.0/24')], mustCidr('10.0.1.0/24')), undefined);
  });
});
