// Reachability Analyzer on the seeds' three-tier network, built and asked through the real
// EC2 API with SDK v3: the engine evaluates the stored route tables, gateways, ACLs and groups.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AcceptVpcPeeringConnectionCommand, AuthorizeSecurityGroupIngressCommand, CreateNetworkInterfaceCommand, CreateRouteCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcPeeringConnectionCommand, DeleteRouteCommand,
  DescribeRouteTablesCommand, CreateNetworkAclEntryCommand, CreateNetworkInsightsPathCommand, DeleteNetworkAclEntryCommand, DeleteNetworkInsightsAnalysisCommand,
  DeleteNetworkInsightsPathCommand, DescribeNetworkInsightsAnalysesCommand, DescribeNetworkInsightsPathsCommand, EC2Client,
  StartNetworkInsightsAnalysisCommand, type CreateNetworkInsightsPathCommandInput, type NetworkInsightsAnalysis,
} from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { buildThreeTier, type ThreeTier } from '../helpers/three-tier.js';

const fails = (p: Promise<unknown>, code: string): Promise<void> => rejects(p, code, 400);

describe('Network Insights on the three-tier network with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let n: ThreeTier;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    n = await buildThreeTier(ec2);
  });
  after(async () => { await cl.close(); });

  /** Creates the path, runs an analysis, and reads it back through Describe (what a user sees). */
  const analyse = async (path: Omit<CreateNetworkInsightsPathCommandInput, 'Protocol'> & { Protocol?: 'tcp' | 'udp' }): Promise<NetworkInsightsAnalysis> => {
    const p = (await ec2.send(new CreateNetworkInsightsPathCommand({ Protocol: 'tcp', ...path }))).NetworkInsightsPath!;
    const started = (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
    assert.equal(started.Status, 'succeeded', started.StatusMessage);
    const [a] = (await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysisId!] }))).NetworkInsightsAnalyses!;
    assert.deepEqual(a!.ForwardPathComponents, started.ForwardPathComponents, 'Describe returns what Start stored');
    return a!;
  };
  const ids = (a: NetworkInsightsAnalysis, k: 'ForwardPathComponents' | 'ReturnPathComponents' = 'ForwardPathComponents') =>
    a[k]!.map((h) => h.Component!.Id);

  test('internet -> web tier on 443: found, through the IGW, the public ACL and the lb group rule', async () => {
    const a = await analyse({ Source: n.igwId, Destination: n.albEni, DestinationPort: 443 });
    assert.equal(a.NetworkPathFound, true, JSON.stringify(a.Explanations));
    assert.deepEqual(a.Explanations, []);
    const fwd = a.ForwardPathComponents!;
    assert.equal(fwd[0]!.Component!.Id, n.igwId);
    assert.deepEqual(fwd[0]!.InboundHeader!.DestinationAddresses, [`${n.albPublicIp}/32`]);
    const sg = fwd.find((h) => h.SecurityGroupRule)!;
    assert.deepEqual(sg.SecurityGroupRule, { Direction: 'ingress', SecurityGroupId: n.lbSg, Protocol: 'tcp', Cidr: '0.0.0.0/0', PortRange: { From: 443, To: 443 } });
    assert.equal(fwd[fwd.length - 1]!.Component!.Id, n.albEni);
    assert.equal(fwd[fwd.length - 1]!.Subnet!.Id, n.pub[0]);
    assert.equal(a.ReturnPathComponents!.at(-1)!.Component!.Id, n.igwId);
    assert.deepEqual(a.ForwardPathComponents!.map((h) => h.SequenceNumber), fwd.map((_, i) => i + 1));
    // Port 22 is not in the lb group.
    const ssh = await analyse({ Source: n.igwId, Destination: n.albEni, DestinationPort: 22 });
    assert.equal(ssh.NetworkPathFound, false);
    assert.equal(ssh.Explanations![0]!.ExplanationCode, 'ENI_SG_RULES_MISMATCH');
    assert.equal(ssh.Explanations![0]!.SecurityGroups![0]!.Id, n.lbSg);
  });

  test('internet -> database 5432: not found, explained (private address only, no route to the IGW)', async () => {
    const a = await analyse({ Source: n.igwId, Destination: n.dbEni, DestinationPort: 5432 });
    assert.equal(a.NetworkPathFound, false);
    const codes = a.Explanations!.map((e) => e.ExplanationCode);
    assert.equal(codes[0], 'IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
    assert.equal(a.Explanations![0]!.InternetGateway!.Id, n.igwId);
    const noRoute = a.Explanations!.find((e) => e.ExplanationCode === 'NO_ROUTE_TO_DESTINATION');
    assert.equal(noRoute?.RouteTable?.Id, n.dbRtbId);
    assert.equal(noRoute?.Subnet?.Id, n.db[0]);
  });

  test('app -> database 5432: found through the group reference and the ephemeral egress rule', async () => {
    const a = await analyse({ Source: n.appEni, Destination: n.dbEni, DestinationPort: 5432 });
    assert.equal(a.NetworkPathFound, true, JSON.stringify(a.Explanations));
    const dbIn = a.ForwardPathComponents!.find((h) => h.SecurityGroupRule?.Direction === 'ingress')!;
    assert.deepEqual(dbIn.SecurityGroupRule, { Direction: 'ingress', SecurityGroupId: n.appSg, Protocol: 'tcp', PortRange: { From: 5432, To: 5432 } });
    const aclIn = a.ForwardPathComponents!.find((h) => h.Component!.Id === n.dbAclId)!;
    assert.deepEqual(aclIn.AclRule, { Cidr: '10.0.0.0/16', Egress: false, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, PortRange: { From: 5432, To: 5432 } });
    const aclOut = a.ReturnPathComponents!.find((h) => h.Component!.Id === n.dbAclId)!;
    assert.deepEqual(aclOut.AclRule, { Cidr: '10.0.0.0/16', Egress: true, Protocol: '6', RuleAction: 'allow', RuleNumber: 100, PortRange: { From: 1024, To: 65535 } });
    // The same question by address: DestinationIp instead of a resource.
    const byIp = await analyse({ Source: n.appEni, DestinationIp: n.dbIp, DestinationPort: 5432 });
    assert.equal(byIp.NetworkPathFound, true);
  });

  test("without the ACL's ephemeral egress rule: not found, the return path names the ACL and the rule that denied", async () => {
    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: n.dbAclId, RuleNumber: 100, Egress: true }));
    try {
      const a = await analyse({ Source: n.appEni, Destination: n.dbEni, DestinationPort: 5432 });
      assert.equal(a.NetworkPathFound, false);
      const e = a.Explanations![0]!;
      assert.equal(e.ExplanationCode, 'SUBNET_ACL_RESTRICTION');
      assert.equal(e.Direction, 'egress');
      assert.equal(e.Acl!.Id, n.dbAclId);
      assert.equal(e.AclRule!.RuleNumber, 32767);
      assert.equal(e.AclRule!.RuleAction, 'deny');
      assert.equal(e.Subnet!.Id, n.db[0]);
      assert.ok(a.ForwardPathComponents!.length > 0, 'the request got there; the reply did not get back');
      assert.ok(ids(a, 'ReturnPathComponents').includes(n.dbEni));
      assert.ok(!ids(a, 'ReturnPathComponents').includes(n.appEni));
    } finally {
      await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: n.dbAclId, RuleNumber: 100, Egress: true, Protocol: '6', RuleAction: 'allow', CidrBlock: '10.0.0.0/16', PortRange: { From: 1024, To: 65535 } }));
    }
  });

  test('a private interface reaches the internet through its zone NAT gateway', async () => {
    const a = await analyse({ Source: n.appEni, DestinationIp: '8.8.8.8', DestinationPort: 443 });
    assert.equal(a.NetworkPathFound, true, JSON.stringify(a.Explanations));
    const fwd = ids(a);
    assert.ok(fwd.includes(n.natIds[0]!), fwd.join(' '));
    assert.equal(fwd.at(-1), n.igwId);
    const route = a.ForwardPathComponents!.find((h) => h.RouteTableRoute?.NatGatewayId)!;
    assert.equal(route.RouteTableRoute!.NatGatewayId, n.natIds[0]);
    // The database tier has no way out at all.
    const db = await analyse({ Source: n.dbEni, DestinationIp: '8.8.8.8', DestinationPort: 443 });
    assert.equal(db.NetworkPathFound, false);
  });

  test('path filters: FilterAtSource pins the source address and a single port; a port range is refused as a failed analysis', async () => {
    const pinned = await analyse({ Source: n.appEni, Destination: n.dbEni, FilterAtSource: { SourceAddress: n.appIp, DestinationPortRange: { FromPort: 5432, ToPort: 5432 } } });
    assert.equal(pinned.NetworkPathFound, true, JSON.stringify(pinned.Explanations));
    assert.deepEqual(pinned.ForwardPathComponents![0]!.OutboundHeader!.SourceAddresses, [`${n.appIp}/32`]);
    const wrongPort = await analyse({ Source: n.appEni, Destination: n.dbEni, FilterAtSource: { DestinationPortRange: { FromPort: 5433, ToPort: 5433 } } });
    assert.equal(wrongPort.NetworkPathFound, false);
    const p = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: n.appEni, Destination: n.dbEni, Protocol: 'tcp', FilterAtSource: { DestinationPortRange: { FromPort: 5000, ToPort: 6000 } } }))).NetworkInsightsPath!;
    assert.deepEqual(p.FilterAtSource!.DestinationPortRange, { FromPort: 5000, ToPort: 6000 });
    const a = (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
    assert.equal(a.Status, 'failed');
    assert.match(a.StatusMessage!, /single port/);
    const failed = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ Filters: [{ Name: 'status', Values: ['failed'] }] }));
    assert.deepEqual(failed.NetworkInsightsAnalyses!.map((x) => x.NetworkInsightsAnalysisId), [a.NetworkInsightsAnalysisId]);
    const later = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId, AnalysisStartTime: new Date(Date.now() + 3_600_000) }));
    assert.equal(later.NetworkInsightsAnalyses!.length, 0, 'none started after an hour from now');
  });

  test('paths and analyses: describe with filters, tags, delete order, AWS errors', async () => {
    const p = (await ec2.send(new CreateNetworkInsightsPathCommand({
      Source: n.appEni, Destination: n.dbEni, Protocol: 'tcp', DestinationPort: 5432,
      TagSpecifications: [{ ResourceType: 'network-insights-path', Tags: [{ Key: 'Name', Value: 'app-db' }] }],
    }))).NetworkInsightsPath!;
    assert.match(p.NetworkInsightsPathId!, /^nip-[0-9a-f]{17}$/);
    assert.match(p.NetworkInsightsPathArn!, /^arn:aws:ec2:us-east-1:000000000000:network-insights-path\/nip-/);
    assert.match(p.SourceArn!, /:network-interface\/eni-/);
    const listed = await ec2.send(new DescribeNetworkInsightsPathsCommand({ Filters: [{ Name: 'tag:Name', Values: ['app-db'] }, { Name: 'destination-port', Values: ['5432'] }] }));
    assert.deepEqual(listed.NetworkInsightsPaths!.map((x) => x.NetworkInsightsPathId), [p.NetworkInsightsPathId]);
    const a = (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
    assert.match(a.NetworkInsightsAnalysisId!, /^nia-[0-9a-f]{17}$/);
    const found = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId, Filters: [{ Name: 'path-found', Values: ['true'] }] }));
    assert.deepEqual(found.NetworkInsightsAnalyses!.map((x) => x.NetworkInsightsAnalysisId), [a.NetworkInsightsAnalysisId]);
    const notFound = await ec2.send(new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId, Filters: [{ Name: 'path-found', Values: ['false'] }] }));
    assert.equal(notFound.NetworkInsightsAnalyses!.length, 0);
    await fails(ec2.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId })), 'DependencyViolation');
    await ec2.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: a.NetworkInsightsAnalysisId }));
    assert.equal((await ec2.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsPathId, p.NetworkInsightsPathId);
    await fails(ec2.send(new DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [p.NetworkInsightsPathId!] })), 'InvalidNetworkInsightsPathId.NotFound');
    await fails(ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: 'nip-0123456789abcdef0' })), 'InvalidNetworkInsightsPathId.NotFound');
    await fails(ec2.send(new CreateNetworkInsightsPathCommand({ Source: 'eni-0123456789abcdef0', Destination: n.dbEni, Protocol: 'tcp' })), 'InvalidNetworkInterfaceID.NotFound');
    await fails(ec2.send(new CreateNetworkInsightsPathCommand({ Source: 'eni-nothex', Destination: n.dbEni, Protocol: 'tcp' })), 'InvalidNetworkInterfaceID.Malformed');
    await fails(ec2.send(new CreateNetworkInsightsPathCommand({ Source: n.vpcId, Destination: n.dbEni, Protocol: 'tcp' })), 'InvalidParameterValue');
    await fails(ec2.send(new CreateNetworkInsightsPathCommand({ Source: n.appEni, Protocol: 'tcp' })), 'MissingParameter');
    await fails(ec2.send(new CreateNetworkInsightsPathCommand({ Source: n.appEni, Destination: n.dbEni, Protocol: 'tcp', DestinationPort: 70000 })), 'InvalidParameterValue');
    await fails(ec2.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: 'nia-0123456789abcdef0' })), 'InvalidNetworkInsightsAnalysisId.NotFound');
  });
});

describe('Network Insights across a VPC peering connection with SDK v3', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('a group reference across an active peering: found; without the return route: NO_ROUTE_TO_DESTINATION', async () => {
    const vpc = async (cidr: string) => {
      const v = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!;
      const s = (await ec2.send(new CreateSubnetCommand({ VpcId: v.VpcId, CidrBlock: cidr.replace('/16', '/24'), AvailabilityZone: 'us-east-1a' }))).Subnet!;
      const g = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: v.VpcId, GroupName: 'svc', Description: 'svc' }))).GroupId!;
      const rtb = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [v.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!.RouteTableId!;
      return { vpcId: v.VpcId!, subnetId: s.SubnetId!, group: g, rtb };
    };
    const a = await vpc('10.30.0.0/16');
    const b = await vpc('10.40.0.0/16');
    const pcx = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: a.rtb, DestinationCidrBlock: '10.40.0.0/16', VpcPeeringConnectionId: pcx }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.30.0.0/16', VpcPeeringConnectionId: pcx }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: b.group, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: a.group }] }] }));
    const src = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: a.subnetId, Groups: [a.group] }))).NetworkInterface!.NetworkInterfaceId!;
    const dst = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: b.subnetId, Groups: [b.group] }))).NetworkInterface!.NetworkInterfaceId!;
    const run = async () => {
      const p = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: src, Destination: dst, Protocol: 'tcp', DestinationPort: 5432 }))).NetworkInsightsPath!;
      return (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
    };
    const found = await run();
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    assert.ok(found.ForwardPathComponents!.some((h) => h.Component!.Id === pcx), 'through the peering connection');
    assert.ok(found.ForwardPathComponents!.some((h) => h.SecurityGroupRule?.SecurityGroupId === a.group), 'admitted by the reference to the peer group');
    await ec2.send(new DeleteRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.30.0.0/16' }));
    const broken = await run();
    assert.equal(broken.NetworkPathFound, false);
    assert.equal(broken.Explanations![0]!.ExplanationCode, 'NO_ROUTE_TO_DESTINATION');
    assert.equal(broken.Explanations![0]!.RouteTable?.Id, b.rtb);
  });
});

describe('Network Insights across accounts and Regions with SDK v3', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  const vpcIn = async (ec2: EC2Client, cidr: string, zone: string) => {
    const v = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!;
    const s = (await ec2.send(new CreateSubnetCommand({ VpcId: v.VpcId, CidrBlock: cidr.replace('/16', '/24'), AvailabilityZone: zone }))).Subnet!;
    const g = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: v.VpcId, GroupName: 'svc', Description: 'svc' }))).GroupId!;
    const rtb = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [v.VpcId!] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!.RouteTableId!;
    const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: s.SubnetId, Groups: [g] }))).NetworkInterface!;
    return { vpcId: v.VpcId!, group: g, rtb, eni: eni.NetworkInterfaceId!, ip: eni.PrivateIpAddress! };
  };
  const analyse = async (ec2: EC2Client, source: string, ip: string, port: number) => {
    const p = (await ec2.send(new CreateNetworkInsightsPathCommand({ Source: source, DestinationIp: ip, Protocol: 'tcp', DestinationPort: port }))).NetworkInsightsPath!;
    return (await ec2.send(new StartNetworkInsightsAnalysisCommand({ NetworkInsightsPathId: p.NetworkInsightsPathId }))).NetworkInsightsAnalysis!;
  };

  test('a peering with another account: the peer\'s routes, ACLs and groups decide', async () => {
    const mine = new EC2Client(clientConfig(cl.url));
    const theirs = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'test' }));
    const a = await vpcIn(mine, '10.51.0.0/16', 'us-east-1a');
    const b = await vpcIn(theirs, '10.52.0.0/16', 'us-east-1a');
    await theirs.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: b.group, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.51.0.0/16' }] }] }));
    const pcx = (await mine.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId, PeerOwnerId: '111111111111' }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await theirs.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await mine.send(new CreateRouteCommand({ RouteTableId: a.rtb, DestinationCidrBlock: '10.52.0.0/16', VpcPeeringConnectionId: pcx }));
    await theirs.send(new CreateRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.51.0.0/16', VpcPeeringConnectionId: pcx }));

    const found = await analyse(mine, a.eni, b.ip, 5432);
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    assert.ok(found.ForwardPathComponents!.some((h) => h.Component!.Id === pcx));
    assert.ok(found.ForwardPathComponents!.some((h) => h.SecurityGroupRule?.SecurityGroupId === b.group), "admitted by the other account's group");
    const peerEni = found.ForwardPathComponents!.find((h) => h.Component!.Id === b.eni)!;
    assert.match(peerEni.Component!.Arn!, /^arn:aws:ec2:us-east-1:111111111111:network-interface\//, 'named in its own account');
    const ssh = await analyse(mine, a.eni, b.ip, 22);
    assert.equal(ssh.NetworkPathFound, false);
    assert.ok(ssh.Explanations!.some((e) => e.SecurityGroup?.Id === b.group || e.Component?.Id === b.eni), JSON.stringify(ssh.Explanations));
    await theirs.send(new DeleteRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.51.0.0/16' }));
    const noReturn = await analyse(mine, a.eni, b.ip, 5432);
    assert.equal(noReturn.NetworkPathFound, false);
    assert.equal(noReturn.Explanations![0]!.RouteTable?.Id, b.rtb, "the other account's table has no way back");
  });

  test('a peering with another Region: found through it, and refused without the peer\'s route', async () => {
    const east = new EC2Client(clientConfig(cl.url));
    const west = new EC2Client(clientConfig(cl.url, 'us-west-2'));
    const a = await vpcIn(east, '10.61.0.0/16', 'us-east-1a');
    const b = await vpcIn(west, '10.62.0.0/16', 'us-west-2a');
    await west.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: b.group, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.61.0.0/16' }] }] }));
    const pcx = (await east.send(new CreateVpcPeeringConnectionCommand({ VpcId: a.vpcId, PeerVpcId: b.vpcId, PeerRegion: 'us-west-2' }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await west.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await east.send(new CreateRouteCommand({ RouteTableId: a.rtb, DestinationCidrBlock: '10.62.0.0/16', VpcPeeringConnectionId: pcx }));
    const noRoute = await analyse(east, a.eni, b.ip, 443);
    assert.equal(noRoute.NetworkPathFound, false, 'the west table has no route back yet');
    await west.send(new CreateRouteCommand({ RouteTableId: b.rtb, DestinationCidrBlock: '10.61.0.0/16', VpcPeeringConnectionId: pcx }));
    const found = await analyse(east, a.eni, b.ip, 443);
    assert.equal(found.NetworkPathFound, true, JSON.stringify(found.Explanations));
    assert.ok(found.ReturnPathComponents!.some((h) => h.Component!.Id === pcx));
  });
});
