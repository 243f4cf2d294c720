import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createLogger } from '../../core/log.js';
import { createTempBlobStore } from '../../store/blobs.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { systemContext } from '../fleet/system.js';
import { publishFromService, serviceMayPublish } from './publish.js';
import { defaultPolicy, OUTBOX, SUB, subKey, TOPIC, topicArn, type OutboxRecord, type SubscriptionRecord, type TopicRecord } from './records.js';
import { readSigning, verifyMessage } from './signing.js';

const A = '111111111111';
const B = '222222222222';
const scope = { account: A, region: 'us-east-1' };
const NOW = Date.UTC(2026, 11, 7, 12);

function topic(name: string, policy?: string): TopicRecord {
  const arn = topicArn(scope, name);
  return { name, arn, owner: A, createdMs: NOW, fifo: false, deletedSubscriptions: 0, tags: [], attributes: { Policy: policy ?? defaultPolicy(arn, A) } };
}

function addSub(tx: Tx, t: TopicRecord, protocol: string, endpoint: string): void {
  const id = `00000000-0000-0000-0000-${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
  const s: SubscriptionRecord = { id, arn: `${t.arn}:${id}`, topicArn: t.arn, protocol, endpoint, owner: A, confirmed: true, token: 't', createdMs: NOW, attributes: {} };
  tx.put(scope, SUB, subKey(t.name, id), s);
}

describe('topic policy decisions for service principals', () => {
  const t = topic('alarms');
  it('the default policy lets a service publish for the owner account only (AWS:SourceOwner)', () => {
    assert.equal(serviceMayPublish(t, 'cloudwatch.amazonaws.com', A, NOW).allowed, true);
    assert.equal(serviceMayPublish(t, 'cloudwatch.amazonaws.com', B, NOW).allowed, false);
  });
  it('a statement for the service principal with aws:SourceAccount lets another account\'s alarms publish', () => {
    const p = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: t.arn, Condition: { StringEquals: { 'aws:SourceAccount': B } } }] });
    const shared = topic('alarms', p);
    assert.equal(serviceMayPublish(shared, 'cloudwatch.amazonaws.com', B, NOW).allowed, true);
    assert.equal(serviceMayPublish(shared, 'autoscaling.amazonaws.com', B, NOW).allowed, false, 'another service is not named');
    assert.equal(serviceMayPublish(shared, 'cloudwatch.amazonaws.com', A, NOW).allowed, false, 'this policy has no owner statement');
  });
  it('an explicit Deny for the service stops even the owner account', () => {
    const doc = JSON.parse(defaultPolicy(t.arn, A)) as { Statement: unknown[] };
    doc.Statement.push({ Effect: 'Deny', Principal: { Service: 'autoscaling.amazonaws.com' }, Action: 'SNS:Publish', Resource: t.arn });
    const denied = topic('alarms', JSON.stringify(doc));
    assert.equal(serviceMayPublish(denied, 'autoscaling.amazonaws.com', A, NOW).allowed, false);
    assert.equal(serviceMayPublish(denied, 'cloudwatch.amazonaws.com', A, NOW).allowed, true);
  });
});

describe('publishFromService', () => {
  const env = (later: Array<() => void | Promise<void>>) => ({ blobs: createTempBlobStore(), log: createLogger('error'), afterCommit: (fn: () => void | Promise<void>) => { later.push(fn); } });

  it('fans out like Publish: email to the outbox in the transaction, HTTP after the commit, signed', async () => {
    const store = createMemoryStore();
    const bodies: string[] = [];
    const hook = createServer((req, res) => { let b = ''; req.on('data', (d: Buffer) => { b += d; }); req.on('end', () => { bodies.push(b); res.end('ok'); }); });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
    const later: Array<() => void | Promise<void>> = [];
    const t = topic('alarms');
    const r = await store.transaction((tx) => {
      tx.put(scope, TOPIC, t.name, t);
      addSub(tx, t, 'email', 'ops@example.com');
      addSub(tx, t, 'http', url);
      const sys = systemContext(tx, scope, NOW, env(later), 'alarms');
      return publishFromService(sys, t.arn, { subject: 'ALARM: "cpu"', message: '{"AlarmName":"cpu","NewStateValue":"ALARM"}' });
    });
    assert.ok('messageId' in r, JSON.stringify(r));
    const outbox = await store.transaction((tx) => tx.list<OutboxRecord>(scope, OUTBOX).map((x) => x.value));
    assert.equal(outbox.length, 1);
    assert.equal(outbox[0]!.subject, 'ALARM: "cpu"');
    assert.equal(bodies.length, 0, 'nothing is sent inside the transaction');
    for (const fn of later) await fn();
    for (let i = 0; i < 100 && !bodies.length; i++) await new Promise((res) => setTimeout(res, 20));
    hook.close();
    const m = JSON.parse(bodies[0]!) as Record<string, unknown>;
    assert.equal(m.Message, '{"AlarmName":"cpu","NewStateValue":"ALARM"}');
    const pair = await store.transaction((tx) => readSigning(tx))!;
    assert.equal(verifyMessage(m, pair!.certPem), true);
  });

  it('answers an error (no throw) for a missing topic and for a topic whose policy does not allow the service', async () => {
    const store = createMemoryStore();
    const other = { account: B, region: 'us-east-1' };
    const tB: TopicRecord = { ...topic('b'), arn: topicArn(other, 'b'), owner: B, attributes: { Policy: defaultPolicy(topicArn(other, 'b'), B) } };
    const [missing, denied] = await store.transaction((tx) => {
      tx.put(other, TOPIC, 'b', tB);
      const sys = systemContext(tx, scope, NOW, env([]), 'alarms');
      return [publishFromService(sys, topicArn(scope, 'nope'), { message: 'x' }), publishFromService(sys, tB.arn, { message: 'x' })];
    });
    assert.deepEqual(missing, { error: `Topic does not exist: ${topicArn(scope, 'nope')}` });
    assert.match((denied as { error: string }).error, /^cloudwatch\.amazonaws\.com is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:222222222222:b/);
  });
});
