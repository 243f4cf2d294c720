import { defineService } from '../types.js';
import { computeOptimizerHandlers } from './handlers.js';

/**
 * AWS Compute Optimizer, served over JSON 1.0 (X-Amz-Target ComputeOptimizerService.*) and RPC
 * v2 CBOR; handlers see the same decoded input either way, keyed by the model's camelCase
 * members (accountIds, instanceArns, nextToken). Regional.
 */
export default defineService({
  name: 'compute-optimizer',
  modelId: 'compute-optimizer-2019-11-01',
  handlers: { ...computeOptimizerHandlers },
});
