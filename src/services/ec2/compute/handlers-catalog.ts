import type { Handler } from '../../types.js';
import { describeInstanceTypeOfferings, describeInstanceTypes, describeSpotPriceHistory } from './catalog-describe.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const catalogHandlers: Record<string, Handler> = {
  DescribeInstanceTypes: describeInstanceTypes as Handler,
  DescribeInstanceTypeOfferings: describeInstanceTypeOfferings as Handler,
  DescribeSpotPriceHistory: describeSpotPriceHistory as Handler,
};
