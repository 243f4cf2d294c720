// `cloudlet net why` against a spawned server, its admin endpoint POST /_cloudlet/net/why, and
// Reachability Analyzer through the AWS CLI (create-network-insights-path, start-..., describe-...),
// all on the seeds' three-tier network built through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EC2Client } from '@aws-sdk/client-ec2';
import { awsClis, awsJson } from '../helpers/cli.js';
import { runCli, startProcess, type Running } from '../helpers/process.js';
import { clientConfig } from '../helpers/server.js';
import { buildThreeTier, type ThreeTier } from '../helpers/three-tier.js';

let srv: Running;
let n: ThreeTier;
before(async () => {
  srv = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'warn']);
  n = await buildThreeTier(new EC2Client(clientConfig(srv.url)));
});
after(async () => { srv.child.kill('SIGTERM'); await srv.exited; });

describe('cloudlet net why', () => {
  const why = (...args: string[]) => runCli(['net', 'why', ...args, '--endpoint', srv.url]);

  test('internet -> web tier 443: exit 0, the path hop by hop with the deciding rules', async () => {
    const r = await why('internet', n.albEni, '--port', '443');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: reachable\n/);
    assert.match(r.stdout, new RegExp(n.igwId));
    assert.match(r.stdout, new RegExp(n.lbSg));
    assert.match(r.stdout, /443/);
    assert.match(r.stdout, /return path:/);
  });

  test('internet -> database 5432: exit 1, and why', async () => {
    const r = await why('internet', n.dbEni, '--port', '5432');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /not reachable/);
    assert.match(r.stdout, /why:/);
    assert.match(r.stdout, new RegExp(n.dbRtbId), 'names the route table with no route to the internet gateway');
  });

  test('app -> database by address, --json: the same answer as the admin endpoint', async () => {
    const r = await why(n.appEni, n.dbIp, '--port', '5432', '--protocol', 'tcp', '--json');
    assert.equal(r.code, 0, r.stderr);
    const cli = JSON.parse(r.stdout);
    const res = await fetch(`${srv.url}/_cloudlet/net/why`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: n.appEni, destination: n.dbIp, port: 5432, protocol: 'tcp' }),
    });
    assert.equal(res.status, 200);
    const api = await res.json() as { NetworkPathFound: boolean; ForwardPathComponents: unknown[]; Explanations: unknown[] };
    assert.equal(api.NetworkPathFound, true);
    assert.deepEqual(cli.ForwardPathComponents, api.ForwardPathComponents);
    assert.deepEqual(api.Explanations, []);
  });

  test('bad questions: usage errors exit 2; the endpoint answers AWS codes, refuses non-JSON bodies', async () => {
    assert.equal((await why('internet', n.albEni)).code, 2, '--port is required');
    assert.equal((await why('internet', n.albEni, '--port', '99999')).code, 2);
    assert.equal((await why('internet', n.albEni, '--port', '443', '--protocol', 'icmp')).code, 2);
    const unknown = await why('eni-0123456789abcdef0', n.albEni, '--port', '443');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /InvalidNetworkInterfaceID\.NotFound/);
    const form = await fetch(`${srv.url}/_cloudlet/net/why`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'source=internet' });
    assert.equal(form.status, 415);
    const bad = await fetch(`${srv.url}/_cloudlet/net/why`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'internet', destination: n.albEni, port: 'x' }) });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json() as { error: string }).error, 'InvalidParameterValue');
    const otherAccount = await fetch(`${srv.url}/_cloudlet/net/why`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'internet', destination: n.albEni, port: 443, account: '222222222222' }) });
    assert.equal(otherAccount.status, 400, 'the interface belongs to another account');
  });
});

for (const cli of awsClis()) {
  describe(`Reachability Analyzer with ${cli.name}`, { skip: cli.skip }, () => {
    const ec2 = (args: string[]) => awsJson(cli.bin, srv.url, ['ec2', '--region', 'us-east-1', ...args]);

    test('create-network-insights-path, start-network-insights-analysis, describe-network-insights-analyses', async () => {
      const path = (await ec2(['create-network-insights-path', '--source', n.igwId, '--destination', n.albEni, '--protocol', 'tcp', '--destination-port', '443'])).NetworkInsightsPath;
      assert.match(path.NetworkInsightsPathId, /^nip-/);
      const started = (await ec2(['start-network-insights-analysis', '--network-insights-path-id', path.NetworkInsightsPathId])).NetworkInsightsAnalysis;
      assert.equal(started.Status, 'succeeded');
      const [a] = (await ec2(['describe-network-insights-analyses', '--network-insights-analysis-ids', started.NetworkInsightsAnalysisId])).NetworkInsightsAnalyses;
      assert.equal(a.NetworkPathFound, true);
      assert.equal(a.ForwardPathComponents[0].Component.Id, n.igwId);
      assert.ok(a.ForwardPathComponents.some((h: { SecurityGroupRule?: { SecurityGroupId: string } }) => h.SecurityGroupRule?.SecurityGroupId === n.lbSg));

      const dbPath = (await ec2(['create-network-insights-path', '--source', n.igwId, '--destination', n.dbEni, '--protocol', 'tcp', '--destination-port', '5432'])).NetworkInsightsPath;
      const dbA = (await ec2(['start-network-insights-analysis', '--network-insights-path-id', dbPath.NetworkInsightsPathId])).NetworkInsightsAnalysis;
      const [db] = (await ec2(['describe-network-insights-analyses', '--network-insights-path-id', dbPath.NetworkInsightsPathId])).NetworkInsightsAnalyses;
      assert.equal(db.NetworkInsightsAnalysisId, dbA.NetworkInsightsAnalysisId);
      assert.equal(db.NetworkPathFound, false);
      assert.equal(db.Explanations[0].ExplanationCode, 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
      const paths = (await ec2(['describe-network-insights-paths', '--filters', `Name=destination,Values=${n.dbEni}`])).NetworkInsightsPaths;
      assert.ok(paths.some((p: { NetworkInsightsPathId: string }) => p.NetworkInsightsPathId === dbPath.NetworkInsightsPathId));
    });
  });
}
