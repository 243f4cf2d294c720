/**
 * S3 side by side: cloudlet (`npm start`'s bundle: --ephemeral, memory rows and blobs in a temporary
 * directory without fsync; and `-d`, on a data directory: SQLite, fsynced blobs), moto 5.x
 * (`moto_server`), and the ceiling: a bare node:http server that streams a PUT body to a file
 * (rename; `bare+fsync` also fsyncs first, as a data directory does) and a GET back from it.
 * Measured over loopback through each server's HTTP API with SigV4-signed requests:
 *   - PUT and GET MiB/s of 1 MiB and 256 MiB objects (one connection, bodies streamed);
 *   - 4 KiB PUTs/s at 32 keep-alive connections (wrk, 2,000 distinct pre-signed keys);
 *   - ListObjectsV2 p99 for 1,000 keys (flat, and 1,000 common prefixes with a delimiter): cloudlet
 *     on a bucket of 1,000,000 keys whose rows are planted in an in-process server's store (records.ts
 *     layout; 1,000,000 PUTs would take minutes), moto on a smaller bucket filled by PUTs;
 *   - the server's peak RSS (VmHWM) during a 1 GiB PUT while a second client loops ListBuckets (p99).
 * Targets (issue 16): >= 50x moto's small-object rate, 256 MiB PUT/GET >= 80% of the ceiling,
 * peak RSS under 150 MB, ListBuckets p99 under 20 ms during the upload.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/helpers/sign.js';
import { haveWrk } from './load.js';
import { freePort, startPeer, stopPeer, type Peer } from './peers.js';

const MiB = 1024 * 1024;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BIG_KEYS = Number(process.env.BENCH_S3_LIST_KEYS ?? 1_000_000);
const MOTO_KEYS = 2_000;
const PEERS = ['cloudlet', 'moto', 'bare', 'cloudlet -d', 'bare+fsync'] as const;
type PeerName = (typeof PEERS)[number];

// ---- signing and plain HTTP ----

const signer = new SignatureV4({
  service: 's3', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  sha256: NodeSha256 as never, uriEscapePath: false, applyChecksum: false,
});

async function signed(url: string, method: string, path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, payload = 'UNSIGNED-PAYLOAD'): Promise<Record<string, string>> {
  const u = new URL(url);
  const s = await signer.sign({
    method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query,
    headers: { host: u.host, 'x-amz-content-sha256': payload, ...headers },
  });
  return s.headers as Record<string, string>;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Answer { status: number; bytes: number; text: string }

/** One request; `body` is written in pieces (a Buffer repeated up to `size` bytes), with backpressure. */
export async function send(url: string, method: string, path: string, o: { query?: Record<string, string>; body?: Buffer; size?: number; keepText?: boolean } = {}): Promise<Answer> {
  const size = o.size ?? o.body?.length ?? 0;
  const headers = await signed(url, method, path, o.query, method === 'PUT' ? { 'content-length': String(size) } : {});
  const qs = new URLSearchParams(o.query ?? {}).toString();
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: u.hostname, port: Number(u.port), method, path: qs ? `${path}?${qs}` : path, headers, agent }, (res: IncomingMessage) => {
      let bytes = 0;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => { bytes += c.length; if (o.keepText) parts.push(c); });
      res.on('end', () => done({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(parts).toString() }));
      res.on('error', fail);
    });
    req.on('error', fail);
    if (!o.body) { req.end(); return; }
    const piece = o.body;
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const n = Math.min(piece.length, size - sent);
        sent += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
}

export async function must(p: Promise<Answer>, what: string): Promise<Answer> {
  const a = await p;
  if (a.status !== 200 && a.status !== 204) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 200)}`);
  return a;
}

// ---- the ceiling ----

const BARE_S3 = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path'), os = require('node:os');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bare-s3-'));
process.on('SIGTERM', () => { fs.rmSync(dir, { recursive: true, force: true }); process.exit(0); });
const file = (u) => path.join(dir, Buffer.from(u.split('?')[0]).toString('hex').slice(-200));
http.createServer((q, s) => {
  const f = file(q.url);
  if (q.method === 'PUT') {
    const tmp = f + '.' + Math.random().toString(36).slice(2);
    const fd = fs.openSync(tmp, 'w');
    const w = fs.createWriteStream('', { fd, autoClose: false });
    q.pipe(w);
    const done = () => fs.close(fd, () => fs.rename(tmp, f, () => { s.writeHead(200, { etag: '"0"' }); s.end(); }));
    w.on('finish', () => (durable ? fs.fsync(fd, () => done()) : done()));
    return;
  }
  if (q.method === 'GET' && q.url.split('?')[0].split('/').filter(Boolean).length >= 2) {
    fs.stat(f, (err, st) => {
      if (err) { s.writeHead(404); s.end(); return; }
      s.writeHead(200, { 'content-length': st.size });
      fs.createReadStream(f).pipe(s);
    });
    return;
  }
  q.resume();
  q.on('end', () => { s.writeHead(200, { 'content-type': 'application/xml' }); s.end('<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>'); });
}).listen(Number(process.argv[1]), '127.0.0.1');
const durable = process.argv[2] === 'fsync';`;

const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));

/** The bare server (with or without fsync), or cloudlet on a data directory (`dir`), as a child process. */
async function startChild(name: string, args: (port: number) => string[], probe: (url: string) => Promise<boolean>): Promise<Peer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn(process.execPath, args(port), { stdio: 'ignore' });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try { if (await probe(url)) break; } catch { /* not yet */ }
    if (performance.now() - t0 > 20_000) throw new Error(`${name} did not answer`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return { name, child, url, startMs: performance.now() - t0 };
}

const probe = async (url: string): Promise<boolean> => (await send(url, 'GET', '/')).status === 200;
const dataDir = mkdtempSync(join(tmpdir(), 'cloudlet-bench-s3-data-'));
function startOne(name: PeerName): Promise<Peer> {
  switch (name) {
    case 'bare': return startChild(name, (port) => ['-e', BARE_S3, String(port)], probe);
    case 'bare+fsync': return startChild(name, (port) => ['-e', BARE_S3, String(port), 'fsync'], probe);
    case 'cloudlet -d': return startChild(name, (port) => [BUNDLE, 'start', '--data-dir', dataDir, '--port', String(port), '--log-level', 'error'], probe);
    default: return startPeer(name, probe);
  }
}

// ---- measures ----

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/** MiB/s of sequential PUTs then GETs of `size`-byte objects over one connection, for about `seconds` each (at least `min` rounds). */
export async function throughput(url: string, bucket: string, size: number, seconds: number, min: number): Promise<{ put: number; get: number }> {
  const body = randomBytes(Math.min(size, 4 * MiB));
  const keys: string[] = [];
  let bytes = 0;
  let t0 = performance.now();
  for (let i = 0; i < min || performance.now() - t0 < seconds * 1000; i++) {
    const key = `tp-${size}-${i % 16}`;
    await must(send(url, 'PUT', `/${bucket}/${key}`, { body, size }), `PUT ${key}`);
    if (!keys.includes(key)) keys.push(key);
    bytes += size;
  }
  const put = bytes / MiB / ((performance.now() - t0) / 1000);
  bytes = 0;
  t0 = performance.now();
  for (let i = 0; i < min || performance.now() - t0 < seconds * 1000; i++) {
    const a = await must(send(url, 'GET', `/${bucket}/${keys[i % keys.length]}`), 'GET');
    if (a.bytes !== size) throw new Error(`GET returned ${a.bytes} of ${size} bytes`);
    bytes += size;
  }
  const get = bytes / MiB / ((performance.now() - t0) / 1000);
  return { put, get };
}

/** 4 KiB PUTs/s at `connections` connections: wrk cycling through 2,000 pre-signed PUTs of distinct keys. */
export async function smallPuts(url: string, bucket: string, connections: number, seconds: number): Promise<{ rps: number; non2xx: number; errors: number }> {
  const body = randomBytes(2048).toString('hex');
  const sha = createHash('sha256').update(body).digest('hex');
  // Built in init: wrk sets the Host header only then.
  const lines: string[] = ['local reqs = {}', 'init = function(args)'];
  const lua = (s: string): string => JSON.stringify(s);
  for (let i = 0; i < 2000; i++) {
    const path = `/${bucket}/small/${String(i).padStart(5, '0')}`;
    const h = await signed(url, 'PUT', path, {}, { 'content-length': String(body.length) }, sha);
    const hs = Object.entries(h).filter(([k]) => !['host', 'content-length'].includes(k.toLowerCase())).map(([k, v]) => `[${lua(k)}]=${lua(v)}`).join(',');
    lines.push(`  reqs[${i + 1}] = wrk.format("PUT", ${lua(path)}, {${hs}}, B)`);
  }
  lines.push('end');
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-bench-s3-'));
  const script = join(dir, 'put.lua');
  writeFileSync(script, [`local B = ${lua(body)}`, ...lines, 'local n = 0', 'request = function() n = n % #reqs + 1; return reqs[n] end', ''].join('\n'));
  const r = await new Promise<string>((done, fail) => {
    const c = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    c.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`wrk: ${err}`))));
  });
  rmSync(dir, { recursive: true, force: true });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r)?.[1] ?? 0);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r);
  return { rps, non2xx, errors: errs ? errs.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0 };
}

const listKey = (i: number): string => `p${String(i % 1000).padStart(3, '0')}/f${String(i).padStart(7, '0')}`;

/** p99 (ms) of ListObjectsV2 pages of 1,000: flat from random StartAfter points, and with Delimiter=/ (1,000 common prefixes). */
async function listP99(url: string, bucket: string, keys: number, rounds: number): Promise<{ flat: number; delimited: number }> {
  const flat: number[] = [];
  const delimited: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = listKey(Math.floor(Math.random() * Math.max(1, keys - 2000)));
    let t = performance.now();
    const a = await must(send(url, 'GET', `/${bucket}`, { query: { 'list-type': '2', 'max-keys': '1000', 'start-after': start }, keepText: r === 0 }), 'ListObjectsV2');
    flat.push(performance.now() - t);
    if (r === 0) {
      const n = (a.text.match(/<Key>/g) ?? []).length;
      if (n !== 1000) throw new Error(`flat listing returned ${n} keys`);
    }
    t = performance.now();
    const d = await must(send(url, 'GET', `/${bucket}`, { query: { 'list-type': '2', 'max-keys': '1000', delimiter: '/' }, keepText: r === 0 }), 'ListObjectsV2 delimiter');
    delimited.push(performance.now() - t);
    if (r === 0) {
      const n = (d.text.match(/<CommonPrefixes>/g) ?? []).length;
      if (n !== 1000) throw new Error(`delimited listing returned ${n} common prefixes`);
    }
  }
  return { flat: percentile(flat, 99), delimited: percentile(delimited, 99) };
}

/** Peak RSS (VmHWM, MB) of `pid` during a 1 GiB PUT, and the p99 (ms) of ListBuckets looped meanwhile on its own connection. */
async function rssDuringUpload(url: string, bucket: string, pid: number): Promise<{ hwm: number; atStart: number; listP99: number; lists: number; mibs: number }> {
  const body = randomBytes(MiB);
  const other = new Agent({ keepAlive: true, maxSockets: 1 });
  let uploading = true;
  const times: number[] = [];
  const lister = (async () => {
    while (uploading) {
      const headers = await signed(url, 'GET', '/');
      const u = new URL(url);
      const t = performance.now();
      await new Promise<void>((done, fail) => {
        const req = request({ host: u.hostname, port: Number(u.port), path: '/', headers, agent: other }, (res) => { res.resume(); res.on('end', () => done()); });
        req.on('error', fail);
        req.end();
      });
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  // VmHWM is the peak of the process's whole life (the 256 MiB GETs and the 32-connection PUTs
  // before this): reset it so the figure is this upload's peak (proc(5), clear_refs "5").
  resetHwm(pid);
  const atStart = hwmMb(pid);
  const t0 = performance.now();
  await must(send(url, 'PUT', `/${bucket}/one-gib`, { body, size: 1024 * MiB }), 'PUT 1 GiB');
  const mibs = 1024 / ((performance.now() - t0) / 1000);
  uploading = false;
  await lister;
  other.destroy();
  return { hwm: hwmMb(pid), atStart, listP99: percentile(times, 99), lists: times.length, mibs };
}

function resetHwm(pid: number): void {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); } catch (err) { throw new Error(`cannot reset the peak RSS of ${pid}: ${(err as Error).message}`); }
}

function hwmMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's own pid: moto runs behind a pyenv shim, so take the newest descendant holding the most memory. */
function serverPid(peer: Peer): number {
  const kids = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number).flatMap((k) => [k, ...kids(k)]);
    } catch { return []; }
  };
  const all = [peer.child.pid!, ...kids(peer.child.pid!)];
  return all.reduce((best, p) => (safeRss(p) > safeRss(best) ? p : best), all[0]!);
}

function safeRss(pid: number): number {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0); } catch { return 0; }
}

// ---- the in-process cloudlet with 1,000,000 planted keys ----

async function cloudletBigListing(): Promise<{ flat: number; delimited: number; seedMs: number }> {
  const { startCloudlet } = await import('../src/server/server.js');
  const { BUCKET_KIND, OBJECT_KIND, bucketObjectId, ownerScope } = await import('../src/services/s3/records.js');
  const cl = await startCloudlet({ port: 0, ephemeral: true, logLevel: 'silent' });
  try {
    const bucket = 'bench-million';
    await must(send(cl.url, 'PUT', `/${bucket}`), 'CreateBucket');
    const scope = ownerScope('000000000000');
    const t0 = performance.now();
    const now = Date.now();
    const STEP = 100_000;
    for (let from = 0; from < BIG_KEYS; from += STEP) {
      await cl.deps.store.transaction((tx) => {
        for (let i = from; i < Math.min(BIG_KEYS, from + STEP); i++) {
          const key = listKey(i);
          tx.put(scope, OBJECT_KIND, bucketObjectId(bucket, key), {
            key, versionId: 'null', seq: i + 1, lastModifiedMs: now, etag: '"d41d8cd98f00b204e9800998ecf8427e"', size: 0, pieces: [], owner: '000000000000', storageClass: 'STANDARD',
          });
        }
      });
    }
    await cl.deps.store.transaction((tx) => {
      const rec = tx.get<Record<string, unknown>>(scope, BUCKET_KIND, bucket)!;
      tx.put(scope, BUCKET_KIND, bucket, { ...rec, seq: BIG_KEYS });
    });
    const seedMs = performance.now() - t0;
    await listP99(cl.url, bucket, BIG_KEYS, 5); // warm-up
    return { ...(await listP99(cl.url, bucket, BIG_KEYS, 100)), seedMs };
  } finally {
    await cl.close();
  }
}

async function fillByPuts(url: string, bucket: string, n: number): Promise<void> {
  const body = Buffer.from('x');
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      const i = next++;
      await must(send(url, 'PUT', `/${bucket}/${listKey(i)}`, { body }), 'PUT small');
    }
  }));
}

// ---- the run ----

interface Row { label: string; unit: string; values: Partial<Record<PeerName, number>> }

function printTable(rows: Row[]): void {
  const head = ['measure', ...PEERS, 'cloudlet/moto', 'cloudlet/bare', '-d/bare+fsync'];
  const num = (n: number | undefined, unit: string): string => (n === undefined || !Number.isFinite(n) ? '-' : unit === 'req/s' ? n.toFixed(0) : n.toFixed(1));
  const ratio = (c: number | undefined, o: number | undefined): string => (c === undefined || !o ? '-' : `${(c / o).toFixed(2)}x`);
  const body = rows.map((r) => [`${r.label} (${r.unit})`, ...PEERS.map((p) => num(r.values[p], r.unit)), ratio(r.values.cloudlet, r.values.moto), ratio(r.values.cloudlet, r.values.bare), ratio(r.values['cloudlet -d'], r.values['bare+fsync'])]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

export async function s3Bench(): Promise<void> {
  if (!haveWrk()) throw new Error('the S3 bench needs wrk');
  const row = (label: string, unit: string): Row => ({ label, unit, values: {} });
  const R = {
    put1: row('PUT 1 MiB', 'MiB/s'), get1: row('GET 1 MiB', 'MiB/s'),
    put256: row('PUT 256 MiB', 'MiB/s'), get256: row('GET 256 MiB', 'MiB/s'),
    small: row('PUT 4 KiB c=32', 'req/s'),
    listFlat: row('ListObjectsV2 1,000 keys p99', 'ms'), listDelim: row('ListObjectsV2 delimiter 1,000 prefixes p99', 'ms'),
    hwm: row('peak RSS during a 1 GiB PUT', 'MB'), lbP99: row('ListBuckets p99 during it', 'ms'), gib: row('1 GiB PUT', 'MiB/s'),
  };
  const notes: string[] = [];
  const only = process.env.BENCH_S3_PEERS?.split(',');
  for (const name of PEERS.filter((p) => !only || only.includes(p))) {
    let peer: Peer | undefined;
    try {
      peer = await startOne(name);
      const url = peer.url;
      const bucket = `bench-${name.replace(/[^a-z0-9]+/g, '-')}`;
      await must(send(url, 'PUT', `/${bucket}`), 'CreateBucket');
      const t1 = await throughput(url, bucket, MiB, SECONDS, 8);
      R.put1.values[name] = t1.put; R.get1.values[name] = t1.get;
      const t256 = await throughput(url, bucket, 256 * MiB, SECONDS, 3);
      R.put256.values[name] = t256.put; R.get256.values[name] = t256.get;
      const small = await smallPuts(url, bucket, 32, SECONDS);
      if (small.non2xx || small.errors) notes.push(`${name} 4 KiB PUTs: ${small.non2xx} non-2xx, ${small.errors} socket errors`);
      R.small.values[name] = small.rps;
      if (name === 'moto') {
        const lb = `${bucket}-list`;
        await must(send(url, 'PUT', `/${lb}`), 'CreateBucket');
        await fillByPuts(url, lb, MOTO_KEYS);
        const l = await listP99(url, lb, MOTO_KEYS, 30);
        R.listFlat.values.moto = l.flat; R.listDelim.values.moto = l.delimited;
        notes.push(`moto's listings are over a bucket of ${MOTO_KEYS.toLocaleString()} keys filled by PUTs (2 per prefix), not 1,000,000`);
      }
      const pid = serverPid(peer);
      const r = await rssDuringUpload(url, bucket, pid);
      R.hwm.values[name] = r.hwm; R.lbP99.values[name] = r.listP99; R.gib.values[name] = r.mibs;
      notes.push(`${name}: ${r.lists} ListBuckets calls during the 1 GiB PUT; RSS ${r.atStart.toFixed(0)} MB when it began`);
    } catch (err) {
      console.error(`S3 bench, ${name}: ${(err as Error).message}`);
    } finally {
      if (peer) await stopPeer(peer);
    }
  }
  if (!only || only.includes('cloudlet')) try {
    const big = await cloudletBigListing();
    R.listFlat.values.cloudlet = big.flat; R.listDelim.values.cloudlet = big.delimited;
    notes.push(`cloudlet's listings: an in-process server (client in the same process) whose store got ${BIG_KEYS.toLocaleString()} rows planted in the records.ts layout (${(big.seedMs / 1000).toFixed(1)} s), 1,000 prefixes of 1,000 keys, then listed through its HTTP API`);
  } catch (err) {
    console.error(`S3 bench, listing: ${(err as Error).message}`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`\nS3: cloudlet (--ephemeral, and -d: on a data directory) vs moto 5.x vs bare node:http streaming to a file and back (the ceiling; bare+fsync: fsync before answering, as a data directory does); loopback, ~${SECONDS}s per cell, SigV4-signed, one connection unless c=; ratios are cloudlet's figure over the other's (for ms and MB lower is better)\n`);
  printTable(Object.values(R));
  for (const n of notes) console.log(`  note: ${n}`);
  const c = (r: Row): number => r.values.cloudlet ?? NaN;
  const targets: Array<[string, boolean]> = [
    ['4 KiB PUTs/s >= 50x moto', c(R.small) >= 50 * (R.small.values.moto ?? Infinity)],
    ['PUT 256 MiB >= 80% of the ceiling', c(R.put256) >= 0.8 * (R.put256.values.bare ?? Infinity)],
    ['GET 256 MiB >= 80% of the ceiling', c(R.get256) >= 0.8 * (R.get256.values.bare ?? Infinity)],
    ['data directory: PUT 256 MiB >= 80% of the fsyncing ceiling', (R.put256.values['cloudlet -d'] ?? 0) >= 0.8 * (R.put256.values['bare+fsync'] ?? Infinity)],
    ['data directory: 4 KiB PUTs/s >= 50x moto', (R.small.values['cloudlet -d'] ?? 0) >= 50 * (R.small.values.moto ?? Infinity)],
    ['peak RSS during a 1 GiB PUT under 150 MB', c(R.hwm) < 150],
    ['ListBuckets p99 during the 1 GiB PUT under 20 ms', c(R.lbP99) < 20],
  ];
  console.log('\nS3 targets:');
  for (const [t, ok] of targets) console.log(`  ${ok ? 'met   ' : 'MISSED'} ${t}`);
  agent.destroy();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  s3Bench().catch((e) => { console.error(e); process.exit(1); });
}
