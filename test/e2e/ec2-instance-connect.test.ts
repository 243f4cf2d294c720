// EC2 Instance Connect's SendSSHPublicKey through the AWS CLI (the project has no
// @aws-sdk/client-ec2-instance-connect): the key lives 60 seconds for a running instance.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceConnectKeys } from '../../src/services/ec2-instance-connect/index.js';
import { openSshLine } from '../../src/services/ec2/compute/keys-format.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };

/** A t3.micro launched in us-east-1a of the default VPC, stopped when asked. */
async function launch(cl: Cloudlet, stopped = false): Promise<string> {
  const ec2 = new EC2Client(clientConfig(cl.url));
  const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
  const id = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1a' } }))).Instances![0]!.InstanceId!;
  if (stopped) await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
  return id;
}

const dir = mkdtempSync(join(tmpdir(), 'cloudlet-eic-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const pubFile = (line: string): string => { const f = join(dir, `k${Math.random().toString(36).slice(2)}.pub`); writeFileSync(f, `${line}\n`); return f; };

for (const cli of awsClis()) {
  describe(`EC2 Instance Connect with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    const send = (args: string[]) => runAws(cli.bin, cl.url, ['ec2-instance-connect', '--region', 'us-east-1', 'send-ssh-public-key', ...args]);
    const liveKeys = (id: string) => cl.deps.store.transaction((tx) => instanceConnectKeys({ tx, scope: SCOPE, clock: cl.deps.clock }, id));

    test('a running instance takes the key for 60 seconds, per OS user; others are refused', async () => {
      const id = await launch(cl);
      const ed = openSshLine(generateKeyPairSync('ed25519').publicKey, 'me@laptop');
      const got = await awsJson(cli.bin, cl.url, ['ec2-instance-connect', 'send-ssh-public-key', '--instance-id', id,
        '--instance-os-user', 'ec2-user', '--ssh-public-key', `file://${pubFile(ed)}`, '--availability-zone', 'us-east-1a']);
      assert.equal(got.Success, true);
      assert.match(got.RequestId, /\S/);
      const rsa = openSshLine(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, '');
      assert.equal((await send(['--instance-id', id, '--instance-os-user', 'admin', '--ssh-public-key', `file://${pubFile(rsa)}`])).status, 0);
      assert.deepEqual((await liveKeys(id)).sort((a, b) => a.osUser.localeCompare(b.osUser)), [{ osUser: 'admin', key: rsa }, { osUser: 'ec2-user', key: ed }]);

      cl.deps.clock.advance(61_000);
      assert.deepEqual(await liveKeys(id), [], 'gone after 60 seconds');

      const small = openSshLine(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, '');
      for (const [args, code] of [
        [['--instance-id', 'i-0ffffffffffffffff', '--instance-os-user', 'ec2-user', '--ssh-public-key', `file://${pubFile(ed)}`], 'EC2InstanceNotFoundException'],
        [['--instance-id', id, '--instance-os-user', 'ec2-user', '--ssh-public-key', `file://${pubFile(small)}`], 'InvalidArgsException'],
        [['--instance-id', id, '--instance-os-user', 'bad user!', '--ssh-public-key', `file://${pubFile(ed)}`], 'InvalidArgsException'],
        [['--instance-id', id, '--instance-os-user', 'ec2-user', '--ssh-public-key', `file://${pubFile(ed)}`, '--availability-zone', 'us-east-1b'], 'InvalidArgsException'],
      ] as Array<[string[], string]>) {
        const r = await send(args);
        assert.notEqual(r.status, 0, args.join(' '));
        assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
      }
    });

    test('a stopped instance: EC2InstanceStateInvalidException', async () => {
      const id = await launch(cl, true);
      const ed = openSshLine(generateKeyPairSync('ed25519').publicKey, '');
      const r = await send(['--instance-id', id, '--instance-os-user', 'ec2-user', '--ssh-public-key', `file://${pubFile(ed)}`]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /\(EC2InstanceStateInvalidException\)/);
      assert.deepEqual(await liveKeys(id), []);
    });
  });
}

const cli = awsClis().find((c) => !c.skip) ?? awsClis()[0]!;
describe(`EC2 Instance Connect authorization (${cli.name}, IAM enforced)`, { skip: cli.skip }, () => {
  let cl: Cloudlet;
  let bob: Record<string, string>;
  before(async () => {
    cl = await startTestServer({ iam: 'enforce' });
    const root = (args: string[]) => awsJson(cli.bin, cl.url, args);
    await root(['iam', 'create-user', '--user-name', 'bob']);
    await root(['iam', 'put-user-policy', '--user-name', 'bob', '--policy-name', 'eic', '--policy-document', JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow', Action: 'ec2-instance-connect:SendSSHPublicKey', Resource: `arn:aws:ec2:us-east-1:${SCOPE.account}:instance/*`,
        Condition: { StringEquals: { 'ec2:osuser': 'ec2-user' } },
      }],
    })]);
    const key = (await root(['iam', 'create-access-key', '--user-name', 'bob'])).AccessKey;
    bob = { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
  });
  after(async () => { await cl.close(); });

  test('the policy sees the instance ARN and ec2:osuser', async () => {
    const id = await launch(cl);
    const f = pubFile(openSshLine(generateKeyPairSync('ed25519').publicKey, ''));
    const send = (user: string) => runAws(cli.bin, cl.url, ['ec2-instance-connect', '--region', 'us-east-1', 'send-ssh-public-key',
      '--instance-id', id, '--instance-os-user', user, '--ssh-public-key', `file://${f}`], bob);
    const ok = await send('ec2-user');
    assert.equal(ok.status, 0, ok.stderr);
    const denied = await send('root');
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, new RegExp(`not authorized to perform: ec2-instance-connect:SendSSHPublicKey on resource: arn:aws:ec2:us-east-1:${SCOPE.account}:instance/${id}`));
  });
});
