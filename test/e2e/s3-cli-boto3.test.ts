// S3 as its most common clients use it, against one server: the AWS CLI v1 and v2 high-level
// commands (`aws s3 mb/cp/sync/ls/mv/rm/presign`, files large enough to force multipart) and
// `aws s3api`, and boto3 (upload_file/download_file with multipart, checksums, paginators).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';
import { runPython } from '../helpers/python.js';

let cl: Cloudlet;
const work = mkdtempSync(join(tmpdir(), 'cloudlet-s3-cli-'));
before(async () => { cl = await startTestServer(); });
after(async () => { await cl.close(); rmSync(work, { recursive: true, force: true }); });

for (const cli of awsClis()) {
  describe(`S3 with ${cli.name}`, { skip: cli.skip }, () => {
    const tag = cli.name.endsWith('v1') ? 'v1' : 'v2';
    const bucket = `cli-${tag}-bucket`;
    const aws = (...args: string[]) => runAws(cli.bin, cl.url, args);
    const ok = async (...args: string[]) => {
      const r = await aws(...args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };

    test('mb, cp up and down (a 12 MiB file goes multipart), sync both ways, ls, mv, rm --recursive', { timeout: 120_000 }, async () => {
      const dir = join(work, tag);
      mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
      const big = randomBytes(12 * 1024 * 1024);
      writeFileSync(join(dir, 'big.bin'), big);
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'src', `f${i}.txt`), `file ${i}\n`);
      writeFileSync(join(dir, 'src', 'nested', 'deep.txt'), 'deep\n');

      assert.match(await ok('s3', 'mb', `s3://${bucket}`), new RegExp(`make_bucket: ${bucket}`));
      await ok('s3', 'cp', join(dir, 'big.bin'), `s3://${bucket}/big.bin`);
      const head = await awsJson(cli.bin, cl.url, ['s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin']);
      assert.equal(head.ContentLength, big.length);
      assert.match(head.ETag, /-\d+"$/, 'uploaded in parts');
      await ok('s3', 'cp', `s3://${bucket}/big.bin`, join(dir, 'big.back'));
      assert.ok(readFileSync(join(dir, 'big.back')).equals(big));

      await ok('s3', 'sync', join(dir, 'src'), `s3://${bucket}/site/`);
      const ls = await ok('s3', 'ls', `s3://${bucket}/site/`);
      assert.match(ls, /PRE nested\//);
      assert.equal((ls.match(/ f\d\.txt$/gm) ?? []).length, 5);
      const recursive = await ok('s3', 'ls', '--recursive', `s3://${bucket}/`);
      assert.equal(recursive.trim().split('\n').length, 7);
      // A second sync has nothing to send.
      assert.equal((await ok('s3', 'sync', join(dir, 'src'), `s3://${bucket}/site/`)).trim(), '');
      await ok('s3', 'sync', `s3://${bucket}/site/`, join(dir, 'down'));
      assert.equal(readFileSync(join(dir, 'down', 'nested', 'deep.txt'), 'utf8'), 'deep\n');

      await ok('s3', 'mv', `s3://${bucket}/site/f0.txt`, `s3://${bucket}/moved/f0.txt`);
      const moved = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'moved/']);
      assert.deepEqual(moved.Contents.map((o: { Key: string }) => o.Key), ['moved/f0.txt']);
      assert.notEqual((await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'site/f0.txt')).status, 0);

      await ok('s3', 'rm', '--recursive', `s3://${bucket}/`);
      const empty = await awsJson(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', bucket]);
      assert.equal(empty.Contents, undefined, 'nothing left');
      await ok('s3', 'rb', `s3://${bucket}`);
    });

    test('s3api put-object with metadata and tags, get-object, a presigned URL fetched with curl', async () => {
      const b = `${bucket}-api`;
      await ok('s3api', 'create-bucket', '--bucket', b);
      const file = join(work, `${tag}-api.txt`);
      writeFileSync(file, 'api body');
      const put = await awsJson(cli.bin, cl.url, ['s3api', 'put-object', '--bucket', b, '--key', 'k.txt', '--body', file,
        '--content-type', 'text/plain', '--metadata', 'team=blue', '--tagging', 'env=test']);
      assert.match(put.ETag, /^"[0-9a-f]{32}"$/);
      const out = join(work, `${tag}-api.out`);
      const got = await awsJson(cli.bin, cl.url, ['s3api', 'get-object', '--bucket', b, '--key', 'k.txt', out]);
      assert.equal(got.ContentType, 'text/plain');
      assert.deepEqual(got.Metadata, { team: 'blue' });
      assert.equal(got.TagCount, 1);
      assert.equal(readFileSync(out, 'utf8'), 'api body');
      const missing = await aws('s3api', 'get-object', '--bucket', b, '--key', 'nope', out);
      assert.match(missing.stderr, /NoSuchKey/);
      // botocore still presigns with Signature Version 2 unless told; S3 refuses it for new buckets (and cloudlet always).
      const config = join(work, `${tag}-config`);
      writeFileSync(config, '[default]\ns3 =\n    signature_version = s3v4\n');
      const presigned = await runAws(cli.bin, cl.url, ['s3', 'presign', `s3://${b}/k.txt`, '--expires-in', '300'], { AWS_CONFIG_FILE: config });
      assert.equal(presigned.status, 0, presigned.stderr);
      const url = presigned.stdout.trim();
      const curl = await new Promise<string>((done) => {
        const c = spawn('curl', ['-s', url]);
        let s = '';
        c.stdout.on('data', (d: Buffer) => { s += d.toString(); });
        c.on('close', () => done(s));
      });
      assert.equal(curl, 'api body');
    });
  });
}

const BOTO3 = String.raw`
import hashlib, json, os, sys, urllib.request, boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
work = sys.argv[2]
out = {}
s3.create_bucket(Bucket='py-bucket')
path = os.path.join(work, 'py-big.bin')
data = os.urandom(11 * 1024 * 1024)
open(path, 'wb').write(data)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=3)
s3.upload_file(path, 'py-bucket', 'big.bin', Config=cfg)
head = s3.head_object(Bucket='py-bucket', Key='big.bin')
out['parts'] = head['ETag'].strip('"').split('-')[1]
s3.download_file('py-bucket', 'big.bin', path + '.back', Config=cfg)
out['same'] = open(path + '.back', 'rb').read() == data
put = s3.put_object(Bucket='py-bucket', Key='sha.txt', Body=b'hello', ChecksumAlgorithm='SHA256')
out['sha256'] = put.get('ChecksumSHA256')
got = s3.get_object(Bucket='py-bucket', Key='sha.txt', ChecksumMode='ENABLED')
out['sha256_back'] = got.get('ChecksumSHA256')
for i in range(25):
    s3.put_object(Bucket='py-bucket', Key='many/%02d' % i, Body=b'x')
pages = list(s3.get_paginator('list_objects_v2').paginate(Bucket='py-bucket', Prefix='many/', PaginationConfig={'PageSize': 10}))
out['pages'] = [len(p.get('Contents', [])) for p in pages]
from botocore.config import Config
v4 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test', config=Config(signature_version='s3v4'))
url = v4.generate_presigned_url('get_object', Params={'Bucket': 'py-bucket', 'Key': 'sha.txt'}, ExpiresIn=60)
out['presigned'] = urllib.request.urlopen(url).read().decode()
try:
    s3.get_object(Bucket='py-bucket', Key='missing')
except s3.exceptions.NoSuchKey:
    out['missing'] = 'NoSuchKey'
print(json.dumps(out))
`;

describe('S3 with boto3', { skip: needTool('boto3') }, () => {
  test('upload_file/download_file in parts, SHA256 checksums, a paginator, a presigned GET', { timeout: 120_000 }, async () => {
    const r = await runPython(BOTO3, [cl.url, work]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(out, {
      parts: '3', same: true, sha256: 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=', sha256_back: 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=',
      pages: [10, 10, 5], presigned: 'hello', missing: 'NoSuchKey',
    });
  });
});
