// Terraform's hashicorp/aws provider on EC2 compute: data.aws_ami, aws_key_pair,
// aws_launch_template, aws_instance (instance profile, metadata_options, root and extra EBS),
// aws_ebs_volume + aws_volume_attachment, aws_ebs_snapshot, aws_placement_group and
// aws_spot_instance_request: apply, a second plan with no changes, a clean destroy.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { terraform, terraformDir } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: instances, templates, volumes, snapshots, placement groups, Spot', { skip: needTool('terraform') }, () => {
  let cl: Cloudlet;
  let dir: string;
  before(async () => {
    cl = await startTestServer();
    dir = terraformDir('terraform-ec2', 'cloudlet-tf-ec2-');
  });
  after(async () => {
    await cl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const vars = ['-var', `endpoint=${cl.url}`];
    const init = await terraform(dir, ['init']);
    assert.equal(init.status, 0, init.out);
    const apply = await terraform(dir, ['apply', '-auto-approve', ...vars]);
    assert.equal(apply.status, 0, apply.out);
    assert.match(apply.out, /Apply complete! Resources: 14 added/);
    assert.match(apply.out, /private_ip = "10\.30\.1\.\d+"/);

    const ec2 = new EC2Client(clientConfig(cl.url));
    const app = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-app'] }] }))).Reservations![0]!.Instances![0]!;
    assert.equal(app.State!.Name, 'running');
    assert.equal(app.MetadataOptions!.HttpTokens, 'required');
    assert.equal(app.Placement!.GroupName, 'tf-spread');
    const vols = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [app.InstanceId!] }] }))).Volumes!;
    assert.deepEqual(vols.map((v) => v.Attachments![0]!.Device).sort(), ['/dev/sdg', '/dev/xvda']);
    assert.equal(vols.find((v) => v.Attachments![0]!.Device === '/dev/xvda')!.Size, 12);
    const fromLt = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf-from-template'] }] }))).Reservations![0]!.Instances![0]!;
    assert.equal(fromLt.MetadataOptions!.HttpPutResponseHopLimit, 2, 'from the launch template');
    const ltVols = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [fromLt.InstanceId!] }] }))).Volumes!;
    assert.deepEqual(ltVols.map((v) => v.Attachments![0]!.Device).sort(), ['/dev/sdh', '/dev/xvda']);

    const plan = await terraform(dir, ['plan', '-detailed-exitcode', ...vars]);
    assert.equal(plan.status, 0, `a second plan must show no changes:\n${plan.out}`);

    const destroy = await terraform(dir, ['destroy', '-auto-approve', ...vars]);
    assert.equal(destroy.status, 0, destroy.out);
    const left = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopped'] }] }))).Reservations!;
    assert.equal(left.length, 0);
    assert.equal((await ec2.send(new DescribeVolumesCommand({}))).Volumes!.length, 0);
    assert.equal((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs!.length, 0);
  });
});
