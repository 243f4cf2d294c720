import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toPathStyle } from './s3-addressing.js';

describe('toPathStyle', () => {
  const virtual: Array<[string, string, string, string]> = [
    ['my-bucket.s3.localhost', '/key.txt', '/my-bucket/key.txt', 'my-bucket'],
    ['my-bucket.s3.localhost:4566', '/a/b%20c', '/my-bucket/a/b%20c', 'my-bucket'],
    ['My-Bucket.S3.LOCALHOST', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.s3.eu-west-1.localhost', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.s3.amazonaws.com', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.s3.us-east-1.amazonaws.com', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.s3-us-west-2.amazonaws.com', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.localhost.localstack.cloud', '/k', '/my-bucket/k', 'my-bucket'],
    ['my-bucket.s3.localhost.localstack.cloud:4566', '/k', '/my-bucket/k', 'my-bucket'],
    ['my.dotted.bucket.s3.localhost', '/k', '/my.dotted.bucket/k', 'my.dotted.bucket'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', '/k', '/my.dotted.bucket/k', 'my.dotted.bucket'],
    ['s3.s3.localhost', '/k', '/s3/k', 's3'],
  ];
  for (const [host, path, want, bucket] of virtual) {
    it(`${host}${path} -> ${want}`, () => assert.deepEqual(toPathStyle(host, path), { path: want, bucketFromHost: bucket }));
  }

  it('the bucket root is /BUCKET, keys that start with / keep it', () => {
    assert.deepEqual(toPathStyle('b.s3.localhost', '/'), { path: '/b', bucketFromHost: 'b' });
    assert.deepEqual(toPathStyle('b.s3.localhost', ''), { path: '/b', bucketFromHost: 'b' });
    assert.deepEqual(toPathStyle('b.s3.localhost', '//k'), { path: '/b//k', bucketFromHost: 'b' });
    assert.deepEqual(toPathStyle('b.s3.localhost', '/dir/'), { path: '/b/dir/', bucketFromHost: 'b' });
  });

  const pathStyle = [
    'localhost', 'localhost:4566', '127.0.0.1', '127.0.0.1:4566', '[::1]:4566', 's3.localhost', 's3.us-east-1.localhost',
    's3.amazonaws.com', 's3.us-east-1.amazonaws.com', 's3.dualstack.us-east-1.amazonaws.com', 's3-external-1.amazonaws.com',
    'localhost.localstack.cloud', 's3.localhost.localstack.cloud', 's3.eu-west-1.localhost.localstack.cloud:4566',
    'example.com', 'sqs.localhost', '',
    // S3 Control's host with a custom endpoint (ACCOUNT.localhost): an account, never a bucket.
    '123456789012.localhost', '123456789012.localhost:4566', '123456789012.s3-control.us-east-1.amazonaws.com',
  ];
  for (const host of pathStyle) {
    it(`${host || '(empty)'} stays path-style`, () => assert.deepEqual(toPathStyle(host, '/b/k'), { path: '/b/k' }));
  }
});

describe('toPathStyle with hostile Host headers', () => {
  it('answers at once: no exponential or quadratic matching', () => {
    const t = performance.now();
    for (const host of [`s3${'-a'.repeat(60)}!`, `b.s3${'-a'.repeat(60)}!`, `${'b.s3'.repeat(4000)}x`, `${'a.'.repeat(8000)}s3.localhost`]) {
      assert.deepEqual(toPathStyle(host, '/k'), { path: '/k' });
    }
    assert.ok(performance.now() - t < 200, `${performance.now() - t} ms`);
    assert.deepEqual(toPathStyle(`b.s3${'-a'.repeat(20)}.amazonaws.com`, '/k'), { path: '/b/k', bucketFromHost: 'b' });
  });
});
