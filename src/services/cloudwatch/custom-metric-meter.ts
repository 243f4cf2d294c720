/**
 * Custom metrics on the bill: AWS charges per metric per month, "prorated by the hour and metered
 * only when you send metrics" (CloudWatch pricing). Each clock hour in which PutMetricData sends
 * a custom metric (a namespace not starting with AWS/) adds 1/(hours in that month) of a
 * metric-month, counted per namespace.
 */
import type { Scope, Tx } from '../../store/types.js';
import { meterCount } from '../cost/meter.js';
import { prices, regional, usageType } from '../cost/prices.js';
import { SERVICE } from '../cost/lines.js';
import { monthMs } from '../cost/usage.js';

const HOUR = 3_600_000;

/** The hour now billed for the metric (unchanged when it already was). */
export function billCustomMetricHour(tx: Tx, scope: Scope, namespace: string, billedHourMs: number | undefined, putMs: number): number | undefined {
  if (namespace.startsWith('AWS/')) return billedHourMs;
  const hour = Math.floor(putMs / HOUR) * HOUR;
  if (billedHourMs === hour) return hour;
  const ut = usageType(scope.region, 'CW:MetricMonitorUsage');
  meterCount(tx, scope, {
    ...SERVICE.cloudwatch, key: ut, usageType: ut, operation: 'MetricStorage', unit: 'Metrics', quantity: 1,
    rate: regional(prices().cloudwatch.metricMonth, scope.region), resourceId: namespace, region: scope.region, tags: {},
  }, HOUR / monthMs(hour), putMs);
  return hour;
}
