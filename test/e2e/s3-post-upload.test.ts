/**
 * S3 POST Object: browser form uploads with a signed POST policy, from the JS SDK's
 * createPresignedPost (and policies signed here), sent by curl -F and by fetch(FormData), read
 * back with the SDK. Loopback only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateBucketCommand, GetObjectCommand, PutBucketCorsCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketVersioningCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { postPolicySignature } from '../../src/auth/sigv4-post.js';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const run = promisify(execFile);
let cl: Cloudlet;
let s3: S3Client;
let dir: string;
const BUCKET = 'post-uploads';

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-post-'));
});
after(async () => { s3.destroy(); await cl.close(); rmSync(dir, { recursive: true, force: true }); });

interface Answer { status: number; headers: Record<string, string>; body: string }

/** curl -F, one part per [name, value]; a value {file, filename?} is a file part. Fields go in the order given. */
async function curlPost(url: string, parts: Array<[string, string | { file: string; filename?: string; type?: string }]>, extra: string[] = []): Promise<Answer> {
  const args = ['-s', '-S', '-i', '-H', 'Expect:', ...extra];
  for (const [name, v] of parts) {
    if (typeof v === 'string') args.push('--form-string', `${name}=${v}`);
    else args.push('-F', `${name}=@${v.file}${v.filename !== undefined ? `;filename=${v.filename}` : ''}${v.type ? `;type=${v.type}` : ''}`);
  }
  args.push(url);
  const { stdout } = await run('curl', args, { maxBuffer: 16 * 1024 * 1024 });
  const end = stdout.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = stdout.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: stdout.slice(end + 4) };
}

/** fetch with a FormData body; the file part last. */
async function fetchPost(url: string, fields: Record<string, string>, file: { body: string | Buffer; filename?: string; type?: string }, headers: Record<string, string> = {}): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([typeof file.body === 'string' ? file.body : new Uint8Array(file.body)], { type: file.type ?? 'application/octet-stream' }), file.filename ?? 'blob');
  const r = await fetch(url, { method: 'POST', body: form, redirect: 'manual', headers });
  return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() };
}

const fileOf = (name: string, content: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const ENTITIES: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const errorField = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.replace(/&(?:quot|apos|lt|gt|amp);/g, (e) => ENTITIES[e]!);
const text = async (body: unknown): Promise<string> => (body as { transformToString(): Promise<string> }).transformToString();
const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

/** A policy and its SigV4 fields signed here, for what createPresignedPost cannot express. */
function signedForm(conditions: unknown[], opts: { accessKeyId?: string; secret?: string; expiration?: string; region?: string } = {}): Record<string, string> {
  const now = new Date();
  const amzDate = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const day = amzDate.slice(0, 8);
  const region = opts.region ?? 'us-east-1';
  const credential = `${opts.accessKeyId ?? 'test'}/${day}/${region}/s3/aws4_request`;
  const expiration = opts.expiration ?? new Date(now.getTime() + 600_000).toISOString();
  const policy = Buffer.from(JSON.stringify({
    expiration,
    conditions: [...conditions, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': amzDate }],
  })).toString('base64');
  return {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': amzDate, policy,
    'x-amz-signature': postPolicySignature(opts.secret ?? 'test', day, region, policy),
  };
}

describe('S3 POST uploads that work', () => {
  test('createPresignedPost + curl -F: 204, ${filename}, metadata and Content-Type stored, fields after the file ignored', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: BUCKET, Key: 'uploads/${filename}', Expires: 600,
      Conditions: [['content-length-range', 1, 1024], ['starts-with', '$Content-Type', 'text/']],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'eric', 'Cache-Control': 'max-age=60' },
    });
    assert.equal(url, `${cl.url}/${BUCKET}`);
    const content = 'hello from a form\n';
    const r = await curlPost(url, [...Object.entries(fields), ['file', { file: fileOf('hello.txt', content), type: 'application/x-ignored' }], ['submit', 'Upload']]);
    assert.equal(r.status, 204, r.body);
    assert.equal(r.body, '');
    assert.equal(r.headers['etag'], `"${md5(content)}"`);
    assert.equal(r.headers['location'], `${cl.url}/${BUCKET}/uploads%2Fhello.txt`);
    assert.ok(r.headers['x-amz-checksum-crc64nvme'], 'the default checksum is reported');
    assert.equal(r.headers['x-amz-checksum-type'], 'FULL_OBJECT');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/hello.txt' }));
    assert.equal(await text(got.Body), content);
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.deepEqual(got.Metadata, { owner: 'eric' });
    assert.equal(got.ETag, r.headers['etag']);
  });

  test('fetch(FormData) with success_action_status 201: the PostResponse document, on a versioned bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'post-versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'post-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: 'post-versioned', Key: 'docs/report & notes.txt', Fields: { success_action_status: '201', 'x-amz-meta-kind': 'report' },
    });
    const r = await fetchPost(url, fields, { body: 'v1 body', filename: 'ignored.txt' });
    assert.equal(r.status, 201, r.body);
    assert.match(r.headers['content-type']!, /xml/);
    const etag = `"${md5('v1 body')}"`;
    assert.equal(r.body, '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
      + `<Location>${cl.url}/post-versioned/docs%2Freport%20%26%20notes.txt</Location><Bucket>post-versioned</Bucket>`
      + `<Key>docs/report &amp; notes.txt</Key><ETag>${etag}</ETag></PostResponse>`);
    const version = r.headers['x-amz-version-id'];
    assert.ok(version && version !== 'null');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'post-versioned', Key: 'docs/report & notes.txt' }));
    assert.equal(head.VersionId, version);
    assert.equal(head.ETag, etag);
    assert.deepEqual(head.Metadata, { kind: 'report' });
    // Without Content-Type the object is binary/octet-stream: the file part's own type does not count.
    assert.equal(head.ContentType, 'binary/octet-stream');
  });

  test('virtual-hosted form, success_action_redirect (303), tagging, a checksum field, status 200', async () => {
    const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>';
    const body = 'checked bytes';
    const sha = createHash('sha256').update(body).digest('base64');
    const form = signedForm([
      { bucket: BUCKET }, ['starts-with', '$key', 'vhost/'], ['starts-with', '$success_action_redirect', 'http://app.localhost/'],
      { tagging }, { 'x-amz-checksum-sha256': sha },
    ]);
    const port = new URL(cl.url).port;
    const r = await curlPost(`http://127.0.0.1:${port}/`, [
      ['key', 'vhost/${filename}'], ['success_action_redirect', 'http://app.localhost/done?from=form'], ['tagging', tagging],
      ['x-amz-checksum-sha256', sha], ...Object.entries(form), ['file', { file: fileOf('v.bin', body), filename: 'C:\\Users\\me\\v.bin' }],
    ], ['-H', `Host: ${BUCKET}.s3.localhost:${port}`]);
    assert.equal(r.status, 303, r.body);
    const etag = `"${md5(body)}"`;
    assert.equal(r.headers['location'], `http://app.localhost/done?from=form&bucket=${BUCKET}&key=vhost%2Fv.bin&etag=${encodeURIComponent(etag)}`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'vhost/v.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(await text(got.Body), body);
    assert.equal(got.ChecksumSHA256, sha);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'vhost/v.bin' }))).TagSet, [{ Key: 'team', Value: 'web' }]);

    const ok = signedForm([{ bucket: BUCKET }, { key: 'plain' }, { success_action_status: '200' }]);
    const r200 = await fetchPost(`${cl.url}/${BUCKET}`, { key: 'plain', success_action_status: '200', ...ok }, { body: '' });
    assert.equal(r200.status, 200, r200.body);
    assert.equal(r200.body, '');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'plain' }))).ContentLength, 0);
  });

  test('a page on another origin: refused unless the bucket CORS rules allow POST from it, then answered with CORS headers', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'post-cors' }));
    const origin = { origin: 'https://app.example.com' };
    const first = await createPresignedPost(s3, { Bucket: 'post-cors', Key: 'from-page.txt' });
    const refused = await fetchPost(first.url, first.fields, { body: 'page' }, origin);
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused.body), 'AccessDenied');
    assert.match(errorField(refused.body, 'Message')!, /cross-site/);
    await s3.send(new PutBucketCorsCommand({ Bucket: 'post-cors', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['POST'], AllowedOrigins: ['https://app.example.com'], ExposeHeaders: ['ETag'] }] } }));
    const r = await fetchPost(first.url, first.fields, { body: 'page' }, origin);
    assert.equal(r.status, 204, r.body);
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'post-cors', Key: 'from-page.txt' }))).Body), 'page');
  });

  test('an IAM user is authorized for s3:PutObject on the key like any request', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateUserCommand({ UserName: 'uploader' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'uploader', PolicyName: 'put-allowed', PolicyDocument: JSON.stringify({
        Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/allowed/*` }],
      }),
    }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'uploader' }))).AccessKey!;
    iam.destroy();
    const user = new S3Client({ ...clientConfig(cl.url, 'us-east-1', { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }), forcePathStyle: true });
    const allowed = await createPresignedPost(user, { Bucket: BUCKET, Key: 'allowed/a.txt' });
    assert.equal((await fetchPost(allowed.url, allowed.fields, { body: 'mine' })).status, 204);
    const denied = await createPresignedPost(user, { Bucket: BUCKET, Key: 'elsewhere/a.txt' });
    const r = await fetchPost(denied.url, denied.fields, { body: 'not mine' });
    assert.equal(r.status, 403);
    assert.equal(errorCode(r.body), 'AccessDenied');
    assert.match(errorField(r.body, 'Message')!, /s3:PutObject/);
    await rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/a.txt' })), 'NotFound', 404);
    user.destroy();

    // Session credentials: the SDK adds X-Amz-Security-Token as a field and a condition.
    const sts = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const c = (await sts.send(new GetSessionTokenCommand({}))).Credentials!;
    sts.destroy();
    const session = new S3Client({ ...clientConfig(cl.url, 'us-east-1', { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }), forcePathStyle: true });
    const withToken = await createPresignedPost(session, { Bucket: BUCKET, Key: 'allowed/session.txt' });
    assert.equal(withToken.fields['X-Amz-Security-Token'], c.SessionToken);
    assert.equal((await fetchPost(withToken.url, withToken.fields, { body: 'session' })).status, 204);
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'allowed/session.txt' }))).Body), 'session');
    const { 'X-Amz-Security-Token': _token, ...tokenless } = withToken.fields;
    const nt = await fetchPost(withToken.url, tokenless, { body: 'session' });
    assert.equal(errorCode(nt.body), 'InvalidToken');
    session.destroy();
  });
});

describe('S3 POST uploads that are refused', () => {
  const absent = async (key: string) => rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), 'NotFound', 404);

  test('content-length-range exceeded: EntityTooLarge with the proposed size, nothing stored', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'big.bin', Conditions: [['content-length-range', 0, 1000]] });
    const r = await curlPost(url, [...Object.entries(fields), ['file', { file: fileOf('big.bin', Buffer.alloc(300_000, 7)) }]]);
    assert.equal(r.status, 400, r.body);
    assert.equal(errorCode(r.body), 'EntityTooLarge');
    assert.equal(errorField(r.body, 'ProposedSize'), '300000');
    assert.equal(errorField(r.body, 'MaxSizeAllowed'), '1000');
    await absent('big.bin');
    const small = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'small.bin', Conditions: [['content-length-range', 10, 1000]] });
    const s = await fetchPost(small.url, small.fields, { body: 'tiny' });
    assert.equal(errorCode(s.body), 'EntityTooSmall');
    assert.equal(errorField(s.body, 'MinSizeAllowed'), '10');
    await absent('small.bin');
  });

  test('a starts-with condition not met, an uncovered field, a bad checksum', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'user/eric/${filename}' });
    const clean = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, k === 'key' ? 'user/mallory/x.txt' : v]));
    const r = await curlPost(url, [...Object.entries(clean), ['file', { file: fileOf('x.txt', 'x') }]]);
    assert.equal(r.status, 403, r.body);
    assert.equal(errorCode(r.body), 'AccessDenied');
    const m = await fetchPost(url, clean, { body: 'x', filename: 'x.txt' });
    assert.equal(m.status, 403);
    assert.equal(errorCode(m.body), 'AccessDenied');
    assert.equal(errorField(m.body, 'Message'), 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]');
    await absent('user/mallory/x.txt');

    const extra = await fetchPost(url, { ...fields, 'x-amz-meta-sneaky': '1' }, { body: 'x', filename: 'x.txt' });
    assert.equal(errorField(extra.body, 'Message'), 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
    // x-ignore-* fields need no condition.
    assert.equal((await fetchPost(url, { ...fields, 'x-ignore-tracker': '1' }, { body: 'x', filename: 'ok.txt' })).status, 204);

    const bad = signedForm([{ bucket: BUCKET }, { key: 'digest' }, { 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') }]);
    const d = await fetchPost(`${cl.url}/${BUCKET}`, { key: 'digest', 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64'), ...bad }, { body: 'body' });
    assert.equal(d.status, 400);
    assert.equal(errorCode(d.body), 'BadDigest');
    await absent('digest');

    // The bucket enforces ownership (the default): an ACL other than the owner's own is refused.
    const acl = (value: string) => signedForm([{ bucket: BUCKET }, { key: 'acl.txt' }, { acl: value }]);
    const pub = await fetchPost(`${cl.url}/${BUCKET}`, { key: 'acl.txt', acl: 'public-read', ...acl('public-read') }, { body: 'a' });
    assert.equal(pub.status, 400);
    assert.equal(errorCode(pub.body), 'AccessControlListNotSupported');
    await absent('acl.txt');
    assert.equal((await fetchPost(`${cl.url}/${BUCKET}`, { key: 'acl.txt', acl: 'bucket-owner-full-control', ...acl('bucket-owner-full-control') }, { body: 'a' })).status, 204);
  });

  test('a bad signature, an unknown key, missing fields, a missing bucket, an anonymous form, not multipart', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'sig.txt' });
    const tampered = { ...fields, 'X-Amz-Signature': fields['X-Amz-Signature']!.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    const r = await fetchPost(url, tampered, { body: 'x' });
    assert.equal(r.status, 403);
    assert.equal(errorCode(r.body), 'SignatureDoesNotMatch');
    assert.equal(errorField(r.body, 'StringToSign'), fields['Policy']);
    await absent('sig.txt');

    const wrongSecret = signedForm([{ bucket: BUCKET }, { key: 'sig.txt' }], { secret: 'not-the-secret' });
    assert.equal(errorCode((await fetchPost(url, { key: 'sig.txt', ...wrongSecret }, { body: 'x' })).body), 'SignatureDoesNotMatch');
    const unknown = signedForm([{ bucket: BUCKET }, { key: 'sig.txt' }], { accessKeyId: 'AKIANOSUCHKEY' });
    const u = await fetchPost(url, { key: 'sig.txt', ...unknown }, { body: 'x' });
    assert.equal(u.status, 403);
    assert.equal(errorCode(u.body), 'InvalidAccessKeyId');

    const { 'X-Amz-Signature': _sig, ...unsigned } = fields;
    const ms = await fetchPost(url, unsigned, { body: 'x' });
    assert.equal(ms.status, 400);
    assert.equal(errorField(ms.body, 'Message'), "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.");
    // The key after the file is no key.
    const { key: _key, ...keyless } = fields;
    const mk = await curlPost(url, [...Object.entries(keyless), ['file', { file: fileOf('k.txt', 'k') }], ['key', 'sig.txt']]);
    assert.equal(mk.status, 400);
    assert.equal(errorField(mk.body, 'ArgumentName'), 'key');
    const nf = await curlPost(url, Object.entries(fields));
    assert.equal(errorField(nf.body, 'Message'), 'POST requires exactly one file upload per request.');

    const missing = await createPresignedPost(s3, { Bucket: 'no-such-post-bucket', Key: 'k' });
    const mb = await fetchPost(missing.url, missing.fields, { body: 'x' });
    assert.equal(mb.status, 404);
    assert.equal(errorCode(mb.body), 'NoSuchBucket');
    assert.equal(errorField(mb.body, 'BucketName'), 'no-such-post-bucket');

    // No policy and no signature: anonymous, and this bucket allows no anonymous writes.
    const anon = await fetchPost(url, { key: 'anon.txt' }, { body: 'x' });
    assert.equal(anon.status, 403);
    assert.equal(errorCode(anon.body), 'AccessDenied');
    assert.equal(errorField(anon.body, 'Message'), 'Access Denied');
    await absent('anon.txt');

    const nm = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'key=x' });
    assert.equal(nm.status, 412);
    const nmBody = await nm.text();
    assert.equal(errorCode(nmBody), 'PreconditionFailed');
    assert.equal(errorField(nmBody, 'Condition'), 'Bucket POST must be of the enclosure-type multipart/form-data');
  });
});

describe('S3 POST uploads and hostile or broken clients', () => {
  const BOUNDARY = 'cloudletFormBoundary7MA4YWxkTrZu0gW';
  const part = (name: string, value: string | Buffer, filename?: string): Buffer => Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename !== undefined ? `; filename="${filename}"` : ''}\r\n\r\n`),
    Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n'),
  ]);
  /** A raw request on its own socket: the head, then `body`, then (unless `end`) silence. */
  function raw(body: Buffer, declared = body.length): { socket: Socket; answer: Promise<string> } {
    const u = new URL(cl.url);
    const socket = connect(Number(u.port), u.hostname);
    const answer = new Promise<string>((done) => {
      let got = '';
      socket.on('data', (d: Buffer) => { got += d.toString('latin1'); });
      socket.on('error', () => {});
      socket.on('close', () => done(got));
    });
    socket.write(`POST /${BUCKET} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`);
    socket.write(body);
    return { socket, answer };
  }
  const signedFields = (key: string, extra: unknown[] = []): Array<[string, string]> =>
    [['key', key], ...Object.entries(signedForm([{ bucket: BUCKET }, { key }, ...extra]))];

  test('an upload stalled mid-file holds up no other request, and leaves nothing when the client goes', async () => {
    const blobsBefore = cl.deps.blobs.ids().length;
    const head = Buffer.concat([...signedFields('stalled.bin').map(([n, v]) => part(n, v)),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="s.bin"\r\n\r\n`), Buffer.alloc(256 * 1024, 1)]);
    const { socket, answer } = raw(head, head.length + 10 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/hello.txt' }));
    const took = performance.now() - t0;
    assert.ok(took < 1000, `5 HeadObject took ${Math.round(took)} ms during a stalled POST upload`);
    socket.destroy();
    await answer;
    await new Promise((r) => setTimeout(r, 200));
    await rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stalled.bin' })), 'NotFound', 404);
    assert.equal(cl.deps.blobs.ids().length, blobsBefore, 'the cut-off file left no blob');
  });

  test('a form without its closing boundary stores nothing; fields past 20 KiB before the file are refused', async () => {
    const blobsBefore = cl.deps.blobs.ids().length;
    const cut = Buffer.concat([...signedFields('cut.bin').map(([n, v]) => part(n, v)),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="c.bin"\r\n\r\n`), Buffer.alloc(1000, 2)]);
    const r = await raw(cut).answer;
    assert.match(r, /^HTTP\/1\.1 400 /);
    assert.equal(errorCode(r), 'MalformedPOSTRequest');
    await rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cut.bin' })), 'NotFound', 404);
    assert.equal(cl.deps.blobs.ids().length, blobsBefore, 'the incomplete form left no blob');

    const big = Buffer.concat([part('key', 'k'), part('x-ignore-padding', 'p'.repeat(21_000)), part('file', 'x', 'f'), Buffer.from(`--${BOUNDARY}--\r\n`)]);
    const b = await raw(big).answer;
    assert.match(b, /^HTTP\/1\.1 400 /);
    assert.equal(errorCode(b), 'MaxPostPreDataLengthExceeded');
    assert.equal(errorField(b, 'MaxPostPreDataLengthBytes'), '20480');
  });

  test('a 24 MiB file streams through curl -F and reads back whole', async () => {
    const content = Buffer.alloc(24 * 1024 * 1024);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32BE(i, i);
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'large.bin', Conditions: [['content-length-range', 0, 32 * 1024 * 1024]] });
    const r = await curlPost(url, [...Object.entries(fields), ['file', { file: fileOf('large.bin', content) }]]);
    assert.equal(r.status, 204, r.body);
    assert.equal(r.headers['etag'], `"${md5(content)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'large.bin' }));
    assert.equal(got.ContentLength, content.length);
    assert.equal(md5(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())), md5(content));
  });
});

describe('S3 POST policies expire by the cloudlet clock', () => {
  // Last: it moves the cloudlet clock two hours ahead.
  test('a policy past its expiration by the cloudlet clock: AccessDenied "Policy expired."', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'late.txt', Expires: 3600 });
    const moved = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '2h' }) });
    assert.equal(moved.status, 200, await moved.text());
    const r = await curlPost(url, [...Object.entries(fields), ['file', { file: fileOf('late.txt', 'late') }]]);
    assert.equal(r.status, 403, r.body);
    assert.equal(errorCode(r.body), 'AccessDenied');
    assert.equal(errorField(r.body, 'Message'), 'Invalid according to Policy: Policy expired.');
    await rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'late.txt' })), 'NotFound', 404);
  });
});
