/** CloudWatch alarms API (the alarms engineer's; empty until their handlers land). */
import type { Handler } from '../types.js';

export const alarmHandlers: Record<string, Handler> = {};
