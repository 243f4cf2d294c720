import type { Handler } from '../../types.js';
import { describeReservedInstances, describeReservedInstancesOfferings, purchaseReservedInstancesOffering } from './reserved.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const reservedHandlers: Record<string, Handler> = {
  DescribeReservedInstancesOfferings: describeReservedInstancesOfferings,
  PurchaseReservedInstancesOffering: purchaseReservedInstancesOffering,
  DescribeReservedInstances: describeReservedInstances,
};
