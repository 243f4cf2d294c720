import { stableId } from './ids.js';

/**
 * A catalog of AWS managed policies (arn:aws:iam::aws:policy/...). They exist in every
 * account, can be attached and used as boundaries, and cannot be changed or deleted.
 *
 * The documents follow AWS's published ones as closely as known. Two simplifications, said
 * here so nobody mistakes them for AWS's text: ReadOnlyAccess (thousands of actions in AWS)
 * is a faithful subset covering the services cloudlet has (ec2, s3, iam, sts, ecr,
 * cloudwatch, logs, autoscaling, elasticloadbalancing, sns); CloudWatchReadOnlyAccess is
 * trimmed the same way. Policy IDs are stable per name but not AWS's real ones, and version
 * IDs and dates are approximate.
 */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  arn: string;
  id: string;
  description: string;
  versionId: string;
  createdAt: string;
  updatedAt: string;
  document: string;
}

type Statement = Record<string, unknown>;
const allow = (Action: string | string[], extra: Statement = {}): Statement => ({ Effect: 'Allow', Action, Resource: '*', ...extra });

const ECR_READ = [
  'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
  'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
  'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings',
];

const EC2_SERVICE_LINKED = {
  Action: 'iam:CreateServiceLinkedRole',
  Condition: {
    StringEquals: {
      'iam:AWSServiceName': [
        'autoscaling.amazonaws.com', 'ec2scheduled.amazonaws.com', 'elasticloadbalancing.amazonaws.com',
        'spot.amazonaws.com', 'spotfleet.amazonaws.com', 'transitgateway.amazonaws.com',
      ],
    },
  },
};

interface Entry {
  name: string;
  path?: string;
  description: string;
  versionId: string;
  createdAt: string;
  updatedAt?: string;
  statements: Statement[];
}

const CATALOG: Entry[] = [
  {
    name: 'AdministratorAccess', description: 'Provides full access to AWS services and resources.',
    versionId: 'v1', createdAt: '2015-02-06T18:39:46Z',
    statements: [allow('*')],
  },
  {
    name: 'PowerUserAccess', description: 'Provides full access to AWS services and resources, but does not allow management of Users and groups.',
    versionId: 'v5', createdAt: '2015-02-06T18:39:47Z', updatedAt: '2023-07-06T22:04:19Z',
    statements: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      allow(['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization',
        'account:ListRegions', 'account:GetAccountInformation']),
    ],
  },
  {
    name: 'ReadOnlyAccess', description: 'Provides read-only access to AWS services and resources.',
    versionId: 'v118', createdAt: '2015-02-06T18:39:48Z', updatedAt: '2024-06-18T17:12:41Z',
    statements: [allow([
      'autoscaling:Describe*', 'autoscaling:GetPredictiveScalingForecast',
      'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*',
      'ec2:Describe*', 'ec2:Get*', 'ec2:SearchTransitGatewayRoutes',
      'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:Describe*', 'ecr:Get*', 'ecr:List*',
      'elasticloadbalancing:Describe*',
      'iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*',
      'logs:Describe*', 'logs:FilterLogEvents', 'logs:Get*', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup',
      'logs:StartQuery', 'logs:StopQuery', 'logs:TestMetricFilter',
      's3:Describe*', 's3:Get*', 's3:List*',
      'sns:Check*', 'sns:Get*', 'sns:List*',
      'sts:GetAccessKeyInfo', 'sts:GetCallerIdentity', 'sts:GetSessionToken',
    ])],
  },
  {
    name: 'IAMFullAccess', description: 'Provides full access to IAM via the AWS Management Console.',
    versionId: 'v2', createdAt: '2015-02-06T18:40:38Z', updatedAt: '2019-06-21T19:40:00Z',
    statements: [allow(['iam:*', 'organizations:DescribeAccount', 'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit', 'organizations:DescribePolicy', 'organizations:ListChildren',
      'organizations:ListParents', 'organizations:ListPoliciesForTarget', 'organizations:ListRoots',
      'organizations:ListPolicies', 'organizations:ListTargetsForPolicy'])],
  },
  {
    name: 'IAMReadOnlyAccess', description: 'Provides read only access to IAM via the AWS Management Console.',
    versionId: 'v4', createdAt: '2015-02-06T18:40:39Z', updatedAt: '2018-01-25T19:11:27Z',
    statements: [allow(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*',
      'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy'])],
  },
  {
    name: 'AmazonS3FullAccess', description: 'Provides full access to all buckets via the AWS Management Console.',
    versionId: 'v2', createdAt: '2015-02-06T18:40:58Z', updatedAt: '2021-09-27T20:16:37Z',
    statements: [allow(['s3:*', 's3-object-lambda:*'])],
  },
  {
    name: 'AmazonS3ReadOnlyAccess', description: 'Provides read only access to all buckets via the AWS Management Console.',
    versionId: 'v3', createdAt: '2015-02-06T18:40:59Z', updatedAt: '2023-08-10T21:31:39Z',
    statements: [allow(['s3:Get*', 's3:List*', 's3:Describe*', 's3-object-lambda:Get*', 's3-object-lambda:List*'])],
  },
  {
    name: 'AmazonEC2FullAccess', description: 'Provides full access to Amazon EC2 via the AWS Management Console.',
    versionId: 'v5', createdAt: '2015-02-06T18:40:15Z', updatedAt: '2018-11-27T02:16:56Z',
    statements: [allow('ec2:*'), allow('elasticloadbalancing:*'), allow('cloudwatch:*'), allow('autoscaling:*'),
      allow(EC2_SERVICE_LINKED.Action, { Condition: EC2_SERVICE_LINKED.Condition })],
  },
  {
    name: 'AmazonEC2ReadOnlyAccess', description: 'Provides read only access to Amazon EC2 via the AWS Management Console.',
    versionId: 'v1', createdAt: '2015-02-06T18:40:17Z',
    statements: [allow('ec2:Describe*'), allow('elasticloadbalancing:Describe*'),
      allow(['cloudwatch:ListMetrics', 'cloudwatch:GetMetricStatistics', 'cloudwatch:Describe*']), allow('autoscaling:Describe*')],
  },
  {
    name: 'AmazonVPCFullAccess', description: 'Provides full access to Amazon VPC via the AWS Management Console.',
    versionId: 'v8', createdAt: '2015-02-06T18:41:16Z', updatedAt: '2019-12-20T22:22:16Z',
    statements: [allow(['ec2:*Vpc*', 'ec2:*Subnet*', 'ec2:*Gateway*', 'ec2:*Route*', 'ec2:*Address*', 'ec2:*SecurityGroup*',
      'ec2:*NetworkAcl*', 'ec2:*DhcpOptions*', 'ec2:*NetworkInterface*', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInstances',
      'ec2:DescribeAccountAttributes', 'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DescribeTags'])],
  },
  {
    name: 'AmazonVPCReadOnlyAccess', description: 'Provides read only access to Amazon VPC via the AWS Management Console.',
    versionId: 'v7', createdAt: '2015-02-06T18:41:17Z', updatedAt: '2019-12-20T22:22:16Z',
    statements: [allow(['ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeDhcpOptions', 'ec2:DescribeInternetGateways',
      'ec2:DescribeNatGateways', 'ec2:DescribeNetworkAcls', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeTags', 'ec2:DescribeVpcAttribute', 'ec2:DescribeVpcs'])],
  },
  {
    name: 'AmazonEC2ContainerRegistryReadOnly', description: 'Provides read-only access to Amazon EC2 Container Registry repositories.',
    versionId: 'v3', createdAt: '2015-12-21T17:04:44Z', updatedAt: '2019-12-05T18:31:30Z',
    statements: [allow(ECR_READ)],
  },
  {
    name: 'AmazonEC2ContainerRegistryPowerUser',
    description: 'Provides full access to Amazon EC2 Container Registry repositories, but does not allow repository deletion or policy changes.',
    versionId: 'v3', createdAt: '2015-12-21T17:05:33Z', updatedAt: '2019-12-05T18:31:30Z',
    statements: [allow([...ECR_READ, 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'])],
  },
  {
    name: 'AmazonEC2ContainerRegistryFullAccess', description: 'Provides administrative access to Amazon ECR resources',
    versionId: 'v2', createdAt: '2015-12-21T17:06:48Z', updatedAt: '2021-05-06T18:18:31Z',
    statements: [allow(['ecr:*', 'cloudtrail:LookupEvents']),
      allow('iam:CreateServiceLinkedRole', { Condition: { StringEquals: { 'iam:AWSServiceName': ['replication.ecr.amazonaws.com'] } } })],
  },
  {
    name: 'AmazonSSMManagedInstanceCore', description: 'The policy for Amazon EC2 Role to enable AWS Systems Manager service core functionality.',
    versionId: 'v2', createdAt: '2019-03-15T17:22:12Z', updatedAt: '2019-05-23T16:54:21Z',
    statements: [
      allow(['ssm:DescribeAssociation', 'ssm:GetDeployablePatchSnapshotForInstance', 'ssm:GetDocument', 'ssm:DescribeDocument',
        'ssm:GetManifest', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListAssociations', 'ssm:ListInstanceAssociations',
        'ssm:PutInventory', 'ssm:PutComplianceItems', 'ssm:PutConfigurePackageResult', 'ssm:UpdateAssociationStatus',
        'ssm:UpdateInstanceAssociationStatus', 'ssm:UpdateInstanceInformation']),
      allow(['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']),
      allow(['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint',
        'ec2messages:GetMessages', 'ec2messages:SendReply']),
    ],
  },
  {
    name: 'CloudWatchFullAccess', description: 'Provides full access to CloudWatch.',
    versionId: 'v4', createdAt: '2015-02-06T18:40:00Z', updatedAt: '2019-08-21T20:12:40Z',
    statements: [allow(['autoscaling:Describe*', 'cloudwatch:*', 'logs:*', 'sns:*', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:GetRole']),
      { Effect: 'Allow', Action: 'iam:CreateServiceLinkedRole', Resource: 'arn:aws:iam::*:role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents*',
        Condition: { StringLike: { 'iam:AWSServiceName': 'events.amazonaws.com' } } }],
  },
  {
    name: 'CloudWatchReadOnlyAccess', description: 'Provides read only access to CloudWatch.',
    versionId: 'v10', createdAt: '2015-02-06T18:40:01Z', updatedAt: '2023-12-05T19:20:21Z',
    statements: [allow(['autoscaling:Describe*', 'cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*', 'logs:Get*', 'logs:List*',
      'logs:StartQuery', 'logs:StopQuery', 'logs:Describe*', 'logs:TestMetricFilter', 'logs:FilterLogEvents', 'sns:Get*', 'sns:List*'])],
  },
  {
    name: 'AmazonSNSFullAccess', description: 'Provides full access to Amazon SNS via the AWS Management Console.',
    versionId: 'v1', createdAt: '2015-02-06T18:41:05Z',
    statements: [allow(['sns:*'])],
  },
  {
    name: 'AmazonSNSReadOnlyAccess', description: 'Provides read only access to Amazon SNS via the AWS Management Console.',
    versionId: 'v2', createdAt: '2015-02-06T18:41:06Z', updatedAt: '2023-11-22T17:45:10Z',
    statements: [allow(['sns:GetTopicAttributes', 'sns:List*', 'sns:CheckIfPhoneNumberIsOptedOut', 'sns:GetEndpointAttributes',
      'sns:GetDataProtectionPolicy', 'sns:GetPlatformApplicationAttributes', 'sns:GetSMSAttributes', 'sns:GetSMSSandboxAccountStatus',
      'sns:GetSubscriptionAttributes'])],
  },
  {
    name: 'AutoScalingFullAccess', description: 'Provides full access to Auto Scaling.',
    versionId: 'v3', createdAt: '2017-01-12T19:31:58Z', updatedAt: '2020-04-28T19:30:50Z',
    statements: [allow('autoscaling:*'), allow('cloudwatch:PutMetricAlarm'),
      allow(['ec2:DescribeAccountAttributes', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeImages', 'ec2:DescribeInstanceAttribute',
        'ec2:DescribeInstances', 'ec2:DescribeKeyPairs', 'ec2:DescribeLaunchTemplateVersions', 'ec2:DescribePlacementGroups',
        'ec2:DescribeSecurityGroups', 'ec2:DescribeSpotInstanceRequests', 'ec2:DescribeSubnets', 'ec2:DescribeVpcClassicLink']),
      allow(['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTargetGroups']),
      allow('iam:CreateServiceLinkedRole', { Condition: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } } })],
  },
  {
    name: 'ElasticLoadBalancingFullAccess', description: 'Provides full access to Amazon ElasticLoadBalancing, and limited access to other services necessary to provide ElasticLoadBalancing features.',
    versionId: 'v5', createdAt: '2018-09-20T20:42:07Z', updatedAt: '2020-12-11T17:45:20Z',
    statements: [allow('elasticloadbalancing:*'),
      allow(['ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeInternetGateways', 'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeVpcClassicLink', 'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeClassicLinkInstances', 'ec2:DescribeRouteTables', 'ec2:DescribeCoipPools', 'ec2:GetCoipPoolUsage',
        'ec2:DescribeVpcPeeringConnections', 'cognito-idp:DescribeUserPoolClient']),
      allow('iam:CreateServiceLinkedRole', { Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } } })],
  },
  {
    name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', description: 'Provides write permissions to CloudWatch Logs.',
    versionId: 'v1', createdAt: '2015-04-09T15:03:43Z',
    statements: [allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])],
  },
  {
    name: 'AmazonEC2ContainerServiceforEC2Role', path: '/service-role/', description: 'Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.',
    versionId: 'v7', createdAt: '2015-03-19T18:45:18Z', updatedAt: '2023-01-17T18:41:36Z',
    statements: [allow(['ec2:DescribeTags', 'ecs:CreateCluster', 'ecs:DeregisterContainerInstance', 'ecs:DiscoverPollEndpoint', 'ecs:Poll',
      'ecs:RegisterContainerInstance', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState', 'ecs:Submit*',
      'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
      'logs:CreateLogStream', 'logs:PutLogEvents'])],
  },
];

function build(e: Entry): AwsManagedPolicy {
  const path = e.path ?? '/';
  const arn = `arn:aws:iam::aws:policy${path}${e.name}`;
  return {
    name: e.name, path, arn, id: stableId('ANPA', arn), description: e.description, versionId: e.versionId,
    createdAt: e.createdAt, updatedAt: e.updatedAt ?? e.createdAt,
    document: JSON.stringify({ Version: '2012-10-17', Statement: e.statements }, null, 4),
  };
}

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = CATALOG.map(build);

const BY_ARN = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

export const awsManagedPolicy = (arn: string): AwsManagedPolicy | undefined => BY_ARN.get(arn);

export const isAwsManagedArn = (arn: string): boolean => arn.startsWith('arn:aws:iam::aws:policy/');
