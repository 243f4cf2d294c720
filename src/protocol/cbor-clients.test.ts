// The rpcv2Cbor codec against real clients: the AWS SDK v3's own protocol, and botocore.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import * as cw from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { cbor } from '@smithy/core/cbor';
import { HttpResponse } from '@smithy/core/protocols';
import { AwsError } from '../core/errors.js';
import { route } from '../server/route.js';
import { CATALOG } from '../services/catalog.js';
import { createRpcV2CborCodec } from './cbor.js';
import type { WireRequest, WireResponse } from './codec.js';
import { loadModel } from './models.js';
import { needTool } from '../../test/helpers/tools.js';

const SERVICE = 'GraniteServiceVersion20100801';
const cwModel = loadModel('monitoring-2010-08-01');
const codec = createRpcV2CborCodec({ serviceName: SERVICE });
const opPath = (op: string, service = SERVICE) => `/service/${service}/operation/${op}`;

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
