import type { Handler } from '../../types.js';
import { describeImages } from './images-describe.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const imagesHandlers: Record<string, Handler> = {
  DescribeImages: describeImages as Handler,
};
