import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cbor } from '@smithy/core/cbor';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { awsClis, runAws, type CliResult } from '../helpers/cli.js';
import { cborOnlyModelDir } from '../helpers/cbor-model.js';
import { needTool } from '../helpers/tools.js';
import { signedFetch } from '../helpers/sign.js';

/**
 * The wire: each CLI's request reaches the operation and the CLI reads the answer, whichever of
 * CloudWatch's three protocols it speaks. ListDashboards (not implemented: 501 NotImplemented)
 * shows the error path; the metrics operations themselves are tested in cloudwatch-metrics.test.ts.
 *
 *   CLI v2 2.9 (Debian, older botocore): awsQuery.
 *   CLI v1 with botocore 1.43: JSON 1.0. botocore takes the first protocol of its priority list
 *   (json, rest-json, rest-xml, smithy-rpc-v2-cbor, query, ec2) that the model offers, and the
 *   CloudWatch model offers ['smithy-rpc-v2-cbor', 'json', 'query'].
 *   CLI v1 told the model offers only RPC v2 CBOR (AWS_DATA_PATH, botocore's own override for
 *   service models): RPC v2 CBOR, which is what SDKs that prefer CBOR send.
 */

const run = promisify(execFile);
const clis = awsClis();
const v1 = clis.find((c) => c.name === 'aws-cli v1')!;

const NOT_IMPLEMENTED = /An error occurred \(NotImplemented\) when calling the ListDashboards operation: cloudlet does not implement cloudwatch:ListDashboards yet/;

/** What botocore's --debug log says about the request and the answer's status. */
function wireOf(r: CliResult): { protocol: string; status: number | undefined } {
  const log = r.stderr;
  const protocol = /rpc-v2-cbor/.test(log) && /\/service\/GraniteServiceVersion20100801\/operation\/ListDashboards/.test(log) ? 'rpc-v2-cbor'
    : /GraniteServiceVersion20100801\.ListDashboards/.test(log) ? 'json'
      : /Action=ListDashboards|'Action': 'ListDashboards'/.test(log) ? 'query' : 'unknown';
  // urllib3 logs every exchange as: "POST /path HTTP/1.1" 501 123
  const status = /"POST [^"]* HTTP\/1\.1" (\d{3})/.exec(log)?.[1];
  return { protocol, status: status ? Number(status) : undefined };
}

/** The CLI read the error from the answer (no parser trouble): its one line of output is the error. */
function assertNotImplemented(r: CliResult): void {
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.trim(), new RegExp(`^${NOT_IMPLEMENTED.source}$`));
}

/** Runs the command twice: as a user would (the message), and with --debug (the protocol and status). */
async function listDashboards(bin: string, url: string, env: Record<string, string> = {}) {
  const plain = await runAws(bin, url, ['cloudwatch', 'list-dashboards'], env);
  const debug = await runAws(bin, url, ['cloudwatch', 'list-dashboards', '--debug'], env);
  assert.match(debug.stderr, NOT_IMPLEMENTED);
  return { plain, ...wireOf(debug) };
}

describe('aws cloudwatch list-dashboards against cloudlet', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  for (const cli of clis) {
    test(`${cli.name}: NotImplemented (HTTP 501) in the CLI's default protocol`, { skip: cli.skip }, async (t) => {
      const r = await listDashboards(cli.bin, cl.url);
      assertNotImplemented(r.plain);
      t.diagnostic(`${cli.name} speaks ${r.protocol} to CloudWatch`);
      assert.notEqual(r.protocol, 'unknown');
      assert.equal(r.status, 501);
    });
  }

  // The model rewrite below runs the PATH's python3 with botocore.
  describe('aws-cli v1 over RPC v2 CBOR', { skip: v1.skip ?? needTool('botocore') }, () => {
    let dataPath: string;
    let remove = (): void => {};
    before(async () => {
      ({ dataPath, remove } = await cborOnlyModelDir('cloudwatch'));
    });
    after(() => remove());

    test('aws cloudwatch list-dashboards: NotImplemented (HTTP 501), read from the CBOR error body', async () => {
      const r = await listDashboards(v1.bin, cl.url, { AWS_DATA_PATH: dataPath });
      assert.equal(r.protocol, 'rpc-v2-cbor', 'the CLI sent an RPC v2 CBOR request');
      assertNotImplemented(r.plain);
      assert.equal(r.status, 501);
    });

    test('aws cloudwatch put-metric-data and get-metric-data reach their operations too', async () => {
      const at = new Date(Date.parse((await (await fetch(`${cl.url}/_cloudlet/clock`)).json() as { now: string }).now) - 3_600_000);
      at.setUTCSeconds(0, 0);
      const put = await runAws(v1.bin, cl.url, ['cloudwatch', 'put-metric-data', '--namespace', 'App/Web',
        '--metric-data', `MetricName=Latency,Value=12.5,Unit=Milliseconds,Timestamp=${at.toISOString()},Dimensions=[{Name=Host,Value=a}]`],
      { AWS_DATA_PATH: dataPath });
      assert.equal(put.status, 0, put.stderr);
      const get = await runAws(v1.bin, cl.url, ['cloudwatch', 'get-metric-data', '--start-time', new Date(at.getTime() - 600_000).toISOString(), '--end-time', new Date(at.getTime() + 600_000).toISOString(),
        '--metric-data-queries', '[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"App/Web","MetricName":"Latency","Dimensions":[{"Name":"Host","Value":"a"}]},"Period":60,"Stat":"Average"}}]'],
      { AWS_DATA_PATH: dataPath });
      assert.equal(get.status, 0, get.stderr);
      assert.deepEqual(JSON.parse(get.stdout).MetricDataResults[0].Values, [12.5]);
    });
  });

  describe('RPC v2 CBOR requests no SDK sends', () => {
    const path = '/service/GraniteServiceVersion20100801/operation/ListMetrics';
    const headers = { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' };
    const answer = async (res: Response) => ({
      status: res.status, protocol: res.headers.get('smithy-protocol'), queryError: res.headers.get('x-amzn-query-error'),
      body: cbor.deserialize(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>,
    });

    test('a malformed CBOR body is a SerializationException, in CBOR', async () => {
      const a = await answer(await signedFetch(cl.url, 'monitoring', { path, headers, body: Buffer.from([0xa1, 0x61]) }));
      assert.equal(a.status, 400);
      assert.equal(a.protocol, 'rpc-v2-cbor');
      assert.equal(a.queryError, 'SerializationException;Sender');
      assert.equal(a.body.__type, 'SerializationException');
      assert.match(String(a.body.message), /not valid CBOR/);
    });

    test('an unsigned request is refused as the JSON services refuse it, in CBOR', async () => {
      const a = await answer(await fetch(`${cl.url}${path}`, { method: 'POST', headers, body: new Uint8Array([0xa0]) }));
      assert.equal(a.status, 400);
      assert.equal(a.protocol, 'rpc-v2-cbor');
      assert.equal(a.body.__type, 'MissingAuthenticationTokenException');
    });

    test('an unknown operation is a 404 UnknownOperationException', async () => {
      const a = await answer(await signedFetch(cl.url, 'monitoring', { path: path.replace('ListMetrics', 'ListWidgets'), headers, body: Buffer.from([0xa0]) }));
      assert.equal(a.status, 404);
      assert.equal(a.body.__type, 'UnknownOperationException');
      assert.match(String(a.body.message), /ListWidgets/);
    });
  });
});
