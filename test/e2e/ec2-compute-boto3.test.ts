// EC2 compute with boto3: a launch from a launch template into the default VPC, its waiters
// (instance_running, instance_stopped, image_available, snapshot_completed, instance_terminated),
// console output, instance status, a key pair and an AMI, as a Python user writes them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';
import { runPython } from '../helpers/python.js';

const SCRIPT = String.raw`
import base64, json, sys, boto3, botocore.exceptions
ec2 = boto3.client('ec2', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
fast = {'Delay': 1, 'MaxAttempts': 30}
out = {}
ami = sorted(ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['al2023-ami-2023*']}, {'Name': 'architecture', 'Values': ['x86_64']}])['Images'], key=lambda i: i['CreationDate'])[-1]['ImageId']
key = ec2.create_key_pair(KeyName='py-key', KeyType='ed25519')
out['key'] = key['KeyMaterial'].startswith('-----BEGIN OPENSSH PRIVATE KEY-----')
lt = ec2.create_launch_template(LaunchTemplateName='py-lt', LaunchTemplateData={'ImageId': ami, 'InstanceType': 't3.micro', 'KeyName': 'py-key', 'UserData': base64.b64encode(b'#!/bin/sh\necho hi').decode()})
run = ec2.run_instances(MinCount=1, MaxCount=1, LaunchTemplate={'LaunchTemplateName': 'py-lt'}, TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'py'}]}])
iid = run['Instances'][0]['InstanceId']
ec2.get_waiter('instance_running').wait(InstanceIds=[iid], WaiterConfig=fast)
i = ec2.describe_instances(InstanceIds=[iid])['Reservations'][0]['Instances'][0]
out['running'] = i['State']['Name']
out['default_vpc'] = ec2.describe_vpcs(VpcIds=[i['VpcId']])['Vpcs'][0]['IsDefault']
out['key_name'] = i.get('KeyName')
out['template'] = [t['Value'] for t in i['Tags'] if t['Key'] == 'aws:ec2launchtemplate:id']
out['status'] = ec2.describe_instance_status(InstanceIds=[iid])['InstanceStatuses'][0]['InstanceState']['Name']
out['console'] = 'Output' in ec2.get_console_output(InstanceId=iid)
ec2.stop_instances(InstanceIds=[iid])
ec2.get_waiter('instance_stopped').wait(InstanceIds=[iid], WaiterConfig=fast)
img = ec2.create_image(InstanceId=iid, Name='py-image')['ImageId']
ec2.get_waiter('image_available').wait(ImageIds=[img], WaiterConfig=fast)
snap = ec2.describe_images(ImageIds=[img])['Images'][0]['BlockDeviceMappings'][0]['Ebs']['SnapshotId']
ec2.get_waiter('snapshot_completed').wait(SnapshotIds=[snap], WaiterConfig=fast)
try:
    ec2.run_instances(ImageId=img, InstanceType='t4g.micro', MinCount=1, MaxCount=1)
    out['arch_error'] = None
except botocore.exceptions.ClientError as e:
    out['arch_error'] = e.response['Error']['Code']
ec2.terminate_instances(InstanceIds=[iid])
ec2.get_waiter('instance_terminated').wait(InstanceIds=[iid], WaiterConfig=fast)
out['lt_version'] = lt['LaunchTemplate']['LatestVersionNumber']
print(json.dumps(out))
`;

describe('EC2 compute with boto3', { skip: needTool('boto3') }, () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  test('launch template, waiters, stop, image, terminate', async () => {
    const r = await runPython(SCRIPT, [cl.url]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(out, {
      key: true, running: 'running', default_vpc: true, key_name: 'py-key', template: [out.template && (out.template as string[])[0]],
      status: 'running', console: true, arch_error: 'InvalidParameterValue', lt_version: 1,
    });
    assert.match((out.template as string[])[0]!, /^lt-[0-9a-f]{17}$/);
  });
});
