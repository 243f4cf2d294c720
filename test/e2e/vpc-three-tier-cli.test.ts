// The seeds' three-tier network in two zones built and torn down with `aws ec2 ...` (CLI v1 and v2):
// every teardown step first tries the delete AWS refuses and checks its DependencyViolation.
// The SDK v3 half of the bullet is test/helpers/three-tier.ts (vpc-reachability.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const ZONES = ['us-east-1a', 'us-east-1b'];

for (const cli of awsClis()) {
  describe(`the three-tier VPC with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    const ec2 = (args: string[]) => awsJson(cli.bin, cl.url, ['ec2', '--region', 'us-east-1', ...args]);
    const fails = async (args: string[], code: string) => {
      const r = await runAws(cli.bin, cl.url, ['ec2', '--region', 'us-east-1', ...args]);
      assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
      assert.match(r.stderr, new RegExp(`\\(${code.replace('.', '\\.')}\\)`), r.stderr);
      return r.stderr;
    };

    test('build in two zones, then tear down in dependency order, each refused delete a DependencyViolation', async () => {
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.0.0.0/16'])).Vpc.VpcId as string;
      const subnet = async (cidr: string, zone: string) => (await ec2(['create-subnet', '--vpc-id', vpc, '--cidr-block', cidr, '--availability-zone', zone])).Subnet.SubnetId as string;
      // Two at a time: CLI v1 start-up is CPU-bound and the machine has two cores.
      const pub = await Promise.all(ZONES.map((z, i) => subnet(`10.0.${i}.0/24`, z)));
      const app = await Promise.all(ZONES.map((z, i) => subnet(`10.0.${10 + i}.0/24`, z)));
      const db = await Promise.all(ZONES.map((z, i) => subnet(`10.0.${20 + i}.0/24`, z)));
      const igw = (await ec2(['create-internet-gateway'])).InternetGateway.InternetGatewayId as string;
      await ec2(['attach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc]);
      const eips: string[] = [];
      const nats: string[] = [];
      for (const s of pub) {
        eips.push((await ec2(['allocate-address', '--domain', 'vpc'])).AllocationId);
        const nat = (await ec2(['create-nat-gateway', '--subnet-id', s, '--allocation-id', eips.at(-1)!])).NatGateway;
        assert.equal(nat.SubnetId, s);
        nats.push(nat.NatGatewayId);
      }
      const table = async (subnets: string[], route?: string[]) => {
        const id = (await ec2(['create-route-table', '--vpc-id', vpc])).RouteTable.RouteTableId as string;
        if (route) assert.equal((await ec2(['create-route', '--route-table-id', id, '--destination-cidr-block', '0.0.0.0/0', ...route])).Return, true);
        for (const s of subnets) await ec2(['associate-route-table', '--route-table-id', id, '--subnet-id', s]);
        return id;
      };
      const tables = [
        await table(pub, ['--gateway-id', igw]),
        await table([app[0]!], ['--nat-gateway-id', nats[0]!]),
        await table([app[1]!], ['--nat-gateway-id', nats[1]!]),
        await table(db),
      ];
      const appRtb = (await ec2(['describe-route-tables', '--route-table-ids', tables[2]!])).RouteTables[0];
      assert.deepEqual(appRtb.Routes.map((r: { DestinationCidrBlock: string; NatGatewayId?: string; State: string }) => [r.DestinationCidrBlock, r.NatGatewayId, r.State]),
        [['10.0.0.0/16', undefined, 'active'], ['0.0.0.0/0', nats[1], 'active']]);

      const group = async (name: string) => (await ec2(['create-security-group', '--group-name', name, '--description', `${name} tier`, '--vpc-id', vpc])).GroupId as string;
      const [lb, appSg, dbSg] = [await group('lb'), await group('app'), await group('db')];
      const tcp = (port: number, peer: string) => `IpProtocol=tcp,FromPort=${port},ToPort=${port},${peer}`;
      await ec2(['authorize-security-group-ingress', '--group-id', lb, '--ip-permissions', tcp(80, 'IpRanges=[{CidrIp=0.0.0.0/0}]'), tcp(443, 'IpRanges=[{CidrIp=0.0.0.0/0}]')]);
      await ec2(['authorize-security-group-ingress', '--group-id', appSg, '--ip-permissions', tcp(8080, `UserIdGroupPairs=[{GroupId=${lb}}]`)]);
      await ec2(['authorize-security-group-egress', '--group-id', appSg, '--ip-permissions', tcp(5432, `UserIdGroupPairs=[{GroupId=${dbSg}}]`)]);
      const dbRule = await ec2(['authorize-security-group-ingress', '--group-id', dbSg, '--ip-permissions', tcp(5432, `UserIdGroupPairs=[{GroupId=${appSg}}]`)]);
      assert.equal(dbRule.SecurityGroupRules[0].ReferencedGroupInfo.GroupId, appSg);

      const acl = (await ec2(['create-network-acl', '--vpc-id', vpc])).NetworkAcl.NetworkAclId as string;
      await ec2(['create-network-acl-entry', '--network-acl-id', acl, '--ingress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=5432,To=5432', '--cidr-block', '10.0.10.0/23', '--rule-action', 'allow']);
      await ec2(['create-network-acl-entry', '--network-acl-id', acl, '--egress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=1024,To=65535', '--cidr-block', '10.0.10.0/23', '--rule-action', 'allow']);
      const defaults = (await ec2(['describe-network-acls', '--filters', `Name=association.subnet-id,Values=${db.join(',')}`])).NetworkAcls;
      assert.equal(defaults.length, 1);
      assert.equal(defaults[0].IsDefault, true);
      for (const a of defaults[0].Associations.filter((x: { SubnetId: string }) => db.includes(x.SubnetId))) {
        await ec2(['replace-network-acl-association', '--association-id', a.NetworkAclAssociationId, '--network-acl-id', acl]);
      }
      const got = (await ec2(['describe-network-acls', '--network-acl-ids', acl])).NetworkAcls[0];
      assert.deepEqual(got.Associations.map((a: { SubnetId: string }) => a.SubnetId).sort(), [...db].sort());
      assert.deepEqual(got.Entries.map((e: { RuleNumber: number; Egress: boolean; PortRange?: { From: number; To: number } }) => [e.RuleNumber, e.Egress, e.PortRange?.From, e.PortRange?.To]),
        [[100, false, 5432, 5432], [32767, false, undefined, undefined], [100, true, 1024, 65535], [32767, true, undefined, undefined]]);

      // Teardown: the refused delete first, then what unblocks it.
      assert.match(await fails(['delete-vpc', '--vpc-id', vpc], 'DependencyViolation'), new RegExp(vpc));
      await fails(['delete-security-group', '--group-id', dbSg], 'DependencyViolation');
      await fails(['delete-internet-gateway', '--internet-gateway-id', igw], 'DependencyViolation');
      // The NAT gateways' Elastic IPs are mapped public addresses in the VPC.
      assert.match(await fails(['detach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc], 'DependencyViolation'), /mapped public address/);
      await fails(['delete-subnet', '--subnet-id', pub[0]!], 'DependencyViolation');
      await fails(['release-address', '--allocation-id', eips[0]!], 'InvalidIPAddress.InUse');
      for (const n of nats) await ec2(['delete-nat-gateway', '--nat-gateway-id', n]);
      const gone = (await ec2(['describe-nat-gateways', '--nat-gateway-ids', ...nats])).NatGateways;
      assert.deepEqual(gone.map((g: { State: string }) => g.State), ['deleted', 'deleted']);
      for (const e of eips) await ec2(['release-address', '--allocation-id', e]);
      await ec2(['detach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc]);
      await ec2(['delete-internet-gateway', '--internet-gateway-id', igw]);

      // app and db reference each other: revoke app's egress to db, then db, app, lb go in that order.
      await ec2(['revoke-security-group-egress', '--group-id', appSg, '--ip-permissions', tcp(5432, `UserIdGroupPairs=[{GroupId=${dbSg}}]`)]);
      await ec2(['delete-security-group', '--group-id', dbSg]);
      await fails(['delete-security-group', '--group-id', lb], 'DependencyViolation');
      await ec2(['delete-security-group', '--group-id', appSg]);
      await ec2(['delete-security-group', '--group-id', lb]);

      await fails(['delete-network-acl', '--network-acl-id', acl], 'DependencyViolation');
      await fails(['delete-route-table', '--route-table-id', tables[3]!], 'DependencyViolation');
      await fails(['delete-vpc', '--vpc-id', vpc], 'DependencyViolation');
      // Deleting a subnet drops its route-table and ACL associations.
      for (const s of [...pub, ...app, ...db]) await ec2(['delete-subnet', '--subnet-id', s]);
      for (const t of tables) await ec2(['delete-route-table', '--route-table-id', t]);
      await ec2(['delete-network-acl', '--network-acl-id', acl]);
      await ec2(['delete-vpc', '--vpc-id', vpc]);

      const vpcs = (await ec2(['describe-vpcs'])).Vpcs;
      assert.deepEqual(vpcs.map((v: { IsDefault: boolean }) => v.IsDefault), [true]);
      const groups = (await ec2(['describe-security-groups'])).SecurityGroups;
      assert.deepEqual(groups.map((g: { GroupName: string; VpcId: string }) => [g.GroupName, g.VpcId]), [['default', vpcs[0].VpcId]]);
      assert.deepEqual((await ec2(['describe-addresses'])).Addresses, []);
      await fails(['describe-subnets', '--subnet-ids', db[0]!], 'InvalidSubnetID.NotFound');
    });
  });
}
