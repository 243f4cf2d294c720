import type { Handler } from '../types.js';

/** ECR operations of this area (see index.ts). */
export const layerHandlers: Record<string, Handler> = {};
