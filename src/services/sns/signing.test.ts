import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { makeSigningPair, signMessage, stringToSign, verifyMessage } from './signing.js';

const pair = makeSigningPair(Date.UTC(2026, 0, 1));

describe('SNS message signing', () => {
  const base = { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:111111111111:t', Message: 'hello', Timestamp: '2026-01-01T00:00:00.000Z' };
  it('builds the canonical string in SNS key order, Subject only when present', () => {
    assert.equal(stringToSign(base), 'Message\nhello\nMessageId\nm-1\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:111111111111:t\nType\nNotification\n');
    assert.match(stringToSign({ ...base, Subject: 'S' }), /MessageId\nm-1\nSubject\nS\nTimestamp/);
    assert.equal(stringToSign({ Type: 'SubscriptionConfirmation', Message: 'm', MessageId: 'i', SubscribeURL: 'u', Timestamp: 't', Token: 'k', TopicArn: 'a' }),
      'Message\nm\nMessageId\ni\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\na\nType\nSubscriptionConfirmation\n');
  });
  for (const v of ['1', '2']) {
    it(`SignatureVersion ${v} verifies with the certificate; a changed message does not`, () => {
      const m = { ...base, SignatureVersion: v, Signature: '' };
      m.Signature = signMessage(m, pair.keyPem, v);
      assert.equal(verifyMessage(m, pair.certPem), true);
      assert.equal(verifyMessage({ ...m, Message: 'hellO' }, pair.certPem), false);
      assert.equal(verifyMessage({ ...m, SignatureVersion: v === '1' ? '2' : '1' }, pair.certPem), false);
    });
  }
  it('the certificate carries an RSA key and parses with node:crypto', () => {
    const c = new X509Certificate(pair.certPem);
    assert.equal(c.publicKey.asymmetricKeyType, 'rsa');
    assert.match(c.subject, /CN=sns.amazonaws.com/);
  });
});
