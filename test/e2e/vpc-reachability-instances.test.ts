// Reachability with instances as endpoints, on the seeds' three-tier network: a web instance
// with its own public IP, app and database instances launched with RunInstances; Network
// Insights and `cloudlet net why` name them by instance ID, and follow a stop (no public IP).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateNetworkInsightsPathCommand, DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand,
  StartNetworkInsightsAnalysisCommand, StartInstancesCommand, StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { runCli, startProcess, type Running } from '../helpers/process.js';
import { clientConfig } from '../helpers/server.js';
import { buildThreeTier, type ThreeTier } from '../helpers/three-tier.js';

let srv: Running;
let ec2: EC2Client;
let n: ThreeTier;
let web: string;
let app: string;
let db: string;

before(async () => {
  srv = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'warn']);
  ec2 = new EC2Client(clientConfig(srv.url));
  n = await buildThreeTier(ec2);
  const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
  const launch = async (subnet: string, group: string, publicIp: boolean) => (await ec2.send(new RunInstancesCommand({
    ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1,
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet, Groups: [group], AssociatePublicIpAddress: publicIp }],
  }))).Instances![0]!.InstanceId!;
  web = await launch(n.pub[0]!, n.lbSg, true);
  app = await launch(n.app[0]!, n.appSg, false);
  db = await launch(n.db[0]!, n.dbSg, false);
});
after(async () => { srv.child.kill('SIGTERM'); await srv.exited; });

const why = (...args: string[]) => runCli(['net', 'why', ...args, '--endpoint', srv.url]);

describe('reachability between instances', () => {
  test('the web instance has a public IP; internet -> web 443 is reachable, by instance ID', async () => {
    const i = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [web] }))).Reservations![0]!.Instances![0]!;
    assert.ok(i.PublicIpAddress);
    const r = await why('internet', web, '--port', '443');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(n.lbSg));
    const p = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: n.igwId, Destination: web, Protocol: 'tcp', DestinationPort: 443 }))).NetworkInsightsPath!;
    const a = (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
    assert.equal(a.NetworkPathFound, true);
    assert.ok(a.ForwardPathComponents!.some((h) => h.Component?.Id === web || h.Component?.Id?.startsWith('eni-')));
  });

  test('app -> db 5432 through the group reference; db 22 and internet -> db are not, and say why', async () => {
    assert.equal((await why(app, db, '--port', '5432')).code, 0);
    const ssh = await why(app, db, '--port', '22');
    assert.equal(ssh.code, 1);
    assert.match(ssh.stdout, /why:/);
    const inbound = await why('internet', db, '--port', '5432');
    assert.equal(inbound.code, 1);
    assert.match(inbound.stdout, new RegExp(n.dbRtbId));
  });

  test('the app instance reaches the internet through the NAT gateway', async () => {
    const r = await why(app, 'internet', '--port', '443');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(n.natIds[0]!));
  });

  test('a stopped web instance has no public IP: internet -> web is not reachable until it starts again', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [web] }));
    const r = await why('internet', web, '--port', '443');
    assert.equal(r.code, 1, r.stdout);
    await ec2.send(new StartInstancesCommand({ InstanceIds: [web] }));
    assert.equal((await why('internet', web, '--port', '443')).code, 0);
  });
});
