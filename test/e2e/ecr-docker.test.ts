// docker itself, through the ECR repositoryUri exactly as CreateRepository reports it
// (ACCOUNT.dkr.ecr.REGION.localhost:PORT/NAME), over HTTPS verified against cloudlet's CA:
// `docker login` with GetAuthorizationToken's password, push, pull, and a refused pull once
// logged out. The test runs its own Docker engine (root; vfs storage, no bridge, no iptables,
// every path in a temp dir) in a private mount namespace whose /etc/hosts maps the registry name
// and whose /etc/docker is a temp dir, so nothing outside this one engine changes. No container
// runs: the image is imported from a tar.
//
// The name maps to ::1, not 127.0.0.1: docker treats every registry that resolves into
// 127.0.0.0/8 as insecure and then skips certificate verification, so only a non-127 address
// proves the CA is what lets docker in (it is refused with x509 before ca.crt is in certs.d).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Cloudlet } from '../../src/server/server.js';
import { DOCKER_MANIFEST } from '../helpers/ecr.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { hostsFile } from '../helpers/hosts.js';
import { needTool } from '../helpers/tools.js';

interface Ran { code: number | null; out: string }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', (err) => done({ code: -1, out: `${out}${err.message}` }));
    child.on('close', (code) => done({ code, out }));
    // A command that exits without reading its input closes the pipe: EPIPE is no error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

describe('docker logs in, pushes and pulls through the ECR repositoryUri over verified TLS', { skip: needTool('dockerd'), concurrency: 1 }, () => {
  let cl: Cloudlet;
  let dir: string;
  let engine: ChildProcess | undefined;
  let engineLog = '';
  let env: NodeJS.ProcessEnv;
  let ecr: ECRClient;
  let agent: Agent | undefined;
  let uri: string;
  let host: string;
  let password: string;
  const docker = (args: string[], input?: string) => run('docker', args, env, input);

  before(async () => {
    cl = await startTestServer({ host: '::1', tls: 'only', iam: 'enforce' });
    const ca = readFileSync((await cl.tls.caFile())!, 'utf8');
    ecr = new ECRClient({ ...clientConfig(cl.url), requestHandler: new NodeHttpHandler({ httpsAgent: (agent = new Agent({ ca })) }) });
    uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'docker/app' }))).repository!.repositoryUri!;
    host = uri.split('/')[0]!;
    assert.match(host, /^\d{12}\.dkr\.ecr\.us-east-1\.localhost:\d+$/);
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!;
    password = Buffer.from(token, 'base64').toString().replace(/^AWS:/, '');

    dir = mkdtempSync(join(tmpdir(), 'cloudlet-docker-'));
    const hosts = hostsFile(dir, [`::1 ${host.split(':')[0]}`]);
    const etcDocker = join(dir, 'etc-docker');
    mkdirSync(join(etcDocker, 'certs.d'), { recursive: true });
    const sock = join(dir, 'docker.sock');
    env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'cli') };
    engine = spawn('unshare', ['-m', 'sh', '-c',
      'h="$0"; d="$1"; shift; mount --bind "$h" /etc/hosts && mkdir -p /etc/docker && mount --bind "$d" /etc/docker && exec dockerd "$@"',
      hosts, etcDocker, '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
      '--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
      '-H', `unix://${sock}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    engine.stdout!.on('data', (d: Buffer) => { engineLog = `${engineLog}${d}`.slice(-20_000); });
    engine.stderr!.on('data', (d: Buffer) => { engineLog = `${engineLog}${d}`.slice(-20_000); });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (engine.exitCode !== null) throw new Error(`dockerd exited ${engine.exitCode}:\n${engineLog.slice(-3000)}`);
      if ((await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer within 60 s:\n${engineLog.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The image: one file, imported (no container runs).
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    writeFileSync(join(rootfs, 'hello.txt'), 'hello from cloudlet\n');
    const tar = await run('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.'], env);
    assert.equal(tar.code, 0, tar.out);
    const imported = await docker(['import', join(dir, 'rootfs.tar'), `${uri}:v1`]);
    assert.equal(imported.code, 0, imported.out);
  });

  after(async () => {
    ecr?.destroy();
    if (engine && engine.exitCode === null) {
      const exited = new Promise((done) => engine!.once('exit', done));
      engine.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => { timer = setTimeout(r, 20_000); })]);
      clearTimeout(timer);
      if (engine.exitCode === null) engine.kill('SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    // containerd, the engine's child, may hold the pipes a moment longer: do not wait for it.
    engine?.stdout?.destroy();
    engine?.stderr?.destroy();
    agent?.destroy();
    await cl?.close();
  });

  test('without cloudlet\'s CA in certs.d docker refuses the certificate; with it, login succeeds', async () => {
    const untrusted = await docker(['login', '--username', 'AWS', '--password-stdin', host], password);
    assert.notEqual(untrusted.code, 0, untrusted.out);
    assert.match(untrusted.out, /x509|certificate signed by unknown authority/);
    const certs = join(dir, 'etc-docker', 'certs.d', host);
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'ca.crt'), readFileSync((await cl.tls.caFile())!));
    const wrong = await docker(['login', '--username', 'AWS', '--password-stdin', host], 'not-the-token');
    assert.notEqual(wrong.code, 0, 'a wrong password is refused');
    assert.match(wrong.out, /unauthorized|401|denied/i);
    const login = await docker(['login', '--username', 'AWS', '--password-stdin', host], password);
    assert.equal(login.code, 0, login.out);
    assert.match(login.out, /Login Succeeded/);
  });

  test('docker push stores the image under the pushed tag with docker\'s manifest', async () => {
    const push = await docker(['push', `${uri}:v1`]);
    assert.equal(push.code, 0, `${push.out}\n${engineLog.slice(-2000)}`);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.out)?.[1];
    assert.ok(digest, push.out);
    const image = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'docker/app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!;
    assert.equal(image.imageDigest, digest);
    assert.equal(image.imageManifestMediaType, DOCKER_MANIFEST);
    assert.deepEqual(image.imageTags, ['v1']);
  });

  test('docker pull brings the same image back; logged out, the pull is refused', async () => {
    const digest = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'docker/app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!.imageDigest!;
    assert.equal((await docker(['rmi', `${uri}:v1`])).code, 0);
    const pull = await docker(['pull', `${uri}:v1`]);
    assert.equal(pull.code, 0, pull.out);
    assert.match(pull.out, new RegExp(`Digest: ${digest}`));
    const inspect = await docker(['image', 'inspect', '--format', '{{join .RepoDigests ","}}', `${uri}:v1`]);
    assert.equal(inspect.code, 0, inspect.out);
    assert.ok(inspect.out.includes(`${uri}@${digest}`), inspect.out);
    const pulled = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'docker/app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0]!;
    assert.ok(pulled.lastRecordedPullTime, 'the pull is recorded');

    assert.equal((await docker(['logout', host])).code, 0);
    assert.equal((await docker(['rmi', `${uri}:v1`])).code, 0);
    const refused = await docker(['pull', `${uri}:v1`]);
    assert.notEqual(refused.code, 0, refused.out);
    assert.match(refused.out, /no basic auth credentials|unauthorized|denied/i);
  });
});
