/**
 * What a web page can make a browser send, against a live server: cross-site form POSTs to the
 * admin API, presigned GETs signed with the public `test` key, DNS-rebinding requests with a
 * foreign Host. All are refused and change nothing; the CLI, the SDK and curl are served as
 * before, and a page on localhost:3000 (the JS SDK in a dev server) works, preflight included.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { CreateUserCommand, GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { NodeSha256 } from '../helpers/sign.js';

interface Raw { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** node:http, because fetch will not send a chosen Host or Origin. */
function raw(url: string, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Raw> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}

function curl(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const c = spawn('curl', ['-sS', '-w', '\n%{http_code}', ...args]);
    let out = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.on('close', (code) => done({ code, out }));
  });
}

/** A query-protocol call as a presigned GET URL (path and query), signed with `test`/`test`. */
async function presignedPath(url: string, service: string, params: Record<string, string>): Promise<string> {
  const u = new URL(url);
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never });
  const signed = await signer.presign({ method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: params, headers: { host: u.host } }, { expiresIn: 300 });
  const qs = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return `/?${qs}`;
}

/** What a cross-site HTML form (or a navigation) from a page on evil.example carries. */
const FORM = {
  origin: 'http://evil.example',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
  'content-type': 'application/x-www-form-urlencoded',
};

const xmlCode = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];

describe('browser and DNS-rebinding protection (default start)', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateUserCommand({ UserName: 'victim' }));
  });
  after(async () => { await cl.close(); });

  const intact = async () => {
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'victim' }))).User?.UserName, 'victim', 'the state was not reset');
    assert.equal(cl.deps.clock.offset(), 0, 'the clock did not move');
  };

  test('cross-site form POSTs to reset and clock endpoints (cloudlet, moto, LocalStack) are refused and change nothing', async () => {
    const posts: Array<[string, string, string?]> = [
      ['/_cloudlet/reset', 'account=000000000000'],
      ['/moto-api/reset', ''],
      ['/_localstack/state/reset', ''],
      ['/_localstack/state/iam/reset', ''],
      ['/_cloudlet/clock', 'advance=31d'],
      // <form enctype="text/plain"> can put a JSON-looking body on the wire.
      ['/_cloudlet/clock', '{"advance":"31d","x":"="}', 'text/plain'],
      ['/_cloudlet/state/import', 'x=1'],
    ];
    for (const [path, body, type] of posts) {
      const r = await raw(cl.url, { method: 'POST', path, headers: { ...FORM, ...(type ? { 'content-type': type } : {}) }, body });
      assert.equal(r.status, 403, `${path}: ${r.body}`);
      assert.match(String(r.headers['content-type']), /application\/json/);
      const j = JSON.parse(r.body) as { error: string; message: string };
      assert.equal(j.error, 'CrossSiteRequestRefused');
      assert.match(j.message, /cross-site browser requests to the admin API: it comes from a page on http:\/\/evil\.example/);
      assert.match(j.message, /--allow-cross-site/);
      assert.equal(r.headers['access-control-allow-origin'], undefined, 'no CORS grant for a foreign page');
    }
    // A navigation or <img> without Origin still says Sec-Fetch-Site: cross-site.
    const exp = await raw(cl.url, { path: '/_cloudlet/state/export', headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' } });
    assert.equal(exp.status, 403);
    assert.match(exp.body, /Sec-Fetch-Site: cross-site/);
    // Origin: null (sandboxed iframe, file: page) is foreign too.
    const nul = await raw(cl.url, { method: 'POST', path: '/moto-api/reset', headers: { origin: 'null' } });
    assert.equal(nul.status, 403);
    await intact();
  });

  test('presigned GETs signed with the public test key, fired by a page, are refused; no key is created', async () => {
    const create = await presignedPath(cl.url, 'iam', { Action: 'CreateAccessKey', Version: '2010-05-08', UserName: 'victim' });
    const whoami = await presignedPath(cl.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    const pages: Array<Record<string, string>> = [{ origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' }];
    for (const headers of pages) {
      for (const path of [create, whoami]) {
        const r = await raw(cl.url, { path, headers });
        assert.equal(r.status, 403, r.body);
        assert.equal(xmlCode(r.body), 'AccessDenied');
        assert.match(r.body, /<ErrorResponse/, 'the query protocol\'s error shape');
        assert.match(r.body, /refuses cross-site browser requests to AWS APIs/);
      }
    }
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'victim' }))).AccessKeyMetadata?.length, 0);
    // The same URL from curl (no browser headers) is served as before.
    const ok = await curl([`${cl.url}${whoami}`]);
    assert.match(ok.out, /<Arn>arn:aws:iam::000000000000:root<\/Arn>[\s\S]*\n200$/);
    // An S3 request from a foreign page gets S3's shape (no bucket CORS rules exist yet to grant it).
    const s3 = await raw(cl.url, { path: '/', headers: { origin: 'https://evil.example' } });
    assert.equal(s3.status, 403);
    assert.match(s3.body, /^<\?xml[^>]*>\s*<Error><Code>AccessDenied<\/Code>/);
  });

  test('a foreign Host (DNS rebinding) gets a refusal and nothing else, on every front door', async () => {
    const host = `evil.example:${cl.port}`;
    const create = await presignedPath(`http://${host}`, 'iam', { Action: 'CreateAccessKey', Version: '2010-05-08', UserName: 'victim' });
    for (const [method, path] of [['GET', '/_cloudlet/state/export'], ['GET', '/_cloudlet/health'], ['POST', '/_cloudlet/reset'], ['GET', '/moto-api/'], ['GET', create], ['GET', '/']]) {
      const r = await raw(cl.url, { method: method!, path: path!, headers: { host } });
      assert.equal(r.status, 403, `${method} ${path}`);
      if (path!.startsWith('/_cloudlet/') || path!.startsWith('/moto-api/')) {
        const j = JSON.parse(r.body) as { error: string; message: string };
        assert.equal(j.error, 'HostNotServed');
        assert.match(j.message, /does not serve the host "evil\.example"/);
      } else {
        // The AWS APIs answer in their protocol's error shape (here XML: IAM's query, S3).
        assert.match(r.body, /<Code>HostNotServed<\/Code>/, `${method} ${path}: ${r.body}`);
        assert.match(r.body, /does not serve the host &quot;evil\.example&quot;|does not serve the host "evil\.example"/);
      }
      assert.doesNotMatch(r.body, /Secret|victim|000000000000/);
    }
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'victim' }))).AccessKeyMetadata?.length, 0);
    // The served names, any port: localhost, *.localhost, [::1]-style literals.
    for (const h of [`localhost:${cl.port}`, `anything.localhost:${cl.port}`, `127.0.0.1:${cl.port}`]) {
      assert.equal((await raw(cl.url, { path: '/_cloudlet/health', headers: { host: h } })).status, 200, h);
    }
    // No Host at all: HTTP/1.0 may omit it (served: no browser does); HTTP/1.1 may not (node answers 400).
    const bare = (line: string) => new Promise<string>((done) => {
      const s = connect(cl.port, '127.0.0.1');
      let got = '';
      s.on('data', (d: Buffer) => { got += d.toString(); });
      s.on('error', () => {});
      s.on('close', () => done(got));
      s.end(`${line}\r\n\r\n`);
    });
    assert.match(await bare('GET /_cloudlet/health HTTP/1.0'), /^HTTP\/1\.1 200 [\s\S]*"status":"running"/);
    assert.match(await bare('GET /_cloudlet/health HTTP/1.1'), /^HTTP\/1\.1 400 /);
    await intact();
  });

  test('the same calls from the AWS CLI, the SDK v3 and curl still work', async () => {
    for (const cli of awsClis()) {
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity']);
      assert.equal(id.Account, '000000000000', cli.name);
      const users = await awsJson(cli.bin, `http://localhost:${cl.port}`, ['iam', 'list-users']);
      assert.ok(users.Users.some((u: { UserName: string }) => u.UserName === 'victim'), cli.name);
    }
    const sts = new STSClient(clientConfig(`http://localhost:${cl.port}`));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '000000000000');
    let r = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-d', '{"advance":"1h"}', `${cl.url}/_cloudlet/clock`]);
    assert.match(r.out, /"offsetMs":3600000[\s\S]*\n200$/);
    r = await curl(['-X', 'POST', '-H', 'content-type: application/json', '-d', '{"reset":true}', `${cl.url}/_cloudlet/clock`]);
    assert.match(r.out, /"offsetMs":0[\s\S]*\n200$/);
    r = await curl([`http://localhost:${cl.port}/_cloudlet/health`]);
    assert.match(r.out, /"status":"running"[\s\S]*\n200$/);
    r = await curl(['-X', 'POST', `${cl.url}/moto-api/reset`]);
    assert.match(r.out, /"status":"ok"[\s\S]*\n200$/);
  });

  test('a page on localhost:3000 (the JS SDK in a dev server): preflight, then the signed call, with CORS headers', async () => {
    const origin = 'http://localhost:3000';
    const asked = 'amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-date,x-amz-user-agent';
    const pre = await raw(cl.url, { method: 'OPTIONS', path: '/', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': asked, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], origin);
    assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
    assert.equal(pre.headers['access-control-allow-headers'], asked);
    assert.equal(pre.body, '');
    // The SDK's own request, with the Origin the browser adds after signing.
    const sts = new STSClient(clientConfig(cl.url));
    sts.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers.origin = origin;
      return next(args);
    }, { step: 'deserialize', name: 'browserOrigin' });
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '000000000000');
    // Its response carries the headers the browser needs to hand it to the page.
    const signedPath = await presignedPath(cl.url, 'sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    const r = await raw(cl.url, { path: signedPath, headers: { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'cross-site' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'http://127.0.0.1:3000');
    assert.match(String(r.headers['access-control-expose-headers']), /x-amzn-requestid/);
    assert.match(String(r.headers.vary), /Origin/);
    // The admin API answers same-machine pages too (a local dashboard).
    const h = await raw(cl.url, { path: '/_cloudlet/health', headers: { origin } });
    assert.equal(h.status, 200);
    assert.equal(h.headers['access-control-allow-origin'], origin);
    // A preflight from a foreign page gets no grant.
    const bad = await raw(cl.url, { method: 'OPTIONS', path: '/', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(bad.status, 403);
    assert.equal(bad.headers['access-control-allow-origin'], undefined);
  });
});

describe('--allow-cross-site and --allowed-hosts relax the guard', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer({ allowCrossSite: true, allowedHosts: ['dev.example.test'] }); });
  after(async () => { await cl.close(); });

  test('a foreign page is served with CORS headers; an allowed Host is served; other Hosts are still refused', async () => {
    const r = await raw(cl.url, { path: '/_cloudlet/clock', headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'http://evil.example');
    assert.equal((await raw(cl.url, { path: '/_cloudlet/health', headers: { host: `dev.example.test:${cl.port}` } })).status, 200);
    assert.equal((await raw(cl.url, { path: '/_cloudlet/health', headers: { host: 'evil.example' } })).status, 403);
  });
});
