import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { needTool } from './tools.js';

/** A machine on which the AWS CLI v2 looks missing, outside CI. */
const noAws2 = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, CLOUDLET_TOOLS_ABSENT: 'aws2' };
  delete env.CI;
  delete env.CLOUDLET_REQUIRE_TOOLS;
  // Set by the runner for its own children; a nested run with it would report to this one.
  delete env.NODE_TEST_CONTEXT;
  return { ...env, ...extra };
};

test('a missing tool is a skip reason naming it and how to install it', () => {
  assert.equal(needTool('aws2', noAws2()),
    'needs AWS CLI v2 at /usr/bin/aws (apt-get install -y awscli); run scripts/setup-tools.sh as root');
  assert.match(needTool(['aws2', 'terraform'], noAws2({ CLOUDLET_TOOLS_ABSENT: 'aws2,terraform' })) ?? '',
    /^needs AWS CLI v2 at \/usr\/bin\/aws \(apt-get install -y awscli\) and terraform with the hashicorp\/aws provider in \/opt\/tf-plugins \(install the release binary from https:\/\/developer\.hashicorp\.com\/terraform\/install/);
});

test('under CI=true or CLOUDLET_REQUIRE_TOOLS=1 a missing tool is an error, not a skip', () => {
  for (const extra of [{ CI: 'true' }, { CLOUDLET_REQUIRE_TOOLS: '1' }]) {
    assert.throws(() => needTool('aws2', noAws2(extra)), /^Error: needs AWS CLI v2 at \/usr\/bin\/aws .*allows no skip$/);
  }
});

function runTests(env: NodeJS.ProcessEnv, fixture = 'test/fixtures/tools/needs-aws2.ts'): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['scripts/run-tests.mjs', fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (code) => done({ code, out }));
  });
}

test('the runner reports each skip with its reason, and fails them under CLOUDLET_REQUIRE_TOOLS=1', async () => {
  const skipped = await runTests(noAws2());
  assert.equal(skipped.code, 0, skipped.out);
  assert.match(skipped.out, /drives the AWS CLI v2 .*# needs AWS CLI v2 at \/usr\/bin\/aws \(apt-get install -y awscli\)/);
  assert.match(skipped.out, /a suite of AWS CLI v2 tests .*# needs AWS CLI v2 at \/usr\/bin\/aws/);
  // The skipped suite counts too, though the runner's own count leaves it out.
  assert.match(skipped.out, /\ntests: 1 passed, 0 failed, 2 skipped\n$/);

  const required = await runTests(noAws2({ CLOUDLET_REQUIRE_TOOLS: '1' }));
  assert.equal(required.code, 1, required.out);
  assert.match(required.out, /needs AWS CLI v2 at \/usr\/bin\/aws .*allows no skip/);
  assert.match(required.out, /\ntests: 0 passed, 1 failed, 0 skipped\n$/);
});

test('a test file that registers no test fails the run instead of passing silently', async () => {
  const r = await runTests(noAws2(), 'test/fixtures/tools/runs-no-test.ts');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /✖ \/.*\/test\/fixtures\/tools\/runs-no-test\.ts ran no test\n/);
  assert.match(r.out, /\ntests: 0 passed, 1 failed, 0 skipped\n$/);
});
