/**
 * The fixed-seed, quick slice of `npm run conformance` (test/conformance/): every operation of
 * every registered service and protocol except EC2 (a seeded ~15% of its 600+ operations), two
 * cases each (every member set; only required members), through the AWS SDK for JavaScript v3
 * and botocore, in both directions, plus every modeled error of each client. The full run
 * (`npm run conformance`) covers every operation with more cases and any seed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, type Client } from '../../test/conformance/report.js';
import { runConformance, sampleOperations, selectTargets } from '../../test/conformance/run.js';
import { needTool } from '../../test/helpers/tools.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SEED = 20261123;
const CASES = 2;
const botocoreSkip = needTool('botocore');

async function check(service: string, client: Client): Promise<void> {
  const reports = await runConformance({
    seed: SEED, cases: CASES, services: [service], clients: [client], timeoutMs: 10_000,
    pick: (t, ops) => (t.service === 'ec2' ? sampleOperations(SEED, ops, 0.15) : ops),
  });
  assert.ok(reports.length > 0);
  for (const r of reports) {
    const text = formatReport([r], { maxFailures: 10 });
    assert.deepStrictEqual(r.failures, [], text);
    assert.ok(r.cases.request > 0 && r.cases.error > 0, text);
    const expectedOps = r.service === 'ec2' ? 1 : r.modelOperations - r.onlyInModel.length;
    const aliased = r.unsupported.filter((u) => u.direction === 'request').length;
    assert.ok(r.covered.request.size + aliased >= expectedOps, `request coverage ${r.covered.request.size}/${expectedOps}\n${text}`);
  }
}

for (const target of selectTargets()) {
  const name = `${target.service}/${target.protocol}`;
  describe(`conformance ${name}`, () => {
    it('@aws-sdk/client-* serializes what cloudlet decodes, and reads what cloudlet encodes', () => check(name, 'sdk-js-v3'));
    it('botocore serializes what cloudlet decodes, and reads what cloudlet encodes', { skip: botocoreSkip }, () => check(name, 'botocore'));
  });
}
