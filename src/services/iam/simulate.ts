import { notImplemented } from '../../core/errors.js';
import type { Handler } from '../types.js';

// Placeholder until the policy simulator lands (issue 3, item 5).
export const simulatePrincipalPolicy: Handler = () => { throw notImplemented('iam', 'SimulatePrincipalPolicy'); };
export const simulateCustomPolicy: Handler = () => { throw notImplemented('iam', 'SimulateCustomPolicy'); };
