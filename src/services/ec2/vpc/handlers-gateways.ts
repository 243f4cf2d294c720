/**
 * NAT gateways, egress-only internet gateways and Network Insights (Reachability Analyzer).
 * Registered after the VPC core's and the security handlers (src/services/ec2/index.ts).
 */
import type { Handler } from '../../types.js';
import { createEgressOnlyInternetGateway, deleteEgressOnlyInternetGateway, describeEgressOnlyInternetGateways } from './egress-only-gateways.js';
import { withDefaultVpc } from './handlers.js';
import { createNatGateway, deleteNatGateway, describeNatGateways } from './nat-gateways.js';
import {
  createNetworkInsightsPath, deleteNetworkInsightsAnalysis, deleteNetworkInsightsPath, describeNetworkInsightsAnalyses,
  describeNetworkInsightsPaths, startNetworkInsightsAnalysis,
} from './network-insights.js';

const plain: Record<string, Handler> = {
  CreateNatGateway: createNatGateway, DeleteNatGateway: deleteNatGateway, DescribeNatGateways: describeNatGateways,
  CreateEgressOnlyInternetGateway: createEgressOnlyInternetGateway, DeleteEgressOnlyInternetGateway: deleteEgressOnlyInternetGateway,
  DescribeEgressOnlyInternetGateways: describeEgressOnlyInternetGateways,
  CreateNetworkInsightsPath: createNetworkInsightsPath, DescribeNetworkInsightsPaths: describeNetworkInsightsPaths,
  DeleteNetworkInsightsPath: deleteNetworkInsightsPath, StartNetworkInsightsAnalysis: startNetworkInsightsAnalysis,
  DescribeNetworkInsightsAnalyses: describeNetworkInsightsAnalyses, DeleteNetworkInsightsAnalysis: deleteNetworkInsightsAnalysis,
};

export const gatewayHandlers: Record<string, Handler> = Object.fromEntries(Object.entries(plain).map(([k, h]) => [k, withDefaultVpc(h)]));
