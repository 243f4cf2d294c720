import { defineService } from '../types.js';

// IAM's operations arrive with the IAM issue; until then each answers NotImplemented (501).
export default defineService({ name: 'iam', modelId: 'iam-2010-05-08', global: true, handlers: {} });
