/**
 * Managed prefix lists, VPC endpoints and VPC peering connections. Registered after the
 * gateway handlers (src/services/ec2/index.ts).
 */
import type { Handler } from '../../types.js';
import { withDefaultVpc } from './handlers.js';
import {
  createManagedPrefixList, deleteManagedPrefixList, describeManagedPrefixLists, describePrefixLists, getManagedPrefixListAssociations,
  getManagedPrefixListEntries, modifyManagedPrefixList,
} from './prefix-lists.js';
import { describeVpcEndpointServices } from './endpoint-services.js';
import {
  acceptVpcPeeringConnection, createVpcPeeringConnection, deleteVpcPeeringConnection, describeVpcPeeringConnections,
  modifyVpcPeeringConnectionOptions, rejectVpcPeeringConnection,
} from './peering.js';
import { createVpcEndpoint, deleteVpcEndpoints, describeVpcEndpoints, modifyVpcEndpoint } from './vpc-endpoints.js';

const plain: Record<string, Handler> = {
  DescribePrefixLists: describePrefixLists, DescribeManagedPrefixLists: describeManagedPrefixLists,
  GetManagedPrefixListEntries: getManagedPrefixListEntries, GetManagedPrefixListAssociations: getManagedPrefixListAssociations,
  CreateManagedPrefixList: createManagedPrefixList, ModifyManagedPrefixList: modifyManagedPrefixList,
  DeleteManagedPrefixList: deleteManagedPrefixList,
  CreateVpcEndpoint: createVpcEndpoint, ModifyVpcEndpoint: modifyVpcEndpoint, DeleteVpcEndpoints: deleteVpcEndpoints,
  DescribeVpcEndpoints: describeVpcEndpoints, DescribeVpcEndpointServices: describeVpcEndpointServices,
  CreateVpcPeeringConnection: createVpcPeeringConnection, AcceptVpcPeeringConnection: acceptVpcPeeringConnection,
  RejectVpcPeeringConnection: rejectVpcPeeringConnection, DeleteVpcPeeringConnection: deleteVpcPeeringConnection,
  DescribeVpcPeeringConnections: describeVpcPeeringConnections, ModifyVpcPeeringConnectionOptions: modifyVpcPeeringConnectionOptions,
};

export const endpointHandlers: Record<string, Handler> = Object.fromEntries(Object.entries(plain).map(([k, h]) => [k, withDefaultVpc(h)]));
