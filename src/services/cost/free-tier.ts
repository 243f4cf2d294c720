/**
 * The Always Free offers of what cloudlet meters: allowances per account per calendar month,
 * across every Region, used up in the order the usage happened. CloudWatch: 10 metrics and 10
 * alarm metrics (standard resolution; not high-resolution or composite alarms); SNS: 1 million
 * publishes, 100,000 HTTP/S and 1,000 email notifications; data transfer out to the internet:
 * 100 GB aggregated across services and Regions. The limits are the price
 * table's (data/cost/prices.json). Usage within an allowance keeps its quantity and costs
 * nothing, as on AWS's bill; usage beyond it costs the usual rate.
 */
import type { CountRecord, Line } from './types.js';
import { prices } from './prices.js';

type AnyLine = Line | CountRecord['line'];

export interface Allowance {
  id: string;
  /** The usage type without its Region's prefix. */
  usageType: string;
  /** Only this service's usage draws on it (usage types repeat across services: Requests-Tier1). */
  productCode?: string;
  /** Free Tier's `service` and `operation` for it (GetFreeTierUsage). */
  service: string;
  operation: string;
  unit: string;
  limit: number;
  description: string;
}

let table: readonly Allowance[] | undefined;

export function allowances(): readonly Allowance[] {
  if (table) return table;
  const p = prices();
  table = [
    {
      id: 'cloudwatch-metrics', usageType: 'CW:MetricMonitorUsage', service: 'AmazonCloudWatch', operation: 'MetricStorage', unit: 'Metrics',
      limit: p.cloudwatch.freeMetrics, description: `${p.cloudwatch.freeMetrics} Metrics for Amazon CloudWatch`,
    },
    {
      id: 'cloudwatch-alarms', usageType: 'CW:AlarmMonitorUsage', service: 'AmazonCloudWatch', operation: 'MetricAlarm', unit: 'Alarms',
      limit: p.cloudwatch.freeAlarms, description: `${p.cloudwatch.freeAlarms} Alarms for Amazon CloudWatch`,
    },
    {
      id: 'sns-publishes', usageType: 'Requests-Tier1', productCode: 'AmazonSNS', service: 'AmazonSNS', operation: 'Publish', unit: 'Requests',
      limit: p.sns.freePublishes, description: `${p.sns.freePublishes.toLocaleString('en-US')} Amazon SNS requests (publishes)`,
    },
    {
      id: 'sns-http', usageType: 'DeliveryAttempts-HTTP', productCode: 'AmazonSNS', service: 'AmazonSNS', operation: 'Notification', unit: 'Notifications',
      limit: p.sns.freeHttp, description: `${p.sns.freeHttp.toLocaleString('en-US')} Amazon SNS HTTP/S notifications`,
    },
    {
      id: 'sns-email', usageType: 'DeliveryAttempts-SMTP', productCode: 'AmazonSNS', service: 'AmazonSNS', operation: 'Notification', unit: 'Notifications',
      limit: p.sns.freeEmail, description: `${p.sns.freeEmail.toLocaleString('en-US')} Amazon SNS email notifications`,
    },
    {
      id: 'data-transfer-out', usageType: 'DataTransfer-Out-Bytes', service: 'AWSDataTransfer', operation: '', unit: 'GB',
      limit: p.dataTransfer.freeOutGb, description: `${p.dataTransfer.freeOutGb} GB of data transfer out to the internet, aggregated across services and Regions`,
    },
  ];
  return table;
}

/** Whether a usage type is `base` with or without a Region's prefix ("USW2-CW:AlarmMonitorUsage"). */
const isUsageType = (ut: string, base: string): boolean =>
  ut.length === base.length ? ut === base : ut.endsWith(base) && ut.charCodeAt(ut.length - base.length - 1) === 45 /* '-' */;

/** The allowance a line's usage draws on, if any. */
export function allowanceOf(line: AnyLine): Allowance | undefined {
  // Composite alarms bill under the same usage type but are not alarm metrics.
  return allowances().find((a) => isUsageType(line.usageType, a.usageType) && (a.productCode === undefined || a.productCode === line.productCode)
    && (a.id !== 'cloudwatch-alarms' || line.operation === 'MetricAlarm'));
}

/** What is left of each allowance in each month: consumed in the order `take` is called. */
export class AllowanceLedger {
  private readonly used = new Map<string, number>();

  /** Records `quantity` of usage at `monthMs` (the month's start); returns the part of it that is free. */
  take(a: Allowance, monthMs: number, quantity: number): number {
    const k = `${a.id}|${monthMs}`;
    const used = this.used.get(k) ?? 0;
    const free = Math.max(0, Math.min(quantity, a.limit - used));
    this.used.set(k, used + quantity);
    return free;
  }
}
