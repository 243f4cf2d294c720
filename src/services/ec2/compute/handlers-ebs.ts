import type { Handler } from '../../types.js';

/** EC2 operations of this area, merged into the EC2 service by compute/handlers.ts. */
export const ebsHandlers: Record<string, Handler> = {};
