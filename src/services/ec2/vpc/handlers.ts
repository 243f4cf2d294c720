/**
 * The VPC layer's operations. Each makes sure the account's default VPC exists in the
 * region first (it is made lazily, on the first VPC call).
 */
import type { Handler } from '../../types.js';
import { createTags, deleteTags, describeTags } from '../tags.js';
import { createDefaultSubnet, createDefaultVpc, describeAccountAttributes, ensureDefaultVpc } from './default-vpc.js';
import {
  attachInternetGateway, createInternetGateway, deleteInternetGateway, describeInternetGateways, detachInternetGateway,
} from './internet-gateways.js';
import { describeNetworkAcls } from './network-acls-describe.js';
import {
  associateRouteTable, createRoute, createRouteTable, deleteRoute, deleteRouteTable, describeRouteTables,
  disassociateRouteTable, replaceRoute, replaceRouteTableAssociation,
} from './route-tables.js';
import {
  associateSubnetCidrBlock, createSubnet, deleteSubnet, describeSubnets, disassociateSubnetCidrBlock, modifySubnetAttribute,
} from './subnets.js';
import {
  associateVpcCidrBlock, createVpc, deleteVpc, describeVpcAttribute, describeVpcs, disassociateVpcCidrBlock, modifyVpcAttribute,
} from './vpcs.js';

/** Runs the handler after making sure the default VPC exists (a no-op after the first call). */
export const withDefaultVpc = (h: Handler): Handler => (input, ctx) => {
  ensureDefaultVpc(ctx);
  return h(input, ctx);
};

const plain: Record<string, Handler> = {
  CreateVpc: createVpc, DescribeVpcs: describeVpcs, DeleteVpc: deleteVpc,
  AssociateVpcCidrBlock: associateVpcCidrBlock, DisassociateVpcCidrBlock: disassociateVpcCidrBlock,
  DescribeVpcAttribute: describeVpcAttribute, ModifyVpcAttribute: modifyVpcAttribute,
  CreateDefaultVpc: createDefaultVpc, CreateDefaultSubnet: createDefaultSubnet, DescribeAccountAttributes: describeAccountAttributes,
  CreateSubnet: createSubnet, DescribeSubnets: describeSubnets, DeleteSubnet: deleteSubnet, ModifySubnetAttribute: modifySubnetAttribute,
  AssociateSubnetCidrBlock: associateSubnetCidrBlock, DisassociateSubnetCidrBlock: disassociateSubnetCidrBlock,
  CreateRouteTable: createRouteTable, DescribeRouteTables: describeRouteTables, DeleteRouteTable: deleteRouteTable,
  AssociateRouteTable: associateRouteTable, DisassociateRouteTable: disassociateRouteTable,
  ReplaceRouteTableAssociation: replaceRouteTableAssociation,
  CreateRoute: createRoute, ReplaceRoute: replaceRoute, DeleteRoute: deleteRoute,
  CreateInternetGateway: createInternetGateway, DescribeInternetGateways: describeInternetGateways,
  AttachInternetGateway: attachInternetGateway, DetachInternetGateway: detachInternetGateway,
  DeleteInternetGateway: deleteInternetGateway,
  DescribeNetworkAcls: describeNetworkAcls,
  CreateTags: createTags, DeleteTags: deleteTags, DescribeTags: describeTags,
};

export const vpcHandlers: Record<string, Handler> = Object.fromEntries(Object.entries(plain).map(([k, h]) => [k, withDefaultVpc(h)]));
