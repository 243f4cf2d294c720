/**
 * Hostile inputs as a fuzz target: requests built to make parsing or matching super-linear
 * (EC2 filter wildcards, query parameter counts and dotted depth, JSON and CBOR depth and width, XML
 * elements, attributes, entities and nesting, S3 Host names), at random sizes on both sides
 * of each bound. Every request is signed with the public `test` key and sent to a live server
 * while /_cloudlet/health is polled; each must get its expected AWS answer (never a 5xx)
 * within a second, and health must keep answering within a second.
 * Also the source of the fixed cases in test/e2e/hostile-input.test.ts.
 */
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256, type RawRequest } from '../helpers/sign.js';
import { MAX_FILTER_VALUES } from '../../src/services/ec2/filters.js';
import { MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from '../../src/protocol/json-values.js';
import { MAX_QUERY_PARAMS } from '../../src/protocol/query-decode.js';
import { XML_LIMITS } from '../../src/protocol/xml-read.js';

export interface Answer { status: number; text(): Promise<string> }
export type Sender = () => Promise<Answer>;

/** Signs first, so that measuring covers the server's work and not the client's. */
export async function presigned(url: string, service: string, raw: RawRequest): Promise<Sender> {
  const u = new URL(url);
  const signer = new SignatureV4({
    service, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 as never,
    uriEscapePath: service !== 's3', applyChecksum: service === 's3',
  });
  const body = raw.body ?? '';
  const s = await signer.sign({
    method: raw.method ?? 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: raw.path ?? '/',
    query: raw.query ?? {}, headers: { host: u.host, ...(raw.headers ?? {}) }, body,
  });
  const qs = new URLSearchParams(s.query as Record<string, string>).toString().replace(/\+/g, '%20');
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
  return () => fetch(`${url}${s.path}${qs ? `?${qs}` : ''}`, { method: s.method, headers: s.headers as Record<string, string>, body: bytes });
}

/** A GET with a Host header of our choosing (fetch will not send one). */
export function withHost(url: string, host: string): Sender {
  const u = new URL(url);
  return () => new Promise<Answer>((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: '/', headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: async () => text }));
    });
    req.on('error', fail);
    req.end();
  });
}

export interface Measured { status: number; text: string; ms: number; healthMs: number; polls: number }

/** Sends a request while polling /_cloudlet/health; reports the slowest health answer. */
export async function measure(url: string, send: Sender): Promise<Measured> {
  let done = false;
  let healthMs = 0;
  let polls = 0;
  const poller = (async () => {
    while (!done) {
      const t = performance.now();
      const r = await fetch(`${url}/_cloudlet/health`);
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`health answered ${r.status}`);
      healthMs = Math.max(healthMs, performance.now() - t);
      polls++;
      await new Promise((ok) => setTimeout(ok, 10));
    }
  })();
  const t = performance.now();
  let answer: { status: number; text: string; ms: number };
  try {
    const r = await send();
    const text = await r.text();
    answer = { status: r.status, text, ms: performance.now() - t };
  } finally {
    done = true;
    await poller;
  }
  // Read after the poller finished: at least one health answer overlapped the request.
  return { ...answer, healthMs, polls };
}

const form = (body: string): RawRequest => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
export const ecrRequest = (body: string): RawRequest => ({
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' }, body,
});
export const ec2Request = (params: string) => form(`Action=DescribeAvailabilityZones&Version=2016-11-15&${params}`);
export const iamRequest = (params: string) => form(`Action=ListUsers&Version=2010-05-08${params ? `&${params}` : ''}`);
export const cborRequest = (body: Buffer): RawRequest => ({
  path: '/service/GraniteServiceVersion20100801/operation/ListMetrics',
  headers: { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', accept: 'application/cbor' }, body,
});
/** A CBOR map of `n` small text keys, written by hand: an encoder would take longer than the server. */
export function cborMap(n: number): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0xba;
  head.writeUInt32BE(n, 1);
  const parts = [head];
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`k${i}`);
    parts.push(Buffer.from([0x60 + key.length]), key, Buffer.from([0x01]));
  }
  return Buffer.concat(parts);
}
export const taggingRequest = (body: string): RawRequest => ({ method: 'PUT', path: '/hostile-bucket', query: { tagging: '' }, body });

/** One hostile request and the answer it must get. */
export interface HostileCase {
  name: string;
  /** SigV4 service, or 'host' for a raw Host header. */
  service: string;
  raw?: () => RawRequest;
  host?: string;
  status: number;
  body: RegExp;
}

const zones = /<availabilityZoneInfo\/>|<availabilityZoneInfo>/;

/** Fixed cases: each held the event loop for seconds before its bound. */
export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'EC2 filter value a*a*...b (backtracking RegExp before)', service: 'ec2', status: 200, body: zones,
    raw: () => ec2Request(`Filter.1.Name=zone-name&Filter.1.Value.1=${encodeURIComponent(`${'a*'.repeat(40)}b`)}`),
  },
  {
    name: 'EC2: 20,000 filter values', service: 'ec2', status: 400, body: /<Code>FilterLimitExceeded<\/Code>/,
    raw: () => ec2Request(`Filter.1.Name=zone-name&${Array.from({ length: 20_000 }, (_, i) => `Filter.1.Value.${i + 1}=${encodeURIComponent(`*${'a?'.repeat(50)}*`)}`).join('&')}`),
  },
  {
    name: 'query: 1,000,000 parameters', service: 'iam', status: 400, body: /<Code>MalformedQueryString<\/Code>/,
    raw: () => iamRequest(Array.from({ length: 1_000_000 }, (_, i) => `p${i}=`).join('&')),
  },
  {
    name: 'query: a name of 3,000,000 dotted segments', service: 'iam', status: 200, body: /<ListUsersResponse/,
    raw: () => iamRequest(`${'a.'.repeat(3_000_000)}b=1`),
  },
  {
    name: 'JSON: one object of 1,000,000 members', service: 'ecr', status: 400, body: /"SerializationException".*more than 100000 object members/,
    raw: () => ecrRequest(`{${Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":1`).join(',')}}`),
  },
  {
    name: 'JSON: 1,000,000 nested arrays', service: 'ecr', status: 400, body: /"SerializationException".*nesting depth/,
    raw: () => ecrRequest(`{"repositoryNames":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`),
  },
  {
    name: 'XML: 400,000 elements in 2 MB', service: 's3', status: 400, body: /<Code>MalformedXML<\/Code>/,
    raw: () => taggingRequest(`<Tagging><TagSet>${'<T/>'.repeat(400_000)}</TagSet></Tagging>`),
  },
  {
    name: 'XML: 150,000 attributes', service: 's3', status: 400, body: /<Code>MalformedXML<\/Code>/,
    raw: () => taggingRequest(`<Tagging ${Array.from({ length: 150_000 }, (_, i) => `x${i}=""`).join(' ')}/>`),
  },
  {
    name: 'XML: 400,000 entity references', service: 's3', status: 400, body: /<Code>MalformedXML<\/Code>/,
    raw: () => taggingRequest(`<Tagging><TagSet><Tag><Key>${'&lt;'.repeat(400_000)}</Key><Value>v</Value></Tag></TagSet></Tagging>`),
  },
  {
    name: 'XML: 12 MB of text in one element', service: 's3', status: 400, body: /<Code>MaxMessageLengthExceeded<\/Code>/,
    raw: () => taggingRequest(`<Tagging><TagSet><Tag><Key>${'x'.repeat(12_000_000)}</Key><Value>v</Value></Tag></TagSet></Tagging>`),
  },
  {
    name: 'XML: a DOCTYPE with nested entity definitions', service: 's3', status: 400, body: /<Code>MalformedXML<\/Code>/,
    raw: () => taggingRequest(`<!DOCTYPE t [<!ENTITY a "${'x'.repeat(1000)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Tagging>&b;</Tagging>`),
  },
  {
    name: 'CBOR: one map of 1,000,000 members', service: 'monitoring', status: 400, body: /SerializationException[^]*more than 100000 object members/,
    raw: () => cborRequest(cborMap(1_000_000)),
  },
  { name: 'S3 Host header s3-a-a-a...! (exponential host pattern before)', service: 'host', host: `s3${'-a'.repeat(60)}!`, status: 0, body: /./s },
];

/** The cases that load each service's model, to be sent before anything is measured. */
export const WARM_UP: Array<[string, RawRequest]> = [
  ['ec2', ec2Request('')], ['iam', iamRequest('')], ['ecr', ecrRequest('{}')], ['s3', taggingRequest('<Tagging/>')],
  ['monitoring', cborRequest(Buffer.from([0xa0]))],
];

// ---------------------------------------------------------------------------------------------
// Random cases on both sides of each bound.

/** xorshift32: reproducible from --seed. */
export function rng(seed: number): (n: number) => number {
  let x = (seed | 0) || 0x9e3779b9;
  return (n) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** Log-uniform in [1, max]: mostly small, sometimes at the bound, now and then far past it. */
const sized = (r: (n: number) => number, max: number) => Math.max(1, Math.floor(Math.exp((r(10_000) / 10_000) * Math.log(max))));

/** Too long is refused first; then too many elements, attributes or entities; within the bounds the S3 operation decides. */
function xmlExpectation(doc: string, over: boolean): Pick<HostileCase, 'status' | 'body'> {
  if (doc.length > XML_LIMITS.chars) return { status: 400, body: /MaxMessageLengthExceeded/ };
  return over ? { status: 400, body: /MalformedXML/ } : { status: 0, body: /<Code>/ };
}

export function randomCase(r: (n: number) => number): HostileCase {
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)]!;
  switch (r(9)) {
    case 0: {
      // Wildcard filter values: random runs of the characters that made RegExps backtrack.
      const values = sized(r, MAX_FILTER_VALUES * 2);
      const value = () => Array.from({ length: sized(r, 4000) }, () => pick(['a', '*', '?', '-', 'u', '\\', 's'])).join('');
      const params = Array.from({ length: values }, (_, i) => `Filter.1.Value.${i + 1}=${encodeURIComponent(value())}`).join('&');
      const over = values > MAX_FILTER_VALUES;
      return { name: `ec2 ${values} wildcard values`, service: 'ec2', raw: () => ec2Request(`Filter.1.Name=${pick(['zone-name', 'region-name', 'zone-id'])}&${params}`),
        status: over ? 400 : 200, body: over ? /FilterLimitExceeded/ : zones };
    }
    case 1: {
      const n = sized(r, MAX_QUERY_PARAMS * 4);
      const over = n + 2 > MAX_QUERY_PARAMS;
      return { name: `query ${n} parameters`, service: 'iam', raw: () => iamRequest(Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&')),
        status: over ? 400 : 200, body: over ? /MalformedQueryString/ : /<ListUsersResponse/ };
    }
    case 2: {
      const depth = sized(r, 1_000_000);
      return { name: `query name of ${depth} segments`, service: 'iam', raw: () => iamRequest(`${pick(['a.', 'Tags.member.1.', '1.'])}${'x.'.repeat(depth)}v=1`),
        status: 200, body: /<ListUsersResponse/ };
    }
    case 3: {
      const depth = sized(r, MAX_JSON_DEPTH * 100);
      const open = Array.from({ length: depth }, () => pick(['[', '{"a":'])) ;
      const close = open.map((o) => (o === '[' ? ']' : '}')).reverse().join('');
      const over = depth + 1 > MAX_JSON_DEPTH;
      return { name: `json depth ${depth}`, service: 'ecr', raw: () => ecrRequest(`{"maxResults":${open.join('')}1${close}}`),
        status: 400, body: over ? /nesting depth/ : /SerializationException/ };
    }
    case 4: {
      const n = sized(r, MAX_JSON_MEMBERS * 4);
      const over = n > MAX_JSON_MEMBERS;
      return { name: `json ${n} members`, service: 'ecr', raw: () => ecrRequest(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
        status: over ? 400 : 200, body: over ? /object members/ : /"repositories"/ };
    }
    case 5: {
      const n = sized(r, XML_LIMITS.elements * 4);
      const doc = `<Tagging><TagSet>${'<Tag><Key>k</Key><Value>v</Value></Tag>'.repeat(n)}</TagSet></Tagging>`;
      const over = n * 3 + 2 > XML_LIMITS.elements;
      return { name: `xml ${n} tags`, service: 's3', raw: () => taggingRequest(doc), ...xmlExpectation(doc, over) };
    }
    case 6: {
      const kind = r(3);
      const n = sized(r, (kind === 0 ? XML_LIMITS.attributes : kind === 1 ? XML_LIMITS.entities : 20_000) * 4);
      const doc = kind === 0 ? `<Tagging ${Array.from({ length: n }, (_, i) => `x${i}="&amp;"`).join(' ')}/>`
        : kind === 1 ? `<Tagging>${'&lt;'.repeat(n)}</Tagging>`
          : `${'<T>'.repeat(n)}${'</T>'.repeat(n)}`;
      const over = kind === 0 ? n > XML_LIMITS.attributes || n > XML_LIMITS.entities : kind === 1 ? n > XML_LIMITS.entities : n > 100;
      return { name: `xml ${['attributes', 'entities', 'depth'][kind]} ${n}`, service: 's3', raw: () => taggingRequest(doc), ...xmlExpectation(doc, over) };
    }
    case 7: {
      const n = sized(r, MAX_JSON_MEMBERS * 4);
      const over = n > MAX_JSON_MEMBERS;
      return { name: `cbor ${n} members`, service: 'monitoring', raw: () => cborRequest(cborMap(n)),
        status: over ? 400 : 0, body: over ? /object members/ : /./s };
    }
    default: {
      const host = `${pick(['', 'b.', 'a.b.'])}s3${Array.from({ length: sized(r, 120) }, () => pick(['-a', '.a', '-', '.s3', '-1'])).join('')}${pick(['!', '.amazonaws.com', '.localhost', 'x'])}`;
      return { name: `host ${host.slice(0, 40)}...`, service: 'host', host, status: 0, body: /./s };
    }
  }
}

/**
 * What is wrong with an answer, or undefined. Status 0 accepts any answer but a 5xx (other
 * than 501): Host cases (refused, or a bucket that does not exist) and documents within the
 * bounds, whose fate is the S3 operation's.
 */
export function judge(c: HostileCase, m: Measured, limitMs: number): string | undefined {
  if (m.status >= 500 && m.status !== 501) return `${m.status}: ${m.text.slice(0, 200)}`;
  if (c.status !== 0 && m.status !== c.status) return `status ${m.status}, expected ${c.status}: ${m.text.slice(0, 200)}`;
  if (!c.body.test(m.text)) return `body does not match ${c.body}: ${m.text.slice(0, 200)}`;
  if (m.ms > limitMs) return `answered in ${m.ms.toFixed(0)} ms`;
  if (m.healthMs > limitMs) return `health took ${m.healthMs.toFixed(0)} ms meanwhile`;
  return undefined;
}

export interface HostileStats { cases: number; failures: Array<{ name: string; detail: string }>; slowestMs: number; slowestHealthMs: number; ms: number }

/** Sends `cases` random hostile requests one at a time (each measured alone). */
export async function fuzzHostile(o: { url: string; seed: number; cases: number; timeLimitMs: number; limitMs?: number }): Promise<HostileStats> {
  const r = rng(o.seed);
  const limitMs = o.limitMs ?? 1000;
  const stats: HostileStats = { cases: 0, failures: [], slowestMs: 0, slowestHealthMs: 0, ms: 0 };
  const start = Date.now();
  for (const [service, raw] of WARM_UP) await (await presigned(o.url, service, raw))().then((a) => a.text());
  const all = [...HOSTILE_CASES];
  while (stats.cases < o.cases && Date.now() - start < o.timeLimitMs) {
    const c = all.shift() ?? randomCase(r);
    const send = c.service === 'host' ? withHost(o.url, c.host!) : await presigned(o.url, c.service, c.raw!());
    let detail: string | undefined;
    try {
      const m = await measure(o.url, send);
      stats.slowestMs = Math.max(stats.slowestMs, m.ms);
      stats.slowestHealthMs = Math.max(stats.slowestHealthMs, m.healthMs);
      // The fixed cases carry bodies of up to 16 MB: loopback transfer is part of their time.
      detail = judge(c, m, HOSTILE_CASES.includes(c) ? limitMs * 3 : limitMs);
    } catch (e) {
      detail = `request failed: ${(e as Error).message}`;
    }
    if (detail) stats.failures.push({ name: c.name, detail });
    stats.cases++;
  }
  stats.ms = Date.now() - start;
  return stats;
}
