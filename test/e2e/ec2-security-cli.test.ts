// Security groups, network ACLs, interfaces and Elastic IPs through the AWS CLI v1 and v2:
// the CLI's own --protocol/--port/--cidr/--source-group shortcuts, shorthand IpPermissions, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

for (const cli of awsClis()) {
  describe(`EC2 security groups, NACLs, ENIs and EIPs with ${cli.name}`, { skip: cli.skip }, () => {
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

    test("the seeds' groups chained by reference with the CLI's shortcuts; DependencyViolation; the database NACL", async () => {
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.0.0.0/16'])).Vpc.VpcId;
      const group = async (name: string) => (await ec2(['create-security-group', '--group-name', name, '--description', `${name} tier`, '--vpc-id', vpc])).GroupId;
      const lb = await group('lb');
      const app = await group('app');
      const db = await group('db');
      const r = await ec2(['authorize-security-group-ingress', '--group-id', lb, '--protocol', 'tcp', '--port', '443', '--cidr', '0.0.0.0/0']);
      assert.equal(r.Return, true);
      assert.equal(r.SecurityGroupRules[0].FromPort, 443);
      await ec2(['authorize-security-group-ingress', '--group-id', lb, '--ip-permissions', 'IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0,Description=http}]']);
      await ec2(['authorize-security-group-ingress', '--group-id', app, '--protocol', 'tcp', '--port', '8080', '--source-group', lb]);
      await ec2(['authorize-security-group-ingress', '--group-id', db, '--protocol', 'tcp', '--port', '5432', '--source-group', app]);
      await ec2(['authorize-security-group-egress', '--group-id', app, '--ip-permissions', `IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=${db}}]`]);
      await fails(['authorize-security-group-ingress', '--group-id', db, '--protocol', 'tcp', '--port', '5432', '--source-group', app], 'InvalidPermission.Duplicate');
      const stderr = await fails(['delete-security-group', '--group-id', app], 'DependencyViolation');
      assert.match(stderr, new RegExp(app));
      const dbg = (await ec2(['describe-security-groups', '--group-ids', db])).SecurityGroups[0];
      assert.deepEqual(dbg.IpPermissions, [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: app, UserId: '000000000000' }] }]);
      const rules = await ec2(['describe-security-group-rules', '--filters', `Name=group-id,Values=${lb}`]);
      assert.deepEqual(rules.SecurityGroupRules.map((x: { FromPort: number }) => x.FromPort).sort((a: number, b: number) => a - b), [-1, 80, 443]);
      const filtered = await ec2(['describe-security-groups', '--filters', `Name=vpc-id,Values=${vpc}`, 'Name=ip-permission.from-port,Values=8080']);
      assert.deepEqual(filtered.SecurityGroups.map((g: { GroupId: string }) => g.GroupId), [app]);
      await fails(['create-security-group', '--group-name', 'db', '--description', 'again', '--vpc-id', vpc], 'InvalidGroup.Duplicate');
      await fails(['describe-security-groups', '--group-ids', 'sg-0123456789abcdef0'], 'InvalidGroup.NotFound');

      // The database subnets' NACL: 5432 in from the app subnets, ephemeral ports back out.
      const subnet = (await ec2(['create-subnet', '--vpc-id', vpc, '--cidr-block', '10.0.20.0/24'])).Subnet.SubnetId;
      const acl = (await ec2(['create-network-acl', '--vpc-id', vpc])).NetworkAcl.NetworkAclId;
      await ec2(['create-network-acl-entry', '--network-acl-id', acl, '--ingress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=5432,To=5432', '--cidr-block', '10.0.10.0/23', '--rule-action', 'allow']);
      await ec2(['create-network-acl-entry', '--network-acl-id', acl, '--egress', '--rule-number', '100', '--protocol', 'tcp', '--port-range', 'From=1024,To=65535', '--cidr-block', '10.0.10.0/23', '--rule-action', 'allow']);
      await fails(['create-network-acl-entry', '--network-acl-id', acl, '--egress', '--rule-number', '100', '--protocol', '-1', '--cidr-block', '0.0.0.0/0', '--rule-action', 'deny'], 'NetworkAclEntryAlreadyExists');
      const assoc = (await ec2(['describe-network-acls', '--filters', `Name=association.subnet-id,Values=${subnet}`])).NetworkAcls[0]
        .Associations.find((a: { SubnetId: string }) => a.SubnetId === subnet).NetworkAclAssociationId;
      await ec2(['replace-network-acl-association', '--association-id', assoc, '--network-acl-id', acl]);
      const got = (await ec2(['describe-network-acls', '--network-acl-ids', acl])).NetworkAcls[0];
      assert.deepEqual(got.Entries.map((e: { RuleNumber: number; Egress: boolean; Protocol: string }) => [e.RuleNumber, e.Egress, e.Protocol]), [[100, false, '6'], [32767, false, '-1'], [100, true, '6'], [32767, true, '-1']]);
      assert.equal(got.Associations[0].SubnetId, subnet);
      await fails(['delete-network-acl', '--network-acl-id', acl], 'DependencyViolation');
      await fails(['delete-network-acl-entry', '--network-acl-id', acl, '--ingress', '--rule-number', '7'], 'InvalidNetworkAclEntry.NotFound');
    });

    test('an interface and an Elastic IP: addresses, association, release refused while associated, the limit', async () => {
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.1.0.0/16'])).Vpc.VpcId;
      const subnet = (await ec2(['create-subnet', '--vpc-id', vpc, '--cidr-block', '10.1.0.0/24'])).Subnet.SubnetId;
      const eni = (await ec2(['create-network-interface', '--subnet-id', subnet, '--private-ip-address', '10.1.0.50', '--secondary-private-ip-address-count', '1'])).NetworkInterface;
      assert.deepEqual(eni.PrivateIpAddresses.map((p: { PrivateIpAddress: string }) => p.PrivateIpAddress), ['10.1.0.50', '10.1.0.4']);
      await fails(['create-network-interface', '--subnet-id', subnet, '--private-ip-address', '10.1.0.50'], 'InvalidIPAddress.InUse');
      const count = (await ec2(['describe-subnets', '--subnet-ids', subnet])).Subnets[0].AvailableIpAddressCount;
      assert.equal(count, 251 - 2);
      const igw = (await ec2(['create-internet-gateway'])).InternetGateway.InternetGatewayId;
      await ec2(['attach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc]);
      const eip = await ec2(['allocate-address', '--domain', 'vpc']);
      assert.match(eip.PublicIp, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
      const assoc = await ec2(['associate-address', '--allocation-id', eip.AllocationId, '--network-interface-id', eni.NetworkInterfaceId]);
      await fails(['release-address', '--allocation-id', eip.AllocationId], 'InvalidIPAddress.InUse');
      const addrs = await ec2(['describe-addresses', '--filters', `Name=network-interface-id,Values=${eni.NetworkInterfaceId}`]);
      assert.equal(addrs.Addresses[0].PrivateIpAddress, '10.1.0.50');
      assert.equal(addrs.Addresses[0].AssociationId, assoc.AssociationId);
      const seen = await ec2(['describe-network-interfaces', '--filters', `Name=association.public-ip,Values=${eip.PublicIp}`]);
      assert.equal(seen.NetworkInterfaces[0].NetworkInterfaceId, eni.NetworkInterfaceId);
      for (let i = 0; i < 4; i++) await ec2(['allocate-address']);
      await fails(['allocate-address'], 'AddressLimitExceeded');
      await ec2(['disassociate-address', '--association-id', assoc.AssociationId]);
      await ec2(['release-address', '--allocation-id', eip.AllocationId]);
      await fails(['delete-subnet', '--subnet-id', subnet], 'DependencyViolation');
      await ec2(['delete-network-interface', '--network-interface-id', eni.NetworkInterfaceId]);
      await ec2(['delete-subnet', '--subnet-id', subnet]);
    });
  });
}
