/**
 * Publish, PublishBatch and publishFromService (what CloudWatch alarms, Auto Scaling and budgets
 * notify through): checks the message as SNS does, then fans it out to the topic's confirmed
 * subscriptions whose filter policy matches. HTTP/S POSTs go after the commit; email,
 * email-json and sms go to the outbox; sqs, lambda, firehose and application subscriptions get
 * an outbox row saying they were not delivered (cloudlet has none of those services).
 */
import { createHash, randomUUID } from 'node:crypto';
import type * as T from '@aws-sdk/client-sns';
import { AwsError } from '../../core/errors.js';
import { evaluate, parsePolicy } from '../../policy/index.js';
import type { Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { planHttp, retryPolicyOf, startHttp, toOutbox, type DeliveryEnv, type HttpDelivery } from './delivery.js';
import { matchesFilter, parseFilterPolicy, type FilterScope, type MessageAttribute } from './filter-policy.js';
import { emailText, notificationJson, snsHeaders, urls, type Outgoing } from './messages.js';
import { invalid, parseTopicArn, subscriptionsOf, TOPIC, type TopicRecord } from './records.js';
import { rememberBaseUrl } from './signing.js';
import { deliveryEnv, NOT_DELIVERED } from './subscriptions.js';
import { baseUrlOf } from './topics.js';
import { meterPublish, publishRequests } from './usage-meter.js';

const MAX_BYTES = 262_144;
const DEDUP_WINDOW_MS = 5 * 60_000;

export interface PublishMessage {
  message: string;
  subject?: string;
  structure?: string;
  attributes?: Record<string, MessageAttribute>;
  groupId?: string;
  dedupId?: string;
}

function checkAttributes(attrs: Record<string, MessageAttribute> | undefined): void {
  const n = Object.keys(attrs ?? {}).length;
  if (n > 10) throw invalid(`MessageAttributes: Number of message attributes [${n}] exceeds the allowed maximum [10].`);
  for (const [name, a] of Object.entries(attrs ?? {})) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws|amazon)\./i.test(name)) {
      throw invalid(`MessageAttributes: The message attribute name '${name}' is not valid`);
    }
    const type = a?.DataType ?? '';
    const base = type.split('.')[0];
    if (!['String', 'Number', 'Binary'].includes(base!)) throw invalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    if (base === 'Binary') {
      if (a.BinaryValue === undefined) throw invalid(`The message attribute '${name}' with type 'Binary' must have a binary value.`);
      continue;
    }
    if (a.StringValue === undefined) throw invalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
    if (base === 'Number' && !Number.isFinite(Number(a.StringValue))) throw invalid(`Could not cast message attribute '${name}' value to number.`);
    if (type === 'String.Array') {
      let ok = false;
      try { ok = Array.isArray(JSON.parse(a.StringValue)); } catch { /* below */ }
      if (!ok) throw invalid(`The message attribute '${name}' with type 'String.Array' must be a JSON array.`);
    }
  }
}

/** SNS's checks of one message for one topic; returns the per-protocol messages. */
function checkMessage(m: PublishMessage, topic: TopicRecord | undefined): Record<string, string> {
  if (m.message === undefined || m.message === '') throw invalid('Empty message');
  if (Buffer.byteLength(m.message) > MAX_BYTES) throw invalid('Message too long');
  if (m.subject !== undefined && (m.subject === '' || m.subject.length > 100 || /[\r\n]/.test(m.subject))) throw invalid('Subject');
  checkAttributes(m.attributes);
  let per: Record<string, string> = { default: m.message };
  if (m.structure !== undefined) {
    if (m.structure !== 'json') throw invalid('MessageStructure');
    let doc: unknown;
    try { doc = JSON.parse(m.message); } catch { throw invalid('Message Structure - JSON message body failed to parse'); }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('Message Structure - JSON message body failed to parse');
    if (typeof (doc as Record<string, unknown>).default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
    per = Object.fromEntries(Object.entries(doc as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  }
  if (topic?.fifo) {
    if (!m.groupId) throw invalid('The MessageGroupId parameter is required for FIFO topics');
    if (!m.dedupId && topic.attributes.ContentBasedDeduplication !== 'true') {
      throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else if (topic && m.groupId !== undefined) {
    throw invalid('MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type');
  } else if (topic && m.dedupId !== undefined) {
    throw invalid('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  return per;
}

export interface FanOutEnv {
  tx: Tx;
  nowMs: number;
  afterCommit(fn: () => void): void;
  delivery: DeliveryEnv;
  /** PublishBatch bills its requests once for the whole batch. */
  batched?: boolean;
}

/** The bytes SNS bills a message by: its body and attributes. */
const payloadOf = (m: PublishMessage): number =>
  Buffer.byteLength(m.message) + Object.entries(m.attributes ?? {}).reduce((a, [k, v]) => a + Buffer.byteLength(k) + Buffer.byteLength(JSON.stringify(v)), 0);

/** Sends one checked message to the topic's subscribers. Returns the message id (and FIFO sequence number). */
export function fanOut(env: FanOutEnv, topic: TopicRecord, m: PublishMessage, per: Record<string, string>): { messageId: string; sequenceNumber?: string } {
  const scope = parseTopicArn(topic.arn)!.scope;
  let t = topic;
  let sequenceNumber: string | undefined;
  if (t.fifo) {
    const dedupId = m.dedupId ?? createHash('sha256').update(m.message).digest('hex');
    const dedup = Object.fromEntries(Object.entries(t.dedup ?? {}).filter(([, at]) => env.nowMs - at < DEDUP_WINDOW_MS));
    const seq = (t.seq ?? 0) + 1;
    sequenceNumber = String(seq).padStart(20, '0');
    if (dedup[dedupId] !== undefined) {
      // A duplicate within five minutes: accepted (and billed as a request), not delivered again (as SNS FIFO does).
      env.tx.put(scope, TOPIC, t.name, { ...t, dedup, seq });
      meterPublish(env.tx, scope, t.arn, env.batched ? 0 : publishRequests(payloadOf(m)), { http: 0, email: 0 }, env.nowMs);
      return { messageId: randomUUID(), sequenceNumber };
    }
    dedup[dedupId] = env.nowMs;
    t = { ...t, dedup, seq };
    env.tx.put(scope, TOPIC, t.name, t);
  }
  const messageId = randomUUID();
  const u = urls(env.tx, env.nowMs);
  const out: Outgoing = { messageId, topicArn: t.arn, message: per.default!, subject: m.subject, atMs: env.nowMs, attributes: m.attributes, sequenceNumber, messageGroupId: m.groupId };
  const http: HttpDelivery[] = [];
  let emails = 0;
  const version = t.attributes.SignatureVersion ?? '1';
  for (const s of subscriptionsOf(env.tx, scope, t.name)) {
    if (!s.confirmed) continue;
    if (s.attributes.FilterPolicy) {
      const fscope = (s.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
      if (!matchesFilter(parseFilterPolicy(s.attributes.FilterPolicy, fscope), fscope, { body: per.default!, attributes: m.attributes })) continue;
    }
    const text = per[s.protocol] ?? per.default!;
    const o = { ...out, message: text };
    const raw = s.attributes.RawMessageDelivery?.toLowerCase() === 'true';
    const base = { atMs: env.nowMs, topicArn: t.arn, subscriptionArn: s.arn, protocol: s.protocol, endpoint: s.endpoint, kind: 'Notification' as const, messageId };
    if (s.protocol === 'http' || s.protocol === 'https') {
      const { retry, contentType } = retryPolicyOf(t.attributes.DeliveryPolicy, s.attributes.DeliveryPolicy);
      const body = raw ? text : JSON.stringify(notificationJson(u, o, s.arn, version), null, 2);
      http.push(planHttp(env.tx, {
        url: s.endpoint, headers: snsHeaders('Notification', messageId, t.arn, s.arn, contentType, raw), body, retry, scope,
        atMs: env.nowMs, topicArn: t.arn, subscriptionArn: s.arn, messageId, type: 'Notification', note: env.delivery.untracked,
      }));
    } else if (s.protocol === 'email') {
      emails++;
      toOutbox(env.tx, scope, { ...base, subject: m.subject ?? 'AWS Notification Message', body: emailText(u, text, s.arn), delivered: true });
    } else if (s.protocol === 'email-json') {
      emails++;
      toOutbox(env.tx, scope, { ...base, subject: m.subject ?? 'AWS Notification Message', body: JSON.stringify(notificationJson(u, o, s.arn, version)), delivered: true });
    } else if (s.protocol === 'sms') {
      const name = t.attributes.DisplayName;
      toOutbox(env.tx, scope, { ...base, body: name ? `${name}> ${text}` : text, delivered: true });
    } else if (NOT_DELIVERED.has(s.protocol)) {
      toOutbox(env.tx, scope, {
        ...base, subject: m.subject, body: raw ? text : JSON.stringify(notificationJson(u, o, s.arn, version)), delivered: false,
        note: `not delivered: cloudlet has no ${s.protocol} service; the message is kept here`,
      });
    }
  }
  if (http.length) env.afterCommit(() => startHttp(http, env.delivery));
  meterPublish(env.tx, scope, t.arn, env.batched ? 0 : publishRequests(payloadOf(m)), { http: http.length, email: emails }, env.nowMs);
  return { messageId, ...(sequenceNumber ? { sequenceNumber } : {}) };
}

function requestEnv(ctx: RequestContext): FanOutEnv {
  return { tx: ctx.tx, nowMs: ctx.clock.nowMs(), afterCommit: (fn) => ctx.afterCommit(fn), delivery: deliveryEnv(ctx) };
}

function topicFor(tx: Tx, arn: unknown, member: string): TopicRecord {
  const ref = parseTopicArn(arn);
  if (!ref) throw invalid(member);
  const t = tx.get<TopicRecord>(ref.scope, TOPIC, ref.name);
  if (!t) throw new AwsError('NotFound', 'Topic does not exist', 404);
  return t;
}

export function publish(input: T.PublishInput, ctx: RequestContext): T.PublishResponse {
  const m: PublishMessage = {
    message: input.Message ?? '', subject: input.Subject, structure: input.MessageStructure,
    attributes: input.MessageAttributes as Record<string, MessageAttribute> | undefined, groupId: input.MessageGroupId, dedupId: input.MessageDeduplicationId,
  };
  rememberBaseUrl(ctx.tx, ctx.clock.nowMs(), baseUrlOf(ctx));
  const targets = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((x) => x !== undefined && x !== '');
  if (targets.length === 0) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
  if (targets.length > 1) throw invalid('TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be given');
  if (input.PhoneNumber) {
    const per = checkMessage(m, undefined);
    if (!/^\+[1-9][0-9]{6,14}$/.test(input.PhoneNumber)) throw invalid('PhoneNumber Reason: input incorrectly formatted');
    const messageId = randomUUID();
    toOutbox(ctx.tx, ctx.scope, {
      atMs: ctx.clock.nowMs(), topicArn: '', subscriptionArn: '', protocol: 'sms', endpoint: input.PhoneNumber, kind: 'Notification', messageId, body: per.sms ?? per.default!, delivered: true,
    });
    return { MessageId: messageId };
  }
  const arn = input.TopicArn ?? input.TargetArn;
  if (input.TargetArn && !parseTopicArn(input.TargetArn)) {
    if (/^arn:aws[a-z-]*:sns:[^:]+:\d{12}:endpoint\//.test(input.TargetArn)) throw new AwsError('NotFound', 'Endpoint does not exist', 404);
    throw invalid('TargetArn');
  }
  const topic = topicFor(ctx.tx, arn, input.TopicArn ? 'TopicArn' : 'TargetArn');
  const per = checkMessage(m, topic);
  const r = fanOut(requestEnv(ctx), topic, m, per);
  return { MessageId: r.messageId, ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}) };
}

export function publishBatch(input: T.PublishBatchInput, ctx: RequestContext): T.PublishBatchResponse {
  const topic = topicFor(ctx.tx, input.TopicArn, 'TopicArn');
  const entries = input.PublishBatchRequestEntries ?? [];
  if (!entries.length) throw new AwsError('EmptyBatchRequest', 'The batch request doesn\'t contain any entries', 400);
  if (entries.length > 10) throw new AwsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible', 400);
  const ids = new Set<string>();
  for (const e of entries) {
    if (!e.Id || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) throw new AwsError('InvalidBatchEntryId', 'The Id of a batch entry in a batch request doesn\'t abide by the specification', 400);
    if (ids.has(e.Id)) throw new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id', 400);
    ids.add(e.Id);
  }
  const total = entries.reduce((n, e) => n + Buffer.byteLength(e.Message ?? ''), 0);
  if (total > MAX_BYTES) throw new AwsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit', 400);
  rememberBaseUrl(ctx.tx, ctx.clock.nowMs(), baseUrlOf(ctx));
  const Successful: T.PublishBatchResultEntry[] = [];
  const Failed: T.BatchResultErrorEntry[] = [];
  const env = { ...requestEnv(ctx), batched: true };
  meterPublish(ctx.tx, parseTopicArn(topic.arn)!.scope, topic.arn, publishRequests(total), { http: 0, email: 0 }, env.nowMs);
  for (const e of entries) {
    const m: PublishMessage = {
      message: e.Message ?? '', subject: e.Subject, structure: e.MessageStructure,
      attributes: e.MessageAttributes as Record<string, MessageAttribute> | undefined, groupId: e.MessageGroupId, dedupId: e.MessageDeduplicationId,
    };
    try {
      const per = checkMessage(m, topic);
      const current = ctx.tx.get<TopicRecord>(parseTopicArn(topic.arn)!.scope, TOPIC, topic.name)!;
      const r = fanOut(env, current, m, per);
      Successful.push({ Id: e.Id, MessageId: r.messageId, ...(r.sequenceNumber ? { SequenceNumber: r.sequenceNumber } : {}) });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      Failed.push({ Id: e.Id, Code: err.code, Message: err.message, SenderFault: true });
    }
  }
  return { Successful, Failed };
}

/** The service principal a system context acts as (its service-linked role names it). */
function serviceOf(sys: RequestContext): string {
  const m = /aws-service-role\/([^/]+)\//.exec(sys.principal.roleArn ?? '');
  return m?.[1] ?? `${sys.service}.amazonaws.com`;
}

/** Whether the topic's policy lets `service` publish on behalf of `account` (AWS:SourceOwner / aws:SourceAccount). */
export function serviceMayPublish(topic: TopicRecord, service: string, account: string, nowMs: number, sourceArn?: string): { allowed: boolean; reason: string } {
  const policy = topic.attributes.Policy;
  if (!policy) return { allowed: account === topic.owner, reason: 'no topic policy' };
  const r = evaluate({
    action: 'sns:Publish', resource: topic.arn, resourceAccount: topic.owner,
    principal: { kind: 'service', service, arn: service, account: '' },
    context: { 'aws:SourceOwner': account, 'aws:SourceAccount': account, ...(sourceArn ? { 'aws:SourceArn': sourceArn } : {}) },
  }, { identity: [], resource: parsePolicy(policy, { kind: 'resource' }) }, { now: () => nowMs });
  return { allowed: r.decision === 'Allow', reason: r.reason };
}

/**
 * A service publishing by itself (an alarm's action, an Auto Scaling notification). The topic
 * may be in another account or region; its policy decides whether the service principal may
 * publish for sys's account. Deliveries go out through sys.afterCommit.
 */
export function publishFromService(
  sys: RequestContext, topicArn: string,
  m: { subject?: string; message: string; attributes?: Record<string, { DataType: string; StringValue?: string }> },
): { messageId: string } | { error: string } {
  const ref = parseTopicArn(topicArn);
  if (!ref) return { error: `Invalid parameter: TopicArn (${topicArn})` };
  const topic = sys.tx.get<TopicRecord>(ref.scope, TOPIC, ref.name);
  if (!topic) return { error: `Topic does not exist: ${topicArn}` };
  const service = serviceOf(sys);
  const nowMs = sys.clock.nowMs();
  const may = serviceMayPublish(topic, service, sys.account, nowMs);
  if (!may.allowed) return { error: `${service} is not authorized to perform: SNS:Publish on resource: ${topicArn} (${may.reason})` };
  const msg: PublishMessage = { message: m.message, subject: m.subject, attributes: m.attributes, ...(topic.fifo ? { groupId: 'cloudlet', dedupId: randomUUID() } : {}) };
  try {
    const per = checkMessage(msg, topic);
    // A fleet step's system context (operation 'settle') cannot write after its commit.
    const delivery = sys.operation === 'settle'
      ? { log: sys.log, untracked: 'started by the fleet engine (an alarm action or a scaling notification): the attempts are in the server log (info), not in this row' }
      : deliveryEnv(sys);
    const r = fanOut({ tx: sys.tx, nowMs, afterCommit: (fn) => sys.afterCommit(fn), delivery }, topic, msg, per);
    return { messageId: r.messageId };
  } catch (e) {
    if (e instanceof AwsError) return { error: e.message };
    throw e;
  }
}

