import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { CreateTopicCommand, PublishBatchCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Cloudlet } from '../../src/server/server.js';
import { prices } from '../../src/services/cost/prices.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { clockAdvance, clockNow, intoNextMonth } from '../helpers/clock.js';
import { usageByType } from '../helpers/cost.js';

/**
 * SNS on the bill, with the JS SDK and Cost Explorer: a publish is a request per started 64 KB,
 * a PublishBatch per 64 KB of all its messages; each email (and email-json) sent is an SMTP
 * delivery. The first 1,000 emails of a month are Always Free: the 1,003rd costs.
 */

const D = 86_400_000;

describe('SNS publishes and email deliveries on the bill', () => {
  let cl: Cloudlet;
  let sns: SNSClient;
  let month: number;
  const now = () => clockNow(cl.url);
  const advance = (ms: number) => clockAdvance(cl.url, ms);

  before(async () => {
    cl = await startTestServer();
    sns = new SNSClient(clientConfig(cl.url));
    month = await intoNextMonth(cl.url);
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com' }));
    const box = (await (await fetch(`${cl.url}/_cloudlet/sns/outbox?protocol=email`)).json()) as { messages: Array<{ body: string }> };
    const link = /(http:\/\/\S+ConfirmSubscription\S+)/.exec(box.messages[0]!.body)![1]!;
    assert.equal((await fetch(link)).status, 200);
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: '+15555550100' }));
    // One small publish, one of 100 KB (two requests), then 100 batches of 10 small messages.
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'hello' }));
    await sns.send(new PublishCommand({ TopicArn: topic, Message: 'x'.repeat(100 * 1024) }));
    for (let b = 0; b < 100; b++) {
      await sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, Message: `order ${b}-${i}` })) }));
    }
    await advance(D);
  });
  after(async () => { sns?.destroy(); await cl?.close(); });

  test('requests by 64 KB, one SMTP delivery per email, SMS not billed; beyond 1,000 free emails a month they cost', async () => {
    const g = await usageByType(cl.url, 'Amazon Simple Notification Service', month, month + 2 * D);
    assert.deepEqual([...g.keys()].sort(), ['DeliveryAttempts-SMTP', 'Requests-Tier1']);
    assert.equal(g.get('Requests-Tier1')!.q, 1 + 2 + 100, 'two single publishes (the second 100 KB) and 100 small batches');
    assert.equal(g.get('Requests-Tier1')!.usd, 0, 'within the free million');
    assert.equal(g.get('DeliveryAttempts-SMTP')!.q, 1002);
    assert.ok(Math.abs(g.get('DeliveryAttempts-SMTP')!.usd - 2 * (prices().sns.emailPer100k / 1e5)) < 1e-9, `two emails past the free 1,000: ${g.get('DeliveryAttempts-SMTP')!.usd}`);
  });
});
