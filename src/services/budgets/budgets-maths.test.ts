import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CostedItem } from '../cost/commitments.js';
import type { TaggedItem } from '../ce/dimensions.js';
import { budgetPredicate, compileCostFilters, compileExpression, expressionOf, parseTagKeyValue, usageTypeGroup } from './filters.js';
import { forecastSpend, rateWindow } from './forecast.js';
import { measureOf } from './measure.js';
import { alertSubject, alertText, notificationDate } from './message.js';
import { calendarPeriod, defaultStart, historyWindow, periodAt, periodsBetween, DEFAULT_END_MS } from './periods.js';
import { amountText, crossed, formatAmount, normalizeAmount, thresholdAmount } from './thresholds.js';
import { nextEvalAfter, nextGridAfter } from './step.js';

const H = 3_600_000;
const D = 24 * H;
const T = (s: string): number => Date.parse(s);
const ALL = { startMs: 0, endMs: DEFAULT_END_MS };

test('periods: calendar days, months, quarters, years in UTC; clipped to the budget', () => {
  assert.deepEqual(calendarPeriod('MONTHLY', T('2026-02-14T13:00:00Z')), { startMs: T('2026-02-01T00:00:00Z'), endMs: T('2026-03-01T00:00:00Z') });
  assert.deepEqual(calendarPeriod('QUARTERLY', T('2026-08-31T23:59:59Z')), { startMs: T('2026-07-01T00:00:00Z'), endMs: T('2026-10-01T00:00:00Z') });
  assert.deepEqual(calendarPeriod('ANNUALLY', T('2026-12-31T23:00:00Z')), { startMs: T('2026-01-01T00:00:00Z'), endMs: T('2027-01-01T00:00:00Z') });
  assert.deepEqual(calendarPeriod('DAILY', T('2026-05-05T05:05:05Z')), { startMs: T('2026-05-05T00:00:00Z'), endMs: T('2026-05-06T00:00:00Z') });
  // AWS's example: created on January 24 without a start, MONTHLY starts on January 1, DAILY on January 24.
  assert.equal(defaultStart('MONTHLY', T('2018-01-24T10:00:00Z')), T('2018-01-01T00:00:00Z'));
  assert.equal(defaultStart('DAILY', T('2018-01-24T10:00:00Z')), T('2018-01-24T00:00:00Z'));
  assert.equal(DEFAULT_END_MS, T('2087-06-15T00:00:00Z'));
  const budget = { startMs: T('2026-03-10T00:00:00Z'), endMs: T('2026-05-20T00:00:00Z') };
  assert.equal(periodAt('MONTHLY', T('2026-03-01T00:00:00Z'), budget), undefined, 'before the budget starts');
  assert.deepEqual(periodAt('MONTHLY', T('2026-03-15T00:00:00Z'), budget), { startMs: budget.startMs, endMs: T('2026-04-01T00:00:00Z') });
  assert.deepEqual(periodAt('MONTHLY', T('2026-05-19T00:00:00Z'), budget), { startMs: T('2026-05-01T00:00:00Z'), endMs: budget.endMs });
  assert.equal(periodAt('MONTHLY', budget.endMs, budget), undefined, 'end exclusive');
  assert.deepEqual(periodAt('CUSTOM', T('2026-04-01T00:00:00Z'), budget), budget);
  assert.equal(periodsBetween('MONTHLY', 0, DEFAULT_END_MS, budget).length, 3);
});

test('periods: the performance history keeps 60 days, 13 months, 4 quarters', () => {
  const now = T('2026-06-15T12:00:00Z');
  assert.equal(periodsBetween('MONTHLY', historyWindow('MONTHLY', now).startMs, historyWindow('MONTHLY', now).endMs, ALL).length, 13);
  assert.equal(periodsBetween('DAILY', historyWindow('DAILY', now).startMs, historyWindow('DAILY', now).endMs, ALL).length, 60);
  const q = periodsBetween('QUARTERLY', historyWindow('QUARTERLY', now).startMs, historyWindow('QUARTERLY', now).endMs, ALL);
  assert.deepEqual([q.length, q[0]!.startMs], [4, T('2025-07-01T00:00:00Z')]);
});

test('thresholds: percentage of the limit or an absolute value; compared in cents', () => {
  assert.equal(thresholdAmount({ threshold: 80, thresholdType: 'PERCENTAGE' }, 15), 12);
  assert.equal(thresholdAmount({ threshold: 7, thresholdType: 'ABSOLUTE_VALUE' }, 15), 7);
  const gt = { op: 'GREATER_THAN' as const, threshold: 80, thresholdType: 'PERCENTAGE' as const };
  assert.equal(crossed(gt, 12.0, 15), false, 'at the threshold is not greater');
  assert.equal(crossed(gt, 12.004, 15), false, 'below a cent over');
  assert.equal(crossed(gt, 12.01, 15), true);
  assert.equal(crossed({ ...gt, op: 'LESS_THAN' }, 11.99, 15), true);
  assert.equal(crossed({ ...gt, op: 'LESS_THAN' }, 12, 15), false);
  assert.equal(crossed({ ...gt, op: 'EQUAL_TO' }, 12.003, 15), true, 'equal to the cent');
  assert.equal(crossed({ op: 'GREATER_THAN', threshold: 0.01, thresholdType: 'ABSOLUTE_VALUE' }, 0.02, 1), true, 'a zero-spend budget');
});

test('amounts: the API normalizes decimal strings; notifications print dollars to the cent', () => {
  assert.equal(normalizeAmount('100'), '100.0');
  assert.equal(normalizeAmount('12.50'), '12.5');
  assert.equal(normalizeAmount('.5'), '0.5');
  assert.equal(normalizeAmount('007.000'), '7.0');
  assert.equal(amountText(0.55249076341), '0.5524907634');
  assert.equal(amountText(0), '0.0');
  assert.equal(formatAmount(12, 'USD'), '$12.00');
  assert.equal(formatAmount(0.595, 'USD'), '$0.60');
  assert.equal(formatAmount(80, 'Hrs'), '80.00 Hrs');
});

test('forecast: spend so far plus the last 24 hours\' rate over what is left of the period', () => {
  const period = { startMs: T('2026-01-01T00:00:00Z'), endMs: T('2026-02-01T00:00:00Z') };
  assert.deepEqual(rateWindow(period, period.startMs), { startMs: period.startMs, endMs: period.startMs });
  assert.equal(forecastSpend({ actual: 0, period, atMs: period.startMs, recentSpend: 0, window: rateWindow(period, period.startMs) }), undefined, 'nothing measured yet');
  const at8 = period.startMs + 8 * H;
  assert.deepEqual(rateWindow(period, at8), { startMs: period.startMs, endMs: at8 }, 'a young period: since its start');
  // $0.02/h for 8 hours: 0.16 now, 0.02 x 736 h to go.
  assert.ok(Math.abs(forecastSpend({ actual: 0.16, period, atMs: at8, recentSpend: 0.16, window: rateWindow(period, at8) })! - 0.02 * 744) < 1e-9);
  const day10 = period.startMs + 10 * D;
  assert.deepEqual(rateWindow(period, day10), { startMs: day10 - D, endMs: day10 });
  // $5 in 9 days, then $0.10/h for the last day: the recent rate, not the average, goes forward.
  assert.ok(Math.abs(forecastSpend({ actual: 7.4, period, atMs: day10, recentSpend: 2.4, window: rateWindow(period, day10) })! - (7.4 + 0.1 * 21 * 24)) < 1e-9);
  assert.equal(forecastSpend({ actual: 3, period, atMs: period.endMs, recentSpend: 1, window: rateWindow(period, period.endMs) }), 3, 'at the end: the actual');
});

test('evaluation cadence: the 8-hour UTC grid holds every period boundary; a budget also evaluates at its start and end', () => {
  assert.equal(nextGridAfter(T('2026-01-31T16:00:00Z')), T('2026-02-01T00:00:00Z'));
  assert.equal(nextGridAfter(T('2026-01-31T16:00:00.001Z')), T('2026-02-01T00:00:00Z'));
  assert.equal(nextGridAfter(T('2026-01-31T03:10:00Z')), T('2026-01-31T08:00:00Z'));
  const b = { startMs: T('2026-02-10T00:00:00Z'), endMs: T('2026-02-10T05:00:00Z') };
  assert.equal(nextEvalAfter(b, T('2026-02-01T00:00:00Z')), b.startMs);
  assert.equal(nextEvalAfter(b, b.startMs), b.endMs);
});

function item(o: Partial<CostedItem['line']> & { tags?: Record<string, string>; instanceType?: string; cost?: number; quantity?: number; hours?: number; itemType?: string } = {}): CostedItem {
  const line = {
    key: 'k', service: 'Amazon Elastic Compute Cloud - Compute', productCode: 'AmazonEC2', usageType: 'BoxUsage:t3.micro', operation: 'RunInstances',
    unit: 'Hrs', accrual: 'hours' as const, quantity: 1, rate: 0.0104, fromMs: 0, resourceId: 'i-0123456789abcdef0', region: 'us-east-1', tags: o.tags ?? {},
    instance: { type: o.instanceType ?? 't3.micro', platform: 'Linux/UNIX' as const, tenancy: 'default', zoneName: 'us-east-1a', purchase: 'OnDemand' as const },
    ...o,
  };
  const cost = o.cost ?? 1;
  return { account: '000000000000', startMs: 0, endMs: H, line, quantity: o.quantity ?? 1, hours: o.hours ?? 1, cost, unblendedCost: cost, amortizedCost: cost * 0.5, blendedCost: cost * 0.75, itemType: o.itemType ?? 'Usage' };
}
const tagged = (i: CostedItem, active = Object.keys(i.line.tags)): TaggedItem => ({ item: i, tags: Object.fromEntries(active.filter((k) => k in i.line.tags).map((k) => [k, i.line.tags[k]!])) });

test('cost filters: keys ANDed, values ORed; TagKeyValue user:KEY$VALUE with only active tags seen', () => {
  const web = item({ tags: { team: 'web' } });
  const db = item({ tags: { team: 'db' }, region: 'eu-west-1', usageType: 'EU-BoxUsage:t3.micro' });
  const vol = item({ service: 'EC2 - Other', usageType: 'EBS:VolumeUsage.gp3', instance: undefined, tags: {} });
  const p = compileCostFilters({ Service: ['Amazon Elastic Compute Cloud - Compute'], TagKeyValue: ['user:team$web', 'user:team$api'] });
  assert.deepEqual([web, db, vol].map((i) => p(tagged(i))), [true, false, false]);
  assert.equal(p(tagged(web, [])), false, 'an inactive cost allocation tag does not filter');
  const untagged = compileCostFilters({ TagKeyValue: ['user:team$'] });
  assert.deepEqual([web, vol].map((i) => untagged(tagged(i))), [false, true]);
  const regions = compileCostFilters({ Region: ['eu-west-1'], UsageTypeGroup: ['EC2: Running Hours'] });
  assert.deepEqual([web, db, vol].map((i) => regions(tagged(i))), [false, true, false]);
  assert.equal(compileCostFilters({ UsageTypeGroup: ['EC2: EBS - SSD(gp3)'] })(tagged(vol)), true);
  assert.equal(usageTypeGroup('USW2-EBS:VolumeUsage.gp2'), 'EC2: EBS - SSD(gp2)');
  assert.deepEqual(parseTagKeyValue('user:team$web'), ['team', 'web']);
  assert.throws(() => compileCostFilters({ Colour: ['red'] }), { name: 'AwsError', code: 'InvalidParameterException', message: /Invalid cost filter key: Colour/ });
  assert.throws(() => compileCostFilters({ TagKeyValue: ['team'] }), { code: 'InvalidParameterException' });
  assert.throws(() => compileCostFilters({ Service: [] }), { code: 'InvalidParameterException' });
});

test('filter expressions: Cost Explorer\'s rules, refused as InvalidParameterException; CostFilters shown as an expression', () => {
  const web = item({ tags: { team: 'web' } });
  const other = item({ tags: { team: 'db' }, instanceType: 'm5.large' });
  const e = compileExpression({ And: [{ Dimensions: { Key: 'SERVICE', Values: ['Amazon Elastic Compute Cloud - Compute'] } }, { Not: { Tags: { Key: 'user:team', Values: ['db'] } } }] });
  assert.deepEqual([web, other].map((i) => e(tagged(i))), [true, false]);
  assert.equal(compileExpression({ Dimensions: { Key: 'INSTANCE_TYPE', Values: ['m5.large'] } })(tagged(other)), true);
  assert.throws(() => compileExpression({ And: [{ Dimensions: { Key: 'SERVICE', Values: ['x'] } }] }), { code: 'InvalidParameterException', message: /at least 2/ });
  assert.throws(() => compileExpression({ Dimensions: { Key: 'SERVICE', Values: ['x'] }, Tags: { Key: 'a', Values: ['b'] } }), { code: 'InvalidParameterException', message: /more than one roots/ });
  assert.deepEqual(expressionOf({ Service: ['S'], TagKeyValue: ['user:team$web'] }), {
    And: [{ Dimensions: { Key: 'SERVICE', Values: ['S'], MatchOptions: ['EQUALS'] } }, { Tags: { Key: 'user:team', Values: ['web'], MatchOptions: ['EQUALS'] } }],
  });
  assert.equal(budgetPredicate({})(tagged(web)), true, 'no filter: everything');
});

test('measure: COST budgets in the view their cost types choose, leaving out excluded fees; USAGE budgets count usage records', () => {
  const i = item({ cost: 2, quantity: 3, hours: 3 });
  assert.equal(measureOf({ type: 'COST' }, i), 2);
  assert.equal(measureOf({ type: 'COST', costTypes: { UseAmortized: true } }, i), 1);
  assert.equal(measureOf({ type: 'COST', costTypes: { UseBlended: true } }, i), 1.5);
  assert.equal(measureOf({ type: 'COST', metric: 'AmortizedCost' }, i), 1);
  const fee = item({ cost: 5, itemType: 'Fee' });
  assert.equal(measureOf({ type: 'COST' }, fee), 5);
  assert.equal(measureOf({ type: 'COST', costTypes: { IncludeUpfront: false } }, fee), 0);
  assert.equal(measureOf({ type: 'COST', costTypes: { IncludeRecurring: false } }, item({ cost: 1, itemType: 'RIFee' })), 0);
  assert.equal(measureOf({ type: 'USAGE' }, i), 3);
  assert.equal(measureOf({ type: 'USAGE', metric: 'NormalizedUsageAmount' }, i), 1.5, 't3.micro: 0.5 per hour');
  assert.equal(measureOf({ type: 'USAGE' }, fee), 0, 'fees are not usage');
});

test('notification text and subject in AWS\'s layout', () => {
  assert.equal(notificationDate(T('2023-03-04T06:58:50Z')), 'March 04, 2023');
  const facts = {
    account: '017790921725', budgetName: 'Test Budget', budgetType: 'COST' as const, timeUnit: 'MONTHLY' as const, unit: 'USD', limit: 0.2,
    notificationType: 'ACTUAL' as const, op: 'GREATER_THAN' as const, threshold: 80, thresholdType: 'PERCENTAGE' as const, value: 0.59, atMs: T('2022-09-26T19:20:37Z'),
  };
  assert.equal(alertSubject(facts), 'AWS Budgets: Test Budget has exceeded your alert threshold');
  assert.equal(alertText(facts), [
    'AWS Budget Notification September 26, 2022', 'AWS Account 017790921725', '', 'Dear AWS Customer,', '',
    'You requested that we alert you when the ACTUAL Cost associated with your Test Budget budget is greater than $0.16 for the current month. The ACTUAL Cost associated with this budget is $0.59. You can find additional details below and by accessing the AWS Budgets dashboard [1].',
    '', 'Budget Name: Test Budget', 'Budget Type: Cost', 'Budgeted Amount: $0.20', 'Alert Type: ACTUAL', 'Alert Threshold: > $0.16', 'ACTUAL Amount: $0.59',
    '', '[1] https://console.aws.amazon.com/billing/home#/budgets', '',
  ].join('\n'));
  assert.match(alertText({ ...facts, timeUnit: 'DAILY', notificationType: 'FORECASTED', op: 'LESS_THAN' }), /FORECASTED Cost associated with your Test Budget budget is less than \$0\.16 per day\./);
});
