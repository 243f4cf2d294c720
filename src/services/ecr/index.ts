/**
 * ECR: one handler map per area, merged. Repositories, registry settings, policies and tokens
 * (repository-handlers.ts); images and tags (image-handlers.ts, over images.ts); layer uploads
 * (layer-handlers.ts, over layers.ts); lifecycle policies (lifecycle-handlers.ts); scanning
 * (scan-handlers.ts). The registry (/v2/) is a front door of its own: registry/serve.ts.
 * Stored rows: records.ts.
 */
import { defineService } from '../types.js';
import { imageHandlers } from './image-handlers.js';
import { layerHandlers } from './layer-handlers.js';
import { withEcrLifecycle } from './lifecycle/apply.js';
import { lifecycleHandlers } from './lifecycle-handlers.js';
import { repositoryHandlers } from './repository-handlers.js';
import { scanHandlers } from './scan-handlers.js';

// Calls that name a repository first apply its lifecycle policy when it is due (lifecycle/apply.ts).
export default withEcrLifecycle(defineService({
  name: 'ecr',
  modelId: 'ecr-2015-09-21',
  handlers: {
    ...repositoryHandlers,
    ...imageHandlers,
    ...layerHandlers,
    ...lifecycleHandlers,
    ...scanHandlers,
  },
  // Operations that read or write blobs: they run outside the store lock and commit with ctx.transact.
  outside: new Set<string>(['UploadLayerPart', 'CompleteLayerUpload']),
}));
