/**
 * S3 durability with the real server process on a data directory: kill -9 during large PUTs
 * (no partial object, the previous version intact, no orphaned or temporary blob after the
 * restart), concurrent writers to one key (one writer's whole body wins, with its ETag), a client
 * that disconnects mid-body (nothing left), and objects kept by state snapshots (save, delete, load).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { collectBlobRefs } from '../../src/state/reset.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { NodeSha256 } from '../helpers/sign.js';
import { clientConfig } from '../helpers/server.js';
import { startProcess, type Running } from '../helpers/process.js';

const MiB = 1024 * 1024;
const BUCKET = 'durable';
const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-s3-durable-'));
const dir = join(tmp, 'data');
after(() => rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

let server: Running;
let s3: S3Client;

async function start(): Promise<void> {
  server = await startProcess(['--port', '0', '--data-dir', dir, '--log-level', 'error']);
  s3 = new S3Client({ ...clientConfig(server.url), forcePathStyle: true });
}

async function stop(): Promise<void> {
  s3.destroy();
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Blob files in place (not tmp/), by id. */
function blobFiles(): string[] {
  const root = join(dir, 'blobs');
  const out: string[] = [];
  for (const fan of readdirSync(root)) {
    if (!/^[0-9a-f]{2}$/.test(fan)) continue;
    for (const name of readdirSync(join(root, fan))) out.push(fan + name);
  }
  return out.sort();
}

const tmpFiles = (): string[] => readdirSync(join(dir, 'blobs', 'tmp'));

/** The blob ids the stored rows mention (the server must be stopped: reads state.db directly). */
async function referencedBlobs(): Promise<string[]> {
  const store = openSqliteStore(join(dir, 'state.db'));
  try {
    const known = new Set(blobFiles());
    const refs = new Set<string>();
    await store.exclusive((ops) => ops.scan((row) => collectBlobRefs(row.json, known, refs)));
    return [...refs].sort();
  } finally {
    store.close();
  }
}

/** A signed, streamed PUT (UNSIGNED-PAYLOAD) whose body the caller writes. */
async function openPut(key: string, length: number, payload = 'UNSIGNED-PAYLOAD'): Promise<{ req: ClientRequest; done: Promise<number> }> {
  const u = new URL(server.url);
  const signer = new SignatureV4({
    service: 's3', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: NodeSha256 as never, uriEscapePath: false, applyChecksum: false,
  });
  const path = `/${BUCKET}/${key}`;
  const signed = await signer.sign({
    method: 'PUT', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query: {},
    headers: { host: u.host, 'content-length': String(length), 'x-amz-content-sha256': payload },
  });
  const req = request({ host: u.hostname, port: Number(u.port), method: 'PUT', path, headers: signed.headers as Record<string, string> });
  const done = new Promise<number>((ok) => {
    req.on('response', (res) => { res.resume(); res.on('end', () => ok(res.statusCode ?? 0)); });
    req.on('error', () => ok(-1));
  });
  return { req, done };
}

/** Writes `bytes` of `body` (from `from`) and resolves once the socket accepted them. */
async function writeSome(req: ClientRequest, body: Buffer, from: number, bytes: number): Promise<void> {
  for (let at = from; at < from + bytes; at += MiB) {
    if (!req.write(body.subarray(at, Math.min(at + MiB, from + bytes)))) await new Promise((r) => req.once('drain', r));
  }
}

async function head(key: string): Promise<{ etag?: string; size?: number } | 'NotFound'> {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return { etag: h.ETag, size: h.ContentLength };
  } catch (e) {
    if ((e as Error).name === 'NotFound') return 'NotFound';
    throw e;
  }
}

async function getBytes(key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

/** No blob that no row mentions, none left in tmp/ (checked on the stopped server's directory). */
async function assertNoOrphans(): Promise<void> {
  assert.deepEqual(tmpFiles(), [], 'no temporary blob files');
  assert.deepEqual(blobFiles(), await referencedBlobs(), 'every blob file is referenced by a row, and no other');
}

describe('S3 durability (real process, data directory)', () => {
  before(async () => {
    await start();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(async () => { await stop().catch(() => undefined); });

  test('kill -9 during four 64 MiB PUTs: no partial object, the previous version intact, no orphaned blob', async () => {
    const SIZE = 64 * MiB;
    const previous = randomBytes(3 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big-0', Body: previous }));
    const bodies = Array.from({ length: 4 }, () => randomBytes(SIZE));
    const puts = await Promise.all(bodies.map((_, i) => openPut(`big-${i}`, SIZE)));
    // Different amounts of each body, so the kill finds them at different points.
    await Promise.all(puts.map((p, i) => writeSome(p.req, bodies[i]!, 0, (8 + 12 * i) * MiB)));
    // Wait until the server really is writing the bodies to disk.
    for (let t = 0; t < 200; t++) {
      const names = tmpFiles();
      if (names.length === 4 && names.every((n) => statSync(join(dir, 'blobs', 'tmp', n)).size >= 4 * MiB)) break;
      await sleep(25);
    }
    const inFlight = tmpFiles();
    assert.equal(inFlight.length, 4, 'four bodies were being written when the server was killed');
    const beforeKill = blobFiles();
    server.child.kill('SIGKILL');
    await server.exited;
    const statuses = await Promise.all(puts.map((p) => p.done));
    assert.ok(statuses.every((s) => s !== 200), `no PUT was answered 200: ${statuses}`);
    console.log(`[durable] killed with ${inFlight.length} bodies in tmp/ (${inFlight.map((n) => statSync(join(dir, 'blobs', 'tmp', n), { throwIfNoEntry: false })?.size ?? 0).map((b) => `${Math.round(b / MiB)} MiB`).join(', ')}), ${beforeKill.length} blobs in place`);

    // A crash between a blob's rename and its metadata commit leaves a whole blob no row names:
    // plant one as such a crash would, for the collection at start to find.
    const planted = randomBytes(16).toString('hex');
    mkdirSync(join(dir, 'blobs', planted.slice(0, 2)), { recursive: true });
    writeFileSync(join(dir, 'blobs', planted.slice(0, 2), planted.slice(2)), randomBytes(1024));
    await start();
    assert.ok(!blobFiles().includes(planted), 'the uncommitted blob was collected at start');
    const h0 = await head('big-0');
    assert.notEqual(h0, 'NotFound');
    assert.equal((h0 as { etag: string }).etag, `"${md5(previous)}"`, 'big-0 is its previous complete version');
    assert.ok((await getBytes('big-0')).equals(previous));
    for (const i of [1, 2, 3]) assert.equal(await head(`big-${i}`), 'NotFound', `big-${i} is not visible`);
    await stop();
    await assertNoOrphans();
    await start();
  });

  test('eight concurrent writers to one key: one writer\'s whole body, with its ETag', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(2 * MiB + i * 4099));
    const clients = bodies.map(() => new S3Client({ ...clientConfig(server.url), forcePathStyle: true }));
    const results = await Promise.all(bodies.map((b, i) => clients[i]!.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'contended', Body: b }))));
    for (const [i, r] of results.entries()) assert.equal(r.ETag, `"${md5(bodies[i]!)}"`, `writer ${i} got its own ETag`);
    for (const c of clients) c.destroy();
    const got = await getBytes('contended');
    const winner = bodies.findIndex((b) => b.equals(got));
    assert.ok(winner >= 0, `the object's ${got.length} bytes are one writer's body`);
    const h = await head('contended');
    assert.deepEqual(h, { etag: `"${md5(bodies[winner]!)}"`, size: bodies[winner]!.length });
    // The losers' blobs are gone (deleted after their overwrite committed).
    await sleep(300);
    await stop();
    await assertNoOrphans();
    await start();
  });

  test('a client that disconnects mid-body leaves no object and no blob', async () => {
    const before = blobFiles();
    const SIZE = 16 * MiB;
    const body = randomBytes(SIZE);
    const put = await openPut('cut-off', SIZE);
    await writeSome(put.req, body, 0, SIZE / 2);
    for (let t = 0; t < 100 && tmpFiles().length === 0; t++) await sleep(20);
    assert.equal(tmpFiles().length, 1, 'the body was being written');
    put.req.destroy();
    await put.done;
    for (let t = 0; t < 100 && tmpFiles().length > 0; t++) await sleep(20);
    await sleep(300);
    assert.deepEqual(tmpFiles(), [], 'the temporary file is removed');
    assert.deepEqual(blobFiles(), before, 'no new blob');
    assert.equal(await head('cut-off'), 'NotFound');
  });

  test('a body that does not match its x-amz-content-sha256 is refused and leaves no blob', async () => {
    const before = blobFiles();
    const body = randomBytes(MiB);
    const wrong = createHash('sha256').update('something else').digest('hex');
    const put = await openPut('mismatch', body.length, wrong);
    put.req.end(body);
    assert.equal(await put.done, 400);
    await sleep(100);
    assert.deepEqual(blobFiles(), before);
    assert.equal(await head('mismatch'), 'NotFound');
    const right = await openPut('mismatch', body.length, createHash('sha256').update(body).digest('hex'));
    right.req.end(body);
    assert.equal(await right.done, 200);
    assert.ok((await getBytes('mismatch')).equals(body));
  });

  test('a state snapshot holds objects: save, delete, load brings the bytes back', async () => {
    const body = randomBytes(5 * MiB + 17);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'snap/kept', Body: body }));
    const saved = await fetch(`${server.url}/_cloudlet/state/save/with-objects`, { method: 'POST' });
    assert.equal(saved.status, 200, await saved.text());
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'snap/kept' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'snap/later', Body: 'after the save' }));
    assert.equal(await head('snap/kept'), 'NotFound');
    const loaded = await fetch(`${server.url}/_cloudlet/state/load/with-objects`, { method: 'POST' });
    assert.equal(loaded.status, 200, await loaded.text());
    assert.ok((await getBytes('snap/kept')).equals(body), 'the bytes came back');
    assert.deepEqual(await head('snap/kept'), { etag: `"${md5(body)}"`, size: body.length });
    assert.equal(await head('snap/later'), 'NotFound', 'an object written after the save is gone');
    await stop();
    await assertNoOrphans();
    await start();
    assert.ok((await getBytes('snap/kept')).equals(body), 'and survive a restart');
  });
});
