// The AWS CLI v1 and v2 on instances: run, the waiters (which return at once with the default
// boot delay), stop, a type change while stopped, start, terminate; volumes and ENIs follow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

for (const cli of awsClis()) {
  describe(`EC2 instances with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    const ec2 = (args: string[]) => awsJson(cli.bin, cl.url, ['ec2', ...args]);
    const wait = async (what: string, id: string) => {
      const t = Date.now();
      const r = await runAws(cli.bin, cl.url, ['ec2', 'wait', what, '--instance-ids', id]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Date.now() - t < 10_000, `${what} returns at once`);
    };

    test('run into a subnet, wait, stop, modify the type, start, terminate', { timeout: 120_000 }, async () => {
      const ami = (await ec2(['describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=al2023-ami-*-kernel-6.1-x86_64',
        '--query', 'sort_by(Images, &CreationDate)[-1].ImageId'])) as string;
      assert.match(ami, /^ami-[0-9a-f]{17}$/);
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.40.0.0/16'])).Vpc.VpcId;
      const subnet = (await ec2(['create-subnet', '--vpc-id', vpc, '--cidr-block', '10.40.1.0/24', '--availability-zone', 'us-east-1c'])).Subnet.SubnetId;
      const run = await ec2(['run-instances', '--image-id', ami, '--instance-type', 't3.micro', '--count', '1', '--subnet-id', subnet,
        '--user-data', '#!/bin/sh\necho hello', '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=cli}]']);
      const id = run.Instances[0].InstanceId as string;
      await wait('instance-running', id);
      const d = await ec2(['describe-instances', '--filters', 'Name=tag:Name,Values=cli', '--query', 'Reservations[].Instances[]']);
      assert.equal(d.length, 1);
      assert.equal(d[0].State.Name, 'running');
      assert.equal(d[0].Placement.AvailabilityZone, 'us-east-1c');
      const ud = await ec2(['describe-instance-attribute', '--instance-id', id, '--attribute', 'userData']);
      assert.equal(Buffer.from(ud.UserData.Value, 'base64').toString(), '#!/bin/sh\necho hello', 'the CLI base64-encodes user data once');
      const bad = await runAws(cli.bin, cl.url, ['ec2', 'modify-instance-attribute', '--instance-id', id, '--instance-type', 't3.small']);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /IncorrectInstanceState/);
      await ec2(['stop-instances', '--instance-ids', id]);
      await wait('instance-stopped', id);
      await ec2(['modify-instance-attribute', '--instance-id', id, '--instance-type', '{"Value": "t3.small"}']);
      await ec2(['start-instances', '--instance-ids', id]);
      await wait('instance-running', id);
      const again = (await ec2(['describe-instances', '--instance-ids', id])).Reservations[0].Instances[0];
      assert.equal(again.InstanceType, 't3.small');
      assert.equal(again.PrivateIpAddress, d[0].PrivateIpAddress);
      const status = await ec2(['describe-instance-status', '--instance-ids', id]);
      assert.equal(status.InstanceStatuses[0].InstanceState.Name, 'running');
      const vols = await ec2(['describe-volumes', '--filters', `Name=attachment.instance-id,Values=${id}`]);
      assert.equal(vols.Volumes.length, 1);
      const out = await ec2(['get-console-output', '--instance-id', id]);
      assert.match(out.Output, /Cloud-init/);
      await ec2(['terminate-instances', '--instance-ids', id]);
      await wait('instance-terminated', id);
      const gone = await ec2(['describe-volumes', '--filters', `Name=attachment.instance-id,Values=${id}`]);
      assert.equal(gone.Volumes.length, 0, 'the root volume went with the instance');
      const bad2 = await runAws(cli.bin, cl.url, ['ec2', 'run-instances', '--image-id', 'ami-0000000000000000f', '--instance-type', 't3.micro']);
      assert.match(bad2.stderr, /InvalidAMIID\.NotFound/);
    });
  });
}
