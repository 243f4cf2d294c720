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

/**
 * Launching with (or associating) an instance profile passes its role to EC2: AWS checks
 * iam:PassRole on the role, besides the EC2 action.
 */
function passRoleChecks(req: AuthzRequest): Check[] {
  const spec = (req.input?.IamInstanceProfile ?? req.input?.LaunchSpecification?.IamInstanceProfile) as { Arn?: string; Name?: string } | undefined;
  const name = spec?.Arn ? /instance-profile\/(?:.*\/)?([^/]+)$/.exec(spec.Arn)?.[1] : spec?.Name;
  if (!name || !req.account) return [];
  const profile = req.tx.get<{ roles?: string[] }>({ account: req.account, region: '' }, 'iam:instance-profile', name);
  return (profile?.roles ?? []).map((role) => ({
    action: 'iam:PassRole',
    resource: req.tx.get<{ arn?: string }>({ account: req.account, region: '' }, 'iam:role', role)?.arn ?? `arn:aws:iam::${req.account}:role/${role}`,
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  }));
}

const PASSES_ROLE = ['RunInstances', 'RequestSpotInstances', 'AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation'];

const authz: ServiceAuthz = {
  checks: {
    ...Object.fromEntries(CREATES_WITH_TAGS.map((op) => [op, withCreateTags])),
    ...Object.fromEntries(PASSES_ROLE.map((op) => [op, (req: AuthzRequest, generic: () => Check[]) => [
      ...(CREATES_WITH_TAGS.includes(op) ? withCreateTags(req, generic) : generic()), ...passRoleChecks(req),
    ]])),
  },
  resourceTags: (req, arn) => resourceTagsOfArn(req.tx, arn),
  variables: {
    SecurityGroupId: ['GroupId', 'GroupIds', 'SecurityGroupId', 'SecurityGroupIds'],
    KeyPairName: ['KeyName', 'KeyNames'],
    NaclId: ['NetworkAclId', 'NetworkAclIds'],
    LocalGatewayRoutetableId: ['LocalGatewayRouteTableId'],
  },
};

export default authz;
