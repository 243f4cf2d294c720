import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { cbor, tag } from '@smithy/core/cbor';
import { AwsError } from '../core/errors.js';
import { route } from '../server/route.js';
import { CATALOG } from '../services/catalog.js';
import { codecFor } from '../services/registry.js';
import { createRpcV2CborCodec } from './cbor.js';
import type { ProtocolCodec, WireRequest, WireResponse } from './codec.js';
import { loadModel, ServiceModel } from './models.js';
import type { RawModel } from './model-types.js';

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

  it('gives CloudWatch and Compute Optimizer a CBOR codec and no other service one', () => {
    const withCbor = new Set(['cloudwatch', 'compute-optimizer']);
    for (const entry of CATALOG) {
      const model = entry.name === 'cloudwatch' ? cwModel : new ServiceModel({ metadata: { protocol: entry.protocol, jsonVersion: '1.1' } as RawModel['metadata'], operations: {}, shapes: {} });
      const codecs = codecFor(entry, model);
      assert.equal(codecs.cborCodec?.protocol, withCbor.has(entry.name) ? 'rpc-v2-cbor' : undefined, entry.name);
    }
  });
});
