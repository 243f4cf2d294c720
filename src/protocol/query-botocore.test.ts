/**
 * botocore (python3) against the query / ec2 codecs, both directions: botocore serialises
 * requests we decode, and botocore's own parsers read the responses and errors we write.
 * One python3 process per direction; skipped (see test/helpers/tools.ts) when python3 or botocore is missing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, WireRequest } from './codec.js';
import { loadModel, type ServiceModel } from './models.js';
import { ec2Codec, queryCodec } from './query.js';
import { needTool } from '../../test/helpers/tools.js';

const models: Record<string, ServiceModel> = {};
const model = (uid: string) => (models[uid] ??= loadModel(uid));
const day = (iso: string) => new Date(iso);

function python(script: string, arg: unknown): unknown[] {
  const run = spawnSync('python3', ['-c', script, JSON.stringify(arg)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.error?.message ?? run.stderr.slice(-1000));
  return JSON.parse(run.stdout) as unknown[];
}

/** A before-send hook captures the request and raises, so nothing is ever sent. */
const SERIALIZE = `
import json, sys, botocore.session
class Captured(Exception):
    pass
out = []
session = botocore.session.get_session()
for case in json.loads(sys.argv[1]):
    client = session.create_client(case['service'], region_name='us-east-1', endpoint_url='http://127.0.0.1:1',
                                   aws_access_key_id='test', aws_secret_access_key='test')
    box = {}
    def hook(request, box=box, **kwargs):
        box['body'] = request.body
        raise Captured()
    client.meta.events.register('before-send', hook)
    try:
        getattr(client, case['method'])(**case['params'])
    except Captured:
        pass
    body = box['body']
    out.append(body.decode('utf-8') if isinstance(body, bytes) else body)
print(json.dumps(out))
`;

/** botocore's response parsers, fed our bytes; dates come back as epoch milliseconds. */
const PARSE = `
import json, sys, datetime, base64, botocore.session, botocore.parsers
session = botocore.session.get_session()
def enc(o):
    if isinstance(o, datetime.datetime):
        return {'$date': round(o.timestamp() * 1000)}
    if isinstance(o, (bytes, bytearray)):
        return {'$blob': base64.b64encode(o).decode()}
    raise TypeError(repr(o))
out = []
for case in json.loads(sys.argv[1]):
    service = session.get_service_model(case['service'])
    op = service.operation_model(case['operation'])
    parser = botocore.parsers.create_parser(service.metadata['protocol'])
    res = {'body': case['body'].encode('utf-8'), 'headers': case['headers'], 'status_code': case['status']}
    out.append(parser.parse(res, op.output_shape))
print(json.dumps(out, default=enc))
`;

/** What PARSE prints for a JS value. */
function asPython(v: unknown): unknown {
  if (v instanceof Date) return { $date: v.getTime() };
  if (Buffer.isBuffer(v)) return { $blob: v.toString('base64') };
  if (Array.isArray(v)) return v.map(asPython);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPython(x)]));
  return v;
}

describe('botocore agrees', { skip: needTool('botocore') }, () => {
  it('we decode the request bodies botocore sends for EC2, IAM and SNS', () => {
    const cases = [
      { service: 'ec2', method: 'run_instances', uid: 'ec2-2016-11-15', codec: ec2Codec, params: {
        ImageId: 'ami-1', MinCount: 1, MaxCount: 2, EbsOptimized: true,
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, DeleteOnTermination: false } }],
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'a b+c' }] }], ClientToken: 't',
      } },
      { service: 'ec2', method: 'describe_spot_price_history', uid: 'ec2-2016-11-15', codec: ec2Codec, params: {
        StartTime: '2026-11-23T10:00:00Z', InstanceTypes: ['t3.micro', 'm5.large'], Filters: [{ Name: 'product-description', Values: ['Linux/UNIX'] }],
      } },
      { service: 'iam', method: 'create_role', uid: 'iam-2010-05-08', codec: queryCodec, params: {
        RoleName: 'r', AssumeRolePolicyDocument: '{"x":"&="}', Tags: [{ Key: 'k', Value: 'v' }], MaxSessionDuration: 3600,
      } },
      { service: 'sns', method: 'publish', uid: 'sns-2010-03-31', codec: queryCodec, params: {
        Message: 'm', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'raw' }, s: { DataType: 'String', StringValue: 'x' } },
      } },
    ];
    const expected: unknown[] = [
      { ...cases[0]!.params },
      { StartTime: day('2026-11-23T10:00:00Z'), InstanceTypes: ['t3.micro', 'm5.large'], Filters: [{ Name: 'product-description', Values: ['Linux/UNIX'] }] },
      { ...cases[2]!.params },
      { Message: 'm', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from('raw') }, s: { DataType: 'String', StringValue: 'x' } } },
    ];
    const bodies = python(SERIALIZE, cases.map(({ service, method, params }) => ({ service, method, params }))) as string[];
    cases.forEach((c, i) => {
      const m = model(c.uid);
      const req: WireRequest = {
        method: 'POST', path: '/', query: '', host: '127.0.0.1',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: Buffer.from(bodies[i]!),
      };
      const op = c.codec.resolveOperation(req, m);
      assert.deepStrictEqual(c.codec.parseInput(req, m, m.operation(op)!), expected[i], `${c.service}.${c.method}`);
    });
  });

  it('botocore parses our responses and errors to the same data', () => {
    const role = {
      Path: '/', RoleName: 'r', RoleId: 'AROA0', Arn: 'arn:aws:iam::000000000000:role/r', CreateDate: day('2026-11-23T10:00:00.250Z'),
      Tags: [{ Key: 'k', Value: '<&>' }], MaxSessionDuration: 3600,
    };
    const reservations = {
      Reservations: [{
        ReservationId: 'r-1', OwnerId: '0',
        Instances: [{ InstanceId: 'i-1', State: { Code: 16, Name: 'running' }, LaunchTime: day('2026-11-23T10:00:00Z'), EbsOptimized: true, Tags: [{ Key: 'a', Value: 'b' }] }],
      }],
    };
    type Case = { service: string; operation: string; uid: string; codec: ProtocolCodec; output?: object; error?: AwsError; expect: object };
    const cases: Case[] = [
      { service: 'iam', operation: 'ListRoles', uid: 'iam-2010-05-08', codec: queryCodec, output: { Roles: [role], IsTruncated: false },
        expect: { Roles: [role], IsTruncated: false } },
      { service: 'sns', operation: 'GetTopicAttributes', uid: 'sns-2010-03-31', codec: queryCodec, output: { Attributes: { a: '1', b: '' } },
        expect: { Attributes: { a: '1', b: '' } } },
      { service: 'ec2', operation: 'DescribeInstances', uid: 'ec2-2016-11-15', codec: ec2Codec, output: reservations, expect: reservations },
      { service: 'iam', operation: 'GetRole', uid: 'iam-2010-05-08', codec: queryCodec, error: new AwsError('NoSuchEntity', 'no role r', 404),
        expect: { Error: { Type: 'Sender', Code: 'NoSuchEntity', Message: 'no role r' } } },
      { service: 'ec2', operation: 'DescribeInstances', uid: 'ec2-2016-11-15', codec: ec2Codec, error: new AwsError('InvalidInstanceID.Malformed', 'bad id "x"'),
        expect: { Error: { Code: 'InvalidInstanceID.Malformed', Message: 'bad id "x"' } } },
    ];
    const wire = cases.map((c) => {
      const m = model(c.uid);
      const meta = { requestId: 'rid-9' };
      const res = c.error ? c.codec.serializeError(m, c.error, meta) : c.codec.serializeOutput(m, m.operation(c.operation)!, c.output, meta);
      return { service: c.service, operation: c.operation, body: String(res.body), headers: res.headers, status: res.status };
    });
    const parsed = python(PARSE, wire) as Array<Record<string, unknown>>;
    cases.forEach((c, i) => {
      const { ResponseMetadata, ...rest } = parsed[i]!;
      assert.deepStrictEqual(rest, asPython(c.expect), `${c.service}.${c.operation}`);
      assert.equal((ResponseMetadata as { RequestId?: string }).RequestId, 'rid-9', `${c.service}.${c.operation} request id`);
    });
  });
});
