import type { ServiceDefinition } from './types.js';

/**
 * What routing needs to know about each service without loading it. The handler module
 * and the model load the first time a request reaches the service.
 */
export interface CatalogEntry {
  name: string;
  modelId: string;
  protocol: 'query' | 'ec2' | 'rest-xml' | 'json' | 'rest-json';
  /** Service names that appear in SigV4 credential scopes. */
  signingNames: string[];
  /** The model's apiVersion: routes unsigned query requests by their Version parameter. */
  apiVersion: string;
  /** X-Amz-Target prefix for JSON protocols (the service's own, or an alternate JSON 1.0 one). */
  targetPrefix?: string;
  jsonVersion?: '1.0' | '1.1';
  /** Smithy service shape name for services also served over RPC v2 CBOR (/service/{name}/operation/...). */
  cborServiceName?: string;
  /** First labels of AWS hostnames (ec2.us-east-1.amazonaws.com, api.ecr...). */
  hostPrefixes: string[];
  /**
   * Path prefix that tells this service apart from another with the same signing name
   * (S3 Control signs as `s3`; every one of its operations lives under /v20180820/).
   */
  pathPrefix?: string;
  /** With pathPrefix: the request carries at least one of these headers (S3 Control's x-amz-account-id). */
  pathHeaders?: string[];
  global?: boolean;
  load: () => Promise<ServiceDefinition>;
}

const def = (m: { default: ServiceDefinition }) => m.default;

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'sts', modelId: 'sts-2011-06-15', protocol: 'query', signingNames: ['sts'], apiVersion: '2011-06-15',
    hostPrefixes: ['sts'], load: () => import('./sts/index.js').then(def),
  },
  {
    name: 'iam', modelId: 'iam-2010-05-08', protocol: 'query', signingNames: ['iam'], apiVersion: '2010-05-08',
    hostPrefixes: ['iam'], global: true, load: () => import('./iam/index.js').then(def),
  },
  {
    name: 'ec2', modelId: 'ec2-2016-11-15', protocol: 'ec2', signingNames: ['ec2'], apiVersion: '2016-11-15',
    hostPrefixes: ['ec2'], load: () => import('./ec2/index.js').then(def),
  },
  {
    name: 's3', modelId: 's3-2006-03-01', protocol: 'rest-xml', signingNames: ['s3'], apiVersion: '2006-03-01',
    hostPrefixes: ['s3'], load: () => import('./s3/index.js').then(def),
  },
  {
    // S3 Control (account-level Block Public Access): signed as `s3`, sent to
    // ACCOUNT.s3-control.REGION.amazonaws.com (ACCOUNT.localhost with a custom endpoint), told
    // apart from S3 by its /v20180820/ paths (route.ts).
    name: 's3control', modelId: 's3control-2018-08-20', protocol: 'rest-xml', signingNames: ['s3'], apiVersion: '2018-08-20',
    hostPrefixes: [], pathPrefix: '/v20180820/', pathHeaders: ['x-amz-account-id', 'x-amz-outpost-id'], global: true, load: () => import('./s3control/index.js').then(def),
  },
  {
    name: 'ecr', modelId: 'ecr-2015-09-21', protocol: 'json', signingNames: ['ecr'], apiVersion: '2015-09-21',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921', jsonVersion: '1.1',
    hostPrefixes: ['api.ecr', 'ecr'], load: () => import('./ecr/index.js').then(def),
  },
  {
    // CloudWatch speaks three protocols: awsQuery (older SDKs, CLI v2 2.9), JSON 1.0 (the JS SDK v3)
    // and RPC v2 CBOR (botocore 1.43+, so the CLI v1).
    name: 'cloudwatch', modelId: 'monitoring-2010-08-01', protocol: 'query', signingNames: ['monitoring'],
    apiVersion: '2010-08-01', targetPrefix: 'GraniteServiceVersion20100801', jsonVersion: '1.0',
    cborServiceName: 'GraniteServiceVersion20100801',
    hostPrefixes: ['monitoring'], load: () => import('./cloudwatch/index.js').then(def),
  },
  {
    name: 'autoscaling', modelId: 'autoscaling-2011-01-01', protocol: 'query', signingNames: ['autoscaling'],
    apiVersion: '2011-01-01', hostPrefixes: ['autoscaling'], load: () => import('./autoscaling/index.js').then(def),
  },
  {
    name: 'elbv2', modelId: 'elasticloadbalancingv2-2015-12-01', protocol: 'query', signingNames: ['elasticloadbalancing'],
    apiVersion: '2015-12-01', hostPrefixes: ['elasticloadbalancing'], load: () => import('./elbv2/index.js').then(def),
  },
  {
    // EC2 Instance Connect: pushes a short-lived SSH key to an instance (EC2's instance rows).
    name: 'ec2-instance-connect', modelId: 'ec2-instance-connect-2018-04-02', protocol: 'json', signingNames: ['ec2-instance-connect'],
    apiVersion: '2018-04-02', targetPrefix: 'AWSEC2InstanceConnectService', jsonVersion: '1.1',
    hostPrefixes: ['ec2-instance-connect'], load: () => import('./ec2-instance-connect/index.js').then(def),
  },
  {
    name: 'sns', modelId: 'sns-2010-03-31', protocol: 'query', signingNames: ['sns'], apiVersion: '2010-03-31',
    hostPrefixes: ['sns'], load: () => import('./sns/index.js').then(def),
  },
  {
    // The billing services are global: one endpoint each (ce.us-east-1, budgets, savingsplans
    // .amazonaws.com), signed for us-east-1, one state per account.
    name: 'ce', modelId: 'ce-2017-10-25', protocol: 'json', signingNames: ['ce'], apiVersion: '2017-10-25',
    targetPrefix: 'AWSInsightsIndexService', jsonVersion: '1.1', hostPrefixes: ['ce'], global: true,
    load: () => import('./ce/index.js').then(def),
  },
  {
    name: 'budgets', modelId: 'budgets-2016-10-20', protocol: 'json', signingNames: ['budgets'], apiVersion: '2016-10-20',
    targetPrefix: 'AWSBudgetServiceGateway', jsonVersion: '1.1', hostPrefixes: ['budgets'], global: true,
    load: () => import('./budgets/index.js').then(def),
  },
  {
    // rest-json: every operation is POST /OperationName with a JSON body; no X-Amz-Target, so
    // requests find it by the credential scope's service name (or the Host).
    name: 'savingsplans', modelId: 'savingsplans-2019-06-28', protocol: 'rest-json', signingNames: ['savingsplans'],
    apiVersion: '2019-06-28', hostPrefixes: ['savingsplans'], global: true,
    load: () => import('./savingsplans/index.js').then(def),
  },
  {
    name: 'freetier', modelId: 'freetier-2023-09-07', protocol: 'json', signingNames: ['freetier'], apiVersion: '2023-09-07',
    targetPrefix: 'AWSFreeTierService', jsonVersion: '1.0', hostPrefixes: ['freetier'], global: true,
    load: () => import('./freetier/index.js').then(def),
  },
  {
    // Like CloudWatch, two faces: JSON 1.0 (the JS SDK v3, both CLIs: botocore ranks json before
    // CBOR) and RPC v2 CBOR (the model's first protocol, for SDKs that prefer it). Regional.
    name: 'compute-optimizer', modelId: 'compute-optimizer-2019-11-01', protocol: 'json', signingNames: ['compute-optimizer'],
    apiVersion: '2019-11-01', targetPrefix: 'ComputeOptimizerService', jsonVersion: '1.0', cborServiceName: 'ComputeOptimizerService',
    hostPrefixes: ['compute-optimizer'], load: () => import('./compute-optimizer/index.js').then(def),
  },
];
