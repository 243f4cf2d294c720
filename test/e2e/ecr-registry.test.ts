// The ECR registry (OCI distribution API on /v2/) with real clients: skopeo pushes an OCI layout
// the test writes and pulls it back; raw HTTP for what skopeo does not show (wrong digests,
// out-of-order chunks, the ACCOUNT.dkr.ecr.REGION.localhost Host form, expired tokens).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  BatchCheckLayerAvailabilityCommand, CompleteLayerUploadCommand, CreateRepositoryCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand, ECRClient,
  GetAuthorizationTokenCommand, GetDownloadUrlForLayerCommand, InitiateLayerUploadCommand, SetRepositoryPolicyCommand, UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';

const run = promisify(execFile);
const A = '111111111111';
const B = '222222222222';
const REGION = 'us-east-1';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A tar archive of one file (ustar header + data + end blocks). */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

/** Writes an OCI image layout: one image per arch, an index over them; refs `v1` (amd64) and `multi`. */
async function writeLayout(dir: string): Promise<{ single: string; index: string }> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (b: Buffer | string) => {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
    const d = sha(buf);
    await writeFile(join(dir, 'blobs', 'sha256', d.slice(7)), buf);
    return { digest: d, size: buf.length };
  };
  const image = async (arch: string) => {
    const tar = tarOf('hello.txt', `hello from ${arch}\n`);
    const layer = await put(gzipSync(tar));
    const config = await put(JSON.stringify({ architecture: arch, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha(tar)] } }));
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
    return { ...(await put(manifest)), arch };
  };
  const amd = await image('amd64');
  const arm = await image('arm64');
  const index = await put(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [amd, arm].map((m) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: m.size, platform: { architecture: m.arch, os: 'linux' } })),
  }));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
      { mediaType: OCI_INDEX, digest: index.digest, size: index.size, annotations: { 'org.opencontainers.image.ref.name': 'multi' } },
    ],
  }));
  return { single: amd.digest, index: index.digest };
}

interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A raw HTTP request to the server (node:http lets the test set Host). */
function http(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Res> {
  return new Promise((ok, fail) => {
    const r = request({ host: '127.0.0.1', port, method, path, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', fail);
    r.end(body);
  });
}

const errCode = (r: Res) => (JSON.parse(r.body.toString()) as { errors: Array<{ code: string; message: string }> }).errors[0]!;

describe('ECR registry', { skip: needTool('skopeo') }, () => {
  let cl: Cloudlet;
  let port: number;
  let dir: string;
  let layout: { single: string; index: string };
  let ecrA: ECRClient;
  let ecrB: ECRClient;
  let pwA: string;
  let pwB: string;
  const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`AWS:${pw}`).toString('base64')}` });
  const password = async (c: ECRClient) => {
    const t = await c.send(new GetAuthorizationTokenCommand({}));
    return Buffer.from(t.authorizationData![0]!.authorizationToken!, 'base64').toString().slice(4);
  };
  const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeout: 30_000 });

  before(async () => {
    cl = await startTestServer();
    port = Number(new URL(cl.url).port);
    dir = await mkdtemp(join(tmpdir(), 'cloudlet-ecr-'));
    layout = await writeLayout(join(dir, 'src'));
    ecrA = new ECRClient(clientConfig(cl.url, REGION, { accessKeyId: A, secretAccessKey: 'test' }));
    ecrB = new ECRClient(clientConfig(cl.url, REGION, { accessKeyId: B, secretAccessKey: 'test' }));
    await ecrA.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    pwA = await password(ecrA);
    pwB = await password(ecrB);
  });
  after(async () => {
    ecrA?.destroy();
    ecrB?.destroy();
    await cl?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('GET /v2/ asks for Basic credentials and takes the get-login-password token', async () => {
    const r = await http(port, 'GET', '/v2/');
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /^Basic realm="http:\/\/127\.0\.0\.1:\d+\/"/);
    assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
    assert.equal(errCode(r).code, 'UNAUTHORIZED');
    assert.equal((await http(port, 'GET', '/v2/', basic(pwA))).status, 200);
    // The bearer flow: the token endpoint trades the Basic credentials for a bearer token.
    const tok = await http(port, 'GET', '/v2/token?service=ecr.amazonaws.com&scope=repository:team/app:pull', basic(pwA));
    assert.equal(tok.status, 200);
    const bearer = (JSON.parse(tok.body.toString()) as { token: string }).token;
    assert.equal((await http(port, 'GET', '/v2/', { authorization: `Bearer ${bearer}` })).status, 200);
    assert.equal((await http(port, 'GET', '/v2/_catalog', basic(pwA))).status, 405);
    const forged = await http(port, 'GET', '/v2/', basic(pwA.slice(0, -4) + 'AAAA'));
    assert.equal(forged.status, 401);
    assert.match(errCode(forged).message, /not issued by this registry/);
  });

  test('skopeo pushes an OCI image to localhost:PORT/NAME and pulls it back unchanged; DescribeImages sees it', async () => {
    await skopeo(['copy', '--dest-creds', `AWS:${pwA}`, '--dest-tls-verify=false', `oci:${join(dir, 'src')}:v1`, `docker://localhost:${port}/team/app:v1`]);
    await skopeo(['copy', '--src-creds', `AWS:${pwA}`, '--src-tls-verify=false', `docker://localhost:${port}/team/app:v1`, `oci:${join(dir, 'out')}:v1`]);
    const idx = JSON.parse(await readFile(join(dir, 'out', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(idx.manifests[0]!.digest, layout.single);
    const m = JSON.parse(await readFile(join(dir, 'out', 'blobs', 'sha256', layout.single.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
    const layer = await readFile(join(dir, 'out', 'blobs', 'sha256', m.layers[0]!.digest.slice(7)));
    assert.equal(sha(layer), m.layers[0]!.digest);
    const d = await ecrA.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    const img = d.imageDetails!.find((i) => i.imageDigest === layout.single);
    assert.ok(img, 'the pushed image is in DescribeImages');
    assert.deepEqual(img.imageTags, ['v1']);
    assert.equal(img.imageManifestMediaType, OCI_MANIFEST);
  });

  test('a multi-arch index round-trips with --all', async () => {
    await skopeo(['copy', '--all', '--dest-creds', `AWS:${pwA}`, '--dest-tls-verify=false', `oci:${join(dir, 'src')}:multi`, `docker://localhost:${port}/team/app:multi`]);
    await skopeo(['copy', '--all', '--src-creds', `AWS:${pwA}`, '--src-tls-verify=false', `docker://localhost:${port}/team/app:multi`, `oci:${join(dir, 'out2')}:multi`]);
    const idx = JSON.parse(await readFile(join(dir, 'out2', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(idx.manifests[0]!.digest, layout.index);
    const tags = await http(port, 'GET', '/v2/team/app/tags/list?n=1', basic(pwA));
    assert.deepEqual(JSON.parse(tags.body.toString()), { name: 'team/app', tags: ['multi'] });
    assert.equal(tags.headers['link'], '</v2/team/app/tags/list?n=1&last=multi>; rel="next"');
    const rest = await http(port, 'GET', '/v2/team/app/tags/list?n=1&last=multi', basic(pwA));
    assert.deepEqual(JSON.parse(rest.body.toString()).tags, ['v1']);
  });

  test('skopeo --format v2s2 pushes a Docker schema 2 image; scan on push runs for a registry push', async () => {
    await ecrA.send(new CreateRepositoryCommand({ repositoryName: 'scanned', imageScanningConfiguration: { scanOnPush: true } }));
    await skopeo(['copy', '--format', 'v2s2', '--dest-creds', `AWS:${pwA}`, '--dest-tls-verify=false', `oci:${join(dir, 'src')}:v1`, `docker://localhost:${port}/scanned:v2s2`]);
    const docker = 'application/vnd.docker.distribution.manifest.v2+json';
    const r = await http(port, 'GET', '/v2/scanned/manifests/v2s2', { ...basic(pwA), accept: `${docker}, ${OCI_MANIFEST}` });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], docker);
    assert.equal(JSON.parse(r.body.toString()).mediaType, docker);
    const f = await ecrA.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v2s2' } }));
    assert.ok(f.imageScanStatus?.status, 'the push started a scan');
  });

  test('the repositoryUri host form ACCOUNT.dkr.ecr.REGION.localhost:PORT serves the same manifest', async () => {
    const host = `${A}.dkr.ecr.${REGION}.localhost:${port}`;
    const r = await http(port, 'GET', '/v2/team/app/manifests/v1', { ...basic(pwA), host, accept: OCI_MANIFEST });
    assert.equal(r.status, 200);
    assert.equal(r.headers['docker-content-digest'], layout.single);
    assert.equal(r.headers['content-type'], OCI_MANIFEST);
    assert.equal(sha(r.body), layout.single);
    const other = await http(port, 'GET', '/v2/team/app/manifests/v1', { ...basic(pwA), host, accept: 'application/vnd.docker.distribution.manifest.v2+json' });
    assert.equal(other.status, 404);
    assert.equal(errCode(other).code, 'MANIFEST_UNKNOWN');
  });

  test('blob pushes: a wrong digest is refused and nothing is stored; an out-of-order chunk is 416', async () => {
    const body = Buffer.from('some layer bytes');
    const wrong = sha('other bytes');
    const r = await http(port, 'POST', `/v2/team/app/blobs/uploads/?digest=${wrong}`, { ...basic(pwA), 'content-type': 'application/octet-stream' }, body);
    assert.equal(r.status, 400);
    assert.equal(errCode(r).code, 'DIGEST_INVALID');
    assert.equal((await http(port, 'HEAD', `/v2/team/app/blobs/${wrong}`, basic(pwA))).status, 404);
    assert.equal((await http(port, 'HEAD', `/v2/team/app/blobs/${sha(body)}`, basic(pwA))).status, 404);

    const start = await http(port, 'POST', '/v2/team/app/blobs/uploads/', basic(pwA));
    assert.equal(start.status, 202);
    const loc = new URL(String(start.headers['location']));
    const p1 = await http(port, 'PATCH', loc.pathname, { ...basic(pwA), 'content-range': '0-3' }, body.subarray(0, 4));
    assert.equal(p1.status, 202);
    assert.equal(p1.headers['range'], '0-3');
    const skip = await http(port, 'PATCH', loc.pathname, { ...basic(pwA), 'content-range': '8-15' }, body.subarray(8));
    assert.equal(skip.status, 416);
    assert.equal(skip.headers['range'], '0-3');
    const p2 = await http(port, 'PATCH', loc.pathname, { ...basic(pwA), 'content-range': '4-15' }, body.subarray(4));
    assert.equal(p2.status, 202);
    const done = await http(port, 'PUT', `${loc.pathname}?digest=${sha(body)}`, basic(pwA));
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], sha(body));
    const ranged = await http(port, 'GET', `/v2/team/app/blobs/${sha(body)}`, { ...basic(pwA), range: 'bytes=5-9' });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.body.toString(), body.subarray(5, 10).toString());
    assert.equal((await http(port, 'GET', `/v2/team/app/blobs/${sha(body)}`, { ...basic(pwA), range: 'bytes=99-' })).status, 416);
  });

  test('the ECR layer API: parts in order, digest checked, the layer visible to the registry; download URLs', async () => {
    const bytes = Buffer.from('layer pushed through the API');
    const { uploadId } = await ecrA.send(new InitiateLayerUploadCommand({ repositoryName: 'team/app' }));
    const part = (first: number, b: Buffer, id = uploadId) =>
      ecrA.send(new UploadLayerPartCommand({ repositoryName: 'team/app', uploadId: id, partFirstByte: first, partLastByte: first + b.length - 1, layerPartBlob: b }));
    await assert.rejects(part(3, bytes), (e: Error & { lastValidByteReceived?: number }) => e.name === 'InvalidLayerPartException' && e.lastValidByteReceived === -1);
    await assert.rejects(part(0, bytes, '00000000-0000-4000-8000-000000000000'), { name: 'UploadNotFoundException' });
    assert.equal((await part(0, bytes)).lastByteReceived, bytes.length - 1);
    const done = await ecrA.send(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId, layerDigests: [sha(bytes)] }));
    assert.equal(done.layerDigest, sha(bytes));
    const head = await http(port, 'HEAD', `/v2/team/app/blobs/${sha(bytes)}`, basic(pwA));
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(bytes.length));
    const check = await ecrA.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'team/app', layerDigests: [sha(bytes), sha('nope')] }));
    assert.deepEqual(check.layers?.map((l) => [l.layerDigest, l.layerAvailability, l.layerSize]), [[sha(bytes), 'AVAILABLE', bytes.length]]);
    assert.equal(check.failures?.[0]?.failureCode, 'MissingLayerDigest');

    const again = await ecrA.send(new InitiateLayerUploadCommand({ repositoryName: 'team/app' }));
    await assert.rejects(ecrA.send(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId: again.uploadId, layerDigests: [sha(bytes)] })), { name: 'EmptyUploadException' });
    await part(0, bytes, again.uploadId);
    await assert.rejects(ecrA.send(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId: again.uploadId, layerDigests: [sha(bytes)] })), { name: 'LayerAlreadyExistsException' });
    // Parts before the last one must be 5 MiB at least.
    const small = await ecrA.send(new InitiateLayerUploadCommand({ repositoryName: 'team/app' }));
    await part(0, Buffer.from('ab'), small.uploadId);
    await part(2, Buffer.from('cd'), small.uploadId);
    await assert.rejects(ecrA.send(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId: small.uploadId, layerDigests: [sha('abcd')] })), { name: 'LayerPartTooSmallException' });
    const bad = await ecrA.send(new InitiateLayerUploadCommand({ repositoryName: 'team/app' }));
    await part(0, Buffer.from('xyz'), bad.uploadId);
    await assert.rejects(ecrA.send(new CompleteLayerUploadCommand({ repositoryName: 'team/app', uploadId: bad.uploadId, layerDigests: [sha('abc')] })), { name: 'InvalidLayerException' });
    assert.equal((await http(port, 'HEAD', `/v2/team/app/blobs/${sha('xyz')}`, basic(pwA))).status, 404);
    await assert.rejects(part(3, Buffer.from('more'), bad.uploadId), { name: 'UploadNotFoundException' });

    // A layer no image uses is not downloadable; one of the pushed image's is, by URL, without credentials.
    await assert.rejects(ecrA.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: sha(bytes) })), { name: 'LayerInaccessibleException' });
    await assert.rejects(ecrA.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: sha('nope') })), { name: 'LayersNotFoundException' });
    const m = JSON.parse(await readFile(join(dir, 'src', 'blobs', 'sha256', layout.single.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
    const layerDigest = m.layers[0]!.digest;
    const { downloadUrl } = await ecrA.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest }));
    const got = await fetch(downloadUrl!);
    assert.equal(got.status, 200);
    assert.equal(sha(Buffer.from(await got.arrayBuffer())), layerDigest);
    const tampered = await fetch(downloadUrl!.replace(layerDigest, sha(bytes)));
    assert.equal(tampered.status, 401);
  });

  test('manifests over raw HTTP: subject and referrers, missing blobs, malformed manifests, immutable tags', async () => {
    const push = async (b: Buffer) => {
      const r = await http(port, 'POST', `/v2/team/app/blobs/uploads/?digest=${sha(b)}`, basic(pwA), b);
      assert.equal(r.status, 201);
      return { digest: sha(b), size: b.length };
    };
    const config = await push(Buffer.from('{}'));
    const payload = await push(Buffer.from('signature bytes'));
    const sig = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
      layers: [{ mediaType: 'application/octet-stream', ...payload }],
      subject: { mediaType: OCI_MANIFEST, digest: layout.single, size: 1 },
      annotations: { 'org.example.signer': 'ci' },
    }));
    const put = (ref: string, body: Buffer, type = OCI_MANIFEST) => http(port, 'PUT', `/v2/team/app/manifests/${ref}`, { ...basic(pwA), 'content-type': type }, body);
    const r = await put(sha(sig), sig);
    assert.equal(r.status, 201);
    assert.equal(r.headers['oci-subject'], layout.single);
    assert.equal(r.headers['docker-content-digest'], sha(sig));
    assert.equal(r.headers['location'], `http://127.0.0.1:${port}/v2/team/app/manifests/${sha(sig)}`);
    const refs = await http(port, 'GET', `/v2/team/app/referrers/${layout.single}`, basic(pwA));
    assert.equal(refs.headers['content-type'], OCI_INDEX);
    assert.deepEqual(JSON.parse(refs.body.toString()).manifests, [{
      mediaType: OCI_MANIFEST, digest: sha(sig), size: sig.length, artifactType: 'application/vnd.example.sig', annotations: { 'org.example.signer': 'ci' },
    }]);
    const filtered = await http(port, 'GET', `/v2/team/app/referrers/${layout.single}?artifactType=application/other`, basic(pwA));
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual(JSON.parse(filtered.body.toString()).manifests, []);
    // Deleted by digest: gone from the registry, the referrers and DescribeImages.
    assert.equal((await http(port, 'DELETE', `/v2/team/app/manifests/${sha(sig)}`, basic(pwA))).status, 202);
    assert.equal((await http(port, 'GET', `/v2/team/app/manifests/${sha(sig)}`, basic(pwA))).status, 404);
    assert.deepEqual(JSON.parse((await http(port, 'GET', `/v2/team/app/referrers/${layout.single}`, basic(pwA))).body.toString()).manifests, []);
    const listed = await ecrA.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    assert.ok(!listed.imageDetails!.some((i) => i.imageDigest === sha(sig)));

    const missing = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha('never pushed'), size: 12 }],
    }));
    const m1 = await put('broken', missing);
    assert.equal(m1.status, 400);
    assert.equal(errCode(m1).code, 'MANIFEST_BLOB_UNKNOWN');
    const m2 = await put('broken', Buffer.from('{"schemaVersion": 2, '));
    assert.equal(errCode(m2).code, 'MANIFEST_INVALID');
    const m3 = await put(`sha256:${'0'.repeat(64)}`, sig);
    assert.equal(errCode(m3).code, 'DIGEST_INVALID');
    assert.equal((await http(port, 'GET', '/v2/team/app/manifests/broken', basic(pwA))).status, 404);
    assert.equal(errCode(await http(port, 'GET', '/v2/no/such/manifests/v1', basic(pwA))).code, 'NAME_UNKNOWN');

    await ecrA.send(new CreateRepositoryCommand({ repositoryName: 'fixed', imageTagMutability: 'IMMUTABLE' }));
    await skopeo(['copy', '--dest-creds', `AWS:${pwA}`, '--dest-tls-verify=false', `oci:${join(dir, 'src')}:v1`, `docker://localhost:${port}/fixed:v1`]);
    const same = await readFile(join(dir, 'src', 'blobs', 'sha256', layout.single.slice(7)));
    const retag = await http(port, 'PUT', '/v2/fixed/manifests/v1', { ...basic(pwA), 'content-type': OCI_MANIFEST }, same);
    assert.equal(retag.status, 400);
    assert.equal(errCode(retag).code, 'TAG_INVALID');
    assert.match(errCode(retag).message, /cannot be overwritten because the repository is immutable/);
  });

  test('identity policies decide registry calls; a mount needs pull rights on the source, else it falls back to an upload session', async () => {
    const iam = new IAMClient(clientConfig(cl.url, REGION, { accessKeyId: A, secretAccessKey: 'test' }));
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    const arn = (n: string) => `arn:aws:ecr:${REGION}:${A}:repository/${n}`;
    await iam.send(new PutUserPolicyCommand({
      UserName: 'ci', PolicyName: 'push-other',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'PushOther', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'], Resource: arn('other') },
      ] }),
    }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    iam.destroy();
    const ecrCi = new ECRClient(clientConfig(cl.url, REGION, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const pwCi = await password(ecrCi);
    ecrCi.destroy();
    await ecrA.send(new CreateRepositoryCommand({ repositoryName: 'other' }));
    const m = JSON.parse(await readFile(join(dir, 'src', 'blobs', 'sha256', layout.single.slice(7)), 'utf8')) as { layers: Array<{ digest: string }> };
    const layer = m.layers[0]!.digest;

    const denied = await http(port, 'GET', `/v2/team/app/manifests/v1`, { ...basic(pwCi), accept: OCI_MANIFEST });
    assert.equal(denied.status, 403);
    assert.equal(errCode(denied).code, 'DENIED');
    assert.match(errCode(denied).message, /ecr:BatchGetImage/);
    const fallback = await http(port, 'POST', `/v2/other/blobs/uploads/?mount=${layer}&from=team/app`, basic(pwCi));
    assert.equal(fallback.status, 202);
    assert.match(String(fallback.headers['location']), /\/v2\/other\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.equal((await http(port, 'HEAD', `/v2/other/blobs/${layer}`, basic(pwCi))).status, 404);
    const mounted = await http(port, 'POST', `/v2/other/blobs/uploads/?mount=${layer}&from=team/app`, basic(pwA));
    assert.equal(mounted.status, 201);
    assert.equal(mounted.headers['docker-content-digest'], layer);
    assert.equal((await http(port, 'HEAD', `/v2/other/blobs/${layer}`, basic(pwCi))).status, 200);

    // The push-only user pushes with skopeo, and may not read what it pushed.
    await skopeo(['copy', '--dest-creds', `AWS:${pwCi}`, '--dest-tls-verify=false', `oci:${join(dir, 'src')}:v1`, `docker://localhost:${port}/other:ci`]);
    const d = await ecrA.send(new DescribeImagesCommand({ repositoryName: 'other' }));
    assert.deepEqual(d.imageDetails?.map((i) => [i.imageDigest, i.imageTags]), [[layout.single, ['ci']]]);
    assert.equal((await http(port, 'GET', `/v2/other/blobs/${layer}`, basic(pwCi))).status, 403);
  });

  test('another account pulls only after the repository policy allows it', async () => {
    const src = `docker://localhost:${port}/${A}.dkr.ecr.${REGION}/team/app:v1`;
    const pull = () => skopeo(['copy', '--src-creds', `AWS:${pwB}`, '--src-tls-verify=false', src, `oci:${join(dir, 'cross')}:v1`]);
    await assert.rejects(pull(), (e: Error & { stderr?: string }) => /denied|403/i.test(String(e.stderr)));
    const raw = await http(port, 'GET', `/v2/${A}.dkr.ecr.${REGION}/team/app/manifests/v1`, { ...basic(pwB), accept: OCI_MANIFEST });
    assert.equal(raw.status, 403);
    assert.equal(errCode(raw).code, 'DENIED');
    await ecrA.send(new SetRepositoryPolicyCommand({
      repositoryName: 'team/app',
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
      }),
    }));
    await pull();
    const idx = JSON.parse(await readFile(join(dir, 'cross', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(idx.manifests[0]!.digest, layout.single);
  });

  test('a token is refused once the clock passes its 12 hours', async () => {
    const adv = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '13h' }) });
    assert.equal(adv.status, 200);
    const r = await http(port, 'GET', '/v2/team/app/tags/list', basic(pwA));
    assert.equal(r.status, 401);
    assert.match(errCode(r).message, /expired/);
    assert.match(String(r.headers['www-authenticate']), /^Basic /);
  });

  test('an upload left half-way is collected with its bytes a day later', async () => {
    const pw = await password(ecrA);
    const start = await http(port, 'POST', '/v2/team/app/blobs/uploads/', basic(pw));
    const loc = new URL(String(start.headers['location'])).pathname;
    assert.equal((await http(port, 'PATCH', loc, basic(pw), Buffer.from('half a layer'))).status, 202);
    const status = await http(port, 'GET', loc, basic(pw));
    assert.equal(status.status, 204);
    assert.equal(status.headers['range'], '0-11');
    // A chunk cut off mid-body leaves no blob and does not move the upload.
    const blobsBefore = cl.deps.blobs.ids().length;
    await new Promise<void>((ok) => {
      const r = request({ host: '127.0.0.1', port, method: 'PATCH', path: loc, headers: { ...basic(pw), 'content-length': '100000' } });
      r.on('error', () => ok());
      r.write(Buffer.alloc(5000, 1), () => setTimeout(() => { r.destroy(); ok(); }, 50));
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(cl.deps.blobs.ids().length, blobsBefore);
    assert.equal((await http(port, 'GET', loc, basic(pw))).headers['range'], '0-11');
    const uuid = loc.split('/').pop()!;
    const row = await cl.deps.store.transaction((tx) => tx.get<{ parts: Array<{ blob: string }> }>({ account: A, region: REGION }, 'ecr:upload', uuid));
    const part = row!.parts[0]!.blob;
    assert.equal(cl.deps.blobs.size(part), 12);
    await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '25h' }) });
    const pw2 = await password(ecrA);
    const gone = await http(port, 'GET', loc, basic(pw2));
    assert.equal(gone.status, 404);
    assert.equal(errCode(gone).code, 'BLOB_UPLOAD_UNKNOWN');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(cl.deps.blobs.size(part), undefined);
  });
});
