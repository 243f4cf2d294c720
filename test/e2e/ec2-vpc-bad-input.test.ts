// Every VPC-core operation with missing, malformed and unknown parameters answers a 4xx AWS
// error in EC2's shape, never a 5xx, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { queryRequest, signedFetch } from '../helpers/sign.js';

const OPS = [
  'CreateVpc', 'DescribeVpcs', 'DeleteVpc', 'AssociateVpcCidrBlock', 'DisassociateVpcCidrBlock', 'DescribeVpcAttribute',
  'ModifyVpcAttribute', 'CreateDefaultSubnet', 'DescribeAccountAttributes', 'CreateSubnet', 'DescribeSubnets', 'DeleteSubnet',
  'ModifySubnetAttribute', 'AssociateSubnetCidrBlock', 'DisassociateSubnetCidrBlock', 'CreateRouteTable', 'DescribeRouteTables',
  'DeleteRouteTable', 'AssociateRouteTable', 'DisassociateRouteTable', 'ReplaceRouteTableAssociation', 'CreateRoute', 'ReplaceRoute',
  'DeleteRoute', 'CreateInternetGateway', 'DescribeInternetGateways', 'AttachInternetGateway', 'DetachInternetGateway',
  'DeleteInternetGateway', 'DescribeNetworkAcls', 'CreateTags', 'DeleteTags', 'DescribeTags',
];

/** Parameter sets that are wrong in different ways for most operations. */
const BAD: Array<Record<string, string>> = [
  {},
  { VpcId: 'vpc-zz', SubnetId: 'subnet-', RouteTableId: 'rtb-1', InternetGatewayId: 'igw-0123456789abcdef0', AssociationId: 'x' },
  { VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.0.0/99', Attribute: 'enableDnsSupport', DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' },
  { 'Filter.1.Name': 'nope', 'Filter.1.Value.1': 'x', MaxResults: '3', 'ResourceId.1': 'vpc-1', 'Tag.1.Key': 'aws:x' },
  { CidrBlock: '::/0', Ipv6CidrBlock: '10.0.0.0/16', AvailabilityZone: 'nowhere-1a', 'TagSpecification.1.ResourceType': 'banana' },
];

describe('VPC core: bad input answers 4xx', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  test('no operation answers 5xx to missing, malformed or unknown parameters', async () => {
    const send = (params: Record<string, string>) =>
      signedFetch(cl.url, 'ec2', queryRequest({ Version: '2016-11-15', ...params }));
    const count = async () => (await (await send({ Action: 'DescribeVpcs' })).text()).match(/<vpcId>/g)?.length ?? 0;
    const before = await count();
    let n = 0;
    for (const op of OPS) {
      for (const params of BAD) {
        const r = await send({ Action: op, ...params });
        const text = await r.text();
        assert.ok(r.status < 500, `${op} ${JSON.stringify(params)} answered ${r.status}: ${text}`);
        if (r.status >= 400) {
          assert.match(text, /<Response><Errors><Error><Code>[A-Za-z.]+<\/Code><Message>[^<]+<\/Message>/, `${op}: ${text}`);
          n++;
        }
      }
    }
    assert.ok(n >= OPS.length * 3, `${n} errors`);
    assert.equal(await count(), before, 'nothing was created by bad requests');
  });
});
