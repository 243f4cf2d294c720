import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allInstanceTypes, instanceTypeInfo, onDemandPrice, spotHourStart, spotPrice, vcpusOf, zoneIdsOffering } from './catalog.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 7, 10, 30);

describe('instance type catalog', () => {
  it('holds the current families with their facts', () => {
    for (const t of ['t3.micro', 't4g.nano', 'm7i.large', 'c7g.xlarge', 'r7g.large', 'x2idn.16xlarge', 'i4i.large', 'd3.xlarge', 'g5.xlarge', 'p5.48xlarge', 'inf2.xlarge', 'trn1.2xlarge']) {
      assert.ok(instanceTypeInfo(t), t);
    }
    assert.ok(allInstanceTypes().size > 1000);
    assert.equal(vcpusOf('m5.4xlarge'), 16);
    assert.equal(instanceTypeInfo('nope.large'), undefined);
    assert.ok(zoneIdsOffering('us-east-1', 't3.micro').length >= 5);
    assert.deepEqual(zoneIdsOffering('us-east-1', 'nope.large'), []);
  });

  it('On-Demand prices: estimates near the published ones, per Region', () => {
    assert.equal(onDemandPrice('t3.micro', 'us-east-1'), 0.0104);
    assert.equal(onDemandPrice('m5.large', 'us-east-1'), 0.096);
    assert.ok(onDemandPrice('m5.large', 'eu-central-1')! > onDemandPrice('m5.large', 'us-east-1')!);
    assert.ok(onDemandPrice('m7g.large', 'us-east-1')! < onDemandPrice('m7i.large', 'us-east-1')!, 'Graviton is cheaper');
    assert.equal(onDemandPrice('nope.large', 'us-east-1'), undefined);
  });

  it('Spot prices: one per clock hour, 22-50 % of On-Demand, six decimals, moving', () => {
    const od = onDemandPrice('m5.large', 'us-east-1')!;
    assert.equal(spotPrice('m5.large', 'us-east-1a', T0), spotPrice('m5.large', 'us-east-1a', spotHourStart(T0)), 'constant within the hour');
    const week = Array.from({ length: 168 }, (_, h) => spotPrice('m5.large', 'us-east-1a', T0 + h * HOUR));
    for (const p of week) {
      assert.ok(p >= od * 0.22 && p <= od * 0.5, `${p} vs On-Demand ${od}`);
      assert.equal(Number(p.toFixed(6)), p);
    }
    assert.ok(new Set(week).size > 100, 'the price changes hour by hour');
    // At a maximum equal to a price, some hour of the next three days is higher (what interrupts).
    for (let h = 0; h < 48; h++) {
      const now = spotPrice('m5.large', 'us-east-1a', T0 + h * HOUR);
      assert.ok(week.slice(h + 1, h + 73).some((p) => p > now) || h + 73 > week.length, `hour ${h}`);
    }
    assert.notEqual(spotPrice('m5.large', 'us-east-1b', T0), spotPrice('m5.large', 'us-east-1a', T0), 'zones differ');
  });
});
