// HTTPS on the same port as HTTP, with cloudlet's local CA trusted the way each client is told to
// (`cloudlet ca`): the AWS CLI v1 and v2 and boto3 through AWS_CA_BUNDLE, the JS SDK v3 through an
// https.Agent and NODE_EXTRA_CA_CERTS, Terraform through AWS_CA_BUNDLE; the same over http://.
// The TLS-only bucket policy (Deny s3:* when aws:SecureTransport is false) denies plain HTTP and
// names its statement and the key; HTTPS passes. Virtual-hosted S3 over HTTPS verifies the
// bucket's name against the certificate; SSE-C is refused over plain HTTP; `--tls only`, an
// untrusting client and a garbage first byte each end clearly. skopeo pushes to and pulls from
// the registry over HTTPS with verification on, trusting a directory that holds only ca.crt.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createLogger } from '../../src/core/log.js';
import type { Cloudlet } from '../../src/server/server.js';
import { makeCertificate } from '../../src/server/tls/x509.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { runPython } from '../helpers/python.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { endpointEnv, terraform as runTerraform, terraformDir, TF_MIRROR } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const TLS_ONLY = (bucket: string) => doc({
  Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*',
  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

let cl: Cloudlet;
let https: string;
let caFile: string;
let ca: string;
let agent: Agent;
type LogLine = { msg: string; fields: Record<string, any> };
const lines: LogLine[] = [];
const s3Over = (url: string) => new S3Client({
  ...clientConfig(url), forcePathStyle: true,
  requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
});
const text = async (body: unknown): Promise<string> => (body as { transformToString(): Promise<string> }).transformToString();

/** GET with node:https to 127.0.0.1, presenting `name` as SNI and Host, so the certificate is verified against that name. */
function httpsGet(url: string, o: { ca?: string; name?: string } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: u.port, path: `${u.pathname}${u.search}`, ca: o.ca, servername: o.name ?? u.hostname,
      headers: { host: u.host },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => ok({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

before(async () => {
  cl = await startTestServer({ iam: 'enforce' });
  cl.deps.log = createLogger('debug', (line) => {
    const m = /^\S+ (\w+) (.*?)(?: (\{.*\}))?\n$/.exec(line);
    if (m) lines.push({ msg: m[2]!, fields: m[3] ? JSON.parse(m[3]) : {} });
  });
  https = cl.httpsUrl!.replace('127.0.0.1', 'localhost');
  caFile = (await cl.tls.caFile())!;
  ca = readFileSync(caFile, 'utf8');
  agent = new Agent({ ca, keepAlive: true });
  const s3 = s3Over(cl.url);
  for (const b of ['tls-open', 'tls-only', 'vh-bucket']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutBucketPolicyCommand({ Bucket: 'tls-only', Policy: TLS_ONLY('tls-only') }));
  s3.destroy();
});
after(async () => {
  agent?.destroy();
  await cl?.close();
});

/**
 * terraform in dir over HTTPS, trusting cloudlet's CA through AWS_CA_BUNDLE. Terraform starts
 * the provider itself here: in the provider's debug mode (startProvider) its HTTP client takes
 * no custom CA bundle ("unable to add custom RootCAs").
 */
const terraform = (dir: string, args: string[]) => runTerraform(dir, args, { ...endpointEnv(https), AWS_CA_BUNDLE: caFile });

/** A one-file ustar archive. */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const h = Buffer.alloc(512);
  h.write(name, 0);
  for (const [at, v] of [[100, '0000644\0'], [108, '0000000\0'], [116, '0000000\0'], [124, `${data.length.toString(8).padStart(11, '0')}\0`], [136, '00000000000\0'], [148, '        '], [156, '0'], [257, 'ustar\0'], [263, '00']] as const) h.write(v, at);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]);
}

/** An OCI image layout with one image, ref `v1`; its manifest digest. */
function writeLayout(dir: string): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (b: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(b).digest('hex')}`;
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), b);
    return { digest, size: b.length };
  };
  const tar = tarOf('hello.txt', 'hello over TLS\n');
  const layer = put(gzipSync(tar));
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${createHash('sha256').update(tar).digest('hex')}`] } })));
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  })));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
  ] }));
  return manifest.digest;
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { env: { PATH: process.env.PATH, HOME: tmpdir() }, timeout: 60_000 });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (code) => done({ code, out }));
  });
}

// The Terraform run (mostly provider start-up) goes beside the others, which run one at a time.
describe('TLS', { concurrency: true }, () => {
describe('HTTPS and HTTP on one port', { concurrency: 1 }, () => {
  for (const cli of awsClis()) {
    test(`${cli.name}: over https:// with AWS_CA_BUNDLE and over http://; the TLS-only bucket denies http only`, { skip: cli.skip }, async () => {
      const env = { AWS_CA_BUNDLE: caFile };
      for (const url of [https, cl.url]) {
        assert.equal((await awsJson(cli.bin, url, ['sts', 'get-caller-identity'], env)).Account, '000000000000');
      }
      // The TLS-only bucket takes a put over https://; a read over http:// is denied.
      const key = `${cli.name.replace(/\W/g, '')}.txt`;
      const file = join(tmpdir(), `cloudlet-tls-${process.pid}-${key}`);
      writeFileSync(file, 'over TLS');
      const put = await awsJson(cli.bin, https, ['s3api', 'put-object', '--bucket', 'tls-only', '--key', key, '--body', file], env);
      rmSync(file);
      assert.match(put.ETag, /^"[0-9a-f]{32}"$/);
      const denied = await runAws(cli.bin, cl.url, ['s3api', 'list-objects-v2', '--bucket', 'tls-only'], env);
      assert.notEqual(denied.status, 0);
      assert.match(denied.stderr, /AccessDenied.*explicit deny in a resource-based policy/);
      // Without the CA the CLI refuses the certificate (a TLS error, not a hang).
      const untrusted = await runAws(cli.bin, https, ['sts', 'get-caller-identity']);
      assert.notEqual(untrusted.status, 0);
      assert.match(untrusted.stderr, /SSL|certificate/i);
    });
  }

  test('boto3: over https:// with AWS_CA_BUNDLE and over http://, presigned URLs in the scheme they were made for', { skip: needTool('boto3') }, async () => {
    const script = `
import json, os, ssl, sys, urllib.request
url, bucket, ca = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ['AWS_CA_BUNDLE'] = ca
import boto3
from botocore.config import Config
kw = dict(endpoint_url=url, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
out = {'account': boto3.client('sts', **kw).get_caller_identity()['Account']}
s3 = boto3.client('s3', config=Config(signature_version='s3v4'), **kw)
s3.put_object(Bucket=bucket, Key='boto3.txt', Body=b'from boto3')
out['body'] = s3.get_object(Bucket=bucket, Key='boto3.txt')['Body'].read().decode()
u = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'boto3.txt'})
out['scheme'] = u.split(':')[0]
out['presigned'] = urllib.request.urlopen(u, context=ssl.create_default_context(cafile=ca)).read().decode()
try:
    s3.list_objects_v2(Bucket='tls-only')
    out['tlsOnly'] = 'allowed'
except Exception as e:
    out['tlsOnly'] = e.response['Error']['Code']
print(json.dumps(out))
`;
    for (const [url, tlsOnly] of [[https, 'allowed'], [cl.url, 'AccessDenied']] as const) {
      const r = await runPython(script, [url, 'tls-open', caFile]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { account: '000000000000', body: 'from boto3', scheme: url.split(':')[0], presigned: 'from boto3', tlsOnly });
    }
  });

  test('JS SDK v3: an https.Agent with the CA, and NODE_EXTRA_CA_CERTS in a child process; presigned URLs keep their scheme', async () => {
    const sts = new STSClient({ ...clientConfig(https), requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '000000000000');
    sts.destroy();
    const s3 = s3Over(https);
    await s3.send(new PutObjectCommand({ Bucket: 'tls-only', Key: 'sdk.txt', Body: 'sdk over TLS' }));
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'tls-only', Key: 'sdk.txt' }))).Body), 'sdk over TLS');
    // A presigned URL: https:// for an https endpoint; it works over TLS; the same URL over http
    // passes SigV4 (the scheme is not signed) and then meets the TLS-only policy.
    const signed = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'tls-only', Key: 'sdk.txt' }), { expiresIn: 300 });
    assert.match(signed, /^https:\/\/localhost:\d+\/tls-only\/sdk\.txt\?/);
    assert.deepEqual(await httpsGet(signed, { ca }), { status: 200, body: 'sdk over TLS' });
    const plain = await fetch(signed.replace('https://', 'http://'));
    assert.equal(plain.status, 403);
    assert.match(await plain.text(), /AccessDenied/);
    s3.destroy();
    // The same request over http:// with the SDK's plain handler.
    const s3http = s3Over(cl.url);
    await rejects(s3http.send(new GetObjectCommand({ Bucket: 'tls-only', Key: 'sdk.txt' })), 'AccessDenied', 403,
      'User: arn:aws:iam::000000000000:root is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::tls-only/sdk.txt with an explicit deny in a resource-based policy');
    await s3http.send(new PutObjectCommand({ Bucket: 'tls-open', Key: 'plain.txt', Body: 'plain' }));
    s3http.destroy();
    // A child process trusting the CA through NODE_EXTRA_CA_CERTS, with the SDK's default handler.
    const child = await new Promise<{ code: number | null; out: string }>((done) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', `
        import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
        const c = new STSClient({ endpoint: ${JSON.stringify(https)}, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
        console.log((await c.send(new GetCallerIdentityCommand({}))).Arn);`], { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: caFile }, cwd: process.cwd() });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('close', (code) => done({ code, out: out + (code ? err : '') }));
    });
    assert.equal(child.code, 0, child.out);
    assert.equal(child.out.trim(), 'arn:aws:iam::000000000000:root');
  });

  test('the TLS-only policy: a plain-HTTP denial names the statement and aws:SecureTransport; HTTPS requests pass', async () => {
    const s3http = s3Over(cl.url);
    await rejects(s3http.send(new PutObjectCommand({ Bucket: 'tls-only', Key: 'x.txt', Body: 'x' })), 'AccessDenied', 403, /explicit deny in a resource-based policy/);
    s3http.destroy();
    const line = [...lines].reverse().find((l) => l.msg === 'access denied' && l.fields.operation === 's3:PutObject');
    assert.ok(line, 'a log line explains the denial');
    assert.equal(line.fields.policy, 'tls-only');
    assert.deepEqual(line.fields.statement, { sid: 'DenyInsecureTransport', index: 0 });
    assert.deepEqual(line.fields.conditions, { 'Bool:aws:SecureTransport': 'false' });
    const s3 = s3Over(https);
    await s3.send(new PutObjectCommand({ Bucket: 'tls-only', Key: 'x.txt', Body: 'x' }));
    s3.destroy();
  });

  test('virtual-hosted S3 over HTTPS: https://BUCKET.s3.localhost:PORT/KEY verifies against the certificate', async () => {
    const port = new URL(https).port;
    const vh = new S3Client({ ...clientConfig(`https://s3.localhost:${port}`), forcePathStyle: false, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
    // The SDK resolves vh-bucket.s3.localhost (not in this machine's resolver): presign, then connect to 127.0.0.1 by hand.
    const putUrl = await getSignedUrl(vh, new PutObjectCommand({ Bucket: 'vh-bucket', Key: 'k.txt' }), { expiresIn: 300 });
    assert.match(putUrl, new RegExp(`^https://vh-bucket\\.s3\\.localhost:${port}/k\\.txt\\?`));
    const put = await new Promise<number>((ok, fail) => {
      const u = new URL(putUrl);
      const req = httpsRequest({ host: '127.0.0.1', port, method: 'PUT', path: `${u.pathname}${u.search}`, ca, servername: u.hostname, headers: { host: u.host } }, (res) => { res.resume(); ok(res.statusCode!); });
      req.on('error', fail);
      req.end('virtual host');
    });
    assert.equal(put, 200);
    const getUrl = await getSignedUrl(vh, new GetObjectCommand({ Bucket: 'vh-bucket', Key: 'k.txt' }), { expiresIn: 300 });
    assert.deepEqual(await httpsGet(getUrl, { ca }), { status: 200, body: 'virtual host' });
    // A bucket name with a dot is two labels under the wildcard: the certificate does not cover it, as on AWS.
    await assert.rejects(httpsGet(getUrl.replace('vh-bucket.', 'my.vh-bucket.'), { ca }), /altnames/);
    vh.destroy();
  });

  test('SSE-C is refused over plain HTTP as S3 refuses it, and works over HTTPS', async () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    const input = { Bucket: 'tls-open', Key: 'ssec.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key };
    const s3http = s3Over(cl.url);
    await rejects(s3http.send(new PutObjectCommand({ ...input, Body: 'secret' })), 'InvalidRequest', 400,
      'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.');
    const s3 = s3Over(https);
    await s3.send(new PutObjectCommand({ ...input, Body: 'secret' }));
    assert.equal(await text((await s3.send(new GetObjectCommand(input))).Body), 'secret');
    await rejects(s3http.send(new GetObjectCommand(input)), 'InvalidRequest', 400, /must be made over a secure connection/);
    s3.destroy();
    s3http.destroy();
  });

  test('bad input: an untrusting client gets a TLS error, a garbage first byte closes the connection', async () => {
    const t0 = Date.now();
    await assert.rejects(httpsGet(`${https}/_cloudlet/health`), (e: NodeJS.ErrnoException) => /certificate/.test(e.message));
    assert.ok(Date.now() - t0 < 3000);
    const got = await new Promise<string>((ok) => {
      const s = connect(Number(new URL(https).port), '127.0.0.1', () => s.write(Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a])));
      let data = '';
      s.on('data', (d: Buffer) => { data += d.toString(); });
      s.on('error', () => undefined);
      s.on('close', () => ok(data));
    });
    assert.equal(got, '');
    assert.equal((await httpsGet(`${https}/_cloudlet/health`, { ca })).status, 200);
  });

  test('--tls only with the user\'s own pair: plain HTTP gets a 400 saying to use https; HTTPS serves with that pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-tls-own-'));
    try {
      const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const now = Date.now();
      const own = makeCertificate({ subject: { cn: 'my own' }, publicKey: keys.publicKey, issuer: { cn: 'my own', ...keys }, notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), ca: false, names: ['localhost', '127.0.0.1'] });
      writeFileSync(join(dir, 'own.crt'), own);
      writeFileSync(join(dir, 'own.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const only = await startTestServer({ tls: 'only', tlsCert: join(dir, 'own.crt'), tlsKey: join(dir, 'own.key') });
      try {
        assert.match(only.url, /^https:/);
        assert.equal(await only.tls.caFile(), undefined);
        const plain = await fetch(only.url.replace('https:', 'http:') + '/_cloudlet/health');
        assert.equal(plain.status, 400);
        assert.match(await plain.text(), /HTTPS only.*use https:\/\/127\.0\.0\.1:\d+\//);
        assert.equal((await httpsGet(`${only.url}/_cloudlet/health`, { ca: own })).status, 200);
        // Cloudlet's CA does not vouch for this server.
        await assert.rejects(httpsGet(`${only.url}/_cloudlet/health`, { ca }), /certificate/);
      } finally {
        await only.close();
      }
      // An unreadable pair stops `start`, naming the file.
      const bad = await runCli(['start', '--ephemeral', '--port', '0', '--tls-cert', join(dir, 'missing.crt'), '--tls-key', join(dir, 'own.key')]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, new RegExp(`cannot read --tls-cert ${join(dir, 'missing.crt')}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cloudlet ca: prints the CA path and one line per client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-tls-ca-'));
    try {
      const r = await runCli(['ca', '--data-dir', dir, '--port', '4566']);
      assert.equal(r.code, 0, r.stderr);
      const file = join(dir, 'tls', 'ca.crt');
      for (const s of [`cloudlet local certificate authority: ${file}`, `AWS_CA_BUNDLE=${file}`, `NODE_EXTRA_CA_CERTS=${file}`, '/etc/docker/certs.d/localhost:4566/ca.crt', `--cert-dir ${join(dir, 'tls')}`]) {
        assert.ok(r.stdout.includes(s), s);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Terraform over HTTPS: a bucket with the TLS-only policy', { skip: needTool('terraform'), concurrency: 1 }, () => {
  test('apply, a clean second plan, destroy', { timeout: 300_000 }, async () => {
    assert.ok(TF_MIRROR);
    const dir = terraformDir('terraform-tls', 'cloudlet-terraform-tls-');
    try {
      const init = await terraform(dir, ['init']);
      assert.equal(init.status, 0, init.out);
      const apply = await terraform(dir, ['apply', '-auto-approve']);
      assert.equal(apply.status, 0, apply.out);
      assert.match(apply.out, /Apply complete! Resources: 3 added/);
      // The policy is in force: plain HTTP is denied, HTTPS reads the object.
      const s3http = s3Over(cl.url);
      await rejects(s3http.send(new GetObjectCommand({ Bucket: 'tf-tls-only', Key: 'hello.txt' })), 'AccessDenied', 403);
      s3http.destroy();
      const s3 = s3Over(https);
      assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'tf-tls-only', Key: 'hello.txt' }))).Body), 'over TLS');
      s3.destroy();
      const plan = await terraform(dir, ['plan', '-detailed-exitcode']);
      assert.equal(plan.status, 0, `a second plan must show no changes:\n${plan.out}`);
      const destroy = await terraform(dir, ['destroy', '-auto-approve']);
      assert.equal(destroy.status, 0, destroy.out);
      assert.match(destroy.out, /Destroy complete! Resources: 3 destroyed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
describe('skopeo over HTTPS, trusting only cloudlet\'s CA', { skip: needTool('skopeo'), concurrency: 1 }, () => {
  test('pushes to and pulls from localhost:PORT/NAME, and pushes to the repositoryUri, with TLS verification on (--dest-cert-dir/--src-cert-dir holding ca.crt only)', { timeout: 120_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-tls-skopeo-'));
    try {
      const certs = join(dir, 'certs');
      mkdirSync(certs);
      copyFileSync(caFile, join(certs, 'ca.crt'));
      const digest = writeLayout(join(dir, 'src'));
      const ecr = new ECRClient({ ...clientConfig(https), requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
      const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tls/app' }))).repository!;
      assert.match(repo.repositoryUri!, /^000000000000\.dkr\.ecr\.us-east-1\.localhost:\d+\/tls\/app$/);
      const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!;
      const creds = Buffer.from(token.authorizationToken!, 'base64').toString();
      const dest = `docker://localhost:${new URL(https).port}/tls/app:v1`;
      const push = await run('skopeo', ['--insecure-policy', 'copy', '--dest-creds', creds, '--dest-cert-dir', certs, `oci:${join(dir, 'src')}:v1`, dest]);
      assert.equal(push.code, 0, push.out);
      const pull = await run('skopeo', ['--insecure-policy', 'copy', '--src-creds', creds, '--src-cert-dir', certs, dest, `oci:${join(dir, 'out')}:v1`]);
      assert.equal(pull.code, 0, pull.out);
      const index = JSON.parse(readFileSync(join(dir, 'out', 'index.json'), 'utf8'));
      assert.equal(index.manifests[0].digest, digest);
      const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'tls/app' }));
      assert.deepEqual(images.imageDetails?.map((i) => [i.imageDigest, i.imageTags]), [[digest, ['v1']]]);
      // Without the CA, verification fails: skopeo does not fall back to plain HTTP when verifying.
      const untrusted = await run('skopeo', ['--insecure-policy', 'inspect', '--creds', creds, dest]);
      assert.notEqual(untrusted.code, 0);
      assert.match(untrusted.out, /certificate signed by unknown authority|x509/);
      // The repositoryUri exactly as ECR reports it, where its name resolves: a private mount
      // namespace whose /etc/hosts maps it to loopback (this machine's resolver, like Go's, does
      // not map *.localhost), so nothing outside this one skopeo process changes.
      if (process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0) {
        const hosts = join(dir, 'hosts');
        writeFileSync(hosts, `127.0.0.1 ${repo.repositoryUri!.split(':')[0]}\n${readFileSync('/etc/hosts', 'utf8')}`);
        const asAws = await run('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec skopeo --insecure-policy copy --dest-creds "$1" --dest-cert-dir "$2" "$3" "docker://$4:v2"',
          hosts, creds, certs, `oci:${join(dir, 'src')}:v1`, repo.repositoryUri!]);
        assert.equal(asAws.code, 0, asAws.out);
        const tagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'tls/app', imageIds: [{ imageTag: 'v2' }] }));
        assert.equal(tagged.imageDetails?.[0]?.imageDigest, digest, 'pushed through the AWS-form URI with TLS verification on');
      } else {
        t.diagnostic('the ACCOUNT.dkr.ecr.REGION.localhost form is pushed only as root (a private mount namespace maps the name)');
      }
      ecr.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
});
