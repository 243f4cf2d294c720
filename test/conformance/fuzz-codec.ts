/**
 * Codec-level fuzzing with fast-check. The invariant everywhere: a codec (or the SigV4
 * verifier) given any bytes either returns a value or throws its protocol's error (AwsError,
 * SigV4Error), never a TypeError / RangeError / anything else, which would be a 500.
 * On top of that, what it returns must be typed as the model says (a decoded integer is a safe
 * integer in range, a timestamp a valid Date, ...), and an AwsError must render into a
 * well-formed error body of the protocol.
 *
 * Inputs: mutations of valid requests (captured from the official JS SDK serializing
 * generated inputs) and wholly random ones, for every codec; random and mutated XML and JSON
 * bodies; aws-chunked bodies (createChunkVerifier); presigned query strings (verify).
 */
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from '../../src/core/errors.js';
import { SigV4Error, createChunkVerifier, signingKey, verify } from '../../src/auth/sigv4.js';
import { rootPrincipal, type Credential } from '../../src/auth/principal.js';
import type { WireRequest, WireResponse } from '../../src/protocol/codec.js';
import type { ServiceModel } from '../../src/protocol/models.js';
import type { Shape } from '../../src/protocol/model-types.js';
import { sampleFor } from '../../src/protocol/samples.js';
import { parseXmlDocument, XmlReadError } from '../../src/protocol/xml-read.js';
import { sampleOperations } from './run.js';
import { clientOperations, sdkClientFor } from './sdk.js';
import { allTargets, type Target } from './targets.js';
import { modelBindings, prune, sdkView } from './views.js';
import { fixInput } from './normalize.js';
import { toWireRequest } from './wire.js';
import { NodeSha256 } from '../helpers/sign.js';

export interface FuzzFailure {
  property: string;
  seed: number;
  counterexample: string;
  error: string;
}

export interface PropertyReport {
  property: string;
  runs: number;
  failure?: FuzzFailure;
}

export interface Seed {
  target: Target;
  operation: string;
  wire: WireRequest;
}

// ---------------------------------------------------------------------------------------------
// Corpus: valid requests, as the official JS SDK writes them.

/** Valid requests for every target: `perTarget` operations (seeded choice), one sample each. */
export async function corpus(seed: number, share: number): Promise<Seed[]> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const out: Seed[] = [];
  for (const target of allTargets()) {
    const exchange: { current?: (req: never) => Promise<WireResponse> } = {};
    const { mod, client } = await sdkClientFor(target, exchange as never);
    const ops = sampleOperations(seed, clientOperations(mod).filter((o) => target.model.operation(o)).sort(), share);
    for (const operation of ops) {
      const op = target.model.operation(operation)!;
      const schema = mod[`${operation}$`] as unknown[] | undefined;
      const inView = Array.isArray(schema) && typeof schema[4] === 'function' ? sdkView(schema[4]) : undefined;
      const sample = sampleFor(target.model, operation, 0, { seed, direction: 'input', protocol: target.wire, carrier: 'sdk-js-v3' });
      const input = fixInput(target.model, 'sdk-js-v3', (prune(sample.value, inView, () => {}, '', false, undefined, modelBindings(target.model, op.input)) ?? {}) as Record<string, unknown>, operation);
      let captured: WireRequest | undefined;
      (exchange as { current?: unknown }).current = async (req: Parameters<typeof toWireRequest>[0]) => {
        captured = await toWireRequest(req);
        return target.codec.serializeError(target.model, new AwsError('Stop', 'stop', 400), { requestId: 'c' }, op);
      };
      const Command = mod[`${operation}Command`] as new (i: unknown) => unknown;
      await client.send(new Command(input)).catch(() => undefined);
      if (captured) out.push({ target, operation, wire: captured });
    }
    (client as { destroy?: () => void }).destroy?.();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations.

const TOKENS = [
  '%', '%z', '%zz', '%00', '%0', '%ff', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '&', '=', '&&', '==', '.', '..', '/..', '//',
  '.member.', '.member.1', '.1', '.0', '.01', '.999999999', '.4294967296', '.entry.1.key', '.entry.1.value', '.item.1', '+',
  '\u0000', '\u0001', '\uD800', '\uDFFF', '\uFFFE', '\uFEFF', '<', '>', '</', '<a>', '</a>', ']]>', '<![CDATA[', '&amp;', '&#0;',
  '&#x1;', '&#xD800;', '&#1114112;', '&bogus;', '&lt', '<!DOCTYPE x [<!ENTITY e "e">]>', '<?xml version="1.0"?>', '<!-- -->', '"', "'",
  '\\', '\\u0000', '\\ud800', '{', '}', '[', ']', ',', ':', 'null', 'true', 'false', '1e400', '-1e400', '-0', 'NaN', '-Infinity',
  '9'.repeat(40), '1.5', '-9007199254740993', '2147483648', 'a'.repeat(2048), '\r\n', '\n', '\t', ' ', ';', '#', '?', '*',
  'x-id=PutObject', 'uploads', 'versionId=', 'Action=', 'Version=', '__proto__', 'constructor', 'prototype', 'toString',
  '0x10', '1_000', '٣', '１', 'T', 'Z', '+00:00', '2024-02-30T25:61:61Z', 'Tue, 32 Foo 2024 99:99:99 GMT', '=?UTF-8?B?=?=',
];

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replace'; at: number; len: number; text: string }
  | { kind: 'dup'; at: number; len: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number };

const textArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: textArb }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }), text: textArb }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
);

export function mutateText(s: string, m: Mutation): string {
  const at = s.length === 0 ? 0 : m.at % (s.length + 1);
  switch (m.kind) {
    case 'insert': return s.slice(0, at) + m.text + s.slice(at);
    case 'delete': return s.slice(0, at) + s.slice(at + m.len);
    case 'replace': return s.slice(0, at) + m.text + s.slice(at + m.len);
    case 'dup': return s.slice(0, at + m.len) + s.slice(at, at + m.len) + s.slice(at + m.len);
    case 'truncate': return s.slice(0, at);
    case 'flip': {
      if (s.length === 0) return s;
      const i = m.at % s.length;
      return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << m.bit)) + s.slice(i + 1);
    }
  }
}

export function mutateBytes(b: Buffer, m: Mutation): Buffer {
  if (m.kind === 'flip') {
    if (b.length === 0) return b;
    const out = Buffer.from(b);
    out[m.at % b.length] ^= 1 << m.bit;
    return out;
  }
  const text = m.kind === 'insert' || m.kind === 'replace' ? Buffer.from(m.text, 'utf8') : Buffer.alloc(0);
  const at = b.length === 0 ? 0 : m.at % (b.length + 1);
  switch (m.kind) {
    case 'insert': return Buffer.concat([b.subarray(0, at), text, b.subarray(at)]);
    case 'delete': return Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    case 'replace': return Buffer.concat([b.subarray(0, at), text, b.subarray(at + m.len)]);
    case 'dup': return Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
    case 'truncate': return b.subarray(0, at);
  }
}

type Field = 'method' | 'path' | 'query' | 'body' | 'header' | 'add-header' | 'drop-header';
const fieldArb = fc.constantFrom<Field>('path', 'query', 'query', 'body', 'body', 'body', 'header', 'add-header', 'drop-header', 'method');
const HEADER_NAMES = [
  'content-type', 'content-encoding', 'x-amz-target', 'smithy-protocol', 'content-length', 'content-md5', 'x-amz-content-sha256',
  'x-amz-meta-a', 'x-amz-meta-', 'range', 'if-match', 'if-modified-since', 'expires', 'x-amz-object-attributes', 'x-amz-acl',
  'x-amz-copy-source', 'x-amz-mfa', 'x-amz-tagging', 'x-amz-server-side-encryption-customer-key', 'x-amz-bypass-governance-retention',
  'x-amz-expected-bucket-owner', 'x-amz-request-payer', 'x-amz-max-parts', 'x-amz-part-number-marker', 'x-amz-object-lock-retain-until-date',
];

export interface RequestMutation {
  field: Field;
  header: string;
  mutations: Mutation[];
  method: string;
}

export const requestMutationArb: fc.Arbitrary<RequestMutation> = fc.record({
  field: fieldArb,
  header: fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).map((s) => s.toLowerCase())),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'get', ''),
});

export function applyRequestMutation(w: WireRequest, rm: RequestMutation): WireRequest {
  const out: WireRequest = { ...w, headers: { ...w.headers } };
  const text = (s: string) => rm.mutations.reduce(mutateText, s);
  switch (rm.field) {
    case 'method': out.method = rm.method; break;
    case 'path': out.path = text(w.path); break;
    case 'query': out.query = text(w.query); break;
    case 'body': out.body = rm.mutations.reduce(mutateBytes, w.body); break;
    case 'header': {
      const names = Object.keys(out.headers);
      const name = names.length ? names[rm.mutations[0]!.kind.length % names.length]! : rm.header;
      out.headers[name] = text(out.headers[name] ?? '');
      break;
    }
    case 'add-header': out.headers[rm.header] = text(''); break;
    case 'drop-header': {
      const names = Object.keys(out.headers);
      if (names.length) delete out.headers[names[rm.mutations.length % names.length]!];
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Oracles.

const INTEGRAL: Record<string, [number, number]> = {
  byte: [-128, 127], short: [-32768, 32767], integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], biginteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The first place where a decoded value is not typed as its shape says, or undefined. */
export function untyped(model: ServiceModel, ref: Shape, v: unknown, path = ''): string | undefined {
  if (v === undefined) return undefined;
  const s = model.resolve(ref);
  const bad = (what: string) => `${path || '(input)'}: ${what}, got ${typeof v === 'object' ? Object.prototype.toString.call(v) : `${typeof v} ${String(v).slice(0, 40)}`}`;
  if (s.document) return undefined;
  switch (s.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('expected a structure');
      for (const [k, x] of Object.entries(v)) {
        if (!s.members || !Object.hasOwn(s.members, k)) return `${path}.${k}: not a member`;
        const r = untyped(model, s.members[k]!, x, path ? `${path}.${k}` : k);
        if (r) return r;
      }
      return undefined;
    }
    case 'list':
      if (!Array.isArray(v)) return bad('expected a list');
      for (let i = 0; i < v.length; i++) {
        const r = untyped(model, s.member!, v[i], `${path}[${i}]`);
        if (r) return r;
      }
      return undefined;
    case 'map':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('expected a map');
      for (const [k, x] of Object.entries(v)) {
        const r = untyped(model, s.value!, x, `${path}[${JSON.stringify(k)}]`);
        if (r) return r;
      }
      return undefined;
    case 'boolean': return typeof v === 'boolean' ? undefined : bad('expected a boolean');
    case 'timestamp': return v instanceof Date && !Number.isNaN(v.getTime()) ? undefined : bad('expected a valid Date');
    case 'blob': return Buffer.isBuffer(v) || v instanceof Readable ? undefined : bad('expected a Buffer');
    case 'float': case 'double': case 'bigdecimal': return typeof v === 'number' ? undefined : bad('expected a number');
    case 'byte': case 'short': case 'integer': case 'long': case 'biginteger': {
      const [lo, hi] = INTEGRAL[s.type]!;
      return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? undefined : bad(`expected an integer in [${lo}, ${hi}]`);
    }
    default:
      if (s.jsonvalue) return undefined;
      return typeof v === 'string' ? undefined : bad('expected a string');
  }
}

/** Whether an error response is what its protocol's clients can read. */
export function wellFormedError(res: WireResponse, method: string): string | undefined {
  if (!Buffer.isBuffer(res.body)) return 'error body is a stream';
  if (res.status < 400 || res.status > 599) return `error status ${res.status}`;
  const type = Object.entries(res.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const body = res.body;
  if (method.toUpperCase() === 'HEAD' && body.length === 0) return undefined;
  return wellFormedBody(type, body);
}

export function wellFormedBody(contentType: string, body: Buffer): string | undefined {
  if (/xml/.test(contentType)) {
    const text = body.toString('utf8');
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) return 'XML body holds characters XML 1.0 cannot carry';
    const ok = XMLValidator.validate(text);
    return ok === true ? undefined : `XML body does not parse: ${ok.err.msg}`;
  }
  if (/json/.test(contentType)) {
    try {
      JSON.parse(body.toString('utf8'));
      return undefined;
    } catch (e) {
      return `JSON body does not parse: ${(e as Error).message}`;
    }
  }
  if (/cbor/.test(contentType)) return body.length > 0 ? undefined : 'empty CBOR error body';
  return `unexpected content type '${contentType}'`;
}

/** Decodes one request the way the edge does; a string describes what went wrong. */
export function exercise(target: Target, wire: WireRequest): string | undefined {
  const { model, codec } = target;
  let op;
  try {
    const name = codec.resolveOperation(wire, model);
    op = model.operation(name);
    if (!op) return `resolved an operation the model does not have: ${name}`;
    const input = codec.parseInput(wire, model, op);
    if (op.input) {
      const bad = untyped(model, op.input, input);
      if (bad) return `decoded value not typed as the model says: ${bad}`;
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof AwsError)) return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
    try {
      const res = codec.serializeError(model, e, { requestId: 'fuzz' }, op);
      const bad = wellFormedError(res, wire.method);
      return bad ? `${e.code}: ${bad}` : undefined;
    } catch (e2) {
      return `serializeError threw ${(e2 as Error)?.name}: ${(e2 as Error)?.message}`;
    }
  }
}

const showWire = (w: WireRequest) => JSON.stringify({ ...w, body: w.body.toString('latin1').slice(0, 600) }).slice(0, 1500);

// ---------------------------------------------------------------------------------------------
// Properties.

export interface FuzzOptions {
  seed: number;
  /** Runs per property. */
  runs: number;
  /** Per-property time cap. */
  timeLimitMs?: number;
  /** Share of each target's operations in the corpus. */
  share?: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function report(name: string, seed: number, details: fc.RunDetails<any>): PropertyReport {
  const out: PropertyReport = { property: name, runs: details.numRuns };
  if (details.failed) {
    out.failure = {
      property: name, seed,
      counterexample: (details.counterexample ? fc.stringify(details.counterexample) : '(none)').slice(0, 2000),
      error: String((details.errorInstance as Error | undefined)?.message ?? 'interrupted or too many skips').slice(0, 1500),
    };
  }
  return out;
}

const params = (o: FuzzOptions) => ({ seed: o.seed, numRuns: o.runs, interruptAfterTimeLimit: o.timeLimitMs, markInterruptAsFailure: false, endOnFailure: true });

function check(cond: string | undefined, what: () => string): void {
  if (cond !== undefined) throw new Error(`${cond}\n  request: ${what()}`);
}

export async function fuzzCodecs(o: FuzzOptions): Promise<PropertyReport[]> {
  const seeds = await corpus(o.seed, o.share ?? 0.1);
  const targets = allTargets();
  const out: PropertyReport[] = [];

  // 1. Valid requests, mutated in one field.
  out.push(report('mutated requests (every codec)', o.seed, fc.check(fc.property(
    fc.nat({ max: seeds.length - 1 }), requestMutationArb,
    (i, rm) => {
      const s = seeds[i]!;
      const w = applyRequestMutation(s.wire, rm);
      check(exercise(s.target, w), () => `${s.target.service}/${s.target.protocol} ${s.operation} ${showWire(w)}`);
    },
  ), params(o))));

  // 2. Wholly random requests.
  const randomWire = fc.record({
    t: fc.nat({ max: targets.length - 1 }),
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD'),
    path: fc.oneof(fc.constant('/'), fc.webPath(), fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`)),
    query: fc.oneof(fc.constant(''), fc.webQueryParameters(), fc.string({ unit: 'binary', maxLength: 60 })),
    headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 4 }),
    body: fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), fc.string({ maxLength: 200 }).map((s) => Buffer.from(s))),
  });
  out.push(report('random requests (every codec)', o.seed, fc.check(fc.property(randomWire, (r) => {
    const target = targets[r.t]!;
    const headers = { ...r.headers };
    if (target.protocol.startsWith('json') || target.protocol === 'json') headers['x-amz-target'] ??= `${target.entry.targetPrefix}.${target.model.operationNames[r.body.length % target.model.operationNames.length]}`;
    if (target.protocol === 'rpc-v2-cbor') headers['smithy-protocol'] = 'rpc-v2-cbor';
    const w: WireRequest = { method: r.method, path: r.path, query: r.query, headers, body: r.body, host: '127.0.0.1' };
    check(exercise(target, w), () => `${target.service}/${target.protocol} ${showWire(w)}`);
  }), params(o))));

  // 3. Query protocols: random form parameters named after the model's own members.
  const queryTargets = targets.filter((t) => t.wire === 'query' || t.wire === 'ec2');
  out.push(report('random form parameters (query, ec2)', o.seed, fc.check(fc.property(
    fc.nat({ max: queryTargets.length - 1 }), fc.nat(),
    fc.array(fc.tuple(fc.array(fc.oneof(fc.constantFrom('member', 'entry', 'key', 'value', 'item', '1', '2', '0', '10', 'Name', 'Value', 'Tags', 'Filter'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }), fc.oneof(textArb, fc.string({ maxLength: 20 }))), { maxLength: 12 }),
    (ti, opi, pairs) => {
      const target = queryTargets[ti]!;
      const ops = target.model.operationNames;
      const operation = ops[opi % ops.length]!;
      const members = Object.keys(target.model.resolve(target.model.operation(operation)!.input ?? { type: 'structure', members: {} }).members ?? {});
      const form = new URLSearchParams({ Action: operation, Version: target.model.metadata.apiVersion });
      for (const [segs, v] of pairs) form.append([members[segs.length % Math.max(1, members.length)] ?? 'X', ...segs].join('.'), v);
      const w: WireRequest = { method: 'POST', path: '/', query: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), host: '127.0.0.1' };
      check(exercise(target, w), () => `${target.service} ${showWire(w)}`);
    },
  ), params(o))));

  // 4. JSON protocols: random JSON values, as a whole body and in place of members.
  const jsonTargets = targets.filter((t) => t.wire === 'json');
  out.push(report('random JSON bodies (json)', o.seed, fc.check(fc.property(
    fc.nat({ max: jsonTargets.length - 1 }), fc.nat(), fc.jsonValue({ maxDepth: 4 }), fc.boolean(),
    (ti, opi, value, wrap) => {
      const target = jsonTargets[ti]!;
      const ops = target.model.operationNames;
      const operation = ops[opi % ops.length]!;
      const members = Object.keys(target.model.resolve(target.model.operation(operation)!.input ?? { type: 'structure', members: {} }).members ?? {});
      const body = wrap && members.length ? { [members[opi % members.length]!]: value } : value;
      const w: WireRequest = {
        method: 'POST', path: '/', query: '', host: '127.0.0.1', body: Buffer.from(JSON.stringify(body) ?? ''),
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${target.entry.targetPrefix}.${operation}` },
      };
      check(exercise(target, w), () => `${target.service}/${target.protocol} ${showWire(w)}`);
    },
  ), params(o))));

  // 5. XML: mutated S3 payloads, and random documents through the reader.
  const xmlSeeds = seeds.filter((s) => s.target.wire === 'rest-xml' && s.wire.body.length > 0 && s.wire.body.toString('utf8').trimStart().startsWith('<'));
  if (xmlSeeds.length) {
    out.push(report('mutated XML bodies (rest-xml)', o.seed, fc.check(fc.property(
      fc.nat({ max: xmlSeeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
      (i, muts) => {
        const s = xmlSeeds[i]!;
        const w = { ...s.wire, body: Buffer.from(muts.reduce(mutateText, s.wire.body.toString('utf8'))) };
        check(exercise(s.target, w), () => `${s.operation} ${showWire(w)}`);
      },
    ), params(o))));
  }
  out.push(report('random XML documents (xml-read)', o.seed, fc.check(fc.property(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.oneof(textArb, fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<c/>', 'text')), { maxLength: 20 }).map((a) => a.join(''))),
    (xml) => {
      try {
        parseXmlDocument(xml);
      } catch (e) {
        if (!(e instanceof XmlReadError)) throw new Error(`threw ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(xml)}`);
      }
    },
  ), params(o))));

  // 6. aws-chunked bodies, valid then mutated, fed in random pieces.
  out.push(report('aws-chunked framing (createChunkVerifier)', o.seed, await fc.check(fc.asyncProperty(
    fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }), fc.constantFrom('signed', 'signed-trailer', 'unsigned-trailer'),
    fc.array(mutationArb, { maxLength: 4 }), fc.integer({ min: 1, max: 50 }), fc.option(fc.nat({ max: 300 })),
    async (chunks, mode, muts, piece, decodedLength) => {
      const body = muts.reduce(mutateBytes, chunkedBody(chunks.map((c) => Buffer.from(c)), mode));
      await decodeChunked(body, mode, piece, typeof decodedLength === 'number' ? decodedLength : undefined);
    },
  ), params(o))));

  // 7. Presigned query strings, valid then mutated.
  const presigned = await presignedSeeds();
  out.push(report('presigned query strings (verify)', o.seed, fc.check(fc.property(
    fc.nat({ max: presigned.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(),
    (i, muts, onPath) => {
      const w0 = presigned[i]!;
      const w = onPath ? { ...w0, path: muts.reduce(mutateText, w0.path) } : { ...w0, query: muts.reduce(mutateText, w0.query) };
      try {
        verify(w, { lookup: presignLookup, nowMs: PRESIGN_NOW, s3: true, isValidRegion: () => true });
      } catch (e) {
        if (!(e instanceof SigV4Error)) throw new Error(`verify threw ${(e as Error).name}: ${(e as Error).message} for ${showWire(w)}`);
      }
    },
  ), params(o))));
  return out;
}

// ---------------------------------------------------------------------------------------------
// aws-chunked and presigned helpers.

const CHUNK_KEY = signingKey('test', '20261123', 'us-east-1', 's3');
const CHUNK_CTX = { amzDate: '20261123T000000Z', scope: '20261123/us-east-1/s3/aws4_request', signingKey: CHUNK_KEY, seedSignature: 'a'.repeat(64) };
const EMPTY = createHash('sha256').update('').digest('hex');
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const mac = (s: string) => createHmac('sha256', CHUNK_KEY).update(s).digest('hex');
const MODE_HASH = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
} as const;

export function chunkedBody(chunks: Buffer[], mode: keyof typeof MODE_HASH): Buffer {
  const signed = mode !== 'unsigned-trailer';
  const out: Buffer[] = [];
  let prev = CHUNK_CTX.seedSignature;
  for (const data of [...chunks.filter((c) => c.length > 0), Buffer.alloc(0)]) {
    let header = data.length.toString(16);
    if (signed) {
      prev = mac(['AWS4-HMAC-SHA256-PAYLOAD', CHUNK_CTX.amzDate, CHUNK_CTX.scope, prev, EMPTY, sha(data)].join('\n'));
      header += `;chunk-signature=${prev}`;
    }
    out.push(Buffer.from(`${header}\r\n`));
    if (data.length > 0) out.push(data, Buffer.from('\r\n'));
  }
  if (mode !== 'signed') {
    const trailers: Array<[string, string]> = [['x-amz-checksum-crc32', 'AAAAAA==']];
    for (const [k, v] of trailers) out.push(Buffer.from(`${k}:${v}\r\n`));
    if (signed) {
      const canonical = trailers.map(([k, v]) => `${k}:${v}\n`).join('');
      out.push(Buffer.from(`x-amz-trailer-signature:${mac(['AWS4-HMAC-SHA256-TRAILER', CHUNK_CTX.amzDate, CHUNK_CTX.scope, prev, sha(canonical)].join('\n'))}\r\n`));
    }
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

export async function decodeChunked(body: Buffer, mode: keyof typeof MODE_HASH, piece: number, decodedLength?: number): Promise<void> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) pieces.push(body.subarray(i, i + piece));
  const v = createChunkVerifier({ ...CHUNK_CTX, payloadHash: MODE_HASH[mode] }, { decodedLength, maxChunkBytes: 1024 });
  v.resume();
  try {
    await pipeline(Readable.from(pieces), v);
  } catch (e) {
    if (!(e instanceof SigV4Error)) throw new Error(`chunk verifier failed with ${(e as Error).name}: ${(e as Error).message} for ${JSON.stringify(body.toString('latin1'))}`);
  }
}

const PRESIGN_NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const presignCred: Credential = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz/Secret+Key', principal: rootPrincipal('123456789012', 'AKIDFUZZ') };
const presignLookup = (id: string) => (id === presignCred.accessKeyId ? presignCred : undefined);


async function presignedSeeds(): Promise<WireRequest[]> {
  const signer = new SignatureV4({
    service: 's3', region: 'us-east-1', credentials: { accessKeyId: presignCred.accessKeyId, secretAccessKey: presignCred.secretAccessKey },
    sha256: NodeSha256 as never, uriEscapePath: false,
  });
  const out: WireRequest[] = [];
  for (const [method, path, query] of [
    ['GET', '/bucket/key%20with%20space.txt', {}], ['PUT', '/bucket/a/b/c', { uploadId: 'u-1', partNumber: '3' }],
    ['GET', '/bucket', { 'list-type': '2', prefix: 'p/' }], ['DELETE', '/b/%E2%9C%93', { versionId: 'v=1' }],
  ] as const) {
    const signed = await signer.presign({
      method, protocol: 'http:', hostname: '127.0.0.1', port: 4566, path, query: { ...query },
      headers: { host: '127.0.0.1:4566', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }, { signingDate: new Date(PRESIGN_NOW - 1000), expiresIn: 900 });
    const qs = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    out.push({ method, path, query: qs, headers: { host: '127.0.0.1:4566' }, body: Buffer.alloc(0), host: '127.0.0.1' });
  }
  // The seeds must verify before mutation means anything.
  for (const w of out) verify(w, { lookup: presignLookup, nowMs: PRESIGN_NOW, s3: true, isValidRegion: () => true });
  return out;
}
