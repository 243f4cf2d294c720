import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelays, retryPolicyOf } from './delivery.js';

describe('SNS HTTP retry policy', () => {
  it('the default policy: three retries 20 s apart', () => {
    const { retry, contentType } = retryPolicyOf(undefined, undefined);
    assert.deepEqual(retryDelays(retry), [20, 20, 20]);
    assert.equal(contentType, 'text/plain; charset=UTF-8');
  });
  it('the four phases: immediate, pre-backoff at the minimum, backoff, post-backoff at the maximum', () => {
    const d = retryDelays({ numRetries: 10, numNoDelayRetries: 2, numMinDelayRetries: 2, numMaxDelayRetries: 2, minDelayTarget: 1, maxDelayTarget: 10, backoffFunction: 'linear' });
    assert.deepEqual(d.slice(0, 4), [0, 0, 1, 1]);
    assert.deepEqual(d.slice(4, 8), [1, 4, 7, 10]);
    assert.deepEqual(d.slice(8), [10, 10]);
    const exp = retryDelays({ numRetries: 4, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, minDelayTarget: 1, maxDelayTarget: 60, backoffFunction: 'exponential' });
    assert.equal(exp[0], 1);
    assert.equal(exp[3], 60);
    assert.ok(exp[1]! < exp[2]! && exp[2]! < 30, 'exponential rises late');
  });
  it('a subscription\'s policy overrides the topic\'s unless the topic disables overrides', () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 2, maxDelayTarget: 2 }, defaultRequestPolicy: { headerContentType: 'application/json' } } });
    const sub = JSON.stringify({ healthyRetryPolicy: { numRetries: 1 } });
    assert.equal(retryPolicyOf(topic, undefined).retry.numRetries, 5);
    assert.equal(retryPolicyOf(topic, undefined).contentType, 'application/json');
    assert.equal(retryPolicyOf(topic, sub).retry.numRetries, 1);
    const locked = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5 }, disableSubscriptionOverrides: true } });
    assert.equal(retryPolicyOf(locked, sub).retry.numRetries, 5);
  });
});
