import { defineService } from '../types.js';
import { publicAccessBlockHandlers } from './public-access-block.js';

/**
 * S3 Control (rest-xml, signed as `s3`, every path under /v20180820/). Only the account-level
 * Block Public Access settings are served; S3 enforces them (s3/public-access.ts). The other
 * operations (access points, batch jobs, Storage Lens, ...) answer NotImplemented.
 */
export default defineService({
  name: 's3control',
  modelId: 's3control-2018-08-20',
  handlers: {
    ...publicAccessBlockHandlers,
  },
});
