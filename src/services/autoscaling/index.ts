import { defineService } from '../types.js';

// Registered so requests route and answer; no operation is implemented yet (501).
export default defineService({ name: 'autoscaling', modelId: 'autoscaling-2011-01-01', handlers: {} });
