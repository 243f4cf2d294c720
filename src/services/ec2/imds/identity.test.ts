import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { int } from './identity.js';

describe('identity document certificate: DER integers', () => {
  test('minimal encoding: redundant leading zeros dropped, one zero before a high bit (a serial starting 00 broke X509 parsing)', () => {
    assert.deepEqual(int(Buffer.from([0x00, 0x12, 0x34])), Buffer.from([0x02, 0x02, 0x12, 0x34]));
    assert.deepEqual(int(Buffer.from([0x00, 0x00, 0x92])), Buffer.from([0x02, 0x02, 0x00, 0x92]));
    assert.deepEqual(int(Buffer.from([0x92, 0x01])), Buffer.from([0x02, 0x03, 0x00, 0x92, 0x01]));
    assert.deepEqual(int(Buffer.from([0x00])), Buffer.from([0x02, 0x01, 0x00]));
    assert.deepEqual(int(2), Buffer.from([0x02, 0x01, 0x02]));
  });
});
