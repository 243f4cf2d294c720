/**
 * Live-server fuzzing: mutated versions of valid signed requests, over loopback with keep-alive
 * and bounded concurrency. Every answer must be a well-formed 2xx/3xx/4xx/501 with a body of its
 * protocol's shape (parseable XML / JSON / CBOR), never another 5xx, never a stack trace, never a
 * hang (per-request timeout), and the server must stay up. A separate sequential phase checks
 * that a rejected request changed nothing stored.
 *
 * Requests are signed with the official signer (@smithy/signature-v4). Three strategies:
 *  - 'resigned': the seed is mutated, then signed, so the mutation reaches the codec;
 *  - 'tampered': the seed is signed, then mutated (signature checks, routing, codecs before auth);
 *  - 'garbage':  a random request, signed or not.
 * Plus a few unmutated seeds ('valid') so success paths stay exercised.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import fc from 'fast-check';
import { SignatureV4 } from '@smithy/signature-v4';
import { escapeUri } from '@smithy/core/protocols';
import type { Cloudlet } from '../../src/server/server.js';
import type { WireRequest } from '../../src/protocol/codec.js';
import { Rng, deriveSeed } from '../../src/protocol/samples.js';
import { applyRequestMutation, corpus, requestMutationArb, wellFormedBody, type RequestMutation } from './fuzz-codec.js';
import { NodeSha256 } from '../helpers/sign.js';

export interface LiveSeed {
  name: string;
  /** SigV4 service name. */
  service: string;
  method: string;
  path: string;
  /** Raw query string, percent-encoded. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Changes state when it succeeds (used by the state phase). */
  mutating?: boolean;
  /** Relative frequency among the seeds (default 1). */
  weight?: number;
}

export type Strategy = 'valid' | 'resigned' | 'tampered' | 'garbage';

export interface LiveFailure {
  index: number;
  seed: string;
  strategy: Strategy;
  status?: number;
  detail: string;
  request: string;
}

export interface LiveStats {
  requests: number;
  byStatus: Record<string, number>;
  byStrategy: Record<Strategy, number>;
  /** Requests Node's HTTP client refused to send (invalid header bytes); not counted as sent. */
  unsendable: number;
  /** Every failing answer, by kind (the detail up to its first colon). */
  failed: number;
  failureKinds: Record<string, number>;
  /** The first few failures in full, for replay. */
  failures: LiveFailure[];
  serverErrors: number;
  hangs: number;
  dropped: number;
  ms: number;
  crashed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Seeds.

/** Hand-written seeds reach handlers (generated ones mostly meet validation or 501): favour them. */
const HANDWRITTEN_WEIGHT = 5;
const form = (params: Record<string, string>) => new URLSearchParams(params).toString().replace(/\+/g, '%20');
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }] });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

function query(service: string, version: string, params: Record<string, string>, mutating = false, name = params.Action!): LiveSeed {
  return {
    name: `${service}:${name}`, service, method: 'POST', path: '/', query: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(form({ ...params, Version: version })), mutating, weight: HANDWRITTEN_WEIGHT,
  };
}

/** Valid requests for operations cloudlet implements, so mutations reach handlers; `tag` keeps names unique. */
export function handwrittenSeeds(tag = 'fz'): LiveSeed[] {
  const iam = (p: Record<string, string>, mutating = false) => query('iam', '2010-05-08', p, mutating);
  const sts = (p: Record<string, string>) => query('sts', '2011-06-15', p);
  const ec2 = (p: Record<string, string>) => query('ec2', '2016-11-15', p);
  return handwritten(tag, iam, sts, ec2).map((s) => ({ weight: HANDWRITTEN_WEIGHT, ...s }));
}

function handwritten(
  tag: string, iam: (p: Record<string, string>, m?: boolean) => LiveSeed, sts: (p: Record<string, string>) => LiveSeed, ec2: (p: Record<string, string>) => LiveSeed,
): LiveSeed[] {
  return [
    iam({ Action: 'CreateUser', UserName: `${tag}-user`, Path: '/fuzz/', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }, true),
    iam({ Action: 'CreateRole', RoleName: `${tag}-role`, AssumeRolePolicyDocument: TRUST, Description: 'fuzz', MaxSessionDuration: '3600' }, true),
    iam({ Action: 'CreateGroup', GroupName: `${tag}-group` }, true),
    iam({ Action: 'CreatePolicy', PolicyName: `${tag}-policy`, PolicyDocument: POLICY }, true),
    iam({ Action: 'PutUserPolicy', UserName: `${tag}-user`, PolicyName: 'inline', PolicyDocument: POLICY }, true),
    iam({ Action: 'TagUser', UserName: `${tag}-user`, 'Tags.member.1.Key': 'a', 'Tags.member.1.Value': 'b' }, true),
    iam({ Action: 'CreateAccessKey', UserName: `${tag}-user` }, true),
    iam({ Action: 'CreateInstanceProfile', InstanceProfileName: `${tag}-ip` }, true),
    iam({ Action: 'CreateAccountAlias', AccountAlias: `${tag}-alias` }, true),
    iam({ Action: 'AddUserToGroup', UserName: `${tag}-user`, GroupName: `${tag}-group` }, true),
    iam({ Action: 'GetUser', UserName: `${tag}-user` }),
    iam({ Action: 'ListUsers', MaxItems: '5' }),
    iam({ Action: 'ListRoles', PathPrefix: '/' }),
    iam({ Action: 'GetAccountSummary' }),
    iam({ Action: 'ListPolicies', Scope: 'Local', OnlyAttached: 'false' }),
    iam({ Action: 'GetAccountAuthorizationDetails', 'Filter.member.1': 'User' }),
    sts({ Action: 'GetCallerIdentity' }),
    sts({ Action: 'GetSessionToken', DurationSeconds: '900' }),
    sts({ Action: 'AssumeRole', RoleArn: `arn:aws:iam::000000000000:role/${tag}-role`, RoleSessionName: 's', DurationSeconds: '900' }),
    ec2({ Action: 'DescribeRegions', 'RegionName.1': 'us-east-1', AllRegions: 'true' }),
    ec2({ Action: 'DescribeAvailabilityZones', 'Filter.1.Name': 'zone-name', 'Filter.1.Value.1': 'us-east-1a', DryRun: 'false' }),
    { name: 's3:ListBuckets', service: 's3', method: 'GET', path: '/', query: 'max-buckets=10', headers: {}, body: Buffer.alloc(0) },
    { name: 's3:CreateBucket', service: 's3', method: 'PUT', path: `/${tag}-bucket`, query: '', headers: {}, body: Buffer.alloc(0), mutating: true },
    {
      name: 's3:PutObject', service: 's3', method: 'PUT', path: `/${tag}-bucket/dir/key%20one.txt`, query: '', body: Buffer.from('hello, fuzz'),
      headers: { 'content-type': 'text/plain', 'x-amz-meta-color': 'blue', 'x-amz-tagging': 'a=b', 'cache-control': 'no-cache' }, mutating: true,
    },
    { name: 's3:GetObject', service: 's3', method: 'GET', path: `/${tag}-bucket/dir/key%20one.txt`, query: 'response-content-type=text%2Fhtml', headers: { range: 'bytes=0-3' }, body: Buffer.alloc(0) },
    { name: 's3:HeadObject', service: 's3', method: 'HEAD', path: `/${tag}-bucket/dir/key%20one.txt`, query: '', headers: { 'if-none-match': '"x"' }, body: Buffer.alloc(0) },
    { name: 's3:ListObjectsV2', service: 's3', method: 'GET', path: `/${tag}-bucket`, query: 'list-type=2&prefix=dir%2F&max-keys=5', headers: {}, body: Buffer.alloc(0) },
    {
      name: 's3:DeleteObjects', service: 's3', method: 'POST', path: `/${tag}-bucket`, query: 'delete=', mutating: true,
      body: Buffer.from('<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>dir/key one.txt</Key></Object><Quiet>true</Quiet></Delete>'),
      headers: { 'content-type': 'application/xml', 'content-md5': 'yqVwoWAJdMtiDQ98wMIinQ==' },
    },
    {
      name: 'ecr:DescribeRepositories', service: 'ecr', method: 'POST', path: '/', query: '', body: Buffer.from('{"maxResults":5}'),
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
    },
    {
      name: 'cloudwatch:ListMetrics(json)', service: 'monitoring', method: 'POST', path: '/', query: '', body: Buffer.from('{"Namespace":"AWS/EC2"}'),
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' },
    },
  ];
}

const STRIP = new Set(['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'host', 'content-length',
  'amz-sdk-invocation-id', 'amz-sdk-request', 'user-agent', 'x-amz-user-agent', 'expect']);

/** Requests the official JS SDK wrote for generated inputs, re-targeted: every codec, many operations. */
export async function sdkSeeds(seed: number, share: number): Promise<LiveSeed[]> {
  const out: LiveSeed[] = [];
  for (const s of await corpus(seed, share)) {
    const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(s.wire.headers.authorization ?? '')?.[1];
    if (!service) continue;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.wire.headers)) if (!STRIP.has(k)) headers[k] = v;
    out.push({
      name: `${s.target.service}/${s.target.protocol}:${s.operation}`, service, method: s.wire.method, path: s.wire.path,
      query: s.wire.query, headers, body: s.wire.body,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Signing.


export interface SendRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer;
}

function parseQueryMap(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    const k = dec(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : dec(part.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const encodeQuery = (q: Record<string, string | string[] | null>) => Object.entries(q)
  .flatMap(([k, v]) => (Array.isArray(v) ? v : [v ?? '']).map((x) => `${escapeUri(k)}=${escapeUri(x)}`)).join('&');

export class RequestSigner {
  private readonly signers = new Map<string, SignatureV4>();

  constructor(private readonly host: string, private readonly port: number) {}

  private signer(service: string): SignatureV4 {
    let s = this.signers.get(service);
    if (!s) {
      s = new SignatureV4({
        service, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        sha256: NodeSha256 as never, uriEscapePath: service !== 's3', applyChecksum: service === 's3',
      });
      this.signers.set(service, s);
    }
    return s;
  }

  async sign(r: { service: string; method: string; path: string; query: string; headers: Record<string, string>; body: Buffer }): Promise<SendRequest> {
    const signed = await this.signer(r.service).sign({
      method: r.method, protocol: 'http:', hostname: this.host, port: this.port, path: r.path,
      query: parseQueryMap(r.query), headers: { ...r.headers, host: `${this.host}:${this.port}` }, body: r.body,
    });
    return { method: signed.method, path: signed.path, query: encodeQuery(signed.query ?? {}), headers: signed.headers as Record<string, string>, body: r.body };
  }
}

// ---------------------------------------------------------------------------------------------
// Building one fuzzed request.

const toWire = (s: SendRequest): WireRequest => ({ method: s.method, path: s.path, query: s.query, headers: { ...s.headers }, body: s.body, host: '' });

/** What Node's HTTP client will send: paths without raw spaces / non-ASCII, header values it accepts. */
/**
 * A request target is ASCII without spaces or controls (RFC 9112); anything else is percent-
 * encoded here, or Node's HTTP parser on the server answers a bare 400 before cloudlet sees it.
 */
const escapeTarget = (s: string) => s.replace(/[^\u0021-\u007e]/gu, (c) => {
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate
  }
});

function sendable(s: SendRequest): SendRequest {
  const path = escapeTarget(s.path) || '/';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) continue;
    headers[k] = v.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/g, '?');
  }
  const method = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s.method) ? s.method : 'GET';
  return { ...s, path: path.startsWith('/') ? path : `/${path}`, query: escapeTarget(s.query), headers, method };
}

const ADMIN = /^\/(?:_cloudlet|_localstack|moto-api)(?:\/|$)/i;

export interface Plan {
  strategy: Strategy;
  seed: LiveSeed;
  mutation?: RequestMutation;
}

const MUTATIONS_PER_BATCH = 4096;

/** Deterministic plans: request i of run `seed` is always the same. */
export class Planner {
  private batch = -1;
  private mutations: RequestMutation[] = [];
  private readonly cumulative: number[] = [];

  constructor(private readonly seed: number, private readonly seeds: LiveSeed[], private readonly garbage: LiveSeed[]) {
    let total = 0;
    for (const s of seeds) this.cumulative.push((total += s.weight ?? 1));
  }

  private pickSeed(rng: Rng): LiveSeed {
    const x = rng.float() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.seeds[lo]!;
  }

  private mutation(i: number): RequestMutation {
    const b = Math.floor(i / MUTATIONS_PER_BATCH);
    if (b !== this.batch) {
      this.batch = b;
      this.mutations = fc.sample(requestMutationArb, { seed: deriveSeed(this.seed, `batch${b}`) | 0, numRuns: MUTATIONS_PER_BATCH });
    }
    return this.mutations[i % MUTATIONS_PER_BATCH]!;
  }

  plan(i: number): Plan {
    const rng = new Rng(deriveSeed(this.seed, `req${i}`));
    const roll = rng.float();
    const strategy: Strategy = roll < 0.05 ? 'valid' : roll < 0.6 ? 'resigned' : roll < 0.92 ? 'tampered' : 'garbage';
    if (strategy === 'garbage') return { strategy, seed: rng.pick(this.garbage), mutation: this.mutation(i) };
    return { strategy, seed: this.pickSeed(rng), ...(strategy === 'valid' ? {} : { mutation: this.mutation(i) }) };
  }
}

/** Random requests that still look like HTTP: the 'garbage' strategy mutates these. */
export function garbageSeeds(seed: number, n = 64): LiveSeed[] {
  const rng = new Rng(deriveSeed(seed, 'garbage'));
  const services = ['iam', 'sts', 'ec2', 's3', 'ecr', 'monitoring', 'sns', 'autoscaling', 'elasticloadbalancing', 'nosuchservice'];
  const out: LiveSeed[] = [];
  for (let i = 0; i < n; i++) {
    const body = rng.bytes(rng.int(0, 80));
    out.push({
      name: `garbage#${i}`, service: rng.pick(services), method: rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']),
      path: rng.pick(['/', '/b', '/b/k', '/service/GraniteServiceVersion20100801/operation/ListMetrics', `/${body.toString('hex').slice(0, 10)}`]),
      query: rng.pick(['', 'Action=Nope', 'list-type=2', 'x-id=PutObject', 'uploads', '%zz=1']),
      headers: rng.pick<Record<string, string>>([
        {}, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages' },
        { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' }, { 'content-type': 'application/x-www-form-urlencoded' },
      ]),
      body,
    });
  }
  return out;
}

export async function build(plan: Plan, signer: RequestSigner): Promise<SendRequest> {
  const s = plan.seed;
  if (plan.strategy === 'valid') return signer.sign(s);
  if (plan.strategy === 'resigned' || (plan.strategy === 'garbage' && plan.mutation!.mutations.length % 2 === 0)) {
    const w = applyRequestMutation({ method: s.method, path: s.path, query: s.query, headers: { ...s.headers }, body: s.body, host: '' }, plan.mutation!);
    return signer.sign({ service: s.service, method: w.method || 'POST', path: w.path || '/', query: w.query, headers: w.headers, body: w.body });
  }
  const signed = await signer.sign(s);
  const w = applyRequestMutation(toWire(signed), plan.mutation!);
  return { method: w.method || 'GET', path: w.path, query: w.query, headers: w.headers, body: w.body };
}

// ---------------------------------------------------------------------------------------------
// Sending and judging.

const STACK = /\n\s+at .+:\d+:\d+|\bat (?:async )?[\w$.<>]+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|node:internal\/|node_modules\//;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function send(agent: http.Agent, base: URL, r: SendRequest, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const path = r.query ? `${r.path}?${r.query}` : r.path;
    let req: http.ClientRequest;
    try {
      const headers = { ...r.headers };
      delete headers['content-length'];
      delete headers['Content-Length'];
      req = http.request({ agent, host: base.hostname, port: base.port, method: r.method, path, headers: { ...headers, 'content-length': String(r.body.length) } });
    } catch (e) {
      reject(Object.assign(e as Error, { unsendable: true }));
      return;
    }
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { hang: true }));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(r.body.length ? r.body : undefined);
  });
}

/**
 * The protocol a request unmistakably speaks, when it does: a CloudWatch RPC v2 CBOR call, or an
 * X-Amz-Target JSON call signed for its service. The answer must come back in that protocol.
 */
export function spokenProtocol(r: SendRequest): 'cbor' | 'json' | undefined {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) h[k.toLowerCase()] = v;
  const scope = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(h.authorization ?? '')?.[1];
  const target = h['x-amz-target'];
  if (r.method.toUpperCase() !== 'POST') return undefined;
  if (scope === 'monitoring' && target === undefined && h['smithy-protocol'] === 'rpc-v2-cbor'
    && /^\/service\/GraniteServiceVersion20100801\/operation\/[A-Za-z]+$/.test(r.path)) return 'cbor';
  if (h['smithy-protocol'] !== undefined) return undefined;
  if (scope === 'ecr' && /^AmazonEC2ContainerRegistry_V20150921\.[A-Za-z]+$/.test(target ?? '')) return 'json';
  if (scope === 'monitoring' && /^GraniteServiceVersion20100801\.[A-Za-z]+$/.test(target ?? '')) return 'json';
  return undefined;
}

/** What is wrong with an answer, or undefined. */
export function judge(r: SendRequest, a: Answer): string | undefined {
  if (a.status >= 500 && a.status !== 501) return `HTTP ${a.status}`;
  if (a.status < 200 || a.status > 599) return `HTTP ${a.status}`;
  const text = a.body.toString('utf8');
  if (STACK.test(text)) return 'stack trace in the body';
  const type = String(a.headers['content-type'] ?? '');
  if (r.method.toUpperCase() === 'HEAD') return a.body.length ? 'HEAD answered with a body' : undefined;
  const spoken = spokenProtocol(r);
  if (spoken && a.body.length > 0 && !type.includes(spoken)) return `a ${spoken} request answered in ${type || 'no content type'}`;
  if (a.body.length === 0) return a.status >= 400 ? 'error without a body' : undefined;
  if (a.status >= 400 || /xml|json/.test(type)) {
    const bad = wellFormedBody(type, a.body);
    if (bad) return bad;
  }
  return undefined;
}

const describeRequest = (r: SendRequest) =>
  JSON.stringify({ method: r.method, path: r.path.slice(0, 200), query: r.query.slice(0, 300), headers: r.headers, body: r.body.toString('latin1').slice(0, 400) }).slice(0, 1500);

export interface LiveOptions {
  url: string;
  seed: number;
  seeds: LiveSeed[];
  /** Request budget. */
  requests: number;
  /** Time cap for the whole run. */
  timeLimitMs: number;
  concurrency: number;
  requestTimeoutMs: number;
  /** POST /_cloudlet/reset every this many requests (keeps state, and so latency, bounded). */
  resetEvery?: number;
  /** Whether the server is still up (child process). */
  alive?: () => boolean;
  onProgress?: (s: LiveStats) => void;
  progressEveryMs?: number;
  /** Stop at the first failure (tests). */
  stopOnFailure?: boolean;
}

export async function fuzzServer(o: LiveOptions): Promise<LiveStats> {
  const base = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const signer = new RequestSigner(base.hostname, Number(base.port));
  const planner = new Planner(o.seed, o.seeds, garbageSeeds(o.seed));
  const stats: LiveStats = {
    requests: 0, byStatus: {}, byStrategy: { valid: 0, resigned: 0, tampered: 0, garbage: 0 }, unsendable: 0, failed: 0, failureKinds: {}, failures: [],
    serverErrors: 0, hangs: 0, dropped: 0, ms: 0, crashed: false,
  };
  const started = Date.now();
  const deadline = started + o.timeLimitMs;
  let next = 0;
  /** Requests handed to the HTTP client: the budget counts these (not plans Node refuses to send). */
  let issued = 0;
  let stop = false;
  let lastProgress = started;
  const fail = (f: LiveFailure) => {
    stats.failed++;
    const kind = f.detail.replace(/:[\s\S]*$/, '').slice(0, 80);
    stats.failureKinds[kind] = (stats.failureKinds[kind] ?? 0) + 1;
    if (stats.failures.length < 200) stats.failures.push(f);
    if (o.stopOnFailure) stop = true;
  };

  const worker = async () => {
    while (!stop && issued < o.requests && Date.now() < deadline) {
      const i = next++;
      if (o.resetEvery && i > 0 && i % o.resetEvery === 0) {
        await send(agent, base, { method: 'POST', path: '/_cloudlet/reset', query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') }, o.requestTimeoutMs).catch(() => undefined);
      }
      const plan = planner.plan(i);
      let req: SendRequest;
      try {
        req = sendable(await build(plan, signer));
      } catch {
        stats.unsendable++;
        continue;
      }
      if (ADMIN.test(req.path)) {
        stats.unsendable++;
        continue;
      }
      stats.byStrategy[plan.strategy]++;
      issued++;
      try {
        const a = await send(agent, base, req, o.requestTimeoutMs);
        stats.requests++;
        const k = String(a.status);
        stats.byStatus[k] = (stats.byStatus[k] ?? 0) + 1;
        if (a.status >= 500 && a.status !== 501) stats.serverErrors++;
        const bad = judge(req, a);
        if (bad) fail({ index: i, seed: plan.seed.name, strategy: plan.strategy, status: a.status, detail: `${bad}: ${a.body.toString('utf8').slice(0, 300)}`, request: describeRequest(req) });
      } catch (e) {
        const err = e as Error & { hang?: boolean; unsendable?: boolean; code?: string };
        if (err.unsendable || err.code === 'ERR_INVALID_CHAR' || err.code === 'ERR_INVALID_HTTP_TOKEN' || err.code === 'ERR_UNESCAPED_CHARACTERS') {
          stats.unsendable++;
          issued--;
          stats.byStrategy[plan.strategy]--;
          continue;
        }
        stats.requests++;
        if (err.hang) stats.hangs++;
        else stats.dropped++;
        fail({ index: i, seed: plan.seed.name, strategy: plan.strategy, detail: err.hang ? `hang: ${err.message}` : `connection failed: ${err.code ?? ''} ${err.message}`, request: describeRequest(req) });
      }
      if (o.alive && !o.alive()) {
        stats.crashed = true;
        stop = true;
      }
      const now = Date.now();
      if (o.onProgress && now - lastProgress >= (o.progressEveryMs ?? 5000)) {
        lastProgress = now;
        stats.ms = now - started;
        o.onProgress(stats);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  stats.ms = Date.now() - started;
  if (o.alive && !o.alive()) stats.crashed = true;
  agent.destroy();
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Rejected requests change nothing.

export interface StateCheckStats {
  checks: number;
  rejected: number;
  accepted: number;
  failures: LiveFailure[];
}

/** A fingerprint of everything stored: every row, every meta key that is state, every blob. */
export async function stateFingerprint(c: Cloudlet): Promise<string> {
  const rows: string[] = [];
  await c.deps.store.exclusive((ops) => ops.scan((r) => rows.push(`${r.account}\u0000${r.region}\u0000${r.kind}\u0000${r.id}\u0000${r.json}`)));
  rows.sort();
  return createHash('sha256').update(rows.join('\n')).update(`\n${c.deps.blobs.ids().sort().join(',')}`).digest('hex');
}

/**
 * Sequentially: fingerprint, send a mutated state-changing request (IAM CreateUser, CreateRole,
 * ...), and when it was rejected (4xx/5xx), fingerprint again: it must not have changed.
 */
export async function stateChecks(c: Cloudlet, seed: number, checks: number, requestTimeoutMs = 10_000): Promise<StateCheckStats> {
  const base = new URL(c.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const signer = new RequestSigner(base.hostname, Number(base.port));
  const out: StateCheckStats = { checks: 0, rejected: 0, accepted: 0, failures: [] };
  const mutations = fc.sample(requestMutationArb, { seed, numRuns: checks });
  // Some targets exist so that mutated requests naming them get past "not found".
  for (const s of handwrittenSeeds('base')) {
    if (s.mutating) await send(agent, base, await signer.sign(s), requestTimeoutMs).catch(() => undefined);
  }
  for (let i = 0; i < checks; i++) {
    const rng = new Rng(deriveSeed(seed, `state${i}`));
    const templates = handwrittenSeeds(rng.bool(0.5) ? 'base' : `st${i}`).filter((s) => s.mutating);
    const s = rng.pick(templates);
    const plan: Plan = { strategy: rng.bool(0.7) ? 'resigned' : 'tampered', seed: s, mutation: mutations[i]! };
    let req: SendRequest;
    try {
      req = sendable(await build(plan, signer));
    } catch {
      continue;
    }
    if (ADMIN.test(req.path)) continue;
    const before = await stateFingerprint(c);
    let a: Answer;
    try {
      a = await send(agent, base, req, requestTimeoutMs);
    } catch (e) {
      out.failures.push({ index: i, seed: s.name, strategy: plan.strategy, detail: `request failed: ${(e as Error).message}`, request: describeRequest(req) });
      continue;
    }
    out.checks++;
    const bad = judge(req, a);
    if (bad) out.failures.push({ index: i, seed: s.name, strategy: plan.strategy, status: a.status, detail: bad, request: describeRequest(req) });
    if (a.status < 400) {
      out.accepted++;
      continue;
    }
    out.rejected++;
    const after = await stateFingerprint(c);
    if (after !== before) {
      out.failures.push({ index: i, seed: s.name, strategy: plan.strategy, status: a.status, detail: `a rejected request (HTTP ${a.status}: ${a.body.toString('utf8').slice(0, 200)}) changed the stored state`, request: describeRequest(req) });
    }
  }
  agent.destroy();
  return out;
}
