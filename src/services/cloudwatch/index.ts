import { defineService } from '../types.js';

// Registered so both of its protocols route and answer; no operation is implemented yet (501).
export default defineService({ name: 'cloudwatch', modelId: 'monitoring-2010-08-01', handlers: {} });
