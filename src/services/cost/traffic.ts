/**
 * Traffic on the bill, from the workload model (src/services/fleet/load.ts): what an application
 * load balancer processes costs Load Balancer Capacity Units, and what an internet-facing one
 * sends back to clients is data transfer out to the internet. Each request is 1 KB in and 5 KB
 * out (emit-ec2.ts's networkOf) and opens a new connection.
 *
 * An LCU is the largest of its dimensions in the hour: 25 new connections a second, or 1 GB an
 * hour processed for EC2 targets (ELB pricing). Counted per minute, the minute's share of an
 * LCU-hour is the larger of the two dimensions for that minute, over 60.
 *
 * Instances' own traffic to the internet (--egress) is billed where it leaves the VPC: egress.ts.
 */
import type { Scope, Tx } from '../../store/types.js';
import type { LoadBalancerRecord } from '../elbv2/records.js';
import { SERVICE } from './lines.js';
import { meterCount } from './meter.js';
import { prices, regional, usageType } from './prices.js';

export const GB = 2 ** 30;
export const REQUEST_IN_BYTES = 1000;
export const REQUEST_OUT_BYTES = 5000;

/** LCU-hours a minute with `requests` requests uses. */
export function lcuHoursOfMinute(requests: number): number {
  const connections = requests / 60 / 25;
  const bytes = (requests * (REQUEST_IN_BYTES + REQUEST_OUT_BYTES) * 60) / GB;
  return Math.max(connections, bytes) / 60;
}

export function meterLoadBalancerMinute(tx: Tx, scope: Scope, lb: LoadBalancerRecord, requests: number, atMs: number): void {
  if (requests <= 0) return;
  const kind = lb.type === 'network' ? 'network' : lb.type === 'gateway' ? 'gateway' : 'application';
  const base = { ...SERVICE.elb, resourceId: lb.arn, region: scope.region, tags: {} };
  const lcu = usageType(scope.region, 'LCUUsage');
  meterCount(tx, scope, { ...base, key: lcu, usageType: lcu, operation: 'LoadBalancing:Application', unit: 'LCU-Hrs', quantity: 1, rate: regional(prices().elb[kind].lcuHour, scope.region) }, lcuHoursOfMinute(requests), atMs);
  if (lb.scheme !== 'internet-facing') return;
  const out = usageType(scope.region, 'DataTransfer-Out-Bytes');
  meterCount(tx, scope, { ...base, key: out, usageType: out, operation: 'LoadBalancing:Application', unit: 'GB', quantity: 1, rate: regional(prices().dataTransfer.outGb, scope.region) }, (requests * REQUEST_OUT_BYTES) / GB, atMs);
}
