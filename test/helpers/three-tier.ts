// The seeds' three-tier network in two zones, built through the real EC2 API (SDK v3): VPC,
// 2 public + 2 app + 2 database subnets, IGW, a NAT gateway with an Elastic IP in each public
// subnet, per-tier route tables, the lb/app/db groups of the seeds' tables chained by group
// reference, a custom ACL on the database subnets with the ephemeral-port rules, and network
// interfaces standing in for the ALB, the app instances and the database.
import {
  AllocateAddressCommand, AssociateAddressCommand, AssociateRouteTableCommand, AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand,
  CreateNetworkAclCommand, CreateNetworkAclEntryCommand, CreateNetworkInterfaceCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeNetworkAclsCommand, EC2Client,
  ReplaceNetworkAclAssociationCommand, RevokeSecurityGroupEgressCommand, type IpPermission,
} from '@aws-sdk/client-ec2';

const tcp = (from: number, to: number, peer: Partial<IpPermission>): IpPermission => ({ IpProtocol: 'tcp', FromPort: from, ToPort: to, ...peer });
const ALL_OUT: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

export interface ThreeTier {
  vpcId: string; igwId: string; natIds: string[]; dbAclId: string; dbRtbId: string;
  pub: string[]; app: string[]; db: string[]; lbSg: string; appSg: string; dbSg: string;
  albEni: string; albPublicIp: string; appEni: string; appIp: string; dbEni: string; dbIp: string;
}

export async function buildThreeTier(ec2: EC2Client, zones = ['us-east-1a', 'us-east-1b']): Promise<ThreeTier> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
  const subnet = async (cidr: string, zone: string, name: string) => (await ec2.send(new CreateSubnetCommand({
    VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: name }] }],
  }))).Subnet!.SubnetId!;
  const pub = await Promise.all(zones.map((z, i) => subnet(`10.0.${i}.0/24`, z, `public-${z}`)));
  const app = await Promise.all(zones.map((z, i) => subnet(`10.0.${10 + i}.0/24`, z, `app-${z}`)));
  const db = await Promise.all(zones.map((z, i) => subnet(`10.0.${20 + i}.0/24`, z, `db-${z}`)));
  const table = async (name: string, subnets: string[]) => {
    const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'Name', Value: name }] }] }))).RouteTable!.RouteTableId!;
    for (const s of subnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: s }));
    return id;
  };
  const pubRtb = await table('public', pub);
  await ec2.send(new CreateRouteCommand({ RouteTableId: pubRtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
  const natIds: string[] = [];
  for (const s of pub) {
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    natIds.push((await ec2.send(new CreateNatGatewayCommand({ SubnetId: s, AllocationId: eip.AllocationId }))).NatGateway!.NatGatewayId!);
  }
  for (const [i, z] of zones.entries()) {
    const rtb = await table(`app-${z}`, [app[i]!]);
    await ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natIds[i] }));
  }
  const dbRtbId = await table('database', db);

  const group = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: `${name} tier` }))).GroupId!;
  const [lbSg, appSg, dbSg] = [await group('lb'), await group('app'), await group('db')];
  // The seeds' tables: lb and db have no allow-all egress; app keeps it ("outbound internet via NAT").
  for (const g of [lbSg, dbSg]) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [ALL_OUT] }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: lbSg, IpPermissions: [tcp(80, 80, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] }), tcp(443, 443, { IpRanges: [{ CidrIp: '0.0.0.0/0' }] })] }));
  await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: lbSg, IpPermissions: [tcp(8080, 8080, { UserIdGroupPairs: [{ GroupId: appSg }] })] }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: appSg, IpPermissions: [tcp(8080, 8080, { UserIdGroupPairs: [{ GroupId: lbSg }] })] }));
  await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: appSg, IpPermissions: [tcp(5432, 5432, { UserIdGroupPairs: [{ GroupId: dbSg }] })] }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: [tcp(5432, 5432, { UserIdGroupPairs: [{ GroupId: appSg }] })] }));

  const dbAclId = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'Name', Value: 'database' }] }] }))).NetworkAcl!.NetworkAclId!;
  await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: dbAclId, RuleNumber: 100, Egress: false, Protocol: '6', RuleAction: 'allow', CidrBlock: '10.0.0.0/16', PortRange: { From: 5432, To: 5432 } }));
  await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: dbAclId, RuleNumber: 100, Egress: true, Protocol: '6', RuleAction: 'allow', CidrBlock: '10.0.0.0/16', PortRange: { From: 1024, To: 65535 } }));
  const acls = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: db }] }))).NetworkAcls!;
  for (const a of acls.flatMap((x) => x.Associations ?? []).filter((x) => db.includes(x.SubnetId!))) {
    await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: a.NetworkAclAssociationId, NetworkAclId: dbAclId }));
  }

  const eni = async (subnetId: string, groups: string[], name: string) => (await ec2.send(new CreateNetworkInterfaceCommand({
    SubnetId: subnetId, Groups: groups, TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Name', Value: name }] }],
  }))).NetworkInterface!;
  const alb = await eni(pub[0]!, [lbSg], 'alb');
  const albEip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: albEip.AllocationId, NetworkInterfaceId: alb.NetworkInterfaceId }));
  const appEni = await eni(app[0]!, [appSg], 'app');
  const dbEni = await eni(db[0]!, [dbSg], 'db');
  return {
    vpcId, igwId, natIds, dbAclId, dbRtbId, pub, app, db, lbSg, appSg, dbSg,
    albEni: alb.NetworkInterfaceId!, albPublicIp: albEip.PublicIp!, appEni: appEni.NetworkInterfaceId!, appIp: appEni.PrivateIpAddress!,
    dbEni: dbEni.NetworkInterfaceId!, dbIp: dbEni.PrivateIpAddress!,
  };
}
