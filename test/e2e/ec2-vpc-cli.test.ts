// The VPC API through the AWS CLI v1 and v2: shorthand parameters, auto-pagination, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

for (const cli of awsClis()) {
  describe(`EC2 VPC with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });
    const ec2 = (args: string[], region = 'us-east-1') => awsJson(cli.bin, cl.url, ['ec2', '--region', region, ...args]);
    const fails = async (args: string[], code: string, region = 'us-east-1') => {
      const r = await runAws(cli.bin, cl.url, ['ec2', '--region', region, ...args]);
      assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
      assert.match(r.stderr, new RegExp(`\\(${code.replace('.', '\\.')}\\)`), r.stderr);
      return r.stderr;
    };

    test('default VPC in two regions and two accounts', async () => {
      const a = await ec2(['describe-vpcs', '--filters', 'Name=is-default,Values=true']);
      const b = await ec2(['describe-vpcs', '--filters', 'Name=is-default,Values=true'], 'eu-central-1');
      const other = await awsJson(cli.bin, cl.url, ['ec2', 'describe-vpcs'], { AWS_ACCESS_KEY_ID: '333333333333' });
      for (const r of [a, b, other]) {
        assert.equal(r.Vpcs.length, 1);
        assert.equal(r.Vpcs[0].CidrBlock, '172.31.0.0/16');
      }
      assert.equal(other.Vpcs[0].OwnerId, '333333333333');
      assert.equal(new Set([a, b, other].map((r) => r.Vpcs[0].VpcId)).size, 3);
      const subnets = await ec2(['describe-subnets', '--filters', `Name=vpc-id,Values=${b.Vpcs[0].VpcId}`, 'Name=default-for-az,Values=true'], 'eu-central-1');
      assert.deepEqual(subnets.Subnets.map((s: { CidrBlock: string }) => s.CidrBlock).sort(), ['172.31.0.0/20', '172.31.16.0/20', '172.31.32.0/20']);
      const attrs = await ec2(['describe-account-attributes', '--attribute-names', 'default-vpc']);
      assert.equal(attrs.AccountAttributes[0].AttributeValues[0].AttributeValue, a.Vpcs[0].VpcId);
    });

    test('create a VPC with tags, subnets with errors, an IGW and a route; tear down with DependencyViolation', async () => {
      const vpc = (await ec2(['create-vpc', '--cidr-block', '10.0.0.0/16', '--tag-specifications', 'ResourceType=vpc,Tags=[{Key=Name,Value=cli}]'])).Vpc;
      assert.deepEqual(vpc.Tags, [{ Key: 'Name', Value: 'cli' }]);
      await fails(['create-vpc', '--cidr-block', '10.0.0.0/30'], 'InvalidVpc.Range');
      const sub = (await ec2(['create-subnet', '--vpc-id', vpc.VpcId, '--cidr-block', '10.0.1.0/24', '--availability-zone', 'us-east-1b'])).Subnet;
      assert.equal(sub.AvailableIpAddressCount, 251);
      await fails(['create-subnet', '--vpc-id', vpc.VpcId, '--cidr-block', '10.0.1.0/25'], 'InvalidSubnet.Conflict');
      await fails(['create-subnet', '--vpc-id', vpc.VpcId, '--cidr-block', '10.9.0.0/24'], 'InvalidSubnet.Range');
      const igw = (await ec2(['create-internet-gateway'])).InternetGateway;
      await ec2(['attach-internet-gateway', '--internet-gateway-id', igw.InternetGatewayId, '--vpc-id', vpc.VpcId]);
      const rt = (await ec2(['create-route-table', '--vpc-id', vpc.VpcId])).RouteTable;
      const created = await ec2(['create-route', '--route-table-id', rt.RouteTableId, '--destination-cidr-block', '0.0.0.0/0', '--gateway-id', igw.InternetGatewayId]);
      assert.equal(created.Return, true);
      await ec2(['associate-route-table', '--route-table-id', rt.RouteTableId, '--subnet-id', sub.SubnetId]);
      const found = await ec2(['describe-route-tables', '--filters', `Name=association.subnet-id,Values=${sub.SubnetId}`, `Name=route.gateway-id,Values=${igw.InternetGatewayId}`]);
      assert.deepEqual(found.RouteTables.map((t: { RouteTableId: string }) => t.RouteTableId), [rt.RouteTableId]);
      const dep = await fails(['delete-vpc', '--vpc-id', vpc.VpcId], 'DependencyViolation');
      assert.match(dep, new RegExp(`The vpc '${vpc.VpcId}' has dependencies and cannot be deleted`));
      await fails(['detach-internet-gateway', '--internet-gateway-id', igw.InternetGatewayId, '--vpc-id', 'vpc-0123456789abcdef0'], 'InvalidVpcID.NotFound');
      await ec2(['detach-internet-gateway', '--internet-gateway-id', igw.InternetGatewayId, '--vpc-id', vpc.VpcId]);
      await ec2(['delete-internet-gateway', '--internet-gateway-id', igw.InternetGatewayId]);
      await ec2(['delete-subnet', '--subnet-id', sub.SubnetId]);
      await ec2(['delete-route-table', '--route-table-id', rt.RouteTableId]);
      await ec2(['delete-vpc', '--vpc-id', vpc.VpcId]);
      await fails(['describe-vpcs', '--vpc-ids', vpc.VpcId], 'InvalidVpcID.NotFound');
    });

    test('auto-pagination across pages, tags, and dry-run', async () => {
      for (let i = 0; i < 7; i++) await ec2(['create-vpc', '--cidr-block', `10.${100 + i}.0.0/16`], 'ca-central-1');
      const all = await ec2(['describe-vpcs', '--page-size', '5', '--filters', 'Name=is-default,Values=false'], 'ca-central-1');
      assert.equal(all.Vpcs.length, 7);
      assert.equal(new Set(all.Vpcs.map((v: { VpcId: string }) => v.VpcId)).size, 7);
      const page = await ec2(['describe-vpcs', '--max-items', '3'], 'ca-central-1');
      assert.equal(page.Vpcs.length, 3);
      assert.ok(page.NextToken);
      const ids = all.Vpcs.map((v: { VpcId: string }) => v.VpcId);
      await ec2(['create-tags', '--resources', ids[0], ids[1], '--tags', 'Key=tier,Value=web'], 'ca-central-1');
      const tagged = await ec2(['describe-vpcs', '--filters', 'Name=tag:tier,Values=web'], 'ca-central-1');
      assert.deepEqual(tagged.Vpcs.map((v: { VpcId: string }) => v.VpcId).sort(), [ids[0], ids[1]].sort());
      const tags = await ec2(['describe-tags', '--filters', 'Name=key,Values=tier'], 'ca-central-1');
      assert.equal(tags.Tags.length, 2);
      await fails(['delete-vpc', '--vpc-id', ids[0], '--dry-run'], 'DryRunOperation', 'ca-central-1');
      await fails(['describe-vpcs', '--filters', 'Name=nope,Values=x'], 'InvalidParameterValue', 'ca-central-1');
    });
  });
}
