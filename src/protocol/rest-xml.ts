import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AwsError } from '../core/errors.js';
import type { ParsedRequest, ProtocolCodec, ResponseMeta, WireRequest, WireResponse } from './codec.js';
import type { ServiceModel } from './models.js';
import type { Operation, Shape } from './model-types.js';
import { findViolations } from './validate.js';
import { labelValues, matchOperation, parseQuery, templateFor, type QueryParams } from './rest-xml-match.js';
import { formatScalar, parseScalar, ScalarError } from './rest-values.js';
import { localName, parseXmlDocument, readStructure, XmlReadError } from './xml-read.js';
import { writeFlatDocument, writeWrappedErrorDocument, writeXmlDocument } from './rest-xml-write.js';
import { outputRootName } from './rest-xml-names.js';

/**
 * The rest-xml protocol (S3, S3 Control, and in principle Route 53 / CloudFront): the operation is named
 * by method + URI template, inputs are spread over labels, query, headers and an XML or raw
 * body, all according to the members' `location` traits. Nothing here knows an operation.
 */

const MALFORMED_XML = 'The XML you provided was not well-formed or did not validate against our published schema';
const malformedXml = () => new AwsError('MalformedXML', MALFORMED_XML, 400);
const XML_CONTENT_TYPE = 'application/xml';

const namespaces = new WeakMap<ServiceModel, { ns: string | undefined }>();

/**
 * The namespace output documents carry. S3's model states it only on request payload
 * members (every one the same), not in metadata, so the first one found stands for the service.
 */
export function serviceNamespace(model: ServiceModel): string | undefined {
  const hit = namespaces.get(model);
  if (hit) return hit.ns;
  let ns = model.xmlNamespace;
  for (const name of ns ? [] : model.operationNames) {
    const input = model.operation(name)!.input;
    if (!input) continue;
    const shape = model.resolve(input);
    const payload = shape.payload && shape.members?.[shape.payload];
    const declared = payload ? model.resolve(payload).xmlNamespace : undefined;
    const uri = typeof declared === 'string' ? declared : declared?.prefix ? undefined : declared?.uri;
    if (uri) {
      ns = uri;
      break;
    }
  }
  namespaces.set(model, { ns });
  return ns;
}

/** S3's x-amz-id-2 / HostId: opaque, but stable for a request so logs and bodies agree. */
export const hostId = (requestId: string) => createHash('sha256').update(requestId).digest('base64');

function invalidArgument(wireName: string, raw: string, e: unknown): AwsError {
  if (!(e instanceof ScalarError)) throw e;
  return new AwsError('InvalidArgument', `Invalid value for ${wireName}: ${raw}`, 400, {
    fields: { ArgumentName: wireName, ArgumentValue: raw },
  });
}

function parseWire(m: Shape, raw: string, wireName: string): unknown {
  try {
    return parseScalar(m, raw);
  } catch (e) {
    throw invalidArgument(wireName, raw, e);
  }
}

/**
 * Header lists are comma-separated, with double quotes around items that hold a comma;
 * RFC 822 timestamps hold one unquoted, so they are picked out whole.
 */
export function splitHeaderList(item: Shape, raw: string): string[] {
  if (item.type === 'timestamp' && (item.timestampFormat ?? 'rfc822') === 'rfc822') {
    return raw.match(/[A-Za-z]{3},\s*\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT/g) ?? [];
  }
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quoted && c === '\\' && i + 1 < raw.length) cur += raw[++i];
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out.filter((s, i) => s !== '' || i < out.length - 1);
}

function readHeader(m: Shape, raw: string, wireName: string): unknown {
  if (m.type === 'list') {
    const item = m.member!;
    return splitHeaderList(item, raw).map((s) => parseWire(item, s, wireName));
  }
  return parseWire(m, raw, wireName);
}

function readQueryMember(model: ServiceModel, m: Shape, values: string[], wireName: string): unknown {
  if (m.type === 'list') {
    const item = model.resolve(m.member!);
    return values.map((v) => parseWire(item, v, wireName));
  }
  return parseWire(m, values[0]!, wireName);
}

/** A querystring map takes every parameter no other member or the template claimed. */
function readQueryMap(model: ServiceModel, m: Shape, query: QueryParams, claimed: Set<string>): Record<string, unknown> | undefined {
  const value = model.resolve(m.value!);
  const out: Record<string, unknown> = {};
  for (const [k, vs] of query) {
    if (claimed.has(k)) continue;
    out[k] = value.type === 'list' ? vs.map((v) => parseWire(model.resolve(value.member!), v, k)) : parseWire(value, vs[0]!, k);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function readXmlBody(model: ServiceModel, body: Buffer, shape: Shape, expectedRoot: string | undefined): Record<string, unknown> {
  try {
    const root = parseXmlDocument(body.toString('utf8'));
    if (expectedRoot && localName(root.name) !== localName(expectedRoot)) throw malformedXml();
    return readStructure(model, shape, root);
  } catch (e) {
    if (e instanceof XmlReadError) throw malformedXml();
    throw e;
  }
}

function readPayload(model: ServiceModel, req: WireRequest, name: string, ref: Shape): unknown {
  const p = model.resolve(ref);
  if (p.type === 'structure') {
    if (req.body.length === 0) return undefined;
    return readXmlBody(model, req.body, p, p.locationName);
  }
  // A streaming payload is always there (an empty upload is still an upload).
  if (p.streaming) return req.bodyStream ?? req.body;
  if (req.body.length === 0) return undefined;
  return p.type === 'blob' ? req.body : req.body.toString('utf8');
}

const lowerFirst = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

function assertRequired(model: ServiceModel, op: Operation, shape: Shape, input: Record<string, unknown>): void {
  const missing = findViolations(model, op.input!, input, { constraints: false }).filter((v) => v.constraint === 'Member must not be null');
  if (missing.length === 0) return;
  const top = missing[0]!.path.split('.')[0];
  // Anything missing inside the XML body is, to S3, a document that does not fit the schema.
  if (shape.payload && top === lowerFirst(shape.payload)) throw malformedXml();
  const [name, ref] = Object.entries(shape.members ?? {}).find(([n]) => lowerFirst(n) === top) ?? [top, {}];
  const m = model.resolve(ref);
  if (m.location === 'header') throw new AwsError('InvalidRequest', `Missing required header for this request: ${m.locationName ?? name}`, 400);
  if (m.location === 'querystring') throw new AwsError('InvalidRequest', `Missing required parameter for this request: ${m.locationName ?? name}`, 400);
  if (!m.location && !shape.payload) throw malformedXml();
  throw new AwsError('InvalidRequest', `Missing required parameter: ${name}`, 400);
}

function parseInput(req: WireRequest, model: ServiceModel, op: Operation): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (!op.input) return input;
  const shape = model.resolve(op.input);
  const template = op.name ? templateFor(model, op.name) : undefined;
  const labels = template ? labelValues(template, req.path) : {};
  const query = parseQuery(req.query);
  const claimed = new Set<string>(['x-id', ...(template?.queryLiterals.map(([k]) => k) ?? [])]);
  const members = Object.entries(shape.members ?? {}).map(([name, ref]) => [name, model.resolve(ref)] as const);
  for (const [name, m] of members) if (m.location === 'querystring' && m.type !== 'map') claimed.add(m.locationName ?? name);

  let hasBodyMembers = false;
  for (const [name, m] of members) {
    const wire = m.locationName ?? name;
    switch (m.location) {
      case 'uri':
        if (labels[wire] !== undefined) input[name] = parseWire(m, labels[wire]!, wire);
        break;
      case 'querystring':
        if (m.type === 'map') {
          const map = readQueryMap(model, m, query, claimed);
          if (map) input[name] = map;
        } else if (query.has(wire)) input[name] = readQueryMember(model, m, query.get(wire)!, wire);
        break;
      case 'header': {
        const raw = req.headers[wire.toLowerCase()];
        if (raw !== undefined) input[name] = readHeader(m, raw, wire);
        break;
      }
      case 'headers': {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) if (h.startsWith(prefix)) map[h.slice(prefix.length)] = v;
        if (Object.keys(map).length > 0) input[name] = map;
        break;
      }
      case 'statusCode':
        break;
      default:
        if (name !== shape.payload) hasBodyMembers = true;
    }
  }

  if (shape.payload) {
    const value = readPayload(model, req, shape.payload, shape.members![shape.payload]!);
    if (value !== undefined) input[shape.payload] = value;
  } else if (hasBodyMembers && req.body.length > 0) {
    Object.assign(input, readXmlBody(model, req.body, shape, shape.locationName));
  }
  assertRequired(model, op, shape, input);
  return input;
}

/**
 * Header values must be Latin-1 without controls, or the HTTP layer refuses the response;
 * S3 sends user metadata that is not plain ASCII MIME-encoded (RFC 2047), so we do too.
 */
export function safeHeaderValue(s: string): string {
  return /[^\t\x20-\x7e]/.test(s) ? `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=` : s;
}

function headerValue(model: ServiceModel, m: Shape, v: unknown): string {
  if (m.type === 'list') {
    const item = model.resolve(m.member!);
    return (v as unknown[]).map((x) => {
      const s = formatScalar(item, x, 'rfc822');
      return item.type === 'string' && /[",]/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
    }).join(', ');
  }
  return formatScalar(m, v, 'rfc822');
}

function rawBody(v: unknown): Buffer | Readable {
  if (v instanceof Readable) return v;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.from(String(v), 'utf8');
}

function serializeOutput(model: ServiceModel, op: Operation, output: unknown, meta: ResponseMeta): WireResponse {
  const headers: Record<string, string> = { 'x-amz-request-id': meta.requestId, 'x-amz-id-2': hostId(meta.requestId) };
  let status = op.http?.responseCode ?? 200;
  const empty = Buffer.alloc(0);
  if (!op.output) return { status, headers, body: empty };
  const shape = model.resolve(op.output);
  const out = (output ?? {}) as Record<string, unknown>;
  let hasBodyMembers = false;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const m = model.resolve(ref);
    const v = out[name];
    if (!m.location) {
      if (name !== shape.payload) hasBodyMembers = true;
      continue;
    }
    if (v === undefined || v === null) continue;
    const wire = m.locationName ?? name;
    if (m.location === 'header') headers[wire] = safeHeaderValue(headerValue(model, m, v));
    else if (m.location === 'headers') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) headers[`${wire}${k}`] = safeHeaderValue(String(x));
    } else if (m.location === 'statusCode') status = Number(v);
  }

  const isHead = op.http?.method?.toUpperCase() === 'HEAD';
  let body: Buffer | Readable = empty;
  const ns = serviceNamespace(model);
  if (shape.payload) {
    const ref = shape.members![shape.payload]!;
    const p = model.resolve(ref);
    const v = out[shape.payload];
    if (v !== undefined && v !== null) {
      if (p.type === 'structure') {
        body = Buffer.from(writeXmlDocument(model, p.locationName ?? shape.payload, ref, v, ns), 'utf8');
        headers['Content-Type'] ??= XML_CONTENT_TYPE;
      } else body = rawBody(v);
    }
  } else if (hasBodyMembers) {
    const root = outputRootName(model.metadata.serviceId, op.name ?? '', shape.locationName);
    body = Buffer.from(writeXmlDocument(model, root, op.output, out, ns), 'utf8');
    headers['Content-Type'] = XML_CONTENT_TYPE;
  }
  if (isHead) {
    if (body instanceof Readable) body.destroy();
    body = empty;
  }
  return { status, headers, body };
}

/**
 * Services whose errors are a bare <Error> document (Smithy's restXml noErrorWrapping, which
 * botocore's JSON models do not carry): S3 alone. The others (S3 Control) wrap it as
 * <ErrorResponse><Error>Code, Message, ...</Error><RequestId/><HostId/></ErrorResponse>, and
 * the Go SDK (Terraform) finds no error code in the other form.
 */
const NO_ERROR_WRAPPING = new Set(['S3']);

function serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta, operation?: Operation): WireResponse {
  const headers: Record<string, string> = {
    ...error.headers,
    'x-amz-request-id': meta.requestId,
    'x-amz-id-2': hostId(meta.requestId),
  };
  // Clients read only the status of a failed HEAD; a body there would corrupt the connection.
  if (operation?.http?.method?.toUpperCase() === 'HEAD') return { status: error.status, headers, body: Buffer.alloc(0) };
  const entries: Array<[string, string]> = [
    ['Code', error.code],
    ['Message', error.message],
    ...Object.entries(error.fields),
    ['RequestId', meta.requestId],
    ['HostId', headers['x-amz-id-2']!],
  ];
  headers['Content-Type'] = XML_CONTENT_TYPE;
  if (!NO_ERROR_WRAPPING.has(String(model.metadata.serviceId ?? 'S3'))) {
    const doc = writeWrappedErrorDocument(entries.slice(0, -2), meta.requestId, headers['x-amz-id-2']!);
    return { status: error.status, headers, body: Buffer.from(doc, 'utf8') };
  }
  return { status: error.status, headers, body: Buffer.from(writeFlatDocument('Error', entries), 'utf8') };
}

export const restXmlCodec: ProtocolCodec = {
  protocol: 'rest-xml',
  resolveOperation(req: WireRequest, model: ServiceModel): string {
    return matchOperation(model, req.method, req.path, parseQuery(req.query), req.headers).operation;
  },
  parseInput,
  serializeOutput,
  serializeError,
};

/** resolveOperation + parseInput in one step, for callers that do not need the gap between. */
export function parseRestXmlRequest(req: WireRequest, model: ServiceModel): ParsedRequest {
  const operation = restXmlCodec.resolveOperation(req, model);
  return { operation, input: parseInput(req, model, model.operation(operation)!) };
}
