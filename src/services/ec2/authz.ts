/**
 * EC2 input members whose names differ from the ARN template variables of the service
 * authorization reference. Everything else (actions, '*' for Describe*, instance/* for the
 * instance RunInstances creates, ec2:Region) comes from the generated table.
 */
import type { AuthzRequest, Check, ServiceAuthz } from '../authz/types.js';
import { resourceTagsOfArn } from './tags.js';

/**
 * Creating with TagSpecifications is also an ec2:CreateTags on the new resource, with
 * ec2:CreateAction naming the create operation (how AWS lets policies allow tagging only
 * at creation time).
 */
const CREATES_WITH_TAGS = [
  'CreateVpc', 'CreateSubnet', 'CreateRouteTable', 'CreateInternetGateway', 'CreateDefaultVpc', 'CreateDefaultSubnet',
  'CreateSecurityGroup', 'CreateNetworkAcl', 'CreateNatGateway', 'CreateEgressOnlyInternetGateway', 'AllocateAddress',
  'CreateNetworkInterface', 'CreateVpcEndpoint', 'CreateVpcPeeringConnection', 'CreateManagedPrefixList',
  'CreateNetworkInsightsPath', 'StartNetworkInsightsAnalysis', 'RunInstances', 'CreateVolume', 'CreateSnapshot',
  'CreateKeyPair', 'ImportKeyPair', 'CreateLaunchTemplate', 'CreateImage',
];

function withCreateTags(req: AuthzRequest, generic: () => Check[]): Check[] {
  const checks = generic();
  if (!Array.isArray(req.input?.TagSpecifications) || req.input.TagSpecifications.length === 0) return checks;
  const created = checks.filter((c) => c.resource.endsWith('/*'));
  const targets = created.length ? created : checks;
  return [...checks, ...targets.map((c) => ({ action: 'ec2:CreateTags', resource: c.resource, context: { 'ec2:CreateAction': req.operation } }))];
}

const authz: ServiceAuthz = {
  checks: Object.fromEntries(CREATES_WITH_TAGS.map((op) => [op, withCreateTags])),
  resourceTags: (req, arn) => resourceTagsOfArn(req.tx, arn),
  variables: {
    SecurityGroupId: ['GroupId', 'GroupIds', 'SecurityGroupId', 'SecurityGroupIds'],
    KeyPairName: ['KeyName', 'KeyNames'],
    NaclId: ['NetworkAclId', 'NetworkAclIds'],
    LocalGatewayRoutetableId: ['LocalGatewayRouteTableId'],
  },
};

export default authz;
