/**
 * Budgets' messages to their subscribers: SNS topics through publishFromService (the topic's
 * policy must let budgets.amazonaws.com publish, as on AWS), email addresses into the same
 * outbox SNS email subscriptions land in (GET /_cloudlet/sns/outbox), sent from AWS Budgets'
 * address. Both inside the evaluation's transaction; HTTP deliveries of the topics go after
 * its commit.
 */
import { randomUUID } from 'node:crypto';
import { toOutbox } from '../sns/delivery.js';
import { publishFromService } from '../sns/publish.js';
import type { RequestContext } from '../types.js';
import type { SubscriberRecord } from './records.js';

export const BUDGETS_SENDER = 'budgets@costalerts.amazonaws.com';

/** SNS subjects are at most 100 characters: a long budget name is cut, not refused. */
const snsSubject = (s: string): string => (s.length <= 100 ? s : `${s.slice(0, 99)}…`);

export function deliver(sys: RequestContext, subscribers: SubscriberRecord[], subject: string, text: string): void {
  const atMs = sys.clock.nowMs();
  for (const s of subscribers) {
    if (s.type === 'SNS') {
      const r = publishFromService(sys, s.address, { subject: snsSubject(subject), message: text });
      if ('error' in r) sys.log.warn('budget notification not published', { topic: s.address, error: r.error });
    } else {
      toOutbox(sys.tx, sys.scope, {
        atMs, topicArn: '', subscriptionArn: '', protocol: 'email', endpoint: s.address, kind: 'Notification', messageId: randomUUID(),
        subject, body: text, delivered: true, note: `sent by AWS Budgets (${BUDGETS_SENDER})`,
      });
    }
  }
}
