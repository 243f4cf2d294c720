import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SavingsplansClient, DescribeSavingsPlansCommand, ListTagsForResourceCommand } from '@aws-sdk/client-savingsplans';
import { AwsError } from '../core/errors.js';
import type { WireRequest, WireResponse } from './codec.js';
import { loadModel, ServiceModel } from './models.js';
import type { RawModel } from './model-types.js';
import { createRestJsonCodec } from './rest-json.js';
import { toHttpResponse, toWireRequest, type SdkHttpRequest } from '../../test/conformance/wire.js';

const codec = createRestJsonCodec();

/**
 * Savings Plans has body members only; the HTTP bindings other rest-json services use (labels,
 * query, headers, payloads, jsonName as locationName) need a model of their own.
 */
const model = new ServiceModel({
  metadata: { apiVersion: '2020-01-01', endpointPrefix: 't', protocol: 'rest-json', serviceId: 'T', uid: 't-2020-01-01' },
  operations: {
    GetThing: { http: { method: 'GET', requestUri: '/things/{Name}' }, input: { shape: 'GetIn' }, output: { shape: 'GetOut' } },
    PutObject: { http: { method: 'PUT', requestUri: '/objects/{Key+}', responseCode: 201 }, input: { shape: 'PutIn' }, output: { shape: 'PutOut' } },
    Plain: { http: { method: 'POST', requestUri: '/Plain' }, input: { shape: 'PlainIn' } },
  },
  shapes: {
    GetIn: {
      type: 'structure', required: ['Name'],
      members: {
        Name: { shape: 'Str', location: 'uri', locationName: 'Name' },
        Limit: { shape: 'Int', location: 'querystring', locationName: 'limit' },
        Ids: { shape: 'StrList', location: 'querystring', locationName: 'id' },
        Extra: { shape: 'StrMap', location: 'querystring' },
        Since: { shape: 'Ts', location: 'header', locationName: 'X-Since' },
        Langs: { shape: 'StrList', location: 'header', locationName: 'X-Langs' },
        Meta: { shape: 'StrMap', location: 'headers', locationName: 'x-meta-' },
      },
    },
    GetOut: {
      type: 'structure',
      members: {
        ETag: { shape: 'Str', location: 'header', locationName: 'ETag' },
        Created: { shape: 'Ts', location: 'header', locationName: 'X-Created' },
        Thing: { shape: 'Thing', locationName: 'thing' },
        When: { shape: 'Ts' },
        Iso: { shape: 'IsoTs' },
      },
    },
    Thing: { type: 'structure', members: { Size: { shape: 'Int', locationName: 'size' }, Data: { shape: 'Blob' } } },
    PutIn: {
      type: 'structure', payload: 'Body',
      members: { Key: { shape: 'Str', location: 'uri', locationName: 'Key' }, Body: { shape: 'Blob' } },
    },
    PutOut: {
      type: 'structure', payload: 'Doc',
      members: { Status: { shape: 'Int', location: 'statusCode' }, Doc: { shape: 'Thing' } },
    },
    PlainIn: { type: 'structure', required: ['Count'], members: { Count: { shape: 'Int' }, Name: { shape: 'Str' } } },
    NotThere: {
      type: 'structure', exception: true, error: { httpStatusCode: 404 },
      members: { Message: { shape: 'Str' }, Resource: { shape: 'Str' }, RetryAfter: { shape: 'Int' } },
    },
    Boom: { type: 'structure', exception: true, fault: true, members: { message: { shape: 'Str' } } },
    Str: { type: 'string' },
    Int: { type: 'integer' },
    Ts: { type: 'timestamp' },
    IsoTs: { type: 'timestamp', timestampFormat: 'iso8601' },
    Blob: { type: 'blob' },
    StrList: { type: 'list', member: { shape: 'Str' } },
    StrMap: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
  },
} as RawModel);

function req(method: string, path: string, extra: Partial<WireRequest> = {}): WireRequest {
  return { method, path, query: '', headers: {}, body: Buffer.alloc(0), host: 'localhost', ...extra };
}

function decode(r: WireRequest): { op: string; input: Record<string, unknown> } {
  const op = codec.resolveOperation(r, model);
  return { op, input: codec.parseInput(r, model, model.operation(op)!) };
}

const json = (res: WireResponse) => JSON.parse((res.body as Buffer).toString('utf8')) as Record<string, unknown>;

describe('rest-json codec', () => {
  it('routes by method and URI template; a path no template fits is UnknownOperationException (404)', () => {
    assert.equal(codec.resolveOperation(req('GET', '/things/a%20b'), model), 'GetThing');
    assert.equal(codec.resolveOperation(req('PUT', '/objects/x/y.txt'), model), 'PutObject');
    for (const r of [req('GET', '/nowhere'), req('DELETE', '/things/a')]) {
      assert.throws(() => codec.resolveOperation(r, model), (e: AwsError) => e.code === 'UnknownOperationException' && e.status === 404);
    }
  });

  it('reads labels, query (scalar, list, map of the rest), headers (timestamps, lists, prefixes)', () => {
    const { input } = decode(req('GET', '/things/a%20b', {
      query: 'limit=5&id=x&id=y&color=red',
      headers: { 'x-since': 'Tue, 01 Dec 2026 10:00:00 GMT', 'x-langs': 'en, "a,b"', 'x-meta-owner': 'me' },
    }));
    assert.deepEqual(input, {
      Name: 'a b', Limit: 5, Ids: ['x', 'y'], Extra: { color: 'red' }, Since: new Date('2026-12-01T10:00:00Z'),
      Langs: ['en', 'a,b'], Meta: { owner: 'me' },
    });
    assert.throws(() => decode(req('GET', '/things/a', { query: 'limit=five' })), (e: AwsError) => e.code === 'SerializationException');
  });

  it('reads a JSON body of the body members, and a blob payload as bytes', () => {
    const body = Buffer.from(JSON.stringify({ Count: 3, Name: 'n', Ignored: true }));
    assert.deepEqual(decode(req('POST', '/Plain', { body })).input, { Count: 3, Name: 'n' });
    assert.deepEqual(decode(req('PUT', '/objects/k/1', { body: Buffer.from([1, 2, 3]) })).input, { Key: 'k/1', Body: Buffer.from([1, 2, 3]) });
  });

  it('refuses bodies that are not JSON or do not fit, and missing required members', () => {
    const bad = (body: string, code: string) => assert.throws(() => decode(req('POST', '/Plain', { body: Buffer.from(body) })), (e: AwsError) => e.code === code);
    bad('{"Count":', 'SerializationException');
    bad('{"Count":"3"}', 'SerializationException');
    bad('[]', 'SerializationException');
    bad('{}', 'ValidationException');
    bad('', 'ValidationException');
  });

  it('writes header members as headers, body members under their locationName, epoch-second timestamps', () => {
    const res = codec.serializeOutput(model, model.operation('GetThing')!, {
      ETag: '"abc"', Created: new Date('2026-12-01T10:00:00Z'), Thing: { Size: 7, Data: Buffer.from('hi') },
      When: new Date(1700000000500), Iso: new Date('2026-01-02T03:04:05Z'),
    }, { requestId: 'r1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['ETag'], '"abc"');
    assert.equal(res.headers['X-Created'], 'Tue, 01 Dec 2026 10:00:00 GMT');
    assert.equal(res.headers['x-amzn-RequestId'], 'r1');
    assert.deepEqual(json(res), { thing: { size: 7, Data: 'aGk=' }, When: 1700000000.5, Iso: '2026-01-02T03:04:05.000Z' });
  });

  it('writes a structure payload as the whole body, with the model or statusCode member status', () => {
    const op = model.operation('PutObject')!;
    const res = codec.serializeOutput(model, op, { Doc: { Size: 1 } }, { requestId: 'r' });
    assert.equal(res.status, 201);
    assert.deepEqual(json(res), { size: 1 });
    assert.equal(codec.serializeOutput(model, op, { Status: 202 }, { requestId: 'r' }).status, 202);
    assert.deepEqual(json(codec.serializeOutput(model, model.operation('Plain')!, undefined, { requestId: 'r' })), {});
  });

  it('errors: x-amzn-ErrorType, the status of the model, the message under the shape\'s own key, typed fields', () => {
    const res = codec.serializeError(model, new AwsError('NotThere', 'no such thing', 400, { fields: { Resource: 'a', RetryAfter: '3' } }), { requestId: 'e1' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-amzn-ErrorType'], 'NotThere');
    assert.equal(res.headers['x-amzn-RequestId'], 'e1');
    assert.deepEqual(json(res), { Message: 'no such thing', Resource: 'a', RetryAfter: 3 });
    assert.equal(codec.serializeError(model, new AwsError('Boom', 'x', 400), { requestId: 'e' }).status, 500);
    const other = codec.serializeError(model, new AwsError('NotImplemented', 'later', 501), { requestId: 'e' });
    assert.equal(other.status, 501);
    assert.deepEqual(json(other), { message: 'later' });
  });
});

describe('rest-json with the JS SDK v3 (Savings Plans)', () => {
  const sp = loadModel('savingsplans-2019-06-28');
  // The SDK's request and response as Node's HTTP handler would give them (lower-case headers).
  const client = (answer: (r: WireRequest) => WireResponse, seen: WireRequest[]) => new SavingsplansClient({
    region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1,
    requestHandler: {
      handle: async (r: SdkHttpRequest) => {
        const w = await toWireRequest(r);
        seen.push(w);
        return { response: toHttpResponse(answer(w)) };
      },
    },
  });

  it('requests decode to the model\'s camelCase members; outputs and errors read back', async () => {
    const seen: WireRequest[] = [];
    const ok = client((w) => {
      const op = codec.resolveOperation(w, sp);
      assert.equal(op, 'DescribeSavingsPlans');
      assert.deepEqual(codec.parseInput(w, sp, sp.operation(op)!), { savingsPlanIds: ['a'], states: ['active'], maxResults: 5 });
      return codec.serializeOutput(sp, sp.operation(op)!, { savingsPlans: [{ savingsPlanId: 'a', termDurationInSeconds: 31536000 }], nextToken: 'YQ==' }, { requestId: 'q1' });
    }, seen);
    const got = await ok.send(new DescribeSavingsPlansCommand({ savingsPlanIds: ['a'], states: ['active'], maxResults: 5 }));
    assert.deepEqual(got.savingsPlans, [{ savingsPlanId: 'a', termDurationInSeconds: 31536000 }]);
    assert.equal(got.nextToken, 'YQ==');
    assert.equal(got.$metadata.requestId, 'q1');
    assert.equal(seen[0]!.path, '/DescribeSavingsPlans');

    const bad = client(() => codec.serializeError(sp, new AwsError('ResourceNotFoundException', 'gone', 400), { requestId: 'q2' }), []);
    await assert.rejects(bad.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:savingsplans::000000000000:savingsplan/x' })),
      (e: { name: string; message: string; $metadata: { httpStatusCode: number; requestId: string } }) =>
        e.name === 'ResourceNotFoundException' && e.message === 'gone' && e.$metadata.httpStatusCode === 404 && e.$metadata.requestId === 'q2');
  });
});
