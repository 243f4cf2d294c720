import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type * as SmithyCbor from '@smithy/core/cbor';
import type * as SmithySerde from '@smithy/core/serde';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, ResponseMeta, WireRequest, WireResponse } from './codec.js';
import { decodeValue, encodeValue, JsonTypeError, wireDate, type ScalarWire } from './json-values.js';
import type { ServiceModel } from './models.js';
import type { Operation } from './model-types.js';
import { assertValid, type ValidationRules, type ValidationStyle } from './validate.js';
import { cborLimitExceeded } from './cbor-limits.js';

/**
 * Smithy RPC v2 CBOR (smithy.protocols#rpcv2Cbor): POST {prefix?}/service/{Service}/operation/{Op}
 * with `smithy-protocol: rpc-v2-cbor` and a CBOR body holding the input structure. The same
 * member names and shape walk as awsJson (json-values.ts); only the scalars differ: timestamps
 * are tag 1 around epoch seconds (timestampFormat is ignored), blobs are byte strings, and
 * floats are CBOR floats (or integers, when exact), NaN and Infinity included.
 * CBOR bytes are read and written by @smithy/core/cbor (the AWS SDK's own implementation).
 */
export interface CborCodecOptions {
  /** The Smithy service shape name, e.g. 'GraniteServiceVersion20100801' (CloudWatch). */
  serviceName: string;
  /** Error code for model constraint violations; defaults to ValidationException as for awsJson. */
  validationErrorCode?: string;
  /** Check the model's min/max/pattern/enum too (AWS's validation layer); false: required members only. */
  constraints?: boolean;
  /** The service's own validation wording (ECR's InvalidParameterException); absent: the generic one. */
  validationStyle?: ValidationStyle;
}

interface CborLib {
  cbor: typeof SmithyCbor.cbor;
  tag: typeof SmithyCbor.tag;
  tagSymbol: symbol;
  NumericValue: typeof SmithySerde.NumericValue;
}

// Loaded on the first CBOR request, not at start-up: @smithy/core/cbor pulls in ~50 ms of modules.
const require = createRequire(import.meta.url);
let loaded: CborLib | undefined;
function lib(): CborLib {
  if (loaded) return loaded;
  const { cbor, tag, tagSymbol } = require('@smithy/core/cbor') as typeof SmithyCbor;
  const { NumericValue } = require('@smithy/core/serde') as typeof SmithySerde;
  return (loaded = { cbor, tag, tagSymbol, NumericValue });
}

export const SMITHY_PROTOCOL = 'rpc-v2-cbor';
const CONTENT_TYPE = 'application/cbor';

// PutMetricData may be gzip-compressed (requestCompression); as in json.ts, a body that
// inflates past this is refused rather than held in memory.
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

const serializationError = (message: string) => new AwsError('SerializationException', message, 400);
const unknownOperation = (message: string, status: number) => new AwsError('UnknownOperationException', message, status);

/** Whether a request says it speaks rpcv2Cbor (routing uses this too). */
export function isRpcV2Cbor(headers: Record<string, string>): boolean {
  return (headers['smithy-protocol'] ?? '').trim().toLowerCase() === SMITHY_PROTOCOL;
}

/** A service whose model also speaks awsQuery: clients read the query error code from x-amzn-query-error. */
function isQueryCompatible(model: ServiceModel): boolean {
  return model.metadata.awsQueryCompatible !== undefined || (model.metadata.protocols ?? [model.metadata.protocol]).includes('query');
}

function requestBytes(req: WireRequest): Buffer {
  const body = req.body;
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  // Checking the gzip magic too means a body an upstream layer already inflated still parses.
  if (encoding.includes('gzip') && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      return gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (e) {
      throw serializationError(`The request body could not be decompressed: ${(e as Error).message}`);
    }
  }
  return body;
}

const isPlainMap = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * The decoder's items in the codec value vocabulary the shape walk expects: tag 1 becomes a
 * Date, bignums (tags 2/3, and integers past 2^53) and decimal fractions (tag 4) become numbers;
 * any other tag is refused. Byte strings stay Buffers.
 */
function normalize(v: unknown, path: string): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  const { tagSymbol, NumericValue } = lib();
  if (Array.isArray(v)) return v.map((item, i) => normalize(item, `${path}[${i}]`));
  if (ArrayBuffer.isView(v)) return v;
  if (v instanceof NumericValue) return Number(v.string);
  const obj = v as Record<string | symbol, unknown>;
  if (obj[tagSymbol]) {
    const { tag: id, value } = obj as { tag: number | bigint; value: unknown };
    if (Number(id) !== 1) throw new JsonTypeError(`CBOR tag ${String(id)} is not supported`, path);
    if (typeof value !== 'number' && typeof value !== 'bigint') {
      throw new JsonTypeError('A timestamp (CBOR tag 1) must hold epoch seconds as a number', path);
    }
    // Wire seconds carry at most millisecond meaning; rounding drops float noise.
    return wireDate(Math.round(Number(value) * 1000), value, path);
  }
  // The decoder assigns keys plainly, so a '__proto__' key replaces the map's prototype.
  if (!isPlainMap(obj)) throw new JsonTypeError("A CBOR map key '__proto__' is not supported", path);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(obj)) {
    Object.defineProperty(out, key, { value: normalize(item, path ? `${path}.${key}` : key), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseBody(req: WireRequest): Record<string, unknown> {
  const bytes = requestBytes(req);
  if (bytes.length === 0) return {};
  const tooComplex = cborLimitExceeded(bytes);
  if (tooComplex) throw serializationError(`The request body is not accepted: ${tooComplex}`);
  let parsed: unknown;
  try {
    parsed = lib().cbor.deserialize(bytes);
  } catch (e) {
    throw serializationError(`The request body is not valid CBOR: ${(e as Error).message}`);
  }
  const what = describe(parsed);
  if (what !== 'a map') throw serializationError(`The request body must be a CBOR map, not ${what}`);
  try {
    return normalize(parsed, '') as Record<string, unknown>;
  } catch (e) {
    if (e instanceof JsonTypeError) throw serializationError(e.message);
    throw e;
  }
}

function describe(v: unknown): string {
  const { tagSymbol, NumericValue } = lib();
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (ArrayBuffer.isView(v)) return 'a byte string';
  if (typeof v === 'object') return (v as Record<symbol, unknown>)[tagSymbol] ? 'a tagged item' : v instanceof NumericValue ? 'a number' : 'a map';
  return typeof v === 'bigint' ? 'a number' : `a ${typeof v}`;
}

/** rpcv2Cbor's scalars; decoding sees them after normalize(). */
export const CBOR_WIRE: ScalarWire = {
  // Exact floats may travel as CBOR integers (the JS SDK sends 12.0 as 12).
  readFloat: (_shape, v) => (typeof v === 'number' ? v : undefined),
  readTimestamp: (_shape, v) => (v instanceof Date ? v : undefined),
  readBlob: (_shape, v) => (Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : undefined),
  writeNumber: (n) => n,
  writeTimestamp: (_shape, d) => lib().tag({ tag: 1, value: d.getTime() / 1000 }),
  writeBlob: (b) => b,
};

export function createRpcV2CborCodec(opts: CborCodecOptions): ProtocolCodec {
  const validationCode = opts.validationErrorCode ?? 'ValidationException';
  const rules: ValidationRules = { code: validationCode, constraints: opts.constraints ?? true, ...(opts.validationStyle ? { style: opts.validationStyle } : {}) };
  const qualified = `.${opts.serviceName}`;

  const respond = (status: number, body: unknown, meta: ResponseMeta, extra: Record<string, string> = {}): WireResponse => {
    const headers: Record<string, string> = { ...extra, 'smithy-protocol': SMITHY_PROTOCOL, 'x-amzn-requestid': meta.requestId };
    if (body === undefined) return { status, headers, body: Buffer.alloc(0) };
    const bytes = lib().cbor.serialize(body);
    headers['content-type'] = CONTENT_TYPE;
    return { status, headers, body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  };

  return {
    protocol: 'rpc-v2-cbor',

    resolveOperation(req: WireRequest, model: ServiceModel): string {
      if (req.method.toUpperCase() !== 'POST') {
        throw unknownOperation(`The ${req.method} method is not supported; rpcv2Cbor operations are called with POST`, 400);
      }
      if (!isRpcV2Cbor(req.headers)) {
        throw unknownOperation(`An rpcv2Cbor request must carry the header smithy-protocol: ${SMITHY_PROTOCOL}`, 400);
      }
      if (req.headers['x-amz-target'] !== undefined || req.headers['x-amzn-target'] !== undefined) {
        throw unknownOperation('An rpcv2Cbor request must not carry an X-Amz-Target header', 400);
      }
      // Only the last four segments route; anything before them is a prefix.
      const segments = req.path.split('/');
      const [service, svcName, operation, opName] = segments.slice(-4).map(decodeSegment);
      if (segments.length < 5 || service !== 'service' || operation !== 'operation' || !svcName || !opName) {
        throw unknownOperation(`The path ${req.path} is not /service/{ServiceName}/operation/{OperationName}`, 404);
      }
      // The service may also be named by its absolute shape ID with '#' as '.'.
      if (svcName !== opts.serviceName && !svcName.endsWith(qualified)) {
        throw unknownOperation(`Unknown service ${svcName}: this endpoint serves ${opts.serviceName}`, 404);
      }
      if (!model.operation(opName)) throw unknownOperation(`Unknown operation ${opName}`, 404);
      return opName;
    },

    parseInput(req: WireRequest, model: ServiceModel, operation: Operation): Record<string, unknown> {
      const body = parseBody(req);
      if (!operation.input) return {};
      let input: Record<string, unknown>;
      try {
        input = decodeValue(model, operation.input, body, '', CBOR_WIRE) as Record<string, unknown>;
      } catch (e) {
        if (e instanceof JsonTypeError) throw serializationError(e.message);
        throw e;
      }
      assertValid(model, operation.input, input, rules);
      return input;
    },

    serializeOutput(model: ServiceModel, operation: Operation, output: unknown, meta: ResponseMeta): WireResponse {
      // An operation without output (Unit) answers with no body and no content type.
      if (!operation.output) return respond(200, undefined, meta);
      return respond(200, encodeValue(model, operation.output, output ?? {}, '', CBOR_WIRE) ?? {}, meta);
    },

    serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta): WireResponse {
      const headers: Record<string, string> = { ...error.headers };
      if (isQueryCompatible(model)) headers['x-amzn-query-error'] = `${error.code};${error.sender ? 'Sender' : 'Receiver'}`;
      const body: Record<string, string> = { __type: error.code, message: error.message };
      for (const [k, v] of Object.entries(error.fields)) if (k !== '__type') body[k] = v;
      return respond(error.status, body, meta, headers);
    },
  };
}

function decodeSegment(s: string | undefined): string {
  if (s === undefined) return '';
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
