import { gunzipSync } from 'node:zlib';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, ResponseMeta, WireRequest, WireResponse } from './codec.js';
import { decodeValue, encodeValue, JsonTypeError, jsonLimitExceeded } from './json-values.js';
import type { ServiceModel } from './models.js';
import type { Operation } from './model-types.js';
import { assertValid, type ValidationRules, type ValidationStyle } from './validate.js';

export interface JsonCodecOptions {
  version: '1.0' | '1.1';
  /** The X-Amz-Target prefix, e.g. 'AmazonEC2ContainerRegistry_V20150921'. */
  targetPrefix: string;
  /** Error code for model constraint violations; AWS's JSON services use ValidationException. */
  validationErrorCode?: string;
  /** Check the model's min/max/pattern/enum too (AWS's validation layer); false: required members only. */
  constraints?: boolean;
  /** The service's own validation wording (ECR's InvalidParameterException); absent: the generic one. */
  validationStyle?: ValidationStyle;
}

// PutMetricData is marked for gzip request compression; a decompressed body larger than this
// is refused rather than held in memory (CloudWatch itself caps payloads far below it).
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

const serializationError = (message: string) => new AwsError('SerializationException', message, 400);

function unknownOperation(message: string): AwsError {
  return new AwsError('UnknownOperationException', message, 400);
}

/**
 * A model whose own protocol is awsQuery but is also served over JSON (CloudWatch) is
 * "query compatible": clients read the query error code from x-amzn-query-error.
 */
function isQueryCompatible(model: ServiceModel): boolean {
  // botocore's models say so with the awsQueryCompatible trait; older ones only by protocol list.
  if (model.metadata.awsQueryCompatible !== undefined) return true;
  const protocols = model.metadata.protocols ?? [model.metadata.protocol];
  return !protocols.includes('json') && protocols.includes('query');
}

function requestText(req: WireRequest): string {
  let body = req.body;
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  // Checking the gzip magic too means a body an upstream layer already inflated still parses.
  if (encoding.includes('gzip') && body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      body = gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (e) {
      throw serializationError(`The request body could not be decompressed: ${(e as Error).message}`);
    }
  }
  return body.toString('utf8');
}

function parseBody(req: WireRequest): Record<string, unknown> {
  const text = requestText(req);
  if (text.trim() === '') return {};
  const tooComplex = jsonLimitExceeded(text);
  if (tooComplex) throw serializationError(`The request body is not accepted: ${tooComplex}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw serializationError(`The request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const what = Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : `a ${typeof parsed}`;
    throw serializationError(`The request body must be a JSON object, not ${what}`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * One codec serves both awsJson versions: they differ only in the content type, and the same
 * model shapes drive a native JSON service (ECR, 1.1) and a query service's JSON face (CloudWatch, 1.0).
 */
export function createJsonCodec(opts: JsonCodecOptions): ProtocolCodec {
  const contentType = `application/x-amz-json-${opts.version}`;
  const validationCode = opts.validationErrorCode ?? 'ValidationException';
  const rules: ValidationRules = { code: validationCode, constraints: opts.constraints ?? true, ...(opts.validationStyle ? { style: opts.validationStyle } : {}) };

  const respond = (status: number, body: unknown, meta: ResponseMeta, extra: Record<string, string> = {}): WireResponse => ({
    status,
    headers: { ...extra, 'content-type': contentType, 'x-amzn-RequestId': meta.requestId },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  });

  return {
    protocol: 'json',

    resolveOperation(req: WireRequest, model: ServiceModel): string {
      const target = req.headers['x-amz-target'];
      if (req.method.toUpperCase() !== 'POST') {
        throw unknownOperation(`The ${req.method} method is not supported; JSON operations are called with POST`);
      }
      if (!target) throw unknownOperation('The request has no X-Amz-Target header naming the operation');
      const dot = target.lastIndexOf('.');
      const prefix = dot < 0 ? '' : target.slice(0, dot);
      const name = target.slice(dot + 1);
      if (prefix !== opts.targetPrefix || !name || !model.operation(name)) {
        throw unknownOperation(`Unknown operation ${target}`);
      }
      return name;
    },

    parseInput(req: WireRequest, model: ServiceModel, operation: Operation): Record<string, unknown> {
      const body = parseBody(req);
      if (!operation.input) return {};
      let input: Record<string, unknown>;
      try {
        input = decodeValue(model, operation.input, body) as Record<string, unknown>;
      } catch (e) {
        if (e instanceof JsonTypeError) throw serializationError(e.message);
        throw e;
      }
      assertValid(model, operation.input, input, rules);
      return input;
    },

    serializeOutput(model: ServiceModel, operation: Operation, output: unknown, meta: ResponseMeta): WireResponse {
      const body = operation.output ? encodeValue(model, operation.output, output ?? {}) : {};
      return respond(200, body ?? {}, meta);
    },

    serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta): WireResponse {
      const headers: Record<string, string> = { ...error.headers, 'x-amzn-ErrorType': error.code };
      if (isQueryCompatible(model)) headers['x-amzn-query-error'] = `${error.code};${error.sender ? 'Sender' : 'Receiver'}`;
      const body: Record<string, string> = { __type: error.code, message: error.message };
      for (const [k, v] of Object.entries(error.fields)) if (k !== '__type') body[k] = v;
      return respond(error.status, body, meta, headers);
    },
  };
}
