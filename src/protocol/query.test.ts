import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../core/errors.js';
import type { WireRequest } from './codec.js';
import { loadModel, ServiceModel } from './models.js';
import type { RawModel } from './model-types.js';
import { ec2Codec, queryCodec } from './query.js';

/** A made-up query service exercising every trait the decoder honours. */
const demo = new ServiceModel({
  metadata: {
    apiVersion: '2020-01-01', endpointPrefix: 'demo', protocol: 'query', serviceId: 'Demo',
    xmlNamespace: 'https://demo.amazonaws.com/doc/2020-01-01/',
  },
  operations: {
    Put: { input: { shape: 'PutInput' }, output: { shape: 'PutOutput', resultWrapper: 'PutResult' } },
    Ping: {},
  },
  shapes: {
    PutInput: {
      type: 'structure',
      required: ['Name'],
      members: {
        Name: { shape: 'Str' },
        Renamed: { shape: 'Str', locationName: 'WireName' },
        Count: { shape: 'Int' },
        Big: { type: 'long' },
        Ratio: { type: 'double' },
        Flag: { type: 'boolean' },
        When: { type: 'timestamp' },
        Data: { type: 'blob' },
        Items: { shape: 'StrList' },
        Named: { type: 'list', member: { shape: 'Str', locationName: 'Thing' } },
        Flat: { type: 'list', flattened: true, member: { shape: 'Str' } },
        FlatNamed: { type: 'list', flattened: true, member: { shape: 'Str', locationName: 'Entry' } },
        Attrs: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
        NamedMap: { type: 'map', key: { shape: 'Str', locationName: 'K' }, value: { shape: 'Nested', locationName: 'V' } },
        FlatMap: { type: 'map', flattened: true, key: { shape: 'Str' }, value: { shape: 'Int' } },
        Nested: { shape: 'Nested' },
        Nesteds: { type: 'list', member: { shape: 'Nested' } },
      },
    },
    Nested: { type: 'structure', members: { Key: { shape: 'Str' }, Deep: { type: 'structure', members: { N: { shape: 'Int' } } } } },
    PutOutput: { type: 'structure', members: { Id: { shape: 'Str' } } },
    Str: { type: 'string', max: 10 },
    Int: { type: 'integer' },
    StrList: { type: 'list', member: { shape: 'Str' } },
  },
} as RawModel);

function wire(query: string, body = '', headers: Record<string, string> = {}): WireRequest {
  return {
    method: body ? 'POST' : 'GET',
    path: '/',
    query,
    headers: body ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers } : headers,
    body: Buffer.from(body),
    host: 'localhost',
  };
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

function decode(params: Record<string, string>, model = demo, codec = queryCodec) {
  const req = wire('', form(params));
  const op = codec.resolveOperation(req, model);
  return codec.parseInput(req, model, model.operation(op)!);
}

function rejects(fn: () => unknown, code: string, message?: RegExp | string, status = 400) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('query request decoding', () => {
  it('reads scalars of every type by member name and locationName', () => {
    const input = decode({
      Action: 'Put', Version: '2020-01-01', Name: 'n', WireName: 'w', Renamed: 'ignored', Count: '-42', Big: '9007199254740991',
      Ratio: '1.5e3', Flag: 'false', When: '2026-11-23T10:00:00Z', Data: Buffer.from('hi\u0000').toString('base64'),
    });
    assert.deepStrictEqual(input, {
      Name: 'n', Renamed: 'w', Count: -42, Big: 9007199254740991, Ratio: 1500, Flag: false,
      When: new Date('2026-11-23T10:00:00Z'), Data: Buffer.from('hi\u0000'),
    });
  });

  it('accepts epoch-second timestamps and fractional ISO timestamps', () => {
    assert.deepStrictEqual(decode({ Action: 'Put', Name: 'n', When: '1700000000.5' }).When, new Date(1700000000500));
    assert.deepStrictEqual(decode({ Action: 'Put', Name: 'n', When: '2026-11-23T10:00:00.123+01:00' }).When, new Date('2026-11-23T09:00:00.123Z'));
    assert.deepStrictEqual(decode({ Action: 'Put', Name: 'n', When: '2026-11-23T10:00:00+0130' }).When, new Date('2026-11-23T08:30:00Z'));
    assert.deepStrictEqual(decode({ Action: 'Put', Name: 'n', When: '2026-11-23T10:00:00' }).When, new Date('2026-11-23T10:00:00Z'));
  });

  it('orders sparse, unordered list indexes and ignores non-index names', () => {
    const input = decode({ Action: 'Put', Name: 'n', 'Items.member.10': 'c', 'Items.member.2': 'b', 'Items.member.1': 'a', 'Items.member.x': 'z' });
    assert.deepStrictEqual(input.Items, ['a', 'b', 'c']);
  });

  it('honours list member locationName, flattened lists and the empty-list marker', () => {
    const input = decode({
      Action: 'Put', Name: 'n', 'Named.Thing.1': 't', 'Flat.2': 'y', 'Flat.1': 'x', 'Entry.1': 'e', Items: '',
    });
    assert.deepStrictEqual(input, { Name: 'n', Named: ['t'], Flat: ['x', 'y'], FlatNamed: ['e'], Items: [] });
  });

  it('decodes maps with default, renamed and flattened entries', () => {
    const input = decode({
      Action: 'Put', Name: 'n',
      'Attrs.entry.2.key': 'b', 'Attrs.entry.2.value': '2', 'Attrs.entry.1.key': 'a', 'Attrs.entry.1.value': '1',
      'NamedMap.entry.1.K': '__proto__', 'NamedMap.entry.1.V.Key': 'k', 'NamedMap.entry.1.V.Deep.N': '7',
      'FlatMap.1.key': 'x', 'FlatMap.1.value': '3',
    });
    assert.deepStrictEqual(input.Attrs, { a: '1', b: '2' });
    const named = input.NamedMap as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(named), ['__proto__']);
    assert.deepStrictEqual(named['__proto__'], { Key: 'k', Deep: { N: 7 } });
    assert.equal(Object.getPrototypeOf(named), Object.prototype);
    assert.deepStrictEqual(input.FlatMap, { x: 3 });
  });

  it('decodes nested structures and lists of structures', () => {
    const input = decode({ Action: 'Put', Name: 'n', 'Nested.Deep.N': '1', 'Nesteds.member.1.Key': 'a', 'Nesteds.member.2.Deep.N': '2' });
    assert.deepStrictEqual(input, { Name: 'n', Nested: { Deep: { N: 1 } }, Nesteds: [{ Key: 'a' }, { Deep: { N: 2 } }] });
  });

  it('merges the query string with the body, the body winning', () => {
    const req = wire('Action=Put&Name=fromurl&Count=1', 'Name=frombody');
    assert.equal(queryCodec.resolveOperation(req, demo), 'Put');
    assert.deepStrictEqual(queryCodec.parseInput(req, demo, demo.operation('Put')!), { Name: 'frombody', Count: 1 });
  });

  it('decodes + and percent escapes, and ignores a body that is not a form', () => {
    const req = wire('Action=Put&Name=a+b%26c', 'Name=x', { 'content-type': 'application/json' });
    assert.deepStrictEqual(queryCodec.parseInput(req, demo, demo.operation('Put')!), { Name: 'a b&c' });
  });

  it('rejects values that do not fit their type with ValidationError', () => {
    rejects(() => decode({ Action: 'Put', Name: 'n', Count: '1.5' }), 'ValidationError',
      "1 validation error detected: Value '1.5' at 'count' failed to satisfy constraint: Member must be an integer");
    rejects(() => decode({ Action: 'Put', Name: 'n', Count: '2147483648' }), 'ValidationError', /count/);
    rejects(() => decode({ Action: 'Put', Name: 'n', Big: '9007199254740993' }), 'ValidationError', /big/);
    rejects(() => decode({ Action: 'Put', Name: 'n', Flag: 'TRUE' }), 'ValidationError', /at 'flag'.*boolean/);
    rejects(() => decode({ Action: 'Put', Name: 'n', Ratio: 'abc' }), 'ValidationError', /ratio/);
    rejects(() => decode({ Action: 'Put', Name: 'n', When: 'yesterday' }), 'ValidationError', /when/);
    rejects(() => decode({ Action: 'Put', Name: 'n', Data: 'not base64!' }), 'ValidationError', /data/);
    rejects(() => decode({ Action: 'Put', Name: 'n', 'Nesteds.member.3.Deep.N': 'x' }), 'ValidationError', /nesteds\.3\.member\.deep\.n/);
  });

  it('validates required members and lengths against the model', () => {
    rejects(() => decode({ Action: 'Put' }), 'ValidationError',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
    rejects(() => decode({ Action: 'Put', Name: 'x'.repeat(11) }), 'ValidationError', /length less than or equal to 10/);
  });

  it('ignores unknown parameters', () => {
    assert.deepStrictEqual(decode({ Action: 'Put', Name: 'n', Bogus: '1', 'Nested.Bogus': '2', 'Name.x': '3' }), { Name: 'n', Nested: {} });
  });

  it('reports missing, unknown and malformed actions', () => {
    rejects(() => queryCodec.resolveOperation(wire('Version=2020-01-01'), demo), 'MissingAction');
    rejects(() => queryCodec.resolveOperation(wire('Action=Nope&Version=2020-01-01'), demo), 'InvalidAction',
      'Could not find operation Nope for version 2020-01-01');
    rejects(() => queryCodec.resolveOperation(wire('Action=toString'), demo), 'InvalidAction',
      'Could not find operation toString for version 2020-01-01');
    rejects(() => queryCodec.resolveOperation(wire('Action=Put&Name=%E0%A4%A'), demo), 'MalformedQueryString');
    rejects(() => queryCodec.resolveOperation(wire('', 'Action=Put&Name=%ZZ'), demo), 'MalformedQueryString');
    rejects(() => queryCodec.resolveOperation(wire('Action=Put&Name=%C0'), demo), 'MalformedQueryString');
  });

  it('treats an operation without input as empty input', () => {
    assert.deepStrictEqual(decode({ Action: 'Ping', Anything: 'x' }), {});
  });

  it('decodes real models: IAM tags, SNS message attributes, CloudWatch metric data', () => {
    const iam = loadModel('iam-2010-05-08');
    assert.deepStrictEqual(decode({
      Action: 'CreateRole', RoleName: 'r', AssumeRolePolicyDocument: '{}', MaxSessionDuration: '3600',
      'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v',
    }, iam), { RoleName: 'r', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600, Tags: [{ Key: 'k', Value: 'v' }] });
    const sns = loadModel('sns-2010-03-31');
    assert.deepStrictEqual(decode({
      Action: 'Publish', Message: 'm', 'MessageAttributes.entry.1.Name': 'a',
      'MessageAttributes.entry.1.Value.DataType': 'Binary', 'MessageAttributes.entry.1.Value.BinaryValue': 'AQI=',
    }, sns), { Message: 'm', MessageAttributes: { a: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2]) } } });
    const cw = loadModel('monitoring-2010-08-01');
    assert.deepStrictEqual(decode({
      Action: 'PutMetricData', Namespace: 'App', 'MetricData.member.1.MetricName': 'Latency',
      'MetricData.member.1.Timestamp': '2026-01-01T00:00:00Z', 'MetricData.member.1.Value': '0.25',
      'MetricData.member.1.Dimensions.member.1.Name': 'Host', 'MetricData.member.1.Dimensions.member.1.Value': 'a',
      'MetricData.member.1.StatisticValues.SampleCount': '2', 'MetricData.member.1.StatisticValues.Sum': '1',
      'MetricData.member.1.StatisticValues.Minimum': '0', 'MetricData.member.1.StatisticValues.Maximum': '1',
    }, cw), {
      Namespace: 'App',
      MetricData: [{
        MetricName: 'Latency', Timestamp: new Date('2026-01-01T00:00:00Z'), Value: 0.25,
        Dimensions: [{ Name: 'Host', Value: 'a' }], StatisticValues: { SampleCount: 2, Sum: 1, Minimum: 0, Maximum: 1 },
      }],
    });
  });
});

describe('ec2 request decoding', () => {
  const ec2 = loadModel('ec2-2016-11-15');
  const dec = (params: Record<string, string>) => decode(params, ec2, ec2Codec);

  it('uses queryName / capitalised locationName and Name.N lists', () => {
    const input = dec({
      Action: 'RunInstances', Version: '2016-11-15', ImageId: 'ami-1', MinCount: '1', MaxCount: '2', DryRun: 'false',
      'SecurityGroupId.2': 'sg-2', 'SecurityGroupId.1': 'sg-1',
      'BlockDeviceMapping.1.DeviceName': '/dev/sda1', 'BlockDeviceMapping.1.Ebs.VolumeSize': '20',
      'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
      'TagSpecification.1.ResourceType': 'instance', 'TagSpecification.1.Tag.1.Key': 'Name', 'TagSpecification.1.Tag.1.Value': 'web',
      'SecurityGroupIds.member.1': 'wrong-style-ignored',
    });
    assert.deepStrictEqual(input, {
      ImageId: 'ami-1', MinCount: 1, MaxCount: 2, DryRun: false, SecurityGroupIds: ['sg-1', 'sg-2'],
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 20, DeleteOnTermination: true } }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }],
    });
    assert.deepStrictEqual(dec({ Action: 'DescribeInstances', 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': 'web', 'InstanceId.1': 'i-1' }),
      { Filters: [{ Name: 'tag:Name', Values: ['web'] }], InstanceIds: ['i-1'] });
  });

  it('rejects bad values with InvalidParameterValue naming the wire parameter', () => {
    rejects(() => dec({ Action: 'RunInstances', MinCount: '1', MaxCount: 'two' }), 'InvalidParameterValue',
      "Value (two) for parameter MaxCount is invalid. Expected: 'Integer'.");
    rejects(() => dec({ Action: 'RunInstances', MinCount: '1', MaxCount: '1', 'BlockDeviceMapping.3.Ebs.Encrypted': 'yes' }),
      'InvalidParameterValue', /parameter BlockDeviceMapping\.3\.Ebs\.Encrypted is invalid/);
  });

  it('reports missing required parameters as MissingParameter', () => {
    rejects(() => dec({ Action: 'RunInstances', MinCount: '1' }), 'MissingParameter', 'The request must contain the parameter MaxCount');
  });

  it('reports unknown and missing actions in EC2 words', () => {
    rejects(() => ec2Codec.resolveOperation(wire('Action=Fly'), ec2), 'InvalidAction', 'The action Fly is not valid for this web service.');
    rejects(() => ec2Codec.resolveOperation(wire(''), ec2), 'MissingAction');
  });
});

describe('query / ec2 response envelopes', () => {
  const meta = { requestId: 'req-1' };

  it('wraps query output in the resultWrapper and ResponseMetadata', () => {
    const res = queryCodec.serializeOutput(demo, demo.operation('Put')!, { Id: 'a<b', Extra: 'dropped' }, meta);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/xml');
    assert.equal(res.headers['x-amzn-RequestId'], 'req-1');
    assert.equal(String(res.body),
      '<PutResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><PutResult><Id>a&lt;b</Id></PutResult>' +
      '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutResponse>');
  });

  it('omits the Result element when the operation has no output', () => {
    const res = queryCodec.serializeOutput(demo, demo.operation('Ping')!, undefined, meta);
    assert.equal(String(res.body),
      '<PingResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PingResponse>');
  });

  it('writes EC2 output with requestId first and the slash-terminated namespace', () => {
    const ec2 = loadModel('ec2-2016-11-15');
    const res = ec2Codec.serializeOutput(ec2, ec2.operation('DescribeAvailabilityZones')!, {
      AvailabilityZones: [{ ZoneName: 'us-east-1a', State: 'available' }],
    }, meta);
    assert.equal(String(res.body),
      '<?xml version="1.0" encoding="UTF-8"?><DescribeAvailabilityZonesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
      '<requestId>req-1</requestId><availabilityZoneInfo><item><zoneName>us-east-1a</zoneName><zoneState>available</zoneState></item>' +
      '</availabilityZoneInfo></DescribeAvailabilityZonesResponse>');
  });

  it('renders query errors with Type, Code, Message and RequestId', () => {
    const res = queryCodec.serializeError(demo, new AwsError('Throttling', 'Rate exceeded & more', 400, { headers: { 'retry-after': '1' } }), meta);
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-RequestId'], 'req-1');
    assert.equal(res.headers['retry-after'], '1');
    assert.equal(String(res.body),
      '<ErrorResponse xmlns="https://demo.amazonaws.com/doc/2020-01-01/"><Error><Type>Sender</Type><Code>Throttling</Code>' +
      '<Message>Rate exceeded &amp; more</Message></Error><RequestId>req-1</RequestId></ErrorResponse>');
    const fault = queryCodec.serializeError(demo, new AwsError('InternalFailure', 'x', 500), meta);
    assert.equal(fault.status, 500);
    assert.match(String(fault.body), /<Type>Receiver<\/Type>/);
  });

  it('renders EC2 errors in the Response/Errors/Error form', () => {
    const ec2 = loadModel('ec2-2016-11-15');
    const res = ec2Codec.serializeError(ec2, new AwsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"), meta);
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-RequestId'], 'req-1');
    assert.equal(String(res.body),
      '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>' +
      '<Message>The instance ID &apos;i-1&apos; does not exist</Message></Error></Errors><RequestID>req-1</RequestID></Response>');
  });
});
