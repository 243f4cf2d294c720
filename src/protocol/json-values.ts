import type { ServiceModel } from './models.js';
import type { Shape, ShapeType } from './model-types.js';

/**
 * Shape-typed conversion between awsJson wire values and the codec value conventions
 * (see codec.ts). Wire names are the model's member names: awsJson ignores jsonName, and no
 * JSON-protocol model in models/ carries a locationName on a body member.
 * The shape walk is shared with rpcv2Cbor (cbor.ts), which differs only in the scalars of
 * ScalarWire: how timestamps, blobs and floats look on the wire.
 */

/** A wire value whose JSON type does not fit its shape; the codec turns it into SerializationException. */
export class JsonTypeError extends Error {
  constructor(readonly detail: string, readonly path: string) {
    super(path ? `${detail} (member '${path}')` : detail);
    this.name = 'JsonTypeError';
  }
}

/** How deep a JSON request body may nest: the default of Jackson, which AWS's JSON front ends parse with. */
export const MAX_JSON_DEPTH = 1000;
/**
 * Object members in one JSON request body, all objects together. JSON.parse of one object with
 * a million distinct keys (12 MB) held the event loop for 4 s; real requests (1,000 metric
 * data, DynamoDB-sized items) have a few thousand.
 */
export const MAX_JSON_MEMBERS = 100_000;

/**
 * Why a JSON text is too deep or too wide to parse, or undefined: one linear pass over the
 * characters (strings skipped) before JSON.parse builds anything.
 */
export function jsonLimitExceeded(text: string): string | undefined {
  let depth = 0;
  let members = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote not escaped by a backslash.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return `Document nesting depth (${depth}) exceeds the maximum allowed (${MAX_JSON_DEPTH})`;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && ++members > MAX_JSON_MEMBERS) return `The document has more than ${MAX_JSON_MEMBERS} object members`;
  }
  return undefined;
}

/**
 * The scalars a document wire format writes its own way. A read returns undefined when the
 * wire value has the wrong type (the walk then reports the mismatch) and throws JsonTypeError
 * for a value of the right type that is still unusable.
 */
export interface ScalarWire {
  readFloat(shape: Shape, v: unknown, path: string): number | undefined;
  readTimestamp(shape: Shape, v: unknown, path: string): Date | undefined;
  readBlob(shape: Shape, v: unknown, path: string): Buffer | undefined;
  writeNumber(n: number): unknown;
  writeTimestamp(shape: Shape, d: Date): unknown;
  writeBlob(b: Buffer): unknown;
  /**
   * A structure member's key on the wire; absent: the member name (awsJson, CBOR). rest-json
   * keys body members by their locationName (botocore's spelling of Smithy's jsonName).
   */
  memberKey?(name: string, member: Shape): string;
}

const TYPE_NAMES: Partial<Record<ShapeType, string>> = {
  string: 'a String', character: 'a Character', integer: 'an Integer', long: 'a Long', short: 'a Short',
  byte: 'a Byte', float: 'a Float', double: 'a Double', bigdecimal: 'a BigDecimal', biginteger: 'a BigInteger',
  boolean: 'a Boolean', timestamp: 'a Timestamp', blob: 'a Blob', structure: 'a Structure', list: 'a List', map: 'a Map',
};

/** Integral types and their inclusive ranges; long is bounded by what a JSON number can hold exactly. */
const INTEGRAL: Partial<Record<ShapeType, [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  biginteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

// Smithy JSON protocols carry non-finite floats as these strings (JSON has no literal for them).
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// RFC 3339 date-time as smithy's date-time format allows it: 'T' and 'Z' in either case, optional fraction.
const ISO8601 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Date);

/** Own-property write that stays a plain data property even for the key '__proto__'. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The name AWS's JSON front end gives a wire token in its conversion errors. */
function tokenName(v: unknown): string {
  if (typeof v === 'string') return 'STRING_VALUE';
  if (typeof v === 'number') return 'NUMBER_VALUE';
  if (typeof v === 'boolean') return 'BOOLEAN_VALUE';
  if (v instanceof Date) return 'TIMESTAMP_VALUE';
  if (ArrayBuffer.isView(v)) return 'BLOB_VALUE';
  return 'NULL_VALUE';
}

function mismatch(shape: Shape, v: unknown, path: string): JsonTypeError {
  if (Array.isArray(v)) return new JsonTypeError('Start of list found where not expected', path);
  if (isObject(v)) return new JsonTypeError('Start of structure or map found where not expected', path);
  return new JsonTypeError(`${tokenName(v)} can not be converted to ${TYPE_NAMES[shape.type ?? 'string'] ?? 'the expected type'}`, path);
}

const join = (path: string, seg: string) => (path ? `${path}.${seg}` : seg);

/** Decodes one wire value against its shape. `null` means absent, so callers drop it. */
export function decodeValue(model: ServiceModel, ref: Shape, v: unknown, path = '', wire: ScalarWire = JSON_WIRE): unknown {
  const shape = model.resolve(ref);
  if (v === null || v === undefined) return undefined;
  if (shape.document) return v;
  switch (shape.type) {
    case 'structure': {
      if (!isObject(v)) throw mismatch(shape, v, path);
      const members = shape.members ?? {};
      const out: Record<string, unknown> = {};
      // Walks the model's members, not the wire's keys: unknown members are ignored, as AWS
      // does, and cost nothing however many there are.
      for (const [key, ref] of Object.entries(members)) {
        const wireKey = wire.memberKey?.(key, ref) ?? key;
        if (!Object.hasOwn(v, wireKey)) continue;
        const decoded = decodeValue(model, ref, (v as Record<string, unknown>)[wireKey], join(path, key), wire);
        if (decoded !== undefined) out[key] = decoded;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(v)) throw mismatch(shape, v, path);
      const out: unknown[] = [];
      v.forEach((item, i) => {
        const decoded = decodeValue(model, shape.member!, item, `${path}[${i}]`, wire);
        if (decoded !== undefined) out.push(decoded);
      });
      return out;
    }
    case 'map': {
      if (!isObject(v)) throw mismatch(shape, v, path);
      const out: Record<string, unknown> = {};
      for (const [key, raw] of Object.entries(v)) {
        const decoded = decodeValue(model, shape.value!, raw, `${path}['${key}']`, wire);
        if (decoded !== undefined) setOwn(out, key, decoded);
      }
      return out;
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw mismatch(shape, v, path);
      return v;
    case 'float': case 'double': case 'bigdecimal':
      return orMismatch(wire.readFloat(shape, v, path), shape, v, path);
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger': {
      const [lo, hi] = INTEGRAL[shape.type]!;
      if (typeof v !== 'number') throw mismatch(shape, v, path);
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new JsonTypeError(`NUMBER_VALUE ${v} can not be converted to ${TYPE_NAMES[shape.type]}`, path);
      }
      return v;
    }
    case 'timestamp':
      return orMismatch(wire.readTimestamp(shape, v, path), shape, v, path);
    case 'blob':
      return orMismatch(wire.readBlob(shape, v, path), shape, v, path);
    default: // string, character, and any enum (enums are strings)
      if (typeof v !== 'string') throw mismatch(shape, v, path);
      return v;
  }
}

function orMismatch<T>(decoded: T | undefined, shape: Shape, v: unknown, path: string): T {
  if (decoded === undefined) throw mismatch(shape, v, path);
  return decoded;
}

/** Milliseconds since the epoch as a Date, or a JsonTypeError when no Date can hold them. */
export function wireDate(ms: number, v: unknown, path: string): Date {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new JsonTypeError(`${tokenName(v)} '${String(v)}' can not be converted to a Timestamp`, path);
  }
  return new Date(ms);
}

function decodeTimestamp(shape: Shape, v: unknown, path: string): Date | undefined {
  const format = shape.timestampFormat ?? 'unixTimestamp';
  let ms: number;
  if (typeof v === 'number' && format === 'unixTimestamp') {
    // Wire seconds carry at most millisecond meaning; rounding drops float noise such as .12299999.
    ms = Math.round(v * 1000);
  } else if (typeof v === 'string' && format === 'iso8601' && ISO8601.test(v)) {
    ms = Date.parse(v.toUpperCase());
  } else if (typeof v === 'string' && format === 'rfc822') {
    ms = Date.parse(v);
  } else if (typeof v === 'number' || typeof v === 'string') {
    const expected = format === 'unixTimestamp' ? 'epoch seconds' : format === 'iso8601' ? 'an ISO 8601 date-time' : 'an HTTP date';
    throw new JsonTypeError(`${tokenName(v)} '${v}' can not be converted to a Timestamp (expected ${expected})`, path);
  } else {
    return undefined;
  }
  return wireDate(ms, v, path);
}

function toDate(v: unknown, path: string): Date {
  const d = v instanceof Date ? v : typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new Error(`output member '${path}': ${String(v)} is not a timestamp`);
  return d;
}

function toNumber(v: unknown, path: string): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number') throw new Error(`output member '${path}': ${String(v)} is not a number`);
  return n;
}

/** awsJson: timestamps by their timestampFormat (epoch seconds by default), blobs as base64, non-finite floats as strings. */
export const JSON_WIRE: ScalarWire = {
  readFloat(_shape, v) {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && Object.hasOwn(NON_FINITE, v)) return NON_FINITE[v];
    return undefined;
  },
  readTimestamp: decodeTimestamp,
  readBlob(_shape, v, path) {
    if (typeof v !== 'string') return undefined;
    if (!BASE64.test(v)) throw new JsonTypeError('Base64 encoded value is not valid for a Blob', path);
    return Buffer.from(v, 'base64');
  },
  writeNumber(n) {
    if (Number.isNaN(n)) return 'NaN';
    if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
    return n;
  },
  writeTimestamp(shape, d) {
    if (shape.timestampFormat === 'iso8601') return d.toISOString();
    if (shape.timestampFormat === 'rfc822') return d.toUTCString();
    return d.getTime() / 1000;
  },
  writeBlob: (b) => b.toString('base64'),
};

/**
 * Encodes one output value for the wire. Only model members are written (anything else a
 * handler leaves on an object stays private); null and undefined are absent.
 * A value that cannot fit its shape is a handler bug, so it throws a plain Error.
 */
export function encodeValue(model: ServiceModel, ref: Shape, v: unknown, path = '', wire: ScalarWire = JSON_WIRE): unknown {
  const shape = model.resolve(ref);
  if (v === null || v === undefined) return undefined;
  if (shape.document) return v;
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object') throw new Error(`output member '${path}': expected an object`);
      const obj = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const encoded = encodeValue(model, member, obj[name], join(path, name), wire);
        if (encoded !== undefined) out[wire.memberKey?.(name, member) ?? name] = encoded;
      }
      return out;
    }
    case 'list': {
      if (typeof v !== 'object' || !(Symbol.iterator in v)) throw new Error(`output member '${path}': expected a list`);
      const out: unknown[] = [];
      let i = 0;
      for (const item of v as Iterable<unknown>) {
        const encoded = encodeValue(model, shape.member!, item, `${path}[${i++}]`, wire);
        if (encoded !== undefined) out.push(encoded);
      }
      return out;
    }
    case 'map': {
      if (typeof v !== 'object') throw new Error(`output member '${path}': expected a map`);
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      const out: Record<string, unknown> = {};
      for (const [key, item] of entries) {
        const encoded = encodeValue(model, shape.value!, item, `${path}['${String(key)}']`, wire);
        if (encoded !== undefined) setOwn(out, String(key), encoded);
      }
      return out;
    }
    case 'timestamp':
      return wire.writeTimestamp(shape, toDate(v, path));
    case 'blob':
      if (typeof v === 'string') return wire.writeBlob(Buffer.from(v, 'utf8'));
      if (v instanceof Uint8Array) return wire.writeBlob(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      throw new Error(`output member '${path}': expected a Buffer or string`);
    case 'boolean':
      return typeof v === 'string' ? v === 'true' : Boolean(v);
    case 'integer': case 'long': case 'short': case 'byte': case 'biginteger':
    case 'float': case 'double': case 'bigdecimal':
      return wire.writeNumber(toNumber(v, path));
    default:
      return typeof v === 'string' ? v : String(v);
  }
}
