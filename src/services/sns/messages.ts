/** The messages SNS sends, as JSON (HTTP/S, email-json) and as text (email), signed with the state's pair. */
import type { Tx } from '../../store/types.js';
import { certPath, readSigning, signingPair, signMessage, type SigningRecord } from './signing.js';

export const FALLBACK_BASE = 'http://127.0.0.1:4566';

export interface Urls { base: string; signing: SigningRecord }

/** The signing pair and the URL subscribers reach cloudlet at. */
export function urls(tx: Tx, nowMs: number): Urls {
  const signing = readSigning(tx) ?? signingPair(tx, nowMs);
  return { base: signing.baseUrl ?? FALLBACK_BASE, signing };
}

export const subscribeUrl = (u: Urls, topicArn: string, token: string): string =>
  `${u.base}/_cloudlet/sns/confirm?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;

export const unsubscribeUrl = (u: Urls, subscriptionArn: string): string =>
  `${u.base}/_cloudlet/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;

export interface Outgoing {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  atMs: number;
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: unknown }>;
  sequenceNumber?: string;
  messageGroupId?: string;
}

function wireAttributes(a: Outgoing['attributes']): Record<string, { Type: string; Value: string }> | undefined {
  if (!a || !Object.keys(a).length) return undefined;
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, {
    Type: v.DataType,
    Value: v.DataType.startsWith('Binary') ? Buffer.from(v.BinaryValue as Uint8Array ?? []).toString('base64') : v.StringValue ?? '',
  }]));
}

/** The Notification JSON an HTTP/S or email-json subscriber gets. */
export function notificationJson(u: Urls, o: Outgoing, subscriptionArn: string, signatureVersion: string): Record<string, unknown> {
  const m: Record<string, unknown> = {
    Type: 'Notification',
    MessageId: o.messageId,
    ...(o.sequenceNumber ? { SequenceNumber: o.sequenceNumber } : {}),
    TopicArn: o.topicArn,
    ...(o.subject !== undefined ? { Subject: o.subject } : {}),
    Message: o.message,
    Timestamp: new Date(o.atMs).toISOString(),
    SignatureVersion: signatureVersion,
  };
  m.Signature = signMessage(m, u.signing.keyPem, signatureVersion);
  m.SigningCertURL = u.base + certPath(u.signing.id);
  m.UnsubscribeURL = unsubscribeUrl(u, subscriptionArn);
  const attrs = wireAttributes(o.attributes);
  if (attrs) m.MessageAttributes = attrs;
  return m;
}

/** The SubscriptionConfirmation JSON. */
export function confirmationJson(
  u: Urls, c: { messageId: string; topicArn: string; token: string; atMs: number; subscriptionArn?: string }, signatureVersion: string,
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' = 'SubscriptionConfirmation',
): Record<string, unknown> {
  const url = subscribeUrl(u, c.topicArn, c.token);
  const m: Record<string, unknown> = {
    Type: type,
    MessageId: c.messageId,
    Token: c.token,
    TopicArn: c.topicArn,
    Message: type === 'SubscriptionConfirmation'
      ? `You have chosen to subscribe to the topic ${c.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${c.subscriptionArn ?? ''}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: url,
    Timestamp: new Date(c.atMs).toISOString(),
    SignatureVersion: signatureVersion,
  };
  m.Signature = signMessage(m, u.signing.keyPem, signatureVersion);
  m.SigningCertURL = u.base + certPath(u.signing.id);
  return m;
}

/** The x-amz-sns-* headers of a POST. */
export function snsHeaders(type: string, messageId: string, topicArn: string, subscriptionArn: string | undefined, contentType: string, raw = false): Record<string, string> {
  return {
    'content-type': contentType,
    'user-agent': 'Amazon Simple Notification Service Agent',
    'x-amz-sns-message-type': type,
    'x-amz-sns-message-id': messageId,
    'x-amz-sns-topic-arn': topicArn,
    ...(subscriptionArn ? { 'x-amz-sns-subscription-arn': subscriptionArn } : {}),
    ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
  };
}

/** An email notification's text: the message and the unsubscribe footer AWS appends. */
export function emailText(u: Urls, message: string, subscriptionArn: string): string {
  return `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribeUrl(u, subscriptionArn)}\n\nPlease do not reply directly to this email. (Delivered to cloudlet's local outbox: no mail leaves the machine.)`;
}

export function emailConfirmationText(u: Urls, topicArn: string, token: string, displayName?: string): string {
  return `You have chosen to subscribe to the topic:\n${topicArn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n${subscribeUrl(u, topicArn, token)}\n\nPlease do not reply directly to this email.${displayName ? `\n\n${displayName}` : ''}`;
}
