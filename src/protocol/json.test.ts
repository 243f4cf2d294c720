import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as ecr from '@aws-sdk/client-ecr';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, WireRequest, WireResponse } from './codec.js';
import { CATALOG } from '../services/catalog.js';
import { codecFor } from '../services/registry.js';
import { createJsonCodec } from './json.js';
import { loadModel, ServiceModel } from './models.js';
import type { RawModel } from './model-types.js';

const ECR_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
const CW_PREFIX = 'GraniteServiceVersion20100801';
const ecrModel = loadModel('ecr-2015-09-21');
const cwModel = loadModel('monitoring-2010-08-01');
const ecrCodec = createJsonCodec({ version: '1.1', targetPrefix: ECR_PREFIX });
const cwCodec = createJsonCodec({ version: '1.0', targetPrefix: CW_PREFIX });

/** Traits the trimmed aws-sdk models never carry (iso8601, blobs, limits, documents) need a model of their own. */
const testModel = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 't', protocol: 'json', jsonVersion: '1.0', targetPrefix: 'T', serviceId: 'T', uid: 't-2020-01-01' },
  operations: {
    Op: { input: { shape: 'In' }, output: { shape: 'In' } },
    NoIo: {},
  },
  shapes: {
    In: {
      type: 'structure',
      members: {
        Iso: { type: 'timestamp', timestampFormat: 'iso8601' },
        Http: { type: 'timestamp', timestampFormat: 'rfc822' },
        Epoch: { type: 'timestamp' },
        Data: { type: 'blob' },
        Doc: { type: 'structure', document: true },
        Tags: { type: 'map', key: {}, value: {} },
        Big: { type: 'long' },
        Small: { type: 'integer' },
        Ratio: { type: 'double' },
        Name: { type: 'string', min: 3, max: 5 },
        Count: { type: 'integer', min: 1, max: 10 },
        Flag: { type: 'boolean' },
      },
    },
  },
} as RawModel);
const testCodec = createJsonCodec({ version: '1.0', targetPrefix: 'T' });

function wire(target: string | undefined, body: string | Buffer, extra: Partial<WireRequest> = {}): WireRequest {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  if (target !== undefined) headers['x-amz-target'] = target;
  return { method: 'POST', path: '/', query: '', headers, body: Buffer.isBuffer(body) ? body : Buffer.from(body), host: 'localhost', ...extra };
}

function parse(codec: ProtocolCodec, model: ServiceModel, op: string, body: unknown, extra?: Partial<WireRequest>) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return codec.parseInput(wire(undefined, text, extra), model, model.operation(op)!);
}

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, 400);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const bodyOf = (res: WireResponse) => JSON.parse((res.body as Buffer).toString('utf8'));

describe('json codec: resolveOperation', () => {
  it('takes the operation from X-Amz-Target', () => {
    assert.equal(ecrCodec.resolveOperation(wire(`${ECR_PREFIX}.PutImage`, '{}'), ecrModel), 'PutImage');
    assert.equal(cwCodec.resolveOperation(wire(`${CW_PREFIX}.GetMetricData`, '{}'), cwModel), 'GetMetricData');
  });

  it('answers UnknownOperationException for a missing or foreign target, or an unknown operation', () => {
    for (const target of [undefined, '', 'PutImage', `${ECR_PREFIX}`, `${ECR_PREFIX}.`, `${ECR_PREFIX}.NoSuchThing`,
      `${CW_PREFIX}.PutImage`, `${ECR_PREFIX}.putImage`, `x${ECR_PREFIX}.PutImage`, `${ECR_PREFIX}.toString`]) {
      rejects(() => ecrCodec.resolveOperation(wire(target, '{}'), ecrModel), 'UnknownOperationException');
    }
    rejects(() => ecrCodec.resolveOperation(wire(`${ECR_PREFIX}.Nope`, '{}'), ecrModel), 'UnknownOperationException', /Nope/);
  });

  it('accepts only POST', () => {
    rejects(() => ecrCodec.resolveOperation(wire(`${ECR_PREFIX}.PutImage`, '', { method: 'GET' }), ecrModel), 'UnknownOperationException', /GET/);
  });
});

describe('json codec: parseInput', () => {
  it('reads an empty body as {}', () => {
    assert.deepEqual(parse(ecrCodec, ecrModel, 'DescribeRepositories', ''), {});
    assert.deepEqual(parse(ecrCodec, ecrModel, 'DescribeRepositories', ' \n'), {});
    rejects(() => parse(ecrCodec, ecrModel, 'CreateRepository', ''), 'ValidationException',
      /^1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null$/);
  });

  it('a validation style (ECR\'s, as codecFor wires it) words the refusal the service\'s way', () => {
    const { codec } = codecFor(CATALOG.find((e) => e.name === 'ecr')!, ecrModel);
    rejects(() => parse(codec, ecrModel, 'CreateRepository', ''), 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'$/);
    rejects(() => parse(codec, ecrModel, 'CreateRepository', { repositoryName: 'a' }), 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'$/);
    const styled = createJsonCodec({ version: '1.1', targetPrefix: ECR_PREFIX, validationStyle: { kind: 'invalid-parameter', code: 'InvalidParameterException' } });
    rejects(() => parse(styled, ecrModel, 'DescribeRepositories', { maxResults: 0 }), 'InvalidParameterException',
      /^Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'$/);
  });

  it('rejects a body that is not a JSON object with SerializationException', () => {
    rejects(() => parse(ecrCodec, ecrModel, 'DescribeRepositories', '{"maxResults": '), 'SerializationException', /not valid JSON/);
    rejects(() => parse(ecrCodec, ecrModel, 'DescribeRepositories', '[]'), 'SerializationException', /must be a JSON object, not a list/);
    rejects(() => parse(ecrCodec, ecrModel, 'DescribeRepositories', 'null'), 'SerializationException', /not null/);
    rejects(() => parse(ecrCodec, ecrModel, 'DescribeRepositories', '"x"'), 'SerializationException', /not a string/);
  });

  it('names the member whose JSON type is wrong', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['DescribeRepositories', { maxResults: '5' }, /^STRING_VALUE can not be converted to an Integer \(member 'maxResults'\)$/],
      ['DescribeRepositories', { maxResults: 1.5 }, /NUMBER_VALUE 1\.5 can not be converted to an Integer \(member 'maxResults'\)/],
      ['DescribeRepositories', { maxResults: 2 ** 31 }, /can not be converted to an Integer/],
      ['DescribeRepositories', { repositoryNames: 'a' }, /STRING_VALUE can not be converted to a List \(member 'repositoryNames'\)/],
      ['DescribeRepositories', { repositoryNames: [7] }, /NUMBER_VALUE can not be converted to a String \(member 'repositoryNames\[0\]'\)/],
      ['BatchGetImage', { repositoryName: 'r', imageIds: { imageTag: 'x' } }, /Start of structure or map found where not expected \(member 'imageIds'\)/],
      ['BatchGetImage', { repositoryName: 'r', imageIds: ['latest'] }, /STRING_VALUE can not be converted to a Structure \(member 'imageIds\[0\]'\)/],
      ['BatchGetImage', { repositoryName: ['r'], imageIds: [] }, /Start of list found where not expected \(member 'repositoryName'\)/],
      ['UploadLayerPart', { repositoryName: 'r', uploadId: 'u', partFirstByte: 0, partLastByte: 1, layerPartBlob: 'not base64!' }, /Blob \(member 'layerPartBlob'\)/],
    ];
    for (const [op, body, msg] of cases) rejects(() => parse(ecrCodec, ecrModel, op, body), 'SerializationException', msg);
    rejects(() => parse(cwCodec, cwModel, 'PutMetricAlarm', { AlarmName: 'a', EvaluationPeriods: 1, ComparisonOperator: 'x', ActionsEnabled: 'true' }),
      'SerializationException', /STRING_VALUE can not be converted to a Boolean \(member 'ActionsEnabled'\)/);
    rejects(() => parse(cwCodec, cwModel, 'PutMetricData', { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: '1' }] }),
      'SerializationException', /STRING_VALUE can not be converted to a Double \(member 'MetricData\[0\]\.Value'\)/);
  });

  it('ignores unknown members and treats null as absent', () => {
    assert.deepEqual(parse(ecrCodec, ecrModel, 'DescribeRepositories', { bogus: 1, __type: 'x', maxResults: 5, nextToken: null, repositoryNames: ['ab', null] }),
      { maxResults: 5, repositoryNames: ['ab'] });
  });

  it('decodes epoch-second timestamps (fractions too) to Dates and refuses strings for them', () => {
    const input = parse(cwCodec, cwModel, 'GetMetricData', { MetricDataQueries: [], StartTime: 1700000000.123, EndTime: 1700000060 });
    assert.deepEqual(input, { MetricDataQueries: [], StartTime: new Date(1700000000123), EndTime: new Date(1700000060000) });
    rejects(() => parse(cwCodec, cwModel, 'GetMetricData', { MetricDataQueries: [], StartTime: '2023-11-14T22:13:20Z', EndTime: 1 }),
      'SerializationException', /Timestamp.*'StartTime'/);
    rejects(() => parse(cwCodec, cwModel, 'GetMetricData', { MetricDataQueries: [], StartTime: true, EndTime: 1 }),
      'SerializationException', /BOOLEAN_VALUE can not be converted to a Timestamp/);
  });

  it('decodes iso8601 and rfc822 timestamps by the shape format', () => {
    assert.deepEqual(parse(testCodec, testModel, 'Op', { Iso: '2023-11-14T22:13:20.5Z', Http: 'Tue, 14 Nov 2023 22:13:20 GMT' }),
      { Iso: new Date('2023-11-14T22:13:20.500Z'), Http: new Date('2023-11-14T22:13:20Z') });
    assert.deepEqual(parse(testCodec, testModel, 'Op', { Iso: '2023-11-14t23:13:20+01:00' }), { Iso: new Date('2023-11-14T22:13:20Z') });
    rejects(() => parse(testCodec, testModel, 'Op', { Iso: 1700000000 }), 'SerializationException', /ISO 8601.*'Iso'/);
    rejects(() => parse(testCodec, testModel, 'Op', { Iso: 'yesterday' }), 'SerializationException', /'Iso'/);
    rejects(() => parse(testCodec, testModel, 'Op', { Epoch: 1e300 }), 'SerializationException', /'Epoch'/);
  });

  it('decodes blobs, maps, documents, longs and non-finite doubles', () => {
    const input = parse(testCodec, testModel, 'Op', {
      Data: Buffer.from('hello\0world').toString('base64'), Tags: { a: '1', __proto__: 'x' } as unknown,
      Doc: { any: [1, { x: null }] }, Big: 2 ** 40, Ratio: 'NaN', Flag: false,
    });
    // JSON.parse('{"__proto__": ...}') makes an own key; the decoded map must keep it as data.
    const viaJson = parse(testCodec, testModel, 'Op', '{"Tags":{"__proto__":"x","b":"2"},"Ratio":"-Infinity"}');
    assert.deepEqual(Object.keys(viaJson.Tags as object), ['__proto__', 'b']);
    assert.equal(Object.getPrototypeOf(viaJson.Tags), Object.prototype);
    assert.equal(viaJson.Ratio, -Infinity);
    assert.deepEqual(input.Data, Buffer.from('hello\0world'));
    assert.ok(Buffer.isBuffer(input.Data));
    assert.deepEqual(input.Doc, { any: [1, { x: null }] });
    assert.equal(input.Big, 2 ** 40);
    assert.ok(Number.isNaN(input.Ratio));
    assert.equal(input.Flag, false);
    rejects(() => parse(testCodec, testModel, 'Op', { Tags: { a: 1 } }), 'SerializationException', /String \(member 'Tags\['a'\]'\)/);
    rejects(() => parse(testCodec, testModel, 'Op', { Ratio: 'Inf' }), 'SerializationException', /Double/);
    rejects(() => parse(testCodec, testModel, 'Op', { Big: 2 ** 60 }), 'SerializationException', /Long/);
  });

  it('applies the model constraints after decoding', () => {
    rejects(() => parse(testCodec, testModel, 'Op', { Name: 'ab', Count: 11 }), 'ValidationException',
      /^2 validation errors detected: Value 'ab' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '11' at 'count'/);
    rejects(() => parse(cwCodec, cwModel, 'PutMetricData', { Namespace: 'n', MetricData: [{ Value: 1 }] }), 'ValidationException', /Value null at '[^']*metricName'/);
    const strict = createJsonCodec({ version: '1.0', targetPrefix: CW_PREFIX, validationErrorCode: 'InvalidParameterValue' });
    rejects(() => parse(strict, cwModel, 'PutMetricData', {}), 'InvalidParameterValue');
  });

  it('inflates gzip bodies (CloudWatch PutMetricData is sent compressed)', () => {
    const body = gzipSync(JSON.stringify({ Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 2 }] }));
    const req = wire(undefined, body);
    req.headers['content-encoding'] = 'gzip';
    assert.deepEqual(cwCodec.parseInput(req, cwModel, cwModel.operation('PutMetricData')!), { Namespace: 'n', MetricData: [{ MetricName: 'm', Value: 2 }] });
    req.body = Buffer.concat([body.subarray(0, 10), Buffer.from('garbage')]);
    rejects(() => cwCodec.parseInput(req, cwModel, cwModel.operation('PutMetricData')!), 'SerializationException', /decompressed/);
  });

  it('returns {} for an operation without input', () => {
    assert.deepEqual(parse(testCodec, testModel, 'NoIo', { x: 1 }), {});
  });
});

describe('json codec: serializeOutput', () => {
  it('writes members by name, epoch-second timestamps with ms, and the JSON headers', () => {
    const res = ecrCodec.serializeOutput(ecrModel, ecrModel.operation('DescribeRepositories')!, {
      repositories: [{ repositoryName: 'r', createdAt: new Date(1700000000123), registryId: undefined, internal: 'secret' }],
      nextToken: null,
    }, { requestId: 'rid-1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1');
    assert.equal(res.headers['x-amzn-RequestId'], 'rid-1');
    assert.equal((res.body as Buffer).toString(), '{"repositories":[{"repositoryName":"r","createdAt":1700000000.123}]}');
    const cwRes = cwCodec.serializeOutput(cwModel, cwModel.operation('DescribeAlarms')!, { MetricAlarms: [] }, { requestId: 'x' });
    assert.equal(cwRes.headers['content-type'], 'application/x-amz-json-1.0');
    assert.deepEqual(bodyOf(cwRes), { MetricAlarms: [] });
  });

  it('writes {} when the operation has no output shape', () => {
    assert.deepEqual(bodyOf(cwCodec.serializeOutput(cwModel, cwModel.operation('PutMetricData')!, undefined, { requestId: 'x' })), {});
    assert.deepEqual(bodyOf(testCodec.serializeOutput(testModel, testModel.operation('NoIo')!, { a: 1 }, { requestId: 'x' })), {});
    assert.deepEqual(bodyOf(ecrCodec.serializeOutput(ecrModel, ecrModel.operation('DescribeRepositories')!, undefined, { requestId: 'x' })), {});
  });

  it('writes blobs as base64 and every timestamp format', () => {
    const out = bodyOf(testCodec.serializeOutput(testModel, testModel.operation('Op')!, {
      Data: Buffer.from([0, 1, 2, 255]), Iso: new Date(1700000000500), Http: new Date(1700000000000), Epoch: new Date(1700000000000),
      Tags: new Map([['k', 'v']]), Ratio: Infinity, Big: 10n, Doc: { raw: [null] }, Flag: false,
    }, { requestId: 'x' }));
    assert.deepEqual(out, {
      Iso: '2023-11-14T22:13:20.500Z', Http: 'Tue, 14 Nov 2023 22:13:20 GMT', Epoch: 1700000000,
      Data: 'AAEC/w==', Doc: { raw: [null] }, Tags: { k: 'v' }, Big: 10, Ratio: 'Infinity', Flag: false,
    });
    assert.deepEqual(bodyOf(testCodec.serializeOutput(testModel, testModel.operation('Op')!, { Data: 'hi' }, { requestId: 'x' })), { Data: 'aGk=' });
    assert.throws(() => testCodec.serializeOutput(testModel, testModel.operation('Op')!, { Epoch: 'never' }, { requestId: 'x' }), /Epoch/);
  });
});

describe('json codec: serializeError', () => {
  it('writes __type, message, extra fields and the error headers', () => {
    const err = new AwsError('RepositoryNotFoundException', "The repository with name 'r' does not exist", 400, {
      fields: { repositoryName: 'r', __type: 'spoof' }, headers: { 'Retry-After': '1' },
    });
    const res = ecrCodec.serializeError(ecrModel, err, { requestId: 'rid-9' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.headers, {
      'Retry-After': '1', 'x-amzn-ErrorType': 'RepositoryNotFoundException',
      'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'rid-9',
    });
    assert.deepEqual(bodyOf(res), { __type: 'RepositoryNotFoundException', message: "The repository with name 'r' does not exist", repositoryName: 'r' });
  });

  it('adds the query error header for query-compatible services', () => {
    const res = cwCodec.serializeError(cwModel, new AwsError('InternalFailure', 'boom', 500), { requestId: 'r' });
    assert.equal(res.status, 500);
    assert.equal(res.headers['x-amzn-query-error'], 'InternalFailure;Receiver');
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.0');
  });
});
