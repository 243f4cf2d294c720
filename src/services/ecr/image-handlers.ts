import type { Handler } from '../types.js';

/** ECR operations of this area (see index.ts). */
export const imageHandlers: Record<string, Handler> = {};
