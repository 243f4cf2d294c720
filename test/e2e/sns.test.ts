// SNS end to end: topics and subscriptions over SDK v3 and the AWS CLI, an HTTP subscriber on
// loopback that confirms through SubscribeURL and verifies each message's signature with the
// certificate it downloads from SigningCertURL, filter policies, raw delivery, email to the
// local outbox (admin endpoint and `cloudlet outbox`), cross-account publish decided by the
// topic policy, and HTTP retries to a subscriber that fails twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { verify, X509Certificate } from 'node:crypto';
import {
  AddPermissionCommand, ConfirmSubscriptionCommand, CreateTopicCommand, DeleteTopicCommand, ListSubscriptionsCommand, ListTopicsCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand, PublishBatchCommand, PublishCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand, SNSClient,
  SubscribeCommand, TagResourceCommand, UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { makeSigningPair } from '../../src/services/sns/signing.js';

interface Received { path: string; headers: IncomingHttpHeaders; body: string }

let cl: Cloudlet;
let sns: SNSClient;
let hook: Server;
let hookUrl: string;
const received: Received[] = [];
/** Per path: how many more requests answer 500 before 200s. */
const failures = new Map<string, number>();
const clis = awsClis();
const v2 = clis.find((c) => c.name === 'aws-cli v2')!;

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const messagesAt = (path: string, type?: string) => received.filter((r) => r.path === path && (!type || r.headers['x-amz-sns-message-type'] === type));

/** The subscriber's check, written from SNS's documentation (not cloudlet's code). */
async function verifiedBySubscriber(m: Record<string, string>): Promise<boolean> {
  const keys = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
  const pem = await (await fetch(m.SigningCertURL!)).text();
  const cert = new X509Certificate(pem);
  return verify(m.SignatureVersion === '2' ? 'sha256' : 'sha1', Buffer.from(text), cert.publicKey, Buffer.from(m.Signature!, 'base64'));
}

async function confirmHttp(path: string): Promise<void> {
  const conf = await waitFor(`confirmation at ${path}`, () => messagesAt(path, 'SubscriptionConfirmation')[0]);
  const m = JSON.parse(conf.body) as Record<string, string>;
  assert.equal(await verifiedBySubscriber(m), true);
  const res = await fetch(m.SubscribeURL!);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<ConfirmSubscriptionResponse[^]*<SubscriptionArn>arn:aws:sns:/);
}

before(async () => {
  cl = await startTestServer();
  sns = new SNSClient(clientConfig(cl.url));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const left = failures.get(req.url ?? '') ?? 0;
      const isNote = req.headers['x-amz-sns-message-type'] === 'Notification';
      if (isNote && left > 0) {
        failures.set(req.url ?? '', left - 1);
        res.writeHead(500).end('try later');
      } else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
});

after(async () => {
  sns?.destroy();
  await new Promise((r) => hook?.close(r));
  await cl?.close();
});

describe('SNS', () => {
  let topicArn: string;

  test('topics: create (idempotent, attributes, tags), attributes with counts and the default policy; bad input', async () => {
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { DisplayName: 'Alerts', SignatureVersion: '2' }, Tags: [{ Key: 'team', Value: 'ops' }] }))).TopicArn!;
    assert.match(topicArn, /^arn:aws:sns:us-east-1:\d{12}:alerts$/);
    assert.equal((await sns.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { DisplayName: 'Alerts' } }))).TopicArn, topicArn);
    await rejects(sns.send(new CreateTopicCommand({ Name: 'alerts', Attributes: { DisplayName: 'Other' } })), 'InvalidParameterException', 400,
      'Invalid parameter: Attributes Reason: Topic already exists with different attributes');
    await rejects(sns.send(new CreateTopicCommand({ Name: 'bad name' })), 'InvalidParameterException', 400, 'Invalid parameter: Topic Name');
    await rejects(sns.send(new CreateTopicCommand({ Name: 'orders.fifo' })), 'InvalidParameterException', 400);
    const fifo = await sns.send(new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
    const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!;
    assert.equal(a.DisplayName, 'Alerts');
    assert.equal(a.SubscriptionsConfirmed, '0');
    assert.equal(a.SubscriptionsPending, '0');
    assert.equal(JSON.parse(a.Policy!).Statement[0].Condition.StringEquals['AWS:SourceOwner'], topicArn.split(':')[4]);
    assert.equal(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 3);
    assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }))).Attributes!.FifoTopic, 'true');
    await rejects(sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: '{"Statement":[{"Effect":"Maybe"}]}' })), 'InvalidParameterException', 400, /^Invalid parameter: Policy Error: /);
    await rejects(sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Colour', AttributeValue: 'red' })), 'InvalidParameterException', 400, 'Invalid parameter: AttributeName');
    await sns.send(new TagResourceCommand({ ResourceArn: topicArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }))).Tags, [{ Key: 'team', Value: 'ops' }, { Key: 'env', Value: 'dev' }]);
    await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn.replace('alerts', 'nope') })), 'NotFoundException', 404, 'Topic does not exist');
    // FIFO topics need a group id; a repeated deduplication id is accepted once.
    await rejects(sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: 'x' })), 'InvalidParameterException', 400,
      'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    await rejects(sns.send(new SubscribeCommand({ TopicArn: fifo.TopicArn, Protocol: 'email', Endpoint: 'a@example.com' })), 'InvalidParameterException', 400,
      'Invalid parameter: Invalid protocol type: email (a FIFO topic delivers only to SQS queues)');
    const p1 = await sns.send(new PublishCommand({ TopicArn: fifo.TopicArn, Message: 'x', MessageGroupId: 'g' }));
    assert.match(p1.SequenceNumber!, /^\d{20}$/);
  });

  test('an HTTP subscriber on loopback confirms through SubscribeURL, receives a Publish and verifies its signature (SignatureVersion 2)', async () => {
    await rejects(sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: 'http://example.com/hook' })), 'InvalidParameterException', 400,
      /cloudlet delivers HTTP\/S notifications only to loopback endpoints.*example\.com.*sends no traffic off the machine/);
    const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `${hookUrl}/ok` }));
    assert.equal(sub.SubscriptionArn, 'pending confirmation');
    assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!.SubscriptionsPending, '1');
    await confirmHttp('/ok');
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions!;
    const arn = listed.find((s) => s.Endpoint === `${hookUrl}/ok`)!.SubscriptionArn!;
    assert.match(arn, /^arn:aws:sns:us-east-1:\d{12}:alerts:[0-9a-f-]{36}$/);
    assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!.PendingConfirmation, 'false');

    const pub = await sns.send(new PublishCommand({
      TopicArn: topicArn, Subject: 'CPU high', Message: 'CPU is at 91%',
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' }, level: { DataType: 'Number', StringValue: '3' } },
    }));
    const got = await waitFor('the notification', () => messagesAt('/ok', 'Notification')[0]);
    assert.equal(got.headers['x-amz-sns-message-id'], pub.MessageId);
    assert.equal(got.headers['x-amz-sns-topic-arn'], topicArn);
    assert.equal(got.headers['x-amz-sns-subscription-arn'], arn);
    assert.match(String(got.headers['content-type']), /^text\/plain; charset=UTF-8$/);
    const m = JSON.parse(got.body) as Record<string, any>;
    assert.deepEqual([m.Type, m.MessageId, m.TopicArn, m.Subject, m.Message, m.SignatureVersion], ['Notification', pub.MessageId, topicArn, 'CPU high', 'CPU is at 91%', '2']);
    assert.match(m.SigningCertURL, /\/_cloudlet\/sns\/SimpleNotificationService-[0-9a-f]+\.pem$/);
    assert.deepEqual(m.MessageAttributes.severity, { Type: 'String', Value: 'high' });
    assert.equal(await verifiedBySubscriber(m), true);
    assert.equal(await verifiedBySubscriber({ ...m, Message: 'CPU is at 19%' }), false);
    // MessageStructure json: the http entry goes to HTTP subscribers.
    await sns.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'plain', http: 'for http' }) }));
    const second = await waitFor('the json-structured notification', () => messagesAt('/ok', 'Notification')[1]);
    assert.equal(JSON.parse(second.body).Message, 'for http');
    await rejects(sns.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: 'json', Message: '{"http":"x"}' })), 'InvalidParameterException', 400,
      'Invalid parameter: Message Structure - No default entry in JSON message body');
  });

  test('a filter policy drops a non-matching message; raw delivery sends the bare message', async () => {
    const arn = (await sns.send(new SubscribeCommand({
      TopicArn: topicArn, Protocol: 'http', Endpoint: `${hookUrl}/filtered`, ReturnSubscriptionArn: true,
      Attributes: { FilterPolicy: JSON.stringify({ severity: ['high', { prefix: 'crit' }], level: [{ numeric: ['>=', 2] }] }), RawMessageDelivery: 'true' },
    }))).SubscriptionArn!;
    await confirmHttp('/filtered');
    await rejects(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":"b"}' })), 'InvalidParameterException', 400);
    const batch = await sns.send(new PublishBatchCommand({
      TopicArn: topicArn,
      PublishBatchRequestEntries: [
        { Id: 'low', Message: 'dropped', MessageAttributes: { severity: { DataType: 'String', StringValue: 'low' }, level: { DataType: 'Number', StringValue: '5' } } },
        { Id: 'crit', Message: 'kept', MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' }, level: { DataType: 'Number', StringValue: '2' } } },
        { Id: 'bad', Message: '' },
      ],
    }));
    assert.deepEqual(batch.Successful!.map((s) => s.Id), ['low', 'crit']);
    assert.deepEqual(batch.Failed!.map((f) => [f.Id, f.Code]), [['bad', 'InvalidParameter']]);
    const got = await waitFor('the filtered notification', () => messagesAt('/filtered', 'Notification')[0]);
    assert.equal(got.body, 'kept');
    assert.equal(got.headers['x-amz-sns-rawdelivery'], 'true');
    await waitFor('both messages at /ok', () => (messagesAt('/ok', 'Notification').length >= 4 ? true : undefined));
    assert.equal(messagesAt('/filtered', 'Notification').length, 1);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    const bye = await waitFor('the UnsubscribeConfirmation', () => messagesAt('/filtered', 'UnsubscribeConfirmation')[0]);
    assert.equal(bye.headers['x-amz-sns-subscription-arn'], arn);
    assert.equal(await verifiedBySubscriber(JSON.parse(bye.body) as Record<string, string>), true);
    assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes!.SubscriptionsDeleted, '1');
  });

  test('email: the confirmation and the notifications are in the outbox (admin endpoint and `cloudlet outbox`)', async () => {
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    const box = async (q = '') => ((await (await fetch(`${cl.url}/_cloudlet/sns/outbox${q}`)).json()) as { messages: Array<Record<string, any>> }).messages;
    const [conf] = await box('?protocol=email');
    assert.equal(conf!.kind, 'SubscriptionConfirmation');
    assert.equal(conf!.subject, 'AWS Notification - Subscription Confirmation');
    const link = /(http:\/\/\S+ConfirmSubscription\S+)/.exec(conf!.body)![1]!;
    assert.equal((await fetch(link)).status, 200);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'Disk full', Message: 'the disk is full' }));
    const notes = (await box('?protocol=email&endpoint=ops@example.com')).filter((m) => m.kind === 'Notification');
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.subject, 'Disk full');
    assert.match(notes[0]!.body, /^the disk is full\n\n--\nIf you wish to stop receiving notifications/);
    const cli = await runCli(['outbox', '--endpoint', cl.url, '--protocol', 'email']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /email to ops@example\.com {2}SubscriptionConfirmation/);
    assert.match(cli.stdout, /subject: Disk full\n {2}\| the disk is full/);
    const json = JSON.parse((await runCli(['outbox', '--endpoint', cl.url, '--json', '--topic', 'alerts'])).stdout) as unknown[];
    assert.equal(json.length, 2);
    const cleared = await runCli(['outbox', '--endpoint', cl.url, '--clear']);
    assert.match(cleared.stdout, /removed 2 message\(s\)/);
    assert.deepEqual(await box(), []);
  });

  test('email-json confirmed with ConfirmSubscription; sqs stored but not delivered (said in the outbox); a text to a phone number', async () => {
    const t = (await sns.send(new CreateTopicCommand({ Name: 'others' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'email-json', Endpoint: 'robot@example.com' }));
    const box = async (q: string) => ((await (await fetch(`${cl.url}/_cloudlet/sns/outbox${q}`)).json()) as { messages: Array<Record<string, any>> }).messages;
    const conf = JSON.parse((await box('?protocol=email-json'))[0]!.body) as Record<string, string>;
    assert.equal(conf.Type, 'SubscriptionConfirmation');
    await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: t, Token: 'f'.repeat(128) })), 'InvalidParameterException', 400, 'Invalid parameter: Token');
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: t, Token: conf.Token }));
    assert.match(confirmed.SubscriptionArn!, /:others:[0-9a-f-]{36}$/);
    // A token is good for three days by the cloudlet clock.
    await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'email', Endpoint: 'late@example.com' }));
    const late = /Token=([0-9a-f]+)/.exec((await box('?endpoint=late@example.com'))[0]!.body)![1]!;
    await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '73h' }) });
    await rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: t, Token: late })), 'InvalidParameterException', 400, /^Invalid parameter: Token Reason: the confirmation token has expired/);
    const sqs = await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:111111111111:q' }));
    assert.match(sqs.SubscriptionArn!, /:others:/, 'an SQS subscription needs no confirmation');
    await sns.send(new PublishCommand({ TopicArn: t, Message: 'to all' }));
    const json = (await box('?topic=others&protocol=email-json')).find((m) => m.kind === 'Notification')!;
    assert.equal(JSON.parse(json.body).Message, 'to all');
    const [q] = await box('?topic=others&protocol=sqs');
    assert.equal(q!.delivered, false);
    assert.match(q!.note, /not delivered: cloudlet has no sqs service/);
    const cli = await runCli(['outbox', '--endpoint', cl.url, '--protocol', 'sqs']);
    assert.match(cli.stdout, /sqs to arn:aws:sqs:us-east-1:111111111111:q {2}Notification {2}\(NOT DELIVERED\)/);
    const sms = await sns.send(new PublishCommand({ PhoneNumber: '+15555550123', Message: 'your code is 1234' }));
    const [text] = await box('?protocol=sms&endpoint=%2B15555550123');
    assert.deepEqual([text!.messageId, text!.body], [sms.MessageId, 'your code is 1234']);
    await rejects(sns.send(new PublishCommand({ PhoneNumber: '5555', Message: 'x' })), 'InvalidParameterException', 400);
    await fetch(`${cl.url}/_cloudlet/sns/outbox`, { method: 'DELETE' });
  });

  test('cross-account publish is denied until the topic policy allows the account (AddPermission)', async () => {
    const B = '222222222222';
    const asB = new SNSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    await rejects(asB.send(new PublishCommand({ TopicArn: topicArn, Message: 'from B' })), 'AuthorizationErrorException', 403,
      `User: arn:aws:iam::${B}:root is not authorized to perform: sns:Publish on resource: ${topicArn} because no resource-based policy allows the sns:Publish action`);
    await sns.send(new AddPermissionCommand({ TopicArn: topicArn, Label: 'b-publishes', AWSAccountId: [B], ActionName: ['Publish'] }));
    const ok = await asB.send(new PublishCommand({ TopicArn: topicArn, Message: 'from B' }));
    assert.ok(ok.MessageId);
    await rejects(asB.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'DisplayName', AttributeValue: 'x' })), 'AuthorizationErrorException', 403);
    asB.destroy();
  });

  test('retries: a subscriber that answers 500 twice gets the message on the third attempt (delivery log)', async () => {
    const t = (await sns.send(new CreateTopicCommand({
      Name: 'retries',
      Attributes: { DeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 3, numNoDelayRetries: 1, minDelayTarget: 1, maxDelayTarget: 1 } } }) },
    }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'http', Endpoint: `${hookUrl}/flaky` }));
    await confirmHttp('/flaky');
    failures.set('/flaky', 2);
    const pub = await sns.send(new PublishCommand({ TopicArn: t, Message: 'eventually' }));
    await waitFor('three attempts', () => (messagesAt('/flaky', 'Notification').length >= 3 ? true : undefined));
    const log = await waitFor('the delivery log', async () => {
      const d = ((await (await fetch(`${cl.url}/_cloudlet/sns/deliveries?topic=retries`)).json()) as { deliveries: Array<Record<string, any>> }).deliveries;
      const mine = d.find((x) => x.messageId === pub.MessageId);
      return mine?.outcome === 'delivered' ? mine : undefined;
    });
    assert.deepEqual(log.attempts.map((a: { status: number }) => a.status), [500, 500, 200]);
  });

  test('AWS CLI v2: create-topic, list-topics, subscribe with a bad protocol, publish', { skip: v2.skip }, async () => {
    const made = await awsJson<{ TopicArn: string }>(v2.bin, cl.url, ['sns', 'create-topic', '--name', 'cli-topic', '--attributes', 'DisplayName=CLI']);
    const topics = await awsJson<{ Topics: Array<{ TopicArn: string }> }>(v2.bin, cl.url, ['sns', 'list-topics']);
    assert.ok(topics.Topics.some((x) => x.TopicArn === made.TopicArn));
    const bad = await runAws(v2.bin, cl.url, ['sns', 'subscribe', '--topic-arn', made.TopicArn, '--protocol', 'carrier-pigeon', '--notification-endpoint', 'x']);
    assert.match(bad.stderr, /InvalidParameter.*Invalid parameter: Invalid protocol type: carrier-pigeon/);
    const sub = await awsJson<{ SubscriptionArn: string }>(v2.bin, cl.url, ['sns', 'subscribe', '--topic-arn', made.TopicArn, '--protocol', 'sms', '--notification-endpoint', '+15555550100']);
    assert.match(sub.SubscriptionArn, /:cli-topic:/);
    const pub = await awsJson<{ MessageId: string }>(v2.bin, cl.url, ['sns', 'publish', '--topic-arn', made.TopicArn, '--message', 'hello by text']);
    const box = ((await (await fetch(`${cl.url}/_cloudlet/sns/outbox?protocol=sms`)).json()) as { messages: Array<Record<string, any>> }).messages;
    assert.equal(box.find((m) => m.messageId === pub.MessageId)?.body, 'CLI> hello by text');
  });

  test('an HTTPS subscriber on loopback (its own certificate) gets SignatureVersion 1 messages; the UnsubscribeURL ends the subscription', async () => {
    const pair = makeSigningPair(Date.now());
    const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const secure = createHttpsServer({ key: pair.keyPem, cert: pair.certPem }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => { got.push({ headers: req.headers, body }); res.writeHead(200).end(); });
    });
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
    try {
      const t = (await sns.send(new CreateTopicCommand({ Name: 'secure', Attributes: { KmsMasterKeyId: 'alias/aws/sns' } }))).TopicArn!;
      assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn: t }))).Attributes!.KmsMasterKeyId, 'alias/aws/sns');
      await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'https', Endpoint: `https://127.0.0.1:${(secure.address() as AddressInfo).port}/in` }));
      const conf = JSON.parse((await waitFor('the https confirmation', () => got[0])).body) as Record<string, string>;
      assert.equal(conf.SignatureVersion, '1');
      assert.equal(await verifiedBySubscriber(conf), true);
      await fetch(conf.SubscribeURL!);
      await sns.send(new PublishCommand({ TopicArn: t, Message: 'over TLS' }));
      const note = JSON.parse((await waitFor('the https notification', () => got[1])).body) as Record<string, string>;
      assert.equal(note.Message, 'over TLS');
      assert.equal(await verifiedBySubscriber(note), true);
      const bye = await fetch(note.UnsubscribeURL!);
      assert.equal(bye.status, 200);
      assert.match(await bye.text(), /<UnsubscribeResponse/);
      assert.deepEqual((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: t }))).Subscriptions, []);
      assert.equal((await fetch(note.UnsubscribeURL!)).status, 404, 'a second visit: the subscription does not exist');
    } finally {
      await new Promise((r) => secure.close(r));
    }
  });

  test('a CloudWatch alarm publishes (publishFromService): the HTTP subscriber on loopback gets the notification and verifies it', async () => {
    const cw = new CloudWatchClient(clientConfig(cl.url));
    const t = (await sns.send(new CreateTopicCommand({ Name: 'alarm-hook' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'http', Endpoint: `${hookUrl}/alarm` }));
    await confirmHttp('/alarm');
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'queue-depth', Namespace: 'App', MetricName: 'Depth', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1,
      Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [t],
    }));
    const at = Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    await cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Depth', Timestamp: new Date(at), Value: 500 }] }));
    const moved = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '3m' }) });
    assert.equal(moved.status, 200);
    const got = await waitFor('the alarm notification', () => messagesAt('/alarm', 'Notification')[0]);
    const m = JSON.parse(got.body) as Record<string, string>;
    assert.equal(m.TopicArn, t);
    assert.match(m.Subject!, /^ALARM: "queue-depth" in US East \(N\. Virginia\)$/);
    assert.equal(JSON.parse(m.Message!).NewStateValue, 'ALARM');
    assert.equal(await verifiedBySubscriber(m), true);
    const log = ((await (await fetch(`${cl.url}/_cloudlet/sns/deliveries?topic=alarm-hook`)).json()) as { deliveries: Array<Record<string, any>> }).deliveries;
    assert.match(log.find((d) => d.type === 'Notification')!.note, /started by the fleet engine/);
    cw.destroy();
  });

  test('ListTopics pages by 100 with NextToken; DeleteTopic removes the topic and its subscriptions', async () => {
    await Promise.all(Array.from({ length: 105 }, (_, i) => sns.send(new CreateTopicCommand({ Name: `page-${String(i).padStart(3, '0')}` }))));
    const first = await sns.send(new ListTopicsCommand({}));
    assert.equal(first.Topics!.length, 100);
    assert.ok(first.NextToken);
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    const all = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn!);
    assert.equal(new Set(all).size, all.length);
    assert.equal(all.filter((a) => a.includes(':page-')).length, 105);
    assert.equal(second.NextToken, undefined);
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    await rejects(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })), 'NotFoundException', 404, 'Topic does not exist');
    const left = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions!;
    assert.equal(left.filter((x) => x.TopicArn === topicArn).length, 0);
  });
});
