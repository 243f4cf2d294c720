/**
 * SNS authorization: PublishBatch is sns:Publish; CreateTopic names the topic in Name; denials
 * are AuthorizationError.
 *
 * Topic policies: every check on a topic ARN carries the topic's policy (the stored one, AWS's
 * default when none was set) as its resource policy, so the IAM engine decides cross-account
 * calls by it (the caller's account must be allowed by the policy, and its identity policies
 * must allow too) and an explicit Deny in it stops even the owner. AWS:SourceOwner and
 * aws:SourceAccount are the caller's account: the default policy's condition
 * (AWS:SourceOwner = owner) lets the owner's account in and no one else.
 * Service principals publishing (CloudWatch alarms, Auto Scaling) go through publish.ts
 * (publishFromService), which asks the same engine with the service principal.
 */
import type { AuthzRequest, Check, ResourcePolicyRef, ServiceAuthz } from '../authz/types.js';
import { parseTopicArn, TOPIC, type TopicRecord } from './records.js';

function topicOf(req: AuthzRequest, arn: string): TopicRecord | undefined {
  const ref = parseTopicArn(arn);
  return ref ? req.tx.get<TopicRecord>(ref.scope, TOPIC, ref.name) : undefined;
}

const authz: ServiceAuthz = {
  actions: { PublishBatch: 'Publish' },
  variables: { TopicName: ['Name'] },
  denial: { code: 'AuthorizationError', status: 403 },
  resourcePolicy(req: AuthzRequest, check: Check): ResourcePolicyRef | undefined {
    if (check.resource === '*') return undefined;
    const t = topicOf(req, check.resource);
    if (!t?.attributes.Policy) return undefined;
    return { id: `topic policy of ${t.arn}`, document: t.attributes.Policy, kind: 'resource' };
  },
  resourceTags(req: AuthzRequest, arn: string): Record<string, string> | undefined {
    const t = topicOf(req, arn);
    if (!t?.tags.length) return undefined;
    return Object.fromEntries(t.tags.map((x) => [x.Key, x.Value]));
  },
  refine(req: AuthzRequest, checks: Check[]): Check[] {
    if (!req.account) return checks;
    const keys = { 'aws:SourceOwner': req.account, 'aws:SourceAccount': req.account };
    return checks.map((c) => ({ ...c, context: { ...c.context, ...keys } }));
  },
};

export default authz;
