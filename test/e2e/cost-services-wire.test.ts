// Cost Explorer (JSON 1.1), Budgets (JSON 1.1), Savings Plans (rest-json) and Compute Optimizer
// (JSON 1.0 and RPC v2 CBOR) are reachable with the JS SDK v3 and both AWS CLIs: signatures are
// verified, IAM names each service's own action, and an operation without a handler is a clean
// NotImplemented (501) in the protocol the client speaks (anomaly detection, Lambda recommendations).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { BudgetsClient, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { ComputeOptimizerClient, GetLambdaFunctionRecommendationsCommand } from '@aws-sdk/client-compute-optimizer';
import { CostExplorerClient, GetAnomaliesCommand } from '@aws-sdk/client-cost-explorer';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeSavingsPlansCommand, DescribeSavingsPlansOfferingsCommand, ListTagsForResourceCommand, SavingsplansClient,
} from '@aws-sdk/client-savingsplans';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { cborOnlyModelDir } from '../helpers/cbor-model.js';
import { needTool } from '../helpers/tools.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ACCOUNT = '000000000000';
const PLAN_ARN = `arn:aws:savingsplans::${ACCOUNT}:savingsplan/0b6e6a3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b`;

type Creds = { accessKeyId: string; secretAccessKey: string };
type Failure = { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };

function clients(url: string, credentials?: Creds) {
  const c = clientConfig(url, 'us-east-1', credentials);
  return {
    ce: new CostExplorerClient(c), budgets: new BudgetsClient(c), sp: new SavingsplansClient(c), co: new ComputeOptimizerClient(c),
    // The SDK's own RPC v2 CBOR protocol: what an SDK that prefers the model's first protocol sends.
    coCbor: new ComputeOptimizerClient({ ...c, protocol: AwsSmithyRpcV2CborProtocol }),
  };
}

/** One call per service, and Compute Optimizer over CBOR too; ce's and Compute Optimizer's have no handler. */
function probes(c: ReturnType<typeof clients>): Array<[string, () => Promise<unknown>]> {
  return [
    ['ce:GetAnomalies', () => c.ce.send(new GetAnomaliesCommand({ DateInterval: { StartDate: '2026-11-01' } }))],
    ['budgets:DescribeBudget', () => c.budgets.send(new DescribeBudgetCommand({ AccountId: ACCOUNT, BudgetName: 'none' }))],
    ['savingsplans:DescribeSavingsPlansOfferings', () => c.sp.send(new DescribeSavingsPlansOfferingsCommand({}))],
    ['compute-optimizer:GetLambdaFunctionRecommendations', () => c.co.send(new GetLambdaFunctionRecommendationsCommand({}))],
    ['compute-optimizer:GetLambdaFunctionRecommendations', () => c.coCbor.send(new GetLambdaFunctionRecommendationsCommand({}))],
  ];
}
const UNIMPLEMENTED = [0, 3, 4];

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    return e as Failure;
  }
  throw new Error('the call succeeded');
}

describe('Cost Explorer, Budgets, Savings Plans, Compute Optimizer: the wire', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  test('JS SDK v3: an operation without a handler is NotImplemented (501) with a request ID, in each protocol', async () => {
    for (const [what, call] of probes(clients(cl.url)).filter((_, i) => UNIMPLEMENTED.includes(i))) {
      const e = await failure(call());
      assert.equal(e.name, 'NotImplemented', what);
      assert.equal(e.$metadata?.httpStatusCode, 501, what);
      assert.match(e.message ?? '', new RegExp(`cloudlet does not implement ${what}`), what);
      assert.match(e.$metadata?.requestId ?? '', /^[0-9a-f-]{36}$/, what);
    }
  });

  test('Savings Plans over rest-json: the account has no plans; a plan ARN it does not hold is ResourceNotFoundException (404)', async () => {
    const { sp } = clients(cl.url);
    const got = await sp.send(new DescribeSavingsPlansCommand({ states: ['active'] }));
    assert.deepEqual(got.savingsPlans, []);
    const e = await failure(sp.send(new ListTagsForResourceCommand({ resourceArn: PLAN_ARN })));
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.$metadata?.httpStatusCode, 404);
  });

  test('signatures are verified: a wrong secret and an unknown key are refused in each service\'s words', async () => {
    const wrong = clients(cl.url, { accessKeyId: 'test', secretAccessKey: 'not-the-secret' });
    const results = await Promise.all(probes(wrong).map(([, call]) => failure(call())));
    assert.deepEqual(results.map((e) => [e.name, e.$metadata?.httpStatusCode]), [
      ['InvalidSignatureException', 400], ['InvalidSignatureException', 400], ['InvalidSignatureException', 403], ['InvalidSignatureException', 400],
      ['InvalidSignatureException', 400],
    ]);
    const unknown = await failure(clients(cl.url, { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }).sp.send(new DescribeSavingsPlansCommand({})));
    assert.deepEqual([unknown.name, unknown.$metadata?.httpStatusCode], ['UnrecognizedClientException', 403]);
  });

  test('IAM: a user without permissions is denied each service\'s own action (Budgets: budgets:ViewBudget)', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateUserCommand({ UserName: 'penny' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'penny' }))).AccessKey!;
    const penny = clients(cl.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const calls = [...probes(penny), ['savingsplans:DescribeSavingsPlans', () => penny.sp.send(new DescribeSavingsPlansCommand({}))] as const];
    const actions = ['ce:GetAnomalies', 'budgets:ViewBudget', 'savingsplans:DescribeSavingsPlansOfferings', 'compute-optimizer:GetLambdaFunctionRecommendations',
      'compute-optimizer:GetLambdaFunctionRecommendations', 'savingsplans:DescribeSavingsPlans'];
    const statuses = [400, 400, 403, 403, 403, 403];
    for (const [i, [, call]] of calls.entries()) {
      const e = await failure(call());
      assert.equal(e.name, 'AccessDeniedException', actions[i]);
      assert.equal(e.$metadata?.httpStatusCode, statuses[i], actions[i]);
      assert.match(e.message ?? '', new RegExp(`is not authorized to perform: ${actions[i]} `), actions[i]);
    }
  });

  for (const cli of awsClis()) {
    // Both CLIs speak JSON 1.0 to Compute Optimizer: botocore ranks json before CBOR.
    test(`${cli.name}: each service is reached; no handler is (NotImplemented); Savings Plans answers over rest-json`, { skip: cli.skip }, async () => {
      const run = (args: string[]) => runAws(cli.bin, cl.url, args);
      const [ce, budgets, offerings, co, plans, bad] = await Promise.all([
        run(['ce', 'get-anomalies', '--date-interval', 'StartDate=2026-11-01']),
        run(['budgets', 'describe-budget', '--account-id', ACCOUNT, '--budget-name', 'none']),
        run(['savingsplans', 'describe-savings-plans-offerings', '--max-results', '1']),
        run(['compute-optimizer', 'get-lambda-function-recommendations']),
        run(['savingsplans', 'describe-savings-plans']),
        runAws(cli.bin, cl.url, ['savingsplans', 'describe-savings-plans'], { AWS_SECRET_ACCESS_KEY: 'wrong' }),
      ]);
      for (const [what, r] of [['ce', ce], ['compute-optimizer', co]] as const) {
        assert.notEqual(r.status, 0, what);
        assert.match(r.stderr, /\(NotImplemented\)/, `${what}: ${r.stderr}`);
      }
      assert.match(budgets.stderr, /\(NotFoundException\)/, budgets.stderr);
      assert.equal(offerings.status, 0, offerings.stderr);
      assert.equal(plans.status, 0, plans.stderr);
      assert.deepEqual(JSON.parse(plans.stdout), { savingsPlans: [] });
      assert.match(bad.stderr, /\(InvalidSignatureException\)/, bad.stderr);
    });
  }

  const v1 = awsClis().find((c) => c.name === 'aws-cli v1')!;
  test('aws-cli v1 told the model offers only RPC v2 CBOR (AWS_DATA_PATH): Compute Optimizer over CBOR', { skip: v1.skip ?? needTool('botocore') }, async () => {
    const { dataPath, remove } = await cborOnlyModelDir('compute-optimizer');
    try {
      const r = await runAws(v1.bin, cl.url, ['--debug', 'compute-optimizer', 'get-lambda-function-recommendations'], { AWS_DATA_PATH: dataPath });
      assert.match(r.stderr, /\/service\/ComputeOptimizerService\/operation\/GetLambdaFunctionRecommendations/, 'the CLI sent an RPC v2 CBOR request');
      assert.match(r.stderr, /An error occurred \(NotImplemented\) when calling the GetLambdaFunctionRecommendations operation: cloudlet does not implement compute-optimizer:GetLambdaFunctionRecommendations yet/);
    } finally {
      remove();
    }
  });
});
