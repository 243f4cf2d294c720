import { defineService, type Handler } from '../types.js';
import { publish, publishBatch } from './publish.js';
import * as subs from './subscriptions.js';
import * as topics from './topics.js';

/**
 * SNS: topics, subscriptions with confirmation, Publish/PublishBatch with filter policies and
 * signed HTTP/S deliveries to loopback endpoints, email/email-json/sms to the local outbox
 * (admin.ts: /_cloudlet/sns/...). Platform applications, SMS sandbox and data protection
 * policies are not implemented (501).
 */
const handlers: Record<string, Handler> = {
  CreateTopic: topics.createTopic,
  DeleteTopic: topics.deleteTopic,
  GetTopicAttributes: topics.getTopicAttributes,
  SetTopicAttributes: topics.setTopicAttributes,
  ListTopics: topics.listTopics,
  TagResource: topics.tagResource,
  UntagResource: topics.untagResource,
  ListTagsForResource: topics.listTagsForResource,
  AddPermission: topics.addPermission,
  RemovePermission: topics.removePermission,
  Subscribe: subs.subscribe,
  ConfirmSubscription: subs.confirmSubscription,
  Unsubscribe: subs.unsubscribe,
  ListSubscriptions: subs.listSubscriptions,
  ListSubscriptionsByTopic: subs.listSubscriptionsByTopic,
  GetSubscriptionAttributes: subs.getSubscriptionAttributes,
  SetSubscriptionAttributes: subs.setSubscriptionAttributes,
  Publish: publish,
  PublishBatch: publishBatch,
};

export default defineService({ name: 'sns', modelId: 'sns-2010-03-31', handlers });
