// Chunked registry uploads against a real server: the live hash (hashes.ts) carried between the
// requests, and an upload whose live hash is gone (a restart: the server's map replaced by a new
// one) still ends with the digest of what was stored, right or wrong.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../../server/server.js';
import { clientConfig, startTestServer } from '../../../../test/helpers/server.js';
import { UploadHashes } from './hashes.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function http(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Res> {
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

describe('registry chunked uploads', () => {
  let cl: Cloudlet;
  let port: number;
  let auth: Record<string, string>;
  const hashes = () => cl.deps.uploadHashes ?? new UploadHashes();
  const restart = () => { cl.deps.uploadHashes = new UploadHashes(); };

  before(async () => {
    cl = await startTestServer();
    port = Number(new URL(cl.url).port);
    const ecr = new ECRClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'test' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    const t = await ecr.send(new GetAuthorizationTokenCommand({}));
    ecr.destroy();
    auth = { authorization: `Basic ${t.authorizationData![0]!.authorizationToken!}` };
  });
  after(async () => { await cl.close(); });

  /** A session with `chunks` PATCHed in order; returns its path. */
  async function upload(chunks: Buffer[], between?: (i: number) => void): Promise<string> {
    const start = await http(port, 'POST', '/v2/app/blobs/uploads/', auth);
    assert.equal(start.status, 202);
    const path = new URL(String(start.headers['location'])).pathname;
    let at = 0;
    for (const [i, c] of chunks.entries()) {
      if (i > 0) between?.(i);
      const r = await http(port, 'PATCH', path, { ...auth, 'content-range': `${at}-${at + c.length - 1}` }, c);
      assert.equal(r.status, 202);
      at += c.length;
      assert.equal(r.headers['range'], `0-${at - 1}`);
    }
    return path;
  }

  const errorOf = (r: Res) => (JSON.parse(r.body.toString()) as { errors: Array<{ code: string; message: string }> }).errors[0]!;
  const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

  test('the live hash is carried between chunks and dropped when the upload ends', async () => {
    const parts = [bytes(70_000, 1), bytes(50_000, 2)];
    const path = await upload(parts);
    assert.equal(hashes().size, 1);
    const wrong = await http(port, 'PUT', `${path}?digest=${sha('not it')}`, auth);
    assert.equal(wrong.status, 400);
    assert.equal(errorOf(wrong).code, 'DIGEST_INVALID');
    assert.match(errorOf(wrong).message, new RegExp(sha(Buffer.concat(parts))));
    assert.equal(hashes().size, 0);
    const path2 = await upload(parts);
    const last = bytes(10, 3);
    const done = await http(port, 'PUT', `${path2}?digest=${sha(Buffer.concat([...parts, last]))}`, { ...auth, 'content-range': '120000-120009' }, last);
    assert.equal(done.status, 201);
    assert.equal(hashes().size, 0);
  });

  test('after a restart (the live hash gone) the stored parts are hashed again: the right digest is kept, a wrong one refused', async () => {
    // Lost after the last PATCH; the PUT brings a last chunk.
    const a = [bytes(100_000, 4), bytes(30_000, 5)];
    const aLast = bytes(777, 6);
    const aWhole = Buffer.concat([...a, aLast]);
    const pathA = await upload(a);
    restart();
    const done = await http(port, 'PUT', `${pathA}?digest=${sha(aWhole)}`, { ...auth, 'content-range': `130000-130776` }, aLast);
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], sha(aWhole));
    const got = await http(port, 'GET', `/v2/app/blobs/${sha(aWhole)}`, auth);
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(aWhole));

    // Lost between PATCHes: the next chunk is stored unhashed (nothing held), then a wrong digest.
    const b = [bytes(64_000, 7), bytes(64_000, 8), bytes(5, 9)];
    const stored = cl.deps.blobs.ids().length;
    const pathB = await upload(b, (i) => { if (i === 1) restart(); });
    assert.equal(hashes().size, 0);
    const wrong = await http(port, 'PUT', `${pathB}?digest=${sha(Buffer.concat(b.slice(0, 2)))}`, auth);
    assert.equal(wrong.status, 400);
    assert.equal(errorOf(wrong).code, 'DIGEST_INVALID');
    assert.match(errorOf(wrong).message, new RegExp(sha(Buffer.concat(b))));
    // Nothing kept: the upload is gone with its parts, no blob under either digest.
    assert.equal((await http(port, 'GET', pathB, auth)).status, 404);
    assert.equal(cl.deps.blobs.ids().length, stored);
    assert.equal((await http(port, 'HEAD', `/v2/app/blobs/${sha(Buffer.concat(b))}`, auth)).status, 404);

    // And the same upload again, lost mid-way, with its right digest.
    const pathC = await upload(b, (i) => { if (i === 2) restart(); });
    const ok = await http(port, 'PUT', `${pathC}?digest=${sha(Buffer.concat(b))}`, auth);
    assert.equal(ok.status, 201);
    assert.ok((await http(port, 'GET', `/v2/app/blobs/${sha(Buffer.concat(b))}`, auth)).body.equals(Buffer.concat(b)));
  });
});
