/** SNS rows: topics, subscriptions, the outbox and the delivery log, and the ARNs that name them. */
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';

export const TOPIC = 'sns:topic';
/** id: `${topicName}:${subscriptionId}`, so a topic's subscriptions are one prefix. */
export const SUB = 'sns:subscription';
/** id: zero-padded ms + '-' + uuid: time order. */
export const OUTBOX = 'sns:outbox';
export const DELIVERY = 'sns:delivery';

export interface TopicRecord {
  name: string;
  arn: string;
  owner: string;
  createdMs: number;
  /** Settable attributes as stored (Policy, DisplayName, DeliveryPolicy, KmsMasterKeyId, SignatureVersion ...). */
  attributes: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  fifo: boolean;
  deletedSubscriptions: number;
  /** FIFO dedup: id -> ms first seen (5 minute window). */
  dedup?: Record<string, number>;
  seq?: number;
}

export interface SubscriptionRecord {
  id: string;
  /** The ARN once confirmed; 'PendingConfirmation' is what the API shows before. */
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  owner: string;
  confirmed: boolean;
  token: string;
  createdMs: number;
  attributes: Record<string, string>;
}

export interface OutboxRecord {
  atMs: number;
  topicArn: string;
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
  kind: 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';
  messageId: string;
  subject?: string;
  body: string;
  /** False for protocols cloudlet stores but does not deliver (sqs, lambda, firehose, application). */
  delivered: boolean;
  note?: string;
}

export interface DeliveryRecord {
  atMs: number;
  topicArn: string;
  subscriptionArn: string;
  endpoint: string;
  messageId: string;
  type: string;
  attempts: Array<{ atMs: number; status?: number; error?: string }>;
  outcome: 'delivered' | 'failed' | 'in-progress';
  /** Why the row may not show every attempt (deliveries a fleet step started). */
  note?: string;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;
const SUB_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256}):([0-9a-f-]{36})$/;

export interface TopicRef { scope: Scope; name: string; arn: string }

export function parseTopicArn(arn: unknown): TopicRef | undefined {
  const m = typeof arn === 'string' ? TOPIC_ARN.exec(arn) : null;
  if (!m) return undefined;
  return { scope: { account: m[2]!, region: m[1]! }, name: m[3]!, arn: arn as string };
}

export function parseSubscriptionArn(arn: unknown): { scope: Scope; topic: string; id: string } | undefined {
  const m = typeof arn === 'string' ? SUB_ARN.exec(arn) : null;
  if (!m) return undefined;
  return { scope: { account: m[2]!, region: m[1]! }, topic: m[3]!, id: m[4]! };
}

export const topicArn = (scope: Scope, name: string): string => `arn:aws:sns:${scope.region}:${scope.account}:${name}`;

export const invalid = (what: string): AwsError => new AwsError('InvalidParameter', `Invalid parameter: ${what}`, 400);
export const topicNotFound = (): AwsError => new AwsError('NotFound', 'Topic does not exist', 404);

/** The topic an ARN names, or NotFound / InvalidParameter as SNS answers. */
export function requireTopic(tx: Tx, arn: unknown, member = 'TopicArn'): TopicRecord {
  const ref = parseTopicArn(arn);
  if (!ref) throw invalid(`${member}`);
  const t = tx.get<TopicRecord>(ref.scope, TOPIC, ref.name);
  if (!t) throw topicNotFound();
  return t;
}

export function subscriptionsOf(tx: Tx, scope: Scope, topicName: string): SubscriptionRecord[] {
  return tx.list<SubscriptionRecord>(scope, SUB, { prefix: `${topicName}:` }).map((r) => r.value);
}

export const subKey = (topicName: string, id: string): string => `${topicName}:${id}`;

export function timeKey(ms: number, id: string): string {
  return `${String(ms).padStart(15, '0')}-${id}`;
}

/** AWS's default topic policy: the owner account (AWS:SourceOwner) may use the topic. */
export function defaultPolicy(arn: string, owner: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{
      Sid: '__default_statement_ID',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
      Resource: arn,
      Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
    }],
  });
}

/** SNS's documented default HTTP/S delivery policy. */
export const DEFAULT_HTTP_POLICY = {
  defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' },
  disableSubscriptionOverrides: false,
  defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
};

export function effectiveDeliveryPolicy(t: TopicRecord): string {
  if (t.attributes.DeliveryPolicy) {
    try {
      const p = JSON.parse(t.attributes.DeliveryPolicy) as { http?: Record<string, unknown> };
      return JSON.stringify({ http: { ...DEFAULT_HTTP_POLICY, ...(p.http ?? {}) } });
    } catch { /* validated at set time */ }
  }
  return JSON.stringify({ http: DEFAULT_HTTP_POLICY });
}
