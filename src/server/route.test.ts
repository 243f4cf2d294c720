import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WireRequest } from '../protocol/codec.js';
import { CATALOG } from '../services/catalog.js';
import { route, scopeService } from './route.js';

function req(p: Partial<WireRequest>): WireRequest {
  return { method: 'POST', path: '/', query: '', headers: {}, body: Buffer.alloc(0), host: '127.0.0.1', ...p };
}
const auth = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=test/20261123/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00` });
const name = (r: ReturnType<typeof route>) => r && `${r.entry.name}${r.json ? '+json' : ''}`;

test('the credential scope decides first', () => {
  assert.equal(name(route(req({ headers: auth('ec2') }), CATALOG)), 'ec2');
  assert.equal(name(route(req({ headers: auth('iam') }), CATALOG)), 'iam');
  assert.equal(name(route(req({ headers: auth('elasticloadbalancing') }), CATALOG)), 'elbv2');
  assert.equal(route(req({ headers: auth('nosuchservice') }), CATALOG), undefined);
  assert.equal(scopeService(req({ query: 'X-Amz-Credential=test%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00' })), 's3');
});

test('X-Amz-Target picks the JSON protocol, also for services whose model is query (CloudWatch)', () => {
  assert.equal(name(route(req({ headers: { ...auth('monitoring'), 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' } }), CATALOG)), 'cloudwatch+json');
  assert.equal(name(route(req({ headers: auth('monitoring') }), CATALOG)), 'cloudwatch');
  assert.equal(name(route(req({ headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.ListImages' } }), CATALOG)), 'ecr');
});

test('unsigned requests route by Host, then by the query Version, and otherwise go to S3', () => {
  assert.equal(name(route(req({ host: 'sts.us-east-1.localhost' }), CATALOG)), 'sts');
  assert.equal(name(route(req({ host: 'api.ecr.us-east-1.localhost' }), CATALOG)), 'ecr');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  assert.equal(name(route(req({ headers: form, body: Buffer.from('Action=AssumeRoleWithWebIdentity&Version=2011-06-15') }), CATALOG)), 'sts');
  assert.equal(name(route(req({ method: 'GET', query: 'Action=DescribeRegions&Version=2016-11-15' }), CATALOG)), 'ec2');
  assert.equal(name(route(req({ method: 'GET', path: '/bucket/key' }), CATALOG)), 's3');
  assert.equal(name(route(req({ method: 'GET', host: 'bucket.s3.localhost' }), CATALOG)), 's3');
});

test('the billing services and Compute Optimizer: by scope, target, CBOR header or Host; rest-json (Savings Plans) by scope alone', () => {
  assert.equal(name(route(req({ headers: { ...auth('ce'), 'x-amz-target': 'AWSInsightsIndexService.GetCostAndUsage' } }), CATALOG)), 'ce');
  assert.equal(name(route(req({ headers: { ...auth('budgets'), 'x-amz-target': 'AWSBudgetServiceGateway.DescribeBudgets' } }), CATALOG)), 'budgets');
  assert.equal(name(route(req({ path: '/DescribeSavingsPlans', headers: auth('savingsplans') }), CATALOG)), 'savingsplans');
  assert.equal(name(route(req({ path: '/DescribeSavingsPlans', host: 'savingsplans.localhost' }), CATALOG)), 'savingsplans');
  assert.equal(name(route(req({ headers: { 'x-amz-target': 'AWSInsightsIndexService.GetTags' } }), CATALOG)), 'ce');
  const co = route(req({ path: '/service/ComputeOptimizerService/operation/GetEnrollmentStatus', headers: { ...auth('compute-optimizer'), 'smithy-protocol': 'rpc-v2-cbor' } }), CATALOG);
  assert.deepEqual([co?.entry.name, co?.cbor], ['compute-optimizer', true]);
  assert.equal(name(route(req({ headers: { ...auth('compute-optimizer'), 'x-amz-target': 'ComputeOptimizerService.GetEnrollmentStatus' } }), CATALOG)), 'compute-optimizer');
});

test('S3 Control shares the signing name s3: its /v20180820/ paths with x-amz-account-id go to s3control, the rest to S3', () => {
  const pab = '/v20180820/configuration/publicAccessBlock';
  const account = { 'x-amz-account-id': '000000000000' };
  assert.equal(name(route(req({ method: 'GET', path: pab, host: '000000000000.localhost', headers: { ...auth('s3'), ...account } }), CATALOG)), 's3control');
  assert.equal(name(route(req({ method: 'GET', path: pab, host: '000000000000.localhost', headers: account }), CATALOG)), 's3control');
  // A bucket named v20180820 stays S3's: no S3 request carries x-amz-account-id.
  assert.equal(name(route(req({ method: 'GET', path: pab, headers: auth('s3') }), CATALOG)), 's3');
  assert.equal(name(route(req({ method: 'GET', path: '/bucket/key', headers: { ...auth('s3'), ...account } }), CATALOG)), 's3');
});
