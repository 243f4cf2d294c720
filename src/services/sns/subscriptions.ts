/** SNS subscriptions: Subscribe (loopback HTTP/S, email, email-json, sms; sqs/lambda/firehose/application stored, not delivered), confirmation, attributes, listing. */
import { randomBytes, randomUUID } from 'node:crypto';
import type * as T from '@aws-sdk/client-sns';
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { planHttp, retryPolicyOf, startHttp, toOutbox, type DeliveryEnv, type HttpDelivery } from './delivery.js';
import { parseFilterPolicy, type FilterScope } from './filter-policy.js';
import { confirmationJson, emailConfirmationText, snsHeaders, urls } from './messages.js';
import {
  DEFAULT_HTTP_POLICY, invalid, parseSubscriptionArn, requireTopic, SUB, subKey, subscriptionsOf, TOPIC, type SubscriptionRecord, type TopicRecord,
} from './records.js';
import { rememberBaseUrl } from './signing.js';
import { baseUrlOf } from './topics.js';

export const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'lambda', 'firehose', 'application'] as const;
/** Stored and listed, never delivered: cloudlet has no SQS, Lambda, Firehose or mobile push. */
export const NOT_DELIVERED = new Set(['sqs', 'lambda', 'firehose', 'application']);
const NEEDS_CONFIRMATION = new Set(['http', 'https', 'email', 'email-json']);
const SETTABLE = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);

const LOOPBACK = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
};

export function deliveryEnv(ctx: RequestContext): DeliveryEnv {
  return { log: ctx.log, transact: (fn) => ctx.transact(fn) };
}

function checkEndpoint(protocol: string, endpoint: string): void {
  switch (protocol) {
    case 'http': case 'https': {
      let u: URL;
      try {
        u = new URL(endpoint);
      } catch {
        throw invalid('Endpoint: Invalid URL');
      }
      if (u.protocol !== `${protocol}:`) throw invalid(`Endpoint: ${protocol.toUpperCase()} endpoint should start with ${protocol}://`);
      if (!LOOPBACK(u.hostname)) {
        throw invalid(`Endpoint: cloudlet delivers HTTP/S notifications only to loopback endpoints (127.0.0.1, ::1, localhost); ${u.hostname} is not one: cloudlet sends no traffic off the machine`);
      }
      return;
    }
    case 'email': case 'email-json':
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalid('Email address');
      return;
    case 'sms':
      if (!/^\+?[0-9]{7,15}$/.test(endpoint.replace(/[-\s()]/g, ''))) throw invalid('SMS endpoint, must be a valid phone number');
      return;
    case 'sqs': if (!/^arn:aws[a-z-]*:sqs:/.test(endpoint)) throw invalid('SQS endpoint ARN'); return;
    case 'lambda': if (!/^arn:aws[a-z-]*:lambda:/.test(endpoint)) throw invalid('Lambda endpoint ARN'); return;
    case 'firehose': if (!/^arn:aws[a-z-]*:firehose:/.test(endpoint)) throw invalid('Firehose endpoint ARN'); return;
    case 'application': if (!/^arn:aws[a-z-]*:sns:[^:]+:\d{12}:endpoint\//.test(endpoint)) throw invalid('Application endpoint ARN'); return;
    default:
      throw invalid(`Invalid protocol type: ${protocol}`);
  }
}

function checkSubAttribute(name: string, value: string, all: Record<string, string>): void {
  if (!SETTABLE.has(name)) throw invalid('AttributeName');
  if (name === 'RawMessageDelivery' && !['true', 'false'].includes(value.toLowerCase())) throw invalid('RawMessageDelivery: Invalid value [' + value + '] for RawMessageDelivery');
  if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') throw invalid('FilterPolicyScope: Invalid value [' + value + ']. Please use either MessageBody or MessageAttributes');
  if (name === 'FilterPolicy' && value !== '') parseFilterPolicy(value, (all.FilterPolicyScope ?? 'MessageAttributes') as FilterScope);
  if ((name === 'DeliveryPolicy' || name === 'RedrivePolicy' || name === 'ReplayPolicy') && value !== '') {
    try { JSON.parse(value); } catch { throw invalid(`${name}: failed to parse JSON`); }
  }
}

export function subscribe(input: T.SubscribeInput, ctx: RequestContext): T.SubscribeResponse {
  const topic = requireTopic(ctx.tx, input.TopicArn);
  const protocol = (input.Protocol ?? '').toLowerCase();
  if (!protocol) throw invalid('Protocol');
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw invalid(`Invalid protocol type: ${protocol}`);
  const endpoint = input.Endpoint ?? '';
  if (!endpoint) throw invalid('Endpoint');
  checkEndpoint(protocol, endpoint);
  if (topic.fifo && protocol !== 'sqs') throw invalid(`Invalid protocol type: ${protocol} (a FIFO topic delivers only to SQS queues)`);
  const attributes = { ...(input.Attributes ?? {}) } as Record<string, string>;
  for (const [k, v] of Object.entries(attributes)) checkSubAttribute(k, v, attributes);
  if (protocol === 'firehose' && !attributes.SubscriptionRoleArn) throw invalid('Attributes Reason: SubscriptionRoleArn is required for firehose subscriptions');
  const scope = parseSubscriptionScope(topic);
  rememberBaseUrl(ctx.tx, ctx.clock.nowMs(), baseUrlOf(ctx));
  const same = subscriptionsOf(ctx.tx, scope, topic.name).find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (same) {
    for (const [k, v] of Object.entries(attributes)) if (same.attributes[k] !== v) throw invalid('Attributes Reason: Subscription already exists with different attributes');
    return { SubscriptionArn: same.confirmed || input.ReturnSubscriptionArn ? same.arn : 'pending confirmation' };
  }
  const id = randomUUID();
  const sub: SubscriptionRecord = {
    id, arn: `${topic.arn}:${id}`, topicArn: topic.arn, protocol, endpoint, owner: ctx.account,
    confirmed: !NEEDS_CONFIRMATION.has(protocol), token: randomBytes(64).toString('hex'), createdMs: ctx.clock.nowMs(), attributes,
  };
  ctx.tx.put(scope, SUB, subKey(topic.name, id), sub);
  if (!sub.confirmed) sendConfirmation(ctx.tx, ctx.clock.nowMs(), topic, sub, ctx.afterCommit, deliveryEnv(ctx));
  return { SubscriptionArn: sub.confirmed || input.ReturnSubscriptionArn ? sub.arn : 'pending confirmation' };
}

const parseSubscriptionScope = (t: TopicRecord): Scope => {
  const m = /^arn:[^:]+:sns:([^:]+):(\d{12}):/.exec(t.arn)!;
  return { account: m[2]!, region: m[1]! };
};

/** The SubscriptionConfirmation: POSTed to HTTP/S endpoints after the commit; for email kinds, an outbox row with the link. */
export function sendConfirmation(
  tx: Tx, nowMs: number, topic: TopicRecord, sub: SubscriptionRecord, afterCommit: (fn: () => void) => void, env: DeliveryEnv,
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' = 'SubscriptionConfirmation',
): void {
  const u = urls(tx, nowMs);
  const scope = parseSubscriptionScope(topic);
  const messageId = randomUUID();
  const json = confirmationJson(u, { messageId, topicArn: topic.arn, token: sub.token, atMs: nowMs, subscriptionArn: sub.arn }, topic.attributes.SignatureVersion ?? '1', type);
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    const { retry, contentType } = retryPolicyOf(topic.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
    const d: HttpDelivery = planHttp(tx, {
      url: sub.endpoint, headers: snsHeaders(type, messageId, topic.arn, type === 'UnsubscribeConfirmation' ? sub.arn : undefined, contentType), body: JSON.stringify(json, null, 2),
      retry, scope, atMs: nowMs, topicArn: topic.arn, subscriptionArn: sub.arn, messageId, type,
    });
    afterCommit(() => startHttp([d], env));
    return;
  }
  if (type === 'UnsubscribeConfirmation') return;
  toOutbox(tx, scope, {
    atMs: nowMs, topicArn: topic.arn, subscriptionArn: sub.arn, protocol: sub.protocol, endpoint: sub.endpoint, kind: 'SubscriptionConfirmation', messageId,
    subject: 'AWS Notification - Subscription Confirmation',
    body: sub.protocol === 'email-json' ? JSON.stringify(json) : emailConfirmationText(u, topic.arn, sub.token, topic.attributes.DisplayName),
    delivered: true,
  });
}

/** Confirms by token (the API call and the SubscribeURL both land here). */
/** Confirmation tokens are valid for three days (by the cloudlet clock), as SNS documents. */
export const TOKEN_LIFETIME_MS = 3 * 86_400_000;

export function confirmByToken(tx: Tx, topicArn: unknown, token: unknown, nowMs: number): SubscriptionRecord {
  const topic = requireTopic(tx, topicArn);
  if (typeof token !== 'string' || !token) throw invalid('Token');
  const scope = parseSubscriptionScope(topic);
  const sub = subscriptionsOf(tx, scope, topic.name).find((s) => s.token === token);
  if (!sub) throw invalid('Token');
  if (!sub.confirmed && nowMs - sub.createdMs > TOKEN_LIFETIME_MS) throw invalid('Token Reason: the confirmation token has expired (tokens are valid for three days)');
  if (!sub.confirmed) tx.put(scope, SUB, subKey(topic.name, sub.id), { ...sub, confirmed: true });
  return { ...sub, confirmed: true };
}

export function confirmSubscription(input: T.ConfirmSubscriptionInput, ctx: RequestContext): T.ConfirmSubscriptionResponse {
  const sub = confirmByToken(ctx.tx, input.TopicArn, input.Token, ctx.clock.nowMs());
  if (input.AuthenticateOnUnsubscribe === 'true') {
    const scope = parseSubscriptionArn(sub.arn)!.scope;
    const t = ctx.tx.get<TopicRecord>(scope, TOPIC, parseSubscriptionArn(sub.arn)!.topic)!;
    ctx.tx.put(scope, SUB, subKey(t.name, sub.id), { ...sub, attributes: { ...sub.attributes, ConfirmationWasAuthenticated: 'true' } });
  }
  return { SubscriptionArn: sub.arn };
}

function requireSub(tx: Tx, arn: unknown): { scope: Scope; key: string; sub: SubscriptionRecord } {
  const ref = parseSubscriptionArn(arn);
  if (!ref) throw invalid('SubscriptionArn');
  const key = subKey(ref.topic, ref.id);
  const sub = tx.get<SubscriptionRecord>(ref.scope, SUB, key);
  if (!sub) throw new AwsError('NotFound', 'Subscription does not exist', 404);
  return { scope: ref.scope, key, sub };
}

/** Removes a subscription (the API and the UnsubscribeURL). */
export function removeSubscription(tx: Tx, arn: unknown): SubscriptionRecord {
  const { scope, key, sub } = requireSub(tx, arn);
  tx.delete(scope, SUB, key);
  const ref = parseSubscriptionArn(arn)!;
  const t = tx.get<TopicRecord>(scope, TOPIC, ref.topic);
  if (t) tx.put(scope, TOPIC, t.name, { ...t, deletedSubscriptions: t.deletedSubscriptions + 1 });
  return sub;
}

/** The UnsubscribeURL: unsigned, so refused for subscriptions confirmed with AuthenticateOnUnsubscribe. */
export function unsubscribeByUrl(tx: Tx, arn: unknown): SubscriptionRecord {
  const { sub } = requireSub(tx, arn);
  if (sub.attributes.ConfirmationWasAuthenticated === 'true') {
    throw new AwsError('AuthorizationError', 'This subscription was confirmed with AuthenticateOnUnsubscribe: unsubscribing needs a signed Unsubscribe request', 403);
  }
  return removeSubscription(tx, arn);
}

export function unsubscribe(input: T.UnsubscribeInput, ctx: RequestContext): Record<string, never> {
  const sub = removeSubscription(ctx.tx, input.SubscriptionArn);
  // HTTP/S endpoints of confirmed subscriptions get an UnsubscribeConfirmation, as from SNS.
  const ref = parseSubscriptionArn(sub.arn)!;
  const topic = ctx.tx.get<TopicRecord>(ref.scope, TOPIC, ref.topic);
  if (topic && sub.confirmed && (sub.protocol === 'http' || sub.protocol === 'https')) {
    sendConfirmation(ctx.tx, ctx.clock.nowMs(), topic, sub, ctx.afterCommit, deliveryEnv(ctx), 'UnsubscribeConfirmation');
  }
  return {};
}

const listed = (s: SubscriptionRecord): T.Subscription => ({
  SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation', Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn,
});

export function listSubscriptions(input: T.ListSubscriptionsInput, ctx: RequestContext): T.ListSubscriptionsResponse {
  const rows = ctx.tx.list<SubscriptionRecord>(ctx.scope, SUB, { after: input.NextToken || undefined, limit: 101 });
  const page = rows.slice(0, 100);
  return { Subscriptions: page.map((r) => listed(r.value)), ...(rows.length > 100 ? { NextToken: page[page.length - 1]!.id } : {}) };
}

export function listSubscriptionsByTopic(input: T.ListSubscriptionsByTopicInput, ctx: RequestContext): T.ListSubscriptionsByTopicResponse {
  const topic = requireTopic(ctx.tx, input.TopicArn);
  const scope = parseSubscriptionScope(topic);
  const rows = ctx.tx.list<SubscriptionRecord>(scope, SUB, { prefix: `${topic.name}:`, after: input.NextToken || undefined, limit: 101 });
  const page = rows.slice(0, 100);
  return { Subscriptions: page.map((r) => listed(r.value)), ...(rows.length > 100 ? { NextToken: page[page.length - 1]!.id } : {}) };
}

export function getSubscriptionAttributes(input: T.GetSubscriptionAttributesInput, ctx: RequestContext): T.GetSubscriptionAttributesResponse {
  const { scope, sub } = requireSub(ctx.tx, input.SubscriptionArn);
  const topic = ctx.tx.get<TopicRecord>(scope, TOPIC, parseSubscriptionArn(sub.arn)!.topic);
  const a: Record<string, string> = {
    ConfirmationWasAuthenticated: 'false',
    ...sub.attributes,
    SubscriptionArn: sub.arn, TopicArn: sub.topicArn, Owner: sub.owner, Protocol: sub.protocol, Endpoint: sub.endpoint,
    PendingConfirmation: String(!sub.confirmed),
    RawMessageDelivery: sub.attributes.RawMessageDelivery ?? 'false',
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
  };
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    const { retry } = retryPolicyOf(topic?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
    a.EffectiveDeliveryPolicy = JSON.stringify({ healthyRetryPolicy: retry, throttlePolicy: {}, requestPolicy: DEFAULT_HTTP_POLICY.defaultRequestPolicy, guaranteed: false });
  }
  if (a.FilterPolicy && !a.FilterPolicyScope) a.FilterPolicyScope = 'MessageAttributes';
  return { Attributes: a };
}

export function setSubscriptionAttributes(input: T.SetSubscriptionAttributesInput, ctx: RequestContext): Record<string, never> {
  const { scope, key, sub } = requireSub(ctx.tx, input.SubscriptionArn);
  const name = input.AttributeName ?? '';
  const value = input.AttributeValue ?? '';
  const next = { ...sub.attributes, [name]: value };
  checkSubAttribute(name, value, next);
  if (name === 'FilterPolicyScope' && next.FilterPolicy) parseFilterPolicy(next.FilterPolicy, value as FilterScope);
  if (name === 'RawMessageDelivery' && (sub.protocol === 'email' || sub.protocol === 'sms')) throw invalid('AttributeName: RawMessageDelivery applies to http, https, sqs and firehose subscriptions');
  if (value === '' && name !== 'RawMessageDelivery') delete next[name];
  ctx.tx.put(scope, SUB, key, { ...sub, attributes: next });
  return {};
}
