import { defineService } from '../types.js';

// Registered so requests route and answer; no operation is implemented yet (501).
export default defineService({ name: 'elbv2', modelId: 'elasticloadbalancingv2-2015-12-01', handlers: {} });
