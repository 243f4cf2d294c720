import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as cw from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { cbor, tag } from '@smithy/core/cbor';
import { HttpResponse } from '@smithy/core/protocols';
import { AwsError } from '../core/errors.js';
import { route } from '../server/route.js';
import { CATALOG } from '../services/catalog.js';
import { codecFor } from '../services/registry.js';
import { createRpcV2CborCodec } from './cbor.js';
import type { ProtocolCodec, WireRequest, WireResponse } from './codec.js';
import { loadModel, ServiceModel } from './models.js';
import type { RawModel } from './model-types.js';
import { needTool } from '../../test/helpers/tools.js';

const SERVICE = 'GraniteServiceVersion20100801';
const cwModel = loadModel('monitoring-2010-08-01');
const codec = createRpcV2CborCodec({ serviceName: SERVICE });

/** Traits the trimmed aws-sdk models never carry (blobs, iso8601, maps, limits) need a model of their own. */
const testModel = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 't', protocol: 'json', protocols: ['json'], serviceId: 'T', uid: 't-2020-01-01' },
  operations: {
    Op: { input: { shape: 'In' }, output: { shape: 'In' } },
    NoIo: {},
  },
  shapes: {
    In: {
      type: 'structure',
      members: {
        Iso: { type: 'timestamp', timestampFormat: 'iso8601' },
        Epoch: { type: 'timestamp' },
        Data: { type: 'blob' },
        Tags: { type: 'map', key: {}, value: {} },
        Big: { type: 'long' },
        Small: { type: 'integer' },
        Ratio: { type: 'double' },
        Exact: { type: 'bigdecimal' },
        Name: { type: 'string', min: 3, max: 5 },
        Flag: { type: 'boolean' },
        Names: { type: 'list', member: {} },
      },
    },
  },
} as RawModel);
const testCodec = createRpcV2CborCodec({ serviceName: 'TestService' });

const opPath = (op: string, service = SERVICE) => `/service/${service}/operation/${op}`;

function wire(path: string, body: Buffer | Uint8Array = Buffer.alloc(0), extra: Partial<WireRequest> = {}): WireRequest {
  const headers: Record<string, string> = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' };
  return { method: 'POST', path, query: '', headers, body: Buffer.from(body), host: '127.0.0.1', ...extra, ...(extra.headers ? { headers: { ...headers, ...extra.headers } } : {}) };
}

const enc = (v: unknown) => Buffer.from(cbor.serialize(v));
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function parse(c: ProtocolCodec, model: ServiceModel, op: string, body: Buffer | unknown, extra?: Partial<WireRequest>) {
  const bytes = Buffer.isBuffer(body) ? body : enc(body);
  return c.parseInput(wire(opPath(op), bytes, extra), model, model.operation(op)!);
}

function rejects(fn: () => unknown, code: string, message?: RegExp, status = 400): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const bodyOf = (res: WireResponse) => cbor.deserialize(res.body as Buffer) as Record<string, unknown>;

describe('rpcv2Cbor codec: resolveOperation', () => {
  it('takes the operation from /service/{Service}/operation/{Operation}, with or without a prefix', () => {
    assert.equal(codec.resolveOperation(wire(opPath('ListMetrics')), cwModel), 'ListMetrics');
    assert.equal(codec.resolveOperation(wire(`/v1/x${opPath('GetMetricData')}`), cwModel), 'GetMetricData');
    // An absolute shape ID with '#' written as '.' names the same service.
    assert.equal(codec.resolveOperation(wire(opPath('PutMetricData', `com.amazonaws.cloudwatch.${SERVICE}`)), cwModel), 'PutMetricData');
  });

  it('answers 404 UnknownOperationException for paths that name no operation of this service', () => {
    for (const path of ['/', '/service', `/service/${SERVICE}/operation/`, `/service/${SERVICE}/ListMetrics`, `/services/${SERVICE}/operation/ListMetrics`,
      opPath('ListMetrics', 'AmazonEC2ContainerRegistry_V20150921'), opPath('ListMetrics', `x${SERVICE}`), opPath('listMetrics'),
      opPath('NoSuchThing'), opPath('toString'), opPath('com.amazonaws.cloudwatch#ListMetrics'), `${opPath('ListMetrics')}/`]) {
      rejects(() => codec.resolveOperation(wire(path), cwModel), 'UnknownOperationException', undefined, 404);
    }
    rejects(() => codec.resolveOperation(wire(opPath('Nope')), cwModel), 'UnknownOperationException', /Nope/, 404);
  });

  it('answers 400 for a request that is not rpcv2Cbor: not POST, no smithy-protocol header, or an X-Amz-Target', () => {
    rejects(() => codec.resolveOperation(wire(opPath('ListMetrics'), undefined, { method: 'GET' }), cwModel), 'UnknownOperationException', /GET/);
    const noHeader = wire(opPath('ListMetrics'));
    delete noHeader.headers['smithy-protocol'];
    rejects(() => codec.resolveOperation(noHeader, cwModel), 'UnknownOperationException', /smithy-protocol/);
    rejects(() => codec.resolveOperation(wire(opPath('ListMetrics'), undefined, { headers: { 'smithy-protocol': 'rpc-v2-json' } }), cwModel), 'UnknownOperationException');
    rejects(() => codec.resolveOperation(wire(opPath('ListMetrics'), undefined, { headers: { 'x-amz-target': `${SERVICE}.ListMetrics` } }), cwModel),
      'UnknownOperationException', /X-Amz-Target/);
  });
});

describe('rpcv2Cbor codec: parseInput', () => {
  it('reads an empty body as {} and then applies the model constraints', () => {
    assert.deepEqual(parse(codec, cwModel, 'ListMetrics', Buffer.alloc(0)), {});
    assert.deepEqual(parse(codec, cwModel, 'ListMetrics', {}), {});
    rejects(() => parse(codec, cwModel, 'PutMetricData', Buffer.alloc(0)), 'ValidationException', /Value null at 'namespace'/);
    rejects(() => parse(testCodec, testModel, 'Op', { Name: 'ab' }), 'ValidationException', /'name' failed to satisfy constraint/);
    const strict = createRpcV2CborCodec({ serviceName: SERVICE, validationErrorCode: 'InvalidParameterValue' });
    rejects(() => parse(strict, cwModel, 'PutMetricData', {}), 'InvalidParameterValue');
  });

  it('refuses malformed CBOR and bodies that are not a map with SerializationException', () => {
    for (const bytes of [hex('a1 61'), hex('a1 61 61'), hex('ff'), hex('bf 61 61 01'), hex('1c'), hex('fb 00 00')]) {
      rejects(() => parse(codec, cwModel, 'ListMetrics', bytes), 'SerializationException', /not valid CBOR/);
    }
    rejects(() => parse(codec, cwModel, 'ListMetrics', []), 'SerializationException', /must be a CBOR map, not a list/);
    rejects(() => parse(codec, cwModel, 'ListMetrics', 'x'), 'SerializationException', /not a string/);
    rejects(() => parse(codec, cwModel, 'ListMetrics', hex('f6')), 'SerializationException', /not null/);
    rejects(() => parse(codec, cwModel, 'ListMetrics', hex('41 00')), 'SerializationException', /not a byte string/);
    rejects(() => parse(codec, cwModel, 'ListMetrics', tag({ tag: 1, value: 0 })), 'SerializationException', /not a tagged item/);
  });

  it('names the member whose CBOR type is wrong', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['DescribeAlarms', { MaxRecords: '5' }, /^STRING_VALUE can not be converted to an Integer \(member 'MaxRecords'\)$/],
      ['DescribeAlarms', { MaxRecords: 1.5 }, /NUMBER_VALUE 1\.5 can not be converted to an Integer/],
      ['DescribeAlarms', { MaxRecords: 2 ** 31 }, /can not be converted to an Integer/],
      ['DescribeAlarms', { AlarmNames: 'a' }, /STRING_VALUE can not be converted to a List \(member 'AlarmNames'\)/],
      ['DescribeAlarms', { AlarmNames: [7] }, /NUMBER_VALUE can not be converted to a String \(member 'AlarmNames\[0\]'\)/],
      ['DescribeAlarms', { AlarmNames: [Buffer.from('a')] }, /BLOB_VALUE can not be converted to a String/],
      ['PutMetricAlarm', { AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'x', ActionsEnabled: 'true' }, /STRING_VALUE can not be converted to a Boolean \(member 'ActionsEnabled'\)/],
      ['PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: '1' }] }, /STRING_VALUE can not be converted to a Double \(member 'MetricData\[0\]\.Value'\)/],
      // awsJson's string spellings of non-finite floats mean nothing in CBOR, which has the floats themselves.
      ['PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 'NaN' }] }, /STRING_VALUE can not be converted to a Double/],
      ['PutMetricData', { Namespace: 'n', MetricData: { MetricName: 'm' } }, /Start of structure or map found where not expected \(member 'MetricData'\)/],
      ['PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm', Timestamp: 1700000000 }] }, /NUMBER_VALUE can not be converted to a Timestamp \(member 'MetricData\[0\]\.Timestamp'\)/],
      ['PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: tag({ tag: 1, value: 0 }) }] }, /TIMESTAMP_VALUE can not be converted to a String/],
      ['GetMetricData', { MetricDataQueries: [], StartTime: tag({ tag: 1, value: '2023-11-14T22:13:20Z' }), EndTime: tag({ tag: 1, value: 0 }) }, /tag 1\) must hold epoch seconds as a number \(member 'StartTime'\)/],
      ['GetMetricData', { MetricDataQueries: [], StartTime: tag({ tag: 1, value: 1e300 }), EndTime: tag({ tag: 1, value: 0 }) }, /can not be converted to a Timestamp \(member 'StartTime'\)/],
      ['GetMetricData', { MetricDataQueries: [], StartTime: tag({ tag: 0, value: '2023-11-14T22:13:20Z' }), EndTime: tag({ tag: 1, value: 0 }) }, /CBOR tag 0 is not supported \(member 'StartTime'\)/],
    ];
    for (const [op, body, msg] of cases) rejects(() => parse(codec, cwModel, op, body), 'SerializationException', msg);
    rejects(() => parse(testCodec, testModel, 'Op', { Data: 'aGk=' }), 'SerializationException', /STRING_VALUE can not be converted to a Blob \(member 'Data'\)/);
    rejects(() => parse(testCodec, testModel, 'Op', { Tags: { a: 1 } }), 'SerializationException', /String \(member 'Tags\['a'\]'\)/);
    rejects(() => parse(testCodec, testModel, 'Op', { Big: 2n ** 60n }), 'SerializationException', /Long \(member 'Big'\)/);
  });

  it('decodes tag-1 timestamps (integer or float seconds) to Dates, whatever the timestampFormat', () => {
    const input = parse(codec, cwModel, 'GetMetricData', {
      MetricDataQueries: [], StartTime: tag({ tag: 1, value: 1700000000.123 }), EndTime: tag({ tag: 1, value: 1700000060 }),
    });
    assert.deepEqual(input, { MetricDataQueries: [], StartTime: new Date(1700000000123), EndTime: new Date(1700000060000) });
    assert.deepEqual(parse(testCodec, testModel, 'Op', { Iso: tag({ tag: 1, value: -1.5 }), Epoch: tag({ tag: 1, value: 0 }) }),
      { Iso: new Date(-1500), Epoch: new Date(0) });
    // A single-precision float inside the tag works as well (1.7e9 is exact as a float32).
    const single = Buffer.alloc(4);
    single.writeFloatBE(1.7e9);
    assert.deepEqual(parse(testCodec, testModel, 'Op', Buffer.concat([hex('a1 65 45706f6368 c1 fa'), single])), { Epoch: new Date(1.7e12) });
  });

  it('decodes byte strings, maps, bignums, decimal fractions and every float width', () => {
    const input = parse(testCodec, testModel, 'Op', {
      Data: Buffer.from('hello\0world'), Tags: { a: '1', b: '2' }, Big: 2 ** 40, Small: -7, Ratio: NaN, Flag: false,
    });
    assert.deepEqual(input.Data, Buffer.from('hello\0world'));
    assert.ok(Buffer.isBuffer(input.Data));
    assert.deepEqual(input.Tags, { a: '1', b: '2' });
    assert.equal(input.Big, 2 ** 40);
    assert.equal(input.Small, -7);
    assert.ok(Number.isNaN(input.Ratio));
    assert.equal(input.Flag, false);
    // Exact floats may come as integers; half, single and double floats all decode, Infinity too.
    assert.equal(parse(testCodec, testModel, 'Op', { Ratio: 12 }).Ratio, 12);
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 65 526174696f f9 3e00')).Ratio, 1.5);
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 65 526174696f f9 fc00')).Ratio, -Infinity);
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 65 526174696f fa 3fc00000')).Ratio, 1.5);
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 65 526174696f fb 3ff8000000000000')).Ratio, 1.5);
    // Tag 4 decimal fraction [-2, 12345] = 123.45; tag 2 bignum 2^40 for a long.
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 65 4578616374 c4 82 21 19 3039')).Exact, 123.45);
    assert.equal(parse(testCodec, testModel, 'Op', hex('a1 63 426967 c2 46 010000000000')).Big, 2 ** 40);
  });

  it('reads indefinite-length maps, lists, strings and byte strings', () => {
    // {_ "Names": [_ "ab", (_ "c" "d")], "Data": (_ h'01' h'02'), "Flag": true }
    const bytes = hex('bf 65 4e616d6573 9f 62 6162 7f 61 63 61 64 ff ff 64 44617461 5f 41 01 41 02 ff 64 466c6167 f5 ff');
    assert.deepEqual(parse(testCodec, testModel, 'Op', bytes), { Names: ['ab', 'cd'], Data: Buffer.from([1, 2]), Flag: true });
  });

  it('treats null and undefined as absent and ignores unknown members', () => {
    assert.deepEqual(parse(codec, cwModel, 'DescribeAlarms', { bogus: 1, __type: 'x', MaxRecords: 5, NextToken: null, AlarmNames: ['a', null] }),
      { MaxRecords: 5, AlarmNames: ['a'] });
    // {"MaxRecords": undefined(f7), "AlarmPrefix": "p"}
    assert.deepEqual(parse(codec, cwModel, 'DescribeAlarms', hex('a2 6a 4d61785265636f726473 f7 6f 416c61726d4e616d65507265666978 61 70')), { AlarmNamePrefix: 'p' });
  });

  it("refuses a map key '__proto__' rather than losing it", () => {
    // {"Tags": {"__proto__": {"x": 1}}}
    rejects(() => parse(testCodec, testModel, 'Op', hex('a1 64 54616773 a1 69 5f5f70726f746f5f5f a1 61 78 01')), 'SerializationException', /__proto__.*'Tags'/);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('inflates gzip bodies (PutMetricData is sent compressed)', () => {
    const body = gzipSync(enc({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 2 }] }));
    const req = wire(opPath('PutMetricData'), body, { headers: { 'content-encoding': 'gzip' } });
    assert.deepEqual(codec.parseInput(req, cwModel, cwModel.operation('PutMetricData')!), { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 2 }] });
    req.body = Buffer.concat([body.subarray(0, 10), Buffer.from('garbage')]);
    rejects(() => codec.parseInput(req, cwModel, cwModel.operation('PutMetricData')!), 'SerializationException', /decompressed/);
  });

  it('returns {} for an operation without input', () => {
    assert.deepEqual(parse(testCodec, testModel, 'NoIo', { x: 1 }), {});
  });
});

describe('rpcv2Cbor codec: serializeOutput', () => {
  it('writes a CBOR map with tag-1 timestamps and the rpcv2Cbor headers', () => {
    const res = codec.serializeOutput(cwModel, cwModel.operation('GetMetricData')!, {
      MetricDataResults: [{ Id: 'm1', Timestamps: [new Date(1700000000123), new Date(1700000060000)], Values: [1.5, 42], StatusCode: 'Complete', extra: 'x' }],
      NextToken: null,
    }, { requestId: 'rid-1' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers, { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', 'x-amzn-requestid': 'rid-1' });
    const body = bodyOf(res);
    assert.deepEqual(body, {
      MetricDataResults: [{
        Id: 'm1', StatusCode: 'Complete', Values: [1.5, 42],
        Timestamps: [tag({ tag: 1, value: 1700000000.123 }), tag({ tag: 1, value: 1700000060 })],
      }],
    });
    // c1 = tag 1; fb = a double for the fractional second.
    assert.ok((res.body as Buffer).includes(hex('c1 fb')));
  });

  it('writes blobs as byte strings and ignores timestampFormat', () => {
    const res = testCodec.serializeOutput(testModel, testModel.operation('Op')!, {
      Data: Buffer.from([0, 1, 255]), Iso: new Date(1700000000500), Tags: new Map([['k', 'v']]), Ratio: Infinity, Big: 10n, Flag: false,
    }, { requestId: 'x' });
    const body = bodyOf(res);
    assert.deepEqual(body.Data, Buffer.from([0, 1, 255]));
    assert.deepEqual(body.Iso, tag({ tag: 1, value: 1700000000.5 }));
    assert.deepEqual({ ...body, Data: undefined, Iso: undefined }, { Data: undefined, Iso: undefined, Tags: { k: 'v' }, Ratio: Infinity, Big: 10, Flag: false });
    assert.deepEqual(bodyOf(testCodec.serializeOutput(testModel, testModel.operation('Op')!, { Data: 'hi' }, { requestId: 'x' })), { Data: Buffer.from('hi') });
    assert.throws(() => testCodec.serializeOutput(testModel, testModel.operation('Op')!, { Epoch: 'never' }, { requestId: 'x' }), /Epoch/);
  });

  it('writes an empty map for an empty output and no body at all for an operation without output', () => {
    assert.deepEqual(bodyOf(codec.serializeOutput(cwModel, cwModel.operation('ListMetrics')!, undefined, { requestId: 'x' })), {});
    const none = codec.serializeOutput(cwModel, cwModel.operation('PutMetricData')!, { ignored: 1 }, { requestId: 'x' });
    assert.equal(none.status, 200);
    assert.equal((none.body as Buffer).length, 0);
    assert.deepEqual(none.headers, { 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': 'x' });
  });
});

describe('rpcv2Cbor codec: serializeError', () => {
  it('writes __type, message and extra fields, and the query error header for CloudWatch', () => {
    const err = new AwsError('ResourceNotFound', 'Alarm nope not found', 404, { fields: { AlarmName: 'nope', __type: 'spoof' }, headers: { 'Retry-After': '1' } });
    const res = codec.serializeError(cwModel, err, { requestId: 'rid-9' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.headers, {
      'Retry-After': '1', 'x-amzn-query-error': 'ResourceNotFound;Sender',
      'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', 'x-amzn-requestid': 'rid-9',
    });
    assert.deepEqual(bodyOf(res), { __type: 'ResourceNotFound', message: 'Alarm nope not found', AlarmName: 'nope' });
    assert.equal(codec.serializeError(cwModel, new AwsError('InternalFailure', 'boom', 500), { requestId: 'r' }).headers['x-amzn-query-error'], 'InternalFailure;Receiver');
  });

  it('leaves the query error header out for a service that never spoke awsQuery', () => {
    const res = testCodec.serializeError(testModel, new AwsError('ValidationException', 'bad'), { requestId: 'r' });
    assert.equal(res.headers['x-amzn-query-error'], undefined);
    assert.deepEqual(bodyOf(res), { __type: 'ValidationException', message: 'bad' });
  });
});

describe('rpcv2Cbor: routing and the service registry', () => {
  const auth = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });
  const req = (headers: Record<string, string>, path = opPath('ListMetrics')): WireRequest => ({ method: 'POST', path, query: '', headers, body: Buffer.alloc(0), host: '127.0.0.1' });
  const cborHeader = { 'smithy-protocol': 'rpc-v2-cbor' };

  it('sends smithy-protocol: rpc-v2-cbor to the CBOR face of the signing service, or of the service the path names', () => {
    const signed = route(req({ ...auth('monitoring'), ...cborHeader }), CATALOG);
    assert.equal(signed?.entry.name, 'cloudwatch');
    assert.equal(signed?.cbor, true);
    assert.equal(signed?.json, false);
    const unsigned = route(req(cborHeader, opPath('ListMetrics', `com.amazonaws.cloudwatch.${SERVICE}`)), CATALOG);
    assert.equal(unsigned?.entry.name, 'cloudwatch');
    assert.equal(unsigned?.cbor, true);
    // The same request without the header is an awsQuery / JSON one, as before.
    assert.equal(route(req(auth('monitoring')), CATALOG)?.cbor, undefined);
    assert.equal(route(req({ ...auth('monitoring'), 'x-amz-target': `${SERVICE}.ListMetrics` }), CATALOG)?.json, true);
    // A service without a CBOR face keeps its own protocol (and its codec refuses the request).
    const ecr = route(req({ ...auth('ecr'), ...cborHeader }), CATALOG);
    assert.equal(ecr?.entry.name, 'ecr');
    assert.equal(ecr?.cbor, undefined);
  });

  it('gives CloudWatch a CBOR codec and no other service one', () => {
    for (const entry of CATALOG) {
      const model = entry.name === 'cloudwatch' ? cwModel : new ServiceModel({ metadata: { protocol: entry.protocol, jsonVersion: '1.1' } as RawModel['metadata'], operations: {}, shapes: {} });
      const codecs = codecFor(entry, model);
      assert.equal(codecs.cborCodec?.protocol, entry.name === 'cloudwatch' ? 'rpc-v2-cbor' : undefined, entry.name);
    }
  });
});

// ---- the AWS SDK v3's own rpcv2Cbor protocol (the CloudWatch client speaks JSON 1.0 unless told) ----

type Respond = (operation: string, input: Record<string, unknown>) => unknown;

function cwClient(respond: Respond = () => ({})) {
  const seen: Array<{ operation: string; input: Record<string, unknown>; wire: WireRequest }> = [];
  let n = 0;
  const requestHandler = {
    handle: async (request: { method: string; path: string; headers: Record<string, string>; body?: unknown; hostname: string }) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      const b = request.body as Uint8Array | string | undefined;
      const body = b == null ? Buffer.alloc(0) : typeof b === 'string' ? Buffer.from(b) : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      const w: WireRequest = { method: request.method, path: request.path, query: '', headers, body, host: request.hostname };
      const meta = { requestId: `req-${++n}` };
      let res: WireResponse;
      try {
        const operation = codec.resolveOperation(w, cwModel);
        const input = codec.parseInput(w, cwModel, cwModel.operation(operation)!);
        seen.push({ operation, input, wire: w });
        res = codec.serializeOutput(cwModel, cwModel.operation(operation)!, await respond(operation, input), meta);
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        res = codec.serializeError(cwModel, e, meta);
      }
      return { response: new HttpResponse({ statusCode: res.status, headers: res.headers, body: Readable.from([res.body as Buffer]) }) };
    },
  };
  const client = new cw.CloudWatchClient({
    region: 'us-east-1', endpoint: 'http://127.0.0.1:1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    protocol: AwsSmithyRpcV2CborProtocol, requestHandler,
  } as cw.CloudWatchClientConfig);
  return { client, seen };
}

const strip = <T extends { $metadata?: unknown }>(out: T) => {
  const { $metadata: _m, ...rest } = out;
  return rest;
};

const putMetricData: cw.PutMetricDataCommandInput = {
  Namespace: 'App/Web',
  MetricData: [
    { MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }, { Name: 'Stage', Value: 'prod' }], Timestamp: new Date(1700000000123), Value: 12.5, Unit: 'Milliseconds', StorageResolution: 1 },
    { MetricName: 'Requests', Timestamp: new Date(1700000060000), Values: [1, 2.25, 3], Counts: [10, 1, 2], StorageResolution: 60 },
    { MetricName: 'Sizes', StatisticValues: { SampleCount: 3, Sum: 30, Minimum: 5, Maximum: 15 }, Unit: 'Bytes' },
  ],
};

describe('rpcv2Cbor codec: @aws-sdk/client-cloudwatch over AwsSmithyRpcV2CborProtocol', () => {
  const cases: Array<[string, { new (input: any): any }, Record<string, unknown>]> = [
    ['PutMetricData', cw.PutMetricDataCommand, { ...putMetricData }],
    ['GetMetricData', cw.GetMetricDataCommand, {
      MetricDataQueries: [
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 60, Stat: 'Average', Unit: 'Milliseconds' }, ReturnData: false },
        { Id: 'e1', Expression: 'm1 * 2', Label: 'double', Period: 60 },
      ],
      StartTime: new Date(1700000000000), EndTime: new Date(1700003600500), ScanBy: 'TimestampDescending', MaxDatapoints: 100,
      LabelOptions: { Timezone: '+0130' },
    }],
    ['PutMetricAlarm', cw.PutMetricAlarmCommand, {
      AlarmName: 'high-latency', ActionsEnabled: true, AlarmActions: ['arn:aws:sns:us-east-1:000000000000:t'], OKActions: [],
      MetricName: 'Latency', Namespace: 'App/Web', ExtendedStatistic: 'p99', Dimensions: [{ Name: 'Host', Value: 'a' }], Period: 60,
      EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 250.75, ComparisonOperator: 'GreaterThanThreshold', Tags: [{ Key: 'team', Value: 'web' }],
    }],
    ['ListMetrics', cw.ListMetricsCommand, {}],
  ];
  for (const [op, Command, input] of cases) {
    it(`parses ${op} exactly as the client sent it`, async () => {
      const { client, seen } = cwClient();
      await client.send(new Command(input));
      assert.equal(seen[0]!.operation, op);
      assert.equal(seen[0]!.wire.path, opPath(op));
      assert.equal(seen[0]!.wire.headers['smithy-protocol'], 'rpc-v2-cbor');
      assert.deepStrictEqual(seen[0]!.input, input);
    });
  }

  it('reads GetMetricData and DescribeAlarms answers back', async () => {
    const outputs: Record<string, Record<string, unknown>> = {
      GetMetricData: {
        MetricDataResults: [
          { Id: 'm1', Label: 'Latency', Timestamps: [new Date(1700000060000), new Date(1700000000123)], Values: [1.5, 42], StatusCode: 'Complete' },
          { Id: 'e1', Timestamps: [], Values: [], StatusCode: 'PartialData', Messages: [{ Code: 'MaxDatapoints', Value: 'capped' }] },
        ],
        Messages: [],
      },
      DescribeAlarms: {
        MetricAlarms: [{
          AlarmName: 'high-latency', AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-latency', ActionsEnabled: true,
          AlarmActions: ['arn:aws:sns:us-east-1:000000000000:t'], StateValue: 'ALARM', StateUpdatedTimestamp: new Date(1700000000500),
          MetricName: 'Latency', Namespace: 'App/Web', Statistic: 'Average', Dimensions: [{ Name: 'Host', Value: 'a' }], Period: 60,
          EvaluationPeriods: 3, Threshold: 250.75, ComparisonOperator: 'GreaterThanThreshold',
        }],
        CompositeAlarms: [],
      },
    };
    const { client } = cwClient((op) => outputs[op]);
    assert.deepStrictEqual(strip(await client.send(new cw.GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(1) }))), outputs.GetMetricData);
    const alarms = await client.send(new cw.DescribeAlarmsCommand({}));
    assert.deepStrictEqual(strip(alarms), outputs.DescribeAlarms);
    assert.equal(alarms.$metadata.requestId, 'req-2');
  });

  it('reads ResourceNotFound as the modeled exception (query-compatible code)', async () => {
    const { client } = cwClient(() => {
      throw new AwsError('ResourceNotFound', 'Alarm nope not found', 404);
    });
    const err = await client.send(new cw.DescribeAlarmHistoryCommand({ AlarmName: 'nope' })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof cw.ResourceNotFound, String(err));
    assert.equal(err.message, 'Alarm nope not found');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.$fault, 'client');
    assert.equal((err as unknown as { Error: { Code: string; Type: string } }).Error.Code, 'ResourceNotFound');
  });
});

// ---- botocore builds the request and reads our answer; nothing is sent ----
// botocore speaks rpcv2Cbor since 1.40 but picks the first protocol of its own priority list
// (json, rest-json, rest-xml, smithy-rpc-v2-cbor, query, ec2) that the model offers, so for
// CloudWatch (['smithy-rpc-v2-cbor', 'json', 'query']) it chooses JSON 1.0. The script puts
// CBOR first, as an SDK that prefers it does.

const BOTOCORE_SCRIPT = String.raw`
import base64, json, sys
from datetime import timezone
import botocore.model
botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ('smithy-rpc-v2-cbor',) + tuple(
    p for p in botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS if p != 'smithy-rpc-v2-cbor')
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

job = json.load(sys.stdin)
captured = {}

class Raw:
    def __init__(self, body): self.body = body
    def stream(self, **kw):
        yield self.body

def before_send(request, **kw):
    captured['method'] = request.method
    captured['url'] = request.url
    captured['headers'] = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    body = request.body or b''
    if isinstance(body, str): body = body.encode()
    captured['body'] = base64.b64encode(body).decode()
    res = job['response']
    return AWSResponse(request.url, res['status'], res['headers'], Raw(base64.b64decode(res['body'])))

session = botocore.session.get_session()
client = session.create_client('cloudwatch', region_name='us-east-1', endpoint_url='http://127.0.0.1:1',
    aws_access_key_id='test', aws_secret_access_key='test', config=Config(**job.get('config', {})))
client.meta.events.register('before-send.cloudwatch', before_send)
captured['protocol'] = client.meta.service_model.resolved_protocol
op = job['operation']
method = {v: k for k, v in client.meta.method_to_api_mapping.items()}[op]
try:
    parsed = getattr(client, method)(**job['params'])
    parsed.pop('ResponseMetadata', None)
    result = {'ok': parsed}
except client.exceptions.ClientError as e:
    result = {'error': e.response['Error'], 'exception': type(e).__name__, 'requestId': e.response['ResponseMetadata'].get('RequestId'),
              'status': e.response['ResponseMetadata'].get('HTTPStatusCode')}
print(json.dumps({'request': captured, 'result': result}, default=lambda d: d.astimezone(timezone.utc).isoformat()))
`;

interface BotocoreRun {
  protocol: string;
  wire: WireRequest;
  result: { ok?: Record<string, any>; error?: Record<string, string>; exception?: string; requestId?: string; status?: number };
}

function viaBotocore(operation: string, params: Record<string, unknown>, response: WireResponse, config: Record<string, unknown> = {}): BotocoreRun {
  const job = {
    operation, params, config,
    response: { status: response.status, headers: response.headers, body: (response.body as Buffer).toString('base64') },
  };
  const run = spawnSync('python3', ['-c', BOTOCORE_SCRIPT], { input: JSON.stringify(job), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { request: { protocol: string; method: string; url: string; headers: Record<string, string>; body: string }; result: BotocoreRun['result'] };
  const url = new URL(out.request.url);
  const w: WireRequest = { method: out.request.method, path: url.pathname, query: url.search.slice(1), headers: out.request.headers, body: Buffer.from(out.request.body, 'base64'), host: url.hostname };
  return { protocol: out.request.protocol, wire: w, result: out.result };
}

const emptyAnswer = (op: string) => codec.serializeOutput(cwModel, cwModel.operation(op)!, {}, { requestId: 'b-0' });

describe('rpcv2Cbor codec: botocore', () => {
  const skip = needTool('botocore');

  it('parses the CloudWatch requests botocore builds', { skip }, () => {
    const t0 = '2023-11-14T22:13:20Z';
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ['PutMetricData', {
        Namespace: 'App/Web',
        MetricData: [
          { MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }, { Name: 'Stage', Value: 'prod' }], Timestamp: t0, Value: 12.5, Unit: 'Milliseconds', StorageResolution: 1 },
          { MetricName: 'Requests', Timestamp: '2023-11-14T22:14:20Z', Values: [1, 2.25, 3], Counts: [10, 1, 2] },
          { MetricName: 'Sizes', StatisticValues: { SampleCount: 3, Sum: 30, Minimum: 5, Maximum: 15 }, Unit: 'Bytes' },
        ],
      }, {
        Namespace: 'App/Web',
        MetricData: [
          { MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }, { Name: 'Stage', Value: 'prod' }], Timestamp: new Date(1700000000000), Value: 12.5, Unit: 'Milliseconds', StorageResolution: 1 },
          { MetricName: 'Requests', Timestamp: new Date(1700000060000), Values: [1, 2.25, 3], Counts: [10, 1, 2] },
          { MetricName: 'Sizes', StatisticValues: { SampleCount: 3, Sum: 30, Minimum: 5, Maximum: 15 }, Unit: 'Bytes' },
        ],
      }],
      ['GetMetricData', {
        MetricDataQueries: [
          { Id: 'm1', MetricStat: { Metric: { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 60, Stat: 'p99' }, ReturnData: true },
          { Id: 'e1', Expression: 'm1 * 2', Label: 'double' },
        ],
        StartTime: t0, EndTime: '2023-11-14T23:13:20Z', ScanBy: 'TimestampAscending', MaxDatapoints: 500,
      }, {
        MetricDataQueries: [
          { Id: 'm1', MetricStat: { Metric: { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 60, Stat: 'p99' }, ReturnData: true },
          { Id: 'e1', Expression: 'm1 * 2', Label: 'double' },
        ],
        StartTime: new Date(1700000000000), EndTime: new Date(1700003600000), ScanBy: 'TimestampAscending', MaxDatapoints: 500,
      }],
      ['PutMetricAlarm', {
        AlarmName: 'high-latency', AlarmDescription: 'p99 too high', ActionsEnabled: false, AlarmActions: ['arn:aws:sns:us-east-1:000000000000:t'],
        MetricName: 'Latency', Namespace: 'App/Web', Statistic: 'Maximum', Dimensions: [{ Name: 'Host', Value: 'a' }], Period: 60, Unit: 'Milliseconds',
        EvaluationPeriods: 3, Threshold: 250.75, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'breaching',
        Tags: [{ Key: 'team', Value: 'web' }],
      }, {}],
      ['ListMetrics', { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: [{ Name: 'Host', Value: 'a' }, { Name: 'Stage' }], RecentlyActive: 'PT3H' }, {}],
      ['ListMetrics', {}, {}],
    ];
    for (const [op, params, expected] of cases) {
      const { protocol, wire: w } = viaBotocore(op, params, emptyAnswer(op));
      assert.equal(protocol, 'smithy-rpc-v2-cbor');
      assert.equal(w.headers['smithy-protocol'], 'rpc-v2-cbor');
      assert.equal(route(w, CATALOG)?.cbor, true, `${op} routes to CBOR`);
      assert.equal(codec.resolveOperation(w, cwModel), op);
      assert.deepStrictEqual(codec.parseInput(w, cwModel, cwModel.operation(op)!), Object.keys(expected).length ? expected : params, op);
    }
  });

  it('parses a gzip-compressed PutMetricData from botocore', { skip }, () => {
    const params = { Namespace: 'n', MetricData: Array.from({ length: 50 }, (_, i) => ({ MetricName: `m${i}`, Value: i + 0.5 })) };
    const { wire: w } = viaBotocore('PutMetricData', params, emptyAnswer('PutMetricData'), { request_min_compression_size_bytes: 1 });
    assert.equal(w.headers['content-encoding'], 'gzip');
    assert.deepStrictEqual(codec.parseInput(w, cwModel, cwModel.operation('PutMetricData')!), params);
  });

  it('botocore reads our GetMetricData and DescribeAlarms answers', { skip }, () => {
    const metricData = {
      MetricDataResults: [
        { Id: 'm1', Label: 'Latency', Timestamps: [new Date(1700000060000), new Date(1700000000123)], Values: [1.5, 42.25], StatusCode: 'Complete' },
        { Id: 'e1', Timestamps: [], Values: [], StatusCode: 'PartialData', Messages: [{ Code: 'MaxDatapoints', Value: 'capped' }] },
      ],
      NextToken: 'tok',
    };
    const got = viaBotocore('GetMetricData', { MetricDataQueries: [], StartTime: '2023-11-14T22:13:20Z', EndTime: '2023-11-14T23:13:20Z' },
      codec.serializeOutput(cwModel, cwModel.operation('GetMetricData')!, metricData, { requestId: 'b-1' }));
    assert.deepStrictEqual(got.result.ok, {
      MetricDataResults: [
        { Id: 'm1', Label: 'Latency', Timestamps: ['2023-11-14T22:14:20+00:00', '2023-11-14T22:13:20.123000+00:00'], Values: [1.5, 42.25], StatusCode: 'Complete' },
        { Id: 'e1', Timestamps: [], Values: [], StatusCode: 'PartialData', Messages: [{ Code: 'MaxDatapoints', Value: 'capped' }] },
      ],
      NextToken: 'tok',
    });

    const alarms = {
      MetricAlarms: [{
        AlarmName: 'high-latency', AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-latency', ActionsEnabled: true,
        OKActions: [], AlarmActions: ['arn:aws:sns:us-east-1:000000000000:t'], StateValue: 'ALARM', StateReason: 'Threshold Crossed',
        StateUpdatedTimestamp: new Date(1700000000500), MetricName: 'Latency', Namespace: 'App/Web', Statistic: 'Average',
        Dimensions: [{ Name: 'Host', Value: 'a' }], Period: 60, EvaluationPeriods: 3, Threshold: 250.75, ComparisonOperator: 'GreaterThanThreshold',
      }],
      CompositeAlarms: [],
    };
    const described = viaBotocore('DescribeAlarms', {}, codec.serializeOutput(cwModel, cwModel.operation('DescribeAlarms')!, alarms, { requestId: 'b-2' }));
    assert.deepStrictEqual(described.result.ok, {
      MetricAlarms: [{ ...alarms.MetricAlarms[0], StateUpdatedTimestamp: '2023-11-14T22:13:20.500000+00:00' }],
      CompositeAlarms: [],
    });
  });

  it('botocore reads our errors: the modeled ResourceNotFound, and NotImplemented', { skip }, () => {
    const failed = viaBotocore('DescribeAlarmHistory', { AlarmName: 'nope' },
      codec.serializeError(cwModel, new AwsError('ResourceNotFound', 'Alarm nope not found', 404), { requestId: 'b-3' }));
    assert.equal(failed.result.exception, 'ResourceNotFound');
    assert.equal(failed.result.error?.Code, 'ResourceNotFound');
    assert.equal(failed.result.error?.Message, 'Alarm nope not found');
    assert.equal(failed.result.error?.Type, 'Sender');
    assert.equal(failed.result.requestId, 'b-3');
    assert.equal(failed.result.status, 404);
    const unimplemented = viaBotocore('ListMetrics', {},
      codec.serializeError(cwModel, new AwsError('NotImplemented', 'cloudlet does not implement cloudwatch:ListMetrics yet', 501), { requestId: 'b-4' }));
    assert.equal(unimplemented.result.error?.Code, 'NotImplemented');
    assert.equal(unimplemented.result.error?.Message, 'cloudlet does not implement cloudwatch:ListMetrics yet');
    assert.equal(unimplemented.result.error?.Type, 'Receiver');
    assert.equal(unimplemented.result.status, 501);
  });
});
