import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UPLOAD_TTL_MS } from '../layers.js';
import { UploadHashes } from './hashes.js';

const hex = (b: string) => createHash('sha256').update(b).digest('hex');

describe('live upload hashes', () => {
  test('a held hash resumes only at its offset and last part, as a copy; forget, expiry and the cap drop entries', () => {
    const hashes = new UploadHashes(3);
    const fresh = hashes.resume('u1', 0, undefined)!;
    assert.equal(hashes.resume('u1', 5, 'blob-a'), undefined, 'nothing held yet');
    fresh.update('hello');
    hashes.keep('u1', 5, 'blob-a', fresh, 1000, 1000);
    assert.equal(hashes.resume('u1', 5, 'blob-b'), undefined, 'another last part');
    assert.equal(hashes.resume('u1', 4, 'blob-a'), undefined, 'another offset');
    const a = hashes.resume('u1', 5, 'blob-a')!;
    a.update(' world');
    assert.equal(a.digest('hex'), hex('hello world'));
    // The held one is untouched by what its copy took (a request that fails half way).
    assert.equal(hashes.resume('u1', 5, 'blob-a')!.digest('hex'), hex('hello'));
    hashes.forget('u1');
    assert.equal(hashes.resume('u1', 5, 'blob-a'), undefined);

    const h = (s: string) => createHash('sha256').update(s);
    hashes.keep('old', 1, 'x', h('o'), 0, 10);
    hashes.keep('u2', 1, 'x', h('2'), 10, 10);
    hashes.keep('u3', 1, 'x', h('3'), 10, 10);
    hashes.keep('u2', 2, 'y', h('22'), 10, 10); // advanced: now the most recent
    assert.equal(hashes.size, 3);
    hashes.keep('u4', 1, 'x', h('4'), 10, 10); // over the cap: the least recently advanced goes
    assert.equal(hashes.resume('old', 1, 'x'), undefined);
    assert.ok(hashes.resume('u3', 1, 'x'));
    assert.equal(hashes.resume('u2', 2, 'y')!.digest('hex'), hex('22'));
    hashes.keep('u5', 1, 'x', h('5'), UPLOAD_TTL_MS, UPLOAD_TTL_MS + 10); // u2..u4 started at 10: expired
    assert.equal(hashes.size, 1);
    assert.ok(hashes.resume('u5', 1, 'x'));
  });
});
