/**
 * Registry side by side (issue 17): `skopeo copy` push and pull of a 200 MiB, 5-layer OCI image
 * against cloudlet's registry (`/v2/` on its own port: `npm start`'s bundle on a data directory,
 * state on disk as users run it, authenticated with an ECR token as `AWS:<password>`) and against
 * Debian's docker-registry (CNCF distribution 2.8, filesystem storage in a temporary directory: it
 * fsyncs each file it writes, as cloudlet's data directory does; no auth), all on 127.0.0.1, one
 * transfer at a time, each round starting with another server. Like for like transports: cloudlet
 * `--tls off` against distribution over plain HTTP, and cloudlet's default (`--tls on`: skopeo,
 * which tries HTTPS first, speaks TLS) against distribution with a self-signed P-256 certificate.
 * Also `cloudlet --ephemeral` (no fsync), for what durability costs.
 *
 * The image: an OCI layout the bench writes itself. Each layer is a gzip'd tar (level 1) of one
 * file of random bytes (72, 56, 40, 24 and 8 MiB: incompressible, so the gzip is as large), then a
 * small per-round file. The random part is gzip'd once, as its own gzip member; every round appends
 * a fresh member with a new nonce (multi-member gzip is valid gzip: one tar stream), so each round
 * pushes layers of never-seen digests to a fresh repository: a real push (no "blob exists", no
 * cross-repository mount from skopeo's blob-info cache), and a pull of the whole image back into a
 * fresh `dir:` directory, checked blob by blob. The median of the rounds: wall time of the skopeo
 * process (its start-up, ~0.1 s, included for all), and the server's CPU seconds (user + system,
 * /proc/PID/stat), which a busy machine disturbs less. Peak RSS: VmHWM of each server's own process.
 * Targets: push and pull at least as fast as distribution, cloudlet's peak RSS under 150 MB.
 * Alone: `npm run build && node --import tsx bench/registry.ts` (BENCH_REGISTRY_ROUNDS=5,
 * BENCH_REGISTRY_PEERS=cloudlet,distribution, BENCH_REGISTRY_CPU_PROF=DIR: cloudlet runs with
 * --cpu-prof into DIR, BENCH_REGISTRY_BUNDLE=FILE: another build's main.js, to compare builds).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { appendFileSync, copyFileSync, createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort } from './peers.js';

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_REGISTRY_ROUNDS ?? 5);
const LAYER_MIB = (process.env.BENCH_REGISTRY_LAYERS_MIB ?? '72,56,40,24,8').split(',').map(Number);
const BUNDLE = process.env.BENCH_REGISTRY_BUNDLE ?? fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
const REGION = 'us-east-1';
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
/** BENCH_REGISTRY_PEERS=cloudlet,distribution: only those (default: all of PEERS). */
const ONLY = process.env.BENCH_REGISTRY_PEERS?.split(',');

// ---- the image ----

/** A ustar header for a regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (s: string, at: number, len: number): void => { h.write(s.slice(0, len), at, 'latin1'); };
  const octal = (n: number, len: number): string => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

/** The shared part of one layer: its gzip member on disk, and the running sha256 of the raw and gzip'd bytes. */
interface LayerBase { file: string; raw: Hash; gz: Hash; gzSize: number }

interface Layout { dir: string; bytes: number; layers: number; base: LayerBase[] }

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function putBlob(dir: string, bytes: Buffer | string): { digest: string; size: number } {
  const hex = sha(bytes);
  writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(bytes) };
}

/** The OCI layout with the random parts of every layer, gzip'd once (no round image yet). */
function buildBase(root: string): Layout {
  const dir = join(root, 'oci');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const base = LAYER_MIB.map((mib, i): LayerBase => {
    const raw = Buffer.concat([tarHeader(`cloudlet-bench/layer-${i}.bin`, mib * MiB), randomBytes(mib * MiB)]);
    const gz = gzipSync(raw, { level: 1 });
    const file = join(root, `layer-${i}.gz`);
    writeFileSync(file, gz);
    return { file, raw: createHash('sha256').update(raw), gz: createHash('sha256').update(gz), gzSize: gz.length };
  });
  return { dir, bytes: 0, layers: base.length, base };
}

/** Round `r`'s image, tagged `r<r>` in the layout: every layer gets a fresh tail member (a nonce file and the tar's end). */
function buildRound(l: Layout, r: number): { ref: string; bytes: number; blobs: string[] } {
  const nonce = randomBytes(32).toString('hex');
  const blobs: string[] = [];
  const layers = l.base.map((b, i) => {
    const tailRaw = Buffer.concat([tarHeader(`cloudlet-bench/round-${i}`, nonce.length), Buffer.from(nonce.padEnd(512, '\0')), Buffer.alloc(1024)]);
    const tail = gzipSync(tailRaw, { level: 1 });
    const hex = b.gz.copy().update(tail).digest('hex');
    const path = join(l.dir, 'blobs', 'sha256', hex);
    copyFileSync(b.file, path);
    appendFileSync(path, tail);
    blobs.push(path);
    return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex}`, size: b.gzSize + tail.length, diffId: `sha256:${b.raw.copy().update(tailRaw).digest('hex')}` };
  });
  const config = putBlob(l.dir, JSON.stringify({
    created: new Date(0).toISOString(), architecture: 'amd64', os: 'linux',
    config: { Labels: { 'cloudlet.bench.round': String(r), 'cloudlet.bench.nonce': nonce } },
    rootfs: { type: 'layers', diff_ids: layers.map((x) => x.diffId) },
    history: layers.map((_, i) => ({ created: new Date(0).toISOString(), created_by: `cloudlet bench layer ${i}` })),
  }));
  const manifest = putBlob(l.dir, JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  }));
  for (const d of [config.digest, manifest.digest]) blobs.push(join(l.dir, 'blobs', 'sha256', d.slice(7)));
  const ref = `r${r}`;
  writeFileSync(join(l.dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }],
  }));
  const bytes = layers.reduce((a, x) => a + x.size, 0) + config.size + manifest.size;
  return { ref, bytes, blobs };
}

// ---- the servers ----

interface Server {
  name: string;
  child: ChildProcess;
  /** host:port as skopeo names it. */
  host: string;
  /** A fresh repository for a round, and the credentials skopeo passes (`--dest-creds`/`--src-creds`). */
  repository(round: number): Promise<{ name: string; creds?: string }>;
  stderr: () => string;
}

async function waitFor(name: string, child: ChildProcess, probe: () => Promise<boolean>): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try { if (await probe()) return; } catch { /* not yet */ }
    if (performance.now() - t0 > 30_000) throw new Error(`${name} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function captured(child: ChildProcess): () => string {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
  return () => err;
}

/** A self-signed ECDSA P-256 pair for 127.0.0.1 (the key type cloudlet's local CA issues). */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req: ${r.stderr}`);
  return { cert, key };
}

/** Debian's docker-registry with its /etc/docker/registry/config.yml, minus htpasswd auth, on loopback; `tls`: HTTPS only. */
async function startDistribution(root: string, tls: boolean): Promise<Server> {
  const port = await freePort();
  const dir = join(root, tls ? 'distribution-tls' : 'distribution');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const pair = tls ? selfSigned(dir) : undefined;
  const config = [
    'version: 0.1',
    'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  cache:', '    blobdescriptor: inmemory', '  filesystem:', `    rootdirectory: ${join(dir, 'storage')}`, '  delete:', '    enabled: true',
    'http:', `  addr: 127.0.0.1:${port}`, '  headers:', '    X-Content-Type-Options: [nosniff]',
    ...(pair ? ['  tls:', `    certificate: ${pair.cert}`, `    key: ${pair.key}`] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = captured(child);
  const host = `127.0.0.1:${port}`;
  const probe = tls ? () => tlsAnswers(port) : async () => (await fetch(`http://${host}/v2/`)).status === 200;
  await waitFor('docker-registry', child, probe);
  return { name: tls ? 'distribution https' : 'distribution', child, host, stderr, repository: async (r) => ({ name: `bench/r${r}-${randomBytes(3).toString('hex')}` }) };
}

/** Whether an HTTPS GET /v2/ gets an HTTP answer (any status), certificate unchecked. */
function tlsAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false }, (res) => { res.resume(); done(true); });
    req.on('error', () => done(false));
    req.end();
  });
}

/**
 * cloudlet as users run it: `npm start`'s bundle on a data directory (SQLite, fsynced blobs), or
 * `--ephemeral` (no fsync). `tls`: the default `--tls on`, so skopeo (which tries HTTPS first)
 * speaks HTTPS; otherwise `--tls off`, plain HTTP as distribution's default.
 */
async function startCloudletChild(root: string, o: { ephemeral: boolean; tls: boolean }): Promise<Server> {
  const port = await freePort();
  const name = `cloudlet${o.ephemeral ? ' --ephemeral' : ''}${o.tls ? ' https' : ''}`;
  const state = o.ephemeral ? ['--ephemeral'] : ['--data-dir', join(root, `data-${name.replace(/[^a-z]+/g, '-')}`)];
  const prof = process.env.BENCH_REGISTRY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_REGISTRY_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, BUNDLE, 'start', ...state, '--port', String(port), '--log-level', 'error', ...(o.tls ? [] : ['--tls', 'off'])], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = captured(child);
  const url = `http://127.0.0.1:${port}`;
  const { ECRClient, CreateRepositoryCommand, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  const ecr = new ECRClient({ endpoint: url, region: REGION, credentials: ROOT, maxAttempts: 1 });
  await waitFor(name, child, async () => (await fetch(`${url}/v2/`)).status > 0);
  if (o.tls && !(await tlsAnswers(port))) throw new Error(`${name}: no HTTPS on the port (is --tls on the default?)`);
  return {
    name, child, host: `127.0.0.1:${port}`, stderr,
    repository: async (r) => {
      const repo = `bench/r${r}-${randomBytes(3).toString('hex')}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
      // A token per round: what a CI job does (aws ecr get-login-password) before it pushes.
      const t = await ecr.send(new GetAuthorizationTokenCommand({}));
      const decoded = Buffer.from(t.authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString();
      if (!decoded.startsWith('AWS:')) throw new Error(`GetAuthorizationToken: not AWS:<password> (${decoded.slice(0, 20)})`);
      return { name: repo, creds: decoded };
    },
  };
}

function stop(s: Server): void {
  try { s.child.kill('SIGTERM'); } catch { /* gone */ }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function hwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const TICK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK;
}

// ---- skopeo ----

function skopeo(args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const c = spawn('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
    const timer = setTimeout(() => c.kill('SIGKILL'), 300_000);
    c.on('error', fail);
    c.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) done(performance.now() - t0);
      else fail(new Error(`skopeo ${args.filter((a) => !a.startsWith('AWS:')).join(' ')}: exit ${code}: ${err.trim()}`));
    });
  });
}

interface RoundResult { pushMs: number; pullMs: number; pushCpu: number; pullCpu: number }

async function round(s: Server, layout: Layout, ref: string, bytes: number, blobs: string[], r: number, root: string): Promise<RoundResult> {
  const repo = await s.repository(r);
  const target = `docker://${s.host}/${repo.name}:${ref}`;
  const pid = s.child.pid!;
  let cpu = cpuSeconds(pid);
  const pushMs = await skopeo(['copy', '--dest-tls-verify=false', ...(repo.creds ? ['--dest-creds', repo.creds] : []), `oci:${layout.dir}:${ref}`, target]);
  const pushCpu = cpuSeconds(pid) - cpu;
  const out = join(root, `pull-${r}`);
  cpu = cpuSeconds(pid);
  const pullMs = await skopeo(['copy', '--src-tls-verify=false', ...(repo.creds ? ['--src-creds', repo.creds] : []), target, `dir:${out}`]);
  const pullCpu = cpuSeconds(pid) - cpu;
  // What came back is what went up: every layer and the config, byte for byte (the manifest: skopeo may rewrite it).
  const got = new Set(readdirSync(out));
  let pulled = 0;
  for (const b of blobs.slice(0, -1)) {
    const hex = b.slice(b.lastIndexOf('/') + 1);
    if (!got.has(hex)) throw new Error(`${s.name}: pulled image lacks blob ${hex}`);
    if (statSync(join(out, hex)).size !== statSync(b).size) throw new Error(`${s.name}: blob ${hex} size differs`);
    pulled += statSync(join(out, hex)).size;
  }
  if (pulled < bytes * 0.99) throw new Error(`${s.name}: pulled ${pulled} of ${bytes} bytes`);
  const oneHex = blobs[0]!.slice(blobs[0]!.lastIndexOf('/') + 1);
  if (await fileSha(join(out, oneHex)) !== oneHex) throw new Error(`${s.name}: pulled blob ${oneHex} has another digest`);
  rmSync(out, { recursive: true, force: true });
  return { pushMs, pullMs, pushCpu, pullCpu };
}

function fileSha(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => done(h.digest('hex'))).on('error', fail);
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

// ---- the run ----

const PEERS = ['cloudlet', 'cloudlet --ephemeral', 'distribution', 'cloudlet https', 'distribution https'] as const;
/** The pairs compared: cloudlet's figure over distribution's, on the same transport. */
const PAIRS: Array<[string, string, string]> = [['cloudlet', 'distribution', 'http: cloudlet/distribution'], ['cloudlet https', 'distribution https', 'https: cloudlet/distribution']];

function starter(name: string, root: string): () => Promise<Server> {
  switch (name) {
    case 'distribution': return () => startDistribution(root, false);
    case 'distribution https': return () => startDistribution(root, true);
    case 'cloudlet': return () => startCloudletChild(root, { ephemeral: false, tls: false });
    case 'cloudlet --ephemeral': return () => startCloudletChild(root, { ephemeral: true, tls: false });
    case 'cloudlet https': return () => startCloudletChild(root, { ephemeral: false, tls: true });
    default: throw new Error(`unknown peer ${name}`);
  }
}

export async function registryBench(): Promise<void> {
  for (const tool of ['skopeo', 'docker-registry', 'openssl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`registry bench needs ${tool} (scripts/setup-tools.mjs as root installs it)`);
      return;
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-bench-registry-'));
  const servers: Server[] = [];
  const results = new Map<string, RoundResult[]>();
  const errors = new Map<string, string>();
  const names = PEERS.filter((n) => !ONLY || ONLY.includes(n));
  const load0 = loadavg()[0]!;
  let imageBytes = 0;
  try {
    const t0 = performance.now();
    const layout = buildBase(root);
    const buildMs = performance.now() - t0;
    const startRss = new Map<string, number>();
    for (const name of names) {
      try {
        const s = await starter(name, root)();
        servers.push(s);
        startRss.set(name, rssMb(s.child.pid!));
      } catch (err) { errors.set(name, (err as Error).message); }
    }
    for (let r = 1; r <= ROUNDS; r++) {
      const img = buildRound(layout, r);
      imageBytes = img.bytes;
      // Each round starts with another server: none always runs first (or last) on a warm page cache.
      const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
      for (const s of order) {
        if (errors.has(s.name)) continue;
        try {
          const res = await round(s, layout, img.ref, img.bytes, img.blobs, r, root);
          results.set(s.name, [...(results.get(s.name) ?? []), res]);
        } catch (err) {
          errors.set(s.name, `round ${r}: ${(err as Error).message}${s.stderr() ? `\n    server stderr: ${s.stderr().trim().slice(-600)}` : ''}`);
        }
      }
      for (const b of img.blobs) rmSync(b, { force: true });
    }
    const hwm = new Map(servers.map((s) => [s.name, s.child.exitCode === null ? hwmMb(s.child.pid!) : NaN]));
    const mib = imageBytes / MiB;
    const med = (name: string, k: keyof RoundResult): number => median((results.get(name) ?? []).map((x) => x[k]));
    const rows: Array<{ label: string; unit: string; f: (n: string) => number; higher: boolean }> = [
      { label: 'push (skopeo copy oci: -> docker://)', unit: 'MiB/s', f: (n) => mib / (med(n, 'pushMs') / 1000), higher: true },
      { label: 'pull (skopeo copy docker:// -> dir:)', unit: 'MiB/s', f: (n) => mib / (med(n, 'pullMs') / 1000), higher: true },
      { label: 'server CPU per push', unit: 's', f: (n) => med(n, 'pushCpu'), higher: false },
      { label: 'server CPU per pull', unit: 's', f: (n) => med(n, 'pullCpu'), higher: false },
      { label: 'server RSS once started', unit: 'MB', f: (n) => startRss.get(n) ?? NaN, higher: false },
      { label: 'server peak RSS (VmHWM, whole run)', unit: 'MB', f: (n) => hwm.get(n) ?? NaN, higher: false },
    ];
    const fmt = (x: number, unit: string): string => (Number.isFinite(x) ? x.toFixed(unit === 's' ? 2 : 1) : '-');
    const head = ['measure', ...names, ...PAIRS.map((p) => p[2])];
    const body = rows.map((r) => [`${r.label} (${r.unit})`, ...names.map((n) => fmt(r.f(n), r.unit)), ...PAIRS.map(([a, b]) => {
      const x = r.f(a);
      const y = r.f(b);
      return Number.isFinite(x) && Number.isFinite(y) && y ? `${(x / y).toFixed(2)}x` : '-';
    })]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(`\nRegistry: skopeo push and pull of a ${mib.toFixed(1)} MiB OCI image (${layout.layers} gzip'd layers of random bytes: ${LAYER_MIB.join(', ')} MiB; built in ${(buildMs / 1000).toFixed(1)} s), median of ${ROUNDS} rounds, a fresh repository and fresh layer digests each round, one transfer at a time, 127.0.0.1. cloudlet: \`npm start\`'s bundle on a data directory (SQLite, fsynced blobs), --tls off (plain HTTP) or default (https: skopeo speaks TLS), --ephemeral: no fsync; ECR token as AWS:<password>. distribution: Debian's docker-registry 2.8, filesystem storage (it fsyncs what it writes too), no auth, plain HTTP or TLS with a self-signed P-256 certificate. Times: the skopeo process, start to exit; ratios: cloudlet's figure over distribution's (for s and MB lower is better)\n`);
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const b of body) console.log(line(b));
    for (const [name, rs] of results) console.log(`  note: ${name} rounds (push/pull s): ${rs.map((x) => `${(x.pushMs / 1000).toFixed(2)}/${(x.pullMs / 1000).toFixed(2)}`).join(', ')}`);
    const load1 = loadavg()[0]!;
    const cpus = availableParallelism();
    console.log(`  note: load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after, on ${cpus} CPUs${Math.max(load0, load1) > cpus ? ': a busy machine, MiB/s are noisy (server CPU s are steadier)' : ''}`);
    for (const [name, e] of errors) console.log(`  ${name}: FAILED ${e}`);
    const targets: Array<[string, boolean]> = [];
    for (const [a, b] of PAIRS) {
      if (!names.includes(a as never) || !names.includes(b as never)) continue;
      targets.push([`${a}: push at least as fast as ${b}`, rows[0]!.f(a) >= rows[0]!.f(b)]);
      targets.push([`${a}: pull at least as fast as ${b}`, rows[1]!.f(a) >= rows[1]!.f(b)]);
    }
    for (const n of names.filter((x) => x.startsWith('cloudlet'))) targets.push([`${n}: peak RSS under 150 MB`, rows[5]!.f(n) < 150]);
    console.log('\nRegistry targets:');
    for (const [t, ok] of targets) console.log(`  ${ok ? 'PASS' : 'MISS'} ${t}`);
  } finally {
    for (const s of servers) stop(s);
    await new Promise((r) => setTimeout(r, 300));
    for (const s of servers) { try { s.child.kill('SIGKILL'); } catch { /* gone */ } }
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  registryBench().catch((e) => { console.error(e); process.exit(1); });
}
