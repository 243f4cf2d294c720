import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, ResponseMeta, WireRequest, WireResponse } from './codec.js';
import type { ServiceModel } from './models.js';
import type { Operation } from './model-types.js';
import { assertValid, validationMessage } from './validate.js';
import { decodeQueryInput, parseForm, type BadValue, type QueryParams } from './query-decode.js';
import { renderXml, type XmlElement } from './xml.js';
import { escapeXml } from './xml-text.js';
import { mergeAttrs, openTag, structureParts, writeElement, XML_DECLARATION } from './xml-write.js';

/**
 * The AWS `query` protocol (IAM, STS, SNS, AutoScaling, ELBv2, CloudWatch) and its `ec2`
 * variant. Both read form parameters and answer XML; they differ only in the settings below.
 */
interface QuerySettings {
  protocol: 'query' | 'ec2';
  ec2: boolean;
  /** validate.ts reports broken constraints with this code (EC2: the first missing member). */
  missingParameterCode: 'ValidationError' | 'MissingParameter';
  /** Check the model's min/max/pattern/enum too, not only required members. */
  constraints: boolean;
  missingAction(): AwsError;
  unknownAction(action: string, version: string): AwsError;
  badValue(bad: BadValue): AwsError;
  successBody(model: ServiceModel, operation: Operation, output: unknown, meta: ResponseMeta): string;
  errorBody(model: ServiceModel, error: AwsError, meta: ResponseMeta): string;
}

const clip = (s: string) => (s.length > 256 ? `${s.slice(0, 256)}...` : s);

const QUERY_EXPECTED: Record<string, string> = {
  integer: 'Member must be an integer',
  long: 'Member must be an integer',
  short: 'Member must be an integer',
  byte: 'Member must be an integer',
  biginteger: 'Member must be an integer',
  boolean: 'Member must be a boolean (true or false)',
  timestamp: 'Member must be a timestamp (ISO-8601 or epoch seconds)',
  blob: 'Member must be base64-encoded',
  float: 'Member must be a number',
  double: 'Member must be a number',
  bigdecimal: 'Member must be a number',
};

const EC2_EXPECTED: Record<string, string> = {
  integer: 'Integer', long: 'Long', short: 'Integer', byte: 'Integer', biginteger: 'Integer',
  float: 'Float', double: 'Double', bigdecimal: 'Double',
  boolean: 'Boolean', timestamp: 'Timestamp', blob: 'Base64',
};

const operationName = (op: Operation) => op.name ?? 'Unknown';

const query: QuerySettings = {
  protocol: 'query',
  ec2: false,
  missingParameterCode: 'ValidationError',
  constraints: true,
  missingAction: () => new AwsError('MissingAction', 'Missing Action'),
  unknownAction: (action, version) => new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`),
  badValue: ({ modelPath, raw, type }) =>
    new AwsError('ValidationError', validationMessage([
      { path: modelPath, member: modelPath, value: raw, constraint: QUERY_EXPECTED[type] ?? `Member must be of type ${type}` },
    ])),
  successBody(model, op, output, meta) {
    const name = operationName(op);
    // An operation without an output shape answers with ResponseMetadata alone.
    const result = op.output ? writeElement(model, model.resolve(op.output), output ?? {}, op.output.resultWrapper ?? `${name}Result`, {}) : '';
    const root = openTag(`${name}Response`, model.xmlNamespace !== undefined ? [['xmlns', model.xmlNamespace]] : []);
    return `${root}${result}<ResponseMetadata><RequestId>${escapeXml(meta.requestId)}</RequestId></ResponseMetadata></${name}Response>`;
  },
  errorBody(model, error, meta) {
    const detail: XmlElement = { Type: error.sender ? 'Sender' : 'Receiver', Code: error.code, Message: error.message };
    for (const [k, v] of Object.entries(error.fields)) if (!(k in detail)) detail[k] = v;
    return renderXml('ErrorResponse', { Error: detail, RequestId: meta.requestId }, { namespace: model.xmlNamespace });
  },
};

/** EC2 documents its namespace without the trailing slash its responses carry. */
const ec2Namespace = (model: ServiceModel) => {
  const ns = model.xmlNamespace;
  return ns === undefined || ns.endsWith('/') ? ns : `${ns}/`;
};

const ec2: QuerySettings = {
  protocol: 'ec2',
  ec2: true,
  missingParameterCode: 'MissingParameter',
  // EC2 validates values in its own handlers (InvalidParameterValue), not by the model's traits.
  constraints: false,
  missingAction: () => new AwsError('MissingAction', 'The request must contain the parameter Action'),
  unknownAction: (action) => new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`),
  badValue: ({ wirePath, raw, type }) =>
    new AwsError('InvalidParameterValue', `Value (${clip(raw)}) for parameter ${wirePath} is invalid. Expected: '${EC2_EXPECTED[type] ?? type}'.`),
  successBody(model, op, output, meta) {
    const shape = op.output ? model.resolve(op.output) : undefined;
    const body = shape?.type === 'structure' ? structureParts(model, shape, output ?? {}, { ec2: true }) : { attrs: [], content: '' };
    const ns = ec2Namespace(model);
    const name = `${operationName(op)}Response`;
    const root = openTag(name, mergeAttrs(ns !== undefined ? [['xmlns', ns]] : [], body.attrs));
    return `${XML_DECLARATION}${root}<requestId>${escapeXml(meta.requestId)}</requestId>${body.content}</${name}>`;
  },
  errorBody(_model, error, meta) {
    const detail: XmlElement = { Code: error.code, Message: error.message };
    for (const [k, v] of Object.entries(error.fields)) if (!(k in detail)) detail[k] = v;
    return renderXml('Response', { Errors: { Error: detail }, RequestID: meta.requestId }, { declaration: true });
  },
};

/** resolveOperation and parseInput both need the parameters; decode them once per request. */
const paramCache = new WeakMap<WireRequest, QueryParams>();

function requestParams(req: WireRequest): QueryParams {
  const hit = paramCache.get(req);
  if (hit) return hit;
  const params = parseForm(req.query);
  const type = req.headers['content-type'];
  // The body carries the form only when it says so (or says nothing); it wins over the URL.
  if (req.body.length > 0 && (type === undefined || /^\s*application\/x-www-form-urlencoded\b/i.test(type))) {
    parseForm(req.body.toString('utf8'), params);
  }
  paramCache.set(req, params);
  return params;
}

function xmlResponse(status: number, body: string, meta: ResponseMeta, extra: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { ...extra, 'content-type': 'text/xml', 'x-amzn-RequestId': meta.requestId },
    body: Buffer.from(body, 'utf8'),
  };
}

function makeCodec(s: QuerySettings): ProtocolCodec {
  return {
    protocol: s.protocol,
    resolveOperation(req: WireRequest, model: ServiceModel): string {
      const params = requestParams(req);
      const action = params.get('Action');
      if (!action) throw s.missingAction();
      if (!model.operation(action)) throw s.unknownAction(action, params.get('Version') || model.metadata.apiVersion);
      return action;
    },
    parseInput(req: WireRequest, model: ServiceModel, operation: Operation): Record<string, unknown> {
      const input = decodeQueryInput(model, operation.input, requestParams(req), { ec2: s.ec2, badValue: s.badValue });
      assertValid(model, operation.input, input, { code: s.missingParameterCode, constraints: s.constraints });
      return input;
    },
    serializeOutput(model: ServiceModel, operation: Operation, output: unknown, meta: ResponseMeta): WireResponse {
      return xmlResponse(200, s.successBody(model, operation, output, meta), meta);
    },
    serializeError(model: ServiceModel, error: AwsError, meta: ResponseMeta): WireResponse {
      return xmlResponse(error.status, s.errorBody(model, error, meta), meta, error.headers);
    },
  };
}

/** The query protocol with AWS's validation layer (IAM, STS, ...). */
export const queryCodec: ProtocolCodec = makeCodec(query);
/** The query protocol checking required members only, for services that validate values their own way. */
export const queryCodecRequiredOnly: ProtocolCodec = makeCodec({ ...query, constraints: false });
export const ec2Codec: ProtocolCodec = makeCodec(ec2);
