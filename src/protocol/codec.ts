import type { Readable } from 'node:stream';
import type { AwsError } from '../core/errors.js';
import type { ServiceModel } from './models.js';
import type { Operation } from './model-types.js';

/** An HTTP request as the edge hands it to a codec. Header names are lower-case. */
export interface WireRequest {
  method: string;
  /** Path exactly as received, still percent-encoded, without the query string. */
  path: string;
  /** Raw query string without the leading '?', still percent-encoded ('' when none). */
  query: string;
  headers: Record<string, string>;
  /** The buffered body; empty when there is none or when the body is streamed. */
  body: Buffer;
  /** The body as a stream, for operations whose payload is a streaming blob (S3 PutObject). */
  bodyStream?: Readable;
  /** Host header without port, lower-case. */
  host: string;
  /** The request arrived over TLS (aws:SecureTransport; the scheme of URLs the server hands back). */
  secure?: boolean;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  /** A buffer, or a stream for streaming payloads (S3 GetObject). */
  body: Buffer | Readable;
}

export interface ParsedRequest {
  operation: string;
  /** Typed input keyed by model member names (what @aws-sdk/client-* input types use). */
  input: Record<string, unknown>;
}

export interface ResponseMeta {
  requestId: string;
}

/**
 * One codec per wire protocol, driven by the service model. Handlers never see wire names.
 *
 * Value conventions, both directions:
 *   timestamps -> Date; blobs -> Buffer (outputs may also give string); integers, longs,
 *   floats, doubles -> number; booleans -> boolean; lists -> arrays; maps -> plain objects;
 *   structures -> plain objects keyed by member name; absent members are absent (not null).
 */
export interface ProtocolCodec {
  readonly protocol: string;
  /**
   * Finds the operation the request names. Throws AwsError (unknown action / operation) when
   * there is none. Does not need the body except for protocols that carry the action in it.
   */
  resolveOperation(req: WireRequest, model: ServiceModel): string;
  /** Decodes the input; throws AwsError for malformed input (MalformedXML, SerializationException, ...). */
  parseInput(req: WireRequest, model: ServiceModel, operation: Operation): Record<string, unknown>;
  serializeOutput(model: ServiceModel, operation: Operation, output: unknown, meta: ResponseMeta): WireResponse;
  serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta, operation?: Operation): WireResponse;
}
