/**
 * SNS on the bill (SNS pricing): each publish is one request per started 64 KB of its payload
 * (message and attributes; a PublishBatch per 64 KB of all its messages), and each notification sent is a delivery by protocol — HTTP/S
 * (DeliveryAttempts-HTTP) and email or email-json (DeliveryAttempts-SMTP). The topic owner pays;
 * the Always Free amounts are cost/free-tier.ts's. SMS (priced per country) and SQS/Lambda
 * (free; cloudlet keeps those messages in the outbox) are not billed.
 */
import type { Scope, Tx } from '../../store/types.js';
import { SERVICE } from '../cost/lines.js';
import { meterCount } from '../cost/meter.js';
import { prices, regional, usageType } from '../cost/prices.js';

const CHUNK = 64 * 1024;

/** Requests a publish of this payload counts as. */
export const publishRequests = (payloadBytes: number): number => Math.max(1, Math.ceil(payloadBytes / CHUNK));

function count(tx: Tx, scope: Scope, topicArn: string, base: string, operation: string, unit: string, rate: number, quantity: number, atMs: number): void {
  if (quantity <= 0) return;
  const ut = usageType(scope.region, base);
  meterCount(tx, scope, {
    ...SERVICE.sns, key: ut, usageType: ut, operation, unit, quantity: 1, rate: regional(rate, scope.region), resourceId: topicArn, region: scope.region, tags: {},
  }, quantity, atMs);
}

/** Bills `requests` publish requests (0 when a batch counts its own) and the deliveries of one message. */
export function meterPublish(tx: Tx, scope: Scope, topicArn: string, requests: number, deliveries: { http: number; email: number }, atMs: number): void {
  const p = prices().sns;
  count(tx, scope, topicArn, 'Requests-Tier1', 'Publish', 'Requests', p.per1MillionPublishes / 1e6, requests, atMs);
  count(tx, scope, topicArn, 'DeliveryAttempts-HTTP', 'Notification', 'Notifications', p.httpPer1Million / 1e6, deliveries.http, atMs);
  count(tx, scope, topicArn, 'DeliveryAttempts-SMTP', 'Notification', 'Notifications', p.emailPer100k / 1e5, deliveries.email, atMs);
}
