import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { match, matcher, type Commitment, type UsageClass } from './matching.js';
import { normalizationFactor } from './normalization.js';

const cls = (type: string, extra: Partial<UsageClass> = {}): UsageClass => ({
  region: 'us-east-1', type, platform: 'Linux/UNIX', tenancy: 'default', zoneName: 'us-east-1a', odRate: 0.1 * normalizationFactor(type), ...extra,
});
const ri = (id: string, type: string, extra: Partial<Extract<Commitment, { kind: 'ri' }>> = {}): Commitment => ({
  kind: 'ri', id, region: 'us-east-1', type, platform: 'Linux/UNIX', tenancy: 'default', ...extra,
});
const sp = (id: string, planType: 'Compute' | 'EC2Instance', factor: number, extra: Partial<Extract<Commitment, { kind: 'sp' }>> = {}): Commitment => ({
  kind: 'sp', id, planType, rate: (c) => c.odRate * (c.platform === 'Windows' ? 0.95 : factor), ...extra,
});

/** Covered hours per class index, summed over commitments, and per commitment. */
function run(classes: UsageClass[], ks: Commitment[], usage: number[], capacity: number[]) {
  const r = match(matcher(classes, ks), usage, capacity);
  const byClass = classes.map((_, c) => r.covers.filter((x) => x.c === c).reduce((s, x) => s + x.hours, 0)).map((h) => +h.toFixed(9));
  const byPair = r.covers.map((x) => `${ks[x.k]!.id}>${x.c}:${+x.hours.toFixed(6)}`);
  return { byClass, byPair, used: [...r.used].map((u) => +u.toFixed(6)) };
}

describe('normalization factors', () => {
  it('follows AWS table, N·xlarge and metal as the largest size', () => {
    assert.deepEqual(['t3.nano', 't3.micro', 't3.small', 't3.medium', 'm5.large', 'm5.xlarge', 'm5.2xlarge', 'm5.24xlarge'].map(normalizationFactor),
      [0.25, 0.5, 1, 2, 4, 8, 16, 192]);
    assert.equal(normalizationFactor('c5.metal'), normalizationFactor('c5.24xlarge'));
  });
});

describe('commitment matching', () => {
  it('applies zonal RIs before regional ones, only to their zone', () => {
    const classes = [cls('m5.large'), cls('m5.large', { zoneName: 'us-east-1b' })];
    const ks = [ri('regional', 'm5.large'), ri('zonal', 'm5.large', { zoneName: 'us-east-1b' })];
    const r = run(classes, ks, [1, 1], [1, 1]);
    assert.deepEqual(r.byPair, ['zonal>1:1', 'regional>0:1']);
  });

  it('size flexibility: the exact size first, then the smallest sizes, in normalization units', () => {
    // One m5.xlarge RI (8 units) against an m5.xlarge, two m5.large and an m5.2xlarge: the xlarge
    // takes all 8 units and nothing is left.
    const classes = [cls('m5.2xlarge'), cls('m5.large'), cls('m5.xlarge')];
    assert.deepEqual(run(classes, [ri('r', 'm5.xlarge')], [1, 2, 1], [1]).byPair, ['r>2:1']);
    // Two of them (16 units): the xlarge (8), then the two larges (4 each) before the 2xlarge.
    assert.deepEqual(run(classes, [ri('r', 'm5.xlarge')], [1, 2, 1], [2]).byPair, ['r>2:1', 'r>1:2']);
    // Three (24 units): 8 units left cover half of the 2xlarge's hour (16 units).
    const r = run(classes, [ri('r', 'm5.xlarge')], [1, 2, 1], [3]);
    assert.deepEqual(r.byClass, [0.5, 2, 1]);
    assert.deepEqual(r.used, [3]);
  });

  it('a smaller RI covers part of a larger instance; unused capacity stays unused', () => {
    const r = run([cls('t3.large')], [ri('r', 't3.medium')], [1], [1]);
    assert.deepEqual(r.byClass, [0.5]);
    assert.deepEqual(r.used, [1]);
    const idle = run([cls('t3.micro')], [ri('r', 't3.medium')], [1], [1]);
    assert.deepEqual(idle.byClass, [1]);
    assert.deepEqual(idle.used, [0.25], 'a micro is a quarter of a medium: three quarters of the RI hour unused');
  });

  it('Windows regional RIs and dedicated usage get no size flexibility; families never mix', () => {
    const win = (t: string) => cls(t, { platform: 'Windows' });
    assert.deepEqual(run([win('m5.large'), win('m5.xlarge')], [ri('w', 'm5.xlarge', { platform: 'Windows' })], [1, 1], [1]).byClass, [0, 1]);
    assert.deepEqual(run([cls('m5.large', { tenancy: 'dedicated' })], [ri('r', 'm5.large')], [1], [1]).byClass, [0]);
    assert.deepEqual(run([cls('m6i.large'), cls('m5.large', { platform: 'Windows' })], [ri('r', 'm5.large')], [1, 1], [1]).byClass, [0, 0]);
  });

  it('RIs first, then EC2 Instance plans, then Compute plans, each up to its hourly commitment', () => {
    // m5.large On-Demand 0.4/h. RI covers 1 of 3 instances; the EC2 Instance plan ($0.14/h at 0.7)
    // covers half an instance hour; the Compute plan ($0.5/h at 0.8 = 0.32/h each) the rest and
    // has 0.5 - 1.5*0.32 = 0.02 left.
    const classes = [cls('m5.large')];
    const ks = [sp('compute', 'Compute', 0.8), sp('ec2', 'EC2Instance', 0.7, { region: 'us-east-1', family: 'm5' }), ri('r', 'm5.large')];
    const r = run(classes, ks, [3], [0.5, 0.14, 1]);
    assert.deepEqual(r.byPair, ['r>0:1', 'ec2>0:0.5', 'compute>0:1.5']);
    assert.deepEqual(r.used, [0.48, 0.14, 1]);
  });

  it('EC2 Instance plans stay in their Region and family; Compute plans go anywhere', () => {
    const classes = [cls('c5.large'), cls('m5.large', { region: 'eu-west-1' })];
    const ec2 = sp('ec2', 'EC2Instance', 0.7, { region: 'us-east-1', family: 'm5' });
    assert.deepEqual(run(classes, [ec2], [1, 1], [10]).byClass, [0, 0]);
    assert.deepEqual(run(classes, [sp('c', 'Compute', 0.8)], [1, 1], [10]).byClass, [1, 1]);
  });

  it('a plan covers the usage with the highest savings percentage first', () => {
    // Windows keeps its licence undiscounted (0.95 here), so Linux goes first even if listed last.
    const classes = [cls('m5.large', { platform: 'Windows' }), cls('m5.large')];
    const r = run(classes, [sp('c', 'Compute', 0.8)], [1, 1], [0.32]);
    assert.deepEqual(r.byClass, [0, 1]);
  });
});
