import type { Readable } from 'node:stream';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, ResponseMeta, WireRequest, WireResponse } from './codec.js';
import { decodeValue, encodeValue, JSON_WIRE, JsonTypeError, jsonLimitExceeded, type ScalarWire } from './json-values.js';
import type { ServiceModel } from './models.js';
import type { Operation, Shape } from './model-types.js';
import { labelValues, matchOperation, parseQuery, templateFor, type QueryParams } from './rest-xml-match.js';
import { splitHeaderList } from './rest-xml.js';
import { formatScalar, parseScalar, ScalarError } from './rest-values.js';
import { assertValid, type ValidationRules, type ValidationStyle } from './validate.js';

/**
 * The rest-json protocol (Savings Plans; in principle Lambda, API Gateway, ...): the operation
 * is named by method + URI template (http.requestUri, matched as rest-xml matches it), inputs
 * are spread over URI labels, query, headers and a JSON body by the members' `location`
 * traits, and errors are named by the x-amzn-ErrorType header. Values are written as awsJson
 * writes them (json-values.ts: epoch-second timestamps unless the member says otherwise,
 * base64 blobs), with body members keyed by their locationName. Nothing here knows an operation.
 */
export interface RestJsonCodecOptions {
  /** Error code for model constraint violations; AWS's rest-json services use ValidationException. */
  validationErrorCode?: string;
  /** Check the model's min/max/pattern/enum too (AWS's validation layer); false: required members only. */
  constraints?: boolean;
  validationStyle?: ValidationStyle;
}

const CONTENT_TYPE = 'application/json';

/** rest-json keys body members by locationName (Smithy's jsonName), at every depth. */
export const REST_JSON_WIRE: ScalarWire = { ...JSON_WIRE, memberKey: (name, member) => member.locationName ?? name };

const serializationError = (message: string) => new AwsError('SerializationException', message, 400);

/** Where each member of an operation's input or output travels; worked out once per shape. */
interface Bindings {
  shape: Shape;
  /** Body members as an inline structure, walked by json-values like any other structure. */
  body?: Shape;
  payload?: { name: string; ref: Shape; shape: Shape };
  bound: Array<{ name: string; m: Shape; wire: string }>;
}

const bindingsCache = new WeakMap<Shape, Bindings>();

function bindingsOf(model: ServiceModel, ref: Shape): Bindings {
  let hit = bindingsCache.get(ref);
  if (hit) return hit;
  const shape = model.resolve(ref);
  const members: Record<string, Shape> = {};
  const bound: Bindings['bound'] = [];
  let payload: Bindings['payload'];
  for (const [name, mref] of Object.entries(shape.members ?? {})) {
    const m = model.resolve(mref);
    if (name === shape.payload) payload = { name, ref: mref, shape: m };
    else if (m.location) bound.push({ name, m, wire: m.locationName ?? name });
    else members[name] = mref;
  }
  hit = { shape, bound, ...(payload ? { payload } : {}) };
  if (!payload && Object.keys(members).length > 0) hit.body = { type: 'structure', members };
  bindingsCache.set(ref, hit);
  return hit;
}

function scalar(m: Shape, raw: string, wire: string): unknown {
  try {
    return parseScalar(m, raw);
  } catch (e) {
    if (e instanceof ScalarError) throw serializationError(`Invalid value for ${wire}: ${raw}`);
    throw e;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  const tooComplex = jsonLimitExceeded(text);
  if (tooComplex) throw serializationError(`The request body is not accepted: ${tooComplex}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw serializationError(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

function decodeBody(model: ServiceModel, ref: Shape, v: unknown): unknown {
  try {
    return decodeValue(model, ref, v, '', REST_JSON_WIRE);
  } catch (e) {
    if (e instanceof JsonTypeError) throw serializationError(e.message);
    throw e;
  }
}

function readQueryMember(model: ServiceModel, m: Shape, query: QueryParams, wire: string, claimed: Set<string>): unknown {
  if (m.type === 'map') {
    // A querystring map takes every parameter no other member or the template claimed.
    const value = model.resolve(m.value!);
    const out: Record<string, unknown> = {};
    for (const [k, vs] of query) {
      if (claimed.has(k)) continue;
      out[k] = value.type === 'list' ? vs.map((v) => scalar(model.resolve(value.member!), v, k)) : scalar(value, vs[0]!, k);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const values = query.get(wire);
  if (!values) return undefined;
  if (m.type === 'list') return values.map((v) => scalar(model.resolve(m.member!), v, wire));
  return scalar(m, values[0]!, wire);
}

function readBound(model: ServiceModel, req: WireRequest, b: Bindings['bound'][number], ctx: { labels: Record<string, string>; query: QueryParams; claimed: Set<string> }): unknown {
  const { m, wire } = b;
  switch (m.location) {
    case 'uri':
      return ctx.labels[wire] === undefined ? undefined : scalar(m, ctx.labels[wire]!, wire);
    case 'querystring':
      return readQueryMember(model, m, ctx.query, wire, ctx.claimed);
    case 'header': {
      const raw = req.headers[wire.toLowerCase()];
      if (raw === undefined) return undefined;
      if (m.type !== 'list') return scalar(m, raw, wire);
      const item = model.resolve(m.member!);
      return splitHeaderList(item, raw).map((s) => scalar(item, s, wire));
    }
    case 'headers': {
      const prefix = wire.toLowerCase();
      const map: Record<string, string> = {};
      for (const [h, v] of Object.entries(req.headers)) if (h.startsWith(prefix)) map[h.slice(prefix.length)] = v;
      return Object.keys(map).length > 0 ? map : undefined;
    }
    default: // statusCode and anything else no request carries
      return undefined;
  }
}

function readPayload(model: ServiceModel, req: WireRequest, p: NonNullable<Bindings['payload']>): unknown {
  const s = p.shape;
  if (s.type === 'structure' || s.document) {
    const v = parseJson(req.body.toString('utf8'));
    return v === undefined ? undefined : decodeBody(model, p.ref, v);
  }
  // A streaming payload is always there (an empty upload is still an upload).
  if (s.streaming) return req.bodyStream ?? req.body;
  if (req.body.length === 0) return undefined;
  return s.type === 'blob' ? req.body : req.body.toString('utf8');
}

/** A header value: lists are comma-joined, quoting items that hold a comma or a quote. */
function headerText(model: ServiceModel, m: Shape, v: unknown): string {
  if (m.type !== 'list' || !Array.isArray(v)) return formatScalar(m, v, 'rfc822');
  const item = model.resolve(m.member!);
  return v.map((x) => {
    const s = formatScalar(item, x, 'rfc822');
    return item.type !== 'timestamp' && /[",]/.test(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s;
  }).join(', ');
}

/** The model's exception shape for an error code: the shape named so, or the one whose error.code it is. */
function errorShape(model: ServiceModel, code: string): Shape | undefined {
  const named = safeResolve(model, code);
  if (named?.exception && (named.error?.code ?? code) === code) return named;
  return undefined;
}

function safeResolve(model: ServiceModel, name: string): Shape | undefined {
  try {
    return model.resolve({ shape: name });
  } catch {
    return undefined;
  }
}

/** An error field (AwsError.fields are text) in its member's JSON type. */
function fieldValue(model: ServiceModel, ref: Shape | undefined, text: string): unknown {
  if (!ref) return text;
  const m = model.resolve(ref);
  if (m.type === 'string' || m.type === undefined) return text;
  try {
    return encodeValue(model, ref, parseScalar(m, text), '', REST_JSON_WIRE);
  } catch {
    return text;
  }
}

export function createRestJsonCodec(opts: RestJsonCodecOptions = {}): ProtocolCodec {
  const rules: ValidationRules = {
    code: opts.validationErrorCode ?? 'ValidationException', constraints: opts.constraints ?? true,
    ...(opts.validationStyle ? { style: opts.validationStyle } : {}),
  };

  return {
    protocol: 'rest-json',

    resolveOperation(req: WireRequest, model: ServiceModel): string {
      try {
        return matchOperation(model, req.method, req.path, parseQuery(req.query), req.headers).operation;
      } catch (e) {
        // rest-xml's S3-worded refusals (MethodNotAllowed, InvalidRequest) are not this protocol's.
        if (e instanceof AwsError) throw new AwsError('UnknownOperationException', `No operation matches ${req.method.toUpperCase()} ${req.path}`, 404);
        throw e;
      }
    },

    parseInput(req: WireRequest, model: ServiceModel, op: Operation): Record<string, unknown> {
      if (!op.input) return {};
      const b = bindingsOf(model, op.input);
      const template = op.name ? templateFor(model, op.name) : undefined;
      const query = parseQuery(req.query);
      const claimed = new Set<string>(template?.queryLiterals.map(([k]) => k) ?? []);
      for (const x of b.bound) if (x.m.location === 'querystring' && x.m.type !== 'map') claimed.add(x.wire);
      const ctx = { labels: template ? labelValues(template, req.path) : {}, query, claimed };
      let input: Record<string, unknown> = {};
      if (b.body) {
        const v = parseJson(req.body.toString('utf8'));
        if (v !== undefined) input = decodeBody(model, b.body, v) as Record<string, unknown>;
      } else if (b.payload) {
        const v = readPayload(model, req, b.payload);
        if (v !== undefined) input[b.payload.name] = v;
      }
      for (const x of b.bound) {
        const v = readBound(model, req, x, ctx);
        if (v !== undefined) input[x.name] = v;
      }
      assertValid(model, op.input, input, rules);
      return input;
    },

    serializeOutput(model: ServiceModel, op: Operation, output: unknown, meta: ResponseMeta): WireResponse {
      const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, 'x-amzn-RequestId': meta.requestId };
      let status = op.http?.responseCode ?? 200;
      if (!op.output) return { status, headers, body: Buffer.from('{}') };
      const b = bindingsOf(model, op.output);
      const out = (output ?? {}) as Record<string, unknown>;
      for (const { name, m, wire } of b.bound) {
        const v = out[name];
        if (v === undefined || v === null) continue;
        if (m.location === 'header') headers[wire] = headerText(model, m, v);
        else if (m.location === 'headers') for (const [k, x] of Object.entries(v as object)) headers[`${wire}${k}`] = String(x);
        else if (m.location === 'statusCode') status = Number(v);
      }
      let body: Buffer | Readable = Buffer.from('{}');
      if (b.body) body = Buffer.from(JSON.stringify(encodeValue(model, b.body, out, '', REST_JSON_WIRE) ?? {}), 'utf8');
      else if (b.payload) {
        const v = out[b.payload.name];
        const s = b.payload.shape;
        if (s.type === 'structure' || s.document) body = Buffer.from(JSON.stringify(encodeValue(model, b.payload.ref, v ?? {}, '', REST_JSON_WIRE) ?? {}), 'utf8');
        else {
          headers['content-type'] = s.type === 'blob' ? 'application/octet-stream' : 'text/plain';
          body = v === undefined || v === null ? Buffer.alloc(0)
            : Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v) : typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Readable);
        }
      }
      return { status, headers, body };
    },

    serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta): WireResponse {
      // The model's status for its own errors (ResourceNotFoundException is 404 in Savings
      // Plans), so a handler need not repeat it; anything else keeps the AwsError's status.
      const shape = errorShape(model, error.code);
      const status = shape ? shape.error?.httpStatusCode ?? (shape.fault ? 500 : 400) : error.status;
      const members = shape?.members ?? {};
      const headers: Record<string, string> = {
        ...error.headers, 'content-type': CONTENT_TYPE, 'x-amzn-RequestId': meta.requestId, 'x-amzn-ErrorType': error.code,
      };
      // The message under the error shape's own spelling of it (message or Message).
      const messageMember = Object.keys(members).find((k) => k.toLowerCase() === 'message');
      const messageKey = messageMember ? members[messageMember]!.locationName ?? messageMember : 'message';
      const body: Record<string, unknown> = { [messageKey]: error.message };
      for (const [k, v] of Object.entries(error.fields)) {
        const ref = members[k];
        const m = ref ? model.resolve(ref) : undefined;
        if (m?.location === 'header') headers[m.locationName ?? k] = v;
        else body[ref?.locationName ?? k] = fieldValue(model, ref, v);
      }
      return { status, headers, body: Buffer.from(JSON.stringify(body), 'utf8') };
    },
  };
}
