/** SNS topics: create (idempotent), delete, attributes, listing, tags, permissions (topic policy statements). */
import type * as T from '@aws-sdk/client-sns';
import { AwsError } from '../../core/errors.js';
import { parsePolicy } from '../../policy/index.js';
import type { RequestContext } from '../types.js';
import {
  defaultPolicy, effectiveDeliveryPolicy, invalid, parseTopicArn, requireTopic, SUB, subscriptionsOf, TOPIC, topicArn, type TopicRecord,
} from './records.js';
import { rememberBaseUrl } from './signing.js';

const NAME = /^[A-Za-z0-9_-]{1,256}$/;
const SETTABLE = new Set([
  'Policy', 'DisplayName', 'DeliveryPolicy', 'KmsMasterKeyId', 'SignatureVersion', 'TracingConfig', 'ContentBasedDeduplication',
  'ArchivePolicy', 'DataProtectionPolicy', 'FifoThroughputScope',
  ...['HTTP', 'Lambda', 'SQS', 'Application', 'Firehose'].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]),
]);

export function baseUrlOf(ctx: RequestContext): string {
  const host = ctx.wire.headers.host ?? ctx.wire.host;
  return `${ctx.wire.secure ? 'https' : 'http'}://${host}`;
}

/** Checks one attribute value; returns it as stored. */
function checkAttribute(name: string, value: string, fifo: boolean): string {
  if (!SETTABLE.has(name)) throw invalid('AttributeName');
  switch (name) {
    case 'Policy':
      try {
        parsePolicy(value, { kind: 'resource' });
      } catch (e) {
        throw invalid(`Policy Error: ${(e as Error).message}`);
      }
      return value;
    case 'DeliveryPolicy': case 'ArchivePolicy': case 'DataProtectionPolicy': {
      let p: unknown;
      try {
        p = JSON.parse(value);
      } catch {
        throw invalid(`${name}: Invalid JSON`);
      }
      if (!p || typeof p !== 'object' || Array.isArray(p)) throw invalid(`${name}: must be a JSON object`);
      return value;
    }
    case 'SignatureVersion':
      if (value !== '1' && value !== '2') throw invalid('SignatureVersion: SignatureVersion must be 1 or 2');
      return value;
    case 'ContentBasedDeduplication':
      if (!fifo) throw invalid('ContentBasedDeduplication: Content based deduplication can only be set for FIFO topics');
      if (value !== 'true' && value !== 'false') throw invalid('ContentBasedDeduplication');
      return value;
    case 'TracingConfig':
      if (value !== 'PassThrough' && value !== 'Active') throw invalid('TracingConfig');
      return value;
    default:
      return value;
  }
}

export function createTopic(input: T.CreateTopicInput, ctx: RequestContext): T.CreateTopicResponse {
  const name = input.Name ?? '';
  const attrs = { ...(input.Attributes ?? {}) } as Record<string, string>;
  const fifoAttr = attrs.FifoTopic;
  delete attrs.FifoTopic;
  const isFifoName = name.endsWith('.fifo');
  const base = isFifoName ? name.slice(0, -5) : name;
  if (!NAME.test(base) || name.length > 256) throw invalid('Topic Name');
  if (fifoAttr !== undefined && fifoAttr !== 'true' && fifoAttr !== 'false') throw invalid('FifoTopic: FifoTopic must be true or false');
  const fifo = fifoAttr === 'true';
  if (fifo !== isFifoName) throw invalid('Topic Name: Fifo Topic names must end with .fifo and they must have the FifoTopic attribute set to true');
  for (const [k, v] of Object.entries(attrs)) attrs[k] = checkAttribute(k, v, fifo);
  const tags = input.Tags ?? [];
  checkTags(tags);
  const arn = topicArn(ctx.scope, name);
  rememberBaseUrl(ctx.tx, ctx.clock.nowMs(), baseUrlOf(ctx));
  const have = ctx.tx.get<TopicRecord>(ctx.scope, TOPIC, name);
  if (have) {
    for (const [k, v] of Object.entries(attrs)) {
      if (have.attributes[k] !== v) throw invalid('Attributes Reason: Topic already exists with different attributes');
    }
    if (fifo !== have.fifo) throw invalid('Attributes Reason: Topic already exists with different attributes');
    for (const t of tags) {
      if (have.tags.find((x) => x.Key === t.Key)?.Value !== t.Value) throw invalid('Tags Reason: Topic already exists with different tags');
    }
    return { TopicArn: arn };
  }
  const rec: TopicRecord = {
    name, arn, owner: ctx.account, createdMs: ctx.clock.nowMs(), fifo, deletedSubscriptions: 0,
    attributes: { Policy: defaultPolicy(arn, ctx.account), ...attrs },
    tags: tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })),
  };
  if (fifo && rec.attributes.ContentBasedDeduplication === undefined) rec.attributes.ContentBasedDeduplication = 'false';
  ctx.tx.put(ctx.scope, TOPIC, name, rec);
  return { TopicArn: arn };
}

export function deleteTopic(input: T.DeleteTopicInput, ctx: RequestContext): Record<string, never> {
  const ref = parseTopicArn(input.TopicArn);
  if (!ref) throw invalid('TopicArn');
  // Deleting a topic that does not exist succeeds, as on AWS.
  if (!ctx.tx.get(ref.scope, TOPIC, ref.name)) return {};
  for (const s of subscriptionsOf(ctx.tx, ref.scope, ref.name)) ctx.tx.delete(ref.scope, SUB, `${ref.name}:${s.id}`);
  ctx.tx.delete(ref.scope, TOPIC, ref.name);
  return {};
}

export function topicAttributes(ctx: RequestContext, t: TopicRecord): Record<string, string> {
  const ref = parseTopicArn(t.arn)!;
  const subs = subscriptionsOf(ctx.tx, ref.scope, t.name);
  const out: Record<string, string> = {
    ...t.attributes,
    TopicArn: t.arn,
    Owner: t.owner,
    SubscriptionsConfirmed: String(subs.filter((s) => s.confirmed).length),
    SubscriptionsPending: String(subs.filter((s) => !s.confirmed).length),
    SubscriptionsDeleted: String(t.deletedSubscriptions),
    EffectiveDeliveryPolicy: effectiveDeliveryPolicy(t),
    DisplayName: t.attributes.DisplayName ?? '',
  };
  if (t.fifo) out.FifoTopic = 'true';
  return out;
}

export function getTopicAttributes(input: T.GetTopicAttributesInput, ctx: RequestContext): T.GetTopicAttributesResponse {
  return { Attributes: topicAttributes(ctx, requireTopic(ctx.tx, input.TopicArn)) };
}

export function setTopicAttributes(input: T.SetTopicAttributesInput, ctx: RequestContext): Record<string, never> {
  const t = requireTopic(ctx.tx, input.TopicArn);
  const name = input.AttributeName ?? '';
  if (name === 'FifoTopic') throw invalid('AttributeName: FifoTopic can be set only when the topic is created');
  const value = input.AttributeValue ?? '';
  if (!SETTABLE.has(name)) throw invalid('AttributeName');
  const next = { ...t, attributes: { ...t.attributes } };
  if (name === 'Policy' && value === '') next.attributes.Policy = defaultPolicy(t.arn, t.owner);
  else if (value === '' && name !== 'DisplayName') delete next.attributes[name];
  else next.attributes[name] = checkAttribute(name, value, t.fifo);
  save(ctx, next);
  return {};
}

function save(ctx: RequestContext, t: TopicRecord): void {
  ctx.tx.put(parseTopicArn(t.arn)!.scope, TOPIC, t.name, t);
}

export function listTopics(input: T.ListTopicsInput, ctx: RequestContext): T.ListTopicsResponse {
  const rows = ctx.tx.list<TopicRecord>(ctx.scope, TOPIC, { after: input.NextToken || undefined, limit: 101 });
  const page = rows.slice(0, 100);
  return {
    Topics: page.map((r) => ({ TopicArn: r.value.arn })),
    ...(rows.length > 100 ? { NextToken: page[page.length - 1]!.id } : {}),
  };
}

function checkTags(tags: T.Tag[]): void {
  if (tags.length > 50) throw new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded', 400);
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128) throw invalid('Tags: tag keys must be 1 to 128 characters');
    if ((t.Value ?? '').length > 256) throw invalid('Tags: tag values must be at most 256 characters');
    if (t.Key.startsWith('aws:')) throw invalid('Tags: the aws: prefix is reserved');
  }
}

function taggable(ctx: RequestContext, arn: unknown): TopicRecord {
  const ref = parseTopicArn(arn);
  const t = ref && ctx.tx.get<TopicRecord>(ref.scope, TOPIC, ref.name);
  if (!t) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
  return t;
}

export function tagResource(input: T.TagResourceRequest, ctx: RequestContext): Record<string, never> {
  const t = taggable(ctx, input.ResourceArn);
  checkTags(input.Tags ?? []);
  const tags = [...t.tags];
  for (const n of input.Tags ?? []) {
    const i = tags.findIndex((x) => x.Key === n.Key);
    if (i >= 0) tags[i] = { Key: n.Key!, Value: n.Value ?? '' };
    else tags.push({ Key: n.Key!, Value: n.Value ?? '' });
  }
  checkTags(tags);
  save(ctx, { ...t, tags });
  return {};
}

export function untagResource(input: T.UntagResourceRequest, ctx: RequestContext): Record<string, never> {
  const t = taggable(ctx, input.ResourceArn);
  const drop = new Set(input.TagKeys ?? []);
  save(ctx, { ...t, tags: t.tags.filter((x) => !drop.has(x.Key)) });
  return {};
}

export function listTagsForResource(input: T.ListTagsForResourceRequest, ctx: RequestContext): T.ListTagsForResourceResponse {
  return { Tags: taggable(ctx, input.ResourceArn).tags };
}

interface PolicyDoc { Version?: string; Id?: string; Statement: Array<Record<string, unknown>> }

export function addPermission(input: T.AddPermissionInput, ctx: RequestContext): Record<string, never> {
  const t = requireTopic(ctx.tx, input.TopicArn);
  const label = input.Label ?? '';
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(label)) throw invalid('Label');
  const accounts = input.AWSAccountId ?? [];
  const actions = input.ActionName ?? [];
  if (!accounts.length) throw invalid('AWSAccountId');
  if (!actions.length) throw invalid('ActionName');
  const doc = JSON.parse(t.attributes.Policy ?? defaultPolicy(t.arn, t.owner)) as PolicyDoc;
  doc.Statement = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement.some((s) => s.Sid === label)) throw invalid('Statement already exists');
  doc.Statement.push({
    Sid: label, Effect: 'Allow',
    Principal: { AWS: accounts.map((a) => (/^\d{12}$/.test(a) ? `arn:aws:iam::${a}:root` : a)) },
    Action: actions.map((a) => `SNS:${a}`),
    Resource: t.arn,
  });
  save(ctx, { ...t, attributes: { ...t.attributes, Policy: JSON.stringify(doc) } });
  return {};
}

export function removePermission(input: T.RemovePermissionInput, ctx: RequestContext): Record<string, never> {
  const t = requireTopic(ctx.tx, input.TopicArn);
  const doc = JSON.parse(t.attributes.Policy ?? defaultPolicy(t.arn, t.owner)) as PolicyDoc;
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const kept = list.filter((s) => s.Sid !== input.Label);
  if (kept.length === list.length) throw invalid(`Label: no statement with label ${String(input.Label)}`);
  save(ctx, { ...t, attributes: { ...t.attributes, Policy: JSON.stringify({ ...doc, Statement: kept }) } });
  return {};
}
