import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { instanceRate } from '../cost/prices.js';
import { describe as describeOffering, feeUsageType, offeringById, offeringFor } from './offerings.js';
import { rateFactor, savingsPlanRate } from './rates.js';

describe('Savings Plans rates and offerings', () => {
  it('states one factor table: EC2 Instance plans as Standard RIs, Compute plans as Convertible ones', () => {
    const table = (['EC2Instance', 'Compute'] as const).map((t) => [31_536_000, 94_608_000].map((d) => (['No Upfront', 'Partial Upfront', 'All Upfront'] as const).map((p) => rateFactor(t, d, p))));
    assert.deepEqual(table, [[[0.8, 0.77, 0.75], [0.7, 0.66, 0.64]], [[0.85, 0.82, 0.8], [0.75, 0.71, 0.69]]]);
  });

  it('discounts the compute part only: a Windows licence is charged in full', () => {
    const linux = instanceRate('m5.large', 'Linux/UNIX', 'us-east-1');
    const windows = instanceRate('m5.large', 'Windows', 'us-east-1');
    const rate = (p: 'Linux/UNIX' | 'Windows') => savingsPlanRate('Compute', 31_536_000, 'No Upfront', 'm5.large', p, 'us-east-1');
    assert.equal(rate('Linux/UNIX'), Math.round(linux * 0.85 * 1e6) / 1e6);
    assert.ok(Math.abs(rate('Windows') - (rate('Linux/UNIX') + windows - linux)) < 1e-6);
    assert.ok(1 - rate('Windows') / windows < 1 - rate('Linux/UNIX') / linux, 'Windows saves a smaller share');
  });

  it('offering IDs are stable and name what they sell', () => {
    const o = offeringFor('EC2Instance', 94_608_000, 'All Upfront', 'us-west-2', 'm5')!;
    assert.match(o.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(offeringById(o.id), o);
    assert.equal(describeOffering(o), '3 year All Upfront m5 EC2 Instance Savings Plan in us-west-2');
    assert.equal(feeUsageType(o), 'USW2-EC2SP:m5.3yrAllUpfront');
    assert.equal(feeUsageType(offeringFor('Compute', 31_536_000, 'Partial Upfront')!), 'ComputeSP:1yrPartialUpfront');
    assert.equal(offeringFor('EC2Instance', 31_536_000, 'No Upfront', 'us-east-1', 'no-such-family'), undefined);
  });
});
