import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { CostedItem } from '../cost/commitments.js';
import type { Line } from '../cost/types.js';
import { Aggregator, amount, checkGroupBy, metricOf, pageOf } from './aggregate.js';
import { bucketsOf, usagePeriod } from './dates.js';
import { compileExpression, compileFilter, type Expression } from './expression.js';
import { forEachTagged, type UsageSource } from './tags.js';
import type { TaggedItem } from './dimensions.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 10, 1); // 2026-11-01
const NOW = Date.UTC(2026, 11, 10, 12); // 2026-12-10T12:00Z

function line(over: Partial<Line>): Line {
  return {
    key: 'k', service: 'Amazon Elastic Compute Cloud - Compute', productCode: 'AmazonEC2', usageType: 'BoxUsage:t3.micro', operation: 'RunInstances',
    unit: 'Hrs', accrual: 'hours', quantity: 1, rate: 0.0104, fromMs: 0, resourceId: 'i-1', region: 'us-east-1', tags: {}, ...over,
  };
}

function item(l: Line, startMs: number, endMs: number, quantity: number, extra: Partial<CostedItem> = {}): CostedItem {
  const cost = quantity * l.rate;
  return { account: '111111111111', startMs, endMs, line: l, quantity, hours: l.accrual === 'hours' ? quantity : 0, cost, unblendedCost: cost, amortizedCost: cost, blendedCost: cost, itemType: 'Usage', ...extra };
}

const web = line({ resourceId: 'i-web', tags: { team: 'web' }, instance: { type: 't3.micro', platform: 'Linux/UNIX', tenancy: 'default', zoneName: 'us-east-1a', purchase: 'OnDemand' } });
const db = line({ resourceId: 'i-db', usageType: 'BoxUsage:t3.small', rate: 0.0208, tags: { team: 'db' }, instance: { type: 't3.small', platform: 'Linux/UNIX', tenancy: 'default', zoneName: 'us-east-1b', purchase: 'OnDemand' } });
const vol = line({ resourceId: 'vol-1', service: 'EC2 - Other', usageType: 'EBS:VolumeUsage.gp3', operation: 'CreateVolume-Gp3', unit: 'GB-Mo', accrual: 'month', rate: 0.08, tags: { team: 'web' } });

const all = (t: CostedItem, tags: Record<string, string> = t.line.tags): TaggedItem => ({ item: t, tags });

function run(items: TaggedItem[], q: { g?: 'DAILY' | 'MONTHLY'; groupBy?: Array<{ Type: string; Key: string }>; metrics?: string[]; filter?: Expression; period?: [number, number] }) {
  const [s, e] = q.period ?? [T0, T0 + 3 * D];
  const agg = new Aggregator({ buckets: bucketsOf({ startMs: s, endMs: e }, q.g ?? 'DAILY'), granularity: q.g ?? 'DAILY', groupBy: q.groupBy ?? [], metrics: q.metrics ?? ['UnblendedCost'], filter: compileFilter(q.filter), nowMs: NOW });
  for (const i of items) agg.add(i);
  return agg.results();
}

describe('Cost Explorer aggregation', () => {
  const items = [
    all(item(web, T0, T0 + D, 24)), all(item(web, T0 + D, T0 + 2 * D, 24)),
    all(item(db, T0, T0 + D, 10)),
    all(item(vol, T0, T0 + D, 100 / 30)),
  ];

  it('sums per day with AWS amounts: strings, USD, Total filled and Groups empty when ungrouped', () => {
    const r = run(items, {});
    assert.equal(r.length, 3);
    assert.deepEqual(r[0]!.TimePeriod, { Start: '2026-11-01', End: '2026-11-02' });
    assert.deepEqual(r[0]!.Total.UnblendedCost, { Amount: amount(24 * 0.0104 + 10 * 0.0208 + (100 / 30) * 0.08), Unit: 'USD' });
    assert.deepEqual(r[2]!.Total.UnblendedCost, { Amount: '0', Unit: 'USD' });
    assert.deepEqual(r[0]!.Groups, []);
    assert.equal(r[0]!.Estimated, false, 'November is closed on 2026-12-10');
  });

  it('groups by SERVICE and by TAG (key$value, key$ for untagged): Total empty, groups sorted', () => {
    const r = run(items, { groupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }] });
    assert.deepEqual(r[0]!.Total, {});
    assert.deepEqual(r[0]!.Groups.map((g) => [g.Keys, g.Metrics.UnblendedCost!.Amount]), [
      [['Amazon Elastic Compute Cloud - Compute'], amount(24 * 0.0104 + 10 * 0.0208)],
      [['EC2 - Other'], amount((100 / 30) * 0.08)],
    ]);
    const untaggedDb = [all(items[0]!.item), all(items[2]!.item, {})];
    const t = run(untaggedDb, { groupBy: [{ Type: 'TAG', Key: 'team' }, { Type: 'DIMENSION', Key: 'INSTANCE_TYPE' }] });
    assert.deepEqual(t[0]!.Groups.map((g) => g.Keys), [['team$', 't3.small'], ['team$web', 't3.micro']]);
  });

  it('UsageQuantity keeps one unit, says N/A for mixed units; metric names in either spelling, answered as asked', () => {
    const r = run(items, { metrics: ['UsageQuantity', 'UNBLENDED_COST'], groupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }] });
    const box = r[0]!.Groups.find((g) => g.Keys[0] === 'BoxUsage:t3.micro')!;
    assert.deepEqual(box.Metrics.UsageQuantity, { Amount: '24', Unit: 'Hrs' });
    assert.ok(box.Metrics.UNBLENDED_COST);
    const total = run(items, { metrics: ['UsageQuantity'] });
    assert.deepEqual(total[0]!.Total.UsageQuantity, { Amount: amount(34 + 100 / 30), Unit: 'N/A' });
    assert.throws(() => metricOf('Cost'), /ValidationException|Invalid metric name/);
  });

  it('NormalizedUsageAmount counts instance hours by size (micro 0.5, small 1)', () => {
    const r = run(items, { metrics: ['NormalizedUsageAmount'] });
    assert.equal(r[0]!.Total.NormalizedUsageAmount!.Amount, amount(24 * 0.5 + 10 * 1));
  });

  it('filters with Dimensions, Tags (ABSENT), And/Or/Not', () => {
    const only = (f: Expression) => run(items, { filter: f })[0]!.Total.UnblendedCost!.Amount;
    assert.equal(only({ Dimensions: { Key: 'SERVICE', Values: ['EC2 - Other'] } }), amount((100 / 30) * 0.08));
    assert.equal(only({ Tags: { Key: 'team', Values: ['db'] } }), amount(10 * 0.0208));
    assert.equal(only({ Not: { Tags: { Key: 'team', Values: ['web'] } } }), amount(10 * 0.0208));
    assert.equal(only({ And: [{ Tags: { Key: 'team', Values: ['web'] } }, { Dimensions: { Key: 'INSTANCE_TYPE', Values: ['t3.micro'] } }] }), amount(24 * 0.0104));
    assert.equal(only({ Or: [{ Dimensions: { Key: 'INSTANCE_TYPE', Values: ['t3.small'] } }, { Dimensions: { Key: 'USAGE_TYPE', Values: ['EBS:VolumeUsage.gp3'] } }] }), amount(10 * 0.0208 + (100 / 30) * 0.08));
    assert.equal(only({ Tags: { Key: 'owner', MatchOptions: ['ABSENT'] } }), run(items, {})[0]!.Total.UnblendedCost!.Amount);
  });

  it('refuses malformed expressions and group definitions with AWS\'s messages', () => {
    assert.throws(() => compileExpression({ And: [{ Dimensions: { Key: 'SERVICE', Values: ['x'] } }], Dimensions: { Key: 'SERVICE', Values: ['x'] } }), /Expression has more than one roots/);
    assert.throws(() => compileExpression({}), /Expression has zero roots/);
    assert.throws(() => compileExpression({ And: [{ Dimensions: { Key: 'SERVICE', Values: ['x'] } }] }), /And expression must have at least 2 operands/);
    assert.throws(() => compileExpression({ Dimensions: { Key: 'SERVICE', Values: ['x'], MatchOptions: ['CONTAINS'] } }), /MatchOptions CONTAINS is not supported for Dimensions/);
    assert.throws(() => checkGroupBy([{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }]), /Group Definition dimension is invalid/);
    assert.throws(() => checkGroupBy([{ Type: 'TAG' }]), /Both type an key need to be set/);
    assert.throws(() => checkGroupBy([{ Type: 'TAG', Key: 'a' }, { Type: 'TAG', Key: 'b' }, { Type: 'TAG', Key: 'c' }]), /up to two/);
  });

  it('monthly buckets cut to the period; the current month is Estimated', () => {
    const r = run([all(item(web, NOW - D, NOW, 24))], { g: 'MONTHLY', period: [Date.UTC(2026, 9, 15), Date.UTC(2027, 0, 1)] });
    assert.deepEqual(r.map((x) => [x.TimePeriod.Start, x.TimePeriod.End, x.Estimated]), [
      ['2026-10-15', '2026-11-01', false], ['2026-11-01', '2026-12-01', false], ['2026-12-01', '2027-01-01', true],
    ]);
    assert.equal(r[2]!.Total.UnblendedCost!.Amount, amount(24 * 0.0104));
  });

  it('pages by entries, a period split over pages keeping its share of groups', () => {
    const r = run(items, { groupBy: [{ Type: 'DIMENSION', Key: 'INSTANCE_TYPE' }] });
    // Day 1: NoInstanceType, t3.micro, t3.small; day 2: t3.micro; day 3: no groups (one entry).
    const p1 = pageOf(r, true, 0, 2);
    assert.deepEqual([p1.page.length, p1.page[0]!.Groups.length, p1.next], [1, 2, 2]);
    const p2 = pageOf(r, true, 2, 2);
    assert.deepEqual([p2.page.map((x) => x.Groups.length), p2.next], [[1, 1], 4]);
    const p3 = pageOf(r, true, 4, 2);
    assert.deepEqual([p3.page.map((x) => x.Groups.length), p3.next], [[0], undefined]);
  });
});

describe('Cost Explorer periods', () => {
  it('validates dates as AWS does', () => {
    assert.throws(() => usagePeriod({ Start: '2026-12-05', End: '2026-12-05' }, 'DAILY', NOW), /Start date \(and hour\) should be before end date \(and hour\)/);
    assert.throws(() => usagePeriod({ Start: '2026-12-01', End: '2027-01-02' }, 'DAILY', NOW), /end date past the beginning of next month/);
    assert.throws(() => usagePeriod({ Start: '2026-11-20T00:00:00Z', End: '2026-12-01T00:00:00Z' }, 'HOURLY', NOW), /more than 14 days ago for hourly granularity/);
    assert.throws(() => usagePeriod({ Start: '2025-09-15', End: '2026-01-01' }, 'MONTHLY', NOW), /your start date needs to be the first day of the month/);
    assert.throws(() => usagePeriod({ Start: '2025-09-01', End: '2026-01-01' }, 'MONTHLY', NOW), (e: Error & { code?: string }) => e.code === 'BillExpirationException');
    assert.throws(() => usagePeriod({ Start: '2026-02-30', End: '2026-03-02' }, 'DAILY', NOW), /Start date is invalid/);
    assert.deepEqual(usagePeriod({ Start: '2025-11-01', End: '2027-01-01' }, 'MONTHLY', NOW), { startMs: Date.UTC(2025, 10, 1), endMs: Date.UTC(2027, 0, 1) });
  });
});

describe('cost allocation tags in force', () => {
  it('cuts the window where a tag starts to apply: usage before it is untagged, after it tagged', () => {
    const seen: Array<[number, number]> = [];
    const source: UsageSource = (win, _g, fn) => {
      seen.push([win.startMs, win.endMs]);
      fn(item(web, win.startMs, win.endMs, (win.endMs - win.startMs) / H));
    };
    const out: TaggedItem[] = [];
    forEachTagged(source, new Map([['team', T0 + 10 * H]]), { startMs: T0, endMs: T0 + D }, 'DAILY', (t) => out.push(t));
    assert.deepEqual(seen, [[T0, T0 + 10 * H], [T0 + 10 * H, T0 + D]]);
    assert.deepEqual(out.map((t) => [t.item.quantity, t.tags.team ?? '']), [[10, ''], [14, 'web']]);
    const r = run(out, { groupBy: [{ Type: 'TAG', Key: 'team' }] });
    assert.deepEqual(r[0]!.Groups.map((g) => [g.Keys[0], g.Metrics.UnblendedCost!.Amount]), [['team$', amount(10 * 0.0104)], ['team$web', amount(14 * 0.0104)]]);
  });
});
