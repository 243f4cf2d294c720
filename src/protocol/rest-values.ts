import type { Shape } from './model-types.js';
import { blobToBase64, formatTimestamp } from './xml.js';

/**
 * Scalar text <-> typed value, for everywhere the REST protocols put a scalar into text:
 * headers, query strings, URI labels and XML text. Only the default timestamp format differs
 * by place (RFC 822 in headers, ISO 8601 elsewhere), so writers pass it; readers take any.
 */

export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

/** Thrown for text that does not fit its shape; callers turn it into their protocol's error. */
export class ScalarError extends Error {}

/** Integral types and their inclusive ranges; longs are bounded by what a JS number holds exactly. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  biginteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const FLOAT_TYPES = new Set(['float', 'double', 'bigdecimal']);

/** Timestamps arrive in every format from some client, so any of them is accepted. */
export function parseTimestamp(text: string): Date {
  const t = text.trim();
  const d = /^-?\d+(?:\.\d+)?$/.test(t) ? new Date(Number(t) * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) throw new ScalarError(`not a timestamp: ${text}`);
  return d;
}

export function parseScalar(shape: Shape, text: string): unknown {
  const type = shape.type ?? 'string';
  const range = INTEGER_RANGES[type];
  if (range) {
    if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new ScalarError(`not an integer: ${text}`);
    const n = Number(text);
    // Past the type's range (or past 2^53, where digits would be lost) is not a value of it.
    if (n < range[0] || n > range[1]) throw new ScalarError(`out of range for ${type}: ${text}`);
    return n;
  }
  if (FLOAT_TYPES.has(type)) {
    const t = text.trim();
    const n = t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : Number(t);
    if (t === '' || (Number.isNaN(n) && t !== 'NaN')) throw new ScalarError(`not a number: ${text}`);
    return n;
  }
  switch (type) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw new ScalarError(`not a boolean: ${text}`);
      return t === 'true';
    }
    case 'timestamp':
      return parseTimestamp(text);
    case 'blob':
      return Buffer.from(text, 'base64');
    default:
      if (shape.jsonvalue) return parseJsonValue(text);
      return text;
  }
}

/** jsonvalue strings travel base64-encoded in headers; a value that is not JSON stays text. */
function parseJsonValue(text: string): unknown {
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  try {
    return JSON.parse(decoded);
  } catch {
    return decoded;
  }
}

export function formatScalar(shape: Shape, value: unknown, defaultTsFormat: TimestampFormat): string {
  switch (shape.type) {
    case 'timestamp':
      return formatTimestamp(value, shape.timestampFormat ?? defaultTsFormat);
    case 'boolean':
      return value === true || value === 'true' ? 'true' : 'false';
    case 'blob':
      return blobToBase64(value);
    case 'float': case 'double': case 'bigdecimal':
      if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
      return String(value);
    default:
      if (shape.jsonvalue) return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64');
      return String(value);
  }
}
