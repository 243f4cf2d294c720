// Terraform's hashicorp/aws provider on EC2 compute: data.aws_ami, aws_key_pair,
// aws_launch_template, aws_instance (instance profile, metadata_options, root and extra EBS),
// aws_ebs_volume + aws_volume_attachment, aws_ebs_snapshot, aws_placement_group and
// aws_spot_instance_request: apply, a second plan with no changes, a clean destroy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeInstancesCommand, DescribeKeyPairsCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: instances, templates, volumes, snapshots, placement groups, Spot', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-ec2');

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 14);
    assert.match(applied, /private_ip = "10\.30\.1\.\d+"/);

    const ec2 = new EC2Client(clientConfig(tf.cl.url));
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

    await terraformPlanIsClean(tf);

    await terraformDestroy(tf);
    const left = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopped'] }] }))).Reservations!;
    assert.equal(left.length, 0);
    assert.equal((await ec2.send(new DescribeVolumesCommand({}))).Volumes!.length, 0);
    assert.equal((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs!.length, 0);
  });
});
