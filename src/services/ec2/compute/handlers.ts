import type { Handler } from '../../types.js';
import { catalogHandlers } from './handlers-catalog.js';
import { imagesHandlers } from './handlers-images.js';
import { keysHandlers } from './handlers-keys.js';
import { instancesHandlers } from './handlers-instances.js';
import { ebsHandlers } from './handlers-ebs.js';
import { reservedHandlers } from './handlers-reserved.js';

/** Every compute and EBS operation: one map per area, each owned by its own file. */
export const computeHandlers: Record<string, Handler> = {
  ...catalogHandlers,
  ...imagesHandlers,
  ...keysHandlers,
  ...instancesHandlers,
  ...ebsHandlers,
  ...reservedHandlers,
};
